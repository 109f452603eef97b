-- What Pacta has told a consulted partner about a window (issue 12): a reminder before a
-- deadline, the decision at the first deadline of a round, an occurrence starting. One row per
-- notice, so the `maintenance.notify` job never tells twice (`occurrence`: the start it is
-- about, in unix seconds).
CREATE TABLE maintenance_notices (
    window_id TEXT NOT NULL REFERENCES maintenance_windows (id),
    partner TEXT NOT NULL,
    round BIGINT NOT NULL,
    kind TEXT NOT NULL,
    occurrence BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (window_id, partner, round, kind, occurrence)
);
