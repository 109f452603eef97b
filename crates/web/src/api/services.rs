//! `/api/v1/services`: the catalogue's services, read from the snapshot; editor writes with
//! optimistic concurrency (ETag / If-Match).

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use pacta_core::catalogue::import::Kind;
use pacta_core::catalogue::lifecycle;
use pacta_core::catalogue::read::{read_service, Known};
use pacta_core::catalogue::visibility::{self, Listing};
use pacta_core::catalogue::Lifecycle;
use pacta_core::text::fold_for_search;
use serde::Serialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{
    etag, if_match, json_body, json_response, lang_choice, query_pairs, LangParam, NewServiceBody,
    ServiceBody,
};
use crate::auth::Caller;
use crate::error::{
    ApiError, ApiResult, CreateErrors, ReadErrors, ReplaceErrors, SearchErrors, TransitionErrors,
};
use crate::snapshot::{LangChoice, Snapshot};
use crate::state::AppState;
use pacta_core::access::Action;

/// A text in one language (`{"text", "lang"}`, the language actually used) or, with
/// `?lang=all`, the map of every language.
#[derive(ToSchema)]
#[schema(value_type = Object)]
#[allow(dead_code)]
pub struct LocalizedText(String);

/// A page of services.
#[derive(Serialize, ToSchema)]
pub struct ServiceList {
    pub items: Vec<ServiceSummary>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// A service in a list.
#[derive(Serialize, ToSchema)]
pub struct ServiceSummary {
    pub code: String,
    pub category: String,
    /// `draft`, `published` or `retired`.
    pub status: String,
    /// The last published version (0 if never published).
    pub version: i64,
    #[schema(value_type = Object)]
    pub name: serde_json::Value,
    pub delivery_models: Vec<String>,
    pub levels: Vec<String>,
}

/// A service with its whole fiche: packs, options, effective responsibilities and the service
/// levels it offers. Text fields as in [`LocalizedText`].
#[derive(Serialize, ToSchema)]
pub struct ServiceDetail {
    pub code: String,
    pub category: String,
    pub status: String,
    pub version: i64,
    /// The ETag's revision.
    pub revision: i64,
    #[schema(value_type = Object)]
    pub name: serde_json::Value,
    pub delivery_models: Vec<String>,
    #[schema(value_type = Object)]
    pub service_manager: serde_json::Value,
    pub levels: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub packs: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub responsibilities: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub service_levels: Vec<serde_json::Value>,
    /// The language of the response (`all` for maps).
    pub lang: String,
}

/// The outcome of publish or retire.
#[derive(Serialize, ToSchema)]
pub struct LifecycleOutcome {
    pub code: String,
    pub status: String,
    pub version: i64,
    pub revision: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VersionList {
    pub items: Vec<VersionItem>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionItem {
    pub version: i64,
    /// RFC 3339, UTC.
    pub published_at: String,
    pub published_by: String,
}

/// The query of the list of services, as the OpenAPI document describes it; `list_services`
/// reads it from the raw query (strictly: a repeated parameter is a 400).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only
pub struct ServiceQuery {
    /// Only the services of this category (a code); empty for every category.
    category: Option<String>,
    /// Only the services offered under this delivery model; empty for every model.
    #[param(value_type = Option<DeliveryModelFilter>)]
    delivery_model: Option<String>,
    /// Only the services that offer this service level (a code); empty for every level.
    level: Option<String>,
    /// Text search in the chosen language's name, summary, characteristics, packs and options,
    /// ignoring case and accents.
    q: Option<String>,
    #[param(value_type = Option<LangParam>)]
    lang: Option<String>,
    /// Also list `retired` services, `draft` ones (or `drafts`; these need the admin token: 401
    /// without it), or both, comma-separated without spaces; empty for neither.
    #[param(pattern = "^((retired|drafts?)(,(retired|drafts?))*)?$")]
    include: Option<String>,
    /// The page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    limit: Option<i64>,
    /// How many matching services to skip.
    #[param(minimum = 0, default = 0)]
    offset: Option<i64>,
}

/// The page size's bounds and default (the document's are pinned to these by a test).
pub const LIMIT: (i64, i64, i64) = super::LIMIT;

/// The schema of `?delivery_model=`: `paas`, `saas`, or empty for no filter (as for every filter
/// of the list).
pub struct DeliveryModelFilter;

impl utoipa::PartialSchema for DeliveryModelFilter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use pacta_core::catalogue::DeliveryModel;
        let models = [DeliveryModel::Paas, DeliveryModel::Saas].map(DeliveryModel::code);
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A delivery model, or empty for every model."))
            .enum_values(Some(models.into_iter().chain([""])))
            .into()
    }
}

impl ToSchema for DeliveryModelFilter {}

fn parse_include(
    query: &std::collections::HashMap<String, String>,
    caller: &Caller,
) -> ApiResult<Listing> {
    let mut include = Listing::default();
    // Exactly the document's pattern: comma-separated values, no spaces, no empty ones; an empty
    // parameter includes nothing more.
    if let Some(raw) = query.get("include").filter(|raw| !raw.is_empty()) {
        for part in raw.split(',') {
            match part {
                "retired" => include.retired = true,
                "draft" | "drafts" => {
                    if !caller.edits_drafts() {
                        return Err(match caller.actor {
                            pacta_core::access::Actor::Anonymous => ApiError::unauthorized(),
                            _ => ApiError::forbidden(),
                        });
                    }
                    include.drafts = true;
                }
                other => {
                    return Err(ApiError::invalid_field(
                        "include",
                        format!(
                            "unknown value `{other}`: use retired, draft or both, comma-separated"
                        ),
                    ))
                }
            }
        }
    }
    Ok(include)
}

/// List services.
///
/// Published services, ordered by category then code; retired ones with `?include=retired`,
/// drafts with `?include=draft` and the admin token. `q` searches the chosen language's name,
/// summary, characteristics, packs and options, ignoring case and accents.
#[utoipa::path(
    get, path = "/api/v1/services", tag = "catalogue",
    params(
        ServiceQuery,
        ("Accept-Language" = Option<String>, Header, description = "Language when ?lang= is absent"),
    ),
    security((), ("admin_token" = [])),
    responses(
        (status = 200, description = "A page of services", body = ServiceList),
        SearchErrors,
    )
)]
pub async fn list_services(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let choice = lang_choice(&query, &headers)?;
    let super::Page { limit, offset } = super::page_params(&query)?;
    let include = parse_include(&query, &caller)?;
    let delivery_model = match query.get("delivery_model").map(String::as_str) {
        None | Some("") => None,
        Some(m) => Some(
            pacta_core::catalogue::DeliveryModel::from_code(m).ok_or_else(|| {
                ApiError::invalid_field(
                    "delivery_model",
                    format!("unknown delivery model `{m}`: use paas or saas"),
                )
            })?,
        ),
    };
    let category = query.get("category").filter(|c| !c.is_empty());
    let level = query.get("level").filter(|l| !l.is_empty());
    let needle = query
        .get("q")
        .map(|q| fold_for_search(q.trim()))
        .filter(|q| !q.is_empty());

    let snapshot = state.snapshot();
    let services = &snapshot.stored.catalogue.services;
    let matching = snapshot.order.iter().copied().filter(|&i| {
        let s = &services[i];
        visibility::is_listed(s, caller.audience(&s.code), include)
            && category.is_none_or(|c| &s.category == c)
            && delivery_model.is_none_or(|m| s.delivery_models.contains(&m))
            && level.is_none_or(|l| s.levels.contains(l))
            && needle
                .as_ref()
                .is_none_or(|n| snapshot.search_text(i, choice).contains(n.as_str()))
    });
    let mut body = String::with_capacity(4096);
    body.push_str("{\"items\":[");
    let mut total: i64 = 0;
    for i in matching {
        if total >= offset && total < offset.saturating_add(limit) {
            if body.len() > 10 {
                body.push(',');
            }
            body.push_str(snapshot.summary_json(i, choice));
        }
        total += 1;
    }
    body.push_str(&format!(
        "],\"total\":{total},\"limit\":{limit},\"offset\":{offset}}}"
    ));
    let mut response = json_response(StatusCode::OK, body);
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(response)
}

/// The service `code` if the caller may read it, else 404 exactly as for one that does not
/// exist.
fn find_visible(snapshot: &Snapshot, code: &str, caller: &Caller) -> ApiResult<usize> {
    let index = snapshot.by_code.get(code).copied();
    match index {
        Some(i)
            if visibility::may_read(
                &snapshot.stored.catalogue.services[i],
                caller.audience(code),
            ) =>
        {
            Ok(i)
        }
        _ => Err(ApiError::not_found(format!("no service `{code}`"))),
    }
}

fn detail_response(
    snapshot: &Snapshot,
    index: usize,
    choice: LangChoice,
    status: StatusCode,
) -> Response {
    let code = &snapshot.stored.catalogue.services[index].code;
    let mut response = json_response(status, snapshot.detail_json(index, choice).to_owned());
    if let Some(rev) = snapshot.service_revision(code) {
        if let Ok(v) = HeaderValue::from_str(&etag(rev)) {
            response.headers_mut().insert(header::ETAG, v);
        }
    }
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// One service with its fiche.
///
/// A retired service stays readable (marked retired, with its successor); drafts need the token.
#[utoipa::path(
    get, path = "/api/v1/services/{code}", tag = "catalogue",
    params(
        ("code" = String, Path, description = "Service code"),
        ("lang" = Option<LangParam>, Query),
        ("Accept-Language" = Option<String>, Header, description = "Language when ?lang= is absent"),
    ),
    security((), ("admin_token" = [])),
    responses(
        (status = 200, description = "The service; its ETag in the header", body = ServiceDetail),
        ReadErrors,
    )
)]
pub async fn get_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let query = query_pairs(raw.as_deref())?;
    let choice = lang_choice(&query, &headers)?;
    let snapshot = state.snapshot();
    let index = find_visible(&snapshot, &code, &caller)?;
    Ok(detail_response(&snapshot, index, choice, StatusCode::OK))
}

/// Create a service (as a draft).
#[utoipa::path(
    post, path = "/api/v1/services", tag = "catalogue",
    request_body(
        content = inline(NewServiceBody), content_type = "application/json",
        description = "A service in the catalogue format (see docs/catalogue-format.md), as a draft; its category, levels and calendars must exist (422 otherwise)",
        example = json!({
            "code": "OBJECT-STORAGE", "category": "hosting",
            "name": {"en": "Object storage", "nl": "Objectopslag", "fr": "Stockage objet", "de": "Objektspeicher"},
            "delivery_models": ["saas"],
            "service_manager": {"name": "Eva Jacobs", "email": "eva.jacobs@example.be", "phone": "02 501 00 09"},
            "levels": ["basic", "standard"],
            "packs": [{"code": "s3", "name": {"en": "Buckets", "nl": "Buckets"}, "standard_level": "basic",
                "prices": [{"amount_cents": 1000, "period": "month", "per": "unit", "unit": {"en": "TB", "nl": "TB"}}]}]
        }),
    ),
    params(("lang" = Option<LangParam>, Query)),
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Created; Location and ETag in the headers", body = ServiceDetail),
        CreateErrors,
    )
)]
pub async fn create_service(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    caller.may(Action::EditCatalogue)?;
    let query = query_pairs(raw.as_deref())?;
    let choice = lang_choice(&query, &headers)?;
    let doc = json_body(&headers, body).await?;
    let _guard = state.lock_writes().await;
    let snapshot = state.snapshot();
    let service =
        read_service(&doc, &Known::of(&snapshot.stored.catalogue)).map_err(ApiError::invalid)?;
    lifecycle::check_create(&service)
        .map_err(|e| ApiError::invalid_field("status", e.to_string()))?;
    state
        .db
        .create_entity(&service, caller.stamp(&state))
        .await?;
    state.refresh().await?;
    let snapshot = state.snapshot();
    let index = snapshot.by_code[&service.code];
    let mut response = detail_response(&snapshot, index, choice, StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/services/{}", service.code)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// The current revision of a service the caller may see.
fn current_revision(snapshot: &Snapshot, code: &str, caller: &Caller) -> ApiResult<i64> {
    find_visible(snapshot, code, caller)?;
    snapshot
        .stored
        .revision_of(Kind::Service, code)
        .ok_or_else(|| ApiError::not_found(format!("no service `{code}`")))
}

/// Replace a service.
///
/// Needs `If-Match` with the ETag read. The lifecycle moves only through publish and retire;
/// a change to a published service is live at once and recorded as a new version.
#[utoipa::path(
    put, path = "/api/v1/services/{code}", tag = "catalogue",
    request_body(
        content = inline(ServiceBody), content_type = "application/json",
        description = "The whole service in the catalogue format; its `code` is the URL's, its `status` the current one (publish and retire move it), its category, levels and calendars must exist",
    ),
    params(
        ("code" = String, Path, description = "Service code"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
        ("lang" = Option<LangParam>, Query),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Updated; the new ETag in the header", body = ServiceDetail),
        ReplaceErrors,
    )
)]
pub async fn update_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> ApiResult<Response> {
    // A draft is edited by its editors; a change to a published service is a new publication.
    let draft = state
        .snapshot()
        .service(&code)
        .is_some_and(|s| s.status == Lifecycle::Draft);
    caller.may(if draft {
        Action::EditDraft { service: &code }
    } else {
        Action::PublishService { service: &code }
    })?;
    let query = query_pairs(raw.as_deref())?;
    let choice = lang_choice(&query, &headers)?;
    let _guard = state.lock_writes().await;
    let snapshot = state.snapshot();
    let current = current_revision(&snapshot, &code, &caller)?;
    let expected = if_match(&headers, current)?;
    let doc = json_body(&headers, body).await?;
    let service =
        read_service(&doc, &Known::of(&snapshot.stored.catalogue)).map_err(ApiError::invalid)?;
    if service.code != code {
        return Err(ApiError::invalid_field(
            "code",
            format!(
                "the body's code `{}` differs from the URL's `{code}`",
                service.code
            ),
        ));
    }
    if let Some(before) = snapshot.service(&code) {
        lifecycle::check_edit(before.status, &service)
            .map_err(|e| ApiError::invalid_field("status", e.to_string()))?;
    }
    state
        .db
        .update_entity(&service, expected, caller.stamp(&state))
        .await?;
    state.refresh().await?;
    let snapshot = state.snapshot();
    Ok(detail_response(
        &snapshot,
        snapshot.by_code[&code],
        choice,
        StatusCode::OK,
    ))
}

async fn move_lifecycle(
    state: AppState,
    caller: Caller,
    code: String,
    headers: HeaderMap,
    to: Lifecycle,
) -> ApiResult<Response> {
    caller.may(Action::PublishService { service: &code })?;
    let _guard = state.lock_writes().await;
    let snapshot = state.snapshot();
    let current = current_revision(&snapshot, &code, &caller)?;
    let expected = if_match(&headers, current)?;
    let (revision, version) = state
        .db
        .set_service_status(&code, to, expected, caller.stamp(&state))
        .await?;
    state.refresh().await?;
    let body = json!({"code": code, "status": to.code(), "version": version, "revision": revision})
        .to_string();
    let mut response = json_response(StatusCode::OK, body);
    if let Ok(v) = HeaderValue::from_str(&etag(revision)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

/// Publish a service: version n+1.
#[utoipa::path(
    post, path = "/api/v1/services/{code}/publish", tag = "catalogue",
    params(
        ("code" = String, Path, description = "Service code"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Published; the new ETag in the header", body = LifecycleOutcome),
        TransitionErrors,
    )
)]
pub async fn publish_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    move_lifecycle(state, caller, code, headers, Lifecycle::Published).await
}

/// Retire a service: it stays readable for its subscribers, marked retired.
#[utoipa::path(
    post, path = "/api/v1/services/{code}/retire", tag = "catalogue",
    params(
        ("code" = String, Path, description = "Service code"),
        ("If-Match" = String, Header, description = "The ETag read (428 without it, 412 when stale)"),
    ),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Retired; the new ETag in the header", body = LifecycleOutcome),
        TransitionErrors,
    )
)]
pub async fn retire_service(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    move_lifecycle(state, caller, code, headers, Lifecycle::Retired).await
}

/// The publications of a service.
#[utoipa::path(
    get, path = "/api/v1/services/{code}/versions", tag = "catalogue",
    params(("code" = String, Path, description = "Service code")),
    security((), ("admin_token" = [])),
    responses(
        (status = 200, description = "Versions, oldest first", body = VersionList),
        ReadErrors,
    )
)]
pub async fn service_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    // It takes no parameter, but a malformed query string is refused as on every read.
    query_pairs(raw.as_deref())?;
    let snapshot = state.snapshot();
    find_visible(&snapshot, &code, &caller)?;
    let versions = state.db.service_versions(&code).await?;
    let items: Vec<VersionItem> = versions
        .into_iter()
        .map(|v| VersionItem {
            version: v.version,
            published_at: jiff::Timestamp::from_second(v.published_at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            published_by: v.published_by,
        })
        .collect();
    let body = serde_json::to_string(&VersionList { items }).map_err(|e| ApiError::internal(&e))?;
    Ok(json_response(StatusCode::OK, body))
}
