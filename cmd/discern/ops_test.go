package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/discern-org/discern/internal/sqldb/sqldbtest"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/app"
	dom "github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// discernEnv runs the command with an environment, as a user would.
func discernEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), append([]string{"discern"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// site is a data directory (and, on PostgreSQL, a schema) to run commands
// against.
type site struct {
	cfg  app.Config
	args []string // the flags that point a command at it
}

func sqliteSite(t *testing.T) site {
	dir := filepath.Join(t.TempDir(), "data")
	return site{cfg: app.Config{DataDir: dir}, args: []string{"--data", dir}}
}

// pgSite makes a fresh schema on the test PostgreSQL, dropped at the end,
// or skips the test.
func pgSite(t *testing.T) site {
	dsn, keySchema := sqldbtest.Schema(t)
	dir := filepath.Join(t.TempDir(), "data")
	return site{
		cfg:  app.Config{DataDir: dir, Database: dsn, KeySchema: keySchema},
		args: []string{"--data", dir, "--database", dsn, "--key-schema", keySchema},
	}
}

func forEachEngine(t *testing.T, fn func(t *testing.T, s site)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteSite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgSite(t)) })
}

func (s site) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return discernEnv(t, nil, append(args, s.args...)...)
}

// open opens the site as the server would (creating it on first use).
func (s site) open(t *testing.T) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), s.cfg, app.Options{Now: time.Now, Rand: rand.Reader, Warnings: io.Discard, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

type seeded struct {
	orgID, userID string
	people        []*dom.Person
	names         []string
}

// seed records an organization, a caseworker and people with sealed
// names, each with its audit entry, through the store and the sealer.
func seed(t *testing.T, a *app.App, names ...string) seeded {
	t.Helper()
	ctx := context.Background()
	org := &dom.Organization{Name: "Harbour Outreach (fictional)"}
	user := &dom.User{Email: "caseworker@example.org", DisplayName: "Sam Caseworker", Role: dom.RoleCaseworker}
	must(t, a.DB.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateOrganization(ctx, org); err != nil {
			return err
		}
		user.OrgID = org.ID
		return tx.CreateUser(ctx, user)
	}))
	s := seeded{orgID: org.ID, userID: user.ID, names: names}
	for _, name := range names {
		s.people = append(s.people, addPerson(t, a, org.ID, user.ID, name))
	}
	return s
}

func addPerson(t *testing.T, a *app.App, orgID, userID, name string) *dom.Person {
	t.Helper()
	p, err := recordPerson(a, orgID, userID, name)
	must(t, err)
	return p
}

// recordPerson records a person as a service would: their fields sealed
// (which puts their data key in the vault first), then the row and its
// audit entry in one transaction.
func recordPerson(a *app.App, orgID, userID, name string) (*dom.Person, error) {
	ctx := context.Background()
	id, err := dom.NewID(a.Now(), a.Rand)
	if err != nil {
		return nil, err
	}
	p := &dom.Person{ID: id, OrgID: orgID, CreatedBy: userID}
	seal1 := func(column, value string) (dom.Sealed, dom.BlindIndex) {
		if err != nil {
			return nil, nil
		}
		var c []byte
		if c, err = a.Sealer.EncryptField(ctx, id, seal.Binding{Table: "people", Column: column, RowID: id}, []byte(value)); err != nil {
			return nil, nil
		}
		var ix []byte
		ix, err = a.Keys.BlindIndex(column, value)
		return c, ix
	}
	p.Name, p.NameIndex = seal1("name", name)
	for {
		code, cerr := dom.NewCaseCode(a.Rand)
		if cerr != nil {
			return nil, cerr
		}
		p.CaseCode, p.CaseCodeIndex = seal1("case_code", code)
		if err != nil {
			return nil, err
		}
		err = a.DB.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			_, err := a.Audit.Append(ctx, tx, dom.AuditEntry{ActorID: userID, OrgID: orgID, Action: "person.create",
				TargetType: "person", TargetID: p.ID, Outcome: dom.OutcomeSuccess, DataClasses: []dom.DataClass{dom.ClassIdentity}})
			return err
		})
		// Case codes are short; on the rare collision, draw another.
		if de, ok := errors.AsType[*dom.Error](err); ok && de.Kind == dom.KindConflict && de.Field == "case_code" {
			err = nil
			continue
		}
		return p, err
	}
}

// readName reads a person back and decrypts their name.
func readName(t *testing.T, a *app.App, orgID, id string) (string, error) {
	t.Helper()
	ctx := context.Background()
	p, err := a.DB.FindPersonByID(ctx, orgID, id)
	if err != nil {
		t.Fatalf("finding the person: %v", err)
	}
	name, err := a.Sealer.DecryptField(ctx, id, seal.Binding{Table: "people", Column: "name", RowID: id}, p.Name)
	return string(name), err
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	must(t, err)
	must(t, os.WriteFile(dst, b, 0o600))
}

func TestMigrateCommand(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s site) {
		code, out, errOut := s.run(t, "migrate")
		m := regexp.MustCompile(`schema version 0 → (\d+)\.`).FindStringSubmatch(out)
		if code != 0 || !strings.Contains(out, "Applied migration") || !strings.Contains(out, "00001") || m == nil {
			t.Fatalf("first migrate: exit %d\n%s%s", code, out, errOut)
		}
		latest := m[1]
		if strings.Contains(out+errOut, "s3cret") {
			t.Fatal("a password was printed")
		}
		code, out, errOut = s.run(t, "migrate")
		if code != 0 || !strings.Contains(out, "already at the latest schema version ("+latest+")") {
			t.Fatalf("second migrate: exit %d\n%s%s", code, out, errOut)
		}
		// Migrating needs no key, and makes none.
		if _, err := os.Stat(s.cfg.KeyFile()); err == nil {
			t.Fatal("migrate created a key file")
		}
	})
}

func TestMigrateCommandsRunTogether(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s site) {
		var wg sync.WaitGroup
		codes := make(chan string, 4)
		for range 4 {
			wg.Go(func() {
				code, out, errOut := s.run(t, "migrate")
				if code != 0 {
					codes <- fmt.Sprintf("exit %d: %s%s", code, out, errOut)
				}
			})
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			t.Error(c)
		}
	})
}

// TestBackupAndRestore follows docs/operations.md: back up while the
// server runs, restore the copy into a fresh data directory holding the
// live key vault and key file, and read the person back.
func TestBackupAndRestore(t *testing.T) {
	live := sqliteSite(t)
	a := live.open(t)
	data := seed(t, a, "Ana Example", "Bea Example")
	backup := filepath.Join(t.TempDir(), "discern-backup.db")

	// Online: the server (a) is still open.
	code, out, errOut := live.run(t, "backup", "--to", backup)
	if code != 0 || !strings.Contains(out, "Backed up") || !strings.Contains(out, "ciphertext only") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	fi, err := os.Stat(backup)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %#o, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(backup)
	must(t, err)
	keyFile, err := os.ReadFile(live.cfg.KeyFile())
	must(t, err)
	for _, secret := range []string{"Ana Example", "Bea Example", "person_keys", strings.Fields(string(keyFile[strings.Index(string(keyFile), "index "):]))[1]} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the backup contains %q", secret)
		}
	}
	// A second backup to the same name is refused rather than overwriting.
	if code, _, errOut := live.run(t, "backup", "--to", backup); code != 2 || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: exit %d %s", code, errOut)
	}
	a.Close() // the server stops; the vault's log is folded into keys.db

	// A fresh machine: the live key vault and key file, then the backup.
	fresh := sqliteSite(t)
	must(t, os.MkdirAll(fresh.cfg.DataDir, 0o700))
	copyFile(t, filepath.Join(live.cfg.DataDir, sqldb.KeyFile), filepath.Join(fresh.cfg.DataDir, sqldb.KeyFile))
	copyFile(t, live.cfg.KeyFile(), fresh.cfg.KeyFile())
	code, out, errOut = fresh.run(t, "restore", "--from", backup)
	if code != 0 || !strings.Contains(out, "Restored") || strings.Contains(out, "before-restore") || errOut != "" {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = fresh.run(t, "audit", "verify")
	if code != 0 || !strings.Contains(out, "audit log intact: 2 entries") {
		t.Fatalf("audit verify of the restored copy: exit %d\n%s%s", code, out, errOut)
	}
	b := fresh.open(t)
	for i, p := range data.people {
		if name, err := readName(t, b, data.orgID, p.ID); err != nil || name != data.names[i] {
			t.Fatalf("restored person %d: %q, %v", i, name, err)
		}
	}
}

// TestRestoreWithoutTheKeys restores into an empty directory: it works,
// and says loudly that nothing decrypts without the vault and key file.
func TestRestoreWithoutTheKeys(t *testing.T) {
	live := sqliteSite(t)
	a := live.open(t)
	seed(t, a, "Ana Example")
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, errOut := live.run(t, "backup", "--to", backup); code != 0 {
		t.Fatal(errOut)
	}
	empty := sqliteSite(t)
	code, _, errOut := empty.run(t, "restore", "--from", backup)
	if code != 0 || !strings.Contains(errOut, "no key vault") || !strings.Contains(errOut, "no key file") {
		t.Fatalf("restore without keys: exit %d\n%s", code, errOut)
	}
	// Each missing piece is named in turn, rather than a new, empty one
	// being put in its place.
	code, _, errOut = empty.run(t, "audit", "verify")
	if code != 2 || !strings.Contains(errOut, "holds no keys, but the database holds people") {
		t.Fatalf("verify without the vault: exit %d\n%s", code, errOut)
	}
	a.Close()
	copyFile(t, filepath.Join(live.cfg.DataDir, sqldb.KeyFile), filepath.Join(empty.cfg.DataDir, sqldb.KeyFile))
	code, _, errOut = empty.run(t, "audit", "verify")
	if code != 2 || !strings.Contains(errOut, "Restore the key file from its backup") {
		t.Fatalf("verify without the key file: exit %d\n%s", code, errOut)
	}
	copyFile(t, live.cfg.KeyFile(), empty.cfg.KeyFile())
	if code, out, errOut := empty.run(t, "audit", "verify"); code != 0 {
		t.Fatalf("verify with both: exit %d\n%s%s", code, out, errOut)
	}
}

// TestBackupIsConsistentWhileWriting backs up while people are being
// recorded: the copy is a snapshot whose audit chain verifies.
func TestBackupIsConsistentWhileWriting(t *testing.T) {
	live := sqliteSite(t)
	a := live.open(t)
	data := seed(t, a, "Ana Example")
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	written := 0
	var writeErr error
	wg.Go(func() {
		for ; ctx.Err() == nil && written < 2000; written++ {
			if _, writeErr = recordPerson(a, data.orgID, data.userID, fmt.Sprintf("Person %d", written)); writeErr != nil {
				return
			}
		}
	})
	backups := make([]string, 3)
	for i := range backups {
		backups[i] = filepath.Join(t.TempDir(), fmt.Sprintf("b%d.db", i))
		if code, out, errOut := live.run(t, "backup", "--to", backups[i]); code != 0 {
			t.Fatalf("backup %d: exit %d\n%s%s", i, code, out, errOut)
		}
	}
	stop()
	wg.Wait()
	must(t, writeErr)
	t.Logf("%d people recorded during the backups", written)
	a.Close()
	for i, b := range backups {
		dir := sqliteSite(t)
		must(t, os.MkdirAll(dir.cfg.DataDir, 0o700))
		copyFile(t, live.cfg.KeyFile(), dir.cfg.KeyFile())
		copyFile(t, filepath.Join(live.cfg.DataDir, sqldb.KeyFile), filepath.Join(dir.cfg.DataDir, sqldb.KeyFile))
		if code, _, errOut := dir.run(t, "restore", "--from", b); code != 0 {
			t.Fatalf("restore %d: %s", i, errOut)
		}
		// The copy is one snapshot: its audit chain verifies, and every
		// person in it has an entry and reads back.
		code, out, errOut := dir.run(t, "audit", "verify")
		if code != 0 {
			t.Fatalf("backup %d taken during writes does not verify: exit %d\n%s%s", i, code, out, errOut)
		}
		r := dir.open(t)
		people, _, err := r.DB.FindPeople(context.Background(), dom.PersonFilter{OrgID: data.orgID, Page: dom.Page{Limit: dom.MaxLimit}})
		must(t, err)
		if want := fmt.Sprintf("audit log intact: %d entries", len(people)); !strings.HasPrefix(out, want) {
			t.Fatalf("backup %d: %d people but %q", i, len(people), out)
		}
		for _, p := range people {
			if _, err := readName(t, r, data.orgID, p.ID); err != nil {
				t.Fatalf("backup %d, person %s: %v", i, p.ID, err)
			}
		}
		r.Close()
	}
}

// TestCryptoShreddingReachesBackups: a person erased after a backup was
// made stays unreadable when that backup is restored, because the backup
// holds only ciphertext and the live vault no longer holds their key.
func TestCryptoShreddingReachesBackups(t *testing.T) {
	live := sqliteSite(t)
	a := live.open(t)
	data := seed(t, a, "Ana Example", "Bea Example")
	backup := filepath.Join(t.TempDir(), "before-erasure.db")
	if code, _, errOut := live.run(t, "backup", "--to", backup); code != 0 {
		t.Fatal(errOut)
	}
	erased, kept := data.people[0], data.people[1]
	must(t, a.Sealer.DestroyKey(context.Background(), erased.ID))
	// Recorded after the backup: gone once the backup is restored.
	later := addPerson(t, a, data.orgID, data.userID, "Cai Example")
	a.Close()

	code, out, errOut := live.run(t, "restore", "--from", backup)
	if code != 0 || !strings.Contains(out, "before-restore") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	b := live.open(t)
	if _, err := b.DB.FindPersonByID(context.Background(), data.orgID, later.ID); dom.KindOf(err) != dom.KindNotFound {
		t.Fatalf("a person recorded after the backup: %v, want not found", err)
	}
	p, err := b.DB.FindPersonByID(context.Background(), data.orgID, erased.ID)
	must(t, err)
	if p.Name == nil || p.ErasedAt != nil {
		t.Fatal("the restored backup should still hold the person's (encrypted) row")
	}
	_, err = readName(t, b, data.orgID, erased.ID)
	if !errors.Is(err, seal.ErrKeyDestroyed) || !errors.Is(err, dom.ErrKeyDestroyed) {
		t.Fatalf("erased person's name from the old backup: %v, want ErrKeyDestroyed", err)
	}
	if name, err := readName(t, b, data.orgID, kept.ID); err != nil || name != "Bea Example" {
		t.Fatalf("the other person: %q %v", name, err)
	}
}

func TestRestoreRefusesWhileTheServerRuns(t *testing.T) {
	live := sqliteSite(t)
	a := live.open(t)
	seed(t, a, "Ana Example")
	backup := filepath.Join(t.TempDir(), "b.db")
	if code, _, errOut := live.run(t, "backup", "--to", backup); code != 0 {
		t.Fatal(errOut)
	}
	code, _, errOut := live.run(t, "restore", "--from", backup)
	if code != 1 || !strings.Contains(errOut, "Stop it, then try again") {
		t.Fatalf("restore beside a server: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(live.cfg.DataDir, sqldb.DBFile+".before-restore")); err == nil {
		t.Fatal("the live database was moved aside")
	}
	// Not a Discern backup.
	a.Close()
	junk := filepath.Join(t.TempDir(), "junk.db")
	must(t, os.WriteFile(junk, []byte("not a database"), 0o600))
	if code, _, errOut := live.run(t, "restore", "--from", junk); code != 1 || !strings.Contains(errOut, "not a readable SQLite database") {
		t.Fatalf("restore of junk: exit %d\n%s", code, errOut)
	}
}

var headRE = regexp.MustCompile(`chain head (\d+:[0-9a-f]{64})`)

func TestAuditVerifyCommand(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s site) {
		ctx := context.Background()
		a := s.open(t)
		code, out, errOut := s.run(t, "audit", "verify")
		if code != 0 || out != "audit log intact: no entries yet\n" {
			t.Fatalf("empty log: exit %d\n%s%s", code, out, errOut)
		}
		seed(t, a, "Ana Example", "Bea Example", "Cai Example")

		code, out, errOut = s.run(t, "audit", "verify")
		m := headRE.FindStringSubmatch(out)
		if code != 0 || !strings.HasPrefix(out, "audit log intact: 3 entries verified; chain head 3:") || m == nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("intact log: exit %d\n%s%s", code, out, errOut)
		}
		head := m[1]
		code, out, errOut = s.run(t, "audit", "verify", "--head", head)
		if code != 0 || !strings.Contains(out, "including the recorded head 3") {
			t.Fatalf("with the recorded head: exit %d\n%s%s", code, out, errOut)
		}

		// An attacker with write access drops the append-only triggers and
		// deletes the newest entry together with the head: the chain alone
		// cannot tell, the recorded head can.
		drop := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
			"DROP TRIGGER audit_head_forward", "DROP TRIGGER audit_head_no_delete"}
		if s.cfg.Postgres() {
			drop = []string{"DROP TRIGGER audit_log_no_change ON audit_log", "DROP TRIGGER audit_head_forward ON audit_head"}
		}
		exec := func(stmts ...string) {
			t.Helper()
			must(t, a.DB.WithTx(ctx, func(tx *sqldb.Tx) error {
				for _, st := range stmts {
					if _, err := tx.ExecContext(ctx, st); err != nil {
						return fmt.Errorf("%s: %w", st, err)
					}
				}
				return nil
			}))
		}
		exec(drop...)
		exec("DELETE FROM audit_log WHERE seq = 3", "UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM audit_log WHERE seq = 2)")
		if code, out, _ := s.run(t, "audit", "verify"); code != 0 || !strings.Contains(out, "2 entries") {
			t.Fatalf("after removing the tail: exit %d %s", code, out)
		}
		code, _, errOut = s.run(t, "audit", "verify", "--head", head)
		if code != 1 || !strings.Contains(errOut, "BROKEN at entry 3 (truncated)") {
			t.Fatalf("truncation against the recorded head: exit %d\n%s", code, errOut)
		}

		// Editing an entry breaks the chain there.
		exec("UPDATE audit_log SET action = 'person.list' WHERE seq = 2")
		code, out, errOut = s.run(t, "audit", "verify")
		if code != 1 || out != "" || !strings.Contains(errOut, "BROKEN at entry 2 (edited)") || !strings.Contains(errOut, "The entries before it (1) verify") {
			t.Fatalf("edited entry: exit %d\n%s%s", code, out, errOut)
		}
	})
}

func TestKeysRotateCommand(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s site) {
		a := s.open(t)
		data := seed(t, a, "Ana Example", "Bea Example")
		oldID := a.Keys.ActiveKeyID()
		if s.cfg.Postgres() {
			a.Close()
		} else {
			// On SQLite a running server is detected and the rotation refused.
			code, _, errOut := s.run(t, "keys", "rotate")
			if code != 1 || !strings.Contains(errOut, "Another discern process") {
				t.Fatalf("rotation beside a server: exit %d\n%s", code, errOut)
			}
			a.Close()
		}

		code, out, errOut := s.run(t, "keys", "rotate")
		if code != 0 || !strings.Contains(out, "2 data keys rewrapped; retired: "+oldID) || !strings.Contains(errOut, "New master key") {
			t.Fatalf("rotate: exit %d\n%s%s", code, out, errOut)
		}
		raw, err := os.ReadFile(s.cfg.KeyFile())
		must(t, err)
		if strings.Contains(string(raw), oldID) {
			t.Fatal("the old key id is still in the key file")
		}
		fi, err := os.Stat(s.cfg.KeyFile())
		must(t, err)
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %#o", fi.Mode().Perm())
		}
		b := s.open(t)
		if b.Keys.ActiveKeyID() == oldID {
			t.Fatal("the active key did not change")
		}
		for i, p := range data.people {
			if name, err := readName(t, b, data.orgID, p.ID); err != nil || name != data.names[i] {
				t.Fatalf("person %d after rotation: %q %v", i, name, err)
			}
		}
		b.Close()
		if code, out, errOut := s.run(t, "audit", "verify"); code != 0 || !strings.Contains(out, "2 entries") {
			t.Fatalf("audit after rotation: exit %d\n%s%s", code, out, errOut)
		}

		// A keyring from the environment cannot be rewritten here.
		text, _ := b.Keys.MarshalText()
		code, _, errOut = discernEnv(t, map[string]string{"DISCERN_MASTER_KEY": string(text)}, append([]string{"keys", "rotate"}, s.args...)...)
		if code != 2 || !strings.Contains(errOut, "cannot rewrite") {
			t.Fatalf("rotation of an environment key: exit %d\n%s", code, errOut)
		}
	})
}

func TestBackupOnPostgresPrintsPgDump(t *testing.T) {
	s := pgSite(t)
	if code, _, errOut := s.run(t, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := s.run(t, "backup", "--to", "/backups/discern.dump")
	if code != 2 || !strings.Contains(out, "pg_dump --format=custom --exclude-schema="+s.cfg.KeySchema) ||
		!strings.Contains(errOut, "keeps the key vault out of the backup") {
		t.Fatalf("backup on PostgreSQL: exit %d\n%s%s", code, out, errOut)
	}
}

func TestPgDumpCommand(t *testing.T) {
	cases := []struct {
		name string
		cfg  app.Config
		want string
	}{
		{"default schemas", app.Config{Database: "postgres://discern:s3cret@db:5432/discern?sslmode=require"},
			"pg_dump --format=custom --exclude-schema=discern_keys --file=/b/d.dump 'postgres://discern@db:5432/discern?sslmode=require'"},
		{"own schemas", app.Config{Database: "postgres://db/discern?search_path=site_a&sslmode=disable", KeySchema: "site_a_keys"},
			"pg_dump --format=custom --exclude-schema=site_a_keys --schema=site_a --file=/b/d.dump 'postgres://db/discern?sslmode=disable'"},
		{"a quote in the URL", app.Config{Database: "postgres://db/it's"},
			`pg_dump --format=custom --exclude-schema=discern_keys --file=/b/d.dump 'postgres://db/it'\''s'`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := pgDumpCommand(tc.cfg, "/b/d.dump"); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestOpsBadUsage(t *testing.T) {
	s := sqliteSite(t)
	if code, _, errOut := s.run(t, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	missing := filepath.Join(t.TempDir(), "nowhere")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"migrate", "--nope"}, "flag provided but not defined: -nope"},
		{"extra argument", nil, []string{"migrate", "now"}, `unexpected argument "now"`},
		{"backup without --to", nil, append([]string{"backup"}, s.args...), "name the backup file with --to FILE"},
		{"backup to an existing file", nil, append([]string{"backup", "--to", filepath.Join(s.cfg.DataDir, sqldb.DBFile)}, s.args...), "must not overwrite the live database"},
		{"restore without --from", nil, append([]string{"restore"}, s.args...), "name the backup file with --from FILE"},
		{"restore of a missing file", nil, append([]string{"restore", "--from", missing}, s.args...), "Cannot read the backup"},
		{"not postgres", nil, []string{"migrate", "--database", "mysql://db/x"}, "must be a postgres:// URL"},
		{"not postgres from the environment", map[string]string{"DISCERN_DATABASE_URL": "sqlite:/x"}, []string{"migrate"}, "(or DISCERN_DATABASE_URL) must be a postgres:// URL"},
		{"key schema without postgres", nil, []string{"backup", "--to", "x", "--key-schema", "k"}, "applies to PostgreSQL only"},
		{"audit without a subcommand", nil, []string{"audit"}, "expected 'verify'"},
		{"audit with another", nil, []string{"audit", "repair"}, `unknown subcommand "repair"`},
		{"audit verify with a bad head", nil, append([]string{"audit", "verify", "--head", "3:zz"}, s.args...), "--head must be SEQ:HASH"},
		{"audit verify with no data", nil, []string{"audit", "verify", "--data", missing}, "There is no data directory " + missing},
		{"audit verify with the data directory from the environment", map[string]string{"DISCERN_DATA": missing}, []string{"audit", "verify"}, "There is no data directory " + missing},
		{"audit verify before any key", nil, append([]string{"audit", "verify"}, s.args...), "`discern serve` creates the key file"},
		{"keys without a subcommand", nil, []string{"keys"}, "expected 'rotate'"},
		{"keys with another", nil, []string{"keys", "show"}, `unknown subcommand "show"`},
		{"keys rotate with an argument", nil, []string{"keys", "rotate", "now"}, `unexpected argument "now"`},
		{"a malformed environment key", map[string]string{"DISCERN_MASTER_KEY": "index abc"}, append([]string{"audit", "verify"}, s.args...), "DISCERN_MASTER_KEY, entry 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := discernEnv(t, tc.env, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\n%s%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q lacks %q", errOut, tc.want)
			}
		})
	}
	// The usage text lists the commands.
	_, out, _ := discernEnv(t, nil, "help")
	for _, c := range []string{"discern migrate", "discern backup --to FILE", "discern restore --from FILE", "discern audit verify", "discern keys rotate", "docs/operations.md"} {
		if !strings.Contains(out, c) {
			t.Errorf("usage lacks %q", c)
		}
	}
}

// TestPostgresBackupAndRestoreWithPgDump follows docs/operations.md on
// PostgreSQL: run the pg_dump command `discern backup` prints, erase a
// person by destroying their key, restore the dump with pg_restore over
// the live schema (the vault schema left alone), and find the erased
// person unreadable and everyone else readable.
func TestPostgresBackupAndRestoreWithPgDump(t *testing.T) {
	s := pgSite(t)
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	a := s.open(t)
	data := seed(t, a, "Ana Example", "Bea Example")
	dump := filepath.Join(t.TempDir(), "discern.dump")
	code, out, errOut := s.run(t, "backup", "--to", dump)
	if code != 2 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	if b, err := exec.Command("sh", "-c", strings.TrimSpace(out)).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", out, err, b)
	}
	raw, err := os.ReadFile(dump)
	must(t, err)
	if bytes.Contains(raw, []byte("person_keys")) || bytes.Contains(raw, []byte("Ana Example")) {
		t.Fatal("the dump holds the key vault or a name")
	}
	erased, kept := data.people[0], data.people[1]
	must(t, a.Sealer.DestroyKey(context.Background(), erased.ID))
	// Recorded after the dump: gone once the dump is restored.
	later := addPerson(t, a, data.orgID, data.userID, "Cai Example")
	a.Close() // every replica stopped

	u, err := url.Parse(s.cfg.Database)
	must(t, err)
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	if b, err := exec.Command("pg_restore", "--clean", "--if-exists", "--no-owner", "--dbname="+u.String(), dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, b)
	}
	if code, out, errOut := s.run(t, "audit", "verify"); code != 0 || !strings.Contains(out, "2 entries") {
		t.Fatalf("audit verify after the restore: exit %d\n%s%s", code, out, errOut)
	}
	b := s.open(t)
	if _, err := b.DB.FindPersonByID(context.Background(), data.orgID, later.ID); dom.KindOf(err) != dom.KindNotFound {
		t.Fatalf("a person recorded after the dump: %v, want not found", err)
	}
	if _, err := readName(t, b, data.orgID, erased.ID); !errors.Is(err, seal.ErrKeyDestroyed) {
		t.Fatalf("erased person after the restore: %v, want ErrKeyDestroyed", err)
	}
	if name, err := readName(t, b, data.orgID, kept.ID); err != nil || name != "Bea Example" {
		t.Fatalf("the other person: %q %v", name, err)
	}
}
