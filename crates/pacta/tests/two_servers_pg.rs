//! Two `pacta serve` processes on one PostgreSQL, as behind a reverse proxy (issue 11, "Where it
//! runs"): a write through one is seen through the other — a catalogue change once the other's
//! revision check has run, a monitor at once (monitors are read from the store). Waits with a
//! deadline; asserts what each process answers, not how long it took.

mod common;

use std::time::Duration;

use common::{http, serve_live};
use serde_json::{json, Value};

/// Polls `done` (at most `secs` seconds).
fn until(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..secs * 10 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("not within {secs} s: {what}");
}

fn names(port: u16) -> Vec<(String, String)> {
    let (status, body) = http(port, "GET", "/api/v1/categories?lang=en", None);
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["name"]["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_through_one_server_is_seen_through_the_other() {
    let Some(url) = pacta_store::testing::fresh_postgres_url().await else {
        return;
    };
    let a = serve_live(&url, &["--demo", "--no-probes"], &[]);
    let b = serve_live(&url, &["--no-probes"], &[]);
    assert_eq!(names(a.port), names(b.port), "the same catalogue");
    assert!(!names(b.port).iter().any(|(c, _)| c == "shared-data"));

    let (status, body) = http(
        a.port,
        "POST",
        "/api/v1/categories",
        Some(&json!({"code": "shared-data", "name": {"en": "Data"}}).to_string()),
    );
    assert_eq!(status, 201, "{body}");
    until(10, "b sees the new category", || {
        names(b.port)
            .iter()
            .any(|(c, n)| c == "shared-data" && n == "Data")
    });

    // A change through b is seen through a.
    let put = format!(
        "PUT /api/v1/categories/shared-data HTTP/1.0\r\nHost: localhost\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nIf-Match: \"1\"\r\nContent-Length: {{}}\r\n\r\n{{}}",
        common::TOKEN
    );
    let body = json!({"code": "shared-data", "name": {"en": "Data & storage"}}).to_string();
    let request = put
        .replacen("{}", &body.len().to_string(), 1)
        .replacen("{}", &body, 1);
    let answer = raw(b.port, &request);
    assert!(
        answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"),
        "{answer}"
    );
    until(10, "a sees the renamed category", || {
        names(a.port)
            .iter()
            .any(|(c, n)| c == "shared-data" && n == "Data & storage")
    });

    // A monitor added through a is there for b at once.
    let (status, body) = http(
        a.port,
        "POST",
        "/api/v1/monitors",
        Some(
            &json!({"code": "seen-by-b", "name": {"en": "Seen"}, "service": "WEB-HOSTING",
                    "kind": "tcp", "settings": {"host": "127.0.0.1", "port": 9}})
            .to_string(),
        ),
    );
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = http(b.port, "GET", &format!("/api/v1/monitors/{id}"), None);
    assert_eq!(status, 200, "{body}");
}

fn raw(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}
