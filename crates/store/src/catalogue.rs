//! The catalogue repository: entities as JSON documents in the catalogue-as-code shape, a
//! revision per entity (optimistic concurrency), versions per publication, and the audit log.

use std::collections::HashMap;

use pacta_core::catalogue::import::{Action, Kind, Plan};
use pacta_core::catalogue::lifecycle::{self, Versioning};
use pacta_core::catalogue::{
    CalendarDef, Catalogue, Category, Lifecycle, Profile, Service, ServiceLevel,
};
use serde::{de::DeserializeOwned, Serialize};

use crate::{in_tx, with_pool, Db, Result, Stamp, StoreError};

/// `kind, code, doc, revision, version` of one stored entity.
type EntityRow = (String, String, String, i64, i64);

/// The stored catalogue with what the API needs beside it.
#[derive(Debug, Clone, Default)]
pub struct StoredCatalogue {
    /// Increments with every write to the catalogue: the snapshot's revision.
    pub revision: i64,
    pub catalogue: Catalogue,
    /// Revision per entity: its ETag.
    pub revisions: HashMap<(Kind, String), i64>,
    /// Last published version per service (0 if never published).
    pub versions: HashMap<String, i64>,
}

impl StoredCatalogue {
    pub fn revision_of(&self, kind: Kind, code: &str) -> Option<i64> {
        self.revisions.get(&(kind, code.to_owned())).copied()
    }
}

/// One publication of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceVersion {
    pub version: i64,
    /// Unix seconds.
    pub published_at: i64,
    pub published_by: String,
}

/// The effect of an import, for the caller's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub written: usize,
    pub deleted: usize,
}

pub(crate) fn kind_from_code(code: &str) -> Option<Kind> {
    [
        Kind::Profile,
        Kind::Calendar,
        Kind::Level,
        Kind::Category,
        Kind::Service,
    ]
    .into_iter()
    .find(|k| k.code() == code)
}

fn to_doc<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|e| unreachable!("catalogue entities always serialise: {e}"))
}

fn from_doc<T: DeserializeOwned>(kind: Kind, code: &str, doc: &str) -> Result<T> {
    serde_json::from_str(doc).map_err(|source| StoreError::Corrupt {
        kind: kind.code(),
        code: code.to_owned(),
        source,
    })
}

/// Something stored as a catalogue entity.
pub trait Entity: Serialize + DeserializeOwned {
    const KIND: Kind;
    fn code(&self) -> &str;
    /// What saving it does to a version history: only services have one.
    fn versioning(&self) -> Versioning {
        Versioning::Keep
    }
}

impl Entity for Service {
    const KIND: Kind = Kind::Service;
    fn code(&self) -> &str {
        &self.code
    }
    fn versioning(&self) -> Versioning {
        lifecycle::on_save(self)
    }
}

impl Entity for CalendarDef {
    const KIND: Kind = Kind::Calendar;
    fn code(&self) -> &str {
        &self.code
    }
}

/// The stored document of the entity `code` among `items` (none: it is to be deleted), and what
/// saving it does to its version history.
fn entity_doc<T: Entity>(items: &[T], code: &str) -> (Option<String>, Versioning) {
    match items.iter().find(|x| x.code() == code) {
        Some(x) => (Some(to_doc(x)), x.versioning()),
        None => (None, Versioning::Keep),
    }
}

impl Entity for Category {
    const KIND: Kind = Kind::Category;
    fn code(&self) -> &str {
        &self.code
    }
}

impl Entity for ServiceLevel {
    const KIND: Kind = Kind::Level;
    fn code(&self) -> &str {
        &self.code
    }
}

impl Entity for Profile {
    const KIND: Kind = Kind::Profile;
    fn code(&self) -> &str {
        "profile"
    }
}

/// An audit entry of a catalogue write (the catalogue is no partner's).
macro_rules! audit {
    ($tx:expr, $stamp:expr, $action:expr, $kind:expr, $code:expr, $before:expr, $after:expr) => {
        audit_write!(
            $tx,
            $stamp,
            $action,
            $kind.code(),
            $code,
            None::<String>,
            $before,
            $after
        )
    };
}

/// The revision and document of an entity, inside the transaction.
macro_rules! current {
    ($tx:expr, $kind:expr, $code:expr) => {{
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT revision, doc FROM catalogue_entities WHERE kind = $1 AND code = $2",
        )
        .bind($kind.code())
        .bind($code)
        .fetch_optional(&mut *$tx)
        .await?;
        row
    }};
}

macro_rules! bump_revision {
    ($tx:expr) => {
        sqlx::query("UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1")
            .execute(&mut *$tx)
            .await?
    };
}

/// Records a publication: the next version number with the service's document as published.
macro_rules! record_version {
    ($tx:expr, $code:expr, $doc:expr, $stamp:expr) => {{
        let (current,): (i64,) = sqlx::query_as("SELECT version FROM catalogue_entities WHERE kind = 'service' AND code = $1")
            .bind($code)
            .fetch_one(&mut *$tx)
            .await?;
        let next = current + 1;
        sqlx::query("INSERT INTO service_versions (code, version, doc, published_at, published_by) VALUES ($1, $2, $3, $4, $5)")
            .bind($code)
            .bind(next)
            .bind($doc)
            .bind($stamp.seconds())
            .bind($stamp.actor)
            .execute(&mut *$tx)
            .await?;
        sqlx::query("UPDATE catalogue_entities SET version = $1 WHERE kind = 'service' AND code = $2")
            .bind(next)
            .bind($code)
            .execute(&mut *$tx)
            .await?;
        next
    }};
}

impl Db {
    /// The whole catalogue, as the in-memory snapshot is built from it.
    pub async fn load_catalogue(&self) -> Result<StoredCatalogue> {
        let (revision, rows): (i64, Vec<EntityRow>) = with_pool!(self, |pool| {
            let (revision,): (i64,) =
                sqlx::query_as("SELECT revision FROM catalogue_revision WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
            let rows = sqlx::query_as("SELECT kind, code, doc, revision, version FROM catalogue_entities ORDER BY kind, code")
                .fetch_all(pool)
                .await?;
            (revision, rows)
        });
        let mut stored = StoredCatalogue {
            revision,
            ..Default::default()
        };
        for (kind, code, doc, rev, version) in rows {
            let Some(kind) = kind_from_code(&kind) else {
                continue;
            };
            match kind {
                Kind::Profile => stored.catalogue.profile = Some(from_doc(kind, &code, &doc)?),
                Kind::Calendar => stored
                    .catalogue
                    .calendars
                    .push(from_doc(kind, &code, &doc)?),
                Kind::Level => stored.catalogue.levels.push(from_doc(kind, &code, &doc)?),
                Kind::Category => stored
                    .catalogue
                    .categories
                    .push(from_doc(kind, &code, &doc)?),
                Kind::Service => {
                    stored.catalogue.services.push(from_doc(kind, &code, &doc)?);
                    stored.versions.insert(code.clone(), version);
                }
            }
            stored.revisions.insert((kind, code), rev);
        }
        stored.catalogue = pacta_core::catalogue::export::canonical(&stored.catalogue);
        Ok(stored)
    }

    /// Applies an import plan in one transaction: all of it, or nothing.
    /// A published service that is created or changed gets a new version.
    pub async fn apply_import(&self, plan: &Plan, stamp: Stamp<'_>) -> Result<ImportOutcome> {
        let mut outcome = ImportOutcome::default();
        if plan.is_noop() {
            return Ok(outcome);
        }
        let docs: Vec<(Kind, String, Action, Option<String>, Versioning)> = plan
            .changes
            .iter()
            .filter(|c| c.action != Action::Unchanged)
            .map(|c| {
                let r = &plan.result;
                let (doc, versioning) = match c.kind {
                    Kind::Profile => entity_doc(r.profile.as_slice(), &c.code),
                    Kind::Calendar => entity_doc(&r.calendars, &c.code),
                    Kind::Level => entity_doc(&r.levels, &c.code),
                    Kind::Category => entity_doc(&r.categories, &c.code),
                    Kind::Service => entity_doc(&r.services, &c.code),
                };
                (c.kind, c.code.clone(), c.action, doc, versioning)
            })
            .collect();
        in_tx!(self, |tx| {
            for (kind, code, action, doc, versioning) in &docs {
                let before: Option<(String,)> = sqlx::query_as(
                    "SELECT doc FROM catalogue_entities WHERE kind = $1 AND code = $2",
                )
                .bind(kind.code())
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
                match (action, doc) {
                    (Action::Deleted, _) | (_, None) => {
                        sqlx::query("DELETE FROM catalogue_entities WHERE kind = $1 AND code = $2")
                            .bind(kind.code())
                            .bind(code)
                            .execute(&mut *tx)
                            .await?;
                        audit!(
                            tx,
                            stamp,
                            "import-delete",
                            kind,
                            code,
                            before.map(|b| b.0),
                            None::<String>
                        );
                        outcome.deleted += 1;
                    }
                    (_, Some(doc)) => {
                        sqlx::query(
                            "INSERT INTO catalogue_entities (kind, code, doc, revision, version, updated_at) VALUES ($1, $2, $3, 1, 0, $4) \
                             ON CONFLICT (kind, code) DO UPDATE SET doc = excluded.doc, revision = catalogue_entities.revision + 1, updated_at = excluded.updated_at",
                        )
                        .bind(kind.code())
                        .bind(code)
                        .bind(doc)
                        .bind(stamp.seconds())
                        .execute(&mut *tx)
                        .await?;
                        if *versioning == Versioning::Record {
                            record_version!(tx, code, doc, stamp);
                        }
                        audit!(
                            tx,
                            stamp,
                            "import",
                            kind,
                            code,
                            before.map(|b| b.0),
                            Some(doc.clone())
                        );
                        outcome.written += 1;
                    }
                }
            }
            bump_revision!(tx);
            Ok::<_, StoreError>(())
        })?;
        Ok(outcome)
    }

    /// Creates an entity; a duplicate code is refused. Returns its revision (1). An editor's new
    /// service is a draft (`lifecycle::check_create`), so a creation records no version.
    pub async fn create_entity<T: Entity>(&self, value: &T, stamp: Stamp<'_>) -> Result<i64> {
        let doc = to_doc(value);
        let code = value.code().to_owned();
        in_tx!(self, |tx| {
            let exists: Option<(i64,)> = sqlx::query_as(
                "SELECT revision FROM catalogue_entities WHERE kind = $1 AND code = $2",
            )
            .bind(T::KIND.code())
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_some() {
                return Err(StoreError::Duplicate {
                    kind: T::KIND.code(),
                    code,
                });
            }
            sqlx::query("INSERT INTO catalogue_entities (kind, code, doc, revision, version, updated_at) VALUES ($1, $2, $3, 1, 0, $4)")
                .bind(T::KIND.code())
                .bind(&code)
                .bind(&doc)
                .bind(stamp.seconds())
                .execute(&mut *tx)
                .await?;
            audit!(
                tx,
                stamp,
                "create",
                T::KIND,
                &code,
                None::<String>,
                Some(doc.clone())
            );
            bump_revision!(tx);
            Ok(1)
        })
    }

    /// Replaces an entity if it is still at `expected` revision. Returns the new revision.
    /// A published service's change is live at once, so it records a new version.
    pub async fn update_entity<T: Entity>(
        &self,
        value: &T,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<i64> {
        let doc = to_doc(value);
        let code = value.code().to_owned();
        in_tx!(self, |tx| {
            let before = current!(tx, T::KIND, &code);
            let (current_rev, before_doc) = before.ok_or_else(|| StoreError::NotFound {
                kind: T::KIND.code(),
                code: code.clone(),
            })?;
            if current_rev != expected {
                return Err(StoreError::Stale {
                    kind: T::KIND.code(),
                    code,
                    expected,
                    current: current_rev,
                });
            }
            if before_doc == doc {
                return Ok(current_rev);
            }
            sqlx::query("UPDATE catalogue_entities SET doc = $1, revision = revision + 1, updated_at = $2 WHERE kind = $3 AND code = $4")
                .bind(&doc)
                .bind(stamp.seconds())
                .bind(T::KIND.code())
                .bind(&code)
                .execute(&mut *tx)
                .await?;
            if value.versioning() == Versioning::Record {
                record_version!(tx, &code, &doc, stamp);
            }
            audit!(
                tx,
                stamp,
                "update",
                T::KIND,
                &code,
                Some(before_doc),
                Some(doc.clone())
            );
            bump_revision!(tx);
            Ok(current_rev + 1)
        })
    }

    /// Moves a service through its lifecycle: `published` records version n+1, `retired` keeps it
    /// readable for its subscribers. Returns the new revision and the service's version.
    pub async fn set_service_status(
        &self,
        code: &str,
        status: Lifecycle,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<(i64, i64)> {
        in_tx!(self, |tx| {
            let (current_rev, before_doc) =
                current!(tx, Kind::Service, code).ok_or_else(|| StoreError::NotFound {
                    kind: "service",
                    code: code.to_owned(),
                })?;
            if current_rev != expected {
                return Err(StoreError::Stale {
                    kind: "service",
                    code: code.to_owned(),
                    expected,
                    current: current_rev,
                });
            }
            let mut service: Service = from_doc(Kind::Service, code, &before_doc)?;
            let (version,): (i64,) = sqlx::query_as(
                "SELECT version FROM catalogue_entities WHERE kind = 'service' AND code = $1",
            )
            .bind(code)
            .fetch_one(&mut *tx)
            .await?;
            let versioning = lifecycle::transition(code, service.status, status, version)
                .map_err(|e| StoreError::Rejected(e.to_string()))?;
            service.status = status;
            let doc = to_doc(&service);
            sqlx::query("UPDATE catalogue_entities SET doc = $1, revision = revision + 1, updated_at = $2 WHERE kind = 'service' AND code = $3")
                .bind(&doc)
                .bind(stamp.seconds())
                .bind(code)
                .execute(&mut *tx)
                .await?;
            let version = match versioning {
                Versioning::Record => record_version!(tx, code, &doc, stamp),
                Versioning::Keep => version,
            };
            audit!(
                tx,
                stamp,
                status.code(),
                Kind::Service,
                code,
                Some(before_doc),
                Some(doc.clone())
            );
            bump_revision!(tx);
            Ok((current_rev + 1, version))
        })
    }

    /// One calendar of the catalogue, by code.
    pub async fn calendar(&self, code: &str) -> Result<Option<CalendarDef>> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT doc FROM catalogue_entities WHERE kind = 'calendar' AND code = $1",
            )
            .bind(code)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(doc,)| from_doc(Kind::Calendar, code, &doc))
            .transpose()
    }

    /// The publications of a service, oldest first.
    pub async fn service_versions(&self, code: &str) -> Result<Vec<ServiceVersion>> {
        let rows: Vec<(i64, i64, String)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT version, published_at, published_by FROM service_versions WHERE code = $1 ORDER BY version")
                .bind(code)
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(version, published_at, published_by)| ServiceVersion {
                version,
                published_at,
                published_by,
            })
            .collect())
    }

    /// A service as it was published in `version`.
    pub async fn service_version(&self, code: &str, version: i64) -> Result<Option<Service>> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT doc FROM service_versions WHERE code = $1 AND version = $2")
                .bind(code)
                .bind(version)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(doc,)| from_doc(Kind::Service, code, &doc))
            .transpose()
    }

    /// How many audit entries concern an entity (for tests and the audit view).
    pub async fn audit_count(&self, kind: Kind, code: &str) -> Result<i64> {
        let (n,): (i64,) = with_pool!(self, |pool| {
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE kind = $1 AND code = $2")
                .bind(kind.code())
                .bind(code)
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }
}

impl Db {
    /// The catalogue's revision (it increments with every write to the catalogue): what another
    /// process compares with its snapshot's to tell that the catalogue changed.
    pub async fn catalogue_revision(&self) -> Result<i64> {
        let row: Option<(i64,)> = crate::with_pool!(self, |pool| {
            sqlx::query_as("SELECT revision FROM catalogue_revision WHERE id = 1")
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map_or(0, |(r,)| r))
    }
}
