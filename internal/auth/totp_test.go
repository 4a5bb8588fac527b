package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

func TestMFARequired(t *testing.T) {
	want := map[discern.Role]bool{
		discern.RoleAdministrator: true,
		discern.RoleSupervisor:    false,
		discern.RoleCaseworker:    false,
		discern.RoleScreener:      false,
		discern.RoleAnalyst:       false,
		discern.Role("root"):      false,
	}
	for role, w := range want {
		if got := MFARequired(role); got != w {
			t.Errorf("MFARequired(%q) = %v, want %v", role, got, w)
		}
	}
}

func TestNewTOTPKey(t *testing.T) {
	k, err := NewTOTPKey(testRand(4), "anna@example.org")
	if err != nil {
		t.Fatal(err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(k.Secret)
	if err != nil || len(secret) != 20 {
		t.Fatalf("secret %q: %d bytes, %v; want 20 bytes of base32", k.Secret, len(secret), err)
	}
	u, err := url.Parse(k.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("issuer") != "Discern" || q.Get("secret") != k.Secret ||
		q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" ||
		!strings.Contains(u.Path, "anna@example.org") {
		t.Fatalf("URL %s", k.URL)
	}
	again, err := NewTOTPKey(testRand(5), "anna@example.org")
	if err != nil || again.Secret == k.Secret {
		t.Fatalf("two keys share a secret (%v)", err)
	}
	png, err := k.QRCodePNG(200)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("QRCodePNG: %d bytes, %v", len(png), err)
	}
	if _, err := NewTOTPKey(testRand(4), " "); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("NewTOTPKey without a name: %v", err)
	}
	if _, err := NewTOTPKey(failingReader{}, "anna"); err == nil {
		t.Fatal("NewTOTPKey without randomness succeeded")
	}
}

func TestVerifyTOTP(t *testing.T) {
	// RFC 6238 appendix B: the ASCII secret "12345678901234567890" with
	// SHA-1 gives 94287082 at T=59 s and 07081804 at T=1111111109 s; the
	// six-digit codes are the last six digits.
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	at59 := time.Unix(59, 0)        // step 1
	atB := time.Unix(1111111109, 0) // step 37037036
	stepB := int64(1111111109 / 30)
	tests := []struct {
		name     string
		code     string
		now      time.Time
		lastUsed int64
		wantStep int64
		wantErr  error
		wantKind discern.ErrorKind
	}{
		{name: "RFC 6238 at 59 s", code: "287082", now: at59, lastUsed: 0, wantStep: 1},
		{name: "RFC 6238 at 1111111109 s", code: "081804", now: atB, wantStep: stepB},
		{name: "with a space", code: "081 804", now: atB, wantStep: stepB},
		{name: "30 s late (previous step)", code: "081804", now: atB.Add(30 * time.Second), wantStep: stepB},
		{name: "30 s early (next step)", code: "081804", now: atB.Add(-30 * time.Second), wantStep: stepB},
		{name: "60 s late", code: "081804", now: atB.Add(60 * time.Second), wantErr: ErrTOTPInvalid, wantKind: discern.KindUnauthorized},
		{name: "replayed", code: "081804", now: atB, lastUsed: stepB, wantErr: ErrTOTPReused, wantKind: discern.KindUnauthorized},
		{name: "replayed after a later code", code: "081804", now: atB, lastUsed: stepB + 1, wantErr: ErrTOTPReused, wantKind: discern.KindUnauthorized},
		{name: "after the previous step was used", code: "081804", now: atB, lastUsed: stepB - 1, wantStep: stepB},
		{name: "wrong code", code: "081805", now: atB, wantErr: ErrTOTPInvalid, wantKind: discern.KindUnauthorized},
		{name: "letters", code: "08180a", now: atB, wantKind: discern.KindInvalid},
		{name: "five digits", code: "81804", now: atB, wantKind: discern.KindInvalid},
		{name: "eight digits", code: "07081804", now: atB, wantKind: discern.KindInvalid},
		{name: "full-width digits", code: "０８１８０４", now: atB, wantKind: discern.KindInvalid},
		{name: "empty", code: "", now: atB, wantKind: discern.KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, err := VerifyTOTP(secret, tc.code, tc.now, tc.lastUsed)
			if tc.wantKind != "" {
				mustKind(t, err, tc.wantKind, tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if step != tc.wantStep {
				t.Fatalf("step = %d, want %d", step, tc.wantStep)
			}
		})
	}
	if _, err := VerifyTOTP("not base32!", "123456", atB, 0); discern.KindOf(err) != discern.KindInternal {
		t.Fatalf("bad stored secret: %v, want an internal error", err)
	}
}

func TestTOTPStep(t *testing.T) {
	tests := []struct {
		unix int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {1111111109, 37037036}, {-1, -1}, {-30, -1}, {-31, -2}}
	for _, tc := range tests {
		if got := TOTPStep(time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTPStep(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(testRand(6))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("%d codes, %d hashes; want 10", len(codes), len(hashes))
	}
	format := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !format.MatchString(c) {
			t.Errorf("code %q is not xxxx-xxxx-xxxx-xxxx in Crockford base32", c)
		}
		if seen[c] {
			t.Errorf("code %q twice", c)
		}
		seen[c] = true
		h, err := ParseRecoveryCode(c)
		if err != nil || h != hashes[i] {
			t.Errorf("ParseRecoveryCode(%q) = %x, %v; want %x", c, h, err, hashes[i])
		}
		if hashes[i] == sha256.Sum256([]byte(c)) {
			t.Errorf("hash of %q depends on the dashes", c)
		}
	}
	if _, _, err := NewRecoveryCodes(failingReader{}); err == nil {
		t.Fatal("NewRecoveryCodes without randomness succeeded")
	}
}

func TestParseRecoveryCode(t *testing.T) {
	want, err := ParseRecoveryCode("7k2m-9qdx-4h0a-zt1e")
	if err != nil {
		t.Fatal(err)
	}
	same := []string{
		"7K2M-9QDX-4H0A-ZT1E",
		"7k2m9qdx4h0azt1e",
		" 7k2m 9qdx 4h0a zt1e ",
		"7k2m-9qdx-4hoa-ztie", // O for 0, I for 1
		"7k2m-9qdx-4hOa-ztLe", // L for 1
	}
	for _, s := range same {
		if h, err := ParseRecoveryCode(s); err != nil || h != want {
			t.Errorf("ParseRecoveryCode(%q) = %v; want the same code", s, err)
		}
	}
	bad := []string{"", "7k2m-9qdx-4h0a-zt1", "7k2m-9qdx-4h0a-zt1e0", "7k2m-9qdx-4h0a-zt1u", "7k2m_9qdx_4h0a_zt1e", strings.Repeat("7", 100), "7k2m-9qdx-4h0a-zt1é"}
	for _, s := range bad {
		_, err := ParseRecoveryCode(s)
		mustKind(t, err, discern.KindInvalid, nil)
	}
}

func FuzzParseRecoveryCode(f *testing.F) {
	f.Add("7k2m-9qdx-4h0a-zt1e")
	f.Add("")
	f.Add("IIII-OOOO-LLLL-uuuu")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseRecoveryCode(s)
		if err != nil {
			mustKind(t, err, discern.KindInvalid, nil)
			return
		}
		if h.IsZero() {
			t.Fatal("accepted code has no hash")
		}
	})
}
