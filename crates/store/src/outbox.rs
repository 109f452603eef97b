//! The mail outbox: every notification is written here in the same transaction as the change it
//! tells of, with an `outbox.send` job due at once. A mail leaves the table only as sent (or as
//! given up, with its error); without SMTP configured it waits, and a restart loses nothing.

use jiff::Timestamp;

use crate::jobs::NewJob;
use crate::{in_tx, with_pool, Db, Result, Stamp};

/// The job kind that sends one mail of the outbox.
pub const SEND_JOB: &str = "outbox.send";

/// A mail to queue, already written in its recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// `subscription.approved`, …
    pub kind: String,
    pub to: String,
    /// The language it is written in.
    pub lang: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The partner it concerns, if any.
    pub partner: Option<String>,
}

/// A mail of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: String,
    pub kind: String,
    pub to: String,
    pub lang: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub partner: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Queues `$mail` (a [`NewMail`]) inside `$tx`, with its `outbox.send` job due at the stamp.
macro_rules! queue_mail {
    ($tx:expr, $stamp:expr, $mail:expr) => {{
        let mail: &$crate::outbox::NewMail = $mail;
        let id = $stamp.new_id().to_string();
        sqlx::query(
            "INSERT INTO outbox (id, kind, recipient, lang, subject, body_text, body_html, partner_code, created_at, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0)",
        )
        .bind(&id)
        .bind(&mail.kind)
        .bind(&mail.to)
        .bind(&mail.lang)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(&mail.partner)
        .bind($stamp.seconds())
        .execute(&mut *$tx)
        .await?;
        enqueue_job!(
            $tx,
            $stamp,
            &$crate::jobs::NewJob::new($crate::outbox::SEND_JOB, &id, $stamp.at)
        );
    }};
}

type MailRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
);

const MAIL_COLUMNS: &str =
    "id, kind, recipient, lang, subject, body_text, body_html, partner_code, \
     created_at, sent_at, failed_at, attempts, last_error";

fn mail_from_row(r: MailRow) -> OutboxMail {
    OutboxMail {
        id: r.0,
        kind: r.1,
        to: r.2,
        lang: r.3,
        subject: r.4,
        text: r.5,
        html: r.6,
        partner: r.7,
        created_at: r.8,
        sent_at: r.9,
        failed_at: r.10,
        attempts: r.11,
        last_error: r.12,
    }
}

impl Db {
    /// Queues mails, each with its send job.
    pub async fn queue_mails(&self, mails: &[NewMail], stamp: Stamp<'_>) -> Result<()> {
        in_tx!(self, |tx| {
            for mail in mails {
                queue_mail!(tx, stamp, mail);
            }
            Ok(())
        })
    }

    /// Every mail of the outbox, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxMail>> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM outbox ORDER BY created_at, id");
        let rows: Vec<MailRow> =
            with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        Ok(rows.into_iter().map(mail_from_row).collect())
    }

    /// One mail.
    pub async fn outbox_mail(&self, id: &str) -> Result<Option<OutboxMail>> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = $1");
        let row: Option<MailRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(mail_from_row))
    }

    /// Records an attempt to send: delivered (`error` none), failed for now, or given up
    /// (`gave_up`).
    pub async fn record_send(
        &self,
        id: &str,
        at: Timestamp,
        error: Option<&str>,
        gave_up: bool,
    ) -> Result<()> {
        let at = at.as_second();
        in_tx!(self, |tx| {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $1, \
                 sent_at = CASE WHEN $1 IS NULL THEN $2 ELSE sent_at END, \
                 failed_at = CASE WHEN $3 THEN $2 ELSE failed_at END WHERE id = $4",
            )
            .bind(error)
            .bind(at)
            .bind(gave_up)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// Gives every mail still waiting (not sent, not given up, with no send job pending) a send
    /// job due at the stamp: what a start with SMTP configured does for mails queued before.
    pub async fn requeue_unsent_mails(&self, stamp: Stamp<'_>) -> Result<usize> {
        in_tx!(self, |tx| {
            let ids: Vec<(String,)> = sqlx::query_as(
                "SELECT id FROM outbox o WHERE sent_at IS NULL AND failed_at IS NULL AND NOT EXISTS \
                 (SELECT 1 FROM jobs j WHERE j.kind = $1 AND j.subject = o.id AND j.done_at IS NULL) \
                 ORDER BY created_at, id",
            )
            .bind(SEND_JOB)
            .fetch_all(&mut *tx)
            .await?;
            for (id,) in &ids {
                enqueue_job!(tx, stamp, &NewJob::new(SEND_JOB, id, stamp.at));
            }
            Ok(ids.len())
        })
    }
}
