//! `pacta catalogue …`, `pacta migrate` and `pacta serve` end to end: the built binary, its
//! output and exit codes (issue 2).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");

/// A scratch directory of its own, with a SQLite URL inside it.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("pacta-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn db(&self, name: &str) -> String {
        format!("sqlite://{}/{name}.db", self.0.display())
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

fn pacta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(args)
        .env_remove("PACTA_DATABASE_URL")
        .output()
        .expect("run pacta")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn export_import_export_gives_the_same_bytes() {
    let s = Scratch::new("roundtrip");
    let (a, b) = (s.db("a"), s.db("b"));
    ok(&pacta(&["--database-url", &a, "catalogue", "import", DEMO]));
    let first = s.file("first.yaml");
    ok(&pacta(&[
        "catalogue",
        "export",
        "--database-url",
        &a,
        "--out",
        first.to_str().unwrap(),
    ]));
    ok(&pacta(&[
        "catalogue",
        "import",
        first.to_str().unwrap(),
        "--database-url",
        &b,
    ]));
    let second = ok(&pacta(&["catalogue", "export", "--database-url", &b]));
    assert_eq!(std::fs::read_to_string(&first).unwrap(), second);
    // And export is stable on the same database.
    assert_eq!(
        ok(&pacta(&["catalogue", "export", "--database-url", &b])),
        second
    );
}

#[test]
fn dry_run_prints_the_plan_and_changes_nothing() {
    let s = Scratch::new("dryrun");
    let db = s.db("c");
    let out = ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        "--dry-run",
        DEMO,
    ]));
    assert!(
        out.lines().any(|l| l == "created service WEB-HOSTING"),
        "{out}"
    );
    assert!(out.lines().all(|l| l.starts_with("created ")), "{out}");
    assert_eq!(
        ok(&pacta(&["--database-url", &db, "catalogue", "list"])),
        ""
    );
    ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        DEMO,
    ]));
    let again = ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        "--dry-run",
        DEMO,
    ]));
    assert!(
        again.lines().all(|l| l.starts_with("unchanged ")),
        "{again}"
    );
    assert!(again.contains("unchanged level critical"));
}

#[test]
fn an_invalid_file_reports_every_error_with_its_position_and_changes_nothing() {
    let s = Scratch::new("invalid");
    let db = s.db("d");
    ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        DEMO,
    ]));
    let before = ok(&pacta(&["--database-url", &db, "catalogue", "export"]));
    let bad = s.file("bad.yaml");
    std::fs::write(
        &bad,
        "categories:\n  - code: new-one\n    name: {en: New}\nlevels:\n  - code: gold\n    rank: 9\n    name: {en: Gold}\n    availability_target: 100.5\n    support_calendar: 24x7\n    targets: {}\n    maintenance_notice: 1h\nservices:\n  - code: WEB-HOSTING\n    category: nowhere\n    colour: red\n",
    )
    .unwrap();
    let out = pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let name = bad.display().to_string();
    for expected in [
        format!("{name}:8:26: levels[0].availability_target: "),
        format!("{name}:14:15: services[0].category: unknown category `nowhere`"),
        format!("{name}:15:5: services[0].colour: unknown field"),
    ] {
        assert!(
            stderr.lines().any(|l| l.starts_with(&expected)),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    assert!(stderr.lines().count() >= 6, "{stderr}");
    // The valid category in the same file was not written: all or nothing.
    assert_eq!(
        ok(&pacta(&["--database-url", &db, "catalogue", "export"])),
        before
    );
    // Syntax errors have a position too.
    std::fs::write(&bad, "services: [\n").unwrap();
    let out = pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(&format!("{name}:")));
}

#[test]
fn list_show_and_schema_read_the_catalogue() {
    let s = Scratch::new("read");
    let db = s.db("e");
    ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "import",
        DEMO,
    ]));
    let list = ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "list",
        "--lang",
        "nl",
    ]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("WEB-HOSTING") && l.contains("published")),
        "{list}"
    );
    let show = ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "show",
        "WEB-HOSTING",
        "--format",
        "json",
        "--lang",
        "fr",
    ]));
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(v["code"], "WEB-HOSTING");
    assert_eq!(v["name"]["lang"], "fr");
    let text = ok(&pacta(&[
        "--database-url",
        &db,
        "catalogue",
        "show",
        "WEB-HOSTING",
    ]));
    assert!(text.starts_with("WEB-HOSTING — "), "{text}");
    let missing = pacta(&["--database-url", &db, "catalogue", "show", "NOPE"]);
    assert_eq!(missing.status.code(), Some(2));
    let schema: serde_json::Value =
        serde_json::from_str(&ok(&pacta(&["catalogue", "schema"]))).unwrap();
    assert!(schema["$schema"].as_str().unwrap().contains("2020-12"));
}

#[test]
fn migrate_creates_the_database_and_help_lists_every_command() {
    let s = Scratch::new("migrate");
    let db = s.db("nested/f");
    ok(&pacta(&["migrate", "--database-url", &db]));
    assert!(s.file("nested/f.db").exists());
    let help = ok(&pacta(&["--help"]));
    for command in ["serve", "migrate", "catalogue", "sla"] {
        assert!(help.contains(command), "{help}");
    }
    let help = ok(&pacta(&["catalogue", "--help"]));
    for command in ["import", "export", "schema", "list", "show"] {
        assert!(help.contains(command), "{help}");
    }
    assert!(ok(&pacta(&["--version"])).starts_with("pacta "));
    let bad = pacta(&["--database-url", "mysql://x", "migrate"]);
    assert!(!bad.status.success());
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Starts `pacta serve` on a free port; returns the child and its address, read from its log.
/// The caller stops and reaps the child with [`terminate`].
#[allow(clippy::zombie_processes)]
fn serve(dir: &Path, db: &str, extra: &[&str]) -> (std::process::Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["--database-url", db, "serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env_remove("PACTA_ADMIN_TOKEN")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let started = std::time::Instant::now();
    loop {
        line.clear();
        let eof = reader.read_line(&mut line).unwrap_or(0) == 0;
        if eof || started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server exited or logged no listening address: {lines:?}");
        }
        lines.push(line.clone());
        let text_log = line
            .split("address=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next());
        let json_log = line
            .split("\"address\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        if let Some(addr) = text_log.or(json_log) {
            let addr = addr.to_owned();
            std::thread::spawn(move || {
                let mut sink = String::new();
                let _ = reader.read_to_string(&mut sink);
            });
            return (child, addr, lines);
        }
    }
}

fn terminate(child: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown on SIGTERM exits 0, got {status:?}"
    );
}

#[test]
fn serve_demo_loads_only_into_an_empty_catalogue_and_stops_on_sigterm() {
    let s = Scratch::new("serve");
    let db = s.db("g");
    let (mut child, addr, lines) = serve(&s.0, &db, &["--demo"]);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("PACTA_ADMIN_TOKEN is not set")),
        "{lines:?}"
    );
    let (status, body) = http_get(&addr, "/api/v1/services?lang=nl");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["total"].as_i64().unwrap() >= 8, "{v}");
    assert_eq!(http_get(&addr, "/readyz").0, 200);
    terminate(&mut child);
    // A second start finds the catalogue and skips the demo.
    let (mut child, _addr, lines) = serve(&s.0, &db, &["--demo"]);
    std::thread::sleep(Duration::from_millis(50));
    terminate(&mut child);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("skipped loading the demo catalogue")),
        "{lines:?}"
    );
}

#[test]
fn json_logs_on_request() {
    let s = Scratch::new("jsonlog");
    let db = s.db("h");
    let (mut child, _addr, lines) = serve(&s.0, &db, &["--log-format", "json"]);
    terminate(&mut child);
    let last = lines.last().unwrap();
    let v: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("not JSON ({e}): {last}"));
    assert_eq!(v["level"], "INFO");
}
