//! `/api/v1/maintenance`: maintenance windows agreed with the partners (issue 12). The
//! provider's staff read every window with every partner's consultation; a partner's people
//! read the windows their partner is consulted on, with their own consultation only (never
//! another partner's answer, comment or even name); any other window is a 404, exactly as a
//! missing one. The document is [`crate::maintenance::window_doc`], the one `pacta maintenance
//! show` prints.
//!
//! Admin and the service's managers propose, override, reschedule and cancel; a consulted
//! partner's admin answers. An action is checked against the window as the store reads it in
//! the write (so two at once never both pass a rule only one may): a wrong state is 409
//! `invalid_transition`; no `If-Match`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use pacta_core::access::{Action, Actor};
use pacta_core::catalogue::document::Node;
use pacta_core::maintenance::consultation::{accepts_answer, consents};
use pacta_core::maintenance::request::{read_answer, read_override, read_proposal, Proposal};
use pacta_core::sla::consent::Consent;
use pacta_core::subscription::zone;
use pacta_store::maintenance::{
    Action as Do, MaintenanceFilter, NewAnswer, StoredWindow, WindowStatus,
};
use pacta_store::{Scope, StoreError};
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::{json_response, json_value, page_params, query_pairs, raw_schema};
use crate::auth::Caller;
use crate::error::{ActionErrors, ApiError, ApiResult, CreateErrors, ReadErrors, SearchErrors};
use crate::maintenance::{
    addressees, consulted_for, new_times, upcoming, window_doc, window_mails, About, Addressee,
    Letters,
};
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

fn scope_of(caller: &Caller) -> Scope<'_> {
    caller.partner().map_or(Scope::All, Scope::Partner)
}

/// Whether the caller may read `w` as its scope gave it: every window of a partner's scope is
/// one its partner is consulted on.
fn may_read(caller: &Caller, w: &StoredWindow) -> bool {
    let partner = caller.partner().filter(|p| w.partners().contains(p));
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

// ------------------------------------------------------------------------------------------------
// The bodies.
// ------------------------------------------------------------------------------------------------

const LOCAL_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$";

fn text_map_schema(description: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "nl": {"type": "string"}, "fr": {"type": "string"},
            "de": {"type": "string"}, "en": {"type": "string"},
        },
        "additionalProperties": false,
        "description": description,
    })
}

/// The body of a proposal and of a reschedule.
pub struct WindowBody;

impl ToSchema for WindowBody {}

impl PartialSchema for WindowBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "service": {"type": "string", "description": "The service's code (422 when not in the catalogue; a reschedule names the window's own)."},
                "start": {"type": "string", "pattern": LOCAL_PATTERN, "description": "The first occurrence's local start, YYYY-MM-DDTHH:MM in Europe/Brussels (compatible rule across DST); after now."},
                "end": {"type": "string", "pattern": LOCAL_PATTERN, "description": "The first occurrence's local end, after the start."},
                "rrule": {"type": ["string", "null"], "description": "RFC 5545 RRULE subset: FREQ=WEEKLY|MONTHLY, INTERVAL, BYDAY (ordinals for monthly), BYMONTHDAY, COUNT or UNTIL (one of them required); the start must be its first occurrence. Anything else is a 422 naming the part."},
                "title": text_map_schema("The title per language (nl, fr, de, en): at least one."),
                "description": {"anyOf": [text_map_schema("The description per language."), {"type": "null"}]},
            },
            "required": ["service", "start", "end", "title"],
            "additionalProperties": false,
        }))
    }
}

/// The body of an answer.
pub struct AnswerBody;

impl ToSchema for AnswerBody {}

impl PartialSchema for AnswerBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "answer": {"type": "string", "enum": ["agree", "object"]},
                "comment": {"type": ["string", "null"], "description": "Why (required to object)."},
                "occurrence": {"type": ["string", "null"], "description": "The start (RFC 3339) of the one occurrence the answer is about; absent: every occurrence."},
                "alternative": {"anyOf": [{
                    "type": "object",
                    "properties": {
                        "start": {"type": "string", "pattern": LOCAL_PATTERN},
                        "end": {"type": "string", "pattern": LOCAL_PATTERN},
                    },
                    "required": ["start", "end"],
                    "additionalProperties": false,
                    "description": "Another slot the partner proposes, local times in Europe/Brussels.",
                }, {"type": "null"}]},
            },
            "required": ["answer"],
            "additionalProperties": false,
        }))
    }
}

/// The body of an override.
pub struct OverrideBody;

impl ToSchema for OverrideBody {}

impl PartialSchema for OverrideBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "partner": {"type": "string", "description": "The partner whose objection is overridden (409 when it has none that decides an occurrence still to come)."},
                "justification": {"type": "string", "description": "Why it goes ahead anyway (recorded, and mailed to the partner)."},
            },
            "required": ["partner", "justification"],
            "additionalProperties": false,
        }))
    }
}

// ------------------------------------------------------------------------------------------------
// The actions.
// ------------------------------------------------------------------------------------------------

fn wrong_state(message: impl Into<String>) -> StoreError {
    StoreError::Rejected(message.into())
}

/// A store refusal (a rule on the window as read) is the 409 of a wrong state.
fn refused(e: StoreError) -> ApiError {
    match e {
        StoreError::Rejected(message) => {
            ApiError::new(StatusCode::CONFLICT, "invalid_transition", message)
        }
        other => other.into(),
    }
}

/// The window `id` as the caller may see it (404 otherwise).
async fn readable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<StoredWindow> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let missing = || ApiError::not_found(format!("no maintenance window `{id}`"));
    let w = state
        .db
        .maintenance_window(scope_of(caller), id)
        .await?
        .ok_or_else(missing)?;
    if !may_read(caller, &w) {
        return Err(missing());
    }
    Ok(w)
}

fn still_proposed(w: &StoredWindow) -> Result<(), StoreError> {
    if w.status == WindowStatus::Cancelled {
        return Err(wrong_state(format!(
            "maintenance window {} is cancelled",
            w.id
        )));
    }
    Ok(())
}

async fn respond(state: &AppState, w: &StoredWindow, status: StatusCode) -> ApiResult<Response> {
    let mut response = json_response(status, window_doc(w, state.now()).to_string());
    if status == StatusCode::CREATED {
        if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/maintenance/{}", w.id)) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    Ok(response)
}

/// Reads a window's body at `now`: its occurrences, in Europe/Brussels.
async fn read_window(headers: &HeaderMap, body: Body, now: Timestamp) -> ApiResult<Proposal> {
    let value = json_value(headers, body).await?;
    read_proposal(&Node::from_json(&value), zone(), now).map_err(ApiError::invalid)
}

/// Propose a window (admin, or the manager of its service). Every partner with a subscription
/// to the service that is approved, active or suspended at some point of an occurrence is
/// consulted, and its admins are mailed with the deadline.
#[utoipa::path(
    post, path = "/api/v1/maintenance", tag = "maintenance",
    request_body(
        content = inline(WindowBody), content_type = "application/json",
        example = json!({"service": "WEB-HOSTING", "start": "2027-01-10T02:00", "end": "2027-01-10T04:00",
            "rrule": "FREQ=MONTHLY;BYDAY=2SU;COUNT=3", "title": {"en": "Storage firmware", "nl": "Firmware van de opslag"}}),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Proposed; Location in the headers", body = MaintenanceDoc),
        CreateErrors,
    )
)]
pub async fn propose_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let now = state.now();
    let p = read_window(&headers, body, now).await?;
    caller.may(Action::ManageMaintenance {
        service: &p.service,
    })?;
    let w = crate::maintenance::propose(&state, &p, caller.stamp(&state)).await?;
    respond(&state, &w, StatusCode::CREATED).await
}

/// Answer for the caller's partner (its `partner-admin`): agree, or object with a comment and
/// maybe another slot; about every occurrence, or the one whose start `occurrence` names. The
/// last answer counts; one after the deadline of every occurrence it covers is a 409.
#[utoipa::path(
    post, path = "/api/v1/maintenance/{id}/answers", tag = "maintenance",
    params(("id" = String, Path, description = "The window's id")),
    request_body(
        content = inline(AnswerBody), content_type = "application/json",
        description = "For example `{\"answer\": \"object\", \"comment\": \"Our payroll run\", \"alternative\": {\"start\": \"2027-01-17T02:00\", \"end\": \"2027-01-17T04:00\"}}`",
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The window after the answer, as the partner sees it", body = MaintenanceDoc),
        ActionErrors,
    )
)]
pub async fn answer_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let seen = readable(&state, &caller, &id).await?;
    let missing = || ApiError::not_found(format!("no maintenance window `{id}`"));
    // The body is read before who answers is: a body that cannot be an answer is a 422 for
    // anyone who sees the window.
    let value = json_value(&headers, body).await?;
    let a = read_answer(&Node::from_json(&value)).map_err(ApiError::invalid)?;
    // Staff see every window but answer for no partner; a partner's people see only windows
    // their partner is consulted on.
    let partner = caller.partner().ok_or_else(ApiError::forbidden)?;
    if !seen.partners().contains(&partner) {
        return Err(missing());
    }
    caller.may(Action::AnswerMaintenance { partner })?;
    let now = state.now();
    let check = |w: &StoredWindow| {
        still_proposed(w)?;
        let Some(c) = w.consultation(partner, w.round) else {
            return Err(wrong_state(format!(
                "{partner} is not consulted on the window's present times"
            )));
        };
        let open = w.occurrences_of(w.round);
        if let Some(start) = a.occurrence {
            if !open.iter().any(|o| o.start == start) {
                if w.occurrences.iter().any(|o| o.occurrence.start == start) {
                    return Err(wrong_state(
                        "that occurrence has begun: its consent is frozen",
                    ));
                }
                return Err(StoreError::Invalid {
                    field: "occurrence".into(),
                    message: "not the start of an occurrence of the window".into(),
                });
            }
        }
        if !accepts_answer(&open, &c.subscriptions, c.consulted_at, a.occurrence, now) {
            return Err(wrong_state(
                "the deadline has passed for every occurrence this answer covers",
            ));
        }
        Ok(())
    };
    let stamp = caller.stamp(&state);
    let w = state
        .db
        .act_on_maintenance(
            &id,
            &Do::Answer {
                partner: partner.to_owned(),
                answer: NewAnswer {
                    answer: a.answer,
                    comment: a.comment.clone(),
                    occurrence: a.occurrence,
                    alternative: a.alternative.clone(),
                },
            },
            check,
            |_| Vec::new(),
            stamp,
        )
        .await
        .map_err(refused)?;
    crate::availability::downtime_changed(&state, &w.service).await;
    let w = readable(&state, &caller, &w.id).await?;
    respond(&state, &w, StatusCode::OK).await
}

/// The window for staff, and the right to manage it (admin, the service's managers).
async fn managed(state: &AppState, caller: &Caller, id: &str) -> ApiResult<StoredWindow> {
    let w = readable(state, caller, id).await?;
    caller.may(Action::ManageMaintenance {
        service: &w.service,
    })?;
    Ok(w)
}

/// Override a partner's objection, with a recorded justification: the occurrences its
/// objection decides and that have not started go ahead and count as downtime for it
/// (`overridden`). A partner with no such objection is a 409.
#[utoipa::path(
    post, path = "/api/v1/maintenance/{id}/override", tag = "maintenance",
    params(("id" = String, Path, description = "The window's id")),
    request_body(
        content = inline(OverrideBody), content_type = "application/json",
        description = "For example `{\"partner\": \"GEM-ASSE\", \"justification\": \"The vendor ends support of the old firmware on 31 January.\"}`",
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The window after the override", body = MaintenanceDoc),
        ActionErrors,
    )
)]
pub async fn override_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    managed(&state, &caller, &id).await?;
    let value = json_value(&headers, body).await?;
    let o = read_override(&Node::from_json(&value)).map_err(ApiError::invalid)?;
    let now = state.now();
    let check = |w: &StoredWindow| {
        still_proposed(w)?;
        let objects = w.consultation(&o.partner, w.round).is_some_and(|c| {
            consents(&upcoming(w, now), &c.rule(), now)
                .is_ok_and(|d| d.iter().any(|d| d.consent == Consent::Objected))
        });
        if !objects {
            return Err(wrong_state(format!(
                "{} has no objection to override on an occurrence still to come",
                o.partner
            )));
        }
        Ok(())
    };
    let to = addressees(
        &state,
        &[pacta_store::maintenance::Consulted {
            partner: o.partner.clone(),
            subscriptions: Vec::new(),
        }],
    )
    .await?;
    let w = state
        .db
        .act_on_maintenance(
            &id,
            &Do::Override {
                partner: o.partner.clone(),
                justification: o.justification.clone(),
            },
            check,
            |w| {
                let open = upcoming(w, now);
                window_mails(
                    &state,
                    &About::window(w, &open),
                    Letters::Overridden(&o.justification),
                    &to,
                    now,
                )
            },
            caller.stamp(&state),
        )
        .await
        .map_err(refused)?;
    crate::availability::downtime_changed(&state, &w.service).await;
    respond(&state, &w, StatusCode::OK).await
}

/// The admins of the partners consulted in `w`'s open round.
async fn consulted_now(state: &AppState, w: &StoredWindow) -> ApiResult<Vec<Addressee>> {
    let consulted: Vec<pacta_store::maintenance::Consulted> = w
        .consultations
        .iter()
        .filter(|c| c.round == w.round)
        .map(|c| pacta_store::maintenance::Consulted {
            partner: c.partner.clone(),
            subscriptions: c.subscriptions.clone(),
        })
        .collect();
    addressees(state, &consulted).await
}

/// Reschedule: new times (the body of a proposal, its own service) for the occurrences that
/// have not started. Their answers are voided and a new consultation opens with the partners
/// concerned by the new times; a started occurrence keeps its consent (frozen).
#[utoipa::path(
    post, path = "/api/v1/maintenance/{id}/reschedule", tag = "maintenance",
    params(("id" = String, Path, description = "The window's id")),
    request_body(
        content = inline(WindowBody), content_type = "application/json",
        description = "The body of a proposal, naming the window's own service",
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The window after the reschedule", body = MaintenanceDoc),
        ActionErrors,
    )
)]
pub async fn reschedule_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let before = managed(&state, &caller, &id).await?;
    let now = state.now();
    let p = read_window(&headers, body, now).await?;
    if p.service != before.service {
        return Err(ApiError::invalid_field(
            "service",
            format!(
                "a window stays with its service `{}`: propose a new one for `{}`",
                before.service, p.service
            ),
        ));
    }
    let consulted = consulted_for(&state, &p.service, &p.occurrences).await?;
    let told = addressees(&state, &consulted).await?;
    let dropped: Vec<Addressee> = consulted_now(&state, &before)
        .await?
        .into_iter()
        .filter(|a| !consulted.iter().any(|c| c.partner == a.partner))
        .collect();
    let w = state
        .db
        .act_on_maintenance(
            &id,
            &Do::Reschedule {
                times: new_times(&p),
                consulted: consulted.clone(),
            },
            still_proposed,
            |w| {
                let about = About {
                    id: &w.id,
                    service: &w.service,
                    title: &p.title,
                    occurrences: &p.occurrences,
                };
                let mut mails = window_mails(&state, &about, Letters::Rescheduled, &told, now);
                mails.extend(window_mails(
                    &state,
                    &about,
                    Letters::Cancelled,
                    &dropped,
                    now,
                ));
                mails
            },
            caller.stamp(&state),
        )
        .await
        .map_err(refused)?;
    crate::availability::downtime_changed(&state, &w.service).await;
    respond(&state, &w, StatusCode::OK).await
}

/// Cancel: the occurrences that have not started are withdrawn; a started one stays as it was
/// agreed. A cancelled window, or one with nothing left to start, is a 409.
#[utoipa::path(
    post, path = "/api/v1/maintenance/{id}/cancel", tag = "maintenance",
    params(("id" = String, Path, description = "The window's id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The window after the cancel", body = MaintenanceDoc),
        ActionErrors,
    )
)]
pub async fn cancel_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let before = managed(&state, &caller, &id).await?;
    let now = state.now();
    let told = consulted_now(&state, &before).await?;
    let check = |w: &StoredWindow| {
        still_proposed(w)?;
        if upcoming(w, now).is_empty() {
            return Err(wrong_state(
                "every occurrence of the window has begun: nothing is left to cancel",
            ));
        }
        Ok(())
    };
    let w = state
        .db
        .act_on_maintenance(
            &id,
            &Do::Cancel,
            check,
            |w| {
                let open = upcoming(w, now);
                window_mails(
                    &state,
                    &About::window(w, &open),
                    Letters::Cancelled,
                    &told,
                    now,
                )
            },
            caller.stamp(&state),
        )
        .await
        .map_err(refused)?;
    crate::availability::downtime_changed(&state, &w.service).await;
    respond(&state, &w, StatusCode::OK).await
}

// ------------------------------------------------------------------------------------------------
// The iCalendar feed's URL.
// ------------------------------------------------------------------------------------------------

/// `{"maintenance_ics": "<absolute URL with its token>"}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct FeedsDoc(Value);

/// The partner `code` if the caller may manage its feeds (404 for a partner it may not see).
async fn feed_partner(state: &AppState, caller: &Caller, code: &str) -> ApiResult<String> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    caller.may(Action::ManageFeeds { partner: code })?;
    state
        .db
        .partner(Scope::All, code)
        .await?
        .map(|p| p.partner.code)
        .ok_or_else(|| ApiError::not_found(format!("no partner `{code}`")))
}

fn feeds_doc(state: &AppState, partner: &str, token: &str) -> Response {
    json_response(
        StatusCode::OK,
        json!({"maintenance_ics": crate::ics::feed_url(state, partner, token)}).to_string(),
    )
}

/// The URLs of a partner's feeds, each with its secret token (made on first read): its
/// maintenance as iCalendar, for a calendar client to subscribe to. The partner's admin and
/// the provider's staff.
#[utoipa::path(
    get, path = "/api/v1/partners/{code}/feeds", tag = "maintenance",
    params(("code" = String, Path, description = "The partner's code")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The feeds' URLs", body = FeedsDoc),
        ReadErrors,
        (status = 403, response = crate::error::Forbidden),
    )
)]
pub async fn get_feeds(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let partner = feed_partner(&state, &caller, &code).await?;
    let fresh = pacta_store::credentials::new_token();
    let token = state
        .db
        .maintenance_feed_token(&partner, &fresh, caller.stamp(&state))
        .await?;
    Ok(feeds_doc(&state, &partner, &token))
}

/// A new secret for the partner's feeds: the old URLs answer 404 from now on.
#[utoipa::path(
    post, path = "/api/v1/partners/{code}/feeds/regenerate", tag = "maintenance",
    params(("code" = String, Path, description = "The partner's code")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The feeds' new URLs", body = FeedsDoc),
        ReadErrors,
        (status = 403, response = crate::error::Forbidden),
    )
)]
pub async fn regenerate_feeds(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let partner = feed_partner(&state, &caller, &code).await?;
    let fresh = pacta_store::credentials::new_token();
    state
        .db
        .regenerate_maintenance_feed(&partner, &fresh, caller.stamp(&state))
        .await?;
    Ok(feeds_doc(&state, &partner, &fresh))
}
