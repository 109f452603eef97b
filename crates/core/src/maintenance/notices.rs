//! When Pacta tells a consulted partner about a window (issue 12, point 5), as instants the job
//! runner keeps: the reminder two working days before a deadline, the decision at the deadline,
//! and each occurrence's start.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use crate::sla::business_time::Interval;
use crate::sla::calendar::Calendar;

/// How many days back a reminder looks for working days before giving up (a calendar closed for
/// a month has no working day to remind on).
const LOOK_BACK_DAYS: i64 = 31;

fn first_open(calendar: &Calendar, day: Date) -> Option<Timestamp> {
    let tz = calendar.time_zone().clone();
    let from = day.to_zoned(tz.clone()).ok()?.timestamp();
    let to = day.tomorrow().ok()?.to_zoned(tz).ok()?.timestamp();
    let periods: Vec<Interval> = calendar.open_periods(from, to, &[]).ok()?;
    periods.first().map(|p| p.start)
}

/// The reminder of a deadline: the first open instant of the second working day of `calendar`
/// (a local day with open time) before the deadline's local day. A deadline on Tuesday
/// 8 December 2026 at 02:00 is reminded on Friday 4 December at 08:00 on Belgian working hours
/// (Monday the 7th is the first working day before it, Friday the 4th the second), so the
/// partner has two whole working days to answer. `None` when no such day lies within a month.
pub fn reminder_at(calendar: &Calendar, deadline: Timestamp) -> Option<Timestamp> {
    let day = deadline.to_zoned(calendar.time_zone().clone()).date();
    let mut working = 0;
    for back in 1..=LOOK_BACK_DAYS {
        let d = day.checked_sub(back.days()).ok()?;
        if let Some(open) = first_open(calendar, d) {
            working += 1;
            if working == 2 {
                return Some(open);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::calendar::CalendarSpec;
    use crate::sla::instant::parse_instant;

    fn be() -> Calendar {
        CalendarSpec::be_working_hours().build().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        parse_instant(s).unwrap()
    }

    #[test]
    fn the_reminder_is_two_working_days_before_the_deadline_day() {
        // Tuesday 8 December 2026, 02:00: Monday the 7th, then Friday the 4th at 08:00.
        assert_eq!(
            reminder_at(&be(), at("2026-12-08T02:00:00+01:00")),
            Some(at("2026-12-04T08:00:00+01:00"))
        );
        // A deadline late on a working day counts only the days before it.
        assert_eq!(
            reminder_at(&be(), at("2026-12-10T17:00:00+01:00")),
            Some(at("2026-12-08T08:00:00+01:00"))
        );
        // Over Christmas and the New Year (holidays on 25 December and 1 January): a deadline
        // on Monday 4 January 2027 is reminded on Wednesday 30 December (the 31st is the first
        // working day before it).
        assert_eq!(
            reminder_at(&be(), at("2027-01-04T10:00:00+01:00")),
            Some(at("2026-12-30T08:00:00+01:00"))
        );
        // Across the spring-forward night: the working day begins at 08:00 +02:00.
        assert_eq!(
            reminder_at(&be(), at("2027-04-01T09:00:00+02:00")),
            Some(at("2027-03-30T08:00:00+02:00"))
        );
    }
}
