-- Roll-ups of monitors' results (issue 10, "Storage and scale"): per minute, per hour and per
-- local day (Europe/Brussels, 23- and 25-hour days included), kept up to date by each ingest
-- batch with the results it stores (a retry adds nothing). `grain`: 1 minute, 2 hour, 3 day;
-- `bucket`: the unix second the minute, hour or local day starts. They outlive the raw results:
-- raw 7 days, minutes 31 days, hours 13 months, days forever (the retention jobs come with the
-- probes, issue 11).
CREATE TABLE monitor_rollups (
    monitor_seq BIGINT NOT NULL,
    grain SMALLINT NOT NULL,
    bucket BIGINT NOT NULL,
    checks BIGINT NOT NULL,
    ok BIGINT NOT NULL,
    latency_count BIGINT NOT NULL,
    latency_sum BIGINT NOT NULL,
    latency_max BIGINT,
    PRIMARY KEY (monitor_seq, grain, bucket)
) WITHOUT ROWID;
