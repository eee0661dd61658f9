-- A site's documents of one kind (its service-levels documents, which the server
-- reads to check a new incident's copy of them) without reading every document.
CREATE INDEX documents_by_kind ON documents (organisation, site, kind);
