//! The connection: SQLite with one writer and a read pool, or a PostgreSQL pool.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::{Result, StoreError};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A database handle; cheap to clone.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite allows one writer at a time: writes go through a single connection so they queue
    /// in the pool instead of failing with `SQLITE_BUSY`; reads use their own pool.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's (read) pool.
#[macro_export]
macro_rules! with_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite { read: $pool, .. } => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside one transaction (`$tx`), committed when the body returns `Ok`.
#[macro_export]
macro_rules! in_tx {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            $crate::Db::Sqlite { write, .. } => {
                let mut $tx = write.begin().await?;
                let out = $body;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
            $crate::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
        }
    };
}

impl Db {
    /// Opens `sqlite://PATH` (created if missing, with its directory) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, true).await
    }

    /// Opens and migrates a database that must already exist: a missing SQLite file is an error
    /// ([`StoreError::Missing`]), never created. For commands that only read what is there.
    pub async fn open_existing(url: &str) -> Result<Db> {
        let db = Db::connect_with(url, false).await?;
        db.migrate().await?;
        Ok(db)
    }

    async fn connect_with(url: &str, create: bool) -> Result<Db> {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_owned()));
            }
            let memory = path == ":memory:" || path.contains("mode=memory");
            let file = path.split('?').next().unwrap_or(path);
            if !memory && !create && !std::path::Path::new(file).is_file() {
                return Err(StoreError::Missing(url.to_owned()));
            }
            if !memory && create {
                if let Some(dir) = std::path::Path::new(file).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            StoreError::Rejected(format!("cannot create {}: {e}", dir.display()))
                        })?;
                    }
                }
            }
            let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
                .create_if_missing(create)
                .journal_mode(if memory {
                    SqliteJournalMode::Memory
                } else {
                    SqliteJournalMode::Wal
                })
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // A local file does not drop connections: no ping before each use (each would be one
            // more round trip to the connection's thread, on every query).
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            // An in-memory database lives in its one connection: reads must share it.
            let read = if memory {
                write.clone()
            } else {
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .test_before_acquire(false)
                    .connect_with(options.read_only(false))
                    .await?
            };
            Ok(Db::Sqlite { write, read })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // No ping before each statement (sqlx's default): a broken connection fails its
            // statement and is dropped; the ping cost a round trip on every read.
            let pool = PgPoolOptions::new()
                .max_connections(10)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Opens and migrates: every command that opens a database migrates it first.
    pub async fn open(url: &str) -> Result<Db> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub fn kind(&self) -> DbKind {
        match self {
            Db::Sqlite { .. } => DbKind::Sqlite,
            Db::Postgres(_) => DbKind::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// The versions of the migrations this build carries, per backend (they must match).
    pub fn migration_versions(kind: DbKind) -> Vec<i64> {
        let migrator = match kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).collect()
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
