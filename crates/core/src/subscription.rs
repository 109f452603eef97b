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
}
