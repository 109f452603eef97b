//! The recurrence of a maintenance window (issue 12): a subset of RFC 5545's RRULE —
//! `FREQ=WEEKLY|MONTHLY`, `INTERVAL`, `BYDAY` (with ordinals for monthly: `1SU`, `-1SA`),
//! `BYMONTHDAY`, and an end by `COUNT` or `UNTIL` — expanded on local dates of the window's zone.
//!
//! * The window's start (RFC 5545's DTSTART) must be an occurrence of the rule, and it is the
//!   first. RFC 5545 counts DTSTART as an occurrence even when the rule does not produce it,
//!   and implementations differ there; a start the rule does not produce is refused instead,
//!   so that every reading of the rule gives the same occurrences.
//! * Weeks begin on Monday (RFC 5545's default `WKST`); `WKST` itself is outside the subset.
//! * In a month without the day asked for (the 31st, `5FR`) that month has no occurrence, as
//!   RFC 5545 says of invalid dates.
//! * With both `BYDAY` and `BYMONTHDAY`, a day must match both (RFC 5545: `BYDAY` limits).
//! * `UNTIL` is a date (`YYYYMMDD`: occurrences starting on or before that local date), a local
//!   time (`YYYYMMDDTHHMMSS`) or a UTC instant (`…Z`), inclusive. A rule without `COUNT` or
//!   `UNTIL` never ends, and is refused: a consultation needs a finite list.

use std::fmt;

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::TimeZone;
use jiff::ToSpan;

use crate::sla::instant::LAST_YEAR;

/// Occurrences one window may have at most (ten years of a window every working day fit).
pub const MAX_OCCURRENCES: usize = 5_000;

/// How often the rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    Weekly,
    Monthly,
}

/// A day of `BYDAY`: a weekday, with an ordinal within the month for monthly rules (`1SU` is
/// the first Sunday, `-1SA` the last Saturday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByDay {
    pub ordinal: Option<i8>,
    pub weekday: Weekday,
}

/// Where the rule ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// On or before this local date.
    Date(Date),
    /// Starting at or before this local time.
    Local(DateTime),
    /// Starting at or before this instant.
    Instant(jiff::Timestamp),
}

/// How many occurrences, or until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Count(u32),
    Until(Until),
}

/// A parsed rule of the subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRule {
    pub freq: Freq,
    pub interval: u32,
    pub by_day: Vec<ByDay>,
    pub by_month_day: Vec<i8>,
    pub end: End,
}

/// What is wrong with a rule, and in which part (`FREQ`, `BYDAY`, …, or `RRULE` for the
/// whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RRuleError {
    pub part: String,
    pub reason: String,
}

impl fmt::Display for RRuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RRULE {}: {}", self.part, self.reason)
    }
}

impl std::error::Error for RRuleError {}

fn err(part: &str, reason: impl Into<String>) -> RRuleError {
    RRuleError {
        part: part.to_owned(),
        reason: reason.into(),
    }
}

const SUBSET: &str = "the subset is FREQ=WEEKLY|MONTHLY, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL";

fn weekday(code: &str) -> Option<Weekday> {
    Some(match code {
        "MO" => Weekday::Monday,
        "TU" => Weekday::Tuesday,
        "WE" => Weekday::Wednesday,
        "TH" => Weekday::Thursday,
        "FR" => Weekday::Friday,
        "SA" => Weekday::Saturday,
        "SU" => Weekday::Sunday,
        _ => return None,
    })
}

fn weekday_code(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

/// A signed whole number of the rule (`+1`, `-1`, `15`).
fn signed(text: &str) -> Option<i64> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'-' => (-1, &text[1..]),
        b'+' => (1, &text[1..]),
        _ => (1, text),
    };
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().map(|n| sign * n)
}

fn parse_until(value: &str) -> Result<Until, RRuleError> {
    let bad = || {
        err(
            "UNTIL",
            format!("`{value}` is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ"),
        )
    };
    let b = value.as_bytes();
    if b.len() < 8 || !b[..8].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| value[r].parse::<i16>().map_err(|_| bad());
    let date = Date::new(n(0..4)?, n(4..6)? as i8, n(6..8)? as i8).map_err(|_| bad())?;
    if b.len() == 8 {
        return Ok(Until::Date(date));
    }
    if !(b.len() == 15 || b.len() == 16) || b[8] != b'T' || !b[9..15].iter().all(u8::is_ascii_digit)
    {
        return Err(bad());
    }
    let time = jiff::civil::Time::new(n(9..11)? as i8, n(11..13)? as i8, n(13..15)? as i8, 0)
        .map_err(|_| bad())?;
    let local = date.to_datetime(time);
    match b.get(15) {
        None => Ok(Until::Local(local)),
        Some(b'Z') => TimeZone::UTC
            .to_timestamp(local)
            .map(Until::Instant)
            .map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

impl RRule {
    /// Parses `FREQ=…;…` (an `RRULE:` prefix is allowed; names and values are case-insensitive,
    /// as RFC 5545 has them).
    pub fn parse(text: &str) -> Result<RRule, RRuleError> {
        let upper = text.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
        if body.is_empty() {
            return Err(err("RRULE", "empty"));
        }
        let mut freq = None;
        let mut interval = None;
        let mut by_day = None;
        let mut by_month_day = None;
        let mut count = None;
        let mut until = None;
        for part in body.split(';') {
            let Some((name, value)) = part.split_once('=') else {
                return Err(err(part, "expected NAME=VALUE"));
            };
            let seen = match name {
                "FREQ" => freq.is_some(),
                "INTERVAL" => interval.is_some(),
                "BYDAY" => by_day.is_some(),
                "BYMONTHDAY" => by_month_day.is_some(),
                "COUNT" => count.is_some(),
                "UNTIL" => until.is_some(),
                _ => return Err(err(name, format!("not supported ({SUBSET})"))),
            };
            if seen {
                return Err(err(name, "given twice"));
            }
            if value.is_empty() {
                return Err(err(name, "has no value"));
            }
            match name {
                "FREQ" => {
                    freq = Some(match value {
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        _ => {
                            return Err(err(
                                "FREQ",
                                format!("`{value}` is not supported: WEEKLY or MONTHLY"),
                            ))
                        }
                    })
                }
                "INTERVAL" => match signed(value) {
                    Some(n @ 1..=1000) if !value.starts_with(['+', '-']) => {
                        interval = Some(n as u32)
                    }
                    _ => return Err(err("INTERVAL", format!("`{value}` is not 1 to 1000"))),
                },
                "COUNT" => match signed(value) {
                    Some(n)
                        if n >= 1
                            && n as usize <= MAX_OCCURRENCES
                            && !value.starts_with(['+', '-']) =>
                    {
                        count = Some(n as u32)
                    }
                    _ => {
                        return Err(err(
                            "COUNT",
                            format!("`{value}` is not 1 to {MAX_OCCURRENCES}"),
                        ))
                    }
                },
                "UNTIL" => until = Some(parse_until(value)?),
                "BYDAY" => {
                    let mut days = Vec::new();
                    for item in value.split(',') {
                        let bad = || {
                            err(
                                "BYDAY",
                                format!("`{item}` is not a day like MO, 1SU or -1SA"),
                            )
                        };
                        if item.len() < 2 || !item.is_char_boundary(item.len() - 2) {
                            return Err(bad());
                        }
                        let (ord, code) = item.split_at(item.len() - 2);
                        let weekday = weekday(code).ok_or_else(bad)?;
                        let ordinal = if ord.is_empty() {
                            None
                        } else {
                            match signed(ord) {
                                Some(n @ (-5..=-1 | 1..=5)) => Some(n as i8),
                                _ => {
                                    return Err(err(
                                        "BYDAY",
                                        format!("`{item}`: the ordinal is 1 to 5 or -1 to -5"),
                                    ))
                                }
                            }
                        };
                        let day = ByDay { ordinal, weekday };
                        if days.contains(&day) {
                            return Err(err("BYDAY", format!("`{item}` is given twice")));
                        }
                        days.push(day);
                    }
                    by_day = Some(days);
                }
                "BYMONTHDAY" => {
                    let mut days = Vec::new();
                    for item in value.split(',') {
                        match signed(item) {
                            Some(n @ (-31..=-1 | 1..=31)) if !days.contains(&(n as i8)) => {
                                days.push(n as i8)
                            }
                            Some(n @ (-31..=-1 | 1..=31)) => {
                                return Err(err("BYMONTHDAY", format!("`{n}` is given twice")))
                            }
                            _ => {
                                return Err(err(
                                    "BYMONTHDAY",
                                    format!("`{item}` is not 1 to 31 or -1 to -31"),
                                ))
                            }
                        }
                    }
                    by_month_day = Some(days);
                }
                _ => unreachable!("names are checked above"),
            }
        }
        let freq = freq.ok_or_else(|| err("FREQ", "missing: WEEKLY or MONTHLY"))?;
        let by_day = by_day.unwrap_or_default();
        let by_month_day = by_month_day.unwrap_or_default();
        if freq == Freq::Weekly {
            if let Some(d) = by_day.iter().find(|d| d.ordinal.is_some()) {
                return Err(err(
                    "BYDAY",
                    format!(
                        "an ordinal ({}{}) needs FREQ=MONTHLY",
                        d.ordinal.unwrap_or(0),
                        weekday_code(d.weekday)
                    ),
                ));
            }
            if !by_month_day.is_empty() {
                return Err(err("BYMONTHDAY", "needs FREQ=MONTHLY"));
            }
        }
        let end = match (count, until) {
            (Some(c), None) => End::Count(c),
            (None, Some(u)) => End::Until(u),
            (Some(_), Some(_)) => return Err(err("COUNT", "COUNT and UNTIL cannot both be given")),
            (None, None) => {
                return Err(err(
                    "RRULE",
                    "no end: give COUNT or UNTIL (a window cannot recur for ever)",
                ))
            }
        };
        Ok(RRule {
            freq,
            interval: interval.unwrap_or(1),
            by_day,
            by_month_day,
            end,
        })
    }

    /// The rule in its normal form (upper case, parts in a fixed order): what is stored and
    /// written to an iCalendar feed.
    pub fn to_rule_string(&self) -> String {
        let mut parts = vec![format!(
            "FREQ={}",
            match self.freq {
                Freq::Weekly => "WEEKLY",
                Freq::Monthly => "MONTHLY",
            }
        )];
        if self.interval != 1 {
            parts.push(format!("INTERVAL={}", self.interval));
        }
        if !self.by_day.is_empty() {
            let days: Vec<String> = self
                .by_day
                .iter()
                .map(|d| match d.ordinal {
                    Some(n) => format!("{n}{}", weekday_code(d.weekday)),
                    None => weekday_code(d.weekday).to_owned(),
                })
                .collect();
            parts.push(format!("BYDAY={}", days.join(",")));
        }
        if !self.by_month_day.is_empty() {
            let days: Vec<String> = self.by_month_day.iter().map(i8::to_string).collect();
            parts.push(format!("BYMONTHDAY={}", days.join(",")));
        }
        parts.push(match self.end {
            End::Count(n) => format!("COUNT={n}"),
            End::Until(Until::Date(d)) => format!("UNTIL={}", d.strftime("%Y%m%d")),
            End::Until(Until::Local(t)) => format!("UNTIL={}", t.strftime("%Y%m%dT%H%M%S")),
            End::Until(Until::Instant(t)) => format!("UNTIL={}", t.strftime("%Y%m%dT%H%M%SZ")),
        });
        parts.join(";")
    }

    /// The local start of every occurrence, the first being `start`, in order. `tz` places an
    /// `UNTIL` given in UTC.
    pub fn expand(&self, start: DateTime, tz: &TimeZone) -> Result<Vec<DateTime>, RRuleError> {
        let first = start.date();
        let mut out: Vec<DateTime> = Vec::new();
        let mut period: i64 = 0;
        while let Some(dates) = self.period_dates(first, period) {
            period += 1;
            for date in dates {
                if date < first {
                    continue;
                }
                let at = date.to_datetime(start.time());
                if out.is_empty() && date != first {
                    return Err(self.start_is_not_an_occurrence(first));
                }
                let past_end = match self.end {
                    End::Count(n) => out.len() >= n as usize,
                    End::Until(Until::Date(d)) => date > d,
                    End::Until(Until::Local(t)) => at > t,
                    End::Until(Until::Instant(t)) => tz
                        .to_ambiguous_timestamp(at)
                        .compatible()
                        .is_ok_and(|s| s > t),
                };
                if past_end && out.is_empty() {
                    return Err(err(
                        "UNTIL",
                        "before the window's start: the rule has no occurrence",
                    ));
                }
                if past_end {
                    return Ok(out);
                }
                if out.len() == MAX_OCCURRENCES {
                    return Err(err(
                        "RRULE",
                        format!("more than {MAX_OCCURRENCES} occurrences: end it sooner"),
                    ));
                }
                out.push(at);
            }
        }
        if out.is_empty() {
            return Err(self.start_is_not_an_occurrence(first));
        }
        Ok(out)
    }

    fn start_is_not_an_occurrence(&self, first: Date) -> RRuleError {
        let part = if !self.by_day.is_empty() {
            "BYDAY"
        } else if !self.by_month_day.is_empty() {
            "BYMONTHDAY"
        } else {
            "FREQ"
        };
        err(
            part,
            format!(
                "the window's start ({first}, a {:?}) is not an occurrence of the rule: it must be the first",
                first.weekday()
            ),
        )
    }

    /// The dates of the `k`-th period (week or month) counted from the one of `first`, in
    /// order; `None` past the supported range.
    fn period_dates(&self, first: Date, k: i64) -> Option<Vec<Date>> {
        let step = k.checked_mul(i64::from(self.interval))?;
        match self.freq {
            Freq::Weekly => {
                let monday = first
                    .checked_sub(i64::from(first.weekday().to_monday_zero_offset()).days())
                    .ok()?;
                let week = monday.checked_add((step * 7).days()).ok()?;
                if week.year() > LAST_YEAR {
                    return None;
                }
                let mut days: Vec<i8> = if self.by_day.is_empty() {
                    vec![first.weekday().to_monday_zero_offset()]
                } else {
                    self.by_day
                        .iter()
                        .map(|d| d.weekday.to_monday_zero_offset())
                        .collect()
                };
                days.sort_unstable();
                days.dedup();
                Some(
                    days.into_iter()
                        .filter_map(|d| week.checked_add(i64::from(d).days()).ok())
                        .filter(|d| d.year() <= LAST_YEAR)
                        .collect(),
                )
            }
            Freq::Monthly => {
                let month0 = i64::from(first.year()) * 12 + i64::from(first.month()) - 1 + step;
                let year = i16::try_from(month0.div_euclid(12)).ok()?;
                if year > LAST_YEAR {
                    return None;
                }
                let month = (month0.rem_euclid(12) + 1) as i8;
                let day1 = Date::new(year, month, 1).ok()?;
                let dim = day1.days_in_month();
                let mut days: Vec<i8> = (1..=dim)
                    .filter(|&d| {
                        let date = day1.with().day(d).build().expect("a day of the month");
                        self.day_matches(date, dim, first.day())
                    })
                    .collect();
                days.dedup();
                Some(
                    days.into_iter()
                        .map(|d| day1.with().day(d).build().expect("a day of the month"))
                        .collect(),
                )
            }
        }
    }

    /// Whether a date of a month with `dim` days is one of a monthly rule's.
    fn day_matches(&self, date: Date, dim: i8, start_day: i8) -> bool {
        let d = date.day();
        let by_month_day =
            self.by_month_day
                .iter()
                .any(|&n| if n > 0 { n == d } else { dim + 1 + n == d });
        let by_day = self.by_day.iter().any(|b| {
            b.weekday == date.weekday()
                && match b.ordinal {
                    None => true,
                    Some(n) if n > 0 => (d - 1) / 7 + 1 == n,
                    Some(n) => (dim - d) / 7 + 1 == -n,
                }
        });
        match (self.by_day.is_empty(), self.by_month_day.is_empty()) {
            (true, true) => d == start_day,
            (true, false) => by_month_day,
            (false, true) => by_day,
            (false, false) => by_day && by_month_day,
        }
    }
}
