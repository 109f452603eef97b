//! `pacta ticket …` and `pacta oncall who` (issue 13): open, show and list tickets — the same
//! documents and rules as the API — and who is on duty.

use std::process::ExitCode;

use pacta_core::access::{Actor, Grant, Role, UserActor};
use pacta_core::clock::Clock;
use pacta_core::sla::instant::{format_instant, parse_instant};
use pacta_core::subscription::zone;
use pacta_core::ticket::{Grade, Kind};
use pacta_store::tickets::TicketFilter;
use pacta_store::Scope;
use pacta_web::auth::Caller;
use pacta_web::tickets::{self, OpenInput};
use pacta_web::AppState;
use serde_json::{json, Value};

use crate::cli_support::{fail, format_arg, CliResult, Format};
use crate::config::Settings;

#[derive(Debug, clap::Subcommand)]
pub enum TicketCommand {
    /// Open a ticket on an active subscription (the lines Rule applies to `--as`; without it
    /// the console is the helpdesk's phone line, a helpdesk agent audited as `cli`).
    Create {
        #[arg(long)]
        subscription: String,
        /// incident, service-request or question.
        #[arg(long)]
        kind: String,
        /// high, medium or low.
        #[arg(long)]
        impact: String,
        /// high, medium or low.
        #[arg(long)]
        urgency: String,
        #[arg(long)]
        title: String,
        /// The description (the title when absent).
        #[arg(long)]
        body: Option<String>,
        /// Open it as this user (the lines Rule decides).
        #[arg(long = "as")]
        as_user: Option<String>,
        /// A major incident (P1).
        #[arg(long)]
        major: bool,
        /// text or json (the API's document).
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// One ticket with its clocks, escalations and timeline.
    Show {
        reference: String,
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Recompute every open ticket's clocks now, on the catalogue's and the subscriptions'
    /// current terms (what a catalogue change does by itself, as a job, in chunks).
    Recompute,
    /// Tickets, the newest first.
    List {
        #[arg(long)]
        partner: Option<String>,
        /// Only those neither resolved nor closed.
        #[arg(long)]
        open: bool,
        #[arg(long, default_value = "text")]
        format: String,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum OncallCommand {
    /// Who is on duty at an instant (now by default): the user, or nobody, and why.
    Who {
        /// An instant (RFC 3339).
        #[arg(long)]
        at: Option<String>,
    },
}

async fn state_of(settings: &Settings, clock: Clock) -> Result<AppState, String> {
    let db = settings.open_db().await.map_err(|e| format!("{e:#}"))?;
    AppState::new(db, None, clock)
        .await
        .map_err(|e| format!("cannot load the catalogue: {e}"))
}

/// The console: the helpdesk's phone line.
fn console() -> Caller {
    Caller {
        actor: Actor::User(UserActor {
            email: "cli".into(),
            partner: None,
            grants: vec![Grant::unscoped(Role::HelpdeskAgent)],
        }),
        name: "cli".into(),
        session: None,
    }
}

pub async fn ticket(settings: &Settings, cmd: TicketCommand, clock: Clock) -> ExitCode {
    let state = match state_of(settings, clock).await {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let result = match cmd {
        TicketCommand::Create {
            subscription,
            kind,
            impact,
            urgency,
            title,
            body,
            as_user,
            major,
            format,
        } => {
            create(
                &state,
                OpenArgs {
                    subscription,
                    kind,
                    impact,
                    urgency,
                    body: body.unwrap_or_else(|| title.clone()),
                    title,
                    major,
                },
                as_user,
                &format,
            )
            .await
        }
        TicketCommand::Show { reference, format } => show(&state, &reference, &format).await,
        TicketCommand::Recompute => pacta_web::tickets::recompute_all(&state, state.now())
            .await
            .map(|n| {
                println!("recomputed {n} open tickets");
                ExitCode::SUCCESS
            }),
        TicketCommand::List {
            partner,
            open,
            format,
        } => list(&state, partner, open, &format).await,
    };
    state.db.close().await;
    result.unwrap_or_else(fail)
}

struct OpenArgs {
    subscription: String,
    kind: String,
    impact: String,
    urgency: String,
    title: String,
    body: String,
    major: bool,
}

async fn create(state: &AppState, a: OpenArgs, as_user: Option<String>, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let caller = match as_user {
        None => console(),
        Some(email) => {
            let user = state
                .db
                .user(Scope::All, &email)
                .await
                .map_err(|e| e.to_string())?
                .filter(|u| !u.disabled)
                .ok_or_else(|| format!("--as: no enabled user `{email}`"))?;
            Caller {
                actor: user.actor(),
                name: user.email,
                session: None,
            }
        }
    };
    let input = OpenInput {
        kind: Kind::parse(&a.kind).ok_or("--kind: incident, service-request or question")?,
        impact: Grade::parse(&a.impact).ok_or("--impact: high, medium or low")?,
        urgency: Grade::parse(&a.urgency).ok_or("--urgency: high, medium or low")?,
        subscription: a.subscription,
        title: a.title,
        body: a.body,
        major_incident: a.major,
    };
    let t = tickets::open(state, &caller, &input)
        .await
        .map_err(|e| format!("{} ({})", e.message, e.code))?;
    print(state, &t.reference, format).await
}

/// The operator reads every ticket, internal entries included.
fn operator() -> Caller {
    Caller {
        actor: Actor::Bootstrap,
        name: "cli".into(),
        session: None,
    }
}

async fn print(state: &AppState, reference: &str, format: Format) -> CliResult {
    let caller = operator();
    let t = tickets::readable(state, &caller, reference)
        .await
        .map_err(|e| e.message)?;
    let doc = tickets::document(state, &caller, &t)
        .await
        .map_err(|e| e.message)?;
    match format {
        Format::Json => println!("{doc}"),
        Format::Text => print_text(&doc),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(doc: &Value) {
    let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
    println!(
        "{} {} {} {} — {}",
        s(&doc["ref"]),
        s(&doc["priority"]),
        s(&doc["status"]),
        s(&doc["partner"]),
        s(&doc["title"])
    );
    for which in ["response", "resolution"] {
        let c = &doc["clocks"][which];
        let verdict = match c["met"].as_bool() {
            Some(true) => "met",
            Some(false) => "breached",
            None => "open",
        };
        println!(
            "  {which}: {} until {} ({verdict}, {} s business)",
            s(&c["state"]),
            s(&c["deadline"]),
            c["business_seconds"]
        );
    }
    for e in doc["escalations"].as_array().into_iter().flatten() {
        println!(
            "  escalated to {} at {} ({})",
            s(&e["to"]),
            s(&e["at"]),
            s(&e["why"])
        );
    }
    if let Some(at) = doc["on_call_page_at"].as_str() {
        println!("  on-call duty paged at {at}");
    }
}

async fn show(state: &AppState, reference: &str, format: &str) -> CliResult {
    let format = format_arg(format)?;
    print(state, reference, format).await
}

async fn list(state: &AppState, partner: Option<String>, open: bool, format: &str) -> CliResult {
    let format = format_arg(format)?;
    let filter = TicketFilter {
        partner,
        open,
        ..TicketFilter::default()
    };
    let items = state
        .db
        .list_tickets(Scope::All, &filter, 10_000, 0)
        .await
        .map_err(|e| e.to_string())?;
    match format {
        Format::Json => {
            let docs: Vec<Value> = items
                .iter()
                .map(|t| {
                    json!({"ref": t.reference, "partner": t.partner, "service": t.service,
                           "priority": t.priority.code(), "status": t.status.code(),
                           "title": t.title, "created_at": format_instant(t.created_at, zone())})
                })
                .collect();
            println!("{}", json!({ "items": docs }));
        }
        Format::Text => {
            for t in &items {
                println!(
                    "{} {} {} {} {} {}",
                    t.reference,
                    format_instant(t.created_at, zone()),
                    t.priority.code(),
                    t.status.code(),
                    t.partner,
                    t.title
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn oncall(settings: &Settings, cmd: OncallCommand, clock: Clock) -> ExitCode {
    let db = match settings.open_db().await {
        Ok(db) => db,
        Err(e) => return fail(format!("{e:#}")),
    };
    let OncallCommand::Who { at } = cmd;
    let result = async {
        let at = match at {
            Some(s) => parse_instant(&s).map_err(|e| format!("--at: {e}"))?,
            None => clock.now(),
        };
        let stored = db
            .oncall_roster(
                at.checked_sub(jiff::SignedDuration::from_secs(1))
                    .unwrap_or(at),
            )
            .await
            .map_err(|e| e.to_string())?;
        let (user, source) = stored.roster.who(at, zone());
        println!(
            "{}",
            json!({"at": format_instant(at, zone()), "user": user, "source": source.code()})
        );
        Ok(ExitCode::SUCCESS)
    }
    .await;
    db.close().await;
    result.unwrap_or_else(fail)
}
