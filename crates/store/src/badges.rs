//! The secrets of per-subscription status badges (issue 14): one per subscription, made on
//! first read, kept as given (the partner admin reads the badge's URL again).

use crate::{in_tx, with_pool, Db, Result, Stamp};

impl Db {
    /// The badge secret of `subscription`, made from `fresh` if it has none yet.
    pub async fn badge_token(
        &self,
        subscription: &str,
        fresh: &str,
        stamp: Stamp<'_>,
    ) -> Result<String> {
        // Two first reads at once: one token wins, both answer it.
        in_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO subscription_badges (subscription_id, token, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (subscription_id) DO NOTHING",
            )
            .bind(subscription)
            .bind(fresh)
            .bind(stamp.seconds())
            .execute(&mut *tx)
            .await?;
            let (token,): (String,) =
                sqlx::query_as("SELECT token FROM subscription_badges WHERE subscription_id = $1")
                    .bind(subscription)
                    .fetch_one(&mut *tx)
                    .await?;
            Ok(token)
        })
    }

    /// The subscription whose badge secret is `token`, if any.
    pub async fn badge_subscription(&self, token: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT subscription_id FROM subscription_badges WHERE token = $1")
                .bind(token)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(s,)| s))
    }
}

impl Db {
    /// The badge secrets the subscriptions `ids` have, in one read.
    pub async fn badge_tokens(
        &self,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let list = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT subscription_id, token FROM subscription_badges \
             WHERE subscription_id IN ({list})"
        );
        let rows: Vec<(String, String)> = with_pool!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(pool).await?
        });
        Ok(rows.into_iter().collect())
    }
}
