//! `pacta serve --demo --test-clock T`, the test clock past a month's end, then `pacta statement
//! close|show|amend` on what it wrote (issue 10): the built binary, end to end, on a database of
//! its own.

mod common;

use common::*;

#[test]
fn the_month_closes_under_the_test_clock_and_the_cli_shows_and_amends_its_statements() {
    let (_dir, url) = db_dir("close");
    let server = serve(&url, "2026-11-30T10:00:00+01:00");
    // November is open: the availability of a demo subscription is provisional.
    let (status, list) = http(
        server.port,
        "GET",
        "/api/v1/subscriptions?state=active",
        None,
    );
    assert_eq!(status, 200, "{list}");
    let list: Value = serde_json::from_str(&list).unwrap();
    let sub = list["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/subscriptions/{sub}/availability?month=2026-11");
    let (status, live) = http(server.port, "GET", &path, None);
    assert_eq!(status, 200, "{live}");
    assert_eq!(
        serde_json::from_str::<Value>(&live).unwrap()["provisional"],
        true
    );
    // Past 01:00 on 1 December the job runner closes November (and the months before).
    let (status, moved) = http(
        server.port,
        "POST",
        "/api/v1/test/clock",
        Some(r#"{"now": "2026-12-01T01:00:00+01:00"}"#),
    );
    assert_eq!(status, 200, "{moved}");
    assert!(moved.contains("statements.close"), "{moved}");
    let (_, closed) = http(server.port, "GET", &path, None);
    let closed: Value = serde_json::from_str(&closed).unwrap();
    assert_eq!(closed["provisional"], false, "{closed}");
    assert_eq!(closed["amendment"], 0);
    drop(server);
    // The command line: a second close writes nothing; an open month is refused.
    let out = cli(&url, &["statement", "close", "--month", "2026-11"]);
    // Its own clock is the real one: if November is still open there, it says so.
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("0 statements written now") || text.contains("still open"),
        "{text}"
    );
    let out = cli(&url, &["statement", "close", "--month", "2099-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("still open"));
    let shown = json_of(&cli(
        &url,
        &[
            "statement",
            "show",
            "--subscription",
            &sub,
            "--month",
            "2026-11",
            "--format",
            "json",
        ],
    ));
    assert_eq!(shown["provisional"], false);
    assert_eq!(shown["fingerprint"], closed["fingerprint"]);
    // An amendment, by someone named, beside the original.
    let out = cli(
        &url,
        &[
            "statement",
            "amend",
            "--subscription",
            &sub,
            "--month",
            "2026-11",
            "--reason",
            "results of the second prober",
            "--as",
            "ops@provider.example",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("amendment 1 by ops@provider.example"));
    let shown = json_of(&cli(
        &url,
        &[
            "statement",
            "show",
            "--subscription",
            &sub,
            "--month",
            "2026-11",
            "--format",
            "json",
        ],
    ));
    assert_eq!(shown["amendment"], 1);
    assert_eq!(shown["statements"].as_array().unwrap().len(), 2);
    assert_eq!(shown["statements"][1]["author"], "ops@provider.example");
    let text = cli(
        &url,
        &[
            "statement",
            "show",
            "--subscription",
            &sub,
            "--month",
            "2026-11",
        ],
    );
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("closed, amendment 1"), "{text}");
    assert!(text.contains("results of the second prober"), "{text}");
    // Without a reason, or of an unknown subscription: exit 2, nothing written.
    for args in [
        vec![
            "statement",
            "amend",
            "--subscription",
            sub.as_str(),
            "--month",
            "2026-11",
            "--reason",
            " ",
        ],
        vec![
            "statement",
            "show",
            "--subscription",
            "nope",
            "--month",
            "2026-11",
        ],
        vec![
            "statement",
            "show",
            "--subscription",
            sub.as_str(),
            "--month",
            "2026-13",
        ],
    ] {
        let out = cli(&url, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
