package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var bindName = Binding{Table: "people", Column: "name", RowID: "p-1"}

func TestSealOpenRoundTrip(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"empty", nil},
		{"one byte", []byte{0}},
		{"name", []byte("Ana María Pérez")},
		{"binary", []byte{0xff, 0x00, 0xfe, 0x01}},
		{"large", bytes.Repeat([]byte("narrative "), 10_000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := Seal(dk, tc.plaintext, bindName)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(ct), len(tc.plaintext)+Overhead; got != want {
				t.Errorf("len = %d, want %d", got, want)
			}
			if len(tc.plaintext) > 4 && bytes.Contains(ct, tc.plaintext) {
				t.Error("ciphertext contains the plaintext")
			}
			if id, err := FieldKeyID(ct); err != nil || id != dk.ID() {
				t.Errorf("FieldKeyID = %q, %v; want %q", id, err, dk.ID())
			}
			pt, err := Open(dk, ct, bindName)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pt, tc.plaintext) {
				t.Errorf("Open = %q, want %q", pt, tc.plaintext)
			}
		})
	}
}

func TestSealIsRandomized(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	a := mustSeal(t, dk, "same", bindName)
	b := mustSeal(t, dk, "same", bindName)
	if bytes.Equal(a, b) {
		t.Error("sealing the same plaintext twice gave the same ciphertext")
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	ct := mustSeal(t, dk, "Ana María Pérez", bindName)
	for i := range ct {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(ct)
			bad[i] ^= flip
			if pt, err := Open(dk, bad, bindName); err == nil {
				t.Fatalf("byte %d ^ %#x: Open succeeded with %q", i, flip, pt)
			} else if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("byte %d ^ %#x: error %v is neither ErrDecrypt nor ErrMalformed", i, flip, err)
			}
		}
	}
	for n := range len(ct) {
		if _, err := Open(dk, ct[:n], bindName); err == nil {
			t.Fatalf("truncated to %d bytes: Open succeeded", n)
		}
	}
	if _, err := Open(dk, append(bytes.Clone(ct), 0), bindName); err == nil {
		t.Fatal("with a byte appended: Open succeeded")
	}
}

func TestOpenRejectsOtherBinding(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	sealedAt := Binding{Table: "people", Column: "name", RowID: "p-1"}
	ct := mustSeal(t, dk, "Ana", sealedAt)
	tests := []struct {
		name string
		b    Binding
	}{
		{"other row", Binding{"people", "name", "p-2"}},
		{"other column", Binding{"people", "birth_name", "p-1"}},
		{"other table", Binding{"contacts", "name", "p-1"}},
		{"separator moved between table and column", Binding{"peoplen", "ame", "p-1"}},
		{"column and row run together", Binding{"people", "namep", "-1"}},
		{"table and column swapped", Binding{"name", "people", "p-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Open(dk, ct, tc.b); !errors.Is(err, ErrDecrypt) {
				t.Errorf("Open = %v, want ErrDecrypt", err)
			}
		})
	}
	// The sealed binding still opens, so the failures above are about the binding.
	if _, err := Open(dk, ct, sealedAt); err != nil {
		t.Fatal(err)
	}
}

func TestSwappedCiphertextsFail(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	name := Binding{"people", "name", "p-1"}
	phone := Binding{"people", "phone", "p-1"}
	ctName := mustSeal(t, dk, "Ana", name)
	ctPhone := mustSeal(t, dk, "+44 7700 900123", phone)
	if _, err := Open(dk, ctName, phone); !errors.Is(err, ErrDecrypt) {
		t.Errorf("name's ciphertext in the phone column: %v, want ErrDecrypt", err)
	}
	if _, err := Open(dk, ctPhone, name); !errors.Is(err, ErrDecrypt) {
		t.Errorf("phone's ciphertext in the name column: %v, want ErrDecrypt", err)
	}
}

func TestBindingCanonicalIsUnambiguous(t *testing.T) {
	// Pairs that a naive "table|column|row" join would encode alike.
	pairs := [][2]Binding{
		{{"a|b", "c", "d"}, {"a", "b|c", "d"}},
		{{"ab", "c", "d"}, {"a", "bc", "d"}},
		{{"a", "b", "cd"}, {"a", "bc", "d"}},
		{{"a\x00\x00\x00\x01b", "c", "d"}, {"a", "b", "c"}},
	}
	for _, p := range pairs {
		if bytes.Equal(p[0].AppendCanonical(nil), p[1].AppendCanonical(nil)) {
			t.Errorf("%q and %q encode alike", p[0], p[1])
		}
	}
	// The encoding is part of the ciphertext format: it must never change.
	got := Binding{"t", "co", "r"}.AppendCanonical(nil)
	want := []byte("\x00\x00\x00\x10discern/field/v1\x00\x00\x00\x01t\x00\x00\x00\x02co\x00\x00\x00\x01r")
	if !bytes.Equal(got, want) {
		t.Errorf("AppendCanonical = %q, want %q", got, want)
	}
}

func TestSealOpenBadArguments(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	ct := mustSeal(t, dk, "x", bindName)
	tests := []struct {
		name string
		dk   DataKey
		b    Binding
	}{
		{"zero data key", DataKey{}, bindName},
		{"no table", dk, Binding{"", "name", "p-1"}},
		{"no column", dk, Binding{"people", "", "p-1"}},
		{"no row id", dk, Binding{"people", "name", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Seal(tc.dk, []byte("x"), tc.b); err == nil {
				t.Error("Seal succeeded")
			}
			if _, err := Open(tc.dk, ct, tc.b); err == nil {
				t.Error("Open succeeded")
			}
		})
	}
}

func TestOpenMalformed(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, _ := mustDataKey(t, kr, "p-1")
	good := mustSeal(t, dk, "x", bindName)
	v2 := bytes.Clone(good)
	v2[0] = 2
	tests := []struct {
		name string
		ct   []byte
		want string
	}{
		{"nil", nil, "empty"},
		{"empty", []byte{}, "empty"},
		{"version only", []byte{1}, "shorter"},
		{"one short of the minimum", good[:Overhead-1], "shorter"},
		{"unknown version", v2, "unknown version 2"},
		{"text", []byte("v1:k1:aGVsbG8="), "unknown version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(dk, tc.ct, bindName)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want ErrMalformed saying %q", err, tc.want)
			}
			if _, err := FieldKeyID(tc.ct); !errors.Is(err, ErrMalformed) {
				t.Errorf("FieldKeyID = %v, want ErrMalformed", err)
			}
		})
	}
}

func TestOpenWithAnotherPersonsKey(t *testing.T) {
	kr := mustKeyring(t, 1)
	dkA, _, err := kr.NewDataKey(testRand(10), "person-a")
	if err != nil {
		t.Fatal(err)
	}
	dkB, _, err := kr.NewDataKey(testRand(11), "person-b")
	if err != nil {
		t.Fatal(err)
	}
	ct := mustSeal(t, dkA, "Ana", bindName)
	_, err = Open(dkB, ct, bindName)
	if !errors.Is(err, ErrWrongDataKey) || !errors.Is(err, ErrDecrypt) {
		t.Errorf("Open = %v, want ErrWrongDataKey and ErrDecrypt", err)
	}
	// Even with the key id forged to match, the key itself does not open it.
	forged := bytes.Clone(ct)
	copy(forged[1:fieldHeaderLen], dkB.id[:])
	if _, err := Open(dkB, forged, bindName); !errors.Is(err, ErrDecrypt) || errors.Is(err, ErrWrongDataKey) {
		t.Errorf("Open with forged key id = %v, want ErrDecrypt alone", err)
	}
}

func FuzzOpen(f *testing.F) {
	kr := mustKeyring(f, 1)
	dk, _ := mustDataKey(f, kr, "p-1")
	for _, pt := range []string{"", "Ana", strings.Repeat("x", 100)} {
		f.Add(mustSeal(f, dk, pt, bindName), "people", "name", "p-1")
	}
	f.Add([]byte{}, "people", "name", "p-1")
	f.Add([]byte{1}, "people", "name", "p-1")
	f.Add([]byte{1, 0, 0, 0, 0}, "", "", "")
	f.Fuzz(func(t *testing.T, ct []byte, table, column, row string) {
		b := Binding{table, column, row}
		pt, err := Open(dk, ct, b)
		if err != nil {
			if pt != nil {
				t.Fatal("plaintext returned with an error")
			}
			return
		}
		// Anything that opens must be exactly what Seal would produce for it.
		if len(ct) != len(pt)+Overhead || ct[0] != fieldVersion {
			t.Fatalf("opened a ciphertext of odd shape: %d bytes for %d of plaintext", len(ct), len(pt))
		}
	})
}
