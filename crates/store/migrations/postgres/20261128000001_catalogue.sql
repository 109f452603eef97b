-- The catalogue: each entity (profile, calendar, level, category, service) is one JSON document in
-- the catalogue-as-code shape, with a revision per entity (its ETag) and, for services, the
-- number of the last published version.
CREATE TABLE catalogue_entities (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    doc TEXT NOT NULL,
    revision BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, code)
);

-- Every publication of a service, kept whole: subscriptions keep the version they agreed on.
CREATE TABLE service_versions (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- One counter for the whole catalogue: the revision of the in-memory snapshot.
CREATE TABLE catalogue_revision (
    id INTEGER PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO catalogue_revision (id, revision) VALUES (1, 0);

-- Who changed what, when: before and after as JSON documents.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    before_doc TEXT,
    after_doc TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
