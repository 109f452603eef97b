//! Criterion benchmark of issue 12's budget: "expanding a weekly window over ten years and
//! computing every consulted partner's consent for 500 partners: under 50 ms" (results in
//! BENCHMARKS.md).
//!
//! Run: `cargo bench -p pacta-core --bench maintenance`. Never run in tests or CI.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use jiff::Timestamp;
use pacta_core::maintenance::consultation::{
    consents, Consultation, PartnerAnswer, PartnerTerms, SubscriptionTerms,
};
use pacta_core::maintenance::WindowTimes;
use pacta_core::sla::consent::Answer;

/// 500 partners with their own terms, consulted at the proposal; a third agree, a third object
/// (some naming an occurrence, some overridden), a third stay silent.
fn partners(first_start: Timestamp) -> Vec<Consultation> {
    let proposed = Timestamp::from_second(first_start.as_second() - 30 * 86_400).unwrap();
    let later = |days: i64| Timestamp::from_second(proposed.as_second() + days * 86_400).unwrap();
    (0..500)
        .map(|p: i64| Consultation {
            subscriptions: vec![SubscriptionTerms {
                consulted_at: None,
                from: proposed,
                until: None,
                terms: PartnerTerms {
                    notice_seconds: (1 + p % 10) * 86_400,
                    silence_is_consent: p % 7 != 0,
                },
            }],
            consulted_at: proposed,
            answers: match p % 3 {
                0 => vec![PartnerAnswer {
                    at: later(2),
                    answer: Answer::Agree,
                    occurrence: None,
                }],
                1 => vec![PartnerAnswer {
                    at: later(3),
                    answer: Answer::Object,
                    occurrence: (p % 2 == 0).then_some(first_start),
                }],
                _ => vec![],
            },
            overrides: (p % 3 == 1 && p % 5 == 0)
                .then(|| later(4))
                .into_iter()
                .collect(),
        })
        .collect()
}

fn ten_years(c: &mut Criterion) {
    let tz = pacta_core::subscription::zone().clone();
    let now = "2027-01-20T12:00:00Z".parse::<Timestamp>().unwrap();
    c.bench_function(
        "weekly window over ten years (522 occurrences) × 500 partners' consent",
        |b| {
            b.iter(|| {
                let times = WindowTimes::parse(
                    "2027-01-03T02:00",
                    "2027-01-03T04:00",
                    Some("FREQ=WEEKLY;UNTIL=20361231"),
                )
                .unwrap();
                let occurrences = times.occurrences(&tz).unwrap();
                let partners = partners(occurrences[0].start);
                let mut excluded = 0usize;
                for c in &partners {
                    excluded += consents(&occurrences, c, now)
                        .unwrap()
                        .iter()
                        .filter(|d| d.excluded)
                        .count();
                }
                black_box((occurrences.len(), excluded))
            })
        },
    );
}

criterion_group!(benches, ten_years);
criterion_main!(benches);
