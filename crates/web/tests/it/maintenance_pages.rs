//! The maintenance pages (issue 12, point 7): the service manager previews who a proposal
//! consults and by when, then proposes; the partner admin finds the window waiting for its
//! answer, objects (a comment is required), and sees its own consultation only; the service
//! manager overrides the objection; another partner gets the 404 page; the four languages.

use axum::http::StatusCode;
use pacta_core::access::{Grant, User};
use pacta_core::partner::Partner;
use pacta_core::subscription::State;
use pacta_core::text::{Lang, Text};
use pacta_store::credentials::hash_password;
use pacta_store::subscriptions::{NewSubscription, Step};
use pacta_store::Stamp;

use crate::login::{csrf, get, post, sign_in, text, PASSWORD};
use crate::support::{t0, TestApp};

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
    for (email, partner, role) in [
        ("sm@provider.example", None, "service-manager:WEB-HOSTING"),
        ("admin@p-a.example", Some("P-A"), "partner-admin"),
        ("viewer@p-a.example", Some("P-A"), "viewer"),
        ("admin@p-b.example", Some("P-B"), "partner-admin"),
    ] {
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
    let version = db.load_catalogue().await.unwrap().versions["WEB-HOSTING"];
    let s = db
        .request_subscription(
            &NewSubscription {
                partner: "P-A".into(),
                service: "WEB-HOSTING".into(),
                service_version: version,
                pack: "small".into(),
                level: None,
                options: vec![],
                quantity: 1,
                start_date: jiff::civil::date(2026, 9, 1),
                end_date: None,
            },
            &Default::default(),
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
        &Default::default(),
        stamp,
    )
    .await
    .unwrap();
    app
}

async fn session(app: &TestApp, email: &str) -> String {
    sign_in(app, email, PASSWORD).await.unwrap()
}

fn location(r: &crate::support::Reply) -> String {
    r.header("location").unwrap_or_default()
}

#[tokio::test]
async fn a_window_is_proposed_answered_and_overridden_through_the_pages() {
    let app = world().await;
    let sm = session(&app, "sm@provider.example").await;
    let r = get(&app, "/en/maintenance", &sm).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = text(&r);
    assert!(html.contains("Propose a window"), "{html}");
    let token = csrf(&html);
    let form = |intent: &str| {
        format!(
            "csrf={token}&intent={intent}&service=WEB-HOSTING&start=2026-12-20T02%3A00\
             &end=2026-12-20T04%3A00&rrule=&title=Kernel+update&description="
        )
    };
    // The preview: P-A, on five days' notice (level basic): 15 December, 02:00.
    let r = post(&app, "/en/maintenance", &sm, &form("preview")).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = text(&r);
    let preview = &html[html.find("id=\"mnt-preview\"").expect("a preview")..];
    assert!(preview.contains("P-A"), "{preview}");
    assert!(preview.contains("15 December 2026"), "{preview}");
    assert!(!preview.contains("P-B"));
    // Bad input: the form again, with the field named.
    let bad = form("propose").replace("2026-12-20T04%3A00", "2026-12-20T01%3A00");
    let r = post(&app, "/en/maintenance", &sm, &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("end:"), "{}", text(&r));
    let r = post(&app, "/en/maintenance", &sm, &form("propose")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let path = location(&r);
    assert!(path.starts_with("/en/maintenance/"), "{path}");
    let html = text(&get(&app, &path, &sm).await);
    assert!(html.contains("Kernel update") && html.contains("Waiting for an answer"));
    assert!(!html.contains("answer-form"), "staff do not answer");

    // The partner admin: the window waits for its answer; it objects.
    let pa = session(&app, "admin@p-a.example").await;
    let list = text(&get(&app, "/en/maintenance", &pa).await);
    assert!(list.contains("Waiting for your answer"), "{list}");
    assert!(!list.contains("Propose a window"));
    let html = text(&get(&app, &path, &pa).await);
    assert!(html.contains("answer-form"));
    let token = csrf(&html);
    let answer = format!("{path}/answer");
    let r = post(
        &app,
        &answer,
        &pa,
        &format!("csrf={token}&answer=object&comment="),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("comment:"));
    let r = post(
        &app,
        &answer,
        &pa,
        &format!("csrf={token}&answer=object&comment=Our+payroll+run&occurrence="),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = text(&get(&app, &path, &pa).await);
    assert!(html.contains("Our payroll run") && html.contains("Objected"));
    // Its viewer reads but has no form; another partner gets the 404 page.
    let viewer = session(&app, "viewer@p-a.example").await;
    let html = text(&get(&app, &path, &viewer).await);
    assert!(html.contains("Objected") && !html.contains("answer-form"));
    let pb = session(&app, "admin@p-b.example").await;
    assert_eq!(get(&app, &path, &pb).await.status, StatusCode::NOT_FOUND);
    assert!(!text(&get(&app, "/en/maintenance", &pb).await).contains("Kernel update"));

    // The service manager overrides the objection.
    let html = text(&get(&app, &path, &sm).await);
    assert!(html.contains("Override the objection"));
    let token = csrf(&html);
    let r = post(
        &app,
        &format!("{path}/override"),
        &sm,
        &format!("csrf={token}&partner=P-A&justification=Security+fix"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", text(&r));
    let html = text(&get(&app, &path, &pa).await);
    assert!(html.contains("Objection overridden") && html.contains("Security fix"));

    for lang in ["nl", "fr", "de"] {
        for p in ["/en/maintenance".to_owned(), path.clone()] {
            let localized = p.replacen("/en/", &format!("/{lang}/"), 1);
            let r = get(&app, &localized, &pa).await;
            assert_eq!(r.status, StatusCode::OK, "{localized}");
            assert!(text(&r).contains(&format!("lang=\"{lang}\"")));
        }
    }
}
