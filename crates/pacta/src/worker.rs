//! `pacta worker`: a process that checks monitors and does nothing else (issue 11, "Where it
//! runs"). Several workers (and `serve` processes) on one PostgreSQL share the monitors through
//! leases; on SQLite one prober process checks them all and the others wait. `--listen ADDR`
//! answers `GET /healthz` with what this worker holds and has done.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::Json;
use pacta_core::clock::Clock;
use pacta_web::probes::{ProbeStatus, Probes};
use pacta_web::{AppState, CancellationToken};

use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Answer `GET /healthz` on this address (none by default).
    #[arg(long)]
    pub listen: Option<String>,
}

async fn healthz(State(status): State<ProbeStatus>) -> Json<serde_json::Value> {
    let shards = status
        .shards
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .len();
    let stats = status
        .stats
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let count = |f: fn(&pacta_monitor::scheduler::Stats) -> i64| stats.as_deref().map_or(0, f);
    Json(serde_json::json!({
        "status": "ok",
        "shards": shards,
        "checks": count(|s| i64::try_from(s.checks.get()).unwrap_or(i64::MAX)),
        "written": count(|s| i64::try_from(s.written.get()).unwrap_or(i64::MAX)),
        "dropped": count(|s| i64::try_from(s.dropped.get()).unwrap_or(i64::MAX)),
        "buffered": count(|s| s.buffered.get()),
    }))
}

pub async fn run(settings: &Settings, args: WorkerArgs, clock: Clock) -> anyhow::Result<ExitCode> {
    let db = settings.open_db().await?;
    let health = match &args.listen {
        Some(addr) => {
            let addr: std::net::SocketAddr = addr.parse().with_context(|| {
                format!("--listen `{addr}` is not an address such as 127.0.0.1:9090")
            })?;
            Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr}"))?,
            )
        }
        None => None,
    };
    let state = AppState::new(db.clone(), None, clock)
        .await
        .context("cannot load the catalogue")?
        .with_public_url(&settings.public_url(None)?)
        .with_mailer(settings.mailer()?)
        .with_metrics_token(settings.metrics_token.as_deref());
    let mut probes = Probes::new(state.now());
    probes.lease_ttl = Duration::from_secs(settings.probe_lease_ttl);
    let status = probes.status.clone();
    tracing::info!(prober = %probes.holder, lease_ttl_s = settings.probe_lease_ttl, "worker started");
    let state = state.with_background(vec![
        Arc::new(probes),
        Arc::new(pacta_web::catalogue_watch::CatalogueWatch::default()),
    ]);
    let shutdown = CancellationToken::new();
    crate::serve::cancel_on_signal(shutdown.clone())?;
    if let Some(listener) = health {
        tracing::info!(address = %listener.local_addr()?, "answering /healthz");
        let app = axum::Router::new()
            .route("/healthz", axum::routing::get(healthz))
            .with_state(status);
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
        });
    }
    crate::serve::serve_metrics(settings, &state, &shutdown).await?;
    pacta_web::background::run(state, shutdown).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}
