//! A subscription's availability, month by month (issue 10, point 11):
//! `/{lang}/subscriptions/{id}/availability`, for the partner's people and the provider's staff
//! (anyone else: the 404 page, as for a subscription that does not exist). Each month from the
//! first in service to the current one — the current one live and marked provisional — with its
//! target, figure, whether it was met, downtime, budget left, the unmonitored time beside the
//! figure, the incomplete flag and the suspended time; for a closed month its statement, the
//! original and every amendment (when, who, why). An admin records an amendment from here
//! (`POST`, with a reason), as `POST /api/v1/subscriptions/{id}/statements` does.
//!
//! The figures are [`crate::availability::availability`]'s, the very document the API answers.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use pacta_core::access::Action;
use pacta_core::sla::agreement::{month_of, next_month, service_spans};
use pacta_core::sla::availability::Target;
use pacta_core::sla::instant::parse_instant;
use pacta_core::text::Lang;
use pacta_store::subscriptions::Subscription;
use serde::Deserialize;
use serde_json::Value;

use super::forms::{refused, to_login};
use super::i18n::{Tr, L};
use super::page::{page_in_with, Base, Page};
use super::{format, format::duration};
use crate::error::ApiError;
use crate::state::AppState;

/// The most months the page lists (the latest ones): ten years.
const MAX_MONTHS: usize = 120;

/// One month's figures, as the page writes them.
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub label: String,
    pub provisional: bool,
    /// When a provisional month closes.
    pub closes_at: String,
    pub target: String,
    /// The availability, or `—` when nothing was agreed.
    pub figure: String,
    /// `met`, `not met`, or `—`.
    pub met: String,
    pub met_code: &'static str,
    pub downtime: String,
    pub allowed: String,
    pub budget_left: String,
    pub over_budget: bool,
    /// Unmonitored time, empty when none.
    pub unmonitored: String,
    pub incomplete: bool,
    /// Suspended time, `—` when none.
    pub suspended: String,
    /// The latest amendment's number (0: the original).
    pub amendment: i64,
    pub statements: Vec<StatementRow>,
    /// The month could not be computed (its agreement no longer gives an SLA).
    pub problem: Option<String>,
}

/// The original statement of a closed month, or one of its amendments.
pub struct StatementRow {
    pub version: String,
    pub at: String,
    pub author: String,
    pub reason: String,
    pub figure: String,
    pub met: String,
    pub downtime: String,
}

#[derive(Template)]
#[template(path = "availability.html")]
pub struct AvailabilityPage {
    pub base: Base,
    pub csrf: String,
    pub id: String,
    pub service: L,
    pub partner: String,
    /// The counting monitors of the current month, by code.
    pub monitors: Vec<String>,
    /// Newest first.
    pub months: Vec<MonthRow>,
    pub may_amend: bool,
    pub error: Option<String>,
    /// The month of the form that failed, and its reason as typed.
    pub form_month: String,
    pub form_reason: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AmendForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub reason: String,
}

/// `GET /{lang}/subscriptions/{id}/availability`.
pub async fn page(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let s = match readable(&state, &page, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    render(
        &state,
        &page,
        &s,
        StatusCode::OK,
        None,
        AmendForm::default(),
    )
    .await
}

/// `POST /{lang}/subscriptions/{id}/availability`: an admin's amendment of a closed month's
/// statement; then the page again, at that month.
pub async fn amend(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<AmendForm>,
) -> Response {
    let t = page.t();
    let s = match readable(&state, &page, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !page.caller.csrf_ok(&form.csrf) {
        let error = Some(t.s("form-expired"));
        return render(
            &state,
            &page,
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            error,
            form,
        )
        .await;
    }
    if let Err(e) = page.caller.may(Action::CloseStatements) {
        return refused(&page, e);
    }
    let month = form.month.trim().to_owned();
    let result =
        crate::availability::amend(&state, &s, &month, &form.reason, page.caller.stamp(&state))
            .await;
    match result {
        Ok(_) => Redirect::to(&format!(
            "/{}/subscriptions/{}/availability#month-{month}",
            page.lang.code(),
            s.id
        ))
        .into_response(),
        Err(e) if e.status.is_client_error() => {
            let key = match (e.code, e.fields.keys().next().map(String::as_str)) {
                (_, Some("reason")) => "avail-error-reason",
                ("month_open", _) => "avail-error-open",
                _ => "avail-error-month",
            };
            let error = Some(t.s(key));
            render(
                &state,
                &page,
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                error,
                form,
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

/// The subscription if the reader may read its statements: the partner's people and staff. The
/// anonymous sign in first; anyone else gets the 404 page, as for a subscription that does not
/// exist.
async fn readable(state: &AppState, page: &Page, id: &str) -> Result<Subscription, Response> {
    if !page.caller.is_signed_in() {
        return Err(to_login(page));
    }
    let s = crate::subscriptions::readable(state, &page.caller, id)
        .await
        .map_err(|e| refused(page, e))?;
    page.caller
        .may(Action::ReadStatements {
            partner: &s.partner,
        })
        .map_err(|e| {
            if e.status == StatusCode::FORBIDDEN {
                refused(page, e)
            } else {
                page.not_found()
            }
        })?;
    Ok(s)
}

async fn render(
    state: &AppState,
    page: &Page,
    s: &Subscription,
    status: StatusCode,
    error: Option<String>,
    form: AmendForm,
) -> Response {
    match build(state, page, s, error, form).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

/// The months `s` was in service, from the first to the current one (or its last in service),
/// oldest first.
fn months_in_service(history: &[(i64, pacta_core::subscription::State)], now: i64) -> Vec<String> {
    let (spans, _) = service_spans(history);
    let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
        return Vec::new();
    };
    let at = |secs: i64| jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let from = month_of(at(first.0));
    let to = month_of(at((last.1 - 1).min(now)));
    let mut months = Vec::new();
    let mut m = from;
    while m <= to {
        months.push(m.clone());
        m = next_month(&m);
    }
    let skip = months.len().saturating_sub(MAX_MONTHS);
    months.split_off(skip)
}

async fn build(
    state: &AppState,
    page: &Page,
    s: &Subscription,
    error: Option<String>,
    form: AmendForm,
) -> Result<AvailabilityPage, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let history = crate::availability::lifecycle(state, s).await?;
    let mut months = Vec::new();
    let mut monitors = Vec::new();
    for month in months_in_service(&history, page.now.as_second())
        .into_iter()
        .rev()
    {
        match crate::availability::availability(state, s, Some(&month), None).await {
            Ok(doc) => {
                if monitors.is_empty() && months.is_empty() {
                    monitors = doc["monitors"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|m| m.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                }
                months.push(month_row(t, lang, &month, &doc));
            }
            Err(e) if e.status.is_client_error() => {
                tracing::warn!(subscription = %s.id, month = %month, error = %e.message, "no figures for this month");
                months.push(MonthRow {
                    label: format::month(&month, lang),
                    problem: Some(t.s("avail-month-problem")),
                    ..empty_row(&month)
                });
            }
            Err(e) => return Err(e),
        }
    }
    let service = state
        .service_version(&s.service, s.service_version)
        .await?
        .map(|v| L::new(&v.name, lang))
        .unwrap_or_else(|| L::plain(s.service.clone()));
    Ok(AvailabilityPage {
        base: page.base(
            format!("{} — {} — {}", t.s("avail-title"), service.text, s.partner),
            "",
        ),
        csrf: page.caller.csrf(),
        id: s.id.clone(),
        service,
        partner: s.partner.clone(),
        monitors,
        months,
        may_amend: page.caller.may(Action::CloseStatements).is_ok(),
        error,
        form_month: form.month,
        form_reason: form.reason,
    })
}

fn empty_row(month: &str) -> MonthRow {
    MonthRow {
        month: month.to_owned(),
        label: String::new(),
        provisional: false,
        closes_at: String::new(),
        target: "—".into(),
        figure: "—".into(),
        met: "—".into(),
        met_code: "none",
        downtime: "—".into(),
        allowed: "—".into(),
        budget_left: "—".into(),
        over_budget: false,
        unmonitored: String::new(),
        incomplete: false,
        suspended: "—".into(),
        amendment: 0,
        statements: Vec::new(),
        problem: None,
    }
}

fn seconds(doc: &Value, key: &str) -> i64 {
    doc[key].as_i64().unwrap_or(0)
}

fn figure_of(doc: &Value, lang: Lang) -> String {
    doc["availability_percent"]
        .as_f64()
        .map(|v| format::figure(v, lang))
        .unwrap_or_else(|| "—".into())
}

fn met_of(t: Tr, doc: &Value) -> (String, &'static str) {
    match doc["met"].as_bool() {
        Some(true) => (t.s("avail-met"), "met"),
        Some(false) => (t.s("avail-not-met"), "not-met"),
        None => ("—".into(), "none"),
    }
}

fn when_of(text: &Value, lang: Lang) -> String {
    text.as_str()
        .and_then(|s| parse_instant(s).ok())
        .map(|at| format::when(at, lang))
        .unwrap_or_default()
}

/// One month's row from its statement document.
fn month_row(t: Tr, lang: Lang, month: &str, doc: &Value) -> MonthRow {
    let (met, met_code) = met_of(t, doc);
    let budget = seconds(doc, "budget_left_seconds");
    let agreed = seconds(doc, "agreed_seconds");
    let unmonitored = seconds(doc, "unmonitored_seconds");
    let suspended = seconds(doc, "suspended_seconds");
    let statements = doc["statements"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|st| {
                    let n = st["amendment"].as_i64().unwrap_or(0);
                    let (met, _) = met_of(t, st);
                    StatementRow {
                        version: if n == 0 {
                            t.s("avail-original")
                        } else {
                            t.a("avail-amendment-n", &[("n", n.to_string())])
                        },
                        at: when_of(&st["at"], lang),
                        author: st["author"].as_str().unwrap_or_default().to_owned(),
                        reason: st["reason"].as_str().unwrap_or_default().to_owned(),
                        figure: figure_of(st, lang),
                        met,
                        downtime: st["downtime_seconds"]
                            .as_i64()
                            .map(|d| duration(d, lang))
                            .unwrap_or_else(|| "—".into()),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    MonthRow {
        month: month.to_owned(),
        label: format::month(month, lang),
        provisional: doc["provisional"].as_bool().unwrap_or(false),
        closes_at: when_of(&doc["closes_at"], lang),
        target: doc["target"]
            .as_str()
            .and_then(|t| Target::parse(t).ok())
            .map(|t| format::percent(&t, lang))
            .unwrap_or_else(|| "—".into()),
        figure: figure_of(doc, lang),
        met,
        met_code,
        downtime: duration(seconds(doc, "downtime_seconds"), lang),
        allowed: duration(seconds(doc, "allowed_downtime_seconds"), lang),
        budget_left: if agreed == 0 {
            "—".into()
        } else if budget < 0 {
            t.a("avail-over-budget", &[("time", duration(-budget, lang))])
        } else {
            duration(budget, lang)
        },
        over_budget: budget < 0,
        unmonitored: if unmonitored > 0 {
            duration(unmonitored, lang)
        } else {
            String::new()
        },
        incomplete: doc["incomplete"].as_bool().unwrap_or(false),
        suspended: if suspended > 0 {
            duration(suspended, lang)
        } else {
            "—".into()
        },
        amendment: doc["amendment"].as_i64().unwrap_or(0),
        statements,
        problem: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pacta_core::subscription::State;

    fn at(text: &str) -> i64 {
        text.parse::<jiff::Timestamp>().unwrap().as_second()
    }

    #[test]
    fn the_months_run_from_the_first_in_service_to_now_or_the_end() {
        let history = [
            (at("2026-08-20T10:00:00Z"), State::Requested),
            (at("2026-09-01T00:00:00+02:00"), State::Active),
        ];
        assert_eq!(
            months_in_service(&history, at("2026-11-30T09:00:00Z")),
            ["2026-09", "2026-10", "2026-11"]
        );
        let ended = [
            (at("2026-09-01T00:00:00+02:00"), State::Active),
            (at("2026-10-01T00:00:00+02:00"), State::Terminated),
        ];
        assert_eq!(
            months_in_service(&ended, at("2026-11-30T09:00:00Z")),
            ["2026-09"]
        );
        assert!(months_in_service(&history[..1], at("2026-11-30T09:00:00Z")).is_empty());
    }

    #[test]
    fn a_row_writes_the_figures_in_the_pages_language() {
        let doc = serde_json::json!({
            "target": "99.9", "availability_percent": 99.865, "met": false,
            "agreed_seconds": 2_592_000, "downtime_seconds": 3500,
            "allowed_downtime_seconds": 2592, "budget_left_seconds": -908,
            "unmonitored_seconds": 9000, "incomplete": false, "suspended_seconds": 0,
            "provisional": false, "amendment": 1,
            "statements": [
                {"amendment": 0, "at": "2026-11-01T01:00:00+01:00", "author": "pacta",
                 "reason": null, "availability_percent": 99.9, "met": true, "downtime_seconds": 2000},
                {"amendment": 1, "at": "2026-11-03T10:00:00+01:00", "author": "admin@provider.example",
                 "reason": "late results", "availability_percent": 99.865, "met": false,
                 "downtime_seconds": 3500},
            ],
        });
        let row = month_row(Tr(Lang::Fr), Lang::Fr, "2026-10", &doc);
        assert_eq!(row.label, "octobre 2026");
        assert_eq!(row.target, "99,9\u{a0}%");
        assert_eq!(row.figure, "99,865\u{a0}%");
        assert_eq!(row.met_code, "not-met");
        assert!(row.over_budget);
        assert!(
            row.budget_left.contains("15\u{a0}min 8\u{a0}s"),
            "{}",
            row.budget_left
        );
        assert_eq!(row.unmonitored, "2\u{a0}h 30\u{a0}min");
        assert_eq!(row.statements.len(), 2);
        assert_eq!(row.statements[1].reason, "late results");
        assert_eq!(row.statements[0].at, "1 novembre 2026, 01:00");
    }
}
