package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
)

// migrations holds the schema per dialect: migrations/<dialect>/*.sql for
// the main database and migrations/keys/<dialect>/*.sql for the key vault.
// Both directories of a dialect pair are kept table for table alike.
//
//go:embed migrations
var migrations embed.FS

// Migrate brings the database and the key vault to the latest schema. It is
// safe to run from several processes at once: on PostgreSQL each schema is
// migrated under a session advisory lock, so replicas that start together
// wait for each other instead of racing. (On SQLite one process owns the
// data directory.)
func (db *DB) Migrate(ctx context.Context) error {
	if db.dialect == Postgres {
		if err := db.createKeySchema(ctx); err != nil {
			return err
		}
	}
	if err := runMigrations(ctx, db.dialect, db.w, string(db.dialect)); err != nil {
		return fmt.Errorf("sqldb: migrating the database: %w", err)
	}
	if err := runMigrations(ctx, db.dialect, db.keys, "keys/"+string(db.dialect)); err != nil {
		return fmt.Errorf("sqldb: migrating the key vault: %w", err)
	}
	return db.prepareHot(ctx)
}

// SchemaVersion returns the database's schema version and the latest one
// this build knows, for `discern migrate` and readiness checks.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := newProvider(db.dialect, db.w, string(db.dialect))
	if err != nil {
		return 0, 0, err
	}
	return p.GetVersions(ctx)
}

func newProvider(d Dialect, conn *sql.DB, dir string) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+dir)
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{
		goose.WithLogger(goose.NopLogger()),
		goose.WithDisableGlobalRegistry(true),
	}
	dialect := goose.DialectSQLite3
	if d == Postgres {
		dialect = goose.DialectPostgres
		opts = append(opts, goose.WithSessionLocker(schemaLocker{}))
	}
	return goose.NewProvider(dialect, conn, sub, opts...)
}

func runMigrations(ctx context.Context, d Dialect, conn *sql.DB, dir string) error {
	p, err := newProvider(d, conn, dir)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// schemaLocker is goose's session locker for PostgreSQL. Unlike goose's own
// it blocks in pg_advisory_lock instead of polling every few seconds, and
// it locks per database and schema, so replicas of one deployment queue
// while unrelated schemas on the same server (tests, other deployments) do
// not wait for each other.
type schemaLocker struct{}

const lockKey = `hashtextextended('discern-migrate:' || current_database() || '.' || coalesce(current_schema(), ''), 0)`

// SessionLock waits for the schema's migration lock.
func (schemaLocker) SessionLock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+lockKey+")")
	return err
}

// SessionUnlock releases the schema's migration lock.
func (schemaLocker) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock("+lockKey+")").Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return errors.New("sqldb: the migration lock was not held")
	}
	return nil
}

// createKeySchema creates the vault's schema. CREATE SCHEMA IF NOT EXISTS
// is not safe against itself running concurrently, so it runs under a
// transaction advisory lock.
func (db *DB) createKeySchema(ctx context.Context) error {
	tx, err := db.keys.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqldb: creating the key vault schema: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('discern-create-schema', 0))"); err != nil {
		return fmt.Errorf("sqldb: creating the key vault schema: %w", err)
	}
	// db.schema passed validIdent, so it is safe to splice in.
	if _, err := tx.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+db.schema); err != nil {
		if pe, ok := errors.AsType[*pgconn.PgError](err); !ok || pe.Code != "42P06" {
			return fmt.Errorf("sqldb: creating the key vault schema: %w", err)
		}
	}
	return tx.Commit()
}
