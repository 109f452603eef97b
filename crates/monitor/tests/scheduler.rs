//! The scheduler on tokio's paused time, with a clock that follows it: every assertion is about
//! the instants results were recorded at, never about how long the test took.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use pacta_core::clock::{Clock, Now};
use pacta_core::monitor::CheckResult;
use pacta_core::sla::outages::{outages, OutageRule, ProbeResult};
use pacta_monitor::scheduler::{
    phase, BoxFuture, Checker, MonitorResults, ResultSink, Scheduled, Scheduler, SinkError,
};
use pacta_monitor::{Failure, Verdict};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Tokio's (paused) time as Pacta's clock, from a fixed start.
struct TokioClock {
    base: Timestamp,
    start: tokio::time::Instant,
}

impl Now for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = jiff::SignedDuration::try_from(self.start.elapsed()).unwrap();
        self.base.checked_add(elapsed).unwrap()
    }
}

const START: &str = "2026-06-01T10:00:00Z";

fn clock() -> Clock {
    Arc::new(TokioClock {
        base: START.parse().unwrap(),
        start: tokio::time::Instant::now(),
    })
}

/// A check that answers at once, or after hanging a while (and then fails, as a timeout).
#[derive(Debug)]
enum Fake {
    Up,
    Hangs(Duration),
}

#[derive(Default)]
struct FakeChecker {
    running: AtomicUsize,
    most: AtomicUsize,
}

impl Checker for FakeChecker {
    type Check = Fake;
    fn check<'a>(&'a self, check: &'a Fake) -> BoxFuture<'a, Verdict> {
        Box::pin(async move {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            let verdict = match check {
                Fake::Up => {
                    // A check takes a little time, so that checks can overlap.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Verdict::ok(Some(200))
                }
                Fake::Hangs(d) => {
                    tokio::time::sleep(*d).await;
                    Verdict::failed(Failure::Timeout, "no answer")
                }
            };
            self.running.fetch_sub(1, Ordering::SeqCst);
            verdict
        })
    }
}

/// A store that records what it is given, and stalls while `stalled` is set.
#[derive(Default)]
struct MemorySink {
    written: Mutex<Vec<(String, Vec<CheckResult>)>>,
    stalled: Mutex<bool>,
    writes: AtomicUsize,
    /// Monitors whose results it refuses.
    refuses: Mutex<Vec<String>>,
    /// The most monitors given in one write.
    most_per_write: AtomicUsize,
}

impl MemorySink {
    fn results(&self, monitor: &str) -> Vec<CheckResult> {
        let mut all: Vec<CheckResult> = self
            .written
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _)| m == monitor)
            .flat_map(|(_, rs)| rs.clone())
            .collect();
        all.sort_by_key(|r| r.at);
        all
    }
}

impl ResultSink for MemorySink {
    fn write<'a>(
        &'a self,
        batch: &'a [MonitorResults],
    ) -> BoxFuture<'a, Vec<Result<(), SinkError>>> {
        Box::pin(async move {
            self.writes.fetch_add(1, Ordering::SeqCst);
            if *self.stalled.lock().unwrap() {
                // A paused connection: no answer, ever (the scheduler's write timeout ends it).
                std::future::pending::<()>().await;
            }
            self.most_per_write.fetch_max(batch.len(), Ordering::SeqCst);
            let refuses = self.refuses.lock().unwrap().clone();
            let mut written = self.written.lock().unwrap();
            batch
                .iter()
                .map(|(monitor, results)| {
                    if refuses.iter().any(|r| **r == **monitor) {
                        return Err(SinkError::Refused("conflicts with stored results".into()));
                    }
                    written.push((monitor.to_string(), results.clone()));
                    Ok(())
                })
                .collect()
        })
    }
}

fn scheduled(id: &str, interval: u64, check: Fake) -> Scheduled<Fake> {
    Scheduled {
        id: id.to_owned(),
        interval: Duration::from_secs(interval),
        revision: 1,
        check: Arc::new(check),
    }
}

fn start_secs() -> i64 {
    START.parse::<Timestamp>().unwrap().as_second()
}

/// The instants a monitor is due at from the start: its phase, then every interval.
fn slots(id: &str, interval: u64, n: usize) -> Vec<i64> {
    let p = phase(id, Duration::from_secs(interval)).as_millis() as i64;
    let start_ms = start_secs() * 1000;
    let every = interval as i64 * 1000;
    let first = start_ms + (p - start_ms).rem_euclid(every);
    (0..n as i64).map(|k| (first + k * every) / 1000).collect()
}

async fn run_for(
    scheduler: Scheduler<FakeChecker>,
    monitors: Vec<Scheduled<Fake>>,
    d: Duration,
) -> Arc<pacta_monitor::scheduler::Stats> {
    let (_tx, rx) = watch::channel(monitors);
    let shutdown = CancellationToken::new();
    let stats = scheduler.stats.clone();
    let stop = shutdown.clone();
    let run = tokio::spawn(async move { scheduler.run(rx, stop).await });
    tokio::time::sleep(d).await;
    shutdown.cancel();
    run.await.unwrap();
    stats
}

#[tokio::test(start_paused = true)]
async fn a_hanging_check_does_not_move_the_others() {
    let checker = Arc::new(FakeChecker::default());
    let sink = Arc::new(MemorySink::default());
    let scheduler = Scheduler::new(checker.clone(), sink.clone(), clock());
    let monitors = vec![
        scheduled("hangs", 30, Fake::Hangs(Duration::from_secs(25))),
        scheduled("steady", 10, Fake::Up),
        scheduled("other", 20, Fake::Up),
    ];
    run_for(scheduler, monitors, Duration::from_secs(300)).await;

    let steady: Vec<i64> = sink.results("steady").iter().map(|r| r.at).collect();
    let expected = slots("steady", 10, 30);
    assert_eq!(steady, expected[..steady.len()].to_vec());
    assert!(steady.len() >= 29, "{} results", steady.len());
    assert!(sink.results("steady").iter().all(|r| r.ok));
    let other: Vec<i64> = sink.results("other").iter().map(|r| r.at).collect();
    assert_eq!(other, slots("other", 20, other.len()));
    let hangs = sink.results("hangs");
    assert_eq!(
        hangs.iter().map(|r| r.at).collect::<Vec<_>>(),
        slots("hangs", 30, hangs.len())
    );
    assert!(hangs
        .iter()
        .all(|r| !r.ok && r.detail.as_deref() == Some("timeout: no answer")));
}

#[tokio::test(start_paused = true)]
async fn at_most_the_configured_number_of_checks_run_at_once() {
    let checker = Arc::new(FakeChecker::default());
    let sink = Arc::new(MemorySink::default());
    let mut scheduler = Scheduler::new(checker.clone(), sink.clone(), clock());
    scheduler.config.concurrency = 2;
    let monitors: Vec<Scheduled<Fake>> = (0..20)
        .map(|n| scheduled(&format!("m{n}"), 10, Fake::Hangs(Duration::from_secs(1))))
        .collect();
    let stats = run_for(scheduler, monitors, Duration::from_secs(60)).await;
    assert_eq!(checker.most.load(Ordering::SeqCst), 2);
    assert!(stats.checks.get() > 20);
}

#[tokio::test(start_paused = true)]
async fn many_monitors_go_in_bounded_writes_and_a_refusal_drops_only_its_own() {
    let checker = Arc::new(FakeChecker::default());
    let sink = Arc::new(MemorySink::default());
    sink.refuses.lock().unwrap().push("m7".into());
    let mut scheduler = Scheduler::new(checker.clone(), sink.clone(), clock());
    scheduler.config.monitors_per_write = 4;
    // A hundred monitors every 10 s: some ten results come to the writer each second.
    let monitors: Vec<Scheduled<Fake>> = (0..100)
        .map(|n| scheduled(&format!("m{n}"), 10, Fake::Up))
        .collect();
    let stats = run_for(scheduler, monitors, Duration::from_secs(120)).await;
    let most = sink.most_per_write.load(Ordering::SeqCst);
    assert!(
        (2..=4).contains(&most),
        "at most 4 monitors a write, several at once: {most}"
    );
    assert!(sink.results("m7").is_empty());
    let mut written = 0;
    for n in (0..100).filter(|&n| n != 7) {
        let id = format!("m{n}");
        let ats: Vec<i64> = sink.results(&id).iter().map(|r| r.at).collect();
        assert_eq!(ats, slots(&id, 10, ats.len()), "{id}");
        assert!(ats.len() >= 11, "{id}: {} results", ats.len());
        written += ats.len() as u64;
    }
    assert_eq!(stats.written.get(), written);
    assert_eq!(stats.dropped.get(), stats.checks.get() - written);
    assert!(stats.dropped.get() >= 11, "m7's results are dropped");
}

#[tokio::test(start_paused = true)]
async fn a_stalled_store_delays_no_check_and_makes_no_outage() {
    let checker = Arc::new(FakeChecker::default());
    let sink = Arc::new(MemorySink::default());
    let mut scheduler = Scheduler::new(checker.clone(), sink.clone(), clock());
    scheduler.config.write_timeout = Duration::from_secs(5);
    *sink.stalled.lock().unwrap() = true;
    let (_tx, rx) = watch::channel(vec![scheduled("web", 10, Fake::Up)]);
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let run = tokio::spawn(async move { scheduler.run(rx, stop).await });
    // Three minutes without a store, then it is back.
    tokio::time::sleep(Duration::from_secs(180)).await;
    assert!(sink.writes.load(Ordering::SeqCst) > 0, "writes were tried");
    assert!(sink.results("web").is_empty());
    *sink.stalled.lock().unwrap() = false;
    tokio::time::sleep(Duration::from_secs(120)).await;
    shutdown.cancel();
    run.await.unwrap();

    let web = sink.results("web");
    let ats: Vec<i64> = web.iter().map(|r| r.at).collect();
    assert_eq!(
        ats,
        slots("web", 10, ats.len()),
        "every slot, at its instant"
    );
    assert!(ats.len() >= 29);
    assert!(web.iter().all(|r| r.ok));
    let found = rule_outages(&web);
    assert!(found.outages.is_empty());
    assert_eq!(
        found.unmonitored.len(),
        1,
        "only the time before the first check"
    );
}

#[tokio::test(start_paused = true)]
async fn results_dropped_from_a_full_buffer_become_unmonitored_time() {
    let checker = Arc::new(FakeChecker::default());
    let sink = Arc::new(MemorySink::default());
    let mut scheduler = Scheduler::new(checker.clone(), sink.clone(), clock());
    scheduler.config.write_timeout = Duration::from_secs(5);
    scheduler.config.max_buffered = 6;
    *sink.stalled.lock().unwrap() = true;
    let (_tx, rx) = watch::channel(vec![scheduled("web", 10, Fake::Up)]);
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let stats = scheduler.stats.clone();
    let run = tokio::spawn(async move { scheduler.run(rx, stop).await });
    tokio::time::sleep(Duration::from_secs(300)).await;
    *sink.stalled.lock().unwrap() = false;
    tokio::time::sleep(Duration::from_secs(100)).await;
    shutdown.cancel();
    run.await.unwrap();

    assert!(stats.dropped.get() > 0);
    let web = sink.results("web");
    assert!(web.iter().all(|r| r.ok));
    let found = rule_outages(&web);
    assert!(found.outages.is_empty(), "{:?}", found.outages);
    // Results went (the oldest held, or the newest when even the hand-over was full): where
    // no result covers, the time is unmonitored — more than the wait for the first check.
    let first_slot = slots("web", 10, 1)[0];
    let unmonitored: i64 = found
        .unmonitored
        .iter()
        .map(|i| i.end.as_second() - i.start.as_second().max(first_slot))
        .filter(|&s| s > 0)
        .sum();
    assert!(
        unmonitored >= 60,
        "the dropped span is unmonitored: {:?}",
        found.unmonitored
    );
    // After the store is back, every slot has its result.
    let back = start_secs() + 310;
    let after: Vec<i64> = web.iter().map(|r| r.at).filter(|&t| t > back).collect();
    assert!(after.len() >= 8);
    assert!(after.windows(2).all(|w| w[1] - w[0] == 10), "{after:?}");
}

#[tokio::test(start_paused = true)]
async fn a_changed_or_removed_monitor_is_rescheduled_or_stopped() {
    let checker = Arc::new(FakeChecker::default());
    let sink = Arc::new(MemorySink::default());
    let scheduler = Scheduler::new(checker.clone(), sink.clone(), clock());
    let (tx, rx) = watch::channel(vec![
        scheduled("a", 10, Fake::Up),
        scheduled("b", 10, Fake::Up),
    ]);
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    let run = tokio::spawn(async move { scheduler.run(rx, stop).await });
    tokio::time::sleep(Duration::from_secs(60)).await;
    // `a` now every 30 s; `b` deleted.
    let mut a = scheduled("a", 30, Fake::Up);
    a.revision = 2;
    tx.send(vec![a]).unwrap();
    tokio::time::sleep(Duration::from_secs(120)).await;
    shutdown.cancel();
    run.await.unwrap();

    let b = sink.results("b");
    assert!(b.iter().all(|r| r.at < start_secs() + 61), "b stopped");
    let a: Vec<i64> = sink.results("a").iter().map(|r| r.at).collect();
    let later: Vec<i64> = a
        .iter()
        .copied()
        .filter(|&t| t > start_secs() + 61)
        .collect();
    assert!(later.len() >= 3);
    assert!(later.windows(2).all(|w| w[1] - w[0] == 30), "{later:?}");
    let p = phase("a", Duration::from_secs(30)).as_secs() as i64;
    assert!(later.iter().all(|t| (t - p).rem_euclid(30) == 0));
}

fn rule_outages(results: &[CheckResult]) -> pacta_core::sla::outages::Outages {
    let rule = OutageRule::new(10, 3, 2, None).unwrap();
    let probe: Vec<ProbeResult> = results
        .iter()
        .map(|r| ProbeResult {
            at: Timestamp::from_second(r.at).unwrap(),
            ok: r.ok,
        })
        .collect();
    let from: Timestamp = START.parse().unwrap();
    let to = Timestamp::from_second(results.last().unwrap().at + 20).unwrap();
    outages(&rule, from, to, &probe).unwrap()
}
