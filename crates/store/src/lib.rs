//! Pacta's storage: SQLite (the default, embedded) or PostgreSQL behind one [`Db`], with
//! migrations of the same versions for both, and repositories per aggregate.
//!
//! The SQL text is shared between the backends wherever it can be (`$1` placeholders work on
//! both); [`with_pool!`] and [`in_tx!`] expand one body per backend, so there is no `Any` driver.

#[macro_use]
pub mod audit;
#[macro_use]
pub mod jobs;
#[macro_use]
pub mod outbox;
pub mod accounts;
pub mod badges;
pub mod catalogue;
pub mod credentials;
mod db;
pub mod incidents;
pub mod maintenance;
mod monitor_rows;
pub mod monitors;
pub mod oncall;
pub mod partners;
pub mod probe_leases;
pub mod results;
pub mod retention;
pub mod statements;
pub mod subscriptions;
pub mod testing;
pub mod tickets;

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
    /// A write that names what does not exist or cannot be (an unknown partner, a scope of
    /// codes that are not stored, a PRM who is not one), with the field concerned.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
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

impl StoreError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Whose partner data a read may return: every repository function that reads partner data
/// takes it first, so forgetting the filter does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// The provider's staff and the operator: every partner.
    All,
    /// One partner's people: that partner only.
    Partner(&'a str),
}

impl Scope<'_> {
    /// Whether data of `partner` (none for provider data) is in this scope.
    pub fn admits(&self, partner: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Partner(p) => partner == Some(*p),
        }
    }
}

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

    /// A new UUIDv7 for a row written now: its time part is the stamp's instant, and ids made
    /// in one process within one millisecond still sort in the order they were made (a shared
    /// counter), so writes stamped at one instant keep their order in the audit log.
    pub(crate) fn new_id(&self) -> uuid::Uuid {
        static CONTEXT: std::sync::Mutex<uuid::ContextV7> =
            std::sync::Mutex::new(uuid::ContextV7::new());
        let context = CONTEXT.lock().unwrap_or_else(|p| p.into_inner());
        let ts = uuid::Timestamp::from_unix(
            &*context,
            self.at.as_second().max(0) as u64,
            self.at.subsec_nanosecond().max(0) as u32,
        );
        uuid::Uuid::new_v7(ts)
    }
}
