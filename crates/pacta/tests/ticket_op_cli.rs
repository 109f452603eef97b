//! `pacta sla eval`'s `ticket` op (issue 13): the issue's worked example through the built
//! binary — A4 in full, byte for byte — and every error class as an `{"error"}` line while eval
//! goes on.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn eval(lines: &[Value]) -> Vec<Value> {
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    eval_text(&input)
}

fn eval_text(input: &str) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["sla", "eval"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pacta");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The P3 on `standard` of the worked example, with `events` and `now` in November 2026.
fn p3(events: Value, now: &str) -> Value {
    json!({"op": "ticket", "created": "2026-10-30T17:00:00+01:00", "priority": "P3",
           "level": "standard", "major": false,
           "response": {"goal": "4h", "calendar": "be-working-hours"},
           "resolution": {"goal": "16h", "calendar": "be-working-hours"},
           "helpdesk_calendar": "be-working-hours",
           "escalation": {"service_manager": "75%", "prm": "100%", "ict_management": "150%"},
           "events": events, "now": format!("2026-11-{now}+01:00")})
}

fn at(day_time: &str) -> String {
    format!("2026-11-{day_time}:00+01:00")
}

#[test]
fn a4_in_full_exactly_as_the_issue_writes_it() {
    let input = format!("{}\n", p3(json!([]), "06T12:00:00"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["sla", "eval"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let expected: Value = serde_json::from_str(
        r#"{"response": {"state": "running", "deadline": "2026-11-03T11:00:00+01:00", "stopped_at": null, "met": false, "business_seconds": 126000, "wall_seconds": 586800, "original_breach": "2026-11-03T11:00:00+01:00"}, "resolution": {"state": "running", "deadline": "2026-11-04T13:00:00+01:00", "stopped_at": null, "met": false, "business_seconds": 126000, "wall_seconds": 586800, "original_breach": "2026-11-04T13:00:00+01:00"}, "escalations": [{"level": 1, "to": "service-manager", "at": "2026-11-03T11:00:00+01:00", "why": "response-missed"}, {"level": 2, "to": "prm", "at": "2026-11-04T13:00:00+01:00", "why": "threshold"}, {"level": 3, "to": "ict-management", "at": "2026-11-05T11:00:00+01:00", "why": "threshold"}], "on_call_page_at": null}"#,
    )
    .unwrap();
    // The same keys in the same order, compact.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{expected}\n")
    );
}

#[test]
fn the_worked_example_table() {
    let b1 = json!([{"at": at("03T09:00"), "status": "in_progress"},
                    {"at": at("03T10:00"), "status": "waiting_partner"}]);
    let mut b2 = b1.clone();
    b2.as_array_mut()
        .unwrap()
        .push(json!({"at": at("03T14:00"), "status": "in_progress"}));
    let c1 = json!([{"at": at("03T08:30"), "status": "assigned"},
                    {"at": at("03T09:00"), "status": "in_progress", "response": true},
                    {"at": at("04T12:00"), "status": "resolved"}]);
    let with = |base: &Value, more: Value| {
        let mut v = base.as_array().unwrap().clone();
        v.extend(more.as_array().unwrap().iter().cloned());
        Value::Array(v)
    };
    let c2 = with(
        &c1,
        json!([{"at": at("05T09:00"), "status": "in_progress"},
               {"at": at("05T09:45"), "status": "resolved"},
               {"at": at("06T10:00"), "status": "closed"}]),
    );
    let c3 = with(
        &c1,
        json!([{"at": at("05T09:00"), "status": "in_progress"}]),
    );
    let mut d = p3(
        json!([{"at": "2026-10-30T17:20:00+01:00", "status": "in_progress", "response": true},
               {"at": "2026-10-30T19:40:00+01:00", "status": "resolved"}]),
        "01T00:00:00",
    );
    d["priority"] = json!("P1");
    d["response"] = json!({"goal": "30m", "calendar": "24x7"});
    d["resolution"] = json!({"goal": "4h", "calendar": "24x7"});
    d["now"] = json!("2026-10-30T20:00:00+01:00");
    let answers = eval(&[
        p3(json!([]), "02T12:00:00"),
        p3(json!([]), "03T10:59:59"),
        p3(json!([]), "03T11:00:00"),
        p3(b1, "03T12:00:00"),
        p3(b2, "06T12:00:00"),
        p3(c1, "04T12:00:00"),
        p3(c2, "06T12:00:00"),
        p3(c3, "06T12:00:00"),
        d,
    ]);
    let clock = |a: &Value, which: &str| -> (String, String, Value, i64) {
        let c = &a[which];
        (
            c["state"].as_str().unwrap().to_owned(),
            c["deadline"].as_str().unwrap().to_owned(),
            c["met"].clone(),
            c["business_seconds"].as_i64().unwrap(),
        )
    };
    let levels = |a: &Value| -> Vec<(i64, String, String)> {
        a["escalations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["level"].as_i64().unwrap(),
                    e["at"].as_str().unwrap().to_owned(),
                    e["why"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let c = |state: &str, deadline: &str, met: Value, bs: i64| {
        (state.to_owned(), at(deadline), met, bs)
    };
    let lv = |n: i64, when: &str, why: &str| (n, at(when), why.to_owned());
    let null = Value::Null;
    // A1
    assert_eq!(
        clock(&answers[0], "response"),
        c("running", "03T11:00", null.clone(), 3600)
    );
    assert_eq!(
        clock(&answers[0], "resolution"),
        c("running", "04T13:00", null.clone(), 3600)
    );
    assert!(levels(&answers[0]).is_empty());
    // A2
    assert_eq!(clock(&answers[1], "response").3, 14_399);
    assert_eq!(answers[1]["response"]["met"], null);
    // A3
    assert_eq!(
        clock(&answers[2], "response"),
        c("running", "03T11:00", json!(false), 14_400)
    );
    assert_eq!(answers[2]["response"]["original_breach"], at("03T11:00"));
    assert_eq!(levels(&answers[2]), [lv(1, "03T11:00", "response-missed")]);
    // B1
    assert_eq!(
        clock(&answers[3], "response"),
        c("stopped", "03T11:00", json!(true), 10_800)
    );
    assert_eq!(answers[3]["response"]["stopped_at"], at("03T10:00"));
    assert_eq!(
        clock(&answers[3], "resolution"),
        c("paused", "04T13:00", null.clone(), 10_800)
    );
    assert_eq!(answers[3]["resolution"]["wall_seconds"], 327_600);
    assert!(levels(&answers[3]).is_empty());
    // B2
    assert_eq!(
        clock(&answers[4], "resolution"),
        c("running", "04T17:00", json!(false), 111_600)
    );
    assert_eq!(
        levels(&answers[4]),
        [
            lv(1, "04T13:00", "threshold"),
            lv(2, "04T17:00", "threshold"),
            lv(3, "05T15:00", "threshold")
        ]
    );
    // C1
    assert_eq!(
        clock(&answers[5], "response"),
        c("stopped", "03T11:00", json!(true), 7_200)
    );
    assert_eq!(
        clock(&answers[5], "resolution"),
        c("stopped", "04T13:00", json!(true), 54_000)
    );
    assert_eq!(levels(&answers[5]), [lv(1, "04T09:00", "threshold")]);
    // C2
    assert_eq!(
        clock(&answers[6], "resolution"),
        c("stopped", "05T10:00", json!(true), 56_700)
    );
    assert_eq!(answers[6]["resolution"]["stopped_at"], at("05T09:45"));
    assert_eq!(answers[6]["resolution"]["wall_seconds"], 492_300);
    assert_eq!(levels(&answers[6]), [lv(1, "04T09:00", "threshold")]);
    // C3
    assert_eq!(
        clock(&answers[7], "resolution"),
        c("running", "05T10:00", json!(false), 100_800)
    );
    assert_eq!(
        levels(&answers[7]),
        [
            lv(1, "04T09:00", "threshold"),
            lv(2, "05T10:00", "threshold"),
            lv(3, "05T18:00", "threshold")
        ]
    );
    // D
    let d = &answers[8];
    assert_eq!(d["response"]["deadline"], "2026-10-30T17:30:00+01:00");
    assert_eq!(d["response"]["met"], true);
    assert_eq!(d["resolution"]["deadline"], "2026-10-30T21:00:00+01:00");
    assert_eq!(d["resolution"]["business_seconds"], 9_600);
    assert!(levels(d).is_empty());
    assert_eq!(d["on_call_page_at"], "2026-10-30T18:00:00+01:00");
}

#[test]
fn offsets_zones_and_defaults() {
    // Thresholds as offsets, keys omitted take their defaults; escalation instants in the
    // resolution calendar's zone; a UTC input instant.
    let mut line = p3(json!([]), "06T12:00:00");
    line["escalation"] = json!({"prm": "-2h", "ict_management": "+PT1H"});
    line["created"] = json!("2026-10-30T16:00:00Z");
    line.as_object_mut().unwrap().remove("major");
    line["unknown"] = json!("ignored");
    let a = &eval(&[line])[0];
    let levels: Vec<(i64, &str)> = a["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["level"].as_i64().unwrap(), e["at"].as_str().unwrap()))
        .collect();
    // Level 1: the missed response (03 11:00) comes before its 75 % (04 09:00); level 2 at
    // 16 h − 2 h = 14 h (04 11:00); level 3 at 16 h + 1 h = 17 h (04 14:00).
    assert_eq!(
        levels,
        [
            (1, "2026-11-03T11:00:00+01:00"),
            (2, "2026-11-04T11:00:00+01:00"),
            (3, "2026-11-04T14:00:00+01:00"),
        ]
    );
}

#[test]
fn errors_are_lines_and_eval_goes_on() {
    let good = p3(json!([]), "02T12:00:00");
    let variant = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    let bad: Vec<(&str, Value)> = vec![
        (
            "missing created",
            variant(&|v| {
                v.as_object_mut().unwrap().remove("created");
            }),
        ),
        (
            "missing now",
            variant(&|v| {
                v.as_object_mut().unwrap().remove("now");
            }),
        ),
        ("level not a string", variant(&|v| v["level"] = json!(3))),
        ("major not a bool", variant(&|v| v["major"] = json!("yes"))),
        ("P5", variant(&|v| v["priority"] = json!("P5"))),
        ("1d goal", variant(&|v| v["response"]["goal"] = json!("1d"))),
        (
            "4.5h goal",
            variant(&|v| v["resolution"]["goal"] = json!("4.5h")),
        ),
        (
            "-4h goal",
            variant(&|v| v["resolution"]["goal"] = json!("-4h")),
        ),
        (
            "75 threshold",
            variant(&|v| v["escalation"]["prm"] = json!("75")),
        ),
        (
            "+1d threshold",
            variant(&|v| v["escalation"]["prm"] = json!("+1d")),
        ),
        (
            "unknown calendar",
            variant(&|v| v["helpdesk_calendar"] = json!("nowhere")),
        ),
        (
            "bad instant",
            variant(&|v| v["now"] = json!("2026-11-02 12:00")),
        ),
        ("events not an array", variant(&|v| v["events"] = json!({}))),
        (
            "event not an object",
            variant(&|v| v["events"] = json!([1])),
        ),
        (
            "event without at",
            variant(&|v| v["events"] = json!([{"status": "assigned"}])),
        ),
        (
            "unknown status",
            variant(&|v| v["events"] = json!([{"at": at("02T09:00"), "status": "open"}])),
        ),
        (
            "response not a bool",
            variant(&|v| v["events"] = json!([{"at": at("02T09:00"), "response": "yes"}])),
        ),
        (
            "event before created",
            variant(&|v| {
                v["events"] = json!([{"at": "2026-10-30T16:00:00+01:00", "response": true}])
            }),
        ),
        (
            "events out of order",
            variant(
                &|v| v["events"] = json!([{"at": at("02T09:00"), "status": "assigned"}, {"at": at("02T08:00"), "status": "in_progress"}]),
            ),
        ),
        (
            "event after now",
            variant(&|v| v["events"] = json!([{"at": at("02T13:00"), "status": "assigned"}])),
        ),
        (
            "now before created",
            variant(&|v| v["now"] = json!("2026-10-30T16:00:00+01:00")),
        ),
        (
            "new -> waiting_partner",
            variant(&|v| {
                v["events"] = json!([{"at": at("02T09:00"), "status": "waiting_partner"}])
            }),
        ),
        (
            "in_progress -> closed",
            variant(
                &|v| v["events"] = json!([{"at": at("02T09:00"), "status": "in_progress"}, {"at": at("02T10:00"), "status": "closed"}]),
            ),
        ),
        (
            "after closed",
            variant(
                &|v| v["events"] = json!([{"at": at("02T09:00"), "status": "resolved"}, {"at": at("02T10:00"), "status": "closed"}, {"at": at("02T11:00"), "status": "in_progress"}]),
            ),
        ),
        (
            "to the current status",
            variant(
                &|v| v["events"] = json!([{"at": at("02T09:00"), "status": "assigned"}, {"at": at("02T10:00"), "status": "assigned"}]),
            ),
        ),
    ];
    let mut lines = Vec::new();
    for (_, v) in &bad {
        lines.push(v.clone());
        lines.push(good.clone());
    }
    let answers = eval(&lines);
    assert_eq!(answers.len(), lines.len());
    for (i, (why, _)) in bad.iter().enumerate() {
        assert!(
            answers[2 * i]["error"].is_string(),
            "{why}: {}",
            answers[2 * i]
        );
        assert_eq!(
            answers[2 * i + 1]["response"]["business_seconds"],
            3600,
            "{why}"
        );
    }
    // An event with neither status nor response changes nothing.
    let mut quiet = good.clone();
    quiet["events"] = json!([{"at": at("02T09:00")}]);
    assert_eq!(eval(&[quiet])[0], eval(&[good])[0]);
}
