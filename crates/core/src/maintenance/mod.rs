//! Maintenance windows agreed with the partners (DOMAIN §6, issue 12): when a window's
//! occurrences are. A window is local wall time in Europe/Brussels, converted with the
//! compatible rule exactly as calendar slots are (DOMAIN §5): a time in the spring-forward gap
//! moves forward by the gap, an ambiguous one takes the earlier instant. So a 02:00–04:00
//! window on 29 March 2026 is [03:00+02:00, 04:00+02:00), one hour.

pub mod consultation;
pub mod notices;
pub mod request;
pub mod rrule;

use std::fmt;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Unit};

pub use rrule::{RRule, RRuleError};

use crate::sla::instant::{FIRST_YEAR, LAST_YEAR};

/// One occurrence of a window: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Occurrence {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// A window's times as proposed: its first occurrence's local start and end, and how it
/// recurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowTimes {
    pub start: DateTime,
    pub end: DateTime,
    pub rrule: Option<RRule>,
}

/// What is wrong with a window's times, and in which field (`start`, `end`, `rrule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowError {
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for WindowError {}

/// Parses a local time `YYYY-MM-DDTHH:MM` (minutes, no seconds, no offset: wall time in the
/// window's zone).
pub fn parse_local(text: &str) -> Result<DateTime, String> {
    let b = text.as_bytes();
    let shape = b.len() == 16
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && [0..4, 5..7, 8..10, 11..13, 14..16]
            .into_iter()
            .all(|r| b[r].iter().all(u8::is_ascii_digit));
    if !shape {
        return Err(format!("`{text}` is not a local time YYYY-MM-DDTHH:MM"));
    }
    let dt: DateTime = text
        .parse()
        .map_err(|_| format!("`{text}` is not a date and time that exists"))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&dt.year()) {
        return Err(format!("`{text}` is outside 1900–2200"));
    }
    Ok(dt)
}

/// Writes a local time as [`parse_local`] reads it.
pub fn format_local(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M").to_string()
}

/// A local time as an instant, by the compatible rule.
pub fn instant(tz: &TimeZone, dt: DateTime) -> Timestamp {
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .expect("a local time of 1900–2200 is an instant")
}

impl WindowTimes {
    /// Reads the proposal's `start`, `end` and `rrule`.
    pub fn parse(start: &str, end: &str, rrule: Option<&str>) -> Result<WindowTimes, WindowError> {
        let start = parse_local(start).map_err(|message| WindowError {
            field: "start",
            message,
        })?;
        let end = parse_local(end).map_err(|message| WindowError {
            field: "end",
            message,
        })?;
        let rrule = rrule
            .map(RRule::parse)
            .transpose()
            .map_err(|e| WindowError {
                field: "rrule",
                message: e.to_string(),
            })?;
        Ok(WindowTimes { start, end, rrule })
    }

    /// The occurrences, in order, as instants in `tz`. Each keeps the first one's local start
    /// and its wall-clock length (02:00–04:00 stays 02:00–04:00 on the wall, and lasts what
    /// the night's DST makes of it); one that the spring-forward night leaves empty is dropped,
    /// as a calendar slot is (a window with no occurrence left is an error).
    pub fn occurrences(&self, tz: &TimeZone) -> Result<Vec<Occurrence>, WindowError> {
        if self.end <= self.start {
            return Err(WindowError {
                field: "end",
                message: format!(
                    "{} is not after the start {}",
                    format_local(self.end),
                    format_local(self.start)
                ),
            });
        }
        let length = self
            .start
            .until((Unit::Minute, self.end))
            .expect("two local times of 1900–2200");
        let starts = match &self.rrule {
            None => vec![self.start],
            Some(rule) => rule.expand(self.start, tz).map_err(|e| WindowError {
                field: "rrule",
                message: e.to_string(),
            })?,
        };
        let mut out: Vec<Occurrence> = Vec::with_capacity(starts.len());
        for local in starts {
            let end_local = local.checked_add(length).map_err(|_| WindowError {
                field: "end",
                message: "an occurrence ends outside 1900–2200".into(),
            })?;
            let (start, end) = (instant(tz, local), instant(tz, end_local));
            if end <= start {
                // The night the clocks move forward left it no time (02:00–03:00 becomes
                // [03:00, 03:00)): dropped, as a calendar slot that becomes empty is.
                continue;
            }
            if let Some(prev) = out.last() {
                if start < prev.end {
                    return Err(WindowError {
                        field: "end",
                        message: format!(
                            "the occurrence of {} begins before the one before it ends: a window \
                             lasts less than the time between two occurrences",
                            format_local(local)
                        ),
                    });
                }
            }
            out.push(Occurrence { start, end });
        }
        if out.is_empty() {
            return Err(WindowError {
                field: "end",
                message: format!(
                    "{} – {} has no time left once the clocks move forward",
                    format_local(self.start),
                    format_local(self.end)
                ),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
