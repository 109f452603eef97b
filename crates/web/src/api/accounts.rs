//! `/api/v1/me`, `/api/v1/users` and `/api/v1/tokens`: who the caller is, the people, and the
//! caller's API tokens. Every decision is `Caller::may` (docs/permissions.md): a user of another
//! partner is a 404, exactly as a missing one.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::access::{
    read_new_user, read_user_patch, Action, Actor, Decision, Grant, Role, User,
};
use pacta_core::text::Lang;
use pacta_store::accounts::{LinkPurpose, TokenInfo, UserFilter};
use pacta_store::Scope;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::{
    etag, if_match, json_body, json_response, page_params, query_pairs, raw_schema, Page,
    CATALOGUE_SCHEMA_PREFIX,
};
use crate::auth::{Caller, BOOTSTRAP};
use crate::error::{
    ApiError, ApiResult, Conflict, CreateErrors, NotFound, ReadErrors, ReplaceErrors, SearchErrors,
    Unauthorized,
};
use crate::state::AppState;
use crate::ui::account::set_password_url;

// The schemas of the request bodies below say exactly what the readers of pacta_core accept
// (issue 7: a body the document calls valid is read, one it calls invalid is refused). They are
// written as JSON Schema and kept verbatim (`raw_schema`, as the catalogue bodies are), the
// plainest way to say `not`, an `anyOf` beside `properties` or an enum per branch; their lists
// come from the code (`Role::ALL`, `Lang::ALL`, `ContactRole::ALL`). What no schema can say (a
// code that is not stored, a role given twice with two scopes) is a 422 the readers explain.
// Each promise is pinned by a test in tests/it/openapi.rs.

/// A reference to one of the catalogue format's definitions (`catalogue.Email`, …): the same
/// rules the readers share (`looks_like_email`, a non-blank text).
pub(crate) fn catalogue_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{CATALOGUE_SCHEMA_PREFIX}{name}")})
}

/// An e-mail address as the readers accept it (`looks_like_email`: one `@`, a dot in the
/// domain, no white space): `catalogue.Email`. No `format: email`, which is stricter.
pub(crate) fn email_schema(description: &str) -> Value {
    json!({"allOf": [catalogue_ref("Email")], "description": description})
}

/// A name: a string that is not blank (the readers trim it and refuse an empty one).
pub(crate) fn name_schema(description: &str) -> Value {
    json!({"type": "string", "not": catalogue_ref("Blank"), "description": description})
}

/// `nl`, `fr`, `de` or `en` (`Lang::ALL`), or null: absent.
pub(crate) fn lang_schema(description: &str) -> Value {
    let mut values: Vec<Value> = Lang::ALL.iter().map(|l| l.code().into()).collect();
    values.push(Value::Null);
    json!({"type": ["string", "null"], "enum": values, "description": description})
}

/// `schema` or null (the readers take null as absent).
pub(crate) fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// A partner code, as `pacta_core::partner::is_partner_code` accepts it.
pub(crate) const PARTNER_CODE_PATTERN: &str = "^[A-Z0-9-]{2,32}$";

/// A code in a role's scope (a service or a partner), as `Grant::check` accepts it.
const SCOPE_CODE_PATTERN: &str = "^[A-Z0-9-]{1,64}$";

/// The codes of the roles `keep` keeps, in the order of [`Role::ALL`].
fn role_codes(keep: impl Fn(Role) -> bool) -> Vec<&'static str> {
    Role::ALL
        .into_iter()
        .filter(|r| keep(*r))
        .map(Role::code)
        .collect()
}

/// A grant of one of the roles `keep` keeps, as the reader accepts it: a scoped role
/// (`service-manager`, `prm`) names at least one code; an unscoped one names none (`scope`
/// empty, null or absent).
fn grant_schema(keep: impl Fn(Role) -> bool) -> Value {
    let scoped = role_codes(|r| keep(r) && r.scope_kind().is_some());
    let unscoped = role_codes(|r| keep(r) && r.scope_kind().is_none());
    let mut branches = Vec::new();
    if !scoped.is_empty() {
        branches.push(json!({
            "type": "object",
            "properties": {
                "role": {"type": "string", "enum": scoped},
                "scope": {
                    "type": "array", "minItems": 1,
                    "items": {"type": "string", "pattern": SCOPE_CODE_PATTERN},
                    "description": "Service codes (service-manager) or partner codes (prm): stored ones (422 otherwise).",
                },
            },
            "required": ["role", "scope"],
            "additionalProperties": false,
        }));
    }
    if !unscoped.is_empty() {
        branches.push(json!({
            "type": "object",
            "properties": {
                "role": {"type": "string", "enum": unscoped},
                "scope": {"type": ["array", "null"], "maxItems": 0},
            },
            "required": ["role"],
            "additionalProperties": false,
        }));
    }
    json!({"anyOf": branches})
}

/// A list of grants: a role once (JSON Schema's `uniqueItems` compares whole grants, so one
/// role given twice with two scopes is the reader's 422).
fn grants_schema(keep: impl Fn(Role) -> bool) -> Value {
    json!({"type": "array", "uniqueItems": true, "items": grant_schema(keep)})
}

/// A role's code: one of the twelve of `Role::ALL` (docs/permissions.md).
fn role_schema() -> RefOr<Schema> {
    raw_schema(json!({"type": "string", "enum": role_codes(|_| true)}))
}

/// `?role=`: a role's code, or empty for every role.
fn role_filter_schema() -> RefOr<Schema> {
    let mut codes = role_codes(|_| true);
    codes.push("");
    raw_schema(json!({"type": "string", "enum": codes}))
}

/// A role with its scope (`[]` when unscoped).
#[derive(Serialize, ToSchema)]
#[allow(dead_code)] // a description of pacta_core::access::Grant
pub struct GrantDoc {
    /// admin, catalogue-editor, service-manager, prm, ict-management, helpdesk-agent, on-call,
    /// prober, partner-admin, local-helpdesk, partner-user, viewer.
    #[schema(schema_with = role_schema)]
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
    /// Only the users of this partner (a code); another partner's is a 404, as a missing one.
    partner: Option<String>,
    /// Only the users holding this role (empty: every role).
    #[param(schema_with = role_filter_schema)]
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
        (status = 404, response = NotFound),
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
        .filter(|u| caller.may_read_user(u).is_ok())
        .collect();
    page.respond(&visible)
}

/// Create a user: a partner's user by its user managers, a provider user by admin. The answer
/// carries a one-time link to set the password.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "accounts",
    request_body(
        content = inline(NewUserBody), content_type = "application/json",
        example = json!({"email": "new.agent@provider.example", "name": "New Agent", "partner": null, "roles": [{"role": "helpdesk-agent", "scope": []}]}),
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
    caller.may_manage_user(new.partner.as_deref())?;
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
    let token = state
        .db
        .issue_link(&user.email, LinkPurpose::Invite, stamp)
        .await?;
    let mut body = serde_json::to_value(&user).map_err(|e| ApiError::internal(&e))?;
    body["invite_url"] = set_password_url(state.public_url(), user.lang, &token).into();
    let mut response = json_response(StatusCode::CREATED, body.to_string());
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/users/{}", user.email)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag(1)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// The body of a user's creation, as `read_new_user` and `User::check` read it: the provider's
/// staff (no partner) hold provider roles, a partner's people that partner's roles.
pub struct NewUserBody;

impl ToSchema for NewUserBody {}

impl PartialSchema for NewUserBody {
    fn schema() -> RefOr<Schema> {
        let staff = |r: Role| !r.is_partner_role();
        raw_schema(json!({
            "type": "object",
            "properties": {
                "email": email_schema("The login (kept lower-cased); one already taken is a 409."),
                "name": name_schema("The user's name."),
                "partner": nullable(json!({
                    "type": "string", "pattern": PARTNER_CODE_PATTERN,
                    "description": "The partner of a partner's user: a stored partner (422 otherwise); null or absent for the provider's staff.",
                })),
                "lang": lang_schema("nl, fr, de or en; null or absent: the partner's, else en."),
                "roles": {
                    "type": "array", "uniqueItems": true,
                    "items": grant_schema(|_| true),
                    "description": "Provider roles without a partner, the partner's roles with one; a role once.",
                },
            },
            "required": ["email", "name", "roles"],
            "additionalProperties": false,
            "anyOf": [
                {"properties": {"partner": {"type": "null"}, "roles": grants_schema(staff)}},
                {
                    "properties": {"partner": {"type": "string"}, "roles": grants_schema(Role::is_partner_role)},
                    "required": ["partner"],
                },
            ],
        }))
    }
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
    // Another partner's user is missing, word for word.
    caller.may_read_user(&user).map_err(|e| {
        if e.status == StatusCode::NOT_FOUND {
            missing()
        } else {
            e
        }
    })?;
    user_response(&user, revision, StatusCode::OK)
}

/// Change a user: name, language, roles, disabled (needs If-Match).
///
/// A user cannot disable itself nor drop its own `admin` or `partner-admin` role: 409 with
/// `error.code = "own_account"`; another administrator can.
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
        (status = 409, response = Conflict),
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
    caller.may_read_user(&user).map_err(|e| {
        if e.status == StatusCode::NOT_FOUND {
            ApiError::not_found(format!("no user `{email}`"))
        } else {
            e
        }
    })?;
    caller.may_manage_user(user.partner.as_deref())?;
    let expected = if_match(&headers, revision)?;
    let doc = json_body(&headers, body).await?;
    let patch = read_user_patch(&doc).map_err(ApiError::invalid)?;
    let after = patch.apply(&user);
    after
        .check()
        .map_err(|e| ApiError::invalid_field(e.field(), e.to_string()))?;
    if caller.name == user.email {
        pacta_core::access::check_own_change(&user, &after)
            .map_err(|e| ApiError::new(StatusCode::CONFLICT, "own_account", e.to_string()))?;
    }
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

/// The body of a change to a user, as `read_user_patch` reads it: each field optional (null is
/// absent); the e-mail and the partner never change.
pub struct UserPatchBody;

impl ToSchema for UserPatchBody {}

impl PartialSchema for UserPatchBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "name": nullable(name_schema("The user's name.")),
                "lang": lang_schema("nl, fr, de or en."),
                "roles": nullable(json!({
                    "type": "array", "uniqueItems": true,
                    "items": grant_schema(|_| true),
                    "description": "The user's roles, replaced whole: provider roles for the provider's staff, its partner's roles for a partner's user (422 otherwise); a role once.",
                })),
                "disabled": {"type": ["boolean", "null"], "description": "A disabled user cannot sign in; its sessions end."},
            },
            "additionalProperties": false,
        }))
    }
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
        Some(e) => match super::audit::parse_rfc3339(&e) {
            Some(t) if t > state.now() => Some(t.as_second()),
            Some(_) => {
                r.report(doc.pos, "expires_at", "is not in the future");
                None
            }
            None => {
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
pub struct NewTokenBody;

impl ToSchema for NewTokenBody {}

impl PartialSchema for NewTokenBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "name": name_schema("A name to recognise it by."),
                "expires_at": nullable(json!({
                    "type": "string", "format": "date-time",
                    "description": "When it stops working: an RFC 3339 instant in the future (422 otherwise); null or absent: never.",
                })),
            },
            "required": ["name"],
            "additionalProperties": false,
        }))
    }
}

/// Revoke one of the caller's API tokens (an admin: anyone's).
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = String, Path, description = "The token's id")),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Revoked (revoking it again changes nothing)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
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
