-- Per-subscription status badges (issue 14): one secret token per subscription, in the badge's
-- URL (an <img> on an intranet page cannot send headers). Kept as given, because the partner
-- admin reads the URL again on the dashboard.
CREATE TABLE subscription_badges (
    subscription_id TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
