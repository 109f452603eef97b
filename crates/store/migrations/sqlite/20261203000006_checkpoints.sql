-- Where a late result is replayed from (issue 10): the rule's state after a result, written at
-- most once an hour of results per monitor, so a late result replays at most about an hour of
-- raw results however long the monitor has been up — and none of the results that are not kept
-- raw (a seeded or, later, pruned history).
CREATE TABLE monitor_checkpoints (
    monitor_seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (monitor_seq, at)
) WITHOUT ROWID;

-- Before this instant (inclusive) the raw results are not all kept: a late result there cannot
-- be placed. NULL: every result since the origin is kept raw.
ALTER TABLE monitor_tracks ADD COLUMN raw_from BIGINT;
