-- Monitors (issue 10): what the probes check, as data. Each monitor is its document in the
-- monitors-file shape, with a revision (its ETag); `service` is the service it watches (the
-- subscription's, for a monitor of one subscription), so that a service's monitors are one
-- index away; a subscription's monitor carries that subscription's partner (`partner_code`,
-- NULL for a monitor of the whole service), as every partner-owned row does. `seq` is a compact integer for the result tables to come (the API shows `id`);
-- it is never reused, even after a delete: `monitor_seq` counts them.
CREATE TABLE monitors (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    subscription_id TEXT REFERENCES subscriptions (id),
    partner_code TEXT REFERENCES partners (code),
    doc TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX monitors_service ON monitors (service, code);
CREATE INDEX monitors_subscription ON monitors (subscription_id);
CREATE INDEX monitors_partner ON monitors (partner_code);

-- The last `seq` given: one row, taken with `UPDATE … RETURNING` inside the creating transaction.
CREATE TABLE monitor_seq (
    id INTEGER PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO monitor_seq (id, last) VALUES (1, 0);
