//! The probes of `pacta serve` (issue 11, point 3): every monitor of the store, checked by the
//! monitor crate's scheduler, its results written through the very ingest of
//! `POST /api/v1/monitors/{id}/results` — so outages, their mails and the error-budget checks
//! follow from probed results exactly as from ingested ones. Not under `serve --test-clock`
//! (results then come by ingest) nor `serve --no-probes`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use pacta_core::monitor::CheckResult;
use pacta_monitor::scheduler::{
    BoxFuture, MonitorResults, ResultSink, Scheduled, Scheduler, SinkError,
};
use pacta_monitor::{Prepared, Prober};
use pacta_store::monitors::{MonitorFilter, StoredMonitor};
use pacta_store::probe_leases::shard_of;
use pacta_store::{Scope, Stamp};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::background::{Task, TaskFuture};
use crate::metrics::{KindLabels, MonitorLabels};
use crate::state::AppState;

/// Who the audit names for probed results.
pub const PROBER: &str = "prober";

/// Reads a header secret (`${env:NAME}`) by its name.
pub type SecretSource = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What the probes of this process are doing, for `/healthz` and `/metrics`.
#[derive(Debug, Default, Clone)]
pub struct ProbeStatus {
    pub shards: Arc<RwLock<Vec<i64>>>,
    pub stats: Arc<RwLock<Option<Arc<pacta_monitor::scheduler::Stats>>>>,
}

/// The probing task.
pub struct Probes {
    /// How often the monitors are read again (added, changed and deleted ones take effect).
    pub refresh_every: Duration,
    /// How long this prober's leases on its monitors run without being renewed: a prober that
    /// dies loses its monitors to the others after that (`PACTA_PROBE_LEASE_TTL`).
    pub lease_ttl: Duration,
    /// This prober's name among the probers (process id and start).
    pub holder: String,
    /// Roots trusted beside Mozilla's (a private CA of the services monitored; the demo's).
    pub extra_roots: Vec<pacta_monitor::CertificateDer<'static>>,
    /// Where header secrets come from: the process's environment.
    pub secrets: SecretSource,
    pub status: ProbeStatus,
}

impl Probes {
    /// The probes of this process, named by its id and `start` (its clock's instant).
    pub fn new(start: jiff::Timestamp) -> Probes {
        Probes {
            refresh_every: Duration::from_secs(5),
            lease_ttl: Duration::from_secs(30),
            holder: format!("{}-{}", std::process::id(), start.as_millisecond()),
            extra_roots: Vec::new(),
            secrets: Arc::new(|name: &str| std::env::var(name).ok()),
            status: ProbeStatus::default(),
        }
    }
}

/// The monitors as the sink knows them (by id): the ingest needs the stored monitor.
type Known = Arc<RwLock<HashMap<String, StoredMonitor>>>;

/// Writes results through the ingest of the API.
struct IngestSink {
    state: AppState,
    known: Known,
}

/// Where the probes write the results of `monitors`: the ingest of the API, several monitors in
/// one transaction; a monitor not among them (deleted) is refused.
pub fn ingest_sink(state: AppState, monitors: Vec<StoredMonitor>) -> Arc<dyn ResultSink> {
    let known = monitors.into_iter().map(|m| (m.id.clone(), m)).collect();
    Arc::new(IngestSink {
        state,
        known: Arc::new(RwLock::new(known)),
    })
}

impl IngestSink {
    /// The latency histogram and up/down gauge of a monitor whose results were written.
    fn record(&self, m: &StoredMonitor, results: &[CheckResult]) {
        let metrics = self.state.metrics();
        let latency = metrics.probe_latency.get_or_create(&KindLabels {
            kind: m.monitor.kind().code().to_owned(),
        });
        for r in results {
            if let Some(ms) = r.latency_ms {
                latency.observe(f64::from(ms) / 1000.0);
            }
        }
        if let Some(last) = results.last() {
            metrics
                .monitor_up
                .get_or_create(&MonitorLabels {
                    monitor: m.monitor.code.clone(),
                    service: m.service.clone(),
                })
                .set(i64::from(last.ok));
        }
    }

    /// Writes one monitor's results alone: how the monitor whose results are refused is told
    /// from the others.
    async fn write_one(&self, m: &StoredMonitor, results: &[CheckResult]) -> Result<(), SinkError> {
        let stamp = Stamp::new(PROBER, self.state.now());
        match crate::api::monitors::ingest(&self.state, m, results, stamp).await {
            Ok(_) => {
                self.record(m, results);
                Ok(())
            }
            Err(e) if e.status.is_client_error() => Err(SinkError::Refused(e.message)),
            Err(e) => Err(SinkError::Unavailable(e.message)),
        }
    }
}

impl ResultSink for IngestSink {
    fn write<'a>(
        &'a self,
        batch: &'a [MonitorResults],
    ) -> BoxFuture<'a, Vec<Result<(), SinkError>>> {
        Box::pin(async move {
            let known: Vec<Option<StoredMonitor>> = {
                let known = self.known.read().unwrap_or_else(|p| p.into_inner());
                batch
                    .iter()
                    .map(|(id, _)| known.get(&**id).cloned())
                    .collect()
            };
            let mut outcomes: Vec<Result<(), SinkError>> = known
                .iter()
                .map(|m| match m {
                    Some(_) => Ok(()),
                    None => Err(SinkError::Refused("the monitor was deleted".into())),
                })
                .collect();
            let items: Vec<(usize, &StoredMonitor, &[CheckResult])> = known
                .iter()
                .zip(batch)
                .enumerate()
                .filter_map(|(k, (m, (_, results)))| Some((k, m.as_ref()?, results.as_slice())))
                .collect();
            if items.is_empty() {
                return outcomes;
            }
            let together: Vec<(&StoredMonitor, &[CheckResult])> =
                items.iter().map(|&(_, m, rs)| (m, rs)).collect();
            let stamp = Stamp::new(PROBER, self.state.now());
            match crate::api::monitors::ingest_many(&self.state, &together, stamp).await {
                Ok(_) => {
                    for (_, m, results) in &items {
                        self.record(m, results);
                    }
                }
                // Some monitor's results are refused, and so were all: each alone now, so
                // only that monitor's are lost.
                Err(e) if e.status.is_client_error() => {
                    for &(k, m, results) in &items {
                        outcomes[k] = self.write_one(m, results).await;
                    }
                }
                Err(e) => {
                    for &(k, _, _) in &items {
                        outcomes[k] = Err(SinkError::Unavailable(e.message.clone()));
                    }
                }
            }
            outcomes
        })
    }
}

/// A revision of a monitor's settings (the store's, bumped by every change): a change
/// restarts its schedule.
fn revision(m: &StoredMonitor) -> u64 {
    u64::try_from(m.revision).unwrap_or(0)
}

/// The monitors to run, prepared; each that cannot be is logged once per revision.
fn prepare_all(
    prober: &Prober,
    monitors: &[StoredMonitor],
    secrets: &SecretSource,
    reported: &mut HashMap<String, u64>,
) -> Vec<Scheduled<Prepared>> {
    let env = |name: &str| secrets(name);
    let mut out = Vec::with_capacity(monitors.len());
    for m in monitors {
        let rev = revision(m);
        match prober.prepare(&m.monitor, &env) {
            Ok(prepared) => out.push(Scheduled {
                id: m.id.clone(),
                interval: Duration::from_secs(u64::try_from(m.monitor.interval.0).unwrap_or(60)),
                revision: rev,
                check: Arc::new(prepared),
            }),
            Err(e) => {
                if reported.insert(m.id.clone(), rev) != Some(rev) {
                    tracing::warn!(monitor = %m.monitor.code, error = %e, "monitor not checked: its time stays unmonitored until this is fixed");
                }
            }
        }
    }
    out
}

impl Task for Probes {
    fn name(&self) -> &'static str {
        "probes"
    }

    fn run(&self, state: AppState, shutdown: CancellationToken) -> TaskFuture {
        let refresh_every = self.refresh_every;
        let lease_ttl = self.lease_ttl;
        let holder = self.holder.clone();
        let extra_roots = self.extra_roots.clone();
        let secrets = self.secrets.clone();
        let status = self.status.clone();
        Box::pin(async move {
            let prober = match Prober::new(state.clock().clone(), &extra_roots) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "the probes cannot start: no monitor is checked");
                    return;
                }
            };
            let known: Known = Arc::default();
            let sink = Arc::new(IngestSink {
                state: state.clone(),
                known: known.clone(),
            });
            let scheduler = Scheduler::new(Arc::new(prober.clone()), sink, state.clock().clone());
            *status.stats.write().unwrap_or_else(|p| p.into_inner()) =
                Some(scheduler.stats.clone());
            state.metrics().register_probes(&scheduler.stats);
            let (tx, rx) = watch::channel(Vec::new());
            // The leases are renewed three times per lease at least, the monitors read as often.
            let every = refresh_every
                .min(lease_ttl / 3)
                .max(Duration::from_millis(100));
            let ttl = i64::try_from(lease_ttl.as_secs()).unwrap_or(30).max(1);
            let refresh = async {
                let mut reported = HashMap::new();
                let mut last: Vec<(String, u64)> = Vec::new();
                let mut waiting_told = false;
                loop {
                    let now = state.now().as_second();
                    match state.db.claim_probe_shards(&holder, now, ttl).await {
                        Ok(leases) => {
                            if state.db.kind() == pacta_store::DbKind::Sqlite
                                && leases.shards.is_empty()
                                && !waiting_told
                            {
                                tracing::warn!(other = %leases.others.join(", "), "SQLite allows one prober process and another one probes the monitors: this one checks none, and takes over if that one stops");
                                waiting_told = true;
                            }
                            if !leases.shards.is_empty() {
                                waiting_told = false;
                            }
                            *status.shards.write().unwrap_or_else(|p| p.into_inner()) =
                                leases.shards.clone();
                            let held: std::collections::BTreeSet<i64> =
                                leases.shards.into_iter().collect();
                            match state
                                .db
                                .list_monitors(Scope::All, &MonitorFilter::default())
                                .await
                            {
                                Ok(monitors) => {
                                    let mine: Vec<StoredMonitor> = monitors
                                        .into_iter()
                                        .filter(|m| held.contains(&shard_of(m.seq)))
                                        .collect();
                                    let now: Vec<(String, u64)> =
                                        mine.iter().map(|m| (m.id.clone(), revision(m))).collect();
                                    if now != last {
                                        let scheduled =
                                            prepare_all(&prober, &mine, &secrets, &mut reported);
                                        tracing::info!(
                                            monitors = scheduled.len(),
                                            shards = held.len(),
                                            "probing"
                                        );
                                        *known.write().unwrap_or_else(|p| p.into_inner()) =
                                            mine.into_iter().map(|m| (m.id.clone(), m)).collect();
                                        let _ = tx.send(scheduled);
                                        last = now;
                                    }
                                }
                                Err(e) => {
                                    tracing::warn!(error = %e, "cannot read the monitors: probing the ones known")
                                }
                            }
                        }
                        Err(e) => {
                            // Without a renewed lease another prober may take these monitors
                            // over: checking them on would double their results.
                            tracing::warn!(error = %e, "cannot renew the probe leases");
                        }
                    }
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(every) => {}
                    }
                }
            };
            tokio::join!(scheduler.run(rx, shutdown.clone()), refresh);
            // Stopped: what was held is written (the scheduler's last flush); the shards go
            // back at once, for another prober to take.
            if let Err(e) = state.db.release_probe_shards(&holder).await {
                tracing::warn!(error = %e, "cannot give back the probe leases: they expire");
            }
        })
    }
}
