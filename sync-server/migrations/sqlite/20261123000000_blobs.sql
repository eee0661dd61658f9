-- Evidence outside the documents: photos (and later signature images) addressed by
-- the SHA-256 of their bytes. A blob belongs to the organisation whose user
-- uploaded it; the same bytes uploaded by two organisations are two rows, so no
-- organisation learns what another holds.
CREATE TABLE blobs (
    sha256        TEXT NOT NULL,
    organisation  TEXT NOT NULL REFERENCES organisations (id),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    bytes         BLOB NOT NULL,
    -- The user who first uploaded it, and server time in milliseconds.
    created_by    TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    PRIMARY KEY (sha256, organisation)
) STRICT;
