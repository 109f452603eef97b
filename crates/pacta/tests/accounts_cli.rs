//! `pacta partner …`, `pacta user …`, `pacta token …` and `pacta audit export` end to end
//! (issue 8): the built binary, its output, its exit codes, on a database of its own.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");

/// A database of its own for one test, and the command line on it.
struct Cli {
    dir: PathBuf,
    url: String,
}

impl Cli {
    fn new(name: &str) -> Cli {
        let dir = std::env::temp_dir().join(format!("pacta-acc-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}/pacta.db", dir.display());
        Cli { dir, url }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pacta"));
        c.args(["--database-url", &self.url])
            .args(args)
            .env_remove("PACTA_DATABASE_URL")
            .env("PACTA_PUBLIC_URL", "https://pacta.example.be/");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run pacta")
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        ok(&self.run(args))
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
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

/// Exit 2, nothing on stdout, one line on stderr; that line.
fn fails(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    err
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

const PARTNERS: &str = r#"partners:
  - code: PARTNER-B
    name: {fr: Partenaire B, en: Partner B}
    lang: fr
    local_helpdesk: true
    contacts:
      - {name: Marie Dubois, email: marie@partner-b.example, phone: "+32 2 000 00 02", roles: [local-helpdesk, security]}
  - code: PARTNER-A
    name: {nl: Partner A}
    lang: nl
"#;

#[test]
fn partners_are_added_listed_shown_imported_and_exported() {
    let cli = Cli::new("partners");
    cli.ok(&["partner", "add", "SMALL-1", "--name", "Small One"]);
    let e = fails(&cli.run(&["partner", "add", "SMALL-1", "--name", "Again"]));
    assert!(e.contains("already exists"), "{e}");
    fails(&cli.run(&["partner", "add", "bad code", "--name", "X"]));
    fails(&cli.run(&[
        "partner",
        "add",
        "SMALL-2",
        "--name",
        "X",
        "--local-helpdesk",
        "maybe",
    ]));

    let file = cli.file("partners.yaml", PARTNERS);
    let dry = cli.ok(&["partner", "import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        dry,
        "created partner PARTNER-A\ncreated partner PARTNER-B\n"
    );
    assert_eq!(
        json(&cli.ok(&["partner", "list", "--format", "json"]))
            .as_array()
            .unwrap()
            .len(),
        1,
        "a dry run changes nothing"
    );
    cli.ok(&["partner", "import", file.to_str().unwrap()]);
    let again = cli.ok(&["partner", "import", file.to_str().unwrap()]);
    assert_eq!(
        again,
        "unchanged partner PARTNER-A\nunchanged partner PARTNER-B\n"
    );

    let list = json(&cli.ok(&["partner", "list", "--format", "json"]));
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["PARTNER-A", "PARTNER-B", "SMALL-1"],
        "a bare array by code"
    );
    let b = json(&cli.ok(&["partner", "show", "PARTNER-B", "--format", "json"]));
    assert_eq!(
        b,
        serde_json::json!({"code": "PARTNER-B", "name": {"fr": "Partenaire B", "en": "Partner B"},
            "lang": "fr", "local_helpdesk": true, "prm": null,
            "contacts": [{"name": "Marie Dubois", "email": "marie@partner-b.example",
                "phone": "+32 2 000 00 02", "roles": ["local-helpdesk", "security"]}]})
    );
    let text = cli.ok(&["partner", "show", "PARTNER-B"]);
    assert!(
        text.contains("contact: Marie Dubois <marie@partner-b.example>"),
        "{text}"
    );
    fails(&cli.run(&["partner", "show", "NOPE"]));

    // Export → import elsewhere → export gives the same bytes.
    let first = cli.ok(&["partner", "export"]);
    let other = Cli::new("partners-copy");
    let copy = other.file("copy.yaml", &first);
    other.ok(&["partner", "import", copy.to_str().unwrap()]);
    assert_eq!(other.ok(&["partner", "export"]), first);
}

#[test]
fn a_bad_partners_file_reports_every_error_and_changes_nothing() {
    let cli = Cli::new("bad-partners");
    let file = cli.file(
        "bad.yaml",
        "partners:\n  - code: OK-1\n    name: {en: Fine}\n  - code: x\n    name: {en: X}\n    lang: es\n",
    );
    let out = cli.run(&["partner", "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    let shown = file.display().to_string();
    assert!(
        err.contains(&format!("{shown}:4:11: partners[1].code:")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{shown}:6:11: partners[1].lang:")),
        "{err}"
    );
    assert_eq!(cli.ok(&["partner", "list"]), "", "all or nothing");
}

#[test]
fn users_are_added_with_a_link_or_a_password_from_stdin_and_managed() {
    let cli = Cli::new("users");
    cli.ok(&["catalogue", "import", DEMO]);
    cli.ok(&[
        "partner",
        "add",
        "PARTNER-A",
        "--name",
        "Partenaire A",
        "--lang",
        "fr",
    ]);
    // No password: a one-time link, in the user's language, on the public URL.
    let link = cli.ok(&[
        "user",
        "add",
        "Admin@Partner-A.example",
        "--name",
        "Anne Admin",
        "--partner",
        "PARTNER-A",
        "--role",
        "partner-admin",
    ]);
    assert!(
        link.starts_with("https://pacta.example.be/fr/set-password/pacta_"),
        "{link}"
    );
    assert_eq!(link.lines().count(), 1);
    // A password from stdin: nothing printed, and never on the command line.
    let out = cli.run_stdin(
        &[
            "user",
            "add",
            "root@provider.example",
            "--name",
            "Root",
            "--admin",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert_eq!(ok(&out), "");
    let short = cli.run_stdin(
        &[
            "user",
            "add",
            "s@provider.example",
            "--name",
            "S",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(fails(&short).contains("at least 12 characters"));
    cli.ok(&[
        "user",
        "add",
        "sm@provider.example",
        "--name",
        "Sam Manager",
        "--role",
        "service-manager:WEB-HOSTING,MAIL-AGENDA",
        "--role",
        "helpdesk-agent",
    ]);
    for (args, says) in [
        (
            vec![
                "user",
                "add",
                "x@provider.example",
                "--name",
                "X",
                "--role",
                "viewer",
            ],
            "give the user a partner",
        ),
        (
            vec![
                "user",
                "add",
                "y@partner-a.example",
                "--name",
                "Y",
                "--partner",
                "PARTNER-A",
                "--admin",
            ],
            "provider's staff",
        ),
        (
            vec![
                "user",
                "add",
                "z@provider.example",
                "--name",
                "Z",
                "--role",
                "prm:NOPE",
            ],
            "no partner `NOPE`",
        ),
        (
            vec!["user", "add", "sm@provider.example", "--name", "Again"],
            "already exists",
        ),
        (
            vec![
                "user",
                "add",
                "w@provider.example",
                "--name",
                "W",
                "--role",
                "root",
            ],
            "unknown role `root`",
        ),
    ] {
        let e = fails(&cli.run(&args));
        assert!(e.contains(says), "{args:?}: {e}");
    }

    let users = json(&cli.ok(&["user", "list", "--format", "json"]));
    assert_eq!(
        users,
        serde_json::json!([
            {"email": "admin@partner-a.example", "name": "Anne Admin", "partner": "PARTNER-A",
             "lang": "fr", "roles": [{"role": "partner-admin", "scope": []}], "disabled": false},
            {"email": "root@provider.example", "name": "Root", "partner": null, "lang": "en",
             "roles": [{"role": "admin", "scope": []}], "disabled": false},
            {"email": "sm@provider.example", "name": "Sam Manager", "partner": null, "lang": "en",
             "roles": [{"role": "service-manager", "scope": ["MAIL-AGENDA", "WEB-HOSTING"]},
                       {"role": "helpdesk-agent", "scope": []}], "disabled": false}
        ])
    );
    let staff = json(&cli.ok(&["user", "list", "--role", "admin", "--format", "json"]));
    assert_eq!(staff.as_array().unwrap().len(), 1);
    let theirs = cli.ok(&["user", "list", "--partner", "PARTNER-A"]);
    assert!(theirs.starts_with("admin@partner-a.example"), "{theirs}");
    assert_eq!(theirs.lines().count(), 1);

    cli.ok(&[
        "user",
        "set-role",
        "sm@provider.example",
        "--role",
        "on-call",
    ]);
    cli.ok(&["user", "disable", "sm@provider.example"]);
    let sm = json(&cli.ok(&["user", "list", "--role", "on-call", "--format", "json"]));
    assert_eq!(sm[0]["disabled"], true);
    assert_eq!(
        sm[0]["roles"],
        serde_json::json!([{"role": "on-call", "scope": []}])
    );
    cli.ok(&["user", "enable", "sm@provider.example"]);
    fails(&cli.run(&["user", "disable", "nobody@provider.example"]));
    let reset = cli.ok(&["user", "reset-link", "root@provider.example"]);
    assert!(reset.starts_with("https://pacta.example.be/en/set-password/pacta_"));
    assert_ne!(reset, link);
}

#[test]
fn tokens_are_shown_once_listed_without_secret_and_revoked() {
    let cli = Cli::new("tokens");
    cli.ok(&[
        "user",
        "add",
        "ci@provider.example",
        "--name",
        "CI",
        "--admin",
    ]);
    let token = cli.ok(&[
        "token",
        "create",
        "--user",
        "ci@provider.example",
        "--name",
        "schemathesis",
        "--expires",
        "2999-01-01T00:00:00Z",
    ]);
    let token = token.trim_end();
    assert!(
        token.starts_with("pacta_") && !token.contains(' '),
        "the token alone: {token}"
    );
    fails(&cli.run(&[
        "token",
        "create",
        "--user",
        "ci@provider.example",
        "--expires",
        "2000-01-01T00:00:00Z",
    ]));
    let list = json(&cli.ok(&["token", "list", "--format", "json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "schemathesis");
    assert_eq!(list[0]["user"], "ci@provider.example");
    assert_eq!(list[0]["expires_at"], "2999-01-01T00:00:00Z");
    assert_eq!(list[0]["revoked_at"], serde_json::Value::Null);
    let text = serde_json::to_string(&list).unwrap();
    assert!(!text.contains(token), "never the secret");
    let id = list[0]["id"].as_str().unwrap().to_owned();
    cli.ok(&["token", "revoke", &id]);
    let list = json(&cli.ok(&[
        "token",
        "list",
        "--user",
        "ci@provider.example",
        "--format",
        "json",
    ]));
    assert!(list[0]["revoked_at"].is_string());
    fails(&cli.run(&["token", "revoke", "no-such-id"]));
}

#[test]
fn the_audit_log_exports_as_csv_filtered() {
    let cli = Cli::new("audit");
    cli.ok(&["partner", "add", "PARTNER-A", "--name", "A"]);
    cli.ok(&["partner", "add", "PARTNER-B", "--name", "B"]);
    cli.ok(&[
        "user",
        "add",
        "a@partner-a.example",
        "--name",
        "A",
        "--partner",
        "PARTNER-A",
        "--role",
        "viewer",
    ]);
    let all = cli.ok(&["audit", "export"]);
    let mut lines = all.lines();
    assert_eq!(
        lines.next(),
        Some("id,at,actor,action,kind,code,partner,before,after")
    );
    assert_eq!(
        all.lines().count(),
        1 + 4,
        "two partners, a user, its invitation"
    );
    let a = cli.ok(&["audit", "export", "--partner", "PARTNER-A"]);
    assert_eq!(a.lines().count(), 1 + 3, "{a}");
    assert!(a.lines().skip(1).all(|l| l.contains(",PARTNER-A,")), "{a}");
    let none = cli.ok(&["audit", "export", "--actor", "bootstrap"]);
    assert_eq!(none.lines().count(), 1);
    let out = cli.dir.join("audit.csv");
    cli.ok(&[
        "audit",
        "export",
        "--from",
        "2000-01-01T00:00:00Z",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), all);
    let future = cli.ok(&["audit", "export", "--from", "2999-01-01T00:00:00Z"]);
    assert_eq!(future.lines().count(), 1);
    fails(&cli.run(&["audit", "export", "--from", "yesterday"]));
}

#[test]
fn serve_demo_adds_four_partners_and_a_user_of_every_role_and_prints_their_sign_ins() {
    use std::io::{BufRead, BufReader};
    let cli = Cli::new("demo");
    let mut child = cli
        .command(&["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    while lines.len() < 25 {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        lines.push(line.trim_end().to_owned());
    }
    // The demo's maintenance window, proposed once the app is up, waits for every demo
    // partner's answer (each subscribes to MAIL-AGENDA).
    let mut windows = serde_json::Value::Null;
    for _ in 0..100 {
        windows = json(&cli.ok(&["maintenance", "list", "--format", "json"]));
        if windows["items"].as_array().is_some_and(|w| !w.is_empty()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let window = &windows["items"][0];
    assert_eq!(window["service"], "MAIL-AGENDA", "{windows}");
    let consulted: Vec<(&str, &str)> = window["consultation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["partner"].as_str().unwrap(),
                c["occurrences"][0]["consent"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        consulted,
        [
            ("DEMO-DE", "pending"),
            ("DEMO-FR", "pending"),
            ("DEMO-NL", "pending"),
            ("DEMO-SMALL", "pending")
        ]
    );
    assert!(
        lines[0].contains("every password is `pacta-demo`"),
        "{lines:?}"
    );
    assert!(lines
        .iter()
        .any(|l| l.starts_with("  partner-admin@demo-nl.example")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("  on-call@provider.example")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("  prober@provider.example")));
    assert_eq!(lines.len(), 1 + 8 + 4 * 4, "{lines:?}");

    let partners = json(&cli.ok(&["partner", "list", "--format", "json"]));
    let codes: Vec<&str> = partners
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["DEMO-DE", "DEMO-FR", "DEMO-NL", "DEMO-SMALL"]);
    for p in partners.as_array().unwrap() {
        assert_eq!(p["prm"]["email"], "prm@provider.example");
        let small = p["code"] == "DEMO-SMALL";
        assert_eq!(p["local_helpdesk"], !small);
    }
    assert_eq!(partners[2]["lang"], "nl");
    let users = json(&cli.ok(&["user", "list", "--format", "json"]));
    assert_eq!(users.as_array().unwrap().len(), 24);
    let sm = json(&cli.ok(&[
        "user",
        "list",
        "--role",
        "service-manager",
        "--format",
        "json",
    ]));
    let scope = sm[0]["roles"][0]["scope"].as_array().unwrap();
    assert!(
        scope.iter().any(|c| c == "WEB-HOSTING") && !scope.iter().any(|c| c == "LEGACY-FILESHARE")
    );
    let nl = json(&cli.ok(&["user", "list", "--partner", "DEMO-NL", "--format", "json"]));
    assert_eq!(nl.as_array().unwrap().len(), 4);
    assert!(nl.as_array().unwrap().iter().all(|u| u["lang"] == "nl"));
}
