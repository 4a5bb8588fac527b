package seal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for cache expiry.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestSealer(tb testing.TB, vault KeyVault, cache *KeyCache) *Sealer {
	tb.Helper()
	return NewSealer(mustKeyring(tb, 1), vault, testRand(7), cache)
}

func TestSealerRoundTrip(t *testing.T) {
	ctx := t.Context()
	vault := newMemVault()
	s := newTestSealer(t, vault, NewKeyCache(10, time.Minute, nil))
	name := Binding{"people", "name", "p-1"}
	phone := Binding{"people", "phone", "p-1"}

	ctName, err := s.EncryptField(ctx, "p-1", name, []byte("Ana"))
	if err != nil {
		t.Fatal(err)
	}
	wk, err := vault.GetKey(ctx, "p-1")
	if err != nil {
		t.Fatalf("no key in the vault after the first EncryptField: %v", err)
	}
	if id, _ := FieldKeyID(ctName); id != wk.DataKeyID {
		t.Errorf("field sealed under %q, vault holds %q", id, wk.DataKeyID)
	}
	ctPhone, err := s.EncryptField(ctx, "p-1", phone, []byte("+44 7700 900123"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustFieldKeyID(t, ctName), mustFieldKeyID(t, ctPhone); a != b {
		t.Errorf("one person's fields under two data keys: %s and %s", a, b)
	}

	// A second replica with its own cache reads the same data.
	other := NewSealer(s.Keyring(), vault, testRand(8), nil)
	for _, c := range []struct {
		b    Binding
		ct   []byte
		want string
	}{{name, ctName, "Ana"}, {phone, ctPhone, "+44 7700 900123"}} {
		for _, sealer := range []*Sealer{s, other} {
			pt, err := sealer.DecryptField(ctx, "p-1", c.b, c.ct)
			if err != nil || string(pt) != c.want {
				t.Errorf("DecryptField(%s) = %q, %v; want %q", c.b.Column, pt, err, c.want)
			}
		}
	}

	// Swapped columns and another person's key fail.
	if _, err := s.DecryptField(ctx, "p-1", phone, ctName); !errors.Is(err, ErrDecrypt) {
		t.Errorf("name in the phone column: %v, want ErrDecrypt", err)
	}
	if _, err := s.EncryptField(ctx, "p-2", name, []byte("Bea")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecryptField(ctx, "p-2", name, ctName); !errors.Is(err, ErrWrongDataKey) {
		t.Errorf("p-1's field as p-2's: %v, want ErrWrongDataKey", err)
	}
	if _, err := s.DecryptField(ctx, "p-3", name, ctName); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("field of a person without a key: %v, want ErrKeyNotFound", err)
	}
	if _, err := s.EncryptField(ctx, "", name, []byte("x")); err == nil {
		t.Error("EncryptField with an empty person id succeeded")
	}
}

func mustFieldKeyID(tb testing.TB, ct []byte) string {
	tb.Helper()
	id, err := FieldKeyID(ct)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func TestSealerUsesCache(t *testing.T) {
	ctx := t.Context()
	vault := newMemVault()
	s := newTestSealer(t, vault, NewKeyCache(10, time.Minute, nil))
	b := Binding{"people", "name", "p-1"}
	ct, err := s.EncryptField(ctx, "p-1", b, []byte("Ana"))
	if err != nil {
		t.Fatal(err)
	}
	before := vault.getCount()
	for range 5 {
		if _, err := s.DecryptField(ctx, "p-1", b, ct); err != nil {
			t.Fatal(err)
		}
	}
	if n := vault.getCount() - before; n != 0 {
		t.Errorf("%d vault reads with the key cached, want 0", n)
	}
	uncached := newTestSealer(t, vault, nil)
	uncached.keys = s.keys
	for range 3 {
		if _, err := uncached.DecryptField(ctx, "p-1", b, ct); err != nil {
			t.Fatal(err)
		}
	}
	if n := vault.getCount() - before; n != 3 {
		t.Errorf("%d vault reads without a cache, want 3", n)
	}
}

func TestCryptoShredding(t *testing.T) {
	ctx := t.Context()
	vault := newMemVault()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	const ttl = 5 * time.Minute
	s := newTestSealer(t, vault, NewKeyCache(10, ttl, clock.now))
	replica := NewSealer(s.Keyring(), vault, testRand(8), NewKeyCache(10, ttl, clock.now))
	b := Binding{"people", "name", "p-1"}
	keep := Binding{"people", "name", "p-2"}

	ct, err := s.EncryptField(ctx, "p-1", b, []byte("Ana"))
	if err != nil {
		t.Fatal(err)
	}
	ctKeep, err := s.EncryptField(ctx, "p-2", keep, []byte("Bea"))
	if err != nil {
		t.Fatal(err)
	}
	// The replica caches p-1's key before it is destroyed.
	if _, err := replica.DecryptField(ctx, "p-1", b, ct); err != nil {
		t.Fatal(err)
	}

	if err := s.DestroyKey(ctx, "p-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecryptField(ctx, "p-1", b, ct); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("DecryptField after DestroyKey = %v, want ErrKeyDestroyed", err)
	}
	if _, err := s.EncryptField(ctx, "p-1", b, []byte("again")); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("EncryptField after DestroyKey = %v, want ErrKeyDestroyed (no new key for an erased person)", err)
	}
	if err := s.DestroyKey(ctx, "p-1"); err != nil {
		t.Errorf("destroying twice = %v, want nil", err)
	}
	if err := s.DestroyKey(ctx, "p-9"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("destroying a key that never was = %v, want ErrKeyNotFound", err)
	}

	// The replica forgets the key within its time-to-live.
	clock.advance(ttl)
	if _, err := replica.DecryptField(ctx, "p-1", b, ct); !errors.Is(err, ErrKeyDestroyed) {
		t.Errorf("replica after the TTL = %v, want ErrKeyDestroyed", err)
	}
	// Other people are untouched.
	if pt, err := replica.DecryptField(ctx, "p-2", keep, ctKeep); err != nil || string(pt) != "Bea" {
		t.Errorf("another person's field = %q, %v", pt, err)
	}
}

func TestSealerCreateRace(t *testing.T) {
	ctx := t.Context()
	vault := newMemVault()
	s := newTestSealer(t, vault, nil)
	// Another replica stores p-1's key between this Sealer's GetKey and PutKey.
	winner := NewSealer(s.Keyring(), vault, testRand(99), nil)
	b := Binding{"people", "name", "p-1"}
	var ctWinner []byte
	vault.beforePut = func(personID string) {
		vault.beforePut = nil
		var err error
		if ctWinner, err = winner.EncryptField(ctx, personID, b, []byte("first")); err != nil {
			t.Error(err)
		}
	}
	ct, err := s.EncryptField(ctx, "p-1", b, []byte("second"))
	if err != nil {
		t.Fatal(err)
	}
	if mustFieldKeyID(t, ct) != mustFieldKeyID(t, ctWinner) {
		t.Error("the race loser sealed under its own key instead of the stored one")
	}
	for _, c := range []struct {
		ct   []byte
		want string
	}{{ctWinner, "first"}, {ct, "second"}} {
		if pt, err := winner.DecryptField(ctx, "p-1", b, c.ct); err != nil || string(pt) != c.want {
			t.Errorf("DecryptField = %q, %v; want %q", pt, err, c.want)
		}
	}
}

func TestSealerConcurrentFirstUse(t *testing.T) {
	ctx := t.Context()
	vault := newMemVault()
	s := newTestSealer(t, vault, NewKeyCache(100, time.Minute, nil))
	// crypto/rand-like readers must be safe for concurrent use; the test one is not.
	s.rand = &lockedReader{r: testRand(7)}
	const n = 16
	cts := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b := Binding{"people", "note", fmt.Sprint(i)}
			ct, err := s.EncryptField(ctx, fmt.Sprintf("p-%d", i%3), b, fmt.Appendf(nil, "note %d", i))
			if err != nil {
				t.Error(err)
			}
			cts[i] = ct
		})
	}
	wg.Wait()
	other := NewSealer(s.Keyring(), vault, nil, nil)
	for i, ct := range cts {
		b := Binding{"people", "note", fmt.Sprint(i)}
		pt, err := other.DecryptField(ctx, fmt.Sprintf("p-%d", i%3), b, ct)
		if err != nil || string(pt) != fmt.Sprintf("note %d", i) {
			t.Errorf("field %d = %q, %v", i, pt, err)
		}
	}
}

type lockedReader struct {
	mu sync.Mutex
	r  interface{ Read([]byte) (int, error) }
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func TestSealerRefreshesStaleCache(t *testing.T) {
	ctx := t.Context()
	vault := newMemVault()
	s := newTestSealer(t, vault, NewKeyCache(10, time.Hour, nil))
	b := Binding{"people", "name", "p-1"}
	if _, err := s.EncryptField(ctx, "p-1", b, []byte("old")); err != nil {
		t.Fatal(err)
	}
	// The person's key is replaced behind this Sealer's back (as by another
	// replica after an erase-and-recreate); the cached key is now stale.
	dk, wk, err := s.Keyring().NewDataKey(testRand(50), "p-1")
	if err != nil {
		t.Fatal(err)
	}
	vault.replace("p-1", wk)
	ct := mustSeal(t, dk, "new", b)
	if pt, err := s.DecryptField(ctx, "p-1", b, ct); err != nil || string(pt) != "new" {
		t.Errorf("DecryptField with a stale cache = %q, %v; want %q", pt, err, "new")
	}
}

func TestSealerVaultFailure(t *testing.T) {
	boom := errors.New("disk on fire")
	s := NewSealer(mustKeyring(t, 1), failingVault{boom}, testRand(1), nil)
	_, err := s.EncryptField(t.Context(), "p-1", Binding{"t", "c", "r"}, []byte("x"))
	if !errors.Is(err, boom) {
		t.Errorf("EncryptField = %v, want the vault's error", err)
	}
}

type failingVault struct{ err error }

func (v failingVault) PutKey(context.Context, string, WrappedKey) error { return v.err }
func (v failingVault) GetKey(context.Context, string) (WrappedKey, error) {
	return WrappedKey{}, v.err
}
func (v failingVault) DestroyKey(context.Context, string) error { return v.err }

func TestKeyCache(t *testing.T) {
	kr := mustKeyring(t, 1)
	keys := map[string]DataKey{}
	for _, p := range []string{"a", "b", "c", "d"} {
		keys[p], _ = mustDataKey(t, kr, p)
	}
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	has := func(c *KeyCache, p string) bool {
		dk, ok := c.Get(p)
		if ok && dk.ID() != keys[p].ID() {
			t.Fatalf("cache returned the wrong key for %q", p)
		}
		return ok
	}

	t.Run("least recently used goes first", func(t *testing.T) {
		c := NewKeyCache(3, time.Hour, clock.now)
		c.Put("a", keys["a"])
		c.Put("b", keys["b"])
		c.Put("c", keys["c"])
		has(c, "a") // a is now the most recently used; b the least
		c.Put("d", keys["d"])
		if c.Len() != 3 || has(c, "b") || !has(c, "a") || !has(c, "c") || !has(c, "d") {
			t.Errorf("after eviction: len %d, b cached %v", c.Len(), has(c, "b"))
		}
	})
	t.Run("expires after the TTL", func(t *testing.T) {
		c := NewKeyCache(3, time.Minute, clock.now)
		c.Put("a", keys["a"])
		clock.advance(59 * time.Second)
		if !has(c, "a") {
			t.Error("expired early")
		}
		clock.advance(time.Second)
		if has(c, "a") || c.Len() != 0 {
			t.Error("still cached after the TTL")
		}
	})
	t.Run("put again renews", func(t *testing.T) {
		c := NewKeyCache(3, time.Minute, clock.now)
		c.Put("a", keys["a"])
		clock.advance(50 * time.Second)
		c.Put("a", keys["a"])
		clock.advance(50 * time.Second)
		if !has(c, "a") || c.Len() != 1 {
			t.Errorf("renewed entry: cached %v, len %d", has(c, "a"), c.Len())
		}
	})
	t.Run("remove and purge", func(t *testing.T) {
		c := NewKeyCache(3, 0, nil)
		c.Put("a", keys["a"])
		c.Put("b", keys["b"])
		c.Remove("a")
		c.Remove("zzz")
		if has(c, "a") || !has(c, "b") {
			t.Error("Remove removed the wrong key")
		}
		c.Purge()
		if c.Len() != 0 || has(c, "b") {
			t.Error("Purge left keys behind")
		}
	})
	t.Run("size zero caches nothing", func(t *testing.T) {
		c := NewKeyCache(0, time.Minute, clock.now)
		c.Put("a", keys["a"])
		if has(c, "a") || c.Len() != 0 {
			t.Error("a size-0 cache kept a key")
		}
	})
	t.Run("zero key is not cached", func(t *testing.T) {
		c := NewKeyCache(3, time.Minute, clock.now)
		c.Put("a", DataKey{})
		if c.Len() != 0 {
			t.Error("cached the zero DataKey")
		}
	})
}

func BenchmarkEncryptField(b *testing.B) {
	ctx := b.Context()
	s := newTestSealer(b, newMemVault(), NewKeyCache(1000, time.Hour, nil))
	bind := Binding{"people", "name", "0190f4b2-7a1c-7d3e-9a55-6c1f2b3d4e5f"}
	pt := []byte("Ana María Pérez Rodríguez, born 1999-04-12")
	if _, err := s.EncryptField(ctx, "p-1", bind, pt); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.EncryptField(ctx, "p-1", bind, pt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptField(b *testing.B) {
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			ctx := b.Context()
			var cache *KeyCache
			if cached {
				cache = NewKeyCache(1000, time.Hour, nil)
			}
			s := newTestSealer(b, newMemVault(), cache)
			bind := Binding{"people", "name", "0190f4b2-7a1c-7d3e-9a55-6c1f2b3d4e5f"}
			pt := []byte("Ana María Pérez Rodríguez, born 1999-04-12")
			ct, err := s.EncryptField(ctx, "p-1", bind, pt)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(pt)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.DecryptField(ctx, "p-1", bind, ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
