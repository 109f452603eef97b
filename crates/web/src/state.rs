//! Shared application state: the database, the catalogue snapshot, the clock and the
//! configuration.

use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use pacta_core::clock::Clock;
use pacta_store::{Db, Stamp};

use crate::background::Task;
use crate::snapshot::Snapshot;

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
        })
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
    pub async fn refresh(&self) -> Result<(), pacta_store::StoreError> {
        let stored = self.db.load_catalogue().await?;
        let snapshot = Arc::new(Snapshot::build(stored));
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = snapshot;
        Ok(())
    }
}
