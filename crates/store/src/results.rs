//! Monitors' results and the outage history kept from them (issue 10, "Results ingest").
//!
//! An ingest batch is one transaction: the results are stored, and the monitor's outage history
//! — closed outages, uncovered gaps and the rule's state — is brought up to date through
//! `pacta_core::sla::history`, the very rule of `pacta sla eval`'s `outages` op. Results in time
//! order after the last stored one only feed the stored state on; a late one is replayed from the
//! last recovery before it. A result whose monitor and instant are stored already is an
//! idempotent retry when identical, and [`StoreError::Rejected`] (nothing written) otherwise.

use std::collections::{BTreeMap, BTreeSet};

use pacta_core::sla::history::{self, StoredOutage, ORIGIN};
use pacta_core::sla::intervals::Span;
use pacta_core::sla::outages::{OutageRule, OutageTracker, Outages, TrackerState};

use crate::monitor_rows::MonitorRows;
use crate::outbox::NewMail;
use crate::{in_tx, with_pool, Db, DbKind, Result, Stamp, StoreError};

/// One result as stored: the ingest's [`CheckResult`](pacta_core::monitor::CheckResult).
pub use pacta_core::monitor::CheckResult as MonitorResult;

/// A change of a monitor's state that an ingest made known: an outage that began, or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutageEvent {
    /// Down since `start` (the first failure of the run).
    Started { start: i64 },
    /// Down over `[start, end)`.
    Ended { start: i64, end: i64 },
}

/// What one ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Results stored.
    pub stored: usize,
    /// Identical retries of stored results (accepted, not doubled).
    pub duplicates: usize,
    /// Of the stored ones, those before the monitor's last result (placed by replay).
    pub late: usize,
    /// Outages that began or ended with this batch, as they now stand.
    pub events: Vec<OutageEvent>,
}

/// A monitor's history as read for a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorHistory {
    pub outages: Vec<StoredOutage>,
    pub gaps: Vec<Span>,
    pub covered_until: i64,
}

impl MonitorHistory {
    /// The rule's answer over `[from, to)`.
    pub fn window(&self, from: jiff::Timestamp, to: jiff::Timestamp) -> Outages {
        history::window(&self.outages, &self.gaps, self.covered_until, from, to)
    }
}

type OutageRow = (i64, i64, Option<i64>, Option<i64>);

fn stored_outage((start, down_at, end, recovered_at): OutageRow) -> StoredOutage {
    StoredOutage {
        start,
        down_at,
        end,
        recovered_at,
    }
}

/// An instant for a message: RFC 3339 in Europe/Brussels, as the API answers them.
fn local(at: i64) -> String {
    pacta_core::sla::instant::format_instant(
        pacta_core::sla::ts(at),
        pacta_core::subscription::zone(),
    )
}

/// How many seconds of results at most lie between two checkpoints of a monitor: what a late
/// result replays at most, beside the results of its own batch.
pub const CHECKPOINT_EVERY: i64 = 3600;

/// Sorts and checks a batch: two different results at one instant are refused; identical ones
/// are one.
fn sorted_batch(batch: &[MonitorResult]) -> Result<Vec<MonitorResult>> {
    let mut sorted: Vec<MonitorResult> = batch.to_vec();
    sorted.sort_by_key(|r| r.at);
    let mut out: Vec<MonitorResult> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match out.last() {
            Some(last) if last.at == r.at => {
                if *last != r {
                    return Err(StoreError::Rejected(format!(
                        "two different results at {} in one batch",
                        local(r.at)
                    )));
                }
            }
            _ => out.push(r),
        }
    }
    Ok(out)
}

/// One monitor's part of an ingest.
#[derive(Debug, Clone, Copy)]
pub struct IngestItem<'a> {
    /// The monitor's `seq`.
    pub seq: i64,
    pub rule: OutageRule,
    /// Its results, in any order.
    pub batch: &'a [MonitorResult],
    /// The monitor's id, as the audit trail names it.
    pub code: &'a str,
}

/// How an ingest is written in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuditAs {
    /// A row per monitor (the API's ingest: someone sent these results).
    EachMonitor,
    /// One row for the whole write (the probes: many monitors a second).
    OneRow,
}

impl Db {
    /// Stores `batch` for the monitor `seq` under `rule` and brings its outage history up to
    /// date, with the mails `mails` writes for the outages that began or ended (queued in the
    /// same transaction). All or nothing.
    pub async fn ingest_results(
        &self,
        seq: i64,
        rule: OutageRule,
        batch: &[MonitorResult],
        stamp: Stamp<'_>,
        audit_code: &str,
        mails: impl Fn(&[OutageEvent]) -> Vec<NewMail>,
    ) -> Result<IngestReport> {
        let item = IngestItem {
            seq,
            rule,
            batch,
            code: audit_code,
        };
        let mut reports = self
            .ingest_items(&[item], stamp, AuditAs::EachMonitor, |_, events| {
                mails(events)
            })
            .await?;
        Ok(reports.pop().unwrap_or_default())
    }

    /// Stores the results of several monitors in one transaction, each exactly as
    /// [`Db::ingest_results`] would, with one audit row for the whole: what the probes write
    /// every second. `mails(i, events)` writes the mails of `items[i]`'s outage events. The
    /// reports come in the order of `items`. All or nothing: one monitor's refusal
    /// ([`StoreError::Rejected`]) writes none.
    pub async fn ingest_results_of_many(
        &self,
        items: &[IngestItem<'_>],
        stamp: Stamp<'_>,
        mails: impl Fn(usize, &[OutageEvent]) -> Vec<NewMail>,
    ) -> Result<Vec<IngestReport>> {
        self.ingest_items(items, stamp, AuditAs::OneRow, mails)
            .await
    }

    async fn ingest_items(
        &self,
        items: &[IngestItem<'_>],
        stamp: Stamp<'_>,
        audit_as: AuditAs,
        mails: impl Fn(usize, &[OutageEvent]) -> Vec<NewMail>,
    ) -> Result<Vec<IngestReport>> {
        // Tracks are locked in `seq` order, so two writers of overlapping monitors never
        // wait on each other in a circle.
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by_key(|&k| items[k].seq);
        let batches: Vec<Vec<MonitorResult>> = items
            .iter()
            .map(|item| sorted_batch(item.batch))
            .collect::<Result<_>>()?;
        let lock_sql = match self.kind() {
            DbKind::Postgres => {
                "SELECT state, raw_from FROM monitor_tracks WHERE monitor_seq = $1 FOR UPDATE"
            }
            DbKind::Sqlite => "SELECT state, raw_from FROM monitor_tracks WHERE monitor_seq = $1",
        };
        in_tx!(self, |tx| {
            let mut reports: Vec<IngestReport> = vec![IngestReport::default(); items.len()];
            let mut span: Option<(i64, i64)> = None;
            for &k in &order {
                let IngestItem {
                    seq, rule, code, ..
                } = items[k];
                let batch = &batches[k];
                let mut report = IngestReport::default();
                if batch.is_empty() {
                    reports[k] = report;
                    continue;
                }
                // The monitor's track, locked on PostgreSQL; made on its first batch.
                let track: Option<(String, Option<i64>)> = sqlx::query_as(lock_sql)
                    .bind(seq)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (state_doc, raw_from) = match track {
                    Some(track) => track,
                    None => {
                        sqlx::query(
                            "INSERT INTO monitor_tracks (monitor_seq, state, last_at, covered_until, \
                             results) VALUES ($1, $2, NULL, $3, 0) ON CONFLICT (monitor_seq) DO NOTHING",
                        )
                        .bind(seq)
                        .bind(
                            serde_json::to_string(
                                &OutageTracker::new(rule, pacta_core::sla::ts(ORIGIN)).state(),
                            )
                            .unwrap_or_default(),
                        )
                        .bind(ORIGIN)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query_as(lock_sql)
                            .bind(seq)
                            .fetch_one(&mut *tx)
                            .await?
                    }
                };
                let state: TrackerState =
                    serde_json::from_str(&state_doc).map_err(|source| StoreError::Corrupt {
                        kind: "monitor track",
                        code: seq.to_string(),
                        source,
                    })?;

                // Which of the batch are stored already: identical → a retry; different → refused.
                let mut fresh: Vec<MonitorResult> = Vec::with_capacity(batch.len());
                let last = state.last_at;
                let older: Vec<&MonitorResult> = match last {
                    Some(l) => batch.iter().filter(|r| r.at <= l).collect(),
                    None => Vec::new(),
                };
                let mut stored: BTreeMap<i64, MonitorResult> = BTreeMap::new();
                if let (Some(first), Some(lastold)) = (older.first(), older.last()) {
                    let rows: Vec<(i64, bool, Option<i32>, Option<String>)> = sqlx::query_as(
                        "SELECT at, ok, latency_ms, detail FROM monitor_results \
                         WHERE monitor_seq = $1 AND at >= $2 AND at <= $3",
                    )
                    .bind(seq)
                    .bind(first.at)
                    .bind(lastold.at)
                    .fetch_all(&mut *tx)
                    .await?;
                    stored = rows
                        .into_iter()
                        .map(|(at, ok, latency_ms, detail)| {
                            (
                                at,
                                MonitorResult {
                                    at,
                                    ok,
                                    latency_ms,
                                    detail,
                                },
                            )
                        })
                        .collect();
                }
                for r in batch {
                    match stored.get(&r.at) {
                        Some(s) if s == r => report.duplicates += 1,
                        Some(_) => {
                            return Err(StoreError::Rejected(format!(
                                "a different result of this monitor at {} is stored already",
                                local(r.at)
                            )))
                        }
                        None => fresh.push(r.clone()),
                    }
                }
                if fresh.is_empty() {
                    reports[k] = report;
                    continue;
                }
                report.stored = fresh.len();
                report.late = fresh
                    .iter()
                    .filter(|r| last.is_some_and(|l| r.at < l))
                    .count();
                tx.insert_results(seq, &fresh).await?;
                tx.add_rollups(seq, &pacta_core::monitor::rollups(&fresh))
                    .await?;

                // The history: fed on from the stored state, or replayed from the latest point
                // before the earliest late result whose state is known — a checkpoint, or the
                // result that ended an outage — over the raw results after it.
                let earliest = fresh[0].at;
                let in_order = last.is_none_or(|l| earliest > l);
                let (mut tracker, removed_from, feed): (
                    OutageTracker,
                    Option<i64>,
                    Vec<(i64, bool)>,
                ) = if in_order {
                    (
                        OutageTracker::resume(rule, ORIGIN, state),
                        None,
                        fresh.iter().map(|r| (r.at, r.ok)).collect(),
                    )
                } else {
                    if let Some(floor) = raw_from.filter(|&f| earliest <= f) {
                        return Err(StoreError::Rejected(format!(
                            "a result at {} is not after {}, before which this monitor's raw \
                                 results are not kept: it cannot be placed",
                            local(earliest),
                            local(floor)
                        )));
                    }
                    let (recovery,): (Option<i64>,) = sqlx::query_as(
                        "SELECT MAX(recovered_at) FROM monitor_outages \
                             WHERE monitor_seq = $1 AND recovered_at < $2",
                    )
                    .bind(seq)
                    .bind(earliest)
                    .fetch_one(&mut *tx)
                    .await?;
                    let checkpoint: Option<(i64, String)> = sqlx::query_as(
                        "SELECT at, state FROM monitor_checkpoints \
                             WHERE monitor_seq = $1 AND at < $2 ORDER BY at DESC LIMIT 1",
                    )
                    .bind(seq)
                    .bind(earliest)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let (tracker, after) = match (checkpoint, recovery) {
                        (Some((at, doc)), r) if r.is_none_or(|r| r < at) => {
                            let state: TrackerState =
                                serde_json::from_str(&doc).map_err(|source| {
                                    StoreError::Corrupt {
                                        kind: "monitor checkpoint",
                                        code: seq.to_string(),
                                        source,
                                    }
                                })?;
                            (OutageTracker::resume(rule, ORIGIN, state), at)
                        }
                        (_, r) => (history::replay_tracker(rule, r), r.unwrap_or(ORIGIN - 1)),
                    };
                    // Checkpoints after the restart are replayed over.
                    sqlx::query(
                        "DELETE FROM monitor_checkpoints WHERE monitor_seq = $1 AND at > $2",
                    )
                    .bind(seq)
                    .bind(after)
                    .execute(&mut *tx)
                    .await?;
                    // Everything stored after `after` is replayed, the new results included.
                    let rows: Vec<(i64, bool)> = sqlx::query_as(
                        "SELECT at, ok FROM monitor_results WHERE monitor_seq = $1 AND at > $2 \
                             ORDER BY at",
                    )
                    .bind(seq)
                    .bind(after)
                    .fetch_all(&mut *tx)
                    .await?;
                    (tracker, Some(after), rows)
                };
                // What stands before, to tell which outages this batch began or ended.
                let before: Vec<(i64, Option<i64>)> = sqlx::query_as(
                    "DELETE FROM monitor_outages WHERE monitor_seq = $1 \
                     AND (recovered_at IS NULL OR recovered_at > $2) RETURNING start_at, end_at",
                )
                .bind(seq)
                .bind(removed_from.unwrap_or(i64::MAX))
                .fetch_all(&mut *tx)
                .await?;
                let before: BTreeSet<(i64, Option<i64>)> = before.into_iter().collect();
                if let Some(after) = removed_from {
                    sqlx::query("DELETE FROM monitor_gaps WHERE monitor_seq = $1 AND end_at > $2")
                        .bind(seq)
                        .bind(after)
                        .execute(&mut *tx)
                        .await?;
                }
                for (at, ok) in feed {
                    tracker
                        .push_secs(at, ok)
                        .map_err(|e| StoreError::Rejected(e.to_string()))?;
                }
                let (closed, gaps) = tracker.take_closed();
                let new_state = tracker.state();
                let mut outages: Vec<StoredOutage> =
                    closed.into_iter().map(StoredOutage::from).collect();
                outages.extend(history::open_outage(&new_state));
                for o in &outages {
                    if !before.contains(&(o.start, o.end)) {
                        report.events.push(match o.end {
                            Some(end) => OutageEvent::Ended {
                                start: o.start,
                                end,
                            },
                            None => OutageEvent::Started { start: o.start },
                        });
                    }
                }
                tx.insert_outages(seq, &outages).await?;
                tx.insert_gaps(seq, &gaps).await?;
                // A checkpoint when the last one is an hour of results old (none is after
                // `last_at`: a replay deletes those after where it starts).
                if let Some(last_at) = new_state.last_at {
                    sqlx::query(
                        "INSERT INTO monitor_checkpoints (monitor_seq, at, state) \
                         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM monitor_checkpoints \
                         WHERE monitor_seq = $1 AND at > $4) \
                         ON CONFLICT (monitor_seq, at) DO NOTHING",
                    )
                    .bind(seq)
                    .bind(last_at)
                    .bind(serde_json::to_string(&new_state).unwrap_or_default())
                    .bind(last_at - CHECKPOINT_EVERY)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "UPDATE monitor_tracks SET state = $1, last_at = $2, covered_until = $3, \
                     results = results + $4 WHERE monitor_seq = $5",
                )
                .bind(serde_json::to_string(&new_state).unwrap_or_default())
                .bind(new_state.last_at)
                .bind(new_state.covered_until)
                .bind(report.stored as i64)
                .bind(seq)
                .execute(&mut *tx)
                .await?;

                if audit_as == AuditAs::EachMonitor {
                    audit_write!(
                        tx,
                        stamp,
                        "ingest",
                        "monitor",
                        code,
                        None::<String>,
                        None::<String>,
                        Some(
                            serde_json::json!({
                                "stored": report.stored,
                                "duplicates": report.duplicates,
                                "late": report.late,
                                "from": pacta_core::sla::ts(fresh[0].at).to_string(),
                                "to": pacta_core::sla::ts(fresh[fresh.len() - 1].at).to_string(),
                            })
                            .to_string()
                        )
                    );
                }
                let (from, to) = (fresh[0].at, fresh[fresh.len() - 1].at);
                span = Some(span.map_or((from, to), |(f, t)| (f.min(from), t.max(to))));
                for mail in mails(k, &report.events) {
                    queue_mail!(tx, stamp, &mail);
                }
                reports[k] = report;
            }
            if let (AuditAs::OneRow, Some((from, to))) = (audit_as, span) {
                let sum = |f: fn(&IngestReport) -> usize| reports.iter().map(f).sum::<usize>();
                audit_write!(
                    tx,
                    stamp,
                    "ingest",
                    "monitors",
                    "probes",
                    None::<String>,
                    None::<String>,
                    Some(
                        serde_json::json!({
                            "monitors": reports.iter().filter(|r| r.stored > 0).count(),
                            "stored": sum(|r| r.stored),
                            "duplicates": sum(|r| r.duplicates),
                            "late": sum(|r| r.late),
                            "from": pacta_core::sla::ts(from).to_string(),
                            "to": pacta_core::sla::ts(to).to_string(),
                        })
                        .to_string()
                    )
                );
            }
            Ok(reports)
        })
    }

    /// The stored history of monitor `seq` that may meet `[from, to)` (unix seconds).
    pub async fn monitor_history(&self, seq: i64, from: i64, to: i64) -> Result<MonitorHistory> {
        with_pool!(self, |pool| {
            let outages: Vec<OutageRow> = sqlx::query_as(
                "SELECT start_at, down_at, end_at, recovered_at FROM monitor_outages \
                 WHERE monitor_seq = $1 AND start_at < $2 \
                 AND (recovered_at IS NULL OR recovered_at >= $3 OR end_at > $3)",
            )
            .bind(seq)
            .bind(to)
            .bind(from)
            .fetch_all(pool)
            .await?;
            let gaps: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT start_at, end_at FROM monitor_gaps \
                 WHERE monitor_seq = $1 AND end_at > $2 AND start_at < $3 ORDER BY start_at",
            )
            .bind(seq)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            let covered: Option<(i64,)> =
                sqlx::query_as("SELECT covered_until FROM monitor_tracks WHERE monitor_seq = $1")
                    .bind(seq)
                    .fetch_optional(pool)
                    .await?;
            Ok(MonitorHistory {
                outages: outages.into_iter().map(stored_outage).collect(),
                gaps,
                covered_until: covered.map_or(ORIGIN, |(c,)| c),
            })
        })
    }

    /// The roll-ups of monitor `seq` of `grain` whose bucket starts in `[from, to)`, in order.
    pub async fn monitor_rollups(
        &self,
        seq: i64,
        grain: pacta_core::monitor::Grain,
        from: i64,
        to: i64,
    ) -> Result<Vec<pacta_core::monitor::Rollup>> {
        type Row = (i64, i64, i64, i64, i64, Option<i64>);
        let rows: Vec<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT bucket, checks, ok, latency_count, latency_sum, latency_max \
                 FROM monitor_rollups WHERE monitor_seq = $1 AND grain = $2 \
                 AND bucket >= $3 AND bucket < $4 ORDER BY bucket",
            )
            .bind(seq)
            .bind(grain as i16)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(bucket, checks, ok, latency_count, latency_sum, latency_max)| {
                    pacta_core::monitor::Rollup {
                        grain,
                        bucket,
                        checks,
                        ok,
                        latency_count,
                        latency_sum,
                        latency_max,
                    }
                },
            )
            .collect())
    }

    /// The results of monitor `seq` in `[from, to)`, in time order, at most `limit`.
    pub async fn monitor_results(
        &self,
        seq: i64,
        from: i64,
        to: i64,
        limit: i64,
    ) -> Result<Vec<MonitorResult>> {
        let rows: Vec<(i64, bool, Option<i32>, Option<String>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT at, ok, latency_ms, detail FROM monitor_results \
                 WHERE monitor_seq = $1 AND at >= $2 AND at < $3 ORDER BY at LIMIT $4",
            )
            .bind(seq)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(at, ok, latency_ms, detail)| MonitorResult {
                at,
                ok,
                latency_ms,
                detail,
            })
            .collect())
    }
}

impl Db {
    /// Writes the history of monitor `seq` directly, as [`ingest_results`](Db::ingest_results)
    /// would have left it after feeding `results` results through one tracker from
    /// [`ORIGIN`](history::ORIGIN): its `outages` (the closed ones, and the open one of `state`
    /// if down), the uncovered `gaps` and the rule's `state` — but without the raw results
    /// themselves (the demo's older history: its roll-ups, once they exist, stand for them).
    /// Results ingested afterwards, after `state`'s last one, feed that state on. One
    /// transaction; a monitor that has a history already is [`StoreError::Rejected`].
    pub async fn seed_monitor_history(
        &self,
        seq: i64,
        outages: &[StoredOutage],
        gaps: &[Span],
        state: &TrackerState,
        results: u64,
    ) -> Result<()> {
        if (results == 0) != state.last_at.is_none() {
            return Err(StoreError::Rejected(
                "a seeded history has a last result exactly when it has results".into(),
            ));
        }
        if results == 0 {
            return Ok(()); // what an empty batch leaves: nothing
        }
        let results =
            i64::try_from(results).map_err(|_| StoreError::Rejected("too many results".into()))?;
        let state_doc = serde_json::to_string(state).unwrap_or_default();
        in_tx!(self, |tx| {
            let (exists,): (bool,) = sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM monitor_tracks WHERE monitor_seq = $1) \
                 OR EXISTS (SELECT 1 FROM monitor_results WHERE monitor_seq = $1) \
                 OR EXISTS (SELECT 1 FROM monitor_outages WHERE monitor_seq = $1) \
                 OR EXISTS (SELECT 1 FROM monitor_gaps WHERE monitor_seq = $1)",
            )
            .bind(seq)
            .fetch_one(&mut *tx)
            .await?;
            if exists {
                return Err(StoreError::Rejected(format!(
                    "monitor {seq} has a history already: only a monitor without one is seeded"
                )));
            }
            tx.insert_outages(seq, outages).await?;
            tx.insert_gaps(seq, gaps).await?;
            // No raw result stands for the seeded span: a late result in it cannot be placed,
            // and one after it replays from the checkpoint at its end.
            sqlx::query(
                "INSERT INTO monitor_tracks (monitor_seq, state, last_at, covered_until, results, \
                 raw_from) VALUES ($1, $2, $3, $4, $5, $3)",
            )
            .bind(seq)
            .bind(&state_doc)
            .bind(state.last_at)
            .bind(state.covered_until)
            .bind(results)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO monitor_checkpoints (monitor_seq, at, state) VALUES ($1, $2, $3)",
            )
            .bind(seq)
            .bind(state.last_at)
            .bind(&state_doc)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }
}

impl Db {
    /// Writes `rollups` of monitor `seq` directly (the demo's older history, with
    /// [`seed_monitor_history`](Db::seed_monitor_history)): for a monitor without a roll-up yet
    /// ([`StoreError::Rejected`] otherwise); one transaction. Results ingested afterwards add to
    /// these roll-ups as to their own.
    pub async fn seed_monitor_rollups(
        &self,
        seq: i64,
        rollups: &[pacta_core::monitor::Rollup],
    ) -> Result<()> {
        in_tx!(self, |tx| {
            let (exists,): (bool,) = sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM monitor_rollups WHERE monitor_seq = $1)",
            )
            .bind(seq)
            .fetch_one(&mut *tx)
            .await?;
            if exists {
                return Err(StoreError::Rejected(format!(
                    "monitor {seq} has roll-ups already: only a monitor without any is seeded"
                )));
            }
            tx.add_rollups(seq, rollups).await?;
            Ok(())
        })
    }
}

impl Db {
    /// The stored histories of the monitors `seqs` that may meet `[from, to)`, as
    /// [`monitor_history`](Db::monitor_history) answers each — in three statements for them all
    /// (the dashboard reads a partner's every service at once).
    pub async fn monitor_histories(
        &self,
        seqs: &[i64],
        from: i64,
        to: i64,
    ) -> Result<std::collections::HashMap<i64, MonitorHistory>> {
        let mut out: std::collections::HashMap<i64, MonitorHistory> = seqs
            .iter()
            .map(|&s| {
                (
                    s,
                    MonitorHistory {
                        outages: Vec::new(),
                        gaps: Vec::new(),
                        covered_until: ORIGIN,
                    },
                )
            })
            .collect();
        if seqs.is_empty() {
            return Ok(out);
        }
        // The monitors' placeholders, numbered from `first`.
        let placeholders = |first: usize| {
            (first..seqs.len() + first)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // $1 and $2 are the window; the monitors follow.
        let list = placeholders(3);
        let outages_sql = format!(
            "SELECT monitor_seq, start_at, down_at, end_at, recovered_at FROM monitor_outages \
             WHERE monitor_seq IN ({list}) AND start_at < $1 \
             AND (recovered_at IS NULL OR recovered_at >= $2 OR end_at > $2) \
             ORDER BY monitor_seq, start_at"
        );
        let gaps_sql = format!(
            "SELECT monitor_seq, start_at, end_at FROM monitor_gaps \
             WHERE monitor_seq IN ({list}) AND end_at > $2 AND start_at < $1 \
             ORDER BY monitor_seq, start_at"
        );
        let tracks_sql = format!(
            "SELECT monitor_seq, covered_until FROM monitor_tracks WHERE monitor_seq IN ({})",
            placeholders(1)
        );
        type Row = (i64, i64, i64, Option<i64>, Option<i64>);
        type Rows = (Vec<Row>, Vec<(i64, i64, i64)>, Vec<(i64, i64)>);
        let (outages, gaps, tracks): Rows = with_pool!(self, |pool| {
            let mut q = sqlx::query_as(&outages_sql).bind(to).bind(from);
            for s in seqs {
                q = q.bind(*s);
            }
            let outages = q.fetch_all(pool).await?;
            let mut q = sqlx::query_as(&gaps_sql).bind(to).bind(from);
            for s in seqs {
                q = q.bind(*s);
            }
            let gaps = q.fetch_all(pool).await?;
            let mut q = sqlx::query_as(&tracks_sql);
            for s in seqs {
                q = q.bind(*s);
            }
            let tracks = q.fetch_all(pool).await?;
            (outages, gaps, tracks)
        });
        for (seq, start, down_at, end, recovered_at) in outages {
            if let Some(h) = out.get_mut(&seq) {
                h.outages
                    .push(stored_outage((start, down_at, end, recovered_at)));
            }
        }
        for (seq, start, end) in gaps {
            if let Some(h) = out.get_mut(&seq) {
                h.gaps.push((start, end));
            }
        }
        for (seq, covered) in tracks {
            if let Some(h) = out.get_mut(&seq) {
                h.covered_until = covered;
            }
        }
        Ok(out)
    }
}
