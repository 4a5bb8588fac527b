package auth

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/discern-org/discern/internal/discern"
)

// Params are the Argon2id cost parameters. They are written into every hash,
// so changing them later does not break existing hashes; NeedsRehash tells
// when a stored hash should be upgraded at the next successful sign-in.
type Params struct {
	Time      uint32 // passes over memory (t)
	MemoryKiB uint32 // memory in KiB (m)
	Threads   uint8  // lanes (p)
	SaltLen   uint32 // random salt length in bytes
	KeyLen    uint32 // derived hash length in bytes
}

// DefaultParams are the production parameters: OWASP's minimum for Argon2id
// (t=2, m=19 MiB, p=1). About 20 ms per hash on a 2-core machine, which keeps
// sign-in quick while making offline guessing of a stolen database slow.
var DefaultParams = Params{Time: 2, MemoryKiB: 19 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// TestParams are cheap but real Argon2id parameters for tests. They must
// never be used in production: hashing costs microseconds.
var TestParams = Params{Time: 1, MemoryKiB: 8, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on parameters read from stored hashes. A corrupted or hostile row
// must not make the server allocate gigabytes or spin for minutes.
const (
	maxTime      = 16
	maxMemoryKiB = 256 * 1024
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	maxPHCLen    = 512
)

// MaxPasswordBytes bounds the input to hashing. It is four bytes for each of
// the MaxPasswordLength code points the policy allows.
const MaxPasswordBytes = 4 * MaxPasswordLength

func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d outside 1..%d", p.Time, maxTime)
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d outside 1..%d", p.Threads, maxThreads)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB:
		// RFC 9106 requires at least 8 KiB per lane.
		return fmt.Errorf("memory %d KiB outside %d..%d", p.MemoryKiB, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords. It is safe for concurrent use and
// caps how many hashes run at once, because each one holds MemoryKiB of
// memory and a burst of sign-ins must not exhaust the server.
type Hasher struct {
	params Params
	sem    chan struct{}
	rand   io.Reader
	dummy  string // a real hash to verify against when the user does not exist
}

// NewHasher returns a Hasher that creates hashes with params, runs at most
// maxConcurrent hashes at a time (callers wait, honouring their context), and
// draws salts from random (crypto/rand.Reader in production).
func NewHasher(params Params, maxConcurrent int, random io.Reader) (*Hasher, error) {
	if err := params.validate(); err != nil {
		return nil, fmt.Errorf("auth: password parameters: %w", err)
	}
	if maxConcurrent < 1 {
		return nil, fmt.Errorf("auth: maxConcurrent must be at least 1, got %d", maxConcurrent)
	}
	if random == nil {
		return nil, errors.New("auth: a random source is required")
	}
	h := &Hasher{params: params, sem: make(chan struct{}, maxConcurrent), rand: random}
	salt := make([]byte, params.SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return nil, fmt.Errorf("auth: reading salt: %w", err)
	}
	h.dummy = encodePHC(params, salt, argon2.IDKey([]byte("no such user"), salt, params.Time, params.MemoryKiB, params.Threads, params.KeyLen))
	return h, nil
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("auth: waiting to hash a password: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.sem }

// normalizePassword applies NFKC so that the same password typed on
// different keyboards and systems (composed or decomposed accents, full-width
// forms) hashes the same, as NIST SP 800-63B asks.
func normalizePassword(password string) string {
	return norm.NFKC.String(password)
}

// Hash returns the PHC string of password, e.g.
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>. It does not apply the
// password policy; call CheckPassword first when the user chooses a password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxPasswordBytes {
		return "", tooLongError()
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := io.ReadFull(h.rand, salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(normalizePassword(password)), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded. A wrong
// password is (false, nil); a malformed or out-of-bounds hash is an error of
// kind internal, because stored hashes are ours and should never be wrong.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	ph, err := parsePHC(encoded)
	if err != nil {
		return false, &discern.Error{Kind: discern.KindInternal, Err: fmt.Errorf("auth: stored password hash: %w", err)}
	}
	if len(password) > MaxPasswordBytes {
		// Hash never accepted such a password, so it cannot match.
		return false, nil
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	p := ph.params
	key := argon2.IDKey([]byte(normalizePassword(password)), ph.salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(key, ph.key) == 1, nil
}

// VerifyNoUser does the work of one Verify and always fails. Call it when
// the username is unknown, so that response time does not reveal which
// usernames exist.
func (h *Hasher) VerifyNoUser(ctx context.Context, password string) error {
	_, err := h.Verify(ctx, password, h.dummy)
	return err
}

// NeedsRehash reports whether encoded was made with other parameters than
// the Hasher's (or cannot be read), so the caller should store a fresh Hash
// of the password the user just signed in with.
func (h *Hasher) NeedsRehash(encoded string) bool {
	ph, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	p := ph.params
	return p.Time != h.params.Time || p.MemoryKiB != h.params.MemoryKiB || p.Threads != h.params.Threads ||
		p.SaltLen != h.params.SaltLen || p.KeyLen != h.params.KeyLen
}

type phc struct {
	params Params
	salt   []byte
	key    []byte
}

// phcBase64 is the PHC string format's encoding: standard alphabet, no
// padding. Strict rejects non-zero trailing bits, so each hash has exactly
// one spelling.
var phcBase64 = base64.RawStdEncoding.Strict()

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, phcBase64.EncodeToString(salt), phcBase64.EncodeToString(key))
}

// parsePHC reads exactly the form encodePHC writes. Anything else, including
// optional PHC fields we never write, is an error.
func parsePHC(s string) (phc, error) {
	if len(s) > maxPHCLen {
		return phc{}, errors.New("too long")
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return phc{}, errors.New("not a PHC string")
	}
	if parts[1] != "argon2id" {
		return phc{}, errors.New("not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, errors.New("unsupported argon2 version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return phc{}, errors.New("want parameters m, t and p")
	}
	var vals [3]uint32
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(kv[i], name)
		if !ok {
			return phc{}, fmt.Errorf("parameter %d: want %q", i+1, name)
		}
		n, err := parseDecimal(v)
		if err != nil {
			return phc{}, fmt.Errorf("parameter %s %w", name, err)
		}
		vals[i] = n
	}
	if vals[2] > maxThreads {
		return phc{}, fmt.Errorf("threads %d above %d", vals[2], maxThreads)
	}
	salt, err := decodeCanonical(phcBase64, parts[4])
	if err != nil {
		return phc{}, fmt.Errorf("salt: %w", err)
	}
	key, err := decodeCanonical(phcBase64, parts[5])
	if err != nil {
		return phc{}, fmt.Errorf("hash: %w", err)
	}
	p := Params{MemoryKiB: vals[0], Time: vals[1], Threads: uint8(vals[2]), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.validate(); err != nil {
		return phc{}, err
	}
	return phc{params: p, salt: salt, key: key}, nil
}

// parseDecimal accepts only plain decimal digits without a sign or leading
// zeros, so that each parameter has one spelling.
func parseDecimal(s string) (uint32, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("is not a plain number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("is not a plain number")
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("is out of range")
	}
	return uint32(n), nil
}

// decodeCanonical decodes s and insists that it is the one spelling of its
// bytes. encoding/base64 skips CR and LF even in Strict mode, so without
// the round trip "abc\r" and "abc" would both be accepted.
func decodeCanonical(enc *base64.Encoding, s string) ([]byte, error) {
	b, err := enc.DecodeString(s)
	if err != nil || enc.EncodeToString(b) != s {
		return nil, errors.New("not canonical base64")
	}
	return b, nil
}
