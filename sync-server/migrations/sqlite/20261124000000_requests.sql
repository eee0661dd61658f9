-- Service requests are numbered on their own (REQ-000001), apart from incidents.
ALTER TABLE organisations ADD COLUMN next_request INTEGER NOT NULL DEFAULT 1;
