//! `/api/v1/monitors`: the monitors (issue 10) — what the probes check, as data. The provider's
//! staff and the prober read each one whole; a partner's people read, of the monitors of their
//! own subscriptions and of the services they subscribe to, the id, code, kind, service and
//! name only (never a target or a header); any other monitor is a 404, exactly as a missing
//! one. Admin and the service's manager create, change and delete (`decide` says who).
//!
//! Results arrive by `POST /api/v1/monitors/{id}/results` (admin, prober) and keep the monitor's
//! outage history up to date; `GET /api/v1/monitors/{id}/outages` answers any window from it,
//! exactly as the `outages` op of `pacta sla eval` would from the raw results.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::access::{Action, Actor};
use pacta_core::catalogue::document::Node;
use pacta_core::monitor::{
    monitor_json, monitor_summary_json, read_monitor, Attachment, HttpMethod, Kind, Monitor,
    RecordType,
};
use pacta_core::subscription::State as SubState;
use pacta_store::monitors::{MonitorFilter, StoredMonitor};
use pacta_store::subscriptions::SubscriptionFilter;
use pacta_store::Scope;
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::accounts::catalogue_ref;
use super::{etag, if_match, json_response, json_value, page_params, query_pairs, raw_schema};
use crate::auth::Caller;
use crate::error::{
    ApiError, ApiResult, CreateErrors, Forbidden, NotFound, ReadErrors, ReplaceErrors,
    SearchErrors, Unauthorized,
};
use crate::state::AppState;

/// A monitor: whole for the provider's staff and the prober (`id`, `code`, `name`, `service` —
/// the one it watches, its subscription's for a subscription's monitor —, `subscription`,
/// `partner`, `kind`, `settings`, `interval`, `timeout`, `failures_before_down`,
/// `successes_before_up`, `stale_after` (null: 2 × interval), `counts_for_availability`,
/// `revision`); for a partner's people `id`, `code`, `kind`, `service` and `name` only.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct MonitorDoc(Value);

/// A page of monitors: `{"items", "total", "limit", "offset"}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct MonitorList(Value);

/// The filters of the list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct MonitorQuery {
    /// Only the monitors watching this service (for all its subscriptions or for one).
    service: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

// ------------------------------------------------------------------------------------------------
// The bodies, as `pacta_core::monitor::read_monitor` reads them.
// ------------------------------------------------------------------------------------------------

/// A monitor's code, as the reader accepts it.
pub const MONITOR_CODE_PATTERN: &str = "^[a-z0-9-]{1,64}$";
/// A header value: a reference to the prober's environment.
pub const ENV_REF_PATTERN: &str = "^\\$\\{env:[A-Za-z_][A-Za-z0-9_]{0,127}\\}$";

fn or_null(mut schema: Value) -> Value {
    if let Some(Value::String(t)) = schema.get("type").cloned() {
        schema["type"] = json!([t, "null"]);
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.push(Value::Null);
        }
        schema
    } else {
        json!({"anyOf": [schema, {"type": "null"}]})
    }
}

fn duration(description: &str) -> Value {
    json!({"anyOf": [catalogue_ref("Duration"), {"type": "null"}], "description": description})
}

fn integer(min: i64, max: i64, description: &str) -> Value {
    json!({"type": ["integer", "null"], "minimum": min, "maximum": max, "description": description})
}

fn boolean(description: &str) -> Value {
    json!({"type": ["boolean", "null"], "description": description})
}

fn host(description: &str) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 254, "pattern": "^[A-Za-z0-9_.:\\[\\]-]+$", "description": description})
}

/// The settings of each kind.
fn settings_schema(kind: Kind) -> Value {
    match kind {
        Kind::Http => json!({
            "type": "object",
            "properties": {
                "url": {"type": "string", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+([/?][^\\s#]*)?$",
                        "description": "An absolute http or https URL, without a user or password (send credentials in a header) and without a fragment."},
                "method": or_null(json!({"type": "string", "enum": HttpMethod::ALL.map(HttpMethod::code), "description": "null or absent: GET."})),
                "headers": {
                    "type": ["object", "null"],
                    "propertyNames": {"pattern": "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
                    "additionalProperties": {"type": "string", "pattern": ENV_REF_PATTERN},
                    "description": "Header name → `${env:NAME}`, the variable of the prober's environment that holds the value: a value is never stored in clear. Names ignore case: one name twice is a 422.",
                },
                "expected_statuses": {
                    "type": ["array", "null"], "uniqueItems": true,
                    "items": {"type": "integer", "minimum": 100, "maximum": 599},
                    "description": "The statuses that are a success; null, absent or empty: any 2xx.",
                },
                "body_contains": {"type": ["string", "null"], "minLength": 1, "description": "Text the body must contain."},
                "body_regex": {"type": ["string", "null"], "description": "A regular expression (Rust `regex` syntax) the body must match; one that does not compile is a 422."},
                "max_latency_ms": integer(1, 86_400_000, "A slower answer is a failure; at most the timeout (422 otherwise)."),
                "verify_tls": boolean("Verify the certificate; null or absent: true."),
                "follow_redirects": boolean("Follow redirects; null or absent: true."),
            },
            "required": ["url"],
            "not": {
                "properties": {"body_contains": {"type": "string"}, "body_regex": {"type": "string"}},
                "required": ["body_contains", "body_regex"],
            },
            "additionalProperties": false,
        }),
        Kind::Tcp => json!({
            "type": "object",
            "properties": {
                "host": host("A host name or an IP address."),
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            },
            "required": ["host", "port"],
            "additionalProperties": false,
        }),
        Kind::Tls => json!({
            "type": "object",
            "properties": {
                "host": host("A host name or an IP address."),
                "port": integer(1, 65535, "null or absent: 443."),
                "warning_days": integer(1, 365, "A certificate expiring within this many days fails; null or absent: 14."),
            },
            "required": ["host"],
            "additionalProperties": false,
        }),
        Kind::Dns => json!({
            "type": "object",
            "properties": {
                "name": host("The name to resolve (a DNS name may hold `_`)."),
                "record_type": or_null(json!({"type": "string", "enum": RecordType::ALL.map(RecordType::code), "description": "null or absent: A."})),
                "expected": {
                    "type": ["array", "null"], "uniqueItems": true,
                    "items": {"type": "string", "pattern": "\\S"},
                    "description": "Values the answer must contain; null, absent or empty: any answer.",
                },
                "resolver": {"type": ["string", "null"], "description": "The resolver to ask: an IP address, with a port or not (`192.0.2.53:53`, `[2001:db8::53]:53`); null or absent: the prober's."},
            },
            "required": ["name"],
            "additionalProperties": false,
        }),
    }
}

/// The fields of a monitor's body; `code` and `name` not nullable (null is absent, and they are
/// required whole).
fn monitor_fields() -> serde_json::Map<String, Value> {
    let Value::Object(fields) = json!({
        "code": {"type": "string", "pattern": MONITOR_CODE_PATTERN, "description": "[a-z0-9-], 1 to 64 characters; unique (a taken one is a 409). It never changes: an import matches monitors by code."},
        "name": {"allOf": [catalogue_ref("RequiredText")], "description": "Its name per language (nl, fr, de, en), at least one not blank; what a partner's people see."},
        "service": {"type": ["string", "null"], "pattern": "^[A-Z0-9-]{1,64}$", "description": "The service it watches, for every subscription of it: a stored service (422 otherwise). Exactly one of `service` and `subscription`."},
        "subscription": {"type": ["string", "null"], "minLength": 1, "maxLength": 64, "pattern": "^\\S+$", "description": "The one subscription it watches (its service, for that subscription only): a stored subscription's id (422 otherwise)."},
        "kind": {"type": "string", "enum": Kind::ALL.map(Kind::code), "description": "What it checks; `settings` are this kind's."},
        "settings": {"type": "object", "description": "The kind's settings (http: url, method, headers, expected_statuses, body_contains or body_regex, max_latency_ms, verify_tls, follow_redirects; tcp: host, port; tls: host, port, warning_days; dns: name, record_type, expected, resolver)."},
        "interval": duration("Between two checks: 10s to 24h (422 otherwise); null or absent: 60s."),
        "timeout": duration("At least 1s and shorter than the interval (422 otherwise); null or absent: 10s, or 1s less than a shorter interval."),
        "failures_before_down": integer(1, 100, "Consecutive failures that make it down (the outage starts at the first); null or absent: 3."),
        "successes_before_up": integer(1, 100, "Consecutive successes that make it up again (the outage ends at the first); null or absent: 2."),
        "stale_after": duration("How long a result covers: at least the interval, at most 7 days (422 otherwise); null or absent: 2 × interval."),
        "counts_for_availability": boolean("Whether its outages count for the availability of the subscriptions it watches; null or absent: true."),
    }) else {
        unreachable!("a JSON object")
    };
    fields
}

/// `settings` is the schema of the `kind` given beside it: `if`/`then`/`else`, one kind after
/// the other (merged into the body's schema).
fn settings_by_kind(schema: &mut Value) {
    let mut chain: Option<Value> = None;
    for k in Kind::ALL.into_iter().rev() {
        let mut step = json!({
            "if": {"properties": {"kind": {"const": k.code()}}, "required": ["kind"]},
            "then": {"properties": {"settings": settings_schema(k)}},
        });
        if let Some(rest) = chain.take() {
            step["else"] = rest;
        }
        chain = Some(step);
    }
    if let (Some(Value::Object(chain)), Value::Object(map)) = (chain, schema) {
        map.extend(chain);
    }
}

/// The body of a monitor's creation: the monitors-file shape.
pub struct MonitorBody;

impl ToSchema for MonitorBody {}

impl PartialSchema for MonitorBody {
    fn schema() -> RefOr<Schema> {
        let mut schema = json!({
            "type": "object",
            "properties": monitor_fields(),
            "required": ["code", "name", "kind", "settings"],
            "anyOf": [
                {"properties": {"service": {"type": "string"}, "subscription": {"type": "null"}}, "required": ["service"]},
                {"properties": {"subscription": {"type": "string"}, "service": {"type": "null"}}, "required": ["subscription"]},
            ],
            "additionalProperties": false,
        });
        settings_by_kind(&mut schema);
        raw_schema(schema)
    }
}

/// The body of a change: each field optional, what it names replaced whole (null: as if absent
/// from the monitors file, so its default); the code never changes.
pub struct MonitorPatchBody;

impl ToSchema for MonitorPatchBody {}

impl PartialSchema for MonitorPatchBody {
    fn schema() -> RefOr<Schema> {
        let mut fields = monitor_fields();
        fields.remove("code");
        let mut schema = json!({
            "type": "object",
            "properties": fields,
            "additionalProperties": false,
        });
        settings_by_kind(&mut schema);
        raw_schema(schema)
    }
}

// ------------------------------------------------------------------------------------------------
// Who sees what.
// ------------------------------------------------------------------------------------------------

fn scope_of(caller: &Caller) -> Scope<'_> {
    caller.partner().map_or(Scope::All, Scope::Partner)
}

/// The services the caller's partner subscribes to (a subscription approved, active or
/// suspended); none for the provider's staff, who need none.
async fn subscribed_services(state: &AppState, caller: &Caller) -> ApiResult<BTreeSet<String>> {
    let Some(partner) = caller.partner() else {
        return Ok(BTreeSet::new());
    };
    let subscriptions = state
        .db
        .list_subscriptions(Scope::Partner(partner), &SubscriptionFilter::default())
        .await?;
    Ok(subscriptions
        .into_iter()
        .filter(|s| {
            matches!(
                s.state,
                SubState::Approved | SubState::Active | SubState::Suspended
            )
        })
        .map(|s| s.service)
        .collect())
}

/// The partner a monitor watches for, as [`Action::ReadMonitor`] asks: its subscription's, or
/// the caller's own when that partner subscribes to the monitor's service.
fn watched_for<'a>(
    m: &'a StoredMonitor,
    own: Option<&'a str>,
    subscribed: &BTreeSet<String>,
) -> Option<&'a str> {
    match &m.partner {
        Some(p) => Some(p),
        None => own.filter(|_| subscribed.contains(&m.service)),
    }
}

fn may_read(caller: &Caller, m: &StoredMonitor, subscribed: &BTreeSet<String>) -> bool {
    caller
        .may(Action::ReadMonitor {
            service: &m.service,
            partner: watched_for(m, caller.partner(), subscribed),
        })
        .is_ok()
}

/// Monitor `id` if the caller may read it; a 404 otherwise, the same as for a missing one.
async fn readable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<StoredMonitor> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let missing = || ApiError::not_found(format!("no monitor `{id}`"));
    let m = state
        .db
        .monitor(scope_of(caller), id)
        .await?
        .ok_or_else(missing)?;
    let subscribed = match m.partner {
        None => subscribed_services(state, caller).await?,
        Some(_) => BTreeSet::new(),
    };
    if may_read(caller, &m, &subscribed) {
        Ok(m)
    } else {
        Err(missing())
    }
}

/// The monitor as the caller may see it: whole, or its name and kind only.
fn view(caller: &Caller, m: &StoredMonitor) -> Value {
    let whole = caller
        .may(Action::ReadMonitorSettings {
            service: &m.service,
        })
        .is_ok();
    if whole {
        monitor_json(
            &m.id,
            &m.monitor,
            &m.service,
            m.partner.as_deref(),
            m.revision,
        )
    } else {
        monitor_summary_json(&m.id, &m.monitor, &m.service)
    }
}

fn respond(caller: &Caller, m: &StoredMonitor, status: StatusCode) -> Response {
    let mut response = json_response(status, view(caller, m).to_string());
    if let Ok(v) = HeaderValue::from_str(&etag(m.revision)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// The service `monitor` watches, as the caller may name it: its own, or that of its
/// subscription (one the caller sees; another is as missing).
async fn target_service(state: &AppState, caller: &Caller, monitor: &Monitor) -> ApiResult<String> {
    match monitor.attachment() {
        Attachment::Service(code) => Ok(code.to_owned()),
        Attachment::Subscription(id) => state
            .db
            .subscription(scope_of(caller), id)
            .await?
            .map(|s| s.service)
            .ok_or_else(|| {
                ApiError::invalid_field("subscription", format!("no subscription `{id}`"))
            }),
    }
}

// ------------------------------------------------------------------------------------------------
// The routes.
// ------------------------------------------------------------------------------------------------

/// List the monitors the caller may read, by code: whole for the provider's staff, names and
/// kinds for a partner's people.
#[utoipa::path(
    get, path = "/api/v1/monitors", tag = "monitors",
    params(MonitorQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of monitors", body = MonitorList),
        SearchErrors,
    )
)]
pub async fn list_monitors(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    caller.may(Action::ReadMonitors)?;
    let filter = MonitorFilter {
        service: query.get("service").cloned(),
    };
    let monitors = state.db.list_monitors(scope_of(&caller), &filter).await?;
    let subscribed = subscribed_services(&state, &caller).await?;
    let docs: Vec<Value> = monitors
        .iter()
        .filter(|m| may_read(&caller, m, &subscribed))
        .map(|m| view(&caller, m))
        .collect();
    page.respond(&docs.iter().collect::<Vec<_>>())
}

/// Create a monitor (admin, or the manager of the service it watches).
#[utoipa::path(
    post, path = "/api/v1/monitors", tag = "monitors",
    request_body(
        content = inline(MonitorBody), content_type = "application/json",
        example = json!({"code": "new-web-check", "name": {"en": "Web hosting — home page"},
            "service": "WEB-HOSTING", "kind": "http",
            "settings": {"url": "https://www.example.invalid/", "expected_statuses": [200],
                         "headers": {"Authorization": "${env:WEB_CHECK_TOKEN}"}},
            "interval": "30s", "timeout": "5s"}),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created; Location and ETag in the headers", body = MonitorDoc),
        CreateErrors,
    )
)]
pub async fn create_monitor(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let value = json_value(&headers, body).await?;
    let monitor = read_monitor(&Node::from_json(&value)).map_err(ApiError::invalid)?;
    let service = target_service(&state, &caller, &monitor).await?;
    caller.may(Action::ManageMonitors { service: &service })?;
    let stored = state
        .db
        .create_monitor(&monitor, caller.stamp(&state))
        .await?;
    let mut response = respond(&caller, &stored, StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/monitors/{}", stored.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// One monitor.
#[utoipa::path(
    get, path = "/api/v1/monitors/{id}", tag = "monitors",
    params(("id" = String, Path, description = "The monitor's id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The monitor; its ETag in the header", body = MonitorDoc),
        ReadErrors,
    )
)]
pub async fn get_monitor(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let m = readable(&state, &caller, &id).await?;
    Ok(respond(&caller, &m, StatusCode::OK))
}

/// Change a monitor (needs If-Match): each field given replaces the stored one (null: its
/// default). Moving it to another service needs the right over both.
#[utoipa::path(
    patch, path = "/api/v1/monitors/{id}", tag = "monitors",
    request_body(
        content = inline(MonitorPatchBody), content_type = "application/json",
        example = json!({"interval": "2m", "counts_for_availability": false}),
    ),
    params(
        ("id" = String, Path, description = "The monitor's id"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Changed; the new ETag in the header", body = MonitorDoc),
        ReplaceErrors,
    )
)]
pub async fn patch_monitor(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let stored = readable(&state, &caller, &id).await?;
    caller.may(Action::ManageMonitors {
        service: &stored.service,
    })?;
    let expected = if_match(&headers, stored.revision)?;
    let Value::Object(fields) = json_value(&headers, body).await? else {
        return Err(ApiError::invalid_field("$", "expected a JSON object"));
    };
    let mut whole = serde_json::to_value(&stored.monitor).map_err(|e| ApiError::internal(&e))?;
    for (k, v) in fields {
        if k == "code" && v != whole["code"] {
            return Err(ApiError::invalid_field(
                "code",
                "a monitor's code never changes: it is what an import matches",
            ));
        }
        match (v, whole.as_object_mut()) {
            (Value::Null, Some(map)) => {
                map.remove(&k);
            }
            (v, Some(map)) => {
                map.insert(k, v);
            }
            _ => {}
        }
    }
    let monitor = read_monitor(&Node::from_json(&whole)).map_err(ApiError::invalid)?;
    let service = target_service(&state, &caller, &monitor).await?;
    if service != stored.service {
        caller.may(Action::ManageMonitors { service: &service })?;
    }
    let updated = state
        .db
        .update_monitor(&id, &monitor, expected, caller.stamp(&state))
        .await?;
    Ok(respond(&caller, &updated, StatusCode::OK))
}

/// Delete a monitor.
#[utoipa::path(
    delete, path = "/api/v1/monitors/{id}", tag = "monitors",
    params(("id" = String, Path, description = "The monitor's id")),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete_monitor(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let stored = readable(&state, &caller, &id).await?;
    caller.may(Action::ManageMonitors {
        service: &stored.service,
    })?;
    state.db.delete_monitor(&id, caller.stamp(&state)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ------------------------------------------------------------------------------------------------
// Results and outages.
// ------------------------------------------------------------------------------------------------

/// The most results one request may carry.
pub const MAX_BATCH: usize = 10_000;

/// A batch of results: `[{"at", "ok", "latency_ms"?, "detail"?}]`, in any order.
pub struct ResultsBody;

impl ToSchema for ResultsBody {}

impl PartialSchema for ResultsBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "array",
            "maxItems": MAX_BATCH,
            "items": {
                "type": "object",
                "required": ["at", "ok"],
                "additionalProperties": false,
                "properties": {
                    "at": {
                        "type": "string",
                        "description": "When the check ran: RFC 3339 with an offset, whole seconds, years 1900–2200",
                        "pattern": "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$",
                    },
                    "ok": {"type": "boolean", "description": "Passed (a `degraded` verdict is true, with its detail)"},
                    "latency_ms": {"type": ["integer", "null"], "minimum": 0, "maximum": i32::MAX},
                    "detail": {"type": ["string", "null"], "maxLength": pacta_core::monitor::MAX_DETAIL_CHARS},
                },
            },
        }))
    }
}

/// What an ingest did: `{"stored", "duplicates", "late"}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct IngestAnswer(Value);

/// Send a monitor's results (admin, prober). Each is placed by its `at`, however late; one
/// stored already is an idempotent retry when identical and a 409 otherwise (nothing is
/// written then). The outages are brought up to date in the same transaction, and an outage
/// that begins or ends is mailed to the service's managers.
#[utoipa::path(
    post, path = "/api/v1/monitors/{id}/results", tag = "monitors",
    request_body(
        content = inline(ResultsBody), content_type = "application/json",
        example = json!([
            {"at": "2026-10-12T10:00:00+02:00", "ok": true, "latency_ms": 84},
            {"at": "2026-10-12T10:00:30+02:00", "ok": false, "detail": "status 503"}
        ]),
    ),
    params(("id" = String, Path, description = "The monitor's id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Stored", body = IngestAnswer),
        crate::error::BatchErrors,
    )
)]
pub async fn post_results(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    // What the caller may not see is missing (404) before it is forbidden (403).
    let m = readable(&state, &caller, &id).await?;
    caller.may(Action::IngestResults)?;
    let Value::Array(items) = json_value(&headers, body).await? else {
        return Err(ApiError::invalid_field(
            "$",
            "expected a JSON array of results",
        ));
    };
    if items.len() > MAX_BATCH {
        return Err(ApiError::invalid_field(
            "$",
            format!("at most {MAX_BATCH} results per request"),
        ));
    }
    let mut batch = Vec::with_capacity(items.len());
    let mut issues = Vec::new();
    for (i, v) in items.iter().enumerate() {
        match pacta_core::monitor::read_result(v, &format!("[{i}]")) {
            Ok(r) => batch.push(r),
            Err(more) => issues.extend(more),
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::invalid(issues));
    }
    let report = ingest(&state, &m, &batch, caller.stamp(&state)).await?;
    Ok(json_response(
        StatusCode::OK,
        json!({
            "stored": report.stored,
            "duplicates": report.duplicates,
            "late": report.late,
        })
        .to_string(),
    ))
}

/// Stores `batch` for `m`, with the mails of the outages it begins or ends, and has the error
/// budgets looked at when they do: what the API and `pacta monitor ingest` do alike.
pub async fn ingest(
    state: &AppState,
    m: &StoredMonitor,
    batch: &[pacta_core::monitor::CheckResult],
    stamp: pacta_store::Stamp<'_>,
) -> ApiResult<pacta_store::results::IngestReport> {
    let managers = crate::subscriptions::service_managers(state, &m.service).await?;
    let now = stamp.at.as_second();
    let report = state
        .db
        .ingest_results(
            m.seq,
            m.monitor.outage_rule(),
            batch,
            stamp,
            &m.id,
            |events| {
                crate::notify::outage_mails(
                    state,
                    (&m.id, &m.monitor.code, &m.monitor.name),
                    &m.service,
                    events,
                    &managers,
                    now,
                )
            },
        )
        .await?;
    if !report.events.is_empty() && m.monitor.counts_for_availability {
        crate::availability::downtime_changed(state, &m.service).await;
    }
    Ok(report)
}

/// The probes' write: the results of several monitors in one transaction (one audit row),
/// each as [`ingest`] would store it — its outages, their mails and the budget checks. The
/// reports come in the order of `items`; one monitor's refused results refuse the whole
/// (nothing written), which the caller answers by writing each alone.
pub async fn ingest_many(
    state: &AppState,
    items: &[(&StoredMonitor, &[pacta_core::monitor::CheckResult])],
    stamp: pacta_store::Stamp<'_>,
) -> ApiResult<Vec<pacta_store::results::IngestReport>> {
    // The staff are read once for every service of the write, not once per monitor.
    let staff = state
        .db
        .list_users(Scope::All, &pacta_store::accounts::UserFilter::default())
        .await?;
    let mut managers: std::collections::HashMap<&str, Vec<crate::subscriptions::Recipient>> =
        std::collections::HashMap::new();
    for (m, _) in items {
        managers
            .entry(m.service.as_str())
            .or_insert_with(|| crate::subscriptions::managers_among(&staff, &m.service));
    }
    let now = stamp.at.as_second();
    let store_items: Vec<pacta_store::results::IngestItem<'_>> = items
        .iter()
        .map(|(m, batch)| pacta_store::results::IngestItem {
            seq: m.seq,
            rule: m.monitor.outage_rule(),
            batch,
            code: &m.id,
        })
        .collect();
    let reports = state
        .db
        .ingest_results_of_many(&store_items, stamp, |k, events| {
            let m = items[k].0;
            crate::notify::outage_mails(
                state,
                (&m.id, &m.monitor.code, &m.monitor.name),
                &m.service,
                events,
                managers.get(m.service.as_str()).map_or(&[], Vec::as_slice),
                now,
            )
        })
        .await?;
    let changed: BTreeSet<&str> = items
        .iter()
        .zip(&reports)
        .filter(|((m, _), r)| !r.events.is_empty() && m.monitor.counts_for_availability)
        .map(|((m, _), _)| m.service.as_str())
        .collect();
    for service in changed {
        crate::availability::downtime_changed(state, service).await;
    }
    Ok(reports)
}

/// The window of an outages read.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct WindowQuery {
    /// The window's start, RFC 3339 (required).
    #[param(
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"
    )]
    from: String,
    /// The window's end, RFC 3339, after `from` (required).
    #[param(
        pattern = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"
    )]
    to: String,
}

/// A monitor's outages and unmonitored time over `[from, to)`, exactly as the `outages` op of
/// `pacta sla eval` answers them from the monitor's results: `{"outages": [{"start", "end" |
/// null}], "unmonitored": [{"start", "end"}], "down_at_end"}`, instants in Europe/Brussels.
#[utoipa::path(
    get, path = "/api/v1/monitors/{id}/outages", tag = "monitors",
    params(("id" = String, Path, description = "The monitor's id"), WindowQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The outages and unmonitored time in the window", body = Object),
        crate::error::PeriodReadErrors,
    )
)]
pub async fn get_outages(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let m = readable(&state, &caller, &id).await?;
    let q = query_pairs(raw.as_deref())?;
    let instant = |key: &str| -> ApiResult<jiff::Timestamp> {
        let text = q
            .get(key)
            .ok_or_else(|| ApiError::invalid_field(key, "required (RFC 3339)"))?;
        pacta_core::sla::instant::parse_instant(text)
            .map_err(|e| ApiError::invalid_field(key, e.to_string()))
    };
    let (from, to) = (instant("from")?, instant("to")?);
    if from >= to {
        return Err(ApiError::invalid_field("to", "must be after from"));
    }
    let history = state
        .db
        .monitor_history(m.seq, from.as_second(), to.as_second())
        .await?;
    Ok(json_response(
        StatusCode::OK,
        history.window(from, to).to_json().to_string(),
    ))
}
