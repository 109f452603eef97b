//! The partner dashboard as JSON (issue 14): `GET /api/v1/dashboard?partner=CODE` (a partner's
//! people read their own, and naming another partner is a 404 as for one that does not exist;
//! staff name the partner), `GET /api/v1/dashboard/services/{code}` (a service for that
//! partner) and `GET /api/v1/dashboard/overview` (staff: every subscription this month, the least
//! budget left first).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{json_response, query_pairs};
use crate::auth::Caller;
use crate::dashboard;
use crate::error::{ApiError, ApiResult, SearchErrors};
use crate::state::AppState;

/// A partner's dashboard: `{"partner", "at", "month", "services": [{"service", "subscription",
/// "status" (up, down, degraded, maintenance, unmonitored), "since" (null: unchanged over the 90
/// days looked at), "monitors": [{"code", "name", "scope", "status", "since"}], "pack",
/// "level", "state", "month" (the statement object of `GET …/availability?month=`,
/// provisional), "burn_rate", "days": [{"date", "availability_percent" | null,
/// "unmonitored_seconds", "downtime_seconds", "agreed_seconds", "grade"}] (90 local days in
/// Europe/Brussels, oldest first, today's up to now), "incidents" (open, with their updates),
/// "maintenance" (occurrences not ended: `{"window", "title", "start", "end", "deadline",
/// "consent", "excluded", "waiting", "in_progress"}`), "open_tickets" (with their clocks),
/// "statements" (where they are listed)}], "contacts": [{"role", "name", "email", "phone"}]}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct DashboardDoc(Value);

/// A service's page for a partner: `{"partner", "service", "at", "subscriptions": [<the
/// dashboard's entry> with "outages" ({"start", "end" | null, "duration_seconds"}, the latest
/// first), "latency" (per counting monitor: "24h" and "7d" by hour, "90d" by local day, each
/// point {"at", "checks", "ok", "average_ms", "max_ms"}) and "statement_list"]}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct ServiceBoardDoc(Value);

/// The staff's overview: `{"at", "month", "items": [{"partner", "partner_name", "service",
/// "subscription", "target", "availability_percent", "met", "downtime_seconds",
/// "allowed_downtime_seconds", "budget_left_seconds", "burn_rate", "unmonitored_seconds",
/// "attention"}]}`, the least budget left first, then the fastest burn.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct OverviewDoc(Value);

/// Whose dashboard.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct DashboardQuery {
    /// The partner's code: required for the provider's staff; a partner's people may leave it
    /// out (their own) — another partner's is a 404.
    #[param(pattern = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    partner: Option<String>,
}

fn partner_param(raw: Option<&str>) -> ApiResult<Option<String>> {
    let q = query_pairs(raw)?;
    for k in q.keys() {
        if k != "partner" {
            return Err(ApiError::invalid_field(k, "unknown parameter (partner)"));
        }
    }
    Ok(q.get("partner").cloned())
}

/// A partner's dashboard: each subscribed service's live status, this month's provisional
/// figures against target, 90 local days, open incidents, upcoming maintenance, open tickets;
/// and the escalation contacts.
#[utoipa::path(
    get, path = "/api/v1/dashboard", tag = "dashboard", params(DashboardQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The dashboard", body = DashboardDoc),
        (status = 404, response = crate::error::NotFound),
        SearchErrors,
    )
)]
pub async fn get_dashboard(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let asked = partner_param(raw.as_deref())?;
    let partner = dashboard::partner_for(&state, &caller, asked.as_deref()).await?;
    let doc = dashboard::board(&state, &caller, &partner).await?;
    Ok(json_response(StatusCode::OK, doc.to_string()))
}

/// A service's figures for a partner: the dashboard's entry with the response times from the
/// roll-ups, the outages of the 90 days and the monthly statements. A service the partner does
/// not subscribe to is a 404.
#[utoipa::path(
    get, path = "/api/v1/dashboard/services/{code}", tag = "dashboard",
    params(("code" = String, Path, description = "The service's code"), DashboardQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The service's figures", body = ServiceBoardDoc),
        (status = 404, response = crate::error::NotFound),
        SearchErrors,
    )
)]
pub async fn get_service_board(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let asked = partner_param(raw.as_deref())?;
    let partner = dashboard::partner_for(&state, &caller, asked.as_deref()).await?;
    let doc = dashboard::service_board(&state, &caller, &partner, &code).await?;
    Ok(json_response(StatusCode::OK, doc.to_string()))
}

/// The provider's staff: every subscription in service this month, below target or burning its
/// budget fastest first (sorted by budget left).
#[utoipa::path(
    get, path = "/api/v1/dashboard/overview", tag = "dashboard",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The overview", body = OverviewDoc),
        SearchErrors,
    )
)]
pub async fn get_overview(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    if matches!(caller.actor, pacta_core::access::Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    if !caller.actor.is_staff() {
        return Err(ApiError::forbidden());
    }
    if let Some(k) = query_pairs(raw.as_deref())?.keys().next() {
        return Err(ApiError::invalid_field(k, "unknown parameter"));
    }
    let doc = dashboard::overview(&state).await?;
    Ok(json_response(StatusCode::OK, doc.to_string()))
}
