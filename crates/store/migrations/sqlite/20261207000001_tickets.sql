-- Tickets (issue 13). A ticket's history is `ticket_events` (its timeline: status moves, public
-- and internal comments, priority changes, escalations, on-call pages); core's rule derives the
-- clocks from it. The row keeps what lists and the queue need as columns: the status, the
-- priority, the clocks' segment logs (`clocks`, JSON) and `queue_at`, the earliest deadline of
-- a running clock (a breached one's is its breach), NULL when no clock runs.
CREATE TABLE ticket_numbers (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE tickets (
    ref TEXT PRIMARY KEY,
    partner_code TEXT NOT NULL REFERENCES partners (code),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    impact TEXT NOT NULL,
    urgency TEXT NOT NULL,
    priority TEXT NOT NULL,
    major_incident BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    requester TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    clocks TEXT NOT NULL,
    queue_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tickets_partner ON tickets (partner_code, created_at);
CREATE INDEX tickets_queue ON tickets (queue_at, ref) WHERE status NOT IN ('resolved', 'closed');

CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    ticket_ref TEXT NOT NULL REFERENCES tickets (ref),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT,
    public BOOLEAN NOT NULL,
    response BOOLEAN NOT NULL,
    body TEXT,
    author TEXT NOT NULL,
    data TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_ref, at, id);
