//! Criterion benchmarks of the SLA engine (issue 3 budgets; results in BENCHMARKS.md).
//!
//! Run: `cargo bench -p pacta-core --bench sla`. Never run in tests or CI.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use jiff::Timestamp;
use pacta_core::sla::availability::{availability, Target};
use pacta_core::sla::calendar::Calendar;
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

const Y2020: i64 = 1_577_836_800;
const Y2030: i64 = 1_893_456_000;
const Y1900: i64 = -2_208_988_800;
const Y2200: i64 = 7_258_118_400;

fn cases(rng: &mut Rng, lo: i64, hi: i64) -> Vec<(Timestamp, i64)> {
    (0..4096)
        .map(|_| (ts(rng.range(lo, hi)), rng.range(1, 200 * 3600)))
        .collect()
}

fn deadline(c: &mut Criterion) {
    let cal = Calendar::builtin("be-working-hours").unwrap();
    cal.precompute(1899..=2200);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut group = c.benchmark_group("deadline/be-working-hours");
    for (name, lo, hi) in [("2020-2030", Y2020, Y2030), ("1900-2200", Y1900, Y2200)] {
        let cases = cases(&mut rng, lo, hi);
        group.throughput(Throughput::Elements(cases.len() as u64));
        group.bench_with_input(BenchmarkId::new("starts", name), &cases, |b, cases| {
            b.iter(|| {
                for &(start, d) in cases {
                    black_box(cal.deadline(black_box(start), black_box(d)).unwrap());
                }
            })
        });
    }
    let cases = cases(&mut rng, Y2020, Y2030);
    let pause = |s: Timestamp| [Interval::new(s, ts(s.as_second() + 7200)).unwrap()];
    group.bench_with_input(
        BenchmarkId::new("with-one-pause", "2020-2030"),
        &cases,
        |b, cases| {
            b.iter(|| {
                for &(start, d) in cases {
                    black_box(cal.deadline_with_pauses(start, d, &pause(start)).unwrap());
                }
            })
        },
    );
    group.finish();

    let mut group = c.benchmark_group("elapsed/be-working-hours");
    let spans: Vec<(Timestamp, Timestamp)> = (0..4096)
        .map(|_| {
            let a = rng.range(Y2020, Y2030);
            (ts(a), ts(a + rng.range(0, 30 * 86_400)))
        })
        .collect();
    group.throughput(Throughput::Elements(spans.len() as u64));
    group.bench_function("2020-2030", |b| {
        b.iter(|| {
            for &(a, z) in &spans {
                black_box(cal.elapsed(a, z).unwrap());
            }
        })
    });
    group.finish();

    c.bench_function("calendar/build-and-compute-one-year", |b| {
        let spec = pacta_core::sla::calendar::CalendarSpec::be_working_hours();
        b.iter(|| {
            let cal = spec.build().unwrap();
            cal.precompute(2026..=2026);
            black_box(cal)
        })
    });
}

fn availability_bench(c: &mut Criterion) {
    let mut rng = Rng(42);
    let year = 365 * 86_400;
    let start = 1_767_222_000; // 2026-01-01T00:00:00+01:00
    let outages: Vec<Interval> = (0..10_000)
        .map(|_| {
            let s = start + rng.range(0, year);
            Interval::new(ts(s), ts(s + rng.range(0, 3600))).unwrap()
        })
        .collect();
    let maintenance: Vec<Interval> = (0..100)
        .map(|_| {
            let s = start + rng.range(0, year);
            Interval::new(ts(s), ts(s + rng.range(0, 4 * 3600))).unwrap()
        })
        .collect();
    let period = Interval::new(ts(start), ts(start + year)).unwrap();
    let target = Target::parse("99.9").unwrap();
    c.bench_function("availability/1y-10000-outages-100-maintenance", |b| {
        b.iter(|| black_box(availability(period, &outages, &maintenance, &target).unwrap()))
    });
}

criterion_group!(benches, deadline, availability_bench);
criterion_main!(benches);
