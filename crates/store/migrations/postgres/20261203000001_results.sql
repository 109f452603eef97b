-- Monitors' results and the outage history kept from them (issue 10). Compact rows keyed by the
-- monitor's integer `seq` and unix seconds; none of these rows is audited one by one (an ingest
-- batch is). Rows of a deleted monitor stay: its seq is never reused, and closed months were
-- computed from them.
CREATE TABLE monitor_results (
    monitor_seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    ok BOOLEAN NOT NULL,
    latency_ms INTEGER,
    detail TEXT,
    PRIMARY KEY (monitor_seq, at)
);

-- Outages as the rule finds them: open while `end_at` is NULL. `down_at` and `recovered_at`
-- are the results that made the monitor down and up again, so that any window is answered
-- exactly as the rule would over the raw results; a late result is replayed from the last
-- `recovered_at` before it.
CREATE TABLE monitor_outages (
    monitor_seq BIGINT NOT NULL,
    start_at BIGINT NOT NULL,
    down_at BIGINT NOT NULL,
    end_at BIGINT,
    recovered_at BIGINT,
    PRIMARY KEY (monitor_seq, start_at)
);
CREATE INDEX monitor_outages_recovered ON monitor_outages (monitor_seq, recovered_at);

-- Spans no result covers, between the history's origin (1900) and the last result.
CREATE TABLE monitor_gaps (
    monitor_seq BIGINT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    PRIMARY KEY (monitor_seq, start_at)
);
CREATE INDEX monitor_gaps_end ON monitor_gaps (monitor_seq, end_at);

-- The rule's state after each monitor's last result (JSON), and the end of that result's cover.
CREATE TABLE monitor_tracks (
    monitor_seq BIGINT PRIMARY KEY,
    state TEXT NOT NULL,
    last_at BIGINT,
    covered_until BIGINT NOT NULL,
    results BIGINT NOT NULL
);
