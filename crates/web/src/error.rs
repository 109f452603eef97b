//! The API's one error shape: `{"error": {"code", "message", "fields"}}`. Everything a client can
//! fix is a 4xx; a 5xx is a bug, logged with its cause and opaque to the client.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use pacta_core::catalogue::document::Issue;
use pacta_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

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
            "this needs `Authorization: Bearer <token>` with the admin token",
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

    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
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
            _ => ApiError::internal(&e),
        }
    }
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
