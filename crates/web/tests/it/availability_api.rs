//! A subscription's availability and its monthly statements through the API (issue 10): the
//! live, provisional figures of a month worked out by hand from results, a gap and a `down`
//! incident; the close by the job runner, write-once; late results that change nothing of the
//! closed statement; an amendment beside it; who reads (the partner's people, staff; another
//! partner: 404) and who amends (admin). On SQLite, and on PostgreSQL too when
//! `PACTA_TEST_POSTGRES_URL` is set.

use std::collections::HashMap;

use axum::http::StatusCode;
use pacta_core::monitor::CheckResult;
use pacta_core::sla::instant::parse_instant;
use pacta_store::Stamp;
use serde_json::{json, Value};

use crate::support::{
    active_subscription, consulted_window, small_catalogue, t0, HourlyMonitor, Reply, TestApp,
    TOKEN,
};

struct World {
    app: TestApp,
    tokens: HashMap<&'static str, String>,
    sub: String,
    monitor: HourlyMonitor,
}

fn at(s: &str) -> jiff::Timestamp {
    parse_instant(s).unwrap()
}

impl World {
    /// P-A subscribes to WEB-HOSTING, pack small (level basic: 99.5 %), active from 1 October
    /// 2026; an hourly monitor of the service (N = M = 1, a result covers 2 h).
    async fn new(app: TestApp) -> World {
        let tokens = crate::support::staff_and_two_partners(&app).await;
        let sub = active_subscription(
            &app,
            "P-A",
            jiff::civil::date(2026, 10, 1),
            at("2026-10-01T00:00:00+02:00"),
        )
        .await;
        let monitor = HourlyMonitor::add(&app, "web.example.invalid").await;
        World {
            app,
            tokens,
            sub,
            monitor,
        }
    }

    async fn call(&self, who: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let token = match who {
            "bootstrap" => TOKEN,
            other => &self.tokens[other],
        };
        self.app.call(Some(token), method, uri, body.as_ref()).await
    }

    async fn october(&self, who: &str) -> Reply {
        self.call(
            who,
            "GET",
            &format!(
                "/api/v1/subscriptions/{}/availability?month=2026-10",
                self.sub
            ),
            None,
        )
        .await
    }

    async fn ingest(&self, results: Vec<CheckResult>) {
        self.monitor.ingest(&self.app, &results).await;
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// Hourly results over October 2026: all ok but failures at 10:00 and 11:00 on the 12th, and
/// none from 01:00 to 05:00 on the 20th (the prober away).
fn october_results() -> Vec<CheckResult> {
    let (start, end) = (
        at("2026-10-01T00:00:00+02:00").as_second(),
        at("2026-11-01T00:00:00+01:00").as_second(),
    );
    let fail = [
        at("2026-10-12T10:00:00+02:00").as_second(),
        at("2026-10-12T11:00:00+02:00").as_second(),
    ];
    let (gap_from, gap_to) = (
        at("2026-10-20T01:00:00+02:00").as_second(),
        at("2026-10-20T05:00:00+02:00").as_second(),
    );
    (start..end)
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

fn figures(v: &Value) -> Value {
    json!({
        "period_seconds": v["period_seconds"], "agreed_seconds": v["agreed_seconds"],
        "downtime_seconds": v["downtime_seconds"], "unmonitored_seconds": v["unmonitored_seconds"],
        "allowed_downtime_seconds": v["allowed_downtime_seconds"],
        "budget_left_seconds": v["budget_left_seconds"],
        "availability_percent": v["availability_percent"], "met": v["met"],
        "incomplete": v["incomplete"], "burn_rate": v["burn_rate"], "target": v["target"],
        "suspended_seconds": v["suspended_seconds"],
        "excluded_maintenance_seconds": v["excluded_maintenance_seconds"],
    })
}

async fn a_month_from_results_to_statement_and_amendment(w: World) {
    w.ingest(october_results()).await;
    // A `down` incident of the service inside the prober's absence: downtime though unmonitored.
    let r = w
        .call(
            "admin",
            "POST",
            "/api/v1/incidents",
            Some(
                json!({"service": "WEB-HOSTING", "kind": "down", "title": "Web down",
                        "start": "2026-10-20T03:00:00+02:00", "end": "2026-10-20T04:00:00+02:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    // Worked by hand (October 2026: 745 h = 2,682,000 s; target 99.5):
    // outage [12th 10:00, 12:00) = 7,200 s (N = 1; the 12:00 success ends it);
    // unmonitored [20th 02:00, 06:00) = 14,400 s (the 00:00 result covers to 02:00);
    // the incident [03:00, 04:00) = 3,600 s counts although unmonitored → downtime 10,800;
    // allowed floor(2,682,000 × 0.5 / 100) = 13,410; budget 2,610;
    // availability floor(100000 × 2,671,200 / 2,682,000) / 1000 = 99.597; met;
    // burn rate (10,800 / 2,682,000) / 0.005 = 0.805.
    let expected = json!({
        "period_seconds": 2_682_000, "agreed_seconds": 2_682_000, "downtime_seconds": 10_800,
        "unmonitored_seconds": 14_400, "allowed_downtime_seconds": 13_410,
        "budget_left_seconds": 2_610, "availability_percent": 99.597, "met": true,
        "incomplete": false, "burn_rate": 0.805, "target": "99.5", "suspended_seconds": 0,
        "excluded_maintenance_seconds": 0,
    });
    // Before the close: live, provisional (the job has not run).
    let r = w.october("a-viewer").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let live = r.json();
    assert_eq!(figures(&live), expected, "{live}");
    assert_eq!(live["provisional"], true);
    assert_eq!(live["monitors"], json!(["web-hourly"]));
    // The job runner closes the past months (scheduled at start), October among them.
    pacta_web::availability::schedule_closes(&w.app.state, 2)
        .await
        .unwrap();
    let fired = pacta_web::jobs::run_due(&w.app.state, t0()).await.unwrap();
    assert!(
        fired
            .iter()
            .any(|f| f.kind == "statements.close" && f.subject == "2026-10"),
        "{fired:?}"
    );
    let closed = w.october("a-admin").await.json();
    assert_eq!(figures(&closed), expected, "{closed}");
    assert_eq!(closed["provisional"], false);
    assert_eq!(closed["amendment"], 0);
    assert_eq!(closed["statements"].as_array().unwrap().len(), 1);
    let fingerprint = closed["fingerprint"].clone();
    assert!(fingerprint.as_str().unwrap().starts_with("sha256:"));
    // A second close writes nothing.
    let again =
        pacta_web::availability::close_month(&w.app.state, "2026-10", Stamp::new("pacta", t0()))
            .await
            .unwrap();
    assert_eq!(again, 0);
    // Late results for the closed month (the prober's buffer: failures in the gap) are stored
    // and change nothing of the statement.
    let late: Vec<CheckResult> = ["01", "02", "03", "04", "05"]
        .iter()
        .map(|h| CheckResult {
            at: at(&format!("2026-10-20T{h}:00:00+02:00")).as_second(),
            ok: false,
            latency_ms: None,
            detail: Some("timeout".into()),
        })
        .collect();
    w.ingest(late).await;
    assert_eq!(figures(&w.october("a-admin").await.json()), expected);
    // An amendment recomputes from the data as it stands: down [02:00... no: from the 01:00
    // failure to the 06:00 success = 18,000 s, nothing unmonitored; with the 12th's 7,200 s
    // → 25,200 s; budget 13,410 − 25,200 = −11,790; availability
    // floor(100000 × 2,656,800 / 2,682,000) / 1000 = 99.06; not met.
    let uri = format!("/api/v1/subscriptions/{}/statements", w.sub);
    for (who, body, status) in [
        (
            "a-admin",
            json!({"month": "2026-10", "reason": "late results"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "admin",
            json!({"month": "2026-11", "reason": "too early"}),
            StatusCode::CONFLICT,
        ),
        // September is closed, but the subscription was not in service: nothing to amend.
        (
            "admin",
            json!({"month": "2026-09", "reason": "x"}),
            StatusCode::CONFLICT,
        ),
        (
            "admin",
            json!({"month": "2026-10", "reason": "a\u{0}b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "admin",
            json!({"month": "2026-10", "reason": " "}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "admin",
            json!({"month": "2026-13", "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "admin",
            json!({"month": "2026-10", "reason": "x", "by": "me"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "b-admin",
            json!({"month": "2026-10", "reason": "x"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = w.call(who, "POST", &uri, Some(body.clone())).await;
        assert_eq!(r.status, status, "{who} {body}: {}", text(&r));
    }
    let r = w
        .call(
            "admin",
            "POST",
            &uri,
            Some(json!({"month": "2026-10", "reason": "the prober's buffer arrived late"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    assert_eq!(r.json()["amendment"], 1);
    assert_eq!(r.json()["author"], "admin@provider.example");
    let amended = w.october("a-viewer").await.json();
    assert_eq!(amended["amendment"], 1);
    assert_eq!(amended["downtime_seconds"], 25_200);
    assert_eq!(amended["unmonitored_seconds"], 0);
    assert_eq!(amended["budget_left_seconds"], -11_790);
    assert_eq!(amended["availability_percent"], 99.06);
    assert_eq!(amended["met"], false);
    let versions = amended["statements"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["kind"], "original");
    assert_eq!(versions[0]["downtime_seconds"], 10_800);
    assert_eq!(versions[0]["fingerprint"], fingerprint);
    assert_eq!(versions[1]["reason"], "the prober's buffer arrived late");
    assert_ne!(versions[1]["fingerprint"], fingerprint);
    // The list of statements: the original and the amendment of October (August and September
    // were closed too, but the subscription was not in service then: no statement).
    let list = w.call("a-viewer", "GET", &uri, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let months: Vec<(String, i64)> = list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["month"].as_str().unwrap().to_owned(),
                i["amendment"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [("2026-10".to_owned(), 0), ("2026-10".to_owned(), 1)]
    );
    // November is open: live and provisional, the month so far (to now, 30 November 10:00).
    let nov = w
        .call(
            "a-viewer",
            "GET",
            &format!("/api/v1/subscriptions/{}/availability?month=2026-11", w.sub),
            None,
        )
        .await
        .json();
    assert_eq!(nov["provisional"], true);
    assert_eq!(nov["to"], "2026-11-30T10:00:00+01:00");
    assert_eq!(nov["closes_at"], "2026-12-01T01:00:00+01:00");
    // The last October result (23:00 on the 31st) covers to 01:00 on 1 November; nothing after.
    assert_eq!(nov["unmonitored_seconds"], 29 * 86_400 + 9 * 3_600);
    // Its budget is the whole month's: 30 days at 99.5 % allow 12,960 s; nothing was down.
    assert_eq!(nov["allowed_downtime_seconds"], 12_960);
    assert_eq!(nov["budget_left_seconds"], 12_960);
}

#[tokio::test]
async fn a_month_from_results_to_a_frozen_statement_and_an_amendment_sqlite() {
    a_month_from_results_to_statement_and_amendment(
        World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await,
    )
    .await;
}

#[tokio::test]
async fn a_month_from_results_to_a_frozen_statement_and_an_amendment_postgres() {
    let Some(app) = TestApp::postgres_with_catalogue(&small_catalogue()).await else {
        return;
    };
    a_month_from_results_to_statement_and_amendment(World::new(app).await).await;
}

#[tokio::test]
async fn bad_periods_are_422_and_another_partner_gets_404() {
    let w = World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
    let base = format!("/api/v1/subscriptions/{}/availability", w.sub);
    for query in [
        "",
        "?month=2026-13",
        "?month=2026-1",
        "?month=2027-01",
        "?month=2026-10&from=2026-10-01T00:00:00Z",
        "?from=2026-10-01T00:00:00Z",
        "?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z",
        "?from=2026-10-01&to=2026-10-02T00:00:00Z",
        "?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z",
    ] {
        let r = w
            .call("admin", "GET", &format!("{base}{query}"), None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            text(&r)
        );
    }
    // A period: live, provisional.
    let r = w
        .call(
            "a-viewer",
            "GET",
            &format!("{base}?from=2026-10-12T00:00:00%2B02:00&to=2026-10-13T00:00:00%2B02:00"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    assert_eq!(r.json()["provisional"], true);
    assert_eq!(r.json()["period_seconds"], 86_400);
    // No result yet: wholly unmonitored, and so incomplete.
    assert_eq!(r.json()["unmonitored_seconds"], 86_400);
    assert_eq!(r.json()["incomplete"], true);
    // A period that reaches past now ends at now (30 November 10:00): what has not happened
    // is neither up nor down.
    let r = w
        .call(
            "a-viewer",
            "GET",
            &format!("{base}?from=2026-11-30T00:00:00%2B01:00&to=2026-12-31T00:00:00%2B01:00"),
            None,
        )
        .await;
    assert_eq!(r.json()["period_seconds"], 10 * 3_600, "{}", text(&r));
    assert_eq!(r.json()["to"], "2026-11-30T10:00:00+01:00");
    for uri in [
        format!("{base}?month=2026-10"),
        format!("/api/v1/subscriptions/{}/statements", w.sub),
    ] {
        let r = w.call("b-admin", "GET", &uri, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn the_error_budget_is_told_at_half_and_at_all_once_each() {
    let w = World::new(TestApp::with_catalogue(&small_catalogue(), Some(TOKEN)).await).await;
    // November 2026: 30 days = 2,592,000 s; at 99.5 % the month allows 12,960 s; half is 6,480.
    // An outage of 2 h on the 29th (hourly results; N = M = 1): 7,200 s ≥ 6,480 → half told.
    let results: Vec<Value> = ["09", "10", "11", "12"]
        .iter()
        .map(|h| json!({"at": format!("2026-11-29T{h}:00:00+01:00"), "ok": !matches!(*h, "10" | "11")}))
        .collect();
    let r = w
        .call(
            "admin",
            "POST",
            &format!("/api/v1/monitors/{}/results", w.monitor.id),
            Some(Value::Array(results)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    // The ingest leaves the budgets to a job, due at once.
    pacta_web::jobs::run_due(&w.app.state, t0()).await.unwrap();
    let told = |kind: &'static str| {
        let db = w.app.state.db.clone();
        async move {
            let mut to: Vec<String> = db
                .outbox()
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == kind)
                .map(|m| m.to)
                .collect();
            to.sort();
            to
        }
    };
    assert_eq!(
        told("budget.half").await,
        ["admin@p-a.example", "admin@provider.example"]
    );
    assert!(told("budget.exhausted").await.is_empty());
    // A `down` incident of 2 h more: 14,400 s ≥ 12,960 → all used, told once; half not again.
    let r = w
        .call(
            "admin",
            "POST",
            "/api/v1/incidents",
            Some(
                json!({"service": "WEB-HOSTING", "kind": "down", "title": "Down",
                        "start": "2026-11-30T00:00:00+01:00", "end": "2026-11-30T02:00:00+01:00"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", text(&r));
    pacta_web::jobs::run_due(&w.app.state, t0()).await.unwrap();
    assert_eq!(told("budget.exhausted").await.len(), 2);
    assert_eq!(told("budget.half").await.len(), 2);
    let mail = w
        .app
        .state
        .db
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.kind == "budget.exhausted" && m.to == "admin@p-a.example")
        .unwrap();
    assert!(mail.text.contains("4\u{a0}h"), "{}", mail.text);
    assert!(
        mail.text
            .contains(&format!("/en/subscriptions/{}/availability", w.sub)),
        "{}",
        mail.text
    );
    // Checking again tells nothing more.
    let again = pacta_web::availability::check_budgets(&w.app.state, None, t0())
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(told("budget.exhausted").await.len(), 2);
}

#[tokio::test]
async fn no_budget_is_told_when_nothing_is_allowed() {
    // A target of 100 % allows no downtime: nothing to tell, however long the outage.
    let mut catalogue = small_catalogue();
    for level in &mut catalogue.levels {
        level.availability_target = pacta_core::sla::availability::Target::parse("100").unwrap();
    }
    let w = World::new(TestApp::with_catalogue(&catalogue, Some(TOKEN)).await).await;
    w.ingest(
        ["09", "10", "11"]
            .iter()
            .map(|h| CheckResult {
                at: at(&format!("2026-11-29T{h}:00:00+01:00")).as_second(),
                ok: *h != "10",
                latency_ms: None,
                detail: None,
            })
            .collect(),
    )
    .await;
    let told = pacta_web::availability::check_budgets(&w.app.state, None, t0())
        .await
        .unwrap();
    assert_eq!(told, 0);
}

#[tokio::test]
async fn agreed_maintenance_is_excluded_from_the_partners_figures_and_objected_maintenance_is_not()
{
    use pacta_core::sla::consent::Answer;
    let w = World::new(TestApp::new().await).await;
    w.ingest(october_results()).await;
    // The outage is [12th 10:00, 12:00). P-A agreed to [09:00, 11:00) and objected to
    // [11:00, 12:00): the first is excluded (7,200 s), the second is agreed time, so its hour
    // of the outage is downtime. Worked by hand: AST = 2,682,000 − 7,200 = 2,674,800;
    // downtime = [11:00, 12:00) = 3,600; allowed floor(2,674,800 × 0.5 / 100) = 13,374;
    // budget 9,774; availability floor(100000 × 2,671,200 / 2,674,800) / 1000 = 99.865;
    // burn rate (3,600 / 2,674,800) / 0.005 = 0.269.
    consulted_window(
        &w.app,
        "2026-10-12T09:00",
        "2026-10-12T11:00",
        &[("P-A", Some(Answer::Agree))],
    )
    .await;
    consulted_window(
        &w.app,
        "2026-10-12T11:00",
        "2026-10-12T12:00",
        &[("P-A", Some(Answer::Object))],
    )
    .await;
    let r = w.october("a-viewer").await;
    assert_eq!(r.status, StatusCode::OK, "{}", text(&r));
    let v = r.json();
    assert_eq!(
        figures(&v),
        json!({
            "period_seconds": 2_682_000, "agreed_seconds": 2_674_800, "downtime_seconds": 3_600,
            "unmonitored_seconds": 14_400, "allowed_downtime_seconds": 13_374,
            "budget_left_seconds": 9_774, "availability_percent": 99.865, "met": true,
            "incomplete": false, "burn_rate": 0.269, "target": "99.5", "suspended_seconds": 0,
            "excluded_maintenance_seconds": 7_200,
        })
    );
    let shown: Vec<(String, String, String, bool)> = v["maintenance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["start"].as_str().unwrap().to_owned(),
                m["end"].as_str().unwrap().to_owned(),
                m["consent"].as_str().unwrap().to_owned(),
                m["excluded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "2026-10-12T09:00:00+02:00".to_owned(),
                "2026-10-12T11:00:00+02:00".to_owned(),
                "explicit".to_owned(),
                true
            ),
            (
                "2026-10-12T11:00:00+02:00".to_owned(),
                "2026-10-12T12:00:00+02:00".to_owned(),
                "objected".to_owned(),
                false
            ),
        ]
    );
}
