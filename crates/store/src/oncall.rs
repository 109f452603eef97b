//! The on-call roster (issue 13): one row with the handover and the rotation, and the overrides.
//! A change of the rotation names the revision it was read at (412 otherwise, as every replace).

use jiff::Timestamp;
use pacta_core::oncall::{handover_text, parse_handover, Override, Roster};
use serde_json::json;

use crate::{in_tx, with_pool, Db, Result, Stamp, StoreError};

/// The roster and its revision (0 before anyone set it: `mon 08:00`, nobody).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoster {
    pub roster: Roster,
    pub revision: i64,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Rejected(format!("the on-call roster's {what} is unreadable"))
}

impl Db {
    /// The roster with every override whose end is after `since` (the older ones are history).
    pub async fn oncall_roster(&self, since: Timestamp) -> Result<StoredRoster> {
        let row: Option<(String, String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT handover, users, revision FROM oncall_roster WHERE id = 1")
                .fetch_optional(pool)
                .await?
        });
        let overrides: Vec<(String, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT user_email, from_at, to_at FROM oncall_overrides WHERE to_at > $1 \
                 ORDER BY created_at, id",
            )
            .bind(since.as_second())
            .fetch_all(pool)
            .await?
        });
        let overrides = overrides
            .into_iter()
            .map(|(user, from, to)| {
                Ok(Override {
                    user,
                    from: Timestamp::from_second(from).map_err(|_| corrupt("override"))?,
                    to: Timestamp::from_second(to).map_err(|_| corrupt("override"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (handover, users, revision) = match row {
            Some((h, u, r)) => (
                parse_handover(&h).map_err(|_| corrupt("handover"))?,
                serde_json::from_str(&u).map_err(|_| corrupt("rotation"))?,
                r,
            ),
            None => (
                parse_handover("mon 08:00").map_err(|_| corrupt("handover"))?,
                Vec::new(),
                0,
            ),
        };
        Ok(StoredRoster {
            roster: Roster {
                handover,
                users,
                overrides,
            },
            revision,
        })
    }

    /// Replaces the rotation read at `expected`; the new revision.
    pub async fn put_oncall_rotation(
        &self,
        roster: &Roster,
        expected: i64,
        stamp: Stamp<'_>,
    ) -> Result<i64> {
        let handover = handover_text(roster.handover);
        let users = serde_json::to_string(&roster.users).map_err(|_| corrupt("rotation"))?;
        in_tx!(self, |tx| {
            let current: Option<(i64,)> =
                sqlx::query_as("SELECT revision FROM oncall_roster WHERE id = 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let current = current.map_or(0, |(r,)| r);
            if current != expected {
                return Err(StoreError::Stale {
                    kind: "on-call roster",
                    code: "roster".into(),
                    expected,
                    current,
                });
            }
            sqlx::query(
                "INSERT INTO oncall_roster (id, handover, users, revision, updated_at) \
                 VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET handover = $1, \
                 users = $2, revision = $3, updated_at = $4",
            )
            .bind(&handover)
            .bind(&users)
            .bind(current + 1)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "update",
                "oncall-roster",
                "roster",
                None::<String>,
                None::<String>,
                Some(json!({"handover": handover, "users": roster.users}).to_string())
            );
            Ok(current + 1)
        })
    }

    /// Adds an override.
    pub async fn add_oncall_override(&self, o: &Override, stamp: Stamp<'_>) -> Result<()> {
        in_tx!(self, |tx| {
            let id = stamp.new_id().to_string();
            sqlx::query(
                "INSERT INTO oncall_overrides (id, user_email, from_at, to_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&o.user)
            .bind(o.from.as_second())
            .bind(o.to.as_second())
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            audit_write!(
                tx,
                stamp,
                "create",
                "oncall-override",
                &id,
                None::<String>,
                None::<String>,
                Some(
                    json!({"user": o.user, "from": o.from.to_string(), "to": o.to.to_string()})
                        .to_string()
                )
            );
            Ok(())
        })
    }
}
