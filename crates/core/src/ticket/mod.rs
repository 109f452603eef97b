//! Support tickets (DOMAIN §4): kinds, the impact × urgency matrix, the status Rule, and — in
//! [`clocks`] — the one pure function that says what a ticket's clocks, escalations and on-call
//! page are at an instant. The stored tickets, the escalation job, the on-call pager and
//! `pacta sla eval`'s `ticket` op all call it.

pub mod clocks;
pub mod escalation;
pub mod lines;

#[cfg(test)]
mod clocks_tests;

use std::fmt;

/// What a ticket is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Something is broken.
    Incident,
    /// Something is asked for.
    ServiceRequest,
    /// A question.
    Question,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Incident, Kind::ServiceRequest, Kind::Question];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::ServiceRequest => "service-request",
            Kind::Question => "question",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Impact or urgency: `high`, `medium`, `low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    High,
    Medium,
    Low,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::High, Grade::Medium, Grade::Low];

    pub fn code(self) -> &'static str {
        match self {
            Grade::High => "high",
            Grade::Medium => "medium",
            Grade::Low => "low",
        }
    }

    pub fn parse(code: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.code() == code)
    }
}

pub use crate::catalogue::model::Priority;

/// The ticket's rules about priorities (the type is the catalogue's: a level's targets are per
/// priority).
impl Priority {
    /// The matrix: impact high → P1 P2 P3 (urgency high, medium, low); medium → P2 P3 P4; low →
    /// P3 P4 P4.
    pub fn from_matrix(impact: Grade, urgency: Grade) -> Priority {
        use Grade::*;
        match (impact, urgency) {
            (High, High) => Priority::P1,
            (High, Medium) | (Medium, High) => Priority::P2,
            (High, Low) | (Medium, Medium) | (Low, High) => Priority::P3,
            (Medium, Low) | (Low, Medium) | (Low, Low) => Priority::P4,
        }
    }

    /// The most urgent priority a kind may have: only incidents reach P1.
    pub fn highest_for(kind: Kind) -> Priority {
        match kind {
            Kind::Incident => Priority::P1,
            Kind::ServiceRequest | Kind::Question => Priority::P2,
        }
    }

    /// A new ticket's priority: the matrix, capped for its kind; a major incident is P1.
    pub fn of_new_ticket(kind: Kind, impact: Grade, urgency: Grade, major: bool) -> Priority {
        if major && kind == Kind::Incident {
            return Priority::P1;
        }
        Priority::from_matrix(impact, urgency).max(Priority::highest_for(kind))
    }

    /// Whether an agent may set this priority on a ticket of `kind` (and flag).
    pub fn allowed_for(self, kind: Kind, major: bool) -> bool {
        self >= Priority::highest_for(kind) && (!major || self == Priority::P1)
    }
}

/// Whether a ticket qualifies for on-call duty (DOMAIN §4): P1, or P2 on the effective level
/// `critical`, or the major-incident flag.
pub fn qualifies_for_on_call(priority: Priority, level: &str, major: bool) -> bool {
    major || priority == Priority::P1 || (priority == Priority::P2 && level == "critical")
}

/// A ticket's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    New,
    Assigned,
    InProgress,
    WaitingPartner,
    Resolved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Assigned,
        Status::InProgress,
        Status::WaitingPartner,
        Status::Resolved,
        Status::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Assigned => "assigned",
            Status::InProgress => "in_progress",
            Status::WaitingPartner => "waiting_partner",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Open: neither `resolved` nor `closed` (`waiting_partner` counts as open).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// The status Rule: whether `self → to` is allowed. A move to the current status is not.
    pub fn may_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (New, Assigned | InProgress | Resolved)
                | (Assigned, InProgress | Resolved)
                | (InProgress, WaitingPartner | Resolved)
                | (WaitingPartner, InProgress | Resolved)
                | (Resolved, InProgress | Closed)
        )
    }

    /// `self → to`, or the refusal.
    pub fn move_to(self, to: Status) -> Result<Status, RefusedMove> {
        if self.may_move_to(to) {
            Ok(to)
        } else {
            Err(RefusedMove { from: self, to })
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A status move the Rule refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a ticket cannot move from {from} to {to}")]
pub struct RefusedMove {
    pub from: Status,
    pub to: Status,
}

/// What a comment does to a ticket (DOMAIN §4): a public comment by provider staff is a response
/// (the first one stops the response clock); a public reply by the partner's people to a ticket
/// waiting for them moves it back to `in_progress` at that instant. Internal notes do neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentEffect {
    pub response: bool,
    pub moves_to: Option<Status>,
}

pub fn comment_effect(by_staff: bool, public: bool, status: Status) -> CommentEffect {
    CommentEffect {
        response: public && by_staff,
        moves_to: (public && !by_staff && status == Status::WaitingPartner)
            .then_some(Status::InProgress),
    }
}

/// What an entry of a ticket's timeline records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// The ticket was opened (with its description).
    Opened,
    /// A status move, maybe with a comment.
    Status,
    /// A comment, public or internal.
    Comment,
    /// A priority change with its reason.
    Priority,
    /// An escalation level reached (by threshold, missed response, or by hand).
    Escalation,
    /// On-call duty paged, re-paged or acknowledged.
    Page,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Opened,
        EntryKind::Status,
        EntryKind::Comment,
        EntryKind::Priority,
        EntryKind::Escalation,
        EntryKind::Page,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Opened => "opened",
            EntryKind::Status => "status",
            EntryKind::Comment => "comment",
            EntryKind::Priority => "priority",
            EntryKind::Escalation => "escalation",
            EntryKind::Page => "page",
        }
    }

    pub fn parse(code: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A ticket's reference: `T-YYYY-NNNNNN`, numbered per year of creation.
pub fn reference(year: i16, number: u32) -> String {
    format!("T-{year:04}-{number:06}")
}

/// `T-YYYY-NNNNNN` → (year, number).
pub fn parse_reference(text: &str) -> Option<(i16, u32)> {
    let rest = text.strip_prefix("T-")?;
    let (year, number) = rest.split_once('-')?;
    let all_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(year, 4) || !all_digits(number, 6) {
        return None;
    }
    Some((year.parse().ok()?, number.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_staff_reply_responds_and_a_partner_reply_resumes() {
        let none = CommentEffect {
            response: false,
            moves_to: None,
        };
        for status in Status::ALL {
            // Internal notes change nothing, whoever writes them.
            assert_eq!(comment_effect(true, false, status), none);
            assert_eq!(comment_effect(false, false, status), none);
            assert!(comment_effect(true, true, status).response);
            assert_eq!(comment_effect(true, true, status).moves_to, None);
        }
        assert_eq!(
            comment_effect(false, true, Status::WaitingPartner).moves_to,
            Some(Status::InProgress)
        );
        assert_eq!(comment_effect(false, true, Status::InProgress), none);
    }

    #[test]
    fn the_matrix_is_the_issues() {
        let row = |impact| {
            Grade::ALL
                .map(|urgency| Priority::from_matrix(impact, urgency).code())
                .join(" ")
        };
        assert_eq!(row(Grade::High), "P1 P2 P3");
        assert_eq!(row(Grade::Medium), "P2 P3 P4");
        assert_eq!(row(Grade::Low), "P3 P4 P4");
    }

    #[test]
    fn only_incidents_reach_p1_and_a_major_incident_is_p1() {
        use Grade::*;
        assert_eq!(
            Priority::of_new_ticket(Kind::Incident, High, High, false),
            Priority::P1
        );
        for kind in [Kind::ServiceRequest, Kind::Question] {
            assert_eq!(
                Priority::of_new_ticket(kind, High, High, false),
                Priority::P2
            );
            assert_eq!(Priority::of_new_ticket(kind, Low, Low, false), Priority::P4);
            assert!(!Priority::P1.allowed_for(kind, false));
            assert!(Priority::P2.allowed_for(kind, false));
        }
        assert_eq!(
            Priority::of_new_ticket(Kind::Incident, Low, Low, true),
            Priority::P1
        );
        assert!(!Priority::P2.allowed_for(Kind::Incident, true));
    }

    #[test]
    fn the_status_rule_allows_exactly_its_moves() {
        let mut allowed = Vec::new();
        for from in Status::ALL {
            for to in Status::ALL {
                if from.may_move_to(to) {
                    allowed.push(format!("{from}->{to}"));
                }
            }
        }
        assert_eq!(
            allowed,
            [
                "new->assigned",
                "new->in_progress",
                "new->resolved",
                "assigned->in_progress",
                "assigned->resolved",
                "in_progress->waiting_partner",
                "in_progress->resolved",
                "waiting_partner->in_progress",
                "waiting_partner->resolved",
                "resolved->in_progress",
                "resolved->closed",
            ]
        );
    }

    #[test]
    fn on_call_qualification() {
        assert!(qualifies_for_on_call(Priority::P1, "standard", false));
        assert!(qualifies_for_on_call(Priority::P2, "critical", false));
        assert!(!qualifies_for_on_call(Priority::P2, "standard", false));
        assert!(!qualifies_for_on_call(Priority::P3, "critical", false));
        assert!(qualifies_for_on_call(Priority::P4, "basic", true));
    }

    #[test]
    fn references() {
        assert_eq!(reference(2026, 42), "T-2026-000042");
        assert_eq!(parse_reference("T-2026-000042"), Some((2026, 42)));
        for bad in ["T-2026-42", "T-26-000042", "X-2026-000042", "T-2026-00004a"] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }
}
