//! The monitor pages for the provider's staff (issue 10, point 11): `/{lang}/admin/monitors`,
//! every monitor by service with its kind, target, interval, whether it counts for
//! availability and its state now (from its outages of the last 24 hours), a form to create one
//! and a button to delete one; and `/{lang}/admin/monitors/{id}` — where the outage mails link —
//! with its settings, a small form for its timing and its outages of the last 30 days.
//!
//! Every staff member reads; the admin and a service's managers write the monitors of that
//! service (`decide` says who). Writes go through the API's own handlers
//! ([`crate::api::monitors`]), which read, check, store and audit them; the API remains the
//! full editor (headers, expected statuses, body checks, a subscription's own monitor).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiff::{SignedDuration, Timestamp};
use pacta_core::access::Action;
use pacta_core::monitor::{monitor_json, Kind, RecordType};
use pacta_core::sla::outages::Outages;
use pacta_store::monitors::{MonitorFilter, StoredMonitor};
use pacta_store::Scope;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::forms::{answer, json_body, json_headers, problems, refused};
use super::i18n::{Tr, L};
use super::page::{page_in_with, Base, Page};
use super::{format, format::duration};
use crate::error::ApiError;
use crate::state::AppState;

/// How far back "now" looks for the state of a monitor.
const STATE_WINDOW: SignedDuration = SignedDuration::from_hours(24);
/// How far back a monitor's page lists its outages.
const OUTAGE_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

/// A monitor's state now, in words.
pub struct Now {
    /// `up`, `down` or `unknown` (no result covers now).
    pub code: &'static str,
    pub text: String,
    /// Outages that began or ran in the window.
    pub outages: usize,
}

/// One monitor as a row of the list.
pub struct Row {
    pub id: String,
    pub code: String,
    pub name: L,
    pub kind: &'static str,
    pub target: String,
    pub interval: String,
    pub counts: String,
    /// Every subscription of the service, or one partner's subscription.
    pub watches: String,
    pub now: Now,
    pub may_manage: bool,
}

/// A service and its monitors.
pub struct ServiceGroup {
    pub code: String,
    pub name: L,
    pub rows: Vec<Row>,
}

/// A choice of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewMonitorForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: String,
    #[serde(default)]
    pub dns_name: String,
    #[serde(default)]
    pub record_type: String,
    #[serde(default)]
    pub interval: String,
    #[serde(default)]
    pub timeout: String,
    #[serde(default)]
    pub counts: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_monitors.html")]
pub struct MonitorsPage {
    pub base: Base,
    pub csrf: String,
    pub groups: Vec<ServiceGroup>,
    /// The services the reader may add monitors to; empty: no form.
    pub services: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub record_types: Vec<Choice>,
    pub form: NewMonitorForm,
    pub counts: bool,
    pub errors: Vec<String>,
}

/// The refusal, unless the reader is one of the provider's staff.
fn not_staff(page: &Page) -> Option<Response> {
    (!page.caller.actor.is_staff()).then(|| refused(page, ApiError::forbidden()))
}

fn service_name(page: &Page, code: &str) -> L {
    page.snapshot
        .service(code)
        .map(|s| L::new(&s.name, page.lang))
        .unwrap_or_else(|| L::plain(code.to_owned()))
}

/// The monitor's outages over the `window` before now.
async fn recent(
    state: &AppState,
    m: &StoredMonitor,
    now: Timestamp,
    window: SignedDuration,
) -> Result<(Timestamp, Outages), ApiError> {
    let from = now - window;
    let history = state
        .db
        .monitor_history(m.seq, from.as_second(), now.as_second())
        .await?;
    Ok((from, history.window(from, now)))
}

/// The state now from the outages of the window `[from, now)`.
fn state_now(
    t: Tr,
    lang: pacta_core::text::Lang,
    from: Timestamp,
    o: &Outages,
    now: Timestamp,
) -> Now {
    let uncovered = o.unmonitored.last().is_some_and(|u| u.end >= now);
    let (code, text) = match o.outages.last() {
        Some(last) if o.down_at_end => (
            "down",
            if last.start > from {
                t.a(
                    "mon-down-since",
                    &[("since", format::when(last.start, lang))],
                )
            } else {
                t.s("mon-down-long")
            },
        ),
        _ if uncovered => ("unknown", t.s("mon-unknown")),
        _ => ("up", t.s("mon-up")),
    };
    Now {
        code,
        text,
        outages: o.outages.len(),
    }
}

fn yes_no(t: Tr, b: bool) -> String {
    t.s(if b { "yes" } else { "no" })
}

async fn row(state: &AppState, page: &Page, m: &StoredMonitor) -> Result<Row, ApiError> {
    let t = page.t();
    let (from, outages) = recent(state, m, page.now, STATE_WINDOW).await?;
    Ok(Row {
        id: m.id.clone(),
        code: m.monitor.code.clone(),
        name: L::new(&m.monitor.name, page.lang),
        kind: m.monitor.kind().code(),
        target: m.monitor.target(),
        interval: duration(m.monitor.interval.0, page.lang),
        counts: yes_no(t, m.monitor.counts_for_availability),
        watches: match &m.partner {
            Some(p) => t.a("mon-watches-partner", &[("partner", p.clone())]),
            None => t.s("mon-watches-service"),
        },
        now: state_now(t, page.lang, from, &outages, page.now),
        may_manage: page
            .caller
            .may(Action::ManageMonitors {
                service: &m.service,
            })
            .is_ok(),
    })
}

/// `GET /{lang}/admin/monitors`.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    list_page(
        &state,
        &page,
        StatusCode::OK,
        Vec::new(),
        NewMonitorForm::default(),
        true,
    )
    .await
}

async fn list_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    errors: Vec<String>,
    form: NewMonitorForm,
    counts: bool,
) -> Response {
    if let Some(r) = not_staff(page) {
        return r;
    }
    match build_list(state, page, errors, form, counts).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

async fn build_list(
    state: &AppState,
    page: &Page,
    errors: Vec<String>,
    form: NewMonitorForm,
    counts: bool,
) -> Result<MonitorsPage, ApiError> {
    let t = page.t();
    let monitors = state
        .db
        .list_monitors(Scope::All, &MonitorFilter::default())
        .await?;
    let mut by_service: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for m in &monitors {
        by_service
            .entry(m.service.clone())
            .or_default()
            .push(row(state, page, m).await?);
    }
    let groups = by_service
        .into_iter()
        .map(|(code, mut rows)| {
            rows.sort_by(|a, b| a.code.cmp(&b.code));
            ServiceGroup {
                name: service_name(page, &code),
                code,
                rows,
            }
        })
        .collect();
    let snapshot = &page.snapshot;
    let services = snapshot
        .order
        .iter()
        .map(|&i| &snapshot.stored.catalogue.services[i])
        .filter(|s| {
            page.caller
                .may(Action::ManageMonitors { service: &s.code })
                .is_ok()
        })
        .map(|s| Choice {
            value: s.code.clone(),
            label: format!("{} ({})", L::new(&s.name, page.lang).text, s.code),
            selected: s.code == form.service,
        })
        .collect();
    let kind = if form.kind.is_empty() {
        "http"
    } else {
        form.kind.as_str()
    };
    let kinds = Kind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().to_owned(),
            label: t.s(&format!("mon-kind-{}", k.code())),
            selected: k.code() == kind,
        })
        .collect();
    let record_type = if form.record_type.is_empty() {
        "A"
    } else {
        form.record_type.as_str()
    };
    let record_types = RecordType::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.code().to_owned(),
            selected: r.code() == record_type,
        })
        .collect();
    Ok(MonitorsPage {
        base: page.base(t.s("mon-title"), "admin-monitors"),
        csrf: page.caller.csrf(),
        groups,
        services,
        kinds,
        record_types,
        form,
        counts,
        errors,
    })
}

/// A number typed in a form: as a JSON number when it is one, else as typed (for the reader to
/// say what is wrong); `None` when empty.
fn number_field(text: &str) -> Option<Value> {
    match text.trim() {
        "" => None,
        n => Some(n.parse::<i64>().map_or_else(|_| json!(n), |v| json!(v))),
    }
}

fn text_field(text: &str) -> Option<Value> {
    Some(text.trim())
        .filter(|t| !t.is_empty())
        .map(|t| json!(t))
}

/// The monitors-file body of the form's monitor: the settings of its kind only.
fn body_of(form: &NewMonitorForm, lang: pacta_core::text::Lang) -> Value {
    let mut settings = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            settings.insert(key.to_owned(), v);
        }
    };
    match form.kind.as_str() {
        "http" => put("url", text_field(&form.url)),
        "tcp" | "tls" => {
            put("host", text_field(&form.host));
            put("port", number_field(&form.port));
        }
        "dns" => {
            put("name", text_field(&form.dns_name));
            put("record_type", text_field(&form.record_type));
        }
        _ => {}
    }
    let mut body = json!({
        "code": form.code.trim(),
        "name": {lang.code(): form.name.trim()},
        "service": form.service.trim(),
        "kind": form.kind.trim(),
        "settings": settings,
        "counts_for_availability": form.counts.is_some(),
    });
    for (key, value) in [("interval", &form.interval), ("timeout", &form.timeout)] {
        if let Some(v) = text_field(value) {
            body[key] = v;
        }
    }
    body
}

/// `POST /{lang}/admin/monitors`: a new monitor of a service; then its page.
pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewMonitorForm>,
) -> Response {
    if let Some(r) = not_staff(&page) {
        return r;
    }
    let t = page.t();
    let counts = form.counts.is_some();
    if !page.caller.csrf_ok(&form.csrf) {
        let errors = vec![t.s("form-expired")];
        return list_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form,
            counts,
        )
        .await;
    }
    let body = body_of(&form, page.lang);
    let result = answer(
        crate::api::monitors::create_monitor(
            State(state.clone()),
            page.caller.clone(),
            json_headers(None),
            json_body(&body),
        )
        .await,
    )
    .await;
    match result {
        Ok(doc) => Redirect::to(&format!(
            "/{}/admin/monitors/{}",
            page.lang.code(),
            doc["id"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN => refused(&page, e),
        Err(e) if e.status.is_client_error() => {
            let errors = problems(t, &e);
            list_page(
                &state,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                form,
                counts,
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /{lang}/admin/monitors/{id}/delete`: then the list.
pub async fn delete(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(r) = not_staff(&page) {
        return r;
    }
    let t = page.t();
    if !page.caller.csrf_ok(&form.csrf) {
        let errors = vec![t.s("form-expired")];
        return list_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            NewMonitorForm::default(),
            true,
        )
        .await;
    }
    let result = answer(
        crate::api::monitors::delete_monitor(State(state.clone()), page.caller.clone(), Path(id))
            .await,
    )
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/{}/admin/monitors", page.lang.code())).into_response(),
        Err(e) if e.status.is_client_error() => refused(&page, e),
        Err(e) => e.into_response(),
    }
}

// ------------------------------------------------------------------------------------------------
// One monitor.

/// A setting as a line of the page.
pub struct Fact {
    pub what: String,
    pub value: String,
}

/// An outage of the last 30 days.
pub struct OutageRow {
    pub start: String,
    pub end: String,
    pub lasted: String,
    pub open: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TimingForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub interval: String,
    #[serde(default)]
    pub timeout: String,
    #[serde(default)]
    pub failures_before_down: String,
    #[serde(default)]
    pub successes_before_up: String,
    #[serde(default)]
    pub counts: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_monitor.html")]
pub struct MonitorPage {
    pub base: Base,
    pub csrf: String,
    pub id: String,
    pub code: String,
    pub name: L,
    pub service: L,
    pub service_code: String,
    /// The subscription it watches, when it is one subscription's own.
    pub subscription: Option<String>,
    pub watches: String,
    pub facts: Vec<Fact>,
    pub settings: Vec<Fact>,
    pub now: Now,
    pub outages: Vec<OutageRow>,
    pub unmonitored: String,
    pub gaps: usize,
    pub may_manage: bool,
    pub revision: i64,
    pub form: TimingForm,
    pub counts: bool,
    pub errors: Vec<String>,
}

/// `GET /{lang}/admin/monitors/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    detail_page(&state, &page, &id, StatusCode::OK, Vec::new(), None).await
}

/// A setting's value in words: a list joined, a header map as `Name: ${env:NAME}`.
fn setting_text(t: Tr, v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => yes_no(t, *b),
        Value::Array(items) => items
            .iter()
            .map(|i| setting_text(t, i))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", setting_text(t, v)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

async fn detail_page(
    state: &AppState,
    page: &Page,
    id: &str,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<TimingForm>,
) -> Response {
    if let Some(r) = not_staff(page) {
        return r;
    }
    let m = match state.db.monitor(Scope::All, id).await {
        Ok(Some(m)) => m,
        Ok(None) => return page.not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    match build_detail(state, page, &m, errors, form).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

async fn build_detail(
    state: &AppState,
    page: &Page,
    m: &StoredMonitor,
    errors: Vec<String>,
    form: Option<TimingForm>,
) -> Result<MonitorPage, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let doc = monitor_json(
        &m.id,
        &m.monitor,
        &m.service,
        m.partner.as_deref(),
        m.revision,
    );
    let text = |key: &str| doc[key].as_str().unwrap_or_default().to_owned();
    let facts = vec![
        Fact {
            what: t.s("mon-kind"),
            value: t.s(&format!("mon-kind-{}", m.monitor.kind().code())),
        },
        Fact {
            what: t.s("mon-target"),
            value: m.monitor.target(),
        },
        Fact {
            what: t.s("mon-interval"),
            value: duration(m.monitor.interval.0, lang),
        },
        Fact {
            what: t.s("mon-timeout"),
            value: duration(m.monitor.timeout.0, lang),
        },
        Fact {
            what: t.s("mon-failures"),
            value: m.monitor.failures_before_down.to_string(),
        },
        Fact {
            what: t.s("mon-successes"),
            value: m.monitor.successes_before_up.to_string(),
        },
        Fact {
            what: t.s("mon-stale-after"),
            value: match m.monitor.stale_after {
                Some(s) => duration(s.0, lang),
                None => t.a(
                    "mon-stale-default",
                    &[("time", duration(m.monitor.effective_stale_after().0, lang))],
                ),
            },
        },
        Fact {
            what: t.s("mon-counts"),
            value: yes_no(t, m.monitor.counts_for_availability),
        },
    ];
    let settings = doc["settings"]
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| Fact {
                    what: k.clone(),
                    value: setting_text(t, v),
                })
                .collect()
        })
        .unwrap_or_default();
    let (from, window) = recent(state, m, page.now, OUTAGE_WINDOW).await?;
    let (state_from, last_day) = recent(state, m, page.now, STATE_WINDOW).await?;
    let outages = window
        .outages
        .iter()
        .rev()
        .map(|o| {
            let end = o.end.unwrap_or(page.now);
            OutageRow {
                start: if o.start > from {
                    format::when(o.start, lang)
                } else {
                    t.a("mon-before", &[("when", format::when(from, lang))])
                },
                end: o.end.map(|e| format::when(e, lang)).unwrap_or_default(),
                lasted: duration(end.as_second() - o.start.as_second(), lang),
                open: o.end.is_none(),
            }
        })
        .collect();
    let unmonitored: i64 = window
        .unmonitored
        .iter()
        .map(|u| u.end.as_second() - u.start.as_second())
        .sum();
    let counts = form
        .as_ref()
        .map_or(m.monitor.counts_for_availability, |f| f.counts.is_some());
    let form = form.unwrap_or_else(|| TimingForm {
        interval: text("interval"),
        timeout: text("timeout"),
        failures_before_down: m.monitor.failures_before_down.to_string(),
        successes_before_up: m.monitor.successes_before_up.to_string(),
        ..TimingForm::default()
    });
    Ok(MonitorPage {
        base: page.base(
            format!("{} — {}", t.s("mon-title"), m.monitor.code),
            "admin-monitors",
        ),
        csrf: page.caller.csrf(),
        id: m.id.clone(),
        code: m.monitor.code.clone(),
        name: L::new(&m.monitor.name, lang),
        service: service_name(page, &m.service),
        service_code: m.service.clone(),
        subscription: m.monitor.subscription.clone(),
        watches: match &m.partner {
            Some(p) => t.a("mon-watches-partner", &[("partner", p.clone())]),
            None => t.s("mon-watches-service"),
        },
        facts,
        settings,
        now: state_now(t, lang, state_from, &last_day, page.now),
        outages,
        unmonitored: duration(unmonitored, lang),
        gaps: window.unmonitored.len(),
        may_manage: page
            .caller
            .may(Action::ManageMonitors {
                service: &m.service,
            })
            .is_ok(),
        revision: m.revision,
        form,
        counts,
        errors,
    })
}

/// `POST /{lang}/admin/monitors/{id}`: its timing and whether it counts; then its page.
pub async fn change(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<TimingForm>,
) -> Response {
    if let Some(r) = not_staff(&page) {
        return r;
    }
    let t = page.t();
    if !page.caller.csrf_ok(&form.csrf) {
        let errors = vec![t.s("form-expired")];
        return detail_page(
            &state,
            &page,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            Some(form),
        )
        .await;
    }
    let field = |text: &str| text_field(text).unwrap_or(Value::Null);
    let number = |text: &str| number_field(text).unwrap_or(Value::Null);
    let body = json!({
        "interval": field(&form.interval),
        "timeout": field(&form.timeout),
        "failures_before_down": number(&form.failures_before_down),
        "successes_before_up": number(&form.successes_before_up),
        "counts_for_availability": form.counts.is_some(),
    });
    let revision = form.revision.trim().parse::<i64>().unwrap_or(0);
    let result = answer(
        crate::api::monitors::patch_monitor(
            State(state.clone()),
            page.caller.clone(),
            Path(id.clone()),
            json_headers(Some(revision)),
            json_body(&body),
        )
        .await,
    )
    .await;
    match result {
        Ok(_) => {
            Redirect::to(&format!("/{}/admin/monitors/{id}", page.lang.code())).into_response()
        }
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => {
            let errors = problems(t, &e);
            detail_page(
                &state,
                &page,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(form),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pacta_core::text::Lang;

    #[test]
    fn the_form_gives_the_settings_of_its_kind_only() {
        let form = NewMonitorForm {
            code: "web".into(),
            name: "Web".into(),
            service: "WEB-HOSTING".into(),
            kind: "tcp".into(),
            url: "https://ignored.example/".into(),
            host: "web.example".into(),
            port: "443".into(),
            interval: "30s".into(),
            counts: Some("yes".into()),
            ..NewMonitorForm::default()
        };
        assert_eq!(
            body_of(&form, Lang::Nl),
            json!({"code": "web", "name": {"nl": "Web"}, "service": "WEB-HOSTING", "kind": "tcp",
                   "settings": {"host": "web.example", "port": 443}, "interval": "30s",
                   "counts_for_availability": true})
        );
        let typo = NewMonitorForm {
            kind: "tls".into(),
            port: "four".into(),
            ..form
        };
        assert_eq!(body_of(&typo, Lang::En)["settings"]["port"], "four");
    }
}
