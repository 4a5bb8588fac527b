package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

var key = []byte("0123456789abcdef0123456789abcdef")

// The store is what the audit log is appended to and verified from.
var (
	_ Appender = (*sqldb.Tx)(nil)
	_ Source   = (*sqldb.DB)(nil)
)

func TestNewRejectsShortKeys(t *testing.T) {
	for _, n := range []int{0, 16, MinKeyLen - 1} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
	k := bytes.Clone(key)
	l, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	k[0] ^= 1 // the Log keeps its own copy
	if !bytes.Equal(l.key, key) {
		t.Fatal("New kept the caller's slice")
	}
}

// TestHashCoversEveryField changes one field at a time: each change must
// change the hash, and moving text across a field boundary must too.
func TestHashCoversEveryField(t *testing.T) {
	l, _ := New(key)
	base := discern.AuditEntry{Seq: 7, Time: time.Unix(1772355600, 123456000).UTC(), ActorID: "actor", OrgID: "org",
		Action: "person.read", TargetType: "person", TargetID: "target", Outcome: discern.OutcomeSuccess, RequestID: "req",
		DataClasses: []discern.DataClass{discern.ClassCase, discern.ClassIdentity}}
	prev := bytes.Repeat([]byte{1}, HashLen)
	h0 := l.hash(prev, &base)
	if !bytes.Equal(h0, l.hash(prev, &base)) {
		t.Fatal("the hash is not deterministic")
	}
	edits := map[string]func(*discern.AuditEntry){
		"seq":            func(e *discern.AuditEntry) { e.Seq++ },
		"time":           func(e *discern.AuditEntry) { e.Time = e.Time.Add(time.Microsecond) },
		"actor":          func(e *discern.AuditEntry) { e.ActorID = "actoR" },
		"org":            func(e *discern.AuditEntry) { e.OrgID = "" },
		"action":         func(e *discern.AuditEntry) { e.Action = "person.list" },
		"target type":    func(e *discern.AuditEntry) { e.TargetType = "note" },
		"target id":      func(e *discern.AuditEntry) { e.TargetID = "targeT" },
		"classes":        func(e *discern.AuditEntry) { e.DataClasses = e.DataClasses[:1] },
		"outcome":        func(e *discern.AuditEntry) { e.Outcome = discern.OutcomeDenied },
		"request":        func(e *discern.AuditEntry) { e.RequestID = "" },
		"field boundary": func(e *discern.AuditEntry) { e.ActorID, e.OrgID = "actoro", "rg" },
	}
	for name, edit := range edits {
		e := base
		e.DataClasses = append([]discern.DataClass(nil), base.DataClasses...)
		edit(&e)
		if bytes.Equal(l.hash(prev, &e), h0) {
			t.Errorf("changing the %s does not change the hash", name)
		}
	}
	if bytes.Equal(l.hash(genesis, &base), h0) {
		t.Error("the hash does not cover the previous hash")
	}
	other, _ := New(bytes.Repeat([]byte{9}, 32))
	if bytes.Equal(other.hash(prev, &base), h0) {
		t.Error("the hash does not depend on the key")
	}
}

func open(t *testing.T) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(t.Context(), filepath.Join(t.TempDir(), sqldb.DBFile), sqldb.Options{Now: time.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAppendChains(t *testing.T) {
	db := open(t)
	l, _ := New(key)
	ctx := context.Background()
	var got []*discern.AuditEntry
	for i := range 3 {
		err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
			e, err := l.Append(ctx, tx, discern.AuditEntry{Action: "system.check", TargetType: "database", Outcome: discern.OutcomeSuccess,
				DataClasses: []discern.DataClass{discern.ClassHealth, discern.ClassCase, discern.ClassHealth},
				Seq:         99, Hash: []byte("ignored")}) // Append sets these
			if err != nil {
				return err
			}
			if !e.Time.Equal(tx.Now()) {
				t.Errorf("entry %d time %v, transaction time %v", i, e.Time, tx.Now())
			}
			got = append(got, e)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got[0].PrevHash, genesis) {
		t.Fatalf("first PrevHash %x", got[0].PrevHash)
	}
	for i, e := range got {
		if e.Seq != int64(i+1) || len(e.DataClasses) != 2 || e.DataClasses[0] != discern.ClassCase {
			t.Fatalf("entry %d: %+v", i, e)
		}
		if i > 0 && !bytes.Equal(e.PrevHash, got[i-1].Hash) {
			t.Fatalf("entry %d does not chain to %d", i+1, i)
		}
	}
	rep, err := l.Verify(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 3 || rep.HeadSeq != 3 || !bytes.Equal(rep.HeadHash, got[2].Hash) {
		t.Fatalf("report %+v", rep)
	}
}

// TestVerifyReportsReadErrors: a log that cannot be read is an error, not
// a broken chain.
func TestVerifyReportsReadErrors(t *testing.T) {
	db := open(t)
	l, _ := New(key)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := l.Verify(ctx, db)
	if err == nil {
		t.Fatal("Verify of an unreadable log succeeded")
	}
	if _, ok := errors.AsType[*ChainError](err); ok {
		t.Fatalf("a read error reported as a broken chain: %v", err)
	}
}

func TestVerifyFunc(t *testing.T) {
	db := open(t)
	l, _ := New(key)
	if err := db.WithTx(context.Background(), func(tx *sqldb.Tx) error {
		_, err := l.Append(context.Background(), tx, discern.AuditEntry{Action: "system.check", TargetType: "database", Outcome: discern.OutcomeSuccess})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if rep, err := Verify(context.Background(), db, key); err != nil || rep.Entries != 1 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	if _, err := Verify(context.Background(), db, []byte("short")); err == nil {
		t.Fatal("Verify accepted a short key")
	}
	if _, err := Verify(context.Background(), db, bytes.Repeat([]byte("k"), 32)); err == nil {
		t.Fatal("Verify passed under the wrong key")
	}
}
