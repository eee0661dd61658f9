-- Sites and the catalog document that lists each site's records.
CREATE TABLE sites (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    -- The catalog's document id, in automerge-repo's text form (bs58check).
    catalog TEXT NOT NULL UNIQUE
);

-- Each document is the Automerge load of its chunks, concatenated in id order.
-- An incremental chunk holds changes; a snapshot (`Automerge::save`) replaces the
-- chunks it was made from, in the same transaction (compaction).
CREATE TABLE chunks (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('incremental', 'snapshot')),
    bytes    BYTEA NOT NULL
);

CREATE INDEX chunks_by_document ON chunks (document, id);
