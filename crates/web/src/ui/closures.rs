//! `/{lang}/closures`: the days the central helpdesk is closed this year and next (DOMAIN §4,
//! §5) — the holiday sets of its calendar and its named closed days — and `closures.ics`, the same
//! days as an RFC 5545 feed a partner can subscribe to.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use pacta_core::sla::calendar::CalendarSpec;
use pacta_core::sla::holidays::{self, HolidaySet};
use pacta_core::text::{Lang, Text};

use super::fiche::calendar_name;
use super::format;
use super::i18n::{Tr, L};
use super::{page_in, path_lang, rest_of, Base};
use crate::snapshot::Snapshot;
use crate::state::AppState;

/// One closed date, with its name(s) in the reader's language.
pub struct Closure {
    pub date: Date,
    pub iso: String,
    pub long: String,
    pub weekday: String,
    pub weekend: bool,
    pub name: L,
}

fn holiday_lang(lang: Lang) -> holidays::Lang {
    match lang {
        Lang::Nl => holidays::Lang::Nl,
        Lang::Fr => holidays::Lang::Fr,
        Lang::De => holidays::Lang::De,
        Lang::En => holidays::Lang::En,
    }
}

/// The code of the central helpdesk's calendar (`be-working-hours` without a profile).
pub fn helpdesk_calendar(snapshot: &Snapshot) -> String {
    snapshot
        .stored
        .catalogue
        .profile
        .as_ref()
        .map(|p| p.central_helpdesk_calendar.clone())
        .unwrap_or_else(|| "be-working-hours".into())
}

/// The closed dates of a calendar in the given years, each with its names in the four languages.
pub fn closures(snapshot: &Snapshot, calendar: &str, years: &[i16]) -> Vec<(Date, Text)> {
    let (sets, closed): (Vec<String>, Vec<(Date, Text)>) = match snapshot
        .stored
        .catalogue
        .calendars
        .iter()
        .find(|c| c.code == calendar)
    {
        Some(def) => (
            def.holidays.sets.clone(),
            def.holidays
                .closed
                .iter()
                .map(|d| (d.date, d.name.clone()))
                .collect(),
        ),
        None => (
            CalendarSpec::builtin(calendar)
                .map(|s| s.holidays.sets)
                .unwrap_or_default(),
            Vec::new(),
        ),
    };
    let mut days: BTreeMap<Date, Vec<Text>> = BTreeMap::new();
    for &year in years {
        for set in sets.iter().filter_map(|s| HolidaySet::from_code(s)) {
            for h in holidays::holidays(set, year) {
                let mut name = Text::new();
                for lang in Lang::ALL {
                    name.0.insert(lang, h.name(holiday_lang(lang)));
                }
                let entry = days.entry(h.date).or_default();
                if !entry.contains(&name) {
                    entry.push(name);
                }
            }
        }
        for (date, name) in closed.iter().filter(|(d, _)| d.year() == year) {
            days.entry(*date).or_default().push(name.clone());
        }
    }
    days.into_iter()
        .map(|(date, names)| {
            // Two names on one date share the line (DOMAIN §5), joined per language.
            let mut joined = Text::new();
            for lang in Lang::ALL {
                let parts: Vec<&str> = names.iter().filter_map(|n| n.get(lang)).collect();
                if !parts.is_empty() {
                    joined.0.insert(lang, parts.join(" / "));
                }
            }
            (date, joined)
        })
        .collect()
}

fn this_year() -> i16 {
    jiff::Zoned::now()
        .with_time_zone(
            jiff::tz::TimeZone::get("Europe/Brussels").unwrap_or(jiff::tz::TimeZone::UTC),
        )
        .year()
}

pub struct YearView {
    pub year: i16,
    pub days: Vec<Closure>,
}

#[derive(Template)]
#[template(path = "closures.html")]
pub struct ClosuresPage {
    pub base: Base,
    pub calendar: L,
    pub years: Vec<YearView>,
    pub ics: String,
}

pub async fn page(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let snapshot = state.snapshot();
    let lang = match path_lang(&snapshot, &lang, &headers) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let code = helpdesk_calendar(&snapshot);
    let year = this_year();
    let years = [year, year + 1]
        .iter()
        .map(|&y| YearView {
            year: y,
            days: closures(&snapshot, &code, &[y])
                .into_iter()
                .map(|(date, name)| Closure {
                    date,
                    iso: date.to_string(),
                    long: format::date(date, lang),
                    weekday: format::weekday(date, lang).to_owned(),
                    weekend: matches!(
                        date.weekday(),
                        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                    ),
                    name: L::new(&name, lang),
                })
                .collect(),
        })
        .collect();
    let page = ClosuresPage {
        base: Base::new(
            &snapshot,
            lang,
            Tr(lang).s("closures-title"),
            &rest_of(&uri),
            "closures",
        ),
        calendar: calendar_name(&snapshot, &code, lang),
        years,
        ics: format!("/{}/closures.ics", lang.code()),
    };
    page_in(lang, &page)
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ics_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1), and ends
/// it with CRLF.
fn fold_line(out: &mut String, line: &str) {
    let mut count = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if count + len > 75 {
            out.push_str("\r\n ");
            count = 1;
        }
        out.push(c);
        count += len;
    }
    out.push_str("\r\n");
}

/// The closures of this year and next as an iCalendar document: all-day, transparent events.
pub fn ics_document(snapshot: &Snapshot, lang: Lang, year: i16) -> String {
    let t = Tr(lang);
    let code = helpdesk_calendar(snapshot);
    let org = snapshot
        .stored
        .catalogue
        .profile
        .as_ref()
        .map(|p| L::new(&p.organisation, lang).text)
        .unwrap_or_default();
    // DTSTAMP is the catalogue's edition, not the request time, so the feed is stable.
    let stamp = snapshot
        .stored
        .catalogue
        .profile
        .as_ref()
        .map(|p| p.edition_date)
        .unwrap_or(Date::constant(2026, 1, 1));
    let stamp = format!(
        "{:04}{:02}{:02}T000000Z",
        stamp.year(),
        stamp.month(),
        stamp.day()
    );
    let mut out = String::new();
    let mut line = |l: String| fold_line(&mut out, &l);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Pacta//Closures//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!(
        "X-WR-CALNAME:{}",
        ics_text(&format!("{} — {}", t.s("closures-title"), org))
    ));
    for (date, name) in closures(snapshot, &code, &[year, year + 1]) {
        let next = date.tomorrow().unwrap_or(date);
        let d = |d: Date| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}-{}@pacta", d(date), ics_text(&code)));
        line(format!("DTSTAMP:{stamp}"));
        line(format!("DTSTART;VALUE=DATE:{}", d(date)));
        line(format!("DTEND;VALUE=DATE:{}", d(next)));
        let summary = name
            .resolve(lang)
            .map(|(_, t)| t.to_owned())
            .unwrap_or_else(|| t.s("closures-closed"));
        line(format!("SUMMARY:{}", ics_text(&summary)));
        line("TRANSP:TRANSPARENT".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

pub async fn ics(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    headers: HeaderMap,
) -> Response {
    let snapshot = state.snapshot();
    let lang = match path_lang(&snapshot, &lang, &headers) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline; filename=\"closures.ics\""),
            ),
        ],
        ics_document(&snapshot, lang, this_year()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_on_character_boundaries() {
        let mut out = String::new();
        fold_line(&mut out, &format!("SUMMARY:{}", "é".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        assert!(out.ends_with("\r\n"));
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "é".repeat(60))
        );
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
