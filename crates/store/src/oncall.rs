//! The on-call roster (issue 13): one row with the handover and the rotation, and the overrides.
//! A change of the rotation names the revision it was read at (412 otherwise, as every replace).

use jiff::Timestamp;
use pacta_core::oncall::{handover_text, parse_handover, Override, Roster};
use serde_json::json;

use crate::{in_tx, with_pool, Db, Result, Stamp, StoreError};

/// The roster and its revision (0 before anyone set it: `mon 08:00`, nobody).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoster {
    pub roster: Roster,
    pub revision: i64,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Rejected(format!("the on-call roster's {what} is unreadable"))
}

impl Db {
    /// The roster with every override whose end is after `since` (the older ones are history).
    pub async fn oncall_roster(&self, since: Timestamp) -> Result<StoredRoster> {
        let row: Option<(String, String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT handover, users, revision FROM oncall_roster WHERE id = 1")
                .fetch_optional(pool)
                .await?
        });
        let overrides: Vec<(String, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT user_email, from_at, to_at FROM oncall_overrides WHERE to_at > $1 \
                 ORDER BY created_at, id",
            )
            .bind(since.as_second())
            .fetch_all(pool)
            .await?
        });
        let overrides = overrides
            .into_iter()
            .map(|(user, from, to)| {
                Ok(Override {
                    user,
                    from: Timestamp::from_second(from).map_err(|_| corrupt("override"))?,
                    to: Timestamp::from_second(to).map_err(|_| corrupt("override"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (handover, users, revision) = match row {
            Some((h, u, r)) => (
                parse_handover(&h).map_err(|_| corrupt("handover"))?,
                serde_json::from_str(&u).map_err(|_| corrupt("rotation"))?,
                r,
            ),
            None => (
                parse_handover("mon 08:00").map_err(|_| corrupt("handover"))?,
                Vec::new(),
                0,
            ),
        };
        Ok(StoredRoster {
            roster: Roster {
                handover,
                users,
                overrides,
            },
            revision,
        })
    }

    /// Replaces the rotation read at `expected`; the new revision.
    pub async fn put_oncall_rotation(
        &self,
        roster: &Roster,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<i64> {
        let handover = handover_text(roster.handover);
        let users = serde_json::to_string(&roster.users).map_err(|_| corrupt("rotation"))?;
        in_tx!(self, |tx| {
            let current: Option<(i64,)> =
                sqlx::query_as("SELECT revision FROM oncall_roster WHERE id = 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = current.map_or(0, |(r,)| r);
            if current != expected {
                return Err(StoreError::Stale {
                    kind: "on-call roster",
                    code: "roster".into(),
                    expected,
                    current,
                });
            }
            sqlx::query(
                "INSERT INTO oncall_roster (id, handover, users, revision, updated_at) \
                 VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET handover = $1, \
                 users = $2, revision = $3, updated_at = $4",
            )
            .bind(&handover)
            .bind(&users)
            .bind(current + 1)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "update",
                "oncall-roster",
                "roster",
                None::<String>,
                None::<String>,
                Some(json!({"handover": handover, "users": roster.users}).to_string())
            );
            Ok(current + 1)
        })
    }

    /// Adds an override.
    pub async fn add_oncall_override(&self, o: &Override, stamp: Stamp<'_>) -> Result<()> {
        in_tx!(self, |tx| {
            let id = stamp.new_id().to_string();
            sqlx::query(
                "INSERT INTO oncall_overrides (id, user_email, from_at, to_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&o.user)
            .bind(o.from.as_second())
            .bind(o.to.as_second())
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "create",
                "oncall-override",
                &id,
                None::<String>,
                None::<String>,
                Some(
                    json!({"user": o.user, "from": o.from.to_string(), "to": o.to.to_string()})
                        .to_string()
                )
            );
            Ok(())
        })
    }
}

/// A page sent for a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    pub id: String,
    pub ticket: String,
    pub attempt: u8,
    pub at: Timestamp,
    pub to: pacta_core::oncall::PageTo,
    /// The person paged (none for ICT management).
    pub user: Option<String>,
    pub acked_at: Option<Timestamp>,
    pub acked_by: Option<String>,
}

type PageRow = (
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn page_from_row(r: PageRow) -> Result<StoredPage> {
    let (id, ticket, attempt, at, to, user, acked_at, acked_by) = r;
    Ok(StoredPage {
        attempt: u8::try_from(attempt).map_err(|_| corrupt("page"))?,
        at: Timestamp::from_second(at).map_err(|_| corrupt("page"))?,
        to: pacta_core::oncall::PageTo::parse(&to).ok_or_else(|| corrupt("page"))?,
        acked_at: acked_at
            .map(|a| Timestamp::from_second(a).map_err(|_| corrupt("page")))
            .transpose()?,
        id,
        ticket,
        user,
        acked_by,
    })
}

const PAGE_COLUMNS: &str = "id, ticket_ref, attempt, at, to_kind, to_user, acked_at, acked_by";

impl Db {
    /// The pages of a ticket, in order.
    pub async fn oncall_pages(&self, ticket: &str) -> Result<Vec<StoredPage>> {
        let sql = format!(
            "SELECT {PAGE_COLUMNS} FROM oncall_pages WHERE ticket_ref = $1 ORDER BY attempt"
        );
        let rows: Vec<PageRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(ticket).fetch_all(pool).await?
        });
        rows.into_iter().map(page_from_row).collect()
    }

    /// One page.
    pub async fn oncall_page(&self, id: &str) -> Result<Option<StoredPage>> {
        let sql = format!("SELECT {PAGE_COLUMNS} FROM oncall_pages WHERE id = $1");
        let row: Option<PageRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.map(page_from_row).transpose()
    }

    /// Records a page of `ticket` (once per attempt: a second is [`StoreError::Duplicate`]),
    /// with its timeline entry, the job of the next page and the mails; the page's id.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_page(
        &self,
        ticket: &str,
        attempt: u8,
        to: pacta_core::oncall::PageTo,
        user: Option<&str>,
        jobs: &[crate::jobs::NewJob],
        mails: &[crate::outbox::NewMail],
        stamp: Stamp<'_>,
    ) -> Result<String> {
        in_tx!(self, |tx| {
            let id = stamp.new_id().to_string();
            let inserted = sqlx::query(
                "INSERT INTO oncall_pages (id, ticket_ref, attempt, at, to_kind, to_user) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ticket_ref, attempt) DO NOTHING",
            )
            .bind(&id)
            .bind(ticket)
            .bind(i64::from(attempt))
            .bind(stamp.seconds())
            .bind(to.code())
            .bind(user)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(StoreError::Duplicate {
                    kind: "page",
                    code: format!("{ticket}#{attempt}"),
                });
            }
            sqlx::query(
                "INSERT INTO ticket_events (id, ticket_ref, at, kind, status, public, response, \
                 body, author, data) VALUES ($1, $2, $3, 'page', NULL, $4, $5, NULL, $6, $7)",
            )
            .bind(stamp.new_id().to_string())
            .bind(ticket)
            .bind(stamp.seconds())
            .bind(true)
            .bind(false)
            .bind(stamp.actor)
            .bind(
                json!({"page": id, "attempt": attempt, "to": to.code(), "user": user}).to_string(),
            )
            .execute(&mut *tx)
            .await?;
            for job in jobs {
                enqueue_job!(tx, stamp, job);
            }
            for mail in mails {
                queue_mail!(tx, stamp, mail);
            }
            Ok(id)
        })
    }

    /// Acknowledges a page: `false` when it was acknowledged already.
    pub async fn ack_page(&self, id: &str, stamp: Stamp<'_>) -> Result<bool> {
        in_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE oncall_pages SET acked_at = $1, acked_by = $2 \
                 WHERE id = $3 AND acked_at IS NULL",
            )
            .bind(stamp.seconds())
            .bind(stamp.actor)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                let ticket: (String,) =
                    sqlx::query_as("SELECT ticket_ref FROM oncall_pages WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                sqlx::query(
                    "INSERT INTO ticket_events (id, ticket_ref, at, kind, status, public, \
                     response, body, author, data) VALUES ($1, $2, $3, 'page', NULL, $4, $5, \
                     NULL, $6, $7)",
                )
                .bind(stamp.new_id().to_string())
                .bind(&ticket.0)
                .bind(stamp.seconds())
                .bind(true)
                .bind(false)
                .bind(stamp.actor)
                .bind(json!({"page": id, "acknowledged": true}).to_string())
                .execute(&mut *tx)
                .await?;
            }
            Ok(done == 1)
        })
    }
}
