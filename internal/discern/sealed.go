package discern

// Sealed is ciphertext made by the seal package: an identifying or sensitive
// field encrypted with the data key of the person it belongs to and bound to
// its row and field. The domain and the store only move it around; a nil
// Sealed means the field was never recorded (or was erased).
type Sealed []byte

// MinSealedLen is the shortest ciphertext AES-GCM can produce (a 12-byte
// nonce and a 16-byte tag). The store rejects anything shorter, which catches
// the worst mistake a caller can make: handing it plaintext such as a name.
const MinSealedLen = 28

// BlindIndex is a keyed hash of a normalised field value (seal's blind
// index). It lets the store find a person by case code or name without
// decrypting anything, and reveals nothing without the index key.
type BlindIndex []byte

// BlindIndexLen is the length of every blind index.
const BlindIndexLen = 16

// validSealed checks an optional ciphertext field.
func validSealed(field string, s Sealed) error {
	if s != nil && len(s) < MinSealedLen {
		return Invalid(field, "%s must be encrypted before it is stored.", field)
	}
	return nil
}

// validIndex checks an optional blind index field.
func validIndex(field string, b BlindIndex) error {
	if b != nil && len(b) != BlindIndexLen {
		return Invalid(field, "%s must be a %d-byte blind index.", field, BlindIndexLen)
	}
	return nil
}

// Page selects one page of a list. Lists are ordered newest first and paged
// by keyset (the position after the last row seen), not by offset, so that a
// page deep into a million rows costs the same as the first and rows added
// meanwhile neither repeat nor vanish.
type Page struct {
	// Limit is the most rows to return; 0 means DefaultLimit, and more than
	// MaxLimit is an error.
	Limit int
	// Cursor is the opaque next-page token a previous call returned; empty
	// for the first page.
	Cursor string
}

// The page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Validate checks the page size. The cursor is checked by the store, which
// is the only party that can read it.
func (p Page) Validate() error {
	if p.Limit < 0 || p.Limit > MaxLimit {
		return Invalid("limit", "limit must be between 1 and %d.", MaxLimit)
	}
	if len(p.Cursor) > 200 {
		return Invalid("cursor", "This page cursor is not valid; start from the first page.")
	}
	return nil
}

// Size returns the number of rows to return.
func (p Page) Size() int {
	if p.Limit == 0 {
		return DefaultLimit
	}
	return p.Limit
}
