-- Organisations (tenants), their users, and what each user may reach. Sites
-- created before sign-in existed belong to the organisation `default`.
CREATE TABLE organisations (
    id              TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    -- The number the next incident's reference gets (INC-000001 is 1).
    next_incident   INTEGER NOT NULL DEFAULT 1
) STRICT;

INSERT INTO organisations (id, name)
    SELECT 'default', 'Default organisation' WHERE EXISTS (SELECT 1 FROM sites);

-- (SQLite cannot add a column with both a REFERENCES clause and a default.)
ALTER TABLE sites ADD COLUMN organisation TEXT NOT NULL DEFAULT 'default';

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    organisation  TEXT NOT NULL REFERENCES organisations (id),
    -- What the person types to sign in; unique across the server.
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('technician', 'auditor', 'manager', 'admin')),
    -- argon2id in PHC string form.
    password_hash TEXT NOT NULL,
    -- Where documents that name no site go.
    default_site  TEXT NOT NULL REFERENCES sites (id)
) STRICT;

CREATE TABLE user_sites (
    user_id TEXT NOT NULL REFERENCES users (id),
    site    TEXT NOT NULL REFERENCES sites (id),
    PRIMARY KEY (user_id, site)
) STRICT;

-- Browser sessions, API tokens and sync tickets. Only the SHA-256 of each secret
-- is kept, so a copy of the database signs no one in.
CREATE TABLE credentials (
    secret_sha256 TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL CHECK (kind IN ('session', 'token', 'ticket')),
    label         TEXT NOT NULL DEFAULT '',
    created_ms    INTEGER NOT NULL,
    -- NULL: until revoked.
    expires_ms    INTEGER
) STRICT;

CREATE INDEX credentials_by_user ON credentials (user_id);

-- Which organisation and site each document belongs to, and what kind of record
-- it is: fixed on the document's first receipt.
CREATE TABLE documents (
    id            TEXT PRIMARY KEY NOT NULL,
    organisation  TEXT NOT NULL REFERENCES organisations (id),
    site          TEXT NOT NULL REFERENCES sites (id),
    -- The `kind` field on first receipt; NULL when it named none (a tool's document).
    kind          TEXT,
    -- INC-000001 is 1; NULL for records without a human reference.
    reference     INTEGER,
    created_by    TEXT NOT NULL,
    created_ms    INTEGER NOT NULL
) STRICT;

-- Every change the server accepted: who sent it and when it arrived.
CREATE TABLE change_receipts (
    document      TEXT NOT NULL,
    change_hash   TEXT NOT NULL,
    -- The user's id, or `server` for the server's own changes.
    user_id       TEXT NOT NULL,
    received_ms   INTEGER NOT NULL,
    PRIMARY KEY (document, change_hash)
) STRICT;
