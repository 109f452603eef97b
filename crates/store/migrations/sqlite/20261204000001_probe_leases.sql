-- Probers share the monitors through leases (issue 11): the monitors fall into a fixed number
-- of shards (a monitor's `seq` modulo the number of shards), and a prober checks the monitors of
-- the shards it holds while its lease runs. A prober that stops releases its shards; one that
-- dies loses them when its lease expires, and the others take them over.
CREATE TABLE probe_leases (
    shard INTEGER PRIMARY KEY,
    holder TEXT,
    expires_at BIGINT NOT NULL DEFAULT 0
);

-- The probers alive: each renews its row with its leases, so that each can tell its fair share.
CREATE TABLE probers (
    holder TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
