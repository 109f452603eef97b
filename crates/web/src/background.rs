//! Work that runs beside the HTTP server, in the same process and under the same graceful
//! shutdown: the job runner (activation, month close, tacit consent, escalation) and the prober
//! will live here. [`crate::serve`] starts every [`Task`] of the state when it starts listening
//! and, once the shutdown token is cancelled, waits for each to return before it does.

use std::future::Future;
use std::pin::Pin;

use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// A boxed future, as a task returns it.
pub type TaskFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A long-running piece of background work.
///
/// `run` works until `shutdown` is cancelled, then finishes what it holds (a job it has leased, a
/// batch of results) and returns. It reads "now" from the state's clock, never from the system.
pub trait Task: Send + Sync + 'static {
    /// A name for the logs.
    fn name(&self) -> &'static str;
    /// The work itself.
    fn run(&self, state: AppState, shutdown: CancellationToken) -> TaskFuture;
}

/// Runs every task of `state` until each has returned. A task that returns before the shutdown,
/// or panics, is logged: the others go on, and the server keeps answering.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let mut running = tokio::task::JoinSet::new();
    let mut names = std::collections::HashMap::new();
    for task in state.background() {
        let name = task.name();
        let handle = running.spawn(task.run(state.clone(), shutdown.child_token()));
        names.insert(handle.id(), name);
        tracing::info!(task = name, "background task started");
    }
    while let Some(done) = running.join_next_with_id().await {
        let id = match &done {
            Ok((id, ())) => *id,
            Err(e) => e.id(),
        };
        let name = names.get(&id).copied().unwrap_or("?");
        match done {
            Ok(_) if shutdown.is_cancelled() => {
                tracing::info!(task = name, "background task stopped")
            }
            Ok(_) => tracing::error!(task = name, "background task ended before the shutdown"),
            Err(e) => tracing::error!(task = name, error = %e, "background task failed"),
        }
    }
}
