//! `/api/v1/users`, `/partners`, `/tokens` and `/audit` (issue 8): who sees and changes what,
//! and that another partner's data is a 404 exactly as a missing one.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::text::{Lang, Text};
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{t0, Reply, TestApp, TOKEN};

fn stamp() -> Stamp<'static> {
    Stamp::new("test", t0())
}

/// Two partners (P-A, P-B) and people: an admin, a PRM of P-A, a helpdesk agent, P-A's partner
/// admin and viewer, P-B's partner admin. Their tokens, by e-mail.
async fn world() -> (TestApp, std::collections::HashMap<&'static str, String>) {
    let app = TestApp::new().await;
    let db = &app.state.db;
    for code in ["P-A", "P-B"] {
        db.create_partner(
            &Partner {
                code: code.into(),
                name: Text::new().with(Lang::Fr, code),
                lang: Lang::Fr,
                local_helpdesk: true,
                prm: None,
                contacts: vec![],
            },
            stamp(),
        )
        .await
        .unwrap();
    }
    let people: [(&str, Option<&str>, &[&str]); 6] = [
        ("admin@provider.example", None, &["admin"]),
        ("prm@provider.example", None, &["prm:P-A"]),
        ("agent@provider.example", None, &["helpdesk-agent"]),
        ("admin@p-a.example", Some("P-A"), &["partner-admin"]),
        ("viewer@p-a.example", Some("P-A"), &["viewer"]),
        ("admin@p-b.example", Some("P-B"), &["partner-admin"]),
    ];
    let mut tokens = std::collections::HashMap::new();
    for (email, partner, roles) in people {
        db.add_user(
            &User {
                email: email.into(),
                name: email.into(),
                partner: partner.map(Into::into),
                lang: Lang::Fr,
                roles: roles.iter().map(|r| Grant::parse(r).unwrap()).collect(),
                disabled: false,
            },
            None,
            stamp(),
        )
        .await
        .unwrap();
        tokens.insert(
            email,
            db.create_token(email, "t", None, stamp()).await.unwrap().1,
        );
    }
    (app, tokens)
}

async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
    if_match: Option<&str>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if let Some(tag) = if_match {
        req = req.header(header::IF_MATCH, tag);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    app.send(req.unwrap()).await
}

fn emails(r: &Reply) -> Vec<String> {
    r.json()["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&r.body)))
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn each_sees_the_users_it_may_read() {
    let (app, t) = world().await;
    let all = call(
        &app,
        "GET",
        "/api/v1/users",
        &t["admin@provider.example"],
        None,
        None,
    )
    .await;
    assert_eq!(emails(&all).len(), 6);
    assert_eq!(all.json()["total"], 6);
    let mine = call(
        &app,
        "GET",
        "/api/v1/users",
        &t["admin@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(emails(&mine), ["admin@p-a.example", "viewer@p-a.example"]);
    let prm = call(
        &app,
        "GET",
        "/api/v1/users",
        &t["prm@provider.example"],
        None,
        None,
    )
    .await;
    assert_eq!(
        emails(&prm),
        [
            "admin@p-a.example",
            "prm@provider.example",
            "viewer@p-a.example"
        ],
        "its partner's people, and itself"
    );
    for who in ["viewer@p-a.example", "agent@provider.example"] {
        let r = call(&app, "GET", "/api/v1/users", &t[who], None, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    // Another partner's: 404, the very answer a missing one gets.
    let theirs = call(
        &app,
        "GET",
        "/api/v1/users/admin@p-b.example",
        &t["admin@p-a.example"],
        None,
        None,
    )
    .await;
    let missing = call(
        &app,
        "GET",
        "/api/v1/users/nobody@p-a.example",
        &t["admin@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let filtered = call(
        &app,
        "GET",
        "/api/v1/users?partner=P-B",
        &t["admin@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(filtered.status, StatusCode::NOT_FOUND);
    let staff = call(
        &app,
        "GET",
        "/api/v1/users/admin@provider.example",
        &t["admin@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(
        staff.status,
        StatusCode::NOT_FOUND,
        "the provider's staff are not its to know"
    );
    let own = call(
        &app,
        "GET",
        "/api/v1/users/viewer@p-a.example",
        &t["viewer@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "oneself");
    assert_eq!(own.header("etag").as_deref(), Some("\"1\""));
}

#[tokio::test]
async fn a_partner_admin_invites_and_manages_its_own_users_only() {
    let (app, t) = world().await;
    let a_admin = &t["admin@p-a.example"];
    let new = json!({"email": "New@P-A.example", "name": "Nieuw", "partner": "P-A",
                     "roles": [{"role": "local-helpdesk", "scope": []}]});
    let r = call(
        &app,
        "POST",
        "/api/v1/users",
        a_admin,
        Some(new.clone()),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let body = r.json();
    assert_eq!(body["email"], "new@p-a.example");
    assert_eq!(body["lang"], "fr", "the partner's language");
    assert!(body["invite_url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:8080/fr/set-password/pacta_"));
    // Partner roles only; its own partner only.
    let staff = json!({"email": "x@p-a.example", "name": "X", "partner": "P-A",
                       "roles": [{"role": "admin", "scope": []}]});
    let r = call(&app, "POST", "/api/v1/users", a_admin, Some(staff), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["fields"]["roles"].is_string());
    let other = json!({"email": "y@p-b.example", "name": "Y", "partner": "P-B",
                       "roles": [{"role": "viewer", "scope": []}]});
    let r = call(&app, "POST", "/api/v1/users", a_admin, Some(other), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let provider = json!({"email": "z@provider.example", "name": "Z",
                          "roles": [{"role": "on-call", "scope": []}]});
    let r = call(&app, "POST", "/api/v1/users", a_admin, Some(provider), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Disable, with If-Match.
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/viewer@p-a.example",
        a_admin,
        Some(json!({"disabled": true})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/viewer@p-a.example",
        a_admin,
        Some(json!({"disabled": true})),
        Some("\"1\""),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["disabled"], true);
    assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/viewer@p-a.example",
        a_admin,
        Some(json!({"name": "Again"})),
        Some("\"1\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // The disabled viewer's token no longer works.
    let r = call(
        &app,
        "GET",
        "/api/v1/me",
        &t["viewer@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Another partner's user: 404; unknown fields: 422.
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/admin@p-b.example",
        a_admin,
        Some(json!({"disabled": true})),
        Some("*"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/admin@p-a.example",
        a_admin,
        Some(json!({"partner": "P-B"})),
        Some("*"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn no_one_disables_itself_or_drops_the_role_it_manages_users_by() {
    let (app, t) = world().await;
    for (email, change) in [
        ("admin@provider.example", json!({"disabled": true})),
        (
            "admin@provider.example",
            json!({"roles": [{"role": "helpdesk-agent", "scope": []}]}),
        ),
        ("admin@p-a.example", json!({"disabled": true})),
        (
            "admin@p-a.example",
            json!({"roles": [{"role": "viewer", "scope": []}]}),
        ),
    ] {
        let uri = format!("/api/v1/users/{email}");
        let r = call(
            &app,
            "PATCH",
            &uri,
            &t[email],
            Some(change.clone()),
            Some("*"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{email} {change}");
        assert_eq!(r.json()["error"]["code"], "own_account");
        let me = call(&app, "GET", "/api/v1/me", &t[email], None, None).await;
        assert_eq!(me.status, StatusCode::OK, "{email} is still signed in");
        assert_eq!(me.json()["disabled"], false);
    }
    // Another admin may do it; and a user may still rename itself.
    let admin = &t["admin@provider.example"];
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/admin@p-a.example",
        admin,
        Some(json!({"roles": [{"role": "viewer", "scope": []}]})),
        Some("*"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(
        &app,
        "PATCH",
        "/api/v1/users/admin@provider.example",
        admin,
        Some(json!({"name": "The Admin"})),
        Some("*"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn partners_are_read_by_their_people_and_the_staff_and_changed_by_admin_or_their_prm() {
    let (app, t) = world().await;
    let r = call(
        &app,
        "GET",
        "/api/v1/partners",
        &t["agent@provider.example"],
        None,
        None,
    )
    .await;
    assert_eq!(r.json()["total"], 2);
    let r = call(
        &app,
        "GET",
        "/api/v1/partners",
        &t["viewer@p-a.example"],
        None,
        None,
    )
    .await;
    let body = r.json();
    let codes: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["P-A"]);
    let theirs = call(
        &app,
        "GET",
        "/api/v1/partners/P-B",
        &t["viewer@p-a.example"],
        None,
        None,
    )
    .await;
    let missing = call(
        &app,
        "GET",
        "/api/v1/partners/P-Z",
        &t["viewer@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(
        (theirs.status, missing.status),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    assert_eq!(
        theirs.json()["error"]["code"],
        missing.json()["error"]["code"]
    );
    let own = call(
        &app,
        "GET",
        "/api/v1/partners/P-A",
        &t["viewer@p-a.example"],
        None,
        None,
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json()["prm"], Value::Null);
    // Admin creates; a PRM edits contacts only; the partner's own admin does neither.
    let new = json!({"code": "P-C", "name": {"en": "C"}, "lang": "en"});
    let r = call(
        &app,
        "POST",
        "/api/v1/partners",
        &t["prm@provider.example"],
        Some(new.clone()),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        "POST",
        "/api/v1/partners",
        &t["admin@provider.example"],
        Some(new),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let contacts =
        json!({"contacts": [{"name": "Jan", "email": "jan@p-a.example", "roles": ["security"]}]});
    let r = call(
        &app,
        "PATCH",
        "/api/v1/partners/P-A",
        &t["prm@provider.example"],
        Some(contacts.clone()),
        Some("\"1\""),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["contacts"][0]["email"], "jan@p-a.example");
    let r = call(
        &app,
        "PATCH",
        "/api/v1/partners/P-A",
        &t["prm@provider.example"],
        Some(json!({"local_helpdesk": false})),
        Some("\"2\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        "PATCH",
        "/api/v1/partners/P-A",
        &t["admin@p-a.example"],
        Some(contacts),
        Some("\"2\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call(
        &app,
        "PATCH",
        "/api/v1/partners/P-B",
        &t["admin@p-a.example"],
        Some(json!({"local_helpdesk": false})),
        Some("\"1\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The PRM, named by admin, shows with its name.
    let r = call(
        &app,
        "PATCH",
        "/api/v1/partners/P-A",
        &t["admin@provider.example"],
        Some(json!({"prm": {"name": "ignored", "email": "prm@provider.example"}})),
        Some("\"2\""),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.json()["prm"],
        json!({"name": "prm@provider.example", "email": "prm@provider.example"})
    );
    let r = call(
        &app,
        "PATCH",
        "/api/v1/partners/P-B",
        &t["admin@provider.example"],
        Some(json!({"prm": "prm@provider.example"})),
        Some("\"1\""),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not P-B's PRM");
}

#[tokio::test]
async fn tokens_are_the_callers_own() {
    let (app, t) = world().await;
    let viewer = &t["viewer@p-a.example"];
    let r = call(
        &app,
        "POST",
        "/api/v1/tokens",
        viewer,
        Some(json!({"name": "reports", "expires_at": "2099-01-01T00:00:00Z"})),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let created = r.json();
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pacta_"));
    let r = call(&app, "GET", "/api/v1/me", &secret, None, None).await;
    assert_eq!(
        r.json()["email"],
        "viewer@p-a.example",
        "the new token works"
    );
    let list = call(&app, "GET", "/api/v1/tokens", viewer, None, None).await;
    assert_eq!(list.json()["total"], 2);
    assert!(
        !String::from_utf8_lossy(&list.body).contains(&secret),
        "never the secret again"
    );
    let r = call(
        &app,
        "POST",
        "/api/v1/tokens",
        viewer,
        Some(json!({"name": "old", "expires_at": "2001-01-01T00:00:00Z"})),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = call(
        &app,
        "POST",
        "/api/v1/tokens",
        TOKEN,
        Some(json!({"name": "x"})),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the bootstrap token is no user"
    );
    // Another's token is not one's to revoke.
    let id = created["id"].as_str().unwrap();
    let r = call(
        &app,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        &t["admin@p-b.example"],
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &app,
        "DELETE",
        &format!("/api/v1/tokens/{id}"),
        viewer,
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = call(&app, "GET", "/api/v1/me", &secret, None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "revoked");
}

#[tokio::test]
async fn the_audit_log_is_for_admin_and_ict_management() {
    let (app, t) = world().await;
    let r = call(
        &app,
        "GET",
        "/api/v1/audit?partner=P-A&object_kind=user",
        &t["admin@provider.example"],
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "P-A's admin and viewer");
    assert!(items
        .iter()
        .all(|e| e["partner"] == "P-A" && e["object_kind"] == "user"));
    let csv = call(
        &app,
        "GET",
        "/api/v1/audit?format=csv",
        &t["admin@provider.example"],
        None,
        None,
    )
    .await;
    assert_eq!(
        csv.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = String::from_utf8(csv.body.clone()).unwrap();
    assert!(text.starts_with("id,at,actor,action,kind,code,partner,before,after\n"));
    for who in ["admin@p-a.example", "agent@provider.example"] {
        let r = call(&app, "GET", "/api/v1/audit", &t[who], None, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    let r = call(
        &app,
        "GET",
        "/api/v1/audit?from=yesterday",
        &t["admin@provider.example"],
        None,
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
