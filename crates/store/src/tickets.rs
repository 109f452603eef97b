//! The tickets repository (issue 13). A ticket is a row and its timeline (`ticket_events`). Every
//! write is one transaction: the entries, the row's new status, priority, clock logs and queue
//! instant (what core's rule says after them, computed by the caller), its audit entry, the jobs
//! it sets (the next escalation instant) and the mails it sends. A write names the revision it
//! was computed from; if the ticket moved meanwhile it is refused ([`StoreError::Rejected`]) and
//! nothing is written.

use jiff::Timestamp;
use pacta_core::ticket::{reference, EntryKind, Grade, Kind, Priority, Status};
use serde_json::{json, Value};

use crate::jobs::NewJob;
use crate::outbox::NewMail;
use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// A stored ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTicket {
    pub reference: String,
    pub partner: String,
    pub subscription: String,
    pub service: String,
    pub kind: Kind,
    pub impact: Grade,
    pub urgency: Grade,
    pub priority: Priority,
    pub major_incident: bool,
    pub status: Status,
    pub title: String,
    /// Who opened it (a user's e-mail, `admin-token`).
    pub opened_by: String,
    /// Whom it is mailed to: the opener, or the partner contact an agent opened it for.
    pub requester: String,
    pub created_at: Timestamp,
    pub revision: i64,
    /// The clocks' segment logs as core's rule last derived them (JSON).
    pub clocks: Value,
    /// The earliest deadline of a running clock (unix seconds); `None` when none runs.
    pub queue_at: Option<i64>,
}

/// An entry of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEntry {
    pub id: String,
    pub at: Timestamp,
    pub kind: EntryKind,
    /// A status move: the status moved to.
    pub status: Option<Status>,
    /// Seen by the partner's people.
    pub public: bool,
    /// A public response by provider staff (it stops the response clock).
    pub response: bool,
    pub body: Option<String>,
    pub author: String,
    /// What else the entry says (a priority's from/to and reason, an escalation's level).
    pub data: Option<Value>,
}

/// An entry to append (its instant and author are the stamp's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub status: Option<Status>,
    pub public: bool,
    pub response: bool,
    pub body: Option<String>,
    pub data: Option<Value>,
    /// When it happened, if not the stamp's instant (an escalation due earlier, run late).
    pub at: Option<Timestamp>,
}

impl NewEntry {
    pub fn new(kind: EntryKind) -> NewEntry {
        NewEntry {
            kind,
            status: None,
            public: false,
            response: false,
            body: None,
            data: None,
            at: None,
        }
    }
}

/// A ticket to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub partner: String,
    pub subscription: String,
    pub service: String,
    pub kind: Kind,
    pub impact: Grade,
    pub urgency: Grade,
    pub priority: Priority,
    pub major_incident: bool,
    pub title: String,
    pub body: String,
    pub requester: String,
}

/// What core's rule says after a write: the row's derived columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub status: Status,
    pub priority: Priority,
    pub major_incident: bool,
    pub clocks: Value,
    pub queue_at: Option<i64>,
}

/// Which tickets: each condition, when set, must hold.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub partner: Option<String>,
    pub service: Option<String>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    /// Neither resolved nor closed.
    pub open: bool,
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    #[sqlx(rename = "ref")]
    r#ref: String,
    partner_code: String,
    subscription_id: String,
    service: String,
    kind: String,
    impact: String,
    urgency: String,
    priority: String,
    major_incident: bool,
    status: String,
    title: String,
    opened_by: String,
    requester: String,
    created_at: i64,
    revision: i64,
    clocks: String,
    queue_at: Option<i64>,
}

type EntryRow = (
    String,
    i64,
    String,
    Option<String>,
    bool,
    bool,
    Option<String>,
    String,
    Option<String>,
);

/// An entry read with its ticket's reference (a chunk of timelines).
type ChunkEntryRow = (
    String,
    String,
    i64,
    String,
    Option<String>,
    bool,
    bool,
    Option<String>,
    String,
    Option<String>,
);

/// `queue_at` of a ticket with no running clock: after every instant, so that the queue reads
/// in the index's order (`ORDER BY queue_at, ref`) with no sort of the open tickets.
const NO_RUNNING_CLOCK: i64 = i64::MAX;

const SELECT: &str = "SELECT t.ref, t.partner_code, t.subscription_id, t.service, t.kind, \
     t.impact, t.urgency, t.priority, t.major_incident, t.status, t.title, t.opened_by, \
     t.requester, t.created_at, t.revision, t.clocks, t.queue_at FROM tickets t";

fn corrupt(reference: &str, what: &str) -> StoreError {
    StoreError::Rejected(format!("ticket {reference}: unreadable {what}"))
}

fn instant(secs: i64, reference: &str) -> Result<Timestamp> {
    Timestamp::from_second(secs).map_err(|_| corrupt(reference, "instant"))
}

fn from_row(r: TicketRow) -> Result<StoredTicket> {
    let reference = r.r#ref;
    let bad = |what| corrupt(&reference, what);
    Ok(StoredTicket {
        partner: r.partner_code,
        subscription: r.subscription_id,
        service: r.service,
        kind: Kind::parse(&r.kind).ok_or_else(|| bad("kind"))?,
        impact: Grade::parse(&r.impact).ok_or_else(|| bad("impact"))?,
        urgency: Grade::parse(&r.urgency).ok_or_else(|| bad("urgency"))?,
        priority: Priority::from_code(&r.priority).ok_or_else(|| bad("priority"))?,
        major_incident: r.major_incident,
        status: Status::parse(&r.status).ok_or_else(|| bad("status"))?,
        title: r.title,
        opened_by: r.opened_by,
        requester: r.requester,
        created_at: instant(r.created_at, &reference)?,
        revision: r.revision,
        clocks: serde_json::from_str(&r.clocks).map_err(|_| bad("clocks"))?,
        queue_at: r.queue_at.filter(|q| *q != NO_RUNNING_CLOCK),
        reference,
    })
}

fn entry_from_row(r: EntryRow) -> Result<TicketEntry> {
    let (id, at, kind, status, public, response, body, author, data) = r;
    let bad = |what| StoreError::Rejected(format!("ticket entry {id}: unreadable {what}"));
    Ok(TicketEntry {
        at: Timestamp::from_second(at).map_err(|_| bad("instant"))?,
        kind: EntryKind::parse(&kind).ok_or_else(|| bad("kind"))?,
        status: status
            .map(|s| Status::parse(&s).ok_or_else(|| bad("status")))
            .transpose()?,
        public,
        response,
        body,
        author,
        data: data
            .map(|d| serde_json::from_str(&d).map_err(|_| bad("data")))
            .transpose()?,
        id,
    })
}

/// `$n` and `$n+1`…: the filter's conditions, with their binds in order.
fn filter_sql(scope: Scope<'_>, f: &TicketFilter) -> (String, Vec<String>) {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    let mut bind = |column: &str, value: String, conditions: &mut Vec<String>| {
        binds.push(value);
        conditions.push(format!("t.{column} = ${}", binds.len()));
    };
    if let Scope::Partner(p) = scope {
        bind("partner_code", p.to_owned(), &mut conditions);
    }
    if let Some(p) = &f.partner {
        bind("partner_code", p.clone(), &mut conditions);
    }
    if let Some(s) = &f.service {
        bind("service", s.clone(), &mut conditions);
    }
    if let Some(p) = f.priority {
        bind("priority", p.code().to_owned(), &mut conditions);
    }
    if let Some(s) = f.status {
        bind("status", s.code().to_owned(), &mut conditions);
    }
    if f.open {
        conditions.push("t.status NOT IN ('resolved', 'closed')".to_owned());
    }
    let sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    (sql, binds)
}

/// Appends `$entry` (a [`NewEntry`]) to ticket `$reference` inside `$tx`.
macro_rules! insert_entry {
    ($tx:expr, $stamp:expr, $reference:expr, $entry:expr) => {{
        let e: &NewEntry = $entry;
        sqlx::query(
            "INSERT INTO ticket_events (id, ticket_ref, at, kind, status, public, response, body, \
             author, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind($stamp.new_id().to_string())
        .bind($reference)
        .bind(e.at.unwrap_or($stamp.at).as_second())
        .bind(e.kind.code())
        .bind(e.status.map(Status::code))
        .bind(e.public)
        .bind(e.response)
        .bind(e.body.as_deref())
        .bind($stamp.actor)
        .bind(e.data.as_ref().map(Value::to_string))
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Db {
    /// Opens a ticket: its reference (the next number of the stamp's year), its row with the
    /// derived columns `derived` gives for it, its first entry, the audit entry, jobs and mails
    /// (given the new reference).
    pub async fn create_ticket(
        &self,
        new: &NewTicket,
        derived: impl FnOnce(&str) -> Derived,
        effects: impl FnOnce(&str) -> (Vec<NewJob>, Vec<NewMail>),
        stamp: Stamp<'_>,
    ) -> Result<StoredTicket> {
        let year = i64::from(
            stamp
                .at
                .to_zoned(pacta_core::subscription::zone().clone())
                .year(),
        );
        in_tx!(self, |tx| {
            let (number,): (i64,) = sqlx::query_as(
                "INSERT INTO ticket_numbers (year, last) VALUES ($1, 1) ON CONFLICT (year) \
                 DO UPDATE SET last = ticket_numbers.last + 1 RETURNING last",
            )
            .bind(year)
            .fetch_one(&mut *tx)
            .await?;
            let reference = reference(year as i16, number as u32);
            let d = derived(&reference);
            sqlx::query(
                "INSERT INTO tickets (ref, partner_code, subscription_id, service, kind, impact, \
                 urgency, priority, major_incident, status, title, opened_by, requester, \
                 created_at, revision, clocks, queue_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
                 $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16, $14)",
            )
            .bind(&reference)
            .bind(&new.partner)
            .bind(&new.subscription)
            .bind(&new.service)
            .bind(new.kind.code())
            .bind(new.impact.code())
            .bind(new.urgency.code())
            .bind(d.priority.code())
            .bind(d.major_incident)
            .bind(d.status.code())
            .bind(&new.title)
            .bind(stamp.actor)
            .bind(&new.requester)
            .bind(stamp.seconds())
            .bind(d.clocks.to_string())
            .bind(d.queue_at.unwrap_or(NO_RUNNING_CLOCK))
            .execute(&mut *tx)
            .await?;
            let mut opened = NewEntry::new(EntryKind::Opened);
            opened.public = true;
            opened.body = Some(new.body.clone());
            insert_entry!(tx, stamp, &reference, &opened);
            audit_write!(
                tx,
                stamp,
                "create",
                "ticket",
                &reference,
                None::<String>,
                None::<String>,
                Some(
                    json!({"partner": new.partner, "subscription": new.subscription,
                           "kind": new.kind.code(), "impact": new.impact.code(),
                           "urgency": new.urgency.code(), "priority": d.priority.code(),
                           "major_incident": d.major_incident, "title": new.title})
                    .to_string()
                )
            );
            let (jobs, mails) = effects(&reference);
            for job in &jobs {
                enqueue_job!(tx, stamp, job);
            }
            for mail in &mails {
                queue_mail!(tx, stamp, mail);
            }
            Ok(StoredTicket {
                reference,
                partner: new.partner.clone(),
                subscription: new.subscription.clone(),
                service: new.service.clone(),
                kind: new.kind,
                impact: new.impact,
                urgency: new.urgency,
                priority: d.priority,
                major_incident: d.major_incident,
                status: d.status,
                title: new.title.clone(),
                opened_by: stamp.actor.to_owned(),
                requester: new.requester.clone(),
                created_at: stamp.at,
                revision: 1,
                clocks: d.clocks,
                queue_at: d.queue_at,
            })
        })
    }

    /// One ticket, if it exists and is in `scope`.
    pub async fn ticket(&self, scope: Scope<'_>, reference: &str) -> Result<Option<StoredTicket>> {
        let sql = format!("{SELECT} WHERE t.ref = $1 AND ($2 IS NULL OR t.partner_code = $2)");
        let partner = match scope {
            Scope::All => None,
            Scope::Partner(p) => Some(p),
        };
        let row: Option<TicketRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(reference)
                .bind(partner)
                .fetch_optional(pool)
                .await?
        });
        row.map(from_row).transpose()
    }

    /// A ticket's timeline, oldest first (in the order written at one instant).
    pub async fn ticket_entries(&self, reference: &str) -> Result<Vec<TicketEntry>> {
        let rows: Vec<EntryRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, at, kind, status, public, response, body, author, data \
                 FROM ticket_events WHERE ticket_ref = $1 ORDER BY at, id",
            )
            .bind(reference)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(entry_from_row).collect()
    }

    /// The tickets in `scope` that match, the newest first.
    pub async fn list_tickets(
        &self,
        scope: Scope<'_>,
        filter: &TicketFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredTicket>> {
        let (conditions, binds) = filter_sql(scope, filter);
        let n = binds.len();
        let sql = format!(
            "{SELECT}{conditions} ORDER BY t.created_at DESC, t.ref DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        self.ticket_rows(&sql, binds, limit, offset).await
    }

    /// The agents' queue: open tickets that match, by the instant of the next breach (breached
    /// first, the most overdue first), those with no running clock last.
    pub async fn ticket_queue(
        &self,
        filter: &TicketFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredTicket>> {
        let mut filter = filter.clone();
        filter.open = true;
        let (conditions, binds) = filter_sql(Scope::All, &filter);
        let n = binds.len();
        let sql = format!(
            "{SELECT}{conditions} ORDER BY t.queue_at, t.ref LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        self.ticket_rows(&sql, binds, limit, offset).await
    }

    async fn ticket_rows(
        &self,
        sql: &str,
        binds: Vec<String>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredTicket>> {
        let rows: Vec<TicketRow> = with_pool!(self, |pool| {
            let mut q = sqlx::query_as(sql);
            for b in &binds {
                q = q.bind(b);
            }
            q.bind(limit).bind(offset).fetch_all(pool).await?
        });
        rows.into_iter().map(from_row).collect()
    }

    /// A chunk of the open tickets after reference `after` (in reference order), each with its
    /// timeline: what a recomputation reads, `limit` tickets at a time, with two queries.
    pub async fn open_tickets_after(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(StoredTicket, Vec<TicketEntry>)>> {
        let sql = format!(
            "{SELECT} WHERE t.status NOT IN ('resolved', 'closed') AND t.ref > $1 \
             ORDER BY t.ref LIMIT $2"
        );
        let rows: Vec<TicketRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        let tickets = rows.into_iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let (Some(first), Some(last)) = (tickets.first(), tickets.last()) else {
            return Ok(Vec::new());
        };
        // One range read of the chunk's timelines (references sort as they are numbered).
        let entries: Vec<ChunkEntryRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT ticket_ref, id, at, kind, status, public, response, body, author, data \
                     FROM ticket_events WHERE ticket_ref >= $1 AND ticket_ref <= $2 \
                     ORDER BY ticket_ref, at, id",
            )
            .bind(&first.reference)
            .bind(&last.reference)
            .fetch_all(pool)
            .await?
        });
        let mut by_ref: std::collections::HashMap<String, Vec<TicketEntry>> =
            std::collections::HashMap::new();
        for (reference, id, at, kind, status, public, response, body, author, data) in entries {
            let e = entry_from_row((id, at, kind, status, public, response, body, author, data))?;
            by_ref.entry(reference).or_default().push(e);
        }
        Ok(tickets
            .into_iter()
            .map(|t| {
                let entries = by_ref.remove(&t.reference).unwrap_or_default();
                (t, entries)
            })
            .collect())
    }

    /// Stores recomputed clocks: each ticket's derived columns where it is still at the revision
    /// read (a ticket written meanwhile was recomputed by that write) and they moved, and `jobs`,
    /// in one transaction. The revision stays: nobody changed the ticket. The count written.
    pub async fn store_recomputed(
        &self,
        rows: &[(String, i64, Derived)],
        jobs: &[NewJob],
        stamp: Stamp<'_>,
    ) -> Result<u64> {
        match self {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // What a recomputation writes is derived again from the timelines: a chunk lost
                // in a crash is recomputed when its job (undone with it) runs again, so the
                // commit need not wait for the disk.
                sqlx::query("SET LOCAL synchronous_commit TO OFF")
                    .execute(&mut *tx)
                    .await?;
                // One statement for the chunk: a round trip per ticket would cost more than
                // the rule does. Rows whose clocks did not move are left alone.
                let refs: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
                let revisions: Vec<i64> = rows.iter().map(|r| r.1).collect();
                let clocks: Vec<String> = rows.iter().map(|r| r.2.clocks.to_string()).collect();
                let queue: Vec<i64> = rows
                    .iter()
                    .map(|r| r.2.queue_at.unwrap_or(NO_RUNNING_CLOCK))
                    .collect();
                let written = sqlx::query(
                    "UPDATE tickets t SET clocks = u.clocks, queue_at = u.queue_at \
                     FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::bigint[]) \
                       AS u(ref, revision, clocks, queue_at) \
                     WHERE t.ref = u.ref AND t.revision = u.revision \
                       AND (t.clocks <> u.clocks OR t.queue_at <> u.queue_at)",
                )
                .bind(&refs)
                .bind(&revisions)
                .bind(&clocks)
                .bind(&queue)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // The chunk's jobs in one statement too.
                let ids: Vec<String> = jobs.iter().map(|_| stamp.new_id().to_string()).collect();
                let kinds: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
                let subjects: Vec<&str> = jobs.iter().map(|j| j.subject.as_str()).collect();
                let due: Vec<i64> = jobs.iter().map(|j| j.due.as_second()).collect();
                sqlx::query(
                    "INSERT INTO jobs (id, kind, subject, due_at, next_at, attempts, created_at) \
                     SELECT u.id, u.kind, u.subject, u.due, u.due, 0, $5 \
                     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[]) \
                       AS u(id, kind, subject, due) \
                     ON CONFLICT (kind, subject, due_at) DO NOTHING",
                )
                .bind(&ids)
                .bind(&kinds)
                .bind(&subjects)
                .bind(&due)
                .bind(stamp.seconds())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(written)
            }
            Db::Sqlite { write, .. } => {
                let mut tx = write.begin().await?;
                let mut written = 0;
                for (reference, revision, d) in rows {
                    written += sqlx::query(
                        "UPDATE tickets SET clocks = $1, queue_at = $2 \
                         WHERE ref = $3 AND revision = $4 AND (clocks <> $1 OR queue_at <> $2)",
                    )
                    .bind(d.clocks.to_string())
                    .bind(d.queue_at.unwrap_or(NO_RUNNING_CLOCK))
                    .bind(reference)
                    .bind(revision)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                for job in jobs {
                    enqueue_job!(tx, stamp, job);
                }
                tx.commit().await?;
                Ok(written)
            }
        }
    }

    /// Appends `entries` to a ticket read at `revision`, with the derived columns after them,
    /// an audit entry (`action`), jobs and mails; the ticket as it is then. A ticket that moved
    /// since `revision` is [`StoreError::Rejected`], and nothing is written.
    #[allow(clippy::too_many_arguments)]
    pub async fn append_ticket(
        &self,
        reference: &str,
        revision: i64,
        action: &str,
        entries: &[NewEntry],
        derived: &Derived,
        jobs: &[NewJob],
        mails: &[NewMail],
        stamp: Stamp<'_>,
    ) -> Result<StoredTicket> {
        in_tx!(self, |tx| {
            let moved = sqlx::query(
                "UPDATE tickets SET status = $1, priority = $2, major_incident = $3, clocks = $4, \
                 queue_at = $5, revision = revision + 1, updated_at = $6 \
                 WHERE ref = $7 AND revision = $8",
            )
            .bind(derived.status.code())
            .bind(derived.priority.code())
            .bind(derived.major_incident)
            .bind(derived.clocks.to_string())
            .bind(derived.queue_at.unwrap_or(NO_RUNNING_CLOCK))
            .bind(stamp.seconds())
            .bind(reference)
            .bind(revision)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                return Err(StoreError::Rejected(format!(
                    "ticket {reference} has changed meanwhile; read it again"
                )));
            }
            for e in entries {
                insert_entry!(tx, stamp, reference, e);
            }
            let doc: Vec<Value> = entries
                .iter()
                .map(|e| {
                    json!({"kind": e.kind.code(), "status": e.status.map(Status::code),
                           "public": e.public, "data": e.data})
                })
                .collect();
            audit_write!(
                tx,
                stamp,
                action,
                "ticket",
                reference,
                None::<String>,
                None::<String>,
                Some(Value::Array(doc).to_string())
            );
            for job in jobs {
                enqueue_job!(tx, stamp, job);
            }
            for mail in mails {
                queue_mail!(tx, stamp, mail);
            }
            let sql = format!("{SELECT} WHERE t.ref = $1");
            let row: TicketRow = sqlx::query_as(&sql)
                .bind(reference)
                .fetch_one(&mut *tx)
                .await?;
            from_row(row)
        })
    }
}
