//! Business time on a built [`Calendar`] (DOMAIN §5): `elapsed`, `deadline`, `is_open`,
//! `next_open`, each also with pauses (time inside a pause does not count).
//!
//! * `elapsed(a, b)` = the measure of open time in `[a, b)` minus pauses.
//! * `deadline(start, d)` = the earliest `t >= start` with `elapsed(start, t) == d`. For `d = 0`
//!   that is `start`, even in closed or paused time. Because it is the *earliest* such `t`, a
//!   deadline that ends a period is that period's end: Friday 17:30 + 30 min = Friday 18:00.
//! * No open time exists outside local dates 1900-01-01 to 2200-12-31 in the calendar zone: a
//!   deadline that would need it is [`SlaError::NoOpenTime`].
//!
//! Cost: `O(log n)` per call plus `O(k log k)` for `k` pauses; see [`super::calendar`].

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::intervals::{normalize, Span};
use super::{ts, SlaError};

/// A half-open interval `[start, end)` of instants: a pause, an outage, a maintenance window,
/// an open period. Serialises as `{"start": …, "end": …}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Interval {
    /// First instant inside.
    pub start: Timestamp,
    /// First instant after (not inside).
    pub end: Timestamp,
}

impl Interval {
    /// An interval; `start > end` is an error, `start == end` is empty.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Interval, SlaError> {
        if start > end {
            return Err(SlaError::IntervalReversed {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(Interval { start, end })
    }

    /// Length in seconds.
    pub fn seconds(&self) -> i64 {
        self.end.as_second() - self.start.as_second()
    }

    pub(crate) fn span(&self) -> Span {
        (self.start.as_second(), self.end.as_second())
    }
}

/// Normalises intervals (checked, sorted, merged) into spans.
pub(crate) fn spans_of(intervals: &[Interval]) -> Result<Vec<Span>, SlaError> {
    normalize(intervals.iter().map(Interval::span).collect())
}

fn check_order(from: Timestamp, to: Timestamp) -> Result<(), SlaError> {
    if from > to {
        return Err(SlaError::FromAfterTo {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    Ok(())
}

impl Calendar {
    /// Business seconds in `[from, to)`; `from == to` gives 0, `from > to` is an error.
    pub fn elapsed(&self, from: Timestamp, to: Timestamp) -> Result<i64, SlaError> {
        check_order(from, to)?;
        Ok(self.measure(from.as_second(), to.as_second()))
    }

    /// Business seconds in `[from, to)` outside the pauses (which may overlap, and may reach
    /// outside `[from, to)`).
    pub fn elapsed_with_pauses(
        &self,
        from: Timestamp,
        to: Timestamp,
        pauses: &[Interval],
    ) -> Result<i64, SlaError> {
        check_order(from, to)?;
        let pauses = spans_of(pauses)?;
        Ok(self.measure_paused(from.as_second(), to.as_second(), &pauses))
    }

    pub(crate) fn measure_paused(&self, a: i64, b: i64, pauses: &[Span]) -> i64 {
        let mut total = self.measure(a, b);
        let first = pauses.partition_point(|p| p.1 <= a);
        for &(ps, pe) in &pauses[first..] {
            if ps >= b {
                break;
            }
            total -= self.measure(ps.max(a), pe.min(b));
        }
        total
    }

    /// The deadline of `seconds` business seconds from `start` (see the module doc).
    pub fn deadline(&self, start: Timestamp, seconds: i64) -> Result<Timestamp, SlaError> {
        self.deadline_secs(start.as_second(), seconds).map(ts)
    }

    /// [`Calendar::deadline`] on unix seconds.
    pub fn deadline_secs(&self, start: i64, seconds: i64) -> Result<i64, SlaError> {
        match seconds {
            0 => Ok(start),
            d if d < 0 => Err(SlaError::NegativeDuration(d)),
            d => self.reach(start, d),
        }
    }

    /// The deadline of `seconds` business seconds from `start`, time inside pauses not counting.
    /// A pause never moves a deadline earlier.
    pub fn deadline_with_pauses(
        &self,
        start: Timestamp,
        seconds: i64,
        pauses: &[Interval],
    ) -> Result<Timestamp, SlaError> {
        let pauses = spans_of(pauses)?;
        self.deadline_paused(start.as_second(), seconds, &pauses)
            .map(ts)
    }

    pub(crate) fn deadline_paused(
        &self,
        start: i64,
        seconds: i64,
        pauses: &[Span],
    ) -> Result<i64, SlaError> {
        if seconds <= 0 {
            return self.deadline_secs(start, seconds);
        }
        let mut remaining = seconds;
        let mut cursor = start;
        let first = pauses.partition_point(|p| p.1 <= start);
        for &(ps, pe) in &pauses[first..] {
            if ps > cursor {
                let available = self.measure(cursor, ps);
                if remaining <= available {
                    return self.reach(cursor, remaining);
                }
                remaining -= available;
            }
            cursor = cursor.max(pe);
        }
        self.reach(cursor, remaining)
    }

    /// Whether the calendar is open at `t` (open periods are half-open: closed at their end).
    pub fn is_open(&self, t: Timestamp) -> bool {
        self.open_at(t.as_second())
    }

    /// Whether the calendar is open at `t` and `t` is in no pause.
    pub fn is_open_with_pauses(&self, t: Timestamp, pauses: &[Interval]) -> Result<bool, SlaError> {
        let pauses = spans_of(pauses)?;
        let s = t.as_second();
        Ok(self.open_at(s) && !pauses.iter().any(|&(ps, pe)| ps <= s && s < pe))
    }

    /// The earliest instant in `[from, last]` at which the calendar is closed, if any.
    pub fn first_closed(&self, from: Timestamp, last: Timestamp) -> Option<Timestamp> {
        self.first_closed_at(from.as_second(), last.as_second())
            .map(ts)
    }

    /// The earliest instant `>= t` at which the calendar is open; `None` when there is no open
    /// time before 2201.
    pub fn next_open(&self, t: Timestamp) -> Option<Timestamp> {
        self.next_open_at(t.as_second()).map(ts)
    }

    /// The earliest instant `>= t` that is open and in no pause.
    pub fn next_open_with_pauses(
        &self,
        t: Timestamp,
        pauses: &[Interval],
    ) -> Result<Option<Timestamp>, SlaError> {
        let pauses = spans_of(pauses)?;
        let mut cursor = t.as_second();
        for &(ps, pe) in &pauses[pauses.partition_point(|p| p.1 <= cursor)..] {
            let Some(open) = self.next_open_at(cursor) else {
                return Ok(None);
            };
            if open < ps {
                return Ok(Some(ts(open)));
            }
            cursor = open.max(pe);
        }
        Ok(self.next_open_at(cursor).map(ts))
    }

    /// The open periods within `[from, to)` outside the pauses, clipped and in order — what a
    /// deadline "consumed" (`pacta sla deadline --explain`).
    pub fn open_periods(
        &self,
        from: Timestamp,
        to: Timestamp,
        pauses: &[Interval],
    ) -> Result<Vec<Interval>, SlaError> {
        check_order(from, to)?;
        let pauses = spans_of(pauses)?;
        let mut out = Vec::new();
        for (s, e) in self.open_spans(from.as_second(), to.as_second()) {
            let mut cursor = s;
            for &(ps, pe) in &pauses[pauses.partition_point(|p| p.1 <= s)..] {
                if ps >= e {
                    break;
                }
                if ps > cursor {
                    out.push(Interval {
                        start: ts(cursor),
                        end: ts(ps),
                    });
                }
                cursor = cursor.max(pe);
            }
            if cursor < e {
                out.push(Interval {
                    start: ts(cursor),
                    end: ts(e),
                });
            }
        }
        Ok(out)
    }
}
