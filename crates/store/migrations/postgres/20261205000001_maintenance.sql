-- Maintenance windows agreed with the partners (issue 12). A window is local wall time in
-- Europe/Brussels: `start_local` and `end_local` (`YYYY-MM-DDTHH:MM`) of its first occurrence and
-- maybe an RRULE (normal form); its occurrences are stored as instants (unix seconds), each with
-- the consultation round that decided it. A reschedule opens a new round for the occurrences
-- that have not started: a started occurrence keeps its round, its answers and so its consent
-- (it is frozen). `sequence` is the iCalendar SEQUENCE: one more at each reschedule and at the
-- cancel. `revision` is the window's ETag.
CREATE TABLE maintenance_windows (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    start_local TEXT NOT NULL,
    end_local TEXT NOT NULL,
    rrule TEXT,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'cancelled')),
    round BIGINT NOT NULL,
    sequence BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    proposed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    cancelled_at BIGINT
);
CREATE INDEX maintenance_windows_service ON maintenance_windows (service);

CREATE TABLE maintenance_occurrences (
    window_id TEXT NOT NULL REFERENCES maintenance_windows (id),
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    round BIGINT NOT NULL,
    PRIMARY KEY (window_id, start_at),
    CHECK (end_at > start_at)
);
CREATE INDEX maintenance_occurrences_start ON maintenance_occurrences (start_at);

-- A partner consulted in a round, with its subscriptions to the service as they stood then
-- (`terms`, JSON: `[{"from", "until", "notice", "silence_is_consent"}]`, instants in unix
-- seconds: each occurrence takes the strictest of those that meet it), and the override of its
-- objection, if any.
CREATE TABLE maintenance_consultations (
    window_id TEXT NOT NULL REFERENCES maintenance_windows (id),
    partner TEXT NOT NULL,
    round BIGINT NOT NULL,
    consulted_at BIGINT NOT NULL,
    terms TEXT NOT NULL,
    override_at BIGINT,
    override_by TEXT,
    override_justification TEXT,
    PRIMARY KEY (window_id, partner, round)
);
CREATE INDEX maintenance_consultations_partner ON maintenance_consultations (partner, window_id);

-- A partner's answers, in the order given; `occurrence` names the one occurrence (its start)
-- that an answer is about, NULL for every one.
CREATE TABLE maintenance_answers (
    id TEXT PRIMARY KEY,
    window_id TEXT NOT NULL REFERENCES maintenance_windows (id),
    partner TEXT NOT NULL,
    round BIGINT NOT NULL,
    at BIGINT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('agree', 'object')),
    comment TEXT,
    occurrence BIGINT,
    alternative_start TEXT,
    alternative_end TEXT,
    author TEXT NOT NULL
);
CREATE INDEX maintenance_answers_window ON maintenance_answers (window_id, partner, round, at, id);
