//! A ticket seen at an instant (DOMAIN §4: status, clocks, escalation, on-call): the one pure
//! function behind the stored tickets, the escalation job, the on-call pager and the `ticket` op
//! of `pacta sla eval`.
//!
//! The ticket's history is its events — status moves and the provider's public responses — in
//! time order. From them come the two clocks' segment logs (the response clock never pauses and
//! stops at the first response; the resolution clock pauses in `waiting_partner`, stops at
//! `resolved`, resumes at a reopen), and from the logs, on each clock's calendar, what the Rule
//! says at `now`: state, deadline, verdict, business and wall time, the breach; the escalation
//! levels reached; the instant on-call is paged. [`TicketView::next_due`] is the next instant at
//! which something would happen if nothing else does — what the job runner waits for.

use jiff::Timestamp;

use super::escalation::{Level, Thresholds};
use super::{RefusedMove, Status};
use crate::sla::calendar::Calendar;
use crate::sla::clock::{Clock, ClockState};
use crate::sla::SlaError;

/// A clock's target on the effective SLA for the ticket's priority.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The goal in business seconds.
    pub goal: i64,
    /// The calendar it runs on.
    pub calendar: &'a Calendar,
}

/// Something that happened to a ticket: a status move, a public response by provider staff, or
/// both (a move to `waiting_partner` or `resolved` carries a response by itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub at: Timestamp,
    pub status: Option<Status>,
    pub response: bool,
}

/// What [`evaluate`] is asked.
#[derive(Debug, Clone)]
pub struct TicketQuery<'a> {
    /// Creation: the ticket is `new` and both clocks start.
    pub created: Timestamp,
    /// The instant the ticket is seen at (≥ `created` and every event).
    pub now: Timestamp,
    /// Whether it qualifies for on-call ([`super::qualifies_for_on_call`]).
    pub qualifies_for_on_call: bool,
    pub response: Target<'a>,
    pub resolution: Target<'a>,
    /// The central helpdesk's calendar: on-call is paged when it is closed.
    pub helpdesk: &'a Calendar,
    pub thresholds: Thresholds,
    /// Status moves and responses, in time order.
    pub events: &'a [Event],
    /// Escalations asked for by hand, in time order: each goes to the lowest level not yet
    /// reached, which then does not fire again.
    pub manual_escalations: &'a [Timestamp],
}

/// What a clock is at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockPhase {
    Running,
    Paused,
    Stopped,
}

impl ClockPhase {
    pub fn code(self) -> &'static str {
        match self {
            ClockPhase::Running => "running",
            ClockPhase::Paused => "paused",
            ClockPhase::Stopped => "stopped",
        }
    }

    pub fn parse(code: &str) -> Option<ClockPhase> {
        [ClockPhase::Running, ClockPhase::Paused, ClockPhase::Stopped]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// One clock as the Rule shows it at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockView {
    pub state: ClockPhase,
    /// Once breached the breach instant; otherwise the deadline it has or had when it last ran.
    pub deadline: Timestamp,
    pub stopped_at: Option<Timestamp>,
    /// `false` once breached, `true` once stopped without a breach, else `None`.
    pub met: Option<bool>,
    pub business_seconds: i64,
    pub wall_seconds: i64,
    /// The instant it reached its goal, if by `now`.
    pub original_breach: Option<Timestamp>,
    /// The goal.
    pub goal_seconds: i64,
}

impl ClockView {
    /// Business seconds past the deadline (0 when not breached).
    pub fn breached_by_seconds(&self) -> i64 {
        if self.met == Some(false) {
            (self.business_seconds - self.goal_seconds).max(0)
        } else {
            0
        }
    }
}

/// Why a level fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Level 1 at the response clock's breach.
    ResponseMissed,
    /// The resolution clock reached the level's threshold.
    Threshold,
    /// Asked for by hand.
    Manual,
}

impl Why {
    pub fn code(self) -> &'static str {
        match self {
            Why::ResponseMissed => "response-missed",
            Why::Threshold => "threshold",
            Why::Manual => "manual",
        }
    }

    pub fn parse(code: &str) -> Option<Why> {
        [Why::ResponseMissed, Why::Threshold, Why::Manual]
            .into_iter()
            .find(|w| w.code() == code)
    }
}

/// A level reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    pub level: Level,
    pub at: Timestamp,
    pub why: Why,
}

/// The ticket at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketView {
    pub status: Status,
    pub response: ClockView,
    pub resolution: ClockView,
    /// Each level reached by `now`, at most once; in time order, by level at one instant.
    pub escalations: Vec<Escalation>,
    /// The first instant on-call is paged, if by `now`.
    pub on_call_page_at: Option<Timestamp>,
    /// When on-call is paged: [`TicketView::on_call_page_at`], or the next closing of the
    /// helpdesk while the ticket qualifies and stays open.
    pub on_call_next: Option<Timestamp>,
    /// The next instant after `now` at which a level fires, a clock breaches or on-call is
    /// paged if nothing else happens; `None` if nothing is due.
    pub next_due: Option<Timestamp>,
    /// The two clocks' segment logs (what the store keeps).
    pub response_log: Clock,
    pub resolution_log: Clock,
}

/// Why a ticket's history cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("now ({now}) is before created ({created})")]
    NowBeforeCreated { now: Timestamp, created: Timestamp },
    #[error("events[{index}] at {at} is before created ({created})")]
    EventBeforeCreated {
        index: usize,
        at: Timestamp,
        created: Timestamp,
    },
    #[error("events[{index}] at {at} is before the previous event ({previous})")]
    EventOutOfOrder {
        index: usize,
        at: Timestamp,
        previous: Timestamp,
    },
    #[error("events[{index}] at {at} is after now ({now})")]
    EventAfterNow {
        index: usize,
        at: Timestamp,
        now: Timestamp,
    },
    #[error("events[{index}]: {refused}")]
    Refused { index: usize, refused: RefusedMove },
    #[error("a manual escalation at {at} is out of order or outside the ticket's life")]
    ManualOutOfOrder { at: Timestamp },
    #[error("{0}")]
    Sla(#[from] SlaError),
    /// A clock refusing a move the status Rule allowed (a bug, reported rather than hidden).
    #[error("{0}")]
    Log(#[from] crate::sla::clock::ClockError),
}

/// Checks that `events` are in order, within `[created, now]` and allowed by the status Rule;
/// the status after them.
pub fn replay_status(
    created: Timestamp,
    now: Timestamp,
    events: &[Event],
) -> Result<Status, TicketError> {
    if now < created {
        return Err(TicketError::NowBeforeCreated { now, created });
    }
    let mut status = Status::New;
    let mut previous = created;
    for (index, e) in events.iter().enumerate() {
        if e.at < created {
            return Err(TicketError::EventBeforeCreated {
                index,
                at: e.at,
                created,
            });
        }
        if e.at < previous {
            return Err(TicketError::EventOutOfOrder {
                index,
                at: e.at,
                previous,
            });
        }
        if e.at > now {
            return Err(TicketError::EventAfterNow {
                index,
                at: e.at,
                now,
            });
        }
        previous = e.at;
        if let Some(to) = e.status {
            status = status
                .move_to(to)
                .map_err(|refused| TicketError::Refused { index, refused })?;
        }
    }
    Ok(status)
}

/// The ticket as the Rule sees it at `q.now`.
pub fn evaluate(q: &TicketQuery<'_>) -> Result<TicketView, TicketError> {
    let status = replay_status(q.created, q.now, q.events)?;
    let (response_log, resolution_log, open_spans) = logs(q)?;

    let response = view(&response_log, &q.response, q.now)?;
    let resolution = view(&resolution_log, &q.resolution, q.now)?;

    // Each level's first reach of its amount on the resolution clock (in the future too).
    let response_breach = response_log.reaches(q.response.calendar, q.response.goal, FOREVER);
    let mut firing: Vec<(Level, Option<Timestamp>, Why)> = Level::ALL
        .into_iter()
        .map(|level| {
            let amount = q.thresholds.of(level).amount(q.resolution.goal);
            let at = resolution_log.reaches(q.resolution.calendar, amount, FOREVER);
            match (level, at, response_breach) {
                (Level::ServiceManager, Some(t), Some(r)) if r <= t => {
                    (level, Some(r), Why::ResponseMissed)
                }
                (Level::ServiceManager, None, Some(r)) => (level, Some(r), Why::ResponseMissed),
                _ => (level, at, Why::Threshold),
            }
        })
        .collect();
    // A manual escalation takes the lowest level not reached by then; that level's own
    // threshold no longer fires.
    let mut previous = q.created;
    for &m in q.manual_escalations {
        if m < previous || m > q.now {
            return Err(TicketError::ManualOutOfOrder { at: m });
        }
        previous = m;
        if let Some(slot) = firing
            .iter_mut()
            .find(|(_, at, why)| *why != Why::Manual && at.is_none_or(|t| t > m))
        {
            slot.1 = Some(m);
            slot.2 = Why::Manual;
        }
    }
    let mut escalations: Vec<Escalation> = firing
        .iter()
        .filter_map(|&(level, at, why)| {
            at.filter(|t| *t <= q.now)
                .map(|at| Escalation { level, at, why })
        })
        .collect();
    escalations.sort_by_key(|e| (e.at, e.level));

    let on_call_page_at = if q.qualifies_for_on_call {
        open_spans.iter().find_map(|&(from, until)| {
            let last = until.map_or(q.now, |u| u - jiff::SignedDuration::from_secs(1));
            (from <= last)
                .then(|| q.helpdesk.first_closed(from, last.min(q.now)))
                .flatten()
        })
    } else {
        None
    };

    // What is due next, if nothing else happens.
    let mut due: Vec<Timestamp> = firing
        .iter()
        .filter_map(|&(_, at, _)| at)
        .filter(|t| *t > q.now)
        .collect();
    for (log, target) in [
        (&response_log, &q.response),
        (&resolution_log, &q.resolution),
    ] {
        if let Some(t) = log.reaches(target.calendar, target.goal, FOREVER) {
            if t > q.now {
                due.push(t);
            }
        }
    }
    let mut on_call_next = on_call_page_at;
    if q.qualifies_for_on_call && on_call_page_at.is_none() && status.is_open() {
        // The next closing of the helpdesk within a year and a half (a helpdesk that never
        // closes never pages).
        let from = q.now + jiff::SignedDuration::from_secs(1);
        let horizon = q.now + jiff::SignedDuration::from_hours(24 * 550);
        if let Some(t) = q.helpdesk.first_closed(from, horizon) {
            due.push(t);
            on_call_next = Some(t);
        }
    }

    Ok(TicketView {
        status,
        response,
        resolution,
        escalations,
        on_call_page_at,
        on_call_next,
        next_due: due.into_iter().min(),
        response_log,
        resolution_log,
    })
}

/// Later than any instant the calendars know: "if it runs on".
const FOREVER: Timestamp = Timestamp::MAX;

type OpenSpan = (Timestamp, Option<Timestamp>);

/// The clocks' segment logs from the events, and the spans in which the status is open
/// (`[from, until)`, `until` absent while it is).
fn logs(q: &TicketQuery<'_>) -> Result<(Clock, Clock, Vec<OpenSpan>), TicketError> {
    let mut response = Clock::new();
    let mut resolution = Clock::new();
    response.start(q.created)?;
    resolution.start(q.created)?;
    let mut open: Vec<OpenSpan> = vec![(q.created, None)];
    let mut status = Status::New;
    for e in q.events {
        let at = e.at;
        let mut responds = e.response;
        if let Some(to) = e.status {
            match (status, to) {
                (_, Status::WaitingPartner) => resolution.pause(at)?,
                (_, Status::Resolved) => {
                    resolution.stop(at)?;
                    if let Some(last) = open.last_mut() {
                        last.1 = Some(at);
                    }
                }
                (Status::WaitingPartner | Status::Resolved, Status::InProgress) => {
                    if status == Status::Resolved {
                        open.push((at, None));
                    }
                    resolution.resume(at)?;
                }
                _ => {}
            }
            responds |= matches!(to, Status::WaitingPartner | Status::Resolved);
            status = to;
        }
        if responds && response.state() == ClockState::Running {
            response.stop(at)?;
        }
    }
    Ok((response, resolution, open))
}

fn view(log: &Clock, target: &Target<'_>, now: Timestamp) -> Result<ClockView, TicketError> {
    let s = log.status(target.calendar, target.goal, now)?;
    Ok(ClockView {
        state: match s.state {
            ClockState::Running | ClockState::NotStarted => ClockPhase::Running,
            ClockState::Paused => ClockPhase::Paused,
            ClockState::Stopped => ClockPhase::Stopped,
        },
        deadline: s.deadline.expect("a started clock has a deadline"),
        stopped_at: s.stopped_at,
        met: s.met,
        business_seconds: s.business_elapsed,
        wall_seconds: s.wall_elapsed,
        original_breach: s.original_breach_at,
        goal_seconds: target.goal,
    })
}

/// A clock as the op and the API write it: state, deadline, stopped_at, met, business and wall
/// seconds, original breach — instants in `calendar`'s zone.
pub fn clock_json(c: &ClockView, calendar: &Calendar) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let at = |t: Option<Timestamp>| serde_json::json!(t.map(|t| calendar.format(t)));
    m.insert("state".into(), c.state.code().into());
    m.insert("deadline".into(), calendar.format(c.deadline).into());
    m.insert("stopped_at".into(), at(c.stopped_at));
    m.insert("met".into(), serde_json::json!(c.met));
    m.insert("business_seconds".into(), c.business_seconds.into());
    m.insert("wall_seconds".into(), c.wall_seconds.into());
    m.insert("original_breach".into(), at(c.original_breach));
    serde_json::Value::Object(m)
}

/// Where a clock counts in SLA compliance over `[from, to)` (DOMAIN §4, issue 13): a stopped
/// clock counts in the period in which it stopped, met or breached as its verdict says; a clock
/// not stopped that has breached counts as breached in the period of its breach; any other
/// (running or paused within its goal) does not count yet. `Some(true)`: met; `Some(false)`:
/// breached.
pub fn counts_in(c: &ClockView, from: Timestamp, to: Timestamp) -> Option<bool> {
    let inside = |t: Timestamp| from <= t && t < to;
    match (c.stopped_at, c.met) {
        (Some(stop), Some(met)) if inside(stop) => Some(met),
        (None, Some(false)) if inside(c.deadline) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod compliance_tests {
    use super::*;

    fn clock(
        state: ClockPhase,
        stopped: Option<&str>,
        met: Option<bool>,
        deadline: &str,
    ) -> ClockView {
        ClockView {
            state,
            deadline: deadline.parse().unwrap(),
            stopped_at: stopped.map(|s| s.parse().unwrap()),
            met,
            business_seconds: 0,
            wall_seconds: 0,
            original_breach: None,
            goal_seconds: 0,
        }
    }

    #[test]
    fn a_clock_counts_where_it_stopped_or_breached() {
        let (from, to): (Timestamp, Timestamp) = (
            "2026-11-01T00:00:00+01:00".parse().unwrap(),
            "2026-12-01T00:00:00+01:00".parse().unwrap(),
        );
        let met = clock(
            ClockPhase::Stopped,
            Some("2026-11-30T23:59:59+01:00"),
            Some(true),
            "2026-11-29T10:00:00+01:00",
        );
        assert_eq!(counts_in(&met, from, to), Some(true));
        let next_month = clock(
            ClockPhase::Stopped,
            Some("2026-12-01T00:00:00+01:00"),
            Some(true),
            "2026-11-29T10:00:00+01:00",
        );
        assert_eq!(counts_in(&next_month, from, to), None);
        let late = clock(
            ClockPhase::Stopped,
            Some("2026-11-10T00:00:00+01:00"),
            Some(false),
            "2026-10-30T10:00:00+01:00",
        );
        assert_eq!(counts_in(&late, from, to), Some(false));
        let open_breached = clock(
            ClockPhase::Running,
            None,
            Some(false),
            "2026-11-05T10:00:00+01:00",
        );
        assert_eq!(counts_in(&open_breached, from, to), Some(false));
        let paused = clock(ClockPhase::Paused, None, None, "2026-11-05T10:00:00+01:00");
        assert_eq!(counts_in(&paused, from, to), None);
    }
}
