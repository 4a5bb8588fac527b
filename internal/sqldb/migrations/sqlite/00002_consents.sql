-- Consent records. A consent is never edited: each change (narrower
-- classes, a new end date, a revocation) is a new row with the same id and
-- the next version, so the history of what a person agreed to, and when,
-- stays whole. Classes and purposes are comma-separated codes, checked by
-- the domain before they are stored.

-- +goose Up
CREATE TABLE consents (
	org_id           TEXT NOT NULL,
	id               TEXT NOT NULL,
	version          INTEGER NOT NULL CHECK (version >= 1),
	person_id        TEXT NOT NULL,
	recipient_kind   TEXT NOT NULL CHECK (recipient_kind IN ('organization', 'service')),
	recipient_id     TEXT NOT NULL,
	recipient_org_id TEXT NOT NULL DEFAULT '',
	classes          TEXT NOT NULL,
	purposes         TEXT NOT NULL,
	method           TEXT NOT NULL CHECK (method IN ('verbal_recorded', 'written', 'signed_on_screen')),
	recorded_by      TEXT NOT NULL,
	language         TEXT NOT NULL DEFAULT '',
	valid_from       TIMESTAMP NOT NULL,
	valid_until      TIMESTAMP,
	revoked_at       TIMESTAMP,
	revoked_by       TEXT NOT NULL DEFAULT '',
	created_at       TIMESTAMP NOT NULL,
	PRIMARY KEY (org_id, id, version),
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);
CREATE INDEX consents_org_person ON consents (org_id, person_id, id, version);

-- +goose Down
DROP TABLE consents;
