//! Sign-in throttling: failed attempts are counted per account and per client address over a
//! sliding window; past the limit, the next attempt is refused (429 with `Retry-After`) until
//! the oldest failure leaves the window. In memory: a restart forgets, which only ever lets a
//! legitimate user in sooner. Time is the application clock's, so tests drive it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The window failures are counted over, in seconds.
pub const WINDOW: i64 = 15 * 60;
/// Failures of one account within the window before it is throttled.
pub const PER_ACCOUNT: usize = 5;
/// Failures from one address within the window before it is throttled.
pub const PER_ADDRESS: usize = 20;

#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl Throttle {
    /// `Err(seconds)`: the key has `limit` failures within the window at `now`; retry after
    /// that many seconds.
    pub fn check(&self, key: &str, limit: usize, now: i64) -> Result<(), i64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = map.get_mut(key) else {
            return Ok(());
        };
        while times.front().is_some_and(|&t| t <= now - WINDOW) {
            times.pop_front();
        }
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            Err((oldest + WINDOW - now).max(1))
        } else {
            Ok(())
        }
    }

    /// Counts a failure of `key` at `now`.
    pub fn fail(&self, key: &str, now: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let times = map.entry(key.to_owned()).or_default();
        times.push_back(now);
        // Keep only what the window can need.
        while times.len() > PER_ADDRESS {
            times.pop_front();
        }
    }

    /// Forgets `key`'s failures (a successful sign-in of the account).
    pub fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_within_the_window_waits_for_the_oldest_to_leave() {
        let t = Throttle::default();
        for i in 0..5 {
            assert_eq!(t.check("a", PER_ACCOUNT, 1000 + i), Ok(()));
            t.fail("a", 1000 + i);
        }
        assert_eq!(t.check("a", PER_ACCOUNT, 1010), Err(1000 + WINDOW - 1010));
        assert_eq!(t.check("b", PER_ACCOUNT, 1010), Ok(()), "per key");
        assert_eq!(
            t.check("a", PER_ACCOUNT, 1000 + WINDOW),
            Ok(()),
            "the oldest left"
        );
        t.clear("a");
        assert_eq!(t.check("a", PER_ACCOUNT, 1011), Ok(()));
    }
}
