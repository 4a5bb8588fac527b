package sqldb_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// payload returns answers and a result of about size bytes together, shaped
// like the engine's: many small answers with provenance.
func payload(size int) (answers, result json.RawMessage) {
	var a, r strings.Builder
	a.WriteString("{")
	for i := 0; a.Len() < size*3/4; i++ {
		if i > 0 {
			a.WriteString(",")
		}
		fmt.Fprintf(&a, `"q%03d":{"value":"unknown","provenance":"self_report","asked_at":"2026-03-01T09:00:00Z"}`, i)
	}
	a.WriteString("}")
	r.WriteString(`{"outcome":"indicators_present","jurisdictions":[`)
	for i := 0; r.Len() < size/4; i++ {
		if i > 0 {
			r.WriteString(",")
		}
		fmt.Fprintf(&r, `{"id":"j%02d","act":"met","means":"unknown","purpose":"met"}`, i)
	}
	r.WriteString("]}")
	return json.RawMessage(a.String()), json.RawMessage(r.String())
}

type benchEngine struct {
	name string
	open func(testing.TB) *sqldb.DB
}

func engines(b *testing.B) []benchEngine {
	es := []benchEngine{{"sqlite", openSQLite}}
	if os.Getenv("DISCERN_TEST_POSTGRES") != "" {
		es = append(es, benchEngine{"postgres", openPostgres})
	}
	return es
}

// BenchmarkCreateScreening is the store's share of POST /screenings: one
// transaction with a screening of about 4 KB of answers and result, and
// its audit entry, committed durably.
func BenchmarkCreateScreening(b *testing.B) {
	answers, result := payload(4096)
	for _, e := range engines(b) {
		b.Run(e.name, func(b *testing.B) {
			f := newFixture(b, e.open(b))
			l := auditLog(b)
			b.SetBytes(int64(len(answers) + len(result)))
			for b.Loop() {
				err := f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
					s := &discern.Screening{OrgID: f.orgA.ID, ScreenerID: f.workerA.ID, InstrumentID: "brief-v1", Language: "en",
						Jurisdictions: []string{"gb-eng", "us-federal"}, Answers: answers, Result: result,
						ContentVersion: "2026.3", ContentHash: "sha256:abc", Status: discern.ScreeningComplete}
					if err := tx.CreateScreening(f.ctx, s); err != nil {
						return err
					}
					_, err := l.Append(f.ctx, tx, discern.AuditEntry{ActorID: f.workerA.ID, OrgID: f.orgA.ID, Action: "screening.create",
						TargetType: "screening", TargetID: s.ID, Outcome: discern.OutcomeSuccess, RequestID: "bench",
						DataClasses: []discern.DataClass{discern.ClassCase}})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchRows is the size of the table BenchmarkListScreenings pages
// through: 100,000 by default, DISCERN_BENCH_ROWS=1000000 for the issue's
// figure (which takes minutes to build).
func benchRows(b *testing.B) int {
	if s := os.Getenv("DISCERN_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("DISCERN_BENCH_ROWS=%q: want a number ≥ 1000", s)
		}
		return n
	}
	return 100_000
}

// BenchmarkListScreenings lists 50 complete screenings of one organization
// — the first page, and a page halfway down by cursor — from a table of
// benchRows screenings (of 1 KB each, 90% in that organization, half of
// them complete).
func BenchmarkListScreenings(b *testing.B) {
	rows := benchRows(b)
	answers, result := payload(1024)
	for _, e := range engines(b) {
		b.Run(fmt.Sprintf("%s/rows=%d", e.name, rows), func(b *testing.B) {
			f := newFixture(b, e.open(b))
			const batch = 2000
			for start := 0; start < rows; start += batch {
				must(b, f.db.WithTx(f.ctx, func(tx *sqldb.Tx) error {
					for i := start; i < min(start+batch, rows); i++ {
						org, user := f.orgA, f.workerA
						if i%10 == 9 {
							org, user = f.orgB, f.userB
						}
						status := discern.ScreeningComplete
						if i%2 == 1 {
							status = discern.ScreeningDraft
						}
						s := &discern.Screening{OrgID: org.ID, ScreenerID: user.ID, InstrumentID: "brief-v1", Language: "en",
							Answers: answers, Result: result, ContentVersion: "2026.3", ContentHash: "sha256:abc", Status: status}
						if err := tx.CreateScreening(f.ctx, s); err != nil {
							return err
						}
					}
					return nil
				}))
			}
			filter := discern.ScreeningFilter{OrgID: f.orgA.ID, Status: new(discern.ScreeningComplete)}
			// Find the cursor halfway down the complete screenings.
			mid := ""
			for seen := 0; seen < rows*9/10/2/2; {
				fl := filter
				fl.Page = discern.Page{Limit: discern.MaxLimit, Cursor: mid}
				list, next, err := f.db.FindScreenings(f.ctx, fl)
				must(b, err)
				seen += len(list)
				mid = next
			}
			for _, page := range []struct{ name, cursor string }{{"first-page", ""}, {"middle-page", mid}} {
				b.Run(page.name, func(b *testing.B) {
					fl := filter
					fl.Page = discern.Page{Limit: 50, Cursor: page.cursor}
					for b.Loop() {
						list, _, err := f.db.FindScreenings(f.ctx, fl)
						if err != nil || len(list) != 50 {
							b.Fatalf("%d screenings, %v", len(list), err)
						}
					}
				})
			}
		})
	}
}
