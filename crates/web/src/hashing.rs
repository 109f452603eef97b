//! Where passwords are hashed and checked. argon2id costs tens of milliseconds of CPU, so it never
//! runs on the async workers (a burst of sign-ins would stall every other request), but on a small
//! pool of its own threads in Linux's `SCHED_IDLE` class: whenever a request is ready to run, the
//! scheduler gives it the core at once, and a hash goes on when a core is free. Measured (see
//! BENCHMARKS.md, issue 8): at normal priority, and even at niceness 10, 20 sign-ins a second
//! raised the p99 of concurrent catalogue reads five- to fifteenfold on two cores; in `SCHED_IDLE`
//! it stays within its noise, and a sign-in still takes its ~15 ms while the machine has room.
//! The price, on a machine saturated by other work, is that sign-ins wait for it.

use std::sync::Arc;

/// A bounded pool of hashing threads; cloning shares it.
#[derive(Clone)]
pub struct HashingPool {
    pool: Arc<rayon::ThreadPool>,
}

impl std::fmt::Debug for HashingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashingPool")
            .field("threads", &self.pool.current_num_threads())
            .finish()
    }
}

impl HashingPool {
    /// One thread per core: in the idle class they only ever take what requests leave.
    pub fn new() -> HashingPool {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashingPool::with_threads(cores)
    }

    pub fn with_threads(threads: usize) -> HashingPool {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("pacta-hashing-{i}"))
            .start_handler(|_| lower_priority())
            .build()
            .unwrap_or_else(|e| panic!("cannot start the password hashing threads: {e}"));
        HashingPool {
            pool: Arc::new(pool),
        }
    }

    /// Runs `work` on a hashing thread and waits for it without blocking the caller's thread;
    /// work beyond the pool's threads queues.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            // The receiver only goes away when the request was abandoned.
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
        });
        match rx.await {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => unreachable!("a hashing thread always answers"),
        }
    }
}

impl Default for HashingPool {
    fn default() -> HashingPool {
        HashingPool::new()
    }
}

/// Puts the calling thread in the idle scheduling class (Linux keeps a policy per thread). Where
/// that is not allowed, the thread keeps its priority and says so: only the readers' tail latency
/// suffers.
fn lower_priority() {
    use thread_priority::{
        set_thread_priority_and_policy, thread_native_id, NormalThreadSchedulePolicy,
        ThreadPriority, ThreadSchedulePolicy,
    };
    if let Err(e) = set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
    ) {
        tracing::warn!(error = ?e, "cannot lower the priority of a password hashing thread");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_a_hashing_thread_at_the_lower_priority() {
        let pool = HashingPool::with_threads(1);
        let (name, stat) = pool
            .run(|| {
                (
                    std::thread::current().name().map(str::to_owned),
                    std::fs::read_to_string("/proc/thread-self/stat").ok(),
                )
            })
            .await;
        assert_eq!(name.as_deref(), Some("pacta-hashing-0"));
        if let Some(stat) = stat {
            // proc(5): fields from the state on (3rd); the 41st is the policy, SCHED_IDLE = 5.
            let after = &stat[stat.rfind(')').unwrap() + 2..];
            let policy: u32 = after.split(' ').nth(41 - 3).unwrap().parse().unwrap();
            assert_eq!(policy, 5, "SCHED_IDLE");
        }
    }

    #[tokio::test]
    async fn a_panic_in_the_work_reaches_the_caller() {
        let pool = HashingPool::with_threads(1);
        let caught = tokio::spawn(async move { pool.run(|| panic!("boom")).await as () }).await;
        assert!(caught.unwrap_err().is_panic());
    }
}
