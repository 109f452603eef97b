//! Pruning monitors' data past its keep (issue 11, point 5): one monitor per transaction, so
//! each step is bounded by one monitor's backlog and the store stays consistent between them.
//!
//! Raw results go up to the monitor's **last checkpoint** at or before the raw cutoff, and the
//! monitor's `raw_from` moves there: a late result after it is still replayed exactly (from that
//! checkpoint, or from a recovery after it); one at or before it is refused, as for a seeded
//! history. Outages, gaps and daily roll-ups stay forever.

use pacta_core::retention::Cutoffs;

use crate::{in_tx, Db, DbKind, Result};

/// What one monitor's pruning removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub results: u64,
    pub checkpoints: u64,
    pub rollups: u64,
}

impl std::ops::AddAssign for Pruned {
    fn add_assign(&mut self, o: Pruned) {
        self.results += o.results;
        self.checkpoints += o.checkpoints;
        self.rollups += o.rollups;
    }
}

impl Db {
    /// The monitors (`seq`) with a stored history after `after`, in order, at most `limit`.
    pub async fn monitor_seqs_with_history(&self, after: i64, limit: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = crate::with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT monitor_seq FROM monitor_tracks WHERE monitor_seq > $1 \
                 ORDER BY monitor_seq LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// Prunes monitor `seq`'s data past `cut`, in one transaction.
    pub async fn prune_monitor(&self, seq: i64, cut: &Cutoffs) -> Result<Pruned> {
        let lock_sql = match self.kind() {
            DbKind::Postgres => {
                "SELECT raw_from FROM monitor_tracks WHERE monitor_seq = $1 FOR UPDATE"
            }
            DbKind::Sqlite => "SELECT raw_from FROM monitor_tracks WHERE monitor_seq = $1",
        };
        in_tx!(self, |tx| {
            let mut pruned = Pruned::default();
            // The track is locked against an ingest of this monitor meanwhile.
            let track: Option<(Option<i64>,)> = sqlx::query_as(lock_sql)
                .bind(seq)
                .fetch_optional(&mut *tx)
                .await?;
            let mut raw_from = track.and_then(|(f,)| f);
            if track.is_some() {
                let (checkpoint,): (Option<i64>,) = sqlx::query_as(
                    "SELECT MAX(at) FROM monitor_checkpoints WHERE monitor_seq = $1 AND at <= $2",
                )
                .bind(seq)
                .bind(cut.raw)
                .fetch_one(&mut *tx)
                .await?;
                if let Some(cp) = checkpoint.filter(|&cp| raw_from.is_none_or(|f| cp > f)) {
                    sqlx::query("UPDATE monitor_tracks SET raw_from = $1 WHERE monitor_seq = $2")
                        .bind(cp)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await?;
                    raw_from = Some(cp);
                }
            }
            if let Some(floor) = raw_from {
                pruned.results =
                    sqlx::query("DELETE FROM monitor_results WHERE monitor_seq = $1 AND at <= $2")
                        .bind(seq)
                        .bind(floor)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                // The checkpoint at the floor is where a replay starts; older ones are of no use.
                pruned.checkpoints = sqlx::query(
                    "DELETE FROM monitor_checkpoints WHERE monitor_seq = $1 AND at < $2",
                )
                .bind(seq)
                .bind(floor)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            pruned.rollups = sqlx::query(
                "DELETE FROM monitor_rollups WHERE monitor_seq = $1 \
                 AND ((grain = 1 AND bucket < $2) OR (grain = 2 AND bucket < $3))",
            )
            .bind(seq)
            .bind(cut.minutes)
            .bind(cut.hours)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            Ok(pruned)
        })
    }
}
