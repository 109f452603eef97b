//! The lines of support (DOMAIN §4, issue 13): who may open a ticket for a partner, and — when
//! the Rule refuses — why, so the page and the API can say it instead of a bare "forbidden".

use crate::access::{decide, Action, Actor, Decision, Role};

/// Why the lines Rule refuses an actor who sees the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinesRefusal {
    /// Provider staff who are not helpdesk agents: the phone line is the agents'.
    NotAnAgent,
    /// A viewer never opens tickets.
    Viewer,
    /// The partner's local helpdesk is its first line: it opens the tickets.
    LocalHelpdesk,
    /// No local helpdesk, but the subscription does not hold `central-first-line`.
    NoCentralFirstLine,
    /// Anyone else who sees the partner (a role without tickets).
    NoTicketRole,
}

/// What the lines Rule says about `actor` opening a ticket on a subscription of `partner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    Allowed,
    Refused(LinesRefusal),
    /// The partner is not the actor's to know of (404, as a missing subscription).
    NotVisible,
}

/// `central_first_line`: the subscription's effective rights hold `central-first-line`.
pub fn opening(
    actor: &Actor,
    partner: &str,
    local_helpdesk: bool,
    central_first_line: bool,
) -> Opening {
    let action = Action::OpenTicket {
        partner,
        central_first_line: !local_helpdesk && central_first_line,
    };
    match decide(actor, action) {
        Decision::Allow => Opening::Allowed,
        Decision::NotVisible => Opening::NotVisible,
        Decision::Deny => Opening::Refused(if actor.is_staff() {
            LinesRefusal::NotAnAgent
        } else if actor.has_of(Role::Viewer, partner) {
            LinesRefusal::Viewer
        } else if local_helpdesk {
            LinesRefusal::LocalHelpdesk
        } else if !central_first_line {
            LinesRefusal::NoCentralFirstLine
        } else {
            LinesRefusal::NoTicketRole
        }),
    }
}

impl LinesRefusal {
    /// A stable code, for the pages' translations (`tk-lines-{code}`).
    pub fn code(self) -> &'static str {
        match self {
            LinesRefusal::NotAnAgent => "not-an-agent",
            LinesRefusal::Viewer => "viewer",
            LinesRefusal::LocalHelpdesk => "local-helpdesk",
            LinesRefusal::NoCentralFirstLine => "no-central-first-line",
            LinesRefusal::NoTicketRole => "no-ticket-role",
        }
    }

    /// The API's words (English), naming the partner.
    pub fn message(self, partner: &str) -> String {
        match self {
            LinesRefusal::NotAnAgent => format!(
                "the helpdesk's agents open tickets for {partner} (the phone line); its own people open them under the lines Rule"
            ),
            LinesRefusal::Viewer => format!("a viewer cannot open tickets for {partner}"),
            LinesRefusal::LocalHelpdesk => {
                format!("{partner} has a local helpdesk: it opens the tickets (the first line)")
            }
            LinesRefusal::NoCentralFirstLine => format!(
                "{partner} has no local helpdesk and this subscription does not hold the `central-first-line` option: ask the central helpdesk by phone"
            ),
            LinesRefusal::NoTicketRole => format!(
                "only the helpdesk's agents, {partner}'s local helpdesk, or — under central-first-line — its admins and users open tickets"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Grant, UserActor};

    fn person(partner: Option<&str>, role: &str) -> Actor {
        Actor::User(UserActor {
            email: "x@example".into(),
            partner: partner.map(Into::into),
            grants: vec![Grant::parse(role).unwrap()],
        })
    }

    #[test]
    fn the_lines_rule_says_who_opens_and_why_not() {
        use LinesRefusal::*;
        let agent = person(None, "helpdesk-agent");
        let sm = person(None, "service-manager:MAIL");
        let local = person(Some("P-A"), "local-helpdesk");
        let admin = person(Some("P-A"), "partner-admin");
        let user = person(Some("P-A"), "partner-user");
        let viewer = person(Some("P-A"), "viewer");
        // (actor, local helpdesk, central-first-line) → opening
        let cases = [
            (&agent, true, false, Opening::Allowed),
            (&agent, false, false, Opening::Allowed),
            (&sm, false, true, Opening::Refused(NotAnAgent)),
            (&local, true, false, Opening::Allowed),
            (&admin, true, true, Opening::Refused(LocalHelpdesk)),
            (&admin, false, false, Opening::Refused(NoCentralFirstLine)),
            (&admin, false, true, Opening::Allowed),
            (&user, false, true, Opening::Allowed),
            (&user, true, true, Opening::Refused(LocalHelpdesk)),
            (&viewer, false, true, Opening::Refused(Viewer)),
        ];
        for (actor, local_helpdesk, cfl, want) in cases {
            assert_eq!(
                opening(actor, "P-A", local_helpdesk, cfl),
                want,
                "{actor:?} {local_helpdesk} {cfl}"
            );
        }
        assert_eq!(
            opening(&person(Some("P-B"), "partner-admin"), "P-A", false, true),
            Opening::NotVisible
        );
    }
}
