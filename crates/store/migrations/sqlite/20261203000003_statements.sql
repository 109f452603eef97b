-- Monthly availability statements (issue 10): write-once. Each row is the statement object of
-- one subscription and month as the rule answered it, with the fingerprint of its inputs; an
-- amendment is a new row (amendment 1, 2, …) with a reason and an author, never an edit of one.
CREATE TABLE statements (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    partner_code TEXT NOT NULL REFERENCES partners (code),
    service TEXT NOT NULL,
    month TEXT NOT NULL,
    amendment BIGINT NOT NULL,
    doc TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    reason TEXT,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (subscription_id, month, amendment)
);
CREATE INDEX statements_partner ON statements (partner_code, month);

-- The months closed: one row each, written with the month's statements.
CREATE TABLE closed_months (
    month TEXT PRIMARY KEY,
    closed_at BIGINT NOT NULL,
    statements BIGINT NOT NULL
);
