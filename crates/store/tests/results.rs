//! Results ingest and the stored outage history (issue 10), on SQLite always and on PostgreSQL
//! when `PACTA_TEST_POSTGRES_URL` is set: the history kept incrementally, batch after batch and
//! with late results, answers every window exactly as the `outages` rule over the raw results.

use pacta_core::sla::instant::parse_instant;
use pacta_core::sla::outages::{outages, OutageRule, ProbeResult};
use pacta_core::sla::ts;
use pacta_store::audit::AuditFilter;
use pacta_store::results::{IngestItem, MonitorResult, OutageEvent};
use pacta_store::{Db, Stamp, StoreError};

fn by(actor: &str) -> Stamp<'_> {
    Stamp::new(actor, jiff::Timestamp::from_second(1_800_000_000).unwrap())
}

use pacta_store::contract;

fn at(hms: &str) -> i64 {
    parse_instant(&format!("2026-10-12T{hms}+02:00"))
        .unwrap()
        .as_second()
}

fn result(at: i64, ok: bool) -> MonitorResult {
    MonitorResult {
        at,
        ok,
        latency_ms: Some(12),
        detail: None,
    }
}

fn rule() -> OutageRule {
    OutageRule::new(30, 3, 2, Some(60)).unwrap()
}

/// The rule over the raw results, for comparison.
fn expected(rule: &OutageRule, all: &[MonitorResult], from: i64, to: i64) -> serde_json::Value {
    let raw: Vec<ProbeResult> = all
        .iter()
        .map(|r| ProbeResult {
            at: ts(r.at),
            ok: r.ok,
        })
        .collect();
    outages(rule, ts(from), ts(to), &raw).unwrap().to_json()
}

async fn stored(db: &Db, seq: i64, from: i64, to: i64) -> serde_json::Value {
    db.monitor_history(seq, from, to)
        .await
        .unwrap()
        .window(ts(from), ts(to))
        .to_json()
}

contract!(
    the_worked_example_is_stored_as_one_outage,
    |db: Db| async move {
        let stream = [
            ("10:00:00", true),
            ("10:00:30", false),
            ("10:01:00", false),
            ("10:01:30", false),
            ("10:02:00", true),
            ("10:02:30", false),
            ("10:03:00", true),
            ("10:03:30", true),
        ];
        let all: Vec<MonitorResult> = stream.iter().map(|&(h, ok)| result(at(h), ok)).collect();
        // In two batches: the outage starts in the first and ends in the second.
        let first = db
            .ingest_results(7, rule(), &all[..5], by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        assert_eq!(first.stored, 5);
        assert_eq!(
            first.events,
            vec![OutageEvent::Started {
                start: at("10:00:30")
            }]
        );
        let second = db
            .ingest_results(7, rule(), &all[5..], by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        assert_eq!(
            second.events,
            vec![OutageEvent::Ended {
                start: at("10:00:30"),
                end: at("10:03:00")
            }]
        );
        let got = stored(&db, 7, at("10:00:00"), at("10:05:00")).await;
        assert_eq!(got["outages"][0]["start"], "2026-10-12T10:00:30+02:00");
        assert_eq!(got["outages"][0]["end"], "2026-10-12T10:03:00+02:00");
        assert_eq!(got["unmonitored"][0]["start"], "2026-10-12T10:04:30+02:00");
        assert_eq!(got["down_at_end"], false);
        assert_eq!(got, expected(&rule(), &all, at("10:00:00"), at("10:05:00")));
        // At 10:02:45 the recovering run had not reached two successes: still open there.
        let mid = stored(&db, 7, at("10:00:00"), at("10:02:45")).await;
        assert_eq!(mid["outages"][0]["end"], serde_json::Value::Null);
        assert_eq!(mid["down_at_end"], true);
        // Another monitor's history is its own.
        let other = stored(&db, 8, at("10:00:00"), at("10:05:00")).await;
        assert_eq!(other["outages"], serde_json::json!([]));
    }
);

contract!(
    a_retry_is_idempotent_and_a_different_result_is_refused,
    |db: Db| async move {
        let batch = vec![result(at("10:00:00"), true), result(at("10:00:30"), false)];
        db.ingest_results(1, rule(), &batch, by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        let again = db
            .ingest_results(1, rule(), &batch, by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        assert_eq!((again.stored, again.duplicates), (0, 2));
        let rows = db
            .monitor_results(1, at("09:00:00"), at("11:00:00"), 100)
            .await
            .unwrap();
        assert_eq!(rows, batch);
        // A different verdict at a stored instant: refused, and the new one beside it not stored.
        let mut changed = batch.clone();
        changed[1].ok = true;
        changed.push(result(at("10:01:00"), true));
        let err = db
            .ingest_results(1, rule(), &changed, by("prober"), "m", |_| Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Rejected(_)), "{err}");
        let rows = db
            .monitor_results(1, at("09:00:00"), at("11:00:00"), 100)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        // Two different results at one instant in one batch: refused too.
        let twice = vec![result(at("10:05:00"), true), result(at("10:05:00"), false)];
        assert!(db
            .ingest_results(1, rule(), &twice, by("prober"), "m", |_| Vec::new())
            .await
            .is_err());
    }
);

contract!(
    several_monitors_in_one_write_end_as_each_written_alone,
    |db: Db| async move {
        // Monitor 21 goes down and up, 22 stays up, 23 goes down; the same streams are written
        // to 31, 32, 33 one monitor at a time.
        let streams: Vec<Vec<MonitorResult>> = ["+---+-++", "++++++++", "++++----"]
            .iter()
            .map(|pattern| {
                pattern
                    .chars()
                    .enumerate()
                    .map(|(i, c)| result(at("10:00:00") + 30 * i as i64, c == '+'))
                    .collect()
            })
            .collect();
        for half in [0..4, 4..8] {
            // Not in seq order: the reports follow the items all the same.
            let order = [2usize, 0, 1];
            let items: Vec<IngestItem<'_>> = order
                .iter()
                .map(|&k| IngestItem {
                    seq: 21 + k as i64,
                    rule: rule(),
                    batch: &streams[k][half.clone()],
                    code: "m",
                })
                .collect();
            let reports = db
                .ingest_results_of_many(&items, by("prober"), |j, _| {
                    assert!(j < 3);
                    Vec::new()
                })
                .await
                .unwrap();
            assert_eq!(reports.len(), 3);
            let reports: Vec<_> = (0..3)
                .map(|k| reports[order.iter().position(|&o| o == k).unwrap()].clone())
                .collect();
            for (k, s) in streams.iter().enumerate() {
                let alone = db
                    .ingest_results(
                        31 + k as i64,
                        rule(),
                        &s[half.clone()],
                        by("api"),
                        "m",
                        |_| Vec::new(),
                    )
                    .await
                    .unwrap();
                assert_eq!(reports[k], alone, "monitor {k}, results {half:?}");
            }
        }
        for k in 0..3 {
            let together = stored(&db, 21 + k, at("09:00:00"), at("11:00:00")).await;
            let alone = stored(&db, 31 + k, at("09:00:00"), at("11:00:00")).await;
            assert_eq!(together, alone, "monitor {k}");
            assert_eq!(
                together,
                expected(
                    &rule(),
                    &streams[k as usize],
                    at("09:00:00"),
                    at("11:00:00")
                )
            );
        }
        assert_eq!(
            stored(&db, 21, at("09:00:00"), at("11:00:00")).await["outages"][0]["end"],
            "2026-10-12T10:03:00+02:00"
        );
        // One audit row per write of several monitors, one per monitor written alone.
        let audit = |actor: &str| {
            let db = db.clone();
            let actor = actor.to_owned();
            async move {
                db.audit_entries(&AuditFilter {
                    actor: Some(actor),
                    ..Default::default()
                })
                .await
                .unwrap()
            }
        };
        let together = audit("prober").await;
        assert_eq!(together.len(), 2);
        assert_eq!(
            (together[0].kind.as_str(), together[0].code.as_str()),
            ("monitors", "probes")
        );
        assert!(together[0]
            .after
            .as_deref()
            .unwrap()
            .contains(r#""stored":12"#));
        assert_eq!(audit("api").await.len(), 6);

        // One monitor's refused results refuse the whole write: nothing of the others lands.
        let mut changed = streams[0][7].clone();
        changed.ok = !changed.ok;
        let later = [result(at("10:04:00"), true)];
        let conflict = [changed];
        let items = [
            IngestItem {
                seq: 22,
                rule: rule(),
                batch: &later,
                code: "m",
            },
            IngestItem {
                seq: 21,
                rule: rule(),
                batch: &conflict,
                code: "m",
            },
        ];
        let err = db
            .ingest_results_of_many(&items, by("prober"), |_, _| Vec::new())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Rejected(_)), "{err}");
        let rows = db
            .monitor_results(22, at("09:00:00"), at("11:00:00"), 100)
            .await
            .unwrap();
        assert_eq!(rows.len(), 8, "the other monitor's result is not written");
        assert_eq!(audit("prober").await.len(), 2);
    }
);

/// A small deterministic generator (no dependency for a test's dice).
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

contract!(
    late_and_batched_results_give_the_rule_s_answer_on_random_streams,
    |db: Db| async move {
        let mut dice = Dice(42);
        let base = 1_800_000_000;
        for case in 0..24i64 {
            let seq = 100 + case;
            let rule = OutageRule::new(
                1,
                1 + dice.next(3) as u32,
                1 + dice.next(3) as u32,
                Some(1 + dice.next(40) as i64),
            )
            .unwrap();
            // Flapping, with gaps: distinct instants over ~10 minutes.
            let mut all: Vec<MonitorResult> = Vec::new();
            // A unit of a minute, so that the stream spans hours and checkpoints (one an hour
            // of results) are written and replayed from.
            let unit = 60;
            let rule = OutageRule::new(
                1,
                rule.failures_before_down,
                rule.successes_before_up,
                Some(rule.stale_after * unit),
            )
            .unwrap();
            let mut t = base;
            for _ in 0..(20 + dice.next(60)) {
                let step = if dice.next(8) == 0 { 90 } else { 12 };
                t += (1 + dice.next(step) as i64) * unit;
                all.push(result(t, dice.next(10) < 6));
            }
            // Arriving mostly in order, some late.
            let mut arriving = all.clone();
            for i in 0..arriving.len() {
                if dice.next(5) == 0 {
                    let j = i.saturating_sub(dice.next(15) as usize);
                    arriving.swap(i, j);
                }
            }
            let mut rest: &[MonitorResult] = &arriving;
            while !rest.is_empty() {
                let k = (1 + dice.next(12) as usize).min(rest.len());
                db.ingest_results(seq, rule, &rest[..k], by("prober"), "m", |_| Vec::new())
                    .await
                    .unwrap();
                rest = &rest[k..];
            }
            for _ in 0..4 {
                let from = base + (dice.next(720) as i64 - 20) * 60;
                let to = from + 1 + dice.next(700 * 60) as i64;
                assert_eq!(
                    stored(&db, seq, from, to).await,
                    expected(&rule, &all, from, to),
                    "case {case}, window [{from}, {to})"
                );
            }
        }
    }
);

contract!(rollups_sum_what_is_stored_once, |db: Db| async move {
    use pacta_core::monitor::Grain;
    let all: Vec<MonitorResult> = [
        ("10:00:00", true),
        ("10:00:30", false),
        ("10:01:00", false),
        ("10:01:30", false),
        ("10:02:00", true),
        ("10:02:30", false),
        ("10:03:00", true),
        ("10:03:30", true),
    ]
    .iter()
    .map(|&(h, ok)| result(at(h), ok))
    .collect();
    for batch in [&all[..5], &all[3..], &all[..]] {
        db.ingest_results(3, rule(), batch, by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
    }
    let day = db
        .monitor_rollups(3, Grain::Day, at("00:00:00"), at("23:59:59"))
        .await
        .unwrap();
    assert_eq!(day.len(), 1);
    assert_eq!(day[0].bucket, at("00:00:00"));
    assert_eq!((day[0].checks, day[0].ok), (8, 4));
    assert_eq!(
        (day[0].latency_count, day[0].latency_sum, day[0].latency_max),
        (8, 96, Some(12))
    );
    let minutes = db
        .monitor_rollups(3, Grain::Minute, at("10:00:00"), at("10:05:00"))
        .await
        .unwrap();
    assert_eq!(
        minutes.iter().map(|m| m.checks).collect::<Vec<_>>(),
        [2, 2, 2, 2]
    );
    let hours = db
        .monitor_rollups(3, Grain::Hour, at("10:00:00"), at("11:00:00"))
        .await
        .unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!(hours[0].checks, 8);
});

contract!(
    a_seeded_history_is_what_the_ingest_of_its_results_leaves,
    |db: Db| async move {
        use pacta_core::sla::history::{self, StoredOutage};
        let mut dice = Dice(7);
        let base = 1_800_000_000;
        for case in 0..16i64 {
            let rule = OutageRule::new(
                1,
                1 + dice.next(3) as u32,
                1 + dice.next(3) as u32,
                Some(1 + dice.next(40) as i64),
            )
            .unwrap();
            let mut all: Vec<MonitorResult> = Vec::new();
            // A unit of a minute, so that the stream spans hours and checkpoints (one an hour
            // of results) are written and replayed from.
            let unit = 60;
            let rule = OutageRule::new(
                1,
                rule.failures_before_down,
                rule.successes_before_up,
                Some(rule.stale_after * unit),
            )
            .unwrap();
            let mut t = base;
            for _ in 0..(20 + dice.next(60)) {
                let step = if dice.next(8) == 0 { 90 } else { 12 };
                t += (1 + dice.next(step) as i64) * unit;
                all.push(result(t, dice.next(10) < 6));
            }
            let k = dice.next(all.len() as u64 + 1) as usize;
            let (ingested, seeded) = (500 + case, 600 + case);
            db.ingest_results(ingested, rule, &all, by("prober"), "m", |_| Vec::new())
                .await
                .unwrap();
            // The first k fed to the rule in memory and seeded, the rest ingested after them.
            let mut tracker = history::replay_tracker(rule, None);
            for r in &all[..k] {
                tracker.push_secs(r.at, r.ok).unwrap();
            }
            let (closed, gaps) = tracker.take_closed();
            let state = tracker.state();
            let mut outages: Vec<StoredOutage> =
                closed.into_iter().map(StoredOutage::from).collect();
            outages.extend(history::open_outage(&state));
            db.seed_monitor_history(seeded, &outages, &gaps, &state, k as u64)
                .await
                .unwrap();
            if k < all.len() {
                db.ingest_results(seeded, rule, &all[k..], by("prober"), "m", |_| Vec::new())
                    .await
                    .unwrap();
            }
            for _ in 0..4 {
                let from = base + (dice.next(720) as i64 - 20) * 60;
                let to = from + 1 + dice.next(700 * 60) as i64;
                let want = expected(&rule, &all, from, to);
                assert_eq!(stored(&db, seeded, from, to).await, want, "case {case}");
                assert_eq!(stored(&db, ingested, from, to).await, want, "case {case}");
            }
            // Only a monitor without a history is seeded.
            let mut whole = history::replay_tracker(rule, None);
            for r in &all {
                whole.push_secs(r.at, r.ok).unwrap();
            }
            let (closed, gaps) = whole.take_closed();
            let outages: Vec<StoredOutage> = closed.into_iter().map(StoredOutage::from).collect();
            for seq in [ingested, seeded] {
                let again = db
                    .seed_monitor_history(seq, &outages, &gaps, &whole.state(), all.len() as u64)
                    .await;
                assert!(matches!(again, Err(StoreError::Rejected(_))), "case {case}");
            }
        }
        // A last result without results, or results without a last one, is no history.
        let fresh = history::replay_tracker(rule(), None).state();
        assert!(matches!(
            db.seed_monitor_history(900, &[], &[], &fresh, 3).await,
            Err(StoreError::Rejected(_))
        ));
    }
);

contract!(
    seeded_rollups_add_up_with_the_ingest_s,
    |db: Db| async move {
        use pacta_core::monitor::{rollups, Grain};
        // Two days of a result every 10 minutes, split at 13:05 on the first.
        let all: Vec<MonitorResult> = (0..288)
            .map(|i| result(at("00:00:00") + i * 600, i % 7 != 3))
            .collect();
        let k = all.iter().position(|r| r.at > at("13:05:00")).unwrap();
        db.ingest_results(41, rule(), &all, by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        db.seed_monitor_rollups(42, &rollups(&all[..k]))
            .await
            .unwrap();
        db.ingest_results(42, rule(), &all[k..], by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        for grain in [Grain::Minute, Grain::Hour, Grain::Day] {
            let (whole, seeded) = (
                db.monitor_rollups(41, grain, 0, i64::MAX / 2)
                    .await
                    .unwrap(),
                db.monitor_rollups(42, grain, 0, i64::MAX / 2)
                    .await
                    .unwrap(),
            );
            assert_eq!(seeded, whole, "{grain:?}");
        }
        assert!(matches!(
            db.seed_monitor_rollups(42, &[]).await,
            Err(StoreError::Rejected(_))
        ));
    }
);

contract!(
    a_late_result_after_a_seeded_history_keeps_it_and_one_inside_it_is_refused,
    |db: Db| async move {
        use pacta_core::sla::history::replay_tracker;
        let rule = rule();
        // Seeded: a result every 30 s over 2 hours, all ok (no raw rows for them).
        let start = at("08:00:00");
        let mut tracker = replay_tracker(rule, None);
        let mut n = 0;
        for t in (start..start + 7_200).step_by(30) {
            tracker.push_secs(t, true).unwrap();
            n += 1;
        }
        let (closed, gaps) = tracker.take_closed();
        let outages: Vec<_> = closed
            .into_iter()
            .map(pacta_core::sla::history::StoredOutage::from)
            .collect();
        db.seed_monitor_history(9, &outages, &gaps, &tracker.state(), n)
            .await
            .unwrap();
        // Raw results from 10:00, one of them missing; then the missing one, late.
        let raw: Vec<MonitorResult> = (at("10:00:00")..at("10:30:00"))
            .step_by(30)
            .filter(|&t| t != at("10:10:00"))
            .map(|t| result(t, true))
            .collect();
        db.ingest_results(9, rule, &raw, by("prober"), "m", |_| Vec::new())
            .await
            .unwrap();
        let before = stored(&db, 9, at("08:00:00"), at("10:30:00")).await;
        assert_eq!(before["unmonitored"], serde_json::json!([]), "{before}");
        let report = db
            .ingest_results(
                9,
                rule,
                &[result(at("10:10:00"), false)],
                by("prober"),
                "m",
                |_| Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(report.late, 1);
        let after = stored(&db, 9, at("08:00:00"), at("10:30:00")).await;
        assert_eq!(after, before, "a late result keeps the seeded history");
        // A result inside the seeded span cannot be placed: refused, nothing written.
        let err = db
            .ingest_results(
                9,
                rule,
                &[result(at("09:00:10"), false)],
                by("prober"),
                "m",
                |_| Vec::new(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    }
);

contract!(
    pruning_keeps_the_history_and_late_results_after_the_floor_are_placed,
    |db: Db| async move {
        use pacta_core::monitor::Grain;
        use pacta_core::retention::Cutoffs;
        let mut dice = Dice(23);
        let base = 1_800_000_000;
        for case in 0..6i64 {
            let seq = 700 + case;
            let rule = OutageRule::new(
                1,
                1 + dice.next(3) as u32,
                1 + dice.next(3) as u32,
                Some(1800),
            )
            .unwrap();
            // Two to three days of results a few minutes apart, with failure runs and gaps.
            let mut all: Vec<MonitorResult> = Vec::new();
            let mut t = base;
            while t < base + 2 * 86_400 + dice.next(86_400) as i64 {
                let step = if dice.next(40) == 0 {
                    7200
                } else {
                    60 * (1 + dice.next(8) as i64)
                };
                t += step;
                all.push(result(t, dice.next(10) < 7));
            }
            let end = all.last().unwrap().at;
            let cut_raw = base + 86_400 + dice.next(20_000) as i64;
            // Some results after the cutoff arrive late, after the pruning.
            let (late, on_time): (Vec<MonitorResult>, Vec<MonitorResult>) = all
                .iter()
                .cloned()
                .partition(|r| r.at > cut_raw + 3600 && dice.next(6) == 0);
            for chunk in on_time.chunks(40) {
                db.ingest_results(seq, rule, chunk, by("prober"), "m", |_| Vec::new())
                    .await
                    .unwrap();
            }
            let windows: Vec<(i64, i64)> = (0..6)
                .map(|_| {
                    let from = base + dice.next(3 * 86_400) as i64 - 3600;
                    (from, from + 1 + dice.next(86_400) as i64)
                })
                .collect();
            let before: Vec<serde_json::Value> = {
                let mut v = Vec::new();
                for &(from, to) in &windows {
                    v.push(stored(&db, seq, from, to).await);
                }
                v
            };
            let cut = Cutoffs {
                raw: cut_raw,
                minutes: cut_raw + 3600,
                hours: base + 7200,
            };
            let pruned = db.prune_monitor(seq, &cut).await.unwrap();
            assert!(
                pruned.results > 0 && pruned.rollups > 0,
                "case {case}: {pruned:?}"
            );
            // The history answers every window as before.
            for (&(from, to), want) in windows.iter().zip(&before) {
                assert_eq!(&stored(&db, seq, from, to).await, want, "case {case}");
            }
            // Raw results up to a floor at or before the cutoff are gone; those after it stay.
            let kept = db.monitor_results(seq, 0, end + 1, 100_000).await.unwrap();
            let first_kept = kept.first().unwrap().at;
            assert!(first_kept > base + 3600, "case {case}");
            assert!(
                on_time
                    .iter()
                    .filter(|r| r.at > cut_raw)
                    .all(|r| kept.contains(r)),
                "case {case}: every result after the cutoff is kept"
            );
            assert_eq!(
                kept.len() as u64 + pruned.results,
                on_time.len() as u64,
                "case {case}"
            );
            // Late results after the floor are placed exactly, as the rule over all results.
            for chunk in late.chunks(3) {
                db.ingest_results(seq, rule, chunk, by("prober"), "m", |_| Vec::new())
                    .await
                    .unwrap();
            }
            for &(from, to) in &windows {
                assert_eq!(
                    stored(&db, seq, from, to).await,
                    expected(&rule, &all, from, to),
                    "case {case}"
                );
            }
            // A late result at or before the floor cannot be placed.
            let refused = db
                .ingest_results(
                    seq,
                    rule,
                    &[result(base + 30, true)],
                    by("prober"),
                    "m",
                    |_| Vec::new(),
                )
                .await;
            assert!(
                matches!(refused, Err(StoreError::Rejected(_))),
                "case {case}"
            );
            // Roll-ups: minutes before their cutoff and hours before theirs are gone, days stay.
            let of = |grain| db.monitor_rollups(seq, grain, 0, end + 86_400);
            let minutes = of(Grain::Minute).await.unwrap();
            assert!(!minutes.is_empty() && minutes.iter().all(|r| r.bucket >= cut.minutes));
            let hours = of(Grain::Hour).await.unwrap();
            assert!(!hours.is_empty() && hours.iter().all(|r| r.bucket >= cut.hours));
            let days = of(Grain::Day).await.unwrap();
            assert!(days.iter().any(|r| r.bucket < base + 86_400), "days stay");
            // Pruning again removes nothing more.
            assert_eq!(
                db.prune_monitor(seq, &cut).await.unwrap(),
                pacta_store::retention::Pruned::default()
            );
        }
    }
);
