package seal

import (
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// testRand returns a deterministic random source, so that keys and ids are
// the same on every run. Never use such a source outside tests.
func testRand(seed byte) io.Reader {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

func mustKeyring(tb testing.TB, seed byte) *Keyring {
	tb.Helper()
	kr, err := NewKeyring(testRand(seed))
	if err != nil {
		tb.Fatal(err)
	}
	return kr
}

func mustDataKey(tb testing.TB, kr *Keyring, personID string) (DataKey, WrappedKey) {
	tb.Helper()
	dk, wk, err := kr.NewDataKey(testRand(0x42), personID)
	if err != nil {
		tb.Fatal(err)
	}
	return dk, wk
}

func mustSeal(tb testing.TB, dk DataKey, plaintext string, b Binding) []byte {
	tb.Helper()
	ct, err := Seal(dk, []byte(plaintext), b)
	if err != nil {
		tb.Fatal(err)
	}
	return ct
}

// memVault is a KeyVault in memory that keeps the contract the store's
// vault must keep: insert-only keys and tombstones for destroyed ones.
type memVault struct {
	mu   sync.Mutex
	rows map[string]*WrappedKey // nil value: destroyed
	gets int
	// beforePut, if set, runs before PutKey takes the lock, to stage races.
	beforePut func(personID string)
}

func newMemVault() *memVault { return &memVault{rows: map[string]*WrappedKey{}} }

func (v *memVault) PutKey(ctx context.Context, personID string, wk WrappedKey) error {
	if v.beforePut != nil {
		v.beforePut(personID)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if row, ok := v.rows[personID]; ok {
		if row == nil {
			return ErrKeyDestroyed
		}
		return ErrKeyExists
	}
	// Keep the bytes, as a database would, not the caller's slice.
	b, err := wk.MarshalBinary()
	if err != nil {
		return err
	}
	var stored WrappedKey
	if err := stored.UnmarshalBinary(b); err != nil {
		return err
	}
	v.rows[personID] = &stored
	return nil
}

func (v *memVault) GetKey(ctx context.Context, personID string) (WrappedKey, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gets++
	row, ok := v.rows[personID]
	switch {
	case !ok:
		return WrappedKey{}, ErrKeyNotFound
	case row == nil:
		return WrappedKey{}, ErrKeyDestroyed
	}
	return *row, nil
}

func (v *memVault) DestroyKey(ctx context.Context, personID string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	row, ok := v.rows[personID]
	if !ok {
		return ErrKeyNotFound
	}
	if row != nil {
		clear(row.Sealed)
	}
	v.rows[personID] = nil
	return nil
}

func (v *memVault) replace(personID string, wk WrappedKey) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.rows[personID] = &wk
}

func (v *memVault) getCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.gets
}
