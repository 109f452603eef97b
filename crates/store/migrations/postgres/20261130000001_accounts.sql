-- Partners, users and what authenticates them (issue 8). Every partner-owned row carries its
-- partner's code; instants are unix seconds; secrets are kept only as SHA-256 hashes (tokens,
-- sessions, one-time links) or argon2id hashes (passwords).

-- A partner: its document in the partners-file shape, with a revision (its ETag).
CREATE TABLE partners (
    code TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    revision BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A user: provider staff (no partner) or one of a partner's people. Roles are the JSON list
-- [{"role", "scope"}]. No password until one is set through a one-time link or stdin.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    partner_code TEXT REFERENCES partners (code),
    lang TEXT NOT NULL,
    roles TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX users_partner ON users (partner_code);

-- Room for single sign-on: an identity of an external issuer (OIDC `iss` + `sub`) linked to a
-- user. Nothing else of the external identity is kept (never a national register number).
CREATE TABLE external_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

-- Signed-in sessions: only the hash of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens (Authorization: Bearer): named, shown once, expiring, revocable.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- One-time links to set a password (an invitation or a reset): expiring, used once.
CREATE TABLE one_time_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

-- The audit log names the partner a write concerns, so that it can be filtered by partner.
ALTER TABLE audit_log ADD COLUMN partner TEXT;
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_partner ON audit_log (partner);
