//! `pacta maintenance list|show` end to end (issue 12): the built binary on a database of its
//! own holding the demo catalogue and a window of October 2026 (all of whose deadlines have
//! passed, so the consents read now are final): one partner agreed, one objected to the second
//! occurrence and was overridden, one stayed silent.

use std::process::{Command, Output};

use jiff::Timestamp;
use pacta_core::maintenance::consultation::{PartnerTerms, SubscriptionTerms};
use pacta_core::maintenance::WindowTimes;
use pacta_core::sla::consent::Answer;
use pacta_core::text::{Lang, Text};
use pacta_store::maintenance::{Action, Consulted, NewAnswer, NewTimes, NewWindow};
use pacta_store::{Db, Stamp};
use serde_json::{json, Value};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/catalogue.yaml");

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pacta"))
        .args(["--database-url", url])
        .args(args)
        .env_remove("PACTA_DATABASE_URL")
        .output()
        .expect("run pacta")
}

fn ok(url: &str, args: &[&str]) -> String {
    let out = run(url, args);
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn at(s: &str) -> Timestamp {
    pacta_core::sla::instant::parse_instant(s).unwrap()
}

fn consulted(partner: &str) -> Consulted {
    Consulted {
        partner: partner.into(),
        subscriptions: vec![SubscriptionTerms {
            consulted_at: None,
            from: at("2026-01-01T00:00:00+01:00"),
            until: None,
            terms: PartnerTerms {
                notice_seconds: 5 * 86_400,
                silence_is_consent: true,
            },
        }],
    }
}

#[tokio::test]
async fn list_and_show_give_each_partners_answers_and_consents() {
    let dir = std::env::temp_dir().join(format!("pacta-maint-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/pacta.db", dir.display());
    ok(&url, &["catalogue", "import", DEMO]);

    // Sundays 18 and 25 October 2026, 02:00–04:00; the second is the fall-back night (3 h).
    let (start, end, rrule) = (
        "2026-10-18T02:00",
        "2026-10-18T04:00",
        "FREQ=WEEKLY;COUNT=2",
    );
    let times = WindowTimes::parse(start, end, Some(rrule)).unwrap();
    let db = Db::open_existing(&url).await.unwrap();
    let w = db
        .propose_maintenance(
            &NewWindow {
                service: "WEB-HOSTING".into(),
                title: Text::new().with(Lang::En, "Storage firmware"),
                description: None,
                times: NewTimes {
                    start_local: start.into(),
                    end_local: end.into(),
                    rrule: Some(rrule.into()),
                    occurrences: times.occurrences(pacta_core::subscription::zone()).unwrap(),
                },
            },
            &[consulted("P-A"), consulted("P-B"), consulted("P-C")],
            |_| Vec::new(),
            Stamp::new("sm@provider.example", at("2026-10-01T10:00:00+02:00")),
        )
        .await
        .unwrap();
    let act = |action: Action, who: &'static str, when: &'static str| {
        let db = db.clone();
        let id = w.id.clone();
        async move {
            db.act_on_maintenance(
                &id,
                &action,
                |_| Ok(()),
                |_| Vec::new(),
                Stamp::new(who, at(when)),
            )
            .await
            .unwrap();
        }
    };
    let answer =
        |partner: &str, answer: Answer, occurrence: Option<&str>, comment: Option<&str>| {
            Action::Answer {
                partner: partner.into(),
                answer: NewAnswer {
                    answer,
                    comment: comment.map(Into::into),
                    occurrence: occurrence.map(at),
                    alternative: None,
                },
            }
        };
    act(
        answer("P-A", Answer::Agree, None, None),
        "admin@p-a",
        "2026-10-02T09:00:00+02:00",
    )
    .await;
    act(
        answer(
            "P-C",
            Answer::Object,
            Some("2026-10-25T02:00:00+02:00"),
            Some("Month-end close"),
        ),
        "admin@p-c",
        "2026-10-03T09:00:00+02:00",
    )
    .await;
    act(
        Action::Override {
            partner: "P-C".into(),
            justification: "Vendor deadline".into(),
        },
        "sm@provider.example",
        "2026-10-05T09:00:00+02:00",
    )
    .await;
    db.close().await;

    let shown: Value = serde_json::from_str(&ok(
        &url,
        &["maintenance", "show", &w.id, "--format", "json"],
    ))
    .unwrap();
    assert_eq!(
        shown["occurrences"],
        json!([
            {"start": "2026-10-18T02:00:00+02:00", "end": "2026-10-18T04:00:00+02:00"},
            {"start": "2026-10-25T02:00:00+02:00", "end": "2026-10-25T04:00:00+01:00"},
        ])
    );
    let consents: Vec<(String, Vec<(String, String)>)> = shown["consultation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["partner"].as_str().unwrap().to_owned(),
                c["occurrences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| {
                        (
                            o["deadline"].as_str().unwrap().to_owned(),
                            o["consent"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    // Deadlines: start − 5 days in exact seconds (13 and 20 October, 02:00+02:00).
    let expect = |a: &str, b: &str| {
        vec![
            ("2026-10-13T02:00:00+02:00".to_owned(), a.to_owned()),
            ("2026-10-20T02:00:00+02:00".to_owned(), b.to_owned()),
        ]
    };
    assert_eq!(
        consents,
        [
            ("P-A".to_owned(), expect("explicit", "explicit")),
            ("P-B".to_owned(), expect("tacit", "tacit")),
            ("P-C".to_owned(), expect("tacit", "overridden")),
        ]
    );
    let p_c = &shown["consultation"][2];
    assert_eq!(p_c["answers"][0]["comment"], "Month-end close");
    assert_eq!(p_c["answers"][0]["occurrence"], "2026-10-25T02:00:00+02:00");
    assert_eq!(p_c["override"]["justification"], "Vendor deadline");

    let listed: Value = serde_json::from_str(&ok(
        &url,
        &[
            "maintenance",
            "list",
            "--partner",
            "P-B",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let none: Value = serde_json::from_str(&ok(
        &url,
        &[
            "maintenance",
            "list",
            "--service",
            "IAM",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(none["items"], json!([]));
    let text = ok(&url, &["maintenance", "show", &w.id]);
    assert!(
        text.contains("2026-10-25T02:00:00+02:00  deadline 2026-10-20T02:00:00+02:00  overridden"),
        "{text}"
    );
    let text = ok(&url, &["maintenance", "list"]);
    assert!(
        text.contains("Storage firmware") && text.contains("P-A,P-B,P-C"),
        "{text}"
    );

    let missing = run(&url, &["maintenance", "show", "no-such-window"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no maintenance window `no-such-window`")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
