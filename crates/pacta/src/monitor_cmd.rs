//! `pacta monitor …`: the monitors — list, and the monitors file (import with every error at
//! once, references included, and all or nothing; export deterministically, header values as
//! the `${env:NAME}` references they are).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pacta_core::catalogue::document::parse_yaml;
use pacta_core::clock::Clock;
use pacta_core::monitor::{self, monitor_json, Monitor, Refs};
use pacta_store::monitors::MonitorFilter;
use pacta_store::{Db, Scope, Stamp};

use crate::cli_support::{fail, format_arg, print_issues, CliResult, Format};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum MonitorCommand {
    /// List the monitors, by code: code, kind, service, interval, what it checks.
    List {
        /// Only the monitors watching this service (for all its subscriptions or for one).
        #[arg(long)]
        service: Option<String>,
        /// text or json (a bare array, by code, each monitor whole).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Import a monitors file: validated whole, the services and subscriptions it names
    /// included (FILE:LINE:COL: field.path: message, exit 2), then every monitor upserted by
    /// code in one transaction. Nothing is deleted. A header value must be a `${env:NAME}`
    /// reference: a value in clear is refused.
    Import {
        file: PathBuf,
        /// Print `created|updated|unchanged monitor CODE` lines and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Export the monitors as a monitors file (deterministic: by code, no ids or timestamps;
    /// header values are the references they are).
    Export {
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(settings: &Settings, cmd: MonitorCommand, clock: Clock) -> ExitCode {
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let result = match cmd {
        MonitorCommand::List { service, format } => list(&db, service, &format).await,
        MonitorCommand::Import { file, dry_run } => import(&db, &clock, &file, dry_run).await,
        MonitorCommand::Export { out } => export(&db, out).await,
    };
    db.close().await;
    result.unwrap_or_else(fail)
}

async fn list(db: &Db, service: Option<String>, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let monitors = db
        .list_monitors(Scope::All, &MonitorFilter { service })
        .await
        .map_err(|e| e.to_string())?;
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = monitors
                .iter()
                .map(|m| {
                    monitor_json(
                        &m.id,
                        &m.monitor,
                        &m.service,
                        m.partner.as_deref(),
                        m.revision,
                    )
                })
                .collect();
            println!("{}", serde_json::Value::Array(items));
        }
        Format::Text => {
            for m in &monitors {
                let watches = match &m.partner {
                    Some(p) => format!("{} ({p})", m.service),
                    None => m.service.clone(),
                };
                println!(
                    "{:<32} {:<4} {:<32} {:>6} {}",
                    m.monitor.code,
                    m.monitor.kind().code(),
                    watches,
                    m.monitor.interval.to_string(),
                    m.monitor.target()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a monitors file may name: the stored services and subscriptions.
async fn refs(db: &Db) -> Result<Refs, String> {
    let services: BTreeSet<String> = db
        .load_catalogue()
        .await
        .map_err(|e| e.to_string())?
        .catalogue
        .services
        .into_iter()
        .map(|s| s.code)
        .collect();
    let subscriptions: BTreeSet<String> = db
        .list_subscriptions(Scope::All, &Default::default())
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|s| s.id)
        .collect();
    Ok(Refs {
        services: Some(services),
        subscriptions: Some(subscriptions),
    })
}

async fn stored(db: &Db) -> Result<Vec<Monitor>, String> {
    Ok(db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|m| m.monitor)
        .collect())
}

async fn import(db: &Db, clock: &Clock, file: &Path, dry_run: bool) -> CliResult {
    let source = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let refs = refs(db).await?;
    let incoming = parse_yaml(&source)
        .map_err(|issue| vec![issue])
        .and_then(|doc| monitor::read_monitors(&doc, &refs));
    let incoming = match incoming {
        Ok(m) => m,
        Err(issues) => {
            print_issues(file, &issues);
            return Ok(ExitCode::from(2));
        }
    };
    let (changes, writes) = monitor::plan(&stored(db).await?, &incoming);
    if !dry_run {
        db.import_monitors(&writes, Stamp::new("cli", clock.now()))
            .await
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    for change in &changes {
        println!("{change}");
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(db: &Db, out: Option<PathBuf>) -> CliResult {
    let yaml = monitor::to_yaml(&stored(db).await?);
    match out {
        Some(path) => std::fs::write(&path, yaml)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{yaml}"),
    }
    Ok(ExitCode::SUCCESS)
}
