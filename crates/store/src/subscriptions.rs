//! Subscriptions: the agreement, its history of moves, and what a move sets off (jobs, mails)
//! written in the move's own transaction. Which moves are allowed is `core`'s to say
//! ([`pacta_core::subscription::next`]); the store re-checks the state it moves from inside the
//! transaction, so two deciders at once cannot both win.

use jiff::civil::Date;
use pacta_core::subscription::{Move, State};
use serde::Serialize;

use crate::jobs::NewJob;
use crate::outbox::NewMail;
use crate::{in_tx, with_pool, Db, Result, Scope, Stamp, StoreError};

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub id: String,
    pub partner: String,
    pub service: String,
    pub service_version: i64,
    pub pack: String,
    /// As requested; `None`: the pack's standard level.
    pub level: Option<String>,
    pub options: Vec<String>,
    pub quantity: i64,
    pub start_date: Date,
    /// The last day of service (inclusive).
    pub end_date: Option<Date>,
    #[serde(serialize_with = "state_code")]
    pub state: State,
    pub requested_by: String,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

fn state_code<S: serde::Serializer>(state: &State, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(state.code())
}

/// A request, checked by the caller against the service version it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub partner: String,
    pub service: String,
    pub service_version: i64,
    pub pack: String,
    pub level: Option<String>,
    pub options: Vec<String>,
    pub quantity: i64,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

/// One change of a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    /// A [`Move`]'s code, or `move` for a change of version.
    pub action: String,
    pub from: Option<State>,
    pub to: State,
    pub reason: Option<String>,
    pub from_version: Option<i64>,
    pub to_version: Option<i64>,
}

/// One step of a transition: the move, the state it leads to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// A [`Move`]'s code, or `end-date` for a termination set for a later day.
    pub action: &'static str,
    pub to: State,
    pub reason: Option<String>,
}

/// What a write sets off, in the same transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub jobs: Vec<NewJob>,
    pub mails: Vec<NewMail>,
}

/// Which subscriptions: each condition, when set, must hold.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilter {
    pub partner: Option<String>,
    pub service: Option<String>,
    pub state: Option<State>,
}

type SubscriptionRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    i64,
);

const COLUMNS: &str =
    "id, partner_code, service, service_version, pack, level, options, quantity, \
     start_date, end_date, state, requested_by, revision, created_at, updated_at";

fn corrupt(id: &str, what: &str) -> StoreError {
    StoreError::Rejected(format!("subscription `{id}` has an unreadable {what}"))
}

fn from_row(r: SubscriptionRow) -> Result<Subscription> {
    let id = r.0;
    let options: Vec<String> =
        serde_json::from_str(&r.6).map_err(|_| corrupt(&id, "list of options"))?;
    let start_date = r.8.parse().map_err(|_| corrupt(&id, "start date"))?;
    let end_date = match r.9 {
        Some(d) => Some(d.parse().map_err(|_| corrupt(&id, "end date"))?),
        None => None,
    };
    let state = State::parse(&r.10).ok_or_else(|| corrupt(&id, "state"))?;
    Ok(Subscription {
        partner: r.1,
        service: r.2,
        service_version: r.3,
        pack: r.4,
        level: r.5,
        options,
        quantity: r.7,
        start_date,
        end_date,
        state,
        requested_by: r.11,
        revision: r.12,
        created_at: r.13,
        updated_at: r.14,
        id,
    })
}

/// The audit log's document of a subscription.
fn audit_doc(s: &Subscription) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The subscription `$id` inside `$tx`, or not found.
macro_rules! subscription_in_tx {
    ($tx:expr, $id:expr) => {{
        let sql = format!("SELECT {COLUMNS} FROM subscriptions WHERE id = $1");
        let row: Option<SubscriptionRow> = sqlx::query_as(&sql)
            .bind($id)
            .fetch_optional(&mut *$tx)
            .await?;
        from_row(row.ok_or_else(|| StoreError::NotFound {
            kind: "subscription",
            code: $id.to_owned(),
        })?)?
    }};
}

macro_rules! write_effects {
    ($tx:expr, $stamp:expr, $effects:expr) => {{
        for job in &$effects.jobs {
            enqueue_job!($tx, $stamp, job);
        }
        for mail in &$effects.mails {
            queue_mail!($tx, $stamp, mail);
        }
    }};
}

macro_rules! write_event {
    ($tx:expr, $stamp:expr, $id:expr, $action:expr, $from:expr, $to:expr, $reason:expr, $versions:expr) => {{
        let versions: (Option<i64>, Option<i64>) = $versions;
        sqlx::query(
            "INSERT INTO subscription_events (id, subscription_id, at, actor, action, from_state, to_state, reason, from_version, to_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind($stamp.new_id().to_string())
        .bind($id)
        .bind($stamp.seconds())
        .bind($stamp.actor)
        .bind($action)
        .bind($from)
        .bind($to)
        .bind($reason)
        .bind(versions.0)
        .bind(versions.1)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Db {
    /// Records a request (state `requested`), with its effects. A live subscription (requested,
    /// approved, active or suspended) of the same partner to the same service and pack is a
    /// duplicate; an unknown partner is invalid.
    pub async fn request_subscription(
        &self,
        new: &NewSubscription,
        effects: &Effects,
        stamp: Stamp<'_>,
    ) -> Result<Subscription> {
        let options = serde_json::to_string(&new.options).unwrap_or_else(|_| "[]".into());
        in_tx!(self, |tx| {
            let partner: Option<(String,)> =
                sqlx::query_as("SELECT code FROM partners WHERE code = $1")
                    .bind(&new.partner)
                    .fetch_optional(&mut *tx)
                    .await?;
            if partner.is_none() {
                return Err(StoreError::invalid(
                    "partner",
                    format!("no partner `{}`", new.partner),
                ));
            }
            let live: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM subscriptions WHERE partner_code = $1 AND service = $2 AND pack = $3 \
                 AND state IN ('requested', 'approved', 'active', 'suspended')",
            )
            .bind(&new.partner)
            .bind(&new.service)
            .bind(&new.pack)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id,)) = live {
                return Err(StoreError::Duplicate {
                    kind: "live subscription",
                    code: format!(
                        "{} of {} to {} pack {}",
                        id, new.partner, new.service, new.pack
                    ),
                });
            }
            let id = stamp.new_id().to_string();
            sqlx::query(
                "INSERT INTO subscriptions (id, partner_code, service, service_version, pack, level, options, quantity, \
                 start_date, end_date, state, requested_by, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
            )
            .bind(&id)
            .bind(&new.partner)
            .bind(&new.service)
            .bind(new.service_version)
            .bind(&new.pack)
            .bind(&new.level)
            .bind(&options)
            .bind(new.quantity)
            .bind(new.start_date.to_string())
            .bind(new.end_date.map(|d| d.to_string()))
            .bind(State::Requested.code())
            .bind(stamp.actor)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                // Another request for the same made at the same time (subscriptions_one_live).
                sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate {
                    kind: "live subscription",
                    code: format!("of {} to {} pack {}", new.partner, new.service, new.pack),
                },
                other => other.into(),
            })?;
            write_event!(
                tx,
                stamp,
                &id,
                Move::Request.code(),
                None::<&str>,
                State::Requested.code(),
                None::<&str>,
                (None, None)
            );
            let created = subscription_in_tx!(tx, &id);
            write_effects!(tx, stamp, effects);
            audit_write!(
                tx,
                stamp,
                "request",
                "subscription",
                &id,
                Some(created.partner.clone()),
                None::<String>,
                Some(audit_doc(&created))
            );
            Ok(created)
        })
    }

    /// One subscription, if it exists and is in `scope`.
    pub async fn subscription(&self, scope: Scope<'_>, id: &str) -> Result<Option<Subscription>> {
        let sql = format!("SELECT {COLUMNS} FROM subscriptions WHERE id = $1");
        let row: Option<SubscriptionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        match row {
            Some(r) => {
                let s = from_row(r)?;
                Ok(scope.admits(Some(&s.partner)).then_some(s))
            }
            None => Ok(None),
        }
    }

    /// The subscriptions in `scope` that match, oldest first.
    pub async fn list_subscriptions(
        &self,
        scope: Scope<'_>,
        filter: &SubscriptionFilter,
    ) -> Result<Vec<Subscription>> {
        let only = match scope {
            Scope::All => None,
            Scope::Partner(p) => Some(p),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM subscriptions WHERE ($1 IS NULL OR partner_code = $1) \
             AND ($2 IS NULL OR partner_code = $2) AND ($3 IS NULL OR service = $3) \
             AND ($4 IS NULL OR state = $4) ORDER BY created_at, id"
        );
        let rows: Vec<SubscriptionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(only)
                .bind(&filter.partner)
                .bind(&filter.service)
                .bind(filter.state.map(State::code))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(from_row).collect()
    }

    /// Every subscription now in one of `states`, in order of creation, each with its lifecycle
    /// as the rule reads it (`(at, state entered)` in order) — what the staff's overview reads
    /// for thousands of subscriptions, in the way each backend answers fastest (measured for 5,050
    /// subscriptions and their 15,150 events): from SQLite one JSON document, as sqlx hands
    /// SQLite's rows over one at a time (that read took longer than the rest of the overview);
    /// from PostgreSQL the plain rows, which it sends in bulk and builds JSON slowly.
    pub async fn subscriptions_with_lifecycles(
        &self,
        states: &[State],
    ) -> Result<Vec<(Subscription, Vec<(i64, State)>)>> {
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=states.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let parse = |id: &str, to: &str| State::parse(to).ok_or_else(|| corrupt(id, "history"));
        match self {
            Db::Sqlite { read, .. } => {
                let sql = format!(
                    "SELECT json_group_array(json_array(json_array({COLUMNS}), json(( \
                     SELECT json_group_array(json_array(e.at, e.to_state) ORDER BY e.id) \
                     FROM subscription_events e WHERE e.subscription_id = s.id))) \
                     ORDER BY s.created_at, s.id) \
                     FROM subscriptions s WHERE s.state IN ({list})"
                );
                let mut q = sqlx::query_scalar(&sql);
                for state in states {
                    q = q.bind(state.code());
                }
                let doc: String = q.fetch_one(read).await?;
                let rows: Vec<(SubscriptionRow, Vec<(i64, String)>)> = serde_json::from_str(&doc)
                    .map_err(|e| {
                    StoreError::Rejected(format!("the subscriptions read back: {e}"))
                })?;
                rows.into_iter()
                    .map(|(row, events)| {
                        let s = from_row(row)?;
                        let lifecycle = events
                            .into_iter()
                            .map(|(at, to)| Ok((at, parse(&s.id, &to)?)))
                            .collect::<Result<Vec<_>>>()?;
                        Ok((s, lifecycle))
                    })
                    .collect()
            }
            Db::Postgres(pool) => {
                let subscriptions_sql = format!(
                    "SELECT {COLUMNS} FROM subscriptions WHERE state IN ({list}) \
                     ORDER BY created_at, id"
                );
                // Put in order here: sorting 15,000 rows took PostgreSQL longer than reading
                // them. Events are numbered by UUID, in ASCII, so byte order is `ORDER BY id`.
                let events_sql = format!(
                    "SELECT e.subscription_id, e.id, e.at, e.to_state FROM subscription_events e \
                     JOIN subscriptions s ON s.id = e.subscription_id WHERE s.state IN ({list})"
                );
                // One snapshot for both reads: the lifecycles of the subscriptions read.
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                let mut q = sqlx::query_as(&subscriptions_sql);
                for state in states {
                    q = q.bind(state.code());
                }
                let rows: Vec<SubscriptionRow> = q.fetch_all(&mut *tx).await?;
                let mut q = sqlx::query_as(&events_sql);
                for state in states {
                    q = q.bind(state.code());
                }
                let events: Vec<(String, String, i64, String)> = q.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                let mut lifecycles: std::collections::HashMap<String, Vec<(String, i64, State)>> =
                    std::collections::HashMap::new();
                for (id, event, at, to) in events {
                    let state = parse(&id, &to)?;
                    lifecycles.entry(id).or_default().push((event, at, state));
                }
                rows.into_iter()
                    .map(|row| {
                        let s = from_row(row)?;
                        let mut events = lifecycles.remove(&s.id).unwrap_or_default();
                        events.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                        let lifecycle = events.into_iter().map(|(_, at, st)| (at, st)).collect();
                        Ok((s, lifecycle))
                    })
                    .collect()
            }
        }
    }

    /// The history of a subscription, in order.
    pub async fn subscription_history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            String,
            Option<String>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT at, actor, action, from_state, to_state, reason, from_version, to_version \
                 FROM subscription_events WHERE subscription_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(at, actor, action, from, to, reason, from_version, to_version)| {
                    Ok(HistoryEntry {
                        at,
                        actor,
                        action,
                        from: match from {
                            Some(f) => {
                                Some(State::parse(&f).ok_or_else(|| corrupt(id, "history"))?)
                            }
                            None => None,
                        },
                        to: State::parse(&to).ok_or_else(|| corrupt(id, "history"))?,
                        reason,
                        from_version,
                        to_version,
                    })
                },
            )
            .collect()
    }

    /// Moves a subscription that is still `from` through `steps` (each already allowed by
    /// `core`), optionally setting its end date, with the effects. If it is no longer `from`,
    /// nothing is written and the answer is [`StoreError::Rejected`] naming where it stands.
    pub async fn transition_subscription(
        &self,
        id: &str,
        from: State,
        steps: &[Step],
        end_date: Option<Option<Date>>,
        effects: &Effects,
        stamp: Stamp<'_>,
    ) -> Result<Subscription> {
        in_tx!(self, |tx| {
            let before = subscription_in_tx!(tx, id);
            if before.state != from {
                return Err(StoreError::Rejected(format!(
                    "subscription `{id}` is {} now, no longer {from}",
                    before.state
                )));
            }
            let end = match end_date {
                Some(end) => end,
                None => before.end_date,
            };
            // Conditional on the state and revision read (so an end date set meanwhile is not
            // lost): on PostgreSQL a second decider's update waits for the first's commit, then
            // matches nothing (the read above does not lock the row).
            let updated = sqlx::query(
                "UPDATE subscriptions SET state = $1, end_date = $2, revision = revision + 1, updated_at = $3 \
                 WHERE id = $4 AND state = $5 AND revision = $6",
            )
            .bind(steps.last().map_or(from, |s| s.to).code())
            .bind(end.map(|d| d.to_string()))
            .bind(stamp.seconds())
            .bind(id)
            .bind(from.code())
            .bind(before.revision)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Rejected(format!(
                    "subscription `{id}` changed meanwhile: it is no longer {from}"
                )));
            }
            let mut state = from;
            for step in steps {
                write_event!(
                    tx,
                    stamp,
                    id,
                    step.action,
                    Some(state.code()),
                    step.to.code(),
                    step.reason.as_deref(),
                    (None, None)
                );
                state = step.to;
            }
            // What the update made, without reading it back: one round trip less per move.
            let after = Subscription {
                state,
                end_date: end,
                revision: before.revision + 1,
                updated_at: stamp.seconds(),
                ..before.clone()
            };
            write_effects!(tx, stamp, effects);
            let action = steps.iter().map(|s| s.action).collect::<Vec<_>>().join("+");
            audit_write!(
                tx,
                stamp,
                action,
                "subscription",
                id,
                Some(after.partner.clone()),
                Some(audit_doc(&before)),
                Some(audit_doc(&after))
            );
            Ok(after)
        })
    }

    /// Moves a subscription still at `from_version` (and not final) to `to_version` of its
    /// service, with the reason given.
    pub async fn move_subscription(
        &self,
        id: &str,
        from_version: i64,
        to_version: i64,
        reason: Option<&str>,
        effects: &Effects,
        stamp: Stamp<'_>,
    ) -> Result<Subscription> {
        in_tx!(self, |tx| {
            let before = subscription_in_tx!(tx, id);
            if before.service_version != from_version || before.state.is_final() {
                return Err(StoreError::Rejected(format!(
                    "subscription `{id}` is {} at version {} now",
                    before.state, before.service_version
                )));
            }
            let updated = sqlx::query(
                "UPDATE subscriptions SET service_version = $1, revision = revision + 1, updated_at = $2 \
                 WHERE id = $3 AND service_version = $4 AND state = $5",
            )
            .bind(to_version)
            .bind(stamp.seconds())
            .bind(id)
            .bind(from_version)
            .bind(before.state.code())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Rejected(format!(
                    "subscription `{id}` changed meanwhile"
                )));
            }
            write_event!(
                tx,
                stamp,
                id,
                "move",
                Some(before.state.code()),
                before.state.code(),
                reason,
                (Some(from_version), Some(to_version))
            );
            let after = subscription_in_tx!(tx, id);
            write_effects!(tx, stamp, effects);
            audit_write!(
                tx,
                stamp,
                "move",
                "subscription",
                id,
                Some(after.partner.clone()),
                Some(audit_doc(&before)),
                Some(audit_doc(&after))
            );
            Ok(after)
        })
    }
}
