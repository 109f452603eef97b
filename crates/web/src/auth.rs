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

/// The actor of a request, with the name the audit log gives it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    /// `bootstrap`, the user's e-mail, or empty for the anonymous.
    pub name: String,
}

impl Caller {
    pub fn anonymous() -> Caller {
        Caller {
            actor: Actor::Anonymous,
            name: String::new(),
        }
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

    /// A write by this caller, now.
    pub fn stamp<'a>(&'a self, state: &AppState) -> Stamp<'a> {
        Stamp::new(&self.name, state.now())
    }
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
            return Ok(Caller::anonymous());
        };
        if let Some(bootstrap) = &state.admin_token {
            if bool::from(token.as_bytes().ct_eq(bootstrap.as_bytes())) {
                return Ok(Caller {
                    actor: Actor::Bootstrap,
                    name: BOOTSTRAP.to_owned(),
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
            }),
            None => {
                // An unknown, revoked or expired token, or one of a disabled user.
                tracing::warn!(uri = %parts.uri, "refused a bearer token");
                Err(ApiError::unauthorized())
            }
        }
    }
}
