package sqldb_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// clock is a deterministic clock: every reading is one millisecond after
// the last, so rows get distinct, ordered times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// options returns deterministic Options.
func options() sqldb.Options {
	return sqldb.Options{
		Now:  newClock().Now,
		Rand: mrand.NewChaCha8([32]byte{1, 2, 3}),
	}
}

// openSQLite opens and migrates a fresh SQLite database in a temp dir.
func openSQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	return openSQLiteIn(t, t.TempDir(), options())
}

func openSQLiteIn(t testing.TB, dir string, opt sqldb.Options) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(dir, sqldb.DBFile), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// pgDSN returns the test PostgreSQL DSN or skips the test.
func pgDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("DISCERN_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("DISCERN_TEST_POSTGRES is not set; skipping the PostgreSQL run (set it to a DSN such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return dsn
}

// pgSchema creates a uniquely named schema (and the name of its key vault
// schema), dropped when the test ends, and returns a DSN whose connections
// use it.
func pgSchema(t testing.TB) (dsn, keySchema string) {
	t.Helper()
	base := pgDSN(t)
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	keySchema = schema + "_keys"
	admin, err := sqldb.Open(context.Background(), base, sqldb.Options{Now: time.Now, Rand: rand.Reader, KeySchema: keySchema})
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.WithTx(context.Background(), func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(context.Background(), "CREATE SCHEMA "+schema)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		err := admin.WithTx(context.Background(), func(tx *sqldb.Tx) error {
			for _, s := range []string{schema, keySchema} {
				if _, err := tx.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+s+" CASCADE"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("dropping test schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), keySchema
}

// openPostgres opens and migrates a fresh schema on the test PostgreSQL.
func openPostgres(t testing.TB) *sqldb.DB {
	t.Helper()
	dsn, keySchema := pgSchema(t)
	opt := options()
	opt.KeySchema = keySchema
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

// sealed makes a stand-in ciphertext: long enough to pass the store's
// check, and recognisable in tests. The store never looks inside.
func sealed(s string) discern.Sealed {
	return discern.Sealed("sealed:" + s + ":" + strings.Repeat("#", discern.MinSealedLen))
}

// index makes a stand-in blind index.
func index(s string) discern.BlindIndex {
	h := sha256.Sum256([]byte("index:" + s))
	return discern.BlindIndex(h[:discern.BlindIndexLen])
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// kindOf fails the test unless err has the wanted kind.
func wantKind(t testing.TB, err error, want discern.ErrorKind) {
	t.Helper()
	if got := discern.KindOf(err); got != want {
		t.Fatalf("error kind = %q (%v), want %q", got, err, want)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
