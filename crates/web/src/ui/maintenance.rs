//! The maintenance pages (issue 12, point 7): `/{lang}/maintenance`, the windows the reader may
//! see — for a partner's people, those their partner is consulted on, with what still waits for
//! its answer — and, for those who may propose, the proposal form with the partners it would
//! consult and their deadlines (a preview first); `/{lang}/maintenance/{id}`, one window — for
//! staff every partner's answers, for a partner its own answer, its deadlines and the form to
//! answer — with the override and the cancel for those who may.
//!
//! Writes go through the API's own handlers ([`crate::api::maintenance`]), which check, store
//! and mail.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiff::Timestamp;
use pacta_core::access::Action;
use pacta_core::catalogue::document::Node;
use pacta_core::maintenance::consultation::consents;
use pacta_core::maintenance::request::read_proposal;
use pacta_core::sla::consent::Consent;
use pacta_core::subscription::zone;
use pacta_store::maintenance::{MaintenanceFilter, StoredWindow, WindowStatus};
use pacta_store::Scope;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::format;
use super::forms::{answer, json_body, json_headers, problems, refused, to_login};
use super::i18n::{Tr, L};
use super::incidents::Choice;
use super::page::{page_in_with, Base, Page};
use crate::error::ApiError;
use crate::state::AppState;

/// One occurrence as a partner's consultation sees it.
pub struct ConsentRow {
    pub start: String,
    /// The occurrence's start as the API names it (an answer about this one only).
    pub start_value: String,
    pub end: String,
    pub deadline: String,
    pub consent: &'static str,
    pub consent_text: String,
    /// Of the open round and still to come: an answer may name it.
    pub open: bool,
}

/// A partner's answer.
pub struct AnswerRow {
    pub at: String,
    pub answer: String,
    pub comment: String,
    pub occurrence: String,
    pub alternative: String,
}

/// One partner's consultation.
pub struct ConsultationView {
    pub partner: String,
    pub consulted_at: String,
    pub answers: Vec<AnswerRow>,
    pub override_text: String,
    pub occurrences: Vec<ConsentRow>,
    /// Its objection decides an occurrence still to come (the override form).
    pub objects: bool,
    /// Some occurrence still waits for its answer.
    pub waiting: bool,
}

/// A window in the list.
pub struct WindowRow {
    pub id: String,
    pub title: String,
    pub service: L,
    pub first: String,
    pub count: usize,
    pub status: String,
    pub cancelled: bool,
    /// For a partner's people: its answer is awaited.
    pub waiting: bool,
    pub past: bool,
}

/// A partner a proposal would consult, and its first deadline.
pub struct PreviewRow {
    pub partner: String,
    pub deadline: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub intent: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub rrule: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Template)]
#[template(path = "maintenance_list.html")]
pub struct ListPage {
    pub base: Base,
    pub csrf: String,
    pub staff: bool,
    pub windows: Vec<WindowRow>,
    /// The services the reader may propose windows of; empty: no form.
    pub services: Vec<Choice>,
    pub form: ProposeForm,
    pub preview: Option<Vec<PreviewRow>>,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "maintenance_window.html")]
pub struct WindowPage {
    pub base: Base,
    pub csrf: String,
    pub id: String,
    pub title: String,
    pub description: String,
    pub service: L,
    pub service_code: String,
    pub start: String,
    pub end: String,
    pub rrule: String,
    pub status: String,
    pub cancelled: bool,
    pub proposed_by: String,
    pub occurrences: Vec<(String, String)>,
    pub consultations: Vec<ConsultationView>,
    pub staff: bool,
    /// The reader answers for its partner (its partner admin, the window open).
    pub may_answer: bool,
    pub may_manage: bool,
    pub errors: Vec<String>,
}

fn scope(partner: &Option<String>) -> Scope<'_> {
    partner.as_deref().map_or(Scope::All, Scope::Partner)
}

fn consent_text(t: Tr, c: Consent) -> String {
    t.s(&format!("mnt-consent-{}", c.code()))
}

fn title_of(w: &StoredWindow, lang: pacta_core::text::Lang) -> String {
    w.title
        .resolve(lang)
        .map(|(_, t)| t.to_owned())
        .unwrap_or_default()
}

fn consultation_view(
    page: &Page,
    w: &StoredWindow,
    partner: &str,
    now: Timestamp,
) -> Option<ConsultationView> {
    let (t, lang) = (page.t(), page.lang);
    let latest = w
        .consultations
        .iter()
        .filter(|c| c.partner == partner)
        .max_by_key(|c| c.round)?;
    let mut occurrences = Vec::new();
    let (mut objects, mut waiting) = (false, false);
    for o in &w.occurrences {
        let Some(c) = w.consultation(partner, o.round) else {
            continue;
        };
        let Ok(d) = consents(&[o.occurrence], &c.rule(), now) else {
            continue;
        };
        let d = d[0];
        if o.occurrence.start > now && o.round == w.round {
            objects |= d.consent == Consent::Objected;
            waiting |= d.consent == Consent::Pending;
        }
        occurrences.push(ConsentRow {
            start: format::when(o.occurrence.start, lang),
            start_value: pacta_core::sla::instant::format_instant(o.occurrence.start, zone()),
            end: format::when(o.occurrence.end, lang),
            deadline: format::when(d.deadline, lang),
            consent: d.consent.code(),
            consent_text: consent_text(t, d.consent),
            open: o.occurrence.start > now && o.round == w.round,
        });
    }
    Some(ConsultationView {
        partner: partner.to_owned(),
        consulted_at: format::when(latest.consulted_at, lang),
        answers: latest
            .answers
            .iter()
            .map(|a| AnswerRow {
                at: format::when(a.at, lang),
                answer: t.s(&format!("mnt-answer-{}", a.answer.answer.code())),
                comment: a.answer.comment.clone().unwrap_or_default(),
                occurrence: a
                    .answer
                    .occurrence
                    .map(|o| format::when(o, lang))
                    .unwrap_or_default(),
                alternative: a
                    .answer
                    .alternative
                    .as_ref()
                    .map(|(s, e)| format!("{} – {}", s.replace('T', " "), e.replace('T', " ")))
                    .unwrap_or_default(),
            })
            .collect(),
        override_text: latest
            .overrides
            .last()
            .map(|o| format!("{}: {}", format::when(o.at, lang), o.justification))
            .unwrap_or_default(),
        occurrences,
        objects,
        waiting,
    })
}

fn status_text(t: Tr, w: &StoredWindow) -> String {
    t.s(&format!("mnt-status-{}", w.status.code()))
}

/// `GET /{lang}/maintenance`.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    list_page(&state, &page, StatusCode::OK, Vec::new(), None, None).await
}

async fn list_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<ProposeForm>,
    preview: Option<Vec<PreviewRow>>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    if page.caller.may(Action::ReadMaintenanceWindows).is_err() {
        return refused(page, ApiError::forbidden());
    }
    match build_list(state, page, errors, form, preview).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

async fn build_list(
    state: &AppState,
    page: &Page,
    errors: Vec<String>,
    form: Option<ProposeForm>,
    preview: Option<Vec<PreviewRow>>,
) -> Result<ListPage, ApiError> {
    let (t, lang, now) = (page.t(), page.lang, page.now);
    let partner = page.caller.partner().map(str::to_owned);
    let windows = state
        .db
        .list_maintenance(scope(&partner), &MaintenanceFilter::default())
        .await?;
    let mut rows: Vec<WindowRow> = windows
        .iter()
        .map(|w| {
            let waiting = partner
                .as_deref()
                .and_then(|p| consultation_view(page, w, p, now))
                .is_some_and(|c| c.waiting && w.status == WindowStatus::Proposed);
            let last_end = w.occurrences.iter().map(|o| o.occurrence.end).max();
            WindowRow {
                id: w.id.clone(),
                title: title_of(w, lang),
                service: page
                    .snapshot
                    .service(&w.service)
                    .map(|s| L::new(&s.name, lang))
                    .unwrap_or_else(|| L::plain(w.service.clone())),
                first: w
                    .occurrences
                    .iter()
                    .find(|o| o.occurrence.end > now)
                    .or(w.occurrences.first())
                    .map(|o| format::when(o.occurrence.start, lang))
                    .unwrap_or_default(),
                count: w.occurrences.len(),
                status: status_text(t, w),
                cancelled: w.status == WindowStatus::Cancelled,
                waiting,
                past: last_end.is_none_or(|e| e <= now),
            }
        })
        .collect();
    // What waits for an answer first, then what is still to come, then the past.
    rows.sort_by_key(|r| (!r.waiting, r.past));
    let form = form.unwrap_or_default();
    let snapshot = &page.snapshot;
    let services = snapshot
        .order
        .iter()
        .map(|&i| &snapshot.stored.catalogue.services[i])
        .filter(|s| {
            page.caller
                .may(Action::ManageMaintenance { service: &s.code })
                .is_ok()
        })
        .map(|s| Choice {
            value: s.code.clone(),
            label: format!("{} ({})", L::new(&s.name, lang).text, s.code),
            selected: s.code == form.service,
        })
        .collect();
    Ok(ListPage {
        base: page.base(t.s("mnt-title"), "maintenance"),
        csrf: page.caller.csrf(),
        staff: page.caller.actor.is_staff(),
        windows: rows,
        services,
        form,
        preview,
        errors,
    })
}

/// The API body of the proposal form.
fn proposal_body(form: &ProposeForm, page: &Page) -> Value {
    let mut body = Map::new();
    body.insert("service".into(), json!(form.service.trim()));
    body.insert("start".into(), json!(form.start.trim()));
    body.insert("end".into(), json!(form.end.trim()));
    if !form.rrule.trim().is_empty() {
        body.insert("rrule".into(), json!(form.rrule.trim()));
    }
    body.insert("title".into(), json!({page.lang.code(): form.title.trim()}));
    if !form.description.trim().is_empty() {
        body.insert(
            "description".into(),
            json!({page.lang.code(): form.description.trim()}),
        );
    }
    Value::Object(body)
}

/// `POST /{lang}/maintenance`: `intent=preview` shows the partners the proposal would consult
/// and their deadlines; `intent=propose` proposes, then the window's page.
pub async fn propose(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<ProposeForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    let again = |errors: Vec<String>, form: ProposeForm, preview: Option<Vec<PreviewRow>>| {
        let (state, page) = (&state, &page);
        async move {
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            list_page(state, page, status, errors, Some(form), preview).await
        }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return again(vec![t.s("form-expired")], form, None).await;
    }
    let body = proposal_body(&form, &page);
    if form.intent == "preview" {
        if page
            .caller
            .may(Action::ManageMaintenance {
                service: form.service.trim(),
            })
            .is_err()
        {
            return refused(&page, ApiError::forbidden());
        }
        let p = match read_proposal(&Node::from_json(&body), zone(), page.now) {
            Ok(p) => p,
            Err(issues) => {
                let e = ApiError::invalid(issues);
                return again(problems(t, &e), form, None).await;
            }
        };
        let rows = match preview(&state, &page, &p).await {
            Ok(rows) => rows,
            Err(e) if e.status.is_client_error() => {
                return again(problems(t, &e), form, None).await
            }
            Err(e) => return e.into_response(),
        };
        return again(Vec::new(), form, Some(rows)).await;
    }
    let result = answer(
        crate::api::maintenance::propose_maintenance(
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
            "/{}/maintenance/{}",
            page.lang.code(),
            doc["id"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN => refused(&page, e),
        Err(e) if e.status.is_client_error() => again(problems(t, &e), form, None).await,
        Err(e) => e.into_response(),
    }
}

/// The partners `p` would consult now, with the deadline of the first occurrence put to each.
async fn preview(
    state: &AppState,
    page: &Page,
    p: &pacta_core::maintenance::request::Proposal,
) -> Result<Vec<PreviewRow>, ApiError> {
    if page.snapshot.service(&p.service).is_none() {
        return Err(ApiError::invalid_field(
            "service",
            format!("no service `{}`", p.service),
        ));
    }
    let consulted = crate::maintenance::consulted_for(state, &p.service, &p.occurrences).await?;
    Ok(consulted
        .iter()
        .filter_map(|c| {
            let first = p.occurrences.iter().find_map(|o| {
                pacta_core::maintenance::consultation::terms_for(&c.subscriptions, o)
                    .map(|t| pacta_core::maintenance::consultation::deadline(o, t, page.now))
            })?;
            Some(PreviewRow {
                partner: c.partner.clone(),
                deadline: format::when(first, page.lang),
            })
        })
        .collect())
}

/// `GET /{lang}/maintenance/{id}`.
pub async fn window(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    window_page(&state, &page, &id, StatusCode::OK, Vec::new()).await
}

async fn window_page(
    state: &AppState,
    page: &Page,
    id: &str,
    status: StatusCode,
    errors: Vec<String>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    let partner = page.caller.partner().map(str::to_owned);
    let w = match state.db.maintenance_window(scope(&partner), id).await {
        Ok(Some(w)) => w,
        Ok(None) => return page.not_found(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let readable = page
        .caller
        .may(Action::ReadMaintenance {
            partner: partner.as_deref().filter(|p| w.partners().contains(p)),
        })
        .is_ok();
    if !readable {
        return page.not_found();
    }
    let (t, lang, now) = (page.t(), page.lang, page.now);
    let consultations = w
        .partners()
        .into_iter()
        .filter_map(|p| consultation_view(page, &w, p, now))
        .collect();
    let may_answer = w.status == WindowStatus::Proposed
        && partner.as_deref().is_some_and(|p| {
            page.caller
                .may(Action::AnswerMaintenance { partner: p })
                .is_ok()
        });
    let view = WindowPage {
        base: page.base(title_of(&w, lang), "maintenance"),
        csrf: page.caller.csrf(),
        id: w.id.clone(),
        title: title_of(&w, lang),
        description: w
            .description
            .as_ref()
            .and_then(|d| d.resolve(lang).map(|(_, t)| t.to_owned()))
            .unwrap_or_default(),
        service: page
            .snapshot
            .service(&w.service)
            .map(|s| L::new(&s.name, lang))
            .unwrap_or_else(|| L::plain(w.service.clone())),
        service_code: w.service.clone(),
        start: w.start_local.replace('T', " "),
        end: w.end_local.replace('T', " "),
        rrule: w.rrule.clone().unwrap_or_default(),
        status: status_text(t, &w),
        cancelled: w.status == WindowStatus::Cancelled,
        proposed_by: w.proposed_by.clone(),
        occurrences: w
            .occurrences
            .iter()
            .map(|o| {
                (
                    format::when(o.occurrence.start, lang),
                    format::when(o.occurrence.end, lang),
                )
            })
            .collect(),
        consultations,
        staff: page.caller.actor.is_staff(),
        may_answer,
        may_manage: w.status == WindowStatus::Proposed
            && page
                .caller
                .may(Action::ManageMaintenance {
                    service: &w.service,
                })
                .is_ok(),
        errors,
    };
    page_in_with(status, lang, &view)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub occurrence: String,
    #[serde(default)]
    pub alt_start: String,
    #[serde(default)]
    pub alt_end: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub justification: String,
}

/// `POST /{lang}/maintenance/{id}/{what}`: `answer`, `override` or `cancel`; then the window.
pub async fn act(
    State(state): State<AppState>,
    page: Page,
    Path((_, id, what)): Path<(String, String, String)>,
    Form(form): Form<ActForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    if !page.caller.csrf_ok(&form.csrf) {
        return window_page(
            &state,
            &page,
            &id,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![t.s("form-expired")],
        )
        .await;
    }
    let (state2, caller, path) = (State(state.clone()), page.caller.clone(), Path(id.clone()));
    let result = match what.as_str() {
        "answer" => {
            let mut body = Map::new();
            body.insert("answer".into(), json!(form.answer.trim()));
            if !form.comment.trim().is_empty() {
                body.insert("comment".into(), json!(form.comment.trim()));
            }
            if !form.occurrence.trim().is_empty() {
                body.insert("occurrence".into(), json!(form.occurrence.trim()));
            }
            if !form.alt_start.trim().is_empty() || !form.alt_end.trim().is_empty() {
                body.insert(
                    "alternative".into(),
                    json!({"start": form.alt_start.trim(), "end": form.alt_end.trim()}),
                );
            }
            crate::api::maintenance::answer_maintenance(
                state2,
                caller,
                path,
                json_headers(None),
                json_body(&Value::Object(body)),
            )
            .await
        }
        "override" => {
            let body =
                json!({"partner": form.partner.trim(), "justification": form.justification.trim()});
            crate::api::maintenance::override_maintenance(
                state2,
                caller,
                path,
                json_headers(None),
                json_body(&body),
            )
            .await
        }
        "cancel" => crate::api::maintenance::cancel_maintenance(state2, caller, path).await,
        _ => return page.not_found(),
    };
    match answer(result).await {
        Ok(_) => Redirect::to(&format!("/{}/maintenance/{id}", page.lang.code())).into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => {
            window_page(
                &state,
                &page,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                problems(t, &e),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}
