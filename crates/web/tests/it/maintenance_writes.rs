//! Maintenance windows written through the API (issue 12's "done when"): the service manager
//! proposes a window; P-A agrees, P-B stays silent (tacit), P-C objects and is overridden, P-D
//! is approved after the deadlines and consulted late (the job); a `down` incident inside the
//! window then counts in each partner's statement as the Rule says. With the refusals: a wrong
//! state (409 `invalid_transition`), bad input (422 naming the field), who may do what (403,
//! 404). On SQLite, and on PostgreSQL too when `PACTA_TEST_POSTGRES_URL` is set.
//!
//! Worked by hand. The window is Sunday 13 December 2026, 02:00–04:00 (+01:00), 7,200 s.
//! P-A and P-B have pack small (level basic: 120 h notice, silence is consent): deadline 8
//! December 02:00. P-C has pack small with `critical-coverage` (level critical: 240 h notice,
//! silence is no consent): deadline 3 December 02:00. P-D is approved on 10 December, after
//! start − 120 h: its deadline is the start and its silence is no consent. The incident is down
//! from 02:30 to 03:30 (3,600 s): no downtime for P-A (explicit) and P-B (tacit), whose 7,200 s
//! are excluded; 3,600 s of downtime for P-C (overridden) and P-D (none).

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use jiff::Timestamp;
use pacta_core::subscription::State;
use pacta_store::subscriptions::{Effects, NewSubscription, Step};
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{small_catalogue, Reply, TestApp, TOKEN};

fn at(s: &str) -> Timestamp {
    pacta_core::sla::instant::parse_instant(s).unwrap()
}

struct World {
    app: TestApp,
    tokens: HashMap<&'static str, String>,
    /// Subscription ids by partner.
    subs: HashMap<&'static str, String>,
}

impl World {
    async fn new(app: TestApp) -> World {
        let tokens = crate::support::people(
            &app,
            &["P-A", "P-B", "P-C", "P-D", "P-Z"],
            &[
                (
                    "sm",
                    "sm@provider.example",
                    None,
                    "service-manager:WEB-HOSTING",
                ),
                (
                    "sm-other",
                    "sm2@provider.example",
                    None,
                    "service-manager:DIGITAL-WORKPLACE",
                ),
                ("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin"),
                ("a-viewer", "viewer@p-a.example", Some("P-A"), "viewer"),
                ("b-admin", "admin@p-b.example", Some("P-B"), "partner-admin"),
                ("c-admin", "admin@p-c.example", Some("P-C"), "partner-admin"),
                ("d-admin", "admin@p-d.example", Some("P-D"), "partner-admin"),
                ("z-admin", "admin@p-z.example", Some("P-Z"), "partner-admin"),
            ],
        )
        .await;
        let db = &app.state.db;
        let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
        let mut subs = HashMap::new();
        for (partner, options, active) in [
            ("P-A", vec![], true),
            ("P-B", vec![], true),
            ("P-C", vec!["critical-coverage".to_owned()], true),
            ("P-D", vec![], false),
        ] {
            let s = db
                .request_subscription(
                    &NewSubscription {
                        partner: partner.into(),
                        service: "WEB-HOSTING".into(),
                        service_version: version,
                        pack: "small".into(),
                        level: None,
                        options,
                        quantity: 1,
                        start_date: jiff::civil::date(2026, if active { 10 } else { 12 }, 1),
                        end_date: None,
                    },
                    &Effects::default(),
                    Stamp::new("test", at("2026-09-01T10:00:00+02:00")),
                )
                .await
                .unwrap();
            if active {
                let step = |action: &'static str, to| Step {
                    action,
                    to,
                    reason: None,
                };
                db.transition_subscription(
                    &s.id,
                    State::Requested,
                    &[
                        step("approve", State::Approved),
                        step("activate", State::Active),
                    ],
                    None,
                    &Effects::default(),
                    Stamp::new("test", at("2026-10-01T00:00:00+02:00")),
                )
                .await
                .unwrap();
            }
            subs.insert(partner, s.id);
        }
        World { app, tokens, subs }
    }

    async fn call(&self, who: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let token = if who == "token" {
            TOKEN.to_owned()
        } else {
            self.tokens[who].clone()
        };
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.app.send(req.body(body).unwrap()).await
    }

    fn set(&self, instant: &str) {
        self.app.clock.set(at(instant));
    }

    /// `partner`'s consent to each occurrence, as staff read it.
    async fn consents(&self, id: &str, partner: &str) -> Vec<(String, String)> {
        let v = self
            .call("sm", "GET", &format!("/api/v1/maintenance/{id}"), None)
            .await
            .json();
        v["consultation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["partner"] == partner)
            .map(|c| {
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
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn mails(&self, kind: &str) -> Vec<pacta_store::outbox::OutboxMail> {
        self.app
            .state
            .db
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == kind)
            .collect()
    }
}

fn proposal() -> Value {
    json!({"service": "WEB-HOSTING", "start": "2026-12-13T02:00", "end": "2026-12-13T04:00",
           "title": {"en": "Storage firmware", "nl": "Firmware van de opslag"}})
}

fn pair(deadline: &str, consent: &str) -> (String, String) {
    (deadline.to_owned(), consent.to_owned())
}

async fn done_when(app: TestApp) {
    let w = World::new(app).await;
    // Monday 30 November 2026, 10:00 in Brussels.
    let r = w
        .call("sm", "POST", "/api/v1/maintenance", Some(proposal()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let v = r.json();
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/maintenance/{id}").as_str())
    );
    let consulted: Vec<&str> = v["consultation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["partner"].as_str().unwrap())
        .collect();
    // P-D's request is not approved: not consulted yet.
    assert_eq!(consulted, ["P-A", "P-B", "P-C"]);
    assert_eq!(
        w.consents(&id, "P-A").await,
        [pair("2026-12-08T02:00:00+01:00", "pending")]
    );
    assert_eq!(
        w.consents(&id, "P-C").await,
        [pair("2026-12-03T02:00:00+01:00", "pending")]
    );
    // Each consulted partner's admin is mailed, with its own deadline.
    let proposed = w.mails("maintenance.proposed").await;
    let to: Vec<&str> = proposed.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(
        to,
        [
            "admin@p-a.example",
            "admin@p-b.example",
            "admin@p-c.example"
        ]
    );
    assert!(
        proposed[2].text.contains("3 December 2026, 02:00"),
        "{}",
        proposed[2].text
    );
    assert!(proposed[0].text.contains("8 December 2026, 02:00"));
    assert_eq!(proposed[2].partner.as_deref(), Some("P-C"));

    // Who may answer: the consulted partner's admin; not its viewer (403), not staff (403),
    // not an unconsulted partner (404).
    let agree = json!({"answer": "agree"});
    let answers = format!("/api/v1/maintenance/{id}/answers");
    let r = w
        .call("a-viewer", "POST", &answers, Some(agree.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.call("sm", "POST", &answers, Some(agree.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call("z-admin", "POST", &answers, Some(agree.clone()))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Bad input: 422 under the field, nothing written.
    let r = w
        .call(
            "a-admin",
            "POST",
            &answers,
            Some(json!({"answer": "object"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["comment"].is_string());
    let r = w
        .call(
            "a-admin",
            "POST",
            &answers,
            Some(json!({"answer": "agree", "occurrence": "2026-12-13T03:00:00+01:00"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["occurrence"].is_string());

    // P-A agrees; the answer shows to P-A, never to P-C.
    let r = w
        .call("a-admin", "POST", &answers, Some(agree.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let own = r.json();
    assert_eq!(own["consultation"].as_array().unwrap().len(), 1);
    assert_eq!(
        own["consultation"][0]["occurrences"][0]["consent"],
        "explicit"
    );
    // P-C objects on 1 December.
    w.set("2026-12-01T09:00:00+01:00");
    let objection = json!({"answer": "object", "comment": "Our year-end payroll",
                           "alternative": {"start": "2026-12-20T02:00", "end": "2026-12-20T04:00"}});
    let r = w
        .call("c-admin", "POST", &answers, Some(objection.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert!(!body.contains("P-A") && !body.contains("P-B"), "{body}");
    assert_eq!(
        w.consents(&id, "P-C").await,
        [pair("2026-12-03T02:00:00+01:00", "objected")]
    );

    // Override: only a partner whose objection decides (P-B has none: 409), only by the
    // service's manager (another service's: 403), with a justification (422).
    let over = format!("/api/v1/maintenance/{id}/override");
    let r = w
        .call(
            "sm",
            "POST",
            &over,
            Some(json!({"partner": "P-B", "justification": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "invalid_transition");
    let r = w
        .call(
            "sm-other",
            "POST",
            &over,
            Some(json!({"partner": "P-C", "justification": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call("sm", "POST", &over, Some(json!({"partner": "P-C"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["justification"].is_string());
    w.set("2026-12-02T09:00:00+01:00");
    let r = w
        .call(
            "sm",
            "POST",
            &over,
            Some(json!({"partner": "P-C", "justification": "The vendor ends support on 31 December"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let c = r.json()["consultation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["partner"] == "P-C")
        .cloned()
        .unwrap();
    assert_eq!(
        c["override"],
        json!({"at": "2026-12-02T09:00:00+01:00", "justification": "The vendor ends support on 31 December"})
    );
    assert_eq!(c["occurrences"][0]["consent"], "overridden");
    let told = w.mails("maintenance.overridden").await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].to, "admin@p-c.example");
    assert!(told[0]
        .text
        .contains("The vendor ends support on 31 December"));

    // 9 December: past P-A's and P-B's deadline. P-B's silence is tacit; its answer is late.
    w.set("2026-12-09T09:00:00+01:00");
    assert_eq!(
        w.consents(&id, "P-B").await,
        [pair("2026-12-08T02:00:00+01:00", "tacit")]
    );
    let r = w
        .call("b-admin", "POST", &answers, Some(agree.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "invalid_transition");

    // 10 December: P-D's subscription (from 1 December) is approved and so active at once; the
    // job consults it, late: deadline = the start, silence no consent.
    w.set("2026-12-10T09:00:00+01:00");
    let r = w
        .call(
            "token",
            "POST",
            &format!("/api/v1/subscriptions/{}/approve", w.subs["P-D"]),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    pacta_web::jobs::run_due(&w.app.state, at("2026-12-10T09:00:00+01:00"))
        .await
        .unwrap();
    assert_eq!(
        w.consents(&id, "P-D").await,
        [pair("2026-12-13T02:00:00+01:00", "pending")]
    );
    let late = w.mails("maintenance.proposed").await;
    assert_eq!(late.last().unwrap().to, "admin@p-d.example");

    // After the window: a down incident 02:30–03:30 inside it.
    w.set("2026-12-14T09:00:00+01:00");
    let r = w
        .call(
            "token",
            "POST",
            "/api/v1/incidents",
            Some(
                json!({"service": "WEB-HOSTING", "kind": "down", "title": "Storage lost",
                        "start": "2026-12-13T02:30:00+01:00", "end": "2026-12-13T03:30:00+01:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    // Each partner's statement for December, as the Rule says (worked out above).
    for (partner, consent, downtime, excluded) in [
        ("P-A", "explicit", 0, 7_200),
        ("P-B", "tacit", 0, 7_200),
        ("P-C", "overridden", 3_600, 0),
        ("P-D", "none", 3_600, 0),
    ] {
        let r = w
            .call(
                "token",
                "GET",
                &format!(
                    "/api/v1/subscriptions/{}/availability?month=2026-12",
                    w.subs[partner]
                ),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json());
        let v = r.json();
        assert_eq!(v["downtime_seconds"], downtime, "{partner}: {v}");
        assert_eq!(
            v["excluded_maintenance_seconds"], excluded,
            "{partner}: {v}"
        );
        assert_eq!(v["maintenance"][0]["consent"], consent, "{partner}: {v}");
    }

    // The window is over: nothing is left to cancel (409); the contract's actions on a
    // missing window are 404.
    let r = w
        .call(
            "sm",
            "POST",
            &format!("/api/v1/maintenance/{id}/cancel"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = w
        .call("sm", "POST", "/api/v1/maintenance/no-such/cancel", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_window_is_agreed_tacit_overridden_and_late_and_each_statement_follows_the_rule_sqlite() {
    done_when(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
}

#[tokio::test]
async fn a_window_is_agreed_tacit_overridden_and_late_and_each_statement_follows_the_rule_postgres()
{
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    done_when(app).await;
}

async fn reschedule_and_cancel(app: TestApp) {
    let w = World::new(app).await;
    // Bad proposals: 422 naming the part, nothing written.
    for (body, field) in [
        (
            json!({"service": "WEB-HOSTING", "start": "2026-12-13T04:00", "end": "2026-12-13T02:00", "title": {"en": "x"}}),
            "end",
        ),
        (
            json!({"service": "WEB-HOSTING", "start": "2026-12-13T02:00", "end": "2026-12-13T04:00",
                   "rrule": "FREQ=DAILY;COUNT=2", "title": {"en": "x"}}),
            "rrule",
        ),
        (
            json!({"service": "WEB-HOSTING", "start": "2026-12-13T02:00", "end": "2026-12-13T04:00",
                   "rrule": "FREQ=WEEKLY", "title": {"en": "x"}}),
            "rrule",
        ),
        (
            json!({"service": "NO-SUCH", "start": "2026-12-13T02:00", "end": "2026-12-13T04:00", "title": {"en": "x"}}),
            "service",
        ),
        (
            json!({"service": "WEB-HOSTING", "start": "2026-12-13T02:00", "end": "2026-12-13T04:00", "title": {}}),
            "title",
        ),
    ] {
        let r = w
            .call("token", "POST", "/api/v1/maintenance", Some(body.clone()))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            r.json()["error"]["fields"][field].is_string(),
            "{body}: {}",
            r.json()
        );
    }
    let r = w
        .call("a-admin", "POST", "/api/v1/maintenance", Some(proposal()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call("sm-other", "POST", "/api/v1/maintenance", Some(proposal()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let listed = w.call("sm", "GET", "/api/v1/maintenance", None).await;
    assert_eq!(listed.json()["total"], 0);

    // Two Sundays; P-A agrees; then rescheduled to 20 and 27 December: the answers are voided
    // and a new consultation opens (SEQUENCE + 1).
    let mut body = proposal();
    body["rrule"] = json!("FREQ=WEEKLY;COUNT=2");
    let r = w
        .call("sm", "POST", "/api/v1/maintenance", Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let answers = format!("/api/v1/maintenance/{id}/answers");
    let r = w
        .call(
            "a-admin",
            "POST",
            &answers,
            Some(json!({"answer": "agree"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mut moved = proposal();
    moved["start"] = json!("2026-12-20T02:00");
    moved["end"] = json!("2026-12-20T04:00");
    moved["rrule"] = json!("FREQ=WEEKLY;COUNT=2");
    let mut elsewhere = moved.clone();
    elsewhere["service"] = json!("DIGITAL-WORKPLACE");
    let resched = format!("/api/v1/maintenance/{id}/reschedule");
    let r = w.call("sm", "POST", &resched, Some(elsewhere)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = w.call("sm", "POST", &resched, Some(moved.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let v = r.json();
    assert_eq!(v["sequence"], 1);
    assert_eq!(v["start"], "2026-12-20T02:00");
    assert_eq!(
        w.consents(&id, "P-A").await,
        [
            pair("2026-12-15T02:00:00+01:00", "pending"),
            pair("2026-12-22T02:00:00+01:00", "pending")
        ]
    );
    assert_eq!(w.mails("maintenance.rescheduled").await.len(), 3);

    // Cancelled: every consulted partner is told; a second cancel, an answer and a reschedule
    // are 409.
    let cancel = format!("/api/v1/maintenance/{id}/cancel");
    let r = w.call("a-admin", "POST", &cancel, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.call("sm", "POST", &cancel, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    assert_eq!(r.json()["status"], "cancelled");
    assert_eq!(r.json()["sequence"], 2);
    assert_eq!(w.mails("maintenance.cancelled").await.len(), 3);
    for (who, uri, body) in [
        ("sm", cancel.clone(), None),
        ("a-admin", answers.clone(), Some(json!({"answer": "agree"}))),
        ("sm", resched.clone(), Some(moved.clone())),
    ] {
        let r = w.call(who, "POST", &uri, body).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{uri}");
        assert_eq!(r.error_code(), "invalid_transition");
    }
}

#[tokio::test]
async fn a_window_is_refused_when_wrong_rescheduled_with_a_new_consultation_and_cancelled_sqlite() {
    reschedule_and_cancel(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
}

#[tokio::test]
async fn a_window_is_refused_when_wrong_rescheduled_with_a_new_consultation_and_cancelled_postgres()
{
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    reschedule_and_cancel(app).await;
}

/// The mails of the outbox of `kind`, as (recipient, subject).
async fn told(w: &World, kind: &str) -> Vec<String> {
    w.mails(kind).await.into_iter().map(|m| m.to).collect()
}

async fn notices(app: TestApp) {
    let w = World::new(app).await;
    let r = w
        .call("sm", "POST", "/api/v1/maintenance", Some(proposal()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let answers = format!(
        "/api/v1/maintenance/{}/answers",
        r.json()["id"].as_str().unwrap()
    );
    let r = w
        .call(
            "a-admin",
            "POST",
            &answers,
            Some(json!({"answer": "agree"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let run = |instant: &'static str| {
        let w = &w;
        async move {
            w.set(instant);
            pacta_web::jobs::run_due(&w.app.state, at(instant))
                .await
                .unwrap();
        }
    };
    run("2026-11-30T10:00:00+01:00").await;
    assert!(told(&w, "maintenance.reminder").await.is_empty());
    // P-C's deadline is Thursday 3 December 02:00: reminded on Tuesday 1 December at 08:00
    // (two working days before), as it has not answered.
    run("2026-12-01T07:59:00+01:00").await;
    assert!(told(&w, "maintenance.reminder").await.is_empty());
    run("2026-12-01T08:00:00+01:00").await;
    assert_eq!(
        told(&w, "maintenance.reminder").await,
        ["admin@p-c.example"]
    );
    let reminder = &w.mails("maintenance.reminder").await[0];
    assert!(
        reminder.text.contains("3 December 2026, 02:00"),
        "{}",
        reminder.text
    );
    // At its deadline P-C's silence is no consent (level critical): decided, told.
    run("2026-12-03T02:00:00+01:00").await;
    assert_eq!(told(&w, "maintenance.decided").await, ["admin@p-c.example"]);
    assert!(w.mails("maintenance.decided").await[0]
        .text
        .contains("which is no consent"));
    // P-A and P-B's deadline is Tuesday 8 December 02:00: reminded on Friday 4 December 08:00,
    // only P-B (P-A has answered).
    run("2026-12-04T08:00:00+01:00").await;
    assert_eq!(
        told(&w, "maintenance.reminder").await,
        ["admin@p-c.example", "admin@p-b.example"]
    );
    run("2026-12-08T02:00:00+01:00").await;
    let mut decided = told(&w, "maintenance.decided").await;
    decided.sort();
    assert_eq!(
        decided,
        [
            "admin@p-a.example",
            "admin@p-b.example",
            "admin@p-c.example"
        ]
    );
    // The start: every consulted partner is told, once.
    run("2026-12-13T02:00:00+01:00").await;
    run("2026-12-13T03:00:00+01:00").await;
    let mut starting = told(&w, "maintenance.starting").await;
    starting.sort();
    assert_eq!(
        starting,
        [
            "admin@p-a.example",
            "admin@p-b.example",
            "admin@p-c.example"
        ]
    );
    // Nothing more is due.
    assert!(!w
        .app
        .state
        .db
        .pending_jobs()
        .await
        .unwrap()
        .iter()
        .any(|p| p.job.kind == "maintenance.notify"));
}

#[tokio::test]
async fn consulted_partners_are_reminded_told_the_decision_and_the_start_sqlite() {
    notices(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
}

#[tokio::test]
async fn consulted_partners_are_reminded_told_the_decision_and_the_start_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    notices(app).await;
}

async fn reminders_per_occurrence(app: TestApp) {
    let w = World::new(app).await;
    // Two Sundays, 13 and 20 December; P-B objects to the 20th only (30 November). Its 13th is
    // still pending: reminded on Friday 4 December 08:00 (deadline Tuesday the 8th); its 20th
    // is objected: no reminder on Friday the 11th (deadline Tuesday the 15th).
    let mut body = proposal();
    body["rrule"] = json!("FREQ=WEEKLY;COUNT=2");
    let r = w
        .call("sm", "POST", "/api/v1/maintenance", Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let answers = format!(
        "/api/v1/maintenance/{}/answers",
        r.json()["id"].as_str().unwrap()
    );
    let r = w
        .call(
            "b-admin",
            "POST",
            &answers,
            Some(json!({"answer": "object", "comment": "Year-end",
                        "occurrence": "2026-12-20T02:00:00+01:00"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    for instant in [
        "2026-11-30T10:00:00+01:00",
        "2026-12-04T08:00:00+01:00",
        "2026-12-11T08:00:00+01:00",
    ] {
        w.set(instant);
        pacta_web::jobs::run_due(&w.app.state, at(instant))
            .await
            .unwrap();
    }
    let to_b: Vec<String> = w
        .mails("maintenance.reminder")
        .await
        .into_iter()
        .filter(|m| m.to == "admin@p-b.example")
        .map(|m| m.text)
        .collect();
    assert_eq!(to_b.len(), 1, "{to_b:?}");
    assert!(to_b[0].contains("8 December 2026, 02:00"), "{}", to_b[0]);
}

#[tokio::test]
async fn a_reminder_goes_for_each_occurrence_still_pending_sqlite() {
    reminders_per_occurrence(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
}
