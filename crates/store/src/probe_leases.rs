//! Probers share the monitors through leases (issue 11, "Where it runs"). The monitors fall into
//! [`SHARDS`] shards by their `seq`; a prober holds a lease per shard, renewed at every call of
//! [`Db::claim_probe_shards`], and checks the monitors of the shards it holds. Each call also
//! renews the prober's row among the living, so that every prober can tell its fair share:
//! on PostgreSQL the shards are spread evenly over the living probers (free and expired ones
//! taken with `FOR UPDATE SKIP LOCKED`; a prober over its share gives the rest back); on
//! SQLite one prober holds them all, and another waits until it stops or its lease expires.

use crate::{in_tx, Db, DbKind, Result};

/// How many shards the monitors fall into.
pub const SHARDS: i64 = 64;

/// The shard of the monitor `seq`.
pub fn shard_of(seq: i64) -> i64 {
    seq.rem_euclid(SHARDS)
}

/// What a prober holds after a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leases {
    /// The shards it holds now, in order.
    pub shards: Vec<i64>,
    /// The other probers alive (their ids), in order.
    pub others: Vec<String>,
}

impl Db {
    /// Renews `holder`'s leases and its place among the living until `now + ttl`, takes or
    /// gives back shards towards its fair share, and answers what it holds. One transaction.
    pub async fn claim_probe_shards(&self, holder: &str, now: i64, ttl: i64) -> Result<Leases> {
        let until = now + ttl.max(1);
        let free_sql = match self.kind() {
            DbKind::Postgres => {
                "SELECT shard FROM probe_leases WHERE holder IS NULL OR expires_at < $1 \
                 ORDER BY shard LIMIT $2 FOR UPDATE SKIP LOCKED"
            }
            DbKind::Sqlite => {
                "SELECT shard FROM probe_leases WHERE holder IS NULL OR expires_at < $1 \
                 ORDER BY shard LIMIT $2"
            }
        };
        let one_prober = self.kind() == DbKind::Sqlite;
        in_tx!(self, |tx| {
            let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe_leases")
                .fetch_one(&mut *tx)
                .await?;
            if rows < SHARDS {
                let mut q =
                    sqlx::QueryBuilder::new("INSERT INTO probe_leases (shard, expires_at) ");
                q.push_values(0..SHARDS, |mut b, shard| {
                    b.push_bind(shard).push_bind(0_i64);
                });
                q.push(" ON CONFLICT (shard) DO NOTHING");
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO probers (holder, seen_at, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at, \
                 expires_at = excluded.expires_at",
            )
            .bind(holder)
            .bind(now)
            .bind(until)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM probers WHERE expires_at < $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE probe_leases SET expires_at = $1 WHERE holder = $2")
                .bind(until)
                .bind(holder)
                .execute(&mut *tx)
                .await?;
            let living: Vec<(String,)> =
                sqlx::query_as("SELECT holder FROM probers ORDER BY holder")
                    .fetch_all(&mut *tx)
                    .await?;
            let others: Vec<String> = living
                .into_iter()
                .map(|(h,)| h)
                .filter(|h| h != holder)
                .collect();
            let mine: Vec<(i64,)> =
                sqlx::query_as("SELECT shard FROM probe_leases WHERE holder = $1 ORDER BY shard")
                    .bind(holder)
                    .fetch_all(&mut *tx)
                    .await?;
            let mut mine: Vec<i64> = mine.into_iter().map(|(s,)| s).collect();
            let fair = if one_prober {
                let (held_by_others,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM probe_leases WHERE holder IS NOT NULL \
                     AND holder <> $1 AND expires_at >= $2",
                )
                .bind(holder)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                if held_by_others == 0 {
                    SHARDS
                } else {
                    0
                }
            } else {
                let living = i64::try_from(others.len()).unwrap_or(i64::MAX - 1) + 1;
                (SHARDS + living - 1) / living
            };
            let fair = usize::try_from(fair).unwrap_or(0);
            if mine.len() > fair {
                let extra = mine.split_off(fair);
                let mut q = sqlx::QueryBuilder::new(
                    "UPDATE probe_leases SET holder = NULL, expires_at = 0 WHERE holder = ",
                );
                q.push_bind(holder).push(" AND shard IN (");
                let mut list = q.separated(", ");
                for s in &extra {
                    list.push_bind(*s);
                }
                q.push(")");
                q.build().execute(&mut *tx).await?;
            } else if mine.len() < fair {
                let want = i64::try_from(fair - mine.len()).unwrap_or(0);
                let free: Vec<(i64,)> = sqlx::query_as(free_sql)
                    .bind(now)
                    .bind(want)
                    .fetch_all(&mut *tx)
                    .await?;
                if !free.is_empty() {
                    let mut q = sqlx::QueryBuilder::new("UPDATE probe_leases SET holder = ");
                    q.push_bind(holder)
                        .push(", expires_at = ")
                        .push_bind(until)
                        .push(" WHERE shard IN (");
                    let mut list = q.separated(", ");
                    for (s,) in &free {
                        list.push_bind(*s);
                    }
                    q.push(")");
                    q.build().execute(&mut *tx).await?;
                    mine.extend(free.into_iter().map(|(s,)| s));
                    mine.sort_unstable();
                }
            }
            Ok(Leases {
                shards: mine,
                others,
            })
        })
    }

    /// Gives back every shard `holder` holds and leaves the living (a prober that stops).
    pub async fn release_probe_shards(&self, holder: &str) -> Result<()> {
        in_tx!(self, |tx| {
            sqlx::query("UPDATE probe_leases SET holder = NULL, expires_at = 0 WHERE holder = $1")
                .bind(holder)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM probers WHERE holder = $1")
                .bind(holder)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }
}
