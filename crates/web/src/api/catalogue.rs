//! Categories, service levels, the organisation profile and the quote.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use pacta_core::catalogue::document::{Node, Reader};
use pacta_core::catalogue::import::Kind;
use pacta_core::catalogue::read::{read_category_doc, read_level_doc, Known};
use pacta_core::catalogue::rules::{quote as price_quote, Selection};
use pacta_core::catalogue::visibility::may_quote;
use pacta_store::catalogue::Entity;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{
    etag, if_match, json_body, json_response, lang_choice, query_pairs, CategoryBody, LangParam,
    LevelBody,
};
use crate::auth::Caller;
use crate::error::{
    ApiError, ApiResult, ComputeErrors, CreateErrors, ListErrors, ReadErrors, ReplaceErrors,
};
use crate::snapshot::{localize, LangChoice};
use crate::state::AppState;
use pacta_core::access::Action;

/// A list of catalogue entities; text fields resolved to the chosen language.
#[derive(Serialize, ToSchema)]
pub struct ItemList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<serde_json::Value>,
}

/// The organisation profile: the provider's texts and contacts.
#[derive(Serialize, ToSchema)]
pub struct ProfileDoc {
    #[schema(value_type = Object)]
    pub organisation: serde_json::Value,
    pub edition_date: String,
    #[schema(value_type = Vec<Object>)]
    pub contacts: Vec<serde_json::Value>,
    pub dashboard_url: String,
    pub lang: String,
}

/// The effective SLA and the prices of a choice; not a subscription.
#[derive(Serialize, ToSchema)]
pub struct QuoteDoc {
    pub service: String,
    pub pack: String,
    pub quantity: i64,
    #[schema(value_type = Object)]
    pub sla: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<serde_json::Value>,
    #[schema(value_type = Object)]
    pub totals: serde_json::Value,
    pub currency: String,
    pub vat_included: bool,
    pub note: String,
}

pub fn choice_of(headers: &HeaderMap, raw: Option<&str>) -> ApiResult<LangChoice> {
    lang_choice(&query_pairs(raw)?, headers)
}

/// Categories.
#[utoipa::path(
    get, path = "/api/v1/categories", tag = "catalogue",
    params(("lang" = Option<LangParam>, Query)),
    responses(
        (status = 200, description = "Every category, by code", body = ItemList),
        ListErrors,
    )
)]
pub async fn list_categories(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    Ok(json_response(
        StatusCode::OK,
        state.snapshot().categories_json(choice).to_owned(),
    ))
}

/// Service levels, strictest first, with their allowed downtime per 30 days.
#[utoipa::path(
    get, path = "/api/v1/service-levels", tag = "catalogue",
    params(("lang" = Option<LangParam>, Query)),
    responses(
        (status = 200, description = "Every service level", body = ItemList),
        ListErrors,
    )
)]
pub async fn list_levels(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    Ok(json_response(
        StatusCode::OK,
        state.snapshot().levels_json(choice).to_owned(),
    ))
}

/// The organisation profile.
#[utoipa::path(
    get, path = "/api/v1/profile", tag = "catalogue",
    params(("lang" = Option<LangParam>, Query)),
    responses(
        (status = 200, description = "The profile", body = ProfileDoc),
        ReadErrors,
    )
)]
pub async fn profile(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    let snapshot = state.snapshot();
    let body = snapshot
        .profile_json(choice)
        .ok_or_else(|| ApiError::not_found("no organisation profile has been loaded"))?;
    Ok(json_response(StatusCode::OK, body.to_owned()))
}

fn entity_response<T: Serialize>(
    value: &T,
    revision: i64,
    choice: LangChoice,
    status: StatusCode,
) -> Response {
    let mut v = serde_json::to_value(value).unwrap_or_default();
    localize(&mut v, choice);
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("revision".into(), json!(revision));
    }
    let mut response = json_response(status, v.to_string());
    if let Ok(tag) = HeaderValue::from_str(&etag(revision)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    response
}

async fn create<T: Entity>(
    state: &AppState,
    caller: &Caller,
    value: T,
    choice: LangChoice,
    location: &str,
) -> ApiResult<Response> {
    let revision = state.db.create_entity(&value, caller.stamp(state)).await?;
    state.refresh().await?;
    let mut response = entity_response(&value, revision, choice, StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&format!("{location}/{}", value.code())) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// The revision `If-Match` names for the entity `code` of `kind`: 404 when there is none, then
/// 428 or 412 (checked before the body is read, as for services).
fn precondition(state: &AppState, kind: Kind, code: &str, headers: &HeaderMap) -> ApiResult<i64> {
    let current = state
        .snapshot()
        .stored
        .revision_of(kind, code)
        .ok_or_else(|| ApiError::not_found(format!("no {} `{code}`", kind.code())))?;
    if_match(headers, current)
}

async fn update<T: Entity>(
    state: &AppState,
    caller: &Caller,
    value: T,
    path_code: &str,
    expected: i64,
    choice: LangChoice,
) -> ApiResult<Response> {
    if value.code() != path_code {
        return Err(ApiError::invalid_field(
            "code",
            format!(
                "the body's code `{}` differs from the URL's `{path_code}`",
                value.code()
            ),
        ));
    }
    let revision = state
        .db
        .update_entity(&value, expected, caller.stamp(state))
        .await?;
    state.refresh().await?;
    Ok(entity_response(&value, revision, choice, StatusCode::OK))
}

/// Create a category.
#[utoipa::path(
    post, path = "/api/v1/categories", tag = "catalogue",
    request_body(
        content = inline(CategoryBody), content_type = "application/json",
        description = "A category in the catalogue format",
        example = json!({"code": "consulting", "name": {"nl": "Advies", "fr": "Conseil", "de": "Beratung", "en": "Consulting"}}),
    ),
    params(("lang" = Option<LangParam>, Query)),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created; Location and ETag in the headers", body = Object),
        CreateErrors,
    )
)]
pub async fn create_category(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::EditCatalogue)?;
    let choice = choice_of(&headers, raw.as_deref())?;
    let doc = json_body(&headers, body).await?;
    let category = read_category_doc(&doc).map_err(ApiError::invalid)?;
    let _guard = state.lock_writes().await;
    create(&state, &caller, category, choice, "/api/v1/categories").await
}

/// Replace a category.
#[utoipa::path(
    put, path = "/api/v1/categories/{code}", tag = "catalogue",
    request_body(
        content = inline(CategoryBody), content_type = "application/json",
        description = "The whole category; its `code` is the URL's",
        example = json!({"code": "hosting", "name": {"nl": "Hosting", "fr": "Hébergement", "de": "Hosting", "en": "Hosting"}}),
    ),
    params(
        ("code" = String, Path, description = "Category code"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
        ("lang" = Option<LangParam>, Query),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Updated; the new ETag in the header", body = Object),
        ReplaceErrors,
    )
)]
pub async fn update_category(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::EditCatalogue)?;
    let choice = choice_of(&headers, raw.as_deref())?;
    let _guard = state.lock_writes().await;
    let expected = precondition(&state, Kind::Category, &code, &headers)?;
    let doc = json_body(&headers, body).await?;
    let category = read_category_doc(&doc).map_err(ApiError::invalid)?;
    update(&state, &caller, category, &code, expected, choice).await
}

/// Create a service level.
#[utoipa::path(
    post, path = "/api/v1/service-levels", tag = "catalogue",
    request_body(
        content = inline(LevelBody), content_type = "application/json",
        description = "A service level in the catalogue format; its calendars must exist (422 otherwise)",
        example = json!({"code": "extended", "rank": 4, "name": {"en": "Extended", "nl": "Uitgebreid"},
            "availability_target": "99.95", "support_calendar": "24x7", "maintenance_notice": "120h",
            "targets": {
                "P1": {"response": "15m", "resolution": "4h", "calendar": "24x7"},
                "P2": {"response": "30m", "resolution": "8h", "calendar": "24x7"},
                "P3": {"response": "4h", "resolution": "24h", "calendar": "be-working-hours"},
                "P4": {"response": "8h", "resolution": "120h", "calendar": "be-working-hours"}}}),
    ),
    params(("lang" = Option<LangParam>, Query)),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created; Location and ETag in the headers", body = Object),
        CreateErrors,
    )
)]
pub async fn create_level(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::EditCatalogue)?;
    let choice = choice_of(&headers, raw.as_deref())?;
    let doc = json_body(&headers, body).await?;
    let _guard = state.lock_writes().await;
    let level = read_level_doc(&doc, &Known::of(&state.snapshot().stored.catalogue))
        .map_err(ApiError::invalid)?;
    create(&state, &caller, level, choice, "/api/v1/service-levels").await
}

/// Replace a service level.
#[utoipa::path(
    put, path = "/api/v1/service-levels/{code}", tag = "catalogue",
    request_body(
        content = inline(LevelBody), content_type = "application/json",
        description = "The whole service level; its `code` is the URL's, its calendars must exist",
    ),
    params(
        ("code" = String, Path, description = "Level code"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
        ("lang" = Option<LangParam>, Query),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Updated; the new ETag in the header", body = Object),
        ReplaceErrors,
    )
)]
pub async fn update_level(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::EditCatalogue)?;
    let choice = choice_of(&headers, raw.as_deref())?;
    let _guard = state.lock_writes().await;
    let expected = precondition(&state, Kind::Level, &code, &headers)?;
    let doc = json_body(&headers, body).await?;
    let level = read_level_doc(&doc, &Known::of(&state.snapshot().stored.catalogue))
        .map_err(ApiError::invalid)?;
    update(&state, &caller, level, &code, expected, choice).await
}

// The schema of a quote request in the OpenAPI document. `read_selection` reads the body (the
// positioned reader reports every problem under its field, unknown keys included); the
// `quantity` bounds are `rules::MAX_QUANTITY`'s, pinned by a test.
/// A choice to price.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // a schema only
pub struct QuoteRequest {
    /// The service's code; a published service (a draft too, with the admin token).
    service: String,
    /// The code of one of the service's packs.
    pack: String,
    /// A level the service offers, at least as strict as the pack's standard level; absent or
    /// null for the pack's.
    level: Option<String>,
    /// Codes of options that apply to the pack, each once.
    options: Option<std::collections::BTreeSet<String>>,
    /// How many units, for prices per unit (1 to `rules::MAX_QUANTITY`); absent or null for 1.
    #[schema(minimum = 1, maximum = 1_000_000)]
    quantity: Option<i64>,
}

/// Reads a quote request: `{service, pack, level?, options?, quantity?}`.
fn read_selection(
    doc: &Node,
) -> Result<(String, Selection), Vec<pacta_core::catalogue::document::Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let service = m.req_string(&mut r, "service");
    let selection = read_selection_fields(&mut r, &mut m);
    m.finish(&mut r);
    match (service, selection) {
        (Some(service), Some(selection)) if r.ok() => Ok((service, selection)),
        _ => Err(r.issues),
    }
}

/// The fields of a choice in a body — `pack`, `level?`, `options?`, `quantity?` (default 1) —
/// as a quote request and a subscription request both carry them.
pub fn read_selection_fields(
    r: &mut Reader,
    m: &mut pacta_core::catalogue::document::MapReader<'_>,
) -> Option<Selection> {
    let pack = m.req_string(r, "pack");
    let level = m.opt_string(r, "level");
    let mut options = Vec::new();
    let options_node = m.get("options");
    for (i, node) in r.seq(options_node, "options").iter().enumerate() {
        if let Some(code) = r.string(node, &format!("options[{i}]")) {
            options.push(code);
        }
    }
    // The range of a quantity is the quote's rule (core), the same for every path.
    let quantity = match m.get("quantity") {
        Some(node) => r.integer(node, "quantity", i64::MIN, i64::MAX),
        None => Some(1),
    };
    Some(Selection {
        pack: pack?,
        level,
        options,
        quantity: quantity?,
    })
}

/// Price a choice and give its effective SLA, without subscribing.
///
/// The level is the strictest of the pack's standard level, the chosen level and any level an
/// option raises to; options then shorten targets or replace their calendar; rights add up.
#[utoipa::path(
    post, path = "/api/v1/catalogue/quote", tag = "catalogue",
    request_body(
        content = QuoteRequest, content_type = "application/json",
        description = "A choice to price; an unknown service, pack, level or option, or a combination the service does not offer, is a 422",
        example = json!({"service": "MAIL-AGENDA", "pack": "mail-250", "level": "standard", "options": ["critical-coverage"], "quantity": 250}),
    ),
    params(("lang" = Option<LangParam>, Query)),
    security((), ("admin_token" = [])),
    responses(
        (status = 200, description = "The effective SLA and the prices (EUR cents, excl. VAT)", body = QuoteDoc),
        ComputeErrors,
    )
)]
pub async fn quote(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    let choice = choice_of(&headers, raw.as_deref())?;
    let doc = json_body(&headers, body).await?;
    let (code, selection) = read_selection(&doc).map_err(ApiError::invalid)?;
    let snapshot = state.snapshot();
    let service = snapshot
        .service(&code)
        .filter(|s| may_quote(s, caller.audience(&s.code)))
        .ok_or_else(|| {
            ApiError::invalid_field("service", format!("no published service `{code}`"))
        })?;
    let v = quote_doc(
        service,
        &snapshot.stored.catalogue.levels,
        &selection,
        choice,
    )
    .map_err(|e| ApiError::invalid_field(&e.field, e.message))?;
    Ok(json_response(StatusCode::OK, v.to_string()))
}

/// The answer of `POST /api/v1/catalogue/quote` for `selection` on `service` (a version of it),
/// in `choice`: also a subscription's `quote`, which is this by definition.
pub fn quote_doc(
    service: &pacta_core::catalogue::Service,
    levels: &[pacta_core::catalogue::ServiceLevel],
    selection: &Selection,
    choice: LangChoice,
) -> Result<serde_json::Value, pacta_core::catalogue::rules::SelectionError> {
    let quote = price_quote(service, levels, selection)?;
    let mut v = json!({
        "service": service.code,
        "pack": selection.pack,
        "level": selection.level,
        "options": selection.options,
        "quantity": selection.quantity,
        "sla": quote.sla,
        "lines": quote.lines,
        "totals": quote.totals,
        "currency": "EUR",
        "vat_included": false,
        "note": "A quote, not a subscription.",
    });
    localize(&mut v, choice);
    Ok(v)
}
