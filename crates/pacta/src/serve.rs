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
/// The demo's partners.
pub const DEMO_PARTNERS: &str = include_str!("../../../demo/partners.yaml");
/// The demo's monitors.
pub const DEMO_MONITORS: &str = include_str!("../../../demo/monitors.yaml");
/// The password of every demo user (with `--demo` only).
pub const DEMO_PASSWORD: &str = "pacta-demo";

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080; also PACTA_LISTEN).
    #[arg(long)]
    pub listen: Option<String>,
    /// Load the demo catalogue into an empty catalogue (skipped, with a log line, otherwise).
    #[arg(long)]
    pub demo: bool,
    /// For tests only: "now" is T (RFC 3339) and stands still; `POST /api/v1/test/clock`
    /// moves it forward and runs the jobs due by then. No job runs by itself.
    #[arg(long, value_name = "T")]
    pub test_clock: Option<String>,
    /// Check no monitor in this process (another process, `pacta worker`, does; or nobody).
    /// Under `--test-clock` nothing is ever probed: results come by ingest.
    #[arg(long)]
    pub no_probes: bool,
}

pub async fn run(settings: &Settings, args: ServeArgs, clock: Clock) -> anyhow::Result<ExitCode> {
    let test_clock = match &args.test_clock {
        Some(t) => {
            let at = pacta_core::sla::instant::parse_instant(t)
                .map_err(|e| anyhow::anyhow!("--test-clock: {e}"))?;
            tracing::warn!(now = %t, "TEST CLOCK: time stands still at --test-clock and moves only by POST /api/v1/test/clock; never use this in production");
            Some(pacta_core::clock::SettableClock::new(at))
        }
        None => None,
    };
    let clock: Clock = match &test_clock {
        Some(c) => c.clone(),
        None => clock,
    };
    let mailer = settings.mailer()?;
    if !mailer.is_configured() {
        tracing::info!("smtp_url is not set: mails wait in the outbox (`pacta outbox list`)");
    }
    let addr = settings.listen_addr(args.listen.as_deref())?;
    let db = settings.open_db().await?;
    let public_url = settings.public_url(args.listen.as_deref())?;
    if args.demo {
        load_demo(&db, Stamp::new("demo", clock.now())).await?;
        load_demo_people(&db, Stamp::new("demo", clock.now())).await?;
        load_demo_subscriptions(&db, clock.now()).await?;
        load_demo_monitors(&db, Stamp::new("demo", clock.now())).await?;
        crate::demo_history::load_demo_history(&db, clock.now()).await?;
        print_demo_logins(&public_url);
    }
    let shutdown = CancellationToken::new();
    // The demo probes something real: its endpoints, unless nothing is probed here.
    let probing = test_clock.is_none() && !args.no_probes;
    let demo_targets = if args.demo && probing {
        let targets =
            crate::demo_targets::DemoTargets::start(clock.clone(), shutdown.clone()).await?;
        targets
            .retarget_all(&db, Stamp::new("demo", clock.now()))
            .await?;
        Some(targets)
    } else {
        None
    };
    if settings.admin_token.is_none() {
        tracing::info!("PACTA_ADMIN_TOKEN is not set: no bootstrap admin token; sign in as a user (`pacta user add EMAIL --name NAME --admin`)");
    }
    let state = AppState::new(db.clone(), settings.admin_token.clone(), clock)
        .await
        .context("cannot load the catalogue")?
        .with_public_url(&public_url)
        .with_mailer(mailer)
        .with_raw_results_days(settings.raw_results_days)
        .with_metrics_token(settings.metrics_token.as_deref())
        .with_oncall_webhook(
            settings.oncall_webhook_url.as_deref(),
            settings.oncall_webhook_secret.as_deref(),
        );
    if args.demo {
        if let Some(w) = pacta_web::maintenance::load_demo_window(&state)
            .await
            .map_err(|e| anyhow::anyhow!("the demo's maintenance window: {}", e.message))?
        {
            tracing::info!(window = %w.id, partners = w.partners().len(), "loaded the demo's maintenance window");
        }
        let opened = pacta_web::tickets::load_demo_tickets(&state)
            .await
            .map_err(|e| anyhow::anyhow!("the demo's tickets: {}", e.message))?;
        if opened > 0 {
            tracing::info!(
                tickets = opened,
                "loaded the demo's tickets and on-call roster"
            );
        }
    }
    let state = match test_clock {
        Some(c) => state.with_test_clock(c),
        None => {
            let mut tasks: Vec<std::sync::Arc<dyn pacta_web::background::Task>> = vec![
                std::sync::Arc::new(pacta_web::jobs::JobRunner::default()),
                std::sync::Arc::new(pacta_web::catalogue_watch::CatalogueWatch::default()),
            ];
            if args.no_probes {
                tracing::info!("--no-probes: this process checks no monitor");
            } else {
                let mut probes = pacta_web::probes::Probes::new(state.now());
                probes.lease_ttl = std::time::Duration::from_secs(settings.probe_lease_ttl);
                if let Some(demo) = &demo_targets {
                    probes.extra_roots.push(demo.root.clone());
                    let (name, value) = crate::demo_targets::DEMO_SECRET;
                    probes.secrets = std::sync::Arc::new(move |wanted: &str| {
                        std::env::var(wanted)
                            .ok()
                            .or_else(|| (wanted == name).then(|| value.to_owned()))
                    });
                }
                tasks.push(std::sync::Arc::new(probes));
            }
            state.with_background(tasks)
        }
    };
    // Every month closes at 01:00 on the 1st; a process that was down then closes it now.
    pacta_web::availability::schedule_closes(&state, 2)
        .await
        .map_err(|e| anyhow::anyhow!("cannot schedule the month closes: {}", e.message))?;
    pacta_web::availability::schedule_budget_checks(&state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot schedule the budget checks: {}", e.message))?;
    pacta_web::retention::schedule_retention(&state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot schedule the retention job: {}", e.message))?;
    cancel_on_signal(shutdown.clone())?;
    serve_metrics(settings, &state, &shutdown).await?;
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

/// `/metrics` on the separate `metrics_listen` address, when one is set, until `shutdown`.
pub(crate) async fn serve_metrics(
    settings: &Settings,
    state: &AppState,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let Some(addr) = &settings.metrics_listen else {
        return Ok(());
    };
    let addr: std::net::SocketAddr = addr.parse().with_context(|| {
        format!("metrics_listen `{addr}` is not an address such as 127.0.0.1:9091")
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} for /metrics"))?;
    tracing::info!(address = %listener.local_addr()?, "answering /metrics");
    let app = pacta_web::metrics::open_router(state.clone());
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
    });
    Ok(())
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

/// The demo's people: a user of every provider role (`<role>@provider.example`; the service
/// manager over every demo service, the PRM over every demo partner) and, per demo partner, a
/// user of every partner role (`<role>@<partner code in lower case>.example`).
fn demo_people(
    services: &[String],
    partners: &[pacta_core::partner::Partner],
) -> Vec<pacta_core::access::User> {
    use pacta_core::access::{Grant, Role, User};
    let mut people = Vec::new();
    let codes: Vec<&str> = partners.iter().map(|p| p.code.as_str()).collect();
    let services: Vec<&str> = services.iter().map(String::as_str).collect();
    for role in Role::ALL.into_iter().filter(|r| !r.is_partner_role()) {
        let grant = match role {
            Role::ServiceManager => Grant::scoped(role, &services),
            Role::Prm => Grant::scoped(role, &codes),
            _ => Grant::unscoped(role),
        };
        people.push(User {
            email: format!("{role}@provider.example"),
            name: format!("Demo {role}"),
            partner: None,
            lang: pacta_core::text::Lang::En,
            roles: vec![grant],
            disabled: false,
        });
    }
    for partner in partners {
        for role in Role::ALL.into_iter().filter(|r| r.is_partner_role()) {
            people.push(User {
                email: format!("{role}@{}.example", partner.code.to_lowercase()),
                name: format!("Demo {role} ({})", partner.code),
                partner: Some(partner.code.clone()),
                lang: partner.lang,
                roles: vec![Grant::unscoped(role)],
                disabled: false,
            });
        }
    }
    people
}

fn demo_partners() -> anyhow::Result<Vec<pacta_core::partner::Partner>> {
    let doc = pacta_core::catalogue::document::parse_yaml(DEMO_PARTNERS)
        .map_err(|e| anyhow::anyhow!("demo partners: {e}"))?;
    pacta_core::partner::read_partners(&doc).map_err(|issues| {
        anyhow::anyhow!(
            "demo partners are invalid: {}",
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })
}

/// Loads the demo's partners and people (password `pacta-demo`), but only where there are no
/// partners yet.
pub async fn load_demo_people(db: &pacta_store::Db, stamp: Stamp<'_>) -> anyhow::Result<()> {
    use pacta_store::Scope;
    if !db.list_partners(Scope::All).await?.is_empty() {
        tracing::info!("there are partners already: skipped loading the demo's partners and users");
        return Ok(());
    }
    let partners = demo_partners()?;
    db.import_partners(&partners, stamp).await?;
    let services: Vec<String> = db
        .load_catalogue()
        .await?
        .catalogue
        .services
        .iter()
        .filter(|s| s.status == pacta_core::catalogue::Lifecycle::Published)
        .map(|s| s.code.clone())
        .collect();
    // One hash for every demo user: they share the password, and argon2id is slow on purpose.
    let hash =
        tokio::task::spawn_blocking(|| pacta_store::credentials::hash_password(DEMO_PASSWORD))
            .await
            .context("hashing the demo password")?;
    let people = demo_people(&services, &partners);
    for user in &people {
        db.add_user(user, Some(&hash), stamp).await?;
    }
    for mut partner in partners {
        partner.prm = Some("prm@provider.example".into());
        db.update_partner(&partner, 1, stamp).await?;
    }
    tracing::info!(users = people.len(), "loaded the demo's partners and users");
    Ok(())
}

/// Loads the demo's monitors (`demo/monitors.yaml`), but only where there are no monitors yet.
pub async fn load_demo_monitors(db: &pacta_store::Db, stamp: Stamp<'_>) -> anyhow::Result<()> {
    use pacta_store::monitors::MonitorFilter;
    use pacta_store::Scope;
    if !db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await?
        .is_empty()
    {
        tracing::info!("there are monitors already: skipped the demo's");
        return Ok(());
    }
    let services: std::collections::BTreeSet<String> = db
        .load_catalogue()
        .await?
        .catalogue
        .services
        .into_iter()
        .map(|s| s.code)
        .collect();
    let doc = pacta_core::catalogue::document::parse_yaml(DEMO_MONITORS)
        .map_err(|e| anyhow::anyhow!("demo monitors: {e}"))?;
    let monitors =
        pacta_core::monitor::read_monitors(&doc, &Default::default()).map_err(|issues| {
            anyhow::anyhow!(
                "demo monitors are invalid: {}",
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
    // Over a catalogue that is not the demo's, the monitors of services it lacks are left out.
    let monitors: Vec<_> = monitors
        .into_iter()
        .filter(|m| m.service.as_ref().is_some_and(|s| services.contains(s)))
        .collect();
    let written = db.import_monitors(&monitors, stamp).await?;
    tracing::info!(monitors = written, "loaded the demo's monitors");
    Ok(())
}

/// The demo's subscriptions, where there are none yet: per demo partner, an active one to
/// MAIL-AGENDA (and DEMO-NL also to WEB-HOSTING and STORAGE-BACKUP), begun 120 days before `now`
/// with a history of request, approval and activation; and DEMO-SMALL's request for COLLABORATION
/// from two weeks on, waiting for approval. Each on the first pack of the published version.
pub async fn load_demo_subscriptions(
    db: &pacta_store::Db,
    now: jiff::Timestamp,
) -> anyhow::Result<()> {
    use pacta_core::subscription::{activation_at, today, Move, State};
    use pacta_store::subscriptions::{Effects, NewSubscription, Step};
    use pacta_store::Scope;
    if !db
        .list_subscriptions(Scope::All, &Default::default())
        .await?
        .is_empty()
    {
        tracing::info!("there are subscriptions already: skipped the demo's");
        return Ok(());
    }
    let stored = db.load_catalogue().await?;
    let partners: Vec<String> = db
        .list_partners(Scope::All)
        .await?
        .into_iter()
        .map(|p| p.partner.code)
        .filter(|c| c.starts_with("DEMO-"))
        .collect();
    let day = jiff::SignedDuration::from_hours(24);
    let today = today(now);
    let mut wanted: Vec<(String, &str, i64, bool)> = Vec::new();
    for p in &partners {
        wanted.push((p.clone(), "MAIL-AGENDA", -120, true));
        if p == "DEMO-NL" {
            wanted.push((p.clone(), "WEB-HOSTING", -120, true));
            wanted.push((p.clone(), "STORAGE-BACKUP", -100, true));
        }
        if p == "DEMO-SMALL" {
            wanted.push((p.clone(), "COLLABORATION", 14, false));
        }
    }
    let mut made = 0;
    for (partner, code, offset_days, active) in wanted {
        let (Some(service), Some(&version)) = (
            stored.catalogue.services.iter().find(|s| s.code == code),
            stored.versions.get(code),
        ) else {
            continue;
        };
        let Some(pack) = service.packs.first() else {
            continue;
        };
        let selection = pacta_core::catalogue::rules::Selection {
            pack: pack.code.clone(),
            level: None,
            options: vec![],
            quantity: 25,
        };
        if pacta_core::catalogue::rules::quote(service, &stored.catalogue.levels, &selection)
            .is_err()
        {
            continue;
        }
        let start = today.checked_add(jiff::Span::new().days(offset_days))?;
        let start_at = activation_at(start);
        let requested_at = if active {
            start_at.checked_sub(day * 14)?
        } else {
            now
        };
        let new = NewSubscription {
            partner: partner.clone(),
            service: code.to_owned(),
            service_version: version,
            pack: pack.code.clone(),
            level: None,
            options: vec![],
            quantity: 25,
            start_date: start,
            end_date: None,
        };
        let requester = format!("partner-admin@{}.example", partner.to_lowercase());
        let s = db
            .request_subscription(
                &new,
                &Effects::default(),
                Stamp::new(&requester, requested_at),
            )
            .await?;
        if active {
            let approve = Step {
                action: Move::Approve.code(),
                to: State::Approved,
                reason: None,
            };
            let manager = "service-manager@provider.example";
            db.transition_subscription(
                &s.id,
                State::Requested,
                &[approve],
                None,
                &Effects::default(),
                Stamp::new(manager, start_at.checked_sub(day * 10)?),
            )
            .await?;
            let activate = Step {
                action: Move::Activate.code(),
                to: State::Active,
                reason: None,
            };
            db.transition_subscription(
                &s.id,
                State::Approved,
                &[activate],
                None,
                &Effects::default(),
                Stamp::new("pacta", start_at),
            )
            .await?;
        }
        made += 1;
    }
    tracing::info!(subscriptions = made, "loaded the demo's subscriptions");
    Ok(())
}

/// Prints the demo's sign-ins on stdout.
fn print_demo_logins(public_url: &str) {
    let Ok(partners) = demo_partners() else {
        return;
    };
    println!("Demo sign-ins at {public_url}/en/login — every password is `{DEMO_PASSWORD}`:");
    for user in demo_people(&[], &partners) {
        let roles: Vec<String> = user.roles.iter().map(|g| g.role.to_string()).collect();
        let of = user.partner.map(|p| format!(" of {p}")).unwrap_or_default();
        println!("  {:<40} {}{of}", user.email, roles.join(", "));
    }
}

/// Cancels `shutdown` at SIGTERM or Ctrl-C. The handlers are installed before the server
/// announces itself, so that a signal sent right after "listening" is never missed.
pub(crate) fn cancel_on_signal(shutdown: CancellationToken) -> anyhow::Result<()> {
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
