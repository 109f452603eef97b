//! One subscription's availability over a period (DOMAIN §6, "Availability — Rule" and
//! "Statements"; issue 10's `statement` op).
//!
//! With X = the maintenance windows whose consent is `explicit` or `tacit`, O = the outages,
//! U = the unmonitored time and D = the `down` incidents, each a union clipped to the period P
//! (an open outage or incident runs to the end of P):
//!
//! * `period` = |P|, `excluded_maintenance` = |X|, `agreed` = |P − X|;
//! * `downtime` = |((O − U) ∪ D) − X|: unmonitored time inside an outage is not downtime, a
//!   `down` incident is downtime monitored or not, a `degraded` one never is, and a window
//!   without consent stays agreed time;
//! * `unmonitored` = |U| (excluded maintenance not subtracted), `incomplete` ⇔
//!   unmonitored × 100 > period;
//! * allowed downtime, budget, availability and `met` are those of
//!   [`availability_of`](super::availability::availability_of) — the same code as the
//!   `availability` op.
//!
//! A statement's month is `[1st 00:00, next 1st 00:00)` in Europe/Brussels ([`month_period`]).

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::availability::{availability_of, Availability, Target};
use super::consent::Consent;
use super::instant::{FIRST_YEAR, LAST_YEAR};
use super::intervals::{clip, difference, intersection_measure, measure, normalize, union, Span};
use super::outages::Outage;
use super::{Interval, SlaError};
use crate::subscription::zone;

/// The kind of a declared incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentKind {
    /// The service is down: downtime over the whole span, monitored or not.
    Down,
    /// The service is degraded: never downtime.
    Degraded,
}

impl IncidentKind {
    /// `down` or `degraded`.
    pub fn code(self) -> &'static str {
        match self {
            IncidentKind::Down => "down",
            IncidentKind::Degraded => "degraded",
        }
    }

    /// The kind of a code.
    pub fn parse(code: &str) -> Option<IncidentKind> {
        [IncidentKind::Down, IncidentKind::Degraded]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// A declared incident; `end` is `None` while it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incident {
    /// Its start.
    pub start: Timestamp,
    /// Its end, if known.
    pub end: Option<Timestamp>,
    /// `down` or `degraded`.
    pub kind: IncidentKind,
}

/// A maintenance window with the partner's consent to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaintenanceWindow {
    /// The window.
    pub window: Interval,
    /// The partner's consent; only `explicit` and `tacit` exclude the window.
    pub consent: Consent,
}

/// The figures of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    /// Agreed time, downtime, allowed downtime, budget, availability and `met`.
    pub availability: Availability,
    /// |P|.
    pub period_seconds: i64,
    /// |U|, excluded maintenance included.
    pub unmonitored_seconds: i64,
    /// |X|.
    pub excluded_maintenance_seconds: i64,
    /// More than 1 % of the period is unmonitored.
    pub incomplete: bool,
}

/// Serialises to the object of the `statement` op: the six fields of [`Availability`] then
/// `period_seconds`, `unmonitored_seconds`, `excluded_maintenance_seconds`, `incomplete`.
impl Serialize for Statement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let a = &self.availability;
        let mut st = s.serialize_struct("Statement", 10)?;
        st.serialize_field("agreed_seconds", &a.agreed_seconds)?;
        st.serialize_field("downtime_seconds", &a.downtime_seconds)?;
        st.serialize_field("allowed_downtime_seconds", &a.allowed_downtime_seconds)?;
        st.serialize_field("budget_left_seconds", &a.budget_left_seconds)?;
        st.serialize_field("availability_percent", &a.availability_percent())?;
        st.serialize_field("met", &a.met)?;
        st.serialize_field("period_seconds", &self.period_seconds)?;
        st.serialize_field("unmonitored_seconds", &self.unmonitored_seconds)?;
        st.serialize_field(
            "excluded_maintenance_seconds",
            &self.excluded_maintenance_seconds,
        )?;
        st.serialize_field("incomplete", &self.incomplete)?;
        st.end()
    }
}

/// Spans from `(start, end)` pairs where an absent end runs to `hi` (or is empty when the start
/// is at or after `hi`), normalized and clipped to `[lo, hi)`.
fn open_ended(
    items: impl Iterator<Item = (Timestamp, Option<Timestamp>)>,
    lo: i64,
    hi: i64,
) -> Result<Vec<Span>, SlaError> {
    let spans = items
        .map(|(s, e)| {
            let s = s.as_second();
            (s, e.map_or(s.max(hi), |e| e.as_second()))
        })
        .collect();
    Ok(clip(&normalize(spans)?, lo, hi))
}

fn closed(items: impl Iterator<Item = Interval>, lo: i64, hi: i64) -> Result<Vec<Span>, SlaError> {
    Ok(clip(&normalize(items.map(|i| i.span()).collect())?, lo, hi))
}

/// The statement of `period` (half-open; `start > end` is an error, `start == end` is empty).
/// Intervals may overlap (they count once) and reach outside the period (that part is ignored);
/// one whose end is before its start is an error.
pub fn statement(
    period: Interval,
    target: &Target,
    outages: &[Outage],
    unmonitored: &[Interval],
    incidents: &[Incident],
    maintenance: &[MaintenanceWindow],
) -> Result<Statement, SlaError> {
    if period.start > period.end {
        return Err(SlaError::FromAfterTo {
            from: period.start.to_string(),
            to: period.end.to_string(),
        });
    }
    let (lo, hi) = period.span();
    let o = open_ended(outages.iter().map(|o| (o.start, o.end)), lo, hi)?;
    let u = closed(unmonitored.iter().copied(), lo, hi)?;
    // Every window and incident must be well formed, whatever its consent or kind.
    let reversed = maintenance
        .iter()
        .map(|m| (m.window.start, Some(m.window.end)))
        .chain(incidents.iter().map(|i| (i.start, i.end)))
        .find(|&(s, e)| e.is_some_and(|e| s > e));
    if let Some((start, Some(end))) = reversed {
        return Err(SlaError::IntervalReversed {
            start: start.to_string(),
            end: end.to_string(),
        });
    }
    let excluded = maintenance.iter().filter(|m| m.consent.excludes());
    let x = closed(excluded.map(|m| m.window), lo, hi)?;
    let down_incidents = incidents.iter().filter(|i| i.kind == IncidentKind::Down);
    let d = open_ended(down_incidents.map(|i| (i.start, i.end)), lo, hi)?;
    let down = union(&difference(&o, &u), &d);
    let period_seconds = hi - lo;
    let excluded = measure(&x);
    let agreed = period_seconds - excluded;
    let downtime = measure(&down) - intersection_measure(&down, &x);
    let unmonitored_seconds = measure(&u);
    Ok(Statement {
        availability: availability_of(agreed, downtime, target),
        period_seconds,
        unmonitored_seconds,
        excluded_maintenance_seconds: excluded,
        incomplete: i128::from(unmonitored_seconds) * 100 > i128::from(period_seconds),
    })
}

/// Why a month was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid month {input:?}: {reason} (expected YYYY-MM like 2026-10, 1900–2200)")]
pub struct MonthError {
    /// The text that was refused.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The month `YYYY-MM` (month 01–12, year 1900–2200) as `[1st 00:00, next 1st 00:00)` in
/// Europe/Brussels: October 2026 is 745 h, March 2026 743 h.
pub fn month_period(month: &str) -> Result<Interval, MonthError> {
    let err = |reason| MonthError {
        input: month.to_string(),
        reason,
    };
    let b = month.as_bytes();
    if b.len() != 7 || b[4] != b'-' {
        return Err(err("not of the form YYYY-MM"));
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter()
            .try_fold(0i16, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + i16::from(c - b'0'))
            })
            .ok_or_else(|| err("not a digit"))
    };
    let (year, mon) = (digits(0..4)?, digits(5..7)?);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(err("year outside 1900–2200"));
    }
    if !(1..=12).contains(&mon) {
        return Err(err("month outside 01–12"));
    }
    Ok(month_interval(year, mon as i8))
}

/// `[1st 00:00, next 1st 00:00)` in Europe/Brussels of a valid year (1900–2200) and month (1–12).
pub fn month_interval(year: i16, month: i8) -> Interval {
    let first = |y: i16, m: i8| -> Timestamp {
        Date::new(y, m, 1)
            .and_then(|d| d.to_zoned(zone().clone()))
            .expect("a month of 1900–2201 in Europe/Brussels")
            .timestamp()
    };
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    Interval {
        start: first(year, month),
        end: first(ny, nm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::instant::parse_instant;
    use proptest::prelude::*;

    fn t(s: &str) -> Timestamp {
        parse_instant(s).unwrap()
    }
    fn at(hms: &str) -> Timestamp {
        t(&format!("2026-10-12T{hms}+02:00"))
    }
    fn iv(a: Timestamp, b: Timestamp) -> Interval {
        Interval::new(a, b).unwrap()
    }
    fn target(s: &str) -> Target {
        Target::parse(s).unwrap()
    }
    /// (period, unmonitored, incomplete, agreed, downtime, allowed, budget_left, availability
    /// in thousandths of a percent, met).
    fn row(
        s: &Statement,
    ) -> (
        i64,
        i64,
        bool,
        i64,
        i64,
        i64,
        i64,
        Option<i64>,
        Option<bool>,
    ) {
        let a = s.availability;
        (
            s.period_seconds,
            s.unmonitored_seconds,
            s.incomplete,
            a.agreed_seconds,
            a.downtime_seconds,
            a.allowed_downtime_seconds,
            a.budget_left_seconds,
            a.availability_milli_percent,
            a.met,
        )
    }

    #[test]
    fn a_gap_inside_an_outage_both_rows() {
        let period = iv(at("10:00:00"), at("13:00:00"));
        let outages = [Outage {
            start: at("10:00:00"),
            end: Some(at("12:01:00")),
        }];
        let unmonitored = [
            iv(at("10:02:00"), at("12:01:00")),
            iv(at("12:02:30"), at("13:00:00")),
        ];
        let s = statement(period, &target("99.7"), &outages, &unmonitored, &[], &[]).unwrap();
        assert_eq!(
            row(&s),
            (
                10_800,
                10_590,
                true,
                10_800,
                120,
                32,
                -88,
                Some(98_888),
                Some(false)
            )
        );
        assert_eq!(s.excluded_maintenance_seconds, 0);
        let incidents = [
            Incident {
                start: at("11:00:00"),
                end: Some(at("11:30:00")),
                kind: IncidentKind::Down,
            },
            Incident {
                start: at("12:30:00"),
                end: None,
                kind: IncidentKind::Degraded,
            },
        ];
        let s = statement(
            period,
            &target("99.7"),
            &outages,
            &unmonitored,
            &incidents,
            &[],
        )
        .unwrap();
        assert_eq!(
            row(&s),
            (
                10_800,
                10_590,
                true,
                10_800,
                1_920,
                32,
                -1_888,
                Some(82_222),
                Some(false)
            )
        );
    }

    #[test]
    fn october_maintenance_with_and_without_consent() {
        let period = month_period("2026-10").unwrap();
        let window = iv(
            t("2026-10-10T22:00:00+02:00"),
            t("2026-10-11T02:00:00+02:00"),
        );
        let outages = [Outage {
            start: t("2026-10-10T23:00:00+02:00"),
            end: Some(t("2026-10-11T03:00:00+02:00")),
        }];
        for consent in Consent::ALL {
            let s = statement(
                period,
                &target("99.7"),
                &outages,
                &[],
                &[],
                &[MaintenanceWindow { window, consent }],
            )
            .unwrap();
            assert_eq!((s.unmonitored_seconds, s.incomplete), (0, false));
            if consent.excludes() {
                assert_eq!(s.excluded_maintenance_seconds, 14_400, "{consent}");
                assert_eq!(
                    row(&s),
                    (
                        2_682_000,
                        0,
                        false,
                        2_667_600,
                        3_600,
                        8_002,
                        4_402,
                        Some(99_865),
                        Some(true)
                    ),
                    "{consent}"
                );
                let json = serde_json::to_string(&s).unwrap();
                assert_eq!(
                    json,
                    r#"{"agreed_seconds":2667600,"downtime_seconds":3600,"allowed_downtime_seconds":8002,"budget_left_seconds":4402,"availability_percent":99.865,"met":true,"period_seconds":2682000,"unmonitored_seconds":0,"excluded_maintenance_seconds":14400,"incomplete":false}"#
                );
            } else {
                assert_eq!(s.excluded_maintenance_seconds, 0, "{consent}");
                assert_eq!(
                    row(&s),
                    (
                        2_682_000,
                        0,
                        false,
                        2_682_000,
                        14_400,
                        8_046,
                        -6_354,
                        Some(99_463),
                        Some(false)
                    ),
                    "{consent}"
                );
            }
        }
    }

    #[test]
    fn months_in_brussels_and_the_one_percent_edge() {
        for (month, seconds, allowed) in [
            ("2026-03", 2_674_800, 2_674),
            ("2026-10", 2_682_000, 2_682),
            ("2028-02", 2_505_600, 2_505),
        ] {
            let p = month_period(month).unwrap();
            let s = statement(p, &target("99.9"), &[], &[], &[], &[]).unwrap();
            assert_eq!(
                row(&s),
                (
                    seconds,
                    0,
                    false,
                    seconds,
                    0,
                    allowed,
                    allowed,
                    Some(100_000),
                    Some(true)
                ),
                "{month}"
            );
            assert_eq!(s.availability.availability_percent(), Some(100.0));
        }
        let oct = month_period("2026-10").unwrap();
        assert_eq!(oct.start, t("2026-10-01T00:00:00+02:00"));
        assert_eq!(oct.end, t("2026-11-01T00:00:00+01:00"));
        let dec = month_period("2200-12").unwrap();
        assert_eq!(
            dec.end,
            t("2200-12-31T23:00:00Z"),
            "2201-01-01T00:00:00+01:00"
        );
        let gap = |secs: i64| {
            let u = [iv(
                oct.start,
                Timestamp::from_second(oct.start.as_second() + secs).unwrap(),
            )];
            statement(oct, &target("99.9"), &[], &u, &[], &[]).unwrap()
        };
        assert!(!gap(26_820).incomplete, "exactly 1 % is complete");
        assert!(gap(26_821).incomplete);
        assert_eq!(gap(26_821).availability.downtime_seconds, 0);
    }

    #[test]
    fn month_errors() {
        for bad in [
            "2026-13",
            "2026-1",
            "2026-00",
            "26-10",
            "2026/10",
            "2026-10-01",
            "1899-12",
            "2201-01",
            "2026-1a",
            "",
        ] {
            assert!(month_period(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(month_period("1900-01").is_ok());
    }

    #[test]
    fn open_outages_and_incidents_run_to_the_end_of_the_period() {
        let period = iv(at("10:00:00"), at("11:00:00"));
        let open = [Outage {
            start: at("10:30:00"),
            end: None,
        }];
        let s = statement(period, &target("99"), &open, &[], &[], &[]).unwrap();
        assert_eq!(s.availability.downtime_seconds, 1_800);
        // Opened after the period: nothing.
        let later = [Outage {
            start: at("11:30:00"),
            end: None,
        }];
        let s = statement(period, &target("99"), &later, &[], &[], &[]).unwrap();
        assert_eq!(s.availability.downtime_seconds, 0);
        let incident = [Incident {
            start: at("09:00:00"),
            end: None,
            kind: IncidentKind::Down,
        }];
        let s = statement(period, &target("99"), &[], &[], &incident, &[]).unwrap();
        assert_eq!(s.availability.downtime_seconds, 3_600);
        assert_eq!(s.availability.met, Some(false));
    }

    #[test]
    fn an_empty_period_or_all_excluded_is_undefined() {
        let empty = iv(at("10:00:00"), at("10:00:00"));
        let s = statement(empty, &target("99.9"), &[], &[], &[], &[]).unwrap();
        assert_eq!(s.availability.met, None);
        assert!(!s.incomplete);
        let period = iv(at("10:00:00"), at("11:00:00"));
        let all = [MaintenanceWindow {
            window: period,
            consent: Consent::Tacit,
        }];
        let s = statement(period, &target("99.9"), &[], &[], &[], &all).unwrap();
        assert_eq!(
            (
                s.availability.agreed_seconds,
                s.availability.availability_percent()
            ),
            (0, None)
        );
    }

    #[test]
    fn reversed_intervals_are_errors_whatever_their_kind_or_consent() {
        let period = iv(at("10:00:00"), at("11:00:00"));
        let reversed = Interval {
            start: at("10:30:00"),
            end: at("10:20:00"),
        };
        let tgt = target("99");
        assert!(statement(period, &tgt, &[], &[reversed], &[], &[]).is_err());
        let w = [MaintenanceWindow {
            window: reversed,
            consent: Consent::Objected,
        }];
        assert!(statement(period, &tgt, &[], &[], &[], &w).is_err());
        let o = [Outage {
            start: at("10:30:00"),
            end: Some(at("10:20:00")),
        }];
        assert!(statement(period, &tgt, &o, &[], &[], &[]).is_err());
        let i = [Incident {
            start: at("10:30:00"),
            end: Some(at("10:20:00")),
            kind: IncidentKind::Degraded,
        }];
        assert!(statement(period, &tgt, &[], &[], &i, &[]).is_err());
        let backwards = Interval {
            start: at("11:00:00"),
            end: at("10:00:00"),
        };
        assert!(matches!(
            statement(backwards, &tgt, &[], &[], &[], &[]),
            Err(SlaError::FromAfterTo { .. })
        ));
    }

    fn arb_spans() -> impl Strategy<Value = Vec<(i64, i64)>> {
        prop::collection::vec((-20i64..220, 0i64..60), 0..8)
            .prop_map(|v| v.into_iter().map(|(s, l)| (s, s + l)).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn figures_match_a_second_by_second_count(
            outages in arb_spans(),
            open in prop::option::of(-20i64..220),
            unmonitored in arb_spans(),
            incidents in prop::collection::vec(((-20i64..220, 0i64..60), any::<bool>()), 0..4),
            windows in prop::collection::vec(((-20i64..220, 0i64..60), 0usize..6), 0..4),
        ) {
            let base = 1_800_000_000;
            let ts = |s: i64| Timestamp::from_second(base + s).unwrap();
            let period = iv(ts(0), ts(200));
            let mut o: Vec<Outage> = outages
                .iter()
                .map(|&(s, e)| Outage { start: ts(s), end: Some(ts(e)) })
                .collect();
            if let Some(s) = open {
                o.push(Outage { start: ts(s), end: None });
            }
            let u: Vec<Interval> = unmonitored.iter().map(|&(s, e)| iv(ts(s), ts(e))).collect();
            let inc: Vec<Incident> = incidents
                .iter()
                .map(|&((s, l), down)| Incident {
                    start: ts(s),
                    end: Some(ts(s + l)),
                    kind: if down { IncidentKind::Down } else { IncidentKind::Degraded },
                })
                .collect();
            let m: Vec<MaintenanceWindow> = windows
                .iter()
                .map(|&((s, l), c)| MaintenanceWindow {
                    window: iv(ts(s), ts(s + l)),
                    consent: Consent::ALL[c],
                })
                .collect();
            let st = statement(period, &target("99.5"), &o, &u, &inc, &m).unwrap();
            let inside = |v: &[(i64, i64)], t: i64| v.iter().any(|&(s, e)| s <= t && t < e);
            let (mut excluded, mut down, mut unmon) = (0, 0, 0);
            for t in 0..200 {
                let x = windows
                    .iter()
                    .any(|&((s, l), c)| Consent::ALL[c].excludes() && s <= t && t < s + l);
                let out = inside(&outages, t) || open.is_some_and(|s| s <= t);
                let un = inside(&unmonitored, t);
                let d = incidents.iter().any(|&((s, l), dn)| dn && s <= t && t < s + l);
                excluded += i64::from(x);
                unmon += i64::from(un);
                down += i64::from(((out && !un) || d) && !x);
            }
            let a = st.availability;
            prop_assert_eq!(st.period_seconds, 200);
            prop_assert_eq!(st.excluded_maintenance_seconds, excluded);
            prop_assert_eq!(a.agreed_seconds, 200 - excluded);
            prop_assert_eq!(a.downtime_seconds, down);
            prop_assert_eq!(st.unmonitored_seconds, unmon);
            prop_assert_eq!(st.incomplete, unmon * 100 > 200);
            prop_assert!(a.downtime_seconds <= a.agreed_seconds);
            // The same arithmetic as the `availability` op.
            prop_assert_eq!(a, availability_of(200 - excluded, down, &target("99.5")));
        }
    }
}
