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
