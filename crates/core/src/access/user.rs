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
