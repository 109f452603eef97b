//! `pacta monitor import|export|list` end to end (issue 10): the built binary, its output and
//! exit codes, on a database of its own holding the demo catalogue.

use std::path::PathBuf;
use std::process::{Command, Output};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");
const DEMO_MONITORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/monitors.yaml");

/// A database of its own (with the demo catalogue) for one test, and the command line on it.
struct Cli {
    dir: PathBuf,
    url: String,
}

impl Cli {
    fn new(name: &str) -> Cli {
        let dir = std::env::temp_dir().join(format!("pacta-mon-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/pacta.db", dir.display());
        let cli = Cli { dir, url };
        cli.ok(&["catalogue", "import", DEMO]);
        cli
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pacta"))
            .args(["--database-url", &self.url])
            .args(args)
            .env_remove("PACTA_DATABASE_URL")
            .output()
            .expect("run pacta")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "exit {:?}, stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn file(&self, name: &str, content: &str) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    fn codes(&self, args: &[&str]) -> Vec<String> {
        let list: serde_json::Value =
            serde_json::from_str(&self.ok(&[args, &["--format", "json"]].concat())).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_owned())
            .collect()
    }
}

const MONITORS: &str = r#"monitors:
  - code: web-health
    name: {en: Web hosting, nl: Webhosting}
    service: WEB-HOSTING
    kind: http
    settings:
      url: https://www.example.invalid/health
      headers: {Authorization: "${env:WEB_TOKEN}"}
      expected_statuses: [200]
    interval: 30s
    timeout: 5s
  - code: mail-smtp
    name: {en: Mail relay}
    service: MAIL-AGENDA
    kind: tcp
    settings: {host: smtp.example.invalid, port: 25}
"#;

#[test]
fn a_monitors_file_is_imported_dry_run_first_listed_and_exported_deterministically() {
    let cli = Cli::new("import");
    let file = cli.file("monitors.yaml", MONITORS);
    let dry = cli.ok(&["monitor", "import", &file, "--dry-run"]);
    assert_eq!(
        dry,
        "created monitor mail-smtp\ncreated monitor web-health\n"
    );
    assert_eq!(
        cli.ok(&["monitor", "list"]),
        "",
        "a dry run changes nothing"
    );
    assert_eq!(
        cli.ok(&["monitor", "import", &file]),
        "created monitor mail-smtp\ncreated monitor web-health\n"
    );
    assert_eq!(
        cli.ok(&["monitor", "import", &file]),
        "unchanged monitor mail-smtp\nunchanged monitor web-health\n"
    );
    // A change of one is an update of that one, in place.
    let before: serde_json::Value =
        serde_json::from_str(&cli.ok(&["monitor", "list", "--format", "json"])).unwrap();
    let changed = cli.file("changed.yaml", &MONITORS.replace("port: 25", "port: 587"));
    assert_eq!(
        cli.ok(&["monitor", "import", &changed, "--dry-run"]),
        "updated monitor mail-smtp\nunchanged monitor web-health\n"
    );
    cli.ok(&["monitor", "import", &changed]);
    let after: serde_json::Value =
        serde_json::from_str(&cli.ok(&["monitor", "list", "--format", "json"])).unwrap();
    assert_eq!(after[0]["id"], before[0]["id"]);
    assert_eq!(
        (&after[0]["revision"], &after[0]["settings"]["port"]),
        (&2.into(), &587.into())
    );

    // The list: by code, whole in JSON, filtered by service.
    assert_eq!(
        after[1],
        serde_json::json!({
            "id": after[1]["id"], "code": "web-health", "name": {"nl": "Webhosting", "en": "Web hosting"},
            "service": "WEB-HOSTING", "subscription": null, "partner": null, "kind": "http",
            "settings": {"method": "GET", "url": "https://www.example.invalid/health",
                         "headers": {"Authorization": "${env:WEB_TOKEN}"}, "expected_statuses": [200],
                         "verify_tls": true, "follow_redirects": true},
            "interval": "30s", "timeout": "5s", "failures_before_down": 3,
            "successes_before_up": 2, "stale_after": null, "counts_for_availability": true,
            "revision": 1,
        })
    );
    assert_eq!(
        cli.codes(&["monitor", "list", "--service", "WEB-HOSTING"]),
        ["web-health"]
    );
    let text = cli.ok(&["monitor", "list"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("mail-smtp") && lines[0].ends_with("smtp.example.invalid:587"),
        "{text}"
    );
    assert!(
        lines[1].contains("WEB-HOSTING") && lines[1].contains("30s"),
        "{text}"
    );
    let out = cli.run(&["monitor", "list", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));

    // Export: references stay references; export → import elsewhere → export, same bytes.
    let first = cli.ok(&["monitor", "export"]);
    assert!(
        first.contains("Authorization: \"${env:WEB_TOKEN}\""),
        "{first}"
    );
    assert!(
        !first.contains("id:") && !first.contains("revision"),
        "{first}"
    );
    let out_file = cli.dir.join("out.yaml");
    cli.ok(&["monitor", "export", "--out", out_file.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), first);
    let other = Cli::new("import-copy");
    let copy = other.file("copy.yaml", &first);
    other.ok(&["monitor", "import", &copy]);
    assert_eq!(other.ok(&["monitor", "export"]), first);
}

#[test]
fn a_bad_monitors_file_reports_every_error_at_its_place_and_changes_nothing() {
    let cli = Cli::new("bad");
    let file = cli.file(
        "bad.yaml",
        r#"monitors:
  - code: fine
    name: {en: Fine}
    service: WEB-HOSTING
    kind: tcp
    settings: {host: db.example.invalid, port: 5432}
  - code: secret
    name: {en: Secret}
    service: NO-SUCH-SERVICE
    kind: http
    settings:
      url: https://www.example.invalid/
      headers: {Authorization: Bearer s3cret-value}
    interval: 5s
  - code: theirs
    name: {en: Theirs}
    subscription: 01a00000-0000-7000-8000-000000000000
    kind: dns
    settings: {name: example.invalid, record_type: ANY}
"#,
    );
    let out = cli.run(&["monitor", "import", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    for expected in [
        format!("{file}:9:14: monitors[1].service: unknown service `NO-SUCH-SERVICE`"),
        format!("{file}:13:32: monitors[1].settings.headers.Authorization: a header value is never stored in clear: write a reference `${{env:NAME}}`"),
        format!("{file}:14:15: monitors[1].interval: 5s is out of range"),
        format!("{file}:17:19: monitors[2].subscription: no subscription `01a00000-0000-7000-8000-000000000000`"),
        format!("{file}:19:52: monitors[2].settings.record_type: `ANY` is not one of"),
    ] {
        assert!(err.contains(&expected), "{expected}\nnot in\n{err}");
    }
    assert_eq!(err.lines().count(), 5, "{err}");
    assert!(
        !err.contains("s3cret-value"),
        "a secret is never echoed: {err}"
    );
    // All or nothing, dry run or not.
    let out = cli.run(&["monitor", "import", &file, "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(cli.ok(&["monitor", "list"]), "");
    // A file that is not YAML, and one that is not there.
    let broken = cli.file("broken.yaml", "monitors: [\n");
    let out = cli.run(&["monitor", "import", &broken]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("YAML syntax"));
    let out = cli.run(&["monitor", "import", "/no/such/file.yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_demo_monitors_file_imports_over_the_demo_catalogue() {
    let cli = Cli::new("demo");
    let out = cli.ok(&["monitor", "import", DEMO_MONITORS]);
    assert_eq!(out.lines().count(), 14, "{out}");
    assert!(
        out.lines().all(|l| l.starts_with("created monitor ")),
        "{out}"
    );
    let list: serde_json::Value =
        serde_json::from_str(&cli.ok(&["monitor", "list", "--format", "json"])).unwrap();
    let mut kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["dns", "http", "tcp", "tls"]);
}

#[test]
fn results_are_ingested_from_json_lines_all_or_nothing() {
    let cli = Cli::new("ingest");
    let file = cli.file("monitors.yaml", MONITORS);
    cli.ok(&["monitor", "import", &file]);
    // The worked example's failures (N = 3 by default), then recovery (M = 2 by default).
    let lines = [
        r#"{"at": "2026-10-12T10:00:00+02:00", "ok": true, "latency_ms": 80}"#,
        r#"{"at": "2026-10-12T10:00:30+02:00", "ok": false, "detail": "status 503"}"#,
        "",
        r#"{"at": "2026-10-12T10:01:00+02:00", "ok": false}"#,
        r#"{"at": "2026-10-12T10:01:30+02:00", "ok": false}"#,
        r#"{"at": "2026-10-12T10:02:00+02:00", "ok": true}"#,
        r#"{"at": "2026-10-12T10:02:30+02:00", "ok": true}"#,
    ]
    .join("\n");
    let results = cli.file("results.jsonl", &lines);
    let out = cli.ok(&[
        "monitor",
        "ingest",
        "--monitor",
        "web-health",
        "--results",
        &results,
    ]);
    assert_eq!(
        out.trim(),
        "stored 6 results (0 late), 0 duplicates ignored, monitor web-health"
    );
    // Again: every one an identical retry.
    let out = cli.ok(&[
        "monitor",
        "ingest",
        "--monitor",
        "web-health",
        "--results",
        &results,
    ]);
    assert!(
        out.contains("stored 0 results") && out.contains("6 duplicates"),
        "{out}"
    );
    // A bad line: FILE:LINE: field: message, exit 2; a conflicting result: exit 2 too; nothing
    // of either file is stored.
    let bad = cli.file(
        "bad.jsonl",
        "{\"at\": \"2026-10-12T10:03:00+02:00\", \"ok\": true}\n{\"at\": \"2026-10-12T10:03:30\", \"ok\": 1}\n",
    );
    let out = cli.run(&[
        "monitor",
        "ingest",
        "--monitor",
        "web-health",
        "--results",
        &bad,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:2: at: "), "{err}");
    assert!(err.contains("bad.jsonl:2: ok: "), "{err}");
    let conflict = cli.file(
        "conflict.jsonl",
        "{\"at\": \"2026-10-12T10:03:00+02:00\", \"ok\": true}\n{\"at\": \"2026-10-12T10:02:30+02:00\", \"ok\": false}\n",
    );
    let out = cli.run(&[
        "monitor",
        "ingest",
        "--monitor",
        "web-health",
        "--results",
        &conflict,
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-10-12T10:02:30+02:00"));
    let out = cli.ok(&[
        "monitor",
        "ingest",
        "--monitor",
        "web-health",
        "--results",
        &cli.file(
            "next.jsonl",
            "{\"at\": \"2026-10-12T10:03:00+02:00\", \"ok\": true}\n",
        ),
    ]);
    assert!(out.contains("stored 1 results"), "{out}");
    let out = cli.run(&[
        "monitor",
        "ingest",
        "--monitor",
        "nope",
        "--results",
        &results,
    ]);
    assert_eq!(out.status.code(), Some(2));
}
