//! Tickets through the API (issue 13), under the app's clock, on SQLite and on PostgreSQL when
//! `PACTA_TEST_POSTGRES_URL` is set.
//!
//! Worked by hand. P-A (a local helpdesk, PRM `prm@provider.example`) has WEB-HOSTING pack large:
//! level `standard`, P3 = 4 h response, 24 h resolution on `be-working-hours`. Its local helpdesk
//! opens a P3 (impact medium, urgency medium) on Friday 30 October 2026 at 17:00 — one business
//! hour that day; Monday 2 November (All Souls' Day, `be-federal`) is closed.
//! - An agent takes it and answers on Tuesday 3 November 09:00: the response clock stops, met
//!   (deadline Tuesday 11:00), 2 h business (Fri 1 h + Tue 1 h).
//! - The agent waits for the partner at 10:00: the resolution clock pauses with 3 h spent.
//! - The local helpdesk replies on Wednesday 4 November 10:00: back to `in_progress`, the clock
//!   resumes. 75 % (18 h): 15 h more — Wed 10:00–18:00 (8 h), Thu 08:00 + 7 h = **Thu 5 Nov
//!   15:00**, level 1 (the service manager). 100 % (24 h): Thu 18:00 = 21 h, Fri 6 Nov 08:00 +
//!   3 h = **Fri 11:00**, level 2 (the PRM) — the resolution deadline, breached then. 150 % (36 h):
//!   Fri 11:00–18:00 = 31 h, Mon 9 Nov 08:00 + 5 h = 13:00.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use jiff::Timestamp;
use pacta_core::subscription::State;
use pacta_store::subscriptions::{Effects, NewSubscription, Step};
use pacta_store::{Scope, Stamp};
use serde_json::{json, Value};

use crate::support::{small_catalogue, Reply, TestApp, TOKEN};

fn at(s: &str) -> Timestamp {
    pacta_core::sla::instant::parse_instant(s).unwrap()
}

pub(crate) struct World {
    pub(crate) app: TestApp,
    tokens: HashMap<&'static str, String>,
    /// Subscription ids by partner.
    pub(crate) subs: HashMap<&'static str, String>,
}

impl World {
    /// The world on the app's clock as `serve --test-clock` runs it: each job at its instant.
    pub(crate) async fn new(mut app: TestApp) -> World {
        app.state = app.state.clone().with_test_clock(app.clock.clone());
        let tokens = crate::support::people(
            &app,
            &["P-A", "P-B", "P-C"],
            &[
                (
                    "sm",
                    "sm@provider.example",
                    None,
                    "service-manager:WEB-HOSTING",
                ),
                ("prm", "prm@provider.example", None, "prm:P-A"),
                ("agent", "agent@provider.example", None, "helpdesk-agent"),
                ("ict", "ict@provider.example", None, "ict-management"),
                ("ann", "ann@provider.example", None, "on-call"),
                ("bob", "bob@provider.example", None, "on-call"),
                (
                    "a-local",
                    "local@p-a.example",
                    Some("P-A"),
                    "local-helpdesk",
                ),
                ("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin"),
                ("a-user", "user@p-a.example", Some("P-A"), "partner-user"),
                ("a-viewer", "viewer@p-a.example", Some("P-A"), "viewer"),
                ("b-admin", "admin@p-b.example", Some("P-B"), "partner-admin"),
                ("b-user", "user@p-b.example", Some("P-B"), "partner-user"),
                ("c-user", "user@p-c.example", Some("P-C"), "partner-user"),
            ],
        )
        .await;
        let db = &app.state.db;
        let stamp = Stamp::new("test", at("2026-09-01T10:00:00+02:00"));
        // P-A has a local helpdesk and a PRM.
        let a = db.partner(Scope::All, "P-A").await.unwrap().unwrap();
        let mut p = a.partner.clone();
        p.local_helpdesk = true;
        p.prm = Some("prm@provider.example".into());
        db.update_partner(&p, a.revision, stamp).await.unwrap();
        let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
        let digital = db.load_catalogue().await.unwrap().versions["DIGITAL-WORKPLACE"];
        let mut subs = HashMap::new();
        // P-B: no local helpdesk, central-first-line; P-C: no local helpdesk, no option.
        for (partner, service, version, pack, options) in [
            ("P-A", "WEB-HOSTING", version, "large", vec![]),
            (
                "P-B",
                "DIGITAL-WORKPLACE",
                digital,
                "base",
                vec!["central-first-line".to_owned()],
            ),
            ("P-C", "DIGITAL-WORKPLACE", digital, "base", vec![]),
        ] {
            let s = db
                .request_subscription(
                    &NewSubscription {
                        partner: partner.into(),
                        service: service.into(),
                        service_version: version,
                        pack: pack.into(),
                        level: None,
                        options,
                        quantity: 1,
                        start_date: jiff::civil::date(2026, 10, 1),
                        end_date: None,
                    },
                    &Effects::default(),
                    stamp,
                )
                .await
                .unwrap();
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
            subs.insert(partner, s.id);
        }
        World { app, tokens, subs }
    }

    pub(crate) async fn call(
        &self,
        who: &str,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Reply {
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

    pub(crate) fn set(&self, instant: &str) {
        self.app.clock.set(at(instant));
    }

    /// Runs the jobs due by `instant`, as `serve --test-clock` does, and sets the clock there.
    pub(crate) async fn run_to(&self, instant: &str) {
        pacta_web::jobs::run_due(&self.app.state, at(instant))
            .await
            .unwrap();
        self.set(instant);
    }

    pub(crate) async fn ok(
        &self,
        who: &str,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Value {
        let r = self.call(who, method, uri, body).await;
        assert!(
            r.status.is_success(),
            "{method} {uri}: {} {}",
            r.status,
            r.json()
        );
        r.json()
    }

    pub(crate) async fn mails_to(&self, kind: &str) -> Vec<String> {
        self.app
            .state
            .db
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.to)
            .collect()
    }

    /// `GET /api/v1/oncall/who?at=…` as an agent.
    async fn who(&self, at: &str) -> Value {
        let uri = format!("/api/v1/oncall/who?at={}", at.replace('+', "%2B"));
        self.ok("agent", "GET", &uri, None).await
    }

    /// P-A's local helpdesk opens a P3 (level `standard`) on Tuesday 3 November 2026 at 09:00;
    /// an agent answers at 10:00. Its API path.
    async fn answered_p3(&self) -> String {
        self.run_to("2026-11-03T09:00:00+01:00").await;
        let t = self
            .ok("a-local", "POST", "/api/v1/tickets", Some(self.p3("P-A")))
            .await;
        assert_eq!(t["level"], "standard");
        let uri = format!("/api/v1/tickets/{}", t["ref"].as_str().unwrap());
        self.run_to("2026-11-03T10:00:00+01:00").await;
        self.ok(
            "agent",
            "POST",
            &format!("{uri}/comments"),
            Some(json!({"body": "Looking into it", "public": true})),
        )
        .await;
        uri
    }

    /// Replaces service level `code` through the API, as `change` edits it.
    async fn put_level(&self, code: &str, change: impl FnOnce(&mut Value)) {
        let levels = self.app.get("/api/v1/service-levels?lang=all").await.json();
        let mut level = levels["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["code"] == code)
            .unwrap()
            .clone();
        level
            .as_object_mut()
            .unwrap()
            .remove("allowed_downtime_30d_seconds");
        change(&mut level);
        let r = self
            .app
            .write(
                "PUT",
                &format!("/api/v1/service-levels/{code}"),
                &level,
                &[("if-match", "*")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    }

    pub(crate) fn p3(&self, partner: &str) -> Value {
        json!({"subscription": self.subs[partner], "kind": "incident", "impact": "medium",
               "urgency": "medium", "title": "Site slow", "body": "Since this afternoon."})
    }
}

fn levels(t: &Value) -> Vec<(i64, String, String)> {
    t["escalations"]
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
}

fn lv(n: i64, at: &str, why: &str) -> (i64, String, String) {
    (n, at.to_owned(), why.to_owned())
}

async fn done_when(app: TestApp) {
    let w = World::new(app).await;
    w.set("2026-10-30T17:00:00+01:00");
    let r = w
        .call("a-local", "POST", "/api/v1/tickets", Some(w.p3("P-A")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let t = r.json();
    let reference = t["ref"].as_str().unwrap().to_owned();
    assert_eq!(reference, "T-2026-000001");
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/v1/tickets/T-2026-000001")
    );
    assert_eq!(t["priority"], "P3");
    assert_eq!(t["level"], "standard");
    assert_eq!(t["status"], "new");
    assert_eq!(
        t["clocks"]["response"]["deadline"],
        "2026-11-03T11:00:00+01:00"
    );
    assert_eq!(t["clocks"]["response"]["goal_seconds"], 14_400);
    assert_eq!(t["clocks"]["resolution"]["calendar"], "be-working-hours");
    let uri = format!("/api/v1/tickets/{reference}");

    // Tuesday 09:00: an agent takes it and answers; 10:00 waits for the partner.
    w.run_to("2026-11-03T09:00:00+01:00").await;
    w.ok(
        "agent",
        "POST",
        &format!("{uri}/status"),
        Some(json!({"status": "in_progress"})),
    )
    .await;
    let t = w
        .ok(
            "agent",
            "POST",
            &format!("{uri}/comments"),
            Some(json!({"body": "Looking into it."})),
        )
        .await;
    assert_eq!(t["clocks"]["response"]["state"], "stopped");
    assert_eq!(t["clocks"]["response"]["met"], true);
    assert_eq!(t["clocks"]["response"]["business_seconds"], 7_200);
    w.run_to("2026-11-03T10:00:00+01:00").await;
    let t = w
        .ok(
            "agent",
            "POST",
            &format!("{uri}/status"),
            Some(json!({"status": "waiting_partner", "comment": "Which page is slow?"})),
        )
        .await;
    assert_eq!(t["status"], "waiting_partner");
    assert_eq!(t["clocks"]["resolution"]["state"], "paused");
    assert_eq!(t["clocks"]["resolution"]["business_seconds"], 10_800);
    // Paused across the evening and the night: nothing runs, nothing fires.
    w.run_to("2026-11-04T10:00:00+01:00").await;
    let t = w.ok("a-local", "GET", &uri, None).await;
    assert_eq!(t["clocks"]["resolution"]["business_seconds"], 10_800);
    assert!(levels(&t).is_empty());
    // The partner replies: back to in_progress at that instant.
    let t = w
        .ok(
            "a-local",
            "POST",
            &format!("{uri}/comments"),
            Some(json!({"body": "The checkout page."})),
        )
        .await;
    assert_eq!(t["status"], "in_progress");
    assert_eq!(t["clocks"]["resolution"]["state"], "running");
    assert_eq!(
        t["clocks"]["resolution"]["deadline"],
        "2026-11-06T11:00:00+01:00"
    );

    // The job escalates at Thursday 15:00 (75 %) and Friday 11:00 (100 %), not before.
    w.run_to("2026-11-05T14:59:59+01:00").await;
    assert!(w.mails_to("ticket.escalated").await.is_empty());
    w.run_to("2026-11-06T12:00:00+01:00").await;
    let t = w.ok("sm", "GET", &uri, None).await;
    assert_eq!(
        levels(&t),
        [
            lv(1, "2026-11-05T15:00:00+01:00", "threshold"),
            lv(2, "2026-11-06T11:00:00+01:00", "threshold"),
        ]
    );
    assert_eq!(t["clocks"]["resolution"]["met"], false);
    assert_eq!(
        t["clocks"]["resolution"]["original_breach"],
        "2026-11-06T11:00:00+01:00"
    );
    // 3 h + 8 h (Wed) + 10 h (Thu) + 4 h (Fri to 12:00) = 25 h: 1 h past the goal.
    assert_eq!(t["clocks"]["resolution"]["business_seconds"], 90_000);
    assert_eq!(t["clocks"]["resolution"]["breached_by_seconds"], 3_600);
    let timeline: Vec<&str> = t["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "opened",
            "status",
            "comment",
            "status",
            "comment",
            "escalation",
            "escalation"
        ]
    );
    let mut escalated = w.mails_to("ticket.escalated").await;
    escalated.sort();
    assert_eq!(escalated, ["prm@provider.example", "sm@provider.example"]);
    // The requester was told of the public comments and the wait.
    assert_eq!(
        w.mails_to("ticket.waiting_partner").await,
        ["local@p-a.example"]
    );
    assert_eq!(w.mails_to("ticket.comment").await, ["local@p-a.example"]);

    // The partner asks to escalate by hand: the lowest level not reached, ICT management.
    let t = w
        .ok(
            "a-local",
            "POST",
            &format!("{uri}/escalate"),
            Some(json!({"reason": "Shop down"})),
        )
        .await;
    assert_eq!(levels(&t)[2], lv(3, "2026-11-06T12:00:00+01:00", "manual"));
    assert_eq!(w.mails_to("ticket.escalated").await.len(), 3);
    let r = w
        .call(
            "a-local",
            "POST",
            &format!("{uri}/escalate"),
            Some(json!({"reason": "Again"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.json());
    // Later, the level 3 threshold does not fire again.
    w.run_to("2026-11-10T12:00:00+01:00").await;
    let t = w.ok("sm", "GET", &uri, None).await;
    assert_eq!(levels(&t).len(), 3);

    // Resolved: the requester is mailed; the clock stops, breached.
    let t = w
        .ok(
            "agent",
            "POST",
            &format!("{uri}/status"),
            Some(json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(t["clocks"]["resolution"]["state"], "stopped");
    assert_eq!(t["clocks"]["resolution"]["met"], false);
    assert_eq!(w.mails_to("ticket.resolved").await, ["local@p-a.example"]);

    // Compliance: in November the response was met (stopped on the 3rd) and the resolution
    // breached (stopped on the 10th, past its deadline); October counts nothing.
    let november = w
        .ok(
            "sm",
            "GET",
            "/api/v1/compliance?from=2026-11-01&to=2026-12-01",
            None,
        )
        .await;
    assert_eq!(
        november["rows"],
        json!([{"partner": "P-A", "service": "WEB-HOSTING", "priority": "P3",
                "response": {"met": 1, "breached": 0}, "resolution": {"met": 0, "breached": 1}}])
    );
    let october = w
        .ok(
            "a-local",
            "GET",
            "/api/v1/compliance?from=2026-10-01&to=2026-11-01",
            None,
        )
        .await;
    assert_eq!(october["rows"], json!([]));
    let own = w
        .ok("a-local", "GET", "/api/v1/compliance?from=2026-11-01", None)
        .await;
    assert_eq!(own["to"], "2026-12-01");
    assert_eq!(own["rows"], november["rows"]);
    let r = w
        .call("b-admin", "GET", "/api/v1/compliance?partner=P-A", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let theirs = w
        .ok("b-admin", "GET", "/api/v1/compliance?from=2026-11-01", None)
        .await;
    assert_eq!(theirs["rows"], json!([]));
    let r = w
        .call(
            "sm",
            "GET",
            "/api/v1/compliance?from=2026-11-01&to=2026-10-01",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn done_when_on_sqlite() {
    done_when(TestApp::new().await).await;
}

#[tokio::test]
async fn done_when_on_postgres() {
    if let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await {
        done_when(app).await;
    }
}

#[tokio::test]
async fn the_lines_rule_and_who_sees_what() {
    let w = World::new(TestApp::new().await).await;
    w.set("2026-11-30T10:00:00+01:00");
    // P-A has a local helpdesk: its admin and users are sent to it.
    for who in ["a-admin", "a-user", "a-viewer"] {
        let r = w
            .call(who, "POST", "/api/v1/tickets", Some(w.p3("P-A")))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.json());
        assert_eq!(r.error_code(), "lines_rule", "{who}");
    }
    // P-B has no local helpdesk and central-first-line: its users may; P-C without it may not.
    let mut b = w.p3("P-B");
    b["kind"] = json!("question");
    b["impact"] = json!("high");
    b["urgency"] = json!("high");
    let r = w
        .call("b-user", "POST", "/api/v1/tickets", Some(b.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    // A question is at most P2.
    assert_eq!(r.json()["priority"], "P2");
    let b_ref = r.json()["ref"].as_str().unwrap().to_owned();
    let r = w
        .call("c-user", "POST", "/api/v1/tickets", Some(w.p3("P-C")))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "lines_rule");
    // Another partner's subscription: 404.
    let r = w
        .call("b-user", "POST", "/api/v1/tickets", Some(w.p3("P-A")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.json());
    // ... exactly as one that does not exist.
    let mut body = w.p3("P-A");
    body["subscription"] = json!("01a00000-0000-7000-8000-000000000000");
    let m = w
        .call("b-user", "POST", "/api/v1/tickets", Some(body))
        .await;
    assert_eq!(m.status, StatusCode::NOT_FOUND);
    assert_eq!(
        m.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace("01a00000-0000-7000-8000-000000000000", "ID"),
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .replace(w.subs["P-A"].as_str(), "ID")
    );
    // Other staff are not the phone line.
    let r = w
        .call("sm", "POST", "/api/v1/tickets", Some(w.p3("P-C")))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "lines_rule");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("phone line"));
    // An agent opens for anyone (the phone line).
    let r = w
        .call("agent", "POST", "/api/v1/tickets", Some(w.p3("P-C")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let c_ref = r.json()["ref"].as_str().unwrap().to_owned();
    // Bad input: 422 naming the field; a major request is refused.
    for (field, value) in [
        ("impact", json!("huge")),
        ("kind", json!("complaint")),
        ("title", json!("  ")),
        ("body", json!("x".repeat(65 * 1024))),
    ] {
        let mut body = w.p3("P-C");
        body[field] = value;
        let r = w.call("agent", "POST", "/api/v1/tickets", Some(body)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            r.json()
        );
        assert!(
            r.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            r.json()
        );
    }
    let mut body = w.p3("P-C");
    body["kind"] = json!("question");
    body["major_incident"] = json!(true);
    let r = w.call("agent", "POST", "/api/v1/tickets", Some(body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Internal comments: staff only, never shown to the partner.
    let uri = format!("/api/v1/tickets/{b_ref}");
    w.ok(
        "agent",
        "POST",
        &format!("{uri}/comments"),
        Some(json!({"body": "Probably DNS", "public": false})),
    )
    .await;
    let r = w
        .call(
            "b-user",
            "POST",
            &format!("{uri}/comments"),
            Some(json!({"body": "x", "public": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let seen = w.ok("b-user", "GET", &uri, None).await.to_string();
    assert!(!seen.contains("Probably DNS"), "{seen}");
    assert!(w
        .ok("agent", "GET", &uri, None)
        .await
        .to_string()
        .contains("Probably DNS"));
    // Another partner's people: 404 on every read and write.
    for (method, path, body) in [
        ("GET", uri.clone(), None),
        (
            "POST",
            format!("{uri}/comments"),
            Some(json!({"body": "x"})),
        ),
        (
            "POST",
            format!("{uri}/escalate"),
            Some(json!({"reason": "x"})),
        ),
        (
            "POST",
            format!("{uri}/status"),
            Some(json!({"status": "resolved"})),
        ),
        (
            "POST",
            format!("{uri}/priority"),
            Some(json!({"priority": "P1", "reason": "x"})),
        ),
    ] {
        let r = w.call("c-user", method, &path, body).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    let list = w.ok("c-user", "GET", "/api/v1/tickets", None).await;
    let refs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, [c_ref.as_str()]);
    let r = w
        .call("c-user", "GET", "/api/v1/tickets?partner=P-B", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Status and priority: the Rule, and who.
    let r = w
        .call(
            "agent",
            "POST",
            &format!("{uri}/status"),
            Some(json!({"status": "waiting_partner"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "invalid_transition");
    let r = w
        .call(
            "b-user",
            "POST",
            &format!("{uri}/status"),
            Some(json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call(
            "agent",
            "POST",
            &format!("{uri}/priority"),
            Some(json!({"priority": "P1", "reason": "x"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a question is at most P2"
    );
    let t = w
        .ok(
            "agent",
            "POST",
            &format!("{uri}/priority"),
            Some(json!({"priority": "P3", "reason": "One user only"})),
        )
        .await;
    assert_eq!(t["priority"], "P3");
    // The queue: staff only.
    let r = w.call("b-user", "GET", "/api/v1/queue", None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let q = w.ok("agent", "GET", "/api/v1/queue", None).await;
    assert_eq!(q["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_on_call_roster() {
    let w = World::new(TestApp::new().await).await;
    w.set("2026-11-30T10:00:00+01:00");
    // Empty at first: nobody, ICT management would be paged.
    let who = w.ok("agent", "GET", "/api/v1/oncall/who", None).await;
    assert_eq!(
        who,
        json!({"at": "2026-11-30T10:00:00+01:00", "user": null, "source": "none"})
    );
    let r = w.call("agent", "GET", "/api/v1/oncall/roster", None).await;
    assert_eq!(r.header("etag").as_deref(), Some("\"0\""));
    // Put a rotation (If-Match); a user without on-call is named in the 422.
    let put = |users: Value, etag: &str| {
        let mut req = Request::builder()
            .method("PUT")
            .uri("/api/v1/oncall/roster")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", w.tokens["agent"]),
            )
            .header(header::CONTENT_TYPE, "application/json");
        if !etag.is_empty() {
            req = req.header(header::IF_MATCH, etag);
        }
        req.body(Body::from(
            json!({"rotation": "weekly", "handover": "mon 08:00", "users": users}).to_string(),
        ))
        .unwrap()
    };
    let r = w.app.send(put(json!(["ann@provider.example"]), "")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = w
        .app
        .send(put(
            json!(["ann@provider.example", "agent@provider.example"]),
            "\"0\"",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["fields"]["users[1]"].is_string(),
        "{}",
        r.json()
    );
    let r = w
        .app
        .send(put(
            json!(["ann@provider.example", "bob@provider.example"]),
            "\"0\"",
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    // Weeks since the handover of Monday 1 January 2024: 152 on 30 November 2026 at 08:00 →
    // even → ann; the week before (151) → bob.

    assert_eq!(
        w.who("2026-11-30T08:00:00+01:00").await["user"],
        "ann@provider.example"
    );
    assert_eq!(
        w.who("2026-11-30T07:59:59+01:00").await["user"],
        "bob@provider.example"
    );
    // An override wins over its interval.
    let r = w
        .call(
            "agent",
            "POST",
            "/api/v1/oncall/overrides",
            Some(
                json!({"user": "bob@provider.example", "from": "2026-12-01T18:00:00+01:00",
                        "to": "2026-12-02T08:00:00+01:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let v = w.who("2026-12-01T20:00:00+01:00").await;
    assert_eq!(
        (v["user"].as_str(), v["source"].as_str()),
        (Some("bob@provider.example"), Some("override"))
    );
    assert_eq!(
        w.who("2026-12-02T08:00:00+01:00").await["source"],
        "rotation"
    );
    // Bad override: reversed, unknown user.
    let r = w
        .call(
            "agent",
            "POST",
            "/api/v1/oncall/overrides",
            Some(
                json!({"user": "nobody@provider.example", "from": "2026-12-02T08:00:00+01:00",
                        "to": "2026-12-01T08:00:00+01:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.json()["error"]["fields"];
    assert!(
        fields["user"].is_string() && fields["to"].is_string(),
        "{fields}"
    );
    // Partners never see the roster.
    let r = w
        .call("a-admin", "GET", "/api/v1/oncall/roster", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// What a user does to the ticket in a random history.
#[derive(Debug, Clone, Copy)]
enum Act {
    /// An agent moves the ticket to this status (refused with 409 when the Rule says no).
    Move(pacta_core::ticket::Status),
    /// An agent's public comment: a response.
    AgentReply,
    /// An agent's internal note: nothing for the clocks.
    AgentNote,
    /// The partner's public comment: back to in_progress when it waits for the partner.
    PartnerReply,
}

fn act(code: u8) -> Act {
    use pacta_core::ticket::Status::*;
    match code {
        0 => Act::Move(InProgress),
        1 => Act::Move(WaitingPartner),
        2 => Act::Move(Resolved),
        3 => Act::Move(Assigned),
        4 => Act::Move(Closed),
        5 => Act::AgentReply,
        6 => Act::AgentNote,
        _ => Act::PartnerReply,
    }
}

/// Drives one history through the API and checks the stored ticket against core's rule on the
/// events the Rule says those actions are.
async fn replay_history(steps: &[(i64, u8)], tail: i64) {
    use pacta_core::sla::calendar::Calendar;
    use pacta_core::ticket::clocks::{clock_json, evaluate, Event, Target, TicketQuery};
    use pacta_core::ticket::escalation::Thresholds;
    use pacta_core::ticket::Status;
    let w = World::new(TestApp::new().await).await;
    let created = at("2026-10-30T17:00:00+01:00");
    w.set("2026-10-30T17:00:00+01:00");
    let r = w
        .call("a-local", "POST", "/api/v1/tickets", Some(w.p3("P-A")))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let uri = format!("/api/v1/tickets/{}", r.json()["ref"].as_str().unwrap());
    let mut now = created;
    let mut status = Status::New;
    let mut events: Vec<Event> = Vec::new();
    for &(gap, code) in steps {
        now = now
            .checked_add(jiff::SignedDuration::from_mins(30 * gap))
            .unwrap();
        let instant =
            pacta_core::sla::instant::format_instant(now, pacta_core::subscription::zone());
        w.run_to(&instant).await;
        match act(code) {
            Act::Move(to) => {
                let r = w
                    .call(
                        "agent",
                        "POST",
                        &format!("{uri}/status"),
                        Some(json!({"status": to.code()})),
                    )
                    .await;
                if status.may_move_to(to) {
                    assert_eq!(r.status, StatusCode::OK, "{status} → {to}: {}", r.json());
                    status = to;
                    events.push(Event {
                        at: now,
                        status: Some(to),
                        response: false,
                    });
                } else {
                    assert_eq!(r.status, StatusCode::CONFLICT, "{status} → {to}");
                }
            }
            Act::AgentReply | Act::AgentNote => {
                let public = matches!(act(code), Act::AgentReply);
                w.ok(
                    "agent",
                    "POST",
                    &format!("{uri}/comments"),
                    Some(json!({"body": "x", "public": public})),
                )
                .await;
                if public {
                    events.push(Event {
                        at: now,
                        status: None,
                        response: true,
                    });
                }
            }
            Act::PartnerReply => {
                w.ok(
                    "a-local",
                    "POST",
                    &format!("{uri}/comments"),
                    Some(json!({"body": "y"})),
                )
                .await;
                if status == Status::WaitingPartner {
                    status = Status::InProgress;
                    events.push(Event {
                        at: now,
                        status: Some(Status::InProgress),
                        response: false,
                    });
                }
            }
        }
    }
    now = now
        .checked_add(jiff::SignedDuration::from_mins(30 * tail))
        .unwrap();
    let instant = pacta_core::sla::instant::format_instant(now, pacta_core::subscription::zone());
    w.run_to(&instant).await;
    let doc = w.ok("sm", "GET", &uri, None).await;
    // The rule: P3 on `standard`, 4 h / 24 h on be-working-hours.
    let bwh = Calendar::builtin("be-working-hours").unwrap();
    let view = evaluate(&TicketQuery {
        created,
        now,
        qualifies_for_on_call: false,
        response: Target {
            goal: 4 * 3600,
            calendar: &bwh,
        },
        resolution: Target {
            goal: 24 * 3600,
            calendar: &bwh,
        },
        helpdesk: &bwh,
        thresholds: Thresholds::default(),
        events: &events,
        manual_escalations: &[],
    })
    .unwrap();
    assert_eq!(doc["status"], view.status.code(), "{steps:?}");
    for (which, c) in [
        ("response", &view.response),
        ("resolution", &view.resolution),
    ] {
        let mut stored = doc["clocks"][which].clone();
        for extra in ["goal_seconds", "calendar", "breached_by_seconds"] {
            stored.as_object_mut().unwrap().remove(extra);
        }
        assert_eq!(
            stored,
            clock_json(c, &bwh),
            "{which} after {steps:?}, tail {tail}"
        );
    }
    let expected: Vec<Value> = view
        .escalations
        .iter()
        .map(|e| json!({"level": e.level.number(), "to": e.level.to(), "at": bwh.format(e.at), "why": e.why.code()}))
        .collect();
    assert_eq!(
        doc["escalations"],
        json!(expected),
        "escalations after {steps:?}, tail {tail}"
    );
}

#[tokio::test]
async fn the_stored_ticket_answers_what_the_rule_says_for_random_histories() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let histories = (
        proptest::collection::vec((0i64..40, 0u8..8), 0..9),
        0i64..200,
    );
    let mut runner = TestRunner::deterministic();
    for _ in 0..24 {
        let (steps, tail) = histories.new_tree(&mut runner).unwrap().current();
        replay_history(&steps, tail).await;
    }
}

/// What a local endpoint was sent: (signature header, body).
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

/// A local endpoint that keeps what is POSTed to it.
async fn webhook_sink() -> (String, Received) {
    use axum::routing::post;
    let got: Received = Default::default();
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/sms",
        post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let keep = keep.clone();
                async move {
                    let sig = headers
                        .get("x-pacta-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    keep.lock().unwrap().push((sig, body.to_vec()));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/sms"), got)
}

/// P-A's P1 (WEB-HOSTING large, level standard: 30 min / 8 h on 24x7), opened by an agent on
/// Friday 30 October 2026 at 17:30, still open at the helpdesk's closing at 18:00: on-call is
/// paged then; unacknowledged, again at 18:15, then ICT management at 18:30.
#[tokio::test]
async fn an_out_of_hours_p1_pages_on_call_then_ict_management() {
    use hmac::Mac;
    let (url, got) = webhook_sink().await;
    let mut app = TestApp::new().await;
    app.state = app
        .state
        .clone()
        .with_oncall_webhook(Some(&url), Some("s3cret"));
    let w = World::new(app).await;
    w.set("2026-10-30T09:00:00+01:00");
    let r = w.call("agent", "GET", "/api/v1/oncall/roster", None).await;
    let etag = r.header("etag").unwrap();
    let req = Request::builder()
        .method("PUT")
        .uri("/api/v1/oncall/roster")
        .header(header::AUTHORIZATION, format!("Bearer {}", w.tokens["agent"]))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, etag)
        .body(Body::from(
            json!({"rotation": "weekly", "handover": "mon 08:00", "users": ["ann@provider.example"]})
                .to_string(),
        ))
        .unwrap();
    assert_eq!(w.app.send(req).await.status, StatusCode::OK);
    let mut p1 = w.p3("P-A");
    p1["impact"] = json!("high");
    p1["urgency"] = json!("high");
    w.run_to("2026-10-30T17:30:00+01:00").await;
    let t = w
        .ok("agent", "POST", "/api/v1/tickets", Some(p1.clone()))
        .await;
    assert_eq!(t["priority"], "P1");
    assert_eq!(t["on_call_page_at"], Value::Null);
    let uri = format!("/api/v1/tickets/{}", t["ref"].as_str().unwrap());
    w.run_to("2026-10-30T17:59:59+01:00").await;
    assert!(w.mails_to("oncall.page").await.is_empty());
    w.run_to("2026-10-30T18:00:00+01:00").await;
    assert_eq!(w.mails_to("oncall.page").await, ["ann@provider.example"]);
    let staff = w.ok("sm", "GET", &uri, None).await;
    assert_eq!(staff["on_call_page_at"], "2026-10-30T18:00:00+01:00");
    // The partner sees that on-call duty was paged, never who.
    let partner = w.ok("a-local", "GET", &uri, None).await;
    assert_eq!(partner["on_call_page_at"], "2026-10-30T18:00:00+01:00");
    assert!(!partner.to_string().contains("ann@"), "{partner}");
    assert!(staff.to_string().contains("ann@"), "{staff}");
    // The webhook got the page, signed.
    let hooks = got.lock().unwrap().clone();
    assert_eq!(hooks.len(), 1);
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(&hooks[0].1);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hooks[0].0, format!("sha256={hex}"));
    let body: Value = serde_json::from_slice(&hooks[0].1).unwrap();
    assert_eq!(body["user"], "ann@provider.example");
    assert_eq!(body["attempt"], 0);
    // Unacknowledged: again at 18:15, then ICT management at 18:30, then nothing more.
    w.run_to("2026-10-30T18:14:59+01:00").await;
    assert_eq!(w.mails_to("oncall.page").await.len(), 1);
    w.run_to("2026-10-30T18:15:00+01:00").await;
    assert_eq!(w.mails_to("oncall.page").await.len(), 2);
    w.run_to("2026-10-30T18:30:00+01:00").await;
    let pages = w.mails_to("oncall.page").await;
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[2], "ict@provider.example");
    w.run_to("2026-10-30T20:00:00+01:00").await;
    assert_eq!(w.mails_to("oncall.page").await.len(), 3);
    assert_eq!(got.lock().unwrap().len(), 3);

    // A second P1 at 19:00 (out of hours): paged at once; ann acknowledges; no page follows.
    w.run_to("2026-10-30T19:00:00+01:00").await;
    let mut p1b = p1.clone();
    p1b["title"] = json!("Second");
    let t2 = w.ok("agent", "POST", "/api/v1/tickets", Some(p1b)).await;
    w.run_to("2026-10-30T19:00:00+01:00").await;
    let hooks = got.lock().unwrap().clone();
    let last: Value = serde_json::from_slice(&hooks.last().unwrap().1).unwrap();
    assert_eq!(last["ticket"], t2["ref"]);
    let page = last["page"].as_str().unwrap().to_owned();
    let ack = format!("/api/v1/oncall/pages/{page}/ack");
    assert_eq!(
        w.call("bob", "POST", &ack, None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.call("a-local", "POST", &ack, None).await.status,
        StatusCode::FORBIDDEN
    );
    let acked = w.ok("ann", "POST", &ack, None).await;
    assert_eq!(acked["acknowledged_by"], "ann@provider.example");
    let before = got.lock().unwrap().len();
    w.run_to("2026-10-30T21:00:00+01:00").await;
    assert_eq!(
        got.lock().unwrap().len(),
        before,
        "no page after the acknowledgement"
    );
}

/// The queue: by the instant of the next breach — breached first, the most overdue first —
/// and tickets with no running clock last. P-C has DIGITAL-WORKPLACE base (level basic: P3 8 h /
/// 40 h, P4 16 h / 120 h on be-working-hours).
#[tokio::test]
async fn the_queue_puts_the_most_overdue_first_and_paused_last() {
    let w = World::new(TestApp::new().await).await;
    let open = |impact: &str, urgency: &str, title: &str| {
        let mut body = w.p3("P-C");
        body["impact"] = json!(impact);
        body["urgency"] = json!(urgency);
        body["title"] = json!(title);
        body
    };
    // Monday 30 November 10:00: a P3 (response due 18:00) and a P4 (due Tuesday 16:00); at 11:00
    // a P3 that waits for the partner at once (no clock runs).
    w.run_to("2026-11-30T10:00:00+01:00").await;
    w.ok(
        "agent",
        "POST",
        "/api/v1/tickets",
        Some(open("medium", "medium", "p3")),
    )
    .await;
    w.ok(
        "agent",
        "POST",
        "/api/v1/tickets",
        Some(open("low", "low", "p4")),
    )
    .await;
    w.run_to("2026-11-30T11:00:00+01:00").await;
    let paused = w
        .ok(
            "agent",
            "POST",
            "/api/v1/tickets",
            Some(open("medium", "medium", "paused")),
        )
        .await;
    let uri = format!("/api/v1/tickets/{}", paused["ref"].as_str().unwrap());
    w.ok(
        "agent",
        "POST",
        &format!("{uri}/status"),
        Some(json!({"status": "in_progress"})),
    )
    .await;
    w.ok(
        "agent",
        "POST",
        &format!("{uri}/status"),
        Some(json!({"status": "waiting_partner"})),
    )
    .await;
    // A later P3 at 12:00: 8 business hours from Monday 12:00 is Tuesday 12:00.
    w.run_to("2026-11-30T12:00:00+01:00").await;
    w.ok(
        "agent",
        "POST",
        "/api/v1/tickets",
        Some(open("medium", "medium", "later")),
    )
    .await;
    // Tuesday 13:00: p3 breached since Monday 18:00, `later` since Tuesday 12:00, p4 due 16:00.
    w.run_to("2026-12-01T13:00:00+01:00").await;
    let q = w.ok("agent", "GET", "/api/v1/queue", None).await;
    let order: Vec<&str> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["p3", "later", "p4", "paused"], "{q}");
    // Filters: the priority, the status.
    let q = w
        .ok("agent", "GET", "/api/v1/queue?priority=P4", None)
        .await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1);
    let q = w
        .ok("agent", "GET", "/api/v1/queue?status=waiting_partner", None)
        .await;
    assert_eq!(q["items"][0]["title"], "paused");
    let r = w
        .call("agent", "GET", "/api/v1/queue?status=closed", None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A level's own thresholds (`escalation` in the catalogue YAML) drive its tickets. `standard`
/// with `service_manager: 50%`: a P3 (24 h on `be-working-hours`) opened on Tuesday 3 November
/// 09:00 and answered at 10:00 reaches 12 h on Wednesday 4 November 11:00 (Tue 9 h + Wed 3 h) —
/// level 1 then, where the default 75 % (18 h) would wait until Wednesday 17:00.
#[tokio::test]
async fn a_levels_own_thresholds_drive_its_escalation() {
    use pacta_core::ticket::escalation::{Level, Threshold};
    let mut catalogue = crate::support::small_catalogue();
    // The demo's organisation profile: its `ict-escalation` contact is ICT management's mailbox.
    let demo = pacta_core::catalogue::read::read_catalogue(
        &pacta_core::catalogue::document::parse_yaml(include_str!(
            "../../../../demo/catalogue.yaml"
        ))
        .unwrap(),
        &Default::default(),
    )
    .unwrap();
    catalogue.profile = demo.profile.map(|mut p| {
        p.central_helpdesk_calendar = "be-working-hours".into();
        p
    });
    let standard = catalogue
        .levels
        .iter_mut()
        .find(|l| l.code == "standard")
        .unwrap();
    standard
        .escalation
        .set(Level::ServiceManager, Threshold::Percent(50));
    let w = World::new(TestApp::with_catalogue(&catalogue, Some(TOKEN)).await).await;
    let uri = w.answered_p3().await;
    w.run_to("2026-11-04T10:59:59+01:00").await;
    assert!(levels(&w.ok("agent", "GET", &uri, None).await).is_empty());
    assert!(w.mails_to("ticket.escalated").await.is_empty());
    w.run_to("2026-11-04T11:00:00+01:00").await;
    assert_eq!(
        levels(&w.ok("agent", "GET", &uri, None).await),
        [(
            1,
            "2026-11-04T11:00:00+01:00".to_owned(),
            "threshold".to_owned()
        )]
    );
    assert_eq!(
        w.mails_to("ticket.escalated").await,
        ["sm@provider.example"],
        "by the job"
    );
    // By hand to level 3: ICT management's users and the profile's ICT mailbox.
    for reason in ["Shop down", "Still down"] {
        w.ok(
            "a-local",
            "POST",
            &format!("{uri}/escalate"),
            Some(json!({ "reason": reason })),
        )
        .await;
    }
    let mut escalated = w.mails_to("ticket.escalated").await;
    escalated.sort();
    assert_eq!(
        escalated,
        [
            "ict.kanselarij@premier.fed.be",
            "ict@provider.example",
            "prm@provider.example",
            "sm@provider.example"
        ]
    );
}

/// A level's goals or thresholds change under an open ticket: the recomputation job re-reads it
/// in chunks, and the escalation follows the new instants — also when one moved *earlier* than
/// the job already set. A P3 on `standard` (24 h on `be-working-hours`) opened on Tuesday 3
/// November 09:00 and answered at 10:00: level 1 at 75 % (18 h) is Wednesday 4 November 17:00
/// (Tue 9 h + Wed 9 h). On Tuesday at 12:00 the level's `service_manager` threshold becomes 50 %
/// (12 h): Wednesday 11:00 — escalated and mailed then, not at 17:00; the stored clocks and the
/// queue carry the level's new terms without any write on the ticket.
#[tokio::test]
async fn a_level_changed_under_an_open_ticket_is_recomputed() {
    let w = World::new(TestApp::new().await).await;
    let uri = w.answered_p3().await;
    w.run_to("2026-11-03T12:00:00+01:00").await;
    w.put_level("standard", |level| {
        level["escalation"] = json!({"service_manager": "50%"})
    })
    .await;
    // The recomputation runs as a job, now.
    let fired = pacta_web::jobs::run_due(&w.app.state, at("2026-11-03T12:00:00+01:00"))
        .await
        .unwrap();
    assert!(
        fired.iter().any(|f| f.kind == "ticket.recompute"),
        "{fired:?}"
    );
    w.run_to("2026-11-04T10:59:59+01:00").await;
    assert!(w.mails_to("ticket.escalated").await.is_empty());
    let fired = pacta_web::jobs::run_due(&w.app.state, at("2026-11-04T11:00:00+01:00"))
        .await
        .unwrap();
    assert!(
        fired
            .iter()
            .any(|f| f.kind == "ticket.escalate" && f.at == at("2026-11-04T11:00:00+01:00")),
        "the job set by the recomputation: {fired:?}"
    );
    assert!(!w.mails_to("ticket.escalated").await.is_empty());
    assert_eq!(
        levels(&w.ok("agent", "GET", &uri, None).await)[0],
        (
            1,
            "2026-11-04T11:00:00+01:00".to_owned(),
            "threshold".to_owned()
        )
    );
}

/// A level's goal changed under an open ticket moves its deadline in the stored clocks and the
/// queue with no write on the ticket; a stopped clock keeps its verdict. The P3 above: resolution
/// deadline Thursday 5 November 13:00 (24 h: Tue 9 h + Wed 10 h + Thu 5 h); with a goal of 16 h,
/// Wednesday 4 November 15:00 (Tue 9 h + Wed 7 h).
#[tokio::test]
async fn a_goal_changed_under_an_open_ticket_moves_its_deadline_in_the_queue() {
    goal_changed(TestApp::new().await).await;
}

/// The same on PostgreSQL (its chunk is written with one `UPDATE … FROM UNNEST`).
#[tokio::test]
async fn a_goal_changed_under_an_open_ticket_moves_its_deadline_in_the_queue_on_postgres() {
    if let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await {
        goal_changed(app).await;
    }
}

async fn goal_changed(app: TestApp) {
    let w = World::new(app).await;
    w.answered_p3().await;
    let queued = |q: &Value| q["items"][0]["clocks"].clone();
    let before = queued(&w.ok("agent", "GET", "/api/v1/queue", None).await);
    assert_eq!(
        before["resolution"]["deadline"],
        "2026-11-05T13:00:00+01:00"
    );
    w.put_level("standard", |level| {
        level["targets"]["P3"]["resolution"] = json!("16h")
    })
    .await;
    w.run_to("2026-11-03T10:00:00+01:00").await;
    let after = queued(&w.ok("agent", "GET", "/api/v1/queue", None).await);
    assert_eq!(after["resolution"]["deadline"], "2026-11-04T15:00:00+01:00");
    assert_eq!(after["response"], before["response"], "stopped: kept");
    assert_eq!(after["response"]["met"], true);
}

/// A closed day added to a calendar by a catalogue import (as `pacta catalogue import` does; the
/// server's catalogue watch then refreshes) moves an open ticket's deadline in the stored clocks
/// and the queue. `standard`'s P3 on `extended-hours` (Mon–Fri 07:00–20:00): opened on Tuesday 3
/// November 09:00, 24 h run Tue 09:00–20:00 (11 h) and Wed 07:00–20:00 (13 h): **Wednesday 4
/// November 20:00**; with Wednesday closed (a bridge day), **Thursday 5 November 20:00**.
#[tokio::test]
async fn a_bridge_day_imported_moves_the_open_tickets_deadline() {
    let source = include_str!("../../../../testdata/small-catalogue.yaml");
    let read = |yaml: &str| {
        let mut c = pacta_core::catalogue::read::read_catalogue(
            &pacta_core::catalogue::document::parse_yaml(yaml).unwrap(),
            &Default::default(),
        )
        .unwrap();
        let standard = c.levels.iter_mut().find(|l| l.code == "standard").unwrap();
        standard
            .targets
            .get_mut(&pacta_core::catalogue::model::Priority::P3)
            .unwrap()
            .calendar = "extended-hours".into();
        c
    };
    let before = read(source);
    let bridged = source.replace("closed: [2026-12-24,", "closed: [2026-11-04, 2026-12-24,");
    assert_ne!(bridged, source);
    let after = read(&bridged);
    let w = World::new(TestApp::with_catalogue(&before, Some(TOKEN)).await).await;
    w.answered_p3().await;
    let deadline = |q: Value| q["items"][0]["clocks"]["resolution"]["deadline"].clone();
    assert_eq!(
        deadline(w.ok("agent", "GET", "/api/v1/queue", None).await),
        "2026-11-04T20:00:00+01:00"
    );
    let stored = w.app.state.db.load_catalogue().await.unwrap().catalogue;
    w.app
        .state
        .db
        .apply_import(
            &pacta_core::catalogue::import::plan(&stored, &after, false),
            Stamp::new("test", at("2026-11-03T10:00:00+01:00")),
        )
        .await
        .unwrap();
    w.app.state.refresh().await.unwrap();
    w.run_to("2026-11-03T10:00:00+01:00").await;
    assert_eq!(
        deadline(w.ok("agent", "GET", "/api/v1/queue", None).await),
        "2026-11-05T20:00:00+01:00"
    );
}
