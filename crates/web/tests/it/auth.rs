//! Who may call what (issue 8): API tokens of users with roles, the bootstrap admin token,
//! refused credentials, and the security headers of every answer.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::text::{Lang, Text};
use pacta_store::{Scope, Stamp};
use serde_json::json;

use crate::support::{t0, Reply, TestApp, TOKEN};

fn stamp() -> Stamp<'static> {
    Stamp::new("test", t0())
}

/// The small catalogue, a partner P-A, and users with the given roles; their API tokens.
async fn app_with_users(users: &[(&str, Option<&str>, &[&str])]) -> (TestApp, Vec<String>) {
    let app = TestApp::new().await;
    let db = &app.state.db;
    db.create_partner(
        &Partner {
            code: "P-A".into(),
            name: Text::new().with(Lang::En, "A"),
            lang: Lang::En,
            local_helpdesk: true,
            prm: None,
            contacts: vec![],
        },
        stamp(),
    )
    .await
    .unwrap();
    let mut tokens = Vec::new();
    for (email, partner, roles) in users {
        let user = User {
            email: (*email).into(),
            name: (*email).into(),
            partner: partner.map(Into::into),
            lang: Lang::En,
            roles: roles.iter().map(|r| Grant::parse(r).unwrap()).collect(),
            disabled: false,
        };
        db.add_user(&user, None, stamp()).await.unwrap();
        let (_, token) = db
            .create_token(email, "test", Some(t0().as_second() + 3600), stamp())
            .await
            .unwrap();
        tokens.push(token);
    }
    (app, tokens)
}

async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    app.send(req.unwrap()).await
}

#[tokio::test]
async fn me_says_who_is_calling() {
    let (app, tokens) =
        app_with_users(&[("agent@provider.example", None, &["helpdesk-agent"])]).await;
    assert_eq!(
        call(&app, "GET", "/api/v1/me", None, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let me = call(&app, "GET", "/api/v1/me", Some(&tokens[0]), None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.json(),
        json!({"email": "agent@provider.example", "name": "agent@provider.example", "partner": null,
               "lang": "en", "roles": [{"role": "helpdesk-agent", "scope": []}], "disabled": false})
    );
    let boot = call(&app, "GET", "/api/v1/me", Some(TOKEN), None).await;
    assert_eq!(boot.json()["email"], "bootstrap");
    assert_eq!(
        boot.json()["roles"],
        json!([{"role": "admin", "scope": []}])
    );
}

#[tokio::test]
async fn catalogue_writes_follow_the_roles() {
    let (app, tokens) = app_with_users(&[
        ("editor@provider.example", None, &["catalogue-editor"]),
        (
            "sm@provider.example",
            None,
            &["service-manager:DRAFT-SERVICE"],
        ),
        ("admin@p-a.example", Some("P-A"), &["partner-admin"]),
    ])
    .await;
    let (editor, sm, partner) = (&tokens[0], &tokens[1], &tokens[2]);
    let category = json!({"code": "advice", "name": {"en": "Advice"}});
    let r = call(
        &app,
        "POST",
        "/api/v1/categories",
        Some(partner),
        Some(&category),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.error_code(), "forbidden");
    let r = call(&app, "POST", "/api/v1/categories", None, Some(&category)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(
        &app,
        "POST",
        "/api/v1/categories",
        Some(editor),
        Some(&category),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // The audit log names the user who wrote.
    let audit = app
        .state
        .db
        .audit_entries(&pacta_store::audit::AuditFilter {
            kind: Some("category".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.last().unwrap().actor, "editor@provider.example");

    // A service manager reads and edits the draft of its service, but does not publish.
    let r = call(
        &app,
        "GET",
        "/api/v1/services/DRAFT-SERVICE",
        Some(sm),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(
        &app,
        "GET",
        "/api/v1/services/DRAFT-SERVICE",
        Some(partner),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "a draft is not the public's"
    );
    let list = call(
        &app,
        "GET",
        "/api/v1/services?include=draft",
        Some(sm),
        None,
    )
    .await;
    let codes: Vec<String> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(codes.contains(&"DRAFT-SERVICE".to_owned()), "{codes:?}");
    let r = call(
        &app,
        "GET",
        "/api/v1/services?include=draft",
        Some(partner),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut req = Request::post("/api/v1/services/DRAFT-SERVICE/publish")
        .header(header::AUTHORIZATION, format!("Bearer {sm}"))
        .header(header::IF_MATCH, "\"1\"");
    let r = app.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    req = Request::post("/api/v1/services/DRAFT-SERVICE/publish")
        .header(header::AUTHORIZATION, format!("Bearer {editor}"))
        .header(header::IF_MATCH, "\"1\"");
    let r = app.send(req.body(Body::empty()).unwrap()).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[tokio::test]
async fn refused_credentials_are_refused_everywhere() {
    let (app, tokens) = app_with_users(&[
        ("a@provider.example", None, &["admin"]),
        ("b@provider.example", None, &["admin"]),
        ("c@provider.example", None, &["admin"]),
    ])
    .await;
    let db = &app.state.db;
    // Valid: a read and a write.
    assert_eq!(
        call(&app, "GET", "/api/v1/services", Some(&tokens[0]), None)
            .await
            .status,
        StatusCode::OK
    );
    // Revoked.
    let id = db.list_tokens(Some("a@provider.example")).await.unwrap()[0]
        .id
        .clone();
    db.revoke_token(&id, stamp()).await.unwrap();
    // Of a disabled user.
    db.set_user_disabled("b@provider.example", true, stamp())
        .await
        .unwrap();
    for token in [&tokens[0], &tokens[1], &"pacta_unknown".to_owned()] {
        let r = call(&app, "GET", "/api/v1/services", Some(token), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(r.error_code(), "unauthorized");
    }
    // Expired: valid until an hour after t0.
    assert_eq!(
        call(&app, "GET", "/api/v1/me", Some(&tokens[2]), None)
            .await
            .status,
        StatusCode::OK
    );
    app.clock.advance(jiff::SignedDuration::from_hours(1));
    assert_eq!(
        call(&app, "GET", "/api/v1/me", Some(&tokens[2]), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Another scheme than Bearer.
    let r = app
        .send(
            Request::get("/api/v1/services")
                .header(header::AUTHORIZATION, "Basic YTpi")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The token's last use is recorded.
    let c = db.list_tokens(Some("c@provider.example")).await.unwrap();
    assert_eq!(c[0].last_used_at, Some(t0().as_second()));
    assert!(
        db.user(Scope::All, "b@provider.example")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in ["/en/catalogue", "/api/v1/services"] {
        let r = app.get(path).await;
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(
            r.header("strict-transport-security").is_none(),
            "plain http: no HSTS"
        );
    }
    let https = TestApp {
        state: app
            .state
            .clone()
            .with_public_url("https://pacta.example.be"),
        clock: app.clock.clone(),
        bearer: TOKEN.to_owned(),
    };
    let r = https.get("/en/catalogue").await;
    assert!(r
        .header("strict-transport-security")
        .unwrap()
        .starts_with("max-age="));
}
