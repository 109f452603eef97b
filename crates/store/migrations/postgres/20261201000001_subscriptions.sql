-- Subscriptions, their history, the job runner's jobs and the mail outbox (issue 9). Instants
-- are unix seconds; dates are `YYYY-MM-DD` (local dates in Europe/Brussels).

-- A partner's agreement on a pack of a service at the version it was agreed on. Options are a
-- JSON list of codes; `level` is as requested (NULL: the pack's standard level).
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    partner_code TEXT NOT NULL REFERENCES partners (code),
    service TEXT NOT NULL,
    service_version BIGINT NOT NULL,
    pack TEXT NOT NULL,
    level TEXT,
    options TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    state TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_partner ON subscriptions (partner_code, state);
CREATE INDEX subscriptions_service ON subscriptions (service, state);
-- One live (requested, approved, active or suspended) subscription per partner, service and pack.
CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions (partner_code, service, pack)
    WHERE state IN ('requested', 'approved', 'active', 'suspended');

-- Every change of a subscription: who, when, from → to, why; a move names both versions.
CREATE TABLE subscription_events (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT,
    from_version BIGINT,
    to_version BIGINT
);
CREATE INDEX subscription_events_subscription ON subscription_events (subscription_id, id);

-- What happens at a time: one row per (kind, subject, due instant), taken with a lease, retried
-- at `next_at` after a failure, done once.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    done_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_once ON jobs (kind, subject, due_at);
CREATE INDEX jobs_pending ON jobs (next_at, id) WHERE done_at IS NULL;

-- Mails to send, written in the recipient's language when they are decided; sent by the
-- `outbox.send` job. `sent_at` is set once delivered; `failed_at` when retrying cannot help.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    partner_code TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    failed_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;
