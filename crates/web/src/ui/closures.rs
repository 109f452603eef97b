//! `/{lang}/closures`: the days the central helpdesk is closed this year and next (DOMAIN §4,
//! §5) — the holiday sets of its calendar and its named closed days — and `closures.ics`, the same
//! days as an RFC 5545 feed a partner can subscribe to.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use pacta_core::text::Lang;

use super::format;
use super::i18n::{Tr, L};
use super::names::calendar_name;
use super::page::{page_in, Base, Page};
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

/// The closures of the central helpdesk's calendar in `years` (DOMAIN §4, §5), by the calendar
/// rule of `pacta_core`.
pub fn helpdesk_closures(
    snapshot: &Snapshot,
    years: std::ops::RangeInclusive<i16>,
) -> Vec<pacta_core::sla::calendar::Closure> {
    let catalogue = &snapshot.stored.catalogue;
    catalogue
        .calendar_spec(catalogue.helpdesk_calendar())
        .map(|spec| spec.closures(years))
        .unwrap_or_default()
}

/// This year in the helpdesk calendar's own zone, by the state's clock: what "this year" is on
/// the closures page and in its feed.
fn this_year(state: &AppState, snapshot: &Snapshot) -> i16 {
    let catalogue = &snapshot.stored.catalogue;
    let zone = snapshot
        .calendar(catalogue.helpdesk_calendar())
        .map(|c| c.time_zone().clone())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    state.now().to_zoned(zone).year()
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

pub async fn page(State(state): State<AppState>, page: Page) -> Response {
    let (snapshot, lang) = (&page.snapshot, page.lang);
    let year = this_year(&state, snapshot);
    let years = [year, year + 1]
        .iter()
        .map(|&y| YearView {
            year: y,
            days: helpdesk_closures(snapshot, y..=y)
                .into_iter()
                .map(|c| Closure {
                    date: c.date,
                    iso: c.date.to_string(),
                    long: format::date(c.date, lang),
                    weekday: format::weekday(c.date, lang).to_owned(),
                    weekend: matches!(
                        c.date.weekday(),
                        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                    ),
                    name: L::new(&c.name, lang),
                })
                .collect(),
        })
        .collect();
    let view = ClosuresPage {
        base: page.base(page.t().s("closures-title"), "closures"),
        calendar: calendar_name(
            snapshot,
            snapshot.stored.catalogue.helpdesk_calendar(),
            lang,
        ),
        years,
        ics: format!("/{}/closures.ics", lang.code()),
    };
    page_in(lang, &view)
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
    let code = snapshot.stored.catalogue.helpdesk_calendar();
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
    for pacta_core::sla::calendar::Closure { date, name } in
        helpdesk_closures(snapshot, year..=year + 1)
    {
        let next = date.tomorrow().unwrap_or(date);
        let d = |d: Date| format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}-{}@pacta", d(date), ics_text(code)));
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

pub async fn ics(State(state): State<AppState>, page: Page) -> Response {
    let year = this_year(&state, &page.snapshot);
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
        ics_document(&page.snapshot, page.lang, year),
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
