package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

func mustHasher(tb testing.TB, p Params) *Hasher {
	tb.Helper()
	h, err := NewHasher(p, 2, testRand(1))
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestHashVerify(t *testing.T) {
	h := mustHasher(t, TestParams)
	ctx := t.Context()
	tests := []struct {
		name     string
		stored   string // password hashed
		attempt  string // password presented
		want     bool
		hashKind discern.ErrorKind
	}{
		{name: "same", stored: "tangerine viaduct moss", attempt: "tangerine viaduct moss", want: true},
		{name: "different", stored: "tangerine viaduct moss", attempt: "tangerine viaduct mos", want: false},
		{name: "case matters", stored: "Tangerine viaduct moss", attempt: "tangerine viaduct moss", want: false},
		{name: "composed and decomposed accents are one password", stored: "caf\u00e9 au lait encore", attempt: "cafe\u0301 au lait encore", want: true},
		{name: "full-width forms are normalized", stored: "\uff50\uff41\uff53\uff53 long enough words", attempt: "pass long enough words", want: true},
		{name: "emoji", stored: "🦊🌙 fox under the moon", attempt: "🦊🌙 fox under the moon", want: true},
		{name: "too long to hash", stored: strings.Repeat("a", MaxPasswordBytes+1), hashKind: discern.KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := h.Hash(ctx, tc.stored)
			if tc.hashKind != "" {
				mustKind(t, err, tc.hashKind, ErrPasswordTooLong)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(enc, "$argon2id$v=19$m=8,t=1,p=1$") {
				t.Fatalf("hash %q does not have the PHC form", enc)
			}
			got, err := h.Verify(ctx, tc.attempt, enc)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHashIsSalted(t *testing.T) {
	h := mustHasher(t, TestParams)
	a, err := h.Hash(t.Context(), "the same password twice")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(t.Context(), "the same password twice")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of one password are equal: %s", a)
	}
}

func TestVerifyTooLongPassword(t *testing.T) {
	h := mustHasher(t, TestParams)
	enc, err := h.Hash(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := h.Verify(t.Context(), strings.Repeat("x", MaxPasswordBytes+1), enc)
	if ok || err != nil {
		t.Fatalf("Verify(too long) = %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyRejectsMalformedHashes(t *testing.T) {
	h := mustHasher(t, TestParams)
	good, err := h.Hash(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	salt := phcBase64.EncodeToString(make([]byte, 16))
	key := phcBase64.EncodeToString(make([]byte, 32))
	tests := map[string]string{
		"empty":                   "",
		"bcrypt":                  "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":                 "$argon2i$v=19$m=8,t=1,p=1$" + salt + "$" + key,
		"old version":             "$argon2id$v=16$m=8,t=1,p=1$" + salt + "$" + key,
		"no version":              "$argon2id$m=8,t=1,p=1$" + salt + "$" + key,
		"parameters reordered":    "$argon2id$v=19$t=1,m=8,p=1$" + salt + "$" + key,
		"extra parameter":         "$argon2id$v=19$m=8,t=1,p=1,keyid=x$" + salt + "$" + key,
		"missing parameter":       "$argon2id$v=19$m=8,t=1$" + salt + "$" + key,
		"leading zero":            "$argon2id$v=19$m=08,t=1,p=1$" + salt + "$" + key,
		"signed number":           "$argon2id$v=19$m=+8,t=1,p=1$" + salt + "$" + key,
		"zero time":               "$argon2id$v=19$m=8,t=0,p=1$" + salt + "$" + key,
		"zero threads":            "$argon2id$v=19$m=8,t=1,p=0$" + salt + "$" + key,
		"threads overflow uint8":  "$argon2id$v=19$m=2048,t=1,p=257$" + salt + "$" + key,
		"memory below 8 per lane": "$argon2id$v=19$m=8,t=1,p=2$" + salt + "$" + key,
		"huge memory":             "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"number overflow":         "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key,
		"huge time":               "$argon2id$v=19$m=8,t=100000,p=1$" + salt + "$" + key,
		"short salt":              "$argon2id$v=19$m=8,t=1,p=1$AAAA$" + key,
		"short hash":              "$argon2id$v=19$m=8,t=1,p=1$" + salt + "$AAAA",
		"padded base64":           "$argon2id$v=19$m=8,t=1,p=1$" + salt + "==$" + key,
		"url base64":              "$argon2id$v=19$m=8,t=1,p=1$" + strings.Repeat("_", 22) + "$" + key,
		"non-canonical base64":    "$argon2id$v=19$m=8,t=1,p=1$" + salt[:len(salt)-1] + "B$" + key,
		"CR in hash":              good[:len(good)-1] + "\r",
		"LF in salt":              "$argon2id$v=19$m=8,t=1,p=1$" + salt[:10] + "\n" + salt[10:] + "$" + key,
		"trailing field":          good + "$",
		"no leading dollar":       strings.TrimPrefix(good, "$"),
		"very long":               good + strings.Repeat("A", 1000),
	}
	for name, enc := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := h.Verify(t.Context(), "x", enc)
			if ok {
				t.Fatal("Verify accepted a malformed hash")
			}
			mustKind(t, err, discern.KindInternal, nil)
			if !h.NeedsRehash(enc) {
				t.Error("NeedsRehash = false for a malformed hash")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	cheap := mustHasher(t, TestParams)
	enc, err := cheap.Hash(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params Params
		want   bool
	}{
		{"same parameters", TestParams, false},
		{"more time", Params{Time: 2, MemoryKiB: 8, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more memory", Params{Time: 1, MemoryKiB: 16, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more threads", Params{Time: 1, MemoryKiB: 16, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"longer key", Params{Time: 1, MemoryKiB: 8, Threads: 1, SaltLen: 16, KeyLen: 64}, true},
		{"longer salt", Params{Time: 1, MemoryKiB: 8, Threads: 1, SaltLen: 32, KeyLen: 32}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := mustHasher(t, tc.params)
			if got := h.NeedsRehash(enc); got != tc.want {
				t.Fatalf("NeedsRehash = %v, want %v", got, tc.want)
			}
			// Whatever the parameters, the old hash still verifies.
			if ok, err := h.Verify(t.Context(), "x", enc); !ok || err != nil {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
		})
	}
}

func TestNewHasherRejects(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		max    int
	}{
		{"zero params", Params{}, 1},
		{"zero concurrency", TestParams, 0},
		{"memory too large", Params{Time: 1, MemoryKiB: maxMemoryKiB + 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1},
		{"short salt", Params{Time: 1, MemoryKiB: 8, Threads: 1, SaltLen: 4, KeyLen: 32}, 1},
		{"short key", Params{Time: 1, MemoryKiB: 8, Threads: 1, SaltLen: 16, KeyLen: 8}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewHasher(tc.params, tc.max, testRand(1)); err == nil {
				t.Fatal("NewHasher accepted bad settings")
			}
		})
	}
	if _, err := NewHasher(TestParams, 1, failingReader{}); err == nil {
		t.Fatal("NewHasher accepted a broken random source")
	}
	if _, err := NewHasher(TestParams, 1, nil); err == nil {
		t.Fatal("NewHasher accepted no random source")
	}
}

func TestHasherWaitsForASlot(t *testing.T) {
	h, err := NewHasher(TestParams, 1, testRand(1))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := h.Hash(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{} // another hash holds the only slot
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); err == nil {
		t.Fatal("Hash ran while the slot was taken")
	}
	if _, err := h.Verify(ctx, "x", enc); err == nil {
		t.Fatal("Verify ran while the slot was taken")
	}
	h.release()
	if ok, err := h.Verify(t.Context(), "x", enc); !ok || err != nil {
		t.Fatalf("Verify after release = %v, %v", ok, err)
	}
}

func TestVerifyNoUser(t *testing.T) {
	h := mustHasher(t, TestParams)
	if err := h.VerifyNoUser(t.Context(), "anything"); err != nil {
		t.Fatal(err)
	}
	if h.NeedsRehash(h.dummy) {
		t.Fatal("the dummy hash is not made with the hasher's parameters, so it costs different time")
	}
}

func TestPHCRoundTrip(t *testing.T) {
	h := mustHasher(t, DefaultParams)
	salt := []byte("0123456789abcdef")
	key := []byte("0123456789abcdef0123456789abcdef")
	enc := encodePHC(DefaultParams, salt, key)
	if want := "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"; enc != want {
		t.Fatalf("encodePHC = %s, want %s", enc, want)
	}
	got, err := parsePHC(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.params != DefaultParams || string(got.salt) != string(salt) || string(got.key) != string(key) {
		t.Fatalf("parsePHC = %+v", got)
	}
	if h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash = true for a hash with the default parameters")
	}
}

// FuzzParsePHC checks that no stored string makes parsing or verifying
// panic, and that whatever parses is in its one canonical spelling.
func FuzzParsePHC(f *testing.F) {
	h := mustHasher(f, TestParams)
	good, err := h.Hash(f.Context(), "x")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(encodePHC(DefaultParams, make([]byte, 16), make([]byte, 32)))
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$")
	f.Add("$argon2id$v=19$m=,t=,p=$AAAA$AAAA")
	f.Add("$$$$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err != nil {
			if ok, verr := h.Verify(t.Context(), "x", s); ok || verr == nil {
				t.Fatalf("Verify(%q) = %v, %v after parse error %v", s, ok, verr, err)
			}
			return
		}
		if enc := encodePHC(p.params, p.salt, p.key); enc != s {
			t.Fatalf("parsed %q but it encodes back as %q", s, enc)
		}
		// Verify only cheap parameters, to keep fuzzing fast.
		if p.params.MemoryKiB <= 64 && p.params.Time <= 2 {
			if _, err := h.Verify(t.Context(), "x", s); err != nil {
				t.Fatalf("Verify(%q) = %v after it parsed", s, err)
			}
		}
	})
}

// BenchmarkHash measures one production hash; sign-in and password changes
// pay this once.
func BenchmarkHash(b *testing.B) {
	h := mustHasher(b, DefaultParams)
	ctx := b.Context()
	for b.Loop() {
		if _, err := h.Hash(ctx, "tangerine viaduct moss"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkVerify measures one production verification.
func BenchmarkVerify(b *testing.B) {
	h := mustHasher(b, DefaultParams)
	ctx := b.Context()
	enc, err := h.Hash(ctx, "tangerine viaduct moss")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := h.Verify(ctx, "tangerine viaduct moss", enc); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}
