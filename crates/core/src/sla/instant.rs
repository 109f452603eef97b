//! Instants of the contract: RFC 3339 in, `YYYY-MM-DDTHH:MM:SS±HH:MM` in a calendar's zone out.
//!
//! Input: `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM`, whole seconds only, a date of
//! 1900-01-01 to 2200-12-31 as written. Output never uses `Z` nor jiff's `[zone]` suffix
//! (DOMAIN §5). Both directions are hand-written: `pacta sla eval` parses and prints hundreds
//! of thousands of instants, and the arithmetic is a few integer operations.

use jiff::{tz::TimeZone, Timestamp};

/// The first supported year (as written, and of the holiday sets).
pub const FIRST_YEAR: i16 = 1900;
/// The last supported year.
pub const LAST_YEAR: i16 = 2200;

/// Why an instant was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid instant {input:?}: {reason} (expected RFC 3339 like 2026-11-27T17:30:00+01:00)")]
pub struct InstantError {
    /// The text that was refused.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(y, m, d)` of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn num(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

/// Parses an RFC 3339 instant with whole seconds and `Z` or a `±HH:MM` offset.
pub fn parse_instant(input: &str) -> Result<Timestamp, InstantError> {
    parse_instant_secs(input).map(|s| Timestamp::from_second(s).expect("in range"))
}

/// [`parse_instant`] to unix seconds.
pub fn parse_instant_secs(input: &str) -> Result<i64, InstantError> {
    let err = |reason| InstantError {
        input: input.to_string(),
        reason,
    };
    let b = input.as_bytes();
    if b.len() < 20 {
        return Err(err("too short"));
    }
    let shape_ok = b[4] == b'-'
        && b[7] == b'-'
        && matches!(b[10], b'T' | b't')
        && b[13] == b':'
        && b[16] == b':';
    if !shape_ok {
        return Err(err("not of the form YYYY-MM-DDTHH:MM:SS"));
    }
    let field = |r: std::ops::Range<usize>| num(&b[r]).ok_or_else(|| err("not a digit"));
    let (y, mo, d) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (h, mi, s) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let offset = match &b[19..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = num(&[*h1, *h2]).ok_or_else(|| err("bad offset"))?;
            let om = num(&[*m1, *m2]).ok_or_else(|| err("bad offset"))?;
            if oh > 23 || om > 59 {
                return Err(err("offset out of range"));
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        [b'.' | b',', ..] => return Err(err("fractional seconds are not allowed")),
        _ => return Err(err("expected Z or ±HH:MM after the seconds")),
    };
    if !(i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR)).contains(&y) {
        return Err(err("year outside 1900–2200"));
    }
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return Err(err("no such date"));
    }
    if h > 23 || mi > 59 || s > 59 {
        return Err(err("no such time of day"));
    }
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SS±HH:MM` in the zone `tz`.
///
/// An offset with seconds (local mean time before ~1940 in a few zones, never in
/// Europe/Brussels after 1892) cannot be written `±HH:MM`: it is then written `±HH:MM:SS`,
/// exact rather than rounded.
pub fn format_instant(t: Timestamp, tz: &TimeZone) -> String {
    let offset = tz.to_offset(t).seconds();
    format_with_offset(t.as_second(), offset)
}

/// Formats unix seconds with a fixed offset in seconds east of UTC.
pub fn format_with_offset(secs: i64, offset: i32) -> String {
    let local = secs + i64::from(offset);
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let sod = local.rem_euclid(86_400);
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.unsigned_abs();
    let mut out = format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        o / 3600,
        o / 60 % 60
    );
    let seconds = o % 60;
    if seconds != 0 {
        out.push_str(&format!(":{seconds:02}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brussels() -> TimeZone {
        TimeZone::get("Europe/Brussels").unwrap()
    }

    #[test]
    fn parses_z_and_offsets() {
        let a = parse_instant("2026-11-27T16:30:00Z").unwrap();
        let b = parse_instant("2026-11-27T17:30:00+01:00").unwrap();
        let c = parse_instant("2026-11-27T11:00:00-05:30").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, "2026-11-27T16:30:00Z".parse::<Timestamp>().unwrap());
    }

    #[test]
    fn refuses_malformed_instants() {
        for text in [
            "2026-11-27T17:30:00",
            "2026-11-27T17:30:00.5Z",
            "2026-11-27 17:30:00Z",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T17:30:60Z",
            "1899-12-31T23:59:59Z",
            "2201-01-01T00:00:00Z",
            "2026-11-27T17:30:00+0100",
            "2026-11-27T17:30:00+01:00[Europe/Brussels]",
            "2026-11-27T17:30Z",
        ] {
            assert!(parse_instant(text).is_err(), "{text:?} must be refused");
        }
        assert!(parse_instant("2024-02-29T00:00:00Z").is_ok());
        assert!(parse_instant("1900-01-01T00:00:00Z").is_ok());
        assert!(parse_instant("2200-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn formats_in_the_zone_without_suffix() {
        let t = parse_instant("2026-07-01T10:00:00Z").unwrap();
        assert_eq!(format_instant(t, &brussels()), "2026-07-01T12:00:00+02:00");
        let t = parse_instant("2026-12-01T10:00:00Z").unwrap();
        assert_eq!(format_instant(t, &brussels()), "2026-12-01T11:00:00+01:00");
        assert_eq!(
            format_instant(t, &TimeZone::UTC),
            "2026-12-01T10:00:00+00:00"
        );
        let ny = TimeZone::get("America/New_York").unwrap();
        assert_eq!(format_instant(t, &ny), "2026-12-01T05:00:00-05:00");
    }

    #[test]
    fn writes_an_offset_with_seconds_exactly() {
        assert_eq!(format_with_offset(0, 1172), "1970-01-01T00:19:32+00:19:32");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn agrees_with_jiff(secs in -2_208_988_800i64..7_258_118_399) {
            let t = Timestamp::from_second(secs).unwrap();
            let text = format_instant(t, &brussels());
            prop_assert_eq!(parse_instant(&text).unwrap(), t);
            let zoned = t.to_zoned(brussels());
            let jiff_text = zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
            prop_assert_eq!(text, jiff_text);
        }
    }
}
