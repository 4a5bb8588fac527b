package seal

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// BlindIndexSize is the length of a blind index: HMAC-SHA256 truncated to
// 128 bits, short enough for an indexed column and far too long for chance
// collisions to matter.
const BlindIndexSize = 16

// maxFieldNameLen bounds a blind-index field name; names are constants in code.
const maxFieldNameLen = 64

// NormalizeIndexValue is what a blind index compares: value with leading
// and trailing white space removed, inner runs of white space collapsed to
// one space, and lower-cased with [strings.ToLower].
//
// It is not aware of Unicode normalization (the standard library has none):
// "é" typed as one code point and as "e" plus a combining accent index
// differently, so callers should normalize to NFC before sealing and
// indexing if their input can mix the two. Lower-casing is not full case
// folding either: "ß" does not match "SS".
func NormalizeIndexValue(value string) string {
	return strings.ToLower(strings.Join(strings.Fields(value), " "))
}

// BlindIndex returns the blind index of value for the named field: the
// first [BlindIndexSize] bytes of HMAC-SHA256 of [NormalizeIndexValue](value)
// under a key derived from the index secret for that field alone. It is
// deterministic, so the store can find a row by, say, its case code without
// decrypting anything, and values that normalize alike match.
//
// Anyone who can read the index column learns which rows share a value (and
// how often), though not the value; index only fields that lookups need.
// The field name (1 to 64 of a-z A-Z 0-9 '.' '_' '-') must be the same
// when writing and when looking up; it keeps an index of one field useless
// for finding values in another. A value that normalizes to "" has no
// index: store NULL for it.
func (kr *Keyring) BlindIndex(field, value string) ([]byte, error) {
	key, err := kr.blindKey(field)
	if err != nil {
		return nil, err
	}
	norm := NormalizeIndexValue(value)
	if norm == "" {
		return nil, errors.New("seal: blind index of an empty value")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(norm))
	return mac.Sum(nil)[:BlindIndexSize], nil
}

func (kr *Keyring) blindKey(field string) ([]byte, error) {
	if !validName(field, maxFieldNameLen) {
		return nil, fmt.Errorf("seal: blind index field name must be 1 to %d letters, digits, '.', '_' or '-'", maxFieldNameLen)
	}
	kr.blindMu.Lock()
	defer kr.blindMu.Unlock()
	if key, ok := kr.blindKeys[field]; ok {
		return key, nil
	}
	key, err := hkdf.Key(sha256.New, kr.index, nil, "discern/blind/"+field+"/v1", KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: blind index key: %w", err)
	}
	if kr.blindKeys == nil {
		kr.blindKeys = make(map[string][]byte)
	}
	kr.blindKeys[field] = key
	return key, nil
}

// AuditKey returns the key of the audit log's hash chain. It is derived from
// the index secret, which does not change when master keys rotate, so the
// chain verifies across rotations; someone with write access to the
// database alone cannot recompute the chain without it.
func (kr *Keyring) AuditKey() []byte {
	key, err := hkdf.Key(sha256.New, kr.index, nil, "discern/audit/v1", KeySize)
	if err != nil {
		panic("seal: deriving the audit key: " + err.Error()) // cannot fail for a 32-byte output
	}
	return key
}
