//! The partner dashboard (issue 14) through the API and its pages, worked by hand: P-A's
//! WEB-HOSTING (level basic, 99.5 %), active since 1 October 2026, watched by an hourly monitor
//! (N = M = 1, a result covers 2 h) — failures on 12 November 10:00 and 11:00, no result 20
//! November 01:00–05:00, a five-minute `down` incident on 25 November; "now" Monday 30 November
//! 2026, 10:00. The 90 local days, the month so far, the live status and since when, the strip's
//! in-memory view, the service's page, the overview's order, the badges and who reads what. On
//! SQLite, and on PostgreSQL too when `PACTA_TEST_POSTGRES_URL` is set.

use std::collections::HashMap;

use axum::http::StatusCode;
use pacta_core::monitor::CheckResult;
use pacta_core::sla::instant::parse_instant;
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{
    active_subscription, small_catalogue, t0, HourlyMonitor, Reply, TestApp, TOKEN,
};

fn at(s: &str) -> jiff::Timestamp {
    parse_instant(s).unwrap()
}

struct World {
    app: TestApp,
    tokens: HashMap<&'static str, String>,
    sub: String,
    b_sub: String,
    monitor: HourlyMonitor,
}

impl World {
    async fn new(app: TestApp) -> World {
        let tokens = crate::support::staff_and_two_partners(&app).await;
        let sub = active_subscription(
            &app,
            "P-A",
            jiff::civil::date(2026, 10, 1),
            at("2026-10-01T00:00:00+02:00"),
        )
        .await;
        // P-B only since 29 November: a smaller budget this month.
        let b_sub = active_subscription(
            &app,
            "P-B",
            jiff::civil::date(2026, 11, 29),
            at("2026-11-29T00:00:00+01:00"),
        )
        .await;
        let monitor = HourlyMonitor::add(&app, "web.internal.example").await;
        World {
            app,
            tokens,
            sub,
            b_sub,
            monitor,
        }
    }

    async fn call(&self, who: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let token = match who {
            "anonymous" => None,
            "bootstrap" => Some(TOKEN),
            other => Some(self.tokens[other].as_str()),
        };
        self.app.call(token, method, uri, body.as_ref()).await
    }

    /// A page as `email` would see it, signed in.
    async fn page_as(&self, email: &str, uri: &str) -> Reply {
        let session = self
            .app
            .state
            .db
            .create_session(email, Stamp::new("test", t0()))
            .await
            .unwrap();
        self.app
            .get_with(uri, &[("cookie", &format!("pacta_session={session}"))])
            .await
    }

    /// Stored as the probes would, but without telling the dashboard's live view.
    async fn ingest_quietly(&self, results: Vec<CheckResult>) {
        self.monitor.ingest(&self.app, &results).await;
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// Hourly results from 1 October 00:00 to 30 November 09:00: failures on 12 November at 10:00
/// and 11:00, none from 01:00 to 05:00 on 20 November.
fn history() -> Vec<CheckResult> {
    let (start, end) = (
        at("2026-10-01T00:00:00+02:00").as_second(),
        at("2026-11-30T09:00:00+01:00").as_second(),
    );
    let fail = [
        at("2026-11-12T10:00:00+01:00").as_second(),
        at("2026-11-12T11:00:00+01:00").as_second(),
    ];
    let (gap_from, gap_to) = (
        at("2026-11-20T01:00:00+01:00").as_second(),
        at("2026-11-20T05:00:00+01:00").as_second(),
    );
    (start..=end)
        .step_by(3600)
        .filter(|t| !(gap_from..=gap_to).contains(t))
        .map(|t| CheckResult {
            at: t,
            ok: !fail.contains(&t),
            latency_ms: Some(40),
            detail: None,
        })
        .collect()
}

fn entry<'a>(doc: &'a Value, sub: &str) -> &'a Value {
    doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subscription"] == json!(sub))
        .unwrap_or_else(|| panic!("{sub} not on {doc}"))
}

fn day<'a>(e: &'a Value, date: &str) -> &'a Value {
    e["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == json!(date))
        .unwrap_or_else(|| panic!("{date} not among the days"))
}

async fn the_dashboard_worked_by_hand(w: World) {
    w.ingest_quietly(history()).await;
    let r = w
        .call(
            "admin",
            "POST",
            "/api/v1/incidents",
            Some(
                json!({"service": "WEB-HOSTING", "kind": "down", "title": "Web down",
                        "start": "2026-11-25T10:00:00+01:00", "end": "2026-11-25T10:05:00+01:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));

    // A partner's viewer reads its own, without naming it.
    let r = w.call("a-viewer", "GET", "/api/v1/dashboard", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let doc = r.json();
    assert_eq!(doc["partner"], "P-A");
    assert_eq!(doc["at"], "2026-11-30T10:00:00+01:00");
    assert_eq!(doc["services"].as_array().unwrap().len(), 1, "P-A's only");
    let e = entry(&doc, &w.sub);
    assert_eq!(e["service"], "WEB-HOSTING");

    // 90 local days, oldest first: 2 September … 30 November.
    let days = e["days"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    assert_eq!(days[0]["date"], "2026-09-02");
    assert_eq!(days[89]["date"], "2026-11-30");
    // Before 1 October nothing was owed: no figure.
    assert_eq!(day(e, "2026-09-30")["availability_percent"], Value::Null);
    assert_eq!(day(e, "2026-09-30")["grade"], "none");
    // 25 October has 25 hours, all up.
    assert_eq!(day(e, "2026-10-25")["agreed_seconds"], 90_000);
    assert_eq!(day(e, "2026-10-25")["availability_percent"], 100.0);
    assert_eq!(day(e, "2026-10-25")["grade"], "full");
    // 12 November: down [10:00, 12:00) = 7,200 s of 86,400 → floor(91,666.6…)/1000; below 99.5.
    let d = day(e, "2026-11-12");
    assert_eq!(
        (
            &d["availability_percent"],
            &d["downtime_seconds"],
            &d["grade"]
        ),
        (&json!(91.666), &json!(7_200), &json!("below"))
    );
    // 20 November: the 00:00 result covers to 02:00, the next is at 06:00: 4 h unmonitored,
    // not downtime.
    let d = day(e, "2026-11-20");
    assert_eq!(d["unmonitored_seconds"], 14_400);
    assert_eq!(d["availability_percent"], 100.0);
    assert_eq!(d["grade"], "full");
    // 25 November: 300 s down of 86,400 (432 s allowed) → 99.652, still met.
    let d = day(e, "2026-11-25");
    assert_eq!(
        (&d["availability_percent"], &d["grade"]),
        (&json!(99.652), &json!("met"))
    );
    // Today so far: [00:00, 10:00).
    assert_eq!(day(e, "2026-11-30")["agreed_seconds"], 36_000);

    // The month so far, the very statement object of GET …/availability?month=2026-11:
    // [1 Nov, 30 Nov 10:00) = 2,541,600 s; downtime 7,200 + 300; allowed over the whole month
    // floor(2,592,000 × 0.5 %) = 12,960; budget 5,460; floor(100000 × 2,534,100 / 2,541,600)
    // = 99,704; burn (7,500 / 2,541,600) / 0.005 = 0.59.
    let m = &e["month"];
    assert_eq!(m["provisional"], true);
    assert_eq!(
        json!([
            m["period_seconds"],
            m["downtime_seconds"],
            m["unmonitored_seconds"],
            m["allowed_downtime_seconds"],
            m["budget_left_seconds"],
            m["availability_percent"],
            m["met"]
        ]),
        json!([2_541_600, 7_500, 14_400, 12_960, 5_460, 99.704, true])
    );
    assert_eq!(e["burn_rate"], 0.59);
    let same = w
        .call(
            "a-viewer",
            "GET",
            &format!("/api/v1/subscriptions/{}/availability?month=2026-11", w.sub),
            None,
        )
        .await
        .json();
    assert_eq!(m, &same, "the dashboard's month is the availability's");

    // Up since the incident ended; the monitor by name and status only.
    assert_eq!(e["status"], "up");
    assert_eq!(e["since"], "2026-11-25T10:05:00+01:00");
    assert_eq!(
        e["monitors"],
        json!([{"code": "web-hourly", "name": {"en": "Web"}, "scope": "service",
                "status": "up", "since": "2026-11-20T06:00:00+01:00"}])
    );
    let raw = text(&w.call("a-viewer", "GET", "/api/v1/dashboard", None).await);
    assert!(
        !raw.contains("web.internal.example"),
        "a partner never sees a monitor's host"
    );

    // A degraded incident since 09:30 makes it degraded — at once: the change tells the view.
    let r = w
        .call(
            "admin",
            "POST",
            "/api/v1/incidents",
            Some(
                json!({"service": "WEB-HOSTING", "kind": "degraded", "title": "Slow",
                        "start": "2026-11-30T09:30:00+01:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    let doc = w
        .call("a-admin", "GET", "/api/v1/dashboard", None)
        .await
        .json();
    let e = entry(&doc, &w.sub);
    assert_eq!(
        (&e["status"], &e["since"]),
        (&json!("degraded"), &json!("2026-11-30T09:30:00+01:00"))
    );
    assert_eq!(e["incidents"].as_array().unwrap().len(), 1);
    assert_eq!(e["incidents"][0]["title"], "Slow");

    // The strip is served from memory: a result stored behind its back does not show …
    w.ingest_quietly(vec![CheckResult {
        at: at("2026-11-30T10:00:00+01:00").as_second(),
        ok: false,
        latency_ms: None,
        detail: None,
    }])
    .await;
    w.app.clock.set(at("2026-11-30T10:00:29+01:00"));
    let strip = pacta_web::dashboard::strip(&w.app.state, "P-A")
        .await
        .unwrap();
    assert_eq!(strip[0]["status"], "degraded", "29 s: still the view's");
    // … until the view is 30 s old.
    w.app.clock.set(at("2026-11-30T10:00:30+01:00"));
    let strip = pacta_web::dashboard::strip(&w.app.state, "P-A")
        .await
        .unwrap();
    assert_eq!(
        (&strip[0]["status"], &strip[0]["since"]),
        (&json!("down"), &json!("2026-11-30T10:00:00+01:00"))
    );
    // A result through the API tells the view at once: up again at 10:00:40.
    w.app.clock.set(at("2026-11-30T10:01:00+01:00"));
    let r = w
        .call(
            "admin",
            "POST",
            &format!("/api/v1/monitors/{}/results", w.monitor.id),
            Some(json!([{"at": "2026-11-30T10:00:40+01:00", "ok": true}])),
        )
        .await;
    assert_eq!(r.status.as_u16() / 100, 2, "{}", text(&r));
    let strip = pacta_web::dashboard::strip(&w.app.state, "P-A")
        .await
        .unwrap();
    assert_eq!(
        strip[0]["status"], "degraded",
        "the outage ended; the incident runs"
    );

    // Staff name the partner; without one it is a 422; another partner's people get 404.
    let r = w
        .call("admin", "GET", "/api/v1/dashboard?partner=P-A", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["partner"], "P-A");
    let r = w.call("admin", "GET", "/api/v1/dashboard", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", text(&r));
    for uri in [
        "/api/v1/dashboard?partner=P-A",
        "/api/v1/dashboard/services/WEB-HOSTING?partner=P-A",
    ] {
        let r = w.call("b-admin", "GET", uri, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let r = w.call("anonymous", "GET", "/api/v1/dashboard", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = w
        .call("a-admin", "GET", "/api/v1/dashboard?x=1", None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The service's page: outages of the 90 days, the latest first, and response times.
    let r = w
        .call(
            "a-admin",
            "GET",
            "/api/v1/dashboard/services/WEB-HOSTING",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let svc = r.json();
    let s = &svc["subscriptions"][0];
    let outages: Vec<Value> = s["outages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| json!([o["start"], o["end"], o["duration_seconds"]]))
        .collect();
    assert_eq!(
        outages,
        vec![
            json!(["2026-11-30T10:00:00+01:00", "2026-11-30T10:00:40+01:00", 40]),
            json!([
                "2026-11-25T10:00:00+01:00",
                "2026-11-25T10:05:00+01:00",
                300
            ]),
            json!([
                "2026-11-12T10:00:00+01:00",
                "2026-11-12T12:00:00+01:00",
                7_200
            ]),
        ]
    );
    // 24 h by the hour from 29 November 11:00: 23 hours of results at 40 ms, then 10:00's.
    let day_series = s["latency"][0]["24h"].as_array().unwrap();
    assert_eq!(day_series[0]["at"], "2026-11-29T11:00:00+01:00");
    assert_eq!(day_series[0]["average_ms"], 40);
    assert_eq!(day_series.len(), 24);
    assert_eq!(s["latency"][0]["90d"][0]["at"], "2026-10-01T00:00:00+02:00");
    let r = w
        .call(
            "a-admin",
            "GET",
            "/api/v1/dashboard/services/MAIL-AGENDA",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not subscribed");

    // The overview: P-B (in service since 29 November: floor(172,800 × 0.5 %) = 864 s allowed
    // this month, 40 s down) before P-A (5,460 − 40).
    let r = w
        .call("a-admin", "GET", "/api/v1/dashboard/overview", None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = w
        .call("admin", "GET", "/api/v1/dashboard/overview", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let items: Vec<Value> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!([i["subscription"], i["budget_left_seconds"], i["attention"]]))
        .collect();
    assert_eq!(
        items,
        vec![json!([w.b_sub, 824, false]), json!([w.sub, 5_420, false])]
    );
}

#[tokio::test]
async fn the_dashboard_worked_by_hand_sqlite() {
    the_dashboard_worked_by_hand(
        World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await,
    )
    .await;
}

#[tokio::test]
async fn the_dashboard_worked_by_hand_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    the_dashboard_worked_by_hand(World::new(app).await).await;
}

/// The badges: a service's for anyone, in the four languages; a subscription's only with the
/// secret its partner admin is shown on the dashboard.
#[tokio::test]
async fn badges_public_per_service_and_secret_per_subscription() {
    let w = World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
    w.ingest_quietly(history()).await;
    let r = w.app.get("/badges/WEB-HOSTING.svg?lang=nl").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("image/svg+xml"));
    let svg = text(&r);
    assert!(svg.contains("status: Beschikbaar"), "{svg}");
    let svg = text(&w.app.get("/badges/WEB-HOSTING.svg?lang=fr").await);
    assert!(svg.contains("état: Disponible"), "{svg}");
    assert_eq!(
        w.app.get("/badges/NO-SUCH.svg").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.app.get("/badges/WEB-HOSTING.png").await.status,
        StatusCode::NOT_FOUND
    );

    // The partner admin's dashboard shows the subscription's badge with its secret.
    let page = w.page_as("admin@p-a.example", "/en/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = text(&page);
    let start = html
        .find("/badges/WEB-HOSTING/")
        .expect("the badge's address");
    let url = &html[start..];
    let url = &url[..url.find('<').unwrap()].replace("&amp;", "&");
    let r = w.app.get(url).await;
    assert_eq!(r.status, StatusCode::OK, "{url}");
    assert!(text(&r).contains("status: Up"));
    // The same secret for another subscription, or no secret: 404.
    let token = url
        .split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    for other in [
        format!("/badges/WEB-HOSTING/{}.svg?token={token}", w.b_sub),
        format!("/badges/WEB-HOSTING/{}.svg", w.sub),
        format!("/badges/WEB-HOSTING/{}.svg?token=pacta_wrong", w.sub),
        format!("/badges/MAIL-AGENDA/{}.svg?token={token}", w.sub),
    ] {
        assert_eq!(
            w.app.get(&other).await.status,
            StatusCode::NOT_FOUND,
            "{other}"
        );
    }
    // Neither a viewer nor the staff are shown the secret: it is the partner admin's to give.
    for (who, uri) in [
        ("viewer@p-a.example", "/en/dashboard"),
        ("admin@provider.example", "/en/dashboard?partner=P-A"),
    ] {
        let page = w.page_as(who, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        let html = text(&page);
        assert!(html.contains("Dashboard — P-A"), "{who}");
        assert!(!html.contains("/badges/WEB-HOSTING/"), "{who}");
    }
}

/// The overview computes a month once for the subscribers that read it alike, and apart for
/// those that differ in their part in service, their suspension or their consents. Worked by
/// hand over November 2026 so far (now 30 November 10:00; allowed = floor(agreed × 0.5 %) over
/// the whole month), one outage [12 Nov 10:00, 12:00) and a window [12 Nov 09:00, 11:00)
/// consulting P-A (agreed) and P-C (objected):
/// - P-A: 7,200 s excluded, 3,600 s down; floor(2,584,800 × 0.005) = 12,924 → 9,324 left;
/// - P-C, and P-E and P-F (not consulted: agreed time): 7,200 down of 12,960 → 5,760;
/// - P-B, in service since 29 November: floor(172,800 × 0.005) = 864, nothing down → 864;
/// - P-D, suspended on 12 November: 2,505,600 owed, nothing down → 12,528.
async fn the_overview_shares_only_what_reads_alike(w: World) {
    use pacta_core::sla::consent::Answer;
    use pacta_core::subscription::State;
    w.ingest_quietly(history()).await;
    let mut subs = vec![("P-A", w.sub.clone()), ("P-B", w.b_sub.clone())];
    for partner in ["P-C", "P-D", "P-E", "P-F"] {
        crate::support::add_partner(&w.app, partner).await;
        let id = active_subscription(
            &w.app,
            partner,
            jiff::civil::date(2026, 10, 1),
            at("2026-10-01T00:00:00+02:00"),
        )
        .await;
        subs.push((partner, id));
    }
    // P-D suspended for 12 November.
    for (step, when) in [
        (
            (State::Active, "suspend", State::Suspended),
            "2026-11-12T00:00:00+01:00",
        ),
        (
            (State::Suspended, "resume", State::Active),
            "2026-11-13T00:00:00+01:00",
        ),
    ] {
        crate::support::move_subscription(&w.app, &subs[3].1, step, at(when)).await;
    }
    crate::support::consulted_window(
        &w.app,
        "2026-11-12T09:00",
        "2026-11-12T11:00",
        &[("P-A", Some(Answer::Agree)), ("P-C", Some(Answer::Object))],
    )
    .await;
    let r = w
        .call("admin", "GET", "/api/v1/dashboard/overview", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let items = r.json()["items"].as_array().unwrap().clone();
    let left: HashMap<String, (i64, i64)> = items
        .iter()
        .map(|i| {
            (
                i["partner"].as_str().unwrap().to_owned(),
                (
                    i["budget_left_seconds"].as_i64().unwrap(),
                    i["downtime_seconds"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    let expected: HashMap<String, (i64, i64)> = [
        ("P-A", (9_324, 3_600)),
        ("P-B", (864, 0)),
        ("P-C", (5_760, 7_200)),
        ("P-D", (12_528, 0)),
        ("P-E", (5_760, 7_200)),
        ("P-F", (5_760, 7_200)),
    ]
    .into_iter()
    .map(|(p, f)| (p.to_owned(), f))
    .collect();
    assert_eq!(left, expected);
    let order: Vec<i64> = items
        .iter()
        .map(|i| i["budget_left_seconds"].as_i64().unwrap())
        .collect();
    assert_eq!(order, [864, 5_760, 5_760, 5_760, 9_324, 12_528]);
    for (partner, id) in &subs {
        let row = items
            .iter()
            .find(|i| i["subscription"] == json!(id))
            .unwrap();
        assert_eq!(row["partner"], json!(partner));
    }
}

#[tokio::test]
async fn the_overview_shares_only_what_reads_alike_sqlite() {
    the_overview_shares_only_what_reads_alike(
        World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await,
    )
    .await;
}

#[tokio::test]
async fn the_overview_shares_only_what_reads_alike_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    the_overview_shares_only_what_reads_alike(World::new(app).await).await;
}

/// The overview page, a hundred rows a page: the first holds the least budget left, the count
/// of all and of those needing attention on each; a page that does not exist is a 404.
#[tokio::test]
async fn the_overview_page_is_paged() {
    let w = World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
    w.ingest_quietly(history()).await;
    // 99 more subscribers since 1 October (as P-A: 5,460 s left), 101 in all with P-B (864 s).
    for i in 0..99 {
        let partner = format!("P-{i:03}");
        crate::support::add_partner(&w.app, &partner).await;
        active_subscription(
            &w.app,
            &partner,
            jiff::civil::date(2026, 10, 1),
            at("2026-10-01T00:00:00+02:00"),
        )
        .await;
    }
    let rows = |html: &str| html.matches("<th scope=\"row\">").count();
    let first = w
        .page_as("admin@provider.example", "/en/admin/overview")
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let html = text(&first);
    assert!(
        html.contains("101 subscriptions · 0 need attention · page 1 of 2"),
        "{html}"
    );
    assert_eq!(rows(&html), 100);
    assert!(html.contains("href=\"/en/admin/overview?page=2\" rel=\"next\""));
    // The least budget left first: P-B's row leads the first page.
    let table = &html[html.find("<tbody>").unwrap()..];
    assert!(table.find(">P-B<").unwrap() < table.find(">P-A<").unwrap_or(usize::MAX));
    let second = w
        .page_as("admin@provider.example", "/nl/admin/overview?page=2")
        .await;
    assert_eq!(second.status, StatusCode::OK);
    let html = text(&second);
    assert!(
        html.contains("101 abonnementen · 0 vragen aandacht · pagina 2 van 2"),
        "{html}"
    );
    assert_eq!(rows(&html), 1);
    assert!(html.contains("href=\"/nl/admin/overview\" rel=\"prev\""));
    // French counts 0 as singular: the count is still the count.
    let french = w
        .page_as("admin@provider.example", "/fr/admin/overview")
        .await;
    let html = text(&french);
    assert!(
        html.contains("101 abonnements · 0 demande de l’attention · page 1 sur 2"),
        "{html}"
    );
    for bad in ["3", "0", "x", "-1"] {
        let r = w
            .page_as(
                "admin@provider.example",
                &format!("/en/admin/overview?page={bad}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "page={bad}");
    }
}
