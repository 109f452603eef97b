//! A subscription's availability (issue 10): the figures of a month or a period, computed from
//! the stored outage histories of its counting monitors, the service's incidents and its
//! lifecycle through `pacta_core::sla::agreement` — the `statement` rule — and the monthly
//! statements the job runner writes when a month closes (`statements.close`, at 01:00 in
//! Europe/Brussels on the 1st), write-once, with the fingerprint of their inputs.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use pacta_core::sla::agreement::{
    budget_left_so_far, burn_rate, close_at, month_of, next_month, previous_month,
    subscription_statement, SubscriptionStatement,
};
use pacta_core::sla::availability::Target;
use pacta_core::sla::outages::Outages;
use pacta_core::sla::statement::{month_period, Incident, IncidentKind, MaintenanceWindow};
use pacta_core::sla::Interval;
use pacta_core::subscription::State;
use pacta_store::jobs::NewJob;
use pacta_store::monitors::{MonitorFilter, StoredMonitor};
use pacta_store::statements::{NewStatement, StoredStatement};
use pacta_store::subscriptions::{Subscription, SubscriptionFilter};
use pacta_store::{Scope, Stamp};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::subscriptions::{instant, JobOutcome};

/// The job that closes a month; its subject is the month (`YYYY-MM`).
pub const CLOSE_JOB: &str = "statements.close";

/// What the figures of many subscriptions read once: the monitors, each monitor's answer over a
/// period, each service's incidents, each agreement's target.
#[derive(Default)]
pub struct Inputs {
    monitors: Option<Vec<StoredMonitor>>,
    windows: HashMap<(i64, i64, i64), Outages>,
    incidents: HashMap<(String, i64, i64), Vec<Incident>>,
    targets: HashMap<String, Target>,
    /// The maintenance windows of a service, every consultation included.
    maintenance: HashMap<String, Vec<pacta_store::maintenance::StoredWindow>>,
}

impl Inputs {
    /// The maintenance windows of `service`, known without a read (read for many at once).
    pub fn know_maintenance(
        &mut self,
        service: &str,
        windows: Vec<pacta_store::maintenance::StoredWindow>,
    ) {
        self.maintenance.insert(service.to_owned(), windows);
    }

    /// The maintenance windows of `service` read so far (by [`maintenance_of`]).
    pub fn maintenance_windows(&self, service: &str) -> &[pacta_store::maintenance::StoredWindow] {
        self.maintenance.get(service).map_or(&[], Vec::as_slice)
    }

    /// Monitor `seq`'s answer over `[lo, hi)`, known without a read (cut from a longer
    /// history the caller read once).
    pub fn know_window(&mut self, seq: i64, lo: i64, hi: i64, answer: Outages) {
        self.windows.insert((seq, lo, hi), answer);
    }

    /// The `down` incidents of `service` that meet `[lo, hi)`, known without a read: each
    /// `(start, end)` of those given that meet it, as the store would answer them.
    pub fn know_down_incidents(
        &mut self,
        service: &str,
        lo: i64,
        hi: i64,
        down: &[(Timestamp, Option<Timestamp>)],
    ) {
        let meeting = down
            .iter()
            .filter(|(start, end)| start.as_second() < hi && end.is_none_or(|e| e.as_second() > lo))
            .map(|&(start, end)| Incident {
                start,
                end,
                kind: IncidentKind::Down,
            })
            .collect();
        self.incidents.insert((service.to_owned(), lo, hi), meeting);
    }
}

/// The occurrences of the service's maintenance that meet `period`, each with `s`'s partner's
/// consent at `now` (issue 12, point 4): through the consultation of the occurrence's round,
/// by the `consent` op. A window the partner was not consulted on does not appear: it is
/// agreed time.
pub async fn maintenance_of(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
    period: Interval,
) -> ApiResult<
    Vec<(
        String,
        pacta_core::maintenance::Occurrence,
        pacta_core::sla::consent::Consent,
    )>,
> {
    let key = s.service.clone();
    if !inputs.maintenance.contains_key(&key) {
        let windows = state
            .db
            .list_maintenance(
                Scope::All,
                &pacta_store::maintenance::MaintenanceFilter {
                    service: Some(s.service.clone()),
                    partner: None,
                },
            )
            .await?;
        inputs.maintenance.insert(key.clone(), windows);
    }
    let now = state.now();
    let mut out = Vec::new();
    for w in &inputs.maintenance[&key] {
        for o in &w.occurrences {
            let occurrence = o.occurrence;
            if occurrence.end <= period.start || occurrence.start >= period.end {
                continue;
            }
            let Some(c) = w.consultation(&s.partner, o.round) else {
                continue;
            };
            let decided =
                pacta_core::maintenance::consultation::consents(&[occurrence], &c.rule(), now)
                    .map_err(|e| ApiError::internal_message(&e.to_string()))?;
            out.push((w.id.clone(), occurrence, decided[0].consent));
        }
    }
    out.sort_by_key(|(id, o, _)| (o.start, id.clone()));
    Ok(out)
}

/// The windows of [`maintenance_of`] as the rule reads them: each occurrence with the consent.
pub fn rule_windows(
    maintenance: &[(
        String,
        pacta_core::maintenance::Occurrence,
        pacta_core::sla::consent::Consent,
    )],
) -> Vec<MaintenanceWindow> {
    maintenance
        .iter()
        .map(|&(_, o, consent)| MaintenanceWindow {
            window: Interval {
                start: o.start,
                end: o.end,
            },
            consent,
        })
        .collect()
}

/// A subscription's figures over a period.
pub struct Figures {
    /// The statement object, as stored and answered (without `provisional`).
    pub doc: Value,
    pub fingerprint: String,
    pub figures: SubscriptionStatement,
}

/// The target of the subscription's effective SLA (its agreed version, pack, level, options).
pub async fn target_of(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
) -> ApiResult<Target> {
    let key = format!(
        "{}@{}:{}:{:?}:{:?}",
        s.service, s.service_version, s.pack, s.level, s.options
    );
    if let Some(t) = inputs.targets.get(&key) {
        return Ok(*t);
    }
    let sla = crate::subscriptions::effective_sla_of(state, s).await?;
    inputs.targets.insert(key, sla.availability_target);
    Ok(sla.availability_target)
}

/// The counting monitors of `s`: the service's and its own that count for availability.
pub async fn counting_monitors(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
) -> ApiResult<Vec<StoredMonitor>> {
    Ok(all_monitors(state, inputs)
        .await?
        .iter()
        .filter(|m| counts_for(m, s))
        .cloned()
        .collect())
}

/// The numbers (`seq`) of [`counting_monitors`], without copying the monitors.
pub async fn counting_seqs(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
) -> ApiResult<Vec<i64>> {
    Ok(all_monitors(state, inputs)
        .await?
        .iter()
        .filter(|m| counts_for(m, s))
        .map(|m| m.seq)
        .collect())
}

async fn all_monitors<'a>(
    state: &AppState,
    inputs: &'a mut Inputs,
) -> ApiResult<&'a [StoredMonitor]> {
    if inputs.monitors.is_none() {
        inputs.monitors = Some(
            state
                .db
                .list_monitors(Scope::All, &MonitorFilter::default())
                .await?,
        );
    }
    Ok(inputs.monitors.as_deref().unwrap_or_default())
}

fn counts_for(m: &StoredMonitor, s: &Subscription) -> bool {
    m.service == s.service
        && m.monitor.counts_for_availability
        && m.monitor
            .subscription
            .as_deref()
            .is_none_or(|id| id == s.id)
}

/// The figures of `s` (with its lifecycle `history`) over `period`; `month` names it when it is
/// a month.
pub async fn figures(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
    history: &[(i64, State)],
    period: Interval,
    month: Option<&str>,
) -> ApiResult<Figures> {
    let (lo, hi) = (period.start.as_second(), period.end.as_second());
    let target = target_of(state, inputs, s).await?;
    let monitors = counting_monitors(state, inputs, s).await?;
    let mut answers = Vec::with_capacity(monitors.len());
    let mut fingerprint_monitors = Vec::with_capacity(monitors.len());
    for m in &monitors {
        let key = (m.seq, lo, hi);
        if let std::collections::hash_map::Entry::Vacant(slot) = inputs.windows.entry(key) {
            let answer = if lo < hi {
                state
                    .db
                    .monitor_history(m.seq, lo, hi)
                    .await?
                    .window(period.start, period.end)
            } else {
                Outages {
                    outages: vec![],
                    unmonitored: vec![],
                    down_at_end: false,
                }
            };
            slot.insert(answer);
        }
        let answer = inputs.windows[&key].clone();
        fingerprint_monitors.push(json!({"monitor": m.monitor.code, "answer": answer.to_json()}));
        answers.push(answer);
    }
    let incident_key = (s.service.clone(), lo, hi);
    if !inputs.incidents.contains_key(&incident_key) {
        let down = state
            .db
            .down_incidents(&s.service, period.start, period.end)
            .await?
            .into_iter()
            .map(|(start, end)| Incident {
                start,
                end,
                kind: IncidentKind::Down,
            })
            .collect();
        inputs.incidents.insert(incident_key.clone(), down);
    }
    let maintenance = maintenance_of(state, inputs, s, period).await?;
    let windows = rule_windows(&maintenance);
    let incidents = &inputs.incidents[&incident_key];
    let figures = subscription_statement(period, history, &target, &answers, incidents, &windows)
        .map_err(|e| ApiError::internal_message(&e.to_string()))?;
    let inputs_doc = json!({
        "period": [lo, hi],
        "lifecycle": history.iter().map(|(at, st)| json!([at, st.code()])).collect::<Vec<_>>(),
        "target": target.to_string(),
        "monitors": fingerprint_monitors,
        "incidents": incidents.iter().map(|i| json!([i.start.as_second(), i.end.map(|e| e.as_second())])).collect::<Vec<_>>(),
        "maintenance": maintenance.iter().map(|(id, o, c)| json!([id, o.start.as_second(), o.end.as_second(), c.code()])).collect::<Vec<_>>(),
    });
    let fingerprint = format!(
        "sha256:{:x}",
        Sha256::digest(inputs_doc.to_string().as_bytes())
    );
    let mut doc = json!({
        "subscription": s.id,
        "partner": s.partner,
        "service": s.service,
        "month": month,
        "from": instant(lo),
        "to": instant(hi),
        "in_service": figures.in_service.map(|p| json!({
            "start": instant(p.start.as_second()),
            "end": instant(p.end.as_second()),
        })),
        "target": target.to_string(),
    });
    let statement = serde_json::to_value(figures.statement)
        .map_err(|e| ApiError::internal_message(&e.to_string()))?;
    if let (Value::Object(d), Value::Object(st)) = (&mut doc, statement) {
        d.extend(st);
    }
    let a = &figures.statement.availability;
    doc["suspended_seconds"] = json!(figures.suspended_seconds);
    doc["burn_rate"] = json!(burn_rate(a.downtime_seconds, a.agreed_seconds, &target));
    doc["monitors"] = json!(monitors
        .iter()
        .map(|m| m.monitor.code.clone())
        .collect::<Vec<_>>());
    // Each window of the period and how this partner agreed to it.
    doc["maintenance"] = json!(maintenance
        .iter()
        .map(|(id, o, c)| json!({
            "window": id,
            "start": instant(o.start.as_second()),
            "end": instant(o.end.as_second()),
            "consent": c.code(),
            "excluded": c.excludes(),
        }))
        .collect::<Vec<_>>());
    doc["fingerprint"] = json!(fingerprint);
    Ok(Figures {
        doc,
        fingerprint,
        figures,
    })
}

/// The lifecycle of `s` as the rule reads it: `(at, state entered)` in order.
pub async fn lifecycle(state: &AppState, s: &Subscription) -> ApiResult<Vec<(i64, State)>> {
    Ok(state
        .db
        .subscription_history(&s.id)
        .await?
        .into_iter()
        .map(|h| (h.at, h.to))
        .collect())
}

/// A stored statement as the API answers it in a list: who wrote it, when, why, its figures.
pub fn statement_entry(s: &StoredStatement) -> Value {
    let doc: Value = serde_json::from_str(&s.doc).unwrap_or(Value::Null);
    json!({
        "month": s.month,
        "amendment": s.amendment,
        "kind": if s.amendment == 0 { "original" } else { "amendment" },
        "at": instant(s.created_at),
        "author": s.author,
        "reason": s.reason,
        "fingerprint": s.fingerprint,
        "availability_percent": doc["availability_percent"],
        "met": doc["met"],
        "downtime_seconds": doc["downtime_seconds"],
        "statement": doc,
    })
}

/// Whether `month` is closed at `now`: its statements are written, or its close instant has
/// passed (the job may not have run yet).
pub async fn is_closed(state: &AppState, month: &str) -> ApiResult<bool> {
    Ok(state.db.closed_month(month).await?.is_some())
}

/// The availability of `s` for a month (its statement when closed, live otherwise) or a period
/// (always live), as `GET /api/v1/subscriptions/{id}/availability` answers it.
pub async fn availability(
    state: &AppState,
    s: &Subscription,
    month: Option<&str>,
    period: Option<Interval>,
) -> ApiResult<Value> {
    let now = state.now();
    if let Some(month) = month {
        let whole =
            month_period(month).map_err(|e| ApiError::invalid_field("month", e.to_string()))?;
        if is_closed(state, month).await? {
            let versions = state.db.statements(Scope::All, &s.id, Some(month)).await?;
            let mut doc = match versions.last() {
                Some(latest) => serde_json::from_str(&latest.doc)
                    .map_err(|e| ApiError::internal_message(&e.to_string()))?,
                // Not in service that month: nothing was owed, and the close wrote nothing.
                None => {
                    let history = lifecycle(state, s).await?;
                    figures(
                        state,
                        &mut Inputs::default(),
                        s,
                        &history,
                        whole,
                        Some(month),
                    )
                    .await?
                    .doc
                }
            };
            doc["provisional"] = json!(false);
            doc["amendment"] = json!(versions.last().map_or(0, |v| v.amendment));
            doc["statements"] = Value::Array(versions.iter().map(statement_entry).collect());
            return Ok(doc);
        }
        if whole.start > now {
            return Err(ApiError::invalid_field(
                "month",
                format!("{month} has not begun"),
            ));
        }
        let history = lifecycle(state, s).await?;
        return month_so_far(
            state,
            &mut Inputs::default(),
            s,
            &history,
            month,
            whole,
            now,
        )
        .await;
    }
    let period = period.ok_or_else(|| {
        ApiError::invalid_field("month", "give a month (YYYY-MM), or from and to")
    })?;
    // What has not happened yet is neither up nor down: the period ends at now at the latest.
    if period.start > now {
        return Err(ApiError::invalid_field("from", "the period has not begun"));
    }
    let period = Interval {
        start: period.start,
        end: period.end.min(now),
    };
    let history = lifecycle(state, s).await?;
    let mut doc = figures(state, &mut Inputs::default(), s, &history, period, None)
        .await?
        .doc;
    doc["provisional"] = json!(true);
    Ok(doc)
}

/// The provisional statement of an open `month` (its period `whole`) so far at `now`: the
/// figures of `[start, now)` with the whole month's budget — what the availability of a month
/// and the dashboard answer alike.
pub async fn month_so_far(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
    history: &[(i64, State)],
    month: &str,
    whole: Interval,
    now: Timestamp,
) -> ApiResult<Value> {
    let so_far = Interval {
        start: whole.start,
        end: whole.end.min(now),
    };
    let done = figures(state, inputs, s, history, so_far, Some(month)).await?;
    let allowed = figures(state, inputs, s, history, whole, Some(month))
        .await?
        .figures
        .statement
        .availability
        .allowed_downtime_seconds;
    let mut doc = done.doc;
    let downtime = done.figures.statement.availability.downtime_seconds;
    doc["allowed_downtime_seconds"] = json!(allowed);
    doc["budget_left_seconds"] = json!(budget_left_so_far(allowed, downtime));
    doc["provisional"] = json!(true);
    doc["closes_at"] = json!(instant(close_at(&whole).as_second()));
    doc["statements"] = json!([]);
    Ok(doc)
}

/// Closes `month`: the statement of every subscription in service during it, written once.
/// Refused while the month is open (before its close instant). The number written now.
pub async fn close_month(state: &AppState, month: &str, stamp: Stamp<'_>) -> ApiResult<usize> {
    let whole = month_period(month).map_err(|e| ApiError::invalid_field("month", e.to_string()))?;
    let closes = close_at(&whole);
    if stamp.at < closes {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "month_open",
            format!(
                "{month} is still open: it closes at {}",
                instant(closes.as_second())
            ),
        ));
    }
    let lifecycles = state.db.subscription_lifecycles().await?;
    let subscriptions: BTreeMap<String, Subscription> = state
        .db
        .list_subscriptions(Scope::All, &SubscriptionFilter::default())
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let mut inputs = Inputs::default();
    let mut statements = Vec::new();
    let mut failed = Vec::new();
    let (lo, hi) = (whole.start.as_second(), whole.end.as_second());
    for (id, history) in &lifecycles {
        let Some(s) = subscriptions.get(id) else {
            continue;
        };
        let (in_service, _) = pacta_core::sla::agreement::service_spans(history);
        if !in_service.iter().any(|&(a, b)| a < hi && b > lo) {
            continue;
        }
        let f = match figures(state, &mut inputs, s, history, whole, Some(month)).await {
            Ok(f) => f,
            Err(e) => {
                failed.push(format!("{id}: {}", e.message));
                continue;
            }
        };
        statements.push(NewStatement {
            subscription: s.id.clone(),
            partner: s.partner.clone(),
            service: s.service.clone(),
            month: month.to_owned(),
            doc: f.doc.to_string(),
            fingerprint: f.fingerprint,
        });
    }
    if !failed.is_empty() {
        // A month is closed whole or not at all: a statement missing from a closed month would
        // be computed live ever after. The job retries; the operator sees why.
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "close_failed",
            format!(
                "{month} is not closed: {} subscription(s) cannot be computed: {}",
                failed.len(),
                failed.join("; ")
            ),
        ));
    }
    Ok(state.db.close_month(month, &statements, stamp).await?)
}

/// The `statements.close` job: closes its month and schedules the next month's close.
pub async fn close_due(
    state: &AppState,
    month: &str,
    now: Timestamp,
) -> Result<JobOutcome, String> {
    let stamp = Stamp::new("pacta", now);
    close_month(state, month, stamp)
        .await
        .map_err(|e| e.message)?;
    schedule_close(state, &next_month(month), now)
        .await
        .map_err(|e| e.message)?;
    Ok(JobOutcome::Done)
}

/// Enqueues the close of `month` at its close instant (once: a second enqueue is nothing).
pub async fn schedule_close(state: &AppState, month: &str, now: Timestamp) -> ApiResult<()> {
    let whole = month_period(month).map_err(|e| ApiError::invalid_field("month", e.to_string()))?;
    state
        .db
        .enqueue_jobs(
            &[NewJob::new(CLOSE_JOB, month, close_at(&whole))],
            Stamp::new("pacta", now),
        )
        .await?;
    Ok(())
}

/// At start: the closes of the current month and of the `back` months before it that are not
/// closed yet (a process that was down over a month's end closes it when it comes back).
pub async fn schedule_closes(state: &AppState, back: usize) -> ApiResult<()> {
    let now = state.now();
    let mut month = month_of(now);
    let mut months = vec![month.clone()];
    for _ in 0..back {
        month = previous_month(&month);
        months.push(month.clone());
    }
    for m in months {
        if state.db.closed_month(&m).await?.is_none() {
            schedule_close(state, &m, now).await?;
        }
    }
    Ok(())
}

/// Amends the statement of `s` for the closed `month`: recomputed from the data as it stands
/// now, recorded beside the original with `reason` and the author of `stamp`.
pub async fn amend(
    state: &AppState,
    s: &Subscription,
    month: &str,
    reason: &str,
    stamp: Stamp<'_>,
) -> ApiResult<StoredStatement> {
    let whole = month_period(month).map_err(|e| ApiError::invalid_field("month", e.to_string()))?;
    if reason.trim().is_empty() {
        return Err(ApiError::invalid_field(
            "reason",
            "an amendment needs a reason",
        ));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(ApiError::invalid_field(
            "reason",
            "a control character other than a tab or a line break",
        ));
    }
    if stamp.actor.trim().is_empty() {
        return Err(ApiError::invalid_field(
            "author",
            "an amendment needs an author",
        ));
    }
    if !is_closed(state, month).await? {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "month_open",
            format!("{month} is not closed: its figures are provisional, there is no statement to amend"),
        ));
    }
    let history = lifecycle(state, s).await?;
    let f = figures(
        state,
        &mut Inputs::default(),
        s,
        &history,
        whole,
        Some(month),
    )
    .await?;
    Ok(state
        .db
        .amend_statement(
            &NewStatement {
                subscription: s.id.clone(),
                partner: s.partner.clone(),
                service: s.service.clone(),
                month: month.to_owned(),
                doc: f.doc.to_string(),
                fingerprint: f.fingerprint,
            },
            reason.trim(),
            stamp,
        )
        .await?)
}

/// The job that looks, while downtime may be growing, whether an error budget reached a
/// threshold; it schedules itself again every [`BUDGET_EVERY`].
pub const BUDGET_JOB: &str = "availability.budget";
/// How often the budget job looks while an outage or a `down` incident is open.
pub const BUDGET_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);
pub use pacta_core::sla::agreement::BUDGET_THRESHOLDS;

/// Tells the partner admins and the service's managers of each subscription of `services` (all
/// of them when `None`) in service this month whose downtime so far reached (≥) 50 % or 100 % of
/// the month's allowed downtime — once per threshold, never when nothing is allowed. The number
/// of thresholds told now.
pub async fn check_budgets(
    state: &AppState,
    services: Option<&[String]>,
    now: Timestamp,
) -> ApiResult<usize> {
    // The current month; and the one before while it is not closed yet (results of its last
    // minutes may come in the hour of grace).
    let current = month_of(now);
    let previous = previous_month(&current);
    let mut months = vec![current];
    if let Ok(p) = month_period(&previous) {
        if now < close_at(&p) {
            months.push(previous);
        }
    }
    let subscriptions = state
        .db
        .list_subscriptions(Scope::All, &SubscriptionFilter::default())
        .await?;
    let mut inputs = Inputs::default();
    let mut told = 0;
    for month in &months {
        let whole = month_period(month).map_err(|e| ApiError::internal_message(&e.to_string()))?;
        let so_far = Interval {
            start: whole.start,
            end: now.min(whole.end),
        };
        for s in subscriptions
            .iter()
            .filter(|s| {
                matches!(
                    s.state,
                    State::Active | State::Suspended | State::Terminated
                )
            })
            .filter(|s| services.is_none_or(|list| list.contains(&s.service)))
        {
            told += check_budget(state, &mut inputs, s, month, whole, so_far, now).await?;
        }
    }
    Ok(told)
}

/// [`check_budgets`] for one subscription and month.
async fn check_budget(
    state: &AppState,
    inputs: &mut Inputs,
    s: &Subscription,
    month: &str,
    whole: Interval,
    so_far: Interval,
    now: Timestamp,
) -> ApiResult<usize> {
    let sent = state.db.budget_alerts(&s.id, month).await?;
    if BUDGET_THRESHOLDS.iter().all(|t| sent.contains(t)) {
        return Ok(0);
    }
    let history = lifecycle(state, s).await?;
    let (in_service, _) = pacta_core::sla::agreement::service_spans(&history);
    let (lo, hi) = (whole.start.as_second(), whole.end.as_second());
    if !in_service.iter().any(|&(a, b)| a < hi && b > lo) {
        return Ok(0);
    }
    // The month's allowed downtime is of the whole month; the downtime is what happened.
    let allowed = figures(state, inputs, s, &history, whole, Some(month))
        .await?
        .figures
        .statement
        .availability
        .allowed_downtime_seconds;
    if allowed <= 0 {
        return Ok(0);
    }
    let done = figures(state, inputs, s, &history, so_far, Some(month)).await?;
    let downtime = done.figures.statement.availability.downtime_seconds;
    let mut told = 0;
    for threshold in pacta_core::sla::agreement::budget_thresholds_reached(downtime, allowed) {
        if sent.contains(&threshold) {
            continue;
        }
        let mut recipients = crate::subscriptions::partner_admins(state, &s.partner).await?;
        recipients.extend(crate::subscriptions::service_managers(state, &s.service).await?);
        let target = done.doc["target"].as_str().unwrap_or("").to_owned();
        let mails = crate::notify::budget_mails(
            state,
            s,
            month,
            threshold,
            (downtime, allowed),
            &target,
            &recipients,
        );
        let alert = pacta_store::statements::BudgetAlert {
            subscription: s.id.clone(),
            month: month.to_owned(),
            threshold,
            downtime_seconds: downtime,
            allowed_seconds: allowed,
        };
        if state
            .db
            .record_budget_alert(&alert, &mails, Stamp::new("pacta", now))
            .await?
        {
            told += 1;
        }
    }
    Ok(told)
}

/// The subject of the budget job that looks, every [`BUDGET_EVERY`], at the services whose
/// downtime may be growing now; any other subject is one service to look at once.
const OPEN_DOWNTIME: &str = "open-downtime";

/// The `availability.budget` job: one service's budgets (after a change of its downtime), or
/// those of the services whose downtime may be growing now — then again in [`BUDGET_EVERY`]
/// while there are any.
pub async fn budget_due(
    state: &AppState,
    subject: &str,
    now: Timestamp,
) -> Result<JobOutcome, String> {
    if subject != OPEN_DOWNTIME {
        // `SERVICE#n`: one look at one service (`n` tells changes of one instant apart).
        let service = subject.split('#').next().unwrap_or(subject);
        check_budgets(state, Some(&[service.to_owned()]), now)
            .await
            .map_err(|e| e.message)?;
        return Ok(JobOutcome::Done);
    }
    let services = state
        .db
        .services_with_open_downtime()
        .await
        .map_err(|e| e.to_string())?;
    if services.is_empty() {
        // Nothing grows: the next outage or `down` incident schedules the job again.
        return Ok(JobOutcome::Done);
    }
    check_budgets(state, Some(&services), now)
        .await
        .map_err(|e| e.message)?;
    let next = now.checked_add(BUDGET_EVERY).map_err(|e| e.to_string())?;
    state
        .db
        .enqueue_jobs(
            &[NewJob::new(BUDGET_JOB, OPEN_DOWNTIME, next)],
            Stamp::new("pacta", now),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(JobOutcome::Done)
}

/// After a change of `service`'s downtime (an outage began or ended, a `down` incident was
/// declared or changed): a budget job for it, due now — the request that changed it does not
/// wait for every subscription of the service — and the periodic one while downtime may grow.
/// A failure is logged, not answered: the change itself is stored.
pub async fn downtime_changed(state: &AppState, service: &str) {
    state.live.changed();
    static CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let now = state.now();
    // A job is once per kind, subject and instant: a second change at the instant of a job that
    // has run must still be looked at.
    let n = CHANGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let job = NewJob::new(BUDGET_JOB, &format!("{service}#{n}"), now);
    if let Err(e) = state
        .db
        .enqueue_jobs(&[job], Stamp::new("pacta", now))
        .await
    {
        tracing::error!(%service, error = %e, "cannot schedule the budget check");
    }
    if let Err(e) = schedule_budget_checks(state).await {
        tracing::error!(%service, error = %e.message, "cannot schedule the budget checks");
    }
}

/// The budget job, due now, unless one is pending (it schedules itself on while downtime may
/// grow). At start, and after each change of downtime.
pub async fn schedule_budget_checks(state: &AppState) -> ApiResult<()> {
    let now = state.now();
    if state.db.has_pending_job(BUDGET_JOB, OPEN_DOWNTIME).await? {
        return Ok(());
    }
    state
        .db
        .enqueue_jobs(
            &[NewJob::new(BUDGET_JOB, OPEN_DOWNTIME, now)],
            Stamp::new("pacta", now),
        )
        .await?;
    Ok(())
}
