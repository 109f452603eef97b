//! The harness of the end-to-end tests that start `pacta serve --demo --test-clock T` on a
//! database of their own and then run the command line on what it wrote.
#![allow(dead_code)] // each test binary uses its part

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

pub use serde_json::Value;

pub const TOKEN: &str = "cli-test-token";

pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.0 request; the status and the body.
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_owned())
}

pub fn db_dir(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("pacta-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/pacta.db", dir.display());
    (dir, url)
}

/// `pacta serve ARGS` on the system clock (no test clock), with the admin token and `envs`.
pub fn serve_live(url: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["--database-url", url, "serve"])
        .args(args)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env_remove("PACTA_DATABASE_URL")
        .env_remove("PACTA_SMTP_URL")
        .env("PACTA_ADMIN_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    for _ in 0..900 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/readyz", None).0 == 200
        {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("pacta serve did not start");
}

pub fn serve(url: &str, clock: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args([
            "--database-url",
            url,
            "serve",
            "--demo",
            "--test-clock",
            clock,
        ])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env_remove("PACTA_DATABASE_URL")
        .env_remove("PACTA_SMTP_URL")
        .env("PACTA_ADMIN_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    for _ in 0..600 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/readyz", None).0 == 200
        {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("pacta serve did not start");
}

pub fn cli(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["--database-url", url])
        .args(args)
        .env_remove("PACTA_DATABASE_URL")
        .output()
        .unwrap()
}

pub fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits until `done` holds, looking five times a second, at most `secs` seconds; then fails
/// with `what`. A deadline, never an assertion about how long it took.
pub async fn until(secs: u64, what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..secs * 5 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("not within {secs} s: {what}");
}
