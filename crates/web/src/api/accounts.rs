//! `/api/v1/me`: who the caller is. (Users, partners, tokens and the audit log follow.)

use axum::http::StatusCode;
use axum::response::Response;
use pacta_core::access::{Actor, Grant, Role, User};
use pacta_core::text::Lang;
use serde::Serialize;
use utoipa::ToSchema;

use super::json_response;
use crate::auth::{Caller, BOOTSTRAP};
use crate::error::{ApiError, ApiResult, ReadErrors};

/// A role with its scope (`[]` when unscoped).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // a description of pacta_core::access::Grant
pub struct GrantDoc {
    /// admin, catalogue-editor, service-manager, prm, ict-management, helpdesk-agent, on-call,
    /// partner-admin, local-helpdesk, partner-user, viewer.
    role: String,
    /// Service codes (service-manager), partner codes (prm); empty otherwise.
    scope: Vec<String>,
}

/// A user.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // a description of pacta_core::access::User
pub struct UserDoc {
    email: String,
    name: String,
    /// The user's partner; null for the provider's staff.
    partner: Option<String>,
    /// nl, fr, de or en.
    lang: String,
    roles: Vec<GrantDoc>,
    disabled: bool,
}

/// The caller as a user: the bootstrap admin token acts as an `admin` of its own.
fn user_of(caller: &Caller) -> Option<User> {
    match &caller.actor {
        Actor::Anonymous => None,
        Actor::Bootstrap => Some(User {
            email: BOOTSTRAP.to_owned(),
            name: "Bootstrap admin token (PACTA_ADMIN_TOKEN)".to_owned(),
            partner: None,
            lang: Lang::En,
            roles: vec![Grant::unscoped(Role::Admin)],
            disabled: false,
        }),
        Actor::User(u) => Some(User {
            email: u.email.clone(),
            name: String::new(),
            partner: u.partner.clone(),
            lang: Lang::En,
            roles: u.grants.clone(),
            disabled: false,
        }),
    }
}

/// Who am I: the signed-in user, with its roles.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "accounts",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The caller", body = UserDoc),
        ReadErrors,
    )
)]
pub async fn me(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    caller: Caller,
) -> ApiResult<Response> {
    let user = match &caller.actor {
        Actor::User(u) => state
            .db
            .user(pacta_store::Scope::All, &u.email)
            .await?
            .ok_or_else(ApiError::unauthorized)?,
        _ => user_of(&caller).ok_or_else(ApiError::unauthorized)?,
    };
    let body = serde_json::to_string(&user).map_err(|e| ApiError::internal(&e))?;
    Ok(json_response(StatusCode::OK, body))
}
