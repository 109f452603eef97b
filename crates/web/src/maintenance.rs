//! A maintenance window as the API and the CLI answer it (issue 12's contract): its times, its
//! occurrences, and per consulted partner its answers, the override and its consent to each
//! occurrence at an instant — through the `consent` op, each occurrence by the consultation
//! round that decides it. The window given is already cut to what the reader may see (a
//! partner's people: their own consultation only).

use std::collections::BTreeMap;

use jiff::Timestamp;
use pacta_core::maintenance::consultation::{
    consents, deadline, terms_for, PartnerTerms, SubscriptionTerms,
};
use pacta_core::maintenance::notices::reminder_at;
use pacta_core::maintenance::request::{read_proposal, Proposal};
use pacta_core::maintenance::Occurrence;
use pacta_core::sla::consent::Consent;
use pacta_core::subscription::{activation_at, termination_at, zone};
use pacta_core::text::{Lang, Text};
use pacta_store::jobs::NewJob;
use pacta_store::maintenance::{
    Action, Consulted, MaintenanceFilter, NewTimes, NewWindow, Notice, StoredConsultation,
    StoredWindow, WindowStatus, NOTIFY_JOB,
};
use pacta_store::outbox::NewMail;
use pacta_store::subscriptions::{Subscription, SubscriptionFilter};
use pacta_store::{Scope, Stamp, StoreError};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult};
use crate::notify::{compose, Letter};
use crate::state::AppState;
use crate::subscriptions::{JobOutcome, Recipient};
use crate::ui::format;
use crate::ui::i18n::Tr;

fn instant(t: Timestamp) -> String {
    pacta_core::sla::instant::format_instant(t, zone())
}

fn occurrence_doc(o: &Occurrence) -> Value {
    json!({"start": instant(o.start), "end": instant(o.end)})
}

/// The consent of `c`'s partner to each occurrence of `w`, each read by its round's
/// consultation: `{"start", "deadline", "consent"}`.
fn consents_doc(w: &StoredWindow, partner: &str, now: Timestamp) -> Vec<Value> {
    w.occurrences
        .iter()
        .filter_map(|o| {
            let c = w.consultation(partner, o.round)?;
            let decided = consents(&[o.occurrence], &c.rule(), now).ok()?;
            Some(json!({
                "start": instant(o.occurrence.start),
                "deadline": instant(decided[0].deadline),
                "consent": decided[0].consent.code(),
            }))
        })
        .collect()
}

fn consultation_doc(w: &StoredWindow, c: &StoredConsultation, now: Timestamp) -> Value {
    json!({
        "partner": c.partner,
        "round": c.round,
        "consulted_at": instant(c.consulted_at),
        "answers": c.answers.iter().map(|a| json!({
            "at": instant(a.at),
            "answer": a.answer.answer.code(),
            "comment": a.answer.comment,
            "occurrence": a.answer.occurrence.map(instant),
            "alternative": a.answer.alternative.as_ref().map(|(s, e)| json!({"start": s, "end": e})),
        })).collect::<Vec<_>>(),
        // The latest; every earlier one stays in the audit and still counts for the
        // occurrences that started before the next.
        "override": c.overrides.last().map(|o| json!({
            "at": instant(o.at), "justification": o.justification,
        })),
        "occurrences": consents_doc(w, &c.partner, now),
    })
}

/// The window's document at `now`. Per partner, the consultation shown is that of the latest
/// round it was consulted in; its `occurrences` give the consent to every occurrence, the
/// started ones by the round that decided them.
pub fn window_doc(w: &StoredWindow, now: Timestamp) -> Value {
    let consultation: Vec<Value> = w
        .partners()
        .into_iter()
        .filter_map(|p| {
            let latest = w
                .consultations
                .iter()
                .filter(|c| c.partner == p)
                .max_by_key(|c| c.round)?;
            Some(consultation_doc(w, latest, now))
        })
        .collect();
    json!({
        "id": w.id,
        "service": w.service,
        "title": w.title,
        "description": w.description,
        "start": w.start_local,
        "end": w.end_local,
        "rrule": w.rrule,
        "status": w.status.code(),
        "sequence": w.sequence,
        "revision": w.revision,
        "proposed_by": w.proposed_by,
        "occurrences": w.occurrences.iter().map(|o| occurrence_doc(&o.occurrence)).collect::<Vec<_>>(),
        "consultation": consultation,
    })
}

// ------------------------------------------------------------------------------------------------
// Who is consulted (issue 12, point 2).
// ------------------------------------------------------------------------------------------------

/// The job that consults a partner whose subscription was approved after a window was proposed.
pub const CONSULT_JOB: &str = "maintenance.consult";

/// The subscription as a consultation takes it: when it runs and its effective level's notice
/// and silence rule.
pub async fn subscription_terms(
    state: &AppState,
    s: &Subscription,
) -> ApiResult<SubscriptionTerms> {
    let sla = crate::subscriptions::effective_sla_of(state, s).await?;
    Ok(SubscriptionTerms {
        consulted_at: None,
        from: activation_at(s.start_date),
        until: s.end_date.map(termination_at),
        terms: PartnerTerms {
            notice_seconds: sla.maintenance_notice.0,
            silence_is_consent: sla.tacit_consent,
        },
    })
}

fn meets_any(t: &SubscriptionTerms, occurrences: &[Occurrence]) -> bool {
    occurrences.iter().any(|o| terms_for(&[*t], o).is_some())
}

/// Every partner with a subscription to `service` that is consulted and runs at some point of
/// an occurrence, with those subscriptions.
pub async fn consulted_for(
    state: &AppState,
    service: &str,
    occurrences: &[Occurrence],
) -> ApiResult<Vec<Consulted>> {
    let subscriptions = state
        .db
        .list_subscriptions(
            Scope::All,
            &SubscriptionFilter {
                service: Some(service.to_owned()),
                ..Default::default()
            },
        )
        .await?;
    let mut by_partner: BTreeMap<String, Vec<SubscriptionTerms>> = BTreeMap::new();
    for s in subscriptions
        .iter()
        .filter(|s| s.state.is_consulted_on_maintenance())
    {
        let t = subscription_terms(state, s).await?;
        if meets_any(&t, occurrences) {
            by_partner.entry(s.partner.clone()).or_default().push(t);
        }
    }
    Ok(by_partner
        .into_iter()
        .map(|(partner, subscriptions)| Consulted {
            partner,
            subscriptions,
        })
        .collect())
}

/// Consults the partner of subscription `id`, approved at `now`, on every window of its
/// service still open to it: proposed, with an occurrence of the open round that has not
/// started and that the subscription meets. A partner consulted already takes the
/// subscription's terms besides its others.
pub async fn consult_late(
    state: &AppState,
    id: &str,
    now: Timestamp,
) -> Result<JobOutcome, String> {
    let store = |e: StoreError| crate::error::cause_chain(&e);
    let api = |e: ApiError| e.message;
    let Some(s) = state.db.subscription(Scope::All, id).await.map_err(store)? else {
        return Ok(JobOutcome::Stale(format!("no subscription {id}")));
    };
    if !s.state.is_consulted_on_maintenance() {
        return Ok(JobOutcome::Stale(format!(
            "subscription {id} is {}",
            s.state
        )));
    }
    let terms = subscription_terms(state, &s).await.map_err(api)?;
    let windows = state
        .db
        .list_maintenance(
            Scope::All,
            &MaintenanceFilter {
                service: Some(s.service.clone()),
                partner: None,
            },
        )
        .await
        .map_err(store)?;
    let consulted = Consulted {
        partner: s.partner.clone(),
        subscriptions: vec![terms],
    };
    let to = addressees(state, std::slice::from_ref(&consulted))
        .await
        .map_err(api)?;
    let mut done = 0;
    for w in windows {
        let open = upcoming(&w, now);
        let held = w.consultation(&s.partner, w.round).is_some_and(|c| {
            c.subscriptions
                .iter()
                .any(|t| (t.from, t.until, t.terms) == (terms.from, terms.until, terms.terms))
        });
        if w.status != WindowStatus::Proposed || held || !meets_any(&terms, &open) {
            continue;
        }
        let new = w.consultation(&s.partner, w.round).is_none();
        let action = Action::ConsultLate(consulted.clone());
        let about = About::window(&w, &open);
        let mails = |_: &StoredWindow| {
            if new {
                window_mails(state, &about, Letters::Proposed, &to, now)
            } else {
                Vec::new()
            }
        };
        state
            .db
            .act_on_maintenance(&w.id, &action, |_| Ok(()), mails, state.stamp(SYSTEM))
            .await
            .map_err(store)?;
        done += 1;
    }
    Ok(if done == 0 {
        JobOutcome::Stale("no window to consult it on".into())
    } else {
        JobOutcome::Done
    })
}

/// The actor of what Pacta does by itself.
const SYSTEM: &str = "pacta";

// ------------------------------------------------------------------------------------------------
// The mails (the outbox).
// ------------------------------------------------------------------------------------------------

/// Which letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letters<'a> {
    /// Consulted (a proposal, a late subscriber): what, when, and the deadline.
    Proposed,
    /// A new consultation on new times.
    Rescheduled,
    Cancelled,
    /// The partner's objection was overridden, with the justification.
    Overridden(&'a str),
    /// Two working days before a deadline, to a partner that has not answered.
    Reminder,
    /// The consent at the round's first deadline.
    Decided(pacta_core::sla::consent::Consent),
    /// An occurrence begins.
    Starting,
}

/// An instant in a mail: `13 December 2026, 02:00`, in Europe/Brussels.
fn when(t: Timestamp, lang: Lang) -> String {
    let local = t.to_zoned(zone().clone());
    format!(
        "{}, {:02}:{:02}",
        format::date(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// What a mail is about: the window and its occurrences still to come.
pub struct About<'a> {
    pub id: &'a str,
    pub service: &'a str,
    pub title: &'a Text,
    pub occurrences: &'a [Occurrence],
}

impl<'a> About<'a> {
    /// `w` with `upcoming`, its occurrences of the open round still to come.
    pub fn window(w: &'a StoredWindow, upcoming: &'a [Occurrence]) -> About<'a> {
        About {
            id: &w.id,
            service: &w.service,
            title: &w.title,
            occurrences: upcoming,
        }
    }
}

/// The occurrences of `w`'s open round that start after `now`.
pub fn upcoming(w: &StoredWindow, now: Timestamp) -> Vec<Occurrence> {
    w.occurrences_of(w.round)
        .into_iter()
        .filter(|o| o.start > now)
        .collect()
}

/// A partner told, with the subscriptions it is consulted on (for its deadline) and its
/// admins.
pub struct Addressee {
    pub partner: String,
    pub subscriptions: Vec<SubscriptionTerms>,
    pub admins: Vec<Recipient>,
}

/// The partners of `consulted` with their admins.
pub async fn addressees(state: &AppState, consulted: &[Consulted]) -> ApiResult<Vec<Addressee>> {
    let mut out = Vec::with_capacity(consulted.len());
    for c in consulted {
        out.push(Addressee {
            partner: c.partner.clone(),
            subscriptions: c.subscriptions.clone(),
            admins: crate::subscriptions::partner_admins(state, &c.partner).await?,
        });
    }
    Ok(out)
}

/// One mail per admin of each of `to` about `about`, in the admin's language. A consultation
/// (proposed, rescheduled) tells the deadline of the first occurrence put to the partner,
/// consulted at `now`.
pub fn window_mails(
    state: &AppState,
    about: &About<'_>,
    letter: Letters<'_>,
    to: &[Addressee],
    now: Timestamp,
) -> Vec<NewMail> {
    let snapshot = state.snapshot();
    let mut mails = Vec::new();
    for addressee in to {
        let deadline = about
            .occurrences
            .iter()
            .find_map(|o| terms_for(&addressee.subscriptions, o).map(|t| deadline(o, t, now)));
        for (email, lang) in &addressee.admins {
            let t = Tr(*lang);
            let service = snapshot
                .service(about.service)
                .and_then(|s| {
                    s.name
                        .resolve(*lang)
                        .map(|(_, n)| format!("{n} ({})", s.code))
                })
                .unwrap_or_else(|| about.service.to_owned());
            let title = about
                .title
                .resolve(*lang)
                .map(|(_, t)| t.to_owned())
                .unwrap_or_default();
            let args = [("service", service), ("title", title)];
            let (kind, key) = match letter {
                Letters::Proposed => ("maintenance.proposed", "mail-maintenance-proposed"),
                Letters::Rescheduled => ("maintenance.rescheduled", "mail-maintenance-rescheduled"),
                Letters::Cancelled => ("maintenance.cancelled", "mail-maintenance-cancelled"),
                Letters::Overridden(_) => ("maintenance.overridden", "mail-maintenance-overridden"),
                Letters::Reminder => ("maintenance.reminder", "mail-maintenance-reminder"),
                Letters::Decided(_) => ("maintenance.decided", "mail-maintenance-decided"),
                Letters::Starting => ("maintenance.starting", "mail-maintenance-starting"),
            };
            let mut paragraphs = vec![t.a(&format!("{key}-body"), &args)];
            if letter != Letters::Cancelled && !about.occurrences.is_empty() {
                paragraphs.push(t.a(
                    "mail-maintenance-occurrences",
                    &[("count", about.occurrences.len().to_string())],
                ));
                paragraphs.push(
                    about
                        .occurrences
                        .iter()
                        .take(10)
                        .map(|o| format!("{} – {}", when(o.start, *lang), when(o.end, *lang)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            if let Letters::Decided(consent) = letter {
                paragraphs.push(t.s(&format!("mail-maintenance-consent-{}", consent.code())));
            }
            if let Letters::Overridden(why) = letter {
                paragraphs.push(t.a("mail-maintenance-justification", &[("why", why.to_owned())]));
            }
            if let (Some(d), Letters::Proposed | Letters::Rescheduled | Letters::Reminder) =
                (deadline, letter)
            {
                paragraphs.push(t.a("mail-maintenance-deadline", &[("deadline", when(d, *lang))]));
            }
            mails.push(compose(
                Letter {
                    kind,
                    subject: t.a(&format!("{key}-subject"), &args),
                    paragraphs,
                    link: format!(
                        "{}/{}/maintenance/{}",
                        state.public_url(),
                        lang.code(),
                        about.id
                    ),
                    partner: Some(&addressee.partner),
                },
                email,
                *lang,
            ));
        }
    }
    mails
}

// ------------------------------------------------------------------------------------------------
// Proposing.
// ------------------------------------------------------------------------------------------------

/// A proposal's times as the store keeps them.
pub fn new_times(p: &Proposal) -> NewTimes {
    NewTimes {
        start_local: p.start_local.clone(),
        end_local: p.end_local.clone(),
        rrule: p.rrule.clone(),
        occurrences: p.occurrences.clone(),
    }
}

/// Proposes `p` (read and checked, its proposer allowed): consults every partner concerned and
/// mails their admins, in one transaction.
pub async fn propose(state: &AppState, p: &Proposal, stamp: Stamp<'_>) -> ApiResult<StoredWindow> {
    if state.snapshot().service(&p.service).is_none() {
        return Err(ApiError::invalid_field(
            "service",
            format!("no service `{}`", p.service),
        ));
    }
    let now = stamp.at;
    let consulted = consulted_for(state, &p.service, &p.occurrences).await?;
    let to = addressees(state, &consulted).await?;
    let w = state
        .db
        .propose_maintenance(
            &NewWindow {
                service: p.service.clone(),
                title: p.title.clone(),
                description: p.description.clone(),
                times: new_times(p),
            },
            &consulted,
            |id| {
                let about = About {
                    id,
                    service: &p.service,
                    title: &p.title,
                    occurrences: &p.occurrences,
                };
                window_mails(state, &about, Letters::Proposed, &to, now)
            },
            stamp,
        )
        .await?;
    crate::availability::downtime_changed(state, &w.service).await;
    Ok(w)
}

/// The demo's window, where there is none yet: maintenance of MAIL-AGENDA (to which every demo
/// partner subscribes) on three Sundays four weeks apart, 02:00–04:00, the first at least three
/// weeks ahead, proposed now by the demo's service manager and waiting for every partner's answer.
pub async fn load_demo_window(state: &AppState) -> ApiResult<Option<StoredWindow>> {
    const SERVICE: &str = "MAIL-AGENDA";
    if state.snapshot().service(SERVICE).is_none()
        || !state
            .db
            .list_maintenance(Scope::All, &MaintenanceFilter::default())
            .await?
            .is_empty()
    {
        return Ok(None);
    }
    let now = state.now();
    let mut day = pacta_core::subscription::today(now)
        .checked_add(jiff::Span::new().days(21))
        .map_err(|e| ApiError::internal_message(&e.to_string()))?;
    while day.weekday() != jiff::civil::Weekday::Sunday {
        day = day
            .tomorrow()
            .map_err(|e| ApiError::internal_message(&e.to_string()))?;
    }
    let doc = json!({
        "service": SERVICE,
        "start": format!("{day}T02:00"),
        "end": format!("{day}T04:00"),
        "rrule": "FREQ=WEEKLY;INTERVAL=4;COUNT=3",
        "title": {
            "nl": "Upgrade van de mailservers",
            "fr": "Mise à niveau des serveurs de messagerie",
            "de": "Upgrade der Mailserver",
            "en": "Mail server upgrade",
        },
        "description": {
            "nl": "De mailservers krijgen de nieuwe versie; mail en agenda zijn tot twee uur onbereikbaar.",
            "fr": "Les serveurs de messagerie passent à la nouvelle version ; la messagerie et l'agenda sont indisponibles jusqu'à deux heures.",
            "de": "Die Mailserver erhalten die neue Version; Mail und Kalender sind bis zu zwei Stunden nicht erreichbar.",
            "en": "The mail servers move to the new version; mail and calendar are unavailable for up to two hours.",
        },
    });
    let p = read_proposal(
        &pacta_core::catalogue::document::Node::from_json(&doc),
        zone(),
        now,
    )
    .map_err(ApiError::invalid)?;
    propose(state, &p, state.stamp("service-manager@provider.example"))
        .await
        .map(Some)
}

// ------------------------------------------------------------------------------------------------
// What is due: reminders, decisions, starts (the `maintenance.notify` job).
// ------------------------------------------------------------------------------------------------

/// Tells the partners consulted on window `id` what is due at `now` — each once — and sets the
/// job off again at the next instant something will be:
///
/// * a reminder, two working days of the helpdesk calendar before each deadline
///   ([`reminder_at`]), to a partner whose consent to that occurrence is still pending then
///   (none when that instant is not after it was consulted);
/// * the decision, at the deadline of the first occurrence put to that partner in the round:
///   its consent then;
/// * each occurrence's start, to every partner consulted on it.
pub async fn notify_due(state: &AppState, id: &str, now: Timestamp) -> Result<JobOutcome, String> {
    let store = |e: StoreError| crate::error::cause_chain(&e);
    let api = |e: ApiError| e.message;
    let Some(w) = state
        .db
        .maintenance_window(Scope::All, id)
        .await
        .map_err(store)?
    else {
        return Ok(JobOutcome::Stale(format!("no maintenance window {id}")));
    };
    if w.status == WindowStatus::Cancelled {
        return Ok(JobOutcome::Stale(format!(
            "maintenance window {id} is cancelled"
        )));
    }
    let told: std::collections::HashSet<Notice> = state
        .db
        .maintenance_notices(id)
        .await
        .map_err(store)?
        .into_iter()
        .collect();
    let snapshot = state.snapshot();
    let calendar = snapshot.calendar(snapshot.stored.catalogue.helpdesk_calendar());
    let mut next: Option<Timestamp> = None;
    let mut later = |t: Timestamp| {
        if t > now {
            next = Some(next.map_or(t, |n: Timestamp| n.min(t)));
        }
    };
    let mut due: Vec<(Notice, Letters<'static>, Occurrence, Vec<SubscriptionTerms>)> = Vec::new();
    for c in w.consultations.iter().filter(|c| c.round == w.round) {
        let occurrences: Vec<Occurrence> = w
            .occurrences_of(c.round)
            .into_iter()
            .filter(|o| o.start >= c.consulted_at)
            .collect();
        let decided = consents(&occurrences, &c.rule(), now).map_err(|e| e.to_string())?;
        let notice = |kind: &'static str, o: &Occurrence| Notice {
            partner: c.partner.clone(),
            round: c.round,
            kind,
            occurrence: o.start.as_second(),
        };
        let mut first = true;
        for (o, d) in occurrences.iter().zip(&decided) {
            if terms_for(&c.subscriptions, o).is_none() {
                continue;
            }
            let remind = calendar
                .and_then(|cal| reminder_at(cal, d.deadline))
                .filter(|r| *r > c.consulted_at && *r < d.deadline);
            if let Some(r) = remind {
                let key = notice("reminder", o);
                if r > now {
                    later(r);
                } else if now < d.deadline && d.consent == Consent::Pending && !told.contains(&key)
                {
                    due.push((key, Letters::Reminder, *o, c.subscriptions.clone()));
                }
            }
            // The decision is told at the deadline of the first occurrence put to the partner.
            if std::mem::take(&mut first) {
                let key = notice("decided", o);
                if d.deadline > now {
                    later(d.deadline);
                } else if !told.contains(&key) {
                    due.push((
                        key,
                        Letters::Decided(d.consent),
                        *o,
                        c.subscriptions.clone(),
                    ));
                }
            }
            let key = notice("starting", o);
            if o.start > now {
                later(o.start);
            } else if now < o.end && !told.contains(&key) {
                due.push((key, Letters::Starting, *o, c.subscriptions.clone()));
            }
        }
    }
    let mut said = 0;
    for (notice, letter, o, subscriptions) in &due {
        let admins = crate::subscriptions::partner_admins(state, &notice.partner)
            .await
            .map_err(api)?;
        let to = [Addressee {
            partner: notice.partner.clone(),
            subscriptions: subscriptions.clone(),
            admins,
        }];
        let shown = [*o];
        let about = About::window(&w, &shown);
        let mails = window_mails(state, &about, *letter, &to, now);
        if state
            .db
            .tell_maintenance_notice(id, notice, &mails, state.stamp(SYSTEM))
            .await
            .map_err(store)?
        {
            said += 1;
        }
    }
    if let Some(at) = next {
        state
            .db
            .enqueue_jobs(&[NewJob::new(NOTIFY_JOB, id, at)], state.stamp(SYSTEM))
            .await
            .map_err(store)?;
    }
    Ok(if said == 0 {
        JobOutcome::Stale("nothing due".into())
    } else {
        JobOutcome::Done
    })
}
