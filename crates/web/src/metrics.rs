//! `/metrics` in Prometheus' (OpenMetrics) text format (issue 11, point 6): the probes' latency
//! per kind, each monitor's up/down state, results written, dropped and waiting, scheduling
//! lateness, and `pacta_build_info`. Its labels name monitors and services, so it answers only
//! the bearer `metrics_token` or an admin — or anyone on the separate `metrics_listen` address.

use std::sync::Mutex;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::access::{Actor, Role};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use subtle::ConstantTimeEq;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MonitorLabels {
    pub monitor: String,
    pub service: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabels {
    version: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

/// The process's metrics.
pub struct Metrics {
    registry: Mutex<Registry>,
    /// How long checks took, per kind of check (seconds).
    pub probe_latency: Family<KindLabels, Histogram, fn() -> Histogram>,
    /// 1 when a monitor's last result was a success, 0 when it failed.
    pub monitor_up: Family<MonitorLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("pacta");
        let build = Family::<VersionLabels, Gauge>::default();
        build
            .get_or_create(&VersionLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            })
            .set(1);
        registry.register("build_info", "The running build", build);
        let probe_latency =
            Family::<KindLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "probe_latency_seconds",
            "How long checks took, per kind of check",
            probe_latency.clone(),
        );
        let monitor_up = Family::<MonitorLabels, Gauge>::default();
        registry.register(
            "monitor_up",
            "1 when the monitor's last result was a success, 0 when it failed",
            monitor_up.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            probe_latency,
            monitor_up,
        }
    }
}

impl Metrics {
    /// Registers the scheduler's figures (once per process: the probes task).
    pub fn register_probes(&self, stats: &pacta_monitor::scheduler::Stats) {
        let mut r = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let probes = r.sub_registry_with_prefix("probe");
        probes.register("checks", "Checks made", stats.checks.clone());
        probes.register(
            "results_written",
            "Results written to the store",
            stats.written.clone(),
        );
        probes.register(
            "results_dropped",
            "Results dropped: the buffer was full, or the store refused them",
            stats.dropped.clone(),
        );
        probes.register(
            "results_buffered",
            "Results waiting to be written",
            stats.buffered.clone(),
        );
        probes.register(
            "slots_skipped",
            "Slots skipped because the monitor's previous check still ran",
            stats.skipped.clone(),
        );
        probes.register(
            "scheduling_lateness_seconds",
            "How long after its slot each check started",
            stats.lateness.clone(),
        );
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}

/// The exposition as a response.
pub fn exposition(state: &AppState) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics().render(),
    )
        .into_response()
}

/// `GET /metrics` on the main address: the metrics token, or an admin.
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Result<Caller, ApiError>,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let (Some(given), Some(token)) = (bearer, state.metrics_token()) {
        if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
            return exposition(&state);
        }
    }
    match caller {
        Ok(c) if is_admin(&c.actor) => exposition(&state),
        Ok(c) if !matches!(c.actor, Actor::Anonymous) => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the metrics are for the metrics token or an admin",
        )
        .into_response(),
        Ok(_) => ApiError::unauthorized().into_response(),
        Err(e) => e.into_response(),
    }
}

fn is_admin(actor: &Actor) -> bool {
    match actor {
        Actor::Bootstrap => true,
        Actor::User(u) => u.grants.iter().any(|g| g.role == Role::Admin),
        Actor::Anonymous => false,
    }
}

/// The router of the separate metrics address: `/metrics` for anyone who reaches it.
pub fn open_router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(|State(s): State<AppState>| async move { exposition(&s) }),
        )
        .with_state(state)
}
