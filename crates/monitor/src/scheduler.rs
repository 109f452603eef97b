//! The scheduler (issue 11, point 2): every monitor checked at its interval, at a phase of its
//! own that does not move (derived from its id, so a restart or another process keeps it),
//! with at most `concurrency` checks at once; results written in batches by a writer of their
//! own.
//!
//! A check never waits for the database: it takes its instant from the clock when it starts,
//! hands its result to a bounded buffer without waiting, and goes back to sleep. When the
//! writer cannot keep up (a stalled database), the buffer fills and further results are
//! dropped and counted — which leaves a gap in the monitor's results, so that span becomes
//! unmonitored time under the availability rules, never an outage. A write that fails for a
//! while is retried with the same results (an identical retry is not doubled by the ingest); a
//! write refused for its content is dropped.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use pacta_core::clock::Clock;
use pacta_core::monitor::CheckResult;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use tokio::sync::{mpsc, watch, Semaphore};

use crate::verdict::Verdict;

/// A boxed future, as the traits below return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What runs a check: the [`Prober`](crate::Prober), or a stand-in in tests.
pub trait Checker: Send + Sync + 'static {
    type Check: Send + Sync + 'static;
    fn check<'a>(&'a self, check: &'a Self::Check) -> BoxFuture<'a, Verdict>;
}

impl Checker for crate::Prober {
    type Check = crate::Prepared;
    fn check<'a>(&'a self, check: &'a crate::Prepared) -> BoxFuture<'a, Verdict> {
        Box::pin(crate::Prober::check(self, check))
    }
}

/// Why a batch was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkError {
    /// The store is unavailable or slow: the same batch is tried again.
    Unavailable(String),
    /// The store refuses these results (they conflict with stored ones, or fall where raw
    /// results are no longer kept): they are dropped.
    Refused(String),
}

/// One monitor's results as the writer hands them over: its id, and its results in time order.
pub type MonitorResults = (Arc<str>, Vec<CheckResult>);

/// Where results go: the ingest of the availability issue.
pub trait ResultSink: Send + Sync + 'static {
    /// Writes the results of several monitors — one transaction is what makes thousands of
    /// monitors cheap — and answers one outcome per entry, in their order.
    fn write<'a>(
        &'a self,
        batch: &'a [MonitorResults],
    ) -> BoxFuture<'a, Vec<Result<(), SinkError>>>;
}

/// One monitor as the scheduler runs it.
pub struct Scheduled<C> {
    /// The monitor's id: its phase and its results' key.
    pub id: String,
    pub interval: Duration,
    /// Changes when its settings change: the monitor's task is then started afresh.
    pub revision: u64,
    pub check: Arc<C>,
}

impl<C> Clone for Scheduled<C> {
    fn clone(&self) -> Self {
        Scheduled {
            id: self.id.clone(),
            interval: self.interval,
            revision: self.revision,
            check: self.check.clone(),
        }
    }
}

/// How the scheduler runs.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Checks running at once, at most.
    pub concurrency: usize,
    /// How often the writer writes what it holds.
    pub flush_every: Duration,
    /// Results held (waiting for the writer, or for the store), at most.
    pub max_buffered: usize,
    /// A write that takes longer counts as failed (and is tried again).
    pub write_timeout: Duration,
    /// Monitors written in one call of the sink, at most: bounds a transaction.
    pub monitors_per_write: usize,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            concurrency: 512,
            flush_every: Duration::from_secs(1),
            max_buffered: 200_000,
            write_timeout: Duration::from_secs(30),
            monitors_per_write: 1_000,
        }
    }
}

/// What the scheduler has done, for the operator (`/healthz`, `/metrics`): Prometheus metrics,
/// registered by whoever exposes them.
#[derive(Debug, Clone)]
pub struct Stats {
    pub checks: Counter,
    pub written: Counter,
    /// Results dropped: the buffer was full, or the store refused them.
    pub dropped: Counter,
    /// Results waiting to be written.
    pub buffered: Gauge,
    /// Slots skipped because a monitor's previous check was still running.
    pub skipped: Counter,
    /// How long after its slot each check started (seconds).
    pub lateness: Histogram,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            checks: Counter::default(),
            written: Counter::default(),
            dropped: Counter::default(),
            buffered: Gauge::default(),
            skipped: Counter::default(),
            lateness: Histogram::new([
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
        }
    }
}

/// The phase of a monitor within its interval, in whole seconds (so a result's instant, in
/// seconds, is its slot's): the same for the same id in every process and at every start
/// (FNV-1a of the id), so that checks of many monitors spread evenly and a monitor taken over
/// by another prober keeps its slots.
pub fn phase(id: &str, interval: Duration) -> Duration {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    Duration::from_secs(hash % interval.as_secs().max(1))
}

/// The first instant (unix ms) at or after `now_ms` whose offset from the epoch is the
/// monitor's phase modulo its interval.
fn first_slot(now_ms: i64, phase: Duration, interval: Duration) -> i64 {
    let every = i64::try_from(interval.as_millis())
        .unwrap_or(i64::MAX)
        .max(1);
    let phase = i64::try_from(phase.as_millis()).unwrap_or(0) % every;
    let into = (now_ms - phase).rem_euclid(every);
    if into == 0 {
        now_ms
    } else {
        now_ms + (every - into)
    }
}

/// The scheduler of one process.
pub struct Scheduler<K: Checker> {
    pub checker: Arc<K>,
    pub sink: Arc<dyn ResultSink>,
    pub clock: Clock,
    pub config: SchedulerConfig,
    pub stats: Arc<Stats>,
}

type Taken = (Arc<str>, CheckResult);

impl<K: Checker> Scheduler<K> {
    pub fn new(checker: Arc<K>, sink: Arc<dyn ResultSink>, clock: Clock) -> Scheduler<K> {
        Scheduler {
            checker,
            sink,
            clock,
            config: SchedulerConfig::default(),
            stats: Arc::default(),
        }
    }

    /// Runs the monitors `monitors` holds (and, as it changes, the new set) until `shutdown`;
    /// then writes what it holds, once.
    pub async fn run(
        &self,
        mut monitors: watch::Receiver<Vec<Scheduled<K::Check>>>,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        let (tx, rx) = mpsc::channel::<Taken>(self.config.max_buffered.max(1));
        let writer = tokio::spawn(write_results(
            rx,
            self.sink.clone(),
            self.config.clone(),
            self.stats.clone(),
        ));
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut running: HashMap<String, (u64, tokio::task::AbortHandle)> = HashMap::new();
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            let wanted = monitors.borrow_and_update().clone();
            let mut keep: HashMap<String, u64> = HashMap::new();
            for m in &wanted {
                keep.insert(m.id.clone(), m.revision);
            }
            running.retain(|id, (revision, task)| {
                let stays = keep.get(id) == Some(revision);
                if !stays {
                    task.abort();
                }
                stays
            });
            for m in wanted {
                if running.contains_key(&m.id) {
                    continue;
                }
                let id = m.id.clone();
                let revision = m.revision;
                let task = tasks.spawn(check_on_schedule(
                    m,
                    self.checker.clone(),
                    self.clock.clone(),
                    permits.clone(),
                    tx.clone(),
                    self.stats.clone(),
                ));
                running.insert(id, (revision, task));
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                changed = monitors.changed() => if changed.is_err() { break },
                // Reap finished (aborted) tasks so the set does not grow.
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        drop(tx);
        let _ = writer.await;
    }
}

/// One monitor: a check at every slot, its result handed on without waiting.
async fn check_on_schedule<K: Checker>(
    m: Scheduled<K::Check>,
    checker: Arc<K>,
    clock: Clock,
    permits: Arc<Semaphore>,
    tx: mpsc::Sender<Taken>,
    stats: Arc<Stats>,
) {
    let id: Arc<str> = Arc::from(m.id.as_str());
    let interval = m.interval.max(Duration::from_secs(1));
    let now_ms = clock.now().as_millisecond();
    let first = first_slot(now_ms, phase(&m.id, interval), interval);
    let mut due =
        crate::monotonic::now() + Duration::from_millis(u64::try_from(first - now_ms).unwrap_or(0));
    loop {
        tokio::time::sleep_until(due).await;
        let Ok(permit) = permits.acquire().await else {
            return;
        };
        let late = crate::monotonic::now().saturating_duration_since(due);
        stats.lateness.observe(late.as_secs_f64());
        let at = clock.now().as_second();
        let verdict = checker.check(&m.check).await;
        drop(permit);
        stats.checks.inc();
        match tx.try_send((id.clone(), verdict.to_result(at))) {
            Ok(()) => {
                stats.buffered.inc();
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                stats.dropped.inc();
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return,
        }
        due += interval;
        // A check that ran past its next slot: the slots it missed are skipped, not run in a
        // burst; the phase stays.
        let now = crate::monotonic::now();
        while due < now {
            due += interval;
            stats.skipped.inc();
        }
    }
}

/// Takes `n` from the results waiting.
fn less(waiting: &Gauge, n: u64) {
    waiting.dec_by(i64::try_from(n).unwrap_or(i64::MAX));
}

/// The writer: gathers results per monitor and writes each monitor's as one batch, every
/// `flush_every`; what the store cannot take now stays, up to `max_buffered`. When the checks
/// stop (the channel closes), it writes what it holds once more and ends.
async fn write_results(
    mut rx: mpsc::Receiver<Taken>,
    sink: Arc<dyn ResultSink>,
    config: SchedulerConfig,
    stats: Arc<Stats>,
) {
    let mut held: BTreeMap<Arc<str>, Vec<CheckResult>> = BTreeMap::new();
    let mut ticker = tokio::time::interval(config.flush_every.max(Duration::from_millis(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            taken = rx.recv() => match taken {
                Some((id, result)) => held.entry(id).or_default().push(result),
                None => {
                    flush(&mut held, &*sink, &config, &stats, true).await;
                    return;
                }
            },
            _ = ticker.tick() => {
                if !held.is_empty() {
                    flush(&mut held, &*sink, &config, &stats, false).await;
                }
            }
        }
    }
}

async fn flush(
    held: &mut BTreeMap<Arc<str>, Vec<CheckResult>>,
    sink: &dyn ResultSink,
    config: &SchedulerConfig,
    stats: &Stats,
    last: bool,
) {
    let ids: Vec<Arc<str>> = held.keys().cloned().collect();
    for chunk in ids.chunks(config.monitors_per_write.max(1)) {
        let batch: Vec<MonitorResults> = chunk
            .iter()
            .filter_map(|id| {
                let mut results = held.remove(id)?;
                results.sort_by_key(|r| r.at);
                results.dedup_by_key(|r| r.at);
                Some((id.clone(), results))
            })
            .collect();
        let outcomes = match tokio::time::timeout(config.write_timeout, sink.write(&batch)).await {
            Ok(outcomes) if outcomes.len() == batch.len() => outcomes,
            Ok(outcomes) => vec![
                Err(SinkError::Unavailable(format!(
                    "the store answered {} outcomes for {} monitors",
                    outcomes.len(),
                    batch.len()
                )));
                batch.len()
            ],
            Err(_) => vec![
                Err(SinkError::Unavailable(format!(
                    "no answer from the store within {} s",
                    config.write_timeout.as_secs()
                )));
                batch.len()
            ],
        };
        let mut unavailable = false;
        for ((id, results), outcome) in batch.into_iter().zip(outcomes) {
            let n = results.len() as u64;
            match outcome {
                Ok(()) => {
                    stats.written.inc_by(n);
                    less(&stats.buffered, n);
                }
                Err(SinkError::Refused(why)) => {
                    tracing::warn!(monitor = %id, results = n, %why, "results refused by the store: dropped");
                    stats.dropped.inc_by(n);
                    less(&stats.buffered, n);
                }
                Err(SinkError::Unavailable(why)) => {
                    if !unavailable {
                        tracing::warn!(monitor = %id, results = n, %why, "cannot write results now: held for the next try");
                    }
                    unavailable = true;
                    held.insert(id, results);
                }
            }
        }
        if unavailable {
            if last {
                let all: u64 = held.values().map(|rs| rs.len() as u64).sum();
                stats.dropped.inc_by(all);
                less(&stats.buffered, all);
                held.clear();
            }
            // The rest waits too: the store is not there.
            break;
        }
    }
    // Over the bound, the oldest results go first: the span they covered becomes unmonitored.
    let mut total: usize = held.values().map(Vec::len).sum();
    while total > config.max_buffered {
        let Some(id) = held
            .iter()
            .filter_map(|(id, rs)| rs.first().map(|r| (id.clone(), r.at)))
            .min_by_key(|(_, at)| *at)
            .map(|(id, _)| id)
        else {
            break;
        };
        if let Some(rs) = held.get_mut(&id) {
            rs.remove(0);
            if rs.is_empty() {
                held.remove(&id);
            }
        }
        total -= 1;
        stats.dropped.inc();
        less(&stats.buffered, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_is_stable_and_within_the_interval() {
        let i = Duration::from_secs(30);
        assert_eq!(phase("m-1", i), phase("m-1", i));
        assert!(phase("m-1", i) < i);
        let spread: std::collections::BTreeSet<u64> = (0..100)
            .map(|n| phase(&format!("monitor-{n}"), i).as_secs())
            .collect();
        assert!(
            spread.len() > 15,
            "phases spread over the interval: {spread:?}"
        );
    }

    #[test]
    fn the_first_slot_keeps_the_phase() {
        let i = Duration::from_secs(30);
        let p = Duration::from_secs(7);
        assert_eq!(first_slot(60_000, p, i), 67_000);
        assert_eq!(first_slot(67_000, p, i), 67_000);
        assert_eq!(first_slot(67_001, p, i), 97_000);
        assert_eq!(first_slot(-1_000, p, i), 7_000);
    }
}
