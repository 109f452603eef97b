//! The administration pages (issue 8): each shows and offers what the rules allow the signed-in
//! user, another partner's people are a 404, and a partner admin's invitation works end to end.

use axum::http::StatusCode;
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::text::{Lang, Text};
use pacta_store::credentials::hash_password;
use pacta_store::Stamp;

use crate::login::{csrf, get, post, sign_in, text, PASSWORD};
use crate::support::{t0, TestApp};

/// Two partners and people, all with the password [`PASSWORD`].
async fn world() -> TestApp {
    let app = TestApp::new().await;
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
    let hash = hash_password(PASSWORD);
    let people: [(&str, Option<&str>, &str); 5] = [
        ("admin@provider.example", None, "admin"),
        ("ict@provider.example", None, "ict-management"),
        ("admin@p-a.example", Some("P-A"), "partner-admin"),
        ("viewer@p-a.example", Some("P-A"), "viewer"),
        ("admin@p-b.example", Some("P-B"), "partner-admin"),
    ];
    for (email, partner, role) in people {
        let user = User {
            email: email.into(),
            name: email.into(),
            partner: partner.map(Into::into),
            lang: Lang::En,
            roles: vec![Grant::parse(role).unwrap()],
            disabled: false,
        };
        db.add_user(&user, Some(&hash), stamp).await.unwrap();
    }
    app
}

#[tokio::test]
async fn the_pages_follow_the_rules() {
    let app = world().await;
    let r = get(&app, "/en/admin/users", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sign in first");
    let viewer = sign_in(&app, "viewer@p-a.example", PASSWORD).await.unwrap();
    for path in ["/en/my/users", "/en/admin/audit", "/en/admin/users"] {
        let r = get(&app, path, &viewer).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = get(&app, "/en/admin/partners/P-B", &viewer).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another partner");
    let r = get(&app, "/en/admin/partners/P-A", &viewer).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!text(&r).contains("id=\"edit-partner-title\""), "read only");

    let admin = sign_in(&app, "admin@provider.example", PASSWORD)
        .await
        .unwrap();
    let page = text(&get(&app, "/en/admin/users", &admin).await);
    assert!(page.contains("5 users"), "{page}");
    for link in [
        "/en/admin/users\"",
        "/en/admin/partners\"",
        "/en/admin/audit\"",
    ] {
        assert!(page.contains(link), "{link} in the navigation");
    }
    let audit = get(&app, "/en/admin/audit?partner=P-A", &admin).await;
    assert_eq!(audit.status, StatusCode::OK);
    let html = text(&audit);
    assert!(
        html.contains("/api/v1/audit?format=csv&#38;partner=P-A"),
        "{html}"
    );
    let ict = sign_in(&app, "ict@provider.example", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        get(&app, "/en/admin/audit", &ict).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_partner_admin_invites_a_user_who_sets_a_password_and_signs_in() {
    let app = world().await;
    let a_admin = sign_in(&app, "admin@p-a.example", PASSWORD).await.unwrap();
    let page = text(&get(&app, "/en/my/users", &a_admin).await);
    assert!(page.contains("Users of P-A"));
    assert!(page.contains("viewer@p-a.example") && !page.contains("admin@p-b.example"));
    let token = csrf(&page);
    // Partner roles only: a provider role is refused.
    let r = post(
        &app,
        "/en/my/users",
        &a_admin,
        &format!("csrf={token}&email=x@p-a.example&name=X&roles=admin"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        "/en/my/users",
        &a_admin,
        &format!("csrf={token}&email=new@p-a.example&name=New+Person&roles=local-helpdesk"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let html = text(&r);
    let at = html.find("id=\"invite-link\">").unwrap() + 17;
    let link = &html[at..html[at..].find('<').unwrap() + at];
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    assert!(path.starts_with("/en/set-password/pacta_"), "{link}");
    let r = post(
        &app,
        path,
        "",
        "password=my+own+good+password&confirm=my+own+good+password",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(sign_in(&app, "new@p-a.example", "my own good password")
        .await
        .is_ok());
    // Disable it; another partner's admin cannot touch it.
    let b_admin = sign_in(&app, "admin@p-b.example", PASSWORD).await.unwrap();
    let b_token = csrf(&text(&get(&app, "/en/my/users", &b_admin).await));
    let r = post(
        &app,
        "/en/my/users/new@p-a.example/disabled",
        &b_admin,
        &format!("csrf={b_token}&disabled=yes"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = post(
        &app,
        "/en/my/users/new@p-a.example/disabled",
        &a_admin,
        &format!("csrf={token}&disabled=yes"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(sign_in(&app, "new@p-a.example", "my own good password")
        .await
        .is_err());
    // Without the CSRF token, nothing changes.
    let r = post(
        &app,
        "/en/my/users/viewer@p-a.example/disabled",
        &a_admin,
        "csrf=forged&disabled=yes",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Nor does a partner admin lock itself out.
    for (what, form) in [
        ("disabled", "disabled=yes"),
        ("roles", "roles=local-helpdesk"),
    ] {
        let r = post(
            &app,
            &format!("/en/my/users/admin@p-a.example/{what}"),
            &a_admin,
            &format!("csrf={token}&{form}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{what}");
        assert!(text(&r).contains("another administrator can"), "{what}");
    }
    assert_eq!(
        get(&app, "/en/my/users", &a_admin).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_admin_adds_a_partner_and_its_contacts() {
    let app = world().await;
    let admin = sign_in(&app, "admin@provider.example", PASSWORD)
        .await
        .unwrap();
    let token = csrf(&text(&get(&app, "/en/admin/partners", &admin).await));
    let r = post(
        &app,
        "/en/admin/partners",
        &admin,
        &format!("csrf={token}&code=bad+code&name=X&lang=en"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        "/en/admin/partners",
        &admin,
        &format!("csrf={token}&code=P-NEW&name=New+partner&lang=fr&local_helpdesk=yes"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/en/admin/partners/P-NEW")
    );
    let r = post(
        &app,
        "/en/admin/partners/P-NEW/contacts",
        &admin,
        &format!(
            "csrf={token}&name=Jan&email=jan@p-new.example&phone=123&role=security&role=technical"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let html = text(&r);
    assert!(
        html.contains("jan@p-new.example") && html.contains("Technical, Security"),
        "{html}"
    );
    let r = post(
        &app,
        "/en/admin/partners/P-NEW/contacts",
        &admin,
        &format!("csrf={token}&name=Jan&email=jan@p-new.example&role=security"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "twice");
    let r = post(
        &app,
        "/en/admin/partners/P-NEW/contacts/remove",
        &admin,
        &format!("csrf={token}&index=0"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!text(&r).contains("jan@p-new.example"));
    let r = post(
        &app,
        "/en/admin/partners/P-NEW",
        &admin,
        &format!("csrf={token}&name=Nouveau&lang=fr&prm="),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let stored = app
        .state
        .db
        .partner(pacta_store::Scope::All, "P-NEW")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.partner.name.get(Lang::Fr), Some("Nouveau"));
    assert!(!stored.partner.local_helpdesk, "unchecked");
}
