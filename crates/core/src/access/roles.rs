//! Roles (DOMAIN §8): eight of the provider, four of a partner's people; `service-manager` and
//! `prm` are scoped (to services, to partners), the others are not. A user holds provider roles
//! (no partner) or roles of its one partner, never both. `prober` (issue 10) is the provider's
//! machine account that runs the monitors: it reads their settings and sends their results,
//! and sees nothing else.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A role, written as its code (`service-manager`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Admin,
    CatalogueEditor,
    /// The SPOC of the services in its scope.
    ServiceManager,
    /// The partner relationship manager of the partners in its scope.
    Prm,
    IctManagement,
    HelpdeskAgent,
    OnCall,
    /// A machine account of the provider that runs the monitors: reads their settings, sends
    /// their results; no other data.
    Prober,
    /// Subscribes, answers maintenance consultations, manages its partner's users.
    PartnerAdmin,
    /// Opens tickets (the first line).
    LocalHelpdesk,
    /// Reads its dashboard; opens tickets only under the central-first-line rule.
    PartnerUser,
    Viewer,
}

/// What a scoped role's scope names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// Service codes (`WEB-HOSTING`).
    Services,
    /// Partner codes (`PARTNER-A`).
    Partners,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Admin,
        Role::CatalogueEditor,
        Role::ServiceManager,
        Role::Prm,
        Role::IctManagement,
        Role::HelpdeskAgent,
        Role::OnCall,
        Role::Prober,
        Role::PartnerAdmin,
        Role::LocalHelpdesk,
        Role::PartnerUser,
        Role::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CatalogueEditor => "catalogue-editor",
            Role::ServiceManager => "service-manager",
            Role::Prm => "prm",
            Role::IctManagement => "ict-management",
            Role::HelpdeskAgent => "helpdesk-agent",
            Role::OnCall => "on-call",
            Role::Prober => "prober",
            Role::PartnerAdmin => "partner-admin",
            Role::LocalHelpdesk => "local-helpdesk",
            Role::PartnerUser => "partner-user",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role belongs to a partner's people (else to the provider's staff).
    pub fn is_partner_role(self) -> bool {
        matches!(
            self,
            Role::PartnerAdmin | Role::LocalHelpdesk | Role::PartnerUser | Role::Viewer
        )
    }

    /// What the role's scope names, for the two scoped roles.
    pub fn scope_kind(self) -> Option<ScopeKind> {
        match self {
            Role::ServiceManager => Some(ScopeKind::Services),
            Role::Prm => Some(ScopeKind::Partners),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A role held by a user, with its scope (`"scope": []` when unscoped).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Vec<String>,
}

impl Grant {
    pub fn unscoped(role: Role) -> Grant {
        Grant {
            role,
            scope: Vec::new(),
        }
    }

    pub fn scoped(role: Role, scope: &[&str]) -> Grant {
        let mut scope: Vec<String> = scope.iter().map(|s| (*s).to_owned()).collect();
        scope.sort();
        scope.dedup();
        Grant { role, scope }
    }

    /// Reads `ROLE` or `ROLE:SCOPE,SCOPE…` (`service-manager:WEB-HOSTING,MAIL-AGENDA`), as the
    /// command line writes a grant. The scope is sorted and deduplicated.
    pub fn parse(text: &str) -> Result<Grant, RoleError> {
        let (role, scope) = match text.split_once(':') {
            Some((r, s)) => (r, Some(s)),
            None => (text, None),
        };
        let role = Role::from_code(role).ok_or_else(|| RoleError::UnknownRole(role.to_owned()))?;
        let scope: Vec<&str> = match scope {
            Some(s) => s.split(',').map(str::trim).collect(),
            None => Vec::new(),
        };
        if scope.iter().any(|s| s.is_empty()) {
            return Err(RoleError::EmptyScopeEntry(text.to_owned()));
        }
        let grant = Grant::scoped(role, &scope);
        grant.check()?;
        Ok(grant)
    }

    /// A scoped role names at least one code of its kind; an unscoped one names none.
    pub fn check(&self) -> Result<(), RoleError> {
        match (self.role.scope_kind(), self.scope.is_empty()) {
            (Some(_), true) => Err(RoleError::ScopeRequired(self.role)),
            (None, false) => Err(RoleError::NotScoped(self.role)),
            _ => {
                let bad = self.scope.iter().find(|c| !is_code(c));
                match bad {
                    Some(c) => Err(RoleError::BadScope(self.role, c.clone())),
                    None => Ok(()),
                }
            }
        }
    }

    /// Whether the grant's scope names `code` (always false for an unscoped grant).
    pub fn covers(&self, code: &str) -> bool {
        self.scope.iter().any(|c| c == code)
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scope.is_empty() {
            write!(f, "{}", self.role)
        } else {
            write!(f, "{}:{}", self.role, self.scope.join(","))
        }
    }
}

/// A service or partner code: `[A-Z0-9-]`, at most 64 characters.
fn is_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

/// Why a set of roles cannot be held.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("unknown role `{0}` (roles: admin, catalogue-editor, service-manager, prm, ict-management, helpdesk-agent, on-call, prober, partner-admin, local-helpdesk, partner-user, viewer)")]
    UnknownRole(String),
    #[error("`{0}`: a scope lists codes separated by commas, none empty")]
    EmptyScopeEntry(String),
    #[error("{0} is scoped: name its codes, e.g. `{0}:CODE,CODE`")]
    ScopeRequired(Role),
    #[error("{0} takes no scope")]
    NotScoped(Role),
    #[error("{0}: `{1}` is not a code ([A-Z0-9-], at most 64 characters)")]
    BadScope(Role, String),
    #[error("{0} is a role of a partner's people: give the user a partner (--partner CODE)")]
    PartnerRoleWithoutPartner(Role),
    #[error("{0} is a role of the provider's staff: a partner's user holds partner roles only")]
    ProviderRoleWithPartner(Role),
    #[error("{0} is given twice")]
    Twice(Role),
}

/// Checks the roles a user holds: each grant on its own, no role twice, and provider roles
/// (no partner) or partner roles (of the user's one partner), never both.
pub fn check_grants(partner: Option<&str>, grants: &[Grant]) -> Result<(), RoleError> {
    let mut seen = Vec::new();
    for g in grants {
        g.check()?;
        if seen.contains(&g.role) {
            return Err(RoleError::Twice(g.role));
        }
        seen.push(g.role);
        match (partner.is_some(), g.role.is_partner_role()) {
            (false, true) => return Err(RoleError::PartnerRoleWithoutPartner(g.role)),
            (true, false) => return Err(RoleError::ProviderRoleWithPartner(g.role)),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_written_role_colon_scope() {
        let g = Grant::parse("service-manager:WEB-HOSTING,MAIL-AGENDA,WEB-HOSTING").unwrap();
        assert_eq!(g.role, Role::ServiceManager);
        assert_eq!(g.scope, ["MAIL-AGENDA", "WEB-HOSTING"], "sorted, once each");
        assert_eq!(g.to_string(), "service-manager:MAIL-AGENDA,WEB-HOSTING");
        assert_eq!(
            Grant::parse("helpdesk-agent").unwrap(),
            Grant::unscoped(Role::HelpdeskAgent)
        );
        assert_eq!(
            serde_json::to_value(Grant::parse("prm:PARTNER-A").unwrap()).unwrap(),
            serde_json::json!({"role": "prm", "scope": ["PARTNER-A"]})
        );
    }

    #[test]
    fn bad_grants_say_why() {
        assert_eq!(
            Grant::parse("root"),
            Err(RoleError::UnknownRole("root".into()))
        );
        assert_eq!(
            Grant::parse("prm"),
            Err(RoleError::ScopeRequired(Role::Prm))
        );
        assert_eq!(
            Grant::parse("admin:X1"),
            Err(RoleError::NotScoped(Role::Admin))
        );
        assert!(matches!(
            Grant::parse("prm:A,,B"),
            Err(RoleError::EmptyScopeEntry(_))
        ));
        assert!(matches!(
            Grant::parse("prm:lower"),
            Err(RoleError::BadScope(Role::Prm, _))
        ));
    }

    #[test]
    fn a_user_is_staff_or_a_partners_person_never_both() {
        let staff = [
            Grant::unscoped(Role::Admin),
            Grant::parse("prm:P1").unwrap(),
        ];
        assert_eq!(check_grants(None, &staff), Ok(()));
        assert_eq!(
            check_grants(Some("P1"), &staff),
            Err(RoleError::ProviderRoleWithPartner(Role::Admin))
        );
        let people = [Grant::unscoped(Role::PartnerAdmin)];
        assert_eq!(check_grants(Some("P1"), &people), Ok(()));
        assert_eq!(
            check_grants(None, &people),
            Err(RoleError::PartnerRoleWithoutPartner(Role::PartnerAdmin))
        );
        assert_eq!(
            check_grants(
                None,
                &[Grant::unscoped(Role::Admin), Grant::unscoped(Role::Admin)]
            ),
            Err(RoleError::Twice(Role::Admin))
        );
    }
}
