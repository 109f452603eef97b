//! `/metrics` (issue 11, point 6): its labels name monitors and services, so it answers the
//! metrics token or an admin only.

use axum::http::StatusCode;
use pacta_store::Stamp;

use crate::support::{add_staff_user, admin_user_token, t0, TestApp, TOKEN};

async fn get_metrics(app: &TestApp, bearer: Option<&str>) -> (StatusCode, String, Option<String>) {
    let headers: Vec<(&str, String)> = bearer
        .map(|b| vec![("authorization", format!("Bearer {b}"))])
        .unwrap_or_default();
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.get_with("/metrics", &h).await;
    let kind = r.header("content-type");
    (
        r.status,
        String::from_utf8_lossy(&r.body).into_owned(),
        kind,
    )
}

#[tokio::test]
async fn metrics_answer_the_metrics_token_and_admins_only() {
    let app = TestApp::new().await;
    let app = TestApp {
        state: app.state.clone().with_metrics_token(Some("scrape-me")),
        ..app
    };
    let (status, body, kind) = get_metrics(&app, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(!body.contains("pacta_build_info"));

    let (status, body, kind_ok) = get_metrics(&app, Some("scrape-me")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(&format!(
            "pacta_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        )),
        "{body}"
    );
    assert!(body.trim_end().ends_with("# EOF"));
    assert!(kind_ok
        .as_deref()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert_ne!(kind, kind_ok);

    assert_eq!(
        get_metrics(&app, Some(TOKEN)).await.0,
        StatusCode::OK,
        "the bootstrap admin"
    );
    let admin = admin_user_token(&app).await;
    assert_eq!(
        get_metrics(&app, Some(&admin)).await.0,
        StatusCode::OK,
        "an admin user"
    );

    add_staff_user(&app, "agent@provider.example").await;
    let (_, agent) = app
        .state
        .db
        .create_token(
            "agent@provider.example",
            "tests",
            None,
            Stamp::new("test", t0()),
        )
        .await
        .unwrap();
    let (status, body, _) = get_metrics(&app, Some(&agent)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(!body.contains("pacta_"));
    // A partner's people, even its admin, never: the labels name every partner's monitors.
    let partner = crate::support::people(
        &app,
        &["P-A"],
        &[("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin")],
    )
    .await;
    let (status, body, _) = get_metrics(&app, Some(&partner["a-admin"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(!body.contains("pacta_"));
    let (status, _, _) = get_metrics(&app, Some("not-the-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
