// Package seal encrypts Discern's identifying and sensitive fields, computes
// blind indexes for looking them up without decrypting, and makes erasure
// possible by destroying one key (crypto-shredding).
//
// It is a pure library on the standard library's crypto: it never touches a
// database. The store persists wrapped data keys by implementing [KeyVault].
//
// # Keys
//
// There are three layers of keys:
//
//   - Master keys (key-encryption keys) live in a [Keyring], loaded from a
//     key file or from the DISCERN_MASTER_KEY environment value. One is
//     active and wraps new data keys; older ones stay only to unwrap data
//     keys that have not been rewrapped yet. Each has a short id.
//   - One data key per person (DEK): 32 random bytes, wrapped with
//     AES-256-GCM under the active master key ([Keyring.NewDataKey]) and
//     stored by the store in a key vault. The wrapping is bound to the person
//     (associated data "discern/dek/v1|master:<id>|dek:<id>|person:<id>"), so
//     a wrapped key copied to another person's row does not unwrap.
//     Fields are sealed with a key derived from the DEK by HKDF-SHA256
//     ("discern/field/v1"), so the DEK itself is never used for two purposes.
//   - One index secret, also in the key file, from which a blind-index key
//     per field is derived by HKDF-SHA256 ("discern/blind/<field>/v1"). It is
//     independent of the master keys so that rotating them does not change
//     any index; rotating the index secret means recomputing every index.
//
// # Key file
//
// A key file is UTF-8 text, one entry per line; blank lines and lines whose
// first non-blank character is '#' are ignored:
//
//	# Discern keys: back this file up separately from the database.
//	index <base64 of 32 bytes>
//	master <id> <base64 of 32 bytes>
//	master <id> <base64 of 32 bytes> active
//
// There must be exactly one index line and at least one master line. Ids are
// 1 to 32 characters from A-Z a-z 0-9 '.' '_' '-' and unique. At most one
// master line carries the word "active"; without one, the last master line
// is active. Keys are standard, padded base64 (44 characters). The file must
// not be readable or writable by group or others (chmod 600); [LoadKeyFile]
// refuses it otherwise. The DISCERN_MASTER_KEY value has the same grammar,
// with ';' accepted between entries in place of a new line:
//
//	DISCERN_MASTER_KEY='index <b64>; master k1 <b64> active'
//
// Error messages name the file (or DISCERN_MASTER_KEY) and the line or entry
// number, and never repeat key material.
//
// # Ciphertext formats
//
// A sealed field (version 1) is
//
//	0x01 | data key id (4 bytes) | nonce (12) | AES-256-GCM ciphertext | tag (16)
//
// 33 bytes of overhead. The associated data is the 5-byte header followed by
// the length-prefixed encoding of "discern/field/v1" and the [Binding]
// (table, column, row id), so a ciphertext does not open in another row or
// column, and the header cannot be altered. Nonces are random (from
// crypto/rand via [cipher.NewGCMWithRandomNonce], never from the reader
// passed in), which is safe for up to 2^32 fields per person.
//
// A wrapped data key ([WrappedKey.MarshalBinary]) is
//
//	0x01 | master key id length (1) | master key id | data key id (4) | nonce (12) | ciphertext (32) | tag (16)
//
// # Rotation
//
// [Keyring.Rotate] adds a new active master key; the caller saves the file
// with [WriteKeyFile]. Existing wrapped keys keep working because the old
// master key stays in the ring. The rotation command then walks the vault
// and replaces every wrapped key whose MasterKeyID is not the active one
// with [Keyring.Rewrap]; only then may the old master key be dropped with
// [Keyring.Remove]. Field ciphertexts never need re-encrypting for a master
// key rotation, since the data keys do not change.
//
// # Crypto-shredding
//
// A person's wrapped data key is kept in exactly one place: a key vault
// table that is not part of the data backups (it is backed up, if at all,
// separately and with a short retention). Every field of that person is
// sealed under that key. Destroying the vault row ([KeyVault.DestroyKey],
// [Sealer.DestroyKey]) therefore makes every ciphertext of that person
// unreadable everywhere it was ever copied: the live database, its WAL,
// replicas and every data backup, with no need to find and rewrite them.
// The vault keeps a tombstone so that a destroyed key reports
// [ErrKeyDestroyed] rather than being silently recreated. Blind indexes are
// not covered: they are keyed with the index secret, not the person's key,
// so the store must delete a shredded person's index values itself.
//
// Caches of unwrapped data keys ([KeyCache]) delay shredding on other
// replicas by at most their time-to-live; the process that destroys the key
// drops it from its own cache at once.
//
// # Memory
//
// Raw key bytes that this package handles (unwrapped data keys, derived
// subkeys) are zeroed as soon as the cipher is set up. The expanded AES key
// schedule inside a [cipher.AEAD] is owned by crypto/aes and cannot be
// zeroed from here; a [KeyCache] drops its reference on eviction so the
// garbage collector can reclaim it. Go gives no stronger guarantee.
package seal
