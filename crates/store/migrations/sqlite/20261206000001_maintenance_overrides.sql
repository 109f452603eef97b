-- Every override of a partner's objection, not only the last (issue 12, found by review): an
-- objection given again after an override may be overridden again, and an occurrence that
-- started in between keeps the override that counted before its start. Each occurrence takes
-- the latest override before its start; the columns on the consultation are no longer read.
CREATE TABLE maintenance_overrides (
    window_id TEXT NOT NULL REFERENCES maintenance_windows (id),
    partner TEXT NOT NULL,
    round BIGINT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    justification TEXT NOT NULL
);
CREATE INDEX maintenance_overrides_window ON maintenance_overrides (window_id, partner, round, at);
INSERT INTO maintenance_overrides (window_id, partner, round, at, by_user, justification)
SELECT window_id, partner, round, override_at, COALESCE(override_by, ''),
       COALESCE(override_justification, '')
FROM maintenance_consultations WHERE override_at IS NOT NULL;
