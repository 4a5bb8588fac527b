package discern

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"
)

// crockford is Crockford's base-32 alphabet: digits and upper-case letters
// without I, L, O and U, so that codes read aloud or copied by hand survive.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// IDLen is the length of every record ID.
const IDLen = 26

// NewID returns a new record ID: 48 bits of milliseconds since the Unix
// epoch followed by 80 random bits, in Crockford base 32 (the ULID layout).
// The time prefix keeps new rows near each other in B-tree indexes; the
// random part makes IDs unguessable enough that they reveal nothing about
// how many people an organization serves. Services create IDs before
// encrypting, because each ciphertext is bound to its row's ID.
func NewID(now time.Time, random io.Reader) (string, error) {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	if now.UnixMilli() < 0 || ms >= 1<<48 {
		return "", fmt.Errorf("discern: time %v out of range for an ID", now)
	}
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	if _, err := io.ReadFull(random, b[6:]); err != nil {
		return "", fmt.Errorf("discern: reading randomness for an ID: %w", err)
	}
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	var out [IDLen]byte
	// 128 bits in 26 symbols of 5 bits: the first symbol carries 3 bits.
	for i := IDLen - 1; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:]), nil
}

// ValidID reports whether s has the form of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) != IDLen || s[0] > '7' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return false
		}
	}
	return true
}

// CaseCodePrefix starts every case code, so that a code is recognisable on a
// scrap of paper and cannot be mistaken for a phone or document number.
const CaseCodePrefix = "DSC"

// caseAlphabet is the alphabet of case codes: Crockford's without Z, 31
// symbols, so that with a check symbol modulo the prime 31 every single
// wrong symbol and every swap of two neighbours is caught.
const caseAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXY"

// NewCaseCode returns a new pseudonymous case code such as "DSC-7M3F-QE":
// five random symbols and one check symbol. The code identifies a person
// inside one organization without saying anything about them; it is
// generated rather than chosen, because agency-chosen codes tend to encode
// initials and birth dates. Codes are unique per organization (31⁵, about
// 28 million, per organization); on the rare collision the caller draws
// another.
func NewCaseCode(random io.Reader) (string, error) {
	var sym [6]byte
	var b [1]byte
	for i := 0; i < 5; {
		if _, err := io.ReadFull(random, b[:]); err != nil {
			return "", fmt.Errorf("discern: reading randomness for a case code: %w", err)
		}
		// Rejection sampling keeps the symbols uniform.
		if v := b[0] & 31; v < 31 {
			sym[i] = caseAlphabet[v]
			i++
		}
	}
	sym[5] = caseCodeCheck(sym[:5])
	return formatCaseCode(sym), nil
}

// ParseCaseCode reads a case code as a person might type it — in any case,
// with or without the prefix, dashes or spaces, with O for 0 and I or L for
// 1 — and returns it in canonical form. Any one mistyped symbol and any two
// swapped neighbours fail the check and return a KindInvalid error, so that
// a typo finds nobody rather than the wrong person.
func ParseCaseCode(s string) (string, error) {
	invalid := Invalid("case_code", "Enter a case code like %s-7M3F-QE.", CaseCodePrefix)
	if len(s) > 64 {
		return "", invalid
	}
	var clean []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		clean = append(clean, c)
	}
	t, _ := strings.CutPrefix(string(clean), CaseCodePrefix)
	if len(t) != 6 {
		return "", invalid
	}
	var sym [6]byte
	for i := range 6 {
		c := t[i]
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if strings.IndexByte(caseAlphabet, c) < 0 {
			return "", invalid
		}
		sym[i] = c
	}
	if caseCodeCheck(sym[:5]) != sym[5] {
		return "", Invalid("case_code", "This case code has a typing mistake; check it and try again.")
	}
	return formatCaseCode(sym), nil
}

// caseCodeCheck returns the check symbol of five code symbols: their sum
// weighted by position, modulo 31.
func caseCodeCheck(sym []byte) byte {
	sum := 0
	for i, c := range sym {
		sum += (i + 1) * strings.IndexByte(caseAlphabet, c)
	}
	return caseAlphabet[sum%31]
}

func formatCaseCode(sym [6]byte) string {
	return CaseCodePrefix + "-" + string(sym[:4]) + "-" + string(sym[4:])
}
