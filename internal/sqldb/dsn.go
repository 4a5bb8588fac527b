package sqldb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Dialect names a database engine.
type Dialect string

// The engines Discern runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// The files of a SQLite data directory.
const (
	// DBFile is the main database: everything `discern backup` copies.
	DBFile = "discern.db"
	// KeyFile is the key vault, kept out of backups so that destroying a
	// person's key erases them from every backup too.
	KeyFile = "keys.db"
)

// target is a parsed DSN.
type target struct {
	dialect Dialect
	path    string // SQLite: the main database file
	dsn     string // PostgreSQL: the DSN as given
}

// parseDSN reads the forms Open accepts:
//
//	/var/lib/discern/discern.db        a SQLite file (created if missing)
//	/var/lib/discern                   an existing directory: its discern.db
//	sqlite:/var/lib/discern/discern.db the same, explicitly (also sqlite://PATH)
//	postgres://user@host:5432/db?…     PostgreSQL (also postgresql://)
func parseDSN(dsn string) (target, error) {
	switch {
	case dsn == "":
		return target{}, fmt.Errorf("sqldb: empty database name; give a file path or a postgres:// URL")
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		return target{dialect: Postgres, dsn: dsn}, nil
	}
	path := dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		path = p
		if p, ok := strings.CutPrefix(path, "//"); ok {
			path = p
		}
	} else if i := strings.Index(dsn, "://"); i > 0 && !strings.ContainsAny(dsn[:i], `/\`) {
		return target{}, fmt.Errorf("sqldb: unsupported database URL scheme %q; use a file path, sqlite: or postgres://", dsn[:i])
	}
	switch {
	case path == "":
		return target{}, fmt.Errorf("sqldb: sqlite: needs a file path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return target{}, fmt.Errorf("sqldb: give SQLite a plain file path; in-memory and URI databases cannot be backed up or keep a key vault")
	case strings.ContainsAny(path, "?#\x00"):
		return target{}, fmt.Errorf("sqldb: SQLite path %q must not contain ?, # or NUL", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, DBFile)
	}
	return target{dialect: SQLite, path: filepath.Clean(path)}, nil
}
