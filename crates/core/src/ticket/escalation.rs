//! Escalation levels and their thresholds (DOMAIN §4, Escalation — Rule).

use std::fmt;

use crate::sla::clock::percent_of;
use crate::sla::duration::parse_duration;

/// Who a level escalates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Level 1: the service manager (SPOC) of the service.
    ServiceManager = 1,
    /// Level 2: the partner's relationship manager.
    Prm = 2,
    /// Level 3: ICT management.
    IctManagement = 3,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::ServiceManager, Level::Prm, Level::IctManagement];

    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn from_number(n: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|l| i64::from(l.number()) == n)
    }

    /// `service-manager`, `prm`, `ict-management`.
    pub fn to(self) -> &'static str {
        match self {
            Level::ServiceManager => "service-manager",
            Level::Prm => "prm",
            Level::IctManagement => "ict-management",
        }
    }

    /// The key of its threshold in the op and in the catalogue (`service_manager`, …).
    pub fn key(self) -> &'static str {
        match self {
            Level::ServiceManager => "service_manager",
            Level::Prm => "prm",
            Level::IctManagement => "ict_management",
        }
    }

    fn index(self) -> usize {
        self as usize - 1
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to())
    }
}

/// A level's threshold on the resolution clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// `N%` of the goal: `ceil(goal × N / 100)` business seconds.
    Percent(u32),
    /// A signed business-time offset from the deadline: `max(0, goal + offset)`.
    Offset(i64),
}

impl Threshold {
    /// The defaults: 75 %, 100 %, 150 %.
    pub const DEFAULTS: [Threshold; 3] = [
        Threshold::Percent(75),
        Threshold::Percent(100),
        Threshold::Percent(150),
    ];

    /// `75%`, or a sign and a duration (`+2h`, `-30m`, `+PT1H`).
    pub fn parse(text: &str) -> Result<Threshold, String> {
        if let Some(n) = text.strip_suffix('%') {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "threshold {text:?}: a percentage is a whole number and `%` (`75%`)"
                ));
            }
            return n
                .parse()
                .map(Threshold::Percent)
                .map_err(|_| format!("threshold {text:?}: the percentage is too large"));
        }
        let (sign, duration) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => {
                return Err(format!(
                    "threshold {text:?}: expected `N%` or a signed duration (`+2h`, `-30m`)"
                ))
            }
        };
        let seconds = parse_duration(duration).map_err(|e| format!("threshold {text:?}: {e}"))?;
        Ok(Threshold::Offset(sign * seconds))
    }

    /// The amount X of business seconds it stands for, for a resolution goal.
    pub fn amount(self, goal: i64) -> i64 {
        match self {
            Threshold::Percent(p) => percent_of(goal, p),
            Threshold::Offset(o) => goal.saturating_add(o).max(0),
        }
    }

    /// As written: `75%`, `+2h`, `-30m`.
    pub fn text(self) -> String {
        match self {
            Threshold::Percent(p) => format!("{p}%"),
            Threshold::Offset(o) if o < 0 => {
                format!("-{}", crate::sla::duration::format_duration(-o))
            }
            Threshold::Offset(o) => format!("+{}", crate::sla::duration::format_duration(o)),
        }
    }
}

/// The three levels' thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds(pub [Threshold; 3]);

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds(Threshold::DEFAULTS)
    }
}

impl Thresholds {
    pub fn of(&self, level: Level) -> Threshold {
        self.0[level.index()]
    }

    pub fn set(&mut self, level: Level, threshold: Threshold) {
        self.0[level.index()] = threshold;
    }

    /// Whether a level's threshold is its default (omitted from the export).
    pub fn is_default(&self, level: Level) -> bool {
        self.of(level) == Threshold::DEFAULTS[level.index()]
    }

    /// Every level at its default (the whole key omitted from the export).
    pub fn all_default(&self) -> bool {
        Level::ALL.into_iter().all(|l| self.is_default(l))
    }
}

/// In the catalogue: `{service_manager: "75%", prm: "+2h", …}`, the levels at their default
/// left out.
impl serde::Serialize for Thresholds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let set: Vec<Level> = Level::ALL
            .into_iter()
            .filter(|&l| !self.is_default(l))
            .collect();
        let mut map = s.serialize_map(Some(set.len()))?;
        for l in set {
            map.serialize_entry(l.key(), &self.of(l).text())?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Thresholds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Thresholds, D::Error> {
        use serde::de::Error;
        let map = std::collections::BTreeMap::<String, String>::deserialize(d)?;
        let mut thresholds = Thresholds::default();
        for (key, text) in map {
            let level = Level::ALL
                .into_iter()
                .find(|l| l.key() == key)
                .ok_or_else(|| D::Error::custom(format!("unknown escalation level `{key}`")))?;
            thresholds.set(level, Threshold::parse(&text).map_err(D::Error::custom)?);
        }
        Ok(thresholds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_give_their_amounts() {
        let h = 3600;
        assert_eq!(Threshold::parse("75%"), Ok(Threshold::Percent(75)));
        assert_eq!(Threshold::parse("75%").unwrap().amount(16 * h), 12 * h);
        assert_eq!(Threshold::parse("75%").unwrap().amount(1001), 751);
        assert_eq!(Threshold::parse("+2h").unwrap().amount(16 * h), 18 * h);
        assert_eq!(
            Threshold::parse("-30m").unwrap().amount(16 * h),
            16 * h - 1800
        );
        assert_eq!(Threshold::parse("+PT1H"), Ok(Threshold::Offset(h)));
        assert_eq!(Threshold::parse("-5h").unwrap().amount(4 * h), 0);
        assert_eq!(Threshold::parse("0%").unwrap().amount(4 * h), 0);
        for bad in [
            "75", "+1d", "7.5%", "%", "-75%", "2h", "+", "+-2h", "+4.5h", "",
        ] {
            assert!(Threshold::parse(bad).is_err(), "{bad}");
        }
        for text in ["75%", "+2h", "-30m", "+1h30m"] {
            assert_eq!(Threshold::parse(text).unwrap().text(), text);
        }
    }

    #[test]
    fn thresholds_serialise_without_their_defaults() {
        let mut t = Thresholds::default();
        assert!(t.all_default());
        assert_eq!(serde_json::to_string(&t).unwrap(), "{}");
        t.set(Level::Prm, Threshold::parse("+2h").unwrap());
        assert!(!t.all_default());
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"prm":"+2h"}"#);
        assert_eq!(serde_json::from_str::<Thresholds>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Thresholds>(r#"{"cio":"50%"}"#).is_err());
        assert!(serde_json::from_str::<Thresholds>(r#"{"prm":"50"}"#).is_err());
    }

    #[test]
    fn levels() {
        assert_eq!(
            Level::ALL.map(|l| (l.number(), l.to())),
            [(1, "service-manager"), (2, "prm"), (3, "ict-management")]
        );
        assert!(Thresholds::default().is_default(Level::Prm));
    }
}
