//! Tickets (issue 13): opening under the lines Rule, comments, status and priority, escalation by
//! hand and by the `ticket.escalate` job. What a ticket's clocks and escalations are is core's
//! [`evaluate`] on its timeline, with the targets of its subscription's effective SLA for its
//! priority — the very function `pacta sla eval`'s `ticket` op answers with.
//!
//! Each write reads the ticket at a revision, appends its entries, and stores what the rule says
//! after them (status, clock logs, the queue instant) with the job at the next instant something
//! falls due: the job runner's index is the escalation index, so no pass scans open tickets.

use jiff::Timestamp;
use pacta_core::access::{Action, Role};
use pacta_core::catalogue::rules::EffectiveSla;
use pacta_core::sla::calendar::Calendar;
use pacta_core::ticket::clocks::{
    clock_json, evaluate, ClockPhase, ClockView, Escalation, Event, Target, TicketQuery,
    TicketView, Why,
};
use pacta_core::ticket::escalation::Level;
use pacta_core::ticket::lines::{self, Opening};
use pacta_core::ticket::{
    comment_effect, qualifies_for_on_call, EntryKind, Grade, Kind, Priority, Status,
};
use pacta_store::jobs::NewJob;
use pacta_store::outbox::NewMail;
use pacta_store::tickets::{Derived, NewEntry, NewTicket, StoredTicket, TicketEntry};
use pacta_store::{Scope, StoreError};
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::notify::{compose, Letter};
use crate::state::AppState;
use crate::subscriptions::{effective_sla_of, service_managers, Recipient};
use crate::ui::i18n::Tr;

/// The job that records the escalations due and sets the next one.
pub const ESCALATE_JOB: &str = "ticket.escalate";

/// The organisation profile's contact that is ICT management's mailbox (level 3).
pub const ICT_MAILBOX_ROLE: &str = "ict-escalation";

/// A ticket's title: at most this many characters.
pub const TITLE_MAX: usize = 200;
/// A description or comment: at most 64 KiB.
pub const BODY_MAX: usize = 64 * 1024;

/// What opening a ticket asks for.
#[derive(Debug, Clone)]
pub struct OpenInput {
    pub subscription: String,
    pub kind: Kind,
    pub impact: Grade,
    pub urgency: Grade,
    pub title: String,
    pub body: String,
    pub major_incident: bool,
}

/// Everything the rule needs about a ticket beyond its timeline.
struct Terms {
    sla: EffectiveSla,
    response: (i64, Calendar, String),
    resolution: (i64, Calendar, String),
    helpdesk: Calendar,
}

fn store(e: StoreError) -> ApiError {
    e.into()
}

fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::CONFLICT,
        "invalid_transition",
        message,
    )
}

/// A store refusal because the ticket moved meanwhile: 409.
fn race(e: StoreError) -> ApiError {
    match e {
        StoreError::Rejected(m) => ApiError::new(axum::http::StatusCode::CONFLICT, "conflict", m),
        other => other.into(),
    }
}

async fn terms(
    state: &AppState,
    t_sub: &pacta_store::subscriptions::Subscription,
    priority: Priority,
) -> ApiResult<Terms> {
    let sla = effective_sla_of(state, t_sub).await?;
    let snapshot = state.snapshot();
    let target = sla.targets.get(&priority).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "unquotable",
            format!(
                "the subscription's effective SLA has no target for {}",
                priority.code()
            ),
        )
    })?;
    let calendar = |code: &str| {
        snapshot.calendar(code).cloned().ok_or_else(|| {
            ApiError::internal_message(&format!("calendar `{code}` of the catalogue is missing"))
        })
    };
    let cal = calendar(&target.calendar)?;
    let helpdesk = calendar(snapshot.stored.catalogue.helpdesk_calendar())?;
    Ok(Terms {
        response: (target.response.0, cal.clone(), target.calendar.clone()),
        resolution: (target.resolution.0, cal, target.calendar.clone()),
        helpdesk,
        sla,
    })
}

/// The clock events of a timeline: status moves and the provider's public responses.
fn events_of(entries: &[TicketEntry]) -> Vec<Event> {
    entries
        .iter()
        .filter(|e| e.status.is_some() || e.response)
        .map(|e| Event {
            at: e.at,
            status: e.status,
            response: e.response,
        })
        .collect()
}

fn manual_escalations(entries: &[TicketEntry]) -> Vec<Timestamp> {
    entries
        .iter()
        .filter(|e| e.kind == EntryKind::Escalation && why_of(e) == Some(Why::Manual))
        .map(|e| e.at)
        .collect()
}

fn why_of(e: &TicketEntry) -> Option<Why> {
    e.data
        .as_ref()
        .and_then(|d| d["why"].as_str())
        .and_then(Why::parse)
}

fn level_of(e: &TicketEntry) -> Option<Level> {
    e.data
        .as_ref()
        .and_then(|d| d["level"].as_i64())
        .and_then(Level::from_number)
}

/// The ticket as the rule sees it at `now`, from its timeline.
fn view_of(
    t: &StoredTicket,
    terms: &Terms,
    entries: &[TicketEntry],
    now: Timestamp,
) -> ApiResult<TicketView> {
    let events = events_of(entries);
    let manual = manual_escalations(entries);
    evaluate(&TicketQuery {
        created: t.created_at,
        now: now.max(t.created_at),
        qualifies_for_on_call: qualifies_for_on_call(
            t.priority,
            &terms.sla.level,
            t.major_incident,
        ),
        response: Target {
            goal: terms.response.0,
            calendar: &terms.response.1,
        },
        resolution: Target {
            goal: terms.resolution.0,
            calendar: &terms.resolution.1,
        },
        helpdesk: &terms.helpdesk,
        thresholds: terms.sla.escalation,
        events: &events,
        manual_escalations: &manual,
    })
    .map_err(|e| ApiError::internal_message(&format!("ticket {}: {e}", t.reference)))
}

/// The row's derived columns after `view`; a stopped clock keeps the verdict it had when it
/// stopped (a later change of goal never shifts past compliance).
fn derived(
    t: &StoredTicket,
    view: &TicketView,
    terms: &Terms,
    priority: Priority,
    major: bool,
) -> Derived {
    let keep = |which: &str, c: &ClockView, cal: &Calendar| -> Value {
        let before = &t.clocks[which];
        let mut doc = clock_json(c, cal);
        if c.state == ClockPhase::Stopped
            && before["view"]["state"] == "stopped"
            && before["view"]["stopped_at"] == doc["stopped_at"]
        {
            doc = before["view"].clone();
        }
        if let Some(b) = before["view"]["original_breach"].as_str() {
            doc["original_breach"] = json!(b);
        }
        doc
    };
    let response = keep("response", &view.response, &terms.response.1);
    let resolution = keep("resolution", &view.resolution, &terms.resolution.1);
    let running_deadline =
        |c: &ClockView| (c.state == ClockPhase::Running).then_some(c.deadline.as_second());
    let queue_at = [
        running_deadline(&view.response),
        running_deadline(&view.resolution),
    ]
    .into_iter()
    .flatten()
    .min();
    Derived {
        status: view.status,
        priority,
        major_incident: major,
        clocks: json!({
            "response": {"log": view.response_log, "view": response, "goal_seconds": terms.response.0, "calendar": terms.response.2},
            "resolution": {"log": view.resolution_log, "view": resolution, "goal_seconds": terms.resolution.0, "calendar": terms.resolution.2},
        }),
        queue_at,
    }
}

/// The jobs a ticket's view sets: escalation at the next instant due, and on-call's page.
fn escalate_job(reference: &str, view: &TicketView) -> Vec<NewJob> {
    let escalate = view
        .next_due
        .map(|due| NewJob::new(ESCALATE_JOB, reference, due));
    let page = view
        .on_call_next
        .map(|at| NewJob::new(crate::paging::PAGE_JOB, reference, at));
    escalate.into_iter().chain(page).collect()
}

/// The ticket `reference` and what the rule says of it at `now` (for the jobs).
pub async fn current_view(
    state: &AppState,
    reference: &str,
    now: Timestamp,
) -> ApiResult<Option<(StoredTicket, TicketView)>> {
    let Some(t) = state.db.ticket(Scope::All, reference).await? else {
        return Ok(None);
    };
    let s = subscription_of(state, &t).await?;
    let terms = terms(state, &s, t.priority).await?;
    let entries = state.db.ticket_entries(&t.reference).await?;
    let view = view_of(&t, &terms, &entries, now)?;
    Ok(Some((t, view)))
}

async fn subscription_of(
    state: &AppState,
    t: &StoredTicket,
) -> ApiResult<pacta_store::subscriptions::Subscription> {
    state
        .db
        .subscription(Scope::All, &t.subscription)
        .await?
        .ok_or_else(|| {
            ApiError::internal_message(&format!("ticket {}: its subscription is gone", t.reference))
        })
}

/// The ticket `reference` as `caller` may read it: 404 when missing or another partner's.
pub async fn readable(
    state: &AppState,
    caller: &Caller,
    reference: &str,
) -> ApiResult<StoredTicket> {
    let missing = || ApiError::not_found(format!("no ticket `{reference}`"));
    let t = state
        .db
        .ticket(Scope::All, reference)
        .await?
        .ok_or_else(missing)?;
    caller
        .may(Action::ReadTickets {
            partner: &t.partner,
        })
        .map_err(|e| {
            if e.status.as_u16() == 404 {
                missing()
            } else {
                e
            }
        })?;
    Ok(t)
}

/// Whether the caller reads the provider's side (internal comments, names).
fn sees_internal(caller: &Caller) -> bool {
    caller.actor.is_staff()
}

/// Opens a ticket for `caller` (the lines Rule).
pub async fn open(state: &AppState, caller: &Caller, input: &OpenInput) -> ApiResult<StoredTicket> {
    open_at(state, caller, input, state.now()).await
}

/// [`open`] at instant `at` (the demo's history).
async fn open_at(
    state: &AppState,
    caller: &Caller,
    input: &OpenInput,
    at: Timestamp,
) -> ApiResult<StoredTicket> {
    // Another partner's subscription answers exactly as one that does not exist.
    let missing = || ApiError::not_found(format!("no subscription `{}`", input.subscription));
    let s = state
        .db
        .subscription(Scope::All, &input.subscription)
        .await?
        .ok_or_else(missing)?;
    if !caller.actor.is_staff() && !caller.actor.is_of(&s.partner) {
        return Err(missing());
    }
    lines_rule(state, caller, &s).await?;
    if s.state != pacta_core::subscription::State::Active {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "subscription_not_active",
            format!(
                "subscription {} is {}: tickets are opened on active subscriptions",
                s.id, s.state
            ),
        ));
    }
    if input.major_incident && input.kind != Kind::Incident {
        return Err(ApiError::invalid_field(
            "major_incident",
            "only an incident can be a major incident",
        ));
    }
    let priority = Priority::of_new_ticket(
        input.kind,
        input.impact,
        input.urgency,
        input.major_incident,
    );
    let terms = terms(state, &s, priority).await?;
    let stamp = pacta_store::Stamp::new(&caller.name, at);
    let now = stamp.at;
    let new = NewTicket {
        partner: s.partner.clone(),
        subscription: s.id.clone(),
        service: s.service.clone(),
        kind: input.kind,
        impact: input.impact,
        urgency: input.urgency,
        priority,
        major_incident: input.major_incident,
        title: input.title.clone(),
        body: input.body.clone(),
        requester: caller.name.clone(),
    };
    let blank = StoredTicket {
        reference: String::new(),
        partner: new.partner.clone(),
        subscription: new.subscription.clone(),
        service: new.service.clone(),
        kind: new.kind,
        impact: new.impact,
        urgency: new.urgency,
        priority,
        major_incident: new.major_incident,
        status: Status::New,
        title: new.title.clone(),
        opened_by: caller.name.clone(),
        requester: caller.name.clone(),
        created_at: now,
        revision: 0,
        clocks: json!({}),
        queue_at: None,
    };
    let view = view_of(&blank, &terms, &[], now)?;
    let d = derived(&blank, &view, &terms, priority, input.major_incident);
    state
        .db
        .create_ticket(
            &new,
            |_| d,
            |reference| (escalate_job(reference, &view), Vec::new()),
            stamp,
        )
        .await
        .map_err(store)
}

/// What the lines Rule says about `caller` opening a ticket on subscription `s`.
pub async fn opening(
    state: &AppState,
    caller: &Caller,
    s: &pacta_store::subscriptions::Subscription,
) -> ApiResult<Opening> {
    let Some(partner) = state.db.partner(Scope::All, &s.partner).await? else {
        return Ok(Opening::NotVisible);
    };
    let sla = effective_sla_of(state, s).await?;
    Ok(lines::opening(
        &caller.actor,
        &s.partner,
        partner.partner.local_helpdesk,
        sla.rights.contains("central-first-line"),
    ))
}

/// The lines Rule as the API answers it: 403 `lines_rule` saying why, 404 for a partner the
/// caller does not know of.
async fn lines_rule(
    state: &AppState,
    caller: &Caller,
    s: &pacta_store::subscriptions::Subscription,
) -> ApiResult<()> {
    match opening(state, caller, s).await? {
        Opening::Allowed => Ok(()),
        Opening::NotVisible => Err(ApiError::not_found(format!("no subscription `{}`", s.id))),
        Opening::Refused(why) => Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "lines_rule",
            why.message(&s.partner),
        )),
    }
}

/// A ticket with its timeline, as `caller` reads it.
pub async fn document(state: &AppState, caller: &Caller, t: &StoredTicket) -> ApiResult<Value> {
    let s = subscription_of(state, t).await?;
    let terms = terms(state, &s, t.priority).await?;
    let entries = state.db.ticket_entries(&t.reference).await?;
    let view = view_of(t, &terms, &entries, state.now())?;
    let d = derived(t, &view, &terms, t.priority, t.major_incident);
    let internal = sees_internal(caller);
    let clock = |which: &str, c: &ClockView| {
        let mut doc = d.clocks[which]["view"].clone();
        doc["goal_seconds"] = json!(d.clocks[which]["goal_seconds"]);
        doc["calendar"] = json!(d.clocks[which]["calendar"]);
        doc["breached_by_seconds"] = json!(if doc["met"] == json!(false) {
            (c.business_seconds - c.goal_seconds).max(0)
        } else {
            0
        });
        doc
    };
    let zone = &terms.resolution.1;
    let recorded: Vec<(Level, Timestamp, Why)> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Escalation)
        .filter_map(|e| Some((level_of(e)?, e.at, why_of(e)?)))
        .collect();
    let mut escalations: Vec<Escalation> = recorded
        .iter()
        .map(|&(level, at, why)| Escalation { level, at, why })
        .collect();
    for e in &view.escalations {
        if !escalations.iter().any(|r| r.level == e.level) {
            escalations.push(*e);
        }
    }
    escalations.sort_by_key(|e| (e.at, e.level));
    let escalations: Vec<Value> = escalations
        .iter()
        .map(|e| json!({"level": e.level.number(), "to": e.level.to(), "at": zone.format(e.at), "why": e.why.code()}))
        .collect();
    let timeline: Vec<Value> = entries
        .iter()
        .filter(|e| {
            internal
                || e.public
                || e.kind == EntryKind::Status
                || e.kind == EntryKind::Escalation
                || e.kind == EntryKind::Page
        })
        .map(|e| entry_doc(e, internal, &terms.helpdesk))
        .collect();
    Ok(json!({
        "ref": t.reference,
        "partner": t.partner,
        "subscription": t.subscription,
        "service": t.service,
        "kind": t.kind.code(),
        "impact": t.impact.code(),
        "urgency": t.urgency.code(),
        "priority": t.priority.code(),
        "major_incident": t.major_incident,
        "status": view.status.code(),
        "title": t.title,
        "created_at": zone.format(t.created_at),
        "level": terms.sla.level,
        "clocks": {"response": clock("response", &view.response), "resolution": clock("resolution", &view.resolution)},
        "escalations": escalations,
        "on_call_page_at": view.on_call_page_at.map(|at| terms.helpdesk.format(at)),
        "timeline": timeline,
        "revision": t.revision,
    }))
}

fn entry_doc(e: &TicketEntry, internal: bool, cal: &Calendar) -> Value {
    let mut doc = json!({
        "at": cal.format(e.at),
        "kind": e.kind.code(),
        "public": e.public,
    });
    if let Some(s) = e.status {
        doc["status"] = json!(s.code());
    }
    if let Some(b) = &e.body {
        if internal || e.public {
            doc["body"] = json!(b);
        }
    }
    match e.kind {
        // The partner learns that on-call duty was paged, never who.
        EntryKind::Page if !internal => {}
        _ => {
            if internal || e.kind != EntryKind::Priority {
                if let Some(d) = &e.data {
                    doc["data"] = d.clone();
                }
            }
            if internal || e.public {
                doc["author"] = json!(e.author);
            }
        }
    }
    doc
}

/// A write on ticket `t` (at `at`, or now): `entries` appended at the stamp's instant, the rule re-applied, mails
/// to whom they concern.
#[allow(clippy::too_many_arguments)]
async fn write(
    state: &AppState,
    caller: &Caller,
    t: &StoredTicket,
    action: &str,
    entries: Vec<NewEntry>,
    priority: Priority,
    mails: Vec<NewMail>,
    at: Option<Timestamp>,
) -> ApiResult<StoredTicket> {
    let s = subscription_of(state, t).await?;
    let terms = terms(state, &s, priority).await?;
    let stamp = pacta_store::Stamp::new(&caller.name, at.unwrap_or_else(|| state.now()));
    let mut all = state.db.ticket_entries(&t.reference).await?;
    for e in &entries {
        all.push(TicketEntry {
            id: String::new(),
            at: e.at.unwrap_or(stamp.at),
            kind: e.kind,
            status: e.status,
            public: e.public,
            response: e.response,
            body: e.body.clone(),
            author: caller.name.clone(),
            data: e.data.clone(),
        });
    }
    let view = view_of(t, &terms, &all, stamp.at)?;
    let d = derived(t, &view, &terms, priority, t.major_incident);
    state
        .db
        .append_ticket(
            &t.reference,
            t.revision,
            action,
            &entries,
            &d,
            &escalate_job(&t.reference, &view),
            &mails,
            stamp,
        )
        .await
        .map_err(race)
}

/// A comment: public or internal. Provider staff's public comment is a response (it stops the
/// response clock); the partner's public reply to a ticket waiting for it moves it back to
/// `in_progress`. The requester is mailed on every public comment not their own.
pub async fn comment(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    body: &str,
    public: bool,
) -> ApiResult<StoredTicket> {
    let t = readable(state, caller, reference).await?;
    caller.may(Action::CommentTicket {
        partner: &t.partner,
        service: &t.service,
        internal: !public,
    })?;
    let effect = comment_effect(caller.actor.is_staff(), public, t.status);
    let mut e = NewEntry::new(EntryKind::Comment);
    e.public = public;
    e.response = effect.response;
    e.body = Some(body.to_owned());
    e.status = effect.moves_to;
    let mails = if public && caller.name != t.requester {
        requester_mail(state, &t, "ticket.comment", body).await?
    } else {
        Vec::new()
    };
    write(
        state,
        caller,
        &t,
        "comment",
        vec![e],
        t.priority,
        mails,
        None,
    )
    .await
}

/// A status move by the Rule, with an optional comment (public).
pub async fn change_status(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    to: Status,
    comment: Option<&str>,
) -> ApiResult<StoredTicket> {
    let t = readable(state, caller, reference).await?;
    caller.may(Action::ChangeTicket {
        partner: &t.partner,
        service: &t.service,
    })?;
    t.status.move_to(to).map_err(|e| conflict(e.to_string()))?;
    let mut e = NewEntry::new(EntryKind::Status);
    e.status = Some(to);
    e.public = true;
    e.body = comment.map(str::to_owned);
    e.response = comment.is_some() && caller.actor.is_staff();
    let mails = if matches!(to, Status::WaitingPartner | Status::Resolved) || comment.is_some() {
        let kind = match to {
            Status::WaitingPartner => "ticket.waiting_partner",
            Status::Resolved => "ticket.resolved",
            _ => "ticket.comment",
        };
        requester_mail(state, &t, kind, comment.unwrap_or("")).await?
    } else {
        Vec::new()
    };
    write(
        state,
        caller,
        &t,
        "status",
        vec![e],
        t.priority,
        mails,
        None,
    )
    .await
}

/// A priority change with its reason (audited; the clocks follow the new priority's targets).
pub async fn change_priority(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    priority: Priority,
    reason: &str,
) -> ApiResult<StoredTicket> {
    let t = readable(state, caller, reference).await?;
    caller.may(Action::ChangeTicket {
        partner: &t.partner,
        service: &t.service,
    })?;
    if !t.status.is_open() {
        return Err(conflict(format!(
            "ticket {} is {}: its priority no longer changes",
            t.reference, t.status
        )));
    }
    if priority == t.priority {
        return Err(conflict(format!(
            "ticket {} is {} already",
            t.reference,
            priority.code()
        )));
    }
    if !priority.allowed_for(t.kind, t.major_incident) {
        return Err(ApiError::invalid_field(
            "priority",
            if t.major_incident {
                "a major incident is P1".to_owned()
            } else {
                format!("a {} is at most P2", t.kind.code())
            },
        ));
    }
    let mut e = NewEntry::new(EntryKind::Priority);
    e.body = Some(reason.to_owned());
    e.data = Some(json!({"from": t.priority.code(), "to": priority.code(), "reason": reason}));
    write(
        state,
        caller,
        &t,
        "priority",
        vec![e],
        priority,
        Vec::new(),
        None,
    )
    .await
}

/// Escalation by hand: to the lowest level not yet reached; 409 when all are.
pub async fn escalate(
    state: &AppState,
    caller: &Caller,
    reference: &str,
    reason: &str,
) -> ApiResult<StoredTicket> {
    let t = readable(state, caller, reference).await?;
    caller.may(Action::EscalateTicket {
        partner: &t.partner,
    })?;
    if !t.status.is_open() {
        return Err(conflict(format!(
            "ticket {} is {}: there is nothing to escalate",
            t.reference, t.status
        )));
    }
    let s = subscription_of(state, &t).await?;
    let terms = terms(state, &s, t.priority).await?;
    let now = state.now();
    let entries = state.db.ticket_entries(&t.reference).await?;
    let view = view_of(&t, &terms, &entries, now)?;
    let reached: Vec<Level> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Escalation)
        .filter_map(level_of)
        .chain(view.escalations.iter().map(|e| e.level))
        .collect();
    let level = Level::ALL
        .into_iter()
        .find(|l| !reached.contains(l))
        .ok_or_else(|| {
            conflict(format!(
                "ticket {} has reached every escalation level",
                t.reference
            ))
        })?;
    // Levels the rule says fired but the job has not recorded yet go first.
    let mut new = unrecorded(&view, &entries);
    let mut e = NewEntry::new(EntryKind::Escalation);
    e.public = true;
    e.body = Some(reason.to_owned());
    e.data = Some(json!({"level": level.number(), "to": level.to(), "why": Why::Manual.code()}));
    new.push(e);
    let mut mails = Vec::new();
    for n in &new {
        if let Some(level) = n
            .data
            .as_ref()
            .and_then(|d| d["level"].as_i64())
            .and_then(Level::from_number)
        {
            mails.extend(escalation_mails(state, &t, level).await?);
        }
    }
    write(state, caller, &t, "escalate", new, t.priority, mails, None).await
}

/// The escalations the rule says fired by now that the timeline does not hold yet, as entries
/// at their instants.
fn unrecorded(view: &TicketView, entries: &[TicketEntry]) -> Vec<NewEntry> {
    view.escalations
        .iter()
        .filter(|e| e.why != Why::Manual)
        .filter(|e| {
            !entries
                .iter()
                .any(|r| r.kind == EntryKind::Escalation && level_of(r) == Some(e.level))
        })
        .map(|e| {
            let mut n = NewEntry::new(EntryKind::Escalation);
            n.public = true;
            n.at = Some(e.at);
            n.data =
                Some(json!({"level": e.level.number(), "to": e.level.to(), "why": e.why.code()}));
            n
        })
        .collect()
}

/// The `ticket.escalate` job: records what fell due by `now` and sets the next instant.
pub async fn escalate_due(
    state: &AppState,
    reference: &str,
    now: Timestamp,
) -> Result<crate::subscriptions::JobOutcome, String> {
    use crate::subscriptions::JobOutcome;
    let err = |e: ApiError| e.message;
    let Some(t) = state
        .db
        .ticket(Scope::All, reference)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(JobOutcome::Stale(format!("no ticket {reference}")));
    };
    let s = subscription_of(state, &t).await.map_err(err)?;
    let terms = terms(state, &s, t.priority).await.map_err(err)?;
    let entries = state
        .db
        .ticket_entries(&t.reference)
        .await
        .map_err(|e| e.to_string())?;
    let view = view_of(&t, &terms, &entries, now).map_err(err)?;
    let new = unrecorded(&view, &entries);
    if new.is_empty() {
        // Nothing fell due (the ticket moved, or its targets changed): the chain goes on from
        // what the rule says now.
        let jobs = escalate_job(&t.reference, &view);
        if !jobs.is_empty() {
            state
                .db
                .enqueue_jobs(&jobs, pacta_store::Stamp::new("pacta", now))
                .await
                .map_err(|e| e.to_string())?;
        }
        return Ok(JobOutcome::Stale(format!("nothing due on {reference}")));
    }
    let mut mails = Vec::new();
    for n in &new {
        if let Some(level) = n
            .data
            .as_ref()
            .and_then(|d| d["level"].as_i64())
            .and_then(Level::from_number)
        {
            mails.extend(escalation_mails(state, &t, level).await.map_err(err)?);
        }
    }
    let d = derived(&t, &view, &terms, t.priority, t.major_incident);
    let stamp = pacta_store::Stamp::new("pacta", now);
    state
        .db
        .append_ticket(
            &t.reference,
            t.revision,
            "escalate",
            &new,
            &d,
            &escalate_job(&t.reference, &view),
            &mails,
            stamp,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(JobOutcome::Done)
}

/// Who a level reaches: the service's managers; the partner's PRM; ICT management.
async fn level_recipients(
    state: &AppState,
    t: &StoredTicket,
    level: Level,
) -> ApiResult<Vec<Recipient>> {
    match level {
        Level::ServiceManager => service_managers(state, &t.service).await,
        Level::Prm => {
            let partner = state.db.partner(Scope::All, &t.partner).await?;
            let prm = partner.and_then(|p| p.partner.prm);
            let users = state
                .db
                .list_users(Scope::All, &pacta_store::accounts::UserFilter::default())
                .await?;
            Ok(users
                .into_iter()
                .filter(|u| !u.disabled && Some(&u.email) == prm.as_ref())
                .map(|u| (u.email, u.lang))
                .collect())
        }
        Level::IctManagement => {
            let users = state
                .db
                .list_users(Scope::All, &pacta_store::accounts::UserFilter::default())
                .await?;
            let mut to: Vec<Recipient> = users
                .into_iter()
                .filter(|u| {
                    !u.disabled
                        && u.partner.is_none()
                        && u.roles.iter().any(|g| g.role == Role::IctManagement)
                })
                .map(|u| (u.email, u.lang))
                .collect();
            // And the organisation profile's ICT mailbox (its `ict-escalation` contact), which
            // has no language of its own: English.
            let snapshot = state.snapshot();
            let mailboxes = snapshot
                .stored
                .catalogue
                .profile
                .iter()
                .flat_map(|p| &p.contacts)
                .filter(|c| c.role == ICT_MAILBOX_ROLE)
                .filter_map(|c| c.email.clone());
            for email in mailboxes {
                if !to.iter().any(|(e, _)| *e == email) {
                    to.push((email, pacta_core::text::Lang::En));
                }
            }
            Ok(to)
        }
    }
}

async fn escalation_mails(
    state: &AppState,
    t: &StoredTicket,
    level: Level,
) -> ApiResult<Vec<NewMail>> {
    let to = level_recipients(state, t, level).await?;
    Ok(to
        .iter()
        .map(|(address, lang)| {
            let tr = Tr(*lang);
            let args = [
                ("ref", t.reference.clone()),
                ("title", t.title.clone()),
                ("service", t.service.clone()),
            ];
            compose(
                Letter {
                    kind: "ticket.escalated",
                    subject: tr.a("mail-ticket-escalated-subject", &args),
                    paragraphs: vec![tr.a(&format!("mail-ticket-escalated-{}", level.to()), &args)],
                    link: format!(
                        "{}/{}/tickets/{}",
                        state.public_url(),
                        lang.code(),
                        t.reference
                    ),
                    partner: Some(&t.partner),
                },
                address,
                *lang,
            )
        })
        .collect())
}

/// The mail to the ticket's requester (`kind`: a comment, waiting for them, resolved).
async fn requester_mail(
    state: &AppState,
    t: &StoredTicket,
    kind: &str,
    text: &str,
) -> ApiResult<Vec<NewMail>> {
    let users = state
        .db
        .list_users(Scope::All, &pacta_store::accounts::UserFilter::default())
        .await?;
    let lang = users
        .iter()
        .find(|u| u.email == t.requester)
        .map(|u| u.lang)
        .unwrap_or(pacta_core::text::Lang::En);
    if !t.requester.contains('@') {
        return Ok(Vec::new());
    }
    let tr = Tr(lang);
    let args = [("ref", t.reference.clone()), ("title", t.title.clone())];
    let key = kind.replace(['.', '_'], "-");
    let mut paragraphs = vec![tr.a(&format!("mail-{key}-body"), &args)];
    if !text.is_empty() {
        paragraphs.push(text.to_owned());
    }
    Ok(vec![compose(
        Letter {
            kind,
            subject: tr.a(&format!("mail-{key}-subject"), &args),
            paragraphs,
            link: format!(
                "{}/{}/tickets/{}",
                state.public_url(),
                lang.code(),
                t.reference
            ),
            partner: Some(&t.partner),
        },
        &t.requester,
        lang,
    )])
}

// ------------------------------------------------------------------------------------------------
// The demo (issue 13, point 9).
// ------------------------------------------------------------------------------------------------

fn demo_caller(email: &str, actor: pacta_core::access::Actor) -> Caller {
    Caller {
        actor,
        name: email.to_owned(),
        session: None,
    }
}

/// `serve --demo`: open tickets on the demo partners' subscriptions — one breached (opened a
/// fortnight ago, never answered), one waiting for the partner (answered, then a question), one
/// P1 opened out of the helpdesk's hours — and a roster with the demo's on-call person. Nothing
/// when there are tickets already.
pub async fn load_demo_tickets(state: &AppState) -> ApiResult<usize> {
    use pacta_store::subscriptions::SubscriptionFilter;
    if !state
        .db
        .list_tickets(
            Scope::All,
            &pacta_store::tickets::TicketFilter::default(),
            1,
            0,
        )
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    let active = state
        .db
        .list_subscriptions(
            Scope::All,
            &SubscriptionFilter {
                state: Some(pacta_core::subscription::State::Active),
                ..SubscriptionFilter::default()
            },
        )
        .await?;
    let mut picked: Vec<&pacta_store::subscriptions::Subscription> = Vec::new();
    for s in &active {
        if !picked.iter().any(|p| p.partner == s.partner) {
            picked.push(s);
        }
    }
    let users = state
        .db
        .list_users(Scope::All, &pacta_store::accounts::UserFilter::default())
        .await?;
    let user = |email: &str| users.iter().find(|u| u.email == email && !u.disabled);
    let agent = match user("helpdesk-agent@provider.example") {
        Some(u) => demo_caller(&u.email, u.actor()),
        None => return Ok(0),
    };
    // Whoever opens for the partner: its local helpdesk, else the phone line.
    let opener = |partner: &str| {
        let email = format!("local-helpdesk@{}.example", partner.to_lowercase());
        match user(&email) {
            Some(u) => demo_caller(&u.email, u.actor()),
            None => agent.clone(),
        }
    };
    let now = state.now();
    let ago = |hours: i64| {
        now.checked_sub(jiff::SignedDuration::from_hours(hours))
            .unwrap_or(now)
    };
    let mut opened = 0;
    let tickets: [(&str, Kind, Grade, Grade, Timestamp); 3] = [
        (
            "Shared mailbox no longer syncs on phones",
            Kind::Incident,
            Grade::Medium,
            Grade::Medium,
            ago(14 * 24),
        ),
        (
            "Add three users to the finance calendar",
            Kind::ServiceRequest,
            Grade::Low,
            Grade::Medium,
            ago(2 * 24),
        ),
        (
            "No mail is delivered at all",
            Kind::Incident,
            Grade::High,
            Grade::High,
            last_closed_hour(state, now),
        ),
    ];
    for (i, (s, (title, kind, impact, urgency, at))) in picked.iter().zip(tickets).enumerate() {
        let caller = opener(&s.partner);
        let input = OpenInput {
            subscription: s.id.clone(),
            kind,
            impact,
            urgency,
            title: title.to_owned(),
            body: title.to_owned(),
            major_incident: false,
        };
        let t = match open_at(state, &caller, &input, at).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e.message, partner = %s.partner, "a demo ticket was not opened");
                continue;
            }
        };
        opened += 1;
        if i == 1 {
            // Answered an hour after opening, then waiting for the partner's answer.
            let answer = at
                .checked_add(jiff::SignedDuration::from_hours(1))
                .unwrap_or(at);
            let mut moved = NewEntry::new(EntryKind::Status);
            moved.status = Some(Status::InProgress);
            moved.public = true;
            moved.response = true;
            moved.body = Some("We are on it.".into());
            let t = write(
                state,
                &agent,
                &t,
                "status",
                vec![moved],
                t.priority,
                Vec::new(),
                Some(answer),
            )
            .await?;
            let later = answer
                .checked_add(jiff::SignedDuration::from_hours(1))
                .unwrap_or(answer);
            let mut wait = NewEntry::new(EntryKind::Status);
            wait.status = Some(Status::WaitingPartner);
            wait.public = true;
            wait.body =
                Some("Which of the three users should also see the payroll calendar?".into());
            write(
                state,
                &agent,
                &t,
                "status",
                vec![wait],
                t.priority,
                Vec::new(),
                Some(later),
            )
            .await?;
        }
    }
    if let Some(u) = user("on-call@provider.example") {
        let stored = state.db.oncall_roster(now).await?;
        if stored.roster.users.is_empty() {
            let roster = pacta_core::oncall::Roster {
                handover: stored.roster.handover,
                users: vec![u.email.clone()],
                overrides: Vec::new(),
            };
            state
                .db
                .put_oncall_rotation(
                    &roster,
                    stored.revision,
                    pacta_store::Stamp::new("demo", now),
                )
                .await?;
        }
    }
    Ok(opened)
}

/// The last whole hour before `now` at which the helpdesk was closed (the demo's P1 out of
/// hours).
fn last_closed_hour(state: &AppState, now: Timestamp) -> Timestamp {
    let snapshot = state.snapshot();
    let Some(helpdesk) = snapshot.calendar(snapshot.stored.catalogue.helpdesk_calendar()) else {
        return now;
    };
    let mut t = Timestamp::from_second(now.as_second() - now.as_second().rem_euclid(3600) - 3600)
        .unwrap_or(now);
    for _ in 0..24 * 14 {
        if !helpdesk.is_open(t) {
            return t;
        }
        t = t
            .checked_sub(jiff::SignedDuration::from_hours(1))
            .unwrap_or(t);
    }
    now
}

// ------------------------------------------------------------------------------------------------
// SLA compliance (issue 13, point 7).
// ------------------------------------------------------------------------------------------------

/// Met and breached clocks per partner, service and priority over `[from, to)`, by
/// [`pacta_core::ticket::clocks::counts_in`]: `{"partner", "service", "priority", "response":
/// {"met", "breached"}, "resolution": {"met", "breached"}}`, sorted.
pub async fn compliance(
    state: &AppState,
    scope: Scope<'_>,
    filter: &pacta_store::tickets::TicketFilter,
    from: Timestamp,
    to: Timestamp,
) -> ApiResult<Vec<Value>> {
    use std::collections::BTreeMap;
    let now = state.now();
    let tickets = state.db.list_tickets(scope, filter, i64::MAX, 0).await?;
    type Counts = [[u64; 2]; 2];
    let mut rows: BTreeMap<(String, String, Priority), Counts> = BTreeMap::new();
    for t in tickets.iter().filter(|t| t.created_at < to) {
        let s = subscription_of(state, t).await?;
        let terms = terms(state, &s, t.priority).await?;
        let entries = state.db.ticket_entries(&t.reference).await?;
        let view = view_of(t, &terms, &entries, now)?;
        let row = rows
            .entry((t.partner.clone(), t.service.clone(), t.priority))
            .or_default();
        for (i, c) in [&view.response, &view.resolution].into_iter().enumerate() {
            if let Some(met) = pacta_core::ticket::clocks::counts_in(c, from, to) {
                row[i][usize::from(!met)] += 1;
            }
        }
    }
    Ok(rows
        .into_iter()
        .filter(|(_, c)| c.iter().flatten().any(|n| *n > 0))
        .map(|((partner, service, priority), c)| {
            json!({
                "partner": partner, "service": service, "priority": priority.code(),
                "response": {"met": c[0][0], "breached": c[0][1]},
                "resolution": {"met": c[1][0], "breached": c[1][1]},
            })
        })
        .collect())
}

// ------------------------------------------------------------------------------------------------
// Recomputation (issue 13, point 3): the open tickets after a calendar, a level's goals or a
// subscription's terms changed, in chunks.
// ------------------------------------------------------------------------------------------------

/// The job that recomputes the open tickets; its subject is the reference the chunk starts after
/// (empty: from the first).
pub const RECOMPUTE_JOB: &str = "ticket.recompute";

/// Open tickets per chunk: one read of tickets, one of their timelines, one write.
pub const RECOMPUTE_CHUNK: i64 = 1000;

/// Asks for the open tickets to be recomputed from the first, now.
pub async fn request_recompute(state: &AppState) -> Result<(), StoreError> {
    state
        .db
        .enqueue_jobs(
            &[NewJob::new(RECOMPUTE_JOB, "", state.now())],
            state.stamp("pacta"),
        )
        .await
}

/// Chunks a `ticket.recompute` job takes before it hands over to the next job (about a second
/// of work here), so that other jobs interleave.
pub const RECOMPUTE_CHUNKS_PER_JOB: usize = 20;

/// The recomputation job, after reference `after`: up to [`RECOMPUTE_CHUNKS_PER_JOB`] chunks of
/// open tickets, each evaluated afresh on its terms now (stopped clocks keep their verdict —
/// [`derived`]), its queue instant and its escalation and paging jobs set at the new instants;
/// then the next job, where it stopped. The tickets recomputed.
pub async fn recompute_chunk(
    state: &AppState,
    after: &str,
    now: Timestamp,
) -> Result<usize, String> {
    let (n, rest) = recompute_from(state, after, now, RECOMPUTE_CHUNKS_PER_JOB).await?;
    if let Some(rest) = rest {
        state
            .db
            .enqueue_jobs(
                &[NewJob::new(RECOMPUTE_JOB, &rest, now)],
                pacta_store::Stamp::new("pacta", now),
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(n)
}

/// Every open ticket recomputed at `now`, in this process (`pacta ticket recompute`, for an
/// operator after a bulk change): the count.
pub async fn recompute_all(state: &AppState, now: Timestamp) -> Result<usize, String> {
    recompute_from(state, "", now, usize::MAX)
        .await
        .map(|(n, _)| n)
}

/// Open tickets after `after`, at most `max_chunks` chunks of them, on four workers sharing one
/// cursor (while some wait for the database, another evaluates): the count, and where the
/// tickets not reached begin, if any are left.
async fn recompute_from(
    state: &AppState,
    after: &str,
    now: Timestamp,
    max_chunks: usize,
) -> Result<(usize, Option<String>), String> {
    struct Cursor {
        next: Option<String>,
        taken: usize,
        rest: Option<String>,
    }
    let cursor = tokio::sync::Mutex::new(Cursor {
        next: Some(after.to_owned()),
        taken: 0,
        rest: None,
    });
    let worker = || async {
        let mut done = 0;
        loop {
            let chunk = {
                let mut c = cursor.lock().await;
                let Some(after) = c.next.take() else {
                    return Ok::<usize, String>(done);
                };
                if c.taken == max_chunks {
                    c.rest = Some(after);
                    return Ok(done);
                }
                c.taken += 1;
                let chunk = state
                    .db
                    .open_tickets_after(&after, RECOMPUTE_CHUNK)
                    .await
                    .map_err(|e| e.to_string())?;
                c.next = match chunk.last() {
                    Some((t, _)) if chunk.len() as i64 == RECOMPUTE_CHUNK => {
                        Some(t.reference.clone())
                    }
                    _ => None,
                };
                chunk
            };
            done += store_chunk(state, &chunk, now).await?;
        }
    };
    let (a, b, c, d) = tokio::join!(worker(), worker(), worker(), worker());
    let done = a? + b? + c? + d?;
    Ok((done, cursor.into_inner().rest))
}

/// A chunk read: each ticket evaluated at `now` and stored, with its jobs. The count.
async fn store_chunk(
    state: &AppState,
    chunk: &[(StoredTicket, Vec<TicketEntry>)],
    now: Timestamp,
) -> Result<usize, String> {
    use std::collections::HashMap;
    let fail = |e: ApiError| e.message;
    if chunk.is_empty() {
        return Ok(0);
    }
    // The terms of a subscription and priority, once per chunk.
    let mut terms_of: HashMap<(String, Priority), Terms> = HashMap::new();
    let mut subscriptions: HashMap<String, pacta_store::subscriptions::Subscription> =
        HashMap::new();
    let (mut rows, mut jobs) = (Vec::with_capacity(chunk.len()), Vec::new());
    for (t, entries) in chunk {
        let key = (t.subscription.clone(), t.priority);
        if !terms_of.contains_key(&key) {
            if !subscriptions.contains_key(&t.subscription) {
                let s = subscription_of(state, t).await.map_err(fail)?;
                subscriptions.insert(t.subscription.clone(), s);
            }
            let s = &subscriptions[&t.subscription];
            terms_of.insert(
                key.clone(),
                terms(state, s, t.priority).await.map_err(fail)?,
            );
        }
        let terms = &terms_of[&key];
        // One ticket the rule cannot read is told and left as it is: the others still move.
        let view = match view_of(t, terms, entries, now) {
            Ok(view) => view,
            Err(e) => {
                tracing::warn!(ticket = %t.reference, error = %e.message, "not recomputed");
                continue;
            }
        };
        jobs.extend(escalate_job(&t.reference, &view));
        rows.push((
            t.reference.clone(),
            t.revision,
            derived(t, &view, terms, t.priority, t.major_incident),
        ));
    }
    state
        .db
        .store_recomputed(&rows, &jobs, pacta_store::Stamp::new("pacta", now))
        .await
        .map_err(|e| e.to_string())?;
    Ok(chunk.len())
}
