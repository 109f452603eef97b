//! `/api/v1/me`, `/api/v1/users` and `/api/v1/tokens`: who the caller is, the people, and the
//! caller's API tokens. Every decision is `Caller::may` (docs/permissions.md): a user of another
//! partner is a 404, exactly as a missing one.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::SignedDuration;
use pacta_core::access::{
    read_new_user, read_user_patch, Action, Actor, Decision, Grant, Role, User,
};
use pacta_core::text::Lang;
use pacta_store::accounts::{LinkPurpose, TokenInfo, UserFilter};
use pacta_store::Scope;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{etag, if_match, json_body, json_response, page_params, query_pairs, Page};
use crate::auth::{Caller, BOOTSTRAP};
use crate::error::{
    ApiError, ApiResult, CreateErrors, ReadErrors, ReplaceErrors, SearchErrors, TransitionErrors,
};
use crate::state::AppState;

/// How long an invitation link works.
const INVITE_VALID: SignedDuration = SignedDuration::from_hours(7 * 24);

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

/// A page of users.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct UserList {
    items: Vec<UserDoc>,
    total: i64,
    limit: i64,
    offset: i64,
}

/// A user just created, with the one-time link to set its password (valid a week).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct NewUserDoc {
    #[serde(flatten)]
    user: UserDoc,
    invite_url: String,
}

/// The query of the list of users.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct UserQuery {
    /// Only the users of this partner (a code).
    partner: Option<String>,
    /// Only the users holding this role.
    role: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// The caller as a user: the bootstrap admin token acts as an `admin` of its own.
fn bootstrap_user() -> User {
    User {
        email: BOOTSTRAP.to_owned(),
        name: "Bootstrap admin token (PACTA_ADMIN_TOKEN)".to_owned(),
        partner: None,
        lang: Lang::En,
        roles: vec![Grant::unscoped(Role::Admin)],
        disabled: false,
    }
}

/// The rule for reading `user`: one's own self always; a partner's user as that partner's
/// users are read; the provider's staff by whoever manages them.
fn may_read(caller: &Caller, user: &User) -> Result<(), ApiError> {
    if caller.name == user.email {
        return Ok(());
    }
    match (&user.partner, &caller.actor) {
        (Some(p), _) => caller.may(Action::ReadPartnerUsers { partner: p }),
        // A partner's people see nothing of the provider's staff.
        (None, Actor::User(u)) if u.partner.is_some() => {
            Err(ApiError::not_found(format!("no user `{}`", user.email)))
        }
        (None, _) => caller.may(Action::ManageProviderUsers),
    }
}

/// The rule for changing `user` (or creating it): its partner's user managers, or admin.
fn may_manage(caller: &Caller, partner: Option<&str>) -> Result<(), ApiError> {
    match partner {
        Some(p) => caller.may(Action::ManagePartnerUsers { partner: p }),
        None => caller.may(Action::ManageProviderUsers),
    }
}

fn user_response(user: &User, revision: i64, status: StatusCode) -> ApiResult<Response> {
    let body = serde_json::to_string(user).map_err(|e| ApiError::internal(&e))?;
    let mut response = json_response(status, body);
    if let Ok(v) = HeaderValue::from_str(&etag(revision)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
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
pub async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let user = match &caller.actor {
        Actor::Anonymous => return Err(ApiError::unauthorized()),
        Actor::Bootstrap => bootstrap_user(),
        Actor::User(u) => state
            .db
            .user(Scope::All, &u.email)
            .await?
            .ok_or_else(ApiError::unauthorized)?,
    };
    let body = serde_json::to_string(&user).map_err(|e| ApiError::internal(&e))?;
    Ok(json_response(StatusCode::OK, body))
}

/// List users: those the caller may read, by e-mail.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "accounts",
    params(UserQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of users", body = UserList),
        SearchErrors,
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    caller.may(Action::ListUsers)?;
    let page = page_params(&query)?;
    let partner = query.get("partner").filter(|p| !p.is_empty()).cloned();
    if let Some(p) = &partner {
        caller.may(Action::ReadPartnerUsers { partner: p })?;
    }
    let role = match query.get("role").filter(|r| !r.is_empty()) {
        Some(r) => Some(
            Role::from_code(r)
                .ok_or_else(|| ApiError::invalid_field("role", format!("unknown role `{r}`")))?,
        ),
        None => None,
    };
    let users = state
        .db
        .list_users(Scope::All, &UserFilter { partner, role })
        .await?;
    let visible: Vec<&User> = users
        .iter()
        .filter(|u| may_read(&caller, u).is_ok())
        .collect();
    page.respond(&visible)
}

/// Create a user: a partner's user by its user managers, a provider user by admin. The answer
/// carries a one-time link to set the password.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "accounts",
    request_body(
        content = inline(NewUserBody), content_type = "application/json",
        example = json!({"email": "new.viewer@partner.example", "name": "New Viewer", "partner": null, "roles": [{"role": "helpdesk-agent", "scope": []}]}),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created; Location and ETag in the headers", body = NewUserDoc),
        CreateErrors,
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let doc = json_body(&headers, body).await?;
    let new = read_new_user(&doc).map_err(ApiError::invalid)?;
    may_manage(&caller, new.partner.as_deref())?;
    let partner_lang = match &new.partner {
        Some(p) => state
            .db
            .partner(Scope::All, p)
            .await?
            .map(|p| p.partner.lang),
        None => None,
    };
    let user = User {
        email: new.email,
        name: new.name,
        lang: new.lang.or(partner_lang).unwrap_or(Lang::En),
        partner: new.partner,
        roles: new.roles,
        disabled: false,
    };
    user.check()
        .map_err(|e| ApiError::invalid_field(e.field(), e.to_string()))?;
    let stamp = caller.stamp(&state);
    state.db.add_user(&user, None, stamp).await?;
    let expires = state
        .now()
        .saturating_add(INVITE_VALID)
        .unwrap_or(state.now());
    let token = state
        .db
        .create_link(&user.email, LinkPurpose::Invite, expires.as_second(), stamp)
        .await?;
    let mut body = serde_json::to_value(&user).map_err(|e| ApiError::internal(&e))?;
    body["invite_url"] = format!(
        "{}/{}/set-password/{token}",
        state.public_url(),
        user.lang.code()
    )
    .into();
    let mut response = json_response(StatusCode::CREATED, body.to_string());
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/users/{}", user.email)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag(1)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// The body of a user's creation.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct NewUserBody {
    #[schema(format = "email")]
    email: String,
    #[schema(min_length = 1)]
    name: String,
    /// The partner of a partner's user; null or absent for the provider's staff.
    partner: Option<String>,
    /// nl, fr, de or en; by default the partner's, else en.
    lang: Option<String>,
    roles: Vec<GrantDoc>,
}

/// One user.
#[utoipa::path(
    get, path = "/api/v1/users/{email}", tag = "accounts",
    params(("email" = String, Path, description = "The user's e-mail")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The user; its ETag in the header", body = UserDoc),
        ReadErrors,
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(email): Path<String>,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let email = pacta_core::access::normalize_email(&email);
    let missing = || ApiError::not_found(format!("no user `{email}`"));
    let (user, revision) = state
        .db
        .stored_user(Scope::All, &email)
        .await?
        .ok_or_else(missing)?;
    may_read(&caller, &user)?;
    user_response(&user, revision, StatusCode::OK)
}

/// Change a user: name, language, roles, disabled (needs If-Match).
#[utoipa::path(
    patch, path = "/api/v1/users/{email}", tag = "accounts",
    request_body(
        content = inline(UserPatchBody), content_type = "application/json",
        example = json!({"disabled": true}),
    ),
    params(
        ("email" = String, Path, description = "The user's e-mail"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Changed; the new ETag in the header", body = UserDoc),
        ReplaceErrors,
    )
)]
pub async fn patch_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(email): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let email = pacta_core::access::normalize_email(&email);
    let (user, revision) = state
        .db
        .stored_user(Scope::All, &email)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no user `{email}`")))?;
    may_read(&caller, &user)?;
    may_manage(&caller, user.partner.as_deref())?;
    let expected = if_match(&headers, revision)?;
    let doc = json_body(&headers, body).await?;
    let patch = read_user_patch(&doc).map_err(ApiError::invalid)?;
    let after = patch.apply(&user);
    after
        .check()
        .map_err(|e| ApiError::invalid_field(e.field(), e.to_string()))?;
    let revision = state
        .db
        .update_user(&after, expected, caller.stamp(&state))
        .await?;
    let after = state
        .db
        .user(Scope::All, &email)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no user `{email}`")))?;
    user_response(&after, revision, StatusCode::OK)
}

/// The body of a change to a user: each field optional.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UserPatchBody {
    #[schema(min_length = 1)]
    name: Option<String>,
    /// nl, fr, de or en.
    lang: Option<String>,
    /// The user's roles, replaced whole.
    roles: Option<Vec<GrantDoc>>,
    disabled: Option<bool>,
}

/// An API token as listed: never its secret.
#[derive(Serialize, ToSchema)]
pub struct TokenDoc {
    pub id: String,
    pub user: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// A token just created: the secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct NewTokenDoc {
    #[serde(flatten)]
    pub info: TokenDoc,
    /// The token: send it as `Authorization: Bearer <token>`. It is not shown again.
    pub token: String,
}

/// A page of tokens.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub struct TokenList {
    items: Vec<TokenDoc>,
    total: i64,
    limit: i64,
    offset: i64,
}

fn instant(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn token_doc(t: &TokenInfo) -> TokenDoc {
    TokenDoc {
        id: t.id.clone(),
        user: t.user.clone(),
        name: t.name.clone(),
        created_at: instant(t.created_at),
        expires_at: t.expires_at.map(instant),
        revoked_at: t.revoked_at.map(instant),
        last_used_at: t.last_used_at.map(instant),
    }
}

/// The caller's API tokens, oldest first.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "accounts",
    params(
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200),
        ("offset" = Option<i64>, Query, minimum = 0),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of the caller's tokens", body = TokenList),
        SearchErrors,
    )
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    caller.may(Action::ManageOwnTokens)?;
    let page = page_params(&query)?;
    let tokens = state.db.list_tokens(Some(&caller.name)).await?;
    let docs: Vec<TokenDoc> = tokens.iter().map(token_doc).collect();
    page.respond(&docs.iter().collect::<Vec<_>>())
}

/// Create an API token for the caller: the secret is in this answer only.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "accounts",
    request_body(
        content = inline(NewTokenBody), content_type = "application/json",
        example = json!({"name": "reporting", "expires_at": "2099-01-01T00:00:00Z"}),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created: the token, shown once", body = NewTokenDoc),
        CreateErrors,
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::ManageOwnTokens)?;
    let doc = json_body(&headers, body).await?;
    let mut r = pacta_core::catalogue::document::Reader::new();
    let (name, expires) = match r.map(&doc, "") {
        Some(mut m) => {
            let name = m.req_string(&mut r, "name");
            let expires = m.opt_string(&mut r, "expires_at");
            m.finish(&mut r);
            (name, expires)
        }
        None => (None, None),
    };
    let name = name.map(|n| n.trim().to_owned());
    if name.as_deref() == Some("") {
        r.report(doc.pos, "name", "a token has a name");
    }
    let expires_at = match expires {
        Some(e) => match e.parse::<jiff::Timestamp>() {
            Ok(t) if t > state.now() => Some(t.as_second()),
            Ok(_) => {
                r.report(doc.pos, "expires_at", "is not in the future");
                None
            }
            Err(_) => {
                r.report(
                    doc.pos,
                    "expires_at",
                    format!("`{e}` is not an RFC 3339 instant"),
                );
                None
            }
        },
        None => None,
    };
    let Some(name) = name.filter(|_| r.ok()) else {
        return Err(ApiError::invalid(r.issues));
    };
    let stamp = caller.stamp(&state);
    let (id, token) = state
        .db
        .create_token(&caller.name, &name, expires_at, stamp)
        .await?;
    let info = TokenDoc {
        id: id.clone(),
        user: caller.name.clone(),
        name,
        created_at: instant(stamp.at.as_second()),
        expires_at: expires_at.map(instant),
        revoked_at: None,
        last_used_at: None,
    };
    let body =
        serde_json::to_string(&NewTokenDoc { info, token }).map_err(|e| ApiError::internal(&e))?;
    let mut response = json_response(StatusCode::CREATED, body);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/tokens/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// The body of a token's creation.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct NewTokenBody {
    #[schema(min_length = 1, pattern = r"\S")]
    name: String,
    /// When it stops working (RFC 3339, in the future); absent: never.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

/// Revoke one of the caller's API tokens (an admin: anyone's).
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The token's id")),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Revoked (revoking it again changes nothing)"),
        TransitionErrors,
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let missing = || ApiError::not_found(format!("no token `{id}`"));
    let owner = state.db.token_owner(&id).await?.ok_or_else(missing)?;
    let admin =
        pacta_core::access::decide(&caller.actor, Action::ManageProviderUsers) == Decision::Allow;
    if owner != caller.name && !admin {
        return Err(missing());
    }
    state.db.revoke_token(&id, caller.stamp(&state)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

impl Page {
    /// A page of `items` as `{"items", "total", "limit", "offset"}`.
    pub fn respond<T: Serialize>(&self, items: &[&T]) -> ApiResult<Response> {
        let total = items.len() as i64;
        let page: Vec<&&T> = items
            .iter()
            .skip(usize::try_from(self.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(self.limit).unwrap_or(0))
            .collect();
        let body = serde_json::json!({"items": page, "total": total, "limit": self.limit, "offset": self.offset});
        Ok(json_response(StatusCode::OK, body.to_string()))
    }
}
