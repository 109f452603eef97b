//! Monitors through the API (issue 10, step 2): create, read, change with If-Match, delete;
//! every problem of a body under its field path; who may write (admin, the service's manager);
//! what a partner's people see (the name and kind of the monitors of what they subscribe to,
//! never the settings; any other monitor is a 404); the prober. On SQLite, and the life cycle on
//! PostgreSQL too when `PACTA_TEST_POSTGRES_URL` is set.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::subscription::State;
use pacta_monitor::scheduler::SinkError;
use pacta_store::audit::AuditFilter;
use pacta_store::subscriptions::{Effects, NewSubscription, Step};
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{small_catalogue, t0, Reply, TestApp, TOKEN};

/// The people of these tests by a short name, with their API tokens; P-A subscribes to
/// WEB-HOSTING (approved), P-B to nothing.
struct World {
    app: TestApp,
    tokens: HashMap<&'static str, String>,
    /// P-A's subscription to WEB-HOSTING.
    a_subscription: String,
}

impl World {
    async fn new(app: TestApp) -> World {
        let db = &app.state.db;
        let stamp = Stamp::new("test", t0());
        let tokens = crate::support::people(
            &app,
            &["P-A", "P-B"],
            &[
                ("admin", "admin@provider.example", None, "admin"),
                (
                    "sm-web",
                    "sm-web@provider.example",
                    None,
                    "service-manager:WEB-HOSTING",
                ),
                (
                    "sm-other",
                    "sm-other@provider.example",
                    None,
                    "service-manager:DIGITAL-WORKPLACE",
                ),
                ("agent", "agent@provider.example", None, "helpdesk-agent"),
                ("prober", "prober@provider.example", None, "prober"),
                ("a-viewer", "viewer@p-a.example", Some("P-A"), "viewer"),
                ("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin"),
                ("b-admin", "admin@p-b.example", Some("P-B"), "partner-admin"),
            ],
        )
        .await;
        let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
        let sub = db
            .request_subscription(
                &NewSubscription {
                    partner: "P-A".into(),
                    service: "WEB-HOSTING".into(),
                    service_version: version,
                    pack: "small".into(),
                    level: None,
                    options: vec![],
                    quantity: 1,
                    start_date: jiff::civil::date(2026, 12, 1),
                    end_date: None,
                },
                &Effects::default(),
                stamp,
            )
            .await
            .unwrap();
        db.transition_subscription(
            &sub.id,
            State::Requested,
            &[Step {
                action: "approve",
                to: State::Approved,
                reason: None,
            }],
            None,
            &Effects::default(),
            stamp,
        )
        .await
        .unwrap();
        World {
            app,
            tokens,
            a_subscription: sub.id,
        }
    }

    /// `method uri` as `who` (None: anonymous), with a JSON body or none, and extra headers.
    async fn call(
        &self,
        who: Option<&str>,
        method: &str,
        uri: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(who) = who {
            let token = match who {
                "bootstrap" => TOKEN,
                other => &self.tokens[other],
            };
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
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
        self.call(Some(who), "GET", uri, None, &[]).await
    }

    async fn create(&self, who: &str, body: Value) -> Reply {
        self.call(Some(who), "POST", "/api/v1/monitors", Some(body), &[])
            .await
    }

    async fn patch(&self, who: &str, id: &str, body: Value, if_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_match.map(|m| ("if-match", m)).into_iter().collect();
        self.call(
            Some(who),
            "PATCH",
            &format!("/api/v1/monitors/{id}"),
            Some(body),
            &headers,
        )
        .await
    }

    /// A monitor created by admin: its id.
    async fn made(&self, body: Value) -> String {
        let r = self.create("admin", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// The codes of the list as `who` sees it.
    async fn listed(&self, who: &str, query: &str) -> Vec<String> {
        let r = self.get(who, &format!("/api/v1/monitors{query}")).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", text(&r));
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap().to_owned())
            .collect()
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

fn http_body(code: &str) -> Value {
    json!({
        "code": code, "name": {"en": "Web hosting", "nl": "Webhosting"}, "service": "WEB-HOSTING",
        "kind": "http",
        "settings": {"url": "https://www.example.invalid/health", "expected_statuses": [200, 204],
                     "headers": {"Authorization": "${env:WEB_TOKEN}"}, "body_contains": "ok",
                     "max_latency_ms": 2000},
        "interval": "30s", "timeout": "5s",
    })
}

async fn life_cycle(w: World) {
    // Create: 201, Location, ETag; the whole document back, defaults filled in.
    let r = w.create("admin", http_body("web-health")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let doc = r.json();
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v1/monitors/{id}")
    );
    assert_eq!(r.header("etag").unwrap(), "\"1\"");
    assert_eq!(
        doc,
        json!({
            "id": id, "code": "web-health", "name": {"nl": "Webhosting", "en": "Web hosting"},
            "service": "WEB-HOSTING", "subscription": null, "partner": null, "kind": "http",
            "settings": {"method": "GET", "url": "https://www.example.invalid/health",
                         "headers": {"Authorization": "${env:WEB_TOKEN}"},
                         "expected_statuses": [200, 204], "body_contains": "ok",
                         "max_latency_ms": 2000, "verify_tls": true, "follow_redirects": true},
            "interval": "30s", "timeout": "5s", "failures_before_down": 3,
            "successes_before_up": 2, "stale_after": null, "counts_for_availability": true,
            "revision": 1,
        })
    );
    // Read it, and find it in the list by service (and not under another).
    let r = w.get("agent", &format!("/api/v1/monitors/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), doc);
    assert_eq!(r.header("etag").unwrap(), "\"1\"");
    assert_eq!(
        w.listed("agent", "?service=WEB-HOSTING").await,
        ["web-health"]
    );
    assert!(w
        .listed("agent", "?service=DIGITAL-WORKPLACE")
        .await
        .is_empty());
    // A monitor of P-A's subscription: its service and partner resolved.
    let sub_id = w
        .made(json!({"code": "p-a-mail", "name": {"en": "P-A relay"},
            "subscription": w.a_subscription, "kind": "tcp",
            "settings": {"host": "192.0.2.25", "port": 25}}))
        .await;
    let r = w.get("admin", &format!("/api/v1/monitors/{sub_id}")).await;
    let sub_doc = r.json();
    assert_eq!(
        (
            &sub_doc["service"],
            &sub_doc["subscription"],
            &sub_doc["partner"]
        ),
        (
            &json!("WEB-HOSTING"),
            &json!(w.a_subscription),
            &json!("P-A")
        )
    );
    assert_eq!(
        w.listed("admin", "?service=WEB-HOSTING").await,
        ["p-a-mail", "web-health"]
    );

    // Change: If-Match required (428), current (412 when stale).
    let uri = format!("/api/v1/monitors/{id}");
    let change = json!({"interval": "1m", "stale_after": "3m", "settings": {"url": "https://www.example.invalid/"}});
    let r = w.patch("sm-web", &id, change.clone(), None).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(r.error_code(), "precondition_required");
    let r = w.patch("sm-web", &id, change.clone(), Some("\"7\"")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = w.patch("sm-web", &id, change.clone(), Some("\"1\"")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.header("etag").unwrap(), "\"2\"");
    let changed = r.json();
    assert_eq!(
        (
            &changed["interval"],
            &changed["stale_after"],
            &changed["revision"]
        ),
        (&json!("1m"), &json!("3m"), &json!(2))
    );
    // `settings` is replaced whole: the headers went with the old one.
    assert_eq!(
        changed["settings"],
        json!({"method": "GET", "url": "https://www.example.invalid/", "verify_tls": true, "follow_redirects": true})
    );
    // Null is the default again; the same code is no change of code.
    let r = w
        .patch(
            "admin",
            &id,
            json!({"stale_after": null, "code": "web-health"}),
            Some("\"2\""),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["stale_after"], Value::Null);
    // Another kind needs its own settings.
    let r = w
        .patch("admin", &id, json!({"kind": "dns"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["fields"]["settings.name"].is_string(),
        "{}",
        text(&r)
    );
    let r = w
        .patch(
            "admin",
            &id,
            json!({"kind": "dns", "settings": {"name": "www.example.invalid", "record_type": "AAAA"}}),
            Some("*"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["kind"], "dns");

    // Delete: 204, then gone.
    let r = w.call(Some("sm-web"), "DELETE", &uri, None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", text(&r));
    assert_eq!(w.get("admin", &uri).await.status, StatusCode::NOT_FOUND);
    let r = w.call(Some("admin"), "DELETE", &uri, None, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Every write is in the audit log, by whom, with references only.
    let entries = w
        .app
        .state
        .db
        .audit_entries(&AuditFilter {
            kind: Some("monitor".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let seen: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("create", "admin@provider.example"),
            ("create", "admin@provider.example"),
            ("update", "sm-web@provider.example"),
            ("update", "admin@provider.example"),
            ("update", "admin@provider.example"),
            ("delete", "sm-web@provider.example"),
        ]
    );
    assert!(entries[0]
        .after
        .as_deref()
        .unwrap()
        .contains("${env:WEB_TOKEN}"));
}

#[tokio::test]
async fn a_monitor_is_created_read_changed_with_if_match_and_deleted_sqlite() {
    life_cycle(World::new(TestApp::new().await).await).await;
}

#[tokio::test]
async fn a_monitor_is_created_read_changed_with_if_match_and_deleted_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    life_cycle(World::new(app).await).await;
}

#[tokio::test]
async fn every_problem_of_a_body_is_a_422_under_its_field_path() {
    let w = World::new(TestApp::new().await).await;
    let r = w
        .create(
            "admin",
            json!({
                "code": "Web_1", "name": {"en": " "}, "kind": "http",
                "settings": {"url": "https://me:secret@www.example.invalid/", "method": "FETCH",
                             "headers": {"Authorization": "Bearer s3cret"},
                             "expected_statuses": [200, 200], "body_regex": "(", "port": 80},
                "interval": "5s", "timeout": "5s", "failures_before_down": 0,
                "stale_after": "1s", "counts_for_availability": "yes", "colour": "red",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "invalid");
    let body = r.json();
    let fields = body["error"]["fields"].as_object().unwrap();
    let mut paths: Vec<&str> = fields.keys().map(String::as_str).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "code",
            "colour",
            "counts_for_availability",
            "failures_before_down",
            "interval",
            "name",
            "service",
            "settings.body_regex",
            "settings.expected_statuses[1]",
            "settings.headers.Authorization",
            "settings.method",
            "settings.port",
            "settings.url",
            "stale_after",
        ]
    );
    // A secret is refused, never repeated, and the way to give it is said.
    let secret = fields["settings.headers.Authorization"].as_str().unwrap();
    assert!(secret.contains("${env:NAME}"), "{secret}");
    assert!(!text(&r).contains("s3cret") && !text(&r).contains(":secret@"));
    // References the store checks: an unknown service, a subscription not stored.
    let mut body = http_body("x");
    body["service"] = "NOPE".into();
    let r = w.create("admin", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["service"]
        .as_str()
        .unwrap()
        .contains("NOPE"));
    let mut body = http_body("x");
    body["service"] = Value::Null;
    body["subscription"] = "01a00000-0000-7000-8000-000000000000".into();
    let r = w.create("admin", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["subscription"].is_string());
    // Both, or neither.
    let mut body = http_body("x");
    body["subscription"] = w.a_subscription.clone().into();
    let r = w.create("admin", body).await;
    assert!(r.json()["error"]["fields"]["subscription"].is_string());
    // A taken code is a 409; a change of code a 422; nothing of them written.
    w.made(http_body("taken")).await;
    let r = w.create("admin", http_body("taken")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.error_code(), "duplicate");
    let id = w.made(http_body("other")).await;
    let r = w
        .patch("admin", &id, json!({"code": "renamed"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["code"].is_string());
    let r = w
        .patch("admin", &id, json!({"timeout": "1h"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["timeout"].is_string());
    assert_eq!(
        w.get("admin", &format!("/api/v1/monitors/{id}"))
            .await
            .json()["revision"],
        1
    );
    assert_eq!(w.listed("admin", "").await, ["other", "taken"]);
    // Not JSON, and not an object.
    let r = w
        .call(
            Some("admin"),
            "POST",
            "/api/v1/monitors",
            None,
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = w.patch("admin", &id, json!([1]), Some("*")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn admin_and_the_services_manager_write_nobody_else() {
    let w = World::new(TestApp::new().await).await;
    // The anonymous: 401 on every route.
    for (method, uri) in [
        ("GET", "/api/v1/monitors"),
        ("POST", "/api/v1/monitors"),
        ("GET", "/api/v1/monitors/x"),
        ("DELETE", "/api/v1/monitors/x"),
    ] {
        let body = (method == "POST").then(|| http_body("anon"));
        let r = w.call(None, method, uri, body, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
    }
    // The manager of another service, the helpdesk and the prober: 403 to create.
    for who in ["sm-other", "agent", "prober", "a-admin"] {
        let r = w.create(who, http_body("refused")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", text(&r));
    }
    // The bootstrap token and the service's manager may.
    let r = w.create("sm-web", http_body("by-sm")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = w.create("bootstrap", http_body("by-bootstrap")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    // Changing or deleting: the manager of another service sees it (403), may not touch it.
    let r = w
        .patch("sm-other", &id, json!({"interval": "2m"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call(
            Some("sm-other"),
            "DELETE",
            &format!("/api/v1/monitors/{id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Moving a monitor needs the right over where it goes too.
    let r = w
        .patch(
            "sm-web",
            &id,
            json!({"service": "DIGITAL-WORKPLACE"}),
            Some("*"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", text(&r));
    let r = w
        .patch(
            "admin",
            &id,
            json!({"service": "DIGITAL-WORKPLACE"}),
            Some("*"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    // Now the other manager's: it may, the first one no longer.
    let r = w
        .patch("sm-other", &id, json!({"interval": "2m"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let r = w
        .patch("sm-web", &id, json!({"interval": "3m"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_partners_people_see_names_and_kinds_of_what_they_subscribe_to_and_nothing_else() {
    let w = World::new(TestApp::new().await).await;
    let web = w.made(http_body("web-health")).await;
    let mut other = http_body("workplace");
    other["service"] = "DIGITAL-WORKPLACE".into();
    let workplace = w.made(other).await;
    let own = w
        .made(json!({"code": "p-a-own", "name": {"en": "P-A's own"},
            "subscription": w.a_subscription, "kind": "tls",
            "settings": {"host": "p-a.example.invalid"}}))
        .await;
    // P-A subscribes to WEB-HOSTING: its service's monitor and its own, reduced.
    for who in ["a-viewer", "a-admin"] {
        assert_eq!(w.listed(who, "").await, ["p-a-own", "web-health"], "{who}");
        let r = w.get(who, &format!("/api/v1/monitors/{web}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.json(),
            json!({"id": web, "code": "web-health", "kind": "http", "service": "WEB-HOSTING",
                   "name": {"nl": "Webhosting", "en": "Web hosting"}})
        );
        assert!(!text(&r).contains("example.invalid") && !text(&r).contains("WEB_TOKEN"));
        let r = w.get(who, &format!("/api/v1/monitors/{own}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["kind"], "tls");
        assert!(r.json().get("settings").is_none());
    }
    // What they do not subscribe to is missing, exactly as a monitor that does not exist.
    let missing = "01a00000-0000-7000-8000-000000000000";
    let hidden = w
        .get("a-viewer", &format!("/api/v1/monitors/{workplace}"))
        .await;
    let absent = w
        .get("a-viewer", &format!("/api/v1/monitors/{missing}"))
        .await;
    assert_eq!(
        (hidden.status, absent.status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(
        text(&hidden).replace(&workplace, "ID"),
        text(&absent).replace(missing, "ID")
    );
    // P-B subscribes to nothing: it sees no monitor, P-A's own included.
    assert!(w.listed("b-admin", "").await.is_empty());
    for id in [&web, &own, &workplace] {
        let r = w.get("b-admin", &format!("/api/v1/monitors/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
        let r = w
            .patch("b-admin", id, json!({"interval": "2m"}), Some("*"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
    }
    // P-A sees its monitors, but may not change them (403), nor create one for itself.
    let r = w
        .patch("a-admin", &own, json!({"interval": "2m"}), Some("*"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call(
            Some("a-admin"),
            "DELETE",
            &format!("/api/v1/monitors/{web}"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .create(
            "a-admin",
            json!({"code": "mine", "name": {"en": "Mine"}, "subscription": w.a_subscription,
                   "kind": "tcp", "settings": {"host": "p-a.example.invalid", "port": 22}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Another partner's subscription is not one a partner may name: as missing (422).
    let r = w
        .create(
            "b-admin",
            json!({"code": "theirs", "name": {"en": "Theirs"}, "subscription": w.a_subscription,
                   "kind": "tcp", "settings": {"host": "p-a.example.invalid", "port": 22}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["subscription"]
        .as_str()
        .unwrap()
        .starts_with("no subscription"));
}

#[tokio::test]
async fn the_prober_reads_every_monitor_whole_and_no_partner() {
    let w = World::new(TestApp::new().await).await;
    let web = w.made(http_body("web-health")).await;
    let r = w.get("prober", &format!("/api/v1/monitors/{web}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["settings"]["headers"]["Authorization"],
        "${env:WEB_TOKEN}"
    );
    assert_eq!(w.listed("prober", "").await, ["web-health"]);
    // It is no staff: partners and their subscriptions are not its to know of.
    assert_eq!(
        w.get("prober", "/api/v1/partners/P-A").await.status,
        StatusCode::NOT_FOUND
    );
    let r = w
        .get(
            "prober",
            &format!("/api/v1/subscriptions/{}", w.a_subscription),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

// ------------------------------------------------------------------------------------------------
// Results and outages (issue 10, step 3).
// ------------------------------------------------------------------------------------------------

/// A monitor with the worked example's rule: 30 s, N = 3, M = 2, stale after 60 s.
fn rule_body(code: &str) -> Value {
    json!({"code": code, "name": {"en": "Web health"}, "service": "WEB-HOSTING", "kind": "tcp",
           "settings": {"host": "web.example.invalid", "port": 443}, "interval": "30s",
           "timeout": "5s", "failures_before_down": 3, "successes_before_up": 2,
           "stale_after": "60s"})
}

/// Results of 30 November 2026 (local +01:00) at the given times of day.
fn results(list: &[(&str, bool)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(hms, ok)| json!({"at": format!("2026-11-30T{hms}+01:00"), "ok": ok}))
            .collect(),
    )
}

async fn post_results(w: &World, who: &str, id: &str, body: Value) -> Reply {
    w.call(
        Some(who),
        "POST",
        &format!("/api/v1/monitors/{id}/results"),
        Some(body),
        &[],
    )
    .await
}

async fn ingest_and_read_outages(w: World) {
    let id = w.made(rule_body("web-rule")).await;
    // The worked example in three batches: the outage begins in the first, ends in the second,
    // and a result of the middle arrives last (placed by its instant; sent twice).
    let r = post_results(
        &w,
        "prober",
        &id,
        results(&[
            ("09:00:00", true),
            ("09:00:30", false),
            ("09:01:00", false),
            ("09:01:30", false),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json(), json!({"stored": 4, "duplicates": 0, "late": 0}));
    let r = post_results(
        &w,
        "admin",
        &id,
        results(&[("09:02:30", false), ("09:03:00", true), ("09:03:30", true)]),
    )
    .await;
    assert_eq!(r.json(), json!({"stored": 3, "duplicates": 0, "late": 0}));
    let late = results(&[("09:02:00", true)]);
    let r = post_results(&w, "prober", &id, late.clone()).await;
    assert_eq!(r.json(), json!({"stored": 1, "duplicates": 0, "late": 1}));
    let r = post_results(&w, "prober", &id, late).await;
    assert_eq!(r.json(), json!({"stored": 0, "duplicates": 1, "late": 0}));
    // A different verdict at a stored instant: 409, and nothing of the batch is stored.
    let r = post_results(
        &w,
        "prober",
        &id,
        results(&[("09:03:30", false), ("09:04:00", true)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", text(&r));
    let window = "from=2026-11-30T09:00:00%2B01:00&to=2026-11-30T09:05:00%2B01:00";
    let r = w
        .get(
            "a-viewer",
            &format!("/api/v1/monitors/{id}/outages?{window}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        r.json(),
        json!({
            "outages": [{"start": "2026-11-30T09:00:30+01:00", "end": "2026-11-30T09:03:00+01:00"}],
            "unmonitored": [{"start": "2026-11-30T09:04:30+01:00", "end": "2026-11-30T09:05:00+01:00"}],
            "down_at_end": false,
        })
    );
    // The outage's start and end were mailed to WEB-HOSTING's manager (the results are recent).
    let mails = w.app.state.db.outbox().await.unwrap();
    let kinds: Vec<(&str, &str)> = mails
        .iter()
        .map(|m| (m.kind.as_str(), m.to.as_str()))
        .collect();
    assert!(
        kinds.contains(&("outage.started", "sm-web@provider.example")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("outage.ended", "sm-web@provider.example")),
        "{kinds:?}"
    );
    // The batch is audited once, not result by result.
    let audit = w
        .app
        .state
        .db
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap();
    assert_eq!(
        audit.iter().filter(|e| e.action == "ingest").count(),
        3,
        "three batches stored something"
    );
}

#[tokio::test]
async fn results_are_ingested_placed_by_their_instant_and_give_the_rules_outages_sqlite() {
    ingest_and_read_outages(World::new(TestApp::new().await).await).await;
}

#[tokio::test]
async fn results_are_ingested_placed_by_their_instant_and_give_the_rules_outages_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    ingest_and_read_outages(World::new(app).await).await;
}

/// Results of 30 November 2026 as the probes hand them over.
fn probed(list: &[(&str, bool)]) -> Vec<pacta_core::monitor::CheckResult> {
    list.iter()
        .map(|(hms, ok)| pacta_core::monitor::CheckResult {
            at: pacta_core::sla::instant::parse_instant(&format!("2026-11-30T{hms}+01:00"))
                .unwrap()
                .as_second(),
            ok: *ok,
            latency_ms: Some(20),
            detail: None,
        })
        .collect()
}

async fn probes_write_many_at_once(w: World) {
    use std::sync::Arc;
    let (a, b) = (
        w.made(rule_body("probe-a")).await,
        w.made(rule_body("probe-b")).await,
    );
    let stored = |id: &str| {
        let db = w.app.state.db.clone();
        let id = id.to_owned();
        async move {
            db.monitor(pacta_store::Scope::All, &id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let sink = pacta_web::probes::ingest_sink(
        w.app.state.clone(),
        vec![stored(&a).await, stored(&b).await],
    );
    let batch: Vec<(Arc<str>, Vec<_>)> = vec![
        (
            Arc::from(a.as_str()),
            probed(&[
                ("09:00:00", true),
                ("09:00:30", false),
                ("09:01:00", false),
                ("09:01:30", false),
            ]),
        ),
        (
            Arc::from(b.as_str()),
            probed(&[("09:00:10", true), ("09:00:40", true)]),
        ),
        (Arc::from("mon-deleted"), probed(&[("09:00:10", true)])),
    ];
    let outcomes = sink.write(&batch).await;
    assert_eq!(outcomes[..2], [Ok(()), Ok(())]);
    assert!(
        matches!(outcomes[2], Err(SinkError::Refused(_))),
        "{outcomes:?}"
    );
    // Both monitors' results are stored in one write, audited once; a's outage is mailed.
    let audit = w
        .app
        .state
        .db
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap();
    let ingests: Vec<_> = audit.iter().filter(|e| e.action == "ingest").collect();
    assert_eq!(ingests.len(), 1, "{ingests:?}");
    assert_eq!(
        (ingests[0].actor.as_str(), ingests[0].kind.as_str()),
        ("prober", "monitors")
    );
    let mails = w.app.state.db.outbox().await.unwrap();
    assert!(mails
        .iter()
        .any(|m| m.kind == "outage.started" && m.to == "sm-web@provider.example"));
    let window = "from=2026-11-30T09:00:00%2B01:00&to=2026-11-30T09:02:00%2B01:00";
    let r = w
        .get("admin", &format!("/api/v1/monitors/{a}/outages?{window}"))
        .await;
    assert_eq!(
        r.json()["outages"],
        json!([{"start": "2026-11-30T09:00:30+01:00", "end": null}])
    );

    // b's next results conflict with what the API was sent meanwhile: b's are refused, a's
    // are written all the same.
    let r = post_results(&w, "prober", &b, results(&[("09:01:10", true)])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let batch: Vec<(Arc<str>, Vec<_>)> = vec![
        (
            Arc::from(a.as_str()),
            probed(&[("09:02:00", true), ("09:02:30", true)]),
        ),
        (Arc::from(b.as_str()), probed(&[("09:01:10", false)])),
    ];
    let outcomes = sink.write(&batch).await;
    assert_eq!(outcomes[0], Ok(()));
    assert!(
        matches!(outcomes[1], Err(SinkError::Refused(_))),
        "{outcomes:?}"
    );
    let window = "from=2026-11-30T09:00:00%2B01:00&to=2026-11-30T09:03:00%2B01:00";
    let r = w
        .get("admin", &format!("/api/v1/monitors/{a}/outages?{window}"))
        .await;
    assert_eq!(
        r.json()["outages"],
        json!([{"start": "2026-11-30T09:00:30+01:00", "end": "2026-11-30T09:02:00+01:00"}])
    );
    let mails = w.app.state.db.outbox().await.unwrap();
    assert!(mails
        .iter()
        .any(|m| m.kind == "outage.ended" && m.to == "sm-web@provider.example"));
}

#[tokio::test]
async fn the_probes_write_many_monitors_at_once_and_a_refused_one_alone_sqlite() {
    probes_write_many_at_once(World::new(TestApp::new().await).await).await;
}

#[tokio::test]
async fn the_probes_write_many_monitors_at_once_and_a_refused_one_alone_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    probes_write_many_at_once(World::new(app).await).await;
}

#[tokio::test]
async fn bad_results_and_bad_windows_are_4xx_and_only_admin_and_prober_ingest() {
    let w = World::new(TestApp::new().await).await;
    let id = w.made(rule_body("web-bad")).await;
    let r = post_results(
        &w,
        "prober",
        &id,
        json!([{"at": "2026-11-30T09:00:00+01:00", "ok": true},
               {"at": "2026-11-30T09:00:30.5+01:00", "ok": "yes", "latency": 3},
               {"at": "2201-01-01T00:00:00Z", "ok": true}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    let fields = r.json()["error"]["fields"].clone();
    assert!(
        fields.get("[1].latency").is_some() || fields.get("[1].at").is_some(),
        "{fields}"
    );
    // A NUL or another control character in a detail: a 422, not a database error.
    let r = post_results(
        &w,
        "prober",
        &id,
        json!([{"at": "2026-11-30T09:00:00+01:00", "ok": true, "detail": "a\u{0}b"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("[0].detail"), "{}", text(&r));
    let r = post_results(&w, "prober", &id, json!({"at": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    let r = post_results(
        &w,
        "prober",
        &id,
        json!([{"at": "2201-01-01T00:00:00Z", "ok": true}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    assert!(text(&r).contains("[0].at"), "{}", text(&r));
    // Nothing of the refused batches was stored.
    let seq = w
        .app
        .state
        .db
        .monitor(pacta_store::Scope::All, &id)
        .await
        .unwrap()
        .unwrap()
        .seq;
    let stored = w
        .app
        .state
        .db
        .monitor_results(seq, i64::MIN / 2, i64::MAX / 2, 10)
        .await
        .unwrap();
    assert!(stored.is_empty());
    // Who ingests: admin and the prober; a service manager or a partner's admin does not.
    for who in ["sm-web", "agent", "a-admin", "a-viewer"] {
        let r = post_results(&w, who, &id, results(&[("09:00:00", true)])).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", text(&r));
    }
    let r = w
        .call(
            None,
            "POST",
            &format!("/api/v1/monitors/{id}/results"),
            Some(results(&[("09:00:00", true)])),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Another partner's people do not know the monitor; an unknown monitor is a 404.
    let r = w
        .get(
            "b-admin",
            &format!(
                "/api/v1/monitors/{id}/outages?from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z"
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post_results(
        &w,
        "prober",
        "01a00000-0000-7000-8000-000000000000",
        results(&[("09:00:00", true)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A window: both ends, from before to.
    for query in [
        "",
        "?from=2026-11-30T00:00:00Z",
        "?from=2026-11-30T00:00:00Z&to=2026-11-30T00:00:00Z",
        "?from=2026-11-30&to=2026-12-01T00:00:00Z",
    ] {
        let r = w
            .get("admin", &format!("/api/v1/monitors/{id}/outages{query}"))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            text(&r)
        );
    }
}
