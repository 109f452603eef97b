//! `/api/v1/tickets` and `/api/v1/queue` (issue 13): open a ticket under the lines Rule, read it
//! with its live clocks and timeline, comment, move its status, change its priority, escalate by
//! hand; the agents' queue by the instant of the next breach. A ticket of another partner is a
//! 404, exactly as a missing one. Action POSTs need no `If-Match`: each is checked against the
//! ticket read in the write (409 `conflict` if it moved meanwhile).

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use pacta_core::access::{Action, Actor};
use pacta_core::ticket::{Grade, Kind, Priority, Status};
use pacta_store::tickets::{StoredTicket, TicketFilter};
use pacta_store::Scope;
use serde_json::{json, Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::{json_response, json_value, page_params, query_pairs};
use crate::auth::Caller;
use crate::error::{ActionErrors, ApiError, ApiResult, CreateErrors, ReadErrors, SearchErrors};
use crate::state::AppState;
use crate::tickets::{self as flow, OpenInput, BODY_MAX, TITLE_MAX};

/// A ticket: `ref`, `partner`, `subscription`, `service`, `kind`, `impact`, `urgency`,
/// `priority`, `major_incident`, `status`, `title`, `created_at`, `level`, `clocks`
/// (`response`, `resolution`: `state`, `deadline`, `stopped_at`, `met`, `business_seconds`,
/// `wall_seconds`, `original_breach`, `goal_seconds`, `calendar`, `breached_by_seconds`),
/// `escalations`, `on_call_page_at`, `timeline`. A partner's people see public entries only.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct TicketDoc(Value);

/// A page of tickets: `{"items", "limit", "offset"}` (each item without its timeline).
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct TicketList(Value);

/// The body of a new ticket.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct OpenBody {
    /// The id of an active subscription of the partner.
    subscription: String,
    #[schema(pattern = "^(incident|service-request|question)$")]
    kind: String,
    #[schema(pattern = "^(high|medium|low)$")]
    impact: String,
    #[schema(pattern = "^(high|medium|low)$")]
    urgency: String,
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    #[schema(min_length = 1, max_length = 65536)]
    body: String,
    /// Forces P1; incidents only.
    major_incident: Option<bool>,
}

/// A comment.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct CommentBody {
    #[schema(min_length = 1, max_length = 65536)]
    body: String,
    /// Seen by the partner (default true); internal comments are the provider's.
    public: Option<bool>,
}

/// A status move.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct StatusBody {
    #[schema(pattern = "^(assigned|in_progress|waiting_partner|resolved|closed)$")]
    status: String,
    /// A public comment with the move.
    comment: Option<String>,
}

/// A priority change.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct PriorityBody {
    #[schema(pattern = "^P[1-4]$")]
    priority: String,
    #[schema(min_length = 1, max_length = 65536)]
    reason: String,
}

/// An escalation asked for by hand.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct EscalateBody {
    #[schema(min_length = 1, max_length = 65536)]
    reason: String,
}

/// The filters of the list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct TicketQuery {
    /// Only this partner's (a partner's people see only their own; another's is a 404).
    partner: Option<String>,
    /// Only open tickets (neither resolved nor closed).
    open: Option<bool>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// The filters of the queue.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct QueueQuery {
    partner: Option<String>,
    service: Option<String>,
    #[param(pattern = "^P[1-4]$")]
    priority: Option<String>,
    #[param(pattern = "^(new|assigned|in_progress|waiting_partner)$")]
    status: Option<String>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

fn object(value: &Value) -> ApiResult<&Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| ApiError::invalid_field("$", "expected an object"))
}

/// Reads a body's keys, gathering every problem (each under its field) for one 422.
struct Reader<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<(String, String)>,
}

impl<'a> Reader<'a> {
    /// Unknown keys are problems.
    fn new(map: &'a Map<String, Value>, known: &[&str]) -> Reader<'a> {
        let problems = map
            .keys()
            .filter(|k| !known.contains(&k.as_str()))
            .map(|k| {
                (
                    k.clone(),
                    format!("unknown field; expected one of: {}", known.join(", ")),
                )
            })
            .collect();
        Reader { map, problems }
    }

    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push((key.to_owned(), message.into()));
    }

    /// A required text of 1..=`max` characters, not blank, no control characters but tabs
    /// and line breaks.
    fn text(&mut self, key: &str, max: usize) -> Option<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => self.problem(key, "required"),
            Some(Value::String(s)) if s.trim().is_empty() => self.problem(key, "must not be blank"),
            Some(Value::String(s)) if s.chars().count() > max => {
                self.problem(key, format!("at most {max} characters"))
            }
            Some(Value::String(s))
                if s.chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
            {
                self.problem(key, "no control characters")
            }
            Some(Value::String(s)) => return Some(s.clone()),
            Some(_) => self.problem(key, "expected a string"),
        }
        None
    }

    fn opt_text(&mut self, key: &str, max: usize) -> Option<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(_) => self.text(key, max),
        }
    }

    fn code<T>(&mut self, key: &str, parse: impl Fn(&str) -> Option<T>, known: &str) -> Option<T> {
        match self.map.get(key) {
            None | Some(Value::Null) => self.problem(key, "required"),
            Some(Value::String(s)) => match parse(s) {
                Some(v) => return Some(v),
                None => self.problem(key, format!("expected one of: {known}")),
            },
            Some(_) => self.problem(key, "expected a string"),
        }
        None
    }

    fn flag(&mut self, key: &str, default: bool) -> bool {
        match self.map.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.problem(key, "expected true or false");
                default
            }
        }
    }

    /// Every problem as one 422, or nothing.
    fn finish(self) -> ApiResult<()> {
        if self.problems.is_empty() {
            return Ok(());
        }
        let mut e = ApiError::invalid_field(&self.problems[0].0, self.problems[0].1.clone());
        for (k, m) in &self.problems[1..] {
            e.fields
                .entry(k.clone())
                .and_modify(|v| {
                    v.push_str("; ");
                    v.push_str(m)
                })
                .or_insert_with(|| m.clone());
        }
        if self.problems.len() > 1 {
            e.message = format!(
                "invalid input: {} problems, see fields",
                self.problems.len()
            );
        }
        Err(e)
    }
}

fn summary(t: &StoredTicket) -> Value {
    let zone = pacta_core::subscription::zone();
    json!({
        "ref": t.reference, "partner": t.partner, "subscription": t.subscription,
        "service": t.service, "kind": t.kind.code(), "priority": t.priority.code(),
        "major_incident": t.major_incident, "status": t.status.code(), "title": t.title,
        "created_at": pacta_core::sla::instant::format_instant(t.created_at, zone),
        "clocks": {"response": t.clocks["response"]["view"], "resolution": t.clocks["resolution"]["view"]},
    })
}

async fn respond(
    state: &AppState,
    caller: &Caller,
    t: &StoredTicket,
    status: StatusCode,
) -> ApiResult<Response> {
    let doc = flow::document(state, caller, t).await?;
    let mut r = json_response(status, doc.to_string());
    if status == StatusCode::CREATED {
        if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/tickets/{}", t.reference)) {
            r.headers_mut().insert(header::LOCATION, v);
        }
    }
    Ok(r)
}

fn list_response(items: Vec<Value>, limit: i64, offset: i64) -> Response {
    json_response(
        StatusCode::OK,
        json!({"items": items, "limit": limit, "offset": offset}).to_string(),
    )
}

/// The tickets the caller reads: a partner's people their partner's; staff every partner's or
/// one's (`partner`). The newest first.
#[utoipa::path(
    get, path = "/api/v1/tickets", tag = "tickets", params(TicketQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of tickets", body = TicketList),
        (status = 404, response = crate::error::NotFound),
        SearchErrors,
    )
)]
pub async fn list_tickets(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let query = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    let open = match query.get("open").map(String::as_str) {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return Err(ApiError::invalid_field(
                "open",
                format!("expected true or false, got `{other}`"),
            ))
        }
    };
    let partner = query.get("partner").cloned();
    if let Some(p) = &partner {
        caller
            .may(Action::ReadTickets { partner: p })
            .map_err(|e| {
                if e.status == StatusCode::FORBIDDEN {
                    e
                } else {
                    ApiError::not_found(format!("no partner `{p}`"))
                }
            })?;
    }
    let scope = match caller.partner() {
        Some(p) => Scope::Partner(p),
        None if caller.actor.is_staff() => Scope::All,
        None => return Err(ApiError::forbidden()),
    };
    let filter = TicketFilter {
        partner,
        open,
        ..TicketFilter::default()
    };
    let tickets = state
        .db
        .list_tickets(scope, &filter, page.limit, page.offset)
        .await?;
    Ok(list_response(
        tickets.iter().map(summary).collect(),
        page.limit,
        page.offset,
    ))
}

/// Open a ticket (the lines Rule: a `helpdesk-agent`, the partner's `local-helpdesk`, or — when
/// the partner has no local helpdesk and the subscription holds `central-first-line` — its
/// `partner-admin` or `partner-user`; anyone else 403 `lines_rule`). The priority follows from
/// impact × urgency (only incidents reach P1; a major incident is P1).
#[utoipa::path(
    post, path = "/api/v1/tickets", tag = "tickets",
    request_body(
        content = inline(OpenBody), content_type = "application/json",
        description = "For example `{\"subscription\": \"<id>\", \"kind\": \"incident\", \"impact\": \"high\", \"urgency\": \"medium\", \"title\": \"Mail is slow\", \"body\": \"Since 9:00 sending takes minutes.\"}`",
    ),
    security(("admin_token" = [])),
    responses((status = 201, description = "Opened; Location in the headers", body = TicketDoc),
        (status = 404, response = crate::error::NotFound), CreateErrors)
)]
pub async fn open_ticket(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let value = json_value(&headers, body).await?;
    let map = object(&value)?;
    let mut r = Reader::new(
        map,
        &[
            "subscription",
            "kind",
            "impact",
            "urgency",
            "title",
            "body",
            "major_incident",
        ],
    );
    let subscription = r.text("subscription", 200);
    let kind = r.code("kind", Kind::parse, "incident, service-request, question");
    let impact = r.code("impact", Grade::parse, "high, medium, low");
    let urgency = r.code("urgency", Grade::parse, "high, medium, low");
    let title = r.text("title", TITLE_MAX);
    let text = r.text("body", BODY_MAX);
    let major_incident = r.flag("major_incident", false);
    r.finish()?;
    let (Some(subscription), Some(kind), Some(impact), Some(urgency), Some(title), Some(body)) =
        (subscription, kind, impact, urgency, title, text)
    else {
        unreachable!("finish() reports every missing field");
    };
    let input = OpenInput {
        subscription,
        kind,
        impact,
        urgency,
        title,
        body,
        major_incident,
    };
    let t = flow::open(&state, &caller, &input).await?;
    respond(&state, &caller, &t, StatusCode::CREATED).await
}

/// One ticket with its clocks, escalations and timeline.
#[utoipa::path(
    get, path = "/api/v1/tickets/{ref}", tag = "tickets",
    params(("ref" = String, Path, description = "The reference, T-YYYY-NNNNNN")),
    security(("admin_token" = [])),
    responses((status = 200, description = "The ticket", body = TicketDoc), ReadErrors)
)]
pub async fn get_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let t = flow::readable(&state, &caller, &reference).await?;
    respond(&state, &caller, &t, StatusCode::OK).await
}

async fn body_map(headers: &HeaderMap, body: Body) -> ApiResult<Map<String, Value>> {
    let value = json_value(headers, body).await?;
    object(&value).cloned()
}

/// A comment (`public` by default). Provider staff's public comment is the first response; the
/// partner's reply to a ticket waiting for it moves it back to `in_progress`.
#[utoipa::path(
    post, path = "/api/v1/tickets/{ref}/comments", tag = "tickets",
    params(("ref" = String, Path, description = "The reference")),
    request_body(content = inline(CommentBody), content_type = "application/json",
        description = "For example `{\"body\": \"We are looking into it.\", \"public\": true}`"),
    security(("admin_token" = [])),
    responses((status = 200, description = "The ticket after the comment", body = TicketDoc), ActionErrors)
)]
pub async fn comment_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    flow::readable(&state, &caller, &reference).await?;
    let map = body_map(&headers, body).await?;
    let mut r = Reader::new(&map, &["body", "public"]);
    let text = r.text("body", BODY_MAX);
    let public = r.flag("public", true);
    r.finish()?;
    let text = text.unwrap_or_default();
    let t = flow::comment(&state, &caller, &reference, &text, public).await?;
    respond(&state, &caller, &t, StatusCode::OK).await
}

/// A status move by the Rule (409 `invalid_transition` otherwise), with an optional public
/// comment.
#[utoipa::path(
    post, path = "/api/v1/tickets/{ref}/status", tag = "tickets",
    params(("ref" = String, Path, description = "The reference")),
    request_body(content = inline(StatusBody), content_type = "application/json",
        description = "For example `{\"status\": \"waiting_partner\", \"comment\": \"Which page?\"}`"),
    security(("admin_token" = [])),
    responses((status = 200, description = "The ticket after the move", body = TicketDoc), ActionErrors)
)]
pub async fn ticket_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    flow::readable(&state, &caller, &reference).await?;
    let map = body_map(&headers, body).await?;
    let mut r = Reader::new(&map, &["status", "comment"]);
    let to = r.code(
        "status",
        |s| Status::parse(s).filter(|s| *s != Status::New),
        "assigned, in_progress, waiting_partner, resolved, closed",
    );
    let comment = r.opt_text("comment", BODY_MAX);
    r.finish()?;
    let Some(to) = to else {
        unreachable!("finish() reports a missing status");
    };
    let t = flow::change_status(&state, &caller, &reference, to, comment.as_deref()).await?;
    respond(&state, &caller, &t, StatusCode::OK).await
}

/// A priority change with its reason (audited; the clocks follow the new priority's targets).
#[utoipa::path(
    post, path = "/api/v1/tickets/{ref}/priority", tag = "tickets",
    params(("ref" = String, Path, description = "The reference")),
    request_body(content = inline(PriorityBody), content_type = "application/json",
        description = "For example `{\"priority\": \"P2\", \"reason\": \"Every user is affected\"}`"),
    security(("admin_token" = [])),
    responses((status = 200, description = "The ticket after the change", body = TicketDoc), ActionErrors)
)]
pub async fn ticket_priority(
    State(state): State<AppState>,
    caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    flow::readable(&state, &caller, &reference).await?;
    let map = body_map(&headers, body).await?;
    let mut r = Reader::new(&map, &["priority", "reason"]);
    let priority = r.code("priority", Priority::from_code, "P1, P2, P3, P4");
    let reason = r.text("reason", BODY_MAX);
    r.finish()?;
    let (Some(priority), Some(reason)) = (priority, reason) else {
        unreachable!("finish() reports every missing field");
    };
    let t = flow::change_priority(&state, &caller, &reference, priority, &reason).await?;
    respond(&state, &caller, &t, StatusCode::OK).await
}

/// Escalate by hand, to the lowest level not yet reached (409 when every level is).
#[utoipa::path(
    post, path = "/api/v1/tickets/{ref}/escalate", tag = "tickets",
    params(("ref" = String, Path, description = "The reference")),
    request_body(content = inline(EscalateBody), content_type = "application/json",
        description = "For example `{\"reason\": \"Our payroll is blocked\"}`"),
    security(("admin_token" = [])),
    responses((status = 200, description = "The ticket after the escalation", body = TicketDoc), ActionErrors)
)]
pub async fn escalate_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    flow::readable(&state, &caller, &reference).await?;
    let map = body_map(&headers, body).await?;
    let mut r = Reader::new(&map, &["reason"]);
    let reason = r.text("reason", BODY_MAX);
    r.finish()?;
    let reason = reason.unwrap_or_default();
    let t = flow::escalate(&state, &caller, &reference, &reason).await?;
    respond(&state, &caller, &t, StatusCode::OK).await
}

/// The agents' queue (staff): open tickets by the instant of the next breach — breached first,
/// the most overdue first; tickets with no running clock last.
#[utoipa::path(
    get, path = "/api/v1/queue", tag = "tickets", params(QueueQuery),
    security(("admin_token" = [])),
    responses((status = 200, description = "A page of the queue", body = TicketList), SearchErrors)
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    caller.may(Action::ReadQueue)?;
    let query: HashMap<String, String> = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    let priority = match query.get("priority") {
        None => None,
        Some(p) => Some(Priority::from_code(p).ok_or_else(|| {
            ApiError::invalid_field("priority", "expected one of: P1, P2, P3, P4")
        })?),
    };
    let status = match query.get("status") {
        None => None,
        Some(s) => Some(Status::parse(s).filter(|s| s.is_open()).ok_or_else(|| {
            ApiError::invalid_field(
                "status",
                "expected one of: new, assigned, in_progress, waiting_partner",
            )
        })?),
    };
    let filter = TicketFilter {
        partner: query.get("partner").cloned(),
        service: query.get("service").cloned(),
        priority,
        status,
        open: true,
    };
    let tickets = state
        .db
        .ticket_queue(&filter, page.limit, page.offset)
        .await?;
    Ok(list_response(
        tickets.iter().map(summary).collect(),
        page.limit,
        page.offset,
    ))
}

/// The filters and period of compliance.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct ComplianceQuery {
    /// Only this partner's (a partner's people: their own only; another's is a 404).
    partner: Option<String>,
    service: Option<String>,
    #[param(pattern = "^P[1-4]$")]
    priority: Option<String>,
    /// The first day (YYYY-MM-DD, Europe/Brussels); the first of this month by default.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: Option<String>,
    /// The day after the last (YYYY-MM-DD); the first of the next month by default.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: Option<String>,
}

/// SLA compliance per partner, service and priority: how many response and resolution clocks
/// were met or breached in the period — a clock counts in the period in which it stopped; an
/// open clock past its deadline counts as breached. `{"from", "to", "rows": [{"partner",
/// "service", "priority", "response": {"met", "breached"}, "resolution": {"met", "breached"}}]}`.
#[utoipa::path(
    get, path = "/api/v1/compliance", tag = "tickets", params(ComplianceQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Compliance over the period", body = Object),
        (status = 404, response = crate::error::NotFound),
        SearchErrors,
    )
)]
pub async fn compliance(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    use pacta_core::subscription::{today, zone};
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let query = query_pairs(raw.as_deref())?;
    let date = |key: &str| -> ApiResult<Option<jiff::civil::Date>> {
        query
            .get(key)
            .map(|v| crate::subscriptions::parse_date_field(v, key))
            .transpose()
    };
    let first = today(state.now()).first_of_month();
    let from = date("from")?.unwrap_or(first);
    let to = match date("to")? {
        Some(d) => d,
        None => from
            .first_of_month()
            .checked_add(jiff::Span::new().months(1))
            .map_err(|e| ApiError::invalid_field("from", e.to_string()))?,
    };
    if to <= from {
        return Err(ApiError::invalid_field("to", "must be after from"));
    }
    let instant = |d: jiff::civil::Date, key: &str| {
        d.to_zoned(zone().clone())
            .map(|z| z.timestamp())
            .map_err(|e| ApiError::invalid_field(key, e.to_string()))
    };
    let (start, end) = (instant(from, "from")?, instant(to, "to")?);
    let priority = match query.get("priority") {
        None => None,
        Some(p) => Some(Priority::from_code(p).ok_or_else(|| {
            ApiError::invalid_field("priority", "expected one of: P1, P2, P3, P4")
        })?),
    };
    let partner = query.get("partner").cloned();
    if let Some(p) = &partner {
        caller
            .may(Action::ReadCompliance { partner: p })
            .map_err(|e| {
                if e.status == StatusCode::FORBIDDEN {
                    e
                } else {
                    ApiError::not_found(format!("no partner `{p}`"))
                }
            })?;
    }
    let scope = match caller.partner() {
        Some(p) => Scope::Partner(p),
        None if caller.actor.is_staff() => Scope::All,
        None => return Err(ApiError::forbidden()),
    };
    let filter = TicketFilter {
        partner,
        service: query.get("service").cloned(),
        priority,
        ..TicketFilter::default()
    };
    let rows = flow::compliance(&state, scope, &filter, start, end).await?;
    Ok(json_response(
        StatusCode::OK,
        json!({"from": from.to_string(), "to": to.to_string(), "rows": rows}).to_string(),
    ))
}
