-- On-call duty (issue 13): the roster (one row: the weekly handover and the rotation, in order)
-- and its overrides (a person on duty over an interval, in the order they were added).
CREATE TABLE oncall_roster (
    id BIGINT PRIMARY KEY,
    handover TEXT NOT NULL,
    users TEXT NOT NULL,
    revision BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oncall_overrides (
    id TEXT PRIMARY KEY,
    user_email TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    to_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX oncall_overrides_to ON oncall_overrides (to_at);
