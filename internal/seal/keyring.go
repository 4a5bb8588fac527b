package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// KeySize is the size in bytes of every secret key in this package: master
// keys, the index secret and data keys. All are AES-256 or HMAC-SHA256 keys.
const KeySize = 32

// maxKeyIDLen bounds a master key id; it is stored in every wrapped key.
const maxKeyIDLen = 32

// EnvMasterKey is the environment variable that may hold the keyring in
// place of a key file. The caller reads it and passes its value to
// [ParseKeyringEnv].
const EnvMasterKey = "DISCERN_MASTER_KEY"

// Info strings for HKDF. Each names its purpose and version so that keys
// derived for one purpose are unrelated to those of any other.
const (
	infoKEK   = "discern/kek/v1"
	infoField = "discern/field/v1"
)

var b64 = base64.StdEncoding.Strict()

// masterKey is one key-encryption key.
type masterKey struct {
	id   string
	raw  []byte      // kept only so that the keyring can be written back
	aead cipher.AEAD // AES-256-GCM under HKDF(raw, infoKEK)
	line int         // where it was read, for error messages; 0 if generated
}

// Keyring holds Discern's master keys and index secret. One master key is
// active and wraps new data keys; the others are kept only to unwrap data
// keys not yet rewrapped. A Keyring is safe for concurrent use. Make one
// with NewKeyring, ParseKeyring, ParseKeyringEnv or the key-file functions;
// the zero Keyring is not usable.
type Keyring struct {
	mu     sync.RWMutex
	keys   []*masterKey // in file order
	active *masterKey
	index  []byte // the index secret; never changes with rotation

	blindMu   sync.Mutex
	blindKeys map[string][]byte // field → derived index key
}

// NewKeyring returns a keyring with a fresh index secret and one fresh
// master key, both read from rand (crypto/rand.Reader in production).
func NewKeyring(rand io.Reader) (*Keyring, error) {
	index, err := randomKey(rand)
	if err != nil {
		return nil, fmt.Errorf("seal: new index secret: %w", err)
	}
	kr := &Keyring{index: index}
	if _, err := kr.Rotate(rand); err != nil {
		return nil, err
	}
	return kr, nil
}

// ParseKeyring reads a keyring in the key-file format described in the
// package documentation. source names where data came from (a file path, or
// "DISCERN_MASTER_KEY") and appears in every error, with the line number.
// Errors never contain key material.
func ParseKeyring(source string, data []byte) (*Keyring, error) {
	return parseKeyring(source, "line", data, false)
}

// ParseKeyringEnv reads a keyring from the value of the DISCERN_MASTER_KEY
// environment variable: the key-file format, in which ';' may also separate
// entries.
func ParseKeyringEnv(value string) (*Keyring, error) {
	return parseKeyring(EnvMasterKey, "entry", []byte(value), true)
}

// keyfileError is a problem at one place in a key file.
type keyfileError struct {
	source string
	unit   string // "line" or "entry"
	line   int    // 0 for a problem with the whole file
	reason string
}

func (e *keyfileError) Error() string {
	if e.line == 0 {
		return fmt.Sprintf("seal: key file %s: %s", e.source, e.reason)
	}
	return fmt.Sprintf("seal: key file %s, %s %d: %s", e.source, e.unit, e.line, e.reason)
}

func parseKeyring(source, unit string, data []byte, semicolons bool) (*Keyring, error) {
	fail := func(line int, format string, args ...any) error {
		return &keyfileError{source: source, unit: unit, line: line, reason: fmt.Sprintf(format, args...)}
	}
	text := string(data)
	if semicolons {
		text = strings.ReplaceAll(text, ";", "\n")
	}
	kr := &Keyring{}
	indexLine := 0
	var activeLine int
	seen := map[string]int{} // base64 key → line, to catch a key pasted twice
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !isText(line) {
			return nil, fail(n, "contains control characters or is not UTF-8 text")
		}
		f := strings.Fields(line)
		switch f[0] {
		case "index":
			if len(f) != 2 {
				return nil, fail(n, `want "index <base64 key>", found %d fields`, len(f))
			}
			if indexLine != 0 {
				return nil, fail(n, "second index secret; the first is on %s %d", unit, indexLine)
			}
			key, err := decodeKey(f[1])
			if err != nil {
				return nil, fail(n, "index secret %v", err)
			}
			if prev, ok := seen[f[1]]; ok {
				return nil, fail(n, "index secret repeats the key on %s %d; every key must be distinct", unit, prev)
			}
			seen[f[1]] = n
			kr.index, indexLine = key, n
		case "master":
			if len(f) != 3 && len(f) != 4 {
				return nil, fail(n, `want "master <id> <base64 key> [active]", found %d fields`, len(f))
			}
			id := f[1]
			if err := checkKeyID(id); err != nil {
				return nil, fail(n, "%v", err)
			}
			for _, k := range kr.keys {
				if k.id == id {
					return nil, fail(n, "master key id %q is already used on %s %d", id, unit, k.line)
				}
			}
			key, err := decodeKey(f[2])
			if err != nil {
				return nil, fail(n, "master key %q %v", id, err)
			}
			if prev, ok := seen[f[2]]; ok {
				return nil, fail(n, "master key %q repeats the key on %s %d; every key must be distinct", id, unit, prev)
			}
			seen[f[2]] = n
			mk, err := newMasterKey(id, key)
			if err != nil {
				return nil, fail(n, "master key %q: %v", id, err)
			}
			mk.line = n
			kr.keys = append(kr.keys, mk)
			if len(f) == 4 {
				if f[3] != "active" {
					return nil, fail(n, `unexpected fourth field on master key %q; the only one allowed is "active"`, id)
				}
				if activeLine != 0 {
					return nil, fail(n, "master key %q is marked active, but so is %q on %s %d", id, kr.active.id, unit, activeLine)
				}
				kr.active, activeLine = mk, n
			}
		default:
			// The first field is not echoed: a misplaced key would end up in a log.
			return nil, fail(n, `an entry must start with "index" or "master"`)
		}
	}
	if len(kr.keys) == 0 {
		return nil, fail(0, `no master key (want a line "master <id> <base64 key>")`)
	}
	if indexLine == 0 {
		return nil, fail(0, `no index secret (want a line "index <base64 key>")`)
	}
	if kr.active == nil {
		kr.active = kr.keys[len(kr.keys)-1]
	}
	return kr, nil
}

// isText reports whether s is valid UTF-8 without control characters other
// than tab, so that nothing odd ends up in a key id or an error message.
func isText(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' || (r < 0x20 && r != '\t') || r == 0x7f {
			return false
		}
	}
	return true
}

func decodeKey(s string) ([]byte, error) {
	if len(s) != b64.EncodedLen(KeySize) {
		return nil, fmt.Errorf("must be %d characters of base64 (%d bytes), found %d characters", b64.EncodedLen(KeySize), KeySize, len(s))
	}
	key, err := b64.DecodeString(s)
	if err != nil || len(key) != KeySize {
		return nil, errors.New("is not valid standard base64")
	}
	if isZero(key) {
		return nil, errors.New("is all zeros")
	}
	return key, nil
}

func checkKeyID(id string) error {
	if !validName(id, maxKeyIDLen) {
		return fmt.Errorf("key id must be 1 to %d letters, digits, '.', '_' or '-'", maxKeyIDLen)
	}
	return nil
}

// validName reports whether s is 1 to max ASCII letters, digits, '.', '_'
// or '-': safe in error messages, associated data and file names.
func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func newMasterKey(id string, raw []byte) (*masterKey, error) {
	aead, err := newAEAD(raw, infoKEK)
	if err != nil {
		return nil, err
	}
	return &masterKey{id: id, raw: raw, aead: aead}, nil
}

// newAEAD returns AES-256-GCM with random nonces under HKDF-SHA256(secret,
// info), zeroing the derived key once the cipher holds it.
func newAEAD(secret []byte, info string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, secret, nil, info, KeySize)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

func randomKey(rand io.Reader) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(rand, key); err != nil {
		return nil, err
	}
	if isZero(key) {
		// 2^-256 by chance; far likelier a broken or test-only reader.
		return nil, errors.New("random source returned all zeros")
	}
	return key, nil
}

func isZero(b []byte) bool {
	var acc byte
	for _, c := range b {
		acc |= c
	}
	return acc == 0
}

// MarshalText returns the keyring in the key-file format, with the active
// master key marked. The result holds every secret key: write it only to a
// file with mode 0600, as [WriteKeyFile] does.
func (kr *Keyring) MarshalText() ([]byte, error) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	var b bytes.Buffer
	b.WriteString("# Discern keys. Keep this file secret (mode 0600) and back it up separately\n")
	b.WriteString("# from the database: without it the encrypted data cannot be read, and anyone\n")
	b.WriteString("# holding both can read everything. Format: see Discern's package seal.\n")
	fmt.Fprintf(&b, "index %s\n", b64.EncodeToString(kr.index))
	for _, k := range kr.keys {
		fmt.Fprintf(&b, "master %s %s", k.id, b64.EncodeToString(k.raw))
		if k == kr.active {
			b.WriteString(" active")
		}
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// String describes the keyring by its key ids only, so that printing or
// logging it by mistake reveals no key.
func (kr *Keyring) String() string {
	return fmt.Sprintf("seal.Keyring(master keys %s, active %s)", strings.Join(kr.KeyIDs(), ","), kr.ActiveKeyID())
}

// GoString is String, for %#v.
func (kr *Keyring) GoString() string { return kr.String() }

// ActiveKeyID returns the id of the master key that wraps new data keys.
func (kr *Keyring) ActiveKeyID() string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active.id
}

// KeyIDs returns the ids of all master keys, oldest first.
func (kr *Keyring) KeyIDs() []string {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	ids := make([]string, len(kr.keys))
	for i, k := range kr.keys {
		ids[i] = k.id
	}
	return ids
}

// Rotate adds a new master key read from rand, makes it the active one and
// returns its id. Older keys stay for unwrapping. The caller saves the
// keyring with [WriteKeyFile] before wrapping anything under the new key,
// and then rewraps the vault (see "Rotation" in the package documentation).
func (kr *Keyring) Rotate(rand io.Reader) (string, error) {
	raw, err := randomKey(rand)
	if err != nil {
		return "", fmt.Errorf("seal: new master key: %w", err)
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	var id string
	for range 8 {
		var b [4]byte
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("seal: new master key id: %w", err)
		}
		cand := "k" + hex.EncodeToString(b[:])
		if kr.lookup(cand) == nil {
			id = cand
			break
		}
	}
	if id == "" {
		return "", errors.New("seal: new master key id: random source keeps repeating itself")
	}
	repeated := subtle.ConstantTimeCompare(kr.index, raw) == 1
	for _, k := range kr.keys {
		repeated = repeated || subtle.ConstantTimeCompare(k.raw, raw) == 1
	}
	if repeated {
		return "", errors.New("seal: new master key: random source repeated an existing key")
	}
	mk, err := newMasterKey(id, raw)
	if err != nil {
		return "", fmt.Errorf("seal: new master key: %w", err)
	}
	kr.keys = append(kr.keys, mk)
	kr.active = mk
	return id, nil
}

// Remove drops a retired master key. Data keys still wrapped under it can no
// longer be unwrapped (they fail with [ErrUnknownMasterKey]), so remove a
// key only after every wrapped key in the vault has been rewrapped. The
// active key cannot be removed.
func (kr *Keyring) Remove(id string) error {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	for i, k := range kr.keys {
		if k.id != id {
			continue
		}
		if k == kr.active {
			return fmt.Errorf("seal: master key %q is active and cannot be removed; rotate first", id)
		}
		kr.keys = append(kr.keys[:i:i], kr.keys[i+1:]...)
		return nil
	}
	return fmt.Errorf("seal: %w: %q", ErrUnknownMasterKey, id)
}

// lookup returns the master key with the given id, or nil. The caller holds mu.
func (kr *Keyring) lookup(id string) *masterKey {
	for _, k := range kr.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}
