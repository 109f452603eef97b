//! A monitor's outage history as a store keeps it, and the answer of the `outages` rule over any
//! window read back from it (issue 10: "outages are maintained incrementally as results arrive
//! and stored").
//!
//! A store feeds every result of a monitor, in time order, to one [`OutageTracker`] that starts
//! at [`ORIGIN`] and keeps what it hands over: the closed outages (with the results that made the
//! monitor down and up again), the gaps between results that no result covers, and the tracker's
//! state. [`window`] then answers `[from, to)` exactly as [`outages`](super::outages::outages)
//! would over the raw results, without reading them: an outage counts at `to` only once the
//! result that made the monitor down came before `to`, and stays open at `to` unless the result
//! that made it up again came before `to` too.
//!
//! A late result (before the last one stored) is placed by replaying from a point whose state
//! is known without the results before it: the result that ended the last outage closed
//! before it ([`OutageTracker::after_recovery`]), or [`ORIGIN`].

use jiff::Timestamp;

use super::intervals::{clip, union, Span};
use super::outages::{ClosedOutage, Outage, OutageRule, OutageTracker, Outages, TrackerState};
use super::{ts, Interval};

/// Where a stored history begins: 1899-12-31T00:00:00Z, before the first instant Pacta accepts
/// (1900-01-01 in any offset). Everything from here to a monitor's first result is unmonitored.
pub const ORIGIN: i64 = -2_209_075_200;

/// An outage as stored: closed (both `end` and `recovered_at`) or still open (neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredOutage {
    pub start: i64,
    pub down_at: i64,
    pub end: Option<i64>,
    pub recovered_at: Option<i64>,
}

impl From<ClosedOutage> for StoredOutage {
    fn from(c: ClosedOutage) -> StoredOutage {
        StoredOutage {
            start: c.start,
            down_at: c.down_at,
            end: Some(c.end),
            recovered_at: Some(c.recovered_at),
        }
    }
}

/// The open outage of a tracker's state, if the monitor is down.
pub fn open_outage(state: &TrackerState) -> Option<StoredOutage> {
    state.down.then_some(StoredOutage {
        start: state.outage_start.max(ORIGIN),
        down_at: state.down_at,
        end: None,
        recovered_at: None,
    })
}

/// A tracker for a monitor's stored history: fresh from [`ORIGIN`], or continuing after the
/// recovery `recovered_at`.
pub fn replay_tracker(rule: OutageRule, recovered_at: Option<i64>) -> OutageTracker {
    match recovered_at {
        Some(r) => OutageTracker::after_recovery(rule, ORIGIN, r),
        None => OutageTracker::new(rule, ts(ORIGIN)),
    }
}

/// The `outages` rule over `[from, to)` from a stored history: `outages` are the stored ones
/// that may meet the window (any order), `gaps` the stored uncovered spans that may meet it,
/// `covered_until` the end of the last result's cover (`ORIGIN` with no result).
pub fn window(
    outages: &[StoredOutage],
    gaps: &[Span],
    covered_until: i64,
    from: Timestamp,
    to: Timestamp,
) -> Outages {
    let (from, to) = (from.as_second(), to.as_second());
    let mut listed: Vec<Outage> = Vec::new();
    let mut down_at_end = false;
    let mut sorted: Vec<&StoredOutage> = outages.iter().collect();
    sorted.sort_by_key(|o| o.start);
    for o in sorted {
        if o.down_at >= to {
            continue; // at `to` the failures had not yet made it down
        }
        match (o.end, o.recovered_at) {
            (Some(end), Some(r)) if r < to => {
                if end > from {
                    listed.push(Outage {
                        start: ts(o.start.max(from)),
                        end: Some(ts(end)),
                    });
                }
            }
            _ => {
                down_at_end = true;
                listed.push(Outage {
                    start: ts(o.start.max(from)),
                    end: None,
                });
            }
        }
    }
    let mut uncovered = clip(gaps, from, to);
    uncovered.sort_unstable();
    let uncovered = union(&uncovered, &clip(&[(covered_until, to)], from, to));
    Outages {
        outages: listed,
        unmonitored: uncovered
            .into_iter()
            .map(|(s, e)| Interval {
                start: ts(s),
                end: ts(e),
            })
            .collect(),
        down_at_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::outages::{outages as rule_outages, ProbeResult};
    use proptest::prelude::*;

    /// A store in memory: the history kept the way a database keeps it, with the same replay.
    #[derive(Default)]
    struct Memory {
        results: std::collections::BTreeMap<i64, bool>,
        outages: Vec<StoredOutage>,
        gaps: Vec<Span>,
        state: Option<TrackerState>,
    }

    impl Memory {
        fn ingest(&mut self, rule: OutageRule, batch: &[(i64, bool)]) {
            let mut batch: Vec<(i64, bool)> = batch
                .iter()
                .copied()
                .filter(|(at, _)| !self.results.contains_key(at))
                .collect();
            batch.sort_unstable();
            batch.dedup_by_key(|r| r.0);
            if batch.is_empty() {
                return;
            }
            let last = self.state.and_then(|s| s.last_at);
            let earliest = batch[0].0;
            let mut tracker = match (self.state, last) {
                (Some(state), Some(l)) if earliest > l => {
                    OutageTracker::resume(rule, ORIGIN, state)
                }
                _ => {
                    // Late: from the last recovery before it, or from the origin.
                    let restart = self
                        .outages
                        .iter()
                        .filter_map(|o| o.recovered_at)
                        .filter(|&r| r < earliest)
                        .max();
                    let after = restart.unwrap_or(ORIGIN - 1);
                    self.outages
                        .retain(|o| o.recovered_at.is_some_and(|r| r <= after));
                    self.gaps.retain(|&(_, e)| e <= after);
                    let mut tracker = replay_tracker(rule, restart);
                    let replay: Vec<(i64, bool)> = self
                        .results
                        .range(after + 1..)
                        .map(|(&a, &o)| (a, o))
                        .collect();
                    let mut all = replay;
                    all.extend(batch.iter().copied());
                    all.sort_unstable();
                    for (at, ok) in all {
                        tracker.push_secs(at, ok).unwrap();
                    }
                    for (at, ok) in &batch {
                        self.results.insert(*at, *ok);
                    }
                    self.settle(&mut tracker);
                    return;
                }
            };
            for (at, ok) in &batch {
                tracker.push_secs(*at, *ok).unwrap();
                self.results.insert(*at, *ok);
            }
            self.settle(&mut tracker);
        }

        fn settle(&mut self, tracker: &mut OutageTracker) {
            self.outages.retain(|o| o.recovered_at.is_some());
            let (closed, gaps) = tracker.take_closed();
            self.outages
                .extend(closed.into_iter().map(StoredOutage::from));
            self.outages.extend(open_outage(&tracker.state()));
            self.gaps.extend(gaps);
            self.state = Some(tracker.state());
        }

        fn window(&self, from: i64, to: i64) -> Outages {
            let covered = self.state.map_or(ORIGIN, |s| s.covered_until);
            window(&self.outages, &self.gaps, covered, ts(from), ts(to))
        }
    }

    fn arb_stream() -> impl Strategy<Value = Vec<(i64, bool)>> {
        // Distinct instants over ~10 minutes, flapping, with gaps.
        prop::collection::btree_map(0i64..600, prop::bool::weighted(0.6), 0..80)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn a_stored_history_fed_in_batches_answers_as_the_rule(
            stream in arb_stream(),
            n in 1u32..4,
            m in 1u32..4,
            stale in 1i64..60,
            order in prop::collection::vec(any::<u16>(), 80),
            cuts in prop::collection::vec(0usize..6, 0..12),
            windows in prop::collection::vec((-50i64..650, 1i64..700), 1..6),
        ) {
            let base = 1_800_000_000;
            let rule = OutageRule::new(1, n, m, Some(stale)).unwrap();
            // Mostly in order, some arriving late: each result is moved by a random key.
            let mut arriving: Vec<(i64, bool)> =
                stream.iter().map(|&(a, ok)| (base + a, ok)).collect();
            let keys: Vec<i64> = arriving
                .iter()
                .enumerate()
                .map(|(i, (a, _))| a + if order[i] % 5 == 0 { -(order[i] as i64 % 200) } else { 0 })
                .collect();
            let mut idx: Vec<usize> = (0..arriving.len()).collect();
            idx.sort_by_key(|&i| keys[i]);
            arriving = idx.into_iter().map(|i| arriving[i]).collect();
            let mut memory = Memory::default();
            let mut rest: &[(i64, bool)] = &arriving;
            for c in cuts {
                let k = c.min(rest.len());
                memory.ingest(rule, &rest[..k]);
                // An identical retry of the same batch changes nothing.
                memory.ingest(rule, &rest[..k]);
                rest = &rest[k..];
            }
            memory.ingest(rule, rest);
            let all: Vec<ProbeResult> = arriving
                .iter()
                .map(|&(a, ok)| ProbeResult { at: ts(a), ok })
                .collect();
            for (lo, len) in windows {
                let (from, to) = (base + lo, base + lo + len);
                let expected = rule_outages(&rule, ts(from), ts(to), &all).unwrap();
                prop_assert_eq!(memory.window(from, to), expected);
            }
        }
    }

    #[test]
    fn no_result_is_wholly_unmonitored() {
        let got = window(&[], &[], ORIGIN, ts(1_000), ts(2_000));
        assert!(got.outages.is_empty());
        assert_eq!(got.unmonitored.len(), 1);
        assert!(!got.down_at_end);
    }
}
