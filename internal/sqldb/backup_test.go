package sqldb_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// TestBackupRestore makes a backup while writes continue, keeps writing,
// erases a person who is in the backup, then restores the backup into the
// data directory with its live key vault: the backup's records are back,
// later ones are not, the audit chain verifies, and the erased person's
// key stays destroyed — crypto-shredding reaches into the backup.
func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	opt := options()
	db := openSQLiteIn(t, dir, opt)
	f := newFixture(t, db)
	l := auditLog(t)

	create := func(code string) *discern.Person {
		var p *discern.Person
		must(t, db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
			p = &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed(code), CaseCodeIndex: index(code)}
			if err := tx.CreatePerson(f.ctx, p); err != nil {
				return err
			}
			_, err := l.Append(f.ctx, tx, discern.AuditEntry{ActorID: f.workerA.ID, OrgID: f.orgA.ID, Action: "person.create",
				TargetType: "person", TargetID: p.ID, Outcome: discern.OutcomeSuccess})
			return err
		}))
		must(t, db.PutKey(f.ctx, p.ID, []byte("key of "+code)))
		return p
	}
	kept := create("kept")
	erased := create("erased")

	// Back up while another goroutine writes.
	backup := filepath.Join(t.TempDir(), "backup.db")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := f.screening(f.orgA, f.workerA, "", discern.ScreeningComplete)
			if err := db.CreateScreening(f.ctx, s); err != nil {
				t.Error(err)
				return
			}
		}
	})
	err := db.Backup(f.ctx, backup)
	close(stop)
	wg.Wait()
	must(t, err)
	wantKind(t, db.Backup(f.ctx, backup), discern.KindInvalid) // never overwrites
	wantKind(t, db.Backup(f.ctx, filepath.Join(dir, sqldb.DBFile)), discern.KindInvalid)

	// The backup holds no key vault.
	raw, err := os.ReadFile(backup)
	must(t, err)
	if bytes.Contains(raw, []byte("key of kept")) || bytes.Contains(raw, []byte("person_keys")) {
		t.Fatal("the backup contains the key vault")
	}
	if fi, _ := os.Stat(backup); fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v", fi.Mode())
	}

	later := create("later")
	must(t, db.ErasePerson(f.ctx, f.orgA.ID, erased.ID))
	must(t, db.DestroyKey(f.ctx, erased.ID))
	must(t, db.Close())

	// Restore, as `discern backup` documents: server stopped, copy in place.
	must(t, sqldb.Restore(f.ctx, backup, dir))
	if _, err := os.Stat(filepath.Join(dir, sqldb.DBFile+".before-restore")); err != nil {
		t.Fatalf("the replaced database was not kept: %v", err)
	}
	restored := openSQLiteIn(t, dir, opt)

	if _, err := restored.FindPersonByID(f.ctx, f.orgA.ID, kept.ID); err != nil {
		t.Fatalf("kept person after restore: %v", err)
	}
	if _, err := restored.FindPersonByID(f.ctx, f.orgA.ID, later.ID); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("a person created after the backup is in it: %v", err)
	}
	// The erased person's row is back (it was in the backup) but their key
	// is gone for good: their sealed fields stay unreadable.
	p, err := restored.FindPersonByID(f.ctx, f.orgA.ID, erased.ID)
	must(t, err)
	if p.CaseCode == nil {
		t.Fatal("the backup should hold the erased person's ciphertext")
	}
	if _, err := restored.GetKey(f.ctx, erased.ID); !errors.Is(err, discern.ErrKeyDestroyed) {
		t.Fatalf("erased person's key after restore: %v", err)
	}
	if k, err := restored.GetKey(f.ctx, kept.ID); err != nil || string(k) != "key of kept" {
		t.Fatalf("kept person's key after restore: %q, %v", k, err)
	}
	rep, err := l.Verify(f.ctx, restored)
	must(t, err)
	if rep.Entries != 2 {
		t.Fatalf("restored chain has %d entries, want 2", rep.Entries)
	}
	// The restored database takes writes and chains on.
	must(t, restored.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		_, err := l.Append(f.ctx, tx, discern.AuditEntry{OrgID: f.orgA.ID, Action: "system.restore", TargetType: "database", Outcome: discern.OutcomeSuccess})
		return err
	}))
	must(t, func() error { _, err := l.Verify(f.ctx, restored); return err }())

	// Restore refuses what is not a Discern database.
	junk := filepath.Join(t.TempDir(), "junk.db")
	must(t, os.WriteFile(junk, []byte("not a database"), 0o600))
	if err := sqldb.Restore(f.ctx, junk, t.TempDir()); err == nil {
		t.Fatal("Restore accepted a junk file")
	}
	if err := sqldb.Restore(f.ctx, filepath.Join(t.TempDir(), "missing.db"), t.TempDir()); err == nil {
		t.Fatal("Restore accepted a missing file")
	}
}

// TestDestroyKeyLeavesNoCopy checks that a destroyed key's bytes are gone
// from the vault's files, the write-ahead log included.
func TestDestroyKeyLeavesNoCopy(t *testing.T) {
	dir := t.TempDir()
	db := openSQLiteIn(t, dir, options())
	id, err := discern.NewID(options().Now(), fixedReader(4))
	must(t, err)
	secret := []byte("UNMISTAKABLE-WRAPPED-KEY-0123456789")
	must(t, db.PutKey(t.Context(), id, secret))
	if !filesContain(t, dir, secret) {
		t.Fatal("the key is not in the vault files; the test cannot see it")
	}
	must(t, db.DestroyKey(t.Context(), id))
	if filesContain(t, dir, secret) {
		t.Fatal("a destroyed key's bytes remain in the data directory")
	}
}

func filesContain(t *testing.T, dir string, needle []byte) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		must(t, err)
		if bytes.Contains(b, needle) {
			return true
		}
	}
	return false
}

// TestPostgresKeyVaultSchema checks that on PostgreSQL the key vault lives
// only in its own schema — the one pg_dump is told to exclude — and that
// Backup points to pg_dump.
func TestPostgresKeyVaultSchema(t *testing.T) {
	dsn, keySchema := pgSchema(t)
	opt := options()
	opt.KeySchema = keySchema
	db, err := sqldb.Open(t.Context(), dsn, opt)
	must(t, err)
	defer db.Close()
	must(t, db.Migrate(t.Context()))
	var schemas []string
	must(t, db.WithTx(t.Context(), func(tx *sqldb.Tx) error {
		// Only this test's two schemas: others on a shared server (other
		// tests', an operator's) are none of its business.
		rows, err := tx.QueryContext(t.Context(), "SELECT table_schema FROM information_schema.tables WHERE table_name = 'person_keys' AND table_schema IN (current_schema(), $1)", keySchema)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return err
			}
			schemas = append(schemas, s)
		}
		return rows.Err()
	}))
	if len(schemas) != 1 || schemas[0] != keySchema {
		t.Fatalf("person_keys is in schemas %v, want only %s (not the data schema)", schemas, keySchema)
	}
	err = db.Backup(t.Context(), filepath.Join(t.TempDir(), "x"))
	wantKind(t, err, discern.KindInvalid)
	if !strings.Contains(discern.MessageOf(err), "pg_dump --exclude-schema="+keySchema) {
		t.Fatalf("Backup on PostgreSQL says %q", discern.MessageOf(err))
	}
}
