//! The support desk's pages (issue 13, point 7): `/{lang}/tickets`, a partner's tickets (staff:
//! every partner's) with the form to open one where the lines Rule allows it — saying why not
//! otherwise; `/{lang}/tickets/{ref}`, one ticket with its live clocks (time left in business
//! and wall time, or breached and by how much), its escalation level and timeline, and the forms
//! of those who may act on it; `/{lang}/queue`, the agents' queue with its filters;
//! `/{lang}/compliance`, met and breached clocks per partner, service and priority.
//!
//! What a page shows is the API's own document ([`crate::tickets::document`] through the
//! handlers), so a partner's page can never show more than its API does; writes go through the
//! API's handlers, which check, store and mail.

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use jiff::Timestamp;
use pacta_core::access::Action;
use pacta_core::oncall::{may_acknowledge, PageTo};
use pacta_core::sla::instant::parse_instant;
use pacta_core::subscription::State as SubscriptionState;
use pacta_core::ticket::lines::Opening;
use pacta_core::ticket::{Grade, Kind, Priority, Status};
use pacta_store::subscriptions::SubscriptionFilter;
use pacta_store::Scope;
use serde::Deserialize;
use serde_json::{json, Value};

use super::format;
use super::forms::{answer, json_body, json_headers, problems, refused, to_login};
use super::i18n::{Tr, L};
use super::incidents::Choice;
use super::page::{page_in_with, Base, Page};
use crate::api::tickets as api;
use crate::error::ApiError;
use crate::state::AppState;

/// A page of the list and the queue.
const PAGE_SIZE: i64 = 50;

fn instant(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| parse_instant(s).ok())
}

fn when(v: &Value, page: &Page) -> String {
    instant(v)
        .map(|t| format::when(t, page.lang))
        .unwrap_or_default()
}

fn service_name(page: &Page, code: &str) -> L {
    page.snapshot
        .service(code)
        .map(|s| L::new(&s.name, page.lang))
        .unwrap_or_else(|| L::plain(code.to_owned()))
}

fn status_text(t: Tr, code: &str) -> String {
    t.s(&format!("tk-status-{code}"))
}

/// A ticket in a list: what is due next, from the clocks as last stored (a running clock's
/// deadline is the instant it breaches if it runs on, so "overdue" holds without a re-read).
pub struct TicketRow {
    pub reference: String,
    pub title: String,
    pub partner: String,
    pub service: L,
    pub priority: String,
    pub status: String,
    pub created: String,
    pub due: String,
    pub overdue: bool,
}

pub fn ticket_row(page: &Page, doc: &Value) -> TicketRow {
    let t = page.t();
    let running: Vec<Timestamp> = ["response", "resolution"]
        .iter()
        .map(|k| &doc["clocks"][k])
        .filter(|c| c["state"] == "running")
        .filter_map(|c| instant(&c["deadline"]))
        .collect();
    let paused = doc["clocks"]["resolution"]["state"] == "paused";
    let (due, overdue) = match running.iter().min() {
        Some(&d) if d <= page.now => (
            t.a(
                "tk-overdue-by",
                &[(
                    "time",
                    format::duration((page.now - d).get_seconds(), page.lang),
                )],
            ),
            true,
        ),
        Some(&d) => (format::when(d, page.lang), false),
        None if paused => (t.s("tk-clock-paused"), false),
        None => (t.s("tk-no-clock"), false),
    };
    TicketRow {
        reference: doc["ref"].as_str().unwrap_or_default().to_owned(),
        title: doc["title"].as_str().unwrap_or_default().to_owned(),
        partner: doc["partner"].as_str().unwrap_or_default().to_owned(),
        service: service_name(page, doc["service"].as_str().unwrap_or_default()),
        priority: doc["priority"].as_str().unwrap_or_default().to_owned(),
        status: status_text(t, doc["status"].as_str().unwrap_or_default()),
        created: when(&doc["created_at"], page),
        due,
        overdue,
    }
}

fn rows_of(page: &Page, list: &Value) -> Vec<TicketRow> {
    list["items"]
        .as_array()
        .map(|items| items.iter().map(|d| ticket_row(page, d)).collect())
        .unwrap_or_default()
}

// ------------------------------------------------------------------------------------------------
// The tickets and the form.
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub subscription: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub urgency: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub major_incident: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub all: Option<String>,
    #[serde(default)]
    pub offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "tickets.html")]
pub struct ListPage {
    pub base: Base,
    pub csrf: String,
    pub staff: bool,
    pub all: bool,
    pub tickets: Vec<TicketRow>,
    pub previous: Option<i64>,
    pub next: Option<i64>,
    /// The subscriptions the reader may open a ticket on; empty: no form.
    pub subscriptions: Vec<Choice>,
    /// Why the lines Rule refuses the reader (when it refuses every subscription).
    pub refusals: Vec<String>,
    pub kinds: Vec<Choice>,
    pub impacts: Vec<Choice>,
    pub urgencies: Vec<Choice>,
    pub form: OpenForm,
    pub major: bool,
    pub errors: Vec<String>,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    t: Tr,
    key: &str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|&v| Choice {
            value: code(v).to_owned(),
            label: t.s(&format!("{key}-{}", code(v))),
            selected: code(v) == selected,
        })
        .collect()
}

/// The subscriptions the reader may open tickets on, and — where the lines Rule refuses — why,
/// once per reason.
async fn openable(
    state: &AppState,
    page: &Page,
    selected: &str,
) -> Result<(Vec<Choice>, Vec<String>), ApiError> {
    let partner = page.caller.partner().map(str::to_owned);
    if partner.is_none() && !page.caller.actor.is_staff() {
        return Ok((Vec::new(), Vec::new()));
    }
    let scope = partner.as_deref().map_or(Scope::All, Scope::Partner);
    let subscriptions = state
        .db
        .list_subscriptions(
            scope,
            &SubscriptionFilter {
                state: Some(SubscriptionState::Active),
                ..SubscriptionFilter::default()
            },
        )
        .await?;
    let t = page.t();
    let (mut open, mut why) = (Vec::new(), Vec::new());
    for s in &subscriptions {
        match crate::tickets::opening(state, &page.caller, s).await? {
            Opening::Allowed => open.push(Choice {
                value: s.id.clone(),
                label: format!(
                    "{} — {} ({})",
                    s.partner,
                    service_name(page, &s.service).text,
                    s.pack
                ),
                selected: s.id == selected,
            }),
            Opening::Refused(r) => {
                let text = t.a(
                    &format!("tk-lines-{}", r.code()),
                    &[("partner", s.partner.clone())],
                );
                if !why.contains(&text) {
                    why.push(text);
                }
            }
            Opening::NotVisible => {}
        }
        // Staff who are not agents are refused alike for every partner: once is enough.
        if page.caller.actor.is_staff() && open.is_empty() && !why.is_empty() {
            break;
        }
    }
    if !open.is_empty() {
        why.clear();
    } else if why.is_empty() {
        why.push(t.s("tk-lines-no-subscription"));
    }
    Ok((open, why))
}

/// `GET /{lang}/tickets`.
pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> Response {
    list_page(&state, &page, &q, StatusCode::OK, Vec::new(), None).await
}

async fn list_page(
    state: &AppState,
    page: &Page,
    q: &ListQuery,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<OpenForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    match build_list(state, page, q, errors, form).await {
        Ok(view) => page_in_with(status, page.lang, &view),
        Err(e) => refused_or(page, e),
    }
}

fn refused_or(page: &Page, e: ApiError) -> Response {
    if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND {
        refused(page, e)
    } else {
        e.into_response()
    }
}

async fn build_list(
    state: &AppState,
    page: &Page,
    q: &ListQuery,
    errors: Vec<String>,
    form: Option<OpenForm>,
) -> Result<ListPage, ApiError> {
    let t = page.t();
    let all = q.all.is_some();
    let offset = q.offset.unwrap_or(0).max(0);
    let query = format!(
        "limit={}&offset={offset}{}",
        PAGE_SIZE + 1,
        if all { "" } else { "&open=true" }
    );
    let list = answer(
        api::list_tickets(
            State(state.clone()),
            page.caller.clone(),
            RawQuery(Some(query)),
        )
        .await,
    )
    .await?;
    let mut tickets = rows_of(page, &list);
    let more = tickets.len() as i64 > PAGE_SIZE;
    tickets.truncate(PAGE_SIZE as usize);
    let form = form.unwrap_or_else(|| OpenForm {
        kind: "incident".into(),
        impact: "medium".into(),
        urgency: "medium".into(),
        ..OpenForm::default()
    });
    let (subscriptions, refusals) = openable(state, page, &form.subscription).await?;
    Ok(ListPage {
        base: page.base(t.s("tk-title"), "tickets"),
        csrf: page.caller.csrf(),
        staff: page.caller.actor.is_staff(),
        all,
        tickets,
        previous: (offset > 0).then(|| (offset - PAGE_SIZE).max(0)),
        next: more.then_some(offset + PAGE_SIZE),
        subscriptions,
        refusals,
        kinds: choices(&Kind::ALL, Kind::code, t, "tk-kind", &form.kind),
        impacts: choices(&Grade::ALL, Grade::code, t, "tk-grade", &form.impact),
        urgencies: choices(&Grade::ALL, Grade::code, t, "tk-grade", &form.urgency),
        major: form.major_incident.is_some(),
        form,
        errors,
    })
}

/// `POST /{lang}/tickets`: opens the ticket, then its page.
pub async fn open(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<OpenForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    let again = |errors: Vec<String>, form: OpenForm| {
        let (state, page) = (&state, &page);
        async move {
            list_page(
                state,
                page,
                &ListQuery::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                Some(form),
            )
            .await
        }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return again(vec![t.s("form-expired")], form).await;
    }
    let body = json!({
        "subscription": form.subscription.trim(),
        "kind": form.kind.trim(),
        "impact": form.impact.trim(),
        "urgency": form.urgency.trim(),
        "title": form.title.trim(),
        "body": form.body.trim(),
        "major_incident": form.major_incident.is_some(),
    });
    let result = answer(
        api::open_ticket(
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
            "/{}/tickets/{}",
            page.lang.code(),
            doc["ref"].as_str().unwrap_or_default()
        ))
        .into_response(),
        // The lines Rule: the form again, saying why.
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            again(problems(t, &e), form).await
        }
        Err(e) => refused_or(&page, e),
    }
}

// ------------------------------------------------------------------------------------------------
// One ticket.
// ------------------------------------------------------------------------------------------------

/// A clock as the ticket's page shows it.
pub struct ClockView {
    pub key: &'static str,
    pub name: String,
    /// `running`, `paused`, `met` or `breached`.
    pub verdict: &'static str,
    pub verdict_text: String,
    pub goal: String,
    pub calendar: String,
    pub deadline: String,
    pub stopped_at: String,
    /// Running or paused, not breached: the business time left (and, running, the wall time).
    pub left_business: String,
    pub left_wall: String,
    /// Breached: by how much, in business and wall time.
    pub over_business: String,
    pub over_wall: String,
}

fn clock_view(page: &Page, key: &'static str, c: &Value) -> ClockView {
    let t = page.t();
    let lang = page.lang;
    let seconds = |k: &str| c[k].as_i64().unwrap_or(0);
    let state = c["state"].as_str().unwrap_or_default();
    let breached = c["met"] == json!(false);
    let verdict = match (state, breached) {
        (_, true) => "breached",
        ("stopped", false) => "met",
        ("paused", false) => "paused",
        _ => "running",
    };
    let deadline = instant(&c["deadline"]);
    let end = instant(&c["stopped_at"]).unwrap_or(page.now);
    let (mut left_business, mut left_wall, mut over_business, mut over_wall) =
        (String::new(), String::new(), String::new(), String::new());
    match verdict {
        "running" | "paused" => {
            left_business =
                format::duration(seconds("goal_seconds") - seconds("business_seconds"), lang);
            if verdict == "running" {
                if let Some(d) = deadline {
                    left_wall = format::duration((d - page.now).get_seconds(), lang);
                }
            }
        }
        "breached" => {
            over_business = format::duration(seconds("breached_by_seconds"), lang);
            if let Some(d) = deadline {
                over_wall = format::duration((end - d).get_seconds(), lang);
            }
        }
        _ => {}
    }
    ClockView {
        key,
        name: t.s(&format!("tk-clock-{key}")),
        verdict,
        verdict_text: t.s(&format!("tk-verdict-{verdict}")),
        goal: format::duration(seconds("goal_seconds"), lang),
        calendar: c["calendar"].as_str().unwrap_or_default().to_owned(),
        deadline: when(&c["deadline"], page),
        stopped_at: when(&c["stopped_at"], page),
        left_business,
        left_wall,
        over_business,
        over_wall,
    }
}

/// An entry of the timeline.
pub struct EntryView {
    pub at: String,
    pub kind: String,
    pub author: String,
    pub body: String,
    pub internal: bool,
    /// What the entry did, in words: a status moved to, a level reached, a priority changed.
    pub what: String,
}

fn entry_view(page: &Page, e: &Value) -> EntryView {
    let t = page.t();
    let kind = e["kind"].as_str().unwrap_or_default();
    let data = &e["data"];
    let what = match kind {
        "status" => status_text(t, e["status"].as_str().unwrap_or_default()),
        "escalation" => t.a(
            &format!("tk-level-{}", data["to"].as_str().unwrap_or_default()),
            &[("level", data["level"].to_string())],
        ),
        "priority" if data.is_object() => format!(
            "{} → {}: {}",
            data["from"].as_str().unwrap_or_default(),
            data["to"].as_str().unwrap_or_default(),
            data["reason"].as_str().unwrap_or_default()
        ),
        "page" if data["acknowledged"] == json!(true) => t.s("tk-page-acknowledged"),
        "page" if data["to"].as_str().and_then(PageTo::parse) == Some(PageTo::IctManagement) => {
            t.s("tk-page-ict")
        }
        "page" => match data["user"].as_str() {
            Some(user) => t.a("tk-page-person", &[("user", user.to_owned())]),
            // The partner learns that on-call duty was paged, never who.
            None => t.s("tk-page-on-call"),
        },
        _ => String::new(),
    };
    EntryView {
        at: when(&e["at"], page),
        kind: t.s(&format!("tk-entry-{kind}")),
        author: e["author"].as_str().unwrap_or_default().to_owned(),
        body: e["body"].as_str().unwrap_or_default().to_owned(),
        internal: e["public"] == json!(false) && kind == "comment",
        what,
    }
}

#[derive(Template)]
#[template(path = "ticket.html")]
pub struct TicketPage {
    pub base: Base,
    pub csrf: String,
    pub reference: String,
    pub title: String,
    pub partner: String,
    pub service: L,
    pub kind: String,
    pub impact: String,
    pub urgency: String,
    pub priority: String,
    pub major: bool,
    pub status: String,
    pub created: String,
    pub level: String,
    pub clocks: Vec<ClockView>,
    /// The highest escalation level reached, in words; empty: none.
    pub escalated: String,
    pub on_call_paged: String,
    pub timeline: Vec<EntryView>,
    pub staff: bool,
    pub may_comment: bool,
    /// The statuses the reader may move the ticket to (empty: no form).
    pub moves: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub may_escalate: bool,
    /// The pages of on-call duty the reader may acknowledge.
    pub acks: Vec<String>,
    pub errors: Vec<String>,
    /// A clock still runs: the clocks refresh themselves.
    pub live: bool,
}

/// `GET /{lang}/tickets/{ref}`.
pub async fn ticket(
    State(state): State<AppState>,
    page: Page,
    Path((_, reference)): Path<(String, String)>,
) -> Response {
    ticket_page(&state, &page, &reference, StatusCode::OK, Vec::new()).await
}

async fn ticket_page(
    state: &AppState,
    page: &Page,
    reference: &str,
    status: StatusCode,
    errors: Vec<String>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(page);
    }
    let doc = match answer(
        api::get_ticket(
            State(state.clone()),
            page.caller.clone(),
            Path(reference.to_owned()),
        )
        .await,
    )
    .await
    {
        Ok(doc) => doc,
        Err(e) => return refused_or(page, e),
    };
    let view = ticket_view(page, &doc, errors);
    page_in_with(status, page.lang, &view)
}

fn ticket_view(page: &Page, doc: &Value, errors: Vec<String>) -> TicketPage {
    let t = page.t();
    let text = |k: &str| doc[k].as_str().unwrap_or_default().to_owned();
    let (partner, service) = (text("partner"), text("service"));
    let caller = &page.caller;
    let status = Status::parse(&text("status")).unwrap_or(Status::New);
    let change = caller
        .may(Action::ChangeTicket {
            partner: &partner,
            service: &service,
        })
        .is_ok();
    let moves = if change {
        Status::ALL
            .into_iter()
            .filter(|&s| status.may_move_to(s))
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: status_text(t, s.code()),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let priority = text("priority");
    let priorities = if change && status.is_open() {
        ["P1", "P2", "P3", "P4"]
            .into_iter()
            .filter(|p| {
                Kind::parse(&text("kind")).is_some_and(|k| {
                    Priority::from_code(p)
                        .is_some_and(|p| p.allowed_for(k, doc["major_incident"] == json!(true)))
                })
            })
            .map(|p| Choice {
                value: p.to_owned(),
                label: p.to_owned(),
                selected: p == priority,
            })
            .collect()
    } else {
        Vec::new()
    };
    let escalations = doc["escalations"].as_array().cloned().unwrap_or_default();
    let escalated = escalations
        .iter()
        .max_by_key(|e| e["level"].as_i64())
        .map(|e| {
            t.a(
                &format!("tk-level-{}", e["to"].as_str().unwrap_or_default()),
                &[("level", e["level"].to_string())],
            ) + ", "
                + &when(&e["at"], page)
        })
        .unwrap_or_default();
    let timeline: Vec<Value> = doc["timeline"].as_array().cloned().unwrap_or_default();
    let clocks: Vec<ClockView> = ["response", "resolution"]
        .into_iter()
        .map(|k| clock_view(page, k, &doc["clocks"][k]))
        .collect();
    TicketPage {
        base: page.base(format!("{} {}", text("ref"), text("title")), "tickets"),
        csrf: caller.csrf(),
        reference: text("ref"),
        title: text("title"),
        service: service_name(page, &service),
        kind: t.s(&format!("tk-kind-{}", text("kind"))),
        impact: t.s(&format!("tk-grade-{}", text("impact"))),
        urgency: t.s(&format!("tk-grade-{}", text("urgency"))),
        priority,
        major: doc["major_incident"] == json!(true),
        status: status_text(t, status.code()),
        created: when(&doc["created_at"], page),
        level: text("level"),
        live: clocks.iter().any(|c| c.verdict == "running"),
        clocks,
        escalated,
        on_call_paged: instant(&doc["on_call_page_at"])
            .map(|at| t.a("tk-on-call-paged", &[("at", format::when(at, page.lang))]))
            .unwrap_or_default(),
        acks: acknowledgeable(page, &timeline),
        timeline: timeline.iter().map(|e| entry_view(page, e)).collect(),
        staff: caller.actor.is_staff(),
        may_comment: caller
            .may(Action::CommentTicket {
                partner: &partner,
                service: &service,
                internal: false,
            })
            .is_ok(),
        moves,
        priorities,
        may_escalate: status.is_open()
            && escalations.len() < 3
            && caller
                .may(Action::EscalateTicket { partner: &partner })
                .is_ok(),
        partner,
        errors,
    }
}

/// The pages of on-call duty on this ticket that the reader may still acknowledge: addressed to
/// it, or — for ICT management's users — to ICT management.
fn acknowledgeable(page: &Page, timeline: &[Value]) -> Vec<String> {
    let pages = timeline.iter().filter(|e| e["kind"] == "page");
    // One acknowledgement stops the chain: nothing is left to acknowledge after it.
    if pages
        .clone()
        .any(|e| e["data"]["acknowledged"] == json!(true))
    {
        return Vec::new();
    }
    pages
        .filter(|e| {
            e["data"]["to"]
                .as_str()
                .and_then(PageTo::parse)
                .is_some_and(|to| {
                    may_acknowledge(&page.caller.actor, to, e["data"]["user"].as_str())
                })
        })
        .filter_map(|e| e["data"]["page"].as_str().map(str::to_owned))
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub internal: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub reason: String,
}

/// `POST /{lang}/tickets/{ref}/{what}`: `comment`, `status`, `priority` or `escalate`; then
/// the ticket.
pub async fn act(
    State(state): State<AppState>,
    page: Page,
    Path((_, reference, what)): Path<(String, String, String)>,
    Form(form): Form<ActForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    let back = |status, errors| {
        let (state, page, reference) = (&state, &page, &reference);
        async move { ticket_page(state, page, reference, status, errors).await }
    };
    if !page.caller.csrf_ok(&form.csrf) {
        return back(StatusCode::UNPROCESSABLE_ENTITY, vec![t.s("form-expired")]).await;
    }
    let optional = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    let (state2, caller, path) = (
        State(state.clone()),
        page.caller.clone(),
        Path(reference.clone()),
    );
    let result = match what.as_str() {
        "comment" => {
            let body = json!({"body": form.body.trim(), "public": form.internal.is_none()});
            api::comment_ticket(state2, caller, path, json_headers(None), json_body(&body)).await
        }
        "status" => {
            let mut body = json!({"status": form.status.trim()});
            if let Some(c) = optional(&form.comment) {
                body["comment"] = json!(c);
            }
            api::ticket_status(state2, caller, path, json_headers(None), json_body(&body)).await
        }
        "priority" => {
            let body = json!({"priority": form.priority.trim(), "reason": form.reason.trim()});
            api::ticket_priority(state2, caller, path, json_headers(None), json_body(&body)).await
        }
        "escalate" => {
            let body = json!({"reason": form.reason.trim()});
            api::escalate_ticket(state2, caller, path, json_headers(None), json_body(&body)).await
        }
        _ => return page.not_found(),
    };
    match answer(result).await {
        Ok(_) => {
            Redirect::to(&format!("/{}/tickets/{reference}", page.lang.code())).into_response()
        }
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            refused(&page, e)
        }
        Err(e) if e.status.is_client_error() => {
            back(StatusCode::UNPROCESSABLE_ENTITY, problems(t, &e)).await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AckForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub ticket: String,
}

/// `POST /{lang}/oncall/pages/{id}/ack`: the acknowledgement from the ticket's page (where the
/// page's mail links to), then the ticket.
pub async fn ack(
    State(state): State<AppState>,
    page: Page,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<AckForm>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    let result = if page.caller.csrf_ok(&form.csrf) {
        answer(
            crate::api::oncall::ack_page(State(state.clone()), page.caller.clone(), Path(id)).await,
        )
        .await
    } else {
        Err(ApiError::invalid_field("csrf", t.s("form-expired")))
    };
    match result {
        Ok(doc) => Redirect::to(&format!(
            "/{}/tickets/{}",
            page.lang.code(),
            doc["ticket"].as_str().unwrap_or_default()
        ))
        .into_response(),
        // A stale form: the ticket again, saying so.
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY && !form.ticket.is_empty() => {
            ticket_page(
                &state,
                &page,
                &form.ticket,
                StatusCode::UNPROCESSABLE_ENTITY,
                problems(t, &e),
            )
            .await
        }
        Err(e) => refused_or(&page, e),
    }
}

// ------------------------------------------------------------------------------------------------
// The agents' queue.
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "queue.html")]
pub struct QueuePage {
    pub base: Base,
    pub tickets: Vec<TicketRow>,
    pub partners: Vec<Choice>,
    pub services: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub statuses: Vec<Choice>,
    /// The filters as a query, for the pages' links.
    pub filters: String,
    pub previous: Option<i64>,
    pub next: Option<i64>,
    pub errors: Vec<String>,
}

fn with_blank(t: Tr, mut choices: Vec<Choice>) -> Vec<Choice> {
    let any = choices.iter().all(|c| !c.selected);
    choices.insert(
        0,
        Choice {
            value: String::new(),
            label: t.s("tk-filter-any"),
            selected: any,
        },
    );
    choices
}

async fn partner_choices(
    state: &AppState,
    page: &Page,
    selected: &str,
) -> Result<Vec<Choice>, ApiError> {
    let partners = state.db.list_partners(Scope::All).await?;
    Ok(with_blank(
        page.t(),
        partners
            .iter()
            .map(|p| Choice {
                value: p.partner.code.clone(),
                label: p.partner.code.clone(),
                selected: p.partner.code == selected,
            })
            .collect(),
    ))
}

fn service_choices(page: &Page, selected: &str) -> Vec<Choice> {
    let snapshot = &page.snapshot;
    with_blank(
        page.t(),
        snapshot
            .order
            .iter()
            .map(|&i| &snapshot.stored.catalogue.services[i])
            .map(|s| Choice {
                value: s.code.clone(),
                label: format!("{} ({})", L::new(&s.name, page.lang).text, s.code),
                selected: s.code == selected,
            })
            .collect(),
    )
}

fn priority_choices(page: &Page, selected: &str) -> Vec<Choice> {
    with_blank(
        page.t(),
        ["P1", "P2", "P3", "P4"]
            .into_iter()
            .map(|p| Choice {
                value: p.into(),
                label: p.into(),
                selected: p == selected,
            })
            .collect(),
    )
}

/// A query string of the non-empty filters, in a stable order.
fn query_of(pairs: &[(&str, &str)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (*k, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// `GET /{lang}/queue`.
pub async fn queue(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<QueueQuery>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    if let Err(e) = page.caller.may(Action::ReadQueue) {
        return refused(&page, e);
    }
    let t = page.t();
    let filters = query_of(&[
        ("partner", &q.partner),
        ("service", &q.service),
        ("priority", &q.priority),
        ("status", &q.status),
    ]);
    let offset = q.offset.unwrap_or(0).max(0);
    let api_query = format!("{filters}&limit={}&offset={offset}", PAGE_SIZE + 1);
    let (mut tickets, mut errors, mut more) = (Vec::new(), Vec::new(), false);
    match answer(
        api::queue(
            State(state.clone()),
            page.caller.clone(),
            RawQuery(Some(api_query)),
        )
        .await,
    )
    .await
    {
        Ok(list) => {
            tickets = rows_of(&page, &list);
            more = tickets.len() as i64 > PAGE_SIZE;
            tickets.truncate(PAGE_SIZE as usize);
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => errors = problems(t, &e),
        Err(e) => return refused_or(&page, e),
    }
    let partners = match partner_choices(&state, &page, &q.partner).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let statuses = with_blank(
        t,
        Status::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| Choice {
                value: s.code().into(),
                label: status_text(t, s.code()),
                selected: s.code() == q.status,
            })
            .collect(),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = QueuePage {
        base: page.base(t.s("tk-queue-title"), "queue"),
        tickets,
        partners,
        services: service_choices(&page, &q.service),
        priorities: priority_choices(&page, &q.priority),
        statuses,
        filters,
        previous: (offset > 0).then(|| (offset - PAGE_SIZE).max(0)),
        next: more.then_some(offset + PAGE_SIZE),
        errors,
    };
    page_in_with(status, page.lang, &view)
}

// ------------------------------------------------------------------------------------------------
// Compliance.
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ComplianceQuery {
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// Met and breached clocks of one kind, with the share met.
pub struct Counts {
    pub met: u64,
    pub breached: u64,
    pub share: String,
}

pub struct ComplianceRow {
    pub partner: String,
    pub service: L,
    pub priority: String,
    pub response: Counts,
    pub resolution: Counts,
}

#[derive(Template)]
#[template(path = "compliance.html")]
pub struct CompliancePage {
    pub base: Base,
    pub staff: bool,
    pub partners: Vec<Choice>,
    pub services: Vec<Choice>,
    pub priorities: Vec<Choice>,
    pub from: String,
    pub to: String,
    pub period: String,
    pub rows: Vec<ComplianceRow>,
    pub errors: Vec<String>,
}

fn counts(page: &Page, v: &Value) -> Counts {
    let (met, breached) = (
        v["met"].as_u64().unwrap_or(0),
        v["breached"].as_u64().unwrap_or(0),
    );
    // Floored to one decimal: 99.95 % met is not "100 %".
    let share = match (met * 1000).checked_div(met + breached) {
        None => "—".to_owned(),
        Some(tenths) => {
            let text = format!("{}.{}", tenths / 10, tenths % 10);
            match page.lang {
                pacta_core::text::Lang::En => format!("{text}%"),
                _ => format!("{}\u{a0}%", text.replace('.', ",")),
            }
        }
    };
    Counts {
        met,
        breached,
        share,
    }
}

/// `GET /{lang}/compliance`.
pub async fn compliance(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ComplianceQuery>,
) -> Response {
    if !page.caller.is_signed_in() {
        return to_login(&page);
    }
    let t = page.t();
    let staff = page.caller.actor.is_staff();
    if !staff && page.caller.partner().map(str::to_owned).is_none() {
        return refused(&page, ApiError::forbidden());
    }
    let query = query_of(&[
        ("partner", &q.partner),
        ("service", &q.service),
        ("priority", &q.priority),
        ("from", &q.from),
        ("to", &q.to),
    ]);
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    let (mut from, mut to) = (q.from.clone(), q.to.clone());
    match answer(
        api::compliance(
            State(state.clone()),
            page.caller.clone(),
            RawQuery(Some(query)),
        )
        .await,
    )
    .await
    {
        Ok(doc) => {
            from = doc["from"].as_str().unwrap_or_default().to_owned();
            to = doc["to"].as_str().unwrap_or_default().to_owned();
            rows = doc["rows"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| ComplianceRow {
                            partner: r["partner"].as_str().unwrap_or_default().to_owned(),
                            service: service_name(&page, r["service"].as_str().unwrap_or_default()),
                            priority: r["priority"].as_str().unwrap_or_default().to_owned(),
                            response: counts(&page, &r["response"]),
                            resolution: counts(&page, &r["resolution"]),
                        })
                        .collect()
                })
                .unwrap_or_default();
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => errors = problems(t, &e),
        Err(e) => return refused_or(&page, e),
    }
    let partners = if staff {
        match partner_choices(&state, &page, &q.partner).await {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        }
    } else {
        Vec::new()
    };
    let period = match (
        from.parse::<jiff::civil::Date>(),
        to.parse::<jiff::civil::Date>(),
    ) {
        (Ok(f), Ok(t2)) => {
            let last = t2.yesterday().unwrap_or(t2);
            format!(
                "{} – {}",
                format::date(f, page.lang),
                format::date(last, page.lang)
            )
        }
        _ => String::new(),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = CompliancePage {
        base: page.base(t.s("tk-compliance-title"), "compliance"),
        staff,
        partners,
        services: service_choices(&page, &q.service),
        priorities: priority_choices(&page, &q.priority),
        from,
        to,
        period,
        rows,
        errors,
    };
    page_in_with(status, page.lang, &view)
}
