-- Sites and the catalog document that lists each site's records.
CREATE TABLE sites (
    id      TEXT PRIMARY KEY NOT NULL,
    name    TEXT NOT NULL,
    -- The catalog's document id, in automerge-repo's text form (bs58check).
    catalog TEXT NOT NULL UNIQUE
) STRICT;

-- Each document is the Automerge load of its chunks, concatenated in id order.
-- An incremental chunk holds changes; a snapshot (`Automerge::save`) replaces the
-- chunks it was made from, in the same transaction (compaction).
CREATE TABLE chunks (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    document TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('incremental', 'snapshot')),
    bytes    BLOB NOT NULL
) STRICT;

CREATE INDEX chunks_by_document ON chunks (document, id);
