//! Who may do what (DOMAIN §8): the one function that decides, [`decide`]. The web layer finds
//! the actor (one extractor) and asks; no handler checks a role itself. Later issues add actions
//! here — never a check of their own.
//!
//! A partner's people see their own partner's data and the published catalogue, nothing else:
//! anything of another partner is [`Decision::NotVisible`] (a 404, exactly as for a missing
//! object); what an actor sees but may not do is [`Decision::Deny`] (a 403, or a 401 for the
//! anonymous). `docs/permissions.md` is [`table`], written out: a test fails if they differ.

use super::roles::{Grant, Role, ScopeKind};

/// Who acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// No credentials: reads the published catalogue, nothing else.
    Anonymous,
    /// `PACTA_ADMIN_TOKEN`: every right of `admin`, audited as `bootstrap`.
    Bootstrap,
    /// A signed-in user (session or API token), enabled.
    User(UserActor),
}

/// A user as authorisation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserActor {
    pub email: String,
    /// The user's partner; `None` for the provider's staff.
    pub partner: Option<String>,
    pub grants: Vec<Grant>,
}

impl Actor {
    fn grant(&self, role: Role) -> Option<&Grant> {
        match self {
            Actor::User(u) => u.grants.iter().find(|g| g.role == role),
            _ => None,
        }
    }

    /// Holds `role` (for a scoped role: with any scope).
    fn has(&self, role: Role) -> bool {
        matches!(self, Actor::Bootstrap if role == Role::Admin) || self.grant(role).is_some()
    }

    /// Holds the scoped `role` with `code` in its scope.
    fn has_over(&self, role: Role, code: &str) -> bool {
        self.grant(role).is_some_and(|g| g.covers(code))
    }

    /// Is one of the provider's staff, who see every partner: the bootstrap token, or a user
    /// without a partner who holds a role other than `prober` (a machine account that runs the
    /// monitors and sees nothing else).
    pub fn is_staff(&self) -> bool {
        match self {
            Actor::Bootstrap => true,
            Actor::User(u) => {
                u.partner.is_none() && u.grants.iter().any(|g| g.role != Role::Prober)
            }
            Actor::Anonymous => false,
        }
    }

    /// Is one of a partner's people holding a role.
    fn is_partner_person(&self) -> bool {
        matches!(self, Actor::User(u) if u.partner.is_some() && !u.grants.is_empty())
    }

    /// Is one of `partner`'s people.
    pub fn is_of(&self, partner: &str) -> bool {
        matches!(self, Actor::User(u) if u.partner.as_deref() == Some(partner))
    }

    /// Holds the partner role `role` of `partner`.
    pub fn has_of(&self, role: Role, partner: &str) -> bool {
        self.is_of(partner) && self.has(role)
    }
}

/// What an actor wants to do, with the object it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    ReadCatalogue,
    /// Categories, service levels, calendars, the profile; creating a service (as a draft).
    EditCatalogue,
    EditDraft {
        service: &'a str,
    },
    PublishService {
        service: &'a str,
    },
    CreatePartner,
    EditPartner {
        partner: &'a str,
    },
    EditPartnerContacts {
        partner: &'a str,
    },
    ManagePartnerUsers {
        partner: &'a str,
    },
    ReadPartner {
        partner: &'a str,
    },
    ReadPartnerUsers {
        partner: &'a str,
    },
    ReadAudit,
    ManageProviderUsers,
    /// List the users one may read (each then by its own rule).
    ListUsers,
    /// Create, list and revoke one's own API tokens.
    ManageOwnTokens,
    /// Read a partner's subscriptions, their history and quote.
    ReadSubscriptions {
        partner: &'a str,
    },
    /// Ask for a subscription of `partner`, or for it.
    RequestSubscription {
        partner: &'a str,
    },
    /// Withdraw a request of `partner` before it is decided.
    WithdrawSubscription {
        partner: &'a str,
    },
    /// Approve, reject, suspend, resume, terminate or move to another version a subscription of
    /// `partner` to `service`.
    DecideSubscription {
        partner: &'a str,
        service: &'a str,
    },
    /// List monitors (each then as [`Action::ReadMonitor`] allows).
    ReadMonitors,
    /// Read a monitor's name, kind and status. `partner` is the partner it watches for: the
    /// partner of the subscription it is attached to, or — for a monitor of the whole service —
    /// the caller's partner when that partner subscribes to `service` (the caller finds out);
    /// `None` otherwise.
    ReadMonitor {
        service: &'a str,
        partner: Option<&'a str>,
    },
    /// Read a monitor's settings: its target, headers (references), thresholds.
    ReadMonitorSettings {
        service: &'a str,
    },
    /// Create, change and delete the monitors of `service` (and of its subscriptions).
    ManageMonitors {
        service: &'a str,
    },
    /// Send monitors' results.
    IngestResults,
    /// List incidents (each then as [`Action::ReadIncident`] allows).
    ReadIncidents,
    /// Read an incident of `service` with its public updates. `partner` is the caller's partner
    /// when that partner subscribes to `service` (the caller finds out); `None` otherwise.
    ReadIncident {
        service: &'a str,
        partner: Option<&'a str>,
    },
    /// Declare incidents of `service`, change their end or kind, post their updates.
    ManageIncidents {
        service: &'a str,
    },
    /// List maintenance windows (each then as [`Action::ReadMaintenance`] allows).
    ReadMaintenanceWindows,
    /// Read a maintenance window: the provider's staff with every partner's consultation; a
    /// partner's people with their own only. `partner` is the caller's partner when that partner
    /// is consulted on the window (the caller finds out); `None` otherwise.
    ReadMaintenance {
        partner: Option<&'a str>,
    },
    /// Propose a maintenance window of `service`, override a partner's objection to it,
    /// reschedule or cancel it.
    ManageMaintenance {
        service: &'a str,
    },
    /// Answer a consultation on a maintenance window for `partner` (the API finds out first that
    /// `partner` is consulted: 404 otherwise).
    AnswerMaintenance {
        partner: &'a str,
    },
    /// Read the URL of `partner`'s maintenance feed (with its secret) and regenerate it.
    ManageFeeds {
        partner: &'a str,
    },
    /// Read the availability and the monthly statements of `partner`'s subscriptions.
    ReadStatements {
        partner: &'a str,
    },
    /// Close a month's statements and amend a statement.
    CloseStatements,
    /// Open a ticket for `partner` (the lines Rule, DOMAIN §4). `central_first_line` is whether
    /// the partner has no local helpdesk and the subscription's effective rights hold
    /// `central-first-line`: then its admins and users may open one too.
    OpenTicket {
        partner: &'a str,
        central_first_line: bool,
    },
    /// Read `partner`'s tickets: status, clocks, public comments, the level reached.
    ReadTickets {
        partner: &'a str,
    },
    /// Comment on a ticket of `partner` about `service`; `internal` comments are the provider's.
    CommentTicket {
        partner: &'a str,
        service: &'a str,
        internal: bool,
    },
    /// Change a ticket's status or priority (a ticket about `service` of `partner`).
    ChangeTicket {
        partner: &'a str,
        service: &'a str,
    },
    /// Ask to escalate a ticket of `partner` by hand.
    EscalateTicket {
        partner: &'a str,
    },
    /// The agents' queue and internal comments of every ticket.
    ReadQueue,
    /// Read and change the on-call roster.
    ManageRoster,
    /// Read SLA compliance of `partner`'s tickets.
    ReadCompliance {
        partner: &'a str,
    },
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// The actor sees the object but may not do this: 403 (401 when anonymous).
    Deny,
    /// The object is not the actor's to know of: 404, exactly as for a missing one.
    NotVisible,
}

fn allow_if(yes: bool) -> Decision {
    if yes {
        Decision::Allow
    } else {
        Decision::Deny
    }
}

/// Whether `actor` may see anything of `partner`: its own people and the provider's staff.
fn sees_partner(actor: &Actor, partner: &str) -> bool {
    actor.is_staff() || actor.is_of(partner)
}

/// Allow when `yes`; else deny what the actor sees of `partner`, hide the rest.
fn on_partner(actor: &Actor, partner: &str, yes: bool) -> Decision {
    if yes {
        Decision::Allow
    } else if matches!(actor, Actor::Anonymous) || sees_partner(actor, partner) {
        Decision::Deny
    } else {
        Decision::NotVisible
    }
}

/// Decides whether `actor` may do `action`.
pub fn decide(actor: &Actor, action: Action<'_>) -> Decision {
    use Role::*;
    match action {
        Action::ReadCatalogue => Decision::Allow,
        Action::EditDraft { service } => allow_if(
            actor.has(Admin)
                || actor.has(CatalogueEditor)
                || actor.has_over(ServiceManager, service),
        ),
        Action::PublishService { .. } | Action::EditCatalogue => {
            allow_if(actor.has(Admin) || actor.has(CatalogueEditor))
        }
        Action::CreatePartner | Action::ManageProviderUsers => allow_if(actor.has(Admin)),
        Action::EditPartner { partner } => on_partner(actor, partner, actor.has(Admin)),
        Action::EditPartnerContacts { partner } => on_partner(
            actor,
            partner,
            actor.has(Admin) || actor.has_over(Prm, partner),
        ),
        Action::ManagePartnerUsers { partner } => on_partner(
            actor,
            partner,
            actor.has(Admin) || actor.has_of(PartnerAdmin, partner),
        ),
        Action::ReadPartner { partner } => on_partner(actor, partner, sees_partner(actor, partner)),
        Action::ReadPartnerUsers { partner } => on_partner(
            actor,
            partner,
            actor.has(Admin) || actor.has_over(Prm, partner) || actor.has_of(PartnerAdmin, partner),
        ),
        Action::ReadAudit => allow_if(actor.has(Admin) || actor.has(IctManagement)),
        Action::ListUsers => {
            allow_if(actor.has(Admin) || actor.has(Prm) || actor.has(PartnerAdmin))
        }
        Action::ManageOwnTokens => {
            allow_if(matches!(actor, Actor::User(u) if !u.grants.is_empty()))
        }
        Action::ReadSubscriptions { partner } => {
            on_partner(actor, partner, sees_partner(actor, partner))
        }
        Action::RequestSubscription { partner } => on_partner(
            actor,
            partner,
            actor.has(Admin) || actor.has_over(Prm, partner) || actor.has_of(PartnerAdmin, partner),
        ),
        Action::WithdrawSubscription { partner } => {
            on_partner(actor, partner, actor.has_of(PartnerAdmin, partner))
        }
        Action::DecideSubscription { partner, service } => on_partner(
            actor,
            partner,
            actor.has(Admin) || actor.has_over(ServiceManager, service),
        ),
        Action::ReadMonitors => {
            allow_if(actor.is_staff() || actor.has(Prober) || actor.is_partner_person())
        }
        Action::ReadMonitor { partner, .. } => {
            if actor.is_staff() || actor.has(Prober) || partner.is_some_and(|p| actor.is_of(p)) {
                Decision::Allow
            } else if matches!(actor, Actor::Anonymous) {
                Decision::Deny
            } else {
                Decision::NotVisible
            }
        }
        Action::ReadMonitorSettings { .. } => allow_if(actor.is_staff() || actor.has(Prober)),
        Action::ManageMonitors { service } => {
            allow_if(actor.has(Admin) || actor.has_over(ServiceManager, service))
        }
        Action::IngestResults => allow_if(actor.has(Admin) || actor.has(Prober)),
        Action::ReadIncidents => allow_if(actor.is_staff() || actor.is_partner_person()),
        Action::ReadIncident { partner, .. } => {
            if actor.is_staff() || partner.is_some_and(|p| actor.is_of(p)) {
                Decision::Allow
            } else if matches!(actor, Actor::Anonymous) {
                Decision::Deny
            } else {
                Decision::NotVisible
            }
        }
        Action::ManageIncidents { service } => {
            allow_if(actor.has(Admin) || actor.has_over(ServiceManager, service))
        }
        Action::ReadMaintenanceWindows => allow_if(actor.is_staff() || actor.is_partner_person()),
        Action::ReadMaintenance { partner } => {
            if actor.is_staff() || partner.is_some_and(|p| actor.is_of(p)) {
                Decision::Allow
            } else if matches!(actor, Actor::Anonymous) {
                Decision::Deny
            } else {
                Decision::NotVisible
            }
        }
        Action::ManageMaintenance { service } => {
            allow_if(actor.has(Admin) || actor.has_over(ServiceManager, service))
        }
        Action::AnswerMaintenance { partner } => {
            on_partner(actor, partner, actor.has_of(PartnerAdmin, partner))
        }
        Action::ManageFeeds { partner } => on_partner(
            actor,
            partner,
            actor.is_staff() || actor.has_of(PartnerAdmin, partner),
        ),
        Action::ReadStatements { partner } => {
            on_partner(actor, partner, sees_partner(actor, partner))
        }
        Action::CloseStatements => allow_if(actor.has(Admin)),
        Action::OpenTicket {
            partner,
            central_first_line,
        } => on_partner(
            actor,
            partner,
            actor.has(HelpdeskAgent)
                || actor.has_of(LocalHelpdesk, partner)
                || (central_first_line
                    && (actor.has_of(PartnerAdmin, partner) || actor.has_of(PartnerUser, partner))),
        ),
        Action::ReadTickets { partner } | Action::ReadCompliance { partner } => {
            on_partner(actor, partner, sees_partner(actor, partner))
        }
        Action::CommentTicket {
            partner,
            service,
            internal,
        } => on_partner(
            actor,
            partner,
            handles_tickets_of(actor, service)
                || (!internal
                    && [PartnerAdmin, LocalHelpdesk, PartnerUser]
                        .into_iter()
                        .any(|r| actor.has_of(r, partner))),
        ),
        Action::ChangeTicket { partner, service } => {
            on_partner(actor, partner, handles_tickets_of(actor, service))
        }
        Action::EscalateTicket { partner } => on_partner(
            actor,
            partner,
            actor.is_staff()
                || actor.has_of(PartnerAdmin, partner)
                || actor.has_of(LocalHelpdesk, partner),
        ),
        Action::ReadQueue | Action::ManageRoster => allow_if(actor.is_staff()),
    }
}

/// The helpdesk's agents, on-call duty and the service's manager handle its tickets.
fn handles_tickets_of(actor: &Actor, service: &str) -> bool {
    use Role::*;
    actor.has(HelpdeskAgent) || actor.has(OnCall) || actor.has_over(ServiceManager, service)
}

/// One row of the table for humans: what, and the action it stands for (on the object `code`).
struct Row {
    what: &'static str,
    action: fn(&str) -> Action<'_>,
}

const ROWS: &[Row] = &[
    Row {
        what: "read the published catalogue",
        action: |_| Action::ReadCatalogue,
    },
    Row {
        what: "edit categories, service levels and the profile; create a service",
        action: |_| Action::EditCatalogue,
    },
    Row {
        what: "edit a service's draft",
        action: |c| Action::EditDraft { service: c },
    },
    Row {
        what: "publish / retire a service",
        action: |c| Action::PublishService { service: c },
    },
    Row {
        what: "create partners",
        action: |_| Action::CreatePartner,
    },
    Row {
        what: "edit any field of a partner",
        action: |c| Action::EditPartner { partner: c },
    },
    Row {
        what: "edit a partner's contacts and PRM-facing fields",
        action: |c| Action::EditPartnerContacts { partner: c },
    },
    Row {
        what: "manage a partner's users (partner roles only)",
        action: |c| Action::ManagePartnerUsers { partner: c },
    },
    Row {
        what: "read a partner",
        action: |c| Action::ReadPartner { partner: c },
    },
    Row {
        what: "read a partner's users",
        action: |c| Action::ReadPartnerUsers { partner: c },
    },
    Row {
        what: "list users (each as the rows above allow)",
        action: |_| Action::ListUsers,
    },
    Row {
        what: "read the audit log",
        action: |_| Action::ReadAudit,
    },
    Row {
        what: "manage provider users and roles",
        action: |_| Action::ManageProviderUsers,
    },
    Row {
        what: "create, list and revoke one's own API tokens",
        action: |_| Action::ManageOwnTokens,
    },
    Row {
        what: "read a partner's subscriptions",
        action: |c| Action::ReadSubscriptions { partner: c },
    },
    Row {
        what: "request a subscription (for a partner)",
        action: |c| Action::RequestSubscription { partner: c },
    },
    Row {
        what: "withdraw a partner's request before it is decided",
        action: |c| Action::WithdrawSubscription { partner: c },
    },
    Row {
        what:
            "approve, reject, suspend, resume, terminate a subscription; move it to another version",
        action: |c| Action::DecideSubscription {
            partner: c,
            service: c,
        },
    },
    Row {
        what: "list monitors (each as the rows below allow)",
        action: |_| Action::ReadMonitors,
    },
    Row {
        what: "read a monitor's name, kind and status (a partner's people: the monitors of its subscriptions and of the services it subscribes to)",
        action: |c| Action::ReadMonitor {
            service: c,
            partner: Some(c),
        },
    },
    Row {
        what: "read a monitor's settings (target, header references, thresholds)",
        action: |c| Action::ReadMonitorSettings { service: c },
    },
    Row {
        what: "create, change and delete a service's monitors",
        action: |c| Action::ManageMonitors { service: c },
    },
    Row {
        what: "send monitors' results",
        action: |_| Action::IngestResults,
    },
    Row {
        what: "list incidents (each as the row below allows)",
        action: |_| Action::ReadIncidents,
    },
    Row {
        what: "read an incident and its public updates (a partner's people: of the services it subscribes to)",
        action: |c| Action::ReadIncident {
            service: c,
            partner: Some(c),
        },
    },
    Row {
        what: "declare a service's incidents, change their end or kind, post updates",
        action: |c| Action::ManageIncidents { service: c },
    },
    Row {
        what: "list maintenance windows (each as the row below allows)",
        action: |_| Action::ReadMaintenanceWindows,
    },
    Row {
        what: "read a maintenance window (a partner's people: one their partner is consulted on, their own answers only)",
        action: |c| Action::ReadMaintenance { partner: Some(c) },
    },
    Row {
        what: "propose a maintenance window; override an objection; reschedule or cancel a window",
        action: |c| Action::ManageMaintenance { service: c },
    },
    Row {
        what: "answer a consultation on a maintenance window (for a consulted partner)",
        action: |c| Action::AnswerMaintenance { partner: c },
    },
    Row {
        what: "read and regenerate the URL of a partner's maintenance feed (iCalendar)",
        action: |c| Action::ManageFeeds { partner: c },
    },
    Row {
        what: "read a partner's availability and monthly statements",
        action: |c| Action::ReadStatements { partner: c },
    },
    Row {
        what: "close a month's statements; amend a statement",
        action: |_| Action::CloseStatements,
    },
    Row {
        what: "open a ticket (the lines Rule)",
        action: |c| Action::OpenTicket {
            partner: c,
            central_first_line: false,
        },
    },
    Row {
        what: "open a ticket when the partner has no local helpdesk and the subscription holds `central-first-line`",
        action: |c| Action::OpenTicket {
            partner: c,
            central_first_line: true,
        },
    },
    Row {
        what: "read a partner's tickets (a partner's people: public comments, status, clocks, the level reached)",
        action: |c| Action::ReadTickets { partner: c },
    },
    Row {
        what: "comment publicly on a ticket",
        action: |c| Action::CommentTicket {
            partner: c,
            service: c,
            internal: false,
        },
    },
    Row {
        what: "comment internally on a ticket (every provider role reads internal comments)",
        action: |c| Action::CommentTicket {
            partner: c,
            service: c,
            internal: true,
        },
    },
    Row {
        what: "change a ticket's status or priority",
        action: |c| Action::ChangeTicket {
            partner: c,
            service: c,
        },
    },
    Row {
        what: "ask to escalate a ticket",
        action: |c| Action::EscalateTicket { partner: c },
    },
    Row {
        what: "read the agents' queue",
        action: |_| Action::ReadQueue,
    },
    Row {
        what: "read and change the on-call roster",
        action: |_| Action::ManageRoster,
    },
    Row {
        what: "read SLA compliance of a partner's tickets",
        action: |c| Action::ReadCompliance { partner: c },
    },
];

/// The object of the probes, and another one.
const IT: &str = "OBJECT";
const OTHER: &str = "OTHER";

/// A user holding only `role`, over `code`: its scope when scoped, its partner when a partner role.
fn holder(role: Role, code: &str) -> Actor {
    let (partner, grant) = match (role.is_partner_role(), role.scope_kind()) {
        (true, _) => (Some(code.to_owned()), Grant::unscoped(role)),
        (false, Some(ScopeKind::Services | ScopeKind::Partners)) => {
            (None, Grant::scoped(role, &[code]))
        }
        (false, None) => (None, Grant::unscoped(role)),
    };
    Actor::User(UserActor {
        email: format!("{role}@example.be"),
        partner,
        grants: vec![grant],
    })
}

/// Who may do what, in words: for each action, the roles [`decide`] allows — probed with a user
/// of each role, on an object in the role's scope (or of its partner) and on another one.
pub fn table() -> String {
    let mut out = String::from("| action | allowed |\n|---|---|\n");
    for row in ROWS {
        let on_it = (row.action)(IT);
        let on_other = (row.action)(OTHER);
        if decide(&Actor::Anonymous, on_it) == Decision::Allow {
            out.push_str(&format!(
                "| {} | everyone, anonymous included |\n",
                row.what
            ));
            continue;
        }
        let mut staff = Vec::new();
        let mut people = Vec::new();
        for role in Role::ALL {
            let mine = decide(&holder(role, IT), on_it) == Decision::Allow;
            let any = mine && decide(&holder(role, IT), on_other) == Decision::Allow;
            let name = match (mine, any) {
                (true, true) => role.code().to_owned(),
                (true, false) => format!("`{role}` of it"),
                _ => continue,
            };
            let name = if any { format!("`{name}`") } else { name };
            if role.is_partner_role() {
                people.push(name);
            } else {
                staff.push(name);
            }
        }
        let mut who = Vec::new();
        let all_staff = Role::ALL.iter().filter(|r| !r.is_partner_role()).count();
        let all_people = Role::ALL.len() - all_staff;
        let unscoped = staff.iter().all(|s| !s.ends_with("of it"));
        if staff.len() == all_staff && unscoped {
            who.push("every provider role".to_owned());
        } else if staff.len() == all_staff - 1 && unscoped && !staff.contains(&"`prober`".into()) {
            who.push("every provider role but `prober`".to_owned());
        } else if !staff.is_empty() {
            who.push(staff.join(", "));
        }
        if people.len() == all_people && people.iter().all(|p| p.ends_with("of it")) {
            who.push("that partner's people".to_owned());
        } else if !people.is_empty() {
            who.push(people.join(", "));
        }
        let who = if who.is_empty() {
            "nobody".to_owned()
        } else {
            who.join("; ")
        };
        out.push_str(&format!("| {} | {who} |\n", row.what));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;

    fn user(partner: Option<&str>, grants: &[&str]) -> Actor {
        Actor::User(UserActor {
            email: "u@example.be".into(),
            partner: partner.map(Into::into),
            grants: grants.iter().map(|g| Grant::parse(g).unwrap()).collect(),
        })
    }

    /// The contract of issue 8, one line per (actor, action) with the decision.
    #[test]
    fn the_permission_table() {
        let anonymous = Actor::Anonymous;
        let bootstrap = Actor::Bootstrap;
        let admin = user(None, &["admin"]);
        let editor = user(None, &["catalogue-editor"]);
        let sm = user(None, &["service-manager:WEB-HOSTING"]);
        let prm = user(None, &["prm:P-A"]);
        let ict = user(None, &["ict-management"]);
        let agent = user(None, &["helpdesk-agent"]);
        let on_call = user(None, &["on-call"]);
        let a_admin = user(Some("P-A"), &["partner-admin"]);
        let a_user = user(Some("P-A"), &["partner-user"]);
        let a_viewer = user(Some("P-A"), &["viewer"]);
        let b_admin = user(Some("P-B"), &["partner-admin"]);
        let nobody = user(None, &[]);

        let draft = Action::EditDraft {
            service: "WEB-HOSTING",
        };
        let other_draft = Action::EditDraft {
            service: "MAIL-AGENDA",
        };
        let publish = Action::PublishService {
            service: "WEB-HOSTING",
        };
        let edit_a = Action::EditPartner { partner: "P-A" };
        let contacts_a = Action::EditPartnerContacts { partner: "P-A" };
        let contacts_b = Action::EditPartnerContacts { partner: "P-B" };
        let users_a = Action::ManagePartnerUsers { partner: "P-A" };
        let read_a = Action::ReadPartner { partner: "P-A" };
        let read_users_a = Action::ReadPartnerUsers { partner: "P-A" };
        let read_users_b = Action::ReadPartnerUsers { partner: "P-B" };

        let cases: Vec<(&Actor, Action, Decision)> = vec![
            // The published catalogue: everyone.
            (&anonymous, Action::ReadCatalogue, Allow),
            (&b_admin, Action::ReadCatalogue, Allow),
            // Drafts: admin, catalogue-editor, the service manager of that service.
            (&admin, draft, Allow),
            (&bootstrap, draft, Allow),
            (&editor, draft, Allow),
            (&sm, draft, Allow),
            (&sm, other_draft, Deny),
            (&prm, draft, Deny),
            (&a_admin, draft, Deny),
            (&anonymous, draft, Deny),
            // Publish and retire, and the rest of the catalogue: admin, catalogue-editor.
            (&editor, publish, Allow),
            (&editor, Action::EditCatalogue, Allow),
            (&sm, Action::EditCatalogue, Deny),
            (&anonymous, Action::EditCatalogue, Deny),
            (&sm, publish, Deny),
            // Partners: created and edited whole by admin only.
            (&admin, Action::CreatePartner, Allow),
            (&prm, Action::CreatePartner, Deny),
            (&admin, edit_a, Allow),
            (&prm, edit_a, Deny),
            (&a_admin, edit_a, Deny),
            (&b_admin, edit_a, NotVisible),
            // Contacts: the partner's PRM too.
            (&prm, contacts_a, Allow),
            (&prm, contacts_b, Deny),
            (&a_admin, contacts_a, Deny),
            (&b_admin, contacts_a, NotVisible),
            // A partner's users: admin and that partner's partner-admin.
            (&admin, users_a, Allow),
            (&a_admin, users_a, Allow),
            (&a_user, users_a, Deny),
            (&b_admin, users_a, NotVisible),
            (&prm, users_a, Deny),
            (&anonymous, users_a, Deny),
            // Reading a partner: its people, every provider role; others see nothing.
            (&a_viewer, read_a, Allow),
            (&agent, read_a, Allow),
            (&on_call, read_a, Allow),
            (&sm, read_a, Allow),
            (&b_admin, read_a, NotVisible),
            (&nobody, read_a, NotVisible),
            (&anonymous, read_a, Deny),
            // Its users: its partner-admin; admin; its PRM.
            (&a_admin, read_users_a, Allow),
            (&admin, read_users_a, Allow),
            (&prm, read_users_a, Allow),
            (&prm, read_users_b, Deny),
            (&a_user, read_users_a, Deny),
            (&agent, read_users_a, Deny),
            (&b_admin, read_users_a, NotVisible),
            // The audit log: admin, ict-management.
            (&ict, Action::ReadAudit, Allow),
            (&admin, Action::ReadAudit, Allow),
            (&agent, Action::ReadAudit, Deny),
            (&a_admin, Action::ReadAudit, Deny),
            // Listing users: those who read some.
            (&prm, Action::ListUsers, Allow),
            (&a_admin, Action::ListUsers, Allow),
            (&a_viewer, Action::ListUsers, Deny),
            (&agent, Action::ListUsers, Deny),
            // One's own tokens: every signed-in user with a role.
            (&a_viewer, Action::ManageOwnTokens, Allow),
            (&agent, Action::ManageOwnTokens, Allow),
            (&bootstrap, Action::ManageOwnTokens, Deny),
            (&anonymous, Action::ManageOwnTokens, Deny),
            // Provider users: admin.
            (&admin, Action::ManageProviderUsers, Allow),
            (&bootstrap, Action::ManageProviderUsers, Allow),
            (&ict, Action::ManageProviderUsers, Deny),
            // Subscriptions (issue 9).
            (
                &a_viewer,
                Action::ReadSubscriptions { partner: "P-A" },
                Allow,
            ),
            (
                &on_call,
                Action::ReadSubscriptions { partner: "P-A" },
                Allow,
            ),
            (
                &b_admin,
                Action::ReadSubscriptions { partner: "P-A" },
                NotVisible,
            ),
            (
                &anonymous,
                Action::ReadSubscriptions { partner: "P-A" },
                Deny,
            ),
            (
                &a_admin,
                Action::RequestSubscription { partner: "P-A" },
                Allow,
            ),
            (
                &a_user,
                Action::RequestSubscription { partner: "P-A" },
                Deny,
            ),
            (
                &b_admin,
                Action::RequestSubscription { partner: "P-A" },
                NotVisible,
            ),
            (
                &admin,
                Action::RequestSubscription { partner: "P-A" },
                Allow,
            ),
            (&prm, Action::RequestSubscription { partner: "P-A" }, Allow),
            (&prm, Action::RequestSubscription { partner: "P-B" }, Deny),
            (&sm, Action::RequestSubscription { partner: "P-A" }, Deny),
            (
                &a_admin,
                Action::WithdrawSubscription { partner: "P-A" },
                Allow,
            ),
            (
                &admin,
                Action::WithdrawSubscription { partner: "P-A" },
                Deny,
            ),
            (
                &b_admin,
                Action::WithdrawSubscription { partner: "P-A" },
                NotVisible,
            ),
            (
                &sm,
                Action::DecideSubscription {
                    partner: "P-A",
                    service: "WEB-HOSTING",
                },
                Allow,
            ),
            (
                &sm,
                Action::DecideSubscription {
                    partner: "P-A",
                    service: "MAIL-AGENDA",
                },
                Deny,
            ),
            (
                &admin,
                Action::DecideSubscription {
                    partner: "P-A",
                    service: "MAIL-AGENDA",
                },
                Allow,
            ),
            (
                &prm,
                Action::DecideSubscription {
                    partner: "P-A",
                    service: "WEB-HOSTING",
                },
                Deny,
            ),
            (
                &a_admin,
                Action::DecideSubscription {
                    partner: "P-A",
                    service: "WEB-HOSTING",
                },
                Deny,
            ),
            (
                &b_admin,
                Action::DecideSubscription {
                    partner: "P-A",
                    service: "WEB-HOSTING",
                },
                NotVisible,
            ),
        ];
        for (actor, action, expected) in cases {
            assert_eq!(decide(actor, action), expected, "{actor:?} {action:?}");
        }
    }

    /// Monitors (issue 10): read by staff, the prober and the partner they watch for; settings
    /// by staff and the prober; written by admin and the service's manager; results sent by
    /// admin and the prober — who sees nothing else.
    #[test]
    fn the_monitor_rows() {
        let anonymous = Actor::Anonymous;
        let bootstrap = Actor::Bootstrap;
        let admin = user(None, &["admin"]);
        let sm = user(None, &["service-manager:WEB-HOSTING"]);
        let agent = user(None, &["helpdesk-agent"]);
        let prober = user(None, &["prober"]);
        let prober_admin = user(None, &["prober", "admin"]);
        let nobody = user(None, &[]);
        let a_viewer = user(Some("P-A"), &["viewer"]);
        let b_admin = user(Some("P-B"), &["partner-admin"]);
        let web = "WEB-HOSTING";
        let mail = "MAIL-AGENDA";
        let read_for_a = Action::ReadMonitor {
            service: web,
            partner: Some("P-A"),
        };
        let read_for_none = Action::ReadMonitor {
            service: web,
            partner: None,
        };
        let settings = Action::ReadMonitorSettings { service: web };
        let manage_web = Action::ManageMonitors { service: web };
        let manage_mail = Action::ManageMonitors { service: mail };
        let cases: Vec<(&Actor, Action, Decision)> = vec![
            (&anonymous, Action::ReadMonitors, Deny),
            (&a_viewer, Action::ReadMonitors, Allow),
            (&agent, Action::ReadMonitors, Allow),
            (&prober, Action::ReadMonitors, Allow),
            (&nobody, Action::ReadMonitors, Deny),
            // One monitor: staff and the prober always; a partner's people when it watches for
            // them; anyone else does not know it exists.
            (&agent, read_for_none, Allow),
            (&prober, read_for_none, Allow),
            (&a_viewer, read_for_a, Allow),
            (&a_viewer, read_for_none, NotVisible),
            (&b_admin, read_for_a, NotVisible),
            (&anonymous, read_for_a, Deny),
            // Its settings: never a partner's people.
            (&agent, settings, Allow),
            (&prober, settings, Allow),
            (&bootstrap, settings, Allow),
            (&a_viewer, settings, Deny),
            (&anonymous, settings, Deny),
            // Writes: admin, the service's manager.
            (&admin, manage_mail, Allow),
            (&bootstrap, manage_web, Allow),
            (&sm, manage_web, Allow),
            (&sm, manage_mail, Deny),
            (&agent, manage_web, Deny),
            (&prober, manage_web, Deny),
            (&a_viewer, manage_web, Deny),
            // Results: admin, the prober.
            (&prober, Action::IngestResults, Allow),
            (&admin, Action::IngestResults, Allow),
            (&sm, Action::IngestResults, Deny),
            (&a_viewer, Action::IngestResults, Deny),
            (&anonymous, Action::IngestResults, Deny),
            // The prober is no staff: no partner's data …
            (&prober, Action::ReadPartner { partner: "P-A" }, NotVisible),
            (
                &prober,
                Action::ReadSubscriptions { partner: "P-A" },
                NotVisible,
            ),
            (&prober, Action::ReadAudit, Deny),
            // … but its own tokens; and with another provider role it is staff.
            (&prober, Action::ManageOwnTokens, Allow),
            (&prober_admin, Action::ReadPartner { partner: "P-A" }, Allow),
        ];
        for (actor, action, expected) in cases {
            assert_eq!(decide(actor, action), expected, "{actor:?} {action:?}");
        }
    }

    /// The lines Rule (issue 13): who may open a ticket for P-A, and what the others get.
    #[test]
    fn the_lines_rule() {
        let agent = user(None, &["helpdesk-agent"]);
        let sm = user(None, &["service-manager:WEB-HOSTING"]);
        let local = user(Some("P-A"), &["local-helpdesk"]);
        let a_admin = user(Some("P-A"), &["partner-admin"]);
        let a_user = user(Some("P-A"), &["partner-user"]);
        let a_viewer = user(Some("P-A"), &["viewer"]);
        let b_local = user(Some("P-B"), &["local-helpdesk"]);
        let open = |cfl| Action::OpenTicket {
            partner: "P-A",
            central_first_line: cfl,
        };
        for (actor, without, with) in [
            (&agent, Allow, Allow),
            (&local, Allow, Allow),
            (&a_admin, Deny, Allow),
            (&a_user, Deny, Allow),
            (&a_viewer, Deny, Deny),
            (&sm, Deny, Deny),
            (&b_local, NotVisible, NotVisible),
            (&Actor::Anonymous, Deny, Deny),
        ] {
            assert_eq!(decide(actor, open(false)), without, "{actor:?}");
            assert_eq!(decide(actor, open(true)), with, "{actor:?}");
        }
        let comment = |internal| Action::CommentTicket {
            partner: "P-A",
            service: "WEB-HOSTING",
            internal,
        };
        assert_eq!(decide(&a_user, comment(false)), Allow);
        assert_eq!(decide(&a_user, comment(true)), Deny);
        assert_eq!(decide(&a_viewer, comment(false)), Deny);
        assert_eq!(decide(&sm, comment(true)), Allow);
        assert_eq!(decide(&b_local, comment(false)), NotVisible);
        let change = Action::ChangeTicket {
            partner: "P-A",
            service: "MAIL-AGENDA",
        };
        assert_eq!(decide(&sm, change), Deny);
        assert_eq!(decide(&agent, change), Allow);
        assert_eq!(
            decide(&local, Action::EscalateTicket { partner: "P-A" }),
            Allow
        );
        assert_eq!(
            decide(&a_user, Action::EscalateTicket { partner: "P-A" }),
            Deny
        );
        assert_eq!(decide(&local, Action::ReadQueue), Deny);
    }

    #[test]
    fn the_table_for_humans_says_what_decide_does() {
        let table = table();
        for line in [
            "| read the published catalogue | everyone, anonymous included |",
            "| edit a service's draft | `admin`, `catalogue-editor`, `service-manager` of it |",
            "| publish / retire a service | `admin`, `catalogue-editor` |",
            "| read a partner | every provider role but `prober`; that partner's people |",
            "| read a partner's users | `admin`, `prm` of it; `partner-admin` of it |",
            "| read the audit log | `admin`, `ict-management` |",
            "| create, change and delete a service's monitors | `admin`, `service-manager` of it |",
            "| send monitors' results | `admin`, `prober` |",
        ] {
            assert!(table.contains(line), "{line}\nin\n{table}");
        }
    }
}
