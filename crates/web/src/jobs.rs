//! The one job runner: everything that happens at a time is a row of `jobs` (see
//! `pacta_store::jobs`), run here when it is due — by the background [`JobRunner`] against the
//! clock, or, under `serve --test-clock`, by `POST /api/v1/test/clock` up to the instant it sets,
//! each job with "now" equal to its due instant. Each kind is named by the issue that adds it:
//! `subscription.activate`, `subscription.terminate`, `outbox.send`, `statements.close`, `availability.budget`, `monitors.retention`, `maintenance.consult`, `maintenance.notify`, `ticket.escalate`, `oncall.page`, `ticket.recompute`.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use pacta_store::outbox::SEND_JOB;
use pacta_store::StoreError;
use tokio_util::sync::CancellationToken;

use crate::background::{Task, TaskFuture};
use crate::mail::{Mail, MailError};
use crate::state::AppState;
use crate::subscriptions::{self, JobOutcome, ACTIVATE_JOB, TERMINATE_JOB};

/// How long a runner holds a job it took: past it, another runner may take the job again.
const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// A job that ran, as the test clock reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub kind: String,
    /// The id of the job's subject (a subscription, a mail).
    pub subject: String,
    /// The instant it ran at: its due instant (or the instant of its retry).
    pub at: Timestamp,
}

/// Runs one job at `now`.
async fn execute(
    state: &AppState,
    kind: &str,
    subject: &str,
    now: Timestamp,
) -> Result<JobOutcome, String> {
    let store = |e: StoreError| crate::error::cause_chain(&e);
    match kind {
        ACTIVATE_JOB => subscriptions::activate_due(state, subject, now)
            .await
            .map_err(store),
        TERMINATE_JOB => subscriptions::terminate_due(state, subject, now)
            .await
            .map_err(store),
        SEND_JOB => send_mail(state, subject, now).await,
        crate::availability::CLOSE_JOB => crate::availability::close_due(state, subject, now).await,
        crate::availability::BUDGET_JOB => {
            crate::availability::budget_due(state, subject, now).await
        }
        crate::maintenance::CONSULT_JOB => {
            crate::maintenance::consult_late(state, subject, now).await
        }
        pacta_store::maintenance::NOTIFY_JOB => {
            crate::maintenance::notify_due(state, subject, now).await
        }
        crate::retention::RETENTION_JOB => crate::retention::retention_due(state, now).await,
        crate::tickets::ESCALATE_JOB => crate::tickets::escalate_due(state, subject, now).await,
        crate::paging::PAGE_JOB => crate::paging::page_due(state, subject, now).await,
        crate::tickets::RECOMPUTE_JOB => crate::tickets::recompute_chunk(state, subject, now)
            .await
            .map(|_| JobOutcome::Done),
        other => Err(format!("no job of kind `{other}`")),
    }
}

/// Sends one mail of the outbox. Without SMTP it stays queued (the job is done; a start with
/// SMTP configured queues it again). A failure that retrying can fix fails the job, which the
/// runner retries with backoff; one it cannot is recorded on the mail.
async fn send_mail(state: &AppState, id: &str, now: Timestamp) -> Result<JobOutcome, String> {
    let store = |e: StoreError| crate::error::cause_chain(&e);
    let Some(mail) = state.db.outbox_mail(id).await.map_err(store)? else {
        return Ok(JobOutcome::Stale(format!("no mail {id}")));
    };
    if mail.sent_at.is_some() || mail.failed_at.is_some() {
        return Ok(JobOutcome::Stale(format!("mail {id} is done with")));
    }
    let message = Mail {
        to: mail.to.clone(),
        subject: mail.subject.clone(),
        text: mail.text.clone(),
        html: mail.html.clone(),
    };
    match state.mailer().send(&message).await {
        Ok(()) => {
            state
                .db
                .record_send(id, now, None, false)
                .await
                .map_err(store)?;
            Ok(JobOutcome::Done)
        }
        Err(MailError::NotConfigured) => Ok(JobOutcome::Stale(
            "no SMTP configured: the mail waits in the outbox".into(),
        )),
        Err(MailError::Permanent(why)) => {
            state
                .db
                .record_send(id, now, Some(&why), true)
                .await
                .map_err(store)?;
            Ok(JobOutcome::Stale(format!("gave up: {why}")))
        }
        Err(MailError::Transient(why)) => {
            let last = mail.attempts + 1 >= pacta_core::jobs::MAX_ATTEMPTS;
            state
                .db
                .record_send(id, now, Some(&why), last)
                .await
                .map_err(store)?;
            Err(why)
        }
    }
}

/// Runs every job due at or before `until`, in due order, and those they enqueue that are due by
/// then, one at a time in this process. With a test clock, each runs with "now" set to its due
/// instant and the clock ends at `until`.
pub async fn run_due(state: &AppState, until: Timestamp) -> Result<Vec<Fired>, StoreError> {
    let _one_at_a_time = state.lock_jobs().await;
    let mut fired = Vec::new();
    loop {
        let lease_now = match state.test_clock() {
            Some(_) => until,
            None => state.now(),
        };
        let Some(job) = state
            .db
            .take_job(
                until,
                lease_now,
                state.runner(),
                lease_now.saturating_add(LEASE).unwrap_or(lease_now),
            )
            .await?
        else {
            break;
        };
        let at = Timestamp::from_second(job.next_at).unwrap_or(until);
        let now = match state.test_clock() {
            Some(clock) => {
                clock.set(at);
                at
            }
            None => state.now(),
        };
        let outcome = execute(state, &job.kind, &job.subject, now).await;
        match outcome {
            Ok(JobOutcome::Done) => {
                state.db.finish_job(&job.id, state.runner(), now).await?;
            }
            Ok(JobOutcome::Stale(why)) => {
                tracing::info!(kind = %job.kind, subject = %job.subject, %why, "job had nothing to do");
                state.db.finish_job(&job.id, state.runner(), now).await?;
            }
            Err(why) => {
                let attempts = job.attempts + 1;
                let retry =
                    pacta_core::jobs::retry_after(attempts).and_then(|d| now.checked_add(d).ok());
                tracing::warn!(kind = %job.kind, subject = %job.subject, attempts, error = %why, retry = ?retry, "job failed");
                state
                    .db
                    .fail_job(&job.id, state.runner(), &why, now, retry)
                    .await?;
            }
        }
        fired.push(Fired {
            kind: job.kind,
            subject: job.subject,
            at,
        });
    }
    if let Some(clock) = state.test_clock() {
        clock.set(until);
    }
    Ok(fired)
}

/// The background runner: runs what is due against the clock, about every second, until the
/// shutdown. It does not run under a test clock (the test clock's route does).
pub struct JobRunner {
    /// How long it waits between looks.
    pub every: Duration,
}

impl Default for JobRunner {
    fn default() -> JobRunner {
        JobRunner {
            every: Duration::from_secs(1),
        }
    }
}

impl Task for JobRunner {
    fn name(&self) -> &'static str {
        "jobs"
    }

    fn run(&self, state: AppState, shutdown: CancellationToken) -> TaskFuture {
        let every = self.every;
        Box::pin(async move {
            if state.mailer().is_configured() {
                match state.db.requeue_unsent_mails(state.stamp("pacta")).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(mails = n, "queued the mails that waited for SMTP"),
                    Err(e) => {
                        tracing::error!(error = %crate::error::cause_chain(&e), "cannot queue waiting mails")
                    }
                }
            }
            loop {
                if let Err(e) = run_due(&state, state.now()).await {
                    tracing::error!(error = %crate::error::cause_chain(&e), "job runner");
                }
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(every) => {}
                }
            }
        })
    }
}
