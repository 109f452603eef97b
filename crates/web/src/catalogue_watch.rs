//! Several processes on one database see each other's catalogue writes (issue 11, "Where it
//! runs"): each keeps the catalogue in memory (its snapshot), and this task compares the
//! database's catalogue revision with the snapshot's every half second, rebuilding the snapshot
//! when another process has written. A write made through this process refreshes it at once.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::background::{Task, TaskFuture};
use crate::state::AppState;

/// The revision check.
pub struct CatalogueWatch {
    pub every: Duration,
}

impl Default for CatalogueWatch {
    fn default() -> CatalogueWatch {
        CatalogueWatch {
            every: Duration::from_millis(500),
        }
    }
}

impl Task for CatalogueWatch {
    fn name(&self) -> &'static str {
        "catalogue-watch"
    }

    fn run(&self, state: AppState, shutdown: CancellationToken) -> TaskFuture {
        let every = self.every;
        Box::pin(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
                match state.db.catalogue_revision().await {
                    Ok(revision) if revision != state.snapshot().revision() => {
                        // Under the write lock, so a write of this process and the rebuild
                        // never interleave.
                        let _writes = state.lock_writes().await;
                        if let Err(e) = state.refresh().await {
                            tracing::warn!(error = %e, "cannot reload the catalogue");
                        } else {
                            tracing::info!(
                                revision,
                                "the catalogue changed in another process: reloaded"
                            );
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot read the catalogue's revision"),
                }
            }
        })
    }
}
