//! `pacta ticket …` and `pacta oncall who` (issue 13) on a demo database: the built binary.

mod common;

use common::*;

#[test]
fn tickets_open_show_and_list_on_the_command_line() {
    let (dir, url) = db_dir("tickets");
    let mut server = serve(&url, "2026-11-30T10:00:00+01:00");
    let _ = server.child.kill();
    let _ = server.child.wait();
    let subs = json_of(&cli(
        &url,
        &[
            "subscription",
            "list",
            "--state",
            "active",
            "--format",
            "json",
        ],
    ));
    let sub = subs.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The console is the helpdesk's phone line; the clock is the machine's.
    let created = json_of(&cli(
        &url,
        &[
            "ticket",
            "create",
            "--subscription",
            &sub,
            "--kind",
            "incident",
            "--impact",
            "high",
            "--urgency",
            "high",
            "--title",
            "Mail down",
            "--format",
            "json",
        ],
    ));
    assert_eq!(created["priority"], "P1");
    assert_eq!(created["status"], "new");
    let reference = created["ref"].as_str().unwrap().to_owned();
    assert!(
        pacta_core::ticket::parse_reference(&reference).is_some(),
        "{reference}"
    );
    let shown = json_of(&cli(
        &url,
        &["ticket", "show", &reference, "--format", "json"],
    ));
    assert_eq!(shown["ref"], reference.as_str());
    assert_eq!(shown["timeline"][0]["kind"], "opened");
    let text = cli(&url, &["ticket", "show", &reference]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Mail down") && text.contains("response:"),
        "{text}"
    );
    let listed = json_of(&cli(
        &url,
        &["ticket", "list", "--open", "--format", "json"],
    ));
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["ref"] == reference.as_str()));
    // Every open ticket recomputed on the current terms.
    let open = listed["items"].as_array().unwrap().len();
    let out = cli(&url, &["ticket", "recompute"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("recomputed {open} open tickets\n")
    );
    // An unknown user cannot open one: exit 2, one line.
    let out = cli(
        &url,
        &[
            "ticket",
            "create",
            "--subscription",
            &sub,
            "--kind",
            "question",
            "--impact",
            "low",
            "--urgency",
            "low",
            "--title",
            "Hi",
            "--as",
            "nobody@nowhere.example",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let missing = cli(&url, &["ticket", "show", "T-2026-999999"]);
    assert_eq!(missing.status.code(), Some(2));
    // The demo's roster: its on-call person, every week.
    let who = json_of(&cli(
        &url,
        &["oncall", "who", "--at", "2026-12-01T20:00:00+01:00"],
    ));
    assert_eq!(who["user"], "on-call@provider.example");
    assert_eq!(who["source"], "rotation");
    // The demo's tickets: one waiting for its partner, one P1 out of hours, one breached.
    let items = listed["items"].as_array().unwrap();
    assert!(
        items.iter().any(|t| t["status"] == "waiting_partner"),
        "{listed}"
    );
    let p1 = items
        .iter()
        .find(|t| t["priority"] == "P1" && t["ref"] != reference.as_str())
        .expect("the demo's P1");
    let p1 = json_of(&cli(
        &url,
        &[
            "ticket",
            "show",
            p1["ref"].as_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert!(p1["on_call_page_at"].is_string(), "{p1}");
    let breached = items
        .iter()
        .find(|t| t["priority"] == "P3" && t["status"] == "new")
        .expect("the demo's breached P3");
    let breached = json_of(&cli(
        &url,
        &[
            "ticket",
            "show",
            breached["ref"].as_str().unwrap(),
            "--format",
            "json",
        ],
    ));
    assert_eq!(breached["clocks"]["resolution"]["met"], false, "{breached}");
    let _ = std::fs::remove_dir_all(dir);
}
