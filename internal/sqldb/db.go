// Package sqldb is Discern's one data layer for SQLite (modernc.org/sqlite,
// the default) and PostgreSQL (pgx through database/sql). The queries are
// hand-written, portable SQL with $N placeholders, which both drivers bind
// by number; the schema is migrated per dialect by goose from embedded
// files.
//
// A *DB implements every store interface of package discern; each write
// runs in its own transaction. To write several records, or a record and
// its audit entry, in one transaction, use WithTx: a *Tx has the same
// methods. Every finder of an organization's records takes the
// organization ID; the only finders without one are credential lookups
// (by email, session or API token hash), which run before an organization
// is known.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/discern-org/discern/internal/discern"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configure Open. Now and Rand are required: the store takes its
// clock and randomness from the caller so that tests are deterministic.
type Options struct {
	// Now is the clock; every transaction reads it once, at its start.
	Now func() time.Time
	// Rand is the source of randomness for record IDs. It must be safe to
	// read from; the DB serialises its reads.
	Rand io.Reader

	// Synchronous is the SQLite synchronous pragma: "full" (the default)
	// or "normal". See Open for why FULL is the default.
	Synchronous string
	// MaxReaders bounds the SQLite reader pool (default: 2 × CPUs, at
	// least 4) or the PostgreSQL pool (default 16).
	MaxReaders int

	// KeyDSN is where the key vault lives: for SQLite a file path (default
	// keys.db next to the main database), for PostgreSQL a DSN (default
	// the main DSN). It must be outside what backups copy.
	KeyDSN string
	// KeySchema is the PostgreSQL schema of the key vault (default
	// "discern_keys"); the vault's connections use it as their search_path.
	KeySchema string
}

// DefaultKeySchema is the PostgreSQL schema that holds the key vault.
// Backups made with pg_dump must exclude it: --exclude-schema=discern_keys.
const DefaultKeySchema = "discern_keys"

// DB is an open Discern database and its key vault.
type DB struct {
	reader // finders on the read pool

	dialect Dialect
	w       *sql.DB // SQLite: the one writer connection; PostgreSQL: the pool
	r       *sql.DB // SQLite: the reader pool; PostgreSQL: the same pool as w
	keys    *sql.DB
	path    string // SQLite: the main database file
	keyPath string // SQLite: the vault file
	schema  string // PostgreSQL: the vault schema

	now    func() time.Time
	randMu sync.Mutex
	rand   io.Reader
	// prepared maps statement text to a *sql.Stmt prepared on the SQLite
	// writer connection.
	prepared sync.Map
}

// Open opens the database named by dsn (see below), and its key vault. It
// does not migrate; call Migrate.
//
// DSN forms: a file path (a directory means its discern.db), "sqlite:PATH",
// or "postgres://…" / "postgresql://…" in any form pgx accepts, including
// search_path as a query parameter.
//
// SQLite connections set busy_timeout first (so that the pragmas after it
// wait for a lock instead of failing), WAL, synchronous=FULL,
// foreign_keys=ON and BEGIN IMMEDIATE for writes. Writes go through one
// connection and reads through a pool, because SQLite admits one writer at
// a time and a deferred read-then-write transaction fails instead of
// waiting. synchronous=FULL makes SQLite fsync the WAL at every commit:
// with NORMAL, a commit survives the process being killed but not the
// machine losing power, and a screening that the server acknowledged and
// then lost is a person's account gone. It costs about 150 µs a commit on
// the development machine (BenchmarkRawInsertSQLite); Options.Synchronous
// can choose NORMAL where losing the last commits to a power cut (never to
// a crash of the process) is acceptable.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.Now == nil || opt.Rand == nil {
		return nil, errors.New("sqldb: Options.Now and Options.Rand are required")
	}
	t, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{dialect: t.dialect, now: opt.Now, rand: opt.Rand}
	switch t.dialect {
	case SQLite:
		err = db.openSQLite(ctx, t.path, opt)
	case Postgres:
		err = db.openPostgres(ctx, t.dsn, opt)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	db.reader = reader{q: db.r, d: db.dialect}
	return db, nil
}

func (db *DB) openSQLite(ctx context.Context, path string, opt Options) error {
	sync := "FULL"
	switch opt.Synchronous {
	case "", "full", "FULL":
	case "normal", "NORMAL":
		sync = "NORMAL"
	default:
		return fmt.Errorf("sqldb: Synchronous must be full or normal, not %q", opt.Synchronous)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("sqldb: creating the data directory: %w", err)
	}
	db.path = path
	db.keyPath = opt.KeyDSN
	if db.keyPath == "" {
		db.keyPath = filepath.Join(filepath.Dir(path), KeyFile)
	}
	if filepath.Clean(db.keyPath) == path {
		return errors.New("sqldb: the key vault must not be the main database")
	}

	var err error
	if db.w, err = openSQLiteFile(ctx, path, sqliteParams(sync, "immediate", false), 1); err != nil {
		return err
	}
	// The first connection made the file (and turned on WAL); keep it
	// from other local users before anything is written.
	if err := restrictFile(path); err != nil {
		return err
	}
	readers := opt.MaxReaders
	if readers <= 0 {
		readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if db.r, err = openSQLiteFile(ctx, path, sqliteParams(sync, "deferred", true), readers); err != nil {
		return err
	}
	// The vault is small and written rarely; secure_delete overwrites a
	// destroyed key's bytes in the file instead of leaving them in a free
	// page.
	if db.keys, err = openSQLiteFile(ctx, db.keyPath, sqliteParams(sync, "immediate", false)+"&_pragma=secure_delete(1)", 1); err != nil {
		return err
	}
	return restrictFile(db.keyPath)
}

// sqliteParams returns the DSN parameters of a SQLite connection.
// busy_timeout comes first so that journal_mode=WAL, which needs a lock on
// a fresh file, waits instead of failing when several connections open at
// once. Times are stored as integer microseconds: compact, compared as
// numbers, and the precision PostgreSQL keeps.
func sqliteParams(sync, txlock string, queryOnly bool) string {
	s := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")" +
		"&_pragma=foreign_keys(1)&_txlock=" + txlock +
		"&_time_integer_format=unix_micro&_inttotime=1&_defensive=1"
	if queryOnly {
		s += "&_pragma=query_only(1)"
	}
	return s
}

func openSQLiteFile(ctx context.Context, path, params string, conns int) (*sql.DB, error) {
	d, err := sql.Open("sqlite", path+params)
	if err != nil {
		return nil, fmt.Errorf("sqldb: opening %s: %w", path, err)
	}
	d.SetMaxOpenConns(conns)
	d.SetMaxIdleConns(conns)
	d.SetConnMaxIdleTime(0)
	d.SetConnMaxLifetime(0)
	if err := d.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("sqldb: opening %s: %w", path, err)
	}
	return d, nil
}

// restrictFile makes a database file readable by its owner only. SQLite
// gives the -wal and -shm files the same mode as the database.
func restrictFile(path string) error {
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("sqldb: restricting %s: %w", path, err)
	}
	return nil
}

func (db *DB) openPostgres(ctx context.Context, dsn string, opt Options) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("sqldb: reading the PostgreSQL DSN: %w", err)
	}
	n := opt.MaxReaders
	if n <= 0 {
		n = 16
	}
	db.w = stdlib.OpenDB(*cfg)
	db.w.SetMaxOpenConns(n)
	db.w.SetMaxIdleConns(n)
	db.w.SetConnMaxIdleTime(5 * time.Minute)
	db.r = db.w
	if err := db.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqldb: connecting to PostgreSQL: %w", err)
	}

	db.schema = opt.KeySchema
	if db.schema == "" {
		db.schema = DefaultKeySchema
	}
	if !validIdent(db.schema) {
		return fmt.Errorf("sqldb: KeySchema %q must be a plain lower-case identifier", db.schema)
	}
	kcfg := cfg
	if opt.KeyDSN != "" {
		if kcfg, err = pgx.ParseConfig(opt.KeyDSN); err != nil {
			return fmt.Errorf("sqldb: reading the key vault DSN: %w", err)
		}
	}
	// SET after connecting wins over any search_path the DSN sets, in
	// whichever form (parameter or options).
	schema := db.schema
	db.keys = stdlib.OpenDB(*kcfg.Copy(), stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET search_path TO "+schema)
		return err
	}))
	db.keys.SetMaxOpenConns(4)
	db.keys.SetConnMaxIdleTime(5 * time.Minute)
	return nil
}

// validIdent reports whether s can be used unquoted as a PostgreSQL name.
func validIdent(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Close closes every connection.
func (db *DB) Close() error {
	var errs []error
	db.prepared.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	if db.keys != nil {
		errs = append(errs, db.keys.Close())
	}
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Dialect returns the engine the DB runs on.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqldb: ping: %w", err)
	}
	return nil
}

// newID makes a record ID from the transaction's time and the DB's
// randomness.
func (db *DB) newID(now time.Time) (string, error) {
	db.randMu.Lock()
	defer db.randMu.Unlock()
	return discern.NewID(now, db.rand)
}

// queryer is what a reader needs: a *sql.DB or a *sql.Tx.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader holds the finders. A DB embeds one over its read pool and a Tx
// one over its transaction, so both have the same finders.
type reader struct {
	q queryer
	d Dialect
}

// Tx is a transaction. It has every finder and every write method of DB,
// and its writes commit together. Its time is read once, at the start, so
// that every row a transaction writes carries the same time.
type Tx struct {
	reader
	tx  *sql.Tx
	db  *DB
	now time.Time
}

// Now returns the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// Dialect returns the engine the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.d }

// ExecContext runs a statement in the transaction. It exists for the audit
// package, which keeps its own SQL, and for tests; services use the typed
// methods.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction (see ExecContext).
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query in the transaction (see ExecContext).
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// hotStatements are compiled once on the SQLite writer: the statements of
// every request (sessions) and of the busiest writes.
var hotStatements = []string{sqlLockHead, sqlInsertAudit, sqlAdvanceHead, sqlInsertScreening, sqlInsertPerson, sqlTouchSession}

// prepareHot compiles hotStatements on the SQLite writer connection. It
// must run outside any transaction (the writer is a single connection), on
// a migrated schema; Migrate calls it. Without it everything works, only
// slower.
func (db *DB) prepareHot(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	for _, q := range hotStatements {
		if _, ok := db.prepared.Load(q); ok {
			continue
		}
		st, err := db.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqldb: preparing %q: %w", q, err)
		}
		db.prepared.Store(q, st)
	}
	return nil
}

// queryRow runs a one-row query, prepared if it is a hot statement.
func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := tx.db.prepared.Load(query); ok {
		return tx.tx.StmtContext(ctx, st.(*sql.Stmt)).QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}

// exec runs a write statement. On SQLite the statements of the hottest
// path are compiled once, when the DB is migrated (see prepareHot); pgx
// caches statements per connection by itself.
func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := tx.db.prepared.Load(query); ok {
		return tx.tx.StmtContext(ctx, st.(*sql.Stmt)).ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, query, args...)
}

// maxAttempts bounds how often WithTx runs a transaction that PostgreSQL
// aborted to break a deadlock or a serialization conflict.
const maxAttempts = 3

// WithTx runs fn in a write transaction and commits if fn returns nil. The
// error fn returns is returned as it is. On PostgreSQL a transaction
// aborted by a deadlock or serialization failure is run again (up to three
// times in all), so fn must have no effects outside the transaction other
// than ones that are safe to repeat.
func (db *DB) WithTx(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.runTx(ctx, db.w, nil, fn)
		if err == nil || attempt == maxAttempts || !retryable(err) {
			return err
		}
	}
}

// WithReadTx runs fn in a read-only transaction: a consistent snapshot
// across several queries (REPEATABLE READ on PostgreSQL), on the read
// pool, so it does not wait for writers.
func (db *DB) WithReadTx(ctx context.Context, fn func(*Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	return db.runTx(ctx, db.r, opts, fn)
}

func (db *DB) runTx(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(*Tx) error) (err error) {
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return mapError("begin", err)
	}
	tx := &Tx{reader: reader{q: stx, d: db.dialect}, tx: stx, db: db, now: normTime(db.now())}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return mapError("commit", err)
	}
	return nil
}

// normTime is how every time is stored: UTC, to the microsecond (what
// PostgreSQL keeps), so that values read back compare equal to those
// written.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
