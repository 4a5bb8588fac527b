// Package sqldbtest opens real, migrated test databases for other
// packages' tests: SQLite in a temporary directory always, and PostgreSQL
// when DISCERN_TEST_POSTGRES holds a DSN, each test in a schema of its own
// (and a vault schema of its own) dropped when the test ends, so that tests
// running at the same time never see each other's rows.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/sqldb"
)

// EnvPostgres names the environment variable holding the test DSN.
const EnvPostgres = "DISCERN_TEST_POSTGRES"

// Backends lists the engines to run a suite on: "sqlite", and "postgres"
// when a DSN is set.
func Backends() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Open opens and migrates a fresh database on the given backend. For SQLite
// the files are in dir (t.TempDir() when dir is ""). now may be nil for the
// wall clock.
func Open(t testing.TB, backend, dir string, now func() time.Time) *sqldb.DB {
	t.Helper()
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	opt := sqldb.Options{Now: now, Rand: rand.Reader}
	var dsn string
	switch backend {
	case "sqlite":
		if dir == "" {
			dir = t.TempDir()
		}
		dsn = filepath.Join(dir, "discern.db")
	case "postgres":
		dsn, opt.KeySchema = Schema(t)
	default:
		t.Fatalf("sqldbtest: unknown backend %q", backend)
	}
	db, err := sqldb.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Schema creates a uniquely named schema on the test PostgreSQL and names a
// vault schema beside it, both dropped when the test ends, and returns a
// DSN that uses them; it skips the test when no DSN is set.
func Schema(t testing.TB) (dsn, keySchema string) {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set; skipping the PostgreSQL run (set it to a DSN such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvPostgres)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	keySchema = name + "_keys"
	admin, err := sqldb.Open(context.Background(), base, sqldb.Options{Now: time.Now, Rand: rand.Reader, KeySchema: keySchema})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string) error {
		return admin.WithTx(context.Background(), func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(context.Background(), q)
			return err
		})
	}
	if err := exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		for _, s := range []string{name, keySchema} {
			if err := exec("DROP SCHEMA IF EXISTS " + s + " CASCADE"); err != nil {
				t.Errorf("dropping test schema %s: %v", s, err)
			}
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), keySchema
}
