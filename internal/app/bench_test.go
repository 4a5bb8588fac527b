package app_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/sqldb"
)

// Payload sizes of one stored screening: its answers and its result as the
// store keeps them (JSON text), about 4 KB together, and one audit entry.
const (
	benchAnswersLen = 2560
	benchResultLen  = 1536
)

// BenchmarkRawSQLiteTx is the raw ceiling that the end-to-end
// POST /api/v1/screenings benchmark is compared with (issue 3, benchmark
// (a)): one SQLite transaction that inserts a row of a screening's size and
// an audit-sized row, with nothing else — no HTTP, authentication, engine,
// encryption, hash chain or secondary indexes. It goes through sqldb.Open,
// so the connection, pragmas and durability are the store's own: WAL,
// BEGIN IMMEDIATE on the one writer connection, and synchronous=FULL (an
// fsync of the WAL at every commit), which is what "acknowledged means
// durable" costs. The sync=normal run shows what that fsync costs.
func BenchmarkRawSQLiteTx(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		b.Run("sync="+sync, func(b *testing.B) {
			ctx := context.Background()
			db, err := sqldb.Open(ctx, filepath.Join(b.TempDir(), sqldb.DBFile), sqldb.Options{
				Now: time.Now, Rand: mrand.NewChaCha8([32]byte{9}), Synchronous: sync,
			})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			err = db.WithTx(ctx, func(tx *sqldb.Tx) error {
				for _, ddl := range []string{
					`CREATE TABLE bench_screenings (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, answers TEXT NOT NULL,
						result TEXT, created_at INTEGER NOT NULL)`,
					`CREATE TABLE bench_audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id TEXT NOT NULL,
						org_id TEXT NOT NULL, action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
						outcome TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL)`,
				} {
					if _, err := tx.ExecContext(ctx, ddl); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			answers := benchText(benchAnswersLen, 1)
			result := benchText(benchResultLen, 2)
			org := strings.Repeat("O", 26)
			prev := make([]byte, sha256.Size)
			b.SetBytes(benchAnswersLen + benchResultLen)
			n := int64(0)
			for b.Loop() {
				n++
				id := fmt.Sprintf("%026d", n)
				at := time.Now().UnixMicro()
				h := sha256.Sum256(append(prev, id...))
				err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
					if _, err := tx.ExecContext(ctx, "INSERT INTO bench_screenings (id, org_id, answers, result, created_at) VALUES ($1, $2, $3, $4, $5)",
						id, org, answers, result, at); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, "INSERT INTO bench_audit (seq, at, actor_id, org_id, action, target_type, target_id, outcome, prev_hash, hash) "+
						"VALUES ($1, $2, $3, $4, 'screening.create', 'screening', $5, 'success', $6, $7)",
						n, at, org, org, id, prev, h[:])
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				prev = h[:]
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// benchText is n bytes of JSON-like text that does not repeat, so that no
// layer can shortcut it.
func benchText(n int, seed uint64) string {
	r := mrand.New(mrand.NewPCG(seed, seed))
	const alphabet = `abcdefghijklmnopqrstuvwxyz_":,{}[] 0123456789`
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// BenchmarkOpen is the start-up cost app.Open adds to `discern serve` on
// an existing SQLite data directory: the database, vault and key file,
// the schema check, the content bundle and the engine.
func BenchmarkOpen(b *testing.B) {
	cfg := app.Config{DataDir: filepath.Join(b.TempDir(), "data")}
	opt := options(nil)
	opt.Create = true
	a, err := app.Open(context.Background(), cfg, opt)
	if err != nil {
		b.Fatal(err)
	}
	a.Close()
	for b.Loop() {
		a, err := app.Open(context.Background(), cfg, options(nil))
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}
