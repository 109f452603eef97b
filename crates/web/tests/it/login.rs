//! Signing in and out through the pages (issue 8): sessions in cookies, CSRF on every form,
//! throttling, one-time links to set a password, and one's own tokens on the account page.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_core::access::{Grant, User};
use pacta_core::text::Lang;
use pacta_store::accounts::LinkPurpose;
use pacta_store::credentials::hash_password;
use pacta_store::Stamp;

use crate::support::{t0, Reply, TestApp};

pub const PASSWORD: &str = "a sentence long enough";

async fn app_with_user() -> TestApp {
    let app = TestApp::new().await;
    app.state
        .db
        .add_user(
            &User {
                email: "agent@provider.example".into(),
                name: "Agent".into(),
                partner: None,
                lang: Lang::En,
                roles: vec![Grant::parse("helpdesk-agent").unwrap()],
                disabled: false,
            },
            Some(&hash_password(PASSWORD)),
            Stamp::new("test", t0()),
        )
        .await
        .unwrap();
    app
}

pub fn text(r: &Reply) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

/// The `name=value` of a Set-Cookie of `name` in a reply.
pub fn set_cookie(r: &Reply, name: &str) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// The value of a hidden `csrf` input on a page.
pub fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + 64].to_owned()
}

pub async fn get(app: &TestApp, uri: &str, cookies: &str) -> Reply {
    app.send(
        Request::get(uri)
            .header(header::COOKIE, cookies)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub async fn post(app: &TestApp, uri: &str, cookies: &str, form: &str) -> Reply {
    app.send(
        Request::post(uri)
            .header(header::COOKIE, cookies)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap(),
    )
    .await
}

/// Signs in through the form; the session cookie (`pacta_session=…`).
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Result<String, Reply> {
    let form = get(app, "/en/login", "").await;
    let login_cookie = set_cookie(&form, "pacta_login").unwrap();
    let token = csrf(&text(&form));
    let r = post(
        app,
        "/en/login",
        &login_cookie,
        &format!(
            "email={email}&password={}&csrf={token}&next=/en/account",
            password.replace(' ', "+")
        ),
    )
    .await;
    match set_cookie(&r, "pacta_session") {
        Some(c) if r.status == StatusCode::SEE_OTHER => Ok(c),
        _ => Err(r),
    }
}

#[tokio::test]
async fn a_user_signs_in_sees_its_account_and_signs_out() {
    let app = app_with_user().await;
    let r = get(&app, "/en/account", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/en/login?next=/en/account")
    );

    let form = get(&app, "/en/login", "").await;
    let login_cookie = set_cookie(&form, "pacta_login").unwrap();
    let raw = form
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("pacta_login="))
        .unwrap();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    assert!(
        !raw.contains("Secure"),
        "plain http: no Secure, or plain clients could not sign in"
    );
    let token = csrf(&text(&form));
    let r = post(
        &app,
        "/en/login",
        &login_cookie,
        &format!("email=Agent@Provider.example&password=a+sentence+long+enough&csrf={token}&next=/en/account"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    assert_eq!(r.header("location").as_deref(), Some("/en/account"));
    let session = set_cookie(&r, "pacta_session").unwrap();

    let account = get(&app, "/en/account", &session).await;
    assert_eq!(account.status, StatusCode::OK);
    let html = text(&account);
    assert!(html.contains("agent@provider.example"));
    assert!(html.contains("<code>helpdesk-agent</code>"));
    assert!(html.contains(">Sign out</button>"));
    // The session also reads the API.
    let me = get(&app, "/api/v1/me", &session).await;
    assert_eq!(me.json()["email"], "agent@provider.example");

    // Signing out needs the session's CSRF token; a forged one changes nothing.
    let r = post(&app, "/en/logout", &session, "csrf=forged").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/en/account", &session).await.status,
        StatusCode::OK
    );
    let r = post(
        &app,
        "/en/logout",
        &session,
        &format!("csrf={}", csrf(&html)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        set_cookie(&r, "pacta_session").unwrap().ends_with('='),
        "cookie cleared"
    );
    let r = get(&app, "/en/account", &session).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "a logged-out session is no session"
    );
    let r = get(&app, "/api/v1/me", &session).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_passwords_are_refused_alike_and_throttled() {
    let app = app_with_user().await;
    // Unknown account and wrong password: the same answer.
    let unknown = sign_in(&app, "nobody@provider.example", PASSWORD)
        .await
        .unwrap_err();
    let wrong = sign_in(&app, "agent@provider.example", "not the password")
        .await
        .unwrap_err();
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(text(&wrong).contains("The e-mail address or the password is wrong."));
    // A form without its CSRF cookie: 422, the form again.
    let r = post(
        &app,
        "/en/login",
        "",
        "email=agent@provider.example&password=x&csrf=x",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Five failures within 15 minutes: the account is throttled, even with the right password.
    for _ in 0..4 {
        sign_in(&app, "agent@provider.example", "still wrong")
            .await
            .unwrap_err();
    }
    let r = sign_in(&app, "agent@provider.example", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // Another account is not throttled; fifteen minutes later this one is not either.
    app.clock.advance(jiff::SignedDuration::from_mins(15));
    assert!(sign_in(&app, "agent@provider.example", PASSWORD)
        .await
        .is_ok());
}

#[tokio::test]
async fn a_one_time_link_sets_the_password_once() {
    let app = app_with_user().await;
    let link = app
        .state
        .db
        .create_link(
            "agent@provider.example",
            LinkPurpose::Reset,
            t0().as_second() + 3600,
            Stamp::new("test", t0()),
        )
        .await
        .unwrap();
    let uri = format!("/en/set-password/{link}");
    let form = get(&app, &uri, "").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(text(&form).contains("agent@provider.example"));
    let r = post(&app, &uri, "", "password=short&confirm=short").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("at least 12 characters"));
    let r = post(
        &app,
        &uri,
        "",
        "password=one+new+password&confirm=another+password",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        &uri,
        "",
        "password=one+new+password&confirm=one+new+password",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/en/login?done=password")
    );
    assert!(sign_in(&app, "agent@provider.example", "one new password")
        .await
        .is_ok());
    assert!(
        sign_in(&app, "agent@provider.example", PASSWORD)
            .await
            .is_err(),
        "the old one is gone"
    );
    // Used: the link is no more.
    assert_eq!(get(&app, &uri, "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        post(
            &app,
            &uri,
            "",
            "password=yet+another+one&confirm=yet+another+one"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_account_page_changes_the_password_and_makes_tokens() {
    let app = app_with_user().await;
    let session = sign_in(&app, "agent@provider.example", PASSWORD)
        .await
        .unwrap();
    let html = text(&get(&app, "/en/account", &session).await);
    let token = csrf(&html);
    // A token, shown once, that works on the API.
    let r = post(
        &app,
        "/en/account/tokens",
        &session,
        &format!("csrf={token}&name=reports&expires="),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let page = text(&r);
    let at = page.find("id=\"new-token\">").unwrap() + 15;
    let secret = &page[at..at + 49];
    assert!(secret.starts_with("pacta_"), "{secret}");
    let me = app
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.status, StatusCode::OK);
    let again = text(&get(&app, "/en/account", &session).await);
    assert!(
        again.contains("reports") && !again.contains(secret),
        "listed, never shown again"
    );
    // Without the CSRF token, nothing is made.
    let r = post(
        &app,
        "/en/account/tokens",
        &session,
        "csrf=forged&name=evil",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Password: the current one is needed.
    let r = post(
        &app,
        "/en/account/password",
        &session,
        &format!(
            "csrf={token}&current=wrong&password=brand+new+password&confirm=brand+new+password"
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &app,
        "/en/account/password",
        &session,
        &format!("csrf={token}&current=a+sentence+long+enough&password=brand+new+password&confirm=brand+new+password"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(text(&r).contains("Your password has been changed."));
    assert!(
        sign_in(&app, "agent@provider.example", "brand new password")
            .await
            .is_ok()
    );
}
