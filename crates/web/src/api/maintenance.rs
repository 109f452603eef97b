//! `/api/v1/maintenance`: maintenance windows agreed with the partners (issue 12) — read. The
//! provider's staff read every window with every partner's consultation; a partner's people
//! read the windows their partner is consulted on, with their own consultation only (never
//! another partner's answer, comment or even name); any other window is a 404, exactly as a
//! missing one. The document is [`crate::maintenance::window_doc`], the one `pacta maintenance
//! show` prints.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use pacta_core::access::{Action, Actor};
use pacta_store::maintenance::{MaintenanceFilter, StoredWindow};
use pacta_store::Scope;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{json_response, page_params, query_pairs};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ReadErrors, SearchErrors};
use crate::maintenance::window_doc;
use crate::state::AppState;

/// A maintenance window: `id`, `service`, `title` and `description` (`{lang: text}`), `start`
/// and `end` (its first occurrence, local `YYYY-MM-DDTHH:MM` in Europe/Brussels), `rrule`,
/// `status` (`proposed`, `cancelled`), `sequence`, `revision`, `proposed_by`, `occurrences`
/// (`[{"start", "end"}]`, RFC 3339 in Europe/Brussels) and `consultation`: per partner
/// consulted — for a partner's people their own only — `{"partner", "round", "consulted_at",
/// "answers": [{"at", "answer", "comment", "occurrence", "alternative"}], "override": {"at",
/// "justification"} | null, "occurrences": [{"start", "deadline", "consent"}]}`, the consent
/// being the `consent` op's now.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct MaintenanceDoc(Value);

/// A page of windows: `{"items", "total", "limit", "offset"}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct MaintenanceList(Value);

/// The filters of the list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct MaintenanceQuery {
    /// Only the windows of this service.
    service: Option<String>,
    /// Only the windows on which this partner is consulted (a partner's people: their own).
    partner: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// The caller's partner, for a partner's people.
fn own_partner(caller: &Caller) -> Option<&str> {
    match &caller.actor {
        Actor::User(u) => u.partner.as_deref(),
        _ => None,
    }
}

fn scope_of(caller: &Caller) -> Scope<'_> {
    own_partner(caller).map_or(Scope::All, Scope::Partner)
}

/// Whether the caller may read `w` as its scope gave it: every window of a partner's scope is
/// one its partner is consulted on.
fn may_read(caller: &Caller, w: &StoredWindow) -> bool {
    let partner = own_partner(caller).filter(|p| w.partners().contains(p));
    caller.may(Action::ReadMaintenance { partner }).is_ok()
}

/// List the maintenance windows the caller may read, by their first occurrence.
#[utoipa::path(
    get, path = "/api/v1/maintenance", tag = "maintenance",
    params(MaintenanceQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of maintenance windows", body = MaintenanceList),
        SearchErrors,
    )
)]
pub async fn list_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    caller.may(Action::ReadMaintenanceWindows)?;
    let filter = MaintenanceFilter {
        service: query.get("service").cloned(),
        partner: query.get("partner").cloned(),
    };
    let now = state.now();
    let windows = state
        .db
        .list_maintenance(scope_of(&caller), &filter)
        .await?;
    let docs: Vec<Value> = windows
        .iter()
        .filter(|w| may_read(&caller, w))
        .map(|w| window_doc(w, now))
        .collect();
    page.respond(&docs.iter().collect::<Vec<_>>())
}

/// One maintenance window with its occurrences and the consultation the caller may see.
#[utoipa::path(
    get, path = "/api/v1/maintenance/{id}", tag = "maintenance",
    params(("id" = String, Path, description = "The window's id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The window", body = MaintenanceDoc),
        ReadErrors,
    )
)]
pub async fn get_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let missing = || ApiError::not_found(format!("no maintenance window `{id}`"));
    let w = state
        .db
        .maintenance_window(scope_of(&caller), &id)
        .await?
        .ok_or_else(missing)?;
    if !may_read(&caller, &w) {
        return Err(missing());
    }
    Ok(json_response(
        StatusCode::OK,
        window_doc(&w, state.now()).to_string(),
    ))
}
