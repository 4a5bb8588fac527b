package discern

import (
	"bytes"
	"errors"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestNewID(t *testing.T) {
	r := mrand.NewChaCha8([32]byte{})
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	prev := ""
	seen := map[string]bool{}
	for i := range 1000 {
		id, err := NewID(t0.Add(time.Duration(i)*time.Millisecond), r)
		if err != nil {
			t.Fatal(err)
		}
		if !ValidID(id) {
			t.Fatalf("NewID made %q, which ValidID rejects", id)
		}
		if id <= prev {
			t.Fatalf("IDs not ordered by time: %q after %q", id, prev)
		}
		if seen[id] {
			t.Fatalf("repeated ID %q", id)
		}
		seen[id], prev = true, id
	}
	// The time prefix is the ULID one: known vector for 2026-03-01T09:00:00Z.
	id, _ := NewID(t0, bytes.NewReader(make([]byte, 10)))
	if want := "01KJMA0FM0" + strings.Repeat("0", 16); id != want {
		t.Fatalf("NewID(%v, zeros) = %q, want %q", t0, id, want)
	}
	if _, err := NewID(time.Unix(-1, 0), r); err == nil {
		t.Fatal("an ID before 1970 was made")
	}
	if _, err := NewID(t0, bytes.NewReader([]byte{1, 2})); err == nil {
		t.Fatal("an ID was made from too little randomness")
	}
}

func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"01KJMBMG000000000000000000", true},
		{"7ZZZZZZZZZZZZZZZZZZZZZZZZZ", true},
		{"8ZZZZZZZZZZZZZZZZZZZZZZZZZ", false}, // more than 128 bits
		{"01KJMBMG00000000000000000", false},
		{"01KJMBMG00000000000000000U", false},
		{"01kjmbmg000000000000000000", false},
		{"", false},
		{"robert'); DROP TABLE x;--", false},
	} {
		if got := ValidID(tc.id); got != tc.want {
			t.Errorf("ValidID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestCaseCode(t *testing.T) {
	r := mrand.NewChaCha8([32]byte{5})
	for range 200 {
		code, err := NewCaseCode(r)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != len("DSC-7M3F-QE") || !strings.HasPrefix(code, "DSC-") {
			t.Fatalf("case code %q", code)
		}
		got, err := ParseCaseCode(code)
		if err != nil || got != code {
			t.Fatalf("ParseCaseCode(%q) = %q, %v", code, got, err)
		}
	}
	code, _ := NewCaseCode(bytes.NewReader([]byte{7, 20, 3, 15, 23}))
	if code != "DSC-7M3F-QE" {
		t.Fatalf("NewCaseCode(fixed) = %q", code)
	}
	cases := []struct {
		name, in, want string
	}{
		{"canonical", "DSC-7M3F-QE", "DSC-7M3F-QE"},
		{"lower case", "dsc-7m3f-qe", "DSC-7M3F-QE"},
		{"no prefix or dashes", "7m3fqe", "DSC-7M3F-QE"},
		{"spaces", " DSC 7M3F QE ", "DSC-7M3F-QE"},
		{"wrong symbol", "DSC-7M3F-QF", ""},
		{"swapped neighbours", "DSC-M73F-QE", ""},
		{"too short", "DSC-7M3F", ""},
		{"too long", "DSC-7M3F-QEE", ""},
		{"U is not a symbol", "DSC-UM3F-QE", ""},
		{"Z is not a symbol", "DSC-ZM3F-QE", ""},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCaseCode(tc.in)
			if tc.want == "" {
				var e *Error
				if !errors.As(err, &e) || e.Kind != KindInvalid || e.Field != "case_code" {
					t.Fatalf("ParseCaseCode(%q) = %q, %v; want an invalid case_code error", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseCaseCode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	// O, I and L are read as 0, 1 and 1: find a code with a 0 and a 1.
	for range 10000 {
		c, _ := NewCaseCode(r)
		if strings.ContainsAny(c[4:], "0") && strings.ContainsAny(c[4:], "1") {
			typed := strings.NewReplacer("0", "O", "1", "l").Replace(c[4:])
			if got, err := ParseCaseCode(typed); err != nil || got != c {
				t.Fatalf("ParseCaseCode(%q) = %q, %v; want %q", typed, got, err, c)
			}
			return
		}
	}
	t.Fatal("no code with both 0 and 1 in 10000 draws")
}

// TestCaseCodeCatchesTypos checks the claim in ParseCaseCode's doc: every
// single wrong symbol and every swap of two different neighbours fails.
func TestCaseCodeCatchesTypos(t *testing.T) {
	r := mrand.NewChaCha8([32]byte{9})
	for range 300 {
		code, _ := NewCaseCode(r)
		sym := []byte(code[4:8] + code[9:])
		for i := range sym {
			for _, c := range []byte(crockford) {
				if c == sym[i] {
					continue
				}
				typo := append([]byte(nil), sym...)
				typo[i] = c
				if _, err := ParseCaseCode(string(typo)); err == nil {
					t.Fatalf("%s with symbol %d as %c passed", code, i, c)
				}
			}
			if i+1 < len(sym) && sym[i] != sym[i+1] {
				swap := append([]byte(nil), sym...)
				swap[i], swap[i+1] = swap[i+1], swap[i]
				if _, err := ParseCaseCode(string(swap)); err == nil {
					t.Fatalf("%s with symbols %d and %d swapped passed", code, i, i+1)
				}
			}
		}
	}
}

func FuzzParseCaseCode(f *testing.F) {
	for _, s := range []string{"DSC-7M3F-QE", "7m3fqe", "dsc 7m3f qe", "", "DSC-", "DSCDSC", "ÄÖÜ", "DSC-OIL0-11"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCaseCode(s)
		if err != nil {
			if KindOf(err) != KindInvalid {
				t.Fatalf("ParseCaseCode(%q): %v is not KindInvalid", s, err)
			}
			return
		}
		again, err := ParseCaseCode(got)
		if err != nil || again != got {
			t.Fatalf("ParseCaseCode(%q) = %q, which parses as %q, %v", s, got, again, err)
		}
	})
}
