package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Distinct, well-formed test keys in the key-file encoding.
var (
	keyA = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa1}, KeySize))
	keyB = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xb2}, KeySize))
	keyC = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xc3}, KeySize))
	keyI = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x1d}, KeySize))
	// keyPlusSlash has '+' and '/' in its encoding, which URL-safe base64 spells differently.
	keyPlusSlash = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, KeySize))
)

func TestParseKeyring(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		active string
		ids    []string
	}{
		{
			name:   "one master key",
			text:   "index " + keyI + "\nmaster k1 " + keyA + "\n",
			active: "k1", ids: []string{"k1"},
		},
		{
			name:   "key with '+' and '/'",
			text:   "index " + keyI + "\nmaster k1 " + keyPlusSlash + "\n",
			active: "k1", ids: []string{"k1"},
		},
		{
			name:   "last master key is active by default",
			text:   "index " + keyI + "\nmaster k1 " + keyA + "\nmaster k2 " + keyB,
			active: "k2", ids: []string{"k1", "k2"},
		},
		{
			name:   "marked active key wins",
			text:   "master old " + keyA + " active\nmaster new " + keyB + "\nindex " + keyI,
			active: "old", ids: []string{"old", "new"},
		},
		{
			name: "comments, blank lines, tabs and CRLF",
			text: "# Discern keys\r\n\r\n  # indented comment\r\nindex\t" + keyI + "\r\n" +
				"master 2026-01.a_b " + keyA + "\r\n   master  k-2   " + keyB + "  \r\n",
			active: "k-2", ids: []string{"2026-01.a_b", "k-2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kr, err := ParseKeyring("keys", []byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			if got := kr.ActiveKeyID(); got != tc.active {
				t.Errorf("active = %q, want %q", got, tc.active)
			}
			if got := kr.KeyIDs(); !slices.Equal(got, tc.ids) {
				t.Errorf("ids = %q, want %q", got, tc.ids)
			}
		})
	}
}

func TestParseKeyringErrors(t *testing.T) {
	idx := "index " + keyI + "\n"
	tests := []struct {
		name string
		text string
		line int // 0: the error is about the whole file
		want string
	}{
		{"empty file", "", 0, "no master key"},
		{"only comments", "# nothing\n\n", 0, "no master key"},
		{"no index", "master k1 " + keyA, 0, "no index secret"},
		{"no master", idx, 0, "no master key"},
		{"bare key", idx + keyA, 2, `must start with "index" or "master"`},
		{"unknown kind", idx + "kek k1 " + keyA, 2, `must start with "index" or "master"`},
		{"upper-case kind", idx + "MASTER k1 " + keyA, 2, `must start with`},
		{"index without key", "index\nmaster k1 " + keyA, 1, "found 1 fields"},
		{"index with extra field", "index " + keyI + " active\nmaster k1 " + keyA, 1, "found 3 fields"},
		{"two index lines", idx + "master k1 " + keyA + "\nindex " + keyB, 3, "first is on line 1"},
		{"master without key", idx + "master k1", 2, "found 2 fields"},
		{"master with five fields", idx + "master k1 " + keyA + " active now", 2, "found 5 fields"},
		{"unknown marker", idx + "master k1 " + keyA + " current", 2, `the only one allowed is "active"`},
		{"two active", idx + "master k1 " + keyA + " active\nmaster k2 " + keyB + " active", 3, `so is "k1" on line 2`},
		{"duplicate id", idx + "master k1 " + keyA + "\n\nmaster k1 " + keyB, 4, `"k1" is already used on line 2`},
		{"id with bad character", idx + "master k|1 " + keyA, 2, "key id must be"},
		{"id too long", idx + "master " + strings.Repeat("k", 33) + " " + keyA, 2, "key id must be"},
		{"key too short", idx + "master k1 " + keyA[:40], 2, "must be 44 characters"},
		{"key too long", idx + "master k1 " + keyA + "AAAA", 2, "must be 44 characters"},
		{"key not base64", idx + "master k1 " + strings.Repeat("*", 44), 2, "not valid standard base64"},
		{"url-safe base64", idx + "master k1 " + strings.ReplaceAll(strings.ReplaceAll(keyPlusSlash, "+", "-"), "/", "_"), 2, "not valid standard base64"},
		{"all-zero key", idx + "master k1 " + base64.StdEncoding.EncodeToString(make([]byte, 32)), 2, "all zeros"},
		{"index key bad", "index short\nmaster k1 " + keyA, 1, "index secret must be 44"},
		{"same key twice", idx + "master k1 " + keyA + "\nmaster k2 " + keyA, 3, "repeats the key on line 2"},
		{"master repeats index", idx + "master k1 " + keyI, 2, "repeats the key on line 1"},
		{"control character", idx + "master k1 " + keyA + "\x00", 2, "control characters"},
		{"not UTF-8", idx + "master k\xff1 " + keyA, 2, "not UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeyring("/etc/discern/keys", []byte(tc.text))
			if err == nil {
				t.Fatal("ParseKeyring succeeded")
			}
			kerr, ok := errors.AsType[*keyfileError](err)
			if !ok {
				t.Fatalf("error %v is not a key-file error", err)
			}
			if kerr.line != tc.line {
				t.Errorf("error at line %d, want %d: %v", kerr.line, tc.line, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "/etc/discern/keys") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q should name the file and say %q", msg, tc.want)
			}
			if tc.line != 0 && !strings.Contains(msg, fmt.Sprintf("line %d:", tc.line)) {
				t.Errorf("error %q does not name line %d", msg, tc.line)
			}
			for _, k := range []string{keyA, keyB, keyI, keyA[:40]} {
				if strings.Contains(msg, k) {
					t.Errorf("error %q repeats key material", msg)
				}
			}
		})
	}
}

func TestParseKeyringEnv(t *testing.T) {
	kr, err := ParseKeyringEnv(" index " + keyI + "; master k1 " + keyA + " ;master k2 " + keyB + " active;")
	if err != nil {
		t.Fatal(err)
	}
	if kr.ActiveKeyID() != "k2" || len(kr.KeyIDs()) != 2 {
		t.Errorf("active %q, ids %q", kr.ActiveKeyID(), kr.KeyIDs())
	}
	_, err = ParseKeyringEnv("index " + keyI + ";master k1")
	if err == nil || !strings.Contains(err.Error(), "DISCERN_MASTER_KEY, entry 2") {
		t.Errorf("error = %v, want one naming DISCERN_MASTER_KEY, entry 2", err)
	}
	if _, err := ParseKeyringEnv(""); err == nil {
		t.Error("empty value accepted")
	}
}

func TestMarshalTextRoundTrip(t *testing.T) {
	kr := mustKeyring(t, 1)
	if _, err := kr.Rotate(testRand(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Rotate(testRand(3)); err != nil {
		t.Fatal(err)
	}
	text, err := kr.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseKeyring("text", text)
	if err != nil {
		t.Fatal(err)
	}
	assertSameKeys(t, got, kr)
	// The active key is marked, so a key appended by hand does not take over.
	got, err = ParseKeyring("text", append(text, "master added "+keyC+"\n"...))
	if err != nil {
		t.Fatal(err)
	}
	if got.ActiveKeyID() != kr.ActiveKeyID() {
		t.Errorf("active = %q, want %q", got.ActiveKeyID(), kr.ActiveKeyID())
	}
}

// assertSameKeys checks that got holds want's keys, by use rather than by
// peeking: data keys wrapped by one unwrap with the other, and blind
// indexes agree.
func assertSameKeys(tb testing.TB, got, want *Keyring) {
	tb.Helper()
	if got.ActiveKeyID() != want.ActiveKeyID() || !slices.Equal(got.KeyIDs(), want.KeyIDs()) {
		tb.Fatalf("keys %q active %q, want %q active %q", got.KeyIDs(), got.ActiveKeyID(), want.KeyIDs(), want.ActiveKeyID())
	}
	_, wk := mustDataKey(tb, want, "p-1")
	if _, err := got.Unwrap("p-1", wk); err != nil {
		tb.Errorf("a data key wrapped by one keyring does not unwrap with the other: %v", err)
	}
	a, err1 := got.BlindIndex("case_code", "AB-123")
	b, err2 := want.BlindIndex("case_code", "AB-123")
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		tb.Errorf("blind indexes differ: %x (%v) and %x (%v)", a, err1, b, err2)
	}
}

func TestLoadOrCreateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new-dir", "keys")
	kr, created, err := LoadOrCreateKeyFile(path, testRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Error("created = false for a new file")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("key file mode %#o, want 0600", perm)
		}
		di, err := os.Stat(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if perm := di.Mode().Perm(); perm != 0o700 {
			t.Errorf("new directory mode %#o, want 0700", perm)
		}
	}
	again, created, err := LoadOrCreateKeyFile(path, testRand(9))
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("created = true for an existing file")
	}
	assertSameKeys(t, again, kr)
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %q", leftovers)
	}
}

func TestLoadOrCreateKeyFileKeepsABadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeyFile(path, testRand(1)); err == nil {
		t.Fatal("a broken key file was accepted")
	}
	if b, _ := os.ReadFile(path); string(b) != "garbage\n" {
		t.Error("a broken key file was overwritten; its keys might have been recoverable")
	}
}

func TestWriteKeyFileAfterRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	kr, _, err := LoadOrCreateKeyFile(path, testRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Rotate(testRand(2)); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(path, kr); err != nil {
		t.Fatal(err)
	}
	got, err := LoadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	assertSameKeys(t, got, kr)
}

func TestLoadKeyFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no Unix permission bits here")
	}
	dir := t.TempDir()
	text := []byte("index " + keyI + "\nmaster k1 " + keyA + "\n")
	tests := []struct {
		mode fs.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o640, false},
		{0o644, false},
		{0o604, false},
		{0o620, false},
		{0o666, false},
	}
	for _, tc := range tests {
		t.Run(tc.mode.String(), func(t *testing.T) {
			path := filepath.Join(dir, "keys-"+tc.mode.String())
			if err := os.WriteFile(path, text, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadKeyFile(path)
			switch {
			case tc.ok && err != nil:
				t.Errorf("LoadKeyFile: %v", err)
			case !tc.ok && err == nil:
				t.Error("LoadKeyFile accepted the file")
			case !tc.ok && !(strings.Contains(err.Error(), path) && strings.Contains(err.Error(), "chmod 600")):
				t.Errorf("error %q should name the file and say how to fix it", err)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		if _, err := LoadKeyFile(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("LoadKeyFile(dir) = %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := LoadKeyFile(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("LoadKeyFile(missing) = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("bad content names file and line", func(t *testing.T) {
		path := filepath.Join(dir, "bad")
		if err := os.WriteFile(path, []byte("index "+keyI+"\nmaster k1 nope\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadKeyFile(path)
		if err == nil || !strings.Contains(err.Error(), path+", line 2") {
			t.Errorf("LoadKeyFile = %v, want an error naming %s, line 2", err, path)
		}
	})
}

func FuzzParseKeyring(f *testing.F) {
	f.Add("index " + keyI + "\nmaster k1 " + keyA + "\n")
	f.Add("index " + keyI + "\nmaster k1 " + keyA + " active\nmaster k2 " + keyB + "\n")
	f.Add("# comment\n\nmaster k1 " + keyA + ";index " + keyI)
	f.Add("master k1 k1 k1 k1 k1")
	f.Add("index\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, env := range []bool{false, true} {
			var kr *Keyring
			var err error
			if env {
				kr, err = ParseKeyringEnv(text)
			} else {
				kr, err = ParseKeyring("fuzz", []byte(text))
			}
			if err != nil {
				continue
			}
			// A keyring that parses must write back to one with the same keys.
			out, err := kr.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseKeyring("fuzz", out)
			if err != nil {
				t.Fatalf("written keyring does not parse: %v", err)
			}
			if again.ActiveKeyID() != kr.ActiveKeyID() || !slices.Equal(again.KeyIDs(), kr.KeyIDs()) {
				t.Fatalf("round trip changed the keys")
			}
		}
	})
}

func TestPrintingRevealsNoKey(t *testing.T) {
	kr, err := ParseKeyring("keys", []byte("index "+keyI+"\nmaster k1 "+keyA+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	dk, _ := mustDataKey(t, kr, "p-1")
	out := fmt.Sprintf("%v %+v %#v %s %v %+v %#v", kr, kr, kr, kr, dk, dk, dk)
	if !strings.Contains(out, "k1") || !strings.Contains(out, dk.ID()) {
		t.Errorf("output %q does not name the keys", out)
	}
	for _, secret := range []string{keyI, keyA, "1d1d1d1d", "a1a1a1a1", "\x1d\x1d", "29 29 29", "161 161 161"} {
		if strings.Contains(out, secret) {
			t.Errorf("printing the keyring or a data key shows key material %q: %s", secret, out)
		}
	}
}
