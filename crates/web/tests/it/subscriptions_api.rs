//! Subscriptions through the API (issue 9): a partner admin requests, the service manager
//! approves, the test clock passes the start date and the subscription is active, the mails
//! arrive at an SMTP server the test starts; bad input writes nothing; the permission rows; the
//! lifecycle after the start; who reads what. Every expected value is worked out by hand from
//! testdata/small-catalogue.yaml and t0 = Monday 30 November 2026, 10:00 in Brussels (UTC+1).

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::text::{Lang, Text};
use pacta_store::Stamp;
use pacta_web::mail::sink::{SinkBehaviour, SmtpSink};
use pacta_web::mail::Mailer;
use serde_json::{json, Value};

use crate::support::{small_catalogue, t0, Reply, TestApp, TOKEN};

/// The people of these tests, by a short name: their API tokens.
struct World {
    app: TestApp,
    tokens: HashMap<&'static str, String>,
}

impl World {
    fn token(&self, who: &str) -> &str {
        match who {
            "bootstrap" => TOKEN,
            other => self
                .tokens
                .get(other)
                .unwrap_or_else(|| panic!("no one called {other}")),
        }
    }

    /// `method uri` as `who` (None: anonymous), with a JSON body or none.
    async fn call(&self, who: Option<&str>, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(who) = who {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", self.token(who)));
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.app.send(req.body(body).unwrap()).await
    }

    async fn get(&self, who: &str, uri: &str) -> Reply {
        self.call(Some(who), "GET", uri, None).await
    }

    async fn post(&self, who: &str, uri: &str, body: Value) -> Reply {
        self.call(Some(who), "POST", uri, Some(body)).await
    }

    /// A request by `who` that must succeed: its document.
    async fn request(&self, who: &str, body: Value) -> Value {
        let r = self.post(who, "/api/v1/subscriptions", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
        r.json()
    }

    /// A decision by `who` (no body for approve, withdraw, resume) that must succeed.
    async fn decide(&self, who: &str, id: &str, decision: &str, body: Option<Value>) -> Value {
        let uri = format!("/api/v1/subscriptions/{id}/{decision}");
        let r = self.call(Some(who), "POST", &uri, body).await;
        assert_eq!(r.status, StatusCode::OK, "{decision}: {}", text(&r));
        r.json()
    }

    async fn subscription(&self, id: &str) -> Value {
        let r = self
            .get("bootstrap", &format!("/api/v1/subscriptions/{id}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
        r.json()
    }

    /// Moves the test clock (as the bootstrap admin); the answer must be 200.
    async fn clock_to(&self, now: &str) -> Value {
        let r = self
            .post("bootstrap", "/api/v1/test/clock", json!({ "now": now }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
        r.json()
    }

    /// Every subscription, as the bootstrap admin sees the list.
    async fn all(&self) -> Value {
        let r = self.get("bootstrap", "/api/v1/subscriptions").await;
        assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
        r.json()
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// The field names of a 422's `error.fields`.
fn fields(r: &Reply) -> Vec<String> {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(r));
    assert_eq!(r.error_code(), "invalid");
    r.json()["error"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// The app on a test clock at t0 (as `serve --test-clock`).
fn on_test_clock(mut app: TestApp) -> TestApp {
    app.state = app.state.clone().with_test_clock(app.clock.clone());
    app
}

/// Partners P-A and P-B and their people; provider staff. P-A's partner admin reads French.
async fn world(app: TestApp) -> World {
    let db = &app.state.db;
    let stamp = Stamp::new("test", t0());
    for code in ["P-A", "P-B"] {
        db.create_partner(
            &Partner {
                code: code.into(),
                name: Text::new().with(Lang::En, code),
                lang: Lang::En,
                local_helpdesk: true,
                prm: None,
                contacts: vec![],
            },
            stamp,
        )
        .await
        .unwrap();
    }
    let people: [(&str, &str, Option<&str>, &str, Lang); 9] = [
        (
            "pa",
            "admin@p-a.example",
            Some("P-A"),
            "partner-admin",
            Lang::Fr,
        ),
        (
            "pb",
            "admin@p-b.example",
            Some("P-B"),
            "partner-admin",
            Lang::En,
        ),
        (
            "viewer",
            "viewer@p-a.example",
            Some("P-A"),
            "viewer",
            Lang::En,
        ),
        (
            "user",
            "user@p-a.example",
            Some("P-A"),
            "partner-user",
            Lang::En,
        ),
        (
            "sm",
            "sm@provider.example",
            None,
            "service-manager:WEB-HOSTING",
            Lang::En,
        ),
        (
            "sm-other",
            "sm-dw@provider.example",
            None,
            "service-manager:DIGITAL-WORKPLACE",
            Lang::En,
        ),
        (
            "helpdesk",
            "helpdesk@provider.example",
            None,
            "helpdesk-agent",
            Lang::En,
        ),
        ("prm-a", "prm-a@provider.example", None, "prm:P-A", Lang::En),
        ("prm-b", "prm-b@provider.example", None, "prm:P-B", Lang::En),
    ];
    let mut tokens = HashMap::new();
    for (short, email, partner, role, lang) in people {
        db.add_user(
            &User {
                email: email.into(),
                name: email.into(),
                partner: partner.map(str::to_owned),
                lang,
                roles: vec![Grant::parse(role).unwrap()],
                disabled: false,
            },
            None,
            stamp,
        )
        .await
        .unwrap();
        let (_, token) = db.create_token(email, "tests", None, stamp).await.unwrap();
        tokens.insert(short, token);
    }
    World { app, tokens }
}

/// The request of the Done-when flow: the large pack, chosen level standard, critical coverage
/// (which raises the level to critical), 3 sites, from Tuesday 1 December 2026.
fn large_request() -> Value {
    json!({
        "partner": "P-A",
        "service": "WEB-HOSTING",
        "pack": "large",
        "level": "standard",
        "options": ["critical-coverage"],
        "quantity": 3,
        "start_date": "2026-12-01",
    })
}

/// A minimal request of `partner` for WEB-HOSTING's small pack from `start`.
fn small_request(partner: &str, start: &str) -> Value {
    json!({
        "partner": partner,
        "service": "WEB-HOSTING",
        "pack": "small",
        "options": [],
        "quantity": 1,
        "start_date": start,
    })
}

/// The history as (action, from, to, actor).
fn history(doc: &Value) -> Vec<(String, Value, String, String)> {
    doc["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap().to_owned(),
                h["from"].clone(),
                h["to"].as_str().unwrap().to_owned(),
                h["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn step(
    action: &str,
    from: Option<&str>,
    to: &str,
    actor: &str,
) -> (String, Value, String, String) {
    (action.into(), json!(from), to.into(), actor.into())
}

/// Issue 9's Done-when, through the API: request, approve, the clock past the start, active.
async fn done_when_flow(w: World) {
    // The partner admin requests: 201, `requested`, a Location, and the catalogue's quote.
    let r = w.post("pa", "/api/v1/subscriptions", large_request()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let doc = r.json();
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/subscriptions/{id}").as_str())
    );
    // A UUIDv7.
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "7");
    assert_eq!(doc["state"], "requested");
    assert_eq!(
        (
            &doc["partner"],
            &doc["service"],
            &doc["service_version"],
            &doc["pack"],
            &doc["level"],
            &doc["options"],
            &doc["quantity"],
            &doc["start_date"],
            &doc["end_date"],
        ),
        (
            &json!("P-A"),
            &json!("WEB-HOSTING"),
            &json!(1),
            &json!("large"),
            &json!("standard"),
            &json!(["critical-coverage"]),
            &json!(3),
            &json!("2026-12-01"),
            &Value::Null,
        )
    );
    let quote = w
        .post(
            "pa",
            "/api/v1/catalogue/quote",
            json!({"service": "WEB-HOSTING", "pack": "large", "level": "standard",
                   "options": ["critical-coverage"], "quantity": 3}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", text(&quote));
    assert_eq!(doc["quote"], quote.json());
    // By hand: critical coverage raises standard to critical; 900.00 + 3 × 15.00 + 400.00 a month.
    assert_eq!(doc["quote"]["sla"]["level"], "critical");
    assert_eq!(
        doc["quote"]["totals"],
        json!({"month_cents": 90000 + 3 * 1500 + 40000, "year_cents": 0, "one_off_cents": 0})
    );
    assert_eq!(
        doc["history"],
        json!([{"at": "2026-11-30T10:00:00+01:00", "actor": "admin@p-a.example",
                "action": "request", "from": null, "to": "requested", "reason": null}])
    );

    // The service manager approves: the start is tomorrow, so it waits for it.
    let approved = w.decide("sm", &id, "approve", None).await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(
        approved["history"][1],
        json!({"at": "2026-11-30T10:00:00+01:00", "actor": "sm@provider.example",
               "action": "approve", "from": "requested", "to": "approved", "reason": null})
    );
    assert_eq!(approved["quote"], doc["quote"]);

    // The clock reads t0; moving it backwards is refused, and only an admin moves it.
    let now = w.get("viewer", "/api/v1/test/clock").await;
    assert_eq!(now.status, StatusCode::OK);
    assert_eq!(now.json(), json!({"now": "2026-11-30T10:00:00+01:00"}));
    let back = w
        .post(
            "bootstrap",
            "/api/v1/test/clock",
            json!({"now": "2026-11-30T09:59:59+01:00"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::CONFLICT, "{}", text(&back));
    let refused = w
        .post(
            "sm",
            "/api/v1/test/clock",
            json!({"now": "2026-12-01T08:00:00+01:00"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", text(&refused));
    assert_eq!(
        w.get("viewer", "/api/v1/test/clock").await.json()["now"],
        "2026-11-30T10:00:00+01:00"
    );

    // Past the start: the two mails queued at t0 are due first (no SMTP here: they stay
    // queued), then the activation at Brussels midnight, then the mail it queued at that instant.
    let outbox = w.app.state.db.outbox().await.unwrap();
    assert_eq!(outbox.len(), 2);
    let moved = w.clock_to("2026-12-01T08:00:00+01:00").await;
    let outbox = w.app.state.db.outbox().await.unwrap();
    let kinds: Vec<(&str, &str)> = outbox
        .iter()
        .map(|m| (m.kind.as_str(), m.to.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("subscription.requested", "sm@provider.example"),
            ("subscription.approved", "admin@p-a.example"),
            ("subscription.activated", "admin@p-a.example"),
        ]
    );
    assert_eq!(
        moved,
        json!({
            "now": "2026-12-01T08:00:00+01:00",
            "fired": [
                {"kind": "outbox.send", "id": outbox[0].id, "at": "2026-11-30T10:00:00+01:00"},
                // The approval consults the partner on the service's maintenance (none here).
                {"kind": "maintenance.consult", "id": id, "at": "2026-11-30T10:00:00+01:00"},
                {"kind": "outbox.send", "id": outbox[1].id, "at": "2026-11-30T10:00:00+01:00"},
                {"kind": "subscription.activate", "id": id, "at": "2026-12-01T00:00:00+01:00"},
                {"kind": "outbox.send", "id": outbox[2].id, "at": "2026-12-01T00:00:00+01:00"},
            ]
        })
    );
    assert_eq!(
        w.get("viewer", "/api/v1/test/clock").await.json(),
        json!({"now": "2026-12-01T08:00:00+01:00"})
    );

    // Active, with the same quote, the activation by Pacta at midnight in the history.
    let active = w
        .get("pa", &format!("/api/v1/subscriptions/{id}"))
        .await
        .json();
    assert_eq!(active["state"], "active");
    assert_eq!(active["quote"], doc["quote"]);
    assert_eq!(
        history(&active),
        [
            step("request", None, "requested", "admin@p-a.example"),
            step(
                "approve",
                Some("requested"),
                "approved",
                "sm@provider.example"
            ),
            step("activate", Some("approved"), "active", "pacta"),
        ]
    );
    assert_eq!(active["history"][2]["at"], "2026-12-01T00:00:00+01:00");
    // Nothing is left to run: the same instant again fires nothing.
    assert_eq!(
        w.clock_to("2026-12-01T08:00:00+01:00").await["fired"],
        json!([])
    );
    assert!(w.app.state.db.pending_jobs().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_partner_admin_requests_the_manager_approves_and_the_clock_activates() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    done_when_flow(w).await;
}

#[tokio::test]
async fn the_same_flow_on_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    done_when_flow(world(on_test_clock(app)).await).await;
}

#[tokio::test]
async fn the_test_clock_exists_only_when_the_app_has_one() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/test/clock").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), "not_found");
    let r = app
        .write(
            "POST",
            "/api/v1/test/clock",
            &json!({"now": "2026-12-01T00:00:00+01:00"}),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let spec = app.get("/api/v1/openapi.json").await.json();
    assert!(spec["paths"].get("/api/v1/test/clock").is_none());
    assert!(spec["paths"].get("/api/v1/subscriptions").is_some());

    let app = on_test_clock(TestApp::new().await);
    let r = app.get("/api/v1/test/clock").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"now": "2026-11-30T10:00:00+01:00"}));
    let spec = app.get("/api/v1/openapi.json").await.json();
    let clock = &spec["paths"]["/api/v1/test/clock"];
    assert!(
        clock["get"].is_object() && clock["post"].is_object(),
        "{clock}"
    );
}

/// The mails of the flow, at an SMTP server of the test's own.
#[tokio::test]
async fn the_mails_reach_the_smtp_server_in_each_recipients_language() {
    let sink = SmtpSink::start().await;
    let mut app = on_test_clock(TestApp::new().await);
    app.state = app
        .state
        .clone()
        .with_public_url("https://pacta.example")
        .with_mailer(Mailer::new(Some(&sink.url()), "Pacta <pacta@provider.example>").unwrap());
    let w = world(app).await;
    let id = w.request("pa", large_request()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.decide("sm", &id, "approve", None).await;
    // Nothing is sent before the jobs run.
    assert!(sink.received().is_empty());
    let fired = w.clock_to("2026-12-01T08:00:00+01:00").await["fired"].clone();
    let kinds: Vec<&str> = fired
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "outbox.send",
            "maintenance.consult",
            "outbox.send",
            "subscription.activate",
            "outbox.send"
        ]
    );
    let mails = sink.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 3, "{mails:#?}");
    let envelope: Vec<(&str, Vec<String>)> = mails
        .iter()
        .map(|m| (m.from.as_str(), m.to.clone()))
        .collect();
    assert_eq!(
        envelope,
        [
            (
                "pacta@provider.example",
                vec!["sm@provider.example".to_owned()]
            ),
            (
                "pacta@provider.example",
                vec!["admin@p-a.example".to_owned()]
            ),
            (
                "pacta@provider.example",
                vec!["admin@p-a.example".to_owned()]
            ),
        ]
    );
    let subjects: Vec<String> = mails.iter().map(|m| m.subject().unwrap()).collect();
    assert_eq!(
        subjects,
        [
            "Subscription requested: P-A — Website hosting (WEB-HOSTING)",
            "Abonnement approuvé : Hébergement de sites web (WEB-HOSTING)",
            "Abonnement actif : Hébergement de sites web (WEB-HOSTING)",
        ]
    );
    // Plain text and HTML, each with its link under public_url: the approval queue for the
    // service manager, the subscription's page for the partner admin, in their languages.
    let queue = "https://pacta.example/en/admin/subscriptions";
    let page = format!("https://pacta.example/fr/subscriptions/{id}");
    let links = [queue, page.as_str(), page.as_str()];
    for (mail, link) in mails.iter().zip(links) {
        let text = mail.text_body().unwrap();
        let html = mail.html_body().unwrap();
        assert!(text.contains(&format!("\n{link}\n")), "{text}");
        assert!(html.contains(&format!("<a href=\"{link}\">")), "{html}");
        let all_links: Vec<&str> = text
            .split_whitespace()
            .filter(|w| w.starts_with("http"))
            .collect();
        assert!(
            all_links
                .iter()
                .all(|l| l.starts_with("https://pacta.example/")),
            "{text}"
        );
    }
    let requested = mails[0].text_body().unwrap();
    assert!(
        requested.starts_with(
            "P-A asks to subscribe to Website hosting (WEB-HOSTING), pack large, from 2026-12-01."
        ),
        "{requested}"
    );
    let approved = mails[1].text_body().unwrap();
    assert!(
        approved.starts_with("Votre abonnement à Hébergement de sites web (WEB-HOSTING), formule large, est approuvé. Il commence le 2026-12-01."),
        "{approved}"
    );
    assert!(mails[1].html_body().unwrap().contains("<html lang=\"fr\">"));
    // The outbox says they went, each at its job's instant, at the first attempt.
    let outbox = w.app.state.db.outbox().await.unwrap();
    let sent: Vec<(&str, &str, Option<i64>, i64)> = outbox
        .iter()
        .map(|m| (m.kind.as_str(), m.lang.as_str(), m.sent_at, m.attempts))
        .collect();
    let t0 = t0().as_second();
    let midnight = jiff::Timestamp::from_second(t0 + 14 * 3600).unwrap();
    assert_eq!(midnight.to_string(), "2026-11-30T23:00:00Z");
    assert_eq!(
        sent,
        [
            ("subscription.requested", "en", Some(t0), 1),
            ("subscription.approved", "fr", Some(t0), 1),
            (
                "subscription.activated",
                "fr",
                Some(midnight.as_second()),
                1
            ),
        ]
    );
}

#[tokio::test]
async fn without_smtp_the_mails_stay_in_the_outbox() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let id = w.request("pa", large_request()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.decide("sm", &id, "approve", None).await;
    let fired = w.clock_to("2026-12-01T08:00:00+01:00").await["fired"].clone();
    // Three mails, the activation and the maintenance consultation.
    assert_eq!(fired.as_array().unwrap().len(), 5, "{fired}");
    let outbox = w.app.state.db.outbox().await.unwrap();
    assert_eq!(outbox.len(), 3);
    for mail in &outbox {
        assert_eq!(
            (mail.sent_at, mail.failed_at, mail.attempts),
            (None, None, 0),
            "{mail:?}"
        );
    }
    // Their jobs are done with: the mails wait for a start with SMTP configured.
    assert!(w.app.state.db.pending_jobs().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_delivery_is_retried_a_minute_later() {
    let sink = SmtpSink::start_with(SinkBehaviour {
        fail_first: 1,
        ..Default::default()
    })
    .await;
    let mut app = on_test_clock(TestApp::new().await);
    app.state = app
        .state
        .clone()
        .with_mailer(Mailer::new(Some(&sink.url()), "Pacta <pacta@provider.example>").unwrap());
    let w = world(app).await;
    w.request("pa", large_request()).await;
    let mail = w.app.state.db.outbox().await.unwrap().remove(0);
    // 30 s later: the send due at t0 runs and gets a 451; it is to run again at t0 + 1 min.
    let moved = w.clock_to("2026-11-30T10:00:30+01:00").await;
    assert_eq!(
        moved["fired"],
        json!([{"kind": "outbox.send", "id": mail.id, "at": "2026-11-30T10:00:00+01:00"}])
    );
    assert!(sink.received().is_empty());
    let after = w.app.state.db.outbox_mail(&mail.id).await.unwrap().unwrap();
    assert_eq!(
        (after.sent_at, after.failed_at, after.attempts),
        (None, None, 1)
    );
    assert!(after.last_error.is_some());
    let pending = w.app.state.db.pending_jobs().await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].job.next_at, t0().as_second() + 60);
    assert_eq!(pending[0].job.attempts, 1);
    // A minute after the first attempt it goes.
    let moved = w.clock_to("2026-11-30T10:01:00+01:00").await;
    assert_eq!(
        moved["fired"],
        json!([{"kind": "outbox.send", "id": mail.id, "at": "2026-11-30T10:01:00+01:00"}])
    );
    let received = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["sm@provider.example"]);
    let after = w.app.state.db.outbox_mail(&mail.id).await.unwrap().unwrap();
    assert_eq!(
        (after.sent_at, after.attempts),
        (Some(t0().as_second() + 60), 2)
    );
    assert!(w.app.state.db.pending_jobs().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_approval_on_the_start_date_activates_at_once() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    // Today in Brussels is 30 November 2026.
    let id = w.request("pa", small_request("P-A", "2026-11-30")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = w.decide("sm", &id, "approve", None).await;
    assert_eq!(doc["state"], "active");
    assert_eq!(
        history(&doc),
        [
            step("request", None, "requested", "admin@p-a.example"),
            step(
                "approve",
                Some("requested"),
                "approved",
                "sm@provider.example"
            ),
            step(
                "activate",
                Some("approved"),
                "active",
                "sm@provider.example"
            ),
        ]
    );
    assert_eq!(doc["history"][2]["at"], "2026-11-30T10:00:00+01:00");
    // No activation job waits; the approved and activated mails are queued, and the partner's
    // consultation on the service's maintenance.
    let pending = w.app.state.db.pending_jobs().await.unwrap();
    assert!(
        pending
            .iter()
            .all(|p| p.job.kind == "outbox.send" || p.job.kind == "maintenance.consult"),
        "{pending:?}"
    );
    assert!(!pending
        .iter()
        .any(|p| p.job.kind == "subscription.activate"));
    let kinds: Vec<String> = w
        .app
        .state
        .db
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "subscription.requested",
            "subscription.approved",
            "subscription.activated"
        ]
    );
    // Small pack, basic level: 150.00 a month and 500.00 once.
    assert_eq!(doc["quote"]["sla"]["level"], "basic");
    assert_eq!(
        doc["quote"]["totals"],
        json!({"month_cents": 15000, "year_cents": 0, "one_off_cents": 50000})
    );
}

#[tokio::test]
async fn bad_requests_are_refused_and_write_nothing() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let live = w.request("pa", small_request("P-A", "2026-12-01")).await;
    let before = w.all().await;
    let mails_before = w.app.state.db.outbox().await.unwrap().len();
    let with = |key: &str, value: Value| {
        let mut body = large_request();
        body[key] = value;
        body
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("unknown pack", with("pack", json!("huge")), "pack"),
        (
            "unknown option",
            with("options", json!(["gold-plating"])),
            "options[0]",
        ),
        (
            "option not for the pack",
            json!({"partner": "P-A", "service": "WEB-HOSTING", "pack": "small",
                   "options": ["extended-support"], "start_date": "2026-12-01"}),
            "options[0]",
        ),
        ("unknown level", with("level", json!("platinum")), "level"),
        ("no quantity", with("quantity", json!(0)), "quantity"),
        (
            "start in the past",
            with("start_date", json!("2026-11-29")),
            "start_date",
        ),
        (
            "end before start",
            with("end_date", json!("2026-11-30")),
            "end_date",
        ),
        (
            "malformed start",
            with("start_date", json!("2026-12-1")),
            "start_date",
        ),
        (
            "impossible start",
            with("start_date", json!("2026-02-30")),
            "start_date",
        ),
        (
            "malformed end",
            with("end_date", json!("31/12/2026")),
            "end_date",
        ),
        ("unknown service", with("service", json!("NOPE")), "service"),
        (
            "draft service",
            json!({"partner": "P-A", "service": "DRAFT-SERVICE", "pack": "only",
                   "options": [], "start_date": "2026-12-01"}),
            "service",
        ),
        ("unknown key", with("colour", json!("red")), "colour"),
    ];
    for (what, body, field) in cases {
        let r = w.post("pa", "/api/v1/subscriptions", body).await;
        assert_eq!(fields(&r), [field], "{what}: {}", text(&r));
    }
    // Another partner, as P-A's admin: 404, as for a partner that does not exist.
    let r = w
        .post(
            "pa",
            "/api/v1/subscriptions",
            small_request("P-B", "2026-12-01"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", text(&r));
    assert_eq!(r.error_code(), "not_found");
    let r = w
        .post(
            "bootstrap",
            "/api/v1/subscriptions",
            small_request("NOPE", "2026-12-01"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", text(&r));
    assert_eq!(r.error_code(), "not_found");
    // A second live subscription of P-A to the same service and pack.
    let r = w
        .post(
            "pa",
            "/api/v1/subscriptions",
            small_request("P-A", "2026-12-05"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    assert_eq!(r.error_code(), "duplicate");
    // The anonymous may not request.
    let r = w
        .call(
            None,
            "POST",
            "/api/v1/subscriptions",
            Some(small_request("P-A", "2026-12-05")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(w.all().await, before);
    assert_eq!(w.app.state.db.outbox().await.unwrap().len(), mails_before);
    assert_eq!(live["state"], "requested");
}

#[tokio::test]
async fn decisions_refuse_what_the_state_machine_and_the_rows_refuse() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let requested = w.request("pa", small_request("P-A", "2026-12-01")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let active = w.request("pa", large_request()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.decide("sm", &active, "approve", None).await;
    w.clock_to("2026-12-01T00:00:00+01:00").await;
    assert_eq!(w.subscription(&active).await["state"], "active");
    let before = w.all().await;
    let uri = |id: &str, d: &str| format!("/api/v1/subscriptions/{id}/{d}");

    // Reject, suspend and terminate say why.
    for (id, decision) in [
        (&requested, "reject"),
        (&active, "suspend"),
        (&active, "terminate"),
    ] {
        let r = w.post("sm", &uri(id, decision), json!({})).await;
        assert_eq!(fields(&r), ["reason"], "{decision}");
        let r = w
            .post("sm", &uri(id, decision), json!({"reason": "  "}))
            .await;
        assert_eq!(fields(&r), ["reason"], "{decision} with a blank reason");
    }
    // A move the state machine refuses: 409 invalid_transition.
    for (id, decision) in [
        (&active, "approve"),
        (&active, "resume"),
        (&requested, "resume"),
    ] {
        let r = w.call(Some("sm"), "POST", &uri(id, decision), None).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{decision}: {}", text(&r));
        assert_eq!(r.error_code(), "invalid_transition");
    }
    let r = w
        .post("sm", &uri(&requested, "suspend"), json!({"reason": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "invalid_transition");
    // Withdraw is the partner admin's; deciding is the service's manager's or an admin's.
    let r = w
        .call(Some("sm"), "POST", &uri(&requested, "withdraw"), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    let r = w
        .call(Some("pa"), "POST", &uri(&requested, "approve"), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    let r = w
        .call(Some("sm-other"), "POST", &uri(&requested, "approve"), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    let r = w
        .call(Some("viewer"), "POST", &uri(&requested, "withdraw"), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    // Another partner's admin does not see it; nor does anyone see a missing one.
    let r = w
        .call(Some("pb"), "POST", &uri(&requested, "withdraw"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", text(&r));
    let r = w
        .call(Some("sm"), "POST", &uri("no-such-id", "approve"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", text(&r));
    // Unknown decisions and keys.
    let r = w
        .call(Some("sm"), "POST", &uri(&requested, "activate"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", text(&r));
    let r = w
        .post("sm", &uri(&requested, "reject"), json!({"why": "x"}))
        .await;
    assert_eq!(fields(&r), ["why"]);
    // An unknown key is a 422 even when null, and before the state machine's 409.
    let r = w
        .post("sm", &uri(&active, "approve"), json!({"": null}))
        .await;
    assert_eq!(fields(&r), [""]);
    // Nothing of that was written.
    assert_eq!(w.all().await, before);

    // The partner admin withdraws its request.
    let doc = w.decide("pa", &requested, "withdraw", None).await;
    assert_eq!(doc["state"], "withdrawn");
    assert_eq!(
        history(&doc)[1],
        step(
            "withdraw",
            Some("requested"),
            "withdrawn",
            "admin@p-a.example"
        )
    );
    // Withdrawn is final; the place is free for a new request.
    let r = w
        .call(Some("sm"), "POST", &uri(&requested, "approve"), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let again = w.request("pa", small_request("P-A", "2026-12-05")).await;
    assert_eq!(again["state"], "requested");
}

#[tokio::test]
async fn a_rejection_keeps_its_reason_and_frees_the_place() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let id = w.request("pa", small_request("P-A", "2026-12-01")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = w
        .decide(
            "sm",
            &id,
            "reject",
            Some(json!({"reason": "No budget line"})),
        )
        .await;
    assert_eq!(doc["state"], "rejected");
    assert_eq!(doc["history"][1]["reason"], "No budget line");
    let again = w.request("pa", small_request("P-A", "2026-12-01")).await;
    assert_eq!(again["state"], "requested");
    assert_ne!(again["id"], doc["id"]);
}

#[tokio::test]
async fn the_lifecycle_after_the_start() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let id = w.request("pa", small_request("P-A", "2026-12-01")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.decide("sm", &id, "approve", None).await;
    w.clock_to("2026-12-01T09:00:00+01:00").await;

    let doc = w
        .decide(
            "sm",
            &id,
            "suspend",
            Some(json!({"reason": "Unpaid invoice"})),
        )
        .await;
    assert_eq!(doc["state"], "suspended");
    let doc = w.decide("sm", &id, "resume", None).await;
    assert_eq!(doc["state"], "active");
    // A termination at the end of the year: still active, the end date set.
    let doc = w
        .decide(
            "sm",
            &id,
            "terminate",
            Some(json!({"reason": "Moving to the cloud", "end_date": "2026-12-31"})),
        )
        .await;
    assert_eq!(doc["state"], "active");
    assert_eq!(doc["end_date"], "2026-12-31");
    let h = history(&doc);
    assert_eq!(
        h[3..],
        [
            step(
                "suspend",
                Some("active"),
                "suspended",
                "sm@provider.example"
            ),
            step("resume", Some("suspended"), "active", "sm@provider.example"),
            step("end-date", Some("active"), "active", "sm@provider.example"),
        ]
    );
    assert_eq!(doc["history"][3]["reason"], "Unpaid invoice");
    assert_eq!(doc["history"][5]["reason"], "Moving to the cloud");
    // The last day of service is 31 December: nothing happens on it…
    let moved = w.clock_to("2026-12-31T23:59:59+01:00").await;
    assert_eq!(moved["fired"], json!([]));
    assert_eq!(w.subscription(&id).await["state"], "active");
    // …and it ends at the next midnight in Brussels.
    let moved = w.clock_to("2027-01-01T00:00:00+01:00").await;
    let fired = moved["fired"].as_array().unwrap();
    assert_eq!(
        fired[0],
        json!({"kind": "subscription.terminate", "id": id, "at": "2027-01-01T00:00:00+01:00"})
    );
    // Then the terminated mail to the partner admin.
    assert_eq!(fired.len(), 2, "{fired:?}");
    assert_eq!(fired[1]["kind"], "outbox.send");
    let doc = w.subscription(&id).await;
    assert_eq!(doc["state"], "terminated");
    assert_eq!(
        history(&doc).last().unwrap(),
        &step("terminate", Some("active"), "terminated", "pacta")
    );
    let last = w.app.state.db.outbox().await.unwrap().pop().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.to.as_str(), last.lang.as_str()),
        ("subscription.terminated", "admin@p-a.example", "fr")
    );
    // Terminated is final.
    let r = w
        .call(
            Some("sm"),
            "POST",
            &format!("/api/v1/subscriptions/{id}/resume"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "invalid_transition");
}

#[tokio::test]
async fn terminating_before_the_start_cancels_at_once() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let id = w.request("pa", small_request("P-A", "2026-12-10")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.decide("sm", &id, "approve", None).await;
    // Not started: an end date before the start is refused; a later one is set, and the
    // subscription still starts at its start date.
    let r = w
        .post(
            "sm",
            &format!("/api/v1/subscriptions/{id}/terminate"),
            json!({"reason": "x", "end_date": "2026-12-09"}),
        )
        .await;
    assert_eq!(fields(&r), ["end_date"]);
    let doc = w
        .decide(
            "sm",
            &id,
            "terminate",
            Some(json!({"reason": "x", "end_date": "2026-12-31"})),
        )
        .await;
    assert_eq!(doc["state"], "approved");
    assert_eq!(doc["end_date"], "2026-12-31");
    assert_eq!(history(&doc).last().unwrap().0, "end-date");
    // The state machine answers before the missing reason: rejecting an approved one is a 409.
    let r = w
        .post(
            "sm",
            &format!("/api/v1/subscriptions/{id}/reject"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "invalid_transition");
    // Without an end date it is cancelled at once.
    let doc = w
        .decide(
            "sm",
            &id,
            "terminate",
            Some(json!({"reason": "Cancelled by the partner"})),
        )
        .await;
    assert_eq!(doc["state"], "terminated");
    assert_eq!(
        history(&doc).last().unwrap(),
        &step(
            "terminate",
            Some("approved"),
            "terminated",
            "sm@provider.example"
        )
    );
    // Its start date passes: the activation job finds nothing to do.
    let moved = w.clock_to("2026-12-10T12:00:00+01:00").await;
    let activations: Vec<&Value> = moved["fired"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "subscription.activate")
        .collect();
    assert_eq!(
        activations,
        [&json!({"kind": "subscription.activate", "id": id, "at": "2026-12-10T00:00:00+01:00"})]
    );
    assert_eq!(w.subscription(&id).await["state"], "terminated");
}

/// WEB-HOSTING as in the small catalogue, published, with the small pack at 175.00 a month.
fn web_hosting_v2() -> Value {
    json!({
        "code": "WEB-HOSTING",
        "category": "hosting",
        "status": "published",
        "name": {"nl": "Websitehosting", "fr": "Hébergement de sites web", "de": "Website-Hosting", "en": "Website hosting"},
        "summary": {"nl": "Hosting en CMS", "fr": "Hébergement et CMS", "de": "Hosting und CMS", "en": "Hosting and CMS"},
        "delivery_models": ["paas", "saas"],
        "service_manager": {"name": "An Peeters", "email": "an.peeters@example.be", "phone": "02 501 00 01"},
        "levels": ["basic", "standard", "critical"],
        "packs": [
            {"code": "small", "name": {"en": "Small", "nl": "Klein"},
             "included": {"sites": 1, "storage_gb": 10},
             "prices": [{"amount_cents": 17500, "period": "month"},
                        {"amount_cents": 50000, "period": "one_off"}],
             "standard_level": "basic"},
            {"code": "large", "name": {"en": "Large", "nl": "Groot"},
             "included": {"sites": 10, "storage_gb": 100},
             "prices": [{"amount_cents": 90000, "period": "month"},
                        {"amount_cents": 1500, "period": "month", "per": "unit", "unit": {"en": "site", "nl": "site"}}],
             "standard_level": "standard"}
        ],
        "options": [
            {"code": "critical-coverage", "name": {"en": "Critical coverage", "nl": "Kritieke dekking"},
             "prices": [{"amount_cents": 40000, "period": "month"}], "sla": {"raise_level": "critical"}},
            {"code": "extended-support", "name": {"en": "Extended support hours", "nl": "Verlengde supporturen"},
             "applies_to": ["large"], "prices": [{"amount_cents": 120000, "period": "year"}],
             "sla": {"targets": {"P3": {"response": "1h", "calendar": "extended-hours"}}}}
        ]
    })
}

#[tokio::test]
async fn a_subscription_keeps_its_version_until_it_is_moved() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let id = w.request("pa", small_request("P-A", "2026-12-01")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.decide("sm", &id, "approve", None).await;
    w.clock_to("2026-12-01T09:00:00+01:00").await;
    // Version 2 of WEB-HOSTING: the small pack costs 175.00 a month instead of 150.00.
    let r = w
        .app
        .write(
            "PUT",
            "/api/v1/services/WEB-HOSTING",
            &web_hosting_v2(),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["version"], 2);
    let catalogue_quote = w
        .post(
            "pa",
            "/api/v1/catalogue/quote",
            json!({"service": "WEB-HOSTING", "pack": "small", "options": [], "quantity": 1}),
        )
        .await
        .json();
    assert_eq!(catalogue_quote["totals"]["month_cents"], 17500);
    // Nothing changes for the subscription: it is agreed on version 1.
    let doc = w.subscription(&id).await;
    assert_eq!(doc["service_version"], 1);
    assert_eq!(doc["quote"]["totals"]["month_cents"], 15000);

    // A version that does not exist, or the one it is on: 422 `version`; none at all too.
    let uri = format!("/api/v1/subscriptions/{id}/move");
    for body in [json!({"version": 9}), json!({"version": 1}), json!({})] {
        let r = w.post("sm", &uri, body.clone()).await;
        assert_eq!(fields(&r), ["version"], "{body}");
    }
    // Only the service's manager or an admin moves it.
    let r = w.post("pa", &uri, json!({"version": 2})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    assert_eq!(w.subscription(&id).await, doc);

    let moved = w
        .decide("sm", &id, "move", Some(json!({"version": 2})))
        .await;
    assert_eq!(moved["service_version"], 2);
    assert_eq!(moved["state"], "active");
    assert_eq!(moved["quote"], catalogue_quote);
    assert_eq!(
        moved["history"].as_array().unwrap().last().unwrap(),
        &json!({"at": "2026-12-01T09:00:00+01:00", "actor": "sm@provider.example",
                "action": "move", "from": "active", "to": "active", "reason": null,
                "from_version": 1, "to_version": 2})
    );
}

#[tokio::test]
async fn who_reads_which_subscriptions() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let a = w.request("pa", small_request("P-A", "2026-12-01")).await;
    let b = w.request("pb", small_request("P-B", "2026-12-01")).await;
    let b_id = b["id"].as_str().unwrap();
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // P-A's viewer: only P-A's, as the list and filtered on P-A; P-B's is not there at all.
    let r = w.get("viewer", "/api/v1/subscriptions").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let list = r.json();
    assert_eq!(ids(&list), [a["id"].as_str().unwrap()]);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0], a);
    let r = w.get("viewer", "/api/v1/subscriptions?partner=P-A").await;
    assert_eq!(ids(&r.json()), [a["id"].as_str().unwrap()]);
    let r = w.get("viewer", "/api/v1/subscriptions?partner=P-B").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", text(&r));
    // Staff see every partner's.
    let r = w.get("helpdesk", "/api/v1/subscriptions").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(ids(&r.json()), [a["id"].as_str().unwrap(), b_id]);
    let r = w.get("helpdesk", "/api/v1/subscriptions?partner=P-B").await;
    assert_eq!(ids(&r.json()), [b_id]);
    let r = w
        .get(
            "helpdesk",
            "/api/v1/subscriptions?state=requested&service=WEB-HOSTING",
        )
        .await;
    assert_eq!(r.json()["total"], 2);
    let r = w
        .get("helpdesk", "/api/v1/subscriptions?state=active")
        .await;
    assert_eq!(r.json()["total"], 0);
    let r = w.get("helpdesk", "/api/v1/subscriptions?state=bogus").await;
    assert_eq!(fields(&r), ["state"]);
    // The anonymous: 401.
    let r = w.call(None, "GET", "/api/v1/subscriptions", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = w
        .call(None, "GET", &format!("/api/v1/subscriptions/{b_id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // One of another partner's is missing, with the body of a missing one.
    let theirs = w
        .get("viewer", &format!("/api/v1/subscriptions/{b_id}"))
        .await;
    let missing_id = "0190a000-0000-7000-8000-000000000000";
    let missing = w
        .get("viewer", &format!("/api/v1/subscriptions/{missing_id}"))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        text(&theirs).replace(b_id, "ID"),
        text(&missing).replace(missing_id, "ID")
    );
    assert_eq!(
        theirs.header("content-type"),
        missing.header("content-type")
    );
    // P-B's own people and staff read it.
    for who in ["pb", "helpdesk", "sm", "prm-a"] {
        let r = w.get(who, &format!("/api/v1/subscriptions/{b_id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", text(&r));
        assert_eq!(r.json(), b);
    }
}

#[tokio::test]
async fn who_may_request() {
    let w = world(on_test_clock(TestApp::new().await)).await;
    let before = w.all().await;
    // P-B's PRM may not request for P-A; P-A's partner user nor its viewer either.
    for who in ["prm-b", "user", "viewer", "sm", "helpdesk"] {
        let r = w
            .post(
                who,
                "/api/v1/subscriptions",
                small_request("P-A", "2026-12-01"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", text(&r));
        assert_eq!(r.error_code(), "forbidden");
    }
    assert_eq!(w.all().await, before);
    // P-A's PRM may, on its behalf; the request is recorded as the PRM's.
    let doc = w.request("prm-a", small_request("P-A", "2026-12-01")).await;
    assert_eq!(doc["state"], "requested");
    assert_eq!(doc["history"][0]["actor"], "prm-a@provider.example");
    // An admin may too, for any partner.
    let doc = w
        .request("bootstrap", small_request("P-B", "2026-12-01"))
        .await;
    assert_eq!(doc["partner"], "P-B");
}
