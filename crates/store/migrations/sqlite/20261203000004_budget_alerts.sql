-- Error-budget notifications sent (issue 10): once per subscription, month and threshold (50 or
-- 100 % of the month's allowed downtime); the row and its mails are written in one transaction.
CREATE TABLE budget_alerts (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    month TEXT NOT NULL,
    threshold BIGINT NOT NULL,
    downtime_seconds BIGINT NOT NULL,
    allowed_seconds BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, month, threshold)
);
