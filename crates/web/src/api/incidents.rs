//! `/api/v1/incidents`: incidents of a service (issue 10), declared by the provider's staff —
//! `down` or `degraded`, from a start to an end that stays open while it is unknown, with public
//! updates in their author's language. A `down` incident is downtime for every subscription of
//! its service (DOMAIN §6). The provider's staff read every incident; a partner's people read the
//! incidents of the services their partner subscribes to, or did
//! ([`pacta_core::incident::state_reads_incidents`]); any other incident is a 404, exactly as a
//! missing one. Admin and the service's manager declare, change (the end, the kind) and post
//! updates (`decide` says who).
//!
//! A declaration and each update are mailed, in the same transaction as the write (the outbox),
//! to the partner admins of every partner with a running subscription of the service (active or
//! suspended), each in the recipient's language.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use pacta_core::access::{Action, Actor};
use pacta_core::catalogue::document::Node;
use pacta_core::incident::{
    read_change, read_declaration, read_update, state_is_told, Incident, Kind, TEXT_MAX, TITLE_MAX,
};
use pacta_core::subscription::zone;
use pacta_core::text::Lang;
use pacta_store::incidents::{IncidentFilter, NewIncident, StoredIncident, StoredUpdate};
use pacta_store::outbox::NewMail;
use pacta_store::subscriptions::SubscriptionFilter;
use pacta_store::Scope;
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::{etag, if_match, json_response, json_value, page_params, query_pairs, raw_schema};
use crate::auth::Caller;
use crate::error::{
    ApiError, ApiResult, BadRequest, CreateErrors, Forbidden, NotFound, PayloadTooLarge,
    ReadErrors, ReplaceErrors, SearchErrors, Unauthorized, Unprocessable, UnsupportedMediaType,
};
use crate::notify::{compose, Letter};
use crate::state::AppState;
use crate::subscriptions::{instant, partner_admins, Recipient};
use crate::ui::format;
use crate::ui::i18n::Tr;

/// An incident: `id`, `service`, `kind` (`down` or `degraded`), `title`, `start`, `end` (null
/// while open), `open`, `revision` (its ETag), `created_by`, `created_at`, `updated_at` and, read
/// one by one, its `updates` (`id`, `at`, `language`, `text`, `author`; the newest last).
/// Instants are `YYYY-MM-DDTHH:MM:SS±HH:MM` in Europe/Brussels.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct IncidentDoc(Value);

/// A page of incidents (without their updates): `{"items", "total", "limit", "offset"}`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)] // a schema only
pub struct IncidentList(Value);

/// The filters of the list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct IncidentQuery {
    /// Only the incidents of this service.
    service: Option<String>,
    /// Only the open incidents (true: no end yet) or the closed ones (false).
    open: Option<bool>,
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

// ------------------------------------------------------------------------------------------------
// The bodies, as `pacta_core::incident` reads them.
// ------------------------------------------------------------------------------------------------

/// An instant as the readers take it: RFC 3339 with `Z` or `±HH:MM`, whole seconds.
pub const INSTANT_PATTERN: &str =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}([Zz]|[+-][0-9]{2}:[0-9]{2})$";
/// A title: one line, no control character, at least one character that is not a space.
pub const TITLE_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";
/// An update's text: no control character but tabs and line breaks, at least one character that
/// is not a space.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";

fn instant_schema(nullable: bool, description: &str) -> Value {
    json!({
        "type": if nullable { json!(["string", "null"]) } else { json!("string") },
        "pattern": INSTANT_PATTERN,
        "description": description,
    })
}

fn kind_schema(nullable: bool) -> Value {
    let mut values = vec![json!(Kind::Down.code()), json!(Kind::Degraded.code())];
    if nullable {
        values.push(Value::Null);
    }
    json!({
        "type": if nullable { json!(["string", "null"]) } else { json!("string") },
        "enum": values,
        "description": "`down`: downtime for every subscription of the service over the whole span, monitored or not; `degraded`: never downtime.",
    })
}

fn update_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX, "pattern": TEXT_PATTERN,
                     "description": format!("The public text, in the language given: at most {TEXT_MAX} characters, not blank, no control characters but tabs and line breaks.")},
            "language": {"type": ["string", "null"], "enum": ["nl", "fr", "de", "en", null],
                         "description": "The language it is written in; null or absent: the author's."},
        },
        "required": ["text"],
        "additionalProperties": false,
    })
}

/// The body of a declaration.
pub struct IncidentBody;

impl ToSchema for IncidentBody {}

impl PartialSchema for IncidentBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "service": {"type": "string", "pattern": "^[A-Z0-9-]{1,64}$", "description": "The service's code: a service of the catalogue (422 otherwise)."},
                "kind": kind_schema(false),
                "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX, "pattern": TITLE_PATTERN,
                          "description": format!("What is wrong, in one line of at most {TITLE_MAX} characters, in its author's language.")},
                "start": instant_schema(false, "When it began: not after now (422 otherwise; planned work is maintenance)."),
                "end": instant_schema(true, "When it ended, if known: after the start and not after now (422 otherwise); null or absent: still open."),
                "update": {"anyOf": [update_schema(), {"type": "null"}], "description": "A first public update; null or absent: none."},
            },
            "required": ["service", "kind", "title", "start"],
            "additionalProperties": false,
        }))
    }
}

/// The body of a change: a merge patch of the end and the kind.
pub struct IncidentPatchBody;

impl ToSchema for IncidentPatchBody {}

impl PartialSchema for IncidentPatchBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(json!({
            "type": "object",
            "properties": {
                "end": instant_schema(true, "When it ended: after the start and not after now (422 otherwise); null: open again."),
                "kind": kind_schema(true),
            },
            "additionalProperties": false,
        }))
    }
}

/// The body of an update.
pub struct UpdateBody;

impl ToSchema for UpdateBody {}

impl PartialSchema for UpdateBody {
    fn schema() -> RefOr<Schema> {
        raw_schema(update_schema())
    }
}

// ------------------------------------------------------------------------------------------------
// Who sees what.
// ------------------------------------------------------------------------------------------------

/// The store's scope: a partner's people get the incidents of the services their partner reads
/// only, so every incident of the scope is one whose service their partner subscribes to.
fn scope_of(caller: &Caller) -> Scope<'_> {
    caller.partner().map_or(Scope::All, Scope::Partner)
}

/// Whether the caller may read `i`, as [`Action::ReadIncident`] decides. The caller's partner is
/// the one that action asks for: every incident the store answers in a partner's scope
/// ([`scope_of`]) is of a service that partner subscribes to.
fn may_read(caller: &Caller, i: &StoredIncident) -> bool {
    caller
        .may(Action::ReadIncident {
            service: &i.incident.service,
            partner: caller.partner(),
        })
        .is_ok()
}

/// Incident `id` if the caller may read it; a 404 otherwise, the same as for a missing one.
async fn readable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<StoredIncident> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let missing = || ApiError::not_found(format!("no incident `{id}`"));
    let i = state
        .db
        .incident(scope_of(caller), id)
        .await?
        .ok_or_else(missing)?;
    if may_read(caller, &i) {
        Ok(i)
    } else {
        Err(missing())
    }
}

// ------------------------------------------------------------------------------------------------
// The documents.
// ------------------------------------------------------------------------------------------------

fn secs(t: Timestamp) -> String {
    instant(t.as_second())
}

fn update_doc(u: &StoredUpdate) -> Value {
    json!({
        "id": u.id, "at": secs(u.update.at), "language": u.update.language.code(),
        "text": u.update.text, "author": u.update.author,
    })
}

/// An incident as the API answers it; with its updates when they are given.
pub fn incident_doc(i: &StoredIncident, updates: Option<&[StoredUpdate]>) -> Value {
    let mut doc = json!({
        "id": i.id, "service": i.incident.service, "kind": i.incident.kind.code(),
        "title": i.incident.title, "start": secs(i.incident.start),
        "end": i.incident.end.map(secs), "open": i.incident.is_open(),
        "revision": i.revision, "created_by": i.created_by,
        "created_at": instant(i.created_at), "updated_at": instant(i.updated_at),
    });
    if let Some(updates) = updates {
        doc["updates"] = updates.iter().map(update_doc).collect();
    }
    doc
}

/// The incident with its updates, its ETag, and `status`.
async fn respond(state: &AppState, i: &StoredIncident, status: StatusCode) -> ApiResult<Response> {
    let updates = state.db.incident_updates(&i.id).await?;
    let mut response = json_response(status, incident_doc(i, Some(&updates)).to_string());
    if let Ok(v) = HeaderValue::from_str(&etag(i.revision)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

// ------------------------------------------------------------------------------------------------
// The mails.
// ------------------------------------------------------------------------------------------------

/// Who is told of the incidents of `service`: per partner with a running subscription of it
/// (active or suspended), that subscription (the mail links to it) and its partner admins.
async fn told(
    state: &AppState,
    service: &str,
) -> ApiResult<BTreeMap<String, (String, Vec<Recipient>)>> {
    let subscriptions = state
        .db
        .list_subscriptions(
            Scope::All,
            &SubscriptionFilter {
                service: Some(service.to_owned()),
                ..Default::default()
            },
        )
        .await?;
    let mut out: BTreeMap<String, (String, Vec<Recipient>)> = BTreeMap::new();
    for s in subscriptions.into_iter().filter(|s| state_is_told(s.state)) {
        if out.contains_key(&s.partner) {
            continue;
        }
        let admins = partner_admins(state, &s.partner).await?;
        out.insert(s.partner.clone(), (s.id, admins));
    }
    Ok(out)
}

/// An instant in a mail: `30 November 2026, 09:15`, in Europe/Brussels.
fn when(t: Timestamp, lang: Lang) -> String {
    let local = t.to_zoned(zone().clone());
    format!(
        "{}, {:02}:{:02}",
        format::date(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// One mail per partner admin told of `incident` (`id`): its declaration, or `update`.
fn incident_mails(
    state: &AppState,
    id: &str,
    incident: &Incident,
    update: Option<(&str, Timestamp)>,
    declared: bool,
    told: &BTreeMap<String, (String, Vec<Recipient>)>,
) -> Vec<NewMail> {
    let snapshot = state.snapshot();
    let mut mails = Vec::new();
    for (partner, (subscription, admins)) in told {
        for (to, lang) in admins {
            let t = Tr(*lang);
            let service = snapshot
                .service(&incident.service)
                .and_then(|s| {
                    s.name
                        .resolve(*lang)
                        .map(|(_, n)| format!("{n} ({})", s.code))
                })
                .unwrap_or_else(|| incident.service.clone());
            let args = [("service", service), ("title", incident.title.clone())];
            let (kind, key) = if declared {
                ("incident.declared", "mail-incident-declared")
            } else {
                ("incident.updated", "mail-incident-update")
            };
            let mut paragraphs = vec![t.a(&format!("{key}-body"), &args)];
            paragraphs.push(t.s(match incident.kind {
                Kind::Down => "mail-incident-down",
                Kind::Degraded => "mail-incident-degraded",
            }));
            let start = ("start", when(incident.start, *lang));
            paragraphs.push(match incident.end {
                None => t.a("mail-incident-since", &[start]),
                Some(end) => t.a("mail-incident-span", &[start, ("end", when(end, *lang))]),
            });
            if let Some((text, at)) = update {
                paragraphs.push(t.a("mail-incident-update-at", &[("at", when(at, *lang))]));
                paragraphs.extend(
                    text.split("\n\n")
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                );
            }
            paragraphs.push(t.a("mail-incident-reference", &[("id", id.to_owned())]));
            mails.push(compose(
                Letter {
                    kind,
                    subject: t.a(&format!("{key}-subject"), &args),
                    paragraphs,
                    link: format!(
                        "{}/{}/subscriptions/{subscription}",
                        state.public_url(),
                        lang.code()
                    ),
                    partner: Some(partner),
                },
                to,
                *lang,
            ));
        }
    }
    mails
}

/// The language of `caller`'s updates when a body names none: the user's, else English.
async fn author_language(state: &AppState, caller: &Caller) -> ApiResult<Lang> {
    Ok(match caller.actor {
        Actor::User(_) => state
            .db
            .user(Scope::All, &caller.name)
            .await?
            .map_or(Lang::En, |u| u.lang),
        _ => Lang::En,
    })
}

// ------------------------------------------------------------------------------------------------
// The routes.
// ------------------------------------------------------------------------------------------------

/// List the incidents the caller may read, the latest start first (without their updates).
#[utoipa::path(
    get, path = "/api/v1/incidents", tag = "incidents",
    params(IncidentQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "A page of incidents", body = IncidentList),
        SearchErrors,
    )
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let page = page_params(&query)?;
    caller.may(Action::ReadIncidents)?;
    let open = match query.get("open").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ApiError::invalid_field(
                "open",
                format!("expected true or false, got `{other}`"),
            ))
        }
    };
    let filter = IncidentFilter {
        service: query.get("service").cloned(),
        open,
    };
    let incidents = state.db.list_incidents(scope_of(&caller), &filter).await?;
    let docs: Vec<Value> = incidents
        .iter()
        .filter(|i| may_read(&caller, i))
        .map(|i| incident_doc(i, None))
        .collect();
    page.respond(&docs.iter().collect::<Vec<_>>())
}

/// Declare an incident (admin, or the manager of its service); its partners' admins are mailed.
#[utoipa::path(
    post, path = "/api/v1/incidents", tag = "incidents",
    request_body(
        content = inline(IncidentBody), content_type = "application/json",
        example = json!({"service": "WEB-HOSTING", "kind": "down", "title": "Web hosting unreachable",
            "start": "2026-11-30T09:15:00+01:00",
            "update": {"text": "We are investigating.", "language": "en"}}),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Declared; Location and ETag in the headers", body = IncidentDoc),
        CreateErrors,
    )
)]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    if matches!(caller.actor, Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let value = json_value(&headers, body).await?;
    let declaration =
        read_declaration(&Node::from_json(&value), state.now()).map_err(ApiError::invalid)?;
    let incident = &declaration.incident;
    caller.may(Action::ManageIncidents {
        service: &incident.service,
    })?;
    let update = match &declaration.update {
        Some(u) => Some((
            match u.language {
                Some(l) => l,
                None => author_language(&state, &caller).await?,
            },
            u.text.clone(),
        )),
        None => None,
    };
    let stamp = caller.stamp(&state);
    let told = told(&state, &incident.service).await?;
    let mails = |id: &str| {
        incident_mails(
            &state,
            id,
            incident,
            update.as_ref().map(|(_, text)| (text.as_str(), stamp.at)),
            true,
            &told,
        )
    };
    let (stored, _) = state
        .db
        .create_incident(
            &NewIncident {
                incident: incident.clone(),
                update: update.clone(),
            },
            mails,
            stamp,
        )
        .await?;
    if stored.incident.kind == pacta_core::sla::statement::IncidentKind::Down {
        crate::availability::downtime_changed(&state, &stored.incident.service).await;
    }
    let mut response = respond(&state, &stored, StatusCode::CREATED).await?;
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/incidents/{}", stored.id)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// One incident with its updates, the newest last.
#[utoipa::path(
    get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "The incident's id")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The incident; its ETag in the header", body = IncidentDoc),
        ReadErrors,
    )
)]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let i = readable(&state, &caller, &id).await?;
    respond(&state, &i, StatusCode::OK).await
}

/// Change an incident's end (null: open again) or kind (needs If-Match); nothing else of it
/// changes.
#[utoipa::path(
    patch, path = "/api/v1/incidents/{id}", tag = "incidents",
    request_body(
        content = inline(IncidentPatchBody), content_type = "application/json",
        example = json!({"end": "2026-11-30T09:45:00+01:00"}),
    ),
    params(
        ("id" = String, Path, description = "The incident's id"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Changed; the new ETag in the header", body = IncidentDoc),
        ReplaceErrors,
    )
)]
pub async fn patch_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let stored = readable(&state, &caller, &id).await?;
    caller.may(Action::ManageIncidents {
        service: &stored.incident.service,
    })?;
    let expected = if_match(&headers, stored.revision)?;
    let value = json_value(&headers, body).await?;
    let change = read_change(&Node::from_json(&value)).map_err(ApiError::invalid)?;
    let changed = state
        .db
        .change_incident(&id, &change, expected, caller.stamp(&state))
        .await?;
    crate::availability::downtime_changed(&state, &changed.incident.service).await;
    respond(&state, &changed, StatusCode::OK).await
}

/// Post a public update of an incident, in the language given or its author's; its partners'
/// admins are mailed. Answers the incident with its updates.
#[utoipa::path(
    post, path = "/api/v1/incidents/{id}/updates", tag = "incidents",
    request_body(
        content = inline(UpdateBody), content_type = "application/json",
        example = json!({"text": "The cause is found; a fix is being deployed.", "language": "en"}),
    ),
    params(("id" = String, Path, description = "The incident's id")),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Posted; the incident with its updates, the new one last", body = IncidentDoc),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn post_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let stored = readable(&state, &caller, &id).await?;
    let service = &stored.incident.service;
    caller.may(Action::ManageIncidents { service })?;
    let value = json_value(&headers, body).await?;
    let update = read_update(&Node::from_json(&value)).map_err(ApiError::invalid)?;
    let lang = match update.language {
        Some(l) => l,
        None => author_language(&state, &caller).await?,
    };
    let stamp = caller.stamp(&state);
    let told = told(&state, service).await?;
    let mails = incident_mails(
        &state,
        &id,
        &stored.incident,
        Some((&update.text, stamp.at)),
        false,
        &told,
    );
    state
        .db
        .add_incident_update(&id, lang, &update.text, &mails, stamp)
        .await?;
    let mut response = respond(&state, &stored, StatusCode::CREATED).await?;
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/incidents/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}
