//! Numbers, money, dates and durations as each language writes them (DOMAIN §10: `€ 1.234,56` in
//! nl-BE, `1 234,56 €` in fr-BE). Hand-written after CLDR for the four languages Pacta speaks,
//! rather than pulling an ICU data set for four formats.

use jiff::civil::{Date, Weekday};
use pacta_core::sla::availability::Target;
use pacta_core::text::Lang;

/// No-break space (U+00A0): between amount and currency sign.
const NBSP: char = '\u{a0}';
/// Narrow no-break space (U+202F): the French digit-group separator (CLDR).
const NNBSP: char = '\u{202f}';

fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::Nl | Lang::De => ('.', ','),
        Lang::Fr => (NNBSP, ','),
        Lang::En => (',', '.'),
    }
}

/// An integer with the language's digit grouping: `1.234` (nl, de), `1 234` (fr), `1,234` (en).
pub fn integer(n: i64, lang: Lang) -> String {
    let (group, _) = separators(lang);
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 4);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    out
}

/// EUR cents as the language writes a price.
pub fn money(cents: i64, lang: Lang) -> String {
    let (_, decimal) = separators(lang);
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = integer((abs / 100) as i64, lang);
    let number = format!("{sign}{whole}{decimal}{:02}", abs % 100);
    match lang {
        Lang::Nl => format!("€{NBSP}{number}"),
        Lang::Fr | Lang::De => format!("{number}{NBSP}€"),
        Lang::En => format!("€{number}"),
    }
}

/// An availability target as a percentage: `99,9 %` (nl, fr, de), `99.9%` (en).
pub fn percent(target: &Target, lang: Lang) -> String {
    let plain = target.to_string();
    match lang {
        Lang::En => format!("{plain}%"),
        _ => format!("{}{NBSP}%", plain.replace('.', ",")),
    }
}

/// A duration in exact seconds: `43 min 12 s`, `4 h`, `2 h 9 min 36 s`; `0 s` for zero.
/// The SI symbols are the same in the four languages; the spaces do not break.
pub fn duration(seconds: i64, _lang: Lang) -> String {
    let s = seconds.max(0);
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}{NBSP}h"));
    }
    if m > 0 {
        parts.push(format!("{m}{NBSP}min"));
    }
    if sec > 0 || parts.is_empty() {
        parts.push(format!("{sec}{NBSP}s"));
    }
    parts.join(" ")
}

const MONTHS: [[&str; 12]; 4] = [
    [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
];

const WEEKDAYS: [[&str; 7]; 4] = [
    [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ],
    [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
    [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
];

fn index(lang: Lang) -> usize {
    match lang {
        Lang::Nl => 0,
        Lang::Fr => 1,
        Lang::De => 2,
        Lang::En => 3,
    }
}

/// A long date: `28 november 2026`, `28 novembre 2026`, `28. November 2026`, `28 November 2026`.
pub fn date(d: Date, lang: Lang) -> String {
    let month = MONTHS[index(lang)][(d.month() - 1) as usize];
    match lang {
        Lang::De => format!("{}. {month} {}", d.day(), d.year()),
        _ => format!("{} {month} {}", d.day(), d.year()),
    }
}

/// A month (`YYYY-MM`) in words: `november 2026`, `novembre 2026`, `November 2026`; the text
/// itself when it is not a month.
pub fn month(month: &str, lang: Lang) -> String {
    let parsed = (month.len() == 7 && month.as_bytes()[4] == b'-').then(|| {
        (
            month[..4].parse::<i32>().ok(),
            month[5..].parse::<usize>().ok(),
        )
    });
    match parsed {
        Some((Some(y), Some(m))) if (1..=12).contains(&m) => {
            format!("{} {y}", MONTHS[index(lang)][m - 1])
        }
        _ => month.to_owned(),
    }
}

/// An instant in Europe/Brussels as the pages write it: `30 November 2026, 09:15`.
pub fn when(t: jiff::Timestamp, lang: Lang) -> String {
    let local = t.to_zoned(pacta_core::subscription::zone().clone());
    format!(
        "{}, {:02}:{:02}",
        date(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// An availability figure (a percentage floored to three decimals) with three decimals, as
/// [`percent`] writes a target: `99,865 %` (nl, fr, de), `99.865%` (en).
pub fn figure(value: f64, lang: Lang) -> String {
    let plain = format!("{value:.3}");
    match lang {
        Lang::En => format!("{plain}%"),
        _ => format!("{}{NBSP}%", plain.replace('.', ",")),
    }
}

/// The weekday's name.
pub fn weekday(d: Date, lang: Lang) -> &'static str {
    let i = match d.weekday() {
        Weekday::Monday => 0,
        Weekday::Tuesday => 1,
        Weekday::Wednesday => 2,
        Weekday::Thursday => 3,
        Weekday::Friday => 4,
        Weekday::Saturday => 5,
        Weekday::Sunday => 6,
    };
    WEEKDAYS[index(lang)][i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_follows_each_language() {
        assert_eq!(money(123456, Lang::Nl), "€\u{a0}1.234,56");
        assert_eq!(money(123456, Lang::Fr), "1\u{202f}234,56\u{a0}€");
        assert_eq!(money(123456, Lang::De), "1.234,56\u{a0}€");
        assert_eq!(money(123456, Lang::En), "€1,234.56");
        assert_eq!(money(5, Lang::En), "€0.05");
        assert_eq!(money(100000000, Lang::Nl), "€\u{a0}1.000.000,00");
    }

    #[test]
    fn allowed_downtime_reads_in_minutes_and_seconds() {
        assert_eq!(duration(2592, Lang::En), "43\u{a0}min 12\u{a0}s");
        assert_eq!(duration(7776, Lang::Fr), "2\u{a0}h 9\u{a0}min 36\u{a0}s");
        assert_eq!(duration(0, Lang::Nl), "0\u{a0}s");
        assert_eq!(duration(4 * 3600, Lang::De), "4\u{a0}h");
    }

    #[test]
    fn percent_and_dates() {
        let t = Target::parse("99.9").unwrap();
        assert_eq!(percent(&t, Lang::Nl), "99,9\u{a0}%");
        assert_eq!(percent(&t, Lang::En), "99.9%");
        let d = Date::new(2026, 11, 28).unwrap();
        assert_eq!(date(d, Lang::De), "28. November 2026");
        assert_eq!(date(d, Lang::Fr), "28 novembre 2026");
        assert_eq!(weekday(d, Lang::Nl), "zaterdag");
    }

    #[test]
    fn months_instants_and_figures() {
        assert_eq!(month("2026-10", Lang::Fr), "octobre 2026");
        assert_eq!(month("2026-03", Lang::De), "März 2026");
        assert_eq!(month("2026-13", Lang::En), "2026-13");
        let t: jiff::Timestamp = "2026-11-30T08:15:00Z".parse().unwrap();
        assert_eq!(when(t, Lang::En), "30 November 2026, 09:15");
        assert_eq!(figure(99.865, Lang::Nl), "99,865\u{a0}%");
        assert_eq!(figure(100.0, Lang::En), "100.000%");
    }
}
