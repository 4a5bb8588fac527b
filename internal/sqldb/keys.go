package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/discern-org/discern/internal/discern"
)

// The key vault: each person's wrapped data key, kept apart from the data
// that backups copy (keys.db for SQLite, the discern_keys schema for
// PostgreSQL). Destroying a key leaves a tombstone row, so that erased can
// be told from never-existed, and an erased person never gets a new key.

// maxWrappedKey bounds a wrapped key; seal's are well under 100 bytes.
const maxWrappedKey = 1024

// PutKey stores a person's new wrapped key.
func (db *DB) PutKey(ctx context.Context, personID string, wrapped []byte) error {
	if !discern.ValidID(personID) {
		return discern.Invalid("person_id", "person_id is not a valid record ID.")
	}
	if len(wrapped) == 0 || len(wrapped) > maxWrappedKey {
		return discern.Invalid("wrapped_key", "A wrapped key is 1 to %d bytes.", maxWrappedKey)
	}
	_, err := db.keys.ExecContext(ctx, "INSERT INTO person_keys (person_id, wrapped_key, created_at) VALUES ($1, $2, $3)",
		personID, wrapped, normTime(db.now()))
	if err == nil {
		return nil
	}
	if IsUniqueViolation(err) {
		if _, gerr := db.GetKey(ctx, personID); errors.Is(gerr, discern.ErrKeyDestroyed) {
			return discern.ErrKeyDestroyed
		}
		return &discern.Error{Kind: discern.KindConflict, Field: "person_id", Message: "This person already has a data key.", Err: err}
	}
	return mapError("put key", err)
}

// GetKey returns a person's wrapped key, or discern.ErrKeyNotFound or
// discern.ErrKeyDestroyed.
func (db *DB) GetKey(ctx context.Context, personID string) ([]byte, error) {
	var wrapped []byte
	err := db.keys.QueryRowContext(ctx, "SELECT wrapped_key FROM person_keys WHERE person_id = $1", personID).Scan(&wrapped)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, discern.ErrKeyNotFound
	case err != nil:
		return nil, mapError("get key", err)
	case wrapped == nil:
		return nil, discern.ErrKeyDestroyed
	}
	return wrapped, nil
}

// DestroyKey destroys a person's key for good, leaving a tombstone. On
// SQLite the vault overwrites the key's bytes (secure_delete) and then
// truncates its write-ahead log, so no copy of the key stays in the files.
// On PostgreSQL the old row version lingers in the table's dead tuples and
// WAL until vacuumed; logical backups (pg_dump) never include it.
func (db *DB) DestroyKey(ctx context.Context, personID string) error {
	if !discern.ValidID(personID) {
		return discern.Invalid("person_id", "person_id is not a valid record ID.")
	}
	now := normTime(db.now())
	_, err := db.keys.ExecContext(ctx, "INSERT INTO person_keys (person_id, wrapped_key, created_at, destroyed_at) VALUES ($1, NULL, $2, $2) "+
		"ON CONFLICT (person_id) DO UPDATE SET wrapped_key = NULL, destroyed_at = COALESCE(person_keys.destroyed_at, excluded.destroyed_at)",
		personID, now)
	if err != nil {
		return mapError("destroy key", err)
	}
	if db.dialect == SQLite {
		return db.checkpointKeys(ctx)
	}
	return nil
}

// checkpointKeys copies the vault's WAL into the database file and empties
// it. With one connection to keys.db in this process there is no reader
// to block it; another process reading the vault could, so it is retried.
func (db *DB) checkpointKeys(ctx context.Context) error {
	for range 5 {
		var busy, logFrames, done int
		if err := db.keys.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
			return mapError("checkpoint key vault", err)
		}
		if busy == 0 {
			return nil
		}
	}
	return &discern.Error{Kind: discern.KindInternal, Err: errors.New("sqldb: the key vault's log could not be truncated; another process holds it open")}
}

// RewrapKeys calls fn for every live key and stores what it returns, a few
// hundred keys per transaction, for master key rotation.
func (db *DB) RewrapKeys(ctx context.Context, fn func(personID string, wrapped []byte) ([]byte, error)) (int, error) {
	const batch = 256
	n, last := 0, ""
	for {
		count, next, err := db.rewrapBatch(ctx, last, batch, fn)
		n += count
		if err != nil || next == "" {
			return n, err
		}
		last = next
	}
}

func (db *DB) rewrapBatch(ctx context.Context, after string, limit int, fn func(string, []byte) ([]byte, error)) (int, string, error) {
	tx, err := db.keys.BeginTx(ctx, nil)
	if err != nil {
		return 0, "", mapError("rewrap keys", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "SELECT person_id, wrapped_key FROM person_keys WHERE person_id > $1 AND wrapped_key IS NOT NULL ORDER BY person_id LIMIT $2",
		after, limit)
	if err != nil {
		return 0, "", mapError("rewrap keys", err)
	}
	type key struct {
		id      string
		wrapped []byte
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.id, &k.wrapped); err != nil {
			rows.Close()
			return 0, "", mapError("rewrap keys", err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, "", mapError("rewrap keys", err)
	}
	for _, k := range keys {
		w, err := fn(k.id, k.wrapped)
		if err != nil {
			return 0, "", err
		}
		if len(w) == 0 || len(w) > maxWrappedKey {
			return 0, "", discern.Invalid("wrapped_key", "A wrapped key is 1 to %d bytes.", maxWrappedKey)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE person_keys SET wrapped_key = $2 WHERE person_id = $1", k.id, w); err != nil {
			return 0, "", mapError("rewrap keys", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, "", mapError("rewrap keys", err)
	}
	if len(keys) < limit {
		return len(keys), "", nil
	}
	return len(keys), keys[len(keys)-1].id, nil
}
