//! `pacta sla …` end to end: the built binary, its stdout, stderr and exit codes (issue 3).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn pacta(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(args)
        .output()
        .expect("run pacta")
}

fn pacta_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pacta");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
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

/// Exit 2, nothing on stdout, exactly one line on stderr; returns that line.
fn fails(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "stdout must stay empty on error");
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err:?}");
    err
}

/// A file in a fresh temporary directory of this test.
fn temp_file(test: &str, name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pacta-sla-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn holidays_one_line_per_date_in_order() {
    let out = ok(&pacta(&[
        "sla",
        "holidays",
        "--set",
        "be-federal",
        "--year",
        "2026",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[0], "2026-01-01 New Year's Day");
    assert_eq!(lines[1], "2026-04-06 Easter Monday");
    assert_eq!(lines[12], "2026-12-26 Boxing Day");
    let nl = ok(&pacta(&[
        "sla", "holidays", "--set", "be-legal", "--year", "2008", "--lang", "nl",
    ]));
    assert!(
        nl.contains("2008-05-01 Dag van de Arbeid / Onze-Lieve-Heer-Hemelvaart\n"),
        "{nl}"
    );
    assert_eq!(nl.lines().count(), 9);
    let fr = ok(&pacta(&[
        "sla", "holidays", "--set", "be-legal", "--year", "1900", "--lang", "fr",
    ]));
    assert!(
        fr.starts_with("1900-01-01 Jour de l'An\n1900-04-16 Lundi de Pâques\n"),
        "{fr}"
    );
}

#[test]
fn holidays_errors() {
    fails(&pacta(&[
        "sla",
        "holidays",
        "--set",
        "be-flemish",
        "--year",
        "2026",
    ]));
    fails(&pacta(&[
        "sla", "holidays", "--set", "be-legal", "--year", "2201",
    ]));
    fails(&pacta(&[
        "sla", "holidays", "--set", "be-legal", "--year", "1899",
    ]));
    fails(&pacta(&[
        "sla", "holidays", "--set", "be-legal", "--year", "2026", "--lang", "es",
    ]));
}

#[test]
fn deadline_friday_1730() {
    let d = |start: &str, dur: &str| {
        ok(&pacta(&[
            "sla",
            "deadline",
            "--calendar",
            "be-working-hours",
            "--start",
            start,
            "--duration",
            dur,
        ]))
    };
    assert_eq!(
        d("2026-11-27T17:30:00+01:00", "30m"),
        "2026-11-27T18:00:00+01:00\n"
    );
    assert_eq!(
        d("2026-11-27T16:30:00Z", "PT4H"),
        "2026-11-30T11:30:00+01:00\n"
    );
    assert_eq!(
        d("2026-11-27T17:30:00+01:00", "31m"),
        "2026-11-30T08:01:00+01:00\n"
    );
    // d = 0: the start, in the calendar's zone, even when closed.
    assert_eq!(
        d("2026-11-28T12:00:00Z", "0s"),
        "2026-11-28T13:00:00+01:00\n"
    );
    // DST weekend and a holiday week.
    assert_eq!(
        d("2026-03-27T17:00:00+01:00", "2h"),
        "2026-03-30T09:00:00+02:00\n"
    );
    assert_eq!(
        d("2026-11-09T08:00:00+01:00", "40h"),
        "2026-11-13T18:00:00+01:00\n"
    );
    // 24x7 shows Europe/Brussels.
    let out = ok(&pacta(&[
        "sla",
        "deadline",
        "--calendar",
        "24x7",
        "--start",
        "2026-07-01T10:00:00Z",
        "--duration",
        "90m",
    ]));
    assert_eq!(out, "2026-07-01T13:30:00+02:00\n");
}

#[test]
fn deadline_with_pauses_and_explain() {
    let out = ok(&pacta(&[
        "sla",
        "deadline",
        "--calendar",
        "be-working-hours",
        "--start",
        "2026-11-30T16:00:00+01:00",
        "--duration",
        "8h",
        "--pause",
        "2026-12-01T10:00:00+01:00/2026-12-02T14:00:00+01:00",
        "--explain",
    ]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "2026-12-02T18:00:00+01:00");
    assert_eq!(
        &lines[1..],
        [
            "  2026-11-30T16:00:00+01:00/2026-11-30T18:00:00+01:00 2h (total 2h)",
            "  2026-12-01T08:00:00+01:00/2026-12-01T10:00:00+01:00 2h (total 4h)",
            "  2026-12-02T14:00:00+01:00/2026-12-02T18:00:00+01:00 4h (total 8h)",
        ]
    );
}

#[test]
fn deadline_errors_are_one_line_and_exit_2() {
    let base = [
        "sla",
        "deadline",
        "--calendar",
        "be-working-hours",
        "--start",
    ];
    let run = |start: &str, dur: &str, extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend([start, "--duration", dur]);
        args.extend(extra);
        pacta(&args)
    };
    let t = "2026-11-27T17:30:00+01:00";
    for dur in ["1d", "1.5h", "-1h", "PT", "1h 30m", "30m1h"] {
        fails(&run(t, dur, &[]));
    }
    fails(&run("2026-11-27T17:30:00", "1h", &[]));
    fails(&run("2026-11-27T17:30:00.5Z", "1h", &[]));
    fails(&run(
        t,
        "1h",
        &["--pause", "2026-12-02T00:00:00Z/2026-12-01T00:00:00Z"],
    ));
    fails(&run(t, "1h", &["--pause", "2026-12-02T00:00:00Z"]));
    let e = fails(&run("2200-12-31T12:00:00Z", "1000h", &[]));
    assert!(e.contains("2201"), "{e}");
    let e = fails(&pacta(&[
        "sla",
        "deadline",
        "--calendar",
        "no-such-calendar",
        "--start",
        t,
        "--duration",
        "1h",
    ]));
    assert!(e.contains("no-such-calendar"), "{e}");
}

#[test]
fn yaml_calendar_files() {
    let good = temp_file(
        "yaml",
        "helpdesk.yaml",
        "timezone: Europe/Brussels\nslots:\n  - { days: [mon, tue, wed, thu, fri], from: \"08:00\", to: \"12:00\" }\n  - { days: [mon, tue, wed, thu, fri], from: \"11:00\", to: \"18:00\" }\nholidays: { sets: [be-federal], closed: [2026-12-24, 2026-12-31] }\n",
    );
    let out = ok(&pacta(&[
        "sla",
        "deadline",
        "--calendar",
        good.to_str().unwrap(),
        "--start",
        "2026-12-23T17:00:00+01:00",
        "--duration",
        "32h",
    ]));
    assert_eq!(out, "2027-01-04T09:00:00+01:00\n");
    let out = ok(&pacta(&[
        "sla",
        "elapsed",
        "--calendar",
        good.to_str().unwrap(),
        "--from",
        "2026-12-21T00:00:00+01:00",
        "--to",
        "2027-01-04T00:00:00+01:00",
    ]));
    assert_eq!(out, "216000\n");
    let unknown_key = temp_file(
        "yaml",
        "bad-key.yaml",
        "timezone: Europe/Brussels\nslot: []\n",
    );
    fails(&pacta(&[
        "sla",
        "elapsed",
        "--calendar",
        unknown_key.to_str().unwrap(),
        "--from",
        "2026-12-21T00:00:00Z",
        "--to",
        "2026-12-22T00:00:00Z",
    ]));
    let bad = temp_file(
        "yaml",
        "bad-values.yaml",
        "timezone: Europe/Atlantis\nslots:\n  - { days: [mon], from: \"18:00\", to: \"08:00\" }\nholidays: { sets: [be-flemish] }\n",
    );
    let e = fails(&pacta(&[
        "sla",
        "elapsed",
        "--calendar",
        bad.to_str().unwrap(),
        "--from",
        "2026-12-21T00:00:00Z",
        "--to",
        "2026-12-22T00:00:00Z",
    ]));
    for path in ["timezone", "slots[0].to", "holidays.sets[0]"] {
        assert!(e.contains(path), "{path} in {e}");
    }
}

#[test]
fn elapsed_whole_seconds() {
    let e = |from: &str, to: &str, extra: &[&str]| {
        let mut args = vec![
            "sla",
            "elapsed",
            "--calendar",
            "be-working-hours",
            "--from",
            from,
            "--to",
            to,
        ];
        args.extend(extra);
        pacta(&args)
    };
    assert_eq!(
        ok(&e(
            "2026-11-27T17:30:00+01:00",
            "2026-11-30T08:30:00+01:00",
            &[]
        )),
        "3600\n"
    );
    assert_eq!(
        ok(&e(
            "2026-11-27T17:30:00+01:00",
            "2026-11-27T17:30:00+01:00",
            &[]
        )),
        "0\n"
    );
    let paused = e(
        "2026-11-30T08:00:00+01:00",
        "2026-11-30T18:00:00+01:00",
        &[
            "--pause",
            "2026-11-30T09:00:00+01:00/2026-11-30T10:00:00+01:00",
            "--pause",
            "2026-11-30T09:30:00+01:00/2026-11-30T11:00:00+01:00",
        ],
    );
    assert_eq!(ok(&paused), "28800\n");
    assert_eq!(
        ok(&pacta(&[
            "sla",
            "elapsed",
            "--calendar",
            "24x7",
            "--from",
            "2026-03-29T00:00:00+01:00",
            "--to",
            "2026-03-30T00:00:00+02:00"
        ])),
        "82800\n"
    );
    fails(&e("2026-11-30T00:00:00Z", "2026-11-29T00:00:00Z", &[]));
}

#[test]
fn availability_json_object() {
    let outages = temp_file(
        "avail",
        "outages.json",
        r#"[{"start": "2026-11-03T10:00:00+01:00", "end": "2026-11-03T10:43:12+01:00"},
            {"start": "2026-11-03T10:10:00+01:00", "end": "2026-11-03T10:20:00+01:00"}]"#,
    );
    let out = ok(&pacta(&[
        "sla",
        "availability",
        "--from",
        "2026-11-01T00:00:00+01:00",
        "--to",
        "2026-12-01T00:00:00+01:00",
        "--target",
        "99.9",
        "--outages",
        outages.to_str().unwrap(),
    ]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["agreed_seconds"], 2_592_000);
    assert_eq!(v["downtime_seconds"], 2592);
    assert_eq!(v["allowed_downtime_seconds"], 2592);
    assert_eq!(v["budget_left_seconds"], 0);
    assert_eq!(v["availability_percent"].as_f64(), Some(99.9));
    assert_eq!(v["met"], true);
    assert_eq!(out.lines().count(), 1);
    // Maintenance covering the whole period: nothing agreed, figures undefined.
    let maint = temp_file(
        "avail",
        "maint.json",
        r#"[{"start": "2026-11-01T00:00:00+01:00", "end": "2026-12-01T00:00:00+01:00"}]"#,
    );
    let out = ok(&pacta(&[
        "sla",
        "availability",
        "--from",
        "2026-11-01T00:00:00+01:00",
        "--to",
        "2026-12-01T00:00:00+01:00",
        "--target",
        "99.9",
        "--outages",
        outages.to_str().unwrap(),
        "--maintenance",
        maint.to_str().unwrap(),
    ]));
    assert_eq!(
        out,
        "{\"agreed_seconds\":0,\"downtime_seconds\":0,\"allowed_downtime_seconds\":0,\"budget_left_seconds\":0,\"availability_percent\":null,\"met\":null}\n"
    );
    let args = |target: &'static str| {
        vec![
            "sla",
            "availability",
            "--from",
            "2026-11-01T00:00:00Z",
            "--to",
            "2026-11-02T00:00:00Z",
            "--target",
            target,
        ]
    };
    fails(&pacta(&args("100.5")));
    fails(&pacta(&args("1e2")));
    fails(&pacta(&args("-1")));
    let reversed = temp_file(
        "avail",
        "reversed.json",
        r#"[{"start": "2026-11-03T00:00:00Z", "end": "2026-11-02T00:00:00Z"}]"#,
    );
    let mut a = args("99.9");
    a.extend(["--outages", reversed.to_str().unwrap()]);
    fails(&pacta(&a));
    let malformed = temp_file("avail", "malformed.json", "[{");
    let mut a = args("99.9");
    a.extend(["--outages", malformed.to_str().unwrap()]);
    fails(&pacta(&a));
}

#[test]
fn eval_answers_every_line_in_order() {
    let cal = temp_file(
        "eval",
        "cal.yaml",
        "timezone: Europe/Brussels\nslots: [{days: [sat], from: \"10:00\", to: \"12:00\"}]\n",
    );
    let input = format!(
        r#"{{"op": "deadline", "calendar": "be-working-hours", "start": "2026-11-27T17:30:00+01:00", "duration": "30m"}}

{{"op": "elapsed", "calendar": "24x7", "from": "2026-10-25T00:00:00+02:00", "to": "2026-10-26T00:00:00+01:00", "colour": "red"}}
not json
{{"op": "availability", "from": "2026-11-01T00:00:00Z", "to": "2026-11-01T00:16:40Z", "target": 99.9, "outages": [{{"start": "2026-11-01T00:00:00Z", "end": "2026-11-01T00:00:01Z"}}]}}
{{"op": "deadline", "calendar": "{cal}", "start": "2026-11-27T00:00:00Z", "duration": "3h", "pauses": [{{"start": "2026-11-28T10:30:00+01:00", "end": "2026-11-28T11:00:00+01:00"}}]}}
{{"op": "deadline", "calendar": "be-working-hours", "start": "2026-11-27T17:30:00+01:00", "duration": "1d"}}
{{"op": "elapsed", "calendar": "nowhere.yaml", "from": "2026-11-27T00:00:00Z", "to": "2026-11-28T00:00:00Z"}}
{{"op": "availability", "from": "2026-11-01T00:00:00Z", "to": "2026-11-01T00:00:00Z", "target": "100"}}
{{"op": "dance"}}
"#,
        cal = cal.to_str().unwrap()
    );
    let out = pacta_stdin(&["sla", "eval"], &input);
    let lines: Vec<serde_json::Value> = ok(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(
        lines[0],
        serde_json::json!({"deadline": "2026-11-27T18:00:00+01:00"})
    );
    assert_eq!(lines[1], serde_json::json!({"seconds": 90000}));
    assert!(lines[2]["error"].is_string());
    assert_eq!(lines[3]["availability_percent"].as_f64(), Some(99.9));
    assert_eq!(lines[3]["met"], true);
    assert_eq!(lines[3]["allowed_downtime_seconds"], 1);
    // Saturday 10:00–12:00 with a 30 min pause: 1 h 30 that Saturday, 1 h 30 the next → 11:30.
    assert_eq!(
        lines[4],
        serde_json::json!({"deadline": "2026-12-05T11:30:00+01:00"})
    );
    assert!(lines[5]["error"].is_string());
    assert!(lines[6]["error"].is_string());
    assert_eq!(lines[7]["met"], serde_json::Value::Null);
    assert!(lines[8]["error"].is_string());
}

/// A fresh, empty directory of this test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pacta-sla-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_calendar_of_the_catalogue_serves_by_its_code() {
    let dir = temp_dir("codes");
    let url = format!("sqlite://{}/pacta.db", dir.display());
    let catalogue = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/small-catalogue.yaml"
    );
    ok(&pacta(&[
        "--database-url",
        &url,
        "catalogue",
        "import",
        catalogue,
    ]));
    // extended-hours: Mon–Fri 07:00–20:00, be-federal. Friday 19:30 + 1 h: 30 min that evening,
    // 30 min from Monday 07:00.
    let deadline = |calendar: &str, db: &str| {
        pacta(&[
            "--database-url",
            db,
            "sla",
            "deadline",
            "--calendar",
            calendar,
            "--start",
            "2026-11-27T19:30:00+01:00",
            "--duration",
            "1h",
        ])
    };
    assert_eq!(
        ok(&deadline("extended-hours", &url)),
        "2026-11-30T07:30:00+01:00\n"
    );
    let out = ok(&pacta(&[
        "sla",
        "elapsed",
        "--database-url",
        &url,
        "--calendar",
        "extended-hours",
        "--from",
        "2026-11-30T00:00:00+01:00",
        "--to",
        "2026-12-01T00:00:00+01:00",
    ]));
    assert_eq!(out, "46800\n", "13 h on a Monday");
    // An unknown code names itself and exits 2.
    let e = fails(&deadline("night-shift", &url));
    assert!(e.contains("night-shift"), "{e}");
    // A built-in never opens the database: a missing one is not created.
    let missing = dir.join("missing.db");
    let missing_url = format!("sqlite://{}", missing.display());
    assert_eq!(
        ok(&deadline("24x7", &missing_url)),
        "2026-11-27T20:30:00+01:00\n"
    );
    assert!(!missing.exists());
    // A code needs the database; a missing one is an error, and still not created.
    let e = fails(&deadline("extended-hours", &missing_url));
    assert!(e.contains("does not exist"), "{e}");
    assert!(!missing.exists());
    // eval: a code per line, an unknown code is an error line.
    let input = r#"{"op": "deadline", "calendar": "extended-hours", "start": "2026-11-27T19:30:00+01:00", "duration": "1h"}
{"op": "elapsed", "calendar": "night-shift", "from": "2026-11-30T00:00:00Z", "to": "2026-12-01T00:00:00Z"}
{"op": "elapsed", "calendar": "be-working-hours", "from": "2026-11-30T00:00:00+01:00", "to": "2026-12-01T00:00:00+01:00"}
"#;
    let out = pacta_stdin(&["--database-url", &url, "sla", "eval"], input);
    let lines: Vec<serde_json::Value> = ok(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0],
        serde_json::json!({"deadline": "2026-11-30T07:30:00+01:00"})
    );
    assert!(
        lines[1]["error"].as_str().unwrap().contains("night-shift"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], serde_json::json!({"seconds": 36000}));
}

#[test]
fn a_value_with_a_slash_or_a_yaml_ending_is_a_path() {
    let dir = temp_dir("paths");
    // `24x7.yaml` is a file, not the built-in: it does not exist here.
    let e = fails(&pacta(&[
        "--database-url",
        &format!("sqlite://{}/none.db", dir.display()),
        "sla",
        "elapsed",
        "--calendar",
        "24x7.yaml",
        "--from",
        "2026-11-30T00:00:00Z",
        "--to",
        "2026-12-01T00:00:00Z",
    ]));
    assert!(e.contains("cannot be read"), "{e}");
    assert!(!dir.join("none.db").exists());
}

/// Issue 10's ops (`outages`, `statement`, `consent`): every worked example of the issue, each
/// answer line compared exactly; then the error lines of the contract, each answered
/// `{"error": …}` without stopping the others.
#[test]
fn eval_availability_rules_answer_the_worked_examples_exactly() {
    let at = |hms: &str| format!("2026-10-12T{hms}+02:00");
    let result = |hms: &str, ok: bool| format!(r#"{{"at": "{}", "ok": {ok}}}"#, at(hms));
    let table = [
        result("10:00:00", true),
        // Another spelling of 10:00:30+02:00, and a key that is ignored.
        r#"{"at": "2026-10-12T08:00:30Z", "ok": false, "latency_ms": 1200}"#.to_string(),
        result("10:01:00", false),
        result("10:01:30", false),
        result("10:02:00", true),
        result("10:02:30", false),
        result("10:03:30", true),
        result("10:03:00", true),
    ]
    .join(", ");
    let gap = [
        result("10:00:00", false),
        result("10:00:30", false),
        result("10:01:00", false),
        result("12:01:00", true),
        result("12:01:30", true),
    ]
    .join(", ");
    let oct_outage = r#""outages": [{"start": "2026-10-10T23:00:00+02:00", "end": "2026-10-11T03:00:00+02:00"}]"#;
    let window = |consent: &str| {
        format!(
            r#""maintenance": [{{"start": "2026-10-10T22:00:00+02:00", "end": "2026-10-11T02:00:00+02:00", "consent": "{consent}"}}]"#
        )
    };
    let gap_statement = format!(
        r#""from": "{}", "to": "{}", "target": "99.7", "outages": [{{"start": "{}", "end": "{}"}}], "unmonitored": [{{"start": "{}", "end": "{}"}}, {{"start": "{}", "end": "{}"}}]"#,
        at("10:00:00"),
        at("13:00:00"),
        at("10:00:00"),
        at("12:01:00"),
        at("10:02:00"),
        at("12:01:00"),
        at("12:02:30"),
        at("13:00:00"),
    );
    let consent = |now: &str, answers: &str, extra: &str, silence: bool| {
        format!(
            r#"{{"op": "consent", "start": "2026-10-10T22:00:00+02:00", "notice": "120h", "silence_is_consent": {silence}, "now": "2026-{now}+02:00", "answers": [{answers}]{extra}}}"#
        )
    };
    let ans = |when: &str, a: &str| {
        format!(r#"{{"at": "2026-{when}+02:00", "answer": "{a}", "comment": "…"}}"#)
    };
    let figures = |agreed: i64,
                   down: i64,
                   allowed: i64,
                   pct: &str,
                   met: bool,
                   period: i64,
                   unmon: i64,
                   excl: i64,
                   incomplete: bool| {
        format!(
            r#"{{"agreed_seconds":{agreed},"downtime_seconds":{down},"allowed_downtime_seconds":{allowed},"budget_left_seconds":{},"availability_percent":{pct},"met":{met},"period_seconds":{period},"unmonitored_seconds":{unmon},"excluded_maintenance_seconds":{excl},"incomplete":{incomplete}}}"#,
            allowed - down
        )
    };
    let decision = |deadline: &str, consent: &str, excluded: bool| {
        format!(
            r#"{{"deadline":"2026-{deadline}+02:00","consent":"{consent}","excluded":{excluded}}}"#
        )
    };
    let cases: Vec<(String, String)> = vec![
        // Outages: the table, then a gap inside an outage (stale_after absent → 60 s).
        (
            format!(
                r#"{{"op": "outages", "interval": "30s", "failures_before_down": 3, "successes_before_up": 2, "stale_after": "60s", "from": "{}", "to": "{}", "results": [{table}]}}"#,
                at("10:00:00"),
                at("10:05:00")
            ),
            r#"{"outages":[{"start":"2026-10-12T10:00:30+02:00","end":"2026-10-12T10:03:00+02:00"}],"unmonitored":[{"start":"2026-10-12T10:04:30+02:00","end":"2026-10-12T10:05:00+02:00"}],"down_at_end":false}"#.into(),
        ),
        (
            format!(
                r#"{{"op": "outages", "interval": "PT30S", "failures_before_down": 3, "successes_before_up": 2, "stale_after": null, "from": "{}", "to": "{}", "results": [{gap}]}}"#,
                at("10:00:00"),
                at("13:00:00")
            ),
            r#"{"outages":[{"start":"2026-10-12T10:00:00+02:00","end":"2026-10-12T12:01:00+02:00"}],"unmonitored":[{"start":"2026-10-12T10:02:00+02:00","end":"2026-10-12T12:01:00+02:00"},{"start":"2026-10-12T12:02:30+02:00","end":"2026-10-12T13:00:00+02:00"}],"down_at_end":false}"#.into(),
        ),
        // Still down at `to`, its recovering run begun: open.
        (
            format!(
                r#"{{"op": "outages", "interval": "30s", "failures_before_down": 3, "successes_before_up": 2, "from": "{}", "to": "{}", "results": [{}]}}"#,
                at("10:00:00"),
                at("12:01:30"),
                gap
            ),
            r#"{"outages":[{"start":"2026-10-12T10:00:00+02:00","end":null}],"unmonitored":[{"start":"2026-10-12T10:02:00+02:00","end":"2026-10-12T12:01:00+02:00"}],"down_at_end":true}"#.into(),
        ),
        // The statement of that window, without and with incidents.
        (
            format!(r#"{{"op": "statement", {gap_statement}}}"#),
            figures(10_800, 120, 32, "98.888", false, 10_800, 10_590, 0, true),
        ),
        (
            format!(
                r#"{{"op": "statement", {gap_statement}, "incidents": [{{"start": "{}", "end": "{}", "kind": "down"}}, {{"start": "{}", "end": null, "kind": "degraded"}}]}}"#,
                at("11:00:00"),
                at("11:30:00"),
                at("12:30:00")
            ),
            figures(10_800, 1_920, 32, "82.222", false, 10_800, 10_590, 0, true),
        ),
    ];
    let mut cases = cases;
    // October 2026 with maintenance, for every consent.
    for c in ["explicit", "tacit"] {
        cases.push((
            format!(
                r#"{{"op": "statement", "month": "2026-10", "target": 99.7, {oct_outage}, {}}}"#,
                window(c)
            ),
            figures(
                2_667_600, 3_600, 8_002, "99.865", true, 2_682_000, 0, 14_400, false,
            ),
        ));
    }
    for c in ["objected", "overridden", "none", "pending"] {
        cases.push((
            format!(
                r#"{{"op": "statement", "month": "2026-10", "target": "99.7", {oct_outage}, {}}}"#,
                window(c)
            ),
            figures(
                2_682_000, 14_400, 8_046, "99.463", false, 2_682_000, 0, 0, false,
            ),
        ));
    }
    // Months and the 1 % edge.
    for (month, secs, allowed) in [
        ("2026-03", 2_674_800, 2_674),
        ("2026-10", 2_682_000, 2_682),
        ("2028-02", 2_505_600, 2_505),
    ] {
        cases.push((
            format!(
                r#"{{"op": "statement", "month": "{month}", "target": 99.9, "outages": null}}"#
            ),
            figures(secs, 0, allowed, "100.0", true, secs, 0, 0, false),
        ));
    }
    for (end, unmon, incomplete) in [("07:27:00", 26_820, false), ("07:27:01", 26_821, true)] {
        cases.push((
            format!(
                r#"{{"op": "statement", "month": "2026-10", "target": "99.9", "unmonitored": [{{"start": "2026-10-01T00:00:00+02:00", "end": "2026-10-01T{end}+02:00"}}]}}"#
            ),
            figures(2_682_000, 0, 2_682, "100.0", true, 2_682_000, unmon, 0, incomplete),
        ));
    }
    // Consent: every row of the table, then across the October DST change.
    let dl = "10-05T22:00:00";
    for (line, answer) in [
        (
            consent("10-01T09:00:00", "", "", true),
            decision(dl, "pending", false),
        ),
        (
            consent("10-01T09:00:00", "", "", false),
            decision(dl, "pending", false),
        ),
        (
            consent("10-05T22:00:00", "", "", true),
            decision(dl, "tacit", true),
        ),
        (
            consent("10-05T22:00:00", "", "", false),
            decision(dl, "none", false),
        ),
        (
            consent("10-06T09:00:00", &ans("10-05T22:00:00", "object"), "", true),
            decision(dl, "objected", false),
        ),
        (
            consent("10-06T09:00:00", &ans("10-05T22:00:01", "object"), "", true),
            decision(dl, "tacit", true),
        ),
        (
            consent(
                "10-08T09:00:00",
                &ans("10-02T11:00:00", "object"),
                r#", "override_at": "2026-10-07T16:00:00+02:00""#,
                true,
            ),
            decision(dl, "overridden", false),
        ),
        (
            consent(
                "10-08T09:00:00",
                &ans("10-02T11:00:00", "object"),
                r#", "override_at": "2026-10-01T16:00:00+02:00""#,
                true,
            ),
            decision(dl, "objected", false),
        ),
        (
            consent(
                "10-11T09:00:00",
                &ans("10-02T11:00:00", "object"),
                r#", "override_at": "2026-10-10T22:00:00+02:00""#,
                true,
            ),
            decision(dl, "objected", false),
        ),
        (
            consent(
                "10-08T09:00:00",
                &format!(
                    "{}, {}",
                    ans("10-02T11:00:00", "object"),
                    ans("10-03T08:00:00", "agree")
                ),
                r#", "override_at": null"#,
                true,
            ),
            decision(dl, "explicit", true),
        ),
        (
            consent(
                "10-10T22:00:00",
                "",
                r#", "consulted_at": "2026-10-08T09:00:00+02:00""#,
                true,
            ),
            decision("10-10T22:00:00", "none", false),
        ),
        (
            consent(
                "10-10T22:00:00",
                &ans("10-10T21:00:00", "agree"),
                r#", "consulted_at": "2026-10-08T09:00:00+02:00""#,
                true,
            ),
            decision("10-10T22:00:00", "explicit", true),
        ),
    ] {
        cases.push((line, answer));
    }
    for (silence, answer) in [(true, "tacit"), (false, "none")] {
        cases.push((
            format!(
                r#"{{"op": "consent", "start": "2026-10-27T22:00:00+01:00", "notice": "120h", "silence_is_consent": {silence}, "now": "2026-10-23T09:00:00+02:00"}}"#
            ),
            format!(r#"{{"deadline":"2026-10-22T23:00:00+02:00","consent":"{answer}","excluded":{silence}}}"#),
        ));
    }
    let input: String = cases.iter().map(|(line, _)| format!("{line}\n")).collect();
    let out = ok(&pacta_stdin(&["sla", "eval"], &input));
    let answers: Vec<&str> = out.lines().collect();
    assert_eq!(answers.len(), cases.len());
    for ((line, want), got) in cases.iter().zip(answers) {
        assert_eq!(got, want, "for {line}");
    }
}

#[test]
fn eval_availability_rules_errors_are_error_lines() {
    let outages = |fields: &str| {
        format!(
            r#"{{"op": "outages", "interval": "30s", "failures_before_down": 3, "successes_before_up": 2, "from": "2026-10-12T10:00:00+02:00", "to": "2026-10-12T10:05:00+02:00", "results": [], {fields}}}"#
        )
    };
    let statement = |fields: &str| {
        format!(r#"{{"op": "statement", "month": "2026-10", "target": 99.9, {fields}}}"#)
    };
    let consent = |fields: &str| {
        format!(
            r#"{{"op": "consent", "start": "2026-10-10T22:00:00+02:00", "notice": "120h", "silence_is_consent": true, "now": "2026-10-06T09:00:00+02:00", {fields}}}"#
        )
    };
    let iv = |s: &str, e: &str| {
        format!(r#"{{"start": "2026-10-12T{s}+02:00", "end": "2026-10-12T{e}+02:00"}}"#)
    };
    let bad: Vec<String> = vec![
        // Durations with days or a space; zero interval or stale_after.
        outages(r#""interval": "1d""#),
        outages(r#""stale_after": "30 s""#),
        outages(r#""interval": "0s""#),
        outages(r#""stale_after": "0s""#),
        consent(r#""notice": "P1D""#),
        consent(r#""notice": "5d""#),
        // N or M not an integer ≥ 1.
        outages(r#""failures_before_down": 0"#),
        outages(r#""failures_before_down": -1"#),
        outages(r#""failures_before_down": "3""#),
        outages(r#""successes_before_up": 1.5"#),
        outages(r#""successes_before_up": null"#),
        // from ≥ to in outages, from > to in statement.
        outages(r#""to": "2026-10-12T10:00:00+02:00""#),
        outages(r#""to": "2026-10-12T09:00:00+02:00""#),
        r#"{"op": "statement", "from": "2026-10-12T10:00:00+02:00", "to": "2026-10-12T09:59:59+02:00", "target": 99.9}"#.into(),
        // Missing required keys.
        r#"{"op": "outages", "interval": "30s", "failures_before_down": 3, "successes_before_up": 2, "from": "2026-10-12T10:00:00+02:00", "results": []}"#.into(),
        r#"{"op": "outages", "interval": "30s", "failures_before_down": 3, "successes_before_up": 2, "from": "2026-10-12T10:00:00+02:00", "to": "2026-10-12T10:05:00+02:00"}"#.into(),
        r#"{"op": "statement", "month": "2026-10"}"#.into(),
        r#"{"op": "consent", "start": "2026-10-10T22:00:00+02:00", "notice": "120h", "silence_is_consent": true}"#.into(),
        r#"{"op": "consent", "start": "2026-10-10T22:00:00+02:00", "silence_is_consent": true, "now": "2026-10-06T09:00:00+02:00"}"#.into(),
        // Bad instants.
        outages(r#""from": "2026-10-12T10:00:00.5+02:00""#),
        outages(r#""from": "2026-10-12T10:00:00""#),
        consent(r#""now": "2026-02-30T22:00:00+01:00""#),
        // Flags that are not booleans.
        outages(r#""results": [{"at": "2026-10-12T10:00:00+02:00", "ok": "true"}]"#),
        outages(r#""results": [{"at": "2026-10-12T10:00:00+02:00"}]"#),
        consent(r#""silence_is_consent": "true""#),
        // Two results at one instant, in two spellings; results not an array.
        outages(
            r#""results": [{"at": "2026-10-12T10:00:00+02:00", "ok": true}, {"at": "2026-10-12T08:00:00Z", "ok": true}]"#,
        ),
        outages(r#""results": {"at": "2026-10-12T10:00:00+02:00", "ok": true}"#),
        outages(r#""results": null"#),
        // Months.
        r#"{"op": "statement", "month": "2026-13", "target": 99.9}"#.into(),
        r#"{"op": "statement", "month": "2026-1", "target": 99.9}"#.into(),
        r#"{"op": "statement", "month": "2026-00", "target": 99.9}"#.into(),
        r#"{"op": "statement", "month": 202610, "target": 99.9}"#.into(),
        statement(r#""from": "2026-10-01T00:00:00+02:00""#),
        statement(r#""to": "2026-11-01T00:00:00+01:00""#),
        r#"{"op": "statement", "target": 99.9}"#.into(),
        r#"{"op": "statement", "from": "2026-10-01T00:00:00+02:00", "target": 99.9}"#.into(),
        // Targets.
        r#"{"op": "statement", "month": "2026-10", "target": 100.1}"#.into(),
        r#"{"op": "statement", "month": "2026-10", "target": "99,9"}"#.into(),
        // Unknown or missing consent, kind, answer.
        statement(&format!(r#""maintenance": [{}]"#, iv("10:00:00", "11:00:00").replace('}', r#", "consent": "maybe"}"#))),
        statement(&format!(r#""maintenance": [{}]"#, iv("10:00:00", "11:00:00"))),
        statement(&format!(r#""incidents": [{}]"#, iv("10:00:00", "11:00:00").replace('}', r#", "kind": "outage"}"#))),
        statement(&format!(r#""incidents": [{}]"#, iv("10:00:00", "11:00:00"))),
        consent(r#""answers": [{"at": "2026-10-02T11:00:00+02:00", "answer": "yes"}]"#),
        consent(r#""answers": [{"at": "2026-10-02T11:00:00+02:00"}]"#),
        // consulted_at after start.
        consent(r#""consulted_at": "2026-10-10T22:00:01+02:00""#),
        // An interval whose end is before its start; intervals without an end.
        statement(&format!(r#""unmonitored": [{}]"#, iv("11:00:00", "10:00:00"))),
        statement(&format!(r#""outages": [{}]"#, iv("11:00:00", "10:00:00"))),
        statement(r#""unmonitored": [{"start": "2026-10-12T10:00:00+02:00"}]"#),
        statement(r#""maintenance": [{"start": "2026-10-12T10:00:00+02:00", "end": null, "consent": "tacit"}]"#),
        statement(r#""outages": "none""#),
    ];
    let mut input: String = bad.iter().map(|l| format!("{l}\n")).collect();
    // The lines after the errors go on.
    input.push_str(&statement(r#""outages": [], "colour": "red""#));
    input.push('\n');
    let out = ok(&pacta_stdin(&["sla", "eval"], &input));
    let answers: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), bad.len() + 1);
    for (line, answer) in bad.iter().zip(&answers) {
        let obj = answer.as_object().unwrap();
        assert!(
            obj.len() == 1 && obj["error"].is_string(),
            "expected an error for {line}, got {answer}"
        );
    }
    assert_eq!(answers[bad.len()]["period_seconds"], 2_682_000);
}
