//! The retention job (issue 11, point 5): every night at 03:30 Europe/Brussels, monitors' data
//! past its keep is pruned (`pacta_core::retention`), one monitor per transaction
//! (`pacta_store::retention`), and the next night's run is scheduled.

use jiff::Timestamp;
use pacta_store::jobs::NewJob;
use pacta_store::retention::Pruned;
use pacta_store::Stamp;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::subscriptions::JobOutcome;

/// The job's kind; its subject is the local date of its run.
pub const RETENTION_JOB: &str = "monitors.retention";

/// Monitors read per page.
const PAGE: i64 = 500;

fn job_at(at: Timestamp) -> NewJob {
    let date = at
        .to_zoned(pacta_core::subscription::zone().clone())
        .date()
        .to_string();
    NewJob::new(RETENTION_JOB, &date, at)
}

/// Schedules the next run after now (once: a second enqueue of the same run is nothing).
pub async fn schedule_retention(state: &AppState) -> ApiResult<()> {
    let now = state.now();
    let next = pacta_core::retention::next_run(now);
    state
        .db
        .enqueue_jobs(&[job_at(next)], Stamp::new("pacta", now))
        .await?;
    Ok(())
}

/// Prunes every monitor's data past its keep at `now`.
pub async fn prune_all(state: &AppState, now: Timestamp) -> Result<Pruned, String> {
    let cut = pacta_core::retention::cutoffs(now, state.raw_results_days());
    let store = |e: pacta_store::StoreError| crate::error::cause_chain(&e);
    let mut total = Pruned::default();
    let mut after = i64::MIN;
    loop {
        let seqs = state
            .db
            .monitor_seqs_with_history(after, PAGE)
            .await
            .map_err(store)?;
        let Some(&last) = seqs.last() else { break };
        for seq in seqs {
            total += state.db.prune_monitor(seq, &cut).await.map_err(store)?;
        }
        after = last;
    }
    Ok(total)
}

/// The job: prunes, then schedules the next night's run.
pub async fn retention_due(state: &AppState, now: Timestamp) -> Result<JobOutcome, String> {
    let pruned = prune_all(state, now).await?;
    tracing::info!(
        results = pruned.results,
        rollups = pruned.rollups,
        checkpoints = pruned.checkpoints,
        "pruned monitors' data past its keep"
    );
    state
        .db
        .enqueue_jobs(
            &[job_at(pacta_core::retention::next_run(now))],
            Stamp::new("pacta", now),
        )
        .await
        .map_err(|e| crate::error::cause_chain(&e))?;
    Ok(JobOutcome::Done)
}
