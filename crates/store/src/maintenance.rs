//! Maintenance windows and their consultation (issue 12). A proposal is one transaction: the
//! window, its occurrences, a consultation per partner concerned (with the terms of its
//! subscriptions then), the audit entry and the mails. Every later action — an answer, an
//! override, a reschedule, a cancel — reads the window, lets the caller's rule decide on what
//! it read (`check`), and writes only if the window is still at the revision read: two actions
//! at once never both pass a rule that only one of them may.
//!
//! Rounds: a reschedule opens a new consultation round for the occurrences that have not
//! started. A started occurrence keeps its round and so the answers, override and terms that
//! decided it: it is frozen, and its consent never shifts.
//!
//! A partner's people see a window only if their partner is consulted, and then only their own
//! consultation ([`Scope::Partner`]).

use jiff::Timestamp;
use pacta_core::maintenance::consultation::{
    Consultation, PartnerAnswer, PartnerTerms, SubscriptionTerms,
};
use pacta_core::maintenance::Occurrence;
use pacta_core::sla::consent::Answer;
use pacta_core::text::Text;
use serde_json::json;

use crate::jobs::NewJob;
use crate::outbox::NewMail;
use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// The job that tells consulted partners what is due: reminders, decisions, starts. Set off in
/// the transaction of every proposal, reschedule and late consultation; it sets itself off again
/// at the next instant something is due.
pub const NOTIFY_JOB: &str = "maintenance.notify";

/// A notice to a consulted partner, told once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notice {
    pub partner: String,
    pub round: i64,
    /// `reminder`, `decided`, `starting`.
    pub kind: &'static str,
    /// The start of the occurrence it is about (unix seconds).
    pub occurrence: i64,
}

/// Whether a window still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStatus {
    Proposed,
    Cancelled,
}

impl WindowStatus {
    pub fn code(self) -> &'static str {
        match self {
            WindowStatus::Proposed => "proposed",
            WindowStatus::Cancelled => "cancelled",
        }
    }
}

/// A window's times: its first occurrence's local start and end (`YYYY-MM-DDTHH:MM`,
/// Europe/Brussels), its RRULE, and the occurrences they give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimes {
    pub start_local: String,
    pub end_local: String,
    pub rrule: Option<String>,
    pub occurrences: Vec<Occurrence>,
}

/// A proposal to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWindow {
    pub service: String,
    pub title: Text,
    pub description: Option<Text>,
    pub times: NewTimes,
}

/// A partner to consult, with its subscriptions to the service as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consulted {
    pub partner: String,
    pub subscriptions: Vec<SubscriptionTerms>,
}

/// An answer to store (its author and instant are the stamp's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub answer: Answer,
    pub comment: Option<String>,
    pub occurrence: Option<Timestamp>,
    /// Another slot the partner proposes: local start and end.
    pub alternative: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub id: String,
    pub at: Timestamp,
    pub author: String,
    pub answer: NewAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOverride {
    pub at: Timestamp,
    pub by: String,
    pub justification: String,
}

/// A partner's consultation in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConsultation {
    pub partner: String,
    pub round: i64,
    pub consulted_at: Timestamp,
    pub subscriptions: Vec<SubscriptionTerms>,
    pub answers: Vec<StoredAnswer>,
    /// Every override of its objection, in order.
    pub overrides: Vec<StoredOverride>,
}

impl StoredConsultation {
    /// The consultation as the rule reads it.
    pub fn rule(&self) -> Consultation {
        Consultation {
            subscriptions: self.subscriptions.clone(),
            consulted_at: self.consulted_at,
            answers: self
                .answers
                .iter()
                .map(|a| PartnerAnswer {
                    at: a.at,
                    answer: a.answer.answer,
                    occurrence: a.answer.occurrence,
                })
                .collect(),
            overrides: self.overrides.iter().map(|o| o.at).collect(),
        }
    }
}

/// An occurrence and the round that decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredOccurrence {
    pub occurrence: Occurrence,
    pub round: i64,
}

/// A stored window, with its occurrences and the consultations its reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWindow {
    pub id: String,
    pub service: String,
    pub title: Text,
    pub description: Option<Text>,
    pub start_local: String,
    pub end_local: String,
    pub rrule: Option<String>,
    pub status: WindowStatus,
    /// The consultation round now open.
    pub round: i64,
    /// The iCalendar SEQUENCE.
    pub sequence: i64,
    /// The window's ETag: one more at every action.
    pub revision: i64,
    pub proposed_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub occurrences: Vec<StoredOccurrence>,
    /// The occurrences a reschedule or a cancel withdrew before they started, in order.
    pub withdrawn: Vec<Occurrence>,
    pub consultations: Vec<StoredConsultation>,
}

impl StoredWindow {
    /// The consultation of `partner` in `round`.
    pub fn consultation(&self, partner: &str, round: i64) -> Option<&StoredConsultation> {
        self.consultations
            .iter()
            .find(|c| c.partner == partner && c.round == round)
    }

    /// The partners consulted in any round, in order.
    pub fn partners(&self) -> Vec<&str> {
        let mut p: Vec<&str> = self
            .consultations
            .iter()
            .map(|c| c.partner.as_str())
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// The occurrences of `round`.
    pub fn occurrences_of(&self, round: i64) -> Vec<Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.round == round)
            .map(|o| o.occurrence)
            .collect()
    }
}

/// Which windows: each condition, when set, must hold.
#[derive(Debug, Clone, Default)]
pub struct MaintenanceFilter {
    pub service: Option<String>,
    /// Windows on which this partner is consulted.
    pub partner: Option<String>,
}

/// What an action does to a window, decided by the caller's rule on the window as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Answer {
        partner: String,
        answer: NewAnswer,
    },
    Override {
        partner: String,
        justification: String,
    },
    /// New times for the occurrences that have not started (at the stamp's instant), and the
    /// partners to consult on them.
    Reschedule {
        times: NewTimes,
        consulted: Vec<Consulted>,
    },
    Cancel,
    /// A partner whose subscription was approved after the proposal, consulted now in the
    /// open round.
    ConsultLate(Consulted),
}

impl Action {
    fn code(&self) -> &'static str {
        match self {
            Action::Answer { .. } => "answer",
            Action::Override { .. } => "override",
            Action::Reschedule { .. } => "reschedule",
            Action::Cancel => "cancel",
            Action::ConsultLate(_) => "consult",
        }
    }
}

fn terms_doc(subscriptions: &[SubscriptionTerms]) -> String {
    serde_json::Value::Array(
        subscriptions
            .iter()
            .map(|s| {
                let mut doc = json!({
                    "from": s.from.as_second(),
                    "until": s.until.map(|u| u.as_second()),
                    "notice": s.terms.notice_seconds,
                    "silence_is_consent": s.terms.silence_is_consent,
                });
                if let Some(at) = s.consulted_at {
                    doc["consulted_at"] = json!(at.as_second());
                }
                doc
            })
            .collect(),
    )
    .to_string()
}

fn ts(secs: i64, id: &str) -> Result<Timestamp> {
    Timestamp::from_second(secs).map_err(|_| {
        StoreError::Rejected(format!(
            "maintenance window {id}: instant {secs} out of range"
        ))
    })
}

fn corrupt(id: &str, source: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        kind: "maintenance window",
        code: id.to_owned(),
        source,
    }
}

fn terms_from_doc(doc: &str, id: &str) -> Result<Vec<SubscriptionTerms>> {
    #[derive(serde::Deserialize)]
    struct Row {
        from: i64,
        until: Option<i64>,
        notice: i64,
        silence_is_consent: bool,
        #[serde(default)]
        consulted_at: Option<i64>,
    }
    let rows: Vec<Row> = serde_json::from_str(doc).map_err(|e| corrupt(id, e))?;
    rows.into_iter()
        .map(|r| {
            Ok(SubscriptionTerms {
                consulted_at: r.consulted_at.map(|at| ts(at, id)).transpose()?,
                from: ts(r.from, id)?,
                until: r.until.map(|u| ts(u, id)).transpose()?,
                terms: PartnerTerms {
                    notice_seconds: r.notice,
                    silence_is_consent: r.silence_is_consent,
                },
            })
        })
        .collect()
}

type WindowRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
);
type ConsultationRow = (String, i64, i64, String);
/// partner, round, at, by, justification.
type OverrideRow = (String, i64, i64, String, String);
type AnswerRow = (
    String,
    String,
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
);

/// A window's row, its occurrences (start, end, round), consultations, answers and overrides.
type WindowRows = (
    Option<WindowRow>,
    Vec<(i64, i64, i64)>,
    Vec<ConsultationRow>,
    Vec<AnswerRow>,
    Vec<OverrideRow>,
    Vec<(i64, i64)>,
);

const WINDOW_COLUMNS: &str =
    "w.id, w.service, w.title, w.description, w.start_local, w.end_local, \
     w.rrule, w.status, w.round, w.sequence, w.revision, w.proposed_by, w.created_at, w.updated_at";

/// Inserts the occurrences of `$round` and a consultation of each of `$consulted` in it.
macro_rules! insert_round {
    ($tx:expr, $stamp:expr, $id:expr, $round:expr, $occurrences:expr, $consulted:expr) => {{
        for o in $occurrences {
            sqlx::query(
                "INSERT INTO maintenance_occurrences (window_id, start_at, end_at, round) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind($id)
            .bind(o.start.as_second())
            .bind(o.end.as_second())
            .bind($round)
            .execute(&mut *$tx)
            .await?;
        }
        for c in $consulted {
            sqlx::query(
                "INSERT INTO maintenance_consultations (window_id, partner, round, consulted_at, \
                 terms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind($id)
            .bind(&c.partner)
            .bind($round)
            .bind($stamp.seconds())
            .bind(terms_doc(&c.subscriptions))
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

impl Db {
    /// Stores a proposal and consults `consulted`, in one transaction with its audit entry and
    /// the mails `mails` writes (given the window's id). A service that is not in the
    /// catalogue is [`StoreError::Invalid`] on `service`.
    pub async fn propose_maintenance(
        &self,
        new: &NewWindow,
        consulted: &[Consulted],
        mails: impl FnOnce(&str) -> Vec<NewMail>,
        stamp: Stamp<'_>,
    ) -> Result<StoredWindow> {
        let id = stamp.new_id().to_string();
        in_tx!(self, |tx| {
            let service: Option<(String,)> = sqlx::query_as(
                "SELECT code FROM catalogue_entities WHERE kind = 'service' AND code = $1",
            )
            .bind(&new.service)
            .fetch_optional(&mut *tx)
            .await?;
            if service.is_none() {
                return Err(StoreError::invalid(
                    "service",
                    format!("no service `{}`", new.service),
                ));
            }
            sqlx::query(
                "INSERT INTO maintenance_windows (id, service, title, description, start_local, \
                 end_local, rrule, status, round, sequence, revision, proposed_by, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed', 1, 0, 1, $8, $9, $9)",
            )
            .bind(&id)
            .bind(&new.service)
            .bind(serde_json::to_string(&new.title).unwrap_or_default())
            .bind(
                new.description
                    .as_ref()
                    .map(|d| serde_json::to_string(d).unwrap_or_default()),
            )
            .bind(&new.times.start_local)
            .bind(&new.times.end_local)
            .bind(&new.times.rrule)
            .bind(stamp.actor)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            insert_round!(tx, stamp, &id, 1i64, &new.times.occurrences, consulted);
            enqueue_job!(tx, stamp, &NewJob::new(NOTIFY_JOB, &id, stamp.at));
            audit_write!(
                tx,
                stamp,
                "propose",
                "maintenance",
                &id,
                None::<String>,
                None::<String>,
                Some(
                    json!({
                        "service": new.service,
                        "start": new.times.start_local,
                        "end": new.times.end_local,
                        "rrule": new.times.rrule,
                        "occurrences": new.times.occurrences.len(),
                        "consulted": consulted.iter().map(|c| &c.partner).collect::<Vec<_>>(),
                    })
                    .to_string()
                )
            );
            for mail in &mails(&id) {
                queue_mail!(tx, stamp, mail);
            }
            Ok::<(), StoreError>(())
        })?;
        self.maintenance_window(Scope::All, &id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "maintenance window",
                code: id,
            })
    }

    /// One window, if it exists and is in `scope` (a partner: consulted on it), with the
    /// consultations `scope` may see.
    pub async fn maintenance_window(
        &self,
        scope: Scope<'_>,
        id: &str,
    ) -> Result<Option<StoredWindow>> {
        let partner = match scope {
            Scope::All => None,
            Scope::Partner(p) => Some(p),
        };
        let sql = format!(
            "SELECT {WINDOW_COLUMNS} FROM maintenance_windows w WHERE w.id = $1 AND ($2 IS NULL \
             OR EXISTS (SELECT 1 FROM maintenance_consultations c WHERE c.window_id = w.id \
             AND c.partner = $2))"
        );
        let (row, occurrences, consultations, answers, overrides, withdrawn): WindowRows =
            with_pool!(self, |pool| {
                let row = sqlx::query_as(&sql)
                    .bind(id)
                    .bind(partner)
                    .fetch_optional(pool)
                    .await?;
                if row.is_none() {
                    return Ok(None);
                }
                let occurrences = sqlx::query_as(
                "SELECT start_at, end_at, round FROM maintenance_occurrences WHERE window_id = $1 \
                 ORDER BY start_at",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
                let consultations = sqlx::query_as(
                    "SELECT partner, round, consulted_at, terms FROM maintenance_consultations \
                 WHERE window_id = $1 AND ($2 IS NULL OR partner = $2) ORDER BY partner, round",
                )
                .bind(id)
                .bind(partner)
                .fetch_all(pool)
                .await?;
                let answers = sqlx::query_as(
                "SELECT id, partner, round, at, answer, comment, occurrence, alternative_start, \
                 alternative_end, author FROM maintenance_answers WHERE window_id = $1 \
                 AND ($2 IS NULL OR partner = $2) ORDER BY at, id",
            )
            .bind(id)
            .bind(partner)
            .fetch_all(pool)
            .await?;
                let overrides = sqlx::query_as(
                    "SELECT partner, round, at, by_user, justification FROM maintenance_overrides \
                 WHERE window_id = $1 AND ($2 IS NULL OR partner = $2) ORDER BY at",
                )
                .bind(id)
                .bind(partner)
                .fetch_all(pool)
                .await?;
                let withdrawn = sqlx::query_as(
                    "SELECT start_at, end_at FROM maintenance_withdrawn WHERE window_id = $1 \
                     ORDER BY start_at, withdrawn_at",
                )
                .bind(id)
                .fetch_all(pool)
                .await?;
                (
                    row,
                    occurrences,
                    consultations,
                    answers,
                    overrides,
                    withdrawn,
                )
            });
        let Some(row) = row else {
            return Ok(None);
        };
        let mut w = window_from_rows(row, occurrences, consultations, answers, overrides)?;
        for (start, end) in withdrawn {
            w.withdrawn.push(Occurrence {
                start: ts(start, id)?,
                end: ts(end, id)?,
            });
        }
        Ok(Some(w))
    }

    /// The windows in `scope` that match, by their first occurrence.
    pub async fn list_maintenance(
        &self,
        scope: Scope<'_>,
        filter: &MaintenanceFilter,
    ) -> Result<Vec<StoredWindow>> {
        let partner = match scope {
            Scope::All => filter.partner.as_deref(),
            Scope::Partner(p) => {
                if filter.partner.as_deref().is_some_and(|f| f != p) {
                    return Ok(Vec::new());
                }
                Some(p)
            }
        };
        let ids: Vec<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT w.id FROM maintenance_windows w WHERE ($1 IS NULL OR w.service = $1) \
                 AND ($2 IS NULL OR EXISTS (SELECT 1 FROM maintenance_consultations c \
                 WHERE c.window_id = w.id AND c.partner = $2)) ORDER BY w.start_local, w.id",
            )
            .bind(filter.service.as_deref())
            .bind(partner)
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            if let Some(w) = self.maintenance_window(scope, &id).await? {
                out.push(w);
            }
        }
        Ok(out)
    }

    /// Applies `action` to window `id` if `check` accepts the window as read (all of it), in
    /// one transaction with its audit entry and the mails `mails` writes; the window after.
    /// A window changed meanwhile is read again and checked again.
    pub async fn act_on_maintenance(
        &self,
        id: &str,
        action: &Action,
        check: impl Fn(&StoredWindow) -> Result<()>,
        mails: impl Fn(&StoredWindow) -> Vec<NewMail>,
        stamp: Stamp<'_>,
    ) -> Result<StoredWindow> {
        for _ in 0..5 {
            let window = self
                .maintenance_window(Scope::All, id)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "maintenance window",
                    code: id.to_owned(),
                })?;
            check(&window)?;
            if self.write_action(&window, action, &mails, stamp).await? {
                return self
                    .maintenance_window(Scope::All, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound {
                        kind: "maintenance window",
                        code: id.to_owned(),
                    });
            }
        }
        Err(StoreError::Rejected(format!(
            "maintenance window {id} keeps changing: try again"
        )))
    }

    /// Writes `action` if the window is still at `window.revision`; whether it was.
    async fn write_action(
        &self,
        window: &StoredWindow,
        action: &Action,
        mails: &impl Fn(&StoredWindow) -> Vec<NewMail>,
        stamp: Stamp<'_>,
    ) -> Result<bool> {
        let id = window.id.as_str();
        let now = stamp.seconds();
        in_tx!(self, |tx| {
            let (round, sequence, status) = match action {
                Action::Reschedule { .. } => (window.round + 1, window.sequence + 1, "proposed"),
                Action::Cancel => (window.round, window.sequence + 1, "cancelled"),
                _ => (window.round, window.sequence, window.status.code()),
            };
            let (start_local, end_local, rrule) = match action {
                Action::Reschedule { times, .. } => (
                    times.start_local.as_str(),
                    times.end_local.as_str(),
                    times.rrule.as_deref(),
                ),
                _ => (
                    window.start_local.as_str(),
                    window.end_local.as_str(),
                    window.rrule.as_deref(),
                ),
            };
            let moved = sqlx::query(
                "UPDATE maintenance_windows SET revision = revision + 1, round = $1, \
                 sequence = $2, status = $3, start_local = $4, end_local = $5, rrule = $6, \
                 updated_at = $7, cancelled_at = CASE WHEN $3 = 'cancelled' THEN $7 ELSE NULL END \
                 WHERE id = $8 AND revision = $9",
            )
            .bind(round)
            .bind(sequence)
            .bind(status)
            .bind(start_local)
            .bind(end_local)
            .bind(rrule)
            .bind(now)
            .bind(id)
            .bind(window.revision)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                return Ok(false);
            }
            if matches!(action, Action::Reschedule { .. } | Action::Cancel) {
                // Started occurrences stay, with their round (frozen); the others make way,
                // remembered as withdrawn for the calendars that hold them.
                sqlx::query(
                    "INSERT INTO maintenance_withdrawn (window_id, start_at, end_at, round, \
                     withdrawn_at) SELECT window_id, start_at, end_at, round, $2 \
                     FROM maintenance_occurrences WHERE window_id = $1 AND start_at > $2",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "DELETE FROM maintenance_occurrences WHERE window_id = $1 AND start_at > $2",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let detail = match action {
                Action::Answer { partner, answer } => {
                    let answer_id = stamp.new_id().to_string();
                    sqlx::query(
                        "INSERT INTO maintenance_answers (id, window_id, partner, round, at, \
                         answer, comment, occurrence, alternative_start, alternative_end, author) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(&answer_id)
                    .bind(id)
                    .bind(partner)
                    .bind(window.round)
                    .bind(now)
                    .bind(answer.answer.code())
                    .bind(&answer.comment)
                    .bind(answer.occurrence.map(|o| o.as_second()))
                    .bind(answer.alternative.as_ref().map(|a| a.0.as_str()))
                    .bind(answer.alternative.as_ref().map(|a| a.1.as_str()))
                    .bind(stamp.actor)
                    .execute(&mut *tx)
                    .await?;
                    json!({"partner": partner, "answer": answer.answer.code(),
                           "occurrence": answer.occurrence.map(|o| o.to_string()),
                           "comment": answer.comment})
                }
                Action::Override {
                    partner,
                    justification,
                } => {
                    sqlx::query(
                        "INSERT INTO maintenance_overrides (window_id, partner, round, at, \
                         by_user, justification) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(partner)
                    .bind(window.round)
                    .bind(now)
                    .bind(stamp.actor)
                    .bind(justification)
                    .execute(&mut *tx)
                    .await?;
                    json!({"partner": partner, "justification": justification})
                }
                Action::Reschedule { times, consulted } => {
                    insert_round!(tx, stamp, id, round, &times.occurrences, consulted);
                    json!({"start": times.start_local, "end": times.end_local,
                           "rrule": times.rrule, "occurrences": times.occurrences.len(),
                           "round": round})
                }
                Action::Cancel => json!({}),
                Action::ConsultLate(c) => {
                    match window.consultation(&c.partner, window.round) {
                        // Consulted once per window: a further subscription only adds its
                        // terms (each occurrence then takes the strictest that meets it).
                        Some(held) => {
                            // Added now: an occurrence they meet counts as consulted now.
                            let mut terms = held.subscriptions.clone();
                            for s in &c.subscriptions {
                                let known = terms.iter().any(|t| {
                                    (t.from, t.until, t.terms) == (s.from, s.until, s.terms)
                                });
                                if !known {
                                    terms.push(SubscriptionTerms {
                                        consulted_at: Some(stamp.at),
                                        ..*s
                                    });
                                }
                            }
                            sqlx::query(
                                "UPDATE maintenance_consultations SET terms = $1 \
                                 WHERE window_id = $2 AND partner = $3 AND round = $4",
                            )
                            .bind(terms_doc(&terms))
                            .bind(id)
                            .bind(&c.partner)
                            .bind(window.round)
                            .execute(&mut *tx)
                            .await?;
                        }
                        None => {
                            insert_round!(tx, stamp, id, window.round, &[] as &[Occurrence], [c]);
                        }
                    }
                    json!({"partner": c.partner})
                }
            };
            if matches!(action, Action::Reschedule { .. } | Action::ConsultLate(_)) {
                enqueue_job!(tx, stamp, &NewJob::new(NOTIFY_JOB, id, stamp.at));
            }
            audit_write!(
                tx,
                stamp,
                action.code(),
                "maintenance",
                id,
                None::<String>,
                None::<String>,
                Some(detail.to_string())
            );
            for mail in &mails(window) {
                queue_mail!(tx, stamp, mail);
            }
            Ok(true)
        })
    }
}

fn window_from_rows(
    row: WindowRow,
    occurrences: Vec<(i64, i64, i64)>,
    consultations: Vec<ConsultationRow>,
    answers: Vec<AnswerRow>,
    overrides: Vec<OverrideRow>,
) -> Result<StoredWindow> {
    let (
        id,
        service,
        title,
        description,
        start_local,
        end_local,
        rrule,
        status,
        round,
        sequence,
        revision,
        proposed_by,
        created_at,
        updated_at,
    ) = row;
    let title: Text = serde_json::from_str(&title).map_err(|e| corrupt(&id, e))?;
    let description: Option<Text> = description
        .map(|d| serde_json::from_str(&d).map_err(|e| corrupt(&id, e)))
        .transpose()?;
    let status = match status.as_str() {
        "cancelled" => WindowStatus::Cancelled,
        _ => WindowStatus::Proposed,
    };
    let occurrences = occurrences
        .into_iter()
        .map(|(start, end, round)| {
            Ok(StoredOccurrence {
                occurrence: Occurrence {
                    start: ts(start, &id)?,
                    end: ts(end, &id)?,
                },
                round,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut stored: Vec<StoredConsultation> = consultations
        .into_iter()
        .map(|(partner, round, consulted_at, terms)| {
            Ok(StoredConsultation {
                partner,
                round,
                consulted_at: ts(consulted_at, &id)?,
                subscriptions: terms_from_doc(&terms, &id)?,
                answers: Vec::new(),
                overrides: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    for (answer_id, partner, round, at, answer, comment, occurrence, alt_start, alt_end, author) in
        answers
    {
        let Some(c) = stored
            .iter_mut()
            .find(|c| c.partner == partner && c.round == round)
        else {
            continue;
        };
        let answer = Answer::parse(&answer).ok_or_else(|| {
            StoreError::Rejected(format!(
                "maintenance window {id}: unknown answer `{answer}`"
            ))
        })?;
        c.answers.push(StoredAnswer {
            at: ts(at, &id)?,
            author,
            answer: NewAnswer {
                answer,
                comment,
                occurrence: occurrence.map(|o| ts(o, &id)).transpose()?,
                alternative: alt_start.zip(alt_end),
            },
            id: answer_id,
        });
    }
    for (partner, round, at, by, justification) in overrides {
        if let Some(c) = stored
            .iter_mut()
            .find(|c| c.partner == partner && c.round == round)
        {
            c.overrides.push(StoredOverride {
                at: ts(at, &id)?,
                by,
                justification,
            });
        }
    }
    Ok(StoredWindow {
        id,
        service,
        title,
        description,
        start_local,
        end_local,
        rrule,
        status,
        round,
        sequence,
        revision,
        proposed_by,
        created_at,
        updated_at,
        occurrences,
        withdrawn: Vec::new(),
        consultations: stored,
    })
}

impl Db {
    /// The secret of `partner`'s maintenance feed, made from `fresh` if it has none yet.
    pub async fn maintenance_feed_token(
        &self,
        partner: &str,
        fresh: &str,
        stamp: Stamp<'_>,
    ) -> Result<String> {
        // Two first reads at once: one token wins, both answer it.
        in_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO partner_feeds (partner, token, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (partner) DO NOTHING",
            )
            .bind(partner)
            .bind(fresh)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            let (token,): (String,) =
                sqlx::query_as("SELECT token FROM partner_feeds WHERE partner = $1")
                    .bind(partner)
                    .fetch_one(&mut *tx)
                    .await?;
            Ok(token)
        })
    }

    /// Replaces `partner`'s feed secret by `fresh` (the old URL no longer answers), audited.
    pub async fn regenerate_maintenance_feed(
        &self,
        partner: &str,
        fresh: &str,
        stamp: Stamp<'_>,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            sqlx::query("DELETE FROM partner_feeds WHERE partner = $1")
                .bind(partner)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO partner_feeds (partner, token, created_at) VALUES ($1, $2, $3)",
            )
            .bind(partner)
            .bind(fresh)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "regenerate-feed",
                "partner",
                partner,
                Some(partner.to_owned()),
                None::<String>,
                None::<String>
            );
            Ok(())
        })
    }

    /// The secret of `partner`'s maintenance feed, if it has one.
    pub async fn stored_feed_token(&self, partner: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT token FROM partner_feeds WHERE partner = $1")
                .bind(partner)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(t,)| t))
    }
}

impl Db {
    /// The notices told about window `id`.
    pub async fn maintenance_notices(&self, id: &str) -> Result<Vec<Notice>> {
        let rows: Vec<(String, i64, String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT partner, round, kind, occurrence FROM maintenance_notices \
                 WHERE window_id = $1",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(|(partner, round, kind, occurrence)| {
                let kind = ["reminder", "decided", "starting"]
                    .into_iter()
                    .find(|k| *k == kind)?;
                Some(Notice {
                    partner,
                    round,
                    kind,
                    occurrence,
                })
            })
            .collect())
    }

    /// Tells `notice` about window `id` with `mails`, unless it was told already: whether it
    /// was told now. The record and the mails are one transaction.
    pub async fn tell_maintenance_notice(
        &self,
        id: &str,
        notice: &Notice,
        mails: &[NewMail],
        stamp: Stamp<'_>,
    ) -> Result<bool> {
        in_tx!(self, |tx| {
            let fresh = sqlx::query(
                "INSERT INTO maintenance_notices (window_id, partner, round, kind, occurrence, \
                 sent_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(&notice.partner)
            .bind(notice.round)
            .bind(notice.kind)
            .bind(notice.occurrence)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if fresh {
                for mail in mails {
                    queue_mail!(tx, stamp, mail);
                }
            }
            Ok(fresh)
        })
    }
}
