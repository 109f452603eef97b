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
