package seal

import "errors"

// Errors returned by this package, for errors.Is. None of them carries key
// material or plaintext. Except for ErrKeyDestroyed, they mean the data or
// the configuration is wrong, not the user's request: the store should map
// them to an internal error.
var (
	// ErrKeyDestroyed means the person's data key was destroyed on purpose
	// (crypto-shredding): their data is gone for good. A KeyVault returns it
	// from GetKey and PutKey for a person whose key was destroyed.
	ErrKeyDestroyed = errors.New("seal: the person's data key was destroyed")

	// ErrKeyNotFound means the vault has no data key for the person and
	// never had one. A KeyVault returns it from GetKey and DestroyKey.
	ErrKeyNotFound = errors.New("seal: no data key for the person")

	// ErrKeyExists means the vault already holds a data key for the person.
	// A KeyVault returns it from PutKey, so that two writers racing to
	// create a person's first key agree on one.
	ErrKeyExists = errors.New("seal: the person already has a data key")

	// ErrUnknownMasterKey means a wrapped data key names a master key that
	// is not in the keyring, typically because it was removed before the
	// vault was fully rewrapped, or the wrong key file is loaded.
	ErrUnknownMasterKey = errors.New("seal: unknown master key")

	// ErrMalformed means a ciphertext or wrapped key is too short, has an
	// unknown version or is otherwise not in a format this package writes.
	ErrMalformed = errors.New("seal: malformed ciphertext")

	// ErrDecrypt means authentication failed: the ciphertext was altered,
	// belongs to another row, column or person, or the key is wrong.
	ErrDecrypt = errors.New("seal: decryption failed")

	// ErrWrongDataKey means a field was sealed under a different data key
	// than the one given (its key id differs): usually another person's
	// key, or a key replaced since.
	ErrWrongDataKey = errors.New("seal: sealed under a different data key")
)
