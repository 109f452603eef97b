//! Pacta's HTTP face: the JSON API under `/api/v1` (OpenAPI at `/api/v1/openapi.json`, explorer
//! at `/api/docs`), the operational endpoints `/healthz` and `/readyz`, and the pages ([`ui`]).

pub mod api;
pub mod auth;
pub mod availability;
pub mod background;
pub mod catalogue_watch;
pub mod dashboard;
pub mod error;
pub mod hashing;
pub mod ics;
pub mod jobs;
pub mod mail;
pub mod maintenance;
pub mod metrics;
pub mod notify;
pub mod paging;
pub mod probes;
pub mod retention;
pub mod snapshot;
pub mod state;
pub mod subscriptions;
pub mod throttle;
pub mod tickets;
pub mod ui;

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ApiResult};
pub use state::AppState;
pub use tokio_util::sync::CancellationToken;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().1
}

/// The Content-Security-Policy of every answer: nothing but Pacta's own files, no inline script,
/// no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (mut api, mut spec) = api::router();
    if state.test_clock().is_some() {
        let (clock, clock_spec) = api::test_clock::router();
        api = api.merge(clock);
        spec.merge(clock_spec);
    }
    // HSTS only behind https: a plain-http `serve --demo` must keep working.
    let hsts = state
        .is_https()
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/v1/openapi.json", spec))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/ics/maintenance/{file}", get(ics::maintenance_feed))
        .merge(ui::router())
        .fallback(not_found)
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)))
        .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, move |_: &axum::http::Response<_>| hsts.clone()))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(CatchPanicLayer::custom(|panic: Box<dyn std::any::Any + Send>| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            ApiError::internal_message(&format!("a request handler panicked: {what}")).into_response()
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %redact_secrets(request.uri()), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// A request's URI as the logs show it: the secret of a one-time link never reaches a log.
fn redact_secrets(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    match path.find("/set-password/") {
        Some(i) => format!("{}/set-password/…", &path[..i]),
        // A feed's token is its only key.
        None if path.starts_with("/ics/") => format!("{path}?token=…"),
        None => uri.to_string(),
    }
}

/// Serves the application on `listener`, with the state's background tasks running beside it,
/// until `shutdown` is cancelled: then the server stops accepting, finishes the requests in
/// flight, and waits for every background task to return. The binary only parses flags and
/// wires; this is the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let background = tokio::spawn(background::run(state.clone(), shutdown.clone()));
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.clone().cancelled_owned())
    .await;
    // A server that stopped on its own (an accept error) takes the background work with it.
    shutdown.cancel();
    if let Err(e) = background.await {
        tracing::error!(error = %e, "background work failed");
    }
    served
}

/// Liveness: the process answers.
async fn healthz() -> Response {
    api::json_response(StatusCode::OK, r#"{"status":"ok"}"#.to_owned())
}

/// Readiness: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => api::json_response(StatusCode::OK, r#"{"status":"ready"}"#.to_owned()),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            api::json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"status":"database unreachable"}"#.to_owned(),
            )
        }
    }
}

/// No route: the 404 page in the visitor's language for a browser (it accepts `text/html`) outside
/// `/api/`, else the API's error shape.
async fn not_found(State(state): State<AppState>, request: Request<axum::body::Body>) -> Response {
    let path = request.uri().path();
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if path.starts_with("/api/") || path == "/api" || !wants_html {
        return ApiError::not_found(format!("no route {path}")).into_response();
    }
    let snapshot = state.snapshot();
    let lang = path
        .split('/')
        .nth(1)
        .and_then(pacta_core::text::Lang::from_code)
        .or_else(|| ui::preferred_lang(request.headers()))
        .unwrap_or(pacta_core::text::Lang::En);
    ui::not_found(&snapshot, lang)
}
