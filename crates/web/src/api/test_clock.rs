//! `/api/v1/test/clock`, only under `serve --test-clock T`: read the stopped clock, or move it
//! forward and, before answering, run every job due by then (see [`crate::jobs::run_due`]).
//! Without the flag the route does not exist (404) and the OpenAPI document does not name it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pacta_core::access::Action;
use pacta_core::sla::instant::parse_instant;
use serde_json::{json, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{json_response, json_value};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, CreateErrors, ListErrors};
use crate::state::AppState;
use crate::subscriptions::instant;

/// The routes of the test clock and their description.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::new()
        .routes(routes!(get_clock, set_clock))
        .split_for_parts()
}

/// `{"now": T}`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct ClockBody {
    /// RFC 3339 (`2026-12-01T00:00:00+01:00`), not before the clock.
    now: String,
}

fn clock_of(state: &AppState) -> ApiResult<&std::sync::Arc<pacta_core::clock::SettableClock>> {
    state
        .test_clock()
        .ok_or_else(|| ApiError::not_found("no test clock: start with `serve --test-clock T`"))
}

/// The test clock's "now".
#[utoipa::path(
    get, path = "/api/v1/test/clock", tag = "test",
    responses((status = 200, description = "`{\"now\": T}`", body = Object), ListErrors)
)]
pub async fn get_clock(State(state): State<AppState>) -> ApiResult<Response> {
    let clock = clock_of(&state)?;
    use pacta_core::clock::Now;
    let now = clock.now();
    Ok(json_response(
        StatusCode::OK,
        json!({"now": instant(now.as_second())}).to_string(),
    ))
}

/// Moves the test clock forward (admin) and runs every job due by then, in due order, each at
/// its due instant; answers what ran.
#[utoipa::path(
    post, path = "/api/v1/test/clock", tag = "test",
    request_body(content = ClockBody, content_type = "application/json", example = json!({"now": "2026-12-01T00:00:00+01:00"})),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "`{\"now\": T, \"fired\": [{\"kind\", \"id\", \"at\"}]}`", body = Object),
        CreateErrors,
    )
)]
pub async fn set_clock(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let clock = clock_of(&state)?.clone();
    caller.may(Action::ManageProviderUsers)?;
    let value = json_value(&headers, body).await?;
    let text = match &value {
        Value::Object(map) => {
            if let Some(key) = map.keys().find(|k| *k != "now") {
                return Err(ApiError::invalid_field(key, "unknown field; expected: now"));
            }
            match map.get("now") {
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err(ApiError::invalid_field("now", "expected a string")),
                None => return Err(ApiError::invalid_field("now", "required")),
            }
        }
        _ => return Err(ApiError::invalid_field("$", "expected an object")),
    };
    let to = parse_instant(&text).map_err(|e| ApiError::invalid_field("now", e.to_string()))?;
    use pacta_core::clock::Now;
    let _one_move_at_a_time = state.lock_test_clock().await;
    let current = clock.now();
    if to < current {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "backwards",
            format!(
                "the test clock only moves forward: it shows {}",
                instant(current.as_second())
            ),
        ));
    }
    let fired = crate::jobs::run_due(&state, to).await?;
    let fired: Vec<Value> = fired
        .iter()
        .map(|f| json!({"kind": f.kind, "id": f.subject, "at": instant(f.at.as_second())}))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        json!({"now": instant(to.as_second()), "fired": fired}).to_string(),
    ))
}
