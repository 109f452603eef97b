//! The subscription pages (issue 9): the signed-in reader's home `/{lang}/home` (a partner's
//! subscriptions, open requests and escalation contacts; for the provider's staff, what waits for
//! them), one subscription `/{lang}/subscriptions/{id}` with its history and the decisions the
//! reader may take, the approval queue `/{lang}/admin/subscriptions`, and the "Subscribe" form of
//! a fiche (`POST /{lang}/services/{code}/subscribe`). Every decision goes through
//! [`crate::subscriptions`], as the API's do.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use pacta_core::access::Action;
use pacta_core::catalogue::rules::{quote, Quote};
use pacta_core::subscription::{self as rules, Move, State as SubState};
use pacta_store::subscriptions::{Subscription, SubscriptionFilter};
use pacta_store::Scope;
use serde::Deserialize;

use super::format;
use super::i18n::{Tr, L};
use super::names::level_name;
use super::page::{page_in_with, Base, Page};
use crate::error::ApiError;
use crate::state::AppState;
use crate::subscriptions::{self as flow, Decision};

/// Signs in first, or the 403/404 page.
fn refused(page: &Page, e: ApiError) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    if e.status == StatusCode::NOT_FOUND {
        return page.not_found();
    }
    super::admin::denied(page)
}

fn to_login(page: &Page) -> Response {
    let back = format!("/{}{}", page.lang.code(), page.rest);
    Redirect::to(&format!("/{}/login?next={back}", page.lang.code())).into_response()
}

/// A state, in words.
fn state_name(t: Tr, state: SubState) -> String {
    t.s(&format!("sub-state-{}", state.code()))
}

/// One subscription as a row of a table.
pub struct Row {
    pub id: String,
    pub partner: String,
    pub service: L,
    pub service_code: String,
    pub pack: L,
    pub state: String,
    pub state_code: &'static str,
    pub level: L,
    pub target: String,
    pub month: String,
    pub year: String,
    pub one_off: String,
    pub start: String,
    pub end: String,
    pub version: i64,
}

/// The quote of a subscription's version (core's, as the API's `quote` is).
async fn quote_of(state: &AppState, s: &Subscription) -> Option<Quote> {
    let service = state
        .service_version(&s.service, s.service_version)
        .await
        .ok()??;
    let snapshot = state.snapshot();
    quote(
        &service,
        &snapshot.stored.catalogue.levels,
        &flow::selection_of(s),
    )
    .ok()
}

async fn row(state: &AppState, page: &Page, s: &Subscription) -> Row {
    let lang = page.lang;
    let t = page.t();
    let snapshot = &page.snapshot;
    let service = state
        .service_version(&s.service, s.service_version)
        .await
        .ok()
        .flatten();
    let q = quote_of(state, s).await;
    let dash = || "—".to_owned();
    Row {
        id: s.id.clone(),
        partner: s.partner.clone(),
        service: service
            .as_ref()
            .map(|v| L::new(&v.name, lang))
            .unwrap_or_else(|| L::plain(s.service.clone())),
        service_code: s.service.clone(),
        pack: service
            .as_ref()
            .and_then(|v| v.pack(&s.pack))
            .map(|p| L::new(&p.name, lang))
            .unwrap_or_else(|| L::plain(s.pack.clone())),
        state: state_name(t, s.state),
        state_code: s.state.code(),
        level: q
            .as_ref()
            .map(|q| level_name(snapshot, &q.sla.level, lang))
            .unwrap_or_else(|| L::plain(dash())),
        target: q
            .as_ref()
            .map(|q| format::percent(&q.sla.availability_target, lang))
            .unwrap_or_else(dash),
        month: q
            .as_ref()
            .map(|q| format::money(q.totals.month_cents, lang))
            .unwrap_or_else(dash),
        year: q
            .as_ref()
            .map(|q| format::money(q.totals.year_cents, lang))
            .unwrap_or_else(dash),
        one_off: q
            .as_ref()
            .map(|q| format::money(q.totals.one_off_cents, lang))
            .unwrap_or_else(dash),
        start: format::date(s.start_date, lang),
        end: s
            .end_date
            .map(|d| format::date(d, lang))
            .unwrap_or_default(),
        version: s.service_version,
    }
}

/// Someone to turn to.
pub struct Contact {
    pub role: String,
    pub name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "my_home.html")]
pub struct HomePage {
    pub base: Base,
    /// A partner's home (else the provider's staff's).
    pub partner: Option<String>,
    pub partner_name: String,
    pub subscriptions: Vec<Row>,
    pub requests: Vec<Row>,
    pub contacts: Vec<Contact>,
    /// Staff: what waits for the reader's decision.
    pub waiting: Vec<Row>,
    pub may_subscribe: bool,
}

/// `/{lang}/home`: a partner's subscriptions, requests and contacts; the staff's queue.
pub async fn home(State(state): State<AppState>, page: Page) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    let result = match page.caller.partner().map(str::to_owned) {
        Some(p) => partner_home(&state, &page, &p).await,
        None => staff_home(&state, &page).await,
    };
    match result {
        Ok(view) => page_in_with(StatusCode::OK, page.lang, &view),
        Err(e) => {
            tracing::error!(error = %e.message, "home page");
            let _ = t;
            super::page::internal_error()
        }
    }
}

async fn partner_home(state: &AppState, page: &Page, partner: &str) -> Result<HomePage, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let all = state
        .db
        .list_subscriptions(Scope::Partner(partner), &SubscriptionFilter::default())
        .await?;
    let mut subscriptions = Vec::new();
    let mut requests = Vec::new();
    for s in &all {
        match s.state {
            SubState::Active | SubState::Suspended => subscriptions.push(row(state, page, s).await),
            SubState::Requested | SubState::Approved => requests.push(row(state, page, s).await),
            _ => {}
        }
    }
    let stored = state.db.partner(Scope::Partner(partner), partner).await?;
    let partner_name = stored
        .as_ref()
        .map(|p| L::new(&p.partner.name, lang).text)
        .unwrap_or_else(|| partner.to_owned());
    let services: Vec<String> = all
        .iter()
        .filter(|s| {
            matches!(
                s.state,
                SubState::Approved | SubState::Active | SubState::Suspended
            )
        })
        .map(|s| s.service.clone())
        .collect();
    let contacts = super::dashboard::contact_views(
        page,
        &serde_json::json!(crate::dashboard::escalation_contacts(state, partner, &services).await?),
    )
    .into_iter()
    .map(|c| Contact {
        role: c.role,
        name: c.name.text,
        email: c.email,
        phone: c.phone,
    })
    .collect();
    Ok(HomePage {
        base: page.base(t.s("home-title"), "my-home"),
        partner: Some(partner.to_owned()),
        partner_name,
        subscriptions,
        requests,
        contacts,
        waiting: Vec::new(),
        may_subscribe: page
            .caller
            .may(Action::RequestSubscription { partner })
            .is_ok(),
    })
}

/// The requests the reader may decide on.
async fn decidable(state: &AppState, page: &Page) -> Result<Vec<Subscription>, ApiError> {
    let requested = state
        .db
        .list_subscriptions(
            Scope::All,
            &SubscriptionFilter {
                state: Some(SubState::Requested),
                ..Default::default()
            },
        )
        .await?;
    Ok(requested
        .into_iter()
        .filter(|s| {
            page.caller
                .may(Action::DecideSubscription {
                    partner: &s.partner,
                    service: &s.service,
                })
                .is_ok()
        })
        .collect())
}

async fn staff_home(state: &AppState, page: &Page) -> Result<HomePage, ApiError> {
    let t = page.t();
    let mut waiting = Vec::new();
    for s in decidable(state, page).await? {
        waiting.push(row(state, page, &s).await);
    }
    Ok(HomePage {
        base: page.base(t.s("home-title"), "my-home"),
        partner: None,
        partner_name: String::new(),
        subscriptions: Vec::new(),
        requests: Vec::new(),
        contacts: Vec::new(),
        waiting,
        may_subscribe: false,
    })
}

#[derive(Template)]
#[template(path = "admin_subscriptions.html")]
pub struct QueuePage {
    pub base: Base,
    pub rows: Vec<Row>,
    pub states: Vec<(String, String, bool)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub state: String,
}

/// `/{lang}/admin/subscriptions`: every subscription in a state (by default: waiting for
/// approval), for the provider's staff.
pub async fn queue(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<QueueQuery>,
) -> Response {
    let staff = page.caller.actor.is_staff();
    if !staff {
        return refused(&page, ApiError::forbidden());
    }
    let t = page.t();
    let chosen = SubState::parse(&query.state).unwrap_or(SubState::Requested);
    let list = match state
        .db
        .list_subscriptions(
            Scope::All,
            &SubscriptionFilter {
                state: Some(chosen),
                ..Default::default()
            },
        )
        .await
    {
        Ok(l) => l,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut rows = Vec::new();
    for s in &list {
        rows.push(row(&state, &page, s).await);
    }
    let view = QueuePage {
        base: page.base(t.s("queue-title"), "admin-subscriptions"),
        rows,
        states: SubState::ALL
            .iter()
            .map(|s| (s.code().to_owned(), state_name(t, *s), *s == chosen))
            .collect(),
    };
    page_in_with(StatusCode::OK, page.lang, &view)
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// A line of a comparison between two versions.
pub struct DiffRow {
    pub what: String,
    pub now: String,
    pub then: String,
    pub changed: bool,
}

#[derive(Template)]
#[template(path = "subscription.html")]
pub struct SubscriptionPage {
    pub base: Base,
    pub csrf: String,
    pub row: Row,
    pub level_requested: String,
    pub options: Vec<L>,
    pub quantity: String,
    pub calendar: L,
    pub downtime: String,
    pub history: Vec<HistoryRow>,
    /// The decisions the reader may take now (`approve`, …).
    pub decisions: Vec<&'static str>,
    /// The other published versions it may move to.
    pub versions: Vec<i64>,
    /// The move being previewed: its version and the differences.
    pub preview: Option<(i64, Vec<DiffRow>)>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SubscriptionQuery {
    #[serde(default)]
    pub r#move: Option<i64>,
}

/// `/{lang}/subscriptions/{id}`.
pub async fn subscription(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
    Query(query): Query<SubscriptionQuery>,
) -> Response {
    subscription_page(&state, &page, &id, query.r#move, StatusCode::OK, None).await
}

async fn subscription_page(
    state: &AppState,
    page: &Page,
    id: &str,
    preview: Option<i64>,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    let s = match flow::readable(state, &page.caller, id).await {
        Ok(s) => s,
        Err(e) => return refused(page, e),
    };
    match build_page(state, page, &s, preview, error).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => e.into_response(),
    }
}

async fn build_page(
    state: &AppState,
    page: &Page,
    s: &Subscription,
    preview: Option<i64>,
    error: Option<String>,
) -> Result<SubscriptionPage, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let row = row(state, page, s).await;
    let q = quote_of(state, s).await;
    let service = state.service_version(&s.service, s.service_version).await?;
    let history = state
        .db
        .subscription_history(&s.id)
        .await?
        .into_iter()
        .map(|h| HistoryRow {
            at: flow::instant(h.at),
            actor: h.actor,
            action: t
                .try_s(&format!("sub-action-{}", h.action))
                .unwrap_or(h.action),
            from: h.from.map(|f| state_name(t, f)).unwrap_or_default(),
            to: state_name(t, h.to),
            reason: match (h.from_version, h.to_version) {
                (Some(a), Some(b)) => format!(
                    "{} {a} → {b}{}",
                    t.s("sub-version"),
                    h.reason.map(|r| format!(" — {r}")).unwrap_or_default()
                ),
                _ => h.reason.unwrap_or_default(),
            },
        })
        .collect();
    let decide = |m: Move| {
        rules::next(s.state, m).is_ok()
            && page
                .caller
                .may(match m {
                    Move::Withdraw => Action::WithdrawSubscription {
                        partner: &s.partner,
                    },
                    _ => Action::DecideSubscription {
                        partner: &s.partner,
                        service: &s.service,
                    },
                })
                .is_ok()
    };
    let decisions: Vec<&'static str> = [
        Move::Approve,
        Move::Reject,
        Move::Withdraw,
        Move::Suspend,
        Move::Resume,
        Move::Terminate,
    ]
    .into_iter()
    .filter(|m| decide(*m))
    .map(Move::code)
    .collect();
    let may_move = rules::may_change_version(s.state)
        && page
            .caller
            .may(Action::DecideSubscription {
                partner: &s.partner,
                service: &s.service,
            })
            .is_ok();
    let versions = if may_move {
        state
            .db
            .service_versions(&s.service)
            .await?
            .into_iter()
            .map(|v| v.version)
            .filter(|v| *v != s.service_version)
            .collect()
    } else {
        Vec::new()
    };
    let preview = match preview.filter(|v| versions.contains(v)) {
        Some(v) => Some((v, differences(state, page, s, q.as_ref(), v).await?)),
        None => None,
    };
    Ok(SubscriptionPage {
        base: page.base(format!("{} — {}", row.service.text, row.partner), "my-home"),
        csrf: page.caller.csrf(),
        level_requested: s
            .level
            .as_deref()
            .map(|l| level_name(&page.snapshot, l, lang).text)
            .unwrap_or_else(|| t.s("quote-level-pack")),
        options: s
            .options
            .iter()
            .map(|o| {
                service
                    .as_ref()
                    .and_then(|v| v.option(o))
                    .map(|opt| L::new(&opt.name, lang))
                    .unwrap_or_else(|| L::plain(o.clone()))
            })
            .collect(),
        quantity: format::integer(s.quantity, lang),
        calendar: q
            .as_ref()
            .map(|q| super::names::calendar_name(&page.snapshot, &q.sla.support_calendar, lang))
            .unwrap_or_else(|| L::plain(String::new())),
        downtime: q
            .as_ref()
            .map(|q| format::duration(q.sla.allowed_downtime_per_month(), lang))
            .unwrap_or_default(),
        row,
        history,
        decisions,
        versions,
        preview,
        error,
    })
}

/// What a move to `version` changes: the effective level, target, support calendar and prices.
async fn differences(
    state: &AppState,
    page: &Page,
    s: &Subscription,
    now: Option<&Quote>,
    version: i64,
) -> Result<Vec<DiffRow>, ApiError> {
    let t = page.t();
    let lang = page.lang;
    let moved = Subscription {
        service_version: version,
        ..s.clone()
    };
    let then = quote_of(state, &moved).await;
    let facts = |q: Option<&Quote>| -> Vec<String> {
        match q {
            Some(q) => vec![
                level_name(&page.snapshot, &q.sla.level, lang).text,
                format::percent(&q.sla.availability_target, lang),
                super::names::calendar_name(&page.snapshot, &q.sla.support_calendar, lang).text,
                format::money(q.totals.month_cents, lang),
                format::money(q.totals.year_cents, lang),
                format::money(q.totals.one_off_cents, lang),
            ],
            None => vec![t.s("sub-not-offered"); 6],
        }
    };
    let (a, b) = (facts(now), facts(then.as_ref()));
    Ok([
        "quote-level",
        "sub-target",
        "sub-calendar",
        "sub-month",
        "sub-year",
        "sub-one-off",
    ]
    .iter()
    .zip(a.into_iter().zip(b))
    .map(|(key, (now, then))| DiffRow {
        what: t.s(key),
        changed: now != then,
        now,
        then,
    })
    .collect())
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub version: String,
}

/// `POST /{lang}/subscriptions/{id}/{decision}`: the decision, then the page again.
pub async fn decide(
    State(state): State<AppState>,
    page: Page,
    Path((_, id, decision)): Path<(String, String, String)>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let t = page.t();
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    if let Err(e) = flow::readable(&state, &page.caller, &id).await {
        return refused(&page, e);
    }
    let again = |status, error| subscription_page(&state, &page, &id, None, status, error);
    if !page.caller.csrf_ok(&form.csrf) {
        return again(StatusCode::UNPROCESSABLE_ENTITY, Some(t.s("form-expired"))).await;
    }
    let end_date = match form.end_date.trim() {
        "" => None,
        d => match rules::parse_date(d) {
            Some(d) => Some(d),
            None => {
                return again(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(t.s("sub-error-date")),
                )
                .await
            }
        },
    };
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let result = if decision == "move" {
        match form.version.trim().parse::<i64>() {
            Ok(v) => flow::move_to_version(&state, &page.caller, &id, v, reason).await,
            Err(_) => Err(ApiError::invalid_field("version", "not a number")),
        }
    } else {
        match Move::parse(&decision).filter(|m| !matches!(m, Move::Request | Move::Activate)) {
            Some(m) => {
                flow::decide(&state, &page.caller, &id, m, Decision { reason, end_date }).await
            }
            None => return page.not_found(),
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/{}/subscriptions/{id}", page.lang.code())).into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => {
            let message = problem_text(t, &e);
            again(StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await
        }
        Err(e) => e.into_response(),
    }
}

/// An API refusal in the page's language: by its code and field.
pub fn problem_text(t: Tr, e: &ApiError) -> String {
    let key = match (e.code, e.fields.keys().next().map(String::as_str)) {
        ("invalid_transition", _) => "sub-error-transition",
        ("duplicate", _) => "sub-error-duplicate",
        (_, Some("reason")) => "sub-error-reason",
        (_, Some("start_date")) => "sub-error-start",
        (_, Some("end_date")) => "sub-error-end",
        (_, Some("version")) => "sub-error-version",
        (_, Some("pack")) => "quote-error-pack",
        (_, Some("level")) => "quote-error-level",
        (_, Some("quantity")) => "quote-error-quantity",
        (_, Some(f)) if f.starts_with("options") => "quote-error-option",
        _ => "sub-error-other",
    };
    t.s(key)
}

/// The fiche's "Subscribe": a request for the reader's partner with the form's choice; then its
/// page (with htmx, by `HX-Redirect`); a refusal in the quote's place (422).
pub async fn subscribe(
    State(state): State<AppState>,
    page: Page,
    Path((_, code)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let t = page.t();
    let Some(partner) = page
        .caller
        .partner()
        .map(str::to_owned)
        .filter(|_| may_subscribe(&page))
    else {
        return refused(&page, ApiError::forbidden());
    };
    let (form, shape) = super::fiche::quote::QuoteForm::parse(&headers, &body);
    let htmx = headers.contains_key("hx-request");
    let problem = |message: String| -> Response {
        if htmx {
            let html = format!(
                "<p class=\"error\" role=\"alert\" id=\"quote-error\">{}</p>",
                super::markdown::escape(&message)
            );
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response()
        } else {
            super::fiche::page_with_problem(&page, &code, &form, message)
        }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return problem(t.s("form-expired"));
    }
    if shape.is_some() {
        return problem(t.s("quote-error-form"));
    }
    let selection = match form.selection() {
        Ok(s) => s,
        Err(e) => return problem(t.s(e.message)),
    };
    let Some(start_date) = rules::parse_date(form.start_date.trim()) else {
        return problem(t.s("sub-error-date"));
    };
    let input = flow::RequestInput {
        partner,
        service: code.clone(),
        selection,
        start_date,
        end_date: None,
    };
    match flow::request(&state, &page.caller, &input).await {
        Ok(s) => {
            let to = format!("/{}/subscriptions/{}", page.lang.code(), s.id);
            if htmx {
                let mut r = StatusCode::OK.into_response();
                if let Ok(v) = HeaderValue::from_str(&to) {
                    r.headers_mut().insert("hx-redirect", v);
                }
                r
            } else {
                Redirect::to(&to).into_response()
            }
        }
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::UNAUTHORIZED => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => problem(problem_text(t, &e)),
        Err(e) => e.into_response(),
    }
}

/// Whether the reader may subscribe its partner (a partner admin).
pub fn may_subscribe(page: &Page) -> bool {
    page.caller.partner().map(str::to_owned).is_some_and(|p| {
        page.caller
            .may(Action::RequestSubscription { partner: &p })
            .is_ok()
    })
}
