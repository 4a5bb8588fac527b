package auth

import (
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/discern-org/discern/internal/discern"
)

func mustSession(tb testing.TB, mfa bool) (string, Session) {
	tb.Helper()
	token, s, err := DefaultSessionConfig.NewSession(testRand(2), t0, "u7", "o3", "Mozilla/5.0 (X11; Linux x86_64)", mfa)
	if err != nil {
		tb.Fatal(err)
	}
	return token, s
}

func TestNewSession(t *testing.T) {
	token, s := mustSession(t, false)
	if len(token) != 43 {
		t.Fatalf("token %q has %d characters, want 43 (32 bytes base64url)", token, len(token))
	}
	if s.TokenHash != sha256.Sum256([]byte(token)) {
		t.Fatal("TokenHash is not the SHA-256 of the token")
	}
	if strings.Contains(string(s.TokenHash[:]), token) {
		t.Fatal("the session holds the token")
	}
	want := Session{TokenHash: s.TokenHash, UserID: "u7", OrgID: "o3", CreatedAt: t0, LastSeenAt: t0,
		ExpiresAt: t0.Add(12 * time.Hour), IdleTimeout: 30 * time.Minute, UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"}
	if s != want {
		t.Fatalf("NewSession = %+v, want %+v", s, want)
	}
	h, err := ParseSessionToken(token)
	if err != nil || h != s.TokenHash {
		t.Fatalf("ParseSessionToken = %x, %v; want %x", h, err, s.TokenHash)
	}
	other, _ := mustSessionSeed(t, 3)
	if other == token {
		t.Fatal("two random sources gave the same token")
	}
	if _, _, err := DefaultSessionConfig.NewSession(failingReader{}, t0, "u7", "o3", "", false); err == nil {
		t.Fatal("NewSession without randomness succeeded")
	}
	if _, _, err := (SessionConfig{}).NewSession(testRand(2), t0, "u7", "o3", "", false); err == nil {
		t.Fatal("NewSession with zero timeouts succeeded")
	}
}

func mustSessionSeed(tb testing.TB, seed byte) (string, Session) {
	tb.Helper()
	token, s, err := DefaultSessionConfig.NewSession(testRand(seed), t0, "u7", "o3", "", false)
	if err != nil {
		tb.Fatal(err)
	}
	return token, s
}

func TestSessionValid(t *testing.T) {
	_, s := mustSession(t, true)
	seen := func(d time.Duration) Session { c := s; c.LastSeenAt = t0.Add(d); return c }
	tests := []struct {
		name string
		s    Session
		at   time.Duration // after t0
		want bool
	}{
		{"just created", s, 0, true},
		{"idle 29 minutes", s, 29 * time.Minute, true},
		{"idle 30 minutes", s, 30 * time.Minute, false},
		{"active, 11 h 59 min after sign-in", seen(11*time.Hour + 50*time.Minute), 11*time.Hour + 59*time.Minute, true},
		{"active, 12 h after sign-in", seen(11*time.Hour + 59*time.Minute), 12 * time.Hour, false},
		{"replica clock a little behind", s, -2 * time.Second, true},
		{"zero session", Session{}, 0, false},
		{"no user", func() Session { c := s; c.UserID = ""; return c }(), 0, false},
		{"no idle timeout", func() Session { c := s; c.IdleTimeout = 0; return c }(), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Valid(t0.Add(tc.at)); got != tc.want {
				t.Fatalf("Valid = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSessionShouldTouch(t *testing.T) {
	_, s := mustSession(t, false)
	if s.ShouldTouch(t0.Add(59 * time.Second)) {
		t.Error("touch after 59 s")
	}
	if !s.ShouldTouch(t0.Add(time.Minute)) {
		t.Error("no touch after a minute")
	}
}

func TestSessionRotate(t *testing.T) {
	oldToken, old := mustSession(t, false)
	later := t0.Add(time.Minute)
	token, s, err := DefaultSessionConfig.Rotate(testRand(9), old, later, true)
	if err != nil {
		t.Fatal(err)
	}
	if token == oldToken || s.TokenHash == old.TokenHash {
		t.Fatal("Rotate kept the token")
	}
	if !s.MFAVerified || s.UserID != old.UserID || s.OrgID != old.OrgID || s.UserAgent != old.UserAgent {
		t.Fatalf("Rotate = %+v from %+v", s, old)
	}
	if !s.CreatedAt.Equal(later) || !s.ExpiresAt.Equal(later.Add(12*time.Hour)) {
		t.Fatalf("Rotate times: created %v, expires %v", s.CreatedAt, s.ExpiresAt)
	}
}

func TestParseSessionTokenRejects(t *testing.T) {
	good, _ := mustSession(t, false)
	tests := map[string]string{
		"empty":                "",
		"short":                good[:42],
		"long":                 good + "A",
		"padding":              good[:42] + "=",
		"standard base64":      strings.Repeat("+", 43),
		"space":                good[:42] + " ",
		"line breaks inside":   good[:20] + "\r\n" + good[22:],
		"non-canonical ending": good[:42] + "B",
		"non-ASCII":            good[:41] + "é",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if tok == good {
				t.Skip("the mutation happened to keep the token")
			}
			_, err := ParseSessionToken(tok)
			mustKind(t, err, discern.KindUnauthorized, nil)
		})
	}
}

func TestSessionCookie(t *testing.T) {
	token, _ := mustSession(t, false)
	c := SessionCookie(token)
	if err := c.Valid(); err != nil {
		t.Fatal(err)
	}
	if c.Name != "__Host-discern_session" || c.Value != token || c.Path != "/" || c.Domain != "" ||
		!c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || !c.Expires.IsZero() || c.MaxAge != 0 {
		t.Fatalf("SessionCookie = %+v", c)
	}
	clear := ClearSessionCookie()
	if clear.Name != SessionCookieName || clear.Value != "" || clear.MaxAge >= 0 || !clear.Secure || clear.Path != "/" {
		t.Fatalf("ClearSessionCookie = %+v", clear)
	}
	if got := clear.String(); !strings.Contains(got, "Max-Age=0") {
		t.Fatalf("clearing cookie header %q does not expire it", got)
	}
}

func TestSessionUserAgentTruncated(t *testing.T) {
	ua := strings.Repeat("é", 200) // 400 bytes
	_, s, err := DefaultSessionConfig.NewSession(testRand(2), t0, "u7", "o3", ua, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.UserAgent) > 256 || !utf8.ValidString(s.UserAgent) || !strings.HasPrefix(ua, s.UserAgent) {
		t.Fatalf("user agent kept as %d bytes, valid UTF-8 %v", len(s.UserAgent), utf8.ValidString(s.UserAgent))
	}
	if got := truncateUTF8("a\xffb", 10); got != "ab" {
		t.Fatalf("truncateUTF8 kept invalid bytes: %q", got)
	}
}

func FuzzParseSessionToken(f *testing.F) {
	good, _ := mustSession(f, false)
	f.Add(good)
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Add(strings.Repeat("_", 43))
	f.Fuzz(func(t *testing.T, tok string) {
		h, err := ParseSessionToken(tok)
		if err != nil {
			return
		}
		if len(tok) != 43 || h != sha256.Sum256([]byte(tok)) {
			t.Fatalf("accepted %q", tok)
		}
		b, derr := tokenEncoding.DecodeString(tok)
		if derr != nil || tokenEncoding.EncodeToString(b) != tok {
			t.Fatalf("accepted non-canonical %q", tok)
		}
	})
}
