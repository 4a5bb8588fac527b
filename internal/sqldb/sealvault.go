package sqldb

import (
	"context"
	"errors"
	"fmt"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
)

// SealVault adapts the store's key vault (wrapped keys as bytes, domain
// errors) to the one seal.Sealer uses (seal.WrappedKey, seal's errors).
// Its "destroyed" and "not found" errors match both packages' sentinels, so
// errors.Is(err, seal.ErrKeyDestroyed) and errors.Is(err,
// discern.ErrKeyDestroyed) both hold, and discern.KindOf sees KindNotFound.
//
// One difference from seal.KeyVault's contract: destroying the key of a
// person who never had one is not an error; the store records a tombstone,
// so that no key can ever be made for that person afterwards.
func SealVault(kv discern.KeyVault) seal.KeyVault { return vault{kv} }

type vault struct{ kv discern.KeyVault }

func (v vault) PutKey(ctx context.Context, personID string, wk seal.WrappedKey) error {
	b, err := wk.MarshalBinary()
	if err != nil {
		return err
	}
	err = v.kv.PutKey(ctx, personID, b)
	if err != nil && !errors.Is(err, discern.ErrKeyDestroyed) && discern.KindOf(err) == discern.KindConflict {
		return fmt.Errorf("%w: %w", seal.ErrKeyExists, err)
	}
	return vaultErr(err)
}

func (v vault) GetKey(ctx context.Context, personID string) (seal.WrappedKey, error) {
	b, err := v.kv.GetKey(ctx, personID)
	if err != nil {
		return seal.WrappedKey{}, vaultErr(err)
	}
	var wk seal.WrappedKey
	if err := wk.UnmarshalBinary(b); err != nil {
		return seal.WrappedKey{}, err
	}
	return wk, nil
}

func (v vault) DestroyKey(ctx context.Context, personID string) error {
	return vaultErr(v.kv.DestroyKey(ctx, personID))
}

// vaultErr gives the store's key errors seal's identity as well.
func vaultErr(err error) error {
	switch {
	case errors.Is(err, discern.ErrKeyDestroyed):
		return &keyError{seal.ErrKeyDestroyed, discern.ErrKeyDestroyed}
	case errors.Is(err, discern.ErrKeyNotFound):
		return &keyError{seal.ErrKeyNotFound, discern.ErrKeyNotFound}
	}
	return err
}

// keyError is one of seal's key errors that is also the store's.
type keyError struct{ seal, domain error }

func (e *keyError) Error() string   { return e.seal.Error() }
func (e *keyError) Unwrap() []error { return []error{e.seal, e.domain} }
