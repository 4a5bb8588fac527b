package seal

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDataKeyWrapUnwrap(t *testing.T) {
	kr := mustKeyring(t, 1)
	dk, wk := mustDataKey(t, kr, "p-1")
	if wk.MasterKeyID != kr.ActiveKeyID() {
		t.Errorf("MasterKeyID = %q, want the active %q", wk.MasterKeyID, kr.ActiveKeyID())
	}
	if wk.DataKeyID != dk.ID() || len(dk.ID()) != 8 {
		t.Errorf("DataKeyID = %q, data key ID = %q; want the same 8 hex digits", wk.DataKeyID, dk.ID())
	}
	ct := mustSeal(t, dk, "Ana", bindName)
	got, err := kr.Unwrap("p-1", wk)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != dk.ID() {
		t.Errorf("unwrapped ID = %q, want %q", got.ID(), dk.ID())
	}
	if pt, err := Open(got, ct, bindName); err != nil || string(pt) != "Ana" {
		t.Errorf("Open with unwrapped key = %q, %v", pt, err)
	}
}

func TestUnwrapWrongPerson(t *testing.T) {
	kr := mustKeyring(t, 1)
	_, wk := mustDataKey(t, kr, "p-1")
	for _, other := range []string{"p-2", "p-1 ", "P-1", "p-"} {
		if _, err := kr.Unwrap(other, wk); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Unwrap(%q) = %v, want ErrDecrypt", other, err)
		}
		if _, err := kr.Rewrap(other, wk); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Rewrap(%q) = %v, want ErrDecrypt", other, err)
		}
	}
}

func TestUnwrapTampered(t *testing.T) {
	kr := mustKeyring(t, 1)
	_, wk := mustDataKey(t, kr, "p-1")
	for i := range wk.Sealed {
		bad := wk
		bad.Sealed = bytes.Clone(wk.Sealed)
		bad.Sealed[i] ^= 1
		if _, err := kr.Unwrap("p-1", bad); !errors.Is(err, ErrDecrypt) {
			t.Fatalf("byte %d flipped: Unwrap = %v, want ErrDecrypt", i, err)
		}
	}
	otherID := wk
	otherID.DataKeyID = "00000000"
	if _, err := kr.Unwrap("p-1", otherID); !errors.Is(err, ErrDecrypt) {
		t.Errorf("data key id changed: Unwrap = %v, want ErrDecrypt", err)
	}
}

func TestNewDataKeyBadInput(t *testing.T) {
	kr := mustKeyring(t, 1)
	tests := []struct {
		name     string
		personID string
		rand     *bytes.Reader
	}{
		{"empty person id", "", bytes.NewReader(bytes.Repeat([]byte{7}, 64))},
		{"person id too long", strings.Repeat("x", maxPersonIDLen+1), bytes.NewReader(bytes.Repeat([]byte{7}, 64))},
		{"random source runs dry", "p-1", bytes.NewReader(make([]byte, 10))},
		{"random source returns zeros", "p-1", bytes.NewReader(make([]byte, 64))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := kr.NewDataKey(tc.rand, tc.personID); err == nil {
				t.Error("NewDataKey succeeded")
			}
		})
	}
}

func TestRotation(t *testing.T) {
	kr := mustKeyring(t, 1)
	oldID := kr.ActiveKeyID()
	dk, wkOld := mustDataKey(t, kr, "p-1")
	ct := mustSeal(t, dk, "Ana", bindName)

	newID, err := kr.Rotate(testRand(2))
	if err != nil {
		t.Fatal(err)
	}
	if newID == oldID || kr.ActiveKeyID() != newID {
		t.Fatalf("after Rotate: active %q, returned %q, old %q", kr.ActiveKeyID(), newID, oldID)
	}
	if got := kr.KeyIDs(); len(got) != 2 || got[0] != oldID || got[1] != newID {
		t.Errorf("KeyIDs = %q, want [%q %q]", got, oldID, newID)
	}

	// Old wrapped keys still unwrap, and old ciphertexts still open.
	dkOld, err := kr.Unwrap("p-1", wkOld)
	if err != nil {
		t.Fatalf("unwrap under the old master key: %v", err)
	}
	if pt, err := Open(dkOld, ct, bindName); err != nil || string(pt) != "Ana" {
		t.Fatalf("Open old ciphertext = %q, %v", pt, err)
	}

	// New data keys use the new master key.
	_, wkNew := mustDataKey(t, kr, "p-2")
	if wkNew.MasterKeyID != newID {
		t.Errorf("new data key wrapped under %q, want %q", wkNew.MasterKeyID, newID)
	}

	// Rewrap moves the same data key under the new master key.
	wkRe, err := kr.Rewrap("p-1", wkOld)
	if err != nil {
		t.Fatal(err)
	}
	if wkRe.MasterKeyID != newID || wkRe.DataKeyID != wkOld.DataKeyID {
		t.Errorf("rewrapped: master %q data %q; want master %q data %q", wkRe.MasterKeyID, wkRe.DataKeyID, newID, wkOld.DataKeyID)
	}

	// The active key cannot be removed; the old one can, once rewrapped.
	if err := kr.Remove(newID); err == nil {
		t.Error("removing the active key succeeded")
	}
	if err := kr.Remove(oldID); err != nil {
		t.Fatal(err)
	}
	if err := kr.Remove(oldID); !errors.Is(err, ErrUnknownMasterKey) {
		t.Errorf("removing it twice = %v, want ErrUnknownMasterKey", err)
	}

	_, err = kr.Unwrap("p-1", wkOld)
	if !errors.Is(err, ErrUnknownMasterKey) || !strings.Contains(err.Error(), oldID) {
		t.Errorf("unwrap under the removed key = %v, want ErrUnknownMasterKey naming %q", err, oldID)
	}
	dkRe, err := kr.Unwrap("p-1", wkRe)
	if err != nil {
		t.Fatalf("unwrap rewrapped key: %v", err)
	}
	if pt, err := Open(dkRe, ct, bindName); err != nil || string(pt) != "Ana" {
		t.Fatalf("Open old ciphertext with the rewrapped key = %q, %v", pt, err)
	}
}

func TestRotateRejectsRepeatingRandom(t *testing.T) {
	kr := mustKeyring(t, 1)
	sources := map[string]io.Reader{
		// The keyring's own seed: its first 32 bytes were the index secret.
		"repeats the index secret": testRand(1),
		"repeats the master key":   bytes.NewReader(append(bytes.Clone(kr.keys[0].raw), 1, 2, 3, 4)),
	}
	for name, r := range sources {
		if _, err := kr.Rotate(r); err == nil {
			t.Errorf("%s: Rotate succeeded", name)
		}
	}
	if n := len(kr.KeyIDs()); n != 1 {
		t.Errorf("after failed rotations the keyring has %d master keys, want 1", n)
	}
}

func TestWrappedKeyBinary(t *testing.T) {
	kr := mustKeyring(t, 1)
	_, wk := mustDataKey(t, kr, "p-1")
	b, err := wk.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got WrappedKey
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if got.MasterKeyID != wk.MasterKeyID || got.DataKeyID != wk.DataKeyID || !bytes.Equal(got.Sealed, wk.Sealed) {
		t.Errorf("round trip = %+v, want %+v", got, wk)
	}
	if _, err := kr.Unwrap("p-1", got); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		b    []byte
	}{
		{"nil", nil},
		{"version only", b[:1]},
		{"unknown version", append([]byte{2}, b[1:]...)},
		{"truncated", b[:len(b)-1]},
		{"extended", append(bytes.Clone(b), 0)},
		{"id length beyond the end", append([]byte{1, 255}, b[2:]...)},
		{"empty master key id", append([]byte{1, 0}, b[2+len(wk.MasterKeyID):]...)},
		{"bad master key id", func() []byte { c := bytes.Clone(b); c[2] = '|'; return c }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var w WrappedKey
			if err := w.UnmarshalBinary(tc.b); !errors.Is(err, ErrMalformed) {
				t.Errorf("UnmarshalBinary = %v, want ErrMalformed", err)
			}
		})
	}

	bad := []WrappedKey{
		{},
		{MasterKeyID: wk.MasterKeyID, DataKeyID: "xyz", Sealed: wk.Sealed},
		{MasterKeyID: wk.MasterKeyID, DataKeyID: "zzzzzzzz", Sealed: wk.Sealed},
		{MasterKeyID: wk.MasterKeyID, DataKeyID: wk.DataKeyID, Sealed: wk.Sealed[:10]},
	}
	for i, w := range bad {
		if _, err := w.MarshalBinary(); !errors.Is(err, ErrMalformed) {
			t.Errorf("bad[%d].MarshalBinary = %v, want ErrMalformed", i, err)
		}
		if _, err := kr.Unwrap("p-1", w); !errors.Is(err, ErrMalformed) {
			t.Errorf("Unwrap(bad[%d]) = %v, want ErrMalformed", i, err)
		}
	}
}

func FuzzWrappedKey(f *testing.F) {
	kr := mustKeyring(f, 1)
	dk, wk := mustDataKey(f, kr, "p-1")
	ct := mustSeal(f, dk, "Ana", bindName)
	f.Add(mustMarshal(f, wk), "p-1")
	f.Add([]byte{}, "")
	f.Add([]byte{1, 3, 'a', 'b', 'c'}, "p-1")
	f.Fuzz(func(t *testing.T, b []byte, personID string) {
		var w WrappedKey
		if err := w.UnmarshalBinary(b); err != nil {
			return
		}
		again, err := w.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded key does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("encoding is not canonical: %x became %x", b, again)
		}
		got, err := kr.Unwrap(personID, w)
		if err != nil {
			return
		}
		// Only a genuine wrapping of the seed's key, for its person, may
		// unwrap. (Its nonce may differ: fuzz workers rebuild the seed.)
		if personID != "p-1" {
			t.Fatalf("p-1's wrapped key unwrapped for %q", personID)
		}
		if _, err := Open(got, ct, bindName); err != nil {
			t.Fatalf("a wrapped key unwrapped to a key other than the seed's: %v", err)
		}
	})
}

func mustMarshal(tb testing.TB, wk WrappedKey) []byte {
	tb.Helper()
	b, err := wk.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
