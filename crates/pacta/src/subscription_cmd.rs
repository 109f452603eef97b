//! `pacta subscription …` and `pacta outbox …`: reading subscriptions (the same documents the
//! API answers, quote included) and the mails waiting in or gone from the outbox.

use std::process::ExitCode;

use pacta_core::clock::Clock;
use pacta_core::subscription::State;
use pacta_store::subscriptions::SubscriptionFilter;
use pacta_store::Scope;
use pacta_web::snapshot::LangChoice;
use pacta_web::AppState;
use serde_json::json;

use crate::cli_support::{fail, format_arg, CliResult, Format};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum SubscriptionCommand {
    /// List subscriptions: id, state, partner, service, pack, start and end date.
    List {
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        service: Option<String>,
        /// requested, approved, rejected, withdrawn, active, suspended or terminated.
        #[arg(long)]
        state: Option<String>,
        /// text or json (an array of the API's documents).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Show one subscription with its effective SLA, price and history.
    Show {
        id: String,
        /// text or json (the API's document).
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum OutboxCommand {
    /// List the mails of the outbox, oldest first: sent, waiting or given up.
    List {
        /// text or json (an array of {id, kind, to, lang, subject, created_at, sent_at, attempts}).
        #[arg(long, default_value = "text")]
        format: String,
    },
}

async fn state_of(settings: &Settings, clock: Clock) -> Result<AppState, String> {
    let db = settings.open_db().await.map_err(|e| format!("{e:#}"))?;
    AppState::new(db, None, clock)
        .await
        .map_err(|e| format!("cannot load the catalogue: {e}"))
}

pub async fn run(settings: &Settings, cmd: SubscriptionCommand, clock: Clock) -> ExitCode {
    let state = match state_of(settings, clock).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let result = match cmd {
        SubscriptionCommand::List {
            partner,
            service,
            state: st,
            format,
        } => list(&state, partner, service, st, &format).await,
        SubscriptionCommand::Show { id, format } => show(&state, &id, &format).await,
    };
    state.db.close().await;
    result.unwrap_or_else(fail)
}

async fn list(
    state: &AppState,
    partner: Option<String>,
    service: Option<String>,
    st: Option<String>,
    format: &str,
) -> CliResult {
    let format = format_arg(format)?;
    let st = match st {
        Some(s) => Some(State::parse(&s).ok_or_else(|| {
            format!(
                "--state: `{s}` is not one of {}",
                State::ALL.map(State::code).join(", ")
            )
        })?),
        None => None,
    };
    let list = state
        .db
        .list_subscriptions(
            Scope::All,
            &SubscriptionFilter {
                partner,
                service,
                state: st,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    match format {
        Format::Json => {
            let mut docs = Vec::new();
            for s in &list {
                docs.push(document(state, s).await?);
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&docs).unwrap_or_default()
            );
        }
        Format::Text => {
            for s in &list {
                println!(
                    "{}  {:<10}  {:<12}  {:<16}  {:<16}  {}  {}",
                    s.id,
                    s.state.code(),
                    s.partner,
                    s.service,
                    s.pack,
                    s.start_date,
                    s.end_date
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn document(
    state: &AppState,
    s: &pacta_store::subscriptions::Subscription,
) -> Result<serde_json::Value, String> {
    pacta_web::subscriptions::document(state, s, LangChoice::One(pacta_core::text::Lang::En))
        .await
        .map_err(|e| e.message)
}

async fn show(state: &AppState, id: &str, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let s = state
        .db
        .subscription(Scope::All, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no subscription `{id}`"))?;
    let doc = document(state, &s).await?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default()),
        Format::Text => {
            println!("id:        {}", s.id);
            println!("partner:   {}", s.partner);
            println!("service:   {} (version {})", s.service, s.service_version);
            println!("pack:      {}", s.pack);
            println!(
                "level:     {} (effective: {})",
                s.level.as_deref().unwrap_or("-"),
                doc["quote"]["sla"]["level"].as_str().unwrap_or("?")
            );
            println!("options:   {}", s.options.join(", "));
            println!("quantity:  {}", s.quantity);
            println!("start:     {}", s.start_date);
            println!(
                "end:       {}",
                s.end_date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into())
            );
            println!("state:     {}", s.state.code());
            let totals = &doc["quote"]["totals"];
            println!(
                "price:     EUR {} a month, {} a year, {} once (cents, excl. VAT)",
                totals["month_cents"], totals["year_cents"], totals["one_off_cents"]
            );
            println!("history:");
            for h in doc["history"].as_array().into_iter().flatten() {
                println!(
                    "  {}  {:<10} {} -> {}  by {}{}",
                    h["at"].as_str().unwrap_or(""),
                    h["action"].as_str().unwrap_or(""),
                    h["from"].as_str().unwrap_or("-"),
                    h["to"].as_str().unwrap_or(""),
                    h["actor"].as_str().unwrap_or(""),
                    h["reason"]
                        .as_str()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn outbox(settings: &Settings, cmd: OutboxCommand) -> ExitCode {
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let OutboxCommand::List { format } = cmd;
    let result = async {
        let format = format_arg(&format)?;
        let mails = db.outbox().await.map_err(|e| e.to_string())?;
        let at = |s: Option<i64>| s.map(pacta_web::subscriptions::instant);
        match format {
            Format::Json => {
                let docs: Vec<serde_json::Value> = mails
                    .iter()
                    .map(|m| {
                        json!({
                            "id": m.id, "kind": m.kind, "to": m.to, "lang": m.lang,
                            "subject": m.subject, "created_at": pacta_web::subscriptions::instant(m.created_at),
                            "sent_at": at(m.sent_at), "attempts": m.attempts,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&docs).unwrap_or_default());
            }
            Format::Text => {
                for m in &mails {
                    let status = match (m.sent_at, m.failed_at) {
                        (Some(t), _) => format!("sent {}", pacta_web::subscriptions::instant(t)),
                        (None, Some(_)) => format!(
                            "given up: {}",
                            m.last_error.as_deref().unwrap_or("?")
                        ),
                        (None, None) => "waiting".to_owned(),
                    };
                    println!(
                        "{}  {:<24}  {:<32}  {}  {}  [{status}]",
                        m.id, m.kind, m.to, m.lang, m.subject
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
    .await;
    db.close().await;
    result.unwrap_or_else(fail)
}
