//! A monitor's results → its outages and its unmonitored time (DOMAIN §6, "Outages",
//! "Unmonitored" and "Over a window"; issue 10's `outages` op).
//!
//! The rule is one small state machine, [`OutageTracker`], fed results in time order. The batch
//! function [`outages`] sorts a set of results and runs them through that same machine, so a
//! stored, incrementally fed tracker and a recomputation from the raw results cannot disagree.
//!
//! * The state starts `up`. While `up`, the N-th consecutive failure makes it `down`; the outage
//!   starts at the **first failure of that run**. While `down`, the M-th consecutive success
//!   makes it `up`; the outage ends at the **first success of that run**. "Consecutive" is in
//!   result order, however long the time between results.
//! * A result at `t` covers `[t, t + stale_after)`; what no result covers is unmonitored. A gap
//!   inside an outage is unmonitored and does not split the outage.
//! * Over `[from, to)`: results before `from` set the state and their cover reaches into the
//!   window; results at or after `to` play no part; outages and unmonitored time are clipped to
//!   the window; an outage still down at `to` is open (no end), even if its recovering run began.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::intervals::Span;
use super::{ts, Interval};

/// The parameters of the rule for one monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutageRule {
    /// N ≥ 1: consecutive failures that make an `up` monitor `down`.
    pub failures_before_down: u32,
    /// M ≥ 1: consecutive successes that make a `down` monitor `up`.
    pub successes_before_up: u32,
    /// Seconds ≥ 1 that a result covers.
    pub stale_after: i64,
}

impl OutageRule {
    /// A rule from a monitor's settings; `stale_after` defaults to 2 × `interval`.
    /// Every duration must be ≥ 1 s and N, M ≥ 1.
    pub fn new(
        interval: i64,
        failures_before_down: u32,
        successes_before_up: u32,
        stale_after: Option<i64>,
    ) -> Result<OutageRule, OutagesError> {
        if interval < 1 {
            return Err(OutagesError::Rule("interval must be at least 1 s"));
        }
        let stale_after = match stale_after {
            Some(s) if s < 1 => return Err(OutagesError::Rule("stale_after must be at least 1 s")),
            Some(s) => s,
            None => interval
                .checked_mul(2)
                .ok_or(OutagesError::Rule("interval too large"))?,
        };
        if failures_before_down < 1 {
            return Err(OutagesError::Rule(
                "failures_before_down must be at least 1",
            ));
        }
        if successes_before_up < 1 {
            return Err(OutagesError::Rule("successes_before_up must be at least 1"));
        }
        Ok(OutageRule {
            failures_before_down,
            successes_before_up,
            stale_after,
        })
    }
}

/// One result of a monitor's check: at an instant, ok or failed (a `degraded` verdict is ok).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeResult {
    /// When the check ran (whole seconds).
    pub at: Timestamp,
    /// Whether it passed.
    pub ok: bool,
}

/// An outage clipped to a window: `end` is `None` while the monitor is still down at the
/// window's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Outage {
    /// The first failure of the run that made the monitor `down`, or the window's start.
    pub start: Timestamp,
    /// The first success of the run that made it `up` again; `None` if still down.
    pub end: Option<Timestamp>,
}

/// The answer of the rule over a window `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outages {
    /// In time order, disjoint, within `[from, to)`; only the last one can be open.
    pub outages: Vec<Outage>,
    /// Maximal intervals of `[from, to)` that no result covers, in time order.
    pub unmonitored: Vec<Interval>,
    /// The state after the last result before `to` (true exactly when the last outage is open).
    pub down_at_end: bool,
}

impl Outages {
    /// The answer as the `outages` op and the API write it: instants in Europe/Brussels.
    pub fn to_json(&self) -> serde_json::Value {
        let local = |t: Timestamp| super::instant::format_instant(t, crate::subscription::zone());
        serde_json::json!({
            "outages": self.outages.iter().map(|o| serde_json::json!({
                "start": local(o.start),
                "end": o.end.map(local),
            })).collect::<Vec<_>>(),
            "unmonitored": self.unmonitored.iter().map(|u| serde_json::json!({
                "start": local(u.start),
                "end": local(u.end),
            })).collect::<Vec<_>>(),
            "down_at_end": self.down_at_end,
        })
    }
}

/// Why the rule could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutagesError {
    /// A setting out of range.
    #[error("{0}")]
    Rule(&'static str),
    /// `from` is not before `to`.
    #[error("from must be before to: {from} >= {to}")]
    EmptyWindow {
        /// The window's start (RFC 3339, UTC).
        from: String,
        /// The window's end (RFC 3339, UTC).
        to: String,
    },
    /// Two results of one monitor at one instant.
    #[error("two results at the same instant {0}")]
    DuplicateResult(String),
    /// A result fed to a tracker before (or at) one it already has.
    #[error("result at {at} is not after the previous one at {last}")]
    OutOfOrder {
        /// The refused result's instant.
        at: String,
        /// The instant of the last result taken.
        last: String,
    },
    /// `finish(to)` with `to` not after the tracker's last result (or not after its `from`).
    #[error("the window must end after {0}")]
    EndTooEarly(String),
}

/// The state of the rule between two results: small and `Copy`, so that it can be stored with
/// a monitor and fed further later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerState {
    /// `down` (true) or `up`.
    pub down: bool,
    /// The length of the current run: consecutive failures while up, consecutive successes
    /// while down (0 when the last result broke it).
    pub run: u32,
    /// The instant of the run's first result (meaningful when `run > 0`).
    pub run_start: i64,
    /// While down: the first failure of the run that made it down (may be before `from`).
    pub outage_start: i64,
    /// While down: the result that made it down (the run's N-th failure).
    #[serde(default)]
    pub down_at: i64,
    /// The instant of the last result taken.
    pub last_at: Option<i64>,
    /// Everything before this instant (and at or after `from`) is either covered or already
    /// reported unmonitored: `max(from, last result + stale_after)`.
    pub covered_until: i64,
}

/// The rule as a state machine over results in time order, from an instant `from` on.
///
/// Closed outages and unmonitored gaps are collected as they become final (both clipped to
/// `[from, …)`); [`take_closed`](Self::take_closed) hands them over (e.g. to be stored), and
/// [`finish`](Self::finish) gives the answer over `[from, to)` for any `to` after the last result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageTracker {
    rule: OutageRule,
    from: i64,
    state: TrackerState,
    closed: Vec<ClosedOutage>,
    gaps: Vec<Span>,
}

/// An outage that is over, with the instants a store needs to answer any window later exactly
/// as the rule would (unix seconds; `start` clipped to the tracker's `from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedOutage {
    /// The first failure of the run that made the monitor down.
    pub start: i64,
    /// The result that made it down (the N-th failure): before it the monitor was still up.
    pub down_at: i64,
    /// The first success of the run that made it up again.
    pub end: i64,
    /// The result that made it up again (the M-th success): until it, the monitor was down.
    pub recovered_at: i64,
}

impl OutageTracker {
    /// A tracker with no result yet: `up`, and nothing covered from `from` on.
    pub fn new(rule: OutageRule, from: Timestamp) -> OutageTracker {
        let from = from.as_second();
        OutageTracker::resume(
            rule,
            from,
            TrackerState {
                down: false,
                run: 0,
                run_start: from,
                outage_start: from,
                down_at: from,
                last_at: None,
                covered_until: from,
            },
        )
    }

    /// A tracker continuing from a stored state (with nothing pending to take).
    pub fn resume(rule: OutageRule, from: i64, state: TrackerState) -> OutageTracker {
        OutageTracker {
            rule,
            from,
            state,
            closed: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// A tracker continuing right after the result `recovered_at` that ended an outage: at that
    /// point the state is known without the results before it (up, no run, covered for
    /// `stale_after`), so a store can replay late results from there.
    pub fn after_recovery(rule: OutageRule, from: i64, recovered_at: i64) -> OutageTracker {
        OutageTracker::resume(
            rule,
            from,
            TrackerState {
                down: false,
                run: 0,
                run_start: recovered_at,
                outage_start: recovered_at,
                down_at: recovered_at,
                last_at: Some(recovered_at),
                covered_until: from.max(recovered_at.saturating_add(rule.stale_after)),
            },
        )
    }

    /// The rule.
    pub fn rule(&self) -> OutageRule {
        self.rule
    }

    /// The instant from which outages and gaps are reported (unix seconds).
    pub fn from_second(&self) -> i64 {
        self.from
    }

    /// The state, to be stored.
    pub fn state(&self) -> TrackerState {
        self.state
    }

    /// The open outage's start clipped to `from`, if the monitor is down.
    pub fn open_outage_start(&self) -> Option<i64> {
        self.state
            .down
            .then_some(self.state.outage_start.max(self.from))
    }

    /// Takes one result; it must come after every result taken so far.
    pub fn push(&mut self, result: ProbeResult) -> Result<(), OutagesError> {
        self.push_secs(result.at.as_second(), result.ok)
    }

    /// [`push`](Self::push) with the instant in unix seconds.
    pub fn push_secs(&mut self, at: i64, ok: bool) -> Result<(), OutagesError> {
        let st = &mut self.state;
        if let Some(last) = st.last_at {
            if at <= last {
                return Err(if at == last {
                    OutagesError::DuplicateResult(ts(at).to_string())
                } else {
                    OutagesError::OutOfOrder {
                        at: ts(at).to_string(),
                        last: ts(last).to_string(),
                    }
                });
            }
        }
        st.last_at = Some(at);
        // Cover: results come in time order, so the cover so far ends at the last one's.
        if at > st.covered_until {
            self.gaps.push((st.covered_until, at));
        }
        st.covered_until = st
            .covered_until
            .max(at.saturating_add(self.rule.stale_after));
        // State: a result that continues the run lengthens it, any other starts one (ok while
        // up, or a failure while down, breaks the run: run = 0).
        let continues = ok == st.down;
        if !continues {
            st.run = 0;
            return Ok(());
        }
        if st.run == 0 {
            st.run_start = at;
        }
        st.run += 1;
        if st.down {
            if st.run >= self.rule.successes_before_up {
                let (start, end) = (st.outage_start.max(self.from), st.run_start);
                if end > self.from {
                    self.closed.push(ClosedOutage {
                        start,
                        down_at: st.down_at,
                        end,
                        recovered_at: at,
                    });
                }
                st.down = false;
                st.run = 0;
            }
        } else if st.run >= self.rule.failures_before_down {
            st.down = true;
            st.outage_start = st.run_start;
            st.down_at = at;
            st.run = 0;
        }
        Ok(())
    }

    /// Hands over the outages closed and the unmonitored gaps found since the last call, each
    /// in time order and clipped to `[from, …)`. The gaps end at a result, so none is cut short.
    pub fn take_closed(&mut self) -> (Vec<ClosedOutage>, Vec<Span>) {
        (
            std::mem::take(&mut self.closed),
            std::mem::take(&mut self.gaps),
        )
    }

    /// The answer over `[from, to)` for what was fed (and not taken): `to` must be after `from`
    /// and after the last result.
    pub fn finish(self, to: Timestamp) -> Result<Outages, OutagesError> {
        let to = to.as_second();
        let floor = self.state.last_at.map_or(self.from, |l| l.max(self.from));
        if to <= floor {
            return Err(OutagesError::EndTooEarly(ts(floor).to_string()));
        }
        let mut outages: Vec<Outage> = self
            .closed
            .iter()
            .map(|c| Outage {
                start: ts(c.start),
                end: Some(ts(c.end)),
            })
            .collect();
        if let Some(start) = self.open_outage_start() {
            outages.push(Outage {
                start: ts(start),
                end: None,
            });
        }
        let mut unmonitored: Vec<Interval> = self
            .gaps
            .iter()
            .map(|&(s, e)| Interval {
                start: ts(s),
                end: ts(e),
            })
            .collect();
        if self.state.covered_until < to {
            unmonitored.push(Interval {
                start: ts(self.state.covered_until),
                end: ts(to),
            });
        }
        Ok(Outages {
            outages,
            unmonitored,
            down_at_end: self.state.down,
        })
    }
}

/// The outages and unmonitored time of a monitor's results over `[from, to)`.
///
/// `results` may come in any order; two at one instant are an error. Results before `from`
/// count; results at or after `to` play no part.
pub fn outages(
    rule: &OutageRule,
    from: Timestamp,
    to: Timestamp,
    results: &[ProbeResult],
) -> Result<Outages, OutagesError> {
    if from >= to {
        return Err(OutagesError::EmptyWindow {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let mut sorted: Vec<(i64, bool)> = results.iter().map(|r| (r.at.as_second(), r.ok)).collect();
    sorted.sort_unstable_by_key(|&(at, _)| at);
    if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(OutagesError::DuplicateResult(ts(w[0].0).to_string()));
    }
    let to_secs = to.as_second();
    let mut tracker = OutageTracker::new(*rule, from);
    for &(at, ok) in sorted.iter().take_while(|&&(at, _)| at < to_secs) {
        tracker.push_secs(at, ok)?;
    }
    tracker.finish(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::instant::parse_instant;
    use proptest::prelude::*;

    fn t(s: &str) -> Timestamp {
        parse_instant(s).unwrap()
    }
    /// 2026-10-12 at a time of day in +02:00.
    fn at(hms: &str) -> Timestamp {
        t(&format!("2026-10-12T{hms}+02:00"))
    }
    fn iv(a: &str, b: &str) -> Interval {
        Interval::new(at(a), at(b)).unwrap()
    }
    fn closed(a: &str, b: &str) -> Outage {
        Outage {
            start: at(a),
            end: Some(at(b)),
        }
    }
    fn results(list: &[(&str, bool)]) -> Vec<ProbeResult> {
        list.iter()
            .map(|&(hms, ok)| ProbeResult { at: at(hms), ok })
            .collect()
    }
    fn rule() -> OutageRule {
        OutageRule::new(30, 3, 2, Some(60)).unwrap()
    }

    #[test]
    fn the_worked_example_is_one_outage_of_150_s() {
        let rs = results(&[
            ("10:00:00", true),
            ("10:00:30", false),
            ("10:01:00", false),
            ("10:01:30", false),
            ("10:02:00", true),
            ("10:02:30", false),
            ("10:03:00", true),
            ("10:03:30", true),
        ]);
        let got = outages(&rule(), at("10:00:00"), at("10:05:00"), &rs).unwrap();
        assert_eq!(got.outages, vec![closed("10:00:30", "10:03:00")]);
        assert_eq!(got.unmonitored, vec![iv("10:04:30", "10:05:00")]);
        assert!(!got.down_at_end);
        // In any order, the same.
        let mut reversed = rs.clone();
        reversed.reverse();
        assert_eq!(
            outages(&rule(), at("10:00:00"), at("10:05:00"), &reversed).unwrap(),
            got
        );
    }

    #[test]
    fn the_state_after_each_result_of_the_worked_example() {
        let rs = results(&[
            ("10:00:00", true),
            ("10:00:30", false),
            ("10:01:00", false),
            ("10:01:30", false),
            ("10:02:00", true),
            ("10:02:30", false),
            ("10:03:00", true),
            ("10:03:30", true),
        ]);
        let mut tracker = OutageTracker::new(rule(), at("10:00:00"));
        let mut states = Vec::new();
        for r in rs {
            tracker.push(r).unwrap();
            states.push(tracker.state().down);
        }
        assert_eq!(
            states,
            [false, false, false, true, true, true, true, false],
            "up up up down down down down up"
        );
    }

    #[test]
    fn a_gap_inside_an_outage_leaves_one_outage() {
        let rule = OutageRule::new(30, 3, 2, None).unwrap();
        assert_eq!(rule.stale_after, 60);
        let rs = results(&[
            ("10:00:00", false),
            ("10:00:30", false),
            ("10:01:00", false),
            ("12:01:00", true),
            ("12:01:30", true),
        ]);
        let got = outages(&rule, at("10:00:00"), at("13:00:00"), &rs).unwrap();
        assert_eq!(got.outages, vec![closed("10:00:00", "12:01:00")]);
        assert_eq!(
            got.unmonitored,
            vec![iv("10:02:00", "12:01:00"), iv("12:02:30", "13:00:00")]
        );
        assert!(!got.down_at_end);
    }

    #[test]
    fn an_outage_still_down_at_to_is_open_even_when_recovering() {
        let rs = results(&[
            ("10:00:00", false),
            ("10:00:30", false),
            ("10:01:00", false),
            ("10:01:30", true),
        ]);
        let got = outages(&rule(), at("10:00:00"), at("10:02:00"), &rs).unwrap();
        assert_eq!(
            got.outages,
            vec![Outage {
                start: at("10:00:00"),
                end: None
            }]
        );
        assert!(got.down_at_end);
        assert!(got.unmonitored.is_empty());
        // The success at `to` plays no part.
        let mut more = rs.clone();
        more.extend(results(&[("10:02:00", true)]));
        assert_eq!(
            outages(&rule(), at("10:00:00"), at("10:02:00"), &more).unwrap(),
            got
        );
    }

    #[test]
    fn results_before_from_set_the_state_and_cover() {
        let rs = results(&[
            ("09:58:00", false),
            ("09:58:30", false),
            ("09:59:00", false),
            ("09:59:30", false),
            ("10:00:30", true),
            ("10:01:00", true),
        ]);
        let got = outages(&rule(), at("10:00:00"), at("10:02:00"), &rs).unwrap();
        // Down since 09:58:00, clipped to from; the cover of 09:59:30 reaches 10:00:30.
        assert_eq!(got.outages, vec![closed("10:00:00", "10:00:30")]);
        assert!(got.unmonitored.is_empty());
        // An outage that ended at or before from is not listed.
        let got = outages(&rule(), at("10:00:30"), at("10:02:00"), &rs).unwrap();
        assert_eq!(got.outages, vec![]);
        // Nothing at all: the whole window is unmonitored.
        let got = outages(&rule(), at("10:00:00"), at("10:02:00"), &[]).unwrap();
        assert_eq!(got.unmonitored, vec![iv("10:00:00", "10:02:00")]);
        assert_eq!((got.outages, got.down_at_end), (vec![], false));
    }

    #[test]
    fn n_and_m_of_one_react_to_a_single_result() {
        let rule = OutageRule::new(10, 1, 1, Some(10)).unwrap();
        let rs = results(&[("10:00:00", false), ("10:00:10", true)]);
        let got = outages(&rule, at("10:00:00"), at("10:00:20"), &rs).unwrap();
        assert_eq!(got.outages, vec![closed("10:00:00", "10:00:10")]);
    }

    #[test]
    fn errors() {
        assert!(OutageRule::new(0, 3, 2, None).is_err());
        assert!(OutageRule::new(30, 0, 2, None).is_err());
        assert!(OutageRule::new(30, 3, 0, None).is_err());
        assert!(OutageRule::new(30, 3, 2, Some(0)).is_err());
        let w = |a, b| outages(&rule(), at(a), at(b), &[]);
        assert!(matches!(
            w("10:00:00", "10:00:00"),
            Err(OutagesError::EmptyWindow { .. })
        ));
        assert!(w("10:00:01", "10:00:00").is_err());
        let twice = [
            ProbeResult {
                at: t("2026-10-12T08:00:00Z"),
                ok: true,
            },
            ProbeResult {
                at: t("2026-10-12T10:00:00+02:00"),
                ok: false,
            },
        ];
        assert!(matches!(
            outages(&rule(), at("09:00:00"), at("11:00:00"), &twice),
            Err(OutagesError::DuplicateResult(_))
        ));
        let mut tracker = OutageTracker::new(rule(), at("10:00:00"));
        tracker.push(twice[0]).unwrap();
        assert!(matches!(
            tracker.push(ProbeResult {
                at: at("09:00:00"),
                ok: true
            }),
            Err(OutagesError::OutOfOrder { .. })
        ));
        assert!(tracker.clone().finish(at("10:00:00")).is_err());
        assert!(tracker.finish(at("10:00:01")).is_ok());
    }

    /// An outage as (start, end or open).
    type OpenSpan = (i64, Option<i64>);

    /// A second-by-second reading of the rule, independent of the tracker.
    fn oracle(
        n: u32,
        m: u32,
        stale: i64,
        from: i64,
        to: i64,
        rs: &[(i64, bool)],
    ) -> (Vec<OpenSpan>, Vec<bool>, bool) {
        let mut rs: Vec<(i64, bool)> = rs.iter().copied().filter(|r| r.0 < to).collect();
        rs.sort();
        // Outages as the runs that flip the state: while up a run of failures (ok == down),
        // while down a run of successes (ok == down); the run is counted back from each result.
        let mut down = false;
        let mut raw: Vec<(i64, Option<i64>)> = Vec::new();
        for i in 0..rs.len() {
            let need = if down { m } else { n } as usize;
            let run = rs[..=i].iter().rev().take_while(|r| r.1 == down).count();
            if run == need {
                let first = rs[i + 1 - run].0;
                if down {
                    raw.last_mut().unwrap().1 = Some(first);
                } else {
                    raw.push((first, None));
                }
                down = !down;
            }
        }
        let clipped = raw
            .into_iter()
            .filter(|&(_, e)| e.is_none_or(|e| e > from))
            .map(|(s, e)| (s.max(from), e))
            .collect();
        let covered = (from..to)
            .map(|s| rs.iter().any(|&(a, _)| a <= s && s < a + stale))
            .collect();
        (clipped, covered, down)
    }

    fn arb_stream() -> impl Strategy<Value = Vec<(i64, bool)>> {
        // Up to 60 results in [-50, 250): gaps, flapping and long runs.
        prop::collection::btree_map(-50i64..250, prop::bool::weighted(0.5), 0..60)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn batch_matches_a_second_by_second_oracle(
            stream in arb_stream(),
            n in 1u32..4,
            m in 1u32..4,
            stale in 1i64..40,
            from in 0i64..100,
            len in 1i64..150,
            seed in any::<u64>(),
        ) {
            let base = 1_800_000_000;
            let to = from + len;
            let mut rs: Vec<ProbeResult> = stream
                .iter()
                .map(|&(a, ok)| ProbeResult { at: ts(base + a), ok })
                .collect();
            let k = rs.len().max(1);
            rs.rotate_left(seed as usize % k);
            let rule = OutageRule::new(1, n, m, Some(stale)).unwrap();
            let got = outages(&rule, ts(base + from), ts(base + to), &rs).unwrap();
            let shifted: Vec<(i64, bool)> = stream.iter().map(|&(a, ok)| (base + a, ok)).collect();
            let (want, covered, down) = oracle(n, m, stale, base + from, base + to, &shifted);
            let got_spans: Vec<(i64, Option<i64>)> = got
                .outages
                .iter()
                .map(|o| (o.start.as_second(), o.end.map(|e| e.as_second())))
                .collect();
            prop_assert_eq!(&got_spans, &want);
            prop_assert_eq!(got.down_at_end, down);
            // Sorted, disjoint, within [from, to), only the last open.
            for (i, &(s, e)) in got_spans.iter().enumerate() {
                prop_assert!(base + from <= s && s < base + to);
                match e {
                    Some(e) => prop_assert!(s < e && e <= base + to),
                    None => prop_assert_eq!(i, got_spans.len() - 1),
                }
                if i > 0 {
                    prop_assert!(got_spans[i - 1].1.unwrap() <= s);
                }
            }
            // Unmonitored: exactly the uncovered seconds, as maximal non-touching intervals.
            let mut uncovered = vec![false; len as usize];
            for u in &got.unmonitored {
                prop_assert!(u.start < u.end);
                for s in u.start.as_second()..u.end.as_second() {
                    uncovered[(s - base - from) as usize] = true;
                }
            }
            let expected: Vec<bool> = covered.iter().map(|c| !c).collect();
            prop_assert_eq!(uncovered, expected);
            prop_assert!(got.unmonitored.windows(2).all(|w| w[0].end < w[1].start));
        }

        #[test]
        fn incremental_with_takes_and_resumes_equals_batch(
            stream in arb_stream(),
            n in 1u32..4,
            m in 1u32..4,
            stale in 1i64..40,
            cuts in prop::collection::vec(any::<bool>(), 60),
        ) {
            let base = 1_800_000_000;
            let (from, to) = (base, base + 300);
            let rule = OutageRule::new(1, n, m, Some(stale)).unwrap();
            let rs: Vec<ProbeResult> = stream
                .iter()
                .map(|&(a, ok)| ProbeResult { at: ts(base + a), ok })
                .collect();
            let batch = outages(&rule, ts(from), ts(to), &rs).unwrap();
            // Fed one by one; at random points the closed items are taken (as a store would)
            // and the tracker is rebuilt from its stored state alone.
            let mut tracker = OutageTracker::new(rule, ts(from));
            let (mut closed, mut gaps) = (Vec::new(), Vec::new());
            for (i, r) in rs.iter().enumerate() {
                tracker.push(*r).unwrap();
                if cuts[i] {
                    let (c, g) = tracker.take_closed();
                    closed.extend(c);
                    gaps.extend(g);
                    tracker = OutageTracker::resume(rule, tracker.from_second(), tracker.state());
                }
            }
            let tail = tracker.finish(ts(to)).unwrap();
            let mut all_outages: Vec<Outage> = closed
                .iter()
                .map(|c| Outage { start: ts(c.start), end: Some(ts(c.end)) })
                .collect();
            all_outages.extend(tail.outages);
            let mut all_gaps: Vec<Interval> =
                gaps.iter().map(|&(s, e)| Interval { start: ts(s), end: ts(e) }).collect();
            all_gaps.extend(tail.unmonitored);
            prop_assert_eq!(all_outages, batch.outages);
            prop_assert_eq!(all_gaps, batch.unmonitored);
            prop_assert_eq!(tail.down_at_end, batch.down_at_end);
        }
    }
}
