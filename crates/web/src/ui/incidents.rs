//! The incident page for the provider's staff (issue 10, point 11): `/{lang}/admin/incidents`,
//! the open incidents first, then the latest closed ones, each with its public updates; a form
//! to declare one, and per incident a form to post an update, to set (or clear) its end and to
//! change its kind.
//!
//! Every staff member reads; the admin and a service's managers declare and change the
//! incidents of that service (`decide` says who). Writes go through the API's own handlers
//! ([`crate::api::incidents`]), which check them, store them and mail the partners told of them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use pacta_core::access::Action;
use pacta_core::incident::Kind;
use pacta_core::text::Lang;
use pacta_store::incidents::{IncidentFilter, StoredIncident};
use pacta_store::Scope;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::format;
use super::forms::{
    answer, datetime_local, instant_field, json_body, json_headers, problems, refused,
};
use super::i18n::{Tr, L};
use super::page::{page_in_with, Base, Page};
use crate::error::ApiError;
use crate::state::AppState;

/// The most closed incidents the page lists (the latest ones); the API lists them all.
const CLOSED_SHOWN: usize = 50;

/// A public update, as the page shows it.
pub struct UpdateRow {
    pub at: String,
    pub author: String,
    /// Its language when it is not the page's.
    pub lang: Option<&'static str>,
    pub text: String,
}

/// One incident.
pub struct IncidentView {
    pub id: String,
    pub title: String,
    pub service: L,
    pub service_code: String,
    pub kind: &'static str,
    pub kind_text: String,
    pub start: String,
    pub end: String,
    /// `datetime-local` value of its end (empty while open).
    pub end_value: String,
    pub open: bool,
    pub created_by: String,
    pub revision: i64,
    pub updates: Vec<UpdateRow>,
    pub may_manage: bool,
}

/// A choice of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeclareForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub language: String,
}

#[derive(Template)]
#[template(path = "admin_incidents.html")]
pub struct IncidentsPage {
    pub base: Base,
    pub csrf: String,
    pub open: Vec<IncidentView>,
    pub closed: Vec<IncidentView>,
    /// More closed incidents than shown.
    pub more: usize,
    /// The services the reader may declare incidents of; empty: no form.
    pub services: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub languages: Vec<Choice>,
    pub form: DeclareForm,
    /// What went wrong, and the incident it was about (empty: the declaration).
    pub errors: Vec<String>,
    pub error_about: String,
}

fn not_staff(page: &Page) -> Option<Response> {
    (!page.caller.actor.is_staff()).then(|| refused(page, ApiError::forbidden()))
}

fn kind_text(t: Tr, kind: Kind) -> String {
    t.s(&format!("inc-kind-{}", kind.code()))
}

async fn view(state: &AppState, page: &Page, i: &StoredIncident) -> Result<IncidentView, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let updates = state
        .db
        .incident_updates(&i.id)
        .await?
        .into_iter()
        .map(|u| UpdateRow {
            at: format::when(u.update.at, lang),
            author: u.update.author,
            lang: (u.update.language != lang).then_some(u.update.language.code()),
            text: u.update.text,
        })
        .collect();
    let service = &i.incident.service;
    Ok(IncidentView {
        id: i.id.clone(),
        title: i.incident.title.clone(),
        service: page
            .snapshot
            .service(service)
            .map(|s| L::new(&s.name, lang))
            .unwrap_or_else(|| L::plain(service.clone())),
        service_code: service.clone(),
        kind: i.incident.kind.code(),
        kind_text: kind_text(t, i.incident.kind),
        start: format::when(i.incident.start, lang),
        end: i
            .incident
            .end
            .map(|e| format::when(e, lang))
            .unwrap_or_default(),
        end_value: i.incident.end.map(datetime_local).unwrap_or_default(),
        open: i.incident.is_open(),
        created_by: i.created_by.clone(),
        revision: i.revision,
        updates,
        may_manage: page.caller.may(Action::ManageIncidents { service }).is_ok(),
    })
}

/// `GET /{lang}/admin/incidents`.
pub async fn list(State(state): State<AppState>, page: Page) -> Response {
    list_page(
        &state,
        &page,
        StatusCode::OK,
        Vec::new(),
        String::new(),
        None,
    )
    .await
}

async fn list_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    errors: Vec<String>,
    error_about: String,
    form: Option<DeclareForm>,
) -> Response {
    if let Some(r) = not_staff(page) {
        return r;
    }
    match build(state, page, errors, error_about, form).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

async fn build(
    state: &AppState,
    page: &Page,
    errors: Vec<String>,
    error_about: String,
    form: Option<DeclareForm>,
) -> Result<IncidentsPage, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let all = state
        .db
        .list_incidents(Scope::All, &IncidentFilter::default())
        .await?;
    let (open_ones, closed_ones): (Vec<_>, Vec<_>) = all.iter().partition(|i| i.incident.is_open());
    let mut open = Vec::new();
    for i in open_ones {
        open.push(view(state, page, i).await?);
    }
    let mut closed = Vec::new();
    for i in closed_ones.iter().take(CLOSED_SHOWN) {
        closed.push(view(state, page, i).await?);
    }
    let form = form.unwrap_or_else(|| DeclareForm {
        start: datetime_local(page.now),
        kind: Kind::Down.code().to_owned(),
        language: lang.code().to_owned(),
        ..DeclareForm::default()
    });
    let snapshot = &page.snapshot;
    let services = snapshot
        .order
        .iter()
        .map(|&i| &snapshot.stored.catalogue.services[i])
        .filter(|s| {
            page.caller
                .may(Action::ManageIncidents { service: &s.code })
                .is_ok()
        })
        .map(|s| Choice {
            value: s.code.clone(),
            label: format!("{} ({})", L::new(&s.name, lang).text, s.code),
            selected: s.code == form.service,
        })
        .collect();
    let kinds = [Kind::Down, Kind::Degraded]
        .into_iter()
        .map(|k| Choice {
            value: k.code().to_owned(),
            label: kind_text(t, k),
            selected: k.code() == form.kind,
        })
        .collect();
    let languages = Lang::ALL
        .iter()
        .map(|l| Choice {
            value: l.code().to_owned(),
            label: Tr(*l).s("lang-name"),
            selected: l.code() == form.language,
        })
        .collect();
    Ok(IncidentsPage {
        base: page.base(t.s("inc-title"), "admin-incidents"),
        csrf: page.caller.csrf(),
        open,
        more: closed_ones.len().saturating_sub(CLOSED_SHOWN),
        closed,
        services,
        kinds,
        languages,
        form,
        errors,
        error_about,
    })
}

/// The language an update is written in: the form's, else the page's.
fn language(code: &str, page: &Page) -> &'static str {
    Lang::from_code(code.trim()).unwrap_or(page.lang).code()
}

/// `POST /{lang}/admin/incidents`: a declaration; then the page, at the new incident.
pub async fn declare(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<DeclareForm>,
) -> Response {
    if let Some(r) = not_staff(&page) {
        return r;
    }
    let t = page.t();
    let again = |errors: Vec<String>, form: DeclareForm| {
        let (state, page) = (&state, &page);
        async move {
            list_page(
                state,
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                String::new(),
                Some(form),
            )
            .await
        }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return again(vec![t.s("form-expired")], form).await;
    }
    let mut body = Map::new();
    body.insert("service".into(), json!(form.service.trim()));
    body.insert("kind".into(), json!(form.kind.trim()));
    body.insert("title".into(), json!(form.title.trim()));
    body.insert(
        "start".into(),
        instant_field(&form.start).unwrap_or_else(|| json!("")),
    );
    if let Some(end) = instant_field(&form.end) {
        body.insert("end".into(), end);
    }
    if !form.text.trim().is_empty() {
        body.insert(
            "update".into(),
            json!({"text": form.text.trim(), "language": language(&form.language, &page)}),
        );
    }
    let result = answer(
        crate::api::incidents::create_incident(
            State(state.clone()),
            page.caller.clone(),
            json_headers(None),
            json_body(&Value::Object(body)),
        )
        .await,
    )
    .await;
    match result {
        Ok(doc) => Redirect::to(&format!(
            "/{}/admin/incidents#incident-{}",
            page.lang.code(),
            doc["id"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN => refused(&page, e),
        Err(e) if e.status.is_client_error() => again(problems(t, &e), form).await,
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub revision: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub kind: String,
}

/// `POST /{lang}/admin/incidents/{id}/{what}`: `update` (a public update), `end` (its end, or
/// open again when empty) or `kind`; then the page, at the incident.
pub async fn change(
    State(state): State<AppState>,
    page: Page,
    Path((_, id, what)): Path<(String, String, String)>,
    Form(form): Form<ChangeForm>,
) -> Response {
    if let Some(r) = not_staff(&page) {
        return r;
    }
    let t = page.t();
    let again = |errors: Vec<String>| {
        let (state, page, id) = (&state, &page, id.clone());
        async move {
            list_page(
                state,
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                id,
                None,
            )
            .await
        }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return again(vec![t.s("form-expired")]).await;
    }
    let revision = form.revision.trim().parse::<i64>().unwrap_or(0);
    let path = Path(id.clone());
    let (state2, caller) = (State(state.clone()), page.caller.clone());
    let result = match what.as_str() {
        "update" => {
            let body =
                json!({"text": form.text.trim(), "language": language(&form.language, &page)});
            crate::api::incidents::post_update(
                state2,
                caller,
                path,
                json_headers(None),
                json_body(&body),
            )
            .await
        }
        "end" => {
            let body = json!({"end": instant_field(&form.end).unwrap_or(Value::Null)});
            crate::api::incidents::patch_incident(
                state2,
                caller,
                path,
                json_headers(Some(revision)),
                json_body(&body),
            )
            .await
        }
        "kind" => {
            let body = json!({"kind": form.kind.trim()});
            crate::api::incidents::patch_incident(
                state2,
                caller,
                path,
                json_headers(Some(revision)),
                json_body(&body),
            )
            .await
        }
        _ => return page.not_found(),
    };
    match answer(result).await {
        Ok(_) => Redirect::to(&format!(
            "/{}/admin/incidents#incident-{id}",
            page.lang.code()
        ))
        .into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => again(problems(t, &e)).await,
        Err(e) => e.into_response(),
    }
}
