package seal

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// fieldVersion is the first byte of a sealed field.
const fieldVersion = 0x01

// Sizes in the sealed-field format.
const (
	fieldHeaderLen = 1 + dataKeyIDLen
	nonceLen       = 12
	tagLen         = 16
)

// Overhead is how many bytes sealing adds to a field's plaintext (33): the
// version byte, the data key id, the nonce and the tag. Columns holding
// sealed fields need room for it.
const Overhead = fieldHeaderLen + nonceLen + tagLen

// Binding names the place a sealed field belongs to: its table, column and
// row id. Sealing binds the ciphertext to it, so a ciphertext copied to
// another row or column, or swapped with another, fails to open. All three
// are required, so the store assigns row ids before it inserts.
type Binding struct {
	Table  string
	Column string
	RowID  string
}

func (b Binding) check() error {
	if b.Table == "" || b.Column == "" || b.RowID == "" {
		return errors.New("seal: binding needs a table, a column and a row id")
	}
	return nil
}

// AppendCanonical appends the binding's canonical encoding to dst: the
// purpose "discern/field/v1", the table, the column and the row id, each
// preceded by its length as a 4-byte big-endian integer. Unlike joining with
// a separator, no two different bindings encode alike.
func (b Binding) AppendCanonical(dst []byte) []byte {
	for _, s := range [...]string{infoField, b.Table, b.Column, b.RowID} {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// fieldAAD is the associated data of a sealed field: its header and binding.
func fieldAAD(header []byte, b Binding) []byte {
	aad := make([]byte, 0, len(header)+4*4+len(infoField)+len(b.Table)+len(b.Column)+len(b.RowID))
	aad = append(aad, header...)
	return b.AppendCanonical(aad)
}

// Seal encrypts a field's plaintext under the person's data key, bound to
// b. The result is in the versioned format given in the package
// documentation and is [Overhead] bytes longer than the plaintext. Sealing
// the same plaintext twice gives different ciphertexts.
func Seal(dk DataKey, plaintext []byte, b Binding) ([]byte, error) {
	if dk.aead == nil {
		return nil, errors.New("seal: zero DataKey")
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	out := make([]byte, fieldHeaderLen, Overhead+len(plaintext))
	out[0] = fieldVersion
	copy(out[1:], dk.id[:])
	return dk.aead.Seal(out, nil, plaintext, fieldAAD(out, b)), nil
}

// Open decrypts a field sealed by [Seal] under dk and bound to b. It fails
// with [ErrMalformed] for input that is not a sealed field, with
// [ErrWrongDataKey] (which also matches [ErrDecrypt]) when the ciphertext
// names another data key, and with [ErrDecrypt] when it was altered or
// belongs to another binding. It never panics on any input.
func Open(dk DataKey, ciphertext []byte, b Binding) ([]byte, error) {
	if dk.aead == nil {
		return nil, errors.New("seal: zero DataKey")
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	id, err := fieldKeyID(ciphertext)
	if err != nil {
		return nil, err
	}
	if id != dk.id {
		return nil, fmt.Errorf("%w: %w: field has data key %x, not %x", ErrDecrypt, ErrWrongDataKey, id[:], dk.id[:])
	}
	header := ciphertext[:fieldHeaderLen]
	pt, err := dk.aead.Open(nil, nil, ciphertext[fieldHeaderLen:], fieldAAD(header, b))
	if err != nil {
		return nil, fmt.Errorf("%w: field was altered or belongs to another row or column", ErrDecrypt)
	}
	return pt, nil
}

// FieldKeyID returns the id of the data key a sealed field was sealed
// under, without decrypting it, or [ErrMalformed].
func FieldKeyID(ciphertext []byte) (string, error) {
	id, err := fieldKeyID(ciphertext)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", id[:]), nil
}

func fieldKeyID(ciphertext []byte) (id [dataKeyIDLen]byte, err error) {
	switch {
	case len(ciphertext) == 0:
		return id, fmt.Errorf("%w: empty", ErrMalformed)
	case ciphertext[0] != fieldVersion:
		return id, fmt.Errorf("%w: unknown version %d", ErrMalformed, ciphertext[0])
	case len(ciphertext) < Overhead:
		return id, fmt.Errorf("%w: %d bytes, shorter than the %d-byte minimum", ErrMalformed, len(ciphertext), Overhead)
	}
	copy(id[:], ciphertext[1:fieldHeaderLen])
	return id, nil
}
