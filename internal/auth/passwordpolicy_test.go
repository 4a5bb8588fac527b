package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		username string
		mfa      bool  // a second factor is required for the account
		want     error // nil: accepted
	}{
		// Length, in code points.
		{name: "15 characters", password: "tangerine vmoss", want: nil},
		{name: "14 characters", password: "tangerine vmos", want: ErrPasswordTooShort},
		{name: "8 characters with a second factor", password: "tangerin", mfa: true, want: nil},
		{name: "7 characters with a second factor", password: "tangeri", mfa: true, want: ErrPasswordTooShort},
		{name: "15 accented letters are 15 characters, not 30 bytes", password: strings.Repeat("é", 5) + " ñandú ğüş xy", want: nil},
		{name: "14 accented letters", password: "ééééé ñandú ğü", want: ErrPasswordTooShort},
		{name: "decomposed accents count once", password: strings.Repeat("e\u0301", 7) + "k", want: ErrPasswordTooShort},
		{name: "emoji count one each", password: "🦊🌙🌲 fox in the wood", want: nil},
		{name: "256 characters", password: strings.Repeat("tangerine viaduct moss ", 12)[:256], want: nil},
		{name: "257 characters", password: strings.Repeat("tangerine viaduct moss ", 12)[:257], want: ErrPasswordTooLong},
		{name: "256 characters of four bytes each", password: strings.Repeat("🦊🌙🌲🍄", 64), want: nil},
		{name: "megabyte", password: strings.Repeat("a", 1<<20), want: ErrPasswordTooLong},
		{name: "invalid UTF-8", password: "tangerine viaduct \xff moss", want: ErrPasswordUnreadable},

		// No composition rules.
		{name: "lowercase letters and spaces only", password: "my cat likes blue boats", want: nil},
		{name: "digits only, random", password: "839201746528193", want: nil},
		{name: "non-Latin passphrase", password: "кошка любит синие лодки", want: nil},
		{name: "common word with a long random number", password: "sunshine4827193650", want: nil},

		// Common and easy to guess.
		{name: "password twice", password: "passwordpassword", want: ErrPasswordCommon},
		{name: "capitalized with year and symbols", password: "Password2024!!!!", want: ErrPasswordCommon},
		{name: "leet with digits", password: "p@ssw0rd12345678", want: ErrPasswordCommon},
		{name: "leet with a digit between words", password: "P4ssw0rd1 P4ssw0rd1", want: ErrPasswordCommon},
		{name: "iloveyou twice", password: "iloveyouiloveyou", want: ErrPasswordCommon},
		{name: "digit sequence", password: "123456789012345", want: ErrPasswordCommon},
		{name: "descending digits", password: "987654321098765", want: ErrPasswordCommon},
		{name: "repeated digit pair", password: "121212121212121", want: ErrPasswordCommon},
		{name: "keyboard row", password: "qwertyuiopasdfgh", want: ErrPasswordCommon},
		{name: "alphabet", password: "abcdefghijklmnop", want: ErrPasswordCommon},
		{name: "one letter repeated", password: "aaaaaaaaaaaaaaaa", want: ErrPasswordCommon},
		{name: "two characters repeated", password: "ab!ab!ab!ab!ab!ab!", want: ErrPasswordCommon},
		{name: "symbols only, one repeated", password: "!!!!!!!!!!!!!!!!", want: ErrPasswordCommon},
		{name: "service name", password: "Discern discern 2025", want: ErrPasswordCommon},
		{name: "context words", password: "safehouse hotline!", want: ErrPasswordCommon},
		{name: "famous passphrase", password: "correct horse battery staple", want: ErrPasswordCommon},
		{name: "common words and a year", password: "sunshine 4827 dragon", want: ErrPasswordCommon},
		{name: "short with second factor but common", password: "letmein1", mfa: true, want: ErrPasswordCommon},

		// Username.
		{name: "contains the username", password: "anna.kowalski is me!", username: "anna.kowalski", want: ErrPasswordHasUsername},
		{name: "contains the username in other case", password: "ANNA.KOWALSKI is me!", username: "Anna.Kowalski", want: ErrPasswordHasUsername},
		{name: "contains the username without punctuation", password: "annakowalski-is-me!", username: "anna.kowalski", want: ErrPasswordHasUsername},
		{name: "contains the e-mail's local part", password: "i am anna.kowalski really", username: "anna.kowalski@example.org", want: ErrPasswordHasUsername},
		{name: "very short usernames are ignored", password: "al paints tangerine viaducts", username: "al", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPassword(tc.password, tc.username, tc.mfa)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("CheckPassword refused a good password: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("CheckPassword = %v, want %v", err, tc.want)
			}
			e, ok := errors.AsType[*discern.Error](err)
			if !ok || e.Kind != discern.KindInvalid || e.Field != "password" || e.Message == "" {
				t.Fatalf("error = %#v, want an invalid error on field password with a message", err)
			}
			if strings.Contains(e.Message, tc.password) {
				t.Fatal("the message repeats the password")
			}
		})
	}
}

func TestCheckPasswordMessages(t *testing.T) {
	tests := []struct {
		password string
		mfa      bool
		want     string
	}{
		{"short", false, "at least 15 characters"},
		{"short", true, "at least 8 characters"},
		{strings.Repeat("x", 300), false, "at most 256 characters"},
		{"passwordpassword", false, "too common or too easy to guess"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := discern.MessageOf(CheckPassword(tc.password, "", tc.mfa)); !strings.Contains(got, tc.want) {
				t.Fatalf("message %q does not say %q", got, tc.want)
			}
		})
	}
}

func TestBlocklistWords(t *testing.T) {
	if len(blocklist) < 100 {
		t.Fatalf("blocklist has %d words; did the file fail to embed?", len(blocklist))
	}
	seen := map[string]bool{}
	for _, w := range blocklist {
		if len(w) < 3 || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("blocklist word %q: want at least three lowercase ASCII letters", w)
		}
		if seen[w] {
			t.Errorf("blocklist word %q appears twice", w)
		}
		seen[w] = true
		// Each word, repeated to the minimum length, must be refused.
		pw := strings.Repeat(w+" ", MinPasswordLength/len(w)+1)
		if err := CheckPassword(pw, "", false); !errors.Is(err, ErrPasswordCommon) {
			t.Errorf("CheckPassword(%q) = %v, want it refused as common", pw, err)
		}
	}
	if !seen["discern"] {
		t.Error("the service's own name is not on the blocklist")
	}
}

func TestMinPasswordLengthFor(t *testing.T) {
	if got := MinPasswordLengthFor(false); got != 15 {
		t.Errorf("single factor: %d, want 15 (NIST SP 800-63B-4)", got)
	}
	if got := MinPasswordLengthFor(true); got != 8 {
		t.Errorf("with second factor: %d, want 8", got)
	}
	if MaxPasswordLength < 64 {
		t.Errorf("MaxPasswordLength %d below NIST's 64", MaxPasswordLength)
	}
}

// FuzzCheckPassword checks that no input makes the policy panic or hang.
func FuzzCheckPassword(f *testing.F) {
	f.Add("p@ssw0rd12345678", "anna")
	f.Add("123456789012345", "")
	f.Add("кошка любит синие лодки", "кошка")
	f.Add("\xff\xfe", "\xff")
	f.Fuzz(func(t *testing.T, password, username string) {
		err := CheckPassword(password, username, false)
		if err != nil && discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("CheckPassword = %v, want nil or an invalid error", err)
		}
	})
}

// BenchmarkCheckPassword measures the policy on a long password, the
// worst case for the blocklist search.
func BenchmarkCheckPassword(b *testing.B) {
	pw := strings.Repeat("tangerine viaduct moss ", 12)[:256]
	for b.Loop() {
		if err := CheckPassword(pw, "anna", false); err != nil {
			b.Fatal(err)
		}
	}
}
