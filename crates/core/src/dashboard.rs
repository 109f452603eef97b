//! The partner dashboard's rules (issue 14, DOMAIN §9): the local days of the 90-day bars, the
//! live status of a subscription and since when, how a day's figure is graded, and the order of
//! the staff's overview. The figures themselves are the availability Rule's
//! ([`crate::sla::agreement`]); this module only reads them.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::sla::availability::Availability;
use crate::sla::intervals::{normalize, union, Span};
use crate::sla::Interval;
use crate::subscription::zone;

/// How many local days the bars show.
pub const BAR_DAYS: usize = 90;

/// The last `n` local days (Europe/Brussels) up to and including the day of `now`, oldest first:
/// each `[00:00, next 00:00)` in that zone, so 23 or 25 hours across a DST change; today's ends
/// at `now` (what has not happened is neither up nor down).
pub fn local_days(now: Timestamp, n: usize) -> Vec<(Date, Interval)> {
    let tz = zone();
    let today = now.to_zoned(tz.clone()).date();
    let mut days = Vec::with_capacity(n);
    for back in (0..n).rev() {
        let Ok(date) = today.checked_sub((back as i64).days()) else {
            continue;
        };
        let (Ok(start), Ok(next)) = (
            date.to_zoned(tz.clone()),
            date.tomorrow().and_then(|d| d.to_zoned(tz.clone())),
        ) else {
            continue;
        };
        let end = next.timestamp().min(now);
        days.push((
            date,
            Interval {
                start: start.timestamp(),
                end: end.max(start.timestamp()),
            },
        ));
    }
    days
}

/// What a day's bar says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayGrade {
    /// Nothing was owed that day (not in service, or every second excluded): no figure.
    NoFigure,
    /// No downtime.
    Full,
    /// Downtime, but the day on its own still meets the target.
    Met,
    /// The day on its own falls below the target.
    Below,
}

impl DayGrade {
    pub fn code(self) -> &'static str {
        match self {
            DayGrade::NoFigure => "none",
            DayGrade::Full => "full",
            DayGrade::Met => "met",
            DayGrade::Below => "below",
        }
    }

    /// The grade of a day's figures: the exact comparison of the Rule (`met`), never the
    /// rounded percentage.
    pub fn of(a: &Availability) -> DayGrade {
        match a.met {
            None => DayGrade::NoFigure,
            Some(_) if a.downtime_seconds == 0 => DayGrade::Full,
            Some(true) => DayGrade::Met,
            Some(false) => DayGrade::Below,
        }
    }
}

/// A subscription's status now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    Up,
    Down,
    Degraded,
    Maintenance,
    Unmonitored,
}

impl LiveStatus {
    pub fn code(self) -> &'static str {
        match self {
            LiveStatus::Up => "up",
            LiveStatus::Down => "down",
            LiveStatus::Degraded => "degraded",
            LiveStatus::Maintenance => "maintenance",
            LiveStatus::Unmonitored => "unmonitored",
        }
    }

    pub fn parse(code: &str) -> Option<LiveStatus> {
        [
            LiveStatus::Up,
            LiveStatus::Down,
            LiveStatus::Degraded,
            LiveStatus::Maintenance,
            LiveStatus::Unmonitored,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// What the live status is read from, over a look-back window `[from, now)`: the
/// subscription's outages (∪ᵢ(Oᵢ − Uᵢ), as the Rule builds them) and unmonitored time (∩ᵢ Uᵢ)
/// over that window, the service's incidents and the maintenance occurrences the partner was
/// consulted on. Open spans run to `now`.
#[derive(Debug, Clone, Default)]
pub struct StatusInputs {
    pub outages: Vec<Span>,
    pub unmonitored: Vec<Span>,
    /// `down` incidents: `(start, end)`, the end `None` while open.
    pub down_incidents: Vec<(i64, Option<i64>)>,
    /// `degraded` incidents, likewise.
    pub degraded_incidents: Vec<(i64, Option<i64>)>,
    /// Maintenance occurrences `(start, end)`.
    pub maintenance: Vec<Span>,
    /// When the subscription came into service, if within the window.
    pub in_service_from: Option<i64>,
}

/// The status at `now` and since when, looking back to `from`. Maintenance in progress comes
/// first (it says why a service may be down), then downtime (an outage seen by a monitor, or a
/// `down` incident), then a `degraded` incident, then unmonitored time (no monitor watches);
/// otherwise up. `since` is when the current status began: the start of the span that holds it,
/// or for `up` the end of the last span that was not up; `None` when it held through the whole
/// window (before `from` is not looked at).
pub fn live_status(inputs: &StatusInputs, from: i64, now: i64) -> (LiveStatus, Option<i64>) {
    let open = |spans: &[(i64, Option<i64>)]| -> Vec<Span> {
        spans
            .iter()
            .map(|&(s, e)| (s.max(from), e.unwrap_or(now).min(now)))
            .filter(|(s, e)| s < e)
            .collect()
    };
    let clipped = |spans: &[Span]| -> Vec<Span> {
        normalize(
            spans
                .iter()
                .map(|&(s, e)| (s.max(from), e.min(now)))
                .filter(|(s, e)| s < e)
                .collect(),
        )
        .unwrap_or_default()
    };
    let since = |s: i64| (s > from).then_some(s);
    // The span of `spans` (normalized) that reaches now: it holds the status now.
    let current = |spans: &[Span]| spans.iter().find(|&&(s, e)| s < now && e >= now).copied();
    let in_maintenance = |at: i64| {
        inputs
            .maintenance
            .iter()
            .find(|&&(s, e)| s <= at && at < e)
            .copied()
    };
    if let Some((start, _)) = in_maintenance(now) {
        return (LiveStatus::Maintenance, since(start));
    }
    let downtime = union(
        &clipped(&inputs.outages),
        &clipped(&open(&inputs.down_incidents)),
    );
    let open_ended = |e: i64| e >= now;
    if let Some((start, _)) = current(&downtime) {
        return (LiveStatus::Down, since(start));
    }
    let degraded = clipped(&open(
        &inputs
            .degraded_incidents
            .iter()
            .filter(|(_, e)| e.is_none_or(open_ended))
            .copied()
            .collect::<Vec<_>>(),
    ));
    if let Some((start, _)) = current(&degraded) {
        return (LiveStatus::Degraded, since(start));
    }
    let unmonitored = clipped(&inputs.unmonitored);
    if let Some((start, _)) = current(&unmonitored) {
        return (LiveStatus::Unmonitored, since(start));
    }
    // Up: since the end of the last thing that was not up.
    let not_up = union(
        &union(&downtime, &unmonitored),
        &union(
            &clipped(&open(&inputs.degraded_incidents)),
            &clipped(&inputs.maintenance),
        ),
    );
    let last_end = not_up.iter().map(|&(_, e)| e).filter(|&e| e < now).max();
    let began = [last_end, inputs.in_service_from]
        .into_iter()
        .flatten()
        .max();
    (LiveStatus::Up, began.and_then(since))
}

/// One row of the staff's overview.
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewRow {
    /// The month's budget left (allowed downtime of the whole month − downtime so far), s.
    pub budget_left_seconds: i64,
    pub burn_rate: Option<f64>,
    /// The month so far meets the target (`None`: nothing owed yet).
    pub met: Option<bool>,
}

/// The overview's order: the least budget left first; at equal budget, the fastest burn first;
/// rows with nothing owed last.
pub fn overview_order(a: &OverviewRow, b: &OverviewRow) -> std::cmp::Ordering {
    let owed = |r: &OverviewRow| r.met.is_none();
    owed(a)
        .cmp(&owed(b))
        .then(a.budget_left_seconds.cmp(&b.budget_left_seconds))
        .then(
            b.burn_rate
                .unwrap_or(0.0)
                .total_cmp(&a.burn_rate.unwrap_or(0.0)),
        )
}

/// Whether a subscription belongs on the overview's "attention" list: below target so far, or
/// burning its budget faster than the month allows (burn rate above 1).
pub fn needs_attention(row: &OverviewRow) -> bool {
    row.met == Some(false) || row.burn_rate.is_some_and(|r| r > 1.0)
}

/// The month's allowed downtime left as a share of it, in whole per mille (0–1000, negative
/// when overspent); `None` when nothing is allowed.
pub fn budget_left_per_mille(left: i64, allowed: i64) -> Option<i64> {
    (allowed > 0).then(|| (i128::from(left) * 1000 / i128::from(allowed)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::availability::Target;
    use crate::sla::ts;

    fn t(s: &str) -> i64 {
        crate::sla::instant::parse_instant(s).unwrap().as_second()
    }

    #[test]
    fn ninety_local_days_end_today_and_keep_their_dst_lengths() {
        let now = ts(t("2026-11-30T10:15:00+01:00"));
        let days = local_days(now, BAR_DAYS);
        assert_eq!(days.len(), 90);
        assert_eq!(days[0].0.to_string(), "2026-09-02");
        assert_eq!(days[89].0.to_string(), "2026-11-30");
        // Today ends at now.
        assert_eq!(days[89].1.end, now);
        assert_eq!(days[89].1.start.as_second(), t("2026-11-30T00:00:00+01:00"));
        // Sunday 25 October 2026 has 25 hours in Brussels.
        let oct25 = days
            .iter()
            .find(|(d, _)| d.to_string() == "2026-10-25")
            .unwrap();
        assert_eq!(
            oct25.1.end.as_second() - oct25.1.start.as_second(),
            25 * 3600
        );
        // Each day starts where the previous ended.
        for w in days.windows(2) {
            assert_eq!(w[0].1.end, w[1].1.start);
        }
        // Sunday 29 March 2026 has 23 hours.
        let spring = local_days(ts(t("2026-03-30T12:00:00+02:00")), 2);
        assert_eq!(spring[0].0.to_string(), "2026-03-29");
        assert_eq!(
            spring[0].1.end.as_second() - spring[0].1.start.as_second(),
            23 * 3600
        );
    }

    #[test]
    fn the_live_status_and_since_when() {
        let from = t("2026-09-01T00:00:00+02:00");
        let now = t("2026-11-30T10:00:00+01:00");
        let mut i = StatusInputs {
            outages: vec![(
                t("2026-11-29T08:00:00+01:00"),
                t("2026-11-29T08:30:00+01:00"),
            )],
            ..Default::default()
        };
        assert_eq!(
            live_status(&i, from, now),
            (LiveStatus::Up, Some(t("2026-11-29T08:30:00+01:00")))
        );
        // An outage running to now (open spans reach now).
        i.outages.push((t("2026-11-30T09:40:00+01:00"), now));
        assert_eq!(
            live_status(&i, from, now),
            (LiveStatus::Down, Some(t("2026-11-30T09:40:00+01:00")))
        );
        // A down incident that began earlier and still runs makes it down since the incident.
        i.down_incidents
            .push((t("2026-11-30T09:00:00+01:00"), None));
        assert_eq!(
            live_status(&i, from, now),
            (LiveStatus::Down, Some(t("2026-11-30T09:00:00+01:00")))
        );
        // Maintenance in progress says why.
        i.maintenance.push((
            t("2026-11-30T09:30:00+01:00"),
            t("2026-11-30T11:00:00+01:00"),
        ));
        assert_eq!(
            live_status(&i, from, now),
            (
                LiveStatus::Maintenance,
                Some(t("2026-11-30T09:30:00+01:00"))
            )
        );
        // Degraded, unmonitored.
        let d = StatusInputs {
            degraded_incidents: vec![(t("2026-11-30T08:00:00+01:00"), None)],
            unmonitored: vec![(t("2026-11-30T07:00:00+01:00"), now)],
            ..Default::default()
        };
        assert_eq!(
            live_status(&d, from, now),
            (LiveStatus::Degraded, Some(t("2026-11-30T08:00:00+01:00")))
        );
        let u = StatusInputs {
            unmonitored: vec![(t("2026-11-30T07:00:00+01:00"), now)],
            ..Default::default()
        };
        assert_eq!(
            live_status(&u, from, now),
            (
                LiveStatus::Unmonitored,
                Some(t("2026-11-30T07:00:00+01:00"))
            )
        );
        // Up through the whole window: since before it.
        assert_eq!(
            live_status(&StatusInputs::default(), from, now),
            (LiveStatus::Up, None)
        );
        // In service since a day within the window.
        let fresh = StatusInputs {
            in_service_from: Some(t("2026-11-01T00:00:00+01:00")),
            ..Default::default()
        };
        assert_eq!(
            live_status(&fresh, from, now),
            (LiveStatus::Up, Some(t("2026-11-01T00:00:00+01:00")))
        );
    }

    #[test]
    fn a_day_is_graded_by_the_exact_comparison() {
        let target: Target = "99.9".parse().unwrap();
        let day = |downtime: i64| {
            let period = Interval {
                start: ts(0),
                end: ts(86_400),
            };
            let down: Vec<Interval> = (downtime > 0)
                .then(|| Interval {
                    start: ts(0),
                    end: ts(downtime),
                })
                .into_iter()
                .collect();
            crate::sla::availability::availability(period, &down, &[], &target).unwrap()
        };
        assert_eq!(DayGrade::of(&day(0)), DayGrade::Full);
        // 86.4 s allowed: 86 s meets, 87 s does not.
        assert_eq!(DayGrade::of(&day(86)), DayGrade::Met);
        assert_eq!(DayGrade::of(&day(87)), DayGrade::Below);
        assert_eq!(
            DayGrade::of(
                &crate::sla::availability::availability(
                    Interval {
                        start: ts(0),
                        end: ts(0)
                    },
                    &[],
                    &[],
                    &target
                )
                .unwrap()
            ),
            DayGrade::NoFigure
        );
    }

    #[test]
    fn the_overview_puts_the_least_budget_first() {
        let row = |left, rate, met| OverviewRow {
            budget_left_seconds: left,
            burn_rate: rate,
            met,
        };
        let mut rows = [
            row(100, Some(0.5), Some(true)),
            row(0, None, None),
            row(-20, Some(3.0), Some(false)),
            row(100, Some(2.0), Some(true)),
        ];
        rows.sort_by(overview_order);
        assert_eq!(rows[0].budget_left_seconds, -20);
        assert_eq!(rows[1].burn_rate, Some(2.0));
        assert_eq!(rows[2].burn_rate, Some(0.5));
        assert_eq!(rows[3].met, None);
        assert!(needs_attention(&rows[0]) && needs_attention(&rows[1]));
        assert!(!needs_attention(&rows[2]));
        assert_eq!(budget_left_per_mille(-20, 200), Some(-100));
        assert_eq!(budget_left_per_mille(5, 0), None);
    }
}
