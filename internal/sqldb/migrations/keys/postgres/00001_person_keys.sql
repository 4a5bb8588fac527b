-- The key vault (schema discern_keys, which pg_dump must exclude). A
-- destroyed key leaves a tombstone: the row stays, without the key, so that
-- "erased" can be told apart from "never had a key" and an erased person's ID
-- can never be given a new key.

-- +goose Up
CREATE TABLE person_keys (
	person_id    TEXT PRIMARY KEY,
	wrapped_key  BYTEA,
	created_at   TIMESTAMPTZ NOT NULL,
	destroyed_at TIMESTAMPTZ,
	CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
