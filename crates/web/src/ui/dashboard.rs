//! The partner dashboard's pages (issue 14): `/{lang}/dashboard` (a partner's people; staff add
//! `?partner=CODE`), its status strip `/{lang}/dashboard/strip` (what htmx fetches every 30 s,
//! from the in-memory view), `/{lang}/dashboard/services/{code}` (response times as a
//! server-drawn SVG with a data table, outages, statements), `/{lang}/admin/overview` (staff),
//! and the status badges `/badges/{service}.svg` (public) and
//! `/badges/{service}/{subscription}.svg?token=…`. Every figure is the JSON the API answers
//! (`crate::dashboard`), put in words.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pacta_core::dashboard::LiveStatus;
use pacta_core::sla::instant::parse_instant;
use pacta_core::text::Lang;
use serde::Deserialize;
use serde_json::Value;

use super::format;
use super::forms::{refused, to_login};
use super::i18n::{Tr, L};
use super::incidents::Choice;
use super::page::{page_in_with, Base, Page};
use super::tickets::{ticket_row, TicketRow};
use crate::dashboard as board;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    pub partner: Option<String>,
    #[serde(default)]
    pub range: Option<String>,
}

/// A status put in words: its code (for the colour), its label, since when.
pub struct StatusView {
    pub code: &'static str,
    pub label: String,
    pub since: String,
}

fn status_view(t: Tr, lang: Lang, doc: &Value) -> StatusView {
    let code = doc["status"]
        .as_str()
        .and_then(LiveStatus::parse)
        .unwrap_or(LiveStatus::Unmonitored)
        .code();
    let since = match doc["since"].as_str().and_then(|s| parse_instant(s).ok()) {
        Some(at) => t.a("db-since", &[("when", format::when(at, lang))]),
        None => t.s("db-since-long"),
    };
    StatusView {
        code,
        label: t.s(&format!("db-status-{code}")),
        since,
    }
}

fn service_name(page: &Page, code: &str) -> L {
    page.snapshot
        .service(code)
        .map(|s| L::new(&s.name, page.lang))
        .unwrap_or_else(|| L::plain(code.to_owned()))
}

fn text_of(value: &Value, lang: Lang) -> L {
    serde_json::from_value::<pacta_core::text::Text>(value.clone())
        .map(|t| L::new(&t, lang))
        .unwrap_or_else(|_| L::plain(value.as_str().unwrap_or_default().to_owned()))
}

fn instant_text(value: &Value, lang: Lang) -> String {
    value
        .as_str()
        .and_then(|s| parse_instant(s).ok())
        .map(|at| format::when(at, lang))
        .unwrap_or_default()
}

/// One row of the status strip.
pub struct StripRow {
    pub service: L,
    pub href: String,
    pub status: StatusView,
    pub monitors: Vec<MonitorLine>,
}

/// A monitor as a partner sees it: its name and status, nothing else.
pub struct MonitorLine {
    pub name: L,
    pub status: StatusView,
}

fn strip_row(page: &Page, query: &str, doc: &Value) -> StripRow {
    let t = page.t();
    let code = doc["service"].as_str().unwrap_or_default();
    StripRow {
        service: service_name(page, code),
        href: format!("/{}/dashboard/services/{code}{query}", page.lang.code()),
        status: status_view(t, page.lang, doc),
        monitors: doc["monitors"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| MonitorLine {
                        name: text_of(&m["name"], page.lang),
                        status: status_view(t, page.lang, m),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// This month's figures in words.
pub struct MonthView {
    pub title: String,
    pub availability: String,
    pub target: String,
    pub verdict: String,
    pub met: Option<bool>,
    pub budget: String,
    pub budget_share: i64,
    pub burn: String,
    pub unmonitored: String,
    pub incomplete: bool,
}

fn month_view(t: Tr, lang: Lang, m: &Value) -> Option<MonthView> {
    if m.is_null() {
        return None;
    }
    let target: pacta_core::sla::availability::Target =
        m["target"].as_str().unwrap_or("100").parse().ok()?;
    let allowed = m["allowed_downtime_seconds"].as_i64().unwrap_or(0);
    let left = m["budget_left_seconds"].as_i64().unwrap_or(0);
    let met = m["met"].as_bool();
    Some(MonthView {
        title: t.a(
            "db-month-title",
            &[(
                "month",
                format::month(m["month"].as_str().unwrap_or_default(), lang),
            )],
        ),
        availability: m["availability_percent"]
            .as_f64()
            .map(|v| format::figure(v, lang))
            .unwrap_or_else(|| t.s("db-no-figure")),
        target: format::percent(&target, lang),
        verdict: match met {
            Some(true) => t.s("db-met"),
            Some(false) => t.s("db-below"),
            None => t.s("db-no-figure"),
        },
        met,
        budget: t.a(
            "db-budget-of",
            &[
                ("left", signed_duration(left, lang)),
                ("allowed", format::duration(allowed, lang)),
            ],
        ),
        budget_share: pacta_core::dashboard::budget_left_per_mille(left, allowed)
            .map_or(0, |p| p.clamp(0, 1000) / 10),
        burn: m["burn_rate"]
            .as_f64()
            .map(|r| format!("{r:.2}"))
            .map(|r| {
                if lang == Lang::En {
                    r
                } else {
                    r.replace('.', ",")
                }
            })
            .unwrap_or_else(|| "–".to_owned()),
        unmonitored: format::duration(m["unmonitored_seconds"].as_i64().unwrap_or(0), lang),
        incomplete: m["incomplete"].as_bool().unwrap_or(false),
    })
}

/// A burn rate to two decimals in the reader's notation; a dash when there is none.
fn burn_text(rate: &Value, lang: Lang) -> String {
    rate.as_f64()
        .map(|r| format!("{r:.2}"))
        .map(|r| {
            if lang == Lang::En {
                r
            } else {
                r.replace('.', ",")
            }
        })
        .unwrap_or_else(|| "–".to_owned())
}

fn signed_duration(seconds: i64, lang: Lang) -> String {
    if seconds < 0 {
        format!("−{}", format::duration(-seconds, lang))
    } else {
        format::duration(seconds, lang)
    }
}

/// One day's bar.
pub struct DayBar {
    pub grade: &'static str,
    pub unmonitored: bool,
    pub label: String,
}

fn day_bars(t: Tr, lang: Lang, days: &Value) -> Vec<DayBar> {
    days.as_array()
        .map(|days| {
            days.iter()
                .map(|d| {
                    let date = d["date"]
                        .as_str()
                        .and_then(|s| s.parse::<jiff::civil::Date>().ok())
                        .map(|d| format::date(d, lang))
                        .unwrap_or_default();
                    let unmonitored = d["unmonitored_seconds"].as_i64().unwrap_or(0);
                    let mut label = match d["availability_percent"].as_f64() {
                        Some(v) => t.a(
                            "db-day-figure",
                            &[("date", date), ("figure", format::figure(v, lang))],
                        ),
                        None => t.a("db-day-none", &[("date", date)]),
                    };
                    let downtime = d["downtime_seconds"].as_i64().unwrap_or(0);
                    if downtime > 0 {
                        label.push_str(&format!(
                            ", {}",
                            t.a(
                                "db-day-downtime",
                                &[("time", format::duration(downtime, lang))]
                            )
                        ));
                    }
                    if unmonitored > 0 {
                        label.push_str(&format!(
                            ", {}",
                            t.a(
                                "db-day-unmonitored",
                                &[("time", format::duration(unmonitored, lang))]
                            )
                        ));
                    }
                    let grade = match d["grade"].as_str() {
                        Some("full") => "full",
                        Some("met") => "met",
                        Some("below") => "below",
                        _ => "none",
                    };
                    DayBar {
                        grade,
                        unmonitored: unmonitored > 0,
                        label,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An open incident with its updates.
pub struct IncidentView {
    pub title: String,
    pub kind: String,
    pub start: String,
    pub updates: Vec<(String, String)>,
}

/// A maintenance occurrence to come, with the partner's consent.
pub struct MaintenanceView {
    pub title: L,
    pub start: String,
    pub end: String,
    pub consent: String,
    pub waiting: bool,
    pub deadline: String,
    pub href: String,
}

/// A subscribed service's card.
pub struct ServiceCard {
    pub code: String,
    pub name: L,
    pub subscription: String,
    pub href: String,
    pub statements_href: String,
    pub status: StatusView,
    pub month: Option<MonthView>,
    pub days: Vec<DayBar>,
    pub incidents: Vec<IncidentView>,
    pub maintenance: Vec<MaintenanceView>,
    pub tickets: Vec<TicketRow>,
    /// The per-subscription badge's address (with its secret), for the partner admin.
    pub badge: Option<String>,
}

/// Someone to turn to.
pub struct ContactView {
    pub role: String,
    pub name: L,
    pub email: String,
    pub phone: String,
}

/// The escalation contacts of [`board::escalation_contacts`] in the reader's words.
pub fn contact_views(page: &Page, contacts: &Value) -> Vec<ContactView> {
    let t = page.t();
    contacts
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| ContactView {
            role: match c["role"].as_str().unwrap_or_default() {
                "service-manager" => t.a(
                    "home-contact-spoc",
                    &[("service", text_of(&c["service_name"], page.lang).text)],
                ),
                role => t.s(&format!("home-contact-{role}")),
            },
            name: text_of(&c["name"], page.lang),
            email: c["email"].as_str().unwrap_or_default().to_owned(),
            phone: c["phone"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub base: Base,
    pub partner: String,
    pub partner_name: String,
    /// Staff: the partners to choose from.
    pub partners: Vec<Choice>,
    pub query: String,
    pub strip: Vec<StripRow>,
    pub services: Vec<ServiceCard>,
    pub contacts: Vec<ContactView>,
    pub at: String,
}

#[derive(Template)]
#[template(path = "dashboard_strip.html")]
pub struct StripFragment {
    pub base: Base,
    pub query: String,
    pub strip: Vec<StripRow>,
    pub at: String,
}

/// `?partner=CODE` for staff, nothing for a partner's people.
fn partner_query(page: &Page, partner: &str) -> String {
    if page.caller.partner().is_some() {
        String::new()
    } else {
        format!("?partner={}", urlencoding_min(partner))
    }
}

fn urlencoding_min(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c.to_string()
            } else {
                format!("%{:02X}", c as u32)
            }
        })
        .collect()
}

/// The partner a page is for, or the response that refuses it: the sign-in page for the
/// anonymous, the 404 page for another partner's (or none), a chooser for staff who named none.
async fn partner_of(
    state: &AppState,
    page: &Page,
    asked: Option<&str>,
) -> Result<Option<String>, Response> {
    if !page.caller.is_signed_in() {
        return Err(to_login(page));
    }
    let asked = asked.filter(|p| !p.is_empty());
    if asked.is_none() && page.caller.partner().is_none() && page.caller.actor.is_staff() {
        return Ok(None);
    }
    match board::partner_for(state, &page.caller, asked).await {
        Ok(p) => Ok(Some(p)),
        Err(e) => Err(refused(page, e)),
    }
}

async fn partner_choices(state: &AppState, selected: &str) -> Result<Vec<Choice>, ApiError> {
    Ok(state
        .db
        .list_partners(pacta_store::Scope::All)
        .await?
        .iter()
        .map(|p| Choice {
            value: p.partner.code.clone(),
            label: p.partner.code.clone(),
            selected: p.partner.code == selected,
        })
        .collect())
}

fn failed(e: ApiError) -> Response {
    tracing::error!(error = %e.message, "dashboard page");
    super::page::internal_error()
}

/// `/{lang}/dashboard`.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let t = page.t();
    let partner = match partner_of(&state, &page, q.partner.as_deref()).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let partners = if page.caller.actor.is_staff() {
        match partner_choices(&state, partner.as_deref().unwrap_or("")).await {
            Ok(c) => c,
            Err(e) => return failed(e),
        }
    } else {
        Vec::new()
    };
    let mut view = DashboardPage {
        base: page.base(t.s("db-title"), "dashboard"),
        partner: String::new(),
        partner_name: String::new(),
        partners,
        query: String::new(),
        strip: Vec::new(),
        services: Vec::new(),
        contacts: Vec::new(),
        at: String::new(),
    };
    let Some(partner) = partner else {
        return page_in_with(StatusCode::OK, page.lang, &view);
    };
    let doc = match board::board(&state, &page.caller, &partner).await {
        Ok(d) => d,
        Err(e) => return failed(e),
    };
    let query = partner_query(&page, &partner);
    // The badge's secret is the partner admin's to hand out (staff do not mint it for them).
    let may_badge = page.caller.partner() == Some(partner.as_str())
        && page
            .caller
            .may(pacta_core::access::Action::ManageFeeds { partner: &partner })
            .is_ok();
    // The secrets there are, in one read; only a subscription without one gets one minted.
    let badges = if may_badge {
        let ids: Vec<String> = doc["services"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["subscription"].as_str().map(str::to_owned))
            .collect();
        match state.db.badge_tokens(&ids).await {
            Ok(b) => b,
            Err(e) => return failed(e.into()),
        }
    } else {
        Default::default()
    };
    let mut services = Vec::new();
    for s in doc["services"].as_array().into_iter().flatten() {
        let code = s["service"].as_str().unwrap_or_default().to_owned();
        let subscription = s["subscription"].as_str().unwrap_or_default().to_owned();
        let badge = if may_badge {
            let known = badges.get(&subscription).cloned();
            let token = match known {
                Some(t) => Ok(t),
                None => {
                    let fresh = pacta_store::credentials::new_token();
                    state
                        .db
                        .badge_token(
                            &subscription,
                            &fresh,
                            pacta_store::Stamp::new(&page.caller.name, page.now),
                        )
                        .await
                }
            };
            match token {
                Ok(token) => Some(format!(
                    "{}/badges/{code}/{subscription}.svg?token={token}&lang={}",
                    state.public_url(),
                    page.lang.code()
                )),
                Err(e) => return failed(e.into()),
            }
        } else {
            None
        };
        services.push(ServiceCard {
            name: service_name(&page, &code),
            href: format!("/{}/dashboard/services/{code}{query}", page.lang.code()),
            statements_href: format!(
                "/{}/subscriptions/{subscription}/availability",
                page.lang.code()
            ),
            status: status_view(t, page.lang, s),
            month: month_view(t, page.lang, &s["month"]),
            days: day_bars(t, page.lang, &s["days"]),
            incidents: s["incidents"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| IncidentView {
                    title: i["title"].as_str().unwrap_or_default().to_owned(),
                    kind: t.s(&format!(
                        "inc-kind-{}",
                        i["kind"].as_str().unwrap_or("down")
                    )),
                    start: instant_text(&i["start"], page.lang),
                    updates: i["updates"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|u| {
                            (
                                instant_text(&u["at"], page.lang),
                                u["text"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                })
                .collect(),
            maintenance: s["maintenance"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| MaintenanceView {
                    title: text_of(&m["title"], page.lang),
                    start: instant_text(&m["start"], page.lang),
                    end: instant_text(&m["end"], page.lang),
                    consent: t.s(&format!(
                        "mnt-consent-{}",
                        m["consent"].as_str().unwrap_or("pending")
                    )),
                    waiting: m["waiting"].as_bool().unwrap_or(false),
                    deadline: t.a(
                        "db-waiting",
                        &[("deadline", instant_text(&m["deadline"], page.lang))],
                    ),
                    href: format!(
                        "/{}/maintenance/{}",
                        page.lang.code(),
                        m["window"].as_str().unwrap_or_default()
                    ),
                })
                .collect(),
            tickets: s["open_tickets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| ticket_row(&page, d))
                .collect(),
            badge,
            code,
            subscription,
        });
    }
    let strip = doc["services"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| strip_row(&page, &query, s))
        .collect();
    let contacts = contact_views(&page, &doc["contacts"]);
    let partner_name = match state.db.partner(pacta_store::Scope::All, &partner).await {
        Ok(Some(p)) => L::new(&p.partner.name, page.lang).text,
        Ok(None) => partner.clone(),
        Err(e) => return failed(e.into()),
    };
    view.base = page.base(
        t.a("db-title-of", &[("partner", partner_name.clone())]),
        "dashboard",
    );
    view.partner = partner;
    view.partner_name = partner_name;
    view.query = query;
    view.strip = strip;
    view.services = services;
    view.contacts = contacts;
    view.at = t.a(
        "db-strip-at",
        &[("time", instant_text(&doc["at"], page.lang))],
    );
    page_in_with(StatusCode::OK, page.lang, &view)
}

/// `/{lang}/dashboard/strip`: the status strip alone, from the in-memory view.
pub async fn strip(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let partner = match partner_of(&state, &page, q.partner.as_deref()).await {
        Ok(Some(p)) => p,
        Ok(None) => return page.not_found(),
        Err(r) => return r,
    };
    let rows = match board::strip(&state, &partner).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let query = partner_query(&page, &partner);
    let view = StripFragment {
        base: page.base(String::new(), "dashboard"),
        strip: rows.iter().map(|r| strip_row(&page, &query, r)).collect(),
        query,
        at: page.t().a(
            "db-strip-at",
            &[("time", format::when(page.now, page.lang))],
        ),
    };
    match view.render() {
        Ok(html) => {
            let mut r = (StatusCode::OK, html).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => failed(ApiError::internal_message(&e.to_string())),
    }
}

/// A point of a response-time chart.
pub struct LatencyPoint {
    pub at: String,
    pub checks: i64,
    pub ok: i64,
    pub average: String,
    pub max: String,
}

/// A monitor's response times over the chosen range: the chart and its data table.
pub struct LatencyChart {
    pub name: L,
    pub id: String,
    pub svg: String,
    pub points: Vec<LatencyPoint>,
}

/// An outage in words.
pub struct OutageView {
    pub start: String,
    pub end: String,
    pub duration: String,
}

/// A statement in the list.
pub struct StatementView {
    pub month: String,
    pub kind: String,
    pub availability: String,
    pub verdict: String,
    pub href: String,
}

/// One subscription on a service's page.
pub struct SubscriptionPart {
    pub subscription: String,
    pub status: StatusView,
    pub month: Option<MonthView>,
    pub days: Vec<DayBar>,
    pub monitors: Vec<MonitorLine>,
    pub charts: Vec<LatencyChart>,
    pub outages: Vec<OutageView>,
    pub statements: Vec<StatementView>,
}

#[derive(Template)]
#[template(path = "dashboard_service.html")]
pub struct ServicePage {
    pub base: Base,
    pub name: L,
    pub back: String,
    pub range: &'static str,
    pub ranges: Vec<(&'static str, String, String)>,
    pub parts: Vec<SubscriptionPart>,
}

const CHART_W: i64 = 640;
const CHART_H: i64 = 160;

/// The response-time chart as SVG: the average per bucket as a line, the highest as a lighter
/// one, the scale's top written at its left. Drawn on the server; no script.
/// A bucket of a chart: its average and highest response time, if any was measured.
#[derive(Clone, Copy)]
struct ChartPoint {
    average: Option<i64>,
    max: Option<i64>,
}

fn chart_svg(title_id: &str, title: &str, points: &[ChartPoint]) -> String {
    let top = points
        .iter()
        .filter_map(|p| p.max.or(p.average))
        .max()
        .unwrap_or(0)
        .max(1);
    let n = points.len().max(2) as i64 - 1;
    let x = |i: usize| 40 + (i as i64) * (CHART_W - 50) / n.max(1);
    let y = |v: i64| 10 + (CHART_H - 30) - v * (CHART_H - 30) / top;
    let line = |pick: fn(&ChartPoint) -> Option<i64>| {
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| pick(p).map(|v| format!("{},{}", x(i), y(v))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_W} {CHART_H}\" role=\"img\" aria-labelledby=\"{title_id}\" class=\"chart\" focusable=\"false\">\
<title id=\"{title_id}\">{}</title>\
<line x1=\"40\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"axis\"/>\
<line x1=\"40\" y1=\"10\" x2=\"40\" y2=\"{}\" class=\"axis\"/>\
<text x=\"36\" y=\"16\" text-anchor=\"end\" class=\"tick\">{top}</text>\
<text x=\"36\" y=\"{}\" text-anchor=\"end\" class=\"tick\">0</text>\
<polyline points=\"{}\" class=\"max\"/>\
<polyline points=\"{}\" class=\"avg\"/>\
</svg>",
        askama_escape(title),
        CHART_H - 20,
        CHART_W - 10,
        CHART_H - 20,
        CHART_H - 20,
        CHART_H - 20,
        line(|p| p.max),
        line(|p| p.average),
    )
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/{lang}/dashboard/services/{code}`.
pub async fn service(
    State(state): State<AppState>,
    page: Page,
    Path((_, code)): Path<(String, String)>,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let t = page.t();
    let partner = match partner_of(&state, &page, q.partner.as_deref()).await {
        Ok(Some(p)) => p,
        Ok(None) => return page.not_found(),
        Err(r) => return r,
    };
    let doc = match board::service_board(&state, &page.caller, &partner, &code).await {
        Ok(d) => d,
        Err(e) if e.status == StatusCode::NOT_FOUND => return page.not_found(),
        Err(e) => return failed(e),
    };
    let range = match q.range.as_deref() {
        Some("7d") => "7d",
        Some("90d") => "90d",
        _ => "24h",
    };
    let query = partner_query(&page, &partner);
    let sep = if query.is_empty() { "?" } else { "&" };
    let here = format!("/{}/dashboard/services/{code}{query}", page.lang.code());
    let ranges = ["24h", "7d", "90d"]
        .into_iter()
        .map(|r| {
            (
                r,
                t.s(&format!("db-range-{r}")),
                format!("{here}{sep}range={r}"),
            )
        })
        .collect();
    let mut parts = Vec::new();
    for (k, s) in doc["subscriptions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let subscription = s["subscription"].as_str().unwrap_or_default().to_owned();
        let charts = s["latency"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, m)| {
                let name = text_of(&m["name"], page.lang);
                let raw: Vec<&Value> = m[range].as_array().into_iter().flatten().collect();
                let points: Vec<ChartPoint> = raw
                    .iter()
                    .map(|p| ChartPoint {
                        average: p["average_ms"].as_i64(),
                        max: p["max_ms"].as_i64(),
                    })
                    .collect();
                let id = format!("chart-{k}-{i}");
                let title = t.a(
                    "db-chart-title",
                    &[
                        ("monitor", name.text.clone()),
                        ("range", t.s(&format!("db-range-{range}"))),
                    ],
                );
                LatencyChart {
                    svg: if points.is_empty() {
                        String::new()
                    } else {
                        chart_svg(&format!("{id}-title"), &title, &points)
                    },
                    points: raw
                        .iter()
                        .map(|p| LatencyPoint {
                            at: instant_text(&p["at"], page.lang),
                            checks: p["checks"].as_i64().unwrap_or(0),
                            ok: p["ok"].as_i64().unwrap_or(0),
                            average: p["average_ms"]
                                .as_i64()
                                .map_or_else(|| "–".into(), |v| v.to_string()),
                            max: p["max_ms"]
                                .as_i64()
                                .map_or_else(|| "–".into(), |v| v.to_string()),
                        })
                        .collect(),
                    name,
                    id,
                }
            })
            .collect();
        parts.push(SubscriptionPart {
            status: status_view(t, page.lang, s),
            month: month_view(t, page.lang, &s["month"]),
            days: day_bars(t, page.lang, &s["days"]),
            monitors: s["monitors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| MonitorLine {
                    name: text_of(&m["name"], page.lang),
                    status: status_view(t, page.lang, m),
                })
                .collect(),
            charts,
            outages: s["outages"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| OutageView {
                    start: instant_text(&o["start"], page.lang),
                    end: if o["end"].is_null() {
                        t.s("db-outage-ongoing")
                    } else {
                        instant_text(&o["end"], page.lang)
                    },
                    duration: format::duration(
                        o["duration_seconds"].as_i64().unwrap_or(0),
                        page.lang,
                    ),
                })
                .collect(),
            statements: s["statement_list"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|st| {
                    let month = st["month"].as_str().unwrap_or_default();
                    StatementView {
                        month: format::month(month, page.lang),
                        kind: t.s(&format!(
                            "db-statement-{}",
                            st["kind"].as_str().unwrap_or("original")
                        )),
                        availability: st["availability_percent"]
                            .as_f64()
                            .map(|v| format::figure(v, page.lang))
                            .unwrap_or_else(|| t.s("db-no-figure")),
                        verdict: match st["met"].as_bool() {
                            Some(true) => t.s("db-met"),
                            Some(false) => t.s("db-below"),
                            None => t.s("db-no-figure"),
                        },
                        href: format!(
                            "/{}/subscriptions/{subscription}/availability?month={month}",
                            page.lang.code()
                        ),
                    }
                })
                .collect(),
            subscription,
        });
    }
    let name = service_name(&page, &code);
    let view = ServicePage {
        base: page.base(name.text.clone(), "dashboard"),
        name,
        back: format!("/{}/dashboard{query}", page.lang.code()),
        range,
        ranges,
        parts,
    };
    page_in_with(StatusCode::OK, page.lang, &view)
}

/// A row of the staff's overview.
pub struct OverviewLine {
    pub partner: String,
    pub partner_href: String,
    pub service: L,
    pub availability: String,
    pub target: String,
    pub budget: String,
    pub burn: String,
    pub attention: bool,
    pub verdict: String,
}

#[derive(Template)]
#[template(path = "admin_overview.html")]
pub struct OverviewPage {
    pub base: Base,
    pub intro: String,
    pub month: String,
    /// `5050 subscriptions · 1212 need attention`.
    pub counts: String,
    pub rows: Vec<OverviewLine>,
    pub pager: Option<super::catalogue::Pager>,
}

/// Rows per page of the overview: the first page holds those with the least budget left.
pub const OVERVIEW_PAGE_SIZE: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct OverviewQuery {
    /// The page, from 1; anything else than a page that exists answers 404.
    #[serde(default)]
    pub page: Option<String>,
}

/// `/{lang}/admin/overview` (staff), a hundred rows a page.
pub async fn overview(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<OverviewQuery>,
) -> Response {
    let t = page.t();
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    if !page.caller.actor.is_staff() {
        return super::admin::denied(&page);
    }
    let doc = match board::overview(&state).await {
        Ok(d) => d,
        Err(e) => return failed(e),
    };
    let items = doc["items"].as_array().map_or(&[][..], Vec::as_slice);
    let pages = items.len().div_ceil(OVERVIEW_PAGE_SIZE).max(1);
    let number = match q.page.as_deref().map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if (1..=pages).contains(&n) => n,
        Some(_) => return page.not_found(),
    };
    let attention = items
        .iter()
        .filter(|r| r["attention"].as_bool() == Some(true))
        .count();
    let counts = format!(
        "{} · {}",
        t.n("db-overview-count", items.len()),
        t.n("db-overview-attention-count", attention)
    );
    let rows = items
        .iter()
        .skip((number - 1) * OVERVIEW_PAGE_SIZE)
        .take(OVERVIEW_PAGE_SIZE)
        .map(|r| {
            let partner = r["partner"].as_str().unwrap_or_default().to_owned();
            let target: Option<pacta_core::sla::availability::Target> =
                r["target"].as_str().and_then(|s| s.parse().ok());
            OverviewLine {
                partner_href: format!(
                    "/{}/dashboard?partner={}",
                    page.lang.code(),
                    urlencoding_min(&partner)
                ),
                partner,
                service: service_name(&page, r["service"].as_str().unwrap_or_default()),
                availability: r["availability_percent"]
                    .as_f64()
                    .map(|v| format::figure(v, page.lang))
                    .unwrap_or_else(|| t.s("db-no-figure")),
                target: target
                    .map(|t| format::percent(&t, page.lang))
                    .unwrap_or_default(),
                budget: t.a(
                    "db-budget-of",
                    &[
                        (
                            "left",
                            signed_duration(
                                r["budget_left_seconds"].as_i64().unwrap_or(0),
                                page.lang,
                            ),
                        ),
                        (
                            "allowed",
                            format::duration(
                                r["allowed_downtime_seconds"].as_i64().unwrap_or(0),
                                page.lang,
                            ),
                        ),
                    ],
                ),
                burn: burn_text(&r["burn_rate"], page.lang),
                attention: r["attention"].as_bool().unwrap_or(false),
                verdict: match r["met"].as_bool() {
                    Some(true) => t.s("db-met"),
                    Some(false) => t.s("db-below"),
                    None => t.s("db-no-figure"),
                },
            }
        })
        .collect();
    let month = format::month(doc["month"].as_str().unwrap_or_default(), page.lang);
    let lang = page.lang.code();
    let view = OverviewPage {
        base: page.base(t.s("db-overview-title"), "admin-overview"),
        intro: t.a("db-overview-intro", &[("month", month.clone())]),
        month,
        counts,
        rows,
        pager: super::catalogue::pager(t, number, pages, |n| {
            if n > 1 {
                format!("/{lang}/admin/overview?page={n}")
            } else {
                format!("/{lang}/admin/overview")
            }
        }),
    };
    page_in_with(StatusCode::OK, page.lang, &view)
}

// ------------------------------------------------------------------------------------------------
// Badges.
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct BadgeQuery {
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
}

/// A badge: `label | status`, coloured by the status, the status also in words.
fn badge_svg(lang: Lang, status: LiveStatus) -> String {
    let t = Tr(lang);
    let label = t.s("db-badge-label");
    let value = t.s(&format!("db-status-{}", status.code()));
    let w = |s: &str| 10 + 7 * s.chars().count() as i64;
    let (lw, vw) = (w(&label), w(&value));
    let colour = match status {
        LiveStatus::Up => "#1a7f37",
        LiveStatus::Down => "#b42318",
        LiveStatus::Degraded => "#9a6700",
        LiveStatus::Maintenance => "#0b5cad",
        LiveStatus::Unmonitored => "#555555",
    };
    let (label, value) = (askama_escape(&label), askama_escape(&value));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{tw}\" height=\"20\" role=\"img\" aria-label=\"{label}: {value}\" lang=\"{code}\">\
<title>{label}: {value}</title>\
<rect width=\"{lw}\" height=\"20\" fill=\"#333\"/><rect x=\"{lw}\" width=\"{vw}\" height=\"20\" fill=\"{colour}\"/>\
<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{lx}\" y=\"14\">{label}</text><text x=\"{vx}\" y=\"14\">{value}</text></g></svg>",
        tw = lw + vw,
        code = lang.code(),
        lx = lw / 2,
        vx = lw + vw / 2,
    )
}

fn svg_response(body: String) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, max-age=0"),
    );
    r
}

fn badge_lang(q: &BadgeQuery) -> Lang {
    q.lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or(Lang::En)
}

fn plain_not_found() -> Response {
    (StatusCode::NOT_FOUND, "no such badge\n").into_response()
}

/// `/badges/{service}.svg`: a published service's status as a whole, for anyone.
pub async fn service_badge(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<BadgeQuery>,
) -> Response {
    let Some(service) = file.strip_suffix(".svg") else {
        return plain_not_found();
    };
    if state.snapshot().service(service).is_none() {
        return plain_not_found();
    }
    match board::service_status(&state, service).await {
        Ok((status, _)) => svg_response(badge_svg(badge_lang(&q), status)),
        Err(e) => failed(e),
    }
}

/// `/badges/{service}/{subscription}.svg?token=…`: one subscription's status, for whoever holds
/// its badge secret; anything else (no token, another subscription's) is a 404.
pub async fn subscription_badge(
    State(state): State<AppState>,
    Path((service, file)): Path<(String, String)>,
    Query(q): Query<BadgeQuery>,
) -> Response {
    let Some(id) = file.strip_suffix(".svg") else {
        return plain_not_found();
    };
    let Some(token) = q.token.as_deref().filter(|t| !t.is_empty()) else {
        return plain_not_found();
    };
    let owner = match state.db.badge_subscription(token).await {
        Ok(o) => o,
        Err(e) => return failed(e.into()),
    };
    if owner.as_deref() != Some(id) {
        return plain_not_found();
    }
    let s = match state.db.subscription(pacta_store::Scope::All, id).await {
        Ok(Some(s)) if s.service == service => s,
        Ok(_) => return plain_not_found(),
        Err(e) => return failed(e.into()),
    };
    match board::subscription_status(&state, &s).await {
        Ok((status, _)) => svg_response(badge_svg(badge_lang(&q), status)),
        Err(e) => failed(e),
    }
}
