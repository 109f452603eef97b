//! `pacta statement …`: the monthly availability statements — close a month, show a
//! subscription's statement, amend one (issue 10). The same functions as the job runner and the
//! API: `pacta_web::availability`.

use std::process::ExitCode;

use pacta_core::clock::Clock;
use pacta_store::{Scope, Stamp};
use pacta_web::availability;
use pacta_web::AppState;

use crate::cli_support::{fail, format_arg, CliResult, Format};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum StatementCommand {
    /// Close a month: write the statement of every subscription in service during it, once
    /// (a second close writes nothing new). Refused while the month is open: before 01:00 in
    /// Europe/Brussels on the 1st of the next month.
    Close {
        /// YYYY-MM.
        #[arg(long)]
        month: String,
    },
    /// Show a subscription's statement of a month: the latest amendment of a closed month, with
    /// the original and the amendments listed; the live, provisional figures of an open one.
    Show {
        #[arg(long)]
        subscription: String,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// text or json (the API's statement object).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Amend a subscription's statement of a closed month: recomputed from the data as it
    /// stands now and recorded beside the original, with the reason and the author.
    Amend {
        #[arg(long)]
        subscription: String,
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        #[arg(long)]
        reason: String,
        /// Who amends (recorded as the author; default `cli`).
        #[arg(long = "as", value_name = "EMAIL")]
        author: Option<String>,
    },
}

pub async fn run(settings: &Settings, cmd: StatementCommand, clock: Clock) -> ExitCode {
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let state = match AppState::new(db, None, clock).await {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot load the catalogue: {e}")),
    };
    let result = match cmd {
        StatementCommand::Close { month } => close(&state, &month).await,
        StatementCommand::Show {
            subscription,
            month,
            format,
        } => show(&state, &subscription, &month, &format).await,
        StatementCommand::Amend {
            subscription,
            month,
            reason,
            author,
        } => amend(&state, &subscription, &month, &reason, author.as_deref()).await,
    };
    state.db.close().await;
    result.unwrap_or_else(fail)
}

fn api_error(e: pacta_web::error::ApiError) -> String {
    e.message
}

async fn close(state: &AppState, month: &str) -> CliResult {
    let written = availability::close_month(state, month, Stamp::new("cli", state.now()))
        .await
        .map_err(api_error)?;
    let closed = state
        .db
        .closed_month(month)
        .await
        .map_err(|e| e.to_string())?
        .map_or(0, |c| c.statements);
    println!("closed {month}: {written} statements written now, {closed} in all");
    Ok(ExitCode::SUCCESS)
}

async fn subscription(
    state: &AppState,
    id: &str,
) -> Result<pacta_store::subscriptions::Subscription, String> {
    state
        .db
        .subscription(Scope::All, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no subscription `{id}`"))
}

async fn show(state: &AppState, id: &str, month: &str, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let s = subscription(state, id).await?;
    let doc = availability::availability(state, &s, Some(month), None)
        .await
        .map_err(api_error)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default()),
        Format::Text => {
            let n = |k: &str| doc[k].as_i64().unwrap_or(0);
            let status = if doc["provisional"] == true {
                "provisional (the month is open)".to_owned()
            } else {
                match doc["amendment"].as_i64().unwrap_or(0) {
                    0 => "closed, original".to_owned(),
                    a => format!("closed, amendment {a}"),
                }
            };
            println!(
                "{} {} {}: {status}",
                doc["partner"].as_str().unwrap_or(""),
                doc["service"].as_str().unwrap_or(""),
                month
            );
            println!(
                "  availability {}% against a target of {}% — {}",
                doc["availability_percent"],
                doc["target"].as_str().unwrap_or(""),
                match doc["met"].as_bool() {
                    Some(true) => "met",
                    Some(false) => "not met",
                    None => "nothing agreed",
                }
            );
            println!(
                "  agreed {} s, downtime {} s, allowed {} s, budget left {} s",
                n("agreed_seconds"),
                n("downtime_seconds"),
                n("allowed_downtime_seconds"),
                n("budget_left_seconds")
            );
            println!(
                "  period {} s, unmonitored {} s{}, maintenance excluded {} s, suspended {} s",
                n("period_seconds"),
                n("unmonitored_seconds"),
                if doc["incomplete"] == true {
                    " (incomplete: more than 1 %)"
                } else {
                    ""
                },
                n("excluded_maintenance_seconds"),
                n("suspended_seconds")
            );
            for v in doc["statements"].as_array().into_iter().flatten() {
                println!(
                    "  {} {} by {}{}: {}%",
                    v["kind"].as_str().unwrap_or(""),
                    v["at"].as_str().unwrap_or(""),
                    v["author"].as_str().unwrap_or(""),
                    v["reason"]
                        .as_str()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    v["availability_percent"]
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn amend(
    state: &AppState,
    id: &str,
    month: &str,
    reason: &str,
    author: Option<&str>,
) -> CliResult {
    let s = subscription(state, id).await?;
    let stored = availability::amend(
        state,
        &s,
        month,
        reason,
        Stamp::new(author.unwrap_or("cli"), state.now()),
    )
    .await
    .map_err(api_error)?;
    println!(
        "amended {} {month}: amendment {} by {}",
        s.id, stored.amendment, stored.author
    );
    Ok(ExitCode::SUCCESS)
}
