-- Incidents (issue 10): declared by the provider's staff for a service, `down` or `degraded`,
-- from `start_at` to `end_at` (NULL while open), with a short title; `revision` is the ETag of
-- the incident's own fields (its end and kind change; nothing else does). Instants are unix
-- seconds. The service is checked against the catalogue when the incident is written. An
-- incident is provider data about a service, so it carries no partner: which partners read it
-- follows from their subscriptions to the service.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('down', 'degraded')),
    title TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT,
    revision BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (end_at IS NULL OR end_at > start_at)
);
CREATE INDEX incidents_service ON incidents (service, start_at);
CREATE INDEX incidents_start ON incidents (start_at);

-- The public updates of an incident, in their author's language (`nl`, `fr`, `de`, `en`),
-- in the order they were written.
CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at BIGINT NOT NULL,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, at, id);
