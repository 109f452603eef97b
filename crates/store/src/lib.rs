//! Pacta's storage: SQLite (the default, embedded) or PostgreSQL behind one [`Db`], with
//! migrations of the same versions for both, and repositories per aggregate.
//!
//! The SQL text is shared between the backends wherever it can be (`$1` placeholders work on
//! both); [`with_pool!`] and [`in_tx!`] expand one body per backend, so there is no `Any` driver.

pub mod catalogue;
mod db;
pub mod testing;

pub use db::{Db, DbKind};

/// What the store can fail with; callers map these to their own errors (HTTP status, exit code).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} `{code}` does not exist")]
    NotFound { kind: &'static str, code: String },
    #[error("{kind} `{code}` already exists")]
    Duplicate { kind: &'static str, code: String },
    #[error("{kind} `{code}` has changed since revision {expected} (now {current})")]
    Stale {
        kind: &'static str,
        code: String,
        expected: i64,
        current: i64,
    },
    /// A write the domain's rules refuse (a lifecycle move, …), in their words.
    #[error("{0}")]
    Rejected(String),
    #[error("the database {0} does not exist")]
    Missing(String),
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored document of {kind} `{code}` is unreadable: {source}")]
    Corrupt {
        kind: &'static str,
        code: String,
        #[source]
        source: serde_json::Error,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who makes a write and when: every write is stamped by its caller, whose clock is the
/// application's one [`pacta_core::clock::Now`]; the store never reads the time itself.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// Who, as the audit log names them (`admin-token`, `demo`, a user's e-mail).
    pub actor: &'a str,
    /// When.
    pub at: jiff::Timestamp,
}

impl<'a> Stamp<'a> {
    pub fn new(actor: &'a str, at: jiff::Timestamp) -> Stamp<'a> {
        Stamp { actor, at }
    }

    /// The instant as stored: unix seconds.
    pub(crate) fn seconds(&self) -> i64 {
        self.at.as_second()
    }

    /// A new UUIDv7 for a row written now: its time part is the stamp's instant.
    pub(crate) fn new_id(&self) -> uuid::Uuid {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            self.at.as_second().max(0) as u64,
            self.at.subsec_nanosecond().max(0) as u32,
        );
        uuid::Uuid::new_v7(ts)
    }
}
