package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// keyFileNotice is printed when a key file is created. It is the one
// moment the operator is sure to be watching.
const keyFileNotice = `
*** Discern created a new key file: %s
*** It holds the keys that encrypt every person's data in this database.
*** BACK IT UP NOW, apart from the database and its backups (a password
*** manager, an encrypted USB drive in a safe):
***   - if it is lost, all encrypted data is lost for good: nobody can recover it;
***   - anyone holding it and a copy of the database can read everything.
*** Keep it readable by the Discern service account only (mode 0600).
*** See docs/operations.md, "Key file custody".

`

// loadKeys reads the keyring from DISCERN_MASTER_KEY or the key file, and
// creates the key file if allowed and the database holds no data yet.
func (a *App) loadKeys(ctx context.Context, create bool) error {
	path := a.Config.KeyFile()
	if a.Config.MasterKey != "" {
		if _, err := os.Lstat(path); err == nil {
			return discern.Invalid("master_key", "Both %s and the key file %s are present, and they may differ. "+
				"Use one: move the key file away, or unset %s.", EnvMasterKey, path, EnvMasterKey)
		}
		kr, err := seal.ParseKeyringEnv(a.Config.MasterKey)
		if err != nil {
			// seal's errors name the entry, never the key material.
			return &discern.Error{Kind: discern.KindInvalid, Field: "master_key", Message: err.Error()}
		}
		a.Keys = kr
		return nil
	}
	kr, err := seal.LoadKeyFile(path)
	switch {
	case err == nil:
		a.Keys = kr
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return &discern.Error{Kind: discern.KindInvalid, Field: "master_key", Message: err.Error()}
	}
	fresh, err := a.fresh(ctx)
	if err != nil {
		return err
	}
	if !create {
		if fresh {
			return discern.Invalid("master_key", "There is no key file at %s yet: the database holds no data. "+
				"`discern serve` creates the key file on its first run (or set %s).", path, EnvMasterKey)
		}
		return discern.Invalid("master_key", "There is no key file at %s and %s is not set. Restore the key file "+
			"from its backup (without it the encrypted data cannot be read), or set %s.", path, EnvMasterKey, EnvMasterKey)
	}
	if !fresh {
		return discern.Invalid("master_key", "There is no key file at %s, but the database already holds data. "+
			"Restore the key file from its backup, or set %s. (A new key could not read the existing data, so none was made.)",
			path, EnvMasterKey)
	}
	kr, created, err := seal.LoadOrCreateKeyFile(path, a.Rand)
	if err != nil {
		return &discern.Error{Kind: discern.KindInvalid, Field: "master_key", Message: err.Error()}
	}
	if created {
		a.KeyFileCreated = true
		fmt.Fprintf(a.warn, keyFileNotice, path)
	}
	a.Keys = kr
	return nil
}

// errFound stops a scan at the first key.
var errFound = errors.New("app: found a key")

// fresh reports whether the database holds no data yet: no organization
// and no key in the vault.
func (a *App) fresh(ctx context.Context) (bool, error) {
	orgs, err := a.exists(ctx, "SELECT 1 FROM organizations")
	if err != nil || orgs {
		return false, err
	}
	keys, err := a.hasLiveKey(ctx)
	return !keys, err
}

// checkVault refuses a key vault that has lost its keys: people who were
// never erased each have a data key, so a vault with none while such
// people exist was lost, replaced or never restored. Starting anyway
// would leave every one of them unreadable and put new people's keys in
// a vault that is not the real one.
func (a *App) checkVault(ctx context.Context) error {
	people, err := a.exists(ctx, "SELECT 1 FROM people WHERE erased_at IS NULL")
	if err != nil || !people {
		return err
	}
	keys, err := a.hasLiveKey(ctx)
	if keys || ctx.Err() != nil {
		return ctx.Err()
	}
	where := filepath.Join(a.Config.DataDir, sqldb.KeyFile)
	if a.Config.Postgres() {
		where = "the schema " + a.Config.VaultSchema()
	}
	return &discern.Error{Kind: discern.KindInvalid, Field: "key_vault", Err: err, Message: fmt.Sprintf(
		"The key vault (%s) holds no keys, but the database holds people: the vault was lost or not restored "+
			"with the data. Put the live vault back (see docs/operations.md, \"Restoring\"); without it their "+
			"encrypted fields cannot be read. (If every one of them was erased after the backup you restored, "+
			"that is expected: erase them again.)", where)}
}

// exists reports whether query returns a row.
func (a *App) exists(ctx context.Context, query string) (bool, error) {
	var n int
	err := a.DB.WithReadTx(ctx, func(tx *sqldb.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+" LIMIT 1) AS t").Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("app: checking for data: %w", err)
	}
	return n > 0, nil
}

// hasLiveKey reports whether the vault holds a key that was not
// destroyed. RewrapKeys is the vault's only scan; stopping it at the first
// key writes nothing.
func (a *App) hasLiveKey(ctx context.Context) (bool, error) {
	_, err := a.DB.RewrapKeys(ctx, func(string, []byte) ([]byte, error) { return nil, errFound })
	if errors.Is(err, errFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("app: reading the key vault: %w", err)
	}
	return false, nil
}

// Rotation describes a master key rotation as it goes.
type Rotation struct {
	// NewKeyID is the master key that wraps every data key afterwards.
	NewKeyID string
	// Resumed reports that the key file already held the new key: an
	// interrupted rotation was finished rather than a new one started.
	Resumed bool
	// Rewrapped counts the data keys rewrapped under NewKeyID.
	Rewrapped int
	// Retired lists the master keys removed from the key file, at the end.
	Retired []string
}

// maxPasses bounds how often a rotation walks the vault looking for keys
// still wrapped under an old master key (see RotateMasterKey).
const maxPasses = 3

// RotateMasterKey replaces the master key: it adds a new active master key
// to the key file, rewraps every data key in the vault under it and then
// removes the old master keys from the file. Data keys, and so every
// encrypted field, stay as they are; the audit key and blind indexes come
// from the index secret, which does not change.
//
// Each step is safe to interrupt. The key file is rewritten atomically,
// first with the old and new keys together (so every data key unwraps
// whichever key wraps it), and without the old keys only after every data
// key was rewrapped. The vault is rewrapped in batches, each in its own
// transaction. Run it again after an interruption and it finishes the job
// (Rotation.Resumed) instead of starting a new one.
//
// progress, if not nil, is called once the new key is saved and after each
// data key rewrapped.
//
// Every server must be stopped: one still running would go on wrapping new
// data keys under the retired key, which no key file would hold after its
// restart. On SQLite the App must have been opened with Options.Exclusive,
// which enforces this. On PostgreSQL the vault is walked again until a walk
// finds nothing left to rewrap, which catches a replica that is stopping
// but not one left running.
//
// The master key must come from the key file: a keyring in
// DISCERN_MASTER_KEY cannot be rewritten from here (KindInvalid).
func (a *App) RotateMasterKey(ctx context.Context, progress func(Rotation)) (Rotation, error) {
	var r Rotation
	switch {
	case a.Keys == nil:
		return r, errors.New("app: RotateMasterKey needs an App from Open, not OpenDatabase")
	case a.Config.MasterKey != "":
		return r, discern.Invalid("master_key", "The master key comes from %s, which discern cannot rewrite. "+
			"Put the keyring in a key file instead (see docs/operations.md, \"Rotating the master key\").", EnvMasterKey)
	case !a.Config.Postgres() && !a.exclusive:
		return r, errors.New("app: RotateMasterKey on SQLite needs an App opened with Options.Exclusive")
	}
	if progress == nil {
		progress = func(Rotation) {}
	}
	path := a.Config.KeyFile()
	if len(a.Keys.KeyIDs()) > 1 {
		r.Resumed = true
		r.NewKeyID = a.Keys.ActiveKeyID()
	} else {
		id, err := a.Keys.Rotate(a.Rand)
		if err != nil {
			return r, err
		}
		if err := seal.WriteKeyFile(path, a.Keys); err != nil {
			return r, err
		}
		r.NewKeyID = id
	}
	progress(r)

	active := r.NewKeyID
	for pass := 1; ; pass++ {
		n := 0
		_, err := a.DB.RewrapKeys(ctx, func(personID string, wrapped []byte) ([]byte, error) {
			var wk seal.WrappedKey
			if err := wk.UnmarshalBinary(wrapped); err != nil {
				return nil, fmt.Errorf("app: the data key of person %s: %w", personID, err)
			}
			if wk.MasterKeyID == active {
				return wrapped, nil
			}
			nk, err := a.Keys.Rewrap(personID, wk)
			if err != nil {
				return nil, fmt.Errorf("app: rewrapping the data key of person %s (nothing was retired; the key file "+
					"holds both keys): %w", personID, err)
			}
			out, err := nk.MarshalBinary()
			if err != nil {
				return nil, err
			}
			n++
			r.Rewrapped++
			progress(r)
			return out, nil
		})
		if err != nil {
			return r, err
		}
		if n == 0 || !a.Config.Postgres() {
			break
		}
		if pass == maxPasses {
			return r, fmt.Errorf("app: data keys keep appearing under an old master key: a server is still running " +
				"with the old key file. Stop every server, then run the rotation again")
		}
	}

	for _, id := range a.Keys.KeyIDs() {
		if id == active {
			continue
		}
		if err := a.Keys.Remove(id); err != nil {
			return r, err
		}
		r.Retired = append(r.Retired, id)
	}
	if len(r.Retired) > 0 {
		if err := seal.WriteKeyFile(path, a.Keys); err != nil {
			return r, err
		}
	}
	return r, nil
}
