//! How long monitors' data is kept (issue 10, "Storage and scale"; pruned by the job of issue
//! 11): raw results a configurable number of days (7 by default), per-minute roll-ups 31 days,
//! hourly roll-ups 13 months, daily roll-ups, outages, incidents and statements forever.

use jiff::{Span, Timestamp};

/// Raw results are kept this many days unless configured otherwise.
pub const DEFAULT_RAW_DAYS: i64 = 7;
/// Per-minute roll-ups are kept this many days.
pub const MINUTE_ROLLUP_DAYS: i64 = 31;
/// Hourly roll-ups are kept this many calendar months (Europe/Brussels).
pub const HOUR_ROLLUP_MONTHS: i64 = 13;

/// The instants (unix seconds) before which each kind of data may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Raw results at or before the last checkpoint at or before this instant go (a late result
    /// after that checkpoint is still placed exactly).
    pub raw: i64,
    /// Per-minute roll-ups of minutes starting before this instant go.
    pub minutes: i64,
    /// Hourly roll-ups of hours starting before this instant go.
    pub hours: i64,
}

/// The cutoffs at `now` with raw results kept `raw_days` days: days of 86,400 s, and the
/// months of the local calendar (13 months before 2026-03-29T02:30 local is 2025-02-28T02:30).
pub fn cutoffs(now: Timestamp, raw_days: i64) -> Cutoffs {
    let secs = now.as_second();
    let local = now.to_zoned(crate::subscription::zone().clone());
    let hours = local
        .checked_sub(Span::new().months(HOUR_ROLLUP_MONTHS))
        .map(|z| z.timestamp().as_second())
        .unwrap_or(secs - HOUR_ROLLUP_MONTHS * 31 * 86_400);
    Cutoffs {
        raw: secs - raw_days.max(1) * 86_400,
        minutes: secs - MINUTE_ROLLUP_DAYS * 86_400,
        hours,
    }
}

/// When the retention job runs next after `now`: 03:30 Europe/Brussels (the compatible rule on
/// a night the clocks change), the quiet hour after the month close at 01:00.
pub fn next_run(now: Timestamp) -> Timestamp {
    let zone = crate::subscription::zone().clone();
    let local = now.to_zoned(zone.clone());
    let mut day = local.date();
    loop {
        if let Ok(z) = day.at(3, 30, 0, 0).to_zoned(zone.clone()) {
            if z.timestamp() > now {
                return z.timestamp();
            }
        }
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => return now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::instant::parse_instant;

    #[test]
    fn the_cutoffs_count_days_and_local_months() {
        let now = parse_instant("2026-06-15T12:00:00+02:00").unwrap();
        let c = cutoffs(now, 7);
        assert_eq!(c.raw, now.as_second() - 7 * 86_400);
        assert_eq!(c.minutes, now.as_second() - 31 * 86_400);
        assert_eq!(
            c.hours,
            parse_instant("2025-05-15T12:00:00+02:00")
                .unwrap()
                .as_second()
        );
        assert_eq!(
            cutoffs(now, 0).raw,
            now.as_second() - 86_400,
            "at least a day"
        );
    }

    #[test]
    fn the_job_runs_at_half_past_three_local() {
        let at = |s: &str| parse_instant(s).unwrap();
        assert_eq!(
            next_run(at("2026-06-15T12:00:00+02:00")),
            at("2026-06-16T03:30:00+02:00")
        );
        assert_eq!(
            next_run(at("2026-06-15T03:29:59+02:00")),
            at("2026-06-15T03:30:00+02:00")
        );
        assert_eq!(
            next_run(at("2026-06-15T03:30:00+02:00")),
            at("2026-06-16T03:30:00+02:00")
        );
        // Across the autumn change (25 October 2026): 03:30 is after the repeated hour.
        assert_eq!(
            next_run(at("2026-10-24T04:00:00+02:00")),
            at("2026-10-25T03:30:00+01:00")
        );
    }
}
