//! Incidents through the API (issue 10, point 4): declare, read, change the end or the kind with
//! If-Match, post updates; every problem of a body a 422 under its field path, nothing half
//! written; who may write (admin, the service's manager) and who reads (the provider's staff, and
//! a partner's people the incidents of the services their partner subscribes to or did — any
//! other is a 404, as a missing one); the mails of the outbox, one per partner admin of a
//! partner with a running subscription, in the recipient's language. On SQLite, and the life
//! cycle on PostgreSQL too when `PACTA_TEST_POSTGRES_URL` is set.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::subscription::State;
use pacta_core::text::{Lang, Text};
use pacta_store::audit::AuditFilter;
use pacta_store::outbox::OutboxMail;
use pacta_store::subscriptions::{Effects, NewSubscription, Step};
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{small_catalogue, t0, Reply, TestApp, TOKEN};

/// The people of these tests by a short name, with their API tokens. P-A's subscription to
/// WEB-HOSTING is active (its two admins, in Dutch and French, are mailed); P-C's is terminated
/// (it still reads the incidents, and is not mailed); P-B subscribes to nothing.
struct World {
    app: TestApp,
    tokens: HashMap<&'static str, String>,
    a_subscription: String,
}

const MISSING: &str = "01a00000-0000-7000-8000-000000000000";

fn step(action: &'static str, to: State) -> Step {
    Step {
        action,
        to,
        reason: None,
    }
}

impl World {
    async fn new(app: TestApp) -> World {
        let db = &app.state.db;
        let stamp = Stamp::new("test", t0());
        for code in ["P-A", "P-B", "P-C"] {
            db.create_partner(
                &Partner {
                    code: code.into(),
                    name: Text::new().with(Lang::En, code),
                    lang: Lang::En,
                    local_helpdesk: false,
                    prm: None,
                    contacts: vec![],
                },
                stamp,
            )
            .await
            .unwrap();
        }
        let mut tokens = HashMap::new();
        for (who, email, partner, grant, lang) in [
            ("admin", "admin@provider.example", None, "admin", Lang::En),
            (
                "sm-web",
                "sm-web@provider.example",
                None,
                "service-manager:WEB-HOSTING",
                Lang::De,
            ),
            (
                "sm-other",
                "sm-other@provider.example",
                None,
                "service-manager:DIGITAL-WORKPLACE",
                Lang::En,
            ),
            (
                "agent",
                "agent@provider.example",
                None,
                "helpdesk-agent",
                Lang::En,
            ),
            (
                "prober",
                "prober@provider.example",
                None,
                "prober",
                Lang::En,
            ),
            (
                "a-viewer",
                "viewer@p-a.example",
                Some("P-A"),
                "viewer",
                Lang::En,
            ),
            (
                "a-admin",
                "admin@p-a.example",
                Some("P-A"),
                "partner-admin",
                Lang::Nl,
            ),
            (
                "a-admin-fr",
                "admin-fr@p-a.example",
                Some("P-A"),
                "partner-admin",
                Lang::Fr,
            ),
            (
                "b-admin",
                "admin@p-b.example",
                Some("P-B"),
                "partner-admin",
                Lang::En,
            ),
            (
                "c-admin",
                "admin@p-c.example",
                Some("P-C"),
                "partner-admin",
                Lang::En,
            ),
        ] {
            db.add_user(
                &User {
                    email: email.into(),
                    name: email.into(),
                    partner: partner.map(Into::into),
                    lang,
                    roles: vec![Grant::parse(grant).unwrap()],
                    disabled: false,
                },
                None,
                stamp,
            )
            .await
            .unwrap();
            let (_, token) = db.create_token(email, "t", None, stamp).await.unwrap();
            tokens.insert(who, token);
        }
        let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
        let mut a_subscription = String::new();
        for (partner, steps) in [
            (
                "P-A",
                vec![
                    step("approve", State::Approved),
                    step("activate", State::Active),
                ],
            ),
            (
                "P-C",
                vec![
                    step("approve", State::Approved),
                    step("activate", State::Active),
                    step("terminate", State::Terminated),
                ],
            ),
        ] {
            let sub = db
                .request_subscription(
                    &NewSubscription {
                        partner: partner.into(),
                        service: "WEB-HOSTING".into(),
                        service_version: version,
                        pack: "small".into(),
                        level: None,
                        options: vec![],
                        quantity: 1,
                        start_date: jiff::civil::date(2026, 11, 1),
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
                &steps,
                None,
                &Effects::default(),
                stamp,
            )
            .await
            .unwrap();
            if partner == "P-A" {
                a_subscription = sub.id;
            }
        }
        World {
            app,
            tokens,
            a_subscription,
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

    async fn declare(&self, who: &str, body: Value) -> Reply {
        self.call(Some(who), "POST", "/api/v1/incidents", Some(body), &[])
            .await
    }

    async fn patch(&self, who: &str, id: &str, body: Value, if_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_match.map(|m| ("if-match", m)).into_iter().collect();
        self.call(
            Some(who),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(body),
            &headers,
        )
        .await
    }

    async fn post_update(&self, who: &str, id: &str, body: Value) -> Reply {
        self.call(
            Some(who),
            "POST",
            &format!("/api/v1/incidents/{id}/updates"),
            Some(body),
            &[],
        )
        .await
    }

    /// An incident declared by admin: its id.
    async fn declared(&self, body: Value) -> String {
        let r = self.declare("admin", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// The ids of the list as `who` sees it.
    async fn listed(&self, who: &str, query: &str) -> Vec<String> {
        let r = self.get(who, &format!("/api/v1/incidents{query}")).await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", text(&r));
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The mails of the outbox about incidents.
    async fn mails(&self) -> Vec<OutboxMail> {
        self.app
            .state
            .db
            .outbox()
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.kind.starts_with("incident."))
            .collect()
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// A `down` incident of WEB-HOSTING that began at 09:15 in Brussels on t0's day (t0 is 10:00).
fn web_down() -> Value {
    json!({"service": "WEB-HOSTING", "kind": "down", "title": "Web hosting unreachable",
           "start": "2026-11-30T08:15:00Z"})
}

async fn life_cycle(w: World) {
    // Declare, with a first update in the author's language (sm-web writes German).
    let mut body = web_down();
    body["update"] = json!({"text": "Wir untersuchen die Ursache."});
    let r = w.declare("sm-web", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let doc = r.json();
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location").unwrap(),
        format!("/api/v1/incidents/{id}")
    );
    assert_eq!(r.header("etag").unwrap(), "\"1\"");
    let update_id = doc["updates"][0]["id"].clone();
    assert_eq!(
        doc,
        json!({
            "id": id, "service": "WEB-HOSTING", "kind": "down", "title": "Web hosting unreachable",
            "start": "2026-11-30T09:15:00+01:00", "end": null, "open": true, "revision": 1,
            "created_by": "sm-web@provider.example", "created_at": "2026-11-30T10:00:00+01:00",
            "updated_at": "2026-11-30T10:00:00+01:00",
            "updates": [{"id": update_id, "at": "2026-11-30T10:00:00+01:00", "language": "de",
                         "text": "Wir untersuchen die Ursache.", "author": "sm-web@provider.example"}],
        })
    );
    // Read it, and find it in the list by service and by open.
    let uri = format!("/api/v1/incidents/{id}");
    let r = w.get("agent", &uri).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), doc);
    assert_eq!(r.header("etag").unwrap(), "\"1\"");
    assert_eq!(
        w.listed("agent", "?service=WEB-HOSTING").await,
        [id.as_str()]
    );
    assert!(w
        .listed("agent", "?service=DIGITAL-WORKPLACE")
        .await
        .is_empty());
    assert_eq!(w.listed("agent", "?open=true").await, [id.as_str()]);
    assert!(w.listed("agent", "?open=false").await.is_empty());
    let listed = w.get("agent", "/api/v1/incidents").await.json();
    assert_eq!(listed["total"], 1);
    assert!(listed["items"][0].get("updates").is_none());
    assert_eq!(listed["items"][0]["title"], "Web hosting unreachable");
    let r = w.get("agent", "/api/v1/incidents?open=maybe").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["open"].is_string());

    // Change: If-Match required (428), current (412 when stale); the end after the start and
    // not in the future, named when it is not; nothing written then.
    let end = json!({"end": "2026-11-30T09:45:00+01:00"});
    let r = w.patch("sm-web", &id, end.clone(), None).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(r.error_code(), "precondition_required");
    let r = w.patch("sm-web", &id, end.clone(), Some("\"7\"")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    for bad in [
        "2026-11-30T09:15:00+01:00",
        "2026-11-30T08:00:00Z",
        "2026-11-30T10:00:01+01:00",
    ] {
        let r = w
            .patch("sm-web", &id, json!({"end": bad}), Some("\"1\""))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.json()["error"]["fields"]["end"].is_string(), "{bad}");
    }
    let r = w
        .patch(
            "sm-web",
            &id,
            json!({"end": "soon", "title": "x"}),
            Some("*"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["error"]["fields"].clone();
    assert!(
        fields["end"].is_string() && fields["title"].is_string(),
        "{fields}"
    );
    assert_eq!(w.get("agent", &uri).await.json()["revision"], 1);
    let r = w.patch("sm-web", &id, end.clone(), Some("\"1\"")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.header("etag").unwrap(), "\"2\"");
    let changed = r.json();
    assert_eq!(
        (
            &changed["end"],
            &changed["open"],
            &changed["revision"],
            &changed["updates"].as_array().unwrap().len()
        ),
        (
            &json!("2026-11-30T09:45:00+01:00"),
            &json!(false),
            &json!(2),
            &1
        )
    );
    // The kind alone; then open again.
    let r = w
        .patch("admin", &id, json!({"kind": "degraded"}), Some("\"2\""))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        (r.json()["kind"].clone(), r.json()["revision"].clone()),
        (json!("degraded"), json!(3))
    );
    let r = w
        .patch("admin", &id, json!({"end": null}), Some("\"3\""))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(
        (r.json()["end"].clone(), r.json()["open"].clone()),
        (Value::Null, json!(true))
    );
    // A change that changes nothing writes nothing.
    let r = w.patch("admin", &id, json!({}), Some("\"4\"")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("etag").unwrap(), "\"4\"");

    // Updates: in the language given or the author's, the newest last; the revision stays.
    let r = w
        .post_update(
            "admin",
            &id,
            json!({"text": "La cause est trouvée.", "language": "fr"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    assert_eq!(r.header("location").unwrap(), uri);
    let r = w.post_update("admin", &id, json!({"text": "Fixed."})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let updates = r.json()["updates"].clone();
    let seen: Vec<(&str, &str, &str)> = updates
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["language"].as_str().unwrap(),
                u["text"].as_str().unwrap(),
                u["author"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "de",
                "Wir untersuchen die Ursache.",
                "sm-web@provider.example"
            ),
            ("fr", "La cause est trouvée.", "admin@provider.example"),
            ("en", "Fixed.", "admin@provider.example"),
        ]
    );
    assert_eq!(r.json()["revision"], 4);
    assert_eq!(w.get("agent", &uri).await.json()["updates"], updates);
    // An update of an incident that does not exist.
    let r = w.post_update("admin", MISSING, json!({"text": "x"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Every write is in the audit log, by whom.
    let entries = w
        .app
        .state
        .db
        .audit_entries(&AuditFilter {
            kind: Some("incident".into()),
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
            ("create", "sm-web@provider.example"),
            ("post-update", "sm-web@provider.example"),
            ("update", "sm-web@provider.example"),
            ("update", "admin@provider.example"),
            ("update", "admin@provider.example"),
            ("post-update", "admin@provider.example"),
            ("post-update", "admin@provider.example"),
        ]
    );
}

#[tokio::test]
async fn an_incident_is_declared_read_changed_with_if_match_and_updated_sqlite() {
    life_cycle(World::new(TestApp::new().await).await).await;
}

#[tokio::test]
async fn an_incident_is_declared_read_changed_with_if_match_and_updated_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    life_cycle(World::new(app).await).await;
}

#[tokio::test]
async fn every_problem_of_a_declaration_is_a_422_under_its_field_and_nothing_is_written() {
    let w = World::new(TestApp::new().await).await;
    let r = w
        .declare(
            "admin",
            json!({
                "service": "web hosting", "kind": "up", "title": "two\nlines",
                "start": "2026-11-30T08:15:00.250Z", "end": "2026-02-30T10:00:00Z",
                "colour": "red", "update": {"text": " ", "language": "es"},
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.error_code(), "invalid");
    let body = r.json();
    let mut paths: Vec<&str> = body["error"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "colour",
            "end",
            "kind",
            "service",
            "start",
            "title",
            "update.language",
            "update.text"
        ]
    );
    // Nothing given: each required field named.
    let r = w.declare("admin", json!({})).await;
    let fields = r.json()["error"]["fields"].clone();
    for field in ["service", "kind", "title", "start"] {
        assert_eq!(fields[field], "is required", "{fields}");
    }
    // The start in the future; the end before the start; a title too long.
    for (change, field) in [
        (json!({"start": "2026-11-30T10:00:01+01:00"}), "start"),
        (json!({"end": "2026-11-30T09:00:00+01:00"}), "end"),
        (json!({"title": "x".repeat(201)}), "title"),
    ] {
        let mut body = web_down();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = w.declare("admin", body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            r.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            text(&r)
        );
    }
    // A service that is not in the catalogue: named, and neither written nor mailed.
    let mut body = web_down();
    body["service"] = "NOPE".into();
    body["update"] = json!({"text": "x"});
    let r = w.declare("admin", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["service"]
        .as_str()
        .unwrap()
        .contains("NOPE"));
    assert!(w.listed("admin", "").await.is_empty());
    assert!(w.mails().await.is_empty());
    // An update without text, in an unknown language.
    let id = w.declared(web_down()).await;
    let r = w
        .post_update("admin", &id, json!({"language": "EN", "author": "me"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = r.json()["error"]["fields"].clone();
    for field in ["text", "language", "author"] {
        assert!(fields[field].is_string(), "{field}: {fields}");
    }
    assert_eq!(
        w.get("admin", &format!("/api/v1/incidents/{id}"))
            .await
            .json()["updates"],
        json!([])
    );
    // Not JSON, and not an object.
    let r = w
        .call(
            Some("admin"),
            "POST",
            "/api/v1/incidents",
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
        ("GET", "/api/v1/incidents"),
        ("POST", "/api/v1/incidents"),
        ("GET", "/api/v1/incidents/x"),
        ("PATCH", "/api/v1/incidents/x"),
        ("POST", "/api/v1/incidents/x/updates"),
    ] {
        let body = (method != "GET").then(web_down);
        let r = w.call(None, method, uri, body, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
    }
    // The manager of another service, the helpdesk, the prober and a partner's people: 403.
    for who in [
        "sm-other", "agent", "prober", "a-admin", "a-viewer", "b-admin",
    ] {
        let r = w.declare(who, web_down()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", text(&r));
    }
    // The bootstrap token and the service's manager may.
    let r = w.declare("bootstrap", web_down()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let r = w.declare("sm-web", web_down()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let id = r.json()["id"].as_str().unwrap().to_owned();
    // The manager of another service and P-A's people see it and may not change it.
    for who in ["sm-other", "a-admin", "a-viewer"] {
        let r = w
            .patch(who, &id, json!({"kind": "degraded"}), Some("*"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
        let r = w.post_update(who, &id, json!({"text": "mine"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    // The prober is no staff: it reads no incident.
    let r = w.get("prober", "/api/v1/incidents").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w.get("prober", &format!("/api/v1/incidents/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_partners_people_read_the_incidents_of_what_they_subscribe_to_and_nothing_else() {
    let w = World::new(TestApp::new().await).await;
    let web = w.declared(web_down()).await;
    let mut other = web_down();
    other["service"] = "DIGITAL-WORKPLACE".into();
    let workplace = w.declared(other).await;
    // P-A (active) and P-C (terminated) read WEB-HOSTING's; the staff every one.
    for who in ["a-viewer", "a-admin", "c-admin"] {
        assert_eq!(w.listed(who, "").await, [web.as_str()], "{who}");
        let r = w.get(who, &format!("/api/v1/incidents/{web}")).await;
        assert_eq!(r.status, StatusCode::OK, "{who}");
        assert_eq!(r.json()["title"], "Web hosting unreachable");
    }
    assert_eq!(w.listed("agent", "").await.len(), 2);
    // Another service's incident is missing to them, exactly as one that does not exist.
    let hidden = w
        .get("a-viewer", &format!("/api/v1/incidents/{workplace}"))
        .await;
    let absent = w
        .get("a-viewer", &format!("/api/v1/incidents/{MISSING}"))
        .await;
    assert_eq!(
        (hidden.status, absent.status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(
        text(&hidden).replace(&workplace, "ID"),
        text(&absent).replace(MISSING, "ID")
    );
    // P-B subscribes to nothing: it sees no incident, and every route on one is a 404.
    assert!(w.listed("b-admin", "").await.is_empty());
    for id in [&web, &workplace] {
        let r = w.get("b-admin", &format!("/api/v1/incidents/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
        let r = w
            .patch("b-admin", id, json!({"kind": "degraded"}), Some("*"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
        let r = w.post_update("b-admin", id, json!({"text": "x"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(
            text(&r).replace(id.as_str(), "ID"),
            text(
                &w.post_update("b-admin", MISSING, json!({"text": "x"}))
                    .await
            )
            .replace(MISSING, "ID")
        );
    }
}

#[tokio::test]
async fn a_declaration_and_each_update_are_mailed_to_the_running_subscribers_admins() {
    let w = World::new(TestApp::new().await).await;
    let mut body = web_down();
    body["update"] = json!({"text": "We are investigating.\n\nMore soon.", "language": "en"});
    let id = w.declared(body).await;
    // P-A's two admins, each in their language; not its viewer, not P-B, not P-C (terminated).
    let mails = w.mails().await;
    let mut to: Vec<(&str, &str, &str)> = mails
        .iter()
        .map(|m| (m.kind.as_str(), m.to.as_str(), m.lang.as_str()))
        .collect();
    to.sort_unstable();
    assert_eq!(
        to,
        [
            ("incident.declared", "admin-fr@p-a.example", "fr"),
            ("incident.declared", "admin@p-a.example", "nl"),
        ]
    );
    let nl = mails.iter().find(|m| m.lang == "nl").unwrap();
    let fr = mails.iter().find(|m| m.lang == "fr").unwrap();
    assert!(nl.subject.starts_with("Incident bij "), "{}", nl.subject);
    assert!(
        nl.subject.ends_with("Web hosting unreachable"),
        "{}",
        nl.subject
    );
    assert!(fr.subject.starts_with("Incident sur "), "{}", fr.subject);
    assert_eq!(nl.partner.as_deref(), Some("P-A"));
    // What it says: the kind, the start in Brussels, the update as written, the reference and a
    // link to the partner's subscription.
    assert!(
        nl.text.contains("De dienst is onbeschikbaar"),
        "{}",
        nl.text
    );
    assert!(nl.text.contains("30 november 2026, 09:15"), "{}", nl.text);
    assert!(
        nl.text.contains("We are investigating.\n\nMore soon."),
        "{}",
        nl.text
    );
    assert!(nl.text.contains(&id), "{}", nl.text);
    assert!(
        nl.text
            .contains(&format!("/nl/subscriptions/{}", w.a_subscription)),
        "{}",
        nl.text
    );
    assert!(nl.html.contains("<p>More soon.</p>"), "{}", nl.html);
    assert!(
        fr.text.contains("Le service est indisponible"),
        "{}",
        fr.text
    );
    // Each update: one more mail each, with its text; a change of the end or the kind none.
    let r = w
        .patch(
            "admin",
            &id,
            json!({"end": "2026-11-30T09:50:00+01:00"}),
            Some("*"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(w.mails().await.len(), 2);
    let r = w
        .post_update("admin", &id, json!({"text": "Opgelost <b>om</b> 09:50."}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let updates: Vec<OutboxMail> = w
        .mails()
        .await
        .into_iter()
        .filter(|m| m.kind == "incident.updated")
        .collect();
    assert_eq!(updates.len(), 2);
    let nl = updates.iter().find(|m| m.lang == "nl").unwrap();
    assert!(
        nl.subject.starts_with("Update van het incident bij "),
        "{}",
        nl.subject
    );
    assert!(nl.text.contains("Opgelost <b>om</b> 09:50."), "{}", nl.text);
    assert!(
        nl.text.contains("tot 30 november 2026, 09:50"),
        "{}",
        nl.text
    );
    assert!(
        nl.html.contains("Opgelost &lt;b&gt;om&lt;/b&gt; 09:50."),
        "{}",
        nl.html
    );
    // Each queued mail has its send job.
    let jobs = w.app.state.db.pending_jobs().await.unwrap();
    for mail in w.mails().await {
        assert!(
            jobs.iter()
                .any(|j| j.job.kind == "outbox.send" && j.job.subject == mail.id),
            "{}",
            mail.id
        );
    }
}
