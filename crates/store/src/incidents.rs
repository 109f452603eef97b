//! The incidents repository: incidents of a service with their public updates. A declaration is
//! one transaction — the incident, its first update, its audit entry and the mails that tell the
//! partners of it — and so is every update; a change of the end or the kind needs the revision
//! read (its ETag) and is checked by `core`'s rule inside the transaction, at the stamp's instant.
//!
//! An incident is provider data about a service and carries no partner. A partner's people read
//! the incidents of the services their partner subscribes to, or did
//! ([`pacta_core::incident::state_reads_incidents`]): [`Scope::Partner`] filters by that.

use jiff::Timestamp;
use pacta_core::incident::{state_reads_incidents, Change, Incident, Kind, Update};
use pacta_core::subscription::State;
use pacta_core::text::Lang;
use serde_json::json;

use crate::outbox::NewMail;
use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncident {
    pub id: String,
    pub incident: Incident,
    /// Its ETag: one more at each change of its end or kind (an update leaves it).
    pub revision: i64,
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// A stored update of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpdate {
    pub id: String,
    pub incident_id: String,
    pub update: Update,
}

/// A declaration to store: the incident and maybe its first update (its text and language; the
/// author and instant are the stamp's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub incident: Incident,
    pub update: Option<(Lang, String)>,
}

/// Which incidents: each condition, when set, must hold.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Of this service.
    pub service: Option<String>,
    /// Open (no end yet), or closed.
    pub open: Option<bool>,
}

type IncidentRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    String,
    i64,
    i64,
);

type UpdateRow = (String, String, i64, String, String, String);

const SELECT: &str = "SELECT i.id, i.service, i.kind, i.title, i.start_at, i.end_at, i.revision, \
     i.created_by, i.created_at, i.updated_at FROM incidents i";

const UPDATE_COLUMNS: &str = "id, incident_id, at, language, text, author";

fn instant(secs: i64, id: &str) -> Result<Timestamp> {
    Timestamp::from_second(secs)
        .map_err(|_| StoreError::Rejected(format!("incident {id}: instant {secs} out of range")))
}

fn from_row(r: IncidentRow) -> Result<StoredIncident> {
    let (id, service, kind, title, start, end, revision, created_by, created_at, updated_at) = r;
    let kind = Kind::parse(&kind)
        .ok_or_else(|| StoreError::Rejected(format!("incident {id}: unknown kind `{kind}`")))?;
    let start = instant(start, &id)?;
    let end = end.map(|e| instant(e, &id)).transpose()?;
    Ok(StoredIncident {
        incident: Incident {
            service,
            kind,
            title,
            start,
            end,
        },
        id,
        revision,
        created_by,
        created_at,
        updated_at,
    })
}

fn update_from_row(r: UpdateRow) -> Result<StoredUpdate> {
    let (id, incident_id, at, language, text, author) = r;
    let language = Lang::from_code(&language).ok_or_else(|| {
        StoreError::Rejected(format!(
            "incident update {id}: unknown language `{language}`"
        ))
    })?;
    Ok(StoredUpdate {
        update: Update {
            at: instant(at, &id)?,
            language,
            text,
            author,
        },
        id,
        incident_id,
    })
}

/// The audit log's document of an incident.
fn audit_doc(i: &Incident) -> String {
    json!({
        "service": i.service, "kind": i.kind.code(), "title": i.title,
        "start": i.start.to_string(), "end": i.end.map(|e| e.to_string()),
    })
    .to_string()
}

/// The states of a subscription that let its partner read its service's incidents, as SQL.
fn reader_states() -> String {
    State::ALL
        .into_iter()
        .filter(|s| state_reads_incidents(*s))
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$n` is the partner of the scope (NULL: all): the incident's service is one it reads.
fn scope_condition(n: usize) -> String {
    format!(
        "(${n} IS NULL OR EXISTS (SELECT 1 FROM subscriptions s WHERE s.partner_code = ${n} \
         AND s.service = i.service AND s.state IN ({})))",
        reader_states()
    )
}

fn partner_of<'a>(scope: Scope<'a>) -> Option<&'a str> {
    match scope {
        Scope::All => None,
        Scope::Partner(p) => Some(p),
    }
}

/// Inserts update `$text` in `$lang` of incident `$incident_id` inside `$tx`, by the stamp's
/// actor at its instant, with its audit entry; the stored update.
macro_rules! insert_update {
    ($tx:expr, $stamp:expr, $incident_id:expr, $lang:expr, $text:expr) => {{
        let incident_id: &str = $incident_id;
        let lang: Lang = $lang;
        let text: &str = $text;
        let id = $stamp.new_id().to_string();
        sqlx::query(
            "INSERT INTO incident_updates (id, incident_id, at, language, text, author) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(incident_id)
        .bind($stamp.seconds())
        .bind(lang.code())
        .bind(text)
        .bind($stamp.actor)
        .execute(&mut *$tx)
        .await?;
        audit_write!(
            $tx,
            $stamp,
            "post-update",
            "incident",
            incident_id,
            None::<String>,
            None::<String>,
            Some(json!({"update": id, "language": lang.code(), "text": text}).to_string())
        );
        StoredUpdate {
            id,
            incident_id: incident_id.to_owned(),
            update: Update {
                at: $stamp.at,
                language: lang,
                text: text.to_owned(),
                author: $stamp.actor.to_owned(),
            },
        }
    }};
}

impl Db {
    /// Declares an incident, with its first update if given, in one transaction with its audit
    /// entries and the mails `mails` writes for it (given the new incident's id). A service
    /// that is not in the catalogue is [`StoreError::Invalid`] on `service`.
    pub async fn create_incident(
        &self,
        new: &NewIncident,
        mails: impl FnOnce(&str) -> Vec<NewMail>,
        stamp: Stamp<'_>,
    ) -> Result<(StoredIncident, Vec<StoredUpdate>)> {
        let i = &new.incident;
        in_tx!(self, |tx| {
            let service: Option<(String,)> = sqlx::query_as(
                "SELECT code FROM catalogue_entities WHERE kind = 'service' AND code = $1",
            )
            .bind(&i.service)
            .fetch_optional(&mut *tx)
            .await?;
            if service.is_none() {
                return Err(StoreError::invalid(
                    "service",
                    format!("no service `{}`", i.service),
                ));
            }
            let id = stamp.new_id().to_string();
            sqlx::query(
                "INSERT INTO incidents (id, service, kind, title, start_at, end_at, revision, \
                 created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8)",
            )
            .bind(&id)
            .bind(&i.service)
            .bind(i.kind.code())
            .bind(&i.title)
            .bind(i.start.as_second())
            .bind(i.end.map(|e| e.as_second()))
            .bind(stamp.actor)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "create",
                "incident",
                &id,
                None::<String>,
                None::<String>,
                Some(audit_doc(i))
            );
            let mut updates = Vec::new();
            if let Some((lang, text)) = &new.update {
                updates.push(insert_update!(tx, stamp, &id, *lang, text));
            }
            for mail in &mails(&id) {
                queue_mail!(tx, stamp, mail);
            }
            Ok((
                StoredIncident {
                    id,
                    incident: i.clone(),
                    revision: 1,
                    created_by: stamp.actor.to_owned(),
                    created_at: stamp.seconds(),
                    updated_at: stamp.seconds(),
                },
                updates,
            ))
        })
    }

    /// One incident, if it exists and is in `scope`.
    pub async fn incident(&self, scope: Scope<'_>, id: &str) -> Result<Option<StoredIncident>> {
        let sql = format!("{SELECT} WHERE i.id = $1 AND {}", scope_condition(2));
        let row: Option<IncidentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(partner_of(scope))
                .fetch_optional(pool)
                .await?
        });
        row.map(from_row).transpose()
    }

    /// The updates of incident `id`, oldest first.
    pub async fn incident_updates(&self, id: &str) -> Result<Vec<StoredUpdate>> {
        let sql = format!(
            "SELECT {UPDATE_COLUMNS} FROM incident_updates WHERE incident_id = $1 ORDER BY at, id"
        );
        let rows: Vec<UpdateRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_all(pool).await?
        });
        rows.into_iter().map(update_from_row).collect()
    }

    /// The incidents in `scope` that match, the latest start first.
    pub async fn list_incidents(
        &self,
        scope: Scope<'_>,
        filter: &IncidentFilter,
    ) -> Result<Vec<StoredIncident>> {
        let sql = format!(
            "{SELECT} WHERE {} AND ($2 IS NULL OR i.service = $2) \
             AND ($3 IS NULL OR (i.end_at IS NULL) = $3) ORDER BY i.start_at DESC, i.id DESC",
            scope_condition(1)
        );
        let rows: Vec<IncidentRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(partner_of(scope))
                .bind(filter.service.as_deref())
                .bind(filter.open)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(from_row).collect()
    }

    /// Changes the end or the kind of incident `id`, still at revision `expected`, checked by
    /// [`Change::apply`] at the stamp's instant (a problem is [`StoreError::Invalid`] on its
    /// field). A change that changes nothing writes nothing and answers the incident as it is.
    pub async fn change_incident(
        &self,
        id: &str,
        change: &Change,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<StoredIncident> {
        let sql = format!("{SELECT} WHERE i.id = $1");
        in_tx!(self, |tx| {
            let row: Option<IncidentRow> = sqlx::query_as(&sql)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            let before = from_row(row.ok_or_else(|| StoreError::NotFound {
                kind: "incident",
                code: id.to_owned(),
            })?)?;
            if before.revision != expected {
                return Err(StoreError::Stale {
                    kind: "incident",
                    code: id.to_owned(),
                    expected,
                    current: before.revision,
                });
            }
            let Some(after) = change
                .apply(&before.incident, stamp.at)
                .map_err(|e| StoreError::invalid(&e.path, e.message))?
            else {
                return Ok(before);
            };
            let updated = sqlx::query(
                "UPDATE incidents SET kind = $1, end_at = $2, revision = revision + 1, \
                 updated_at = $3 WHERE id = $4 AND revision = $5",
            )
            .bind(after.kind.code())
            .bind(after.end.map(|e| e.as_second()))
            .bind(stamp.seconds())
            .bind(id)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Stale {
                    kind: "incident",
                    code: id.to_owned(),
                    expected,
                    current: expected + 1,
                });
            }
            audit_write!(
                tx,
                stamp,
                "update",
                "incident",
                id,
                None::<String>,
                Some(audit_doc(&before.incident)),
                Some(audit_doc(&after))
            );
            Ok(StoredIncident {
                incident: after,
                revision: before.revision + 1,
                updated_at: stamp.seconds(),
                ..before
            })
        })
    }

    /// Posts an update of incident `id` in `lang`, by the stamp's actor at its instant, with its
    /// audit entry and `mails`, in one transaction.
    pub async fn add_incident_update(
        &self,
        id: &str,
        lang: Lang,
        text: &str,
        mails: &[NewMail],
        stamp: Stamp<'_>,
    ) -> Result<StoredUpdate> {
        in_tx!(self, |tx| {
            let exists: Option<(String,)> =
                sqlx::query_as("SELECT id FROM incidents WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound {
                    kind: "incident",
                    code: id.to_owned(),
                });
            }
            let update = insert_update!(tx, stamp, id, lang, text);
            for mail in mails {
                queue_mail!(tx, stamp, mail);
            }
            Ok(update)
        })
    }

    /// The spans of the `down` incidents of `service` that overlap [from, to), by start: each
    /// `(start, end)`, the end `None` while open — what the availability of a subscription of
    /// the service counts as downtime (clipping is the rule's).
    pub async fn down_incidents(
        &self,
        service: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(Timestamp, Option<Timestamp>)>> {
        let rows: Vec<(String, i64, Option<i64>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, start_at, end_at FROM incidents WHERE service = $1 AND kind = 'down' \
                 AND start_at < $2 AND (end_at IS NULL OR end_at > $3) ORDER BY start_at, id",
            )
            .bind(service)
            .bind(to.as_second())
            .bind(from.as_second())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, start, end)| {
                Ok((
                    instant(start, &id)?,
                    end.map(|e| instant(e, &id)).transpose()?,
                ))
            })
            .collect()
    }
}
