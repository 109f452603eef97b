//! The audit log: every write, who (a user's e-mail, `bootstrap`, `cli`, `demo`, …), when, what,
//! and the document before and after. Written inside the write's own transaction, so a write and
//! its entry exist together or not at all. Secrets never reach it: documents hold no password,
//! token or hash.

use serde::Serialize;

use crate::{with_pool, Db, Result};

/// Appends an entry inside the transaction `$tx`. `$partner` names the partner the write concerns
/// (`None` for the catalogue and the provider's own users).
macro_rules! audit_write {
    ($tx:expr, $stamp:expr, $action:expr, $kind:expr, $code:expr, $partner:expr, $before:expr, $after:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, kind, code, partner, before_doc, after_doc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($stamp.new_id().to_string())
        .bind($stamp.seconds())
        .bind($stamp.actor)
        .bind($action)
        .bind($kind)
        .bind($code)
        .bind($partner)
        .bind($before)
        .bind($after)
        .execute(&mut *$tx)
        .await?
    };
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// `service`, `partner`, `user`, `token`, …
    pub kind: String,
    pub code: String,
    pub partner: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which entries: each condition, when set, must hold. `to` is exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub actor: Option<String>,
    pub partner: Option<String>,
    pub kind: Option<String>,
}

type AuditRow = (
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Db {
    /// The entries that match, oldest first (by instant, then by id: a UUIDv7 orders writes of
    /// one instant).
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, at, actor, action, kind, code, partner, before_doc, after_doc FROM audit_log \
                 WHERE ($1 IS NULL OR at >= $1) AND ($2 IS NULL OR at < $2) \
                 AND ($3 IS NULL OR actor = $3) AND ($4 IS NULL OR partner = $4) \
                 AND ($5 IS NULL OR kind = $5) \
                 ORDER BY at, id",
            )
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.actor.as_deref())
            .bind(filter.partner.as_deref())
            .bind(filter.kind.as_deref())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, at, actor, action, kind, code, partner, before, after)| AuditEntry {
                    id,
                    at,
                    actor,
                    action,
                    kind,
                    code,
                    partner,
                    before,
                    after,
                },
            )
            .collect())
    }
}
