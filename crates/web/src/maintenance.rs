//! A maintenance window as the API and the CLI answer it (issue 12's contract): its times, its
//! occurrences, and per consulted partner its answers, the override and its consent to each
//! occurrence at an instant — through the `consent` op, each occurrence by the consultation
//! round that decides it. The window given is already cut to what the reader may see (a
//! partner's people: their own consultation only).

use jiff::Timestamp;
use pacta_core::maintenance::consultation::consents;
use pacta_core::maintenance::Occurrence;
use pacta_core::subscription::zone;
use pacta_store::maintenance::{StoredConsultation, StoredWindow};
use serde_json::{json, Value};

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
