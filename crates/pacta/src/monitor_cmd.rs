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
    /// Ingest a monitor's results from JSON lines (`{"at", "ok", "latency_ms"?, "detail"?}` per
    /// line) as `POST /api/v1/monitors/{id}/results` does, all in one transaction: a bad line is
    /// FILE:LINE: field: message, a different result at a stored instant a conflict (both
    /// exit 2), and nothing is written then. Outages are brought up to date and mailed to the
    /// service's managers, and the error budgets looked at, as the API's ingest does.
    Ingest {
        /// The monitor's id or code.
        #[arg(long)]
        monitor: String,
        /// The JSON-lines file; stdin when absent.
        #[arg(long)]
        results: Option<PathBuf>,
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
        MonitorCommand::Ingest { monitor, results } => {
            ingest(&db, clock.clone(), &monitor, results.as_deref()).await
        }
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

async fn ingest(db: &Db, clock: Clock, monitor: &str, file: Option<&Path>) -> CliResult {
    let (name, source) = match file {
        Some(path) => (
            path.display().to_string(),
            std::fs::read_to_string(path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?,
        ),
        None => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| format!("stdin: cannot read: {e}"))?;
            ("stdin".to_owned(), text)
        }
    };
    let stored = match db
        .monitor(Scope::All, monitor)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(m) => m,
        None => db
            .list_monitors(Scope::All, &MonitorFilter::default())
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|m| m.monitor.code == monitor)
            .ok_or_else(|| format!("no monitor `{monitor}` (give its id or its code)"))?,
    };
    let mut batch = Vec::new();
    let mut bad = false;
    for (i, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value = match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => v,
            Err(e) => {
                bad = true;
                eprintln!("{name}:{}:{}: malformed JSON: {e}", i + 1, e.column());
                continue;
            }
        };
        match monitor::read_result(&value, "") {
            Ok(r) => batch.push(r),
            Err(issues) => {
                bad = true;
                for issue in issues {
                    eprintln!("{name}:{}: {}: {}", i + 1, issue.path, issue.message);
                }
            }
        }
    }
    if bad {
        return Ok(ExitCode::from(2));
    }
    // The very ingest of the API: the outages' mails, and the budgets looked at (a job the
    // server's runner takes).
    let state = pacta_web::AppState::new(db.clone(), None, clock)
        .await
        .map_err(|e| format!("cannot load the catalogue: {e}"))?;
    let report =
        pacta_web::api::monitors::ingest(&state, &stored, &batch, Stamp::new("cli", state.now()))
            .await
            .map_err(|e| format!("{name}: {}", e.message))?;
    println!(
        "stored {} results ({} late), {} duplicates ignored, monitor {}",
        report.stored, report.late, report.duplicates, stored.monitor.code
    );
    Ok(ExitCode::SUCCESS)
}
