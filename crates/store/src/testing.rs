//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database on the server named
//! by `PACTA_TEST_POSTGRES_URL` (under `CI=true` a missing server is a failure, not a skip).

use pacta_core::clock::{Now, SystemClock};

use crate::{Db, Stamp};

/// A name for a fresh test database or directory: a UUIDv7 of the real time (through the clock
/// module, as every reading of the time), so that `.ci/run` can drop the ones older than six
/// hours by the time in their name.
fn fresh_name() -> String {
    Stamp::new("test", SystemClock.now())
        .new_id()
        .simple()
        .to_string()
}

/// A migrated SQLite database in a new temporary file.
pub async fn fresh_sqlite() -> Db {
    let dir = std::env::temp_dir().join(format!("pacta-test-{}", fresh_name()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    Db::open(&format!("sqlite://{}/pacta.db", dir.display()))
        .await
        .expect("open a fresh SQLite database")
}

/// The URL of a new, empty PostgreSQL database, or `None` when no server is configured.
pub async fn fresh_postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("PACTA_TEST_POSTGRES_URL") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("PACTA_TEST_POSTGRES_URL is not set: under CI=true the PostgreSQL contract tests must run");
        }
        eprintln!("skipping PostgreSQL: PACTA_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!("pacta_test_{}", fresh_name());
    let admin = sqlx::PgPool::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    Some(with_database(&base, &name))
}

/// A migrated PostgreSQL database of its own, or `None` when no server is configured.
pub async fn fresh_postgres() -> Option<Db> {
    let url = fresh_postgres_url().await?;
    Some(
        Db::open(&url)
            .await
            .expect("open a fresh PostgreSQL database"),
    )
}

/// `postgres://u@h:5432/test?x=y` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

/// A store contract test: `$body` (a closure from [`Db`] to a future) run as `$name::sqlite` on
/// a fresh SQLite database, and as `$name::postgres` on a fresh PostgreSQL one when a server is
/// configured (under `CI=true` a missing one fails).
#[macro_export]
macro_rules! contract {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::fresh_sqlite().await;
                ($body)(db.clone()).await;
                db.close().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::testing::fresh_postgres().await else {
                    return;
                };
                ($body)(db.clone()).await;
                db.close().await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://h/test?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}
