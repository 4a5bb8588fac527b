package sqldb_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// TestCrashKeepsAcknowledgedWrites runs a writer in a child process — four
// goroutines writing screenings with their audit entries and reporting
// each commit — kills it with SIGKILL mid-stream, and checks that every
// acknowledged write survived, the database is intact and the audit chain
// verifies.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if dir := os.Getenv("DISCERN_CRASH_CHILD"); dir != "" {
		crashChild(dir, os.Getenv("DISCERN_CRASH_ORG"), os.Getenv("DISCERN_CRASH_USER"))
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	db, err := sqldb.Open(t.Context(), filepath.Join(dir, sqldb.DBFile), options())
	must(t, err)
	must(t, db.Migrate(t.Context()))
	f := newFixture(t, db)
	must(t, db.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedWrites$")
	cmd.Env = append(os.Environ(), "DISCERN_CRASH_CHILD="+dir, "DISCERN_CRASH_ORG="+f.orgA.ID, "DISCERN_CRASH_USER="+f.workerA.ID)
	out, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		if id, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
			acked = append(acked, id)
		}
	}
	must(t, cmd.Process.Kill()) // SIGKILL: no deferred cleanup, no clean close
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("the child acknowledged only %d writes before it stopped", len(acked))
	}

	db = openSQLiteIn(t, dir, options())
	var check string
	must(t, db.WithReadTx(t.Context(), func(tx *sqldb.Tx) error {
		return tx.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&check)
	}))
	if check != "ok" {
		t.Fatalf("integrity_check after the crash: %s", check)
	}
	for _, id := range acked {
		if _, err := db.FindScreeningByID(t.Context(), f.orgA.ID, id); err != nil {
			t.Fatalf("acknowledged screening %s lost: %v", id, err)
		}
	}
	rep, err := auditLog(t).Verify(t.Context(), db)
	must(t, err)
	if rep.Entries < int64(len(acked)) {
		t.Fatalf("%d audit entries for %d acknowledged writes", rep.Entries, len(acked))
	}
}

// crashChild writes until it is killed.
func crashChild(dir, orgID, userID string) {
	ctx := context.Background()
	opt := options()
	db, err := sqldb.Open(ctx, filepath.Join(dir, sqldb.DBFile), opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := db.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	l, err := audit.New(auditKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	answers, result := payload(2048)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				s := &discern.Screening{OrgID: orgID, ScreenerID: userID, InstrumentID: "brief-v1", Language: "en",
					Answers: answers, Result: result, ContentVersion: "2026.3", ContentHash: "sha256:abc", Status: discern.ScreeningComplete}
				err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
					if err := tx.CreateScreening(ctx, s); err != nil {
						return err
					}
					_, err := l.Append(ctx, tx, discern.AuditEntry{ActorID: userID, OrgID: orgID, Action: "screening.create",
						TargetType: "screening", TargetID: s.ID, Outcome: discern.OutcomeSuccess})
					return err
				})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", s.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
