//! Shared application state: the database, the catalogue snapshot, the clock and the
//! configuration.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use jiff::Timestamp;
use pacta_core::catalogue::Service;
use pacta_core::clock::{Clock, SettableClock};
use pacta_store::{Db, Stamp};

use crate::background::Task;
use crate::snapshot::Snapshot;

/// Service versions by (code, version).
type VersionCache = HashMap<(String, i64), Arc<Service>>;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    snapshot: Arc<RwLock<Arc<Snapshot>>>,
    /// Serialises catalogue writes with the snapshot rebuild that follows them, so a reader never
    /// sees a snapshot older than a write that has answered.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    pub admin_token: Option<Arc<str>>,
    /// "Now", for every handler and every write: the system clock in production, a settable
    /// one in tests.
    clock: Clock,
    /// The work [`crate::serve`] runs beside the HTTP server.
    background: Arc<[Arc<dyn Task>]>,
    /// The base of every link Pacta writes (`public_url`), without a trailing slash.
    public_url: Arc<str>,
    /// Failed sign-ins per account and per address.
    pub throttle: Arc<crate::throttle::Throttle>,
    /// Where passwords are hashed and checked: never on the async workers.
    hashing: crate::hashing::HashingPool,
    /// `serve --test-clock`: the clock that `POST /api/v1/test/clock` moves (also [`Self::clock`]).
    test_clock: Option<Arc<SettableClock>>,
    /// Runs of due jobs one at a time in this process (the test clock's and the runner's).
    jobs_lock: Arc<tokio::sync::Mutex<()>>,
    /// Moves of the test clock one at a time: the check "forward only" and the move are one.
    clock_lock: Arc<tokio::sync::Mutex<()>>,
    /// The lease owner's name of this process's job runs.
    runner: Arc<str>,
    /// SMTP, or none (mails then wait in the outbox).
    mailer: crate::mail::Mailer,
    /// Published versions of services, as read once: a version never changes.
    versions: Arc<Mutex<VersionCache>>,
    /// Days raw results are kept (`raw_results_days`); the retention job prunes the rest.
    raw_results_days: i64,
    /// The process's Prometheus metrics.
    metrics: Arc<crate::metrics::Metrics>,
    /// The bearer token that reads `/metrics` (`metrics_token`), beside an admin's.
    metrics_token: Option<Arc<str>>,
    /// Where on-call pages are POSTed (an SMS gateway), and the secret that signs them.
    oncall_webhook: Option<Arc<(String, String)>>,
    /// The dashboard's in-memory view of the current status.
    pub live: Arc<crate::dashboard::LiveView>,
}

impl AppState {
    /// Loads the catalogue and builds the first snapshot.
    pub async fn new(
        db: Db,
        admin_token: Option<String>,
        clock: Clock,
    ) -> Result<AppState, pacta_store::StoreError> {
        let stored = db.load_catalogue().await?;
        Ok(AppState {
            db,
            snapshot: Arc::new(RwLock::new(Arc::new(Snapshot::build(stored)))),
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            admin_token: admin_token.filter(|t| !t.is_empty()).map(Arc::from),
            clock,
            background: Arc::new([]),
            public_url: Arc::from("http://127.0.0.1:8080"),
            throttle: Arc::default(),
            hashing: crate::hashing::HashingPool::new(),
            test_clock: None,
            jobs_lock: Arc::default(),
            clock_lock: Arc::default(),
            runner: Arc::from(format!("pacta-{}", std::process::id())),
            mailer: crate::mail::Mailer::new(None, "pacta@localhost")
                .unwrap_or_else(|e| unreachable!("a plain address is a mailbox: {e}")),
            versions: Arc::default(),
            raw_results_days: pacta_core::retention::DEFAULT_RAW_DAYS,
            metrics: Arc::default(),
            metrics_token: None,
            oncall_webhook: None,
            live: Arc::default(),
        })
    }

    /// Keeps raw results `days` days (at least one).
    pub fn with_raw_results_days(mut self, days: i64) -> AppState {
        self.raw_results_days = days.max(1);
        self
    }

    /// Days raw results are kept.
    pub fn raw_results_days(&self) -> i64 {
        self.raw_results_days
    }

    /// `/metrics` also answers this bearer token.
    pub fn with_metrics_token(mut self, token: Option<&str>) -> AppState {
        self.metrics_token = token.filter(|t| !t.is_empty()).map(Arc::from);
        self
    }

    pub fn metrics_token(&self) -> Option<&str> {
        self.metrics_token.as_deref()
    }

    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.metrics
    }

    /// The same state on a test clock (`serve --test-clock`): "now" is what it shows, and
    /// `/api/v1/test/clock` moves it.
    pub fn with_test_clock(mut self, clock: Arc<SettableClock>) -> AppState {
        self.clock = clock.clone();
        self.test_clock = Some(clock);
        self
    }

    pub fn test_clock(&self) -> Option<&Arc<SettableClock>> {
        self.test_clock.as_ref()
    }

    /// The same state sending mail through `mailer`.
    pub fn with_mailer(mut self, mailer: crate::mail::Mailer) -> AppState {
        self.mailer = mailer;
        self
    }

    pub fn mailer(&self) -> &crate::mail::Mailer {
        &self.mailer
    }

    /// Holds moves of the test clock one at a time.
    pub async fn lock_test_clock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.clock_lock.lock().await
    }

    /// Holds runs of due jobs one at a time.
    pub async fn lock_jobs(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.jobs_lock.lock().await
    }

    /// The lease owner's name of this process.
    pub fn runner(&self) -> &str {
        &self.runner
    }

    /// Version `version` of service `code`, as published (read once, then kept).
    pub async fn service_version(
        &self,
        code: &str,
        version: i64,
    ) -> Result<Option<Arc<Service>>, pacta_store::StoreError> {
        let key = (code.to_owned(), version);
        if let Some(s) = self
            .versions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(Some(s.clone()));
        }
        let Some(service) = self.db.service_version(code, version).await? else {
            return Ok(None);
        };
        let service = Arc::new(service);
        self.versions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, service.clone());
        Ok(Some(service))
    }

    /// Runs a password hash or check (argon2id, tens of milliseconds) on the hashing threads.
    pub async fn hashing<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        self.hashing.run(work).await
    }

    /// The same state with the base of the links it writes (`https://…` makes cookies `Secure`
    /// and adds HSTS).
    pub fn with_public_url(mut self, url: &str) -> AppState {
        self.public_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    /// The same state paging on-call through a webhook at `url`, signed with `secret`.
    pub fn with_oncall_webhook(mut self, url: Option<&str>, secret: Option<&str>) -> AppState {
        self.oncall_webhook = match (url, secret) {
            (Some(u), Some(s)) if !u.is_empty() && !s.is_empty() => {
                Some(Arc::new((u.to_owned(), s.to_owned())))
            }
            _ => None,
        };
        self
    }

    /// The on-call webhook's URL and secret, if configured.
    pub fn oncall_webhook(&self) -> Option<(&str, &str)> {
        self.oncall_webhook
            .as_deref()
            .map(|(u, s)| (u.as_str(), s.as_str()))
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Whether Pacta is served over https (by its public URL).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The same state with background work for [`crate::serve`] to run.
    pub fn with_background(mut self, tasks: Vec<Arc<dyn Task>>) -> AppState {
        self.background = tasks.into();
        self
    }

    pub fn background(&self) -> &[Arc<dyn Task>] {
        &self.background
    }

    /// The current instant, from the state's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A write by `actor`, now.
    pub fn stamp<'a>(&self, actor: &'a str) -> Stamp<'a> {
        Stamp::new(actor, self.now())
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Holds catalogue writes one at a time.
    pub async fn lock_writes(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.write_lock.lock().await
    }

    /// Rebuilds the snapshot from the database after a write.
    /// When a calendar, a level or the helpdesk's calendar changed, the open tickets' clocks are
    /// recomputed (a job, in chunks).
    pub async fn refresh(&self) -> Result<(), pacta_store::StoreError> {
        let stored = self.db.load_catalogue().await?;
        let snapshot = Arc::new(Snapshot::build(stored));
        let before = self.snapshot();
        let clocks_of = |s: &Snapshot| {
            let c = &s.stored.catalogue;
            (
                c.calendars.clone(),
                c.levels.clone(),
                c.helpdesk_calendar().to_owned(),
            )
        };
        let changed = clocks_of(&before) != clocks_of(&snapshot);
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = snapshot;
        if changed {
            crate::tickets::request_recompute(self).await?;
        }
        Ok(())
    }
}
