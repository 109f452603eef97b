//! The on-call roster's page (issue 13, point 7): `/{lang}/oncall` — who is on duty now and in
//! the coming weeks, the weekly rotation and its overrides — with the forms to change the
//! rotation and to add an override. Writes go through the API's handlers.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use pacta_core::access::{Action, Role};
use pacta_core::oncall::handover_text;
use pacta_core::subscription::zone;
use pacta_store::accounts::UserFilter;
use pacta_store::Scope;
use serde::Deserialize;
use serde_json::json;

use super::format;
use super::forms::{answer, instant_field, json_body, json_headers, problems, refused, to_login};
use super::incidents::Choice;
use super::page::{page_in_with, Base, Page};
use crate::error::ApiError;
use crate::state::AppState;

/// How many weeks of the rotation the page shows.
const WEEKS: usize = 6;

pub struct WeekRow {
    pub from: String,
    pub to: String,
    pub user: String,
    pub current: bool,
}

pub struct OverrideRow {
    pub user: String,
    pub from: String,
    pub to: String,
    pub current: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RosterForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub handover: String,
    #[serde(default)]
    pub users: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Template)]
#[template(path = "oncall.html")]
pub struct RosterPage {
    pub base: Base,
    pub csrf: String,
    pub on_duty: String,
    pub source: String,
    pub weeks: Vec<WeekRow>,
    pub overrides: Vec<OverrideRow>,
    pub handover: String,
    pub users: String,
    /// Provider users holding `on-call`: whom an override may name.
    pub candidates: Vec<Choice>,
    pub form: RosterForm,
    pub errors: Vec<String>,
}

/// `GET /{lang}/oncall`.
pub async fn roster(State(state): State<AppState>, page: Page) -> Response {
    roster_page(&state, &page, StatusCode::OK, Vec::new(), None).await
}

async fn roster_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<RosterForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    if let Err(e) = page.caller.may(Action::ManageRoster) {
        return refused(page, e);
    }
    match build(state, page, errors, form).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

async fn build(
    state: &AppState,
    page: &Page,
    errors: Vec<String>,
    form: Option<RosterForm>,
) -> Result<RosterPage, ApiError> {
    let (t, lang, now) = (page.t(), page.lang, page.now);
    let stored = state.db.oncall_roster(now).await?;
    let roster = &stored.roster;
    let (who, source) = roster.who(now, zone());
    let weeks = roster
        .weeks(now, WEEKS, zone())
        .into_iter()
        .map(|(from, to, user)| WeekRow {
            from: format::when(from, lang),
            to: format::when(to, lang),
            user: user.map_or_else(|| t.s("oc-nobody"), str::to_owned),
            current: from <= now && now < to,
        })
        .collect();
    let overrides = roster
        .overrides
        .iter()
        .filter(|o| o.to > now)
        .map(|o| OverrideRow {
            user: o.user.clone(),
            from: format::when(o.from, lang),
            to: format::when(o.to, lang),
            current: o.from <= now,
        })
        .collect();
    let form = form.unwrap_or_default();
    let users = state
        .db
        .list_users(
            Scope::All,
            &UserFilter {
                role: Some(Role::OnCall),
                ..UserFilter::default()
            },
        )
        .await?;
    let candidates = users
        .iter()
        .filter(|u| !u.disabled && u.partner.is_none())
        .map(|u| Choice {
            value: u.email.clone(),
            label: format!("{} ({})", u.name, u.email),
            selected: u.email == form.user,
        })
        .collect();
    Ok(RosterPage {
        base: page.base(t.s("oc-title"), "oncall"),
        csrf: page.caller.csrf(),
        on_duty: who.map_or_else(|| t.s("oc-nobody"), str::to_owned),
        source: t.s(&format!("oc-source-{}", source.code())),
        weeks,
        overrides,
        handover: if form.handover.is_empty() {
            handover_text(roster.handover)
        } else {
            form.handover.clone()
        },
        users: if form.users.is_empty() {
            roster.users.join("\n")
        } else {
            form.users.clone()
        },
        candidates,
        form,
        errors,
    })
}

/// `POST /{lang}/oncall/{what}`: `rotation` or `override`; then the roster.
pub async fn change(
    State(state): State<AppState>,
    page: Page,
    Path((_, what)): Path<(String, String)>,
    Form(form): Form<RosterForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    if !page.caller.csrf_ok(&form.csrf) {
        return roster_page(
            &state,
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![t.s("form-expired")],
            Some(form),
        )
        .await;
    }
    let result = match what.as_str() {
        "rotation" => {
            let revision = match state.db.oncall_roster(page.now).await {
                Ok(r) => r.revision,
                Err(e) => return ApiError::from(e).into_response(),
            };
            let users: Vec<&str> = form
                .users
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let body =
                json!({"rotation": "weekly", "handover": form.handover.trim(), "users": users});
            crate::api::oncall::put_roster(
                State(state.clone()),
                page.caller.clone(),
                json_headers(Some(revision)),
                json_body(&body),
            )
            .await
        }
        "override" => {
            let body = json!({
                "user": form.user.trim(),
                "from": instant_field(&form.from),
                "to": instant_field(&form.to),
            });
            crate::api::oncall::post_override(
                State(state.clone()),
                page.caller.clone(),
                json_headers(None),
                json_body(&body),
            )
            .await
        }
        _ => return page.not_found(),
    };
    match answer(result).await {
        Ok(_) => Redirect::to(&format!("/{}/oncall", page.lang.code())).into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => {
            roster_page(
                &state,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                problems(t, &e),
                Some(form),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}
