package sqldb_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

var auditKey = []byte("test audit key: 32 bytes or more, never a real one")

func auditLog(t testing.TB) *audit.Log {
	t.Helper()
	l, err := audit.New(auditKey)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// appendEntry appends one entry in a transaction of its own.
func appendEntry(t testing.TB, f *fixture, org *discern.Organization, action, targetType, targetID string) *discern.AuditEntry {
	t.Helper()
	var e *discern.AuditEntry
	must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		var err error
		e, err = auditLog(t).Append(f.ctx, tx, discern.AuditEntry{ActorID: f.workerA.ID, OrgID: org.ID, Action: action,
			TargetType: targetType, TargetID: targetID, Outcome: discern.OutcomeSuccess, RequestID: "req-1",
			DataClasses: []discern.DataClass{discern.ClassIdentity, discern.ClassCase, discern.ClassIdentity}})
		return err
	}))
	return e
}

func testAuditAppendVerify(t *testing.T, f *fixture) {
	l := auditLog(t)
	rep, err := l.Verify(f.ctx, f.db)
	must(t, err)
	if rep.Entries != 0 || rep.HeadSeq != 0 {
		t.Fatalf("empty log: %+v", rep)
	}

	// A change and its entry commit together.
	var p *discern.Person
	must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		p = &discern.Person{OrgID: f.orgA.ID, CreatedBy: f.workerA.ID, CaseCode: sealed("c"), CaseCodeIndex: index("c")}
		if err := tx.CreatePerson(f.ctx, p); err != nil {
			return err
		}
		e, err := l.Append(f.ctx, tx, discern.AuditEntry{ActorID: f.workerA.ID, OrgID: f.orgA.ID, Action: "person.create",
			TargetType: "person", TargetID: p.ID, Outcome: discern.OutcomeSuccess, DataClasses: []discern.DataClass{discern.ClassCase}})
		if err != nil {
			return err
		}
		if e.Seq != 1 || !e.Time.Equal(tx.Now()) || len(e.Hash) != audit.HashLen {
			t.Errorf("first entry: %+v", e)
		}
		return nil
	}))
	// ... and roll back together.
	err = f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		if _, err := l.Append(f.ctx, tx, discern.AuditEntry{OrgID: f.orgA.ID, Action: "person.read", TargetType: "person",
			TargetID: p.ID, Outcome: discern.OutcomeSuccess}); err != nil {
			return err
		}
		return errors.New("the read failed after all")
	})
	if err == nil {
		t.Fatal("rollback did not happen")
	}
	second := appendEntry(t, f, f.orgA, "person.read", "person", p.ID)
	appendEntry(t, f, f.orgA, "screening.read", "screening", "01J00000000000000000000000")
	appendEntry(t, f, f.orgB, "person.read", "person", p.ID) // a denied look from B, say
	if second.Seq != 2 {
		t.Fatalf("seq after a rolled-back append = %d, want 2", second.Seq)
	}
	if got := sqldb.JoinDataClasses(second.DataClasses); got != "case,identity" {
		t.Fatalf("data classes stored as %q", got)
	}

	rep, err = l.Verify(f.ctx, f.db)
	must(t, err)
	if rep.Entries != 4 || rep.HeadSeq != 4 || len(rep.HeadHash) != audit.HashLen {
		t.Fatalf("report %+v", rep)
	}
	// Another key does not verify the chain: forging needs the key.
	other, _ := audit.New([]byte("another key, also at least 32 bytes long"))
	if _, err := other.Verify(f.ctx, f.db); err == nil {
		t.Fatal("a chain verified under the wrong key")
	}

	// The record's access history, newest first, for its organization only.
	hist, next, err := f.db.FindAuditEntries(f.ctx, discern.AuditFilter{OrgID: f.orgA.ID, TargetType: new("person"), TargetID: &p.ID})
	must(t, err)
	if len(hist) != 2 || hist[0].Seq != 2 || hist[1].Seq != 1 || next != "" || hist[0].ActorID != f.workerA.ID ||
		hist[0].Outcome != discern.OutcomeSuccess || hist[0].RequestID != "req-1" {
		t.Fatalf("history: %+v", hist)
	}
	page, next, err := f.db.FindAuditEntries(f.ctx, discern.AuditFilter{OrgID: f.orgA.ID, Page: discern.Page{Limit: 2}})
	must(t, err)
	if len(page) != 2 || page[0].Seq != 3 || next == "" {
		t.Fatalf("first page %d entries, next %q", len(page), next)
	}
	page, next, err = f.db.FindAuditEntries(f.ctx, discern.AuditFilter{OrgID: f.orgA.ID, Page: discern.Page{Limit: 2, Cursor: next}})
	must(t, err)
	if len(page) != 1 || page[0].Seq != 1 || next != "" {
		t.Fatalf("second page %d entries, next %q", len(page), next)
	}
	hist, _, err = f.db.FindAuditEntries(f.ctx, discern.AuditFilter{OrgID: f.orgB.ID, TargetID: &p.ID})
	must(t, err)
	if len(hist) != 1 || hist[0].Seq != 4 {
		t.Fatalf("org B history: %+v", hist)
	}

	for name, e := range map[string]discern.AuditEntry{
		"no action":         {OrgID: f.orgA.ID, TargetType: "person", Outcome: discern.OutcomeSuccess},
		"free text action":  {OrgID: f.orgA.ID, Action: "read the file of Ana", TargetType: "person", Outcome: discern.OutcomeSuccess},
		"unknown outcome":   {OrgID: f.orgA.ID, Action: "person.read", TargetType: "person", Outcome: "meh"},
		"name as target id": {OrgID: f.orgA.ID, Action: "person.read", TargetType: "person", TargetID: "Ana Maria", Outcome: discern.OutcomeSuccess},
		"unknown class":     {OrgID: f.orgA.ID, Action: "person.read", TargetType: "person", Outcome: discern.OutcomeSuccess, DataClasses: []discern.DataClass{"secrets"}},
	} {
		err := f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error { _, err := l.Append(f.ctx, tx, e); return err })
		if discern.KindOf(err) != discern.KindInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func testAuditAppendOnly(t *testing.T, f *fixture) {
	appendEntry(t, f, f.orgA, "person.read", "person", "x")
	for name, stmt := range map[string]string{
		"update":      "UPDATE audit_log SET action = 'person.list' WHERE seq = 1",
		"delete":      "DELETE FROM audit_log WHERE seq = 1",
		"head back":   "UPDATE audit_head SET seq = 0 WHERE id = 1",
		"head delete": "DELETE FROM audit_head",
	} {
		err := f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error { _, err := tx.ExecContext(f.ctx, stmt); return err })
		if err == nil {
			t.Errorf("%s: the audit tables accepted %q", name, stmt)
		}
	}
	must(t, verifyErr(t, f))
}

func verifyErr(t *testing.T, f *fixture) error {
	_, err := auditLog(t).Verify(f.ctx, f.db)
	return err
}

// dropAuditTriggers does what an attacker with write access to the
// database would do first.
func dropAuditTriggers(t *testing.T, f *fixture) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
		"DROP TRIGGER audit_head_forward", "DROP TRIGGER audit_head_no_delete"}
	if f.db.Dialect() == sqldb.Postgres {
		stmts = []string{"DROP TRIGGER audit_log_no_change ON audit_log", "DROP TRIGGER audit_head_forward ON audit_head"}
	}
	execSQL(t, f, stmts...)
}

func execSQL(t *testing.T, f *fixture, stmts ...string) {
	t.Helper()
	must(t, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(f.ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	}))
}

func testAuditTamper(t *testing.T, open func(testing.TB) *sqldb.DB) {
	cases := []struct {
		name   string
		tamper []string
		seq    int64
		kind   audit.ProblemKind
	}{
		{"edit the action", []string{"UPDATE audit_log SET action = 'person.list' WHERE seq = 3"}, 3, audit.Edited},
		{"edit the actor", []string{"UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2"}, 2, audit.Edited},
		{"edit the time", []string{"UPDATE audit_log SET at = (SELECT at FROM audit_log WHERE seq = 1) WHERE seq = 4"}, 4, audit.Edited},
		{"edit the classes", []string{"UPDATE audit_log SET data_classes = 'case' WHERE seq = 1"}, 1, audit.Edited},
		{"delete one", []string{"DELETE FROM audit_log WHERE seq = 3"}, 3, audit.Missing},
		{"delete the first", []string{"DELETE FROM audit_log WHERE seq = 1"}, 1, audit.Missing},
		{"delete and renumber", []string{"DELETE FROM audit_log WHERE seq = 3",
			"UPDATE audit_log SET seq = seq - 1 WHERE seq = 4", "UPDATE audit_log SET seq = seq - 1 WHERE seq = 5",
			"UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)"}, 3, audit.Unlinked},
		{"delete the last", []string{"DELETE FROM audit_log WHERE seq = 5"}, 5, audit.Truncated},
		{"delete the last and the head", []string{"DELETE FROM audit_log WHERE seq = 5",
			"UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)"}, 0, ""},
		{"swap two", []string{"UPDATE audit_log SET seq = 100 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 3",
			"UPDATE audit_log SET seq = 3 WHERE seq = 100"}, 2, audit.Reordered},
		{"replace the hash", []string{"UPDATE audit_log SET hash = prev_hash WHERE seq = 4"}, 4, audit.Edited},
		{"insert a forged entry", []string{"INSERT INTO audit_log SELECT 6, at, actor_id, org_id, action, target_type, target_id, " +
			"data_classes, outcome, request_id, hash, hash FROM audit_log WHERE seq = 5"}, 6, audit.Edited},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, open(t))
			for i := range 5 {
				appendEntry(t, f, f.orgA, "person.read", "person", fmt.Sprintf("target-%d", i))
			}
			must(t, verifyErr(t, f))
			dropAuditTriggers(t, f)
			execSQL(t, f, tc.tamper...)
			err := verifyErr(t, f)
			if tc.kind == "" {
				// Removing the newest entries together with the head is
				// undetectable from inside the database; the head recorded
				// elsewhere (Report.HeadSeq) is what catches it.
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			ce, ok := errors.AsType[*audit.ChainError](err)
			if !ok {
				t.Fatalf("Verify returned %v, want a *ChainError", err)
			}
			if ce.Seq != tc.seq || ce.Kind != tc.kind {
				t.Fatalf("Verify: %v; want seq %d, kind %s", ce, tc.seq, tc.kind)
			}
		})
	}
}

// testConcurrency writes screenings with their audit entries from 8
// goroutines at once; every write must land and the chain must verify.
func testConcurrency(t *testing.T, f *fixture) {
	const workers, each = 8, 15
	l := auditLog(t)
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				err := f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
					s := f.screening(f.orgA, f.workerA, "", discern.ScreeningComplete)
					if err := tx.CreateScreening(f.ctx, s); err != nil {
						return err
					}
					_, err := l.Append(f.ctx, tx, discern.AuditEntry{ActorID: f.workerA.ID, OrgID: f.orgA.ID,
						Action: "screening.create", TargetType: "screening", TargetID: s.ID, Outcome: discern.OutcomeSuccess,
						RequestID: fmt.Sprintf("w%d-%d", w, i)})
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep, err := l.Verify(f.ctx, f.db)
	must(t, err)
	if rep.Entries != workers*each {
		t.Fatalf("%d audit entries, want %d", rep.Entries, workers*each)
	}
	n := 0
	for cursor := ""; ; {
		list, next, err := f.db.FindScreenings(f.ctx, discern.ScreeningFilter{OrgID: f.orgA.ID, Page: discern.Page{Limit: discern.MaxLimit, Cursor: cursor}})
		must(t, err)
		n += len(list)
		if next == "" {
			break
		}
		cursor = next
	}
	if n != workers*each {
		t.Fatalf("%d screenings, want %d", n, workers*each)
	}
}
