//! The one place that reads the system time. Everything else asks a [`Now`] for "now": the
//! application state holds one, store writes take an explicit instant, and tests (or, later,
//! `serve --test-clock`) put a [`SettableClock`] in its place, so that behaviour at a given
//! instant can be asserted without waiting for it.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

/// A source of the current instant.
pub trait Now: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The shared clock of a process: cheap to clone, one instance for every reader.
pub type Clock = Arc<dyn Now>;

/// The operating system's clock: what production runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Now for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The system clock as a [`Clock`].
pub fn system() -> Clock {
    Arc::new(SystemClock)
}

/// A clock that stands still until it is set or advanced: for tests and the test clock.
#[derive(Debug)]
pub struct SettableClock {
    at: Mutex<Timestamp>,
}

impl SettableClock {
    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Arc<SettableClock> {
        Arc::new(SettableClock { at: Mutex::new(at) })
    }

    /// Shows `at` from now on (also backwards: a test may replay).
    pub fn set(&self, at: Timestamp) {
        *self.at.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    /// Moves the clock by `by` (negative moves it back).
    pub fn advance(&self, by: SignedDuration) {
        let mut at = self.at.lock().unwrap_or_else(|p| p.into_inner());
        *at = at.saturating_add(by).unwrap_or(*at);
    }
}

impl Now for SettableClock {
    fn now(&self) -> Timestamp {
        *self.at.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settable_clock_shows_what_it_was_set_to() {
        let t: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
        let clock = SettableClock::new(t);
        assert_eq!(clock.now(), t);
        clock.advance(SignedDuration::from_hours(2));
        assert_eq!(clock.now(), "2026-11-30T11:00:00Z".parse().unwrap());
        clock.set(t);
        assert_eq!(clock.now(), t);
        let shared: Clock = clock;
        assert_eq!(shared.now(), t);
    }

    #[test]
    fn the_system_clock_moves_forward() {
        let a = SystemClock.now();
        let b = SystemClock.now();
        assert!(b >= a);
    }
}
