-- On-call pages (issue 13): each page of a ticket — to the person on duty or to ICT management —
-- with its attempt (0 the first, 1 the page again, 2 ICT management) and its acknowledgement.
CREATE TABLE oncall_pages (
    id TEXT PRIMARY KEY,
    ticket_ref TEXT NOT NULL REFERENCES tickets (ref),
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    to_kind TEXT NOT NULL,
    to_user TEXT,
    acked_at BIGINT,
    acked_by TEXT,
    UNIQUE (ticket_ref, attempt)
);
