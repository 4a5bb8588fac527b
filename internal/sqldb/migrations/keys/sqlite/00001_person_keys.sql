-- The key vault (keys.db, beside discern.db and never in its backups). A
-- destroyed key leaves a tombstone: the row stays, without the key, so that
-- "erased" can be told apart from "never had a key" and an erased person's ID
-- can never be given a new key.

-- +goose Up
CREATE TABLE person_keys (
	person_id    TEXT PRIMARY KEY,
	wrapped_key  BLOB,
	created_at   TIMESTAMP NOT NULL,
	destroyed_at TIMESTAMP,
	CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
