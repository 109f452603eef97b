//! The `pacta` binary: a thin command-line shell over the library crates.

mod accounts_cmd;
mod catalogue_cmd;
mod cli_support;
mod config;
mod demo_history;
mod demo_targets;
mod maintenance_cmd;
mod monitor_cmd;
mod partner_cmd;
mod render_pdf;
mod serve;
mod sla_cmd;
mod statement_cmd;
mod subscription_cmd;
mod ticket_cmd;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Pacta: the service catalogue and service-level platform of an ICT shared-service provider.
///
/// Settings come from defaults, then the TOML file of --config (or PACTA_CONFIG), then PACTA_*
/// environment variables, then flags. Every command that opens a database migrates it first.
#[derive(Debug, Parser)]
#[command(name = "pacta", version, propagate_version = true)]
pub struct Cli {
    /// Database URL: sqlite://PATH (default sqlite://data/pacta.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "PACTA_DATABASE_URL")]
    pub database_url: Option<String>,

    /// A TOML configuration file (keys: database_url, listen, admin_token, log_format,
    /// public_url, smtp_url, mail_from).
    #[arg(long, global = true, env = "PACTA_CONFIG")]
    pub config: Option<PathBuf>,

    /// Log format on stderr; the level comes from RUST_LOG (default info).
    #[arg(long, global = true, env = "PACTA_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and, later, the pages) over HTTP until SIGTERM or Ctrl-C.
    Serve(serve::ServeArgs),
    /// Check the monitors and nothing else (no API, no pages, no jobs): one of several probers
    /// that share the monitors on PostgreSQL; `--listen ADDR` answers `/healthz`.
    Worker(worker::WorkerArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Read, import and export the catalogue (catalogue as code).
    #[command(subcommand)]
    Catalogue(catalogue_cmd::CatalogueCommand),
    /// The SLA engine: holidays, business-time deadlines, elapsed time and availability.
    #[command(subcommand)]
    Sla(sla_cmd::SlaCommand),
    /// Partners: add, list, show, and the partners file (import, export).
    #[command(subcommand)]
    Partner(partner_cmd::PartnerCommand),
    /// Users: add, list, disable, enable, set roles, one-time links.
    #[command(subcommand)]
    User(accounts_cmd::UserCommand),
    /// API tokens: create (shown once), list, revoke.
    #[command(subcommand)]
    Token(accounts_cmd::TokenCommand),
    /// The audit log: every write, who, when, what.
    #[command(subcommand)]
    Audit(accounts_cmd::AuditCommand),
    /// Subscriptions: list, show (with effective SLA, price and history).
    #[command(subcommand)]
    Subscription(subscription_cmd::SubscriptionCommand),
    /// The mail outbox: what was sent, what waits.
    #[command(subcommand)]
    Outbox(subscription_cmd::OutboxCommand),
    /// Monitors: list, the monitors file (import, export), results (ingest).
    #[command(subcommand)]
    Monitor(monitor_cmd::MonitorCommand),
    /// Monthly availability statements: close a month, show, amend.
    #[command(subcommand)]
    Statement(statement_cmd::StatementCommand),
    /// Maintenance windows agreed with the partners: list, show (answers and consents).
    #[command(subcommand)]
    Maintenance(maintenance_cmd::MaintenanceCommand),
    /// Support tickets: open, show, list (the same rules and documents as the API).
    #[command(subcommand)]
    Ticket(ticket_cmd::TicketCommand),
    /// On-call duty: who is on duty at an instant.
    #[command(subcommand)]
    Oncall(ticket_cmd::OncallCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match config::Settings::load(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pacta: {e:#}");
            return ExitCode::from(2);
        }
    };
    config::init_logging(settings.log_format);
    // The process's one clock: every command reads "now" from it.
    let clock = pacta_core::clock::system();
    match cli.command {
        Command::Sla(cmd) => sla_cmd::run(cmd, &settings),
        command => {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("pacta: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            runtime.block_on(async move {
                let result = match command {
                    Command::Serve(args) => serve::run(&settings, args, clock).await,
                    Command::Worker(args) => worker::run(&settings, args, clock).await,
                    Command::Migrate => migrate(&settings).await,
                    Command::Catalogue(cmd) => catalogue_cmd::run(&settings, cmd, clock).await,
                    Command::Partner(cmd) => Ok(partner_cmd::run(&settings, cmd, clock).await),
                    Command::User(cmd) => Ok(accounts_cmd::user(&settings, cmd, clock).await),
                    Command::Token(cmd) => Ok(accounts_cmd::token(&settings, cmd, clock).await),
                    Command::Audit(cmd) => Ok(accounts_cmd::audit(&settings, cmd).await),
                    Command::Subscription(cmd) => {
                        Ok(subscription_cmd::run(&settings, cmd, clock).await)
                    }
                    Command::Outbox(cmd) => Ok(subscription_cmd::outbox(&settings, cmd).await),
                    Command::Monitor(cmd) => Ok(monitor_cmd::run(&settings, cmd, clock).await),
                    Command::Statement(cmd) => Ok(statement_cmd::run(&settings, cmd, clock).await),
                    Command::Maintenance(cmd) => {
                        Ok(maintenance_cmd::run(&settings, cmd, clock).await)
                    }
                    Command::Ticket(cmd) => Ok(ticket_cmd::ticket(&settings, cmd, clock).await),
                    Command::Oncall(cmd) => Ok(ticket_cmd::oncall(&settings, cmd, clock).await),
                    Command::Sla(_) => unreachable!("handled above"),
                };
                match result {
                    Ok(code) => code,
                    Err(e) => {
                        eprintln!("pacta: {e:#}");
                        ExitCode::FAILURE
                    }
                }
            })
        }
    }
}

async fn migrate(settings: &config::Settings) -> anyhow::Result<ExitCode> {
    let db = settings.open_db().await?;
    let versions = pacta_store::Db::migration_versions(db.kind());
    println!(
        "database is at migration {}",
        versions.last().copied().unwrap_or(0)
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
