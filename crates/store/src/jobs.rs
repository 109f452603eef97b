//! The job runner's table: what happens at a time (a subscription's activation at its start
//! date, a mail to send, and later month close, tacit consent, escalation). A job is one row per
//! (kind, subject, due instant), so enqueuing the same twice is one job; it is taken with a lease
//! so two processes never run it at once, done once, and retried at a later `next_at` after a
//! failure. What a job does lives with its caller; here is only the bookkeeping.

use jiff::Timestamp;

use crate::{in_tx, with_pool, Db, Result, Stamp};

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// `subscription.activate`, `outbox.send`, …
    pub kind: String,
    /// The id of what it concerns.
    pub subject: String,
    pub due: Timestamp,
}

impl NewJob {
    pub fn new(kind: &str, subject: &str, due: Timestamp) -> NewJob {
        NewJob {
            kind: kind.to_owned(),
            subject: subject.to_owned(),
            due,
        }
    }
}

/// A job taken by a runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub subject: String,
    /// The instant it was due (unix seconds).
    pub due_at: i64,
    /// The instant of this attempt (unix seconds): `due_at`, or later after failures.
    pub next_at: i64,
    /// Attempts before this one.
    pub attempts: i64,
}

/// Enqueues `$job` (a [`NewJob`]) inside the transaction `$tx`; the same kind, subject and due
/// instant again is a no-op.
macro_rules! enqueue_job {
    ($tx:expr, $stamp:expr, $job:expr) => {{
        let job: &$crate::jobs::NewJob = $job;
        sqlx::query(
            "INSERT INTO jobs (id, kind, subject, due_at, next_at, attempts, created_at) \
             VALUES ($1, $2, $3, $4, $4, 0, $5) ON CONFLICT (kind, subject, due_at) DO NOTHING",
        )
        .bind($stamp.new_id().to_string())
        .bind(&job.kind)
        .bind(&job.subject)
        .bind(job.due.as_second())
        .bind($stamp.seconds())
        .execute(&mut *$tx)
        .await?;
    }};
}

type JobRow = (String, String, String, i64, i64, i64);

/// Runs `$body` with `$pool` bound to the pool that writes (SQLite's one writer).
macro_rules! on_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Db::Sqlite { write: $pool, .. } => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

fn job_from_row((id, kind, subject, due_at, next_at, attempts): JobRow) -> Job {
    Job {
        id,
        kind,
        subject,
        due_at,
        next_at,
        attempts,
    }
}

/// A job waiting to run, for the operator's view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingJob {
    pub job: Job,
    pub last_error: Option<String>,
}

impl Db {
    /// Enqueues jobs (each once per kind, subject and due instant).
    pub async fn enqueue_jobs(&self, jobs: &[NewJob], stamp: Stamp<'_>) -> Result<()> {
        in_tx!(self, |tx| {
            for job in jobs {
                enqueue_job!(tx, stamp, job);
            }
            Ok(())
        })
    }

    /// Takes the next job whose attempt is due at or before `until`, in due order (then in the
    /// order they were made), unless another runner holds its lease: the lease is `owner`'s
    /// until `lease_until`. `now` decides whether a lease has run out.
    pub async fn take_job(
        &self,
        until: Timestamp,
        now: Timestamp,
        owner: &str,
        lease_until: Timestamp,
    ) -> Result<Option<Job>> {
        let (until, now, lease_until) =
            (until.as_second(), now.as_second(), lease_until.as_second());
        let row: Option<JobRow> = match self {
            // One writer at a time on SQLite: the select and the update cannot interleave with
            // another runner's.
            Db::Sqlite { write, .. } => {
                sqlx::query_as(
                    "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE id = ( \
                       SELECT id FROM jobs WHERE done_at IS NULL AND next_at <= $3 \
                       AND (lease_until IS NULL OR lease_until < $4) \
                       ORDER BY next_at, id LIMIT 1) \
                     RETURNING id, kind, subject, due_at, next_at, attempts",
                )
                .bind(owner)
                .bind(lease_until)
                .bind(until)
                .bind(now)
                .fetch_optional(write)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE id = ( \
                       SELECT id FROM jobs WHERE done_at IS NULL AND next_at <= $3 \
                       AND (lease_until IS NULL OR lease_until < $4) \
                       ORDER BY next_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                     RETURNING id, kind, subject, due_at, next_at, attempts",
                )
                .bind(owner)
                .bind(lease_until)
                .bind(until)
                .bind(now)
                .fetch_optional(pool)
                .await?
            }
        };
        Ok(row.map(job_from_row))
    }

    /// Marks a job done, if `owner` still holds it.
    pub async fn finish_job(&self, id: &str, owner: &str, at: Timestamp) -> Result<()> {
        // One statement: no transaction around it (a job's bookkeeping is its hottest path).
        on_writer!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET done_at = $1, lease_owner = NULL, lease_until = NULL, last_error = NULL \
                 WHERE id = $2 AND lease_owner = $3 AND done_at IS NULL",
            )
            .bind(at.as_second())
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|_| ())?
        });
        Ok(())
    }

    /// Records a failed attempt: the job runs again at `retry_at`, or never (`None`: given up,
    /// kept with its error).
    pub async fn fail_job(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        at: Timestamp,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET attempts = attempts + 1, last_error = $1, lease_owner = NULL, \
                 lease_until = NULL, next_at = COALESCE($2, next_at), done_at = $3 \
                 WHERE id = $4 AND lease_owner = $5 AND done_at IS NULL",
            )
            .bind(error)
            .bind(retry_at.map(|t| t.as_second()))
            .bind(retry_at.is_none().then_some(at.as_second()))
            .bind(id)
            .bind(owner)
            .execute(pool)
            .await
            .map(|_| ())?
        });
        Ok(())
    }

    /// Whether a job of `kind` for `subject` waits to run.
    pub async fn has_pending_job(&self, kind: &str, subject: &str) -> Result<bool> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id FROM jobs WHERE kind = $1 AND subject = $2 AND done_at IS NULL LIMIT 1",
            )
            .bind(kind)
            .bind(subject)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.is_some())
    }

    /// Every job not done yet, in due order, with its last error.
    pub async fn pending_jobs(&self) -> Result<Vec<PendingJob>> {
        type PendingRow = (String, String, String, i64, i64, i64, Option<String>);
        let rows: Vec<PendingRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, subject, due_at, next_at, attempts, last_error FROM jobs \
                     WHERE done_at IS NULL ORDER BY next_at, id",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, kind, subject, due_at, next_at, attempts, last_error)| PendingJob {
                    job: job_from_row((id, kind, subject, due_at, next_at, attempts)),
                    last_error,
                },
            )
            .collect())
    }

    /// The instant of the next attempt due, if any.
    pub async fn next_job_at(&self) -> Result<Option<i64>> {
        let row: (Option<i64>,) = with_pool!(self, |pool| {
            sqlx::query_as("SELECT MIN(next_at) FROM jobs WHERE done_at IS NULL")
                .fetch_one(pool)
                .await?
        });
        Ok(row.0)
    }
}
