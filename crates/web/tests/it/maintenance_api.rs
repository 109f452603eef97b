//! Maintenance windows read through the API (issue 12): staff see every consulted partner, a
//! partner's people only their own consultation (never another partner's name or answer), a
//! partner not consulted gets 404, and the consents are the `consent` op's at the app's now
//! (Monday 30 November 2026, 10:00 in Brussels; then moved past a deadline). On SQLite, and on
//! PostgreSQL too when `PACTA_TEST_POSTGRES_URL` is set.

use axum::http::StatusCode;
use pacta_core::sla::consent::Answer;
use pacta_store::maintenance::{Action, NewAnswer};
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{add_maintenance, small_catalogue, TestApp};

async fn reads(app: TestApp) {
    let tokens = crate::support::people(
        &app,
        &["P-A", "P-B", "P-C"],
        &[
            ("admin", "admin@provider.example", None, "admin"),
            ("a-viewer", "viewer@p-a.example", Some("P-A"), "viewer"),
            ("b-admin", "admin@p-b.example", Some("P-B"), "partner-admin"),
            ("c-admin", "admin@p-c.example", Some("P-C"), "partner-admin"),
        ],
    )
    .await;
    let id = add_maintenance(&app, &["P-A", "P-B"]).await;
    // P-B objects to the second Sunday on 26 November.
    app.state
        .db
        .act_on_maintenance(
            &id,
            &Action::Answer {
                partner: "P-B".into(),
                answer: NewAnswer {
                    answer: Answer::Object,
                    comment: Some("Our year-end batch".into()),
                    occurrence: Some("2026-12-20T01:00:00Z".parse().unwrap()),
                    alternative: None,
                },
            },
            |_| Ok(()),
            |_| Vec::new(),
            Stamp::new("admin@p-b.example", "2026-11-26T09:00:00Z".parse().unwrap()),
        )
        .await
        .unwrap();
    let get = |who: &'static str, uri: String| {
        let token = tokens[who].clone();
        let app = &app;
        async move {
            app.get_with(&uri, &[("authorization", &format!("Bearer {token}"))])
                .await
        }
    };
    let partners = |v: &Value| -> Vec<String> {
        v["consultation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["partner"].as_str().unwrap().to_owned())
            .collect()
    };

    let r = get("admin", format!("/api/v1/maintenance/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let staff = r.json();
    assert_eq!(partners(&staff), ["P-A", "P-B"]);
    assert_eq!(
        staff["occurrences"],
        json!([
            {"start": "2026-12-13T02:00:00+01:00", "end": "2026-12-13T04:00:00+01:00"},
            {"start": "2026-12-20T02:00:00+01:00", "end": "2026-12-20T04:00:00+01:00"},
        ])
    );
    // At 30 November both deadlines (8 and 15 December, 02:00) are ahead: P-B's objection
    // decides the second Sunday, the first waits.
    assert_eq!(
        staff["consultation"][1]["occurrences"],
        json!([
            {"start": "2026-12-13T02:00:00+01:00", "deadline": "2026-12-08T02:00:00+01:00", "consent": "pending"},
            {"start": "2026-12-20T02:00:00+01:00", "deadline": "2026-12-15T02:00:00+01:00", "consent": "objected"},
        ])
    );

    // A partner's people: their own consultation only, never the other's name or comment.
    let r = get("a-viewer", format!("/api/v1/maintenance/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(partners(&r.json()), ["P-A"]);
    let r = get("b-admin", format!("/api/v1/maintenance/{id}")).await;
    let own = r.json();
    assert_eq!(partners(&own), ["P-B"]);
    assert_eq!(
        own["consultation"][0]["answers"][0]["comment"],
        "Our year-end batch"
    );
    let body = String::from_utf8_lossy(
        &get("a-viewer", format!("/api/v1/maintenance/{id}"))
            .await
            .body,
    )
    .into_owned();
    assert!(
        !body.contains("P-B") && !body.contains("year-end"),
        "{body}"
    );

    // Not consulted: 404, as for a missing window; the list is empty.
    let r = get("c-admin", format!("/api/v1/maintenance/{id}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let missing = get("c-admin", "/api/v1/maintenance/no-such".into()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(r.error_code(), missing.error_code());
    let r = get("c-admin", "/api/v1/maintenance".into()).await;
    assert_eq!(r.json()["items"], json!([]));
    // Another partner named in the filter: nothing of it.
    let r = get("a-viewer", "/api/v1/maintenance?partner=P-B".into()).await;
    assert_eq!(r.json()["items"], json!([]));
    let r = get(
        "admin",
        "/api/v1/maintenance?partner=P-B&service=WEB-HOSTING".into(),
    )
    .await;
    assert_eq!(r.json()["total"], 1);
    let r = get("admin", "/api/v1/maintenance?service=IAM".into()).await;
    assert_eq!(r.json()["total"], 0);

    // On 16 December: P-A silent → tacit, tacit; P-B tacit for the first Sunday (its objection
    // names the second), objected for the second.
    app.clock.set("2026-12-16T09:00:00Z".parse().unwrap());
    let r = get("admin", format!("/api/v1/maintenance/{id}")).await;
    let consents = |v: &Value, k: usize| -> Vec<String> {
        v["consultation"][k]["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["consent"].as_str().unwrap().to_owned())
            .collect()
    };
    let later = r.json();
    assert_eq!(consents(&later, 0), ["tacit", "tacit"]);
    assert_eq!(consents(&later, 1), ["tacit", "objected"]);
}

#[tokio::test]
async fn a_window_is_read_by_staff_whole_and_by_each_consulted_partner_alone_sqlite() {
    reads(TestApp::with_catalogue(&small_catalogue(), None).await).await;
}

#[tokio::test]
async fn a_window_is_read_by_staff_whole_and_by_each_consulted_partner_alone_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    reads(app).await;
}
