package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/discern-org/discern/internal/discern"
)

// Backup writes a consistent copy of the main database (not the key vault)
// to the new file dst, while the server keeps running: SQLite's VACUUM INTO
// reads one snapshot, so writes that commit meanwhile are either wholly in
// the copy or wholly not. The copy is compacted, contains no free pages
// (so no remnants of deleted rows) and is fsynced before Backup returns.
//
// The key vault is left out on purpose: a backup holds only ciphertext, so
// a person erased after the backup was made (their key destroyed) stays
// unreadable in it. Back up keys.db separately only if you accept that
// erasure then depends on deleting that copy too.
//
// Restore: stop the server, then call Restore (or, by hand, replace
// discern.db in the data directory with the copy and delete discern.db-wal
// and discern.db-shm), keeping the live keys.db; start the server.
//
// On PostgreSQL Backup returns an error: use
// pg_dump --exclude-schema=discern_keys, and restore with pg_restore or
// psql into a database that keeps its live discern_keys schema.
func (db *DB) Backup(ctx context.Context, dst string) error {
	if db.dialect != SQLite {
		return discern.Errorf(discern.KindInvalid, "On PostgreSQL, back up with pg_dump --exclude-schema=%s.", db.schema)
	}
	if dst == "" {
		return discern.Invalid("dst", "Give the backup a file name.")
	}
	abs, err := filepath.Abs(dst)
	if err != nil {
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	if same(abs, db.path) || same(abs, db.keyPath) {
		return discern.Invalid("dst", "The backup must not overwrite the live database.")
	}
	if _, err := os.Lstat(abs); err == nil {
		return discern.Invalid("dst", "%s exists; choose a new file name.", dst)
	}
	// A connection of its own: readers are query_only, which VACUUM INTO
	// refuses, and the writer should not wait for a long copy.
	conn, err := openSQLiteFile(ctx, db.path, sqliteParams("FULL", "deferred", false), 1)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO $1", abs); err != nil {
		os.Remove(abs)
		return mapError("backup", err)
	}
	if err := os.Chmod(abs, 0o600); err != nil {
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	return syncFile(abs)
}

// Restore replaces the SQLite database in dataDir with the backup file src,
// keeping dataDir's key vault. The server must be stopped. The backup is
// checked first (integrity_check); the database it replaces is kept beside
// it as discern.db.before-restore, so that a mistaken restore can be undone
// by hand.
func Restore(ctx context.Context, src, dataDir string) error {
	if err := checkSQLiteFile(ctx, src); err != nil {
		return err
	}
	dst := filepath.Join(dataDir, DBFile)
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, dst+".before-restore"); err != nil {
			return fmt.Errorf("sqldb: restore: %w", err)
		}
	}
	// A log left by the replaced database must not be replayed into the
	// restored one.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqldb: restore: %w", err)
		}
	}
	if err := copyFile(src, dst); err != nil {
		return fmt.Errorf("sqldb: restore: %w", err)
	}
	return nil
}

// checkSQLiteFile opens a backup read-only and runs integrity_check.
func checkSQLiteFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqldb: restore: %w", err)
	}
	d, err := sql.Open("sqlite", "file:"+uriPath(path)+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("sqldb: restore: %w", err)
	}
	defer d.Close()
	var res string
	if err := d.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("sqldb: restore: %s is not a readable SQLite database: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("sqldb: restore: %s failed its integrity check: %s", path, res)
	}
	var n int
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_log'").Scan(&n); err != nil || n != 1 {
		return fmt.Errorf("sqldb: restore: %s is not a Discern database", path)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dst))
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqldb: backup: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func same(a, b string) bool {
	if b == "" {
		return false
	}
	b, _ = filepath.Abs(b)
	return filepath.Clean(a) == filepath.Clean(b)
}

// uriPath escapes the characters that are special in a SQLite file: URI.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(p))
}
