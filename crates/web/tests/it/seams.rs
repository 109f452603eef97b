//! The seams of issue 7: injected time (the closures page and catalogue writes follow the app's
//! clock), one rule for quotes (the page and the API refuse the same choices), strict forms
//! (422 with the form and what is wrong), the catalogue paged as the API pages its list, and the
//! background slot of `serve` under one graceful shutdown.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use pacta_web::background::{Task, TaskFuture};
use pacta_web::{AppState, CancellationToken};
use serde_json::json;

use crate::support::{small_catalogue, Reply, TestApp};

fn text(r: &Reply) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

async fn post(app: &TestApp, uri: &str, content_type: &str, body: &str) -> Reply {
    app.send(
        Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

async fn post_form(app: &TestApp, uri: &str, body: &str) -> Reply {
    post(app, uri, "application/x-www-form-urlencoded", body).await
}

#[tokio::test]
async fn the_closures_page_and_its_feed_follow_the_clock_in_the_helpdesk_zone() {
    let app = TestApp::new().await;
    let html = text(&app.get("/en/closures").await);
    assert!(html.contains("id=\"year-2026\""), "{html}");
    assert!(html.contains("id=\"year-2027\""));
    // 31 December 2031, 23:30 UTC is already 1 January 2032 in Brussels.
    app.clock.set("2031-12-31T23:30:00Z".parse().unwrap());
    let html = text(&app.get("/en/closures").await);
    assert!(html.contains("id=\"year-2032\""), "{html}");
    assert!(html.contains("id=\"year-2033\""));
    assert!(!html.contains("id=\"year-2031\""));
    let ics = text(&app.get("/en/closures.ics").await);
    assert!(ics.contains("DTSTART;VALUE=DATE:20320101"), "{ics}");
    assert!(!ics.contains("DTSTART;VALUE=DATE:2031"));
}

#[tokio::test]
async fn a_catalogue_write_is_stamped_by_the_clock() {
    let app = TestApp::new().await;
    let published_at: jiff::Timestamp = "2030-03-29T01:30:00Z".parse().unwrap();
    app.clock.set(published_at);
    let r = app
        .write(
            "POST",
            "/api/v1/services/DRAFT-SERVICE/publish",
            &json!({}),
            &[("If-Match", "\"1\"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let versions = app.get("/api/v1/services/DRAFT-SERVICE/versions").await;
    assert_eq!(
        versions.json()["items"][0]["published_at"],
        "2030-03-29T01:30:00Z"
    );
}

/// A quote the API and the page must both refuse, with the form field (page) and field path
/// (API) it concerns.
struct Refused {
    service: &'static str,
    api: serde_json::Value,
    form: &'static str,
    api_field: &'static str,
}

#[tokio::test]
async fn the_page_and_the_api_refuse_the_same_quotes() {
    let app = TestApp::new().await;
    let cases = [
        Refused {
            service: "OLD-HOSTING",
            api: json!({"service": "OLD-HOSTING", "pack": "only"}),
            form: "pack=only&quantity=1",
            api_field: "service",
        },
        Refused {
            service: "WEB-HOSTING",
            api: json!({"service": "WEB-HOSTING", "pack": "large", "quantity": 1_000_001}),
            form: "pack=large&quantity=1000001",
            api_field: "quantity",
        },
        Refused {
            service: "WEB-HOSTING",
            api: json!({"service": "WEB-HOSTING", "pack": "small", "quantity": 0}),
            form: "pack=small&quantity=0",
            api_field: "quantity",
        },
        Refused {
            service: "WEB-HOSTING",
            api: json!({"service": "WEB-HOSTING", "pack": "huge"}),
            form: "pack=huge&quantity=1",
            api_field: "pack",
        },
        Refused {
            service: "WEB-HOSTING",
            api: json!({"service": "WEB-HOSTING", "pack": "small", "options": ["extended-support"]}),
            form: "pack=small&option=extended-support&quantity=1",
            api_field: "options[0]",
        },
        Refused {
            service: "DIGITAL-WORKPLACE",
            api: json!({"service": "DIGITAL-WORKPLACE", "pack": "base", "level": "critical"}),
            form: "pack=base&level=critical&quantity=1",
            api_field: "level",
        },
    ];
    for case in cases {
        let api = app
            .write("POST", "/api/v1/catalogue/quote", &case.api, &[])
            .await;
        assert_eq!(
            api.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "API {}",
            case.api
        );
        assert!(
            api.json()["error"]["fields"].get(case.api_field).is_some(),
            "{}",
            text(&api)
        );
        let fragment = post_form(
            &app,
            &format!("/en/services/{}/quote", case.service),
            case.form,
        )
        .await;
        assert_eq!(
            fragment.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "fragment {}",
            case.form
        );
        assert!(text(&fragment).contains("role=\"alert\""));
        assert!(!text(&fragment).contains("total-month"));
        let page = post_form(&app, &format!("/en/services/{}", case.service), case.form).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "page {}",
            case.form
        );
        assert!(text(&page).contains("role=\"alert\""));
    }
    // And both price what they both accept, to the cent.
    let api = app
        .write(
            "POST",
            "/api/v1/catalogue/quote",
            &json!({"service": "WEB-HOSTING", "pack": "large", "quantity": 1_000_000}),
            &[],
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let month = api.json()["totals"]["month_cents"].as_i64().unwrap();
    let fragment = post_form(
        &app,
        "/en/services/WEB-HOSTING/quote",
        "pack=large&quantity=1000000",
    )
    .await;
    assert_eq!(fragment.status, StatusCode::OK);
    let expected = pacta_web::ui::format::money(month, pacta_core::text::Lang::En);
    assert!(text(&fragment).contains(&format!("class=\"total-month\">{expected}<")));
}

#[tokio::test]
async fn a_retired_service_shows_no_quote_form() {
    let app = TestApp::new().await;
    let html = text(&app.get("/en/services/OLD-HOSTING").await);
    assert!(html.contains("This service is retired"));
    assert!(!html.contains("id=\"quote-title\""), "{html}");
}

#[tokio::test]
async fn a_malformed_form_answers_422_with_the_form_and_what_is_wrong() {
    let app = TestApp::new().await;
    // Not a form at all.
    let r = post(
        &app,
        "/en/services/WEB-HOSTING",
        "application/json",
        r#"{"pack":"small"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(&r);
    assert!(
        html.contains("<form method=\"post\""),
        "the form is shown again"
    );
    assert!(html.contains("could not be read"), "{html}");
    // A field given twice.
    let r = post_form(
        &app,
        "/en/services/WEB-HOSTING/quote",
        "pack=small&pack=large&quantity=1",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r).contains("sent twice"));
    // An unknown field.
    let r = post_form(
        &app,
        "/en/services/WEB-HOSTING/quote",
        "pack=small&colour=red",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A quantity that is not a number: the page marks the field and keeps what was typed.
    let r = post_form(&app, "/en/services/WEB-HOSTING", "pack=small&quantity=ten").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(&r);
    assert!(
        html.contains("value=\"ten\" aria-invalid=\"true\""),
        "{html}"
    );
    assert!(html.contains("id=\"quote-error\""));
    assert!(html.contains("value=\"small\" checked"));
}

/// The small catalogue with `n` more published services, `GEN-000` …, in category hosting.
fn catalogue_of(n: usize) -> pacta_core::catalogue::Catalogue {
    let mut c = small_catalogue();
    let model = c.services[0].clone();
    for i in 0..n {
        let mut s = model.clone();
        s.code = format!("GEN-{i:03}");
        c.services.push(s);
    }
    c
}

#[tokio::test]
async fn the_catalogue_is_paged_by_50_with_links_that_keep_the_filters() {
    // 2 published services of the small catalogue + 118 = 120: pages of 50, 50 and 20.
    let app = TestApp::with_catalogue(&catalogue_of(118), None).await;
    let first = text(&app.get("/en/catalogue").await);
    assert_eq!(first.matches("<li class=\"card\">").count(), 50);
    assert!(first.contains("120 services"), "{first}");
    assert!(first.contains("page 1 of 3"));
    assert!(first.contains("href=\"/en/catalogue?page=2\" rel=\"next\""));
    let last = app.get("/en/catalogue?page=3").await;
    assert_eq!(last.status, StatusCode::OK);
    let last = text(&last);
    assert_eq!(last.matches("<li class=\"card\">").count(), 20);
    assert!(last.contains("href=\"/en/catalogue?page=2\" rel=\"prev\""));
    assert!(last.contains("aria-current=\"page\" aria-label=\"Page 3\""));
    for bad in ["4", "0", "two"] {
        let r = app.get(&format!("/en/catalogue?page={bad}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "page={bad}");
    }
    let filtered = text(&app.get("/en/catalogue?category=hosting&page=2").await);
    assert!(
        filtered.contains("href=\"/en/catalogue?category=hosting&#38;page=3\""),
        "{filtered}"
    );
    // A catalogue that fits on one page has no pager.
    let small = text(&TestApp::new().await.get("/en/catalogue").await);
    assert!(!small.contains("class=\"pager\""));
}

/// A background task that counts its starts and stops.
struct Counting {
    started: Arc<AtomicUsize>,
    stopped: Arc<AtomicUsize>,
}

impl Task for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn run(&self, _state: AppState, shutdown: CancellationToken) -> TaskFuture {
        let (started, stopped) = (self.started.clone(), self.stopped.clone());
        Box::pin(async move {
            started.fetch_add(1, Ordering::SeqCst);
            shutdown.cancelled().await;
            stopped.fetch_add(1, Ordering::SeqCst);
        })
    }
}

#[tokio::test]
async fn serve_runs_background_tasks_beside_the_server_and_stops_them_with_it() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let app = TestApp::new().await;
    let state = app.state.clone().with_background(vec![Arc::new(Counting {
        started: started.clone(),
        stopped: stopped.clone(),
    })]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(pacta_web::serve(listener, state, shutdown.clone()));

    let answer = http_get(addr, "/healthz").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert_eq!(
        stopped.load(Ordering::SeqCst),
        0,
        "runs while the server runs"
    );

    shutdown.cancel();
    server.await.unwrap().unwrap();
    assert_eq!(
        stopped.load(Ordering::SeqCst),
        1,
        "serve returns after the task"
    );
}

/// One HTTP/1.1 request on a fresh connection; the whole answer.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}
