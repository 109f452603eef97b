//! The monitors repository: each monitor one document in the monitors-file shape, with a
//! revision (its ETag), the service it watches (its own, or its subscription's) and a compact
//! `seq` for the result tables to come. A reference to a service or a subscription that is not
//! stored is [`StoreError::Invalid`]; every write is audited in its own transaction, and an
//! import is one transaction: all or nothing.

use pacta_core::monitor::{Attachment, Monitor};

use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// A stored monitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMonitor {
    pub id: String,
    /// The integer surrogate of the result tables; never reused.
    pub seq: i64,
    pub monitor: Monitor,
    /// The service it watches: its own `service`, or its subscription's.
    pub service: String,
    /// The partner of its subscription; `None` for a monitor of the whole service.
    pub partner: Option<String>,
    pub revision: i64,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// Which monitors: each condition, when set, must hold.
#[derive(Debug, Clone, Default)]
pub struct MonitorFilter {
    /// Watching this service (for all its subscriptions or for one).
    pub service: Option<String>,
}

type MonitorRow = (String, i64, String, String, i64, i64, i64, Option<String>);

const SELECT: &str = "SELECT m.id, m.seq, m.service, m.doc, m.revision, m.created_at, \
     m.updated_at, m.partner_code FROM monitors m";

fn to_doc(m: &Monitor) -> String {
    serde_json::to_string(m).unwrap_or_else(|e| unreachable!("a monitor always serialises: {e}"))
}

fn from_row(r: MonitorRow) -> Result<StoredMonitor> {
    let (id, seq, service, doc, revision, created_at, updated_at, partner) = r;
    let monitor = serde_json::from_str(&doc).map_err(|source| StoreError::Corrupt {
        kind: "monitor",
        code: id.clone(),
        source,
    })?;
    Ok(StoredMonitor {
        id,
        seq,
        monitor,
        service,
        partner,
        revision,
        created_at,
        updated_at,
    })
}

/// The service `$monitor` watches and its subscription's partner, inside `$tx`; an unknown
/// service or subscription is invalid (`$field` prefixes the field: empty for one monitor,
/// `monitor CODE: ` in an import).
macro_rules! resolve_target {
    ($tx:expr, $monitor:expr, $field:expr) => {{
        let field: &str = $field;
        match $monitor.attachment() {
            Attachment::Service(code) => {
                let row: Option<(String,)> = sqlx::query_as(
                    "SELECT code FROM catalogue_entities WHERE kind = 'service' AND code = $1",
                )
                .bind(code)
                .fetch_optional(&mut *$tx)
                .await?;
                if row.is_none() {
                    return Err(StoreError::invalid(
                        &format!("{field}service"),
                        format!("no service `{code}`"),
                    ));
                }
                (code.to_owned(), None::<String>)
            }
            Attachment::Subscription(id) => {
                let row: Option<(String, String)> =
                    sqlx::query_as("SELECT service, partner_code FROM subscriptions WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *$tx)
                        .await?;
                let (service, partner) = row.ok_or_else(|| {
                    StoreError::invalid(
                        &format!("{field}subscription"),
                        format!("no subscription `{id}`"),
                    )
                })?;
                (service, Some(partner))
            }
        }
    }};
}

/// Inserts `$monitor` as a new monitor inside `$tx`, with its audit entry; the stored monitor.
macro_rules! insert_monitor {
    ($tx:expr, $stamp:expr, $monitor:expr, $action:expr, $field:expr) => {{
        let (service, partner) = resolve_target!($tx, $monitor, $field);
        let (seq,): (i64,) =
            sqlx::query_as("UPDATE monitor_seq SET last = last + 1 WHERE id = 1 RETURNING last")
                .fetch_one(&mut *$tx)
                .await?;
        let id = $stamp.new_id().to_string();
        let doc = to_doc($monitor);
        sqlx::query(
            "INSERT INTO monitors (id, seq, code, service, subscription_id, partner_code, doc, revision, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
        )
        .bind(&id)
        .bind(seq)
        .bind(&$monitor.code)
        .bind(&service)
        .bind($monitor.subscription.as_deref())
        .bind(partner.as_deref())
        .bind(&doc)
        .bind($stamp.seconds())
        .execute(&mut *$tx)
        .await
        .map_err(|e| match e {
            // Another create of the same code at the same time.
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
                kind: "monitor",
                code: $monitor.code.clone(),
            },
            other => other.into(),
        })?;
        audit_write!(
            $tx,
            $stamp,
            $action,
            "monitor",
            &id,
            partner.clone(),
            None::<String>,
            Some(doc)
        );
        StoredMonitor {
            id,
            seq,
            monitor: $monitor.clone(),
            service,
            partner,
            revision: 1,
            created_at: $stamp.seconds(),
            updated_at: $stamp.seconds(),
        }
    }};
}

/// Replaces the stored `$before` by `$monitor` inside `$tx`, with its audit entry.
macro_rules! replace_monitor {
    ($tx:expr, $stamp:expr, $before:expr, $monitor:expr, $action:expr, $field:expr) => {{
        let before: &StoredMonitor = $before;
        let (service, partner) = resolve_target!($tx, $monitor, $field);
        let doc = to_doc($monitor);
        let updated = sqlx::query(
            "UPDATE monitors SET code = $1, service = $2, subscription_id = $3, partner_code = $4, \
             doc = $5, revision = revision + 1, updated_at = $6 WHERE id = $7 AND revision = $8",
        )
        .bind(&$monitor.code)
        .bind(&service)
        .bind($monitor.subscription.as_deref())
        .bind(partner.as_deref())
        .bind(&doc)
        .bind($stamp.seconds())
        .bind(&before.id)
        .bind(before.revision)
        .execute(&mut *$tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
                kind: "monitor",
                code: $monitor.code.clone(),
            },
            other => other.into(),
        })?;
        if updated.rows_affected() == 0 {
            // Changed by another write since it was read: stale (its revision is at least one more).
            return Err(StoreError::Stale {
                kind: "monitor",
                code: before.id.clone(),
                expected: before.revision,
                current: before.revision + 1,
            });
        }
        // The partner concerned: the new subscription's, else the old one's.
        audit_write!(
            $tx,
            $stamp,
            $action,
            "monitor",
            &before.id,
            partner.clone().or(before.partner.clone()),
            Some(to_doc(&before.monitor)),
            Some(doc)
        );
        StoredMonitor {
            monitor: $monitor.clone(),
            service,
            partner,
            revision: before.revision + 1,
            updated_at: $stamp.seconds(),
            ..before.clone()
        }
    }};
}

/// The monitor `$id` inside `$tx`, if it exists.
macro_rules! monitor_in_tx {
    ($tx:expr, $where:literal, $key:expr) => {{
        let sql = format!("{SELECT} WHERE {}", $where);
        let row: Option<MonitorRow> = sqlx::query_as(&sql)
            .bind($key)
            .fetch_optional(&mut *$tx)
            .await?;
        row.map(from_row).transpose()?
    }};
}

impl Db {
    /// The monitors in `scope` that match, by code. A partner's scope holds the monitors of the
    /// whole services and those of that partner's subscriptions (the caller then decides which
    /// of them the reader may see).
    pub async fn list_monitors(
        &self,
        scope: Scope<'_>,
        filter: &MonitorFilter,
    ) -> Result<Vec<StoredMonitor>> {
        let only = match scope {
            Scope::All => None,
            Scope::Partner(p) => Some(p),
        };
        let sql = format!(
            "{SELECT} WHERE ($1 IS NULL OR m.partner_code IS NULL OR m.partner_code = $1) \
             AND ($2 IS NULL OR m.service = $2) ORDER BY m.code"
        );
        let rows: Vec<MonitorRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(only)
                .bind(filter.service.as_deref())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(from_row).collect()
    }

    /// One monitor, if it exists and is in `scope`.
    pub async fn monitor(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredMonitor>> {
        let sql = format!("{SELECT} WHERE m.id = $1");
        let row: Option<MonitorRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        match row {
            Some(r) => {
                let m = from_row(r)?;
                let admitted = m.partner.is_none() || scope.admits(m.partner.as_deref());
                Ok(admitted.then_some(m))
            }
            None => Ok(None),
        }
    }

    /// Creates a monitor: a new id and `seq`, revision 1. A code that exists is a duplicate.
    pub async fn create_monitor(
        &self,
        monitor: &Monitor,
        stamp: Stamp<'_>,
    ) -> Result<StoredMonitor> {
        in_tx!(self, |tx| {
            let exists: Option<(String,)> =
                sqlx::query_as("SELECT id FROM monitors WHERE code = $1")
                    .bind(&monitor.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                return Err(StoreError::Duplicate {
                    kind: "monitor",
                    code: monitor.code.clone(),
                });
            }
            Ok(insert_monitor!(tx, stamp, monitor, "create", ""))
        })
    }

    /// Replaces monitor `id`, still at revision `expected`, by `monitor` (its code may change,
    /// to one no other monitor has).
    pub async fn update_monitor(
        &self,
        id: &str,
        monitor: &Monitor,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<StoredMonitor> {
        in_tx!(self, |tx| {
            let before: StoredMonitor =
                monitor_in_tx!(tx, "m.id = $1", id).ok_or_else(|| StoreError::NotFound {
                    kind: "monitor",
                    code: id.to_owned(),
                })?;
            if before.revision != expected {
                return Err(StoreError::Stale {
                    kind: "monitor",
                    code: id.to_owned(),
                    expected,
                    current: before.revision,
                });
            }
            if before.monitor.code != monitor.code {
                let taken: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM monitors WHERE code = $1")
                        .bind(&monitor.code)
                        .fetch_optional(&mut *tx)
                        .await?;
                if taken.is_some() {
                    return Err(StoreError::Duplicate {
                        kind: "monitor",
                        code: monitor.code.clone(),
                    });
                }
            }
            Ok(replace_monitor!(tx, stamp, &before, monitor, "update", ""))
        })
    }

    /// Deletes monitor `id` (audited with its last document).
    pub async fn delete_monitor(&self, id: &str, stamp: Stamp<'_>) -> Result<()> {
        in_tx!(self, |tx| {
            let before: StoredMonitor =
                monitor_in_tx!(tx, "m.id = $1", id).ok_or_else(|| StoreError::NotFound {
                    kind: "monitor",
                    code: id.to_owned(),
                })?;
            sqlx::query("DELETE FROM monitors WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            audit_write!(
                tx,
                stamp,
                "delete",
                "monitor",
                id,
                before.partner.clone(),
                Some(to_doc(&before.monitor)),
                None::<String>
            );
            Ok(())
        })
    }

    /// Writes the created and updated monitors of an import, upserted by code, in one
    /// transaction: all or none. Returns how many were written.
    pub async fn import_monitors(&self, writes: &[Monitor], stamp: Stamp<'_>) -> Result<usize> {
        if writes.is_empty() {
            return Ok(0);
        }
        in_tx!(self, |tx| {
            for monitor in writes {
                let field = format!("monitor {}: ", monitor.code);
                let existing: Option<StoredMonitor> =
                    monitor_in_tx!(tx, "m.code = $1", &monitor.code);
                match existing {
                    Some(before) => {
                        replace_monitor!(tx, stamp, &before, monitor, "import", &field);
                    }
                    None => {
                        insert_monitor!(tx, stamp, monitor, "import", &field);
                    }
                }
            }
            Ok::<_, StoreError>(writes.len())
        })
    }
}
