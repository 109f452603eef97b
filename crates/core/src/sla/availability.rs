//! Availability over a period (DOMAIN §6), in exact integer arithmetic.
//!
//! * agreed service time `AST = |period − maintenance|`
//! * `downtime = |(∪ outages ∩ period) − maintenance|` (overlaps counted once)
//! * `allowed = floor(AST × (100 − target) / 100)`, `budget_left = allowed − downtime`
//! * `availability = floor(100000 × (AST − downtime) / AST) / 1000` (floored to 3 decimals, so
//!   one failure never shows 100 %), undefined when `AST = 0` — then `allowed = budget = 0`.
//! * `met ⇔ (AST − downtime) × 100 ≥ target × AST`, the target read exactly from its digits.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Serialize};

use super::business_time::{spans_of, Interval};
use super::intervals::{clip, intersection_measure, measure};
use super::SlaError;

/// Digits after the decimal point a [`Target`] may have.
pub const TARGET_DECIMALS: u32 = 6;
const SCALE: i128 = 10i128.pow(TARGET_DECIMALS);

/// An availability target in percent, exact: `99.9` is 99.9, not the nearest binary float.
///
/// Parsed from its decimal digits (`"99.9"`, `"99.95"`, `"100"`, `"0"`, at most 6 decimals, no
/// sign, exponent or spaces, 0–100). `Display` gives the canonical digits (`"99.90"` → `99.9`).
/// Serialises as a string; deserialises from a string or a number. A JSON number reaches serde
/// as an `f64`: its shortest round-trip text is used, which gives back the written digits for
/// every target of at most 15 significant digits (all that [`TARGET_DECIMALS`] allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// The percentage × 10^6.
    micro: i64,
}

impl Target {
    /// The percentage × 10^6 (99.9 % is 99,900,000).
    pub fn micro(&self) -> i64 {
        self.micro
    }
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid availability target {input:?}: {reason} (expected a percentage 0–100 like 99.9)")]
pub struct TargetError {
    /// The text that was refused.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Target {
    /// Parses a percentage from its decimal digits.
    pub fn parse(input: &str) -> Result<Target, TargetError> {
        let err = |reason| TargetError {
            input: input.to_string(),
            reason,
        };
        let (int, frac) = match input.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (input, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) {
            return Err(err("expected digits before any decimal point"));
        }
        let frac = match frac {
            None => "",
            Some(f) if digits(f) => f,
            Some(_) => return Err(err("expected digits after the decimal point")),
        };
        let frac = frac.trim_end_matches('0');
        if frac.len() > TARGET_DECIMALS as usize {
            return Err(err("more than 6 decimals"));
        }
        let int = int.trim_start_matches('0');
        if int.len() > 3 {
            return Err(err("above 100"));
        }
        let int: i64 = if int.is_empty() {
            0
        } else {
            int.parse().expect("digits")
        };
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>().expect("digits") * 10i64.pow(TARGET_DECIMALS - frac.len() as u32)
        };
        let micro = int * 1_000_000 + frac_value;
        if micro > 100 * 1_000_000 {
            return Err(err("above 100"));
        }
        Ok(Target { micro })
    }

    /// The target in millionths of a percent (99.9 → 99,900,000).
    pub fn micro_percent(&self) -> i64 {
        self.micro
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (int, frac) = (self.micro / 1_000_000, self.micro % 1_000_000);
        if frac == 0 {
            return write!(f, "{int}");
        }
        let frac = format!("{frac:06}");
        write!(f, "{int}.{}", frac.trim_end_matches('0'))
    }
}

impl FromStr for Target {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Target, TargetError> {
        Target::parse(s)
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Target;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a percentage 0–100 as a number or a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Target, E> {
                Target::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Target, E> {
                Target::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Target, E> {
                Target::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Target, E> {
                Target::from_f64(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Target {
    /// A target from a float's shortest round-trip decimal text (how a JSON number arrives).
    pub fn from_f64(v: f64) -> Result<Target, TargetError> {
        if !v.is_finite() {
            return Err(TargetError {
                input: v.to_string(),
                reason: "not a finite number",
            });
        }
        // Rust's `Display` for f64 is the shortest text that round-trips, never in exponent form.
        Target::parse(&v.to_string())
    }
}

/// `floor(agreed × (100 − target) / 100)`: 30 days at 99.9 → 2,592 s (43 min 12 s).
pub fn allowed_downtime_seconds(agreed_seconds: i64, target: &Target) -> i64 {
    let allowed =
        i128::from(agreed_seconds) * (100 * SCALE - i128::from(target.micro)) / (100 * SCALE);
    allowed as i64
}

/// The seconds of the "month" a fiche speaks of: 30 days, whatever the calendar month
/// (DOMAIN §6; a statement's month is the calendar month instead).
pub const FICHE_MONTH_SECONDS: i64 = 30 * 24 * 3600;

impl Target {
    /// The downtime this target allows per 30 days: 43,200 min at 99.9 / 99.7 / 99.5 % gives
    /// 43.2 / 129.6 / 216 min.
    pub fn allowed_downtime_per_month(&self) -> i64 {
        allowed_downtime_seconds(FICHE_MONTH_SECONDS, self)
    }
}

/// The availability of a period, per DOMAIN §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Availability {
    /// Agreed service time: the period minus maintenance.
    pub agreed_seconds: i64,
    /// Outage time inside the period, outside maintenance, overlaps counted once.
    pub downtime_seconds: i64,
    /// `floor(agreed × (100 − target) / 100)`; 0 when nothing was agreed.
    pub allowed_downtime_seconds: i64,
    /// `allowed − downtime` (negative when the budget is overspent); 0 when nothing was agreed.
    pub budget_left_seconds: i64,
    /// `floor(100000 × (agreed − downtime) / agreed)`, i.e. the percentage × 1000 floored;
    /// `None` when nothing was agreed.
    pub availability_milli_percent: Option<i64>,
    /// Whether the target is met; `None` when nothing was agreed.
    pub met: Option<bool>,
}

impl Availability {
    /// The availability percentage floored to 3 decimals, as a float for display/JSON.
    pub fn availability_percent(&self) -> Option<f64> {
        self.availability_milli_percent.map(|m| m as f64 / 1000.0)
    }
}

/// Serialises to the object of `pacta sla availability`: `agreed_seconds`, `downtime_seconds`,
/// `allowed_downtime_seconds`, `budget_left_seconds`, `availability_percent` (number or null),
/// `met` (bool or null).
impl Serialize for Availability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Availability", 6)?;
        st.serialize_field("agreed_seconds", &self.agreed_seconds)?;
        st.serialize_field("downtime_seconds", &self.downtime_seconds)?;
        st.serialize_field("allowed_downtime_seconds", &self.allowed_downtime_seconds)?;
        st.serialize_field("budget_left_seconds", &self.budget_left_seconds)?;
        st.serialize_field("availability_percent", &self.availability_percent())?;
        st.serialize_field("met", &self.met)?;
        st.end()
    }
}

/// Availability of `period` given outages and maintenance windows (each half-open; overlaps
/// count once; parts outside the period are ignored; a reversed interval is an error).
pub fn availability(
    period: Interval,
    outages: &[Interval],
    maintenance: &[Interval],
    target: &Target,
) -> Result<Availability, SlaError> {
    if period.start > period.end {
        return Err(SlaError::FromAfterTo {
            from: period.start.to_string(),
            to: period.end.to_string(),
        });
    }
    let (lo, hi) = period.span();
    let outages = clip(&spans_of(outages)?, lo, hi);
    let maintenance = clip(&spans_of(maintenance)?, lo, hi);
    let agreed = (hi - lo) - measure(&maintenance);
    let downtime = measure(&outages) - intersection_measure(&outages, &maintenance);
    Ok(availability_of(agreed, downtime, target))
}

/// The figures of DOMAIN §6 from agreed time and downtime (`0 <= downtime <= agreed`).
pub fn availability_of(agreed: i64, downtime: i64, target: &Target) -> Availability {
    if agreed == 0 {
        return Availability {
            agreed_seconds: 0,
            downtime_seconds: downtime,
            allowed_downtime_seconds: 0,
            budget_left_seconds: 0,
            availability_milli_percent: None,
            met: None,
        };
    }
    let allowed = allowed_downtime_seconds(agreed, target);
    let up = i128::from(agreed - downtime);
    let milli = (100_000 * up / i128::from(agreed)) as i64;
    let met = up * 100 * SCALE >= i128::from(target.micro) * i128::from(agreed);
    Availability {
        agreed_seconds: agreed,
        downtime_seconds: downtime,
        allowed_downtime_seconds: allowed,
        budget_left_seconds: allowed - downtime,
        availability_milli_percent: Some(milli),
        met: Some(met),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_fiche_month_is_30_days() {
        let minutes = |t: &str| {
            super::Target::parse(t)
                .unwrap()
                .allowed_downtime_per_month()
        };
        assert_eq!(minutes("99.9"), 2592, "43.2 min");
        assert_eq!(minutes("99.7"), 7776, "129.6 min");
        assert_eq!(minutes("99.5"), 12960, "216 min");
    }

    use super::*;
    use jiff::Timestamp;
    use proptest::prelude::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }
    fn iv(a: i64, b: i64) -> Interval {
        Interval::new(t(a), t(b)).unwrap()
    }

    #[test]
    fn target_parses_exact_digits() {
        for (text, micro, canon) in [
            ("99.9", 99_900_000, "99.9"),
            ("99.95", 99_950_000, "99.95"),
            ("100", 100_000_000, "100"),
            ("100.000", 100_000_000, "100"),
            ("0", 0, "0"),
            ("99.900", 99_900_000, "99.9"),
            ("0.000001", 1, "0.000001"),
            ("099.5", 99_500_000, "99.5"),
        ] {
            let target = Target::parse(text).unwrap();
            assert_eq!(target.micro_percent(), micro, "{text}");
            assert_eq!(target.to_string(), canon, "{text}");
        }
    }

    #[test]
    fn target_refuses_signs_exponents_ranges_and_excess_decimals() {
        for text in [
            "",
            "-1",
            "+99",
            "1e2",
            "100.1",
            "101",
            "99.9999999",
            " 99.9",
            "99.9 ",
            ".5",
            "99.",
            "99,9",
            "abc",
            "1000",
            "NaN",
            "inf",
        ] {
            assert!(Target::parse(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn target_serde_from_number_or_string() {
        let a: Target = serde_json::from_str("99.9").unwrap();
        let b: Target = serde_json::from_str("\"99.9\"").unwrap();
        let c: Target = serde_json::from_str("100").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.micro_percent(), 99_900_000);
        assert_eq!(c.to_string(), "100");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"99.9\"");
        assert!(serde_json::from_str::<Target>("100.5").is_err());
        assert!(serde_json::from_str::<Target>("-1").is_err());
    }

    #[test]
    fn allowed_downtime_for_thirty_days() {
        let month = 30 * 86_400;
        let allowed = |p| allowed_downtime_seconds(month, &Target::parse(p).unwrap());
        assert_eq!(allowed("99.9"), 2_592); // 43.2 min
        assert_eq!(allowed("99.7"), 7_776); // 129.6 min
        assert_eq!(allowed("99.5"), 12_960); // 216 min
        assert_eq!(allowed("100"), 0);
        assert_eq!(allowed("0"), month);
    }

    #[test]
    fn one_failure_never_shows_100_percent() {
        let a = availability_of(30 * 86_400, 1, &Target::parse("99.9").unwrap());
        assert_eq!(a.availability_milli_percent, Some(99_999));
        assert_eq!(a.met, Some(true));
        let a = availability_of(30 * 86_400, 0, &Target::parse("100").unwrap());
        assert_eq!(a.availability_milli_percent, Some(100_000));
        assert_eq!(a.met, Some(true));
    }

    #[test]
    fn met_is_exact_at_the_boundary() {
        let target = Target::parse("99.9").unwrap();
        let month = 30 * 86_400;
        assert_eq!(availability_of(month, 2_592, &target).met, Some(true));
        assert_eq!(availability_of(month, 2_593, &target).met, Some(false));
        // 1000 s at 99.9: exactly 1 s allowed.
        assert_eq!(availability_of(1000, 1, &target).met, Some(true));
        assert_eq!(availability_of(1000, 1, &target).budget_left_seconds, 0);
    }

    #[test]
    fn maintenance_excluded_overlaps_counted_once_and_clipped() {
        let target = Target::parse("99.9").unwrap();
        let a = availability(
            iv(0, 1000),
            &[iv(-50, 10), iv(5, 20), iv(100, 200), iv(990, 2000)],
            &[iv(150, 300)],
            &target,
        )
        .unwrap();
        assert_eq!(a.agreed_seconds, 850);
        assert_eq!(a.downtime_seconds, 20 + 50 + 10);
        assert_eq!(a.allowed_downtime_seconds, 0); // floor(850 × 0.1 / 100)
        assert_eq!(a.budget_left_seconds, -80);
        assert_eq!(a.met, Some(false));
        assert_eq!(a.availability_milli_percent, Some(90_588)); // 770/850 = 90.588…
    }

    #[test]
    fn undefined_when_nothing_is_agreed() {
        let target = Target::parse("99.9").unwrap();
        let a = availability(iv(0, 100), &[iv(0, 100)], &[iv(0, 100)], &target).unwrap();
        assert_eq!(a.agreed_seconds, 0);
        assert_eq!(a.downtime_seconds, 0);
        assert_eq!((a.met, a.availability_percent()), (None, None));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"agreed_seconds":0,"downtime_seconds":0,"allowed_downtime_seconds":0,"budget_left_seconds":0,"availability_percent":null,"met":null}"#
        );
        let empty = availability(iv(5, 5), &[], &[], &target).unwrap();
        assert_eq!(empty.met, None);
    }

    #[test]
    fn reversed_intervals_are_errors() {
        let target = Target::parse("99.9").unwrap();
        let reversed = Interval {
            start: t(10),
            end: t(5),
        };
        assert!(availability(iv(0, 100), &[reversed], &[], &target).is_err());
        assert!(availability(reversed, &[], &[], &target).is_err());
    }

    fn arb_intervals() -> impl Strategy<Value = Vec<(i64, i64)>> {
        prop::collection::vec((-100i64..1100, 0i64..300), 0..20)
            .prop_map(|v| v.into_iter().map(|(s, l)| (s, s + l)).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn invariant_to_order_and_splitting(
            outages in arb_intervals(),
            maint in arb_intervals(),
            cut in 0i64..300,
            seed in any::<u64>(),
        ) {
            let target = Target::parse("99.5").unwrap();
            let to_iv = |v: &[(i64, i64)]| v.iter().map(|&(a, b)| iv(a, b)).collect::<Vec<_>>();
            let base = availability(iv(0, 1000), &to_iv(&outages), &to_iv(&maint), &target).unwrap();
            // Reverse and rotate the order, split every outage at a point, duplicate one.
            let mut shuffled: Vec<(i64, i64)> = Vec::new();
            for &(a, b) in outages.iter().rev() {
                let m = (a + cut).min(b);
                shuffled.push((a, m));
                shuffled.push((m, b));
            }
            if let Some(&first) = outages.first() {
                shuffled.push(first);
            }
            let n = shuffled.len().max(1);
            shuffled.rotate_left((seed as usize) % n);
            let other = availability(iv(0, 1000), &to_iv(&shuffled), &to_iv(&maint), &target).unwrap();
            prop_assert_eq!(base, other);
            // Downtime matches a second-by-second count.
            let down = (0..1000)
                .filter(|&s| outages.iter().any(|&(a, b)| a <= s && s < b))
                .filter(|&s| !maint.iter().any(|&(a, b)| a <= s && s < b))
                .count() as i64;
            prop_assert_eq!(base.downtime_seconds, down);
        }
    }
}
