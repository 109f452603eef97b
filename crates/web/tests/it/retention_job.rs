//! The retention job (issue 11, point 5) through the job runner at injected instants: raw
//! results older than the keep go, up to the monitor's last checkpoint before the cutoff; the
//! next night's run is scheduled.

use pacta_store::Scope;
use serde_json::{json, Value};

use crate::support::{add_monitor, t0, TestApp};

#[tokio::test]
async fn the_nightly_job_prunes_raw_results_past_their_keep_and_schedules_the_next_night() {
    let app = TestApp::new().await;
    let app = TestApp {
        state: app.state.clone().with_raw_results_days(7),
        ..app
    };
    let id = add_monitor(&app, "kept").await;
    let seq = app
        .state
        .db
        .monitor(Scope::All, &id)
        .await
        .unwrap()
        .unwrap()
        .seq;
    // Ten days of results, a minute apart, up to t0.
    let start = t0().as_second() - 10 * 86_400;
    let all: Vec<Value> = (0..10 * 1440)
        .map(|k| {
            let at = jiff::Timestamp::from_second(start + k * 60).unwrap();
            json!({"at": at.to_string(), "ok": true, "latency_ms": 5})
        })
        .collect();
    // An hour per request, as a prober writes them (a checkpoint at most once an hour).
    for chunk in all.chunks(60) {
        let r = app
            .write(
                "POST",
                &format!("/api/v1/monitors/{id}/results"),
                &Value::Array(chunk.to_vec()),
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json());
    }
    pacta_web::retention::schedule_retention(&app.state)
        .await
        .unwrap();
    // t0 is Monday 30 November 2026, 10:00 in Brussels: the next run is 1 December, 03:30.
    let run: jiff::Timestamp = "2026-12-01T03:30:00+01:00".parse().unwrap();
    app.clock.set(run);
    let fired = pacta_web::jobs::run_due(&app.state, run).await.unwrap();
    assert!(fired
        .iter()
        .any(|f| f.kind == "monitors.retention" && f.at == run && f.subject == "2026-12-01"));
    let kept = app
        .state
        .db
        .monitor_results(seq, 0, t0().as_second() + 1, 100_000)
        .await
        .unwrap();
    let cutoff = run.as_second() - 7 * 86_400;
    let first = kept.first().unwrap().at;
    // Up to the last checkpoint (one an hour of results) at or before the cutoff.
    assert!(
        first > cutoff - 3600 && first <= cutoff + 60,
        "first kept {first}, cutoff {cutoff}"
    );
    assert_eq!(kept.last().unwrap().at, start + (10 * 1440 - 1) * 60);
    assert!(kept.windows(2).all(|w| w[1].at - w[0].at == 60));
    // The next night's run waits.
    let pending = app.state.db.pending_jobs().await.unwrap();
    let next: jiff::Timestamp = "2026-12-02T03:30:00+01:00".parse().unwrap();
    assert!(pending
        .iter()
        .any(|j| j.job.kind == "monitors.retention" && j.job.due_at == next.as_second()));
}
