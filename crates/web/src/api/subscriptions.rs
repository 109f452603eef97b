//! `/api/v1/subscriptions`: request, read, decide, move. The flow is
//! [`crate::subscriptions`]'s; here are only the HTTP shapes.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use pacta_core::access::{Action, Actor};
use pacta_core::catalogue::document::Node;
use pacta_core::subscription::{Move, State as SubState};
use pacta_store::subscriptions::SubscriptionFilter;
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

use super::catalogue::choice_of;
use super::{json_response, json_value, page_params, query_pairs, BODY_LIMIT};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CreateErrors, ReadErrors, SearchErrors, TransitionErrors};
use crate::state::AppState;
use crate::subscriptions::{self as flow, Decision};

/// A subscription request.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only: `flow::read_request` reads the body
pub struct NewSubscriptionBody {
    /// The partner's code (a partner's people: their own).
    partner: String,
    /// A published service's code.
    service: String,
    /// One of the service's packs.
    pack: String,
    /// A level at least as strict as the pack's; absent or null for the pack's standard level.
    level: Option<String>,
    /// Options that apply to the pack, each once.
    options: Option<Vec<String>>,
    /// Units, for prices per unit (1 to 1,000,000); absent for 1.
    #[schema(minimum = 1, maximum = 1_000_000)]
    quantity: Option<i64>,
    /// The first day of service, `YYYY-MM-DD`: today or later (Europe/Brussels).
    #[schema(format = Date)]
    start_date: String,
    /// The last day of service (inclusive), `YYYY-MM-DD`; absent or null for none.
    #[schema(format = Date)]
    end_date: Option<String>,
}

/// The body of a decision (every key optional; which ones a decision reads is in its description).
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct DecisionBody {
    /// Why: required to reject, suspend and terminate.
    reason: Option<String>,
    /// `terminate` only: the last day of service (`YYYY-MM-DD`); absent: at once.
    #[schema(format = Date)]
    end_date: Option<String>,
    /// `move` only: the published version of the service to move to.
    #[schema(minimum = 1)]
    version: Option<i64>,
}

/// A subscription: its fields, `quote` (exactly what `POST /api/v1/catalogue/quote` answers for
/// the same inputs on its version) and `history`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct SubscriptionDoc(Value);

/// The filters of the list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct SubscriptionQuery {
    /// Only this partner's (a partner's people see only their own; another's is a 404).
    partner: Option<String>,
    /// Only subscriptions to this service.
    service: Option<String>,
    /// Only in this state.
    #[param(schema_with = state_schema)]
    state: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

fn state_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(SubState::ALL.map(SubState::code)))
        .build()
}

/// Subscriptions the caller may read, oldest first.
#[utoipa::path(
    get, path = "/api/v1/subscriptions", tag = "subscriptions",
    params(SubscriptionQuery, ("lang" = Option<super::LangParam>, Query)),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of subscriptions", body = Object),
        SearchErrors,
        (status = 404, response = crate::error::NotFound),
    )
)]
pub async fn list_subscriptions(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    let choice = choice_of(&headers, raw.as_deref())?;
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let state_filter = match query.get("state") {
        Some(s) => Some(SubState::parse(s).ok_or_else(|| {
            ApiError::invalid_field(
                "state",
                format!(
                    "unknown state `{s}`: one of {}",
                    SubState::ALL.map(SubState::code).join(", ")
                ),
            )
        })?),
        None => None,
    };
    let partner = query.get("partner").cloned();
    let scope_partner = caller.partner().map(str::to_owned);
    match (&partner, &scope_partner) {
        (Some(p), _) => caller.may(Action::ReadSubscriptions { partner: p })?,
        (None, Some(own)) => caller.may(Action::ReadSubscriptions { partner: own })?,
        (None, None) => caller
            .may(Action::ReadSubscriptions { partner: "" })
            .map_err(|e| match e.status {
                StatusCode::NOT_FOUND => ApiError::forbidden(),
                _ => e,
            })?,
    }
    let scope = match &scope_partner {
        Some(p) => pacta_store::Scope::Partner(p),
        None => pacta_store::Scope::All,
    };
    let list = state
        .db
        .list_subscriptions(
            scope,
            &SubscriptionFilter {
                partner,
                service: query.get("service").cloned(),
                state: state_filter,
            },
        )
        .await?;
    let start = usize::try_from(page.offset).unwrap_or(usize::MAX);
    let mut items = Vec::new();
    for s in list
        .iter()
        .skip(start)
        .take(usize::try_from(page.limit).unwrap_or(0))
    {
        items.push(flow::document(&state, s, choice).await?);
    }
    let body =
        json!({"items": items, "total": list.len(), "limit": page.limit, "offset": page.offset});
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// Request a subscription (state `requested`); the service's managers are mailed.
#[utoipa::path(
    post, path = "/api/v1/subscriptions", tag = "subscriptions",
    request_body(
        content = NewSubscriptionBody, content_type = "application/json",
        example = json!({"partner": "DEMO-NL", "service": "MAIL-AGENDA", "pack": "mail-250", "level": null, "options": [], "quantity": 250, "start_date": "2027-01-01"}),
    ),
    params(("lang" = Option<super::LangParam>, Query)),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Requested; Location in the header", body = SubscriptionDoc),
        CreateErrors,
        (status = 404, response = crate::error::NotFound),
    )
)]
pub async fn create_subscription(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let value = json_value(&headers, body).await?;
    let input = flow::read_request(&Node::from_json(&value)).map_err(ApiError::invalid)?;
    let created = flow::request(&state, &caller, &input).await?;
    let doc = flow::document(&state, &created, choice).await?;
    let mut response = json_response(StatusCode::CREATED, doc.to_string());
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/subscriptions/{}", created.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// One subscription, with its quote and history.
#[utoipa::path(
    get, path = "/api/v1/subscriptions/{id}", tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's id"), ("lang" = Option<super::LangParam>, Query)),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionDoc),
        ReadErrors,
    )
)]
pub async fn get_subscription(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let s = flow::readable(&state, &caller, &id).await?;
    let doc = flow::document(&state, &s, choice).await?;
    Ok(json_response(StatusCode::OK, doc.to_string()))
}

/// A decision's body: none, or JSON.
async fn decision_body(headers: &HeaderMap, body: Body) -> ApiResult<Value> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {BODY_LIMIT} bytes"),
        )
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let value = json_value(headers, Body::from(bytes)).await?;
    match value {
        Value::Object(_) => Ok(value),
        _ => Err(ApiError::invalid_field("$", "expected an object")),
    }
}

/// Reads `{"reason"?, "end_date"?, "version"?}`: unknown keys and wrong types are 422.
fn read_decision(value: &Value) -> ApiResult<(Decision, Option<i64>)> {
    let Value::Object(map) = value else {
        return Err(ApiError::invalid_field("$", "expected an object"));
    };
    let mut decision = Decision::default();
    let mut version = None;
    for (key, v) in map {
        match (key.as_str(), v) {
            ("reason" | "end_date" | "version", Value::Null) => {}
            ("reason", Value::String(s)) => decision.reason = Some(s.clone()),
            ("end_date", Value::String(s)) => {
                decision.end_date = Some(flow::parse_date_field(s, "end_date")?)
            }
            ("version", Value::Number(n)) => {
                version = Some(n.as_i64().filter(|v| *v >= 1).ok_or_else(|| {
                    ApiError::invalid_field("version", "expected a whole number of 1 or more")
                })?)
            }
            ("reason" | "end_date", _) => {
                return Err(ApiError::invalid_field(key, "expected a string"))
            }
            ("version", _) => return Err(ApiError::invalid_field(key, "expected a number")),
            _ => {
                return Err(ApiError::invalid_field(
                    key,
                    "unknown field; expected one of: reason, end_date, version",
                ))
            }
        }
    }
    Ok((decision, version))
}

/// The decisions: `approve`, `reject`, `withdraw`, `suspend`, `resume`, `terminate`, `move`.
#[derive(serde::Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum DecisionName {
    Approve,
    Reject,
    Withdraw,
    Suspend,
    Resume,
    Terminate,
    Move,
}

/// Decide on a subscription.
///
/// `approve` (an approval on or after the start date activates at once), `reject` (`reason`),
/// `withdraw` (the partner's admin, before a decision), `suspend` (`reason`), `resume`,
/// `terminate` (`reason`; `end_date`, the last day of service, for a later termination — at
/// once without it), `move` (`version`: a published version of the service the subscription
/// still quotes on; shows its differences on the subscription's page first). A move the state
/// machine refuses is a 409 `invalid_transition`. No `If-Match`.
#[utoipa::path(
    post, path = "/api/v1/subscriptions/{id}/{decision}", tag = "subscriptions",
    params(
        ("id" = String, Path, description = "The subscription's id"),
        ("decision" = DecisionName, Path, description = "What to decide"),
        ("lang" = Option<super::LangParam>, Query),
    ),
    request_body(
        content = Option<DecisionBody>, content_type = "application/json",
        description = "No body for approve, withdraw and resume; `{\"reason\"}` to reject, suspend, terminate (and `end_date` for a later termination); `{\"version\"}` to move",
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The subscription after the decision", body = SubscriptionDoc),
        TransitionErrors,
        (status = 400, response = crate::error::BadRequest),
        (status = 413, response = crate::error::PayloadTooLarge),
        (status = 415, response = crate::error::UnsupportedMediaType),
        (status = 422, response = crate::error::Unprocessable),
    )
)]
pub async fn decide_subscription(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Path((id, decision)): Path<(String, String)>,
    body: Body,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let action = match decision.as_str() {
        "move" => None,
        other => Some(
            Move::parse(other)
                .filter(|m| !matches!(m, Move::Request | Move::Activate))
                .ok_or_else(|| ApiError::not_found(format!("no decision `{other}`")))?,
        ),
    };
    let value = decision_body(&headers, body).await?;
    let (decision, version) = read_decision(&value)?;
    let after = match action {
        Some(action) => flow::decide(&state, &caller, &id, action, decision).await?,
        None => {
            let version =
                version.ok_or_else(|| ApiError::invalid_field("version", "required to move"))?;
            flow::move_to_version(&state, &caller, &id, version, decision.reason).await?
        }
    };
    let doc = flow::document(&state, &after, choice).await?;
    Ok(json_response(StatusCode::OK, doc.to_string()))
}
