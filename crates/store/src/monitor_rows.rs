//! Monitors' rows written in bulk, per backend: an ingest batch of 1,000 results is a thousand
//! result rows and about 500 roll-up rows, so how they reach the database is most of its cost.
//!
//! SQLite takes multi-row `INSERT … VALUES` in chunks (its limit on bound values is 32,766).
//! PostgreSQL takes each table's rows in **one** statement from a few array parameters
//! (`INSERT … SELECT … FROM UNNEST($2, $3, …)`): one parse and one round trip for the batch,
//! instead of one per chunk with 2,500 bound values each — measured in BENCHMARKS.md ("Ingest of
//! 100,000 results").

use pacta_core::monitor::Rollup;
use pacta_core::sla::history::StoredOutage;
use pacta_core::sla::intervals::Span;

use crate::results::MonitorResult;
use crate::Result;

/// Rows per multi-row INSERT on SQLite: well under its limit on bound values.
const CHUNK: usize = 500;

/// The roll-ups' upsert: a roll-up of results stored now adds to the stored one of its bucket.
const ROLLUP_CONFLICT: &str = " ON CONFLICT (monitor_seq, grain, bucket) DO UPDATE SET \
     checks = monitor_rollups.checks + excluded.checks, \
     ok = monitor_rollups.ok + excluded.ok, \
     latency_count = monitor_rollups.latency_count + excluded.latency_count, \
     latency_sum = monitor_rollups.latency_sum + excluded.latency_sum, \
     latency_max = CASE WHEN monitor_rollups.latency_max IS NULL \
       OR excluded.latency_max > monitor_rollups.latency_max \
       THEN COALESCE(excluded.latency_max, monitor_rollups.latency_max) \
       ELSE monitor_rollups.latency_max END";

/// Bulk writes of one monitor's rows (`seq`) on a connection inside the caller's transaction.
pub(crate) trait MonitorRows {
    /// Inserts results, none of them stored yet.
    async fn insert_results(&mut self, seq: i64, rows: &[MonitorResult]) -> Result<()>;
    /// Adds roll-ups to the stored ones (distinct buckets, as `monitor::rollups` makes them).
    async fn add_rollups(&mut self, seq: i64, rollups: &[Rollup]) -> Result<()>;
    /// Inserts outages, none of them stored yet.
    async fn insert_outages(&mut self, seq: i64, outages: &[StoredOutage]) -> Result<()>;
    /// Inserts uncovered spans, none of them stored yet.
    async fn insert_gaps(&mut self, seq: i64, gaps: &[Span]) -> Result<()>;
}

impl MonitorRows for sqlx::SqliteConnection {
    async fn insert_results(&mut self, seq: i64, rows: &[MonitorResult]) -> Result<()> {
        for chunk in rows.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO monitor_results (monitor_seq, at, ok, latency_ms, detail) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(seq)
                    .push_bind(r.at)
                    .push_bind(r.ok)
                    .push_bind(r.latency_ms)
                    .push_bind(r.detail.as_deref());
            });
            q.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn add_rollups(&mut self, seq: i64, rollups: &[Rollup]) -> Result<()> {
        for chunk in rollups.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO monitor_rollups (monitor_seq, grain, bucket, checks, ok, \
                 latency_count, latency_sum, latency_max) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(seq)
                    .push_bind(r.grain as i16)
                    .push_bind(r.bucket)
                    .push_bind(r.checks)
                    .push_bind(r.ok)
                    .push_bind(r.latency_count)
                    .push_bind(r.latency_sum)
                    .push_bind(r.latency_max);
            });
            q.push(ROLLUP_CONFLICT);
            q.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn insert_outages(&mut self, seq: i64, outages: &[StoredOutage]) -> Result<()> {
        for chunk in outages.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO monitor_outages (monitor_seq, start_at, down_at, end_at, recovered_at) ",
            );
            q.push_values(chunk, |mut b, o| {
                b.push_bind(seq)
                    .push_bind(o.start)
                    .push_bind(o.down_at)
                    .push_bind(o.end)
                    .push_bind(o.recovered_at);
            });
            q.build().execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn insert_gaps(&mut self, seq: i64, gaps: &[Span]) -> Result<()> {
        for chunk in gaps.chunks(CHUNK) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO monitor_gaps (monitor_seq, start_at, end_at) ",
            );
            q.push_values(chunk, |mut b, &(s, e)| {
                b.push_bind(seq).push_bind(s).push_bind(e);
            });
            q.build().execute(&mut *self).await?;
        }
        Ok(())
    }
}

impl MonitorRows for sqlx::PgConnection {
    async fn insert_results(&mut self, seq: i64, rows: &[MonitorResult]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO monitor_results (monitor_seq, at, ok, latency_ms, detail) \
             SELECT $1, * FROM UNNEST($2::BIGINT[], $3::BOOLEAN[], $4::INTEGER[], $5::TEXT[])",
        )
        .bind(seq)
        .bind(rows.iter().map(|r| r.at).collect::<Vec<i64>>())
        .bind(rows.iter().map(|r| r.ok).collect::<Vec<bool>>())
        .bind(
            rows.iter()
                .map(|r| r.latency_ms)
                .collect::<Vec<Option<i32>>>(),
        )
        .bind(
            rows.iter()
                .map(|r| r.detail.as_deref())
                .collect::<Vec<Option<&str>>>(),
        )
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn add_rollups(&mut self, seq: i64, rollups: &[Rollup]) -> Result<()> {
        if rollups.is_empty() {
            return Ok(());
        }
        let column = |f: fn(&Rollup) -> i64| rollups.iter().map(f).collect::<Vec<i64>>();
        sqlx::query(&format!(
            "INSERT INTO monitor_rollups (monitor_seq, grain, bucket, checks, ok, \
             latency_count, latency_sum, latency_max) \
             SELECT $1, * FROM UNNEST($2::SMALLINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], \
             $6::BIGINT[], $7::BIGINT[], $8::BIGINT[]){ROLLUP_CONFLICT}"
        ))
        .bind(seq)
        .bind(rollups.iter().map(|r| r.grain as i16).collect::<Vec<i16>>())
        .bind(column(|r| r.bucket))
        .bind(column(|r| r.checks))
        .bind(column(|r| r.ok))
        .bind(column(|r| r.latency_count))
        .bind(column(|r| r.latency_sum))
        .bind(
            rollups
                .iter()
                .map(|r| r.latency_max)
                .collect::<Vec<Option<i64>>>(),
        )
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn insert_outages(&mut self, seq: i64, outages: &[StoredOutage]) -> Result<()> {
        if outages.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO monitor_outages (monitor_seq, start_at, down_at, end_at, recovered_at) \
             SELECT $1, * FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[])",
        )
        .bind(seq)
        .bind(outages.iter().map(|o| o.start).collect::<Vec<i64>>())
        .bind(outages.iter().map(|o| o.down_at).collect::<Vec<i64>>())
        .bind(outages.iter().map(|o| o.end).collect::<Vec<Option<i64>>>())
        .bind(
            outages
                .iter()
                .map(|o| o.recovered_at)
                .collect::<Vec<Option<i64>>>(),
        )
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn insert_gaps(&mut self, seq: i64, gaps: &[Span]) -> Result<()> {
        if gaps.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO monitor_gaps (monitor_seq, start_at, end_at) \
             SELECT $1, * FROM UNNEST($2::BIGINT[], $3::BIGINT[])",
        )
        .bind(seq)
        .bind(gaps.iter().map(|g| g.0).collect::<Vec<i64>>())
        .bind(gaps.iter().map(|g| g.1).collect::<Vec<i64>>())
        .execute(&mut *self)
        .await?;
        Ok(())
    }
}
