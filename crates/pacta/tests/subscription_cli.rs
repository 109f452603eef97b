//! `pacta serve --demo --test-clock T`, then `pacta subscription …` and `pacta outbox list` on
//! what it wrote (issue 9): the built binary, end to end, on a database of its own.

mod common;

use std::io::Read;

use common::*;

#[test]
fn a_request_and_its_approval_show_on_the_command_line_with_their_mails() {
    let (dir, url) = db_dir("flow");
    let mut server = serve(&url, "2026-11-30T10:00:00+01:00");
    let (status, clock) = http(server.port, "GET", "/api/v1/test/clock", None);
    assert_eq!(status, 200);
    assert_eq!(clock, r#"{"now":"2026-11-30T10:00:00+01:00"}"#);
    let (status, created) = http(
        server.port,
        "POST",
        "/api/v1/subscriptions",
        Some(
            r#"{"partner": "DEMO-FR", "service": "WEB-HOSTING", "pack": "site", "quantity": 2, "start_date": "2026-12-01"}"#,
        ),
    );
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = http(
        server.port,
        "POST",
        &format!("/api/v1/subscriptions/{id}/approve"),
        None,
    );
    assert_eq!(status, 200);
    let _ = server.child.kill();
    let _ = server.child.wait();
    let mut stderr = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("TEST CLOCK"), "{stderr}");

    // The demo: an active MAIL-AGENDA subscription per demo partner, DEMO-NL's two more, and
    // DEMO-SMALL's request; and the one made above, approved.
    let all = json_of(&cli(&url, &["subscription", "list", "--format", "json"]));
    let states: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "active").count(), 6);
    assert_eq!(states.iter().filter(|s| **s == "requested").count(), 1);
    assert_eq!(states.iter().filter(|s| **s == "approved").count(), 1);
    let waiting = json_of(&cli(
        &url,
        &[
            "subscription",
            "list",
            "--state",
            "requested",
            "--format",
            "json",
        ],
    ));
    assert_eq!(waiting[0]["partner"], "DEMO-SMALL");
    assert_eq!(waiting[0]["service"], "COLLABORATION");
    assert_eq!(waiting[0]["start_date"], "2026-12-14");

    let one = json_of(&cli(
        &url,
        &["subscription", "show", &id, "--format", "json"],
    ));
    assert_eq!(one["state"], "approved");
    assert_eq!(one["service_version"], 1);
    assert_eq!(one["quote"]["pack"], "site");
    assert_eq!(one["history"][1]["action"], "approve");
    assert_eq!(one["history"][1]["at"], "2026-11-30T10:00:00+01:00");
    let text = cli(&url, &["subscription", "show", &id]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("state:     approved"), "{text}");
    assert!(text.contains("approve"), "{text}");

    // Without SMTP the mails wait: the request (to the service manager) and the approval (to
    // DEMO-FR's partner admin, in French).
    // (The demo's maintenance window waits for answers too: its mails are left aside here.)
    let mails = json_of(&cli(&url, &["outbox", "list", "--format", "json"]));
    let mails: Vec<&serde_json::Value> = mails
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"].as_str().unwrap().starts_with("subscription."))
        .collect();
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert_eq!(mails[0]["kind"], "subscription.requested");
    assert_eq!(mails[0]["to"], "service-manager@provider.example");
    assert_eq!(mails[1]["kind"], "subscription.approved");
    assert_eq!(mails[1]["to"], "partner-admin@demo-fr.example");
    assert_eq!(mails[1]["lang"], "fr");
    for m in mails {
        assert!(m["sent_at"].is_null());
        assert_eq!(m["attempts"], 0);
        assert_eq!(m["created_at"], "2026-11-30T10:00:00+01:00");
        let mut keys: Vec<&String> = m.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "attempts",
                "created_at",
                "id",
                "kind",
                "lang",
                "sent_at",
                "subject",
                "to"
            ]
        );
    }

    let bad = cli(&url, &["subscription", "list", "--state", "bogus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--state"));
    let missing = cli(&url, &["subscription", "show", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_test_clock_stops_the_start() {
    let (dir, url) = db_dir("badclock");
    let out = cli(&url, &["serve", "--test-clock", "yesterday"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--test-clock"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}
