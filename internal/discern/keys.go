package discern

import "context"

// ErrKeyNotFound is returned by a KeyVault for a person who never had a key.
var ErrKeyNotFound = &Error{Kind: KindNotFound, Message: "This person's record has no data key."}

// ErrKeyDestroyed is returned by a KeyVault for a person whose key was
// destroyed: their sealed data is gone for good, in backups too. It is a
// KindNotFound error so that it reads as "no such data" to users.
var ErrKeyDestroyed = &Error{Kind: KindNotFound, Message: "This person's data has been erased."}

// KeyVault keeps each person's data key, wrapped by the master key. It is
// stored apart from the data that backups copy, so that destroying a key
// (crypto-shredding) erases the person from every backup as well.
type KeyVault interface {
	// PutKey stores a new wrapped key. Returns KindConflict if the person
	// has a key, and ErrKeyDestroyed if theirs was destroyed: an erased
	// person is never given a new key under the same ID.
	PutKey(ctx context.Context, personID string, wrapped []byte) error
	// GetKey returns the wrapped key, ErrKeyNotFound or ErrKeyDestroyed.
	GetKey(ctx context.Context, personID string) ([]byte, error)
	// DestroyKey destroys the key for good. Destroying a destroyed key is
	// not an error; destroying a key that never existed records the
	// person as destroyed, so that a key can never be put later.
	DestroyKey(ctx context.Context, personID string) error
	// RewrapKeys calls fn for every live key and stores what it returns,
	// for master key rotation. It returns the number of keys rewrapped.
	RewrapKeys(ctx context.Context, fn func(personID string, wrapped []byte) ([]byte, error)) (int, error)
}
