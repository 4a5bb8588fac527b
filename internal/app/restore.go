package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// Restore replaces the SQLite database in cfg.DataDir with the backup file
// from, keeping the directory's key vault and key file: a backup holds
// ciphertext only, and the live vault is what decides which people can
// still be read (those erased since the backup stay erased). The backup is
// checked before anything is replaced, and the replaced database is kept
// as discern.db.before-restore.
//
// No other discern process may use the directory meanwhile: Restore takes
// its exclusive lock and fails (KindConflict) while a server runs. The
// directory is created if missing; if it has no key vault or key file,
// Restore still restores but warns that nothing will decrypt until they
// are put back. PostgreSQL is restored with pg_restore (KindInvalid).
func Restore(ctx context.Context, cfg Config, from string, warn io.Writer) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Postgres() {
		return discern.Invalid("database", "A PostgreSQL database is restored with pg_restore or psql, keeping its live "+
			"%s schema; see docs/operations.md.", cfg.VaultSchema())
	}
	if from == "" {
		return discern.Invalid("from", "Name the backup file to restore with --from.")
	}
	if warn == nil {
		warn = io.Discard
	}
	if _, err := os.Stat(from); err != nil {
		return discern.Invalid("from", "Cannot read the backup %s: %v.", from, errors.Unwrap(err))
	}
	a := &App{Config: cfg, warn: warn}
	defer a.Close()
	if err := a.prepareDir(true); err != nil {
		return err
	}
	if err := a.lockDir(true); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, sqldb.KeyFile)); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(warn, "warning: %s has no key vault (%s): the restored data cannot be decrypted until the live %s is put there\n",
			cfg.DataDir, sqldb.KeyFile, sqldb.KeyFile)
	}
	if _, err := os.Stat(cfg.KeyFile()); errors.Is(err, fs.ErrNotExist) && cfg.MasterKey == "" {
		fmt.Fprintf(warn, "warning: %s has no key file (%s) and %s is not set: put the key file back before starting the server\n",
			cfg.DataDir, KeyFileName, EnvMasterKey)
	}
	if err := sqldb.Restore(ctx, from, cfg.DataDir); err != nil {
		return err
	}
	return nil
}
