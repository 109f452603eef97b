//! Ticket clocks (DOMAIN §4, §5): an append-only log of run and pause segments.
//!
//! A clock is started, paused (e.g. `waiting_partner`), resumed, stopped (first response,
//! `resolved`) and resumed again on reopen. Only *run* segments count as business time; the
//! gap after a stop counts as nothing. From the log and a goal on a calendar:
//!
//! * **business elapsed** — open time inside run segments;
//! * **wall elapsed** — from the first start to the last stop (or now), pauses included;
//! * **deadline** — the earliest instant at which the business elapsed time reaches the goal if
//!   the clock keeps running: `calendar.deadline(last_resume, goal − spent)` while running, or
//!   the past instant where it was reached; `None` while paused or stopped short of the goal;
//! * **thresholds** — the same for `ceil(goal × p / 100)` business seconds (75 %, 100 %, 150 %)
//!   or for `goal + offset` (a signed business-time offset from the deadline);
//! * **breach** — the clock ran at some instant *after* its deadline. A clock stopped exactly
//!   at its deadline meets it. The first breach observed is kept as the original breach time,
//!   across later recomputation (a changed goal or calendar).
//!
//! The log is serde-serialisable so that the store can keep it; the deadline is always
//! recomputed from it, never stored as the truth.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::SlaError;

/// Whether a segment counts (run) or not (pause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SegmentKind {
    /// The clock runs: open time counts.
    Run,
    /// The clock is paused: nothing counts.
    Pause,
}

/// One segment of a clock's log: `[start, end)`, `end` absent while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Run or pause.
    pub kind: SegmentKind,
    /// When it began.
    pub start: Timestamp,
    /// When it ended; `None` for the current segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
}

/// The state of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Never started.
    NotStarted,
    /// Running.
    Running,
    /// Paused.
    Paused,
    /// Stopped (may be resumed: a reopened ticket).
    Stopped,
}

/// An operation that the clock's state does not allow, or an instant before the last one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// e.g. pausing a stopped clock, starting a started one.
    #[error("cannot {action} a clock that is {state:?}")]
    InvalidTransition {
        /// The refused operation.
        action: &'static str,
        /// The state it was refused in.
        state: ClockState,
    },
    /// The log is append-only: an event cannot precede the last one.
    #[error("clock events must not go back in time ({at} is before {last})")]
    BackInTime {
        /// The refused instant.
        at: Timestamp,
        /// The last instant of the log.
        last: Timestamp,
    },
    /// A stored log that is not a valid sequence of segments.
    #[error("invalid clock log: {0}")]
    InvalidLog(String),
}

/// A ticket clock. See the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ClockRepr", into = "ClockRepr")]
pub struct Clock {
    segments: Vec<Segment>,
    original_breach_at: Option<Timestamp>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRepr {
    segments: Vec<Segment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original_breach_at: Option<Timestamp>,
}

impl From<Clock> for ClockRepr {
    fn from(c: Clock) -> ClockRepr {
        ClockRepr {
            segments: c.segments,
            original_breach_at: c.original_breach_at,
        }
    }
}

impl TryFrom<ClockRepr> for Clock {
    type Error = ClockError;
    fn try_from(r: ClockRepr) -> Result<Clock, ClockError> {
        let bad = |m: &str| Err(ClockError::InvalidLog(m.to_string()));
        let mut last: Option<Timestamp> = None;
        for (i, seg) in r.segments.iter().enumerate() {
            let is_last = i + 1 == r.segments.len();
            if i == 0 && seg.kind != SegmentKind::Run {
                return bad("the first segment must be a run");
            }
            if seg.end.is_none() && !is_last {
                return bad("only the last segment may be open");
            }
            if last.is_some_and(|l| seg.start < l) || seg.end.is_some_and(|e| e < seg.start) {
                return bad("segments must be in time order");
            }
            if i > 0 && seg.kind == SegmentKind::Pause {
                let prev = r.segments[i - 1];
                if prev.kind != SegmentKind::Run || prev.end != Some(seg.start) {
                    return bad("a pause must follow its run segment directly");
                }
            }
            last = Some(seg.end.unwrap_or(seg.start));
        }
        Ok(Clock {
            segments: r.segments,
            original_breach_at: r.original_breach_at,
        })
    }
}

/// What a clock says at an instant, for a goal on a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockStatus {
    /// The clock's state.
    pub state: ClockState,
    /// Business seconds run so far (pauses and stopped time excluded).
    pub business_elapsed: i64,
    /// Seconds from the first start to the last stop (or now), pauses included.
    pub wall_elapsed: i64,
    /// The deadline (see the module doc); `None` while paused or stopped short of the goal.
    pub deadline: Option<Timestamp>,
    /// Whether the clock ran at an instant after its deadline.
    pub breached: bool,
    /// The first breach instant ever observed (kept across recomputation).
    pub original_breach_at: Option<Timestamp>,
}

impl Clock {
    /// A clock that has not started.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// The log, oldest first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The first breach instant observed by [`Clock::observe`], if any.
    pub fn original_breach_at(&self) -> Option<Timestamp> {
        self.original_breach_at
    }

    /// The current state.
    pub fn state(&self) -> ClockState {
        match self.segments.last() {
            None => ClockState::NotStarted,
            Some(s) if s.end.is_some() => ClockState::Stopped,
            Some(s) if s.kind == SegmentKind::Run => ClockState::Running,
            Some(_) => ClockState::Paused,
        }
    }

    fn last_instant(&self) -> Option<Timestamp> {
        self.segments.last().map(|s| s.end.unwrap_or(s.start))
    }

    fn check(
        &self,
        action: &'static str,
        at: Timestamp,
        allowed: &[ClockState],
    ) -> Result<(), ClockError> {
        let state = self.state();
        if !allowed.contains(&state) {
            return Err(ClockError::InvalidTransition { action, state });
        }
        match self.last_instant() {
            Some(last) if at < last => Err(ClockError::BackInTime { at, last }),
            _ => Ok(()),
        }
    }

    fn close_current(&mut self, at: Timestamp) {
        if let Some(last) = self.segments.last_mut() {
            last.end = Some(at);
        }
    }

    /// Starts the clock.
    pub fn start(&mut self, at: Timestamp) -> Result<(), ClockError> {
        self.check("start", at, &[ClockState::NotStarted])?;
        self.segments.push(Segment {
            kind: SegmentKind::Run,
            start: at,
            end: None,
        });
        Ok(())
    }

    /// Pauses a running clock.
    pub fn pause(&mut self, at: Timestamp) -> Result<(), ClockError> {
        self.check("pause", at, &[ClockState::Running])?;
        self.close_current(at);
        self.segments.push(Segment {
            kind: SegmentKind::Pause,
            start: at,
            end: None,
        });
        Ok(())
    }

    /// Resumes a paused clock, or a stopped one (a reopened ticket).
    pub fn resume(&mut self, at: Timestamp) -> Result<(), ClockError> {
        self.check("resume", at, &[ClockState::Paused, ClockState::Stopped])?;
        if self.state() == ClockState::Paused {
            self.close_current(at);
        }
        self.segments.push(Segment {
            kind: SegmentKind::Run,
            start: at,
            end: None,
        });
        Ok(())
    }

    /// Stops a running or paused clock.
    pub fn stop(&mut self, at: Timestamp) -> Result<(), ClockError> {
        self.check("stop", at, &[ClockState::Running, ClockState::Paused])?;
        self.close_current(at);
        Ok(())
    }

    /// Run segments as `(start, end)` seconds, the open one ending at `now` (clipped to `now`).
    fn runs(&self, now: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Run)
            .map(move |s| {
                let start = s.start.as_second();
                let end = s.end.map_or(now, Timestamp::as_second);
                (start.min(now), end.min(now))
            })
    }

    /// Business seconds run up to `now`.
    pub fn business_elapsed(&self, calendar: &Calendar, now: Timestamp) -> i64 {
        self.runs(now.as_second())
            .map(|(s, e)| calendar.measure(s, e))
            .sum()
    }

    /// Seconds from the first start to the last stop (or `now` while not stopped).
    pub fn wall_elapsed(&self, now: Timestamp) -> i64 {
        let Some(first) = self.segments.first() else {
            return 0;
        };
        let end = match self.state() {
            ClockState::Stopped => self.last_instant().expect("segments"),
            _ => now,
        };
        (end.as_second() - first.start.as_second()).max(0)
    }

    /// The instant at which the business time run reaches `goal` seconds, if the clock keeps
    /// running as it is: in the past if it already did; `None` if it is paused or stopped short
    /// of it, or not started.
    pub fn deadline(&self, calendar: &Calendar, goal: i64) -> Result<Option<Timestamp>, SlaError> {
        if goal < 0 {
            return Err(SlaError::NegativeDuration(goal));
        }
        let mut remaining = goal;
        for seg in self.segments.iter().filter(|s| s.kind == SegmentKind::Run) {
            let start = seg.start.as_second();
            match seg.end {
                Some(end) => {
                    let available = calendar.measure(start, end.as_second());
                    if remaining <= available {
                        return calendar
                            .deadline_secs(start, remaining)
                            .map(|t| Some(super::ts(t)));
                    }
                    remaining -= available;
                }
                None => {
                    return calendar
                        .deadline_secs(start, remaining)
                        .map(|t| Some(super::ts(t)))
                }
            }
        }
        Ok(None)
    }

    /// The instant of a threshold at `percent` of the goal: `ceil(goal × percent / 100)` business
    /// seconds (75 → escalation to the service manager, 150 → to ICT management).
    pub fn threshold_percent(
        &self,
        calendar: &Calendar,
        goal: i64,
        percent: u32,
    ) -> Result<Option<Timestamp>, SlaError> {
        self.deadline(calendar, percent_of(goal, percent))
    }

    /// The instant of a threshold at a signed business-time offset from the deadline
    /// (`goal + offset` business seconds, at least 0).
    pub fn threshold_offset(
        &self,
        calendar: &Calendar,
        goal: i64,
        offset: i64,
    ) -> Result<Option<Timestamp>, SlaError> {
        self.deadline(calendar, goal.saturating_add(offset).max(0))
    }

    /// Whether the clock ran at an instant after `deadline`, up to `now`.
    fn ran_after(&self, deadline: i64, now: i64) -> bool {
        self.runs(now).any(|(s, e)| e > s.max(deadline))
    }

    /// The clock's status at `now` for `goal` on `calendar` (pure: see [`Clock::observe`]).
    pub fn status(
        &self,
        calendar: &Calendar,
        goal: i64,
        now: Timestamp,
    ) -> Result<ClockStatus, SlaError> {
        let deadline = self.deadline(calendar, goal)?;
        let breached = deadline.is_some_and(|d| self.ran_after(d.as_second(), now.as_second()));
        Ok(ClockStatus {
            state: self.state(),
            business_elapsed: self.business_elapsed(calendar, now),
            wall_elapsed: self.wall_elapsed(now),
            deadline,
            breached,
            original_breach_at: self
                .original_breach_at
                .or(if breached { deadline } else { None }),
        })
    }

    /// [`Clock::status`], and records the breach instant the first time a breach is seen. A
    /// later recomputation (another goal or calendar) never changes the recorded one.
    pub fn observe(
        &mut self,
        calendar: &Calendar,
        goal: i64,
        now: Timestamp,
    ) -> Result<ClockStatus, SlaError> {
        let status = self.status(calendar, goal, now)?;
        if self.original_breach_at.is_none() && status.breached {
            self.original_breach_at = status.deadline;
        }
        Ok(status)
    }
}

/// `ceil(goal × percent / 100)`.
pub fn percent_of(goal: i64, percent: u32) -> i64 {
    let v = i128::from(goal) * i128::from(percent);
    ((v + 99).div_euclid(100)) as i64
}
