//! Subscriptions as the API, the pages and the jobs use them: a request checked against the
//! service version it is agreed on, the moves of `core`'s state machine with what each sets off
//! (a job at the start or end date, the mails of the outbox), a move to another version, and the
//! document a subscription answers with. One path for every caller, so a page and the API can
//! never decide differently.

use std::sync::Arc;

use jiff::civil::Date;
use jiff::Timestamp;
use pacta_core::access::{Action, Role};
use pacta_core::catalogue::document::{Node, Reader};
use pacta_core::catalogue::rules::Selection;
use pacta_core::catalogue::{Lifecycle, Service};
use pacta_core::sla::instant::format_instant;
use pacta_core::subscription::{self as rules, Move, State};
use pacta_store::accounts::UserFilter;
use pacta_store::jobs::NewJob;
use pacta_store::subscriptions::{Effects, HistoryEntry, NewSubscription, Step, Subscription};
use pacta_store::{Scope, Stamp, StoreError};
use serde_json::{json, Value};

use crate::api::catalogue::quote_doc;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::notify;
use crate::snapshot::LangChoice;
use crate::state::AppState;

/// The job that activates a subscription at its start date.
pub const ACTIVATE_JOB: &str = "subscription.activate";
/// The job that terminates a subscription after its last day.
pub const TERMINATE_JOB: &str = "subscription.terminate";

/// A request as read from JSON or a form, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInput {
    pub partner: String,
    pub service: String,
    pub selection: Selection,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

/// Reads `{"partner", "service", "pack", "level"?, "options", "quantity", "start_date",
/// "end_date"?}`, every problem under its field.
pub fn read_request(
    doc: &Node,
) -> Result<RequestInput, Vec<pacta_core::catalogue::document::Issue>> {
    let mut r = Reader::new();
    let Some(mut m) = r.map(doc, "") else {
        return Err(r.issues);
    };
    let partner = m.req_string(&mut r, "partner");
    let service = m.req_string(&mut r, "service");
    let selection = crate::api::catalogue::read_selection_fields(&mut r, &mut m);
    let start = m.req_string(&mut r, "start_date");
    let end = m.opt_string(&mut r, "end_date");
    m.finish(&mut r);
    let start_date = start.and_then(|s| date_field(&mut r, &s, "start_date"));
    let end_date = match end {
        Some(e) => date_field(&mut r, &e, "end_date").map(Some),
        None => Some(None),
    };
    match (partner, service, selection, start_date, end_date) {
        (Some(partner), Some(service), Some(selection), Some(start_date), Some(end_date))
            if r.ok() =>
        {
            Ok(RequestInput {
                partner,
                service,
                selection,
                start_date,
                end_date,
            })
        }
        _ => Err(r.issues),
    }
}

fn date_field(r: &mut Reader, text: &str, path: &str) -> Option<Date> {
    let date = rules::parse_date(text);
    if date.is_none() {
        r.issues.push(pacta_core::catalogue::document::Issue {
            pos: None,
            path: path.to_owned(),
            message: format!("`{text}` is not a date: expected YYYY-MM-DD"),
        });
    }
    date
}

/// A date given to a move (`end_date` of a termination).
pub fn parse_date_field(text: &str, field: &str) -> ApiResult<Date> {
    rules::parse_date(text).ok_or_else(|| {
        ApiError::invalid_field(
            field,
            format!("`{text}` is not a date: expected YYYY-MM-DD"),
        )
    })
}

/// The service `code` as published now, with its version: what a request is agreed on.
fn published_version(state: &AppState, code: &str) -> ApiResult<(Arc<Service>, i64)> {
    let snapshot = state.snapshot();
    let version = snapshot.stored.versions.get(code).copied().unwrap_or(0);
    match snapshot.service(code) {
        Some(s) if s.status == Lifecycle::Published && version > 0 => {
            Ok((Arc::new(s.clone()), version))
        }
        _ => Err(ApiError::invalid_field(
            "service",
            format!("no published service `{code}`"),
        )),
    }
}

/// The selection of a subscription, as its quote takes it.
pub fn selection_of(s: &Subscription) -> Selection {
    Selection {
        pack: s.pack.clone(),
        level: s.level.clone(),
        options: s.options.clone(),
        quantity: s.quantity,
    }
}

/// The effective SLA and price of a subscription: the quote of its version with its inputs.
pub async fn quote_of(state: &AppState, s: &Subscription, choice: LangChoice) -> ApiResult<Value> {
    let service = state
        .service_version(&s.service, s.service_version)
        .await?
        .ok_or_else(|| {
            ApiError::internal_message(&format!(
                "subscription {} names version {} of {}, which is not stored",
                s.id, s.service_version, s.service
            ))
        })?;
    let snapshot = state.snapshot();
    quote_doc(
        &service,
        &snapshot.stored.catalogue.levels,
        &selection_of(s),
        choice,
    )
    .map_err(|e| {
        // The levels changed under an agreed version so that it no longer quotes: said, not hidden.
        ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "unquotable",
            format!(
                "the agreed version no longer quotes: {}: {}",
                e.field, e.message
            ),
        )
    })
}

/// The effective SLA of a subscription (its agreed version, pack, level, options), or 409
/// `unquotable` when the levels changed under the agreed version so that it no longer gives one.
pub async fn effective_sla_of(
    state: &AppState,
    s: &Subscription,
) -> ApiResult<pacta_core::catalogue::rules::EffectiveSla> {
    let service = state
        .service_version(&s.service, s.service_version)
        .await?
        .ok_or_else(|| {
            ApiError::internal_message(&format!(
                "subscription {} names version {} of {}, which is not stored",
                s.id, s.service_version, s.service
            ))
        })?;
    let snapshot = state.snapshot();
    pacta_core::catalogue::rules::effective_sla(
        &service,
        &snapshot.stored.catalogue.levels,
        &selection_of(s),
    )
    .map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "unquotable",
            format!(
                "the agreed version no longer gives an SLA: {}: {}",
                e.field, e.message
            ),
        )
    })
}

/// An instant as the API writes it: `YYYY-MM-DDTHH:MM:SS±HH:MM` in Europe/Brussels.
pub fn instant(secs: i64) -> String {
    format_instant(
        Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH),
        rules::zone(),
    )
}

/// The history as the API answers it.
pub fn history_doc(history: &[HistoryEntry]) -> Value {
    Value::Array(
        history
            .iter()
            .map(|h| {
                let mut v = json!({
                    "at": instant(h.at),
                    "actor": h.actor,
                    "action": h.action,
                    "from": h.from.map(State::code),
                    "to": h.to.code(),
                    "reason": h.reason,
                });
                if let (Some(from), Some(to)) = (h.from_version, h.to_version) {
                    v["from_version"] = json!(from);
                    v["to_version"] = json!(to);
                }
                v
            })
            .collect(),
    )
}

/// The document of a subscription: its fields, its quote and its history.
pub async fn document(state: &AppState, s: &Subscription, choice: LangChoice) -> ApiResult<Value> {
    // An agreed version that no longer quotes (its levels changed under it) is said as a null
    // quote, logged, rather than failing every list the subscription is in.
    let quote = match quote_of(state, s, choice).await {
        Ok(q) => q,
        Err(e) if e.code == "unquotable" => {
            tracing::warn!(subscription = %s.id, error = %e.message, "a subscription that no longer quotes");
            Value::Null
        }
        Err(e) => return Err(e),
    };
    let history = state.db.subscription_history(&s.id).await?;
    Ok(json!({
        "id": s.id,
        "partner": s.partner,
        "service": s.service,
        "service_version": s.service_version,
        "pack": s.pack,
        "level": s.level,
        "options": s.options,
        "quantity": s.quantity,
        "start_date": s.start_date.to_string(),
        "end_date": s.end_date.map(|d| d.to_string()),
        "state": s.state.code(),
        "quote": quote,
        "history": history_doc(&history),
    }))
}

/// The subscription `id` as `caller` may read it: 404 when it does not exist or is another
/// partner's.
pub async fn readable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Subscription> {
    let missing = || ApiError::not_found(format!("no subscription `{id}`"));
    let s = state
        .db
        .subscription(Scope::All, id)
        .await?
        .ok_or_else(missing)?;
    caller
        .may(Action::ReadSubscriptions {
            partner: &s.partner,
        })
        .map_err(|e| {
            if e.status.as_u16() == 404 {
                missing()
            } else {
                e
            }
        })?;
    Ok(s)
}

/// Records a request by `caller`: checked against the published version of the service, the
/// clock and the partner's live subscriptions; the service's managers are told.
pub async fn request(
    state: &AppState,
    caller: &Caller,
    input: &RequestInput,
) -> ApiResult<Subscription> {
    caller.may(Action::RequestSubscription {
        partner: &input.partner,
    })?;
    if state
        .db
        .partner(Scope::All, &input.partner)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "no partner `{}`",
            input.partner
        )));
    }
    let (service, version) = published_version(state, &input.service)?;
    let snapshot = state.snapshot();
    pacta_core::catalogue::rules::quote(
        &service,
        &snapshot.stored.catalogue.levels,
        &input.selection,
    )
    .map_err(|e| ApiError::invalid_field(&e.field, e.message))?;
    let now = state.now();
    rules::check_request_dates(input.start_date, input.end_date, now)
        .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
    let new = NewSubscription {
        partner: input.partner.clone(),
        service: input.service.clone(),
        service_version: version,
        pack: input.selection.pack.clone(),
        level: input.selection.level.clone(),
        options: input.selection.options.clone(),
        quantity: input.selection.quantity,
        start_date: input.start_date,
        end_date: input.end_date,
    };
    let managers = service_managers(state, &input.service).await?;
    let mails = notify::subscription_mails(
        state,
        notify::Kind::Requested,
        &new_view(&new, state),
        &managers,
        None,
    );
    let stamp = caller.stamp(state);
    let created = state
        .db
        .request_subscription(
            &new,
            &Effects {
                jobs: vec![],
                mails,
            },
            stamp,
        )
        .await?;
    Ok(created)
}

fn new_view(new: &NewSubscription, state: &AppState) -> notify::Facts {
    notify::Facts {
        id: String::new(),
        partner: new.partner.clone(),
        service: new.service.clone(),
        pack: new.pack.clone(),
        start_date: new.start_date,
        end_date: new.end_date,
        public_url: state.public_url().to_owned(),
    }
}

fn facts(s: &Subscription, state: &AppState) -> notify::Facts {
    notify::Facts {
        id: s.id.clone(),
        partner: s.partner.clone(),
        service: s.service.clone(),
        pack: s.pack.clone(),
        start_date: s.start_date,
        end_date: s.end_date,
        public_url: state.public_url().to_owned(),
    }
}

/// A recipient: an address and a language.
pub type Recipient = (String, pacta_core::text::Lang);

/// The service managers of `service` (enabled), or the admins when it has none: a request never
/// goes unseen.
pub(crate) async fn service_managers(state: &AppState, service: &str) -> ApiResult<Vec<Recipient>> {
    let staff = state
        .db
        .list_users(Scope::All, &UserFilter::default())
        .await?;
    Ok(managers_among(&staff, service))
}

/// [`service_managers`] among `people` already read: for many services at once.
pub(crate) fn managers_among(people: &[pacta_core::access::User], service: &str) -> Vec<Recipient> {
    let pick = |role: Role| -> Vec<Recipient> {
        people
            .iter()
            .filter(|u| u.partner.is_none() && !u.disabled)
            .filter(|u| {
                u.roles
                    .iter()
                    .any(|g| g.role == role && (role != Role::ServiceManager || g.covers(service)))
            })
            .map(|u| (u.email.clone(), u.lang))
            .collect()
    };
    let managers = pick(Role::ServiceManager);
    if managers.is_empty() {
        pick(Role::Admin)
    } else {
        managers
    }
}

/// The partner admins of `partner` (enabled).
pub async fn partner_admins(state: &AppState, partner: &str) -> ApiResult<Vec<Recipient>> {
    let people = state
        .db
        .list_users(
            Scope::Partner(partner),
            &UserFilter {
                partner: Some(partner.to_owned()),
                role: Some(Role::PartnerAdmin),
            },
        )
        .await?;
    Ok(people
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| (u.email, u.lang))
        .collect())
}

/// What a decision asks for.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub reason: Option<String>,
    /// For `terminate`: the last day of service; absent: at once.
    pub end_date: Option<Date>,
}

fn invalid_transition(e: rules::InvalidTransition) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::CONFLICT,
        "invalid_transition",
        e.to_string(),
    )
}

/// The permission a move asks for.
fn permission<'a>(action: Move, s: &'a Subscription) -> Action<'a> {
    match action {
        Move::Withdraw => Action::WithdrawSubscription {
            partner: &s.partner,
        },
        _ => Action::DecideSubscription {
            partner: &s.partner,
            service: &s.service,
        },
    }
}

/// A decision of `caller` on subscription `id`: approve, reject, withdraw, suspend, resume or
/// terminate. An effect already due happens at once (an approval on or after the start date
/// activates; a termination without an end date, or with one already past, terminates).
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    action: Move,
    decision: Decision,
) -> ApiResult<Subscription> {
    let s = readable(state, caller, id).await?;
    caller.may(permission(action, &s))?;
    if matches!(action, Move::Request | Move::Activate) {
        return Err(ApiError::bad_request(format!(
            "`{action}` is not a decision: it happens by itself"
        )));
    }
    let reason = decision
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    // The state machine answers first (409), then a missing reason (422).
    rules::next(s.state, action).map_err(invalid_transition)?;
    if action.needs_reason() && reason.is_none() {
        return Err(ApiError::invalid_field("reason", "say why"));
    }
    let now = state.now();
    let stamp = caller.stamp(state);
    let (steps, end_date, jobs) = plan(&s, action, reason, decision.end_date, now)?;
    let mails = mails_for(state, &s, &steps).await?;
    state
        .db
        .transition_subscription(
            id,
            s.state,
            &steps,
            end_date,
            &Effects { jobs, mails },
            stamp,
        )
        .await
        .map_err(race)
}

/// A store refusal because the subscription moved meanwhile is the state machine's 409.
fn race(e: StoreError) -> ApiError {
    match e {
        StoreError::Rejected(message) => ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "invalid_transition",
            message,
        ),
        other => other.into(),
    }
}

type Plan = (Vec<Step>, Option<Option<Date>>, Vec<NewJob>);

/// The steps, end date and jobs of a decision at `now`: `core`'s rule, as the store writes it.
fn plan(
    s: &Subscription,
    action: Move,
    reason: Option<String>,
    end_date: Option<Date>,
    now: Timestamp,
) -> ApiResult<Plan> {
    let d = rules::decide(s.state, s.start_date, s.end_date, action, end_date, now).map_err(
        |e| match e {
            rules::DecideError::Transition(t) => invalid_transition(t),
            rules::DecideError::Date(d) => ApiError::invalid_field(d.field, d.message),
        },
    )?;
    // The reason goes with the decision itself (its first step).
    let steps = d
        .steps
        .iter()
        .enumerate()
        .map(|(i, (action, to))| Step {
            action,
            to: *to,
            reason: if i == 0 { reason.clone() } else { None },
        })
        .collect();
    // An approval consults the partner on the maintenance already proposed for its service.
    let approved = d.steps.iter().any(|(_, to)| *to == State::Approved);
    let jobs = [
        (ACTIVATE_JOB, d.activate_at),
        (TERMINATE_JOB, d.terminate_at),
        (crate::maintenance::CONSULT_JOB, approved.then_some(now)),
    ]
    .into_iter()
    .filter_map(|(kind, at)| at.map(|at| NewJob::new(kind, &s.id, at)))
    .collect();
    Ok((steps, d.end_date, jobs))
}

/// The mails of the states the steps reach.
async fn mails_for(
    state: &AppState,
    s: &Subscription,
    steps: &[Step],
) -> ApiResult<Vec<pacta_store::outbox::NewMail>> {
    let mut mails = Vec::new();
    let mut admins: Option<Vec<Recipient>> = None;
    for step in steps {
        let kind = match (step.action, step.to) {
            ("approve", _) => notify::Kind::Approved,
            ("reject", _) => notify::Kind::Rejected,
            ("activate", _) => notify::Kind::Activated,
            ("terminate", State::Terminated) => notify::Kind::Terminated,
            _ => continue,
        };
        if admins.is_none() {
            admins = Some(partner_admins(state, &s.partner).await?);
        }
        mails.extend(notify::subscription_mails(
            state,
            kind,
            &facts(s, state),
            admins.as_deref().unwrap_or_default(),
            step.reason.as_deref(),
        ));
    }
    Ok(mails)
}

/// Moves subscription `id` to `version` of its service: a published version it still quotes on.
pub async fn move_to_version(
    state: &AppState,
    caller: &Caller,
    id: &str,
    version: i64,
    reason: Option<String>,
) -> ApiResult<Subscription> {
    let s = readable(state, caller, id).await?;
    caller.may(Action::DecideSubscription {
        partner: &s.partner,
        service: &s.service,
    })?;
    if !rules::may_change_version(s.state) {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "invalid_transition",
            format!("cannot move a subscription that is {}", s.state),
        ));
    }
    if version == s.service_version {
        return Err(ApiError::invalid_field(
            "version",
            format!("the subscription is at version {version} already"),
        ));
    }
    let service = state
        .service_version(&s.service, version)
        .await?
        .ok_or_else(|| {
            ApiError::invalid_field(
                "version",
                format!("{} has no published version {version}", s.service),
            )
        })?;
    let snapshot = state.snapshot();
    pacta_core::catalogue::rules::quote(
        &service,
        &snapshot.stored.catalogue.levels,
        &selection_of(&s),
    )
    .map_err(|e| {
        ApiError::invalid_field(
            "version",
            format!(
                "version {version} does not offer this subscription: {}: {}",
                e.field, e.message
            ),
        )
    })?;
    let reason = reason.filter(|r| !r.trim().is_empty());
    let moved = state
        .db
        .move_subscription(
            id,
            s.service_version,
            version,
            reason.as_deref(),
            &Effects::default(),
            caller.stamp(state),
        )
        .await
        .map_err(race)?;
    // Its open tickets run on the new version's targets from now on.
    crate::tickets::request_recompute(state).await?;
    Ok(moved)
}

/// What a job did, for the logs.
pub enum JobOutcome {
    Done,
    /// Nothing to do any more (the subscription moved on, or the date changed).
    Stale(String),
}

/// The activation job: an approved subscription whose start has come becomes active.
pub async fn activate_due(
    state: &AppState,
    id: &str,
    now: Timestamp,
) -> Result<JobOutcome, StoreError> {
    let Some(s) = state.db.subscription(Scope::All, id).await? else {
        return Ok(JobOutcome::Stale(format!("no subscription {id}")));
    };
    if s.state != State::Approved || rules::activation_at(s.start_date) > now {
        return Ok(JobOutcome::Stale(format!(
            "subscription {id} is {}",
            s.state
        )));
    }
    let steps = rules::activation_moves(s.end_date, now);
    run_steps(state, &s, &steps, now).await
}

/// The termination job: an active or suspended subscription whose last day has passed ends.
pub async fn terminate_due(
    state: &AppState,
    id: &str,
    now: Timestamp,
) -> Result<JobOutcome, StoreError> {
    let Some(s) = state.db.subscription(Scope::All, id).await? else {
        return Ok(JobOutcome::Stale(format!("no subscription {id}")));
    };
    let due = s.end_date.map(rules::termination_at);
    if !matches!(s.state, State::Active | State::Suspended) || due.is_none_or(|d| d > now) {
        return Ok(JobOutcome::Stale(format!(
            "subscription {id} is {}",
            s.state
        )));
    }
    run_steps(state, &s, &[(Move::Terminate, State::Terminated)], now).await
}

async fn run_steps(
    state: &AppState,
    s: &Subscription,
    moves: &[(Move, State)],
    now: Timestamp,
) -> Result<JobOutcome, StoreError> {
    let steps: Vec<Step> = moves
        .iter()
        .map(|(action, to)| Step {
            action: action.code(),
            to: *to,
            reason: None,
        })
        .collect();
    let mails = match mails_for(state, s, &steps).await {
        Ok(m) => m,
        Err(e) => return Err(StoreError::Rejected(e.message)),
    };
    match state
        .db
        .transition_subscription(
            &s.id,
            s.state,
            &steps,
            None,
            &Effects {
                jobs: vec![],
                mails,
            },
            Stamp::new("pacta", now),
        )
        .await
    {
        Ok(_) => Ok(JobOutcome::Done),
        Err(StoreError::Rejected(why)) => Ok(JobOutcome::Stale(why)),
        Err(e) => Err(e),
    }
}
