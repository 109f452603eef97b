//! A partner's maintenance as an iCalendar feed (issue 12, point 6), parsed by an independent
//! library (`ical`): one VEVENT per occurrence with its exact instants — the spring-forward
//! night of 28 March 2027 makes a 02:00–04:00 window [03:00+02:00, 04:00+02:00), 01:00–02:00
//! UTC — TENTATIVE while the answer is awaited, CANCELLED with a higher SEQUENCE once the window
//! is cancelled; the URL's token is the key (the partner admin and staff read it, another partner
//! gets 404; regenerated, the old URL is a 404).

use std::io::BufReader;

use axum::http::StatusCode;
use pacta_core::maintenance::consultation::{PartnerTerms, SubscriptionTerms};
use pacta_core::maintenance::WindowTimes;
use pacta_store::maintenance::{Action, Consulted, NewTimes, NewWindow};
use pacta_store::Stamp;

use crate::support::{t0, TestApp};

/// Each event's properties as (name, value), in order.
fn events(body: &[u8]) -> Vec<Vec<(String, String)>> {
    let mut calendars = ical::IcalParser::new(BufReader::new(body));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .unwrap_or_else(|e| panic!("not iCalendar: {e}: {}", String::from_utf8_lossy(body)));
    assert!(calendars.next().is_none());
    for required in ["VERSION", "PRODID"] {
        assert!(
            calendar.properties.iter().any(|p| p.name == required),
            "{required}"
        );
    }
    calendar
        .events
        .iter()
        .map(|e| {
            e.properties
                .iter()
                .map(|p| (p.name.clone(), p.value.clone().unwrap_or_default()))
                .collect()
        })
        .collect()
}

fn get<'a>(e: &'a [(String, String)], name: &str) -> &'a str {
    e.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {e:?}"))
}

async fn feed(app: TestApp) {
    let tokens = crate::support::people(
        &app,
        &["P-A", "P-B"],
        &[
            ("admin", "admin@provider.example", None, "admin"),
            ("a-admin", "admin@p-a.example", Some("P-A"), "partner-admin"),
            ("a-viewer", "viewer@p-a.example", Some("P-A"), "viewer"),
            ("b-admin", "admin@p-b.example", Some("P-B"), "partner-admin"),
        ],
    )
    .await;
    let call = |who: &'static str, method: &'static str, uri: String| {
        let token = tokens[who].clone();
        let app = &app;
        async move {
            let req = axum::http::Request::builder()
                .method(method)
                .uri(uri)
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            app.send(req).await
        }
    };
    // Two Sundays from the spring-forward night of 2027, P-A consulted on ten days' notice.
    let times = WindowTimes::parse(
        "2027-03-28T02:00",
        "2027-03-28T04:00",
        Some("FREQ=WEEKLY;COUNT=2"),
    )
    .unwrap();
    let w = app
        .state
        .db
        .propose_maintenance(
            &NewWindow {
                service: "WEB-HOSTING".into(),
                title: pacta_core::text::Text::new().with(
                    pacta_core::text::Lang::En,
                    "Storage firmware, phase 1; then 2",
                ),
                description: None,
                times: NewTimes {
                    start_local: "2027-03-28T02:00".into(),
                    end_local: "2027-03-28T04:00".into(),
                    rrule: Some("FREQ=WEEKLY;COUNT=2".into()),
                    occurrences: times.occurrences(pacta_core::subscription::zone()).unwrap(),
                },
            },
            &[Consulted {
                partner: "P-A".into(),
                subscriptions: vec![SubscriptionTerms {
                    consulted_at: None,
                    from: "2026-01-01T00:00:00Z".parse().unwrap(),
                    until: None,
                    terms: PartnerTerms {
                        notice_seconds: 10 * 86_400,
                        silence_is_consent: false,
                    },
                }],
            }],
            |_| Vec::new(),
            Stamp::new("sm", t0()),
        )
        .await
        .unwrap();

    // Who reads the URL: the partner's admin and staff; not its viewer (403), not another
    // partner (404).
    let r = call("a-admin", "GET", "/api/v1/partners/P-A/feeds".into()).await;
    assert_eq!(r.status, StatusCode::OK);
    let url = r.json()["maintenance_ics"].as_str().unwrap().to_owned();
    let base = app.state.public_url().to_owned();
    assert!(
        url.starts_with(&format!("{base}/ics/maintenance/P-A.ics?token=")),
        "{url}"
    );
    let r = call("admin", "GET", "/api/v1/partners/P-A/feeds".into()).await;
    assert_eq!(
        r.json()["maintenance_ics"],
        url.as_str(),
        "one URL per partner"
    );
    let r = call("a-viewer", "GET", "/api/v1/partners/P-A/feeds".into()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = call("b-admin", "GET", "/api/v1/partners/P-A/feeds".into()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let path = url.strip_prefix(&base).unwrap().to_owned();
    let r = app.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/calendar; charset=utf-8")
    );
    let got = events(&r.body);
    assert_eq!(got.len(), 2);
    let spans: Vec<(&str, &str, &str, &str)> = got
        .iter()
        .map(|e| {
            (
                get(e, "DTSTART"),
                get(e, "DTEND"),
                get(e, "STATUS"),
                get(e, "SEQUENCE"),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("20270328T010000Z", "20270328T020000Z", "TENTATIVE", "0"),
            ("20270404T000000Z", "20270404T020000Z", "TENTATIVE", "0"),
        ]
    );
    // The title's `;` and `,` are escaped by the writer and read back whole.
    assert_eq!(
        get(&got[0], "SUMMARY").replace('\\', ""),
        "WEB-HOSTING — Storage firmware, phase 1; then 2"
    );
    let uid = get(&got[0], "UID").to_owned();

    // Another partner's feed does not hold the window; a wrong or missing token is a 404.
    let r = call("b-admin", "GET", "/api/v1/partners/P-B/feeds".into()).await;
    let b_url = r.json()["maintenance_ics"].as_str().unwrap().to_owned();
    let r = app.get(b_url.strip_prefix(&base).unwrap()).await;
    assert!(events(&r.body).is_empty());
    for wrong in [
        "/ics/maintenance/P-A.ics?token=nope".to_owned(),
        "/ics/maintenance/P-A.ics".to_owned(),
        path.replace("P-A.ics", "P-B.ics"),
        path.replace(".ics", ""),
    ] {
        assert_eq!(
            app.get(&wrong).await.status,
            StatusCode::NOT_FOUND,
            "{wrong}"
        );
    }

    // Cancelled: both occurrences are CANCELLED, with the next SEQUENCE and the same UID.
    app.state
        .db
        .act_on_maintenance(
            &w.id,
            &Action::Cancel,
            |_| Ok(()),
            |_| Vec::new(),
            Stamp::new("sm", t0()),
        )
        .await
        .unwrap();
    let got = events(&app.get(&path).await.body);
    assert_eq!(got.len(), 2);
    assert_eq!(get(&got[0], "UID"), uid);
    for e in &got {
        assert_eq!((get(e, "STATUS"), get(e, "SEQUENCE")), ("CANCELLED", "1"));
    }

    // Regenerated: the old URL answers 404, the new one the feed.
    let r = call(
        "a-admin",
        "POST",
        "/api/v1/partners/P-A/feeds/regenerate".into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let fresh = r.json()["maintenance_ics"].as_str().unwrap().to_owned();
    assert_ne!(fresh, url);
    assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND);
    let r = app.get(fresh.strip_prefix(&base).unwrap()).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = call(
        "b-admin",
        "POST",
        "/api/v1/partners/P-A/feeds/regenerate".into(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_partners_maintenance_feed_is_valid_icalendar_with_exact_instants_sqlite() {
    feed(TestApp::new().await).await;
}

#[tokio::test]
async fn a_partners_maintenance_feed_is_valid_icalendar_with_exact_instants_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&crate::support::small_catalogue()).await
    else {
        return;
    };
    feed(app).await;
}
