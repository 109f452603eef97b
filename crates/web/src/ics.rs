//! A partner's maintenance as an iCalendar feed (issue 12, point 6), RFC 5545 written by the
//! `icalendar` crate: one `VEVENT` per occurrence with its exact start and end in UTC (so the
//! nights the clocks change agree with Pacta), the window's `SEQUENCE`, `TENTATIVE` while the
//! partner's answer is awaited and `CONFIRMED` otherwise, `CANCELLED` for a cancelled window's
//! withdrawn occurrences and for those a reschedule moved. The URL carries a secret token
//! (`/ics/maintenance/{partner}.ics?token=…`): calendar clients cannot send headers.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, EventStatus};
use jiff::Timestamp;
use pacta_core::maintenance::consultation::{consents, terms_for};
use pacta_core::maintenance::Occurrence;
use pacta_core::sla::consent::Consent;
use pacta_core::text::Lang;
use pacta_store::maintenance::{MaintenanceFilter, StoredWindow, WindowStatus};
use pacta_store::Scope;
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `20261213T010000Z`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn event(w: &StoredWindow, o: &Occurrence, status: EventStatus, summary: &str) -> Event {
    let mut e = Event::new();
    e.uid(&format!("{}-{}@pacta", w.id, o.start.as_second()))
        .add_property("DTSTAMP", utc(timestamp(w.updated_at)))
        .add_property("DTSTART", utc(o.start))
        .add_property("DTEND", utc(o.end))
        .sequence(u32::try_from(w.sequence).unwrap_or(0))
        .summary(summary)
        .status(status);
    e.done()
}

fn timestamp(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The feed of `partner`'s windows (each read in its scope: its own consultation only), in
/// `lang`, at `now`.
pub fn feed(
    partner: &str,
    lang: Lang,
    windows: &[StoredWindow],
    base: &str,
    now: Timestamp,
) -> String {
    let mut cal = Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", "-//Pacta//Maintenance//EN"))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .name(&format!("Pacta — {partner}"));
    for w in windows {
        let title = w
            .title
            .resolve(lang)
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default();
        let summary = format!("{} — {title}", w.service);
        let description = w
            .description
            .as_ref()
            .and_then(|d| d.resolve(lang).map(|(_, t)| t.to_owned()));
        let url = format!("{base}/{}/maintenance/{}", lang.code(), w.id);
        let mut live: Vec<Timestamp> = Vec::new();
        for o in &w.occurrences {
            let Some(c) = w.consultation(partner, o.round) else {
                continue;
            };
            if terms_for(&c.subscriptions, &o.occurrence).is_none() {
                continue;
            }
            let pending = consents(&[o.occurrence], &c.rule(), now)
                .is_ok_and(|d| d[0].consent == Consent::Pending);
            let status = if pending && w.status == WindowStatus::Proposed {
                EventStatus::Tentative
            } else {
                EventStatus::Confirmed
            };
            let mut e = event(w, &o.occurrence, status, &summary);
            e.url(&url);
            if let Some(d) = &description {
                e.description(d);
            }
            cal.push(e.done());
            live.push(o.occurrence.start);
        }
        for o in &w.withdrawn {
            if live.contains(&o.start) {
                continue;
            }
            live.push(o.start);
            let mut e = event(w, o, EventStatus::Cancelled, &summary);
            e.url(&url);
            cal.push(e.done());
        }
    }
    cal.done().to_string()
}

/// `GET /ics/maintenance/{partner}.ics?token=…`: the feed, or 404 for an unknown partner or a
/// token that is not its present one (a regenerated token's old URL).
pub async fn maintenance_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let missing = || ApiError::not_found("no such feed");
    let partner = file.strip_suffix(".ics").ok_or_else(missing)?;
    let given = crate::api::query_pairs(raw.as_deref())?
        .get("token")
        .cloned()
        .unwrap_or_default();
    let held = state
        .db
        .stored_feed_token(partner)
        .await?
        .ok_or_else(missing)?;
    if !bool::from(held.as_bytes().ct_eq(given.as_bytes())) {
        return Err(missing());
    }
    let lang = state
        .db
        .partner(Scope::All, partner)
        .await?
        .map_or(Lang::En, |p| p.partner.lang);
    let windows = state
        .db
        .list_maintenance(Scope::Partner(partner), &MaintenanceFilter::default())
        .await?;
    let body = feed(partner, lang, &windows, state.public_url(), state.now());
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok(response)
}

/// The absolute URL of `partner`'s feed with `token`.
pub fn feed_url(state: &AppState, partner: &str, token: &str) -> String {
    format!(
        "{}/ics/maintenance/{partner}.ics?token={token}",
        state.public_url()
    )
}
