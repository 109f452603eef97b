//! Ticket clocks (DOMAIN §4, §5): an append-only log of run and pause segments.
//!
//! A clock is started, paused (e.g. `waiting_partner`), resumed, stopped (first response,
//! `resolved`) and resumed again on reopen. Only *run* segments count as business time; the
//! gap after a stop counts as nothing. From the log and a goal on a calendar, as the Rule says:
//!
//! * **business elapsed** B — open time inside run segments;
//! * **wall elapsed** — from the first start to the last stop (or now), pauses included;
//! * **reaching** an amount X — the first instant at which the clock *runs* and B ≥ X; a stop or
//!   pause at that instant comes first. The goal reached is the **breach**; a threshold
//!   (`ceil(goal × p / 100)`, or `goal ± offset`) reached is an escalation;
//! * **deadline** — once breached the breach instant, otherwise `calendar.deadline(r, goal −
//!   B(r))`, r the last resume: for a running clock when it breaches if it runs on, for a paused
//!   or stopped one the deadline it had when it last ran.
//!
//! The first breach observed is kept as the original breach time across later recomputation
//! (a changed goal or calendar). The log is serde-serialisable so that the store can keep it.

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
    /// Once breached the breach instant; otherwise the deadline it has (running) or had when
    /// it last ran (paused, stopped). `None` only before it starts.
    pub deadline: Option<Timestamp>,
    /// When it stopped, while stopped.
    pub stopped_at: Option<Timestamp>,
    /// Whether it reached its goal by now (DOMAIN §4).
    pub breached: bool,
    /// The verdict: `false` once breached, `true` once stopped without a breach, else `None`.
    pub met: Option<bool>,
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

    /// Run segments as `(start, end)` seconds, `end` absent for the one that runs.
    fn run_spans(&self) -> impl Iterator<Item = (i64, Option<i64>)> + '_ {
        self.segments
            .iter()
            .filter(|s| s.kind == SegmentKind::Run)
            .map(|s| (s.start.as_second(), s.end.map(Timestamp::as_second)))
    }

    /// Business seconds run up to `now`.
    pub fn business_elapsed(&self, calendar: &Calendar, now: Timestamp) -> i64 {
        let now = now.as_second();
        self.run_spans()
            .map(|(s, e)| calendar.measure(s.min(now), e.unwrap_or(now).min(now)))
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

    /// When the clock stopped, while it is stopped.
    pub fn stopped_at(&self) -> Option<Timestamp> {
        match self.state() {
            ClockState::Stopped => self.last_instant(),
            _ => None,
        }
    }

    /// The instant at which the clock reaches `amount` business seconds, if it does by `until`
    /// (DOMAIN §4): the first instant at which it *runs* with at least that much spent. A stop or
    /// pause at an instant comes first, so a run segment `[r, e)` can reach it only before `e`;
    /// one resumed with the amount already spent reaches it at the resume.
    pub fn reaches(&self, calendar: &Calendar, amount: i64, until: Timestamp) -> Option<Timestamp> {
        self.reaches_secs(calendar, amount, until.as_second())
    }

    fn reaches_secs(&self, calendar: &Calendar, amount: i64, until: i64) -> Option<Timestamp> {
        let mut spent = 0i64;
        for (r, end) in self.run_spans() {
            if r > until {
                break;
            }
            let at = if spent >= amount {
                r
            } else {
                // No open time left before 2201: never.
                calendar.deadline_secs(r, amount - spent).ok()?
            };
            let runs_then = end.is_none_or(|e| at < e) && at <= until;
            if runs_then {
                return Some(super::ts(at));
            }
            spent += calendar.measure(r, end.unwrap_or(until).min(until));
        }
        None
    }

    /// The deadline it has when it last ran: `calendar.deadline(r, goal − B(r))`, `r` the last
    /// resume (the start, or the last event that resumed it); `None` before it starts.
    pub fn deadline_from_last_resume(
        &self,
        calendar: &Calendar,
        goal: i64,
    ) -> Result<Option<Timestamp>, SlaError> {
        if goal < 0 {
            return Err(SlaError::NegativeDuration(goal));
        }
        let Some(last) = self.segments.iter().rfind(|s| s.kind == SegmentKind::Run) else {
            return Ok(None);
        };
        let r = last.start.as_second();
        let before: i64 = self
            .run_spans()
            .filter(|&(s, _)| s < r)
            .map(|(s, e)| calendar.measure(s, e.unwrap_or(r).min(r)))
            .sum();
        calendar
            .deadline_secs(r, (goal - before).max(0))
            .map(|t| Some(super::ts(t)))
    }

    /// The instant at which it reaches `goal` if it runs on as it is (in the past if it did).
    pub fn deadline(&self, calendar: &Calendar, goal: i64) -> Result<Option<Timestamp>, SlaError> {
        match self.reaches_secs(calendar, goal, i64::MAX) {
            Some(t) => Ok(Some(t)),
            None => self.deadline_from_last_resume(calendar, goal),
        }
    }

    /// The clock's status at `now` for `goal` on `calendar` (pure: see [`Clock::observe`]).
    pub fn status(
        &self,
        calendar: &Calendar,
        goal: i64,
        now: Timestamp,
    ) -> Result<ClockStatus, SlaError> {
        if goal < 0 {
            return Err(SlaError::NegativeDuration(goal));
        }
        let breach = self.reaches(calendar, goal, now);
        let deadline = match breach {
            Some(t) => Some(t),
            None => self.deadline_from_last_resume(calendar, goal)?,
        };
        let state = self.state();
        Ok(ClockStatus {
            state,
            business_elapsed: self.business_elapsed(calendar, now),
            wall_elapsed: self.wall_elapsed(now),
            deadline,
            stopped_at: self.stopped_at(),
            breached: breach.is_some(),
            met: match (breach, state) {
                (Some(_), _) => Some(false),
                (None, ClockState::Stopped) => Some(true),
                _ => None,
            },
            original_breach_at: self.original_breach_at.or(breach),
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
        if self.original_breach_at.is_none() {
            self.original_breach_at = status.original_breach_at;
        }
        Ok(status)
    }
}

/// `ceil(goal × percent / 100)`.
pub fn percent_of(goal: i64, percent: u32) -> i64 {
    let v = i128::from(goal) * i128::from(percent);
    ((v + 99).div_euclid(100)) as i64
}
