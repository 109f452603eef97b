//! The SLA engine (DOMAIN §5 and §6): calendars, holidays, business time, clocks, availability.
//!
//! Everything here is pure (no IO) and works on exact integers: instants are whole unix seconds
//! (`jiff::Timestamp` at the API), durations are `i64` seconds, percentages are exact decimals.
//!
//! * [`calendar`] — the YAML-shaped [`calendar::CalendarSpec`], its validation, and the built
//!   [`calendar::Calendar`] (precomputed per year, lazily, with prefix sums).
//! * [`business_time`] — `elapsed`, `deadline`, `is_open`, `next_open` on a calendar, with pauses.
//! * [`holidays`] — the built-in Belgian holiday sets, 1900–2200.
//! * [`duration`], [`instant`] — the textual formats of the contract.
//! * [`clock`] — a ticket clock: an append-only log of run/pause segments.
//! * [`availability`] — agreed time, downtime and the exact comparison with a target.
//! * [`outages`] — a monitor's results → its outages and unmonitored time (a state machine that
//!   can be fed incrementally; the batch function runs the same machine).
//! * [`statement`] — one subscription's availability over a month or a period, from outages,
//!   unmonitored time, incidents and maintenance with its [`consent`].

pub mod agreement;
pub mod availability;
pub mod business_time;
pub mod calendar;
pub mod clock;
pub mod consent;
pub mod duration;
pub mod history;
pub mod holidays;
pub mod instant;
pub mod intervals;
pub mod outages;
pub mod statement;
mod yaml;

#[cfg(test)]
mod tests;

pub use business_time::Interval;

/// An error of a business-time or availability computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// An interval whose start is after its end (`start == end` is a valid, empty interval).
    #[error("interval starts after it ends: {start}/{end}")]
    IntervalReversed {
        /// The start, as written in RFC 3339 (UTC).
        start: String,
        /// The end, as written in RFC 3339 (UTC).
        end: String,
    },
    /// `elapsed(from, to)` or a period with `from` after `to`.
    #[error("from is after to: {from} > {to}")]
    FromAfterTo {
        /// The start, RFC 3339 (UTC).
        from: String,
        /// The end, RFC 3339 (UTC).
        to: String,
    },
    /// A negative duration was given.
    #[error("negative duration: {0} s")]
    NegativeDuration(i64),
    /// The calendar has not enough open time before 2201-01-01 (in its zone) to reach the goal.
    #[error("no open time before 2201: the deadline is beyond the supported range")]
    NoOpenTime,
}

/// Unix seconds as an instant (panics only outside jiff's range, which no stored instant is).
pub fn ts(secs: i64) -> jiff::Timestamp {
    // Every instant the engine produces lies between two instants it was given or within the
    // calendar's precomputed range (1899–2201), far inside jiff's range.
    jiff::Timestamp::from_second(secs).expect("instant within jiff's range")
}
