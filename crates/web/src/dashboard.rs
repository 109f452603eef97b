//! The partner dashboard (issue 14, DOMAIN §9): per partner, every subscribed service with its
//! live status and since when, this month's provisional statement against target with the
//! budget left and the burn rate, 90 bars of local days (each the availability Rule over that
//! day), open incidents, upcoming maintenance with the consultations that wait, open tickets
//! with their clocks and the escalation contacts — what `GET /api/v1/dashboard` answers and the
//! pages show. Also a service's page (response times from the roll-ups, outages, statements),
//! the staff's overview across partners, and the status of a service or a subscription for the
//! badges.
//!
//! Nothing here scans raw results: a monitor's stored history (its outages and uncovered gaps,
//! one read per monitor for the whole 90 days) is cut into each day and the month, and the
//! response times come from the minute/hour/day roll-ups.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use pacta_core::dashboard::{
    live_status, local_days, overview_order, DayGrade, LiveStatus, OverviewRow, StatusInputs,
    BAR_DAYS,
};
use pacta_core::incident::Kind as IncidentKind;
use pacta_core::monitor::Grain;
use pacta_core::sla::agreement::{
    budget_left_so_far, burn_rate, month_of, served_within, subscription_statement, watched,
};
use pacta_core::sla::availability::Target;
use pacta_core::sla::intervals::{normalize, union, Span};
use pacta_core::sla::outages::Outages;
use pacta_core::sla::statement::{month_period, Incident, MaintenanceWindow};
use pacta_core::sla::Interval;
use pacta_core::subscription::State as SubState;
use pacta_store::incidents::{IncidentFilter, StoredIncident};
use pacta_store::monitors::StoredMonitor;
use pacta_store::results::MonitorHistory;
use pacta_store::subscriptions::{Subscription, SubscriptionFilter};
use pacta_store::tickets::TicketFilter;
use pacta_store::Scope;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::availability::{self as figures, Inputs};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::subscriptions::instant;

/// How long the status strip is served from memory at most (issue 14, point 4).
pub const STRIP_SECONDS: i64 = 30;

/// The in-memory view of the current status, per partner: computed at most every
/// [`STRIP_SECONDS`] of the clock, and again at once after a change of downtime (an outage began
/// or ended, an incident or a maintenance window changed: [`LiveView::changed`]).
#[derive(Default)]
pub struct LiveView {
    generation: AtomicU64,
    strips: Mutex<HashMap<String, Strip>>,
}

/// A partner's strip as computed: when, at which generation, its rows.
type Strip = (i64, u64, Arc<Vec<Value>>);

impl LiveView {
    /// Something that moves a status happened: the next read computes afresh.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::Relaxed);
    }

    fn get(&self, partner: &str, now: i64) -> Option<Arc<Vec<Value>>> {
        let generation = self.generation.load(Ordering::Relaxed);
        let strips = self.strips.lock().unwrap_or_else(|p| p.into_inner());
        strips
            .get(partner)
            .filter(|(at, g, _)| *g == generation && now >= *at && now - *at < STRIP_SECONDS)
            .map(|(_, _, rows)| rows.clone())
    }

    fn put(&self, partner: &str, now: i64, generation: u64, rows: Arc<Vec<Value>>) {
        let mut strips = self.strips.lock().unwrap_or_else(|p| p.into_inner());
        strips.insert(partner.to_owned(), (now, generation, rows));
    }
}

/// The partner whose dashboard `caller` reads: its own for a partner's people (naming another
/// is a 404, as for one that does not exist); for staff the one named, which must exist.
pub async fn partner_for(
    state: &AppState,
    caller: &Caller,
    asked: Option<&str>,
) -> ApiResult<String> {
    if matches!(caller.actor, pacta_core::access::Actor::Anonymous) {
        return Err(ApiError::unauthorized());
    }
    let partner = match (caller.partner(), asked) {
        (Some(own), None) => own.to_owned(),
        (_, Some(p)) => p.to_owned(),
        (None, None) => {
            return Err(ApiError::invalid_field(
                "partner",
                "required for the provider's staff: the partner's code",
            ))
        }
    };
    let missing = || ApiError::not_found(format!("no partner `{partner}`"));
    caller
        .may(pacta_core::access::Action::ReadStatements { partner: &partner })
        .map_err(|e| {
            if e.status.as_u16() == 404 {
                missing()
            } else {
                e
            }
        })?;
    if state
        .db
        .partner(Scope::Partner(&partner), &partner)
        .await?
        .is_none()
    {
        return Err(missing());
    }
    Ok(partner)
}

/// What is read once for many subscriptions: the monitors' stored histories over `[lo, hi)`,
/// each service's incidents, and the availability's inputs (targets, maintenance).
struct Loaded {
    now: Timestamp,
    /// The first day's start (or the month's, if earlier).
    lo: i64,
    /// The month's end, or now if later.
    hi: i64,
    days: Vec<(jiff::civil::Date, Interval)>,
    month: String,
    whole: Interval,
    inputs: Inputs,
    histories: HashMap<i64, MonitorHistory>,
    incidents: HashMap<String, Vec<StoredIncident>>,
    lifecycles: BTreeMap<String, Vec<(i64, SubState)>>,
}

impl Loaded {
    fn new(now: Timestamp, bar_days: usize) -> ApiResult<Loaded> {
        let days = local_days(now, bar_days);
        let month = month_of(now);
        let whole = month_period(&month).map_err(|e| ApiError::internal_message(&e.to_string()))?;
        let first = days.first().map_or(whole.start, |(_, d)| d.start);
        Ok(Loaded {
            now,
            lo: first.min(whole.start).as_second(),
            hi: whole.end.max(now).as_second(),
            days,
            month,
            whole,
            inputs: Inputs::default(),
            histories: HashMap::new(),
            incidents: HashMap::new(),
            lifecycles: BTreeMap::new(),
        })
    }

    /// Reads what the figures of `subs` need in a few statements for them all — the counting
    /// monitors' histories, the lifecycles, the incidents and the maintenance windows of their
    /// services — rather than six per subscription.
    async fn preload(&mut self, state: &AppState, subs: &[Subscription]) -> ApiResult<()> {
        self.read_services(state, &subs.iter().collect::<Vec<_>>())
            .await?;
        let ids: Vec<String> = subs.iter().map(|s| s.id.clone()).collect();
        self.lifecycles
            .extend(state.db.subscription_lifecycles_of(&ids).await?);
        Ok(())
    }

    /// Reads the counting monitors' histories, the incidents and the maintenance windows of the
    /// services of `subs`, each in one statement for them all.
    async fn read_services(&mut self, state: &AppState, subs: &[&Subscription]) -> ApiResult<()> {
        let mut seqs = Vec::new();
        let mut services: Vec<String> = Vec::new();
        for s in subs {
            for seq in figures::counting_seqs(state, &mut self.inputs, s).await? {
                if !self.histories.contains_key(&seq) && !seqs.contains(&seq) {
                    seqs.push(seq);
                }
            }
            if !services.contains(&s.service) {
                services.push(s.service.clone());
            }
        }
        self.histories
            .extend(state.db.monitor_histories(&seqs, self.lo, self.hi).await?);
        let mut incidents: HashMap<String, Vec<StoredIncident>> =
            services.iter().map(|s| (s.clone(), Vec::new())).collect();
        for i in state
            .db
            .list_incidents(Scope::All, &IncidentFilter::default())
            .await?
        {
            if let Some(list) = incidents.get_mut(&i.incident.service) {
                list.push(i);
            }
        }
        self.incidents.extend(incidents);
        let mut windows: HashMap<String, Vec<pacta_store::maintenance::StoredWindow>> =
            services.iter().map(|s| (s.clone(), Vec::new())).collect();
        for w in state
            .db
            .list_maintenance(
                Scope::All,
                &pacta_store::maintenance::MaintenanceFilter::default(),
            )
            .await?
        {
            if let Some(list) = windows.get_mut(&w.service) {
                list.push(w);
            }
        }
        for (service, list) in windows {
            self.inputs.know_maintenance(&service, list);
        }
        Ok(())
    }

    async fn history(&mut self, state: &AppState, seq: i64) -> ApiResult<&MonitorHistory> {
        if !self.histories.contains_key(&seq) {
            let h = state.db.monitor_history(seq, self.lo, self.hi).await?;
            self.histories.insert(seq, h);
        }
        Ok(&self.histories[&seq])
    }

    async fn incidents(&mut self, state: &AppState, service: &str) -> ApiResult<&[StoredIncident]> {
        if !self.incidents.contains_key(service) {
            let all = state
                .db
                .list_incidents(
                    Scope::All,
                    &IncidentFilter {
                        service: Some(service.to_owned()),
                        open: None,
                    },
                )
                .await?;
            self.incidents.insert(service.to_owned(), all);
        }
        Ok(&self.incidents[service])
    }
}

/// The `down` incidents of a service as the Rule reads them, by start.
fn down_of(incidents: &[StoredIncident]) -> Vec<(Timestamp, Option<Timestamp>)> {
    let mut down: Vec<(&str, Timestamp, Option<Timestamp>)> = incidents
        .iter()
        .filter(|i| i.incident.kind == IncidentKind::Down)
        .map(|i| (i.id.as_str(), i.incident.start, i.incident.end))
        .collect();
    down.sort_by_key(|&(id, start, _)| (start, id));
    down.into_iter().map(|(_, s, e)| (s, e)).collect()
}

/// The `degraded` incidents of a service, as the live status reads them.
fn degraded_of(incidents: &[StoredIncident]) -> Vec<(i64, Option<i64>)> {
    incidents
        .iter()
        .filter(|i| i.incident.kind == IncidentKind::Degraded)
        .map(|i| {
            (
                i.incident.start.as_second(),
                i.incident.end.map(|e| e.as_second()),
            )
        })
        .collect()
}

fn as_rule_incidents(down: &[(Timestamp, Option<Timestamp>)], period: Interval) -> Vec<Incident> {
    down.iter()
        .filter(|(s, e)| *s < period.end && e.is_none_or(|e| e > period.start))
        .map(|&(start, end)| Incident {
            start,
            end,
            kind: pacta_core::sla::statement::IncidentKind::Down,
        })
        .collect()
}

fn spans_of(incidents: &[(Timestamp, Option<Timestamp>)]) -> Vec<(i64, Option<i64>)> {
    incidents
        .iter()
        .map(|(s, e)| (s.as_second(), e.map(|e| e.as_second())))
        .collect()
}

/// What a subscription's part of the dashboard holds besides its status.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The status only (the strip, the badges).
    Status,
    /// The month, the days, incidents, maintenance, tickets.
    Whole,
}

/// One subscription's figures: its status, and at [`Depth::Whole`] the month and the days.
struct Figured {
    status: LiveStatus,
    since: Option<i64>,
    monitors: Vec<Value>,
    month: Option<Value>,
    days: Vec<Value>,
    /// Downtime spans over the look-back (outages seen and `down` incidents), for the outage list.
    downtime: Vec<Span>,
}

async fn figure(
    state: &AppState,
    ld: &mut Loaded,
    s: &Subscription,
    depth: Depth,
) -> ApiResult<Figured> {
    let now = ld.now;
    let lo_days = ld.days.first().map_or(ld.whole.start, |(_, d)| d.start);
    let history = match ld.lifecycles.get(&s.id) {
        Some(h) => h.clone(),
        None => figures::lifecycle(state, s).await?,
    };
    let target: Target = figures::target_of(state, &mut ld.inputs, s).await?;
    let monitors = figures::counting_monitors(state, &mut ld.inputs, s).await?;
    let mut histories: Vec<MonitorHistory> = Vec::with_capacity(monitors.len());
    for m in &monitors {
        histories.push(ld.history(state, m.seq).await?.clone());
    }
    let incidents = ld.incidents(state, &s.service).await?.to_vec();
    let down = down_of(&incidents);
    let look_back = Interval {
        start: lo_days,
        end: now,
    };
    let maintenance = figures::maintenance_of(
        state,
        &mut ld.inputs,
        s,
        Interval {
            start: lo_days,
            end: pacta_core::sla::ts(ld.hi),
        },
    )
    .await?;
    let windows = figures::rule_windows(&maintenance);
    let meeting = |period: Interval| -> Vec<MaintenanceWindow> {
        windows
            .iter()
            .filter(|w| w.window.start < period.end && w.window.end > period.start)
            .copied()
            .collect()
    };
    let answers = |period: Interval| -> Vec<Outages> {
        histories
            .iter()
            .map(|h| h.window(period.start, period.end))
            .collect()
    };
    let err = |e: pacta_core::sla::SlaError| ApiError::internal_message(&e.to_string());
    let back = subscription_statement(
        look_back,
        &history,
        &target,
        &answers(look_back),
        &as_rule_incidents(&down, look_back),
        &meeting(look_back),
    )
    .map_err(err)?;
    let (in_service, _) = pacta_core::sla::agreement::service_spans(&history);
    let status_inputs = StatusInputs {
        outages: back.outages.clone(),
        unmonitored: back.unmonitored.clone(),
        down_incidents: spans_of(&down),
        degraded_incidents: degraded_of(&incidents),
        maintenance: maintenance
            .iter()
            .map(|(_, o, _)| (o.start.as_second(), o.end.as_second()))
            .collect(),
        in_service_from: in_service
            .iter()
            .map(|&(s, _)| s)
            .find(|&s| s <= now.as_second()),
    };
    let (status, since) = live_status(&status_inputs, lo_days.as_second(), now.as_second());
    // Each monitor's own status: its name and state, never its target or settings.
    let monitor_docs: Vec<Value> = monitors
        .iter()
        .zip(&histories)
        .map(|(m, h)| {
            let (outages, unmonitored) = watched(
                &[h.window(look_back.start, look_back.end)],
                look_back.start.as_second(),
                now.as_second(),
            );
            let one = StatusInputs {
                outages,
                unmonitored,
                ..StatusInputs::default()
            };
            let (st, since) = live_status(&one, lo_days.as_second(), now.as_second());
            json!({
                "code": m.monitor.code,
                "name": m.monitor.name,
                "scope": if m.monitor.subscription.is_some() { "subscription" } else { "service" },
                "status": st.code(),
                "since": since.map(instant),
            })
        })
        .collect();
    let downtime = union(
        &back.outages,
        &normalize(
            down.iter()
                .map(|(s, e)| {
                    (
                        s.as_second().max(lo_days.as_second()),
                        e.map_or(now.as_second(), |e| e.as_second())
                            .min(now.as_second()),
                    )
                })
                .filter(|(s, e)| s < e)
                .collect(),
        )
        .unwrap_or_default(),
    );
    if depth == Depth::Status {
        return Ok(Figured {
            status,
            since,
            monitors: monitor_docs,
            month: None,
            days: Vec::new(),
            downtime,
        });
    }
    // The month: the same provisional statement as GET …/availability?month=, its monitors'
    // answers cut from the histories already read.
    let whole = ld.whole;
    let so_far_end = whole.end.min(now);
    for (m, h) in monitors.iter().zip(&histories) {
        for end in [so_far_end, whole.end] {
            ld.inputs.know_window(
                m.seq,
                whole.start.as_second(),
                end.as_second(),
                h.window(whole.start, end),
            );
        }
    }
    for end in [so_far_end, whole.end] {
        ld.inputs
            .know_down_incidents(&s.service, whole.start.as_second(), end.as_second(), &down);
    }
    let month_doc = if whole.start <= now {
        Some(
            figures::month_so_far(state, &mut ld.inputs, s, &history, &ld.month, whole, now)
                .await?,
        )
    } else {
        None
    };
    let mut days = Vec::with_capacity(ld.days.len());
    for (date, day) in &ld.days {
        let figures = subscription_statement(
            *day,
            &history,
            &target,
            &answers(*day),
            &as_rule_incidents(&down, *day),
            &meeting(*day),
        )
        .map_err(err)?;
        let a = &figures.statement.availability;
        days.push(json!({
            "date": date.to_string(),
            "availability_percent": a.availability_percent(),
            "unmonitored_seconds": figures.statement.unmonitored_seconds,
            "downtime_seconds": a.downtime_seconds,
            "agreed_seconds": a.agreed_seconds,
            "grade": DayGrade::of(a).code(),
        }));
    }
    Ok(Figured {
        status,
        since,
        monitors: monitor_docs,
        month: month_doc,
        days,
        downtime,
    })
}

/// The subscriptions a dashboard shows: in service now (active or suspended), by service.
async fn subscribed(state: &AppState, partner: &str) -> ApiResult<Vec<Subscription>> {
    let mut subs: Vec<Subscription> = state
        .db
        .list_subscriptions(Scope::Partner(partner), &SubscriptionFilter::default())
        .await?
        .into_iter()
        .filter(|s| matches!(s.state, SubState::Active | SubState::Suspended))
        .collect();
    subs.sort_by(|a, b| (&a.service, &a.id).cmp(&(&b.service, &b.id)));
    Ok(subs)
}

/// The occurrences of `s`'s service's maintenance that have not ended, each with the partner's
/// consent now and its deadline; `waiting` when the partner's answer is still expected.
fn upcoming_maintenance(ld: &Loaded, s: &Subscription) -> ApiResult<Vec<Value>> {
    let now = ld.now;
    let mut out = Vec::new();
    for w in ld.inputs.maintenance_windows(&s.service) {
        if w.status == pacta_store::maintenance::WindowStatus::Cancelled {
            continue;
        }
        for o in &w.occurrences {
            if o.occurrence.end <= now {
                continue;
            }
            let Some(c) = w.consultation(&s.partner, o.round) else {
                continue;
            };
            let decided =
                pacta_core::maintenance::consultation::consents(&[o.occurrence], &c.rule(), now)
                    .map_err(|e| ApiError::internal_message(&e.to_string()))?;
            let d = decided[0];
            out.push(json!({
                "window": w.id,
                "title": w.title,
                "start": instant(o.occurrence.start.as_second()),
                "end": instant(o.occurrence.end.as_second()),
                "deadline": instant(d.deadline.as_second()),
                "consent": d.consent.code(),
                "excluded": d.excluded,
                "waiting": d.consent.code() == "pending",
                "in_progress": o.occurrence.start <= now,
            }));
        }
    }
    out.sort_by(|a, b| a["start"].as_str().cmp(&b["start"].as_str()));
    Ok(out)
}

/// Whom the partner turns to: the service manager of each subscribed service, the partner's
/// PRM, then the provider's ICT escalation, central helpdesk and security advisor (the
/// organisation profile's contacts). `role` is a code the pages put in words.
pub async fn escalation_contacts(
    state: &AppState,
    partner: &str,
    services: &[String],
) -> ApiResult<Vec<Value>> {
    let snapshot = state.snapshot();
    let mut contacts = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for code in services {
        if !seen.insert(code.clone()) {
            continue;
        }
        if let Some(service) = snapshot.service(code) {
            let m = &service.service_manager;
            contacts.push(json!({
                "role": "service-manager", "service": code, "service_name": service.name,
                "name": m.name, "email": m.email, "phone": m.phone,
            }));
        }
    }
    let stored = state.db.partner(Scope::Partner(partner), partner).await?;
    if let Some(prm) = stored.as_ref().and_then(|p| p.partner.prm.clone()) {
        let name = state
            .db
            .user(Scope::All, &prm)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        contacts.push(json!({"role": "prm", "name": name, "email": prm, "phone": ""}));
    }
    if let Some(profile) = &snapshot.stored.catalogue.profile {
        for role in ["ict-escalation", "central-helpdesk", "security-advisor"] {
            for c in profile.contacts.iter().filter(|c| c.role == role) {
                contacts.push(json!({
                    "role": role, "name": c.name,
                    "email": c.email.clone().unwrap_or_default(),
                    "phone": c.phone.clone().unwrap_or_default(),
                }));
            }
        }
    }
    Ok(contacts)
}

/// The status entry of a subscription (the strip's row).
fn status_doc(s: &Subscription, f: &Figured) -> Value {
    json!({
        "service": s.service,
        "subscription": s.id,
        "status": f.status.code(),
        "since": f.since.map(instant),
        "monitors": f.monitors,
    })
}

/// The dashboard of `partner` at now, as `GET /api/v1/dashboard` answers it.
pub async fn board(state: &AppState, caller: &Caller, partner: &str) -> ApiResult<Value> {
    let now = state.now();
    let mut ld = Loaded::new(now, BAR_DAYS)?;
    let subs = subscribed(state, partner).await?;
    ld.preload(state, &subs).await?;
    let open_tickets = state
        .db
        .list_tickets(
            Scope::Partner(partner),
            &TicketFilter {
                partner: Some(partner.to_owned()),
                open: true,
                ..TicketFilter::default()
            },
            1000,
            0,
        )
        .await?;
    let mut tickets_of: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for t in &open_tickets {
        let mut doc = crate::tickets::document(state, caller, t).await?;
        if let Value::Object(m) = &mut doc {
            m.remove("timeline");
        }
        tickets_of
            .entry(t.subscription.as_str())
            .or_default()
            .push(doc);
    }
    let mut services = Vec::with_capacity(subs.len());
    let mut strip = Vec::with_capacity(subs.len());
    for s in &subs {
        let f = figure(state, &mut ld, s, Depth::Whole).await?;
        strip.push(status_doc(s, &f));
        let burn = f
            .month
            .as_ref()
            .map_or(Value::Null, |m| m["burn_rate"].clone());
        let incidents: Vec<Value> = {
            let open: Vec<StoredIncident> = ld
                .incidents(state, &s.service)
                .await?
                .iter()
                .filter(|i| i.incident.is_open())
                .cloned()
                .collect();
            let mut docs = Vec::with_capacity(open.len());
            for i in &open {
                let updates = state.db.incident_updates(&i.id).await?;
                docs.push(crate::api::incidents::incident_doc(i, Some(&updates)));
            }
            docs
        };
        let mut entry = status_doc(s, &f);
        entry["pack"] = json!(s.pack);
        entry["level"] = json!(s.level);
        entry["state"] = json!(s.state.code());
        entry["month"] = f.month.clone().unwrap_or(Value::Null);
        entry["burn_rate"] = burn;
        entry["days"] = Value::Array(f.days);
        entry["incidents"] = Value::Array(incidents);
        entry["maintenance"] = Value::Array(upcoming_maintenance(&ld, s)?);
        entry["open_tickets"] = Value::Array(tickets_of.remove(s.id.as_str()).unwrap_or_default());
        entry["statements"] = json!(format!("/api/v1/subscriptions/{}/statements", s.id));
        services.push(entry);
    }
    state.live.put(
        partner,
        now.as_second(),
        state.live.generation.load(Ordering::Relaxed),
        Arc::new(strip),
    );
    let codes: Vec<String> = subs.iter().map(|s| s.service.clone()).collect();
    // Moved in, not serialised again: `json!` copies what it is given.
    let mut doc = json!({
        "partner": partner,
        "at": instant(now.as_second()),
        "month": ld.month,
        "contacts": escalation_contacts(state, partner, &codes).await?,
    });
    doc["services"] = Value::Array(services);
    Ok(doc)
}

/// The status strip of `partner`: each subscription's status and since when, from the
/// in-memory view when it is at most [`STRIP_SECONDS`] old and nothing has changed since.
pub async fn strip(state: &AppState, partner: &str) -> ApiResult<Arc<Vec<Value>>> {
    let now = state.now();
    if let Some(rows) = state.live.get(partner, now.as_second()) {
        return Ok(rows);
    }
    let generation = state.live.generation.load(Ordering::Relaxed);
    let mut ld = Loaded::new(now, BAR_DAYS)?;
    let mut rows = Vec::new();
    let subs = subscribed(state, partner).await?;
    ld.preload(state, &subs).await?;
    for s in subs {
        let f = figure(state, &mut ld, &s, Depth::Status).await?;
        rows.push(status_doc(&s, &f));
    }
    let rows = Arc::new(rows);
    state
        .live
        .put(partner, now.as_second(), generation, rows.clone());
    Ok(rows)
}

/// The average and the highest response time of one roll-up bucket.
fn latency_point(r: &pacta_core::monitor::Rollup) -> Value {
    json!({
        "at": instant(r.bucket),
        "checks": r.checks,
        "ok": r.ok,
        "average_ms": (r.latency_count > 0).then(|| r.latency_sum / r.latency_count),
        "max_ms": r.latency_max,
    })
}

/// A service's page for `partner`: each of its subscriptions of `service` with the dashboard's
/// figures, the response times of its counting monitors over 24 h (hours), 7 days (hours) and
/// 90 days (local days) from the roll-ups, its outages over the 90 days with their durations,
/// and its monthly statements. A service the partner does not subscribe to is a 404.
pub async fn service_board(
    state: &AppState,
    caller: &Caller,
    partner: &str,
    service: &str,
) -> ApiResult<Value> {
    let board = board(state, caller, partner).await?;
    let now = state.now();
    let mut ld = Loaded::new(now, BAR_DAYS)?;
    let subs: Vec<Subscription> = subscribed(state, partner)
        .await?
        .into_iter()
        .filter(|s| s.service == service)
        .collect();
    if subs.is_empty() {
        return Err(ApiError::not_found(format!(
            "`{partner}` does not subscribe to `{service}`"
        )));
    }
    ld.preload(state, &subs).await?;
    let scope = match caller.partner() {
        Some(p) => Scope::Partner(p),
        None => Scope::All,
    };
    let mut out = Vec::new();
    for s in &subs {
        let mut entry = board["services"]
            .as_array()
            .and_then(|all| all.iter().find(|e| e["subscription"] == json!(s.id)))
            .cloned()
            .unwrap_or(Value::Null);
        let f = figure(state, &mut ld, s, Depth::Status).await?;
        entry["outages"] = json!(f
            .downtime
            .iter()
            .rev()
            .map(|&(a, b)| json!({"start": instant(a), "end": (b < now.as_second()).then(|| instant(b)), "duration_seconds": b - a}))
            .collect::<Vec<_>>());
        let monitors = figures::counting_monitors(state, &mut ld.inputs, s).await?;
        let first_day = ld.days.first().map_or(now, |(_, d)| d.start).as_second();
        let mut latency = Vec::new();
        for m in &monitors {
            let n = now.as_second();
            let hour_start = |t: i64| t - t.rem_euclid(3600);
            let series = |grain: Grain, from: i64| {
                let db = state.db.clone();
                let seq = m.seq;
                async move { db.monitor_rollups(seq, grain, from, n + 1).await }
            };
            let day = series(Grain::Hour, hour_start(n - 23 * 3600)).await?;
            let week = series(Grain::Hour, hour_start(n - (7 * 24 - 1) * 3600)).await?;
            let quarter = series(Grain::Day, first_day).await?;
            latency.push(json!({
                "monitor": m.monitor.code,
                "name": m.monitor.name,
                "24h": day.iter().map(latency_point).collect::<Vec<_>>(),
                "7d": week.iter().map(latency_point).collect::<Vec<_>>(),
                "90d": quarter.iter().map(latency_point).collect::<Vec<_>>(),
            }));
        }
        entry["latency"] = Value::Array(latency);
        entry["statement_list"] = json!(state
            .db
            .statements(scope, &s.id, None)
            .await?
            .iter()
            .map(figures::statement_entry)
            .map(|mut e| {
                if let Value::Object(m) = &mut e {
                    m.remove("statement");
                }
                e
            })
            .collect::<Vec<_>>());
        out.push(entry);
    }
    let mut doc = json!({
        "partner": partner,
        "service": service,
        "at": instant(now.as_second()),
    });
    doc["subscriptions"] = Value::Array(out);
    Ok(doc)
}

/// The staff's overview at now: every subscription in service this month with its provisional
/// figures, the least budget left first (then the fastest burn); `attention` marks those below
/// target so far or burning faster than the month allows.
pub async fn overview(state: &AppState) -> ApiResult<Value> {
    let now = state.now();
    let mut ld = Loaded::new(now, 0)?;
    let whole = ld.whole;
    let so_far = Interval {
        start: whole.start,
        end: whole.end.min(now),
    };
    let subs = state
        .db
        .subscriptions_with_lifecycles(&[SubState::Active, SubState::Suspended])
        .await?;
    let names: HashMap<String, Value> = state
        .db
        .list_partners(Scope::All)
        .await?
        .into_iter()
        .map(|p| (p.partner.code.clone(), json!(p.partner.name)))
        .collect();
    ld.read_services(state, &subs.iter().map(|(s, _)| s).collect::<Vec<_>>())
        .await?;
    // The subscribers of a service whose months read alike have the same figures: computed once.
    let mut months: HashMap<MonthInputs, MonthFigures> = HashMap::new();
    let mut rows: Vec<(OverviewRow, Value)> = Vec::with_capacity(subs.len());
    let err = |e: pacta_core::sla::SlaError| ApiError::internal_message(&e.to_string());
    for (s, history) in &subs {
        let target = figures::target_of(state, &mut ld.inputs, s).await?;
        let monitors = figures::counting_seqs(state, &mut ld.inputs, s).await?;
        let windows =
            figures::rule_windows(&figures::maintenance_of(state, &mut ld.inputs, s, whole).await?);
        let (served, suspended) =
            served_within(history, whole.start.as_second(), whole.end.as_second());
        let key = MonthInputs {
            service: s.service.clone(),
            target: target.micro(),
            monitors,
            served,
            suspended,
            windows,
        };
        let month = match months.get(&key) {
            Some(m) => *m,
            None => {
                let mut so_far_answers = Vec::with_capacity(key.monitors.len());
                let mut whole_answers = Vec::with_capacity(key.monitors.len());
                for &seq in &key.monitors {
                    let h = ld.history(state, seq).await?;
                    so_far_answers.push(h.window(so_far.start, so_far.end));
                    whole_answers.push(h.window(whole.start, whole.end));
                }
                let down = down_of(ld.incidents(state, &s.service).await?);
                let done = subscription_statement(
                    so_far,
                    history,
                    &target,
                    &so_far_answers,
                    &as_rule_incidents(&down, so_far),
                    &key.windows,
                )
                .map_err(err)?;
                let allowed = subscription_statement(
                    whole,
                    history,
                    &target,
                    &whole_answers,
                    &as_rule_incidents(&down, whole),
                    &key.windows,
                )
                .map_err(err)?
                .statement
                .availability
                .allowed_downtime_seconds;
                let m = MonthFigures {
                    so_far: done.statement,
                    allowed,
                };
                months.insert(key, m);
                m
            }
        };
        let a = &month.so_far.availability;
        let row = OverviewRow {
            budget_left_seconds: budget_left_so_far(month.allowed, a.downtime_seconds),
            burn_rate: burn_rate(a.downtime_seconds, a.agreed_seconds, &target),
            met: a.met,
        };
        let doc = json!({
            "partner": s.partner,
            "partner_name": names.get(&s.partner).cloned().unwrap_or_else(|| json!(s.partner)),
            "service": s.service,
            "subscription": s.id,
            "target": target.to_string(),
            "availability_percent": a.availability_percent(),
            "met": a.met,
            "downtime_seconds": a.downtime_seconds,
            "allowed_downtime_seconds": month.allowed,
            "budget_left_seconds": row.budget_left_seconds,
            "burn_rate": row.burn_rate,
            "unmonitored_seconds": month.so_far.unmonitored_seconds,
            "attention": pacta_core::dashboard::needs_attention(&row),
        });
        rows.push((row, doc));
    }
    rows.sort_by(|a, b| overview_order(&a.0, &b.0));
    let mut doc = json!({"at": instant(now.as_second()), "month": ld.month});
    doc["items"] = Value::Array(rows.into_iter().map(|(_, d)| d).collect());
    Ok(doc)
}

/// What a subscription's month reads besides its service's incidents (the same for all its
/// subscribers): its target, counting monitors, part in service and suspended within the month
/// (`served_within`), and the maintenance windows with its partner's consents.
#[derive(PartialEq, Eq, Hash)]
struct MonthInputs {
    service: String,
    target: i64,
    monitors: Vec<i64>,
    served: Vec<Span>,
    suspended: Vec<Span>,
    windows: Vec<MaintenanceWindow>,
}

/// A month's figures so far and the whole month's allowed downtime.
#[derive(Clone, Copy)]
struct MonthFigures {
    so_far: pacta_core::sla::statement::Statement,
    allowed: i64,
}

/// The status of a whole service (its public badge): its own monitors (not any subscription's),
/// its incidents and any maintenance window of it in progress.
pub async fn service_status(
    state: &AppState,
    service: &str,
) -> ApiResult<(LiveStatus, Option<i64>)> {
    let now = state.now();
    let mut ld = Loaded::new(now, BAR_DAYS)?;
    let lo = ld.days.first().map_or(now, |(_, d)| d.start);
    let monitors: Vec<StoredMonitor> = state
        .db
        .list_monitors(Scope::All, &pacta_store::monitors::MonitorFilter::default())
        .await?
        .into_iter()
        .filter(|m| {
            m.service == service
                && m.monitor.subscription.is_none()
                && m.monitor.counts_for_availability
        })
        .collect();
    let mut answers = Vec::with_capacity(monitors.len());
    for m in &monitors {
        answers.push(ld.history(state, m.seq).await?.window(lo, now));
    }
    let (outages, unmonitored) = watched(&answers, lo.as_second(), now.as_second());
    let incidents = ld.incidents(state, service).await?.to_vec();
    let windows = state
        .db
        .list_maintenance(
            Scope::All,
            &pacta_store::maintenance::MaintenanceFilter {
                service: Some(service.to_owned()),
                partner: None,
            },
        )
        .await?;
    let inputs = StatusInputs {
        outages,
        unmonitored,
        down_incidents: spans_of(&down_of(&incidents)),
        degraded_incidents: degraded_of(&incidents),
        maintenance: windows
            .iter()
            .filter(|w| w.status != pacta_store::maintenance::WindowStatus::Cancelled)
            .flat_map(|w| w.occurrences.iter())
            .map(|o| (o.occurrence.start.as_second(), o.occurrence.end.as_second()))
            .collect(),
        in_service_from: None,
    };
    Ok(live_status(&inputs, lo.as_second(), now.as_second()))
}

/// The status of one subscription (its badge).
pub async fn subscription_status(
    state: &AppState,
    s: &Subscription,
) -> ApiResult<(LiveStatus, Option<i64>)> {
    let mut ld = Loaded::new(state.now(), BAR_DAYS)?;
    let f = figure(state, &mut ld, s, Depth::Status).await?;
    Ok((f.status, f.since))
}
