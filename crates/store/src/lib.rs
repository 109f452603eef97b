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
    #[error("{0}")]
    Rejected(String),
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

/// Now, in unix seconds: stored instants are integers.
pub(crate) fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}
