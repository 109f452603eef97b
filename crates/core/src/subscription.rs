//! Subscriptions (DOMAIN §3): a partner's agreement on a pack of a service, with options, a level
//! and a quantity, from a start date to an optional end date. Here live the states and the moves
//! between them, the instants at which dates take effect (midnight in Europe/Brussels), and the
//! checks of a request that need no storage. The effective SLA and price are not computed here:
//! they are [`crate::catalogue::rules::quote`] of the agreed service version, by definition.

use std::fmt;
use std::sync::OnceLock;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The zone in which a subscription's dates begin and end.
pub const ZONE: &str = "Europe/Brussels";

/// Europe/Brussels, loaded once.
pub fn zone() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| TimeZone::get(ZONE).unwrap_or(TimeZone::UTC))
}

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Requested,
    Approved,
    Rejected,
    Withdrawn,
    Active,
    Suspended,
    Terminated,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Requested,
        State::Approved,
        State::Rejected,
        State::Withdrawn,
        State::Active,
        State::Suspended,
        State::Terminated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Requested => "requested",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
            State::Active => "active",
            State::Suspended => "suspended",
            State::Terminated => "terminated",
        }
    }

    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(self, State::Rejected | State::Withdrawn | State::Terminated)
    }

    /// Holds the partner's place for its service and pack: a second request for the same is
    /// refused while one of these exists.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            State::Requested | State::Approved | State::Active | State::Suspended
        )
    }

    /// Consulted on maintenance of its service: approved to start, active, or suspended (it
    /// still runs, and its availability still counts).
    pub fn is_consulted_on_maintenance(self) -> bool {
        matches!(self, State::Approved | State::Active | State::Suspended)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A move of the state machine, as the history and the API name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Move {
    Request,
    Approve,
    Reject,
    Withdraw,
    /// At the start date (a job), or at once when approved on or after it.
    Activate,
    Suspend,
    Resume,
    /// At the end date (a job), or by decision.
    Terminate,
}

impl Move {
    pub const ALL: [Move; 8] = [
        Move::Request,
        Move::Approve,
        Move::Reject,
        Move::Withdraw,
        Move::Activate,
        Move::Suspend,
        Move::Resume,
        Move::Terminate,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Move::Request => "request",
            Move::Approve => "approve",
            Move::Reject => "reject",
            Move::Withdraw => "withdraw",
            Move::Activate => "activate",
            Move::Suspend => "suspend",
            Move::Resume => "resume",
            Move::Terminate => "terminate",
        }
    }

    pub fn parse(code: &str) -> Option<Move> {
        Move::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Whether the move must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Move::Reject | Move::Suspend | Move::Terminate)
    }
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A move the state machine does not allow from where the subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a subscription that is {from}")]
pub struct InvalidTransition {
    pub from: State,
    pub action: Move,
}

/// Where `action` takes a subscription that is `from`:
/// `requested → approved | rejected | withdrawn`; `approved → active | terminated` (cancelled
/// before its start); `active ⇄ suspended`; `active | suspended → terminated`.
pub fn next(from: State, action: Move) -> Result<State, InvalidTransition> {
    use Move as M;
    use State as S;
    let to = match (from, action) {
        (S::Requested, M::Approve) => S::Approved,
        (S::Requested, M::Reject) => S::Rejected,
        (S::Requested, M::Withdraw) => S::Withdrawn,
        (S::Approved, M::Activate) => S::Active,
        (S::Approved | S::Active | S::Suspended, M::Terminate) => S::Terminated,
        (S::Active, M::Suspend) => S::Suspended,
        (S::Suspended, M::Resume) => S::Active,
        _ => return Err(InvalidTransition { from, action }),
    };
    Ok(to)
}

/// Whether a subscription that is `state` may be moved to another version of its service: any
/// that still has a future.
pub fn may_change_version(state: State) -> bool {
    !state.is_final()
}

/// The instant a subscription starting on `start` becomes active: that day's midnight in
/// Europe/Brussels (its first instant, should midnight ever be skipped).
pub fn activation_at(start: Date) -> Timestamp {
    start
        .to_zoned(zone().clone())
        .map(|z| z.timestamp())
        .unwrap_or_else(|_| Timestamp::UNIX_EPOCH)
}

/// The instant a subscription whose last day of service is `end` is terminated: the next
/// midnight in Europe/Brussels.
pub fn termination_at(end: Date) -> Timestamp {
    activation_at(end.tomorrow().unwrap_or(end))
}

/// Today's date in Europe/Brussels at `now`.
pub fn today(now: Timestamp) -> Date {
    now.to_zoned(zone().clone()).date()
}

/// What is wrong with the dates of a request, under the field concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DateError {
    pub field: &'static str,
    pub message: String,
}

/// Checks the dates of a new request at `now`: the start is today or later (in Brussels), the end
/// (the last day of service) not before the start.
pub fn check_request_dates(
    start: Date,
    end: Option<Date>,
    now: Timestamp,
) -> Result<(), DateError> {
    let today = today(now);
    if start < today {
        return Err(DateError {
            field: "start_date",
            message: format!("{start} is in the past (today is {today})"),
        });
    }
    check_end(start, end)
}

/// Checks an end date against the start: the last day of service is on or after the first.
pub fn check_end(start: Date, end: Option<Date>) -> Result<(), DateError> {
    match end {
        Some(end) if end < start => Err(DateError {
            field: "end_date",
            message: format!("{end} is before the start date {start}"),
        }),
        _ => Ok(()),
    }
}

/// Reads a `YYYY-MM-DD` date exactly (no time, no zone), of the years the engine supports
/// (1900–2200, DOMAIN §5).
pub fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse::<Date>()
        .ok()
        .filter(|d| (1900..=2200).contains(&d.year()))
}

/// What a decision does, by the rules: the moves it makes now (the decision, and what is already
/// due), the end date it sets, and when what is not yet due will happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// `(action, state reached)` in order; the action is a [`Move`]'s code, or `end-date` when
    /// a later last day is set without a move now.
    pub steps: Vec<(&'static str, State)>,
    /// The end date to store: `None` leaves it as it is.
    pub end_date: Option<Option<Date>>,
    /// An activation still to come (an approval before the start date).
    pub activate_at: Option<Timestamp>,
    /// A termination still to come (a last day not yet past).
    pub terminate_at: Option<Timestamp>,
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Transition(#[from] InvalidTransition),
    #[error(transparent)]
    Date(#[from] DateError),
}

/// The decision `action` at `now` on a subscription that is `state`, from `start` to `end`
/// (`end_date`: the last day a termination names). An effect already due when it is decided
/// happens at once: an approval on or after the start activates (and terminates, when the last
/// day has passed too); a termination without a last day, or with one already past, terminates
/// now — for one that had started, today becomes its last day; a later last day is set and the
/// termination waits for the midnight after it.
pub fn decide(
    state: State,
    start: Date,
    end: Option<Date>,
    action: Move,
    end_date: Option<Date>,
    now: Timestamp,
) -> Result<Decided, DecideError> {
    let to = next(state, action)?;
    let mut d = Decided {
        steps: vec![(action.code(), to)],
        end_date: None,
        activate_at: None,
        terminate_at: None,
    };
    match action {
        Move::Approve => {
            let starts = activation_at(start);
            let ends = end.map(termination_at);
            if starts <= now {
                d.steps.push((Move::Activate.code(), State::Active));
                match ends {
                    Some(at) if at <= now => {
                        d.steps.push((Move::Terminate.code(), State::Terminated))
                    }
                    other => d.terminate_at = other,
                }
            } else {
                d.activate_at = Some(starts);
                d.terminate_at = ends;
            }
        }
        Move::Terminate => match end_date {
            Some(last) => {
                check_end(start, Some(last))?;
                let at = termination_at(last);
                d.end_date = Some(Some(last));
                if at > now {
                    d.steps = vec![("end-date", state)];
                    d.terminate_at = Some(at);
                }
            }
            None if state != State::Approved => {
                let today = today(now);
                if end.is_none_or(|e| e > today) {
                    d.end_date = Some(Some(today.max(start)));
                }
            }
            None => {}
        },
        _ => {}
    }
    Ok(d)
}

/// The moves of the activation job at `now` for an approved subscription ending on `end`: the
/// activation, and the termination too when the last day has already passed (a late run).
pub fn activation_moves(end: Option<Date>, now: Timestamp) -> Vec<(Move, State)> {
    let mut moves = vec![(Move::Activate, State::Active)];
    if end.is_some_and(|e| termination_at(e) <= now) {
        moves.push((Move::Terminate, State::Terminated));
    }
    moves
}

#[cfg(test)]
mod maintenance_tests {
    use super::State;

    #[test]
    fn approved_active_and_suspended_subscriptions_are_consulted_on_maintenance() {
        let consulted: Vec<&str> = State::ALL
            .into_iter()
            .filter(|s| s.is_consulted_on_maintenance())
            .map(State::code)
            .collect();
        assert_eq!(consulted, ["approved", "active", "suspended"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_state_machine_allows_exactly_the_moves_of_the_issue() {
        let mut allowed = Vec::new();
        for from in State::ALL {
            for action in Move::ALL {
                if let Ok(to) = next(from, action) {
                    allowed.push(format!("{from} -{action}-> {to}"));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                "requested -approve-> approved",
                "requested -reject-> rejected",
                "requested -withdraw-> withdrawn",
                "approved -activate-> active",
                "approved -terminate-> terminated",
                "active -suspend-> suspended",
                "active -terminate-> terminated",
                "suspended -resume-> active",
                "suspended -terminate-> terminated",
            ]
        );
        let e = next(State::Active, Move::Approve).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot approve a subscription that is active"
        );
    }

    #[test]
    fn dates_take_effect_at_midnight_in_brussels() {
        // Winter: UTC+1; summer: UTC+2; the DST days themselves start at 00:00 local.
        assert_eq!(
            activation_at(date(2026, 12, 1)).to_string(),
            "2026-11-30T23:00:00Z"
        );
        assert_eq!(
            activation_at(date(2026, 7, 1)).to_string(),
            "2026-06-30T22:00:00Z"
        );
        assert_eq!(
            activation_at(date(2026, 3, 29)).to_string(),
            "2026-03-28T23:00:00Z"
        );
        // The last day of service is 31 March: termination at 1 April 00:00+02:00.
        assert_eq!(
            termination_at(date(2026, 3, 31)).to_string(),
            "2026-03-31T22:00:00Z"
        );
        // The end of October: 25 October 2026 has 25 hours; the 26th starts at 00:00+01:00.
        assert_eq!(
            termination_at(date(2026, 10, 25)).to_string(),
            "2026-10-25T23:00:00Z"
        );
    }

    #[test]
    fn today_is_the_date_in_brussels() {
        let late: Timestamp = "2026-11-30T23:30:00Z".parse().unwrap();
        assert_eq!(today(late), date(2026, 12, 1));
        let early: Timestamp = "2026-11-30T22:59:59Z".parse().unwrap();
        assert_eq!(today(early), date(2026, 11, 30));
    }

    #[test]
    fn a_request_starts_today_or_later_and_ends_after_it_starts() {
        let now: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
        assert!(check_request_dates(date(2026, 11, 30), None, now).is_ok());
        let e = check_request_dates(date(2026, 11, 29), None, now).unwrap_err();
        assert_eq!(e.field, "start_date");
        assert!(check_request_dates(date(2026, 12, 1), Some(date(2026, 12, 1)), now).is_ok());
        let e = check_request_dates(date(2026, 12, 2), Some(date(2026, 12, 1)), now).unwrap_err();
        assert_eq!(e.field, "end_date");
        assert_eq!(parse_date("2026-12-01"), Some(date(2026, 12, 1)));
        assert_eq!(parse_date("2026-12-1"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("9999-12-31"), None);
        assert_eq!(parse_date("1899-12-31"), None);
        assert_eq!(parse_date("2200-12-31"), Some(date(2200, 12, 31)));
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_decision_does_at_once_what_is_already_due() {
        let now = at("2026-11-30T09:00:00Z");
        // Approved before the start: activation at 1 Dec 00:00 Brussels, nothing more now.
        let d = decide(
            State::Requested,
            date(2026, 12, 1),
            None,
            Move::Approve,
            None,
            now,
        )
        .unwrap();
        assert_eq!(d.steps, [("approve", State::Approved)]);
        assert_eq!(d.activate_at, Some(at("2026-11-30T23:00:00Z")));
        // Approved on the start date: active at once.
        let d = decide(
            State::Requested,
            date(2026, 11, 30),
            None,
            Move::Approve,
            None,
            now,
        )
        .unwrap();
        assert_eq!(
            d.steps,
            [("approve", State::Approved), ("activate", State::Active)]
        );
        assert_eq!(d.activate_at, None);
        // Approved after the last day too: active and terminated at once.
        let d = decide(
            State::Requested,
            date(2026, 11, 1),
            Some(date(2026, 11, 29)),
            Move::Approve,
            None,
            now,
        )
        .unwrap();
        assert_eq!(d.steps.len(), 3);
        assert_eq!(d.steps[2], ("terminate", State::Terminated));
        // A later last day: set, and the termination waits for the midnight after it.
        let d = decide(
            State::Active,
            date(2026, 1, 1),
            None,
            Move::Terminate,
            Some(date(2026, 12, 31)),
            now,
        )
        .unwrap();
        assert_eq!(d.steps, [("end-date", State::Active)]);
        assert_eq!(d.end_date, Some(Some(date(2026, 12, 31))));
        assert_eq!(d.terminate_at, Some(at("2026-12-31T23:00:00Z")));
        // At once: today becomes the last day.
        let d = decide(
            State::Suspended,
            date(2026, 1, 1),
            None,
            Move::Terminate,
            None,
            now,
        )
        .unwrap();
        assert_eq!(d.steps, [("terminate", State::Terminated)]);
        assert_eq!(d.end_date, Some(Some(date(2026, 11, 30))));
        // A last day before the start, and a move the machine refuses.
        assert!(matches!(
            decide(
                State::Approved,
                date(2026, 12, 10),
                None,
                Move::Terminate,
                Some(date(2026, 12, 9)),
                now
            ),
            Err(DecideError::Date(_))
        ));
        assert!(matches!(
            decide(
                State::Active,
                date(2026, 1, 1),
                None,
                Move::Approve,
                None,
                now
            ),
            Err(DecideError::Transition(_))
        ));
        // A late activation past the last day also terminates.
        assert_eq!(activation_moves(Some(date(2026, 11, 29)), now).len(), 2);
        assert_eq!(activation_moves(Some(date(2026, 11, 30)), now).len(), 1);
    }
}
