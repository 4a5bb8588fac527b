package app_test

import (
	"bytes"
	"context"
	"errors"
	mrand "math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
	"github.com/discern-org/discern/internal/sqldb/sqldbtest"
)

// clock is a deterministic clock, a millisecond further at each reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

var seedCounter struct {
	mu sync.Mutex
	n  byte
}

// options returns deterministic options; each call gets its own stream so
// that two Apps never make the same keys.
func options(warn *bytes.Buffer) app.Options {
	seedCounter.mu.Lock()
	seedCounter.n++
	seed := [32]byte{7, seedCounter.n}
	seedCounter.mu.Unlock()
	o := app.Options{
		Now:  (&clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}).Now,
		Rand: mrand.NewChaCha8(seed),
	}
	if warn != nil {
		o.Warnings = warn
	}
	return o
}

// sqliteConfig is a configuration for a data directory that does not
// exist yet.
func sqliteConfig(t testing.TB) app.Config {
	t.Helper()
	return app.Config{DataDir: filepath.Join(t.TempDir(), "data")}
}

// pgConfig returns a configuration on a fresh schema of the test
// PostgreSQL (its key vault in a schema of its own), dropped at the end,
// or skips the test.
func pgConfig(t testing.TB) app.Config {
	t.Helper()
	dsn, keySchema := sqldbtest.Schema(t)
	return app.Config{DataDir: filepath.Join(t.TempDir(), "data"), Database: dsn, KeySchema: keySchema}
}

// engines runs a test on SQLite and, when configured, PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, cfg func(testing.TB) app.Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteConfig) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgConfig) })
}

func mustOpen(t testing.TB, cfg app.Config, opt app.Options) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is an organization and a caseworker to record people with.
type fixture struct {
	org  *discern.Organization
	user *discern.User
}

func newFixture(t testing.TB, a *app.App) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{
		org: &discern.Organization{Name: "Harbour Outreach (fictional)", Country: "GB"},
	}
	must(t, a.DB.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateOrganization(ctx, f.org); err != nil {
			return err
		}
		f.user = &discern.User{OrgID: f.org.ID, Email: "caseworker@example.org", DisplayName: "Sam Caseworker", Role: discern.RoleCaseworker}
		return tx.CreateUser(ctx, f.user)
	}))
	return f
}

// addPerson records a person with a sealed case code and name, and the
// audit entry of their creation, as a service would.
func addPerson(t testing.TB, a *app.App, f fixture, name string) *discern.Person {
	t.Helper()
	ctx := context.Background()
	id, err := discern.NewID(a.Now(), a.Rand)
	must(t, err)
	p := &discern.Person{ID: id, OrgID: f.org.ID, CreatedBy: f.user.ID}
	p.Name, err = a.Sealer.EncryptField(ctx, id, seal.Binding{Table: "people", Column: "name", RowID: id}, []byte(name))
	must(t, err)
	p.NameIndex, err = a.Keys.BlindIndex("name", name)
	must(t, err)
	// Case codes are short; on the rare collision, draw another.
	for {
		code, err := discern.NewCaseCode(a.Rand)
		must(t, err)
		p.CaseCode, err = a.Sealer.EncryptField(ctx, id, seal.Binding{Table: "people", Column: "case_code", RowID: id}, []byte(code))
		must(t, err)
		p.CaseCodeIndex, err = a.Keys.BlindIndex("case_code", code)
		must(t, err)
		err = a.DB.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			_, err := a.Audit.Append(ctx, tx, discern.AuditEntry{ActorID: f.user.ID, OrgID: f.org.ID, Action: "person.create",
				TargetType: "person", TargetID: p.ID, Outcome: discern.OutcomeSuccess, DataClasses: []discern.DataClass{discern.ClassIdentity}})
			return err
		})
		if de, ok := errors.AsType[*discern.Error](err); ok && de.Kind == discern.KindConflict && de.Field == "case_code" {
			continue
		}
		must(t, err)
		return p
	}
}

// readName reads a person back and decrypts their name.
func readName(t testing.TB, a *app.App, orgID, id string) (string, error) {
	t.Helper()
	ctx := context.Background()
	p, err := a.DB.FindPersonByID(ctx, orgID, id)
	if err != nil {
		t.Fatalf("finding the person: %v", err)
	}
	name, err := a.Sealer.DecryptField(ctx, id, seal.Binding{Table: "people", Column: "name", RowID: id}, p.Name)
	return string(name), err
}
