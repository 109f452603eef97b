//! `/api/v1/oncall` (issue 13): the on-call roster — a weekly rotation with its handover, and
//! overrides — and who is on duty at an instant. Staff only.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use pacta_core::access::{Action, Role};
use pacta_core::oncall::{handover_text, parse_handover, Override, Roster};
use pacta_core::sla::instant::{format_instant, parse_instant};
use pacta_core::subscription::zone;
use pacta_store::Scope;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::{etag, if_match, json_response, json_value, query_pairs};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CreateErrors, ReadErrors, ReplaceErrors};
use crate::state::AppState;

/// The roster: `{"rotation": "weekly", "handover": "mon 08:00", "users": [EMAIL, …],
/// "overrides": [{"user", "from", "to"}]}` (overrides that have not ended; instants in
/// Europe/Brussels). Its ETag is the revision of the rotation.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct RosterDoc(Value);

/// The rotation to put.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct RotationBody {
    #[schema(pattern = "^weekly$")]
    rotation: String,
    /// A weekday and a local time in Europe/Brussels: `mon 08:00`.
    #[schema(pattern = "^(mon|tue|wed|thu|fri|sat|sun) [0-2][0-9]:[0-5][0-9]$")]
    handover: String,
    /// Provider users holding `on-call`, in the order of the rotation.
    users: Vec<String>,
}

/// An override.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct OverrideBody {
    /// A provider user holding `on-call`.
    user: String,
    /// RFC 3339.
    from: String,
    /// RFC 3339, after `from`.
    to: String,
}

/// `?at=T`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct WhoQuery {
    /// An instant (RFC 3339, whole seconds); now when absent.
    #[param(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}([Zz]|[+-][0-9]{2}:[0-9]{2})$"
    )]
    at: Option<String>,
}

fn roster_doc(roster: &Roster) -> Value {
    json!({
        "rotation": "weekly",
        "handover": handover_text(roster.handover),
        "users": roster.users,
        "overrides": roster.overrides.iter().map(|o| json!({
            "user": o.user,
            "from": format_instant(o.from, zone()),
            "to": format_instant(o.to, zone()),
        })).collect::<Vec<_>>(),
    })
}

async fn respond(state: &AppState, status: StatusCode) -> ApiResult<Response> {
    let stored = state.db.oncall_roster(state.now()).await?;
    let mut r = json_response(status, roster_doc(&stored.roster).to_string());
    if let Ok(v) = HeaderValue::from_str(&etag(stored.revision)) {
        r.headers_mut().insert(header::ETAG, v);
    }
    Ok(r)
}

/// Whether `email` is an enabled provider user holding `on-call`.
async fn on_call_user(state: &AppState, email: &str) -> ApiResult<bool> {
    Ok(state.db.user(Scope::All, email).await?.is_some_and(|u| {
        !u.disabled && u.partner.is_none() && u.roles.iter().any(|g| g.role == Role::OnCall)
    }))
}

/// The roster.
#[utoipa::path(
    get, path = "/api/v1/oncall/roster", tag = "tickets",
    security(("admin_token" = [])),
    responses((status = 200, description = "The roster; its ETag in the header", body = RosterDoc), ReadErrors,
        (status = 403, response = crate::error::Forbidden))
)]
pub async fn get_roster(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    caller.may(Action::ManageRoster)?;
    respond(&state, StatusCode::OK).await
}

/// Replace the rotation (the overrides stay).
#[utoipa::path(
    put, path = "/api/v1/oncall/roster", tag = "tickets",
    params(("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)")),
    request_body(content = inline(RotationBody), content_type = "application/json",
        description = "For example `{\"rotation\": \"weekly\", \"handover\": \"mon 08:00\", \"users\": [\"oncall@provider.example\"]}`"),
    security(("admin_token" = [])),
    responses((status = 200, description = "The roster after the change", body = RosterDoc), ReplaceErrors)
)]
pub async fn put_roster(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::ManageRoster)?;
    let stored = state.db.oncall_roster(state.now()).await?;
    let expected = if_match(&headers, stored.revision)?;
    let value = json_value(&headers, body).await?;
    let map = value
        .as_object()
        .ok_or_else(|| ApiError::invalid_field("$", "expected an object"))?;
    let mut problems: Vec<(String, String)> = map
        .keys()
        .filter(|k| !["rotation", "handover", "users"].contains(&k.as_str()))
        .map(|k| {
            (
                k.clone(),
                "unknown field; expected one of: rotation, handover, users".to_owned(),
            )
        })
        .collect();
    match map.get("rotation") {
        Some(Value::String(s)) if s == "weekly" => {}
        None | Some(Value::Null) => problems.push(("rotation".into(), "required".into())),
        Some(_) => problems.push(("rotation".into(), "expected `weekly`".into())),
    }
    let handover = match map.get("handover") {
        Some(Value::String(s)) => match parse_handover(s) {
            Ok(h) => Some(h),
            Err(e) => {
                problems.push(("handover".into(), e));
                None
            }
        },
        None | Some(Value::Null) => {
            problems.push(("handover".into(), "required".into()));
            None
        }
        Some(_) => {
            problems.push(("handover".into(), "expected a string".into()));
            None
        }
    };
    let mut users = Vec::new();
    match map.get("users") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(email) if on_call_user(&state, email).await? => {
                        users.push(email.to_owned())
                    }
                    Some(email) => problems.push((
                        format!("users[{i}]"),
                        format!("`{email}` is not a provider user holding `on-call`"),
                    )),
                    None => problems.push((format!("users[{i}]"), "expected an e-mail".into())),
                }
            }
        }
        None | Some(Value::Null) => problems.push(("users".into(), "required".into())),
        Some(_) => problems.push(("users".into(), "expected an array".into())),
    }
    if let Some((field, message)) = problems.first() {
        let mut e = ApiError::invalid_field(field, message.clone());
        for (k, m) in &problems[1..] {
            e.fields.entry(k.clone()).or_insert_with(|| m.clone());
        }
        return Err(e);
    }
    let roster = Roster {
        handover: handover.unwrap_or(stored.roster.handover),
        users,
        overrides: Vec::new(),
    };
    state
        .db
        .put_oncall_rotation(&roster, expected, caller.stamp(&state))
        .await?;
    respond(&state, StatusCode::OK).await
}

/// Add an override: `user` on duty in `[from, to)`.
#[utoipa::path(
    post, path = "/api/v1/oncall/overrides", tag = "tickets",
    request_body(content = inline(OverrideBody), content_type = "application/json",
        description = "For example `{\"user\": \"oncall@provider.example\", \"from\": \"2026-12-24T17:00:00+01:00\", \"to\": \"2026-12-26T08:00:00+01:00\"}`"),
    security(("admin_token" = [])),
    responses((status = 201, description = "The roster with the override", body = RosterDoc), CreateErrors)
)]
pub async fn post_override(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::ManageRoster)?;
    let value = json_value(&headers, body).await?;
    let map = value
        .as_object()
        .ok_or_else(|| ApiError::invalid_field("$", "expected an object"))?;
    let mut problems: Vec<(String, String)> = map
        .keys()
        .filter(|k| !["user", "from", "to"].contains(&k.as_str()))
        .map(|k| {
            (
                k.clone(),
                "unknown field; expected one of: user, from, to".to_owned(),
            )
        })
        .collect();
    let instant = |key: &str, problems: &mut Vec<(String, String)>| -> Option<Timestamp> {
        match map.get(key) {
            Some(Value::String(s)) => match parse_instant(s) {
                Ok(t) => Some(t),
                Err(e) => {
                    problems.push((key.into(), e.to_string()));
                    None
                }
            },
            None | Some(Value::Null) => {
                problems.push((key.into(), "required".into()));
                None
            }
            Some(_) => {
                problems.push((key.into(), "expected an instant (RFC 3339)".into()));
                None
            }
        }
    };
    let from = instant("from", &mut problems);
    let to = instant("to", &mut problems);
    let user = match map.get("user") {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => {
            problems.push(("user".into(), "required".into()));
            None
        }
        Some(_) => {
            problems.push(("user".into(), "expected an e-mail".into()));
            None
        }
    };
    if let Some(u) = &user {
        if !on_call_user(&state, u).await? {
            problems.push((
                "user".into(),
                format!("`{u}` is not a provider user holding `on-call`"),
            ));
        }
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t <= f {
            problems.push(("to".into(), "must be after from".into()));
        }
    }
    if let Some((field, message)) = problems.first() {
        let mut e = ApiError::invalid_field(field, message.clone());
        for (k, m) in &problems[1..] {
            e.fields.entry(k.clone()).or_insert_with(|| m.clone());
        }
        return Err(e);
    }
    let (Some(user), Some(from), Some(to)) = (user, from, to) else {
        unreachable!("every missing field is a problem above");
    };
    state
        .db
        .add_oncall_override(&Override { user, from, to }, caller.stamp(&state))
        .await?;
    respond(&state, StatusCode::CREATED).await
}

/// Who is on duty at `at` (now when absent): `{"at", "user": EMAIL | null, "source": "rotation" |
/// "override" | "none"}`.
#[utoipa::path(
    get, path = "/api/v1/oncall/who", tag = "tickets", params(WhoQuery),
    security(("admin_token" = [])),
    responses((status = 200, description = "Who is on duty", body = Object), ReadErrors,
        (status = 403, response = crate::error::Forbidden),
        (status = 422, response = crate::error::Unprocessable))
)]
pub async fn who(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    caller.may(Action::ManageRoster)?;
    let query = query_pairs(raw.as_deref())?;
    let at = match query.get("at") {
        None => state.now(),
        Some(s) => parse_instant(s).map_err(|e| ApiError::invalid_field("at", e.to_string()))?,
    };
    let stored = state
        .db
        .oncall_roster(
            at.checked_sub(jiff::SignedDuration::from_secs(1))
                .unwrap_or(at),
        )
        .await?;
    let (user, source) = stored.roster.who(at, zone());
    Ok(json_response(
        StatusCode::OK,
        json!({"at": format_instant(at, zone()), "user": user, "source": source.code()})
            .to_string(),
    ))
}

/// Acknowledge a page: the person paged (for a page to ICT management, any of its users). No
/// further page of the ticket goes out. A partner's people are refused (403) whatever the id;
/// staff who were not paged too.
#[utoipa::path(
    post, path = "/api/v1/oncall/pages/{id}/ack", tag = "tickets",
    params(("id" = String, Path, description = "The page's id")),
    security(("admin_token" = [])),
    responses((status = 200, description = "The page, acknowledged", body = Object),
        (status = 401, response = crate::error::Unauthorized),
        (status = 403, response = crate::error::Forbidden),
        (status = 404, response = crate::error::NotFound))
)]
pub async fn ack_page(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Response> {
    if matches!(caller.actor, pacta_core::access::Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let missing = || ApiError::not_found(format!("no page `{id}`"));
    // Pages are the provider's: a partner's people are refused whatever the id.
    if !caller.actor.is_staff() {
        return Err(ApiError::forbidden());
    }
    let page = state.db.oncall_page(&id).await?.ok_or_else(missing)?;
    if !pacta_core::oncall::may_acknowledge(&caller.actor, page.to, page.user.as_deref()) {
        return Err(ApiError::forbidden());
    }
    state.db.ack_page(&id, caller.stamp(&state)).await?;
    let page = state.db.oncall_page(&id).await?.ok_or_else(missing)?;
    Ok(json_response(
        StatusCode::OK,
        json!({
            "page": page.id, "ticket": page.ticket, "attempt": page.attempt,
            "to": page.to.code(), "user": page.user,
            "at": format_instant(page.at, zone()),
            "acknowledged_at": page.acked_at.map(|t| format_instant(t, zone())),
            "acknowledged_by": page.acked_by,
        })
        .to_string(),
    ))
}
