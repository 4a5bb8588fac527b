package casework

import (
	"context"
	"errors"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
)

// Vault adapts the store's key vault (wrapped keys as bytes, domain errors)
// to the seal package's KeyVault (typed wrapped keys, seal errors).
func Vault(v discern.KeyVault) seal.KeyVault { return vault{v} }

type vault struct{ v discern.KeyVault }

func (a vault) PutKey(ctx context.Context, id string, wk seal.WrappedKey) error {
	b, err := wk.MarshalBinary()
	if err != nil {
		return err
	}
	err = a.v.PutKey(ctx, id, b)
	switch {
	case errors.Is(err, discern.ErrKeyDestroyed):
		return seal.ErrKeyDestroyed
	case discern.KindOf(err) == discern.KindConflict:
		return seal.ErrKeyExists
	}
	return err
}

func (a vault) GetKey(ctx context.Context, id string) (seal.WrappedKey, error) {
	var wk seal.WrappedKey
	b, err := a.v.GetKey(ctx, id)
	switch {
	case errors.Is(err, discern.ErrKeyDestroyed):
		return wk, seal.ErrKeyDestroyed
	case errors.Is(err, discern.ErrKeyNotFound):
		return wk, seal.ErrKeyNotFound
	case err != nil:
		return wk, err
	}
	err = wk.UnmarshalBinary(b)
	return wk, err
}

func (a vault) DestroyKey(ctx context.Context, id string) error {
	return a.v.DestroyKey(ctx, id)
}
