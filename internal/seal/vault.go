package seal

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// KeyVault stores each person's wrapped data key. The store implements it
// over a table of its own that is kept out of data backups (see
// "Crypto-shredding" in the package documentation). On SQLite that means a
// separate database file, which also keeps vault writes from contending
// with an open write transaction on the data file.
//
// A key must be durable in the vault before any field sealed under it is
// committed, or a crash could leave data that no key opens.
type KeyVault interface {
	// PutKey stores the person's first wrapped key. It never replaces one:
	// it returns ErrKeyExists if the person has a key, and ErrKeyDestroyed
	// if their key was destroyed.
	PutKey(ctx context.Context, personID string, wk WrappedKey) error

	// GetKey returns the person's wrapped key, ErrKeyNotFound if they never
	// had one, or ErrKeyDestroyed if it was destroyed.
	GetKey(ctx context.Context, personID string) (WrappedKey, error)

	// DestroyKey erases the person's wrapped key for good, leaving a
	// tombstone (person id and time, no key material) so that later
	// GetKey and PutKey calls return ErrKeyDestroyed. It returns
	// ErrKeyNotFound if the person never had a key, and nil if the key was
	// already destroyed. Erasing must not leave the key readable in the
	// database file: the store should overwrite the row's key before
	// deleting it, and vacuum or checkpoint as its engine requires.
	DestroyKey(ctx context.Context, personID string) error
}

// KeyCache keeps recently used unwrapped data keys, so that sealing and
// opening a person's fields does not unwrap their key every time. It holds
// at most a fixed number of keys, least recently used first out, and
// forgets each after a time-to-live: that bounds how long another replica
// can go on reading a person's data after their key was destroyed. A
// KeyCache is safe for concurrent use.
type KeyCache struct {
	mu   sync.Mutex
	size int
	ttl  time.Duration
	now  func() time.Time
	lru  *list.List // of *cacheEntry, most recently used first
	byID map[string]*list.Element
}

type cacheEntry struct {
	personID string
	key      DataKey
	expires  time.Time
}

// NewKeyCache returns a cache of at most size keys, each kept for at most
// ttl after it was put, with time read from now. A size below 1 caches
// nothing; a ttl of 0 or less never expires keys (fit only for a single
// server process). A nil now means time.Now.
func NewKeyCache(size int, ttl time.Duration, now func() time.Time) *KeyCache {
	if now == nil {
		now = time.Now
	}
	return &KeyCache{size: size, ttl: ttl, now: now, lru: list.New(), byID: make(map[string]*list.Element)}
}

// Get returns the person's cached data key, if present and not expired.
func (c *KeyCache) Get(personID string) (DataKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byID[personID]
	if !ok {
		return DataKey{}, false
	}
	e := el.Value.(*cacheEntry)
	if c.ttl > 0 && !c.now().Before(e.expires) {
		c.remove(el)
		return DataKey{}, false
	}
	c.lru.MoveToFront(el)
	return e.key, true
}

// Put caches the person's data key, replacing any older one and evicting
// the least recently used key if the cache is full.
func (c *KeyCache) Put(personID string, dk DataKey) {
	if c.size < 1 || dk.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := &cacheEntry{personID: personID, key: dk}
	if c.ttl > 0 {
		e.expires = c.now().Add(c.ttl)
	}
	if el, ok := c.byID[personID]; ok {
		c.remove(el)
	}
	c.byID[personID] = c.lru.PushFront(e)
	for c.lru.Len() > c.size {
		c.remove(c.lru.Back())
	}
}

// Remove forgets the person's data key, as when it is destroyed.
func (c *KeyCache) Remove(personID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[personID]; ok {
		c.remove(el)
	}
}

// Purge forgets every key.
func (c *KeyCache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.lru.Len() > 0 {
		c.remove(c.lru.Back())
	}
}

// Len returns the number of keys held, expired ones included until they
// are next looked up or pushed out.
func (c *KeyCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// remove drops an entry and its reference to the cipher, so that nothing
// here keeps the key alive. The caller holds mu.
func (c *KeyCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.byID, e.personID)
	e.key = DataKey{}
}

// Sealer encrypts and decrypts people's fields, fetching each person's data
// key from the vault (and creating it on first use) and caching it. It is
// what the store uses for every encrypted column. A Sealer is safe for
// concurrent use.
type Sealer struct {
	keys  *Keyring
	vault KeyVault
	rand  io.Reader
	cache *KeyCache
}

// NewSealer returns a Sealer over the keyring and vault. New data keys are
// read from rand (crypto/rand.Reader in production). cache may be nil, in
// which case every call unwraps the key again.
func NewSealer(keys *Keyring, vault KeyVault, rand io.Reader, cache *KeyCache) *Sealer {
	if cache == nil {
		cache = NewKeyCache(0, 0, nil)
	}
	return &Sealer{keys: keys, vault: vault, rand: rand, cache: cache}
}

// Keyring returns the Sealer's keyring, for blind indexes and rotation.
func (s *Sealer) Keyring() *Keyring { return s.keys }

// EncryptField seals plaintext for the person's field at b (see [Seal]),
// creating and storing the person's data key if they have none yet. It
// returns an error matching [ErrKeyDestroyed] if the person's key was
// destroyed: nothing new is written for an erased person.
func (s *Sealer) EncryptField(ctx context.Context, personID string, b Binding, plaintext []byte) ([]byte, error) {
	dk, _, err := s.dataKey(ctx, personID, true)
	if err != nil {
		return nil, err
	}
	return Seal(dk, plaintext, b)
}

// DecryptField opens the person's field at b (see [Open]). It returns an
// error matching [ErrKeyDestroyed] if the person's key was destroyed, and
// [ErrKeyNotFound] if they never had one.
func (s *Sealer) DecryptField(ctx context.Context, personID string, b Binding, ciphertext []byte) ([]byte, error) {
	dk, cached, err := s.dataKey(ctx, personID, false)
	if err != nil {
		return nil, err
	}
	pt, err := Open(dk, ciphertext, b)
	if cached && errors.Is(err, ErrWrongDataKey) {
		// The cached key may be stale (the vault's key replaced on another
		// replica); ask the vault once before giving up.
		s.cache.Remove(personID)
		if dk, _, err = s.dataKey(ctx, personID, false); err != nil {
			return nil, err
		}
		pt, err = Open(dk, ciphertext, b)
	}
	return pt, err
}

// DestroyKey crypto-shreds the person: it destroys their data key in the
// vault and forgets it here, after which none of their fields can be
// decrypted anywhere, backups included. Other replicas' caches forget it
// within their time-to-live.
func (s *Sealer) DestroyKey(ctx context.Context, personID string) error {
	s.cache.Remove(personID)
	err := s.vault.DestroyKey(ctx, personID)
	// Again, in case a concurrent call cached the key while it was being destroyed.
	s.cache.Remove(personID)
	return err
}

// BlindIndex returns the keyring's blind index of value for field; see
// [Keyring.BlindIndex].
func (s *Sealer) BlindIndex(field, value string) ([]byte, error) {
	return s.keys.BlindIndex(field, value)
}

// dataKey returns the person's data key from the cache or the vault,
// creating one if create is set and the person has none, and reports
// whether it came from the cache.
func (s *Sealer) dataKey(ctx context.Context, personID string, create bool) (DataKey, bool, error) {
	if err := checkPersonID(personID); err != nil {
		return DataKey{}, false, err
	}
	if dk, ok := s.cache.Get(personID); ok {
		return dk, true, nil
	}
	wk, err := s.vault.GetKey(ctx, personID)
	if create && errors.Is(err, ErrKeyNotFound) {
		var dk DataKey
		dk, wk, err = s.keys.NewDataKey(s.rand, personID)
		if err != nil {
			return DataKey{}, false, err
		}
		err = s.vault.PutKey(ctx, personID, wk)
		if err == nil {
			s.cache.Put(personID, dk)
			return dk, false, nil
		}
		if errors.Is(err, ErrKeyExists) {
			// Another writer created the person's key first; use theirs.
			wk, err = s.vault.GetKey(ctx, personID)
		}
	}
	if err != nil {
		if errors.Is(err, ErrKeyDestroyed) || errors.Is(err, ErrKeyNotFound) {
			return DataKey{}, false, err
		}
		return DataKey{}, false, fmt.Errorf("seal: key vault: %w", err)
	}
	dk, err := s.keys.Unwrap(personID, wk)
	if err != nil {
		return DataKey{}, false, err
	}
	s.cache.Put(personID, dk)
	return dk, false, nil
}
