//! A user account as the API and the command line show it:
//!
//! ```json
//! {"email": "a@x.be", "name": "…", "partner": null, "lang": "nl",
//!  "roles": [{"role": "service-manager", "scope": ["WEB-HOSTING"]}], "disabled": false}
//! ```
//!
//! Local passwords, sessions and tokens are the store's; an external identity (issuer and
//! subject, for single sign-on) may be linked to a user later. Pacta never stores a national
//! register number.

use serde::{Deserialize, Serialize};

use super::roles::{check_grants, Grant, RoleError};
use crate::catalogue::document::{index, Issue, MapReader, Node, Reader};
use crate::partner::is_partner_code;
use crate::text::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The login, lower-cased ([`normalize_email`]).
    pub email: String,
    pub name: String,
    /// The user's partner; `null` for the provider's staff.
    pub partner: Option<String>,
    pub lang: Lang,
    pub roles: Vec<Grant>,
    pub disabled: bool,
}

/// Why a user cannot be saved as it is, with the field concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("email: `{0}` is not an e-mail address")]
    Email(String),
    #[error("name: a user has a name")]
    Name,
    #[error("partner: `{0}` is not a partner code")]
    Partner(String),
    #[error("roles: {0}")]
    Roles(#[from] RoleError),
}

impl UserError {
    /// The field the problem concerns (`email`, `name`, `partner`, `roles`).
    pub fn field(&self) -> &'static str {
        match self {
            UserError::Email(_) => "email",
            UserError::Name => "name",
            UserError::Partner(_) => "partner",
            UserError::Roles(_) => "roles",
        }
    }
}

/// An e-mail address as Pacta keeps it: trimmed and lower-cased, so that `An@X.be` and
/// `an@x.be` are one login.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl User {
    /// Checks what a user must be on its own: an address, a name, a partner code, roles it may
    /// hold (staff or a partner's people, never both). Roles are kept sorted, one grant a role.
    pub fn check(&self) -> Result<(), UserError> {
        if !crate::catalogue::read::looks_like_email(&self.email)
            || self.email != normalize_email(&self.email)
        {
            return Err(UserError::Email(self.email.clone()));
        }
        if self.name.trim().is_empty() {
            return Err(UserError::Name);
        }
        if let Some(p) = &self.partner {
            if !is_partner_code(p) {
                return Err(UserError::Partner(p.clone()));
            }
        }
        check_grants(self.partner.as_deref(), &self.roles)?;
        Ok(())
    }

    /// The same user with its roles in their fixed order (by role).
    pub fn with_sorted_roles(mut self) -> User {
        self.roles.sort();
        self
    }

    /// The actor this user is when signed in (a disabled user is never one).
    pub fn actor(&self) -> super::permissions::Actor {
        super::permissions::Actor::User(super::permissions::UserActor {
            email: self.email.clone(),
            partner: self.partner.clone(),
            grants: self.roles.clone(),
        })
    }
}

/// Why a user may not make a change to its own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OwnAccountError {
    #[error("you cannot disable your own account; another administrator can")]
    Disable,
    #[error("you cannot take away your own `{0}` role; another administrator can")]
    DropManagingRole(&'static str),
}

/// Checks a change `before` → `after` that a signed-in user makes to its own account: it may
/// not disable itself nor drop the role by which it manages users (`admin`, `partner-admin`),
/// which would lock it out halfway through its own action.
pub fn check_own_change(before: &User, after: &User) -> Result<(), OwnAccountError> {
    if after.disabled && !before.disabled {
        return Err(OwnAccountError::Disable);
    }
    for managing in [super::roles::Role::Admin, super::roles::Role::PartnerAdmin] {
        let holds = |u: &User| u.roles.iter().any(|g| g.role == managing);
        if holds(before) && !holds(after) {
            return Err(OwnAccountError::DropManagingRole(managing.code()));
        }
    }
    Ok(())
}

/// A request to create a user, as the API reads it: `{email, name, partner?, lang?, roles}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub partner: Option<String>,
    /// `None`: the partner's language, else English.
    pub lang: Option<Lang>,
    pub roles: Vec<Grant>,
}

/// A change to a user, as the API reads it: each field optional; e-mail and partner never change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserPatch {
    pub name: Option<String>,
    pub lang: Option<Lang>,
    pub roles: Option<Vec<Grant>>,
    pub disabled: Option<bool>,
}

impl UserPatch {
    /// The user with this change applied.
    pub fn apply(&self, user: &User) -> User {
        User {
            name: self.name.clone().unwrap_or_else(|| user.name.clone()),
            lang: self.lang.unwrap_or(user.lang),
            roles: self.roles.clone().unwrap_or_else(|| user.roles.clone()),
            disabled: self.disabled.unwrap_or(user.disabled),
            ..user.clone()
        }
    }
}

fn read_lang(r: &mut Reader, m: &mut MapReader<'_>) -> Option<Lang> {
    let path = m.path_of("lang");
    let node = m.get("lang")?;
    crate::catalogue::read::read_enum(r, node, &path, Lang::from_code, "nl, fr, de, en")
}

fn read_grants(r: &mut Reader, m: &mut MapReader<'_>, required: bool) -> Option<Vec<Grant>> {
    let path = m.path_of("roles");
    let node = if required {
        m.require(r, "roles")
    } else {
        m.get("roles")
    };
    node?;
    let mut grants = Vec::new();
    for (i, gn) in r.seq(node, &path).iter().enumerate() {
        let p = index(&path, i);
        let Some(mut gm) = r.map(gn, &p) else {
            continue;
        };
        let role_path = gm.path_of("role");
        let role = gm.require(r, "role").and_then(|n| {
            crate::catalogue::read::read_enum(
                r,
                n,
                &role_path,
                super::roles::Role::from_code,
                "a role of docs/permissions.md",
            )
        });
        let scope_path = gm.path_of("scope");
        let scope_node = gm.get("scope");
        let mut scope = Vec::new();
        for (j, sn) in r.seq(scope_node, &scope_path).iter().enumerate() {
            if let Some(code) = r.string(sn, &index(&scope_path, j)) {
                scope.push(code);
            }
        }
        gm.finish(r);
        if let Some(role) = role {
            let refs: Vec<&str> = scope.iter().map(String::as_str).collect();
            let grant = Grant::scoped(role, &refs);
            match grant.check() {
                Ok(()) => grants.push(grant),
                Err(e) => r.report(gn.pos, &p, e.to_string()),
            }
        }
    }
    grants.sort();
    Some(grants)
}

/// Reads a request to create a user, every problem at once.
pub fn read_new_user(doc: &Node) -> Result<NewUser, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let email = m.req_string(&mut r, "email").map(|e| normalize_email(&e));
    if let Some(e) = &email {
        if !crate::catalogue::read::looks_like_email(e) {
            r.report(doc.pos, "email", format!("`{e}` is not an e-mail address"));
        }
    }
    let name = m.req_string(&mut r, "name");
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        r.report(doc.pos, "name", "a user has a name");
    }
    let partner = m.opt_string(&mut r, "partner");
    let lang = read_lang(&mut r, &mut m);
    let roles = read_grants(&mut r, &mut m, true);
    m.finish(&mut r);
    match (email, name, roles) {
        (Some(email), Some(name), Some(roles)) if r.ok() => Ok(NewUser {
            email,
            name: name.trim().to_owned(),
            partner,
            lang,
            roles,
        }),
        _ => Err(r.issues),
    }
}

/// Reads a change to a user, every problem at once.
pub fn read_user_patch(doc: &Node) -> Result<UserPatch, Vec<Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let name = m.opt_string(&mut r, "name");
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        r.report(doc.pos, "name", "a user has a name");
    }
    let lang = read_lang(&mut r, &mut m);
    let roles = read_grants(&mut r, &mut m, false);
    let disabled_path = m.path_of("disabled");
    let disabled = m.get("disabled").and_then(|n| r.boolean(n, &disabled_path));
    m.finish(&mut r);
    if r.ok() {
        Ok(UserPatch {
            name: name.map(|n| n.trim().to_owned()),
            lang,
            roles,
            disabled,
        })
    } else {
        Err(r.issues)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::roles::Role;

    fn user(email: &str, partner: Option<&str>, roles: &[&str]) -> User {
        User {
            email: email.into(),
            name: "A Person".into(),
            partner: partner.map(Into::into),
            lang: Lang::Nl,
            roles: roles.iter().map(|r| Grant::parse(r).unwrap()).collect(),
            disabled: false,
        }
    }

    #[test]
    fn a_user_keeps_its_own_account_and_the_role_it_manages_users_by() {
        let admin = user("a@x.be", None, &["admin", "helpdesk-agent"]);
        let mut renamed = admin.clone();
        renamed.name = "Another Name".into();
        assert_eq!(check_own_change(&admin, &renamed), Ok(()));
        let mut fewer = admin.clone();
        fewer.roles.retain(|g| g.role == Role::Admin);
        assert_eq!(check_own_change(&admin, &fewer), Ok(()));
        let mut disabled = admin.clone();
        disabled.disabled = true;
        assert_eq!(
            check_own_change(&admin, &disabled),
            Err(OwnAccountError::Disable)
        );
        let mut demoted = admin.clone();
        demoted.roles.retain(|g| g.role != Role::Admin);
        assert_eq!(
            check_own_change(&admin, &demoted),
            Err(OwnAccountError::DropManagingRole("admin"))
        );
        let padmin = user("p@y.be", Some("PARTNER-A"), &["partner-admin"]);
        let mut viewer = padmin.clone();
        viewer.roles = vec![Grant::parse("viewer").unwrap()];
        assert_eq!(
            check_own_change(&padmin, &viewer),
            Err(OwnAccountError::DropManagingRole("partner-admin"))
        );
    }

    #[test]
    fn the_json_of_a_user_is_the_contracts() {
        let u = user(
            "a@x.be",
            None,
            &["service-manager:WEB-HOSTING", "helpdesk-agent"],
        );
        assert_eq!(
            serde_json::to_value(u.with_sorted_roles()).unwrap(),
            serde_json::json!({"email": "a@x.be", "name": "A Person", "partner": null, "lang": "nl",
                "roles": [{"role": "service-manager", "scope": ["WEB-HOSTING"]},
                          {"role": "helpdesk-agent", "scope": []}],
                "disabled": false})
        );
    }

    #[test]
    fn a_user_is_checked_whole() {
        assert_eq!(
            user("a@x.be", Some("P-A"), &["partner-admin"]).check(),
            Ok(())
        );
        assert_eq!(
            user("A@x.be", None, &[]).check(),
            Err(UserError::Email("A@x.be".into())),
            "stored lower-cased"
        );
        assert_eq!(normalize_email(" An@X.be "), "an@x.be");
        assert_eq!(
            user("a@x.be", Some("P-A"), &["admin"]).check(),
            Err(UserError::Roles(RoleError::ProviderRoleWithPartner(
                Role::Admin
            )))
        );
        assert_eq!(
            user("a@x.be", Some("p"), &[]).check().unwrap_err().field(),
            "partner"
        );
    }
}
