//! Who is calling: the one extractor that finds the actor of a request — the bootstrap admin
//! token, a user's API token (`Authorization: Bearer pacta_…`), or nobody — and the one way a
//! handler asks whether it may act: [`Caller::may`], which is `pacta_core::access::decide`
//! mapped to statuses. No handler compares a token or reads a role itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use pacta_core::access::{decide, Action, Actor, Decision};
use pacta_core::catalogue::visibility::Audience;
use pacta_store::Stamp;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;

/// The audit log's name for the bootstrap admin token (`PACTA_ADMIN_TOKEN`).
pub const BOOTSTRAP: &str = "bootstrap";

/// The session cookie: `HttpOnly; SameSite=Lax`, `Secure` behind https.
pub const SESSION_COOKIE: &str = "pacta_session";

/// The actor of a request, with the name the audit log gives it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    /// `bootstrap`, the user's e-mail, or empty for the anonymous.
    pub name: String,
    /// The session's token, when signed in through the pages (for CSRF and signing out).
    pub session: Option<String>,
}

impl Caller {
    /// The partner whose people the caller is one of; `None` for the provider's staff and the
    /// anonymous.
    pub fn partner(&self) -> Option<&str> {
        match &self.actor {
            Actor::User(u) => u.partner.as_deref(),
            _ => None,
        }
    }

    pub fn anonymous() -> Caller {
        Caller {
            actor: Actor::Anonymous,
            name: String::new(),
            session: None,
        }
    }

    /// The caller of a page: its session cookie's user, or the anonymous (an unknown, ended or
    /// expired session is no session).
    pub async fn of_session(state: &AppState, headers: &HeaderMap) -> Caller {
        let Some(token) = cookie(headers, SESSION_COOKIE) else {
            return Caller::anonymous();
        };
        let limits = pacta_store::accounts::SessionLimits::default();
        match state
            .db
            .session_user(&token, state.now().as_second(), limits)
            .await
        {
            Ok(Some(user)) => Caller {
                name: user.email.clone(),
                actor: user.actor(),
                session: Some(token),
            },
            Ok(None) => {
                // A reused, ended or expired session, or one of a disabled user.
                tracing::warn!("refused a session cookie");
                Caller::anonymous()
            }
            Err(e) => {
                tracing::error!(error = %crate::error::cause_chain(&e), "cannot read a session");
                Caller::anonymous()
            }
        }
    }

    /// Whether a user is signed in.
    pub fn is_signed_in(&self) -> bool {
        !matches!(self.actor, Actor::Anonymous)
    }

    /// The CSRF token of the caller's session: a hash of the session's own secret, so a page of
    /// another site, which cannot read the cookie, cannot forge it.
    pub fn csrf(&self) -> String {
        self.session.as_deref().map(csrf_of).unwrap_or_default()
    }

    /// Whether a form's CSRF field is the session's (a mismatch is logged).
    pub fn csrf_ok(&self, given: &str) -> bool {
        let expected = self.csrf();
        let ok = !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()));
        if !ok {
            tracing::warn!(user = %self.name, "refused a form: wrong or missing CSRF token");
        }
        ok
    }

    /// Asks [`decide`]: allowed, or 401 (no credentials), 403 (seen but not allowed), 404 (not
    /// the caller's to know of, exactly as for a missing object).
    pub fn may(&self, action: Action<'_>) -> Result<(), ApiError> {
        match decide(&self.actor, action) {
            Decision::Allow => Ok(()),
            Decision::Deny if matches!(self.actor, Actor::Anonymous) => {
                Err(ApiError::unauthorized())
            }
            Decision::Deny => Err(ApiError::forbidden()),
            Decision::NotVisible => Err(ApiError::not_found("not found")),
        }
    }

    /// How the caller reads service `code`: as an editor of its draft, or as the public.
    pub fn audience(&self, code: &str) -> Audience {
        match decide(&self.actor, Action::EditDraft { service: code }) {
            Decision::Allow => Audience::Editor,
            _ => Audience::Public,
        }
    }

    /// Whether the caller edits drafts at all (of some service).
    pub fn edits_drafts(&self) -> bool {
        match &self.actor {
            Actor::Bootstrap => true,
            Actor::User(u) => u.grants.iter().any(|g| {
                use pacta_core::access::Role::*;
                matches!(g.role, Admin | CatalogueEditor | ServiceManager)
            }),
            Actor::Anonymous => false,
        }
    }

    /// The rule for reading a user: oneself always; a partner's user as that partner's users
    /// are read; the provider's staff by whoever manages them — and never by a partner's people
    /// (for them, the provider's staff do not exist: 404).
    pub fn may_read_user(&self, user: &pacta_core::access::User) -> Result<(), ApiError> {
        if self.name == user.email {
            return Ok(());
        }
        match (&user.partner, &self.actor) {
            (Some(p), _) => self.may(Action::ReadPartnerUsers { partner: p }),
            (None, Actor::User(u)) if u.partner.is_some() => {
                Err(ApiError::not_found(format!("no user `{}`", user.email)))
            }
            (None, _) => self.may(Action::ManageProviderUsers),
        }
    }

    /// The rule for creating or changing a user of `partner` (none: the provider's staff).
    pub fn may_manage_user(&self, partner: Option<&str>) -> Result<(), ApiError> {
        match partner {
            Some(p) => self.may(Action::ManagePartnerUsers { partner: p }),
            None => self.may(Action::ManageProviderUsers),
        }
    }

    /// A write by this caller, now.
    pub fn stamp<'a>(&'a self, state: &AppState) -> Stamp<'a> {
        Stamp::new(&self.name, state.now())
    }
}

/// The CSRF token bound to a secret (a session's, or the sign-in form's cookie).
pub fn csrf_of(secret: &str) -> String {
    pacta_store::credentials::token_hash(&format!("csrf:{secret}"))
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: `HttpOnly; SameSite=Lax; Path=/`, `Secure` behind https, and a max
/// age (`Some(0)` deletes it; `None` lasts as long as the browser's session).
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if state.is_https() {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// The token of `Authorization: Bearer TOKEN`, if the header is there; a header of another
/// scheme is refused.
fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or("");
    match value.strip_prefix("Bearer ") {
        Some(token) if !token.trim().is_empty() => Ok(Some(token.trim())),
        _ => Err(ApiError::unauthorized()),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let Some(token) = bearer(&parts.headers)? else {
            // No API credentials: a browser's session, if any (the pages' forms carry CSRF).
            return Ok(Caller::of_session(state, &parts.headers).await);
        };
        if let Some(bootstrap) = &state.admin_token {
            if bool::from(token.as_bytes().ct_eq(bootstrap.as_bytes())) {
                return Ok(Caller {
                    actor: Actor::Bootstrap,
                    name: BOOTSTRAP.to_owned(),
                    session: None,
                });
            }
        }
        match state
            .db
            .user_by_token(token, state.now().as_second())
            .await?
        {
            Some((user, _)) => Ok(Caller {
                name: user.email.clone(),
                actor: user.actor(),
                session: None,
            }),
            None => {
                // An unknown, revoked or expired token, or one of a disabled user.
                tracing::warn!(uri = %parts.uri, "refused a bearer token");
                Err(ApiError::unauthorized())
            }
        }
    }
}
