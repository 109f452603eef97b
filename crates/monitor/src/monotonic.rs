//! The monotonic clock of the probes: how long a check took and when the next one is due. It
//! measures durations and drives timers; it never says what time it is (that is
//! `pacta_core::clock`'s, and a result's instant comes from there). Tokio's, so that a test
//! runtime with paused time drives it too.

/// The monotonic "now" of timers and stopwatches.
pub fn now() -> tokio::time::Instant {
    tokio::time::Instant::now()
}
