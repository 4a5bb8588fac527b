package sqldb

import (
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkRawInsertSQLite is the ceiling the benchmark compares
// against: a bare transaction on the same writer connection, with the same
// durability (synchronous=FULL), inserting the same bytes as
// BenchmarkCreateScreening — a row of about 4 KB and a small row — with
// statements compiled once and nothing else: no validation, no IDs, no
// indexes beyond the keys, no hashing.
//
// The sync=normal run shows what synchronous=FULL costs.
func BenchmarkRawInsertSQLite(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sync="+sync, func(b *testing.B) { benchRawInsert(b, sync) })
	}
}

func benchRawInsert(b *testing.B, sync string) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), DBFile), Options{Now: time.Now, Rand: rand.Reader, Synchronous: sync})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{"CREATE TABLE bench_big (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
		"CREATE TABLE bench_small (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"} {
		if _, err := db.w.Exec(s); err != nil {
			b.Fatal(err)
		}
	}
	big, err := db.w.Prepare("INSERT INTO bench_big (id, body) VALUES ($1, $2)")
	if err != nil {
		b.Fatal(err)
	}
	small, err := db.w.Prepare("INSERT INTO bench_small (id, body) VALUES ($1, $2)")
	if err != nil {
		b.Fatal(err)
	}
	// The same size as BenchmarkCreateScreening's answers and result.
	blob := strings.Repeat(`{"q":{"value":"unknown","provenance":"self_report"}},`, 4096/52)
	b.SetBytes(int64(len(blob)))
	i := 0
	for b.Loop() {
		i++
		tx, err := db.w.BeginTx(b.Context(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Stmt(big).Exec(i, blob); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Stmt(small).Exec(i, "screening.create"); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
