// Package app opens everything a Discern process needs from one Config:
// the database and its key vault, the master keys, the sealer, the audit
// log, the screening engine, the clock and randomness. It is the one place
// that knows where each comes from, so that `discern serve` and every
// maintenance command (migrate, backup, restore, audit verify, keys rotate)
// work on the same data with the same keys.
//
// A SQLite data directory holds:
//
//	discern.db   the data: everything `discern backup` copies
//	keys.db      the key vault: each person's wrapped data key, never in a backup
//	master.key   the key file: master keys and the index secret (unless
//	             DISCERN_MASTER_KEY holds them)
//	discern.lock held by every discern process using the directory, so that
//	             restore and key rotation can refuse to run beside a server
//
// See docs/operations.md for backup, restore, key custody and rotation.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// The sealer's cache of unwrapped data keys. The time-to-live bounds how
// long another replica may go on reading a person after their key was
// destroyed on this one.
const (
	KeyCacheSize = 4096
	KeyCacheTTL  = time.Minute
)

// Options say how to open. Now and Rand are required: the caller chooses
// the clock and the randomness (time.Now and crypto/rand.Reader in
// production), so that tests are deterministic.
type Options struct {
	// Now is the clock.
	Now func() time.Time
	// Rand is the source of keys and record IDs. It need not be safe for
	// concurrent use; the App serialises its reads.
	Rand io.Reader
	// Warnings receives notices the operator must see: the key file was
	// just created and must be backed up, the data directory is open to
	// other users, the schema is older than this build. Nil discards them;
	// commands pass stderr.
	Warnings io.Writer
	// Create sets up what a first run needs: the data directory (mode
	// 0700) and the database; Open also migrates to the latest schema and,
	// for a database that holds no data yet, creates the key file. Without
	// it, Open fails when any of them is missing. serve and migrate set it.
	Create bool
	// Exclusive fails unless this is the only discern process using the
	// SQLite data directory, and keeps others out while the App is open.
	// Key rotation sets it: a server running meanwhile would go on
	// wrapping new keys under a master key the rotation retires.
	Exclusive bool
}

// App is everything opened. Its fields are set by Open and read-only
// afterwards; all are safe for concurrent use.
type App struct {
	Config Config

	// DB is the store and, through its key methods, the key vault.
	DB *sqldb.DB
	// Keys is the keyring: master keys and the index secret. Nil after
	// OpenDatabase.
	Keys *seal.Keyring
	// Sealer encrypts and decrypts people's fields, with data keys from
	// the vault. Nil after OpenDatabase.
	Sealer *seal.Sealer
	// Audit appends to and verifies the audit chain, keyed with
	// Keys.AuditKey(). Nil after OpenDatabase.
	Audit *audit.Log
	// Content is the embedded content bundle and Engine the screening
	// engine over it. Nil after OpenDatabase.
	Content *content.Bundle
	Engine  *screening.Engine

	// Now and Rand are Options.Now and Options.Rand; Rand is safe for
	// concurrent use.
	Now  func() time.Time
	Rand io.Reader

	// KeyFileCreated reports that Open created the key file just now.
	KeyFileCreated bool

	warn      io.Writer
	lock      *os.File
	exclusive bool
}

// Open opens the database, its key vault and the keys, and builds the
// sealer, the audit log and the screening engine. Configuration problems
// (a bad flag, a missing data directory or key file, a key file others may
// read) are KindInvalid errors whose message says what to do.
//
// The master key comes from DISCERN_MASTER_KEY (Config.MasterKey) or the
// key file DataDir/master.key, never both. With Options.Create, a missing
// key file is created, with a warning that it must be backed up, but only
// while the database holds no data: for a database with data, a new key
// would read nothing, so Open asks for the key file's backup instead.
func Open(ctx context.Context, cfg Config, opt Options) (_ *App, err error) {
	a, err := open(ctx, cfg, opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if opt.Create {
		if _, _, err := a.Migrate(ctx); err != nil {
			return nil, err
		}
	} else if err := a.checkSchema(ctx); err != nil {
		return nil, err
	}
	if err := a.checkVault(ctx); err != nil {
		return nil, err
	}
	if err := a.loadKeys(ctx, opt.Create); err != nil {
		return nil, err
	}
	auditKey := a.Keys.AuditKey()
	defer clear(auditKey)
	if a.Audit, err = audit.New(auditKey); err != nil {
		return nil, err
	}
	a.Sealer = seal.NewSealer(a.Keys, sqldb.SealVault(a.DB), a.Rand, seal.NewKeyCache(KeyCacheSize, KeyCacheTTL, a.Now))
	if a.Content, err = content.Load(content.Embedded()); err != nil {
		return nil, fmt.Errorf("app: loading the content: %w", err)
	}
	a.Engine = screening.New(a.Content)
	return a, nil
}

// OpenDatabase opens the database and its key vault only, for the
// commands that never need a key (migrate, backup): an operator can run
// them without access to the key file. Keys, Sealer, Audit, Content and
// Engine stay nil. With Options.Create it creates the data directory and
// an empty database, but does not migrate; call Migrate.
func OpenDatabase(ctx context.Context, cfg Config, opt Options) (*App, error) {
	a, err := open(ctx, cfg, opt)
	if err != nil {
		return nil, err
	}
	if !opt.Create {
		if err := a.checkSchema(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

func open(ctx context.Context, cfg Config, opt Options) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Now == nil || opt.Rand == nil {
		return nil, errors.New("app: Options.Now and Options.Rand are required")
	}
	a := &App{Config: cfg, Now: opt.Now, Rand: &lockedReader{r: opt.Rand}, warn: opt.Warnings, exclusive: opt.Exclusive}
	if a.warn == nil {
		a.warn = io.Discard
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if !cfg.Postgres() {
		if err := a.prepareDir(opt.Create); err != nil {
			return nil, err
		}
		if err := a.lockDir(opt.Exclusive); err != nil {
			return nil, err
		}
		if !opt.Create {
			if _, err := os.Stat(cfg.dsn()); errors.Is(err, fs.ErrNotExist) {
				return nil, discern.Invalid("data", "There is no Discern database in %s. Run `discern migrate` to create one, "+
					"or point --data at your data directory.", cfg.DataDir)
			}
		}
	} else if opt.Create && cfg.MasterKey == "" {
		// With PostgreSQL the directory holds only the key file.
		if err := a.prepareDir(true); err != nil {
			return nil, err
		}
	}
	if !cfg.Postgres() && opt.Create {
		// Several processes making a fresh database at once can meet
		// SQLITE_BUSY while it turns on WAL; let them take turns.
		unlock, err := waitLock(ctx, filepath.Join(cfg.DataDir, migrateLockName))
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	a.DB, err = sqldb.Open(ctx, cfg.dsn(), sqldb.Options{Now: a.Now, Rand: a.Rand, KeySchema: cfg.KeySchema})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// prepareDir creates the data directory if asked, checks that it exists and
// warns if other users may enter it.
func (a *App) prepareDir(create bool) error {
	dir := a.Config.DataDir
	if create {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("app: creating the data directory: %w", err)
		}
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return discern.Invalid("data", "There is no data directory %s. Run `discern migrate` to set one up, "+
			"or point --data (or %s) at yours.", dir, EnvData)
	case err != nil:
		return fmt.Errorf("app: data directory: %w", err)
	case !fi.IsDir():
		return discern.Invalid("data", "--data %s is not a directory.", dir)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		fmt.Fprintf(a.warn, "warning: the data directory %s has mode %#o, so other users of this machine may look inside; run chmod 700 %s\n",
			dir, perm, dir)
	}
	return nil
}

var errBusy = errors.New("app: locked by another process")

// lockDir takes the data directory's lock: shared, as every process does,
// or exclusive.
func (a *App) lockDir(exclusive bool) error {
	f, err := os.OpenFile(filepath.Join(a.Config.DataDir, lockFileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("app: locking the data directory: %w", err)
	}
	if err := lockFile(f, exclusive); err != nil {
		f.Close()
		if !errors.Is(err, errBusy) {
			return fmt.Errorf("app: locking the data directory: %w", err)
		}
		if exclusive {
			return &discern.Error{Kind: discern.KindConflict, Message: fmt.Sprintf("Another discern process (a running server?) "+
				"is using %s. Stop it, then try again.", a.Config.DataDir)}
		}
		return &discern.Error{Kind: discern.KindConflict, Message: fmt.Sprintf("%s is locked by a key rotation or a restore "+
			"in progress. Try again when it has finished.", a.Config.DataDir)}
	}
	a.lock = f
	return nil
}

// checkSchema fails unless the database has been migrated by this build or
// an older one, and warns if it is older.
func (a *App) checkSchema(ctx context.Context) error {
	cur, latest, err := a.DB.SchemaVersion(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("app: reading the schema version (has `discern migrate` been run?): %w", err)
	case cur <= 0:
		return discern.Invalid("database", "The database has no Discern schema yet. Run `discern migrate` first.")
	case cur > latest:
		return newerSchema(cur, latest)
	case cur < latest:
		fmt.Fprintf(a.warn, "warning: the database is at schema version %d and this discern knows %d; run `discern migrate`\n", cur, latest)
	}
	return nil
}

func newerSchema(cur, latest int64) error {
	return &discern.Error{Kind: discern.KindConflict, Message: fmt.Sprintf("The database is at schema version %d, newer than "+
		"this discern knows (%d). Run the newer discern, or restore a backup made by this version.", cur, latest)}
}

// Migrate brings the database and its key vault to the latest schema and
// returns the schema versions before and after. It is safe to run from
// several processes at once: on PostgreSQL sqldb holds an advisory lock;
// on SQLite a lock file in the data directory queues them.
func (a *App) Migrate(ctx context.Context) (from, to int64, err error) {
	if !a.Config.Postgres() {
		unlock, err := waitLock(ctx, filepath.Join(a.Config.DataDir, migrateLockName))
		if err != nil {
			return 0, 0, err
		}
		defer unlock()
	}
	from, latest, err := a.DB.SchemaVersion(ctx)
	if err != nil {
		from = 0 // a database never migrated has no version table yet
	} else if from > latest {
		return from, from, newerSchema(from, latest)
	}
	if err := a.DB.Migrate(ctx); err != nil {
		return from, from, err
	}
	to, _, err = a.DB.SchemaVersion(ctx)
	if err != nil {
		return from, to, fmt.Errorf("app: reading the schema version: %w", err)
	}
	return from, to, nil
}

// waitLock takes an exclusive lock on the file at path, waiting for it
// until ctx ends.
func waitLock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		err := lockFile(f, true)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, errBusy) {
			f.Close()
			return nil, fmt.Errorf("app: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// Close closes the database and releases the data directory. It is safe
// to call more than once.
func (a *App) Close() error {
	var errs []error
	if a.DB != nil {
		errs = append(errs, a.DB.Close())
		a.DB = nil
	}
	if a.lock != nil {
		errs = append(errs, a.lock.Close())
		a.lock = nil
	}
	return errors.Join(errs...)
}

// lockedReader serialises reads from a reader that may not be safe for
// concurrent use (a seeded test generator).
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
