//! The demo's history (issue 10, "The demo has a history"): `serve --demo` gives its monitors
//! at least 90 days of results, so that a newcomer finds outages, unmonitored time and closed
//! months on the first start.
//!
//! Everything follows from `now`, deterministically: [`plan`] places a few outages (one across
//! the last month boundary, one across the last night the clocks changed, a long one in the
//! month before, a short one last week), a flap too short to be an outage and two and a half
//! hours in which the prober was away; [`results`] is then each monitor's stream, a result every
//! interval on the unix grid, with latencies from a small generator seeded by the monitor's code.
//!
//! The last [`RAW_DAYS`] days are stored as raw results, through the ingest like a prober's
//! (with their roll-ups); the days before are fed to the rule in memory and only its outcome —
//! outages, uncovered gaps and the rule's state ([`Db::seed_monitor_history`]) and the hourly
//! and daily roll-ups ([`Db::seed_monitor_rollups`]) — is stored, as if their raw results had
//! been ingested and purged. Minute roll-ups exist for the raw days only.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};
use pacta_core::monitor::{CheckResult, Grain, Kind, Monitor, Rollup};
use pacta_core::sla::history::{self, StoredOutage};
use pacta_core::sla::intervals::Span;
use pacta_core::sla::ts;
use pacta_store::monitors::{MonitorFilter, StoredMonitor};
use pacta_store::{Db, Scope, Stamp};

use crate::serve::DEMO_MONITORS;

/// How far back the history reaches at least (it begins on the 1st of that month).
pub const HISTORY_DAYS: i64 = 90;
/// The most recent days, stored as raw results.
pub const RAW_DAYS: i64 = 7;
/// Results per ingest batch.
const BATCH: usize = 5_000;
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MINUTE: i64 = 60;

/// The monitors the plan's failures are for (demo/monitors.yaml).
pub const MONTH_BOUNDARY_MONITOR: &str = "mail-agenda-https";
pub const DST_MONITOR: &str = "web-hosting-https";
pub const LONG_OUTAGE_MONITOR: &str = "storage-https";
pub const RECENT_OUTAGE_MONITOR: &str = "mail-agenda-smtp";
pub const FLAP_MONITOR: &str = "mail-agenda-https";

/// A span in which one monitor's results fail: those at `start ≤ at < end` (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failing {
    pub monitor: &'static str,
    pub start: i64,
    pub end: i64,
    /// What it stands for, for the log.
    pub what: &'static str,
}

/// The demo's history relative to `now`, in unix seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The 1st, 00:00 (Europe/Brussels), of the month in which `now` − 90 days falls: the
    /// first result is the first one on the grid from here. (Not `now` − 90 days itself: every
    /// month that the history touches is then watched from its start, and its statement is not
    /// incomplete for want of a history.)
    pub from: i64,
    /// `now` − 7 days: results from here on are stored raw.
    pub raw_from: i64,
    /// The last result is at or before it.
    pub now: i64,
    /// The failing spans, in time order.
    pub failing: Vec<Failing>,
    /// The prober was away: no monitor has a result in `[away.0, away.1)`.
    pub away: Span,
}

fn zone() -> jiff::tz::TimeZone {
    pacta_core::subscription::zone().clone()
}

/// `date` at `hour:minute` in Europe/Brussels, as unix seconds (the times used exist every day).
fn local(date: Date, hour: i8, minute: i8) -> anyhow::Result<i64> {
    Ok(date
        .at(hour, minute, 0, 0)
        .to_zoned(zone())?
        .timestamp()
        .as_second())
}

/// An instant as the API writes it: RFC 3339 in Europe/Brussels.
fn in_brussels(at: i64) -> String {
    pacta_core::sla::instant::format_instant(ts(at), pacta_core::subscription::zone())
}

/// The plan of the demo's history for `now`:
///
/// * across the most recent month boundary (the 1st, 00:00 in Europe/Brussels) that lies at
///   least 1 h 25 min before `now`, [`MONTH_BOUNDARY_MONITOR`] fails from 23:20 to 00:25;
/// * across the most recent night the clocks changed (the last Sunday of March or October)
///   whose 03:30 lies at least an hour before `now` and whose 01:30 at least an hour after the
///   history's start — if there is one within the history — [`DST_MONITOR`] fails from 01:30 to
///   03:30 local time (one hour of real time in March, three in October);
/// * on the 12th of the month before that boundary, [`LONG_OUTAGE_MONITOR`] fails from 09:00
///   to 13:10 (long enough for that month to miss its target);
/// * two days before `now` (by the date), [`RECENT_OUTAGE_MONITOR`] fails from 14:20 to 14:32;
/// * three days before `now`, [`FLAP_MONITOR`] fails for one minute from 10:15 (two results,
///   fewer than its three failures before down: no outage);
/// * forty days before `now`, from 20:00 to 22:30, no monitor has a result (the prober away).
pub fn plan(now: Timestamp) -> anyhow::Result<Plan> {
    let now_s = now.as_second();
    let today = now.to_zoned(zone()).date();
    let from = local(
        ts(now_s - HISTORY_DAYS * DAY)
            .to_zoned(zone())
            .date()
            .first_of_month(),
        0,
        0,
    )?;
    let days_back = |n: i64| today.checked_sub(n.days());

    let mut boundary = today.first_of_month();
    if local(boundary, 0, 25)? + HOUR > now_s {
        boundary = boundary.checked_sub(1.month())?;
    }
    let boundary_at = local(boundary, 0, 0)?;
    let mut failing = vec![Failing {
        monitor: MONTH_BOUNDARY_MONITOR,
        start: boundary_at - 40 * MINUTE,
        end: boundary_at + 25 * MINUTE,
        what: "across the month boundary",
    }];

    let mut nights: Vec<Date> = Vec::new();
    for year in [today.year() - 1, today.year()] {
        for month in [3, 10] {
            nights.push(Date::new(year, month, 1)?.nth_weekday_of_month(-1, Weekday::Sunday)?);
        }
    }
    let mut dst = None;
    for night in nights {
        let (start, end) = (local(night, 1, 30)?, local(night, 3, 30)?);
        if start >= from + HOUR && end + HOUR <= now_s {
            dst = Some((start, end));
        }
    }
    if let Some((start, end)) = dst {
        failing.push(Failing {
            monitor: DST_MONITOR,
            start,
            end,
            what: "across the night the clocks changed",
        });
    }

    let long_day = boundary.checked_sub(1.month())?.checked_add(11.days())?;
    failing.push(Failing {
        monitor: LONG_OUTAGE_MONITOR,
        start: local(long_day, 9, 0)?,
        end: local(long_day, 13, 10)?,
        what: "a long outage",
    });
    let recent = days_back(2)?;
    failing.push(Failing {
        monitor: RECENT_OUTAGE_MONITOR,
        start: local(recent, 14, 20)?,
        end: local(recent, 14, 32)?,
        what: "a recent outage",
    });
    let flap = local(days_back(3)?, 10, 15)?;
    failing.push(Failing {
        monitor: FLAP_MONITOR,
        start: flap,
        end: flap + MINUTE,
        what: "a flap",
    });
    failing.sort_by_key(|f| f.start);

    let away_day = days_back(40)?;
    let away = (local(away_day, 20, 0)?, local(away_day, 22, 30)?);
    Ok(Plan {
        from,
        raw_from: now_s - RAW_DAYS * DAY,
        now: now_s,
        failing,
        away,
    })
}

/// A small linear congruential generator (Knuth's MMIX constants), seeded by a monitor's code:
/// the same code, the same latencies.
struct Lcg(u64);

impl Lcg {
    fn for_code(code: &str) -> Lcg {
        // FNV-1a of the code.
        let seed = code.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Lcg(seed)
    }

    /// A number in `0..n` (n ≥ 1).
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Whether a monitor gets a history: those that count for availability, and the certificate
/// checks (all ok: no expiry warning, no `degraded` result).
pub fn has_history(monitor: &Monitor) -> bool {
    monitor.counts_for_availability || monitor.kind() == Kind::Tls
}

/// The results of `monitor` under `plan`, in time order: one at every multiple of its interval
/// (unix seconds) from `plan.from` up to `plan.now`, none while the prober was away; failed in
/// the plan's failing spans for it, ok otherwise.
pub fn results<'a>(monitor: &'a Monitor, plan: &'a Plan) -> impl Iterator<Item = CheckResult> + 'a {
    let interval = monitor.interval.0.max(1);
    // The first multiple of the interval at or after `from`.
    let first = plan.from + (interval - plan.from.rem_euclid(interval)) % interval;
    let (base, spread, failure) = match monitor.kind() {
        Kind::Http => (60, 180, "HTTP 503 Service Unavailable"),
        Kind::Tcp => (2, 20, "connection refused"),
        Kind::Tls => (30, 90, "handshake failed"),
        Kind::Dns => (5, 30, "SERVFAIL"),
    };
    let failing: Vec<&Failing> = plan
        .failing
        .iter()
        .filter(|f| f.monitor == monitor.code)
        .collect();
    let mut lcg = Lcg::for_code(&monitor.code);
    (0..)
        .map(move |k| first + k * interval)
        .take_while(move |&at| at <= plan.now)
        .filter(move |&at| !(plan.away.0 <= at && at < plan.away.1))
        .map(move |at| {
            let latency = base + lcg.below(spread) as i32;
            if failing.iter().any(|f| f.start <= at && at < f.end) {
                CheckResult {
                    at,
                    ok: false,
                    latency_ms: None,
                    detail: Some(failure.to_owned()),
                }
            } else {
                CheckResult {
                    at,
                    ok: true,
                    latency_ms: Some(latency),
                    detail: None,
                }
            }
        })
}

/// The hourly and daily roll-ups of `results` (in time order), as
/// [`rollups`](pacta_core::monitor::rollups) gives them — taken an hour at a time, as the
/// minutes are not wanted and a small map is much quicker than one of the whole history.
fn hourly_and_daily(results: &[CheckResult]) -> Vec<Rollup> {
    let mut out = Vec::new();
    let mut days: BTreeMap<i64, Rollup> = BTreeMap::new();
    for hour in results.chunk_by(|a, b| a.at.div_euclid(HOUR) == b.at.div_euclid(HOUR)) {
        for r in pacta_core::monitor::rollups(hour) {
            match r.grain {
                Grain::Minute => {}
                Grain::Hour => out.push(r),
                Grain::Day => {
                    let day = days.entry(r.bucket).or_insert(Rollup {
                        checks: 0,
                        ok: 0,
                        latency_count: 0,
                        latency_sum: 0,
                        latency_max: None,
                        ..r
                    });
                    day.checks += r.checks;
                    day.ok += r.ok;
                    day.latency_count += r.latency_count;
                    day.latency_sum += r.latency_sum;
                    day.latency_max = day.latency_max.max(r.latency_max);
                }
            }
        }
    }
    out.extend(days.into_values());
    out
}

/// The monitors of demo/monitors.yaml.
fn demo_monitors() -> anyhow::Result<Vec<Monitor>> {
    let doc = pacta_core::catalogue::document::parse_yaml(DEMO_MONITORS)
        .map_err(|e| anyhow::anyhow!("demo monitors: {e}"))?;
    pacta_core::monitor::read_monitors(&doc, &Default::default())
        .map_err(|_| anyhow::anyhow!("demo monitors are invalid"))
}

/// Gives the stored demo monitors — those exactly as demo/monitors.yaml has them, never a
/// monitor of one's own that shares a code — their history up to `now`; but only when none of
/// them has a history yet (skipped, with a log line, otherwise).
pub async fn load_demo_history(db: &Db, now: Timestamp) -> anyhow::Result<()> {
    let demo = demo_monitors()?;
    let monitors: Vec<StoredMonitor> = db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await?
        .into_iter()
        .filter(|m| demo.contains(&m.monitor) && has_history(&m.monitor))
        .collect();
    for m in &monitors {
        if db.monitor_history(m.seq, 0, 1).await?.covered_until > history::ORIGIN {
            tracing::info!(
                monitor = %m.monitor.code,
                "a demo monitor has results already: skipped the demo's history"
            );
            return Ok(());
        }
    }
    let plan = plan(now)?;
    for f in &plan.failing {
        if monitors.iter().any(|m| m.monitor.code == f.monitor) {
            tracing::info!(
                monitor = f.monitor,
                start = %in_brussels(f.start),
                end = %in_brussels(f.end),
                "demo history: {}", f.what
            );
        }
    }
    let stamp = Stamp::new("demo", now);
    let mut raw_total = 0;
    for m in &monitors {
        let rule = m.monitor.outage_rule();
        let mut tracker = history::replay_tracker(rule, None);
        let (seeded, raw): (Vec<CheckResult>, Vec<CheckResult>) =
            results(&m.monitor, &plan).partition(|r| r.at < plan.raw_from);
        for r in &seeded {
            tracker.push_secs(r.at, r.ok)?;
        }
        let (closed, gaps) = tracker.take_closed();
        let state = tracker.state();
        let mut outages: Vec<StoredOutage> = closed.into_iter().map(StoredOutage::from).collect();
        outages.extend(history::open_outage(&state));
        db.seed_monitor_history(m.seq, &outages, &gaps, &state, seeded.len() as u64)
            .await?;
        // Their hourly and daily roll-ups (not the minutes: too many rows for a start-up).
        db.seed_monitor_rollups(m.seq, &hourly_and_daily(&seeded))
            .await?;
        for batch in raw.chunks(BATCH) {
            db.ingest_results(m.seq, rule, batch, stamp, &m.id, |_| Vec::new())
                .await?;
        }
        raw_total += raw.len();
    }
    tracing::info!(
        monitors = monitors.len(),
        raw_results = raw_total,
        "loaded the demo's {HISTORY_DAYS}-day history"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pacta_core::sla::instant::parse_instant;
    use pacta_core::sla::outages::{outages, Outages, ProbeResult};

    fn t(s: &str) -> i64 {
        parse_instant(s).unwrap().as_second()
    }

    fn failing(plan: &Plan) -> Vec<(&str, i64, i64)> {
        plan.failing
            .iter()
            .map(|f| (f.monitor, f.start, f.end))
            .collect()
    }

    fn demo_monitors() -> Vec<Monitor> {
        super::demo_monitors().unwrap()
    }

    /// The generated stream as the rule takes it.
    fn probes(m: &Monitor, plan: &Plan) -> Vec<ProbeResult> {
        results(m, plan)
            .map(|r| ProbeResult {
                at: ts(r.at),
                ok: r.ok,
            })
            .collect()
    }

    /// The rule over the generated stream.
    fn rule_over(m: &Monitor, plan: &Plan, from: i64, to: i64) -> Outages {
        outages(&m.outage_rule(), ts(from), ts(to), &probes(m, plan)).unwrap()
    }

    /// The first multiple of `interval` at or after `at`.
    fn grid(at: i64, interval: i64) -> i64 {
        at + (interval - at.rem_euclid(interval)) % interval
    }

    const NOW: &str = "2026-11-03T10:00:00+01:00";

    #[test]
    fn the_plan_of_early_november_2026() {
        let p = plan(parse_instant(NOW).unwrap()).unwrap();
        // 2026-08-05 is 90 days back: from the 1st of that month.
        assert_eq!(p.from, t("2026-08-01T00:00:00+02:00"));
        assert_eq!(p.raw_from, t("2026-10-27T10:00:00+01:00"));
        assert_eq!(p.now, t(NOW));
        assert_eq!(
            failing(&p),
            vec![
                (
                    "storage-https",
                    t("2026-10-12T09:00:00+02:00"),
                    t("2026-10-12T13:10:00+02:00")
                ),
                (
                    "web-hosting-https",
                    t("2026-10-25T01:30:00+02:00"),
                    t("2026-10-25T03:30:00+01:00")
                ),
                (
                    "mail-agenda-https",
                    t("2026-10-31T10:15:00+01:00"),
                    t("2026-10-31T10:16:00+01:00")
                ),
                (
                    "mail-agenda-https",
                    t("2026-10-31T23:20:00+01:00"),
                    t("2026-11-01T00:25:00+01:00")
                ),
                (
                    "mail-agenda-smtp",
                    t("2026-11-01T14:20:00+01:00"),
                    t("2026-11-01T14:32:00+01:00")
                ),
            ]
        );
        // Two hours on the wall clock, three of real time: the clocks went back.
        assert_eq!(p.failing[1].end - p.failing[1].start, 3 * HOUR);
        assert_eq!(
            p.away,
            (
                t("2026-09-24T20:00:00+02:00"),
                t("2026-09-24T22:30:00+02:00")
            )
        );
        // The same `now`, the same plan and the same results.
        let again = plan(parse_instant(NOW).unwrap()).unwrap();
        assert_eq!(again, p);
        for m in demo_monitors() {
            assert!(results(&m, &p).eq(results(&m, &again)), "{}", m.code);
        }
    }

    #[test]
    fn the_plan_around_month_boundaries_and_the_spring_change() {
        // Less than 1 h 25 min into December: the outage is across the boundary before.
        let p = plan(parse_instant("2026-12-01T01:24:59+01:00").unwrap()).unwrap();
        assert!(failing(&p).contains(&(
            "mail-agenda-https",
            t("2026-10-31T23:20:00+01:00"),
            t("2026-11-01T00:25:00+01:00")
        )));
        assert!(failing(&p).contains(&(
            "storage-https",
            t("2026-10-12T09:00:00+02:00"),
            t("2026-10-12T13:10:00+02:00")
        )));
        let p = plan(parse_instant("2026-12-01T01:25:00+01:00").unwrap()).unwrap();
        assert!(failing(&p).contains(&(
            "mail-agenda-https",
            t("2026-11-30T23:20:00+01:00"),
            t("2026-12-01T00:25:00+01:00")
        )));
        assert!(failing(&p).contains(&(
            "storage-https",
            t("2026-11-12T09:00:00+01:00"),
            t("2026-11-12T13:10:00+01:00")
        )));
        // In spring: one hour of real time from 01:30 to 03:30.
        let p = plan(parse_instant("2026-04-10T12:00:00+02:00").unwrap()).unwrap();
        let dst = (
            "web-hosting-https",
            t("2026-03-29T01:30:00+01:00"),
            t("2026-03-29T03:30:00+02:00"),
        );
        assert!(failing(&p).contains(&dst));
        assert_eq!(dst.2 - dst.1, HOUR);
        assert!(failing(&p).contains(&(
            "mail-agenda-https",
            t("2026-03-31T23:20:00+02:00"),
            t("2026-04-01T00:25:00+02:00")
        )));
    }

    #[test]
    fn no_night_of_a_clock_change_within_the_90_days_no_such_outage() {
        // The last one, 2025-10-26, is 117 days back.
        let p = plan(parse_instant("2026-02-20T12:00:00+01:00").unwrap()).unwrap();
        assert!(!p.failing.iter().any(|f| f.monitor == DST_MONITOR));
        assert_eq!(p.failing.len(), 4);
        // The night of the change itself, before 04:30: not yet (and March is too far back).
        let p = plan(parse_instant("2026-10-25T04:29:59+01:00").unwrap()).unwrap();
        assert!(!p.failing.iter().any(|f| f.monitor == DST_MONITOR));
        let p = plan(parse_instant("2026-10-25T04:30:00+01:00").unwrap()).unwrap();
        assert!(failing(&p).contains(&(
            "web-hosting-https",
            t("2026-10-25T01:30:00+02:00"),
            t("2026-10-25T03:30:00+01:00")
        )));
    }

    /// The outages the plan means, by monitor, and the unmonitored time of every monitor.
    fn check_by_hand(m: &Monitor, plan: &Plan, got: &Outages, from: i64, to: i64) {
        let planned: Vec<(i64, Option<i64>)> = match m.code.as_str() {
            "mail-agenda-https" => vec![(
                t("2026-10-31T23:20:00+01:00"),
                Some(t("2026-11-01T00:25:00+01:00")),
            )],
            "web-hosting-https" => vec![(
                t("2026-10-25T01:30:00+02:00"),
                Some(t("2026-10-25T03:30:00+01:00")),
            )],
            "storage-https" => vec![(
                t("2026-10-12T09:00:00+02:00"),
                Some(t("2026-10-12T13:10:00+02:00")),
            )],
            "mail-agenda-smtp" => vec![(
                t("2026-11-01T14:20:00+01:00"),
                Some(t("2026-11-01T14:32:00+01:00")),
            )],
            _ => vec![],
        };
        let listed: Vec<(i64, Option<i64>)> = got
            .outages
            .iter()
            .map(|o| (o.start.as_second(), o.end.map(|e| e.as_second())))
            .collect();
        assert_eq!(listed, planned, "{}", m.code);
        assert!(!got.down_at_end);
        // Before the first result; the prober away (from the end of the cover of the last
        // result before it to the first one after); after the last result's cover.
        let (iv, stale) = (m.interval.0, m.outage_rule().stale_after);
        let last = (plan.now.div_euclid(iv)) * iv;
        let unmonitored: Vec<(i64, i64)> = got
            .unmonitored
            .iter()
            .map(|u| (u.start.as_second(), u.end.as_second()))
            .collect();
        assert_eq!(
            unmonitored,
            vec![
                (from, grid(plan.from, iv)),
                (grid(plan.away.0, iv) - iv + stale, grid(plan.away.1, iv)),
                (last + stale, to),
            ],
            "{}",
            m.code
        );
    }

    #[test]
    fn the_streams_have_the_planned_outages_and_nothing_else() {
        let p = plan(parse_instant(NOW).unwrap()).unwrap();
        let (from, to) = (p.from - DAY, p.now + DAY);
        let mut with_history = 0;
        for m in demo_monitors().iter().filter(|m| has_history(m)) {
            with_history += 1;
            check_by_hand(m, &p, &rule_over(m, &p, from, to), from, to);
            if m.kind() == Kind::Tls {
                assert!(results(m, &p).all(|r| r.ok && r.detail.is_none()));
            }
        }
        assert_eq!(with_history, demo_monitors().len(), "every demo monitor");
        // The flap: two failures in a row, one fewer than makes an outage.
        let mail = demo_monitors()
            .into_iter()
            .find(|m| m.code == FLAP_MONITOR)
            .unwrap();
        let failed: Vec<i64> = results(&mail, &p)
            .filter(|r| !r.ok && r.at < t("2026-10-31T12:00:00+01:00"))
            .map(|r| r.at)
            .collect();
        assert_eq!(
            failed,
            vec![
                t("2026-10-31T10:15:00+01:00"),
                t("2026-10-31T10:15:30+01:00")
            ]
        );
        assert_eq!(mail.outage_rule().failures_before_down, 3);
    }

    #[test]
    fn hourly_and_daily_roll_ups_an_hour_at_a_time_are_the_roll_ups() {
        let p = plan(parse_instant(NOW).unwrap()).unwrap();
        for m in demo_monitors()
            .iter()
            .filter(|m| m.code == DST_MONITOR || m.kind() == Kind::Tls)
        {
            let all: Vec<CheckResult> = results(m, &p).collect();
            let mut want = pacta_core::monitor::rollups(&all);
            want.retain(|r| r.grain != Grain::Minute);
            let mut got = hourly_and_daily(&all);
            got.sort_by_key(|r| (r.grain, r.bucket));
            assert_eq!(got, want, "{}", m.code);
        }
    }

    #[tokio::test]
    async fn the_demo_gets_its_history_once_stored_as_the_rule_reads_its_results() {
        use crate::serve;
        let db = pacta_store::testing::fresh_sqlite().await;
        let now = parse_instant(NOW).unwrap();
        let stamp = Stamp::new("demo", now);
        serve::load_demo(&db, stamp).await.unwrap();
        serve::load_demo_people(&db, stamp).await.unwrap();
        serve::load_demo_subscriptions(&db, now).await.unwrap();
        serve::load_demo_monitors(&db, stamp).await.unwrap();
        load_demo_history(&db, now).await.unwrap();

        let p = plan(now).unwrap();
        let stored = db
            .list_monitors(Scope::All, &MonitorFilter::default())
            .await
            .unwrap();
        assert_eq!(stored.len(), demo_monitors().len());
        let boundary = t("2026-11-01T00:00:00+01:00");
        let windows = [
            (p.from - DAY, p.now + DAY),
            (p.from, p.now),
            (boundary - HOUR, boundary + HOUR),
            (boundary - HOUR, boundary), // ends inside the outage: open
            (boundary, p.now),
            (p.raw_from - HOUR, p.raw_from + HOUR),
            (p.raw_from, p.now),
            (p.away.0 - HOUR, p.away.1 + HOUR),
            (
                t("2026-10-25T01:00:00+02:00"),
                t("2026-10-25T02:30:00+02:00"),
            ),
            (
                t("2026-10-12T00:00:00+02:00"),
                t("2026-11-01T00:00:00+01:00"),
            ),
        ];
        let mut snapshot = Vec::new();
        for m in &stored {
            let stream = probes(&m.monitor, &p);
            // Every window for the monitors with planned failures, the whole one for the others
            // (the same all-ok stream: the rule is slow to rerun in a debug build).
            let planned = p.failing.iter().any(|f| f.monitor == m.monitor.code);
            for &(from, to) in windows.iter().take(if planned { windows.len() } else { 1 }) {
                let history = db.monitor_history(m.seq, from, to).await.unwrap();
                assert_eq!(
                    history.window(ts(from), ts(to)),
                    outages(&m.monitor.outage_rule(), ts(from), ts(to), &stream).unwrap(),
                    "{} over [{}, {})",
                    m.monitor.code,
                    ts(from),
                    ts(to)
                );
            }
            let (from, to) = windows[0];
            let history = db.monitor_history(m.seq, from, to).await.unwrap();
            check_by_hand(&m.monitor, &p, &history.window(ts(from), ts(to)), from, to);
            // Raw results for the last seven days only, exactly the generated ones.
            let raw = db
                .monitor_results(m.seq, i64::MIN / 2, i64::MAX / 2, 1_000_000)
                .await
                .unwrap();
            let want: Vec<CheckResult> = results(&m.monitor, &p)
                .filter(|r| r.at >= p.raw_from)
                .collect();
            assert_eq!(raw, want, "{}", m.monitor.code);
            // Roll-ups: by hour and by day over the whole history (the seeded ones and the
            // ingest's added up where a bucket holds both), by minute over the raw days only
            // (checked where the stream is not all ok, and for the hourly certificate check).
            let mut rollups = Vec::new();
            for grain in [Grain::Minute, Grain::Hour, Grain::Day] {
                rollups.push(
                    db.monitor_rollups(m.seq, grain, i64::MIN / 2, i64::MAX / 2)
                        .await
                        .unwrap(),
                );
            }
            if planned || m.monitor.kind() == Kind::Tls {
                let all: Vec<CheckResult> = results(&m.monitor, &p).collect();
                let (of_raw, of_all) = (
                    pacta_core::monitor::rollups(&want),
                    pacta_core::monitor::rollups(&all),
                );
                for (got, (grain, over)) in rollups.iter().zip([
                    (Grain::Minute, &of_raw),
                    (Grain::Hour, &of_all),
                    (Grain::Day, &of_all),
                ]) {
                    let expected: Vec<Rollup> =
                        over.iter().filter(|r| r.grain == grain).copied().collect();
                    assert_eq!(got, &expected, "{} by {grain:?}", m.monitor.code);
                }
            } else {
                assert!(rollups.iter().all(|r| !r.is_empty()));
            }
            snapshot.push((history, raw.len(), rollups));
        }
        // The crossings.
        let local = |at: i64| ts(at).to_zoned(zone());
        let mail = stored
            .iter()
            .find(|m| m.monitor.code == MONTH_BOUNDARY_MONITOR)
            .unwrap();
        let month = db.monitor_history(mail.seq, p.from, p.now).await.unwrap();
        let o = month.window(ts(p.from), ts(p.now)).outages[0];
        assert_ne!(
            local(o.start.as_second()).month(),
            local(o.end.unwrap().as_second()).month()
        );
        let web = stored
            .iter()
            .find(|m| m.monitor.code == DST_MONITOR)
            .unwrap();
        let o = db
            .monitor_history(web.seq, p.from, p.now)
            .await
            .unwrap()
            .window(ts(p.from), ts(p.now))
            .outages[0];
        assert_ne!(
            local(o.start.as_second()).offset(),
            local(o.end.unwrap().as_second()).offset()
        );

        // Once: a second run (another `now`, too) changes nothing.
        load_demo_history(&db, ts(p.now + HOUR)).await.unwrap();
        for (m, (history, count, rollups)) in stored.iter().zip(&snapshot) {
            let (from, to) = windows[0];
            assert_eq!(&db.monitor_history(m.seq, from, to).await.unwrap(), history);
            let raw = db
                .monitor_results(m.seq, i64::MIN / 2, i64::MAX / 2, 1_000_000)
                .await
                .unwrap();
            assert_eq!(raw.len(), *count);
            for (grain, before) in [Grain::Minute, Grain::Hour, Grain::Day].iter().zip(rollups) {
                let now = db
                    .monitor_rollups(m.seq, *grain, i64::MIN / 2, i64::MAX / 2)
                    .await
                    .unwrap();
                assert_eq!(&now, before);
            }
        }
        // And the store refuses to seed a monitor with a history.
        let state = history::replay_tracker(stored[0].monitor.outage_rule(), None).state();
        let mut seeded = state;
        seeded.last_at = Some(0);
        assert!(matches!(
            db.seed_monitor_history(stored[0].seq, &[], &[], &seeded, 1)
                .await,
            Err(pacta_store::StoreError::Rejected(_))
        ));
        assert!(matches!(
            db.seed_monitor_rollups(stored[0].seq, &[]).await,
            Err(pacta_store::StoreError::Rejected(_))
        ));
        db.close().await;
    }
}
