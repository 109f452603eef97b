//! `pacta serve`: the HTTP server, with the demo catalogue on request and graceful shutdown.

use std::process::ExitCode;

use anyhow::Context;
use pacta_core::catalogue::import::plan;
use pacta_core::clock::Clock;
use pacta_store::Stamp;
use pacta_web::{AppState, CancellationToken};

use crate::config::Settings;

/// The demo catalogue, shipped in the binary.
pub const DEMO_CATALOGUE: &str = include_str!("../../../demo/catalogue.yaml");

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080; also PACTA_LISTEN).
    #[arg(long)]
    pub listen: Option<String>,
    /// Load the demo catalogue into an empty catalogue (skipped, with a log line, otherwise).
    #[arg(long)]
    pub demo: bool,
}

pub async fn run(settings: &Settings, args: ServeArgs, clock: Clock) -> anyhow::Result<ExitCode> {
    let addr = settings.listen_addr(args.listen.as_deref())?;
    let db = settings.open_db().await?;
    if args.demo {
        load_demo(&db, Stamp::new("demo", clock.now())).await?;
    }
    if settings.admin_token.is_none() {
        tracing::warn!("PACTA_ADMIN_TOKEN is not set: every catalogue write will answer 401");
    }
    let public_url = settings.public_url(args.listen.as_deref())?;
    let state = AppState::new(db.clone(), settings.admin_token.clone(), clock)
        .await
        .context("cannot load the catalogue")?
        .with_public_url(&public_url);
    let shutdown = CancellationToken::new();
    cancel_on_signal(shutdown.clone())?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(address = %listener.local_addr()?, database = %crate::config::redact(&settings.database_url), "Pacta is listening");
    pacta_web::serve(listener, state, shutdown)
        .await
        .context("server error")?;
    db.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Loads the demo catalogue, but only into an empty catalogue.
pub async fn load_demo(db: &pacta_store::Db, stamp: Stamp<'_>) -> anyhow::Result<()> {
    let stored = db.load_catalogue().await?;
    let c = &stored.catalogue;
    if c.profile.is_some()
        || !c.services.is_empty()
        || !c.levels.is_empty()
        || !c.categories.is_empty()
        || !c.calendars.is_empty()
    {
        tracing::info!("the catalogue is not empty: skipped loading the demo catalogue");
        return Ok(());
    }
    let doc = pacta_core::catalogue::document::parse_yaml(DEMO_CATALOGUE)
        .map_err(|e| anyhow::anyhow!("demo catalogue: {e}"))?;
    let demo = pacta_core::catalogue::read::read_catalogue(&doc, &Default::default()).map_err(
        |issues| {
            anyhow::anyhow!(
                "demo catalogue is invalid: {}",
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
    )?;
    let outcome = db.apply_import(&plan(c, &demo, false), stamp).await?;
    tracing::info!(entities = outcome.written, "loaded the demo catalogue");
    Ok(())
}

/// Cancels `shutdown` at SIGTERM or Ctrl-C. The handlers are installed before the server
/// announces itself, so that a signal sent right after "listening" is never missed.
fn cancel_on_signal(shutdown: CancellationToken) -> anyhow::Result<()> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot install the SIGTERM handler")?;
    tokio::spawn(async move {
        #[cfg(unix)]
        let terminate = async move {
            terminate.recv().await;
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            () = terminate => {},
        }
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    Ok(())
}
