//! The walls between partners (issue 8), as a matrix over every route: the API's operations
//! from the OpenAPI document and the pages from `pacta_web::ui::route_table()`. Every route has
//! a rule here — a route added without one fails this test:
//!
//! - `Public`: anyone, the anonymous included;
//! - `SignedIn`: any signed-in user (the anonymous: 401 on the API, the sign-in page for pages);
//! - `Provider`: refused to a partner's viewer (403; the anonymous as above);
//! - `Partner`: an object of partner P-A, asked for by P-B's partner admin: 404 with the very
//!   body a missing object gets (its code aside).
//!
//! Run on SQLite, and on PostgreSQL when `PACTA_TEST_POSTGRES_URL` is set.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::text::{Lang, Text};
use pacta_store::{Scope, Stamp};
use serde_json::json;

use crate::support::{small_catalogue, t0, Reply, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Public,
    SignedIn,
    Provider,
    Partner,
}

/// How a route is called: its rule, the path with P-A's object (for `Partner`, also the path of
/// a missing one), and a body.
struct Case {
    rule: Rule,
    path: String,
    missing: String,
    body: Option<String>,
}

fn case(rule: Rule, path: &str) -> Case {
    Case {
        rule,
        path: path.to_owned(),
        missing: String::new(),
        body: None,
    }
}

fn partner_case(path: &str, missing: &str) -> Case {
    Case {
        rule: Rule::Partner,
        path: path.to_owned(),
        missing: missing.to_owned(),
        body: None,
    }
}

/// The people of the matrix and what identifies them.
struct World {
    app: TestApp,
    viewer_token: String,
    b_admin_token: String,
    viewer_session: String,
    b_admin_session: String,
    a_token_id: String,
    /// A subscription of P-A.
    a_subscription: String,
    /// A monitor of P-A's subscription.
    a_monitor: String,
    /// An incident of WEB-HOSTING, which P-B does not subscribe to.
    a_incident: String,
    /// A maintenance window on which P-A is consulted, P-B not.
    a_maintenance: String,
    /// A ticket of P-A.
    a_ticket: String,
}

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
    for (email, partner, role) in [
        ("viewer@p-a.example", "P-A", "viewer"),
        ("admin@p-a.example", "P-A", "partner-admin"),
        ("admin@p-b.example", "P-B", "partner-admin"),
    ] {
        db.add_user(
            &User {
                email: email.into(),
                name: email.into(),
                partner: Some(partner.into()),
                lang: Lang::En,
                roles: vec![Grant::parse(role).unwrap()],
                disabled: false,
            },
            None,
            stamp,
        )
        .await
        .unwrap();
    }
    let (_, viewer_token) = db
        .create_token("viewer@p-a.example", "t", None, stamp)
        .await
        .unwrap();
    let (_, b_admin_token) = db
        .create_token("admin@p-b.example", "t", None, stamp)
        .await
        .unwrap();
    let (a_token_id, _) = db
        .create_token("admin@p-a.example", "t", None, stamp)
        .await
        .unwrap();
    let viewer_session = db
        .create_session("viewer@p-a.example", stamp)
        .await
        .unwrap();
    let b_admin_session = db.create_session("admin@p-b.example", stamp).await.unwrap();
    assert!(db
        .user(Scope::All, "admin@p-a.example")
        .await
        .unwrap()
        .is_some());
    let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
    let a_subscription = db
        .request_subscription(
            &pacta_store::subscriptions::NewSubscription {
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
            &Default::default(),
            stamp,
        )
        .await
        .unwrap()
        .id;
    let a_monitor = db
        .create_monitor(
            &pacta_core::monitor::read_monitor(&pacta_core::catalogue::document::Node::from_json(
                &json!({"code": "p-a-web", "name": {"en": "P-A's web"}, "subscription": a_subscription,
                        "kind": "tcp", "settings": {"host": "p-a.example.invalid", "port": 443}}),
            ))
            .unwrap(),
            stamp,
        )
        .await
        .unwrap()
        .id;
    let a_incident = crate::support::add_incident(&app).await;
    let a_maintenance = crate::support::add_maintenance(&app, &["P-A"]).await;
    let a_ticket = db
        .create_ticket(
            &pacta_store::tickets::NewTicket {
                partner: "P-A".into(),
                subscription: a_subscription.clone(),
                service: "WEB-HOSTING".into(),
                kind: pacta_core::ticket::Kind::Incident,
                impact: pacta_core::ticket::Grade::Low,
                urgency: pacta_core::ticket::Grade::Low,
                priority: pacta_core::ticket::Priority::P4,
                major_incident: false,
                title: "Slow".into(),
                body: "Slow".into(),
                requester: "admin@p-a.example".into(),
            },
            |_| pacta_store::tickets::Derived {
                status: pacta_core::ticket::Status::New,
                priority: pacta_core::ticket::Priority::P4,
                major_incident: false,
                clocks: json!({}),
                queue_at: None,
            },
            |_| (vec![], vec![]),
            stamp,
        )
        .await
        .unwrap()
        .reference;
    World {
        app,
        a_ticket,
        a_maintenance,
        a_subscription,
        a_monitor,
        a_incident,
        viewer_token,
        b_admin_token,
        viewer_session,
        b_admin_session,
        a_token_id,
    }
}

/// A maintenance window's body (a proposal, a reschedule).
fn window_body() -> String {
    json!({"service": "WEB-HOSTING", "start": "2026-12-27T02:00", "end": "2026-12-27T04:00",
           "title": {"en": "Storage"}})
    .to_string()
}

/// The rule of every API operation.
fn api_case(w: &World, method: &str, path: &str) -> Option<Case> {
    use Rule::*;
    let c = match (method, path) {
        ("get", "/api/v1/categories")
        | ("get", "/api/v1/service-levels")
        | ("get", "/api/v1/profile")
        | ("get", "/api/v1/services")
        | ("post", "/api/v1/catalogue/quote") => case(Public, path),
        ("get", "/api/v1/services/{code}") | ("get", "/api/v1/services/{code}/versions") => {
            case(Public, &path.replace("{code}", "WEB-HOSTING"))
        }
        ("post", "/api/v1/categories")
        | ("post", "/api/v1/service-levels")
        | ("post", "/api/v1/services")
        | ("post", "/api/v1/partners")
        | ("get", "/api/v1/users")
        | ("get", "/api/v1/audit") => case(Provider, path),
        ("put", "/api/v1/categories/{code}") => case(Provider, &path.replace("{code}", "hosting")),
        ("put", "/api/v1/service-levels/{code}") => {
            case(Provider, &path.replace("{code}", "standard"))
        }
        ("put", "/api/v1/services/{code}")
        | ("post", "/api/v1/services/{code}/publish")
        | ("post", "/api/v1/services/{code}/retire") => {
            case(Provider, &path.replace("{code}", "WEB-HOSTING"))
        }
        ("get", "/api/v1/me")
        | ("get", "/api/v1/partners")
        | ("get", "/api/v1/tokens")
        | ("post", "/api/v1/tokens")
        | ("get", "/api/v1/subscriptions")
        | ("get", "/api/v1/monitors")
        | ("get", "/api/v1/incidents")
        | ("get", "/api/v1/maintenance") => case(SignedIn, path),
        ("get", "/api/v1/maintenance/{id}") => partner_case(
            &path.replace("{id}", &w.a_maintenance),
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        ("post", "/api/v1/maintenance") => Case {
            body: Some(window_body()),
            ..case(Provider, path)
        },
        ("post", "/api/v1/maintenance/{id}/answers")
        | ("post", "/api/v1/maintenance/{id}/override")
        | ("post", "/api/v1/maintenance/{id}/reschedule")
        | ("post", "/api/v1/maintenance/{id}/cancel") => Case {
            body: match path.rsplit('/').next() {
                Some("answers") => Some(json!({"answer": "agree"}).to_string()),
                Some("override") => {
                    Some(json!({"partner": "P-A", "justification": "x"}).to_string())
                }
                Some("reschedule") => Some(window_body()),
                _ => None,
            },
            ..partner_case(
                &path.replace("{id}", &w.a_maintenance),
                &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
            )
        },
        ("get", "/api/v1/tickets") | ("get", "/api/v1/compliance") => case(SignedIn, path),
        ("get", "/api/v1/queue")
        | ("get", "/api/v1/oncall/roster")
        | ("get", "/api/v1/oncall/who") => case(Provider, path),
        ("put", "/api/v1/oncall/roster") => Case {
            body: Some(
                json!({"rotation": "weekly", "handover": "mon 08:00", "users": []}).to_string(),
            ),
            ..case(Provider, path)
        },
        ("post", "/api/v1/oncall/pages/{id}/ack") => case(
            Provider,
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        ("post", "/api/v1/oncall/overrides") => Case {
            body: Some(
                json!({"user": "x@provider.example", "from": "2026-12-24T17:00:00Z",
                       "to": "2026-12-26T08:00:00Z"})
                .to_string(),
            ),
            ..case(Provider, path)
        },
        ("post", "/api/v1/tickets") => Case {
            body: Some(
                json!({"subscription": w.a_subscription, "kind": "incident", "impact": "low",
                       "urgency": "low", "title": "Slow", "body": "Slow"})
                .to_string(),
            ),
            ..case(Provider, path)
        },
        ("get", "/api/v1/tickets/{ref}")
        | ("post", "/api/v1/tickets/{ref}/comments")
        | ("post", "/api/v1/tickets/{ref}/status")
        | ("post", "/api/v1/tickets/{ref}/priority")
        | ("post", "/api/v1/tickets/{ref}/escalate") => Case {
            body: match path.rsplit('/').next() {
                Some("comments") => Some(json!({"body": "x"}).to_string()),
                Some("status") => Some(json!({"status": "resolved"}).to_string()),
                Some("priority") => Some(json!({"priority": "P3", "reason": "x"}).to_string()),
                Some("escalate") => Some(json!({"reason": "x"}).to_string()),
                _ => None,
            },
            ..partner_case(
                &path.replace("{ref}", &w.a_ticket),
                &path.replace("{ref}", "T-2026-999999"),
            )
        },
        ("post", "/api/v1/incidents") => Case {
            body: Some(
                json!({"service": "WEB-HOSTING", "kind": "down", "title": "Down",
                       "start": "2026-11-30T08:00:00Z"})
                .to_string(),
            ),
            ..case(Provider, path)
        },
        ("get", "/api/v1/incidents/{id}")
        | ("patch", "/api/v1/incidents/{id}")
        | ("post", "/api/v1/incidents/{id}/updates") => partner_case(
            &path.replace("{id}", &w.a_incident),
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        ("post", "/api/v1/monitors") => Case {
            body: Some(
                json!({"code": "iso-web", "name": {"en": "Web"}, "service": "WEB-HOSTING",
                       "kind": "tcp", "settings": {"host": "web.example.invalid", "port": 443}})
                .to_string(),
            ),
            ..case(Provider, path)
        },
        ("get", "/api/v1/monitors/{id}")
        | ("patch", "/api/v1/monitors/{id}")
        | ("delete", "/api/v1/monitors/{id}") => partner_case(
            &path.replace("{id}", &w.a_monitor),
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        ("post", "/api/v1/monitors/{id}/results") => Case {
            body: Some(json!([{"at": "2026-11-30T08:00:00Z", "ok": true}]).to_string()),
            ..partner_case(
                &path.replace("{id}", &w.a_monitor),
                &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
            )
        },
        ("get", "/api/v1/monitors/{id}/outages") => {
            let window = "?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";
            partner_case(
                &format!("{}{window}", path.replace("{id}", &w.a_monitor)),
                &format!(
                    "{}{window}",
                    path.replace("{id}", "01a00000-0000-7000-8000-000000000000")
                ),
            )
        }
        ("post", "/api/v1/subscriptions") => Case {
            body: Some(
                json!({"partner": "P-A", "service": "WEB-HOSTING", "pack": "small",
                       "quantity": 1, "start_date": "2026-12-20"})
                .to_string(),
            ),
            ..partner_case(path, path)
        },
        ("get", "/api/v1/dashboard") => partner_case(
            &format!("{path}?partner=P-A"),
            &format!("{path}?partner=P-Z"),
        ),
        ("get", "/api/v1/dashboard/services/{code}") => {
            let p = path.replace("{code}", "WEB-HOSTING");
            partner_case(&format!("{p}?partner=P-A"), &format!("{p}?partner=P-Z"))
        }
        ("get", "/api/v1/dashboard/overview") => case(Provider, path),
        ("get", "/api/v1/subscriptions/{id}/availability") => partner_case(
            &format!("{}?month=2026-10", path.replace("{id}", &w.a_subscription)),
            &format!(
                "{}?month=2026-10",
                path.replace("{id}", "01a00000-0000-7000-8000-000000000000")
            ),
        ),
        ("get", "/api/v1/subscriptions/{id}/statements") => partner_case(
            &path.replace("{id}", &w.a_subscription),
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        ("post", "/api/v1/subscriptions/{id}/statements") => Case {
            body: Some(json!({"month": "2026-10", "reason": "late results"}).to_string()),
            ..partner_case(
                &path.replace("{id}", &w.a_subscription),
                &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
            )
        },
        ("get", "/api/v1/subscriptions/{id}") => partner_case(
            &path.replace("{id}", &w.a_subscription),
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        ("post", "/api/v1/subscriptions/{id}/{decision}") => partner_case(
            &path
                .replace("{id}", &w.a_subscription)
                .replace("{decision}", "approve"),
            &path
                .replace("{id}", "01a00000-0000-7000-8000-000000000000")
                .replace("{decision}", "approve"),
        ),
        ("post", "/api/v1/users") => Case {
            body: Some(
                json!({"email": "new@p-a.example", "name": "N", "partner": "P-A",
                       "roles": [{"role": "viewer", "scope": []}]})
                .to_string(),
            ),
            ..partner_case(path, path)
        },
        ("get", "/api/v1/users/{email}") | ("patch", "/api/v1/users/{email}") => partner_case(
            &path.replace("{email}", "admin@p-a.example"),
            &path.replace("{email}", "nobody@p-a.example"),
        ),
        ("get", "/api/v1/partners/{code}/feeds")
        | ("post", "/api/v1/partners/{code}/feeds/regenerate")
        | ("get", "/api/v1/partners/{code}")
        | ("patch", "/api/v1/partners/{code}") => partner_case(
            &path.replace("{code}", "P-A"),
            &path.replace("{code}", "P-Z"),
        ),
        ("delete", "/api/v1/tokens/{id}") => partner_case(
            &path.replace("{id}", &w.a_token_id),
            &path.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        _ => return None,
    };
    Some(c)
}

/// The rule of every page route.
fn page_case(w: &World, method: &str, path: &str) -> Option<Case> {
    use Rule::*;
    let p = path
        .replace("{lang}", "en")
        .replace("{code}", "WEB-HOSTING")
        .replace("{file}", "nothing.css")
        .replace("{token}", "pacta_unknown");
    let c = match (method, path) {
        (_, "/")
        | (_, "/{lang}")
        | (_, "/{lang}/")
        | (_, "/{lang}/catalogue")
        | (_, "/{lang}/catalogue/print")
        | (_, "/{lang}/services/{code}")
        | (_, "/{lang}/services/{code}/print")
        | (_, "/{lang}/services/{code}/quote")
        | (_, "/{lang}/support")
        | (_, "/{lang}/closures")
        | (_, "/{lang}/closures.ics")
        | (_, "/{lang}/accessibility")
        | (_, "/{lang}/privacy")
        | (_, "/{lang}/legal")
        | (_, "/{lang}/login")
        | (_, "/{lang}/logout")
        | (_, "/{lang}/set-password/{token}")
        | (_, "/static/{file}") => case(Public, &p),
        // Public, and a subscription's badge only with its secret (tested apart).
        (_, "/badges/{file}") => case(Public, &p.replace("{file}", "WEB-HOSTING.svg")),
        (_, "/badges/{service}/{file}") => case(
            Public,
            &p.replace("{service}", "WEB-HOSTING")
                .replace("{file}", &format!("{}.svg", w.a_subscription)),
        ),
        (_, "/{lang}/dashboard")
        | (_, "/{lang}/dashboard/strip")
        | (_, "/{lang}/dashboard/services/{code}") => {
            partner_case(&format!("{p}?partner=P-A"), &format!("{p}?partner=P-Z"))
        }
        (_, "/{lang}/admin/overview") => case(Provider, &p),
        (_, "/{lang}/account")
        | (_, "/{lang}/account/password")
        | (_, "/{lang}/account/tokens")
        | ("GET", "/{lang}/admin/partners")
        | (_, "/{lang}/maintenance")
        | (_, "/{lang}/tickets")
        | (_, "/{lang}/compliance")
        | ("GET", "/{lang}/home") => case(SignedIn, &p),
        (_, "/{lang}/tickets/{ref}") | (_, "/{lang}/tickets/{ref}/{what}") => partner_case(
            &p.replace("{ref}", &w.a_ticket).replace("{what}", "comment"),
            &p.replace("{ref}", "T-2026-999999")
                .replace("{what}", "comment"),
        ),
        (_, "/{lang}/queue") | (_, "/{lang}/oncall") | (_, "/{lang}/oncall/{what}") => {
            case(Provider, &p.replace("{what}", "override"))
        }
        (_, "/{lang}/oncall/pages/{id}/ack") => case(
            Provider,
            &p.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        (_, "/{lang}/maintenance/{id}") | (_, "/{lang}/maintenance/{id}/{what}") => partner_case(
            &p.replace("{id}", &w.a_maintenance)
                .replace("{what}", "answer"),
            &p.replace("{id}", "01a00000-0000-7000-8000-000000000000")
                .replace("{what}", "answer"),
        ),
        ("GET", "/{lang}/admin/subscriptions") | ("POST", "/{lang}/services/{code}/subscribe") => {
            case(Provider, &p)
        }
        (_, "/{lang}/subscriptions/{id}")
        | (_, "/{lang}/subscriptions/{id}/{decision}")
        | (_, "/{lang}/subscriptions/{id}/availability") => partner_case(
            &p.replace("{id}", &w.a_subscription)
                .replace("{decision}", "approve"),
            &p.replace("{id}", "01a00000-0000-7000-8000-000000000000")
                .replace("{decision}", "approve"),
        ),
        ("GET", "/{lang}/admin/users")
        | ("POST", "/{lang}/admin/users")
        | ("GET", "/{lang}/my/users")
        | ("POST", "/{lang}/my/users")
        | ("POST", "/{lang}/admin/partners")
        | ("GET", "/{lang}/admin/audit")
        | (_, "/{lang}/admin/monitors")
        | (_, "/{lang}/admin/incidents") => case(Provider, &p),
        (_, "/{lang}/admin/monitors/{id}") | (_, "/{lang}/admin/monitors/{id}/delete") => {
            case(Provider, &p.replace("{id}", &w.a_monitor))
        }
        (_, "/{lang}/admin/incidents/{id}/{what}") => case(
            Provider,
            &p.replace("{id}", &w.a_incident).replace("{what}", "update"),
        ),
        (_, "/{lang}/account/tokens/{id}/revoke") => partner_case(
            &p.replace("{id}", &w.a_token_id),
            &p.replace("{id}", "01a00000-0000-7000-8000-000000000000"),
        ),
        (_, "/{lang}/admin/users/{email}/{what}") | (_, "/{lang}/my/users/{email}/{what}") => {
            partner_case(
                &p.replace("{email}", "admin@p-a.example")
                    .replace("{what}", "disabled"),
                &p.replace("{email}", "nobody@p-a.example")
                    .replace("{what}", "disabled"),
            )
        }
        (_, "/{lang}/admin/partners/{code}")
        | (_, "/{lang}/admin/partners/{code}/contacts")
        | (_, "/{lang}/admin/partners/{code}/contacts/remove") => {
            let p = path.replace("{lang}", "en");
            partner_case(&p.replace("{code}", "P-A"), &p.replace("{code}", "P-Z"))
        }
        _ => return None,
    };
    Some(c)
}

enum Who<'a> {
    Anonymous,
    Token(&'a str),
    Session(&'a str),
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    who: &Who<'_>,
    body: Option<String>,
    form: bool,
) -> Reply {
    let mut req = Request::builder()
        .method(method.to_uppercase().as_str())
        .uri(path);
    let mut form_body = String::new();
    match who {
        Who::Anonymous => {}
        Who::Token(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Who::Session(s) => {
            req = req.header(header::COOKIE, format!("pacta_session={s}"));
            form_body = format!("csrf={}&disabled=yes&index=0&name=X&email=x@x.be&role=security&code=NEWP&roles=viewer", pacta_web::auth::csrf_of(s));
        }
    }
    let req = if form {
        req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form_body))
    } else if let Some(b) = body {
        req.header(header::CONTENT_TYPE, "application/json")
            .header(header::IF_MATCH, "*")
            .body(Body::from(b))
    } else {
        req.header(header::IF_MATCH, "*")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                if method == "get" || method == "delete" || method == "GET" {
                    ""
                } else {
                    "{}"
                },
            ))
    };
    app.send(req.unwrap()).await
}

fn body_text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

async fn matrix(w: World) {
    let app = &w.app;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let mut checked = 0;
    // The API.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let c = api_case(&w, method, path).unwrap_or_else(|| {
                panic!("{method} {path} has no entry in the isolation matrix: add one")
            });
            checked += 1;
            let anon = call(app, method, &c.path, &Who::Anonymous, c.body.clone(), false).await;
            match c.rule {
                Rule::Public => {
                    assert_ne!(anon.status, StatusCode::UNAUTHORIZED, "{method} {path}")
                }
                _ => assert_eq!(
                    anon.status,
                    StatusCode::UNAUTHORIZED,
                    "anonymous {method} {path}: {}",
                    body_text(&anon)
                ),
            }
            match c.rule {
                Rule::Provider => {
                    let r = call(
                        app,
                        method,
                        &c.path,
                        &Who::Token(&w.viewer_token),
                        c.body.clone(),
                        false,
                    )
                    .await;
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "viewer {method} {path}: {}",
                        body_text(&r)
                    );
                }
                Rule::Partner => {
                    let theirs = call(
                        app,
                        method,
                        &c.path,
                        &Who::Token(&w.b_admin_token),
                        c.body.clone(),
                        false,
                    )
                    .await;
                    let missing = call(
                        app,
                        method,
                        &c.missing,
                        &Who::Token(&w.b_admin_token),
                        c.body.clone().map(|b| b.replace("P-A", "P-Z")),
                        false,
                    )
                    .await;
                    assert_eq!(
                        theirs.status,
                        StatusCode::NOT_FOUND,
                        "P-B {method} {}: {}",
                        c.path,
                        body_text(&theirs)
                    );
                    assert_eq!(
                        missing.status,
                        StatusCode::NOT_FOUND,
                        "P-B {method} {}",
                        c.missing
                    );
                    assert_eq!(
                        same_but_codes(&body_text(&theirs)),
                        same_but_codes(&body_text(&missing)),
                        "{method} {path}: another partner's object answers as a missing one"
                    );
                }
                _ => {}
            }
        }
    }
    // The pages.
    for (path, methods, _) in pacta_web::ui::route_table() {
        for method in methods.iter() {
            let c = page_case(&w, method, path).unwrap_or_else(|| {
                panic!("{method} {path} has no entry in the isolation matrix: add one")
            });
            checked += 1;
            let post = *method == "POST";
            let anon = call(app, method, &c.path, &Who::Anonymous, None, post).await;
            match c.rule {
                Rule::Public => {}
                _ => {
                    assert_eq!(
                        anon.status,
                        StatusCode::SEE_OTHER,
                        "anonymous {method} {}",
                        c.path
                    );
                    assert!(
                        anon.header("location")
                            .unwrap()
                            .starts_with("/en/login?next="),
                        "{method} {path}"
                    );
                }
            }
            match c.rule {
                Rule::Provider => {
                    let r = call(
                        app,
                        method,
                        &c.path,
                        &Who::Session(&w.viewer_session),
                        None,
                        post,
                    )
                    .await;
                    assert_eq!(
                        r.status,
                        StatusCode::FORBIDDEN,
                        "viewer {method} {}: {}",
                        c.path,
                        body_text(&r)
                    );
                }
                Rule::Partner => {
                    let theirs = call(
                        app,
                        method,
                        &c.path,
                        &Who::Session(&w.b_admin_session),
                        None,
                        post,
                    )
                    .await;
                    let missing = call(
                        app,
                        method,
                        &c.missing,
                        &Who::Session(&w.b_admin_session),
                        None,
                        post,
                    )
                    .await;
                    assert_eq!(
                        theirs.status,
                        StatusCode::NOT_FOUND,
                        "P-B {method} {}: {}",
                        c.path,
                        body_text(&theirs)
                    );
                    assert_eq!(
                        missing.status,
                        StatusCode::NOT_FOUND,
                        "P-B {method} {}",
                        c.missing
                    );
                    assert_eq!(
                        same_but_codes(&body_text(&theirs)),
                        same_but_codes(&body_text(&missing)),
                        "{method} {path}: another partner's object answers as a missing one"
                    );
                }
                _ => {}
            }
            // A method the table does not list is not routed.
            for other in ["GET", "POST"] {
                if !methods.contains(&other) {
                    let r = call(app, other, &c.path, &Who::Anonymous, None, other == "POST").await;
                    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{other} {path}");
                }
            }
        }
    }
    assert!(checked > 60, "{checked} routes checked");
}

/// A body with the object's code and id written alike, so that "another partner's" and
/// "missing" compare equal when they are the same answer.
fn same_but_codes(body: &str) -> String {
    let mut out = body.to_owned();
    for code in ["P-A", "P-Z", "admin@p-a.example", "nobody@p-a.example"] {
        out = out.replace(code, "OBJECT");
    }
    // A token's id: any UUID; a ticket's reference.
    let re_like: Vec<&str> = out.split('`').collect();
    let uuid = re_like.len() == 3 && re_like[1].len() == 36 && re_like[1].matches('-').count() == 4;
    // A ticket's reference: any `T-YYYY-NNNNNN`.
    let ticket = re_like.len() == 3 && pacta_core::ticket::parse_reference(re_like[1]).is_some();
    if uuid || ticket {
        out = format!("{}`OBJECT`{}", re_like[0], re_like[2]);
    }
    out
}

#[tokio::test]
async fn another_partners_objects_are_missing_on_every_route_sqlite() {
    matrix(world(TestApp::new().await).await).await;
}

#[tokio::test]
async fn another_partners_objects_are_missing_on_every_route_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    matrix(world(app).await).await;
}
