//! Durations of the contract: exact whole seconds, written `[Nh][Nm][Ns]` or ISO 8601 `PT[NH][NM][NS]`.
//!
//! There is no "day" unit (a business day is ambiguous), no fractions, signs or spaces
//! (DOMAIN §5). Each part is a non-negative integer; parts appear in the order h, m, s and at
//! least one is present. Parts are not normalised on input: `90m` is 5,400 s.

/// Why a duration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}: {reason} (expected e.g. 90m, 4h30m, 0s or PT4H30M)")]
pub struct DurationError {
    /// The text that was refused.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Parses a duration into whole seconds: `90m` → 5400, `4h30m` → 16200, `PT0S` → 0.
pub fn parse_duration(input: &str) -> Result<i64, DurationError> {
    let err = |reason| DurationError {
        input: input.to_string(),
        reason,
    };
    let (body, units): (&str, [u8; 3]) = match input.strip_prefix("PT") {
        Some(rest) => (rest, *b"HMS"),
        None => (input, *b"hms"),
    };
    if body.is_empty() {
        return Err(err("no part"));
    }
    let bytes = body.as_bytes();
    let mut total: i64 = 0;
    let mut next_unit = 0; // index into `units` of the smallest unit still allowed
    let mut i = 0;
    while i < bytes.len() {
        let digits_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return Err(err("a part must start with digits"));
        }
        if i == bytes.len() {
            return Err(err("a number without a unit"));
        }
        let unit = bytes[i];
        let Some(pos) = units.iter().position(|&u| u == unit) else {
            return Err(err("unknown unit (use h, m, s or PT…H…M…S)"));
        };
        if pos < next_unit {
            return Err(err("units out of order or repeated"));
        }
        next_unit = pos + 1;
        let n: i64 = body[digits_start..i]
            .parse()
            .map_err(|_| err("number too large"))?;
        let factor = [3600, 60, 1][pos];
        total = n
            .checked_mul(factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| err("number too large"))?;
        i += 1;
    }
    Ok(total)
}

/// Formats seconds canonically: the non-zero parts of `h`, `m`, `s` in order (`4h30m`, `1h5s`),
/// `0s` for zero, and a leading `-` for a negative value (e.g. a spent error budget).
pub fn format_duration(seconds: i64) -> String {
    let mut out = String::new();
    if seconds < 0 {
        out.push('-');
    }
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || abs == 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_examples_of_the_contract() {
        for (text, secs) in [
            ("90m", 5400),
            ("4h30m", 16200),
            ("10h1s", 36001),
            ("0s", 0),
            ("PT4H30M", 16200),
            ("PT0S", 0),
            ("PT1S", 1),
            ("200h", 720_000),
            ("1h2m3s", 3723),
        ] {
            assert_eq!(parse_duration(text), Ok(secs), "{text}");
        }
    }

    #[test]
    fn refuses_days_fractions_signs_spaces_and_disorder() {
        for text in [
            "",
            "PT",
            "1d",
            "P1D",
            "1.5h",
            "-1h",
            "+1h",
            " 1h",
            "1h ",
            "1h 30m",
            "30m1h",
            "1h1h",
            "h",
            "10",
            "pt1h",
            "PT1h",
            "1H",
            "P1DT1H",
            "1m1h",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn formats_canonically() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(16200), "4h30m");
        assert_eq!(format_duration(3605), "1h5s");
        assert_eq!(format_duration(2592), "43m12s");
        assert_eq!(format_duration(-90), "-1m30s");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn format_then_parse_round_trips(secs in 0i64..10_000_000_000) {
            prop_assert_eq!(parse_duration(&format_duration(secs)), Ok(secs));
        }
    }
}
