//! The JSON API under `/api/v1`, described by OpenAPI 3.1 generated from the handlers.

pub mod catalogue;
pub mod services;

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::catalogue::document::Node;
use pacta_core::catalogue::visibility::Audience;
use pacta_core::text::Lang;
use subtle::ConstantTimeEq;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::snapshot::LangChoice;
use crate::state::AppState;

/// The largest request body the API reads (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "Pacta API", description = "The service catalogue and service levels of an ICT shared-service provider."),
    modifiers(&BearerAuth),
    tags(
        (name = "catalogue", description = "Categories, services, fiches, packs, options, service levels and the organisation profile"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI description, from one list.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            catalogue::list_categories,
            catalogue::create_category
        ))
        .routes(routes!(catalogue::update_category))
        .routes(routes!(catalogue::list_levels, catalogue::create_level))
        .routes(routes!(catalogue::update_level))
        .routes(routes!(catalogue::profile))
        .routes(routes!(catalogue::quote))
        .routes(routes!(services::list_services, services::create_service))
        .routes(routes!(services::get_service, services::update_service))
        .routes(routes!(services::publish_service))
        .routes(routes!(services::retire_service))
        .routes(routes!(services::service_versions))
        .split_for_parts()
}

/// The query string as pairs; a malformed one is a 400 in the error shape.
pub fn query_pairs(raw: Option<&str>) -> ApiResult<HashMap<String, String>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))?;
    let mut out = HashMap::new();
    for (k, v) in pairs {
        if out.insert(k.clone(), v).is_some() {
            return Err(ApiError::bad_request(format!(
                "query parameter `{k}` is given twice"
            )));
        }
    }
    Ok(out)
}

/// `?lang=` beats `Accept-Language`; English when neither names a language Pacta speaks.
pub fn lang_choice(query: &HashMap<String, String>, headers: &HeaderMap) -> ApiResult<LangChoice> {
    if let Some(lang) = query.get("lang") {
        if lang == "all" {
            return Ok(LangChoice::All);
        }
        return Lang::from_tag(lang).map(LangChoice::One).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unsupported language `{lang}`: use nl, fr, de, en or all"
            ))
        });
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(LangChoice::One(
        Lang::from_accept_language(accept).unwrap_or(Lang::En),
    ))
}

/// The audit log's name for a write made with the bootstrap admin token.
pub const ADMIN_TOKEN_ACTOR: &str = "admin-token";

/// Who reads: an editor when the request carries the admin token, else the public.
pub fn audience(state: &AppState, headers: &HeaderMap) -> Audience {
    if is_admin(state, headers) {
        Audience::Editor
    } else {
        Audience::Public
    }
}

/// Whether the request carries the admin token.
pub fn is_admin(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = &state.admin_token else {
        return false;
    };
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return false;
    };
    given.trim().as_bytes().ct_eq(token.as_bytes()).into()
}

/// Writes need the admin token until accounts exist.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    if is_admin(state, headers) {
        Ok(())
    } else {
        Err(ApiError::unauthorized())
    }
}

/// Reads a JSON body into a positioned tree: 415 unless JSON, 413 over the limit, 400 if
/// unparseable. Field-level problems are the reader's (422).
pub async fn json_body(headers: &HeaderMap, body: Body) -> ApiResult<Node> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime != "application/json" && !(mime.starts_with("application/") && mime.ends_with("+json"))
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("expected Content-Type: application/json, got `{content_type}`"),
        ));
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is larger than {BODY_LIMIT} bytes"),
        )
    })?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(format!(
            "malformed JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    Ok(Node::from_json(&value))
}

/// A JSON response from already-rendered text.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The ETag of an entity revision.
pub fn etag(revision: i64) -> String {
    format!("\"{revision}\"")
}

/// The revision an `If-Match` header names: 428 when missing, 412 when it names none.
pub fn if_match(headers: &HeaderMap, current: i64) -> ApiResult<i64> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "this write needs If-Match with the ETag you read",
        ));
    };
    let value = value.to_str().unwrap_or("").trim();
    if value == "*" {
        return Ok(current);
    }
    for tag in value.split(',') {
        let tag = tag.trim().trim_start_matches("W/").trim_matches('"');
        if let Ok(rev) = tag.parse::<i64>() {
            if rev == current {
                return Ok(rev);
            }
        }
    }
    Err(ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "stale",
        format!(
            "If-Match `{value}` does not match the current ETag {}",
            etag(current)
        ),
    ))
}
