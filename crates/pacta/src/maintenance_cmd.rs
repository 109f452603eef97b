//! `pacta maintenance …`: the maintenance windows agreed with the partners (issue 12) — list
//! and show, with each consulted partner's answers and its consent to every occurrence now, as
//! `GET /api/v1/maintenance/{id}` answers them.

use std::process::ExitCode;

use pacta_core::clock::Clock;
use pacta_store::maintenance::{MaintenanceFilter, StoredWindow};
use pacta_store::{Db, Scope};
use pacta_web::maintenance::window_doc;
use serde_json::Value;

use crate::cli_support::{fail, format_arg, CliResult, Format};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum MaintenanceCommand {
    /// List the windows by their first occurrence: id, service, status, first start, number of
    /// occurrences, partners consulted, title.
    List {
        /// Only the windows of this service.
        #[arg(long)]
        service: Option<String>,
        /// Only the windows on which this partner is consulted.
        #[arg(long)]
        partner: Option<String>,
        /// text or json (`{"items": [window, …]}`, each as `show` gives it).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// One window: its occurrences and, per consulted partner, its answers, the override and
    /// its consent to each occurrence now.
    Show {
        id: String,
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
    },
}

pub async fn run(settings: &Settings, cmd: MaintenanceCommand, clock: Clock) -> ExitCode {
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let now = clock.now();
    let result = match cmd {
        MaintenanceCommand::List {
            service,
            partner,
            format,
        } => list(&db, MaintenanceFilter { service, partner }, &format, now).await,
        MaintenanceCommand::Show { id, format } => show(&db, &id, &format, now).await,
    };
    db.close().await;
    result.unwrap_or_else(fail)
}

/// The title in English, else the first language it has.
fn title(w: &StoredWindow) -> String {
    let doc = serde_json::to_value(&w.title).unwrap_or_default();
    doc.get("en")
        .or_else(|| doc.as_object().and_then(|o| o.values().next()))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

async fn list(db: &Db, filter: MaintenanceFilter, format: &str, now: jiff::Timestamp) -> CliResult {
    let format = format_arg(format)?;
    let windows = db
        .list_maintenance(Scope::All, &filter)
        .await
        .map_err(|e| e.to_string())?;
    match format {
        Format::Json => {
            let items: Vec<Value> = windows.iter().map(|w| window_doc(w, now)).collect();
            println!("{}", serde_json::json!({ "items": items }));
        }
        Format::Text => {
            for w in &windows {
                println!(
                    "{}  {:<20} {:<9} {}  {:>4}×  {:<24} {}",
                    w.id,
                    w.service,
                    w.status.code(),
                    w.start_local,
                    w.occurrences.len(),
                    w.partners().join(","),
                    title(w)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn show(db: &Db, id: &str, format: &str, now: jiff::Timestamp) -> CliResult {
    let format = format_arg(format)?;
    let w = db
        .maintenance_window(Scope::All, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no maintenance window `{id}`"))?;
    let doc = window_doc(&w, now);
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default()),
        Format::Text => {
            println!("id:       {}", w.id);
            println!("service:  {}", w.service);
            println!("title:    {}", title(&w));
            println!("status:   {}", w.status.code());
            println!("window:   {} – {}", w.start_local, w.end_local);
            println!("rrule:    {}", w.rrule.as_deref().unwrap_or("-"));
            println!("occurrences:");
            for o in doc["occurrences"].as_array().into_iter().flatten() {
                println!(
                    "  {} – {}",
                    o["start"].as_str().unwrap_or(""),
                    o["end"].as_str().unwrap_or("")
                );
            }
            for c in doc["consultation"].as_array().into_iter().flatten() {
                println!(
                    "partner {} (consulted {})",
                    c["partner"].as_str().unwrap_or(""),
                    c["consulted_at"].as_str().unwrap_or("")
                );
                for a in c["answers"].as_array().into_iter().flatten() {
                    println!(
                        "  answer  {} {}{}{}",
                        a["at"].as_str().unwrap_or(""),
                        a["answer"].as_str().unwrap_or(""),
                        a["occurrence"]
                            .as_str()
                            .map(|o| format!(" (occurrence {o})"))
                            .unwrap_or_default(),
                        a["comment"]
                            .as_str()
                            .map(|t| format!(": {t}"))
                            .unwrap_or_default()
                    );
                }
                if let Some(o) = c["override"].as_object() {
                    println!(
                        "  overridden {}: {}",
                        o["at"].as_str().unwrap_or(""),
                        o["justification"].as_str().unwrap_or("")
                    );
                }
                for o in c["occurrences"].as_array().into_iter().flatten() {
                    println!(
                        "  {}  deadline {}  {}",
                        o["start"].as_str().unwrap_or(""),
                        o["deadline"].as_str().unwrap_or(""),
                        o["consent"].as_str().unwrap_or("")
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
