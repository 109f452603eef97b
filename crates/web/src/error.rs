//! The API's one error shape: `{"error": {"code", "message", "fields"}}`. Everything a client can
//! fix is a 4xx; a 5xx is a bug, logged with its cause and opaque to the client.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pacta_core::catalogue::document::Issue;
use pacta_store::StoreError;
use serde::Serialize;
use utoipa::{IntoResponses, ToResponse, ToSchema};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `invalid`, `not_found`, `stale`.
    pub code: String,
    pub message: String,
    /// Per field path, what is wrong with it.
    pub fields: BTreeMap<String, String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this needs valid credentials: `Authorization: Bearer <token>` (an API token, or the admin token)",
        )
    }

    /// The caller is known and sees the object, but may not do this.
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your roles do not allow this",
        )
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{field}: {message}"),
        );
        e.fields.insert(field.to_owned(), message);
        e
    }

    /// Every problem of a document, each under its field path.
    pub fn invalid(issues: Vec<Issue>) -> ApiError {
        let mut fields = BTreeMap::new();
        for issue in &issues {
            let key = if issue.path.is_empty() {
                "$".to_owned()
            } else {
                issue.path.clone()
            };
            fields
                .entry(key)
                .and_modify(|m: &mut String| {
                    m.push_str("; ");
                    m.push_str(&issue.message);
                })
                .or_insert_with(|| issue.message.clone());
        }
        let message = match issues.len() {
            1 => format!("invalid input: {}", issues[0]),
            n => format!("invalid input: {n} problems, see fields"),
        };
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            message,
            fields,
        }
    }

    /// A bug: logged with its whole cause chain, opaque to the client.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> ApiError {
        ApiError::internal_message(&cause_chain(cause))
    }

    /// A bug described by a message (a panic, a broken invariant).
    pub fn internal_message(message: &str) -> ApiError {
        tracing::error!(error = %message, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; it has been logged",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match &e {
            StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::Duplicate { .. } => {
                ApiError::new(StatusCode::CONFLICT, "duplicate", e.to_string())
            }
            StoreError::Stale { .. } => {
                ApiError::new(StatusCode::PRECONDITION_FAILED, "stale", e.to_string())
            }
            StoreError::Rejected(_) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            StoreError::Invalid { field, message } => ApiError::invalid_field(field, message),
            _ => ApiError::internal(&e),
        }
    }
}

/// An error and every cause under it, `top: cause: root cause`. A message that already ends
/// with its cause's text (`database: connection refused` over `connection refused`) is not
/// repeated.
pub fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
                fields: self.fields,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

// ------------------------------------------------------------------------------------------------
// The error responses of the OpenAPI document. Each status is described once, as a response in
// `components.responses` (registered in `api::ApiDoc`); the sets below, one per kind of
// operation, reference them, and every `#[utoipa::path]` names exactly one set.
// ------------------------------------------------------------------------------------------------

/// 400: the request cannot be read.
#[derive(ToResponse)]
#[response(
    description = "The request cannot be read: a malformed or repeated query parameter, a non-integer where an integer is expected, an unsupported `lang`, or a body that is not well-formed JSON.",
    example = json!({"error": {"code": "bad_request", "message": "unsupported language `es`: use nl, fr, de, en, all, …", "fields": {}}})
)]
pub struct BadRequest(pub ErrorBody);

/// 401: the admin token is missing or wrong.
#[derive(ToResponse)]
#[response(
    description = "Missing or wrong credentials: a write, or drafts in a list, without `Authorization: Bearer <token>`; or a token that is unknown, revoked, expired or of a disabled user (refused on every route, reads included).",
    example = json!({"error": {"code": "unauthorized", "message": "this needs valid credentials: `Authorization: Bearer <token>` (an API token, or the admin token)", "fields": {}}})
)]
pub struct Unauthorized(pub ErrorBody);

/// 403: the caller's roles do not allow this.
#[derive(ToResponse)]
#[response(
    description = "The caller sees the object but its roles do not allow this (see docs/permissions.md).",
    example = json!({"error": {"code": "forbidden", "message": "your roles do not allow this", "fields": {}}})
)]
pub struct Forbidden(pub ErrorBody);

/// 404: nothing under that code for this caller.
#[derive(ToResponse)]
#[response(
    description = "No such entity (a draft does not exist for a caller without the token), or no organisation profile loaded yet.",
    example = json!({"error": {"code": "not_found", "message": "no service `NOPE`", "fields": {}}})
)]
pub struct NotFound(pub ErrorBody);

/// 409: the write conflicts with what is stored.
#[derive(ToResponse)]
#[response(
    description = "The write conflicts with what is stored: a code that already exists, or a lifecycle step the service's status does not allow (publishing a published service, retiring one that is not published).",
    example = json!({"error": {"code": "duplicate", "message": "service `WEB-HOSTING` already exists", "fields": {}}})
)]
pub struct Conflict(pub ErrorBody);

/// 412: `If-Match` names a revision that is no longer current.
#[derive(ToResponse)]
#[response(
    description = "`If-Match` does not name the current ETag: someone changed the entity since you read it. Read it again.",
    example = json!({"error": {"code": "stale", "message": "If-Match `\"1\"` does not match the current ETag \"2\"", "fields": {}}})
)]
pub struct PreconditionFailed(pub ErrorBody);

/// 413: the body is over the limit.
#[derive(ToResponse)]
#[response(
    description = "The body is larger than 1 MiB.",
    example = json!({"error": {"code": "too_large", "message": "the body is larger than 1048576 bytes", "fields": {}}})
)]
pub struct PayloadTooLarge(pub ErrorBody);

/// 415: the body is not JSON.
#[derive(ToResponse)]
#[response(
    description = "The body is not `application/json` (or `application/*+json`).",
    example = json!({"error": {"code": "unsupported_media_type", "message": "expected Content-Type: application/json, got `text/plain`", "fields": {}}})
)]
pub struct UnsupportedMediaType(pub ErrorBody);

/// 422: the input is read but invalid; every problem is under its field path.
#[derive(ToResponse)]
#[response(
    description = "The input is invalid: every problem under its field path in `error.fields` (a value out of range, an unknown field, an unknown reference such as a category, level, calendar or service code).",
    example = json!({"error": {"code": "invalid", "message": "invalid input: 2 problems, see fields", "fields": {"category": "unknown category `nothing`", "colour": "unknown field; expected one of: …"}}})
)]
pub struct Unprocessable(pub ErrorBody);

/// 428: a write that needs `If-Match` came without it.
#[derive(ToResponse)]
#[response(
    description = "`If-Match` is missing: send back the `ETag` you read.",
    example = json!({"error": {"code": "precondition_required", "message": "this write needs If-Match with the ETag you read", "fields": {}}})
)]
pub struct PreconditionRequired(pub ErrorBody);

/// The errors of a read of a whole list (categories, service levels).
#[derive(IntoResponses)]
pub enum ListErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
}

/// The errors of the filtered, paged list of services.
#[derive(IntoResponses)]
pub enum SearchErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// The errors of a read of one entity.
#[derive(IntoResponses)]
pub enum ReadErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
}

/// The errors of a create (`POST` of an entity).
#[derive(IntoResponses)]
pub enum CreateErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 409)]
    Conflict(#[ref_response] Conflict),
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// The errors of a replace (`PUT` of an entity, with `If-Match`).
#[derive(IntoResponses)]
pub enum ReplaceErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 412)]
    PreconditionFailed(#[ref_response] PreconditionFailed),
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
    #[response(status = 428)]
    PreconditionRequired(#[ref_response] PreconditionRequired),
}

/// The errors of a lifecycle step (publish, retire: no body, with `If-Match`).
#[derive(IntoResponses)]
pub enum TransitionErrors {
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 409)]
    Conflict(#[ref_response] Conflict),
    #[response(status = 412)]
    PreconditionFailed(#[ref_response] PreconditionFailed),
    #[response(status = 428)]
    PreconditionRequired(#[ref_response] PreconditionRequired),
}

/// The errors of an action on an entity with a body and no `If-Match` (a maintenance window's
/// answer, override, reschedule, cancel): 409 `invalid_transition` for a wrong state.
#[derive(IntoResponses)]
pub enum ActionErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 409)]
    Conflict(#[ref_response] Conflict),
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// The errors of a batch sent to an entity (a monitor's results).
#[derive(IntoResponses)]
pub enum BatchErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 409)]
    Conflict(#[ref_response] Conflict),
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// The errors of a figure of one entity over a period (`from`&`to`, a month).
#[derive(IntoResponses)]
pub enum PeriodReadErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

/// The errors of a computation from a body that stores nothing (the quote).
#[derive(IntoResponses)]
pub enum ComputeErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] Unauthorized),
    #[response(status = 413)]
    PayloadTooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    UnsupportedMediaType(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    Unprocessable(#[ref_response] Unprocessable),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot load the catalogue")]
    struct Top(#[source] Middle);

    #[derive(Debug, thiserror::Error)]
    #[error("database: {0}")]
    struct Middle(#[source] std::io::Error);

    #[test]
    fn a_cause_chain_names_every_cause_once() {
        let e = Top(Middle(std::io::Error::other("connection refused")));
        assert_eq!(
            cause_chain(&e),
            "cannot load the catalogue: database: connection refused"
        );
    }

    #[test]
    fn a_500_logs_the_whole_chain_and_tells_the_client_nothing() {
        let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Writer(sink.clone()))
            .finish();
        let e = Top(Middle(std::io::Error::other("disk full")));
        let error = tracing::subscriber::with_default(subscriber, || ApiError::internal(&e));
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!error.message.contains("disk full"), "opaque to the client");
        let logged = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
        assert!(
            logged.contains("cannot load the catalogue: database: disk full"),
            "{logged}"
        );
    }

    struct Writer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
