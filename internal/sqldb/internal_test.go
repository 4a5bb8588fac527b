package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// TestPlaceholdersByNumber guards the one driver property the shared SQL
// depends on: modernc binds $N by number, like PostgreSQL. A driver that
// binds by order of appearance would return "first-second".
func TestPlaceholdersByNumber(t *testing.T) {
	d, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got string
	if err := d.QueryRow("SELECT $2 || $1", "first-", "second-").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "second-first-" {
		t.Fatalf("SELECT $2 || $1 = %q, want second-first-", got)
	}
}

func TestParseDSN(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, dsn string
		dialect   Dialect
		path      string
		wantErr   bool
	}{
		{"plain path", "/var/lib/discern/discern.db", SQLite, "/var/lib/discern/discern.db", false},
		{"relative path", "data/discern.db", SQLite, "data/discern.db", false},
		{"sqlite scheme", "sqlite:/srv/d.db", SQLite, "/srv/d.db", false},
		{"sqlite URL", "sqlite:///srv/d.db", SQLite, "/srv/d.db", false},
		{"directory", dir, SQLite, filepath.Join(dir, DBFile), false},
		{"postgres", "postgres://u@h:5432/db?sslmode=disable", Postgres, "", false},
		{"postgresql", "postgresql://u@h/db", Postgres, "", false},
		{"empty", "", "", "", true},
		{"empty sqlite", "sqlite:", "", "", true},
		{"memory", ":memory:", "", "", true},
		{"uri", "file:x.db?mode=memory", "", "", true},
		{"query in path", "/x.db?_pragma=journal_mode(OFF)", "", "", true},
		{"mysql", "mysql://u@h/db", "", "", true},
		{"nul", "a\x00b", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDSN(tc.dsn)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("parseDSN(%q) = %+v, want an error", tc.dsn, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.dialect != tc.dialect || got.path != tc.path {
				t.Fatalf("parseDSN(%q) = %+v", tc.dsn, got)
			}
		})
	}
}

func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"/a/b.db", "sqlite:x", "sqlite://x", "postgres://h/db", ":memory:", "file:x", "a?b", "x://y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		got, err := parseDSN(dsn)
		if err != nil {
			return
		}
		switch got.dialect {
		case SQLite:
			if got.path == "" || strings.ContainsAny(got.path, "?#\x00") {
				t.Fatalf("parseDSN(%q) accepted path %q", dsn, got.path)
			}
		case Postgres:
			if got.dsn != dsn {
				t.Fatalf("parseDSN(%q) changed the DSN", dsn)
			}
		default:
			t.Fatalf("parseDSN(%q) gave dialect %q", dsn, got.dialect)
		}
	})
}

func TestCursorRoundTrip(t *testing.T) {
	id, _ := discern.NewID(time.Unix(1700000000, 0), rand.Reader)
	for _, c := range []cursor{{key: 0}, {key: 1772355600123456, id: id}, {key: -5, id: id}, {key: 42}} {
		got, err := decodeCursor(encodeCursor(c))
		if err != nil || got != c {
			t.Fatalf("round trip of %+v: %+v, %v", c, got, err)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	id, _ := discern.NewID(time.Unix(1700000000, 0), rand.Reader)
	f.Add(encodeCursor(cursor{key: 123, id: id}))
	f.Add(encodeCursor(cursor{key: 7}))
	f.Add("")
	f.Add("AQ")
	f.Add("not base64!")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			if discern.KindOf(err) != discern.KindInvalid {
				t.Fatalf("decodeCursor(%q): %v is not KindInvalid", s, err)
			}
			return
		}
		if c.id != "" && !discern.ValidID(c.id) {
			t.Fatalf("decodeCursor(%q) accepted id %q", s, c.id)
		}
		again, err := decodeCursor(encodeCursor(c))
		if err != nil || again != c {
			t.Fatalf("re-encoding %+v gave %+v, %v", c, again, err)
		}
	})
}

// TestPragmas checks the settings every connection must have, because a
// typo in a DSN parameter would otherwise pass silently.
func TestPragmas(t *testing.T) {
	for _, sync := range []struct {
		opt  string
		want int
	}{{"", 2}, {"normal", 1}} {
		db, err := Open(t.Context(), filepath.Join(t.TempDir(), DBFile), Options{Now: time.Now, Rand: rand.Reader, Synchronous: sync.opt})
		if err != nil {
			t.Fatal(err)
		}
		for name, pool := range map[string]*sql.DB{"writer": db.w, "reader": db.r, "keys": db.keys} {
			var journal string
			var synchronous, fk, busy int
			row := pool.QueryRow("SELECT * FROM pragma_journal_mode, pragma_synchronous, pragma_foreign_keys, pragma_busy_timeout")
			if err := row.Scan(&journal, &synchronous, &fk, &busy); err != nil {
				t.Fatal(err)
			}
			if journal != "wal" || synchronous != sync.want || fk != 1 || busy != 10000 {
				t.Errorf("%s (sync %q): journal %s synchronous %d foreign_keys %d busy_timeout %d", name, sync.opt, journal, synchronous, fk, busy)
			}
		}
		var secure int
		if err := db.keys.QueryRow("PRAGMA secure_delete").Scan(&secure); err != nil || secure != 1 {
			t.Errorf("key vault secure_delete = %d, %v", secure, err)
		}
		if _, err := db.r.Exec("CREATE TABLE x (a)"); err == nil {
			t.Error("the reader pool can write")
		}
		for _, f := range []string{db.path, db.keyPath} {
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, %v", f, fi.Mode(), err)
			}
		}
		db.Close()
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), DBFile), Options{Now: time.Now, Rand: rand.Reader, Synchronous: "off"}); err == nil {
		t.Error("synchronous=off was accepted")
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), DBFile), Options{}); err == nil {
		t.Error("Open without a clock and randomness was accepted")
	}
}

func TestMapError(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), DBFile), Options{Now: time.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) error {
		_, err := db.w.Exec(q, args...)
		return err
	}
	now := time.Now()
	if err := exec("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o1', 'n', $1, $1)", now); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		err   error
		kind  discern.ErrorKind
		field string
	}{
		{"unique", exec("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o2', 'n', $1, $1)", now), discern.KindConflict, "name"},
		{"primary key", exec("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o1', 'm', $1, $1)", now), discern.KindConflict, ""},
		{"foreign key", exec("INSERT INTO teams (id, org_id, name, created_at, updated_at) VALUES ('t', 'nope', 'n', $1, $1)", now), discern.KindInvalid, ""},
		{"check", exec("INSERT INTO users (id, org_id, email, display_name, role, created_at, updated_at) VALUES ('u', 'o1', 'e', 'd', 'root', $1, $1)", now), discern.KindInvalid, ""},
		{"not null", exec("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('o3', NULL, $1, $1)", now), discern.KindInvalid, ""},
		{"syntax", exec("INSERT INTO nowhere VALUES (1)"), discern.KindInternal, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := mapError("test", tc.err)
			if discern.KindOf(err) != tc.kind {
				t.Fatalf("mapError(%v) kind %s, want %s", tc.err, discern.KindOf(err), tc.kind)
			}
			if e, _ := err.(*discern.Error); e.Field != tc.field {
				t.Fatalf("field %q, want %q", e.Field, tc.field)
			}
			if IsUniqueViolation(err) != (tc.kind == discern.KindConflict) {
				t.Fatalf("IsUniqueViolation(%v) wrong", err)
			}
			if strings.Contains(discern.MessageOf(err), "INSERT") {
				t.Fatalf("SQL leaked into the user message: %q", discern.MessageOf(err))
			}
		})
	}
	if mapError("x", nil) != nil {
		t.Fatal("mapError(nil) != nil")
	}
}

// TestListPlans checks that SQLite answers every list form from an index
// range, in index order: no full scan and no sort, which is what keeps a
// page cheap at a million rows.
func TestListPlans(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), DBFile), Options{Now: time.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Statistics as a big table would have them, so the planner chooses
	// as it would in production.
	if _, err := db.w.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
	id, _ := discern.NewID(time.Now(), rand.Reader)
	cur := encodeCursor(cursor{key: time.Now().UnixMicro(), id: id})
	complete, draft, someone := discern.ScreeningComplete, discern.ScreeningDraft, id
	var queries []struct {
		name string
		sql  string
		args []any
	}
	add := func(name string, sql string, args []any, err error) {
		if err != nil {
			t.Fatal(err)
		}
		queries = append(queries, struct {
			name string
			sql  string
			args []any
		}{name, sql, args})
	}
	for _, c := range []string{"", cur} {
		p := discern.Page{Cursor: c}
		s, a, err := screeningsQuery(discern.ScreeningFilter{OrgID: "o", Page: p})
		add("screenings by org "+c, s, a, err)
		s, a, err = screeningsQuery(discern.ScreeningFilter{OrgID: "o", Status: &complete, Page: p})
		add("screenings by status "+c, s, a, err)
		s, a, err = screeningsQuery(discern.ScreeningFilter{OrgID: "o", Status: &draft, PersonID: &someone, Page: p})
		add("screenings by person "+c, s, a, err)
		s, a, err = screeningsQuery(discern.ScreeningFilter{OrgID: "o", ScreenerID: &someone, Page: p})
		add("screenings by screener "+c, s, a, err)
		s, a, err = peopleQuery(discern.PersonFilter{OrgID: "o", Page: p})
		add("people by org "+c, s, a, err)
		s, a, err = peopleQuery(discern.PersonFilter{OrgID: "o", TeamID: &someone, Page: p})
		add("people by team "+c, s, a, err)
	}
	for _, q := range queries {
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "; ")
		t.Logf("%s: %s", q.name, all)
		if !strings.Contains(all, "USING INDEX") && !strings.Contains(all, "USING COVERING INDEX") || strings.Contains(all, "TEMP B-TREE") {
			t.Errorf("%s: plan %q", q.name, all)
		}
	}
}
