//! Monthly availability statements (issue 10, "Monthly statements"): write-once rows. A month's
//! close writes the original of each subscription's statement (amendment 0) in one transaction,
//! idempotently; an amendment is a new row beside it with a reason and an author. No statement
//! row is ever updated or deleted.

use std::collections::BTreeMap;

use pacta_core::subscription::State;

use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// A statement to write: the statement object of one subscription and month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStatement {
    pub subscription: String,
    pub partner: String,
    pub service: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The statement object (JSON).
    pub doc: String,
    /// The hash of the inputs it was computed from.
    pub fingerprint: String,
}

/// A stored statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStatement {
    pub id: String,
    pub subscription: String,
    pub partner: String,
    pub service: String,
    pub month: String,
    /// 0 for the original written at the close; 1, 2, … for the amendments.
    pub amendment: i64,
    pub doc: String,
    pub fingerprint: String,
    pub reason: Option<String>,
    pub author: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A closed month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedMonth {
    pub closed_at: i64,
    pub statements: i64,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
);

const SELECT: &str = "SELECT id, subscription_id, partner_code, service, month, amendment, doc, \
     fingerprint, reason, author, created_at FROM statements";

fn from_row(r: Row) -> StoredStatement {
    let (
        id,
        subscription,
        partner,
        service,
        month,
        amendment,
        doc,
        fingerprint,
        reason,
        author,
        created_at,
    ) = r;
    StoredStatement {
        id,
        subscription,
        partner,
        service,
        month,
        amendment,
        doc,
        fingerprint,
        reason,
        author,
        created_at,
    }
}

/// Rows per multi-row INSERT.
const CHUNK: usize = 400;

impl Db {
    /// Whether `month` is closed, and when.
    pub async fn closed_month(&self, month: &str) -> Result<Option<ClosedMonth>> {
        let row: Option<(i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT closed_at, statements FROM closed_months WHERE month = $1")
                .bind(month)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(closed_at, statements)| ClosedMonth {
            closed_at,
            statements,
        }))
    }

    /// Closes `month` with the originals of its statements, in one transaction; a statement
    /// that exists already is kept as it is (a second close changes nothing). The number of
    /// statements written now.
    pub async fn close_month(
        &self,
        month: &str,
        statements: &[NewStatement],
        stamp: Stamp<'_>,
    ) -> Result<usize> {
        in_tx!(self, |tx| {
            let mut written = 0usize;
            for chunk in statements.chunks(CHUNK) {
                let ids: Vec<String> = chunk.iter().map(|_| stamp.new_id().to_string()).collect();
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO statements (id, subscription_id, partner_code, service, month, \
                     amendment, doc, fingerprint, reason, author, created_at) ",
                );
                q.push_values(chunk.iter().zip(&ids), |mut b, (s, id)| {
                    b.push_bind(id)
                        .push_bind(&s.subscription)
                        .push_bind(&s.partner)
                        .push_bind(&s.service)
                        .push_bind(&s.month)
                        .push_bind(0i64)
                        .push_bind(&s.doc)
                        .push_bind(&s.fingerprint)
                        .push_bind(None::<String>)
                        .push_bind(stamp.actor)
                        .push_bind(stamp.seconds());
                });
                q.push(" ON CONFLICT (subscription_id, month, amendment) DO NOTHING");
                written += q.build().execute(&mut *tx).await?.rows_affected() as usize;
            }
            let (count,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM statements WHERE month = $1 AND amendment = 0",
            )
            .bind(month)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO closed_months (month, closed_at, statements) VALUES ($1, $2, $3) \
                 ON CONFLICT (month) DO UPDATE SET statements = $3",
            )
            .bind(month)
            .bind(stamp.seconds())
            .bind(count)
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "close",
                "month",
                month,
                None::<String>,
                None::<String>,
                Some(serde_json::json!({"written": written, "statements": count}).to_string())
            );
            Ok(written)
        })
    }

    /// Records an amendment of the statement of `subscription` for the closed `month`: a new
    /// row beside the original and the earlier amendments.
    pub async fn amend_statement(
        &self,
        statement: &NewStatement,
        reason: &str,
        stamp: Stamp<'_>,
    ) -> Result<StoredStatement> {
        if reason.trim().is_empty() {
            return Err(StoreError::invalid("reason", "an amendment needs a reason"));
        }
        in_tx!(self, |tx| {
            let closed: Option<(i64,)> =
                sqlx::query_as("SELECT closed_at FROM closed_months WHERE month = $1")
                    .bind(&statement.month)
                    .fetch_optional(&mut *tx)
                    .await?;
            if closed.is_none() {
                return Err(StoreError::Rejected(format!(
                    "{} is not closed: its availability is provisional, not a statement to amend",
                    statement.month
                )));
            }
            let (last,): (Option<i64>,) = sqlx::query_as(
                "SELECT MAX(amendment) FROM statements WHERE subscription_id = $1 AND month = $2",
            )
            .bind(&statement.subscription)
            .bind(&statement.month)
            .fetch_one(&mut *tx)
            .await?;
            if last.is_none() {
                return Err(StoreError::Rejected(format!(
                    "subscription {} has no statement for {}: it was not in service then, so \
                     there is nothing to amend",
                    statement.subscription, statement.month
                )));
            }
            let stored = StoredStatement {
                id: stamp.new_id().to_string(),
                subscription: statement.subscription.clone(),
                partner: statement.partner.clone(),
                service: statement.service.clone(),
                month: statement.month.clone(),
                amendment: last.map_or(1, |l| l + 1),
                doc: statement.doc.clone(),
                fingerprint: statement.fingerprint.clone(),
                reason: Some(reason.to_owned()),
                author: stamp.actor.to_owned(),
                created_at: stamp.seconds(),
            };
            sqlx::query(
                "INSERT INTO statements (id, subscription_id, partner_code, service, month, \
                 amendment, doc, fingerprint, reason, author, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&stored.id)
            .bind(&stored.subscription)
            .bind(&stored.partner)
            .bind(&stored.service)
            .bind(&stored.month)
            .bind(stored.amendment)
            .bind(&stored.doc)
            .bind(&stored.fingerprint)
            .bind(&stored.reason)
            .bind(&stored.author)
            .bind(stored.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                // Two amendments at once: one wins, the other is told.
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Rejected(
                    "another amendment of this statement was recorded at the same time".into(),
                ),
                other => other.into(),
            })?;
            audit_write!(
                tx,
                stamp,
                "amend",
                "statement",
                &stored.id,
                Some(stored.partner.clone()),
                None::<String>,
                Some(
                    serde_json::json!({"subscription": stored.subscription, "month": stored.month,
                                       "amendment": stored.amendment, "reason": reason})
                    .to_string()
                )
            );
            Ok(stored)
        })
    }

    /// The statements of `subscription` in `scope` (optionally of one month): by month, the
    /// original first, then the amendments in order.
    pub async fn statements(
        &self,
        scope: Scope<'_>,
        subscription: &str,
        month: Option<&str>,
    ) -> Result<Vec<StoredStatement>> {
        let only = match scope {
            Scope::All => None,
            Scope::Partner(p) => Some(p),
        };
        let sql = format!(
            "{SELECT} WHERE subscription_id = $1 AND ($2 IS NULL OR partner_code = $2) \
             AND ($3 IS NULL OR month = $3) ORDER BY month, amendment"
        );
        let rows: Vec<Row> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(subscription)
                .bind(only)
                .bind(month)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// The lifecycle of every subscription that was ever in service, as `(at, state entered)`
    /// in order: what a month's close needs, in one read.
    pub async fn subscription_lifecycles(&self) -> Result<BTreeMap<String, Vec<(i64, State)>>> {
        let rows: Vec<(String, i64, String)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT subscription_id, at, to_state FROM subscription_events \
                 WHERE subscription_id IN (SELECT subscription_id FROM subscription_events \
                 WHERE to_state = 'active') ORDER BY subscription_id, id",
            )
            .fetch_all(pool)
            .await?
        });
        lifecycles(rows)
    }
}

/// An error-budget threshold reached by a subscription in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetAlert {
    pub subscription: String,
    /// `YYYY-MM`.
    pub month: String,
    /// 50 or 100 (% of the month's allowed downtime).
    pub threshold: i64,
    pub downtime_seconds: i64,
    pub allowed_seconds: i64,
}

impl Db {
    /// Records that `alert` was reached and queues its mails, in one transaction — unless it
    /// was recorded already (then nothing is written: each threshold is told once). Whether it
    /// was recorded now.
    pub async fn record_budget_alert(
        &self,
        alert: &BudgetAlert,
        mails: &[crate::outbox::NewMail],
        stamp: Stamp<'_>,
    ) -> Result<bool> {
        in_tx!(self, |tx| {
            let done = sqlx::query(
                "INSERT INTO budget_alerts (subscription_id, month, threshold, downtime_seconds, \
                 allowed_seconds, at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (subscription_id, month, threshold) DO NOTHING",
            )
            .bind(&alert.subscription)
            .bind(&alert.month)
            .bind(alert.threshold)
            .bind(alert.downtime_seconds)
            .bind(alert.allowed_seconds)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Ok(false);
            }
            for mail in mails {
                queue_mail!(tx, stamp, mail);
            }
            Ok(true)
        })
    }

    /// The thresholds already told for `subscription` in `month`.
    pub async fn budget_alerts(&self, subscription: &str, month: &str) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT threshold FROM budget_alerts WHERE subscription_id = $1 AND month = $2 \
                 ORDER BY threshold",
            )
            .bind(subscription)
            .bind(month)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    /// The services whose downtime may be growing now: one of their monitors has an open
    /// outage, or a `down` incident of theirs is open.
    pub async fn services_with_open_downtime(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT m.service FROM monitor_outages o JOIN monitors m ON m.seq = o.monitor_seq \
                 WHERE o.end_at IS NULL \
                 UNION SELECT service FROM incidents WHERE kind = 'down' AND end_at IS NULL \
                 ORDER BY 1",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }
}

impl Db {
    /// The lifecycles of the subscriptions `ids` (as
    /// [`subscription_lifecycles`](Db::subscription_lifecycles) answers each), in one read; a
    /// subscription without events has none.
    pub async fn subscription_lifecycles_of(
        &self,
        ids: &[String],
    ) -> Result<BTreeMap<String, Vec<(i64, State)>>> {
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let list = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT subscription_id, at, to_state FROM subscription_events \
             WHERE subscription_id IN ({list}) ORDER BY subscription_id, id"
        );
        let rows: Vec<(String, i64, String)> = with_pool!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        });
        lifecycles(rows)
    }
}

/// Rows `(subscription, at, state entered)` in order, as each subscription's lifecycle.
fn lifecycles(rows: Vec<(String, i64, String)>) -> Result<BTreeMap<String, Vec<(i64, State)>>> {
    let mut out: BTreeMap<String, Vec<(i64, State)>> = BTreeMap::new();
    for (id, at, to) in rows {
        let state = State::parse(&to).ok_or_else(|| {
            StoreError::Rejected(format!(
                "subscription {id}: unknown state `{to}` in its history"
            ))
        })?;
        out.entry(id).or_default().push((at, state));
    }
    Ok(out)
}
