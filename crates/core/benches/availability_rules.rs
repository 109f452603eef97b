//! Criterion benchmarks of issue 10's rules (`outages`, `statement`; results in BENCHMARKS.md).
//!
//! Run: `cargo bench -p pacta-core --bench availability_rules`. Never run in tests or CI.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jiff::Timestamp;
use pacta_core::sla::availability::Target;
use pacta_core::sla::consent::Consent;
use pacta_core::sla::outages::{outages, Outage, OutageRule, ProbeResult};
use pacta_core::sla::statement::{
    month_period, statement, Incident, IncidentKind, MaintenanceWindow,
};
use pacta_core::sla::Interval;

/// A small deterministic generator (xorshift64*), so that runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo) as u64) as i64
    }
}

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

/// 2026-10-01T00:00:00+02:00.
const OCT_2026: i64 = 1_790_805_600;

/// One month (31 days) of results every 30 s — 89,280 — mostly ok, with failure bursts (some
/// long enough to be outages, some flapping).
fn month_of_results() -> Vec<ProbeResult> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(89_280);
    let mut failing = 0;
    for i in 0..89_280 {
        if failing == 0 && rng.range(0, 1000) < 3 {
            failing = rng.range(1, 40);
        }
        let ok = if failing > 0 {
            failing -= 1;
            rng.range(0, 10) < 2
        } else {
            true
        };
        out.push(ProbeResult {
            at: ts(OCT_2026 + 30 * i),
            ok,
        });
    }
    out
}

fn outages_bench(c: &mut Criterion) {
    let results = month_of_results();
    let rule = OutageRule::new(30, 3, 2, None).unwrap();
    let (from, to) = (ts(OCT_2026), ts(OCT_2026 + 31 * 86_400));
    let found = outages(&rule, from, to, &results).unwrap();
    eprintln!(
        "outages: {} results → {} outages, {} unmonitored intervals",
        results.len(),
        found.outages.len(),
        found.unmonitored.len()
    );
    let mut group = c.benchmark_group("outages");
    group.throughput(Throughput::Elements(results.len() as u64));
    group.bench_function("month-of-30s-results", |b| {
        b.iter(|| black_box(outages(&rule, from, to, black_box(&results)).unwrap()))
    });
    let mut reversed = results.clone();
    reversed.reverse();
    group.bench_function("month-of-30s-results-reversed", |b| {
        b.iter(|| black_box(outages(&rule, from, to, black_box(&reversed)).unwrap()))
    });
    group.finish();
}

fn statement_bench(c: &mut Criterion) {
    let mut rng = Rng(42);
    let period = month_period("2026-10").unwrap();
    let (lo, hi) = (period.start.as_second(), period.end.as_second());
    let outages: Vec<Outage> = (0..10_000)
        .map(|_| {
            let s = rng.range(lo, hi);
            Outage {
                start: ts(s),
                end: Some(ts(s + rng.range(0, 600))),
            }
        })
        .collect();
    let maintenance: Vec<MaintenanceWindow> = (0..100)
        .map(|i| {
            let s = rng.range(lo, hi);
            MaintenanceWindow {
                window: Interval::new(ts(s), ts(s + rng.range(0, 4 * 3600))).unwrap(),
                consent: Consent::ALL[i % Consent::ALL.len()],
            }
        })
        .collect();
    let unmonitored: Vec<Interval> = (0..100)
        .map(|_| {
            let s = rng.range(lo, hi);
            Interval::new(ts(s), ts(s + rng.range(0, 3600))).unwrap()
        })
        .collect();
    let incidents: Vec<Incident> = (0..10)
        .map(|i| {
            let s = rng.range(lo, hi);
            Incident {
                start: ts(s),
                end: Some(ts(s + rng.range(0, 7200))),
                kind: if i % 2 == 0 {
                    IncidentKind::Down
                } else {
                    IncidentKind::Degraded
                },
            }
        })
        .collect();
    let target = Target::parse("99.9").unwrap();
    c.bench_function(
        "statement/month-10000-outages-100-windows-100-gaps-10-incidents",
        |b| {
            b.iter(|| {
                black_box(
                    statement(
                        period,
                        &target,
                        black_box(&outages),
                        &unmonitored,
                        &incidents,
                        &maintenance,
                    )
                    .unwrap(),
                )
            })
        },
    );
}

criterion_group!(benches, outages_bench, statement_bench);
criterion_main!(benches);
