package auth

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

func validTokenRequest() APITokenRequest {
	return APITokenRequest{
		UserID: "u7", OrgID: "o3", Role: discern.RoleCaseworker, Name: "case export",
		Scopes:    []TokenScope{TokenScreeningsRead, TokenPeopleRead, TokenPeopleRead},
		ExpiresAt: t0.Add(90 * 24 * time.Hour),
	}
}

func TestNewAPIToken(t *testing.T) {
	token, tok, err := NewAPIToken(testRand(7), t0, validTokenRequest())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^dsc_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$`).MatchString(token) {
		t.Fatalf("token %q has the wrong form", token)
	}
	if len(token) != apiTokenLen || encodedTokenLen != 43 {
		t.Fatalf("token length %d, constant %d, secret %d", len(token), apiTokenLen, encodedTokenLen)
	}
	want := APIToken{PublicID: token[4:20], SecretHash: tok.SecretHash, UserID: "u7", OrgID: "o3", Name: "case export",
		Scopes: []TokenScope{TokenPeopleRead, TokenScreeningsRead}, CreatedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour)}
	if tok.PublicID != want.PublicID || tok.UserID != "u7" || tok.OrgID != "o3" || tok.Name != want.Name ||
		!slices.Equal(tok.Scopes, want.Scopes) || !tok.CreatedAt.Equal(t0) || !tok.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("NewAPIToken = %+v, want %+v", tok, want)
	}
	if strings.Contains(string(tok.SecretHash[:]), token[21:]) {
		t.Fatal("the stored token holds the secret")
	}
	id, h, err := ParseAPIToken(token)
	if err != nil || id != tok.PublicID || h != tok.SecretHash {
		t.Fatalf("ParseAPIToken = %q, %x, %v", id, h, err)
	}
	if err := tok.Check(h, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func TestNewAPITokenRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*APITokenRequest)
		field string // "" for a programming error (not shown to users)
	}{
		{"no name", func(r *APITokenRequest) { r.Name = "  " }, "name"},
		{"long name", func(r *APITokenRequest) { r.Name = strings.Repeat("n", 101) }, "name"},
		{"no scopes", func(r *APITokenRequest) { r.Scopes = nil }, "scopes"},
		{"unknown scope", func(r *APITokenRequest) { r.Scopes = []TokenScope{"people:everything"} }, "scopes"},
		{"scope the role cannot use", func(r *APITokenRequest) { r.Scopes = []TokenScope{TokenUsersWrite} }, "scopes"},
		{"analyst asks for people", func(r *APITokenRequest) {
			r.Role, r.Scopes = discern.RoleAnalyst, []TokenScope{TokenStatsRead, TokenPeopleRead}
		}, "scopes"},
		{"expired already", func(r *APITokenRequest) { r.ExpiresAt = t0 }, "expires_at"},
		{"no expiry", func(r *APITokenRequest) { r.ExpiresAt = time.Time{} }, "expires_at"},
		{"more than a year", func(r *APITokenRequest) { r.ExpiresAt = t0.Add(366 * 24 * time.Hour) }, "expires_at"},
		{"no owner", func(r *APITokenRequest) { r.UserID = "" }, ""},
		{"no organization", func(r *APITokenRequest) { r.OrgID = "" }, ""},
		{"unknown role", func(r *APITokenRequest) { r.Role = "root" }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := validTokenRequest()
			tc.edit(&req)
			_, _, err := NewAPIToken(testRand(7), t0, req)
			if err == nil {
				t.Fatal("NewAPIToken accepted it")
			}
			if tc.field == "" {
				if discern.KindOf(err) != discern.KindInternal {
					t.Fatalf("error %v, want an internal error", err)
				}
				return
			}
			e, ok := errors.AsType[*discern.Error](err)
			if !ok || e.Kind != discern.KindInvalid || e.Field != tc.field {
				t.Fatalf("error %#v, want invalid %s", err, tc.field)
			}
		})
	}
	req := validTokenRequest()
	req.ExpiresAt = t0.Add(MaxAPITokenLifetime)
	if _, _, err := NewAPIToken(testRand(7), t0, req); err != nil {
		t.Fatalf("a token of exactly a year: %v", err)
	}
	if _, _, err := NewAPIToken(failingReader{}, t0, validTokenRequest()); err == nil {
		t.Fatal("NewAPIToken without randomness succeeded")
	}
}

func TestAPITokenCheck(t *testing.T) {
	token, tok, err := NewAPIToken(testRand(7), t0, validTokenRequest())
	if err != nil {
		t.Fatal(err)
	}
	_, h, err := ParseAPIToken(token)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := NewAPIToken(testRand(8), t0, validTokenRequest())
	_, otherHash, _ := ParseAPIToken(other)
	tests := []struct {
		name string
		hash TokenHash
		at   time.Time
		ok   bool
	}{
		{"right secret", h, t0, true},
		{"a second before expiry", h, tok.ExpiresAt.Add(-time.Second), true},
		{"at expiry", h, tok.ExpiresAt, false},
		{"wrong secret", otherHash, t0, false},
		{"zero hash", TokenHash{}, t0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tok.Check(tc.hash, tc.at)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			mustKind(t, err, discern.KindUnauthorized, nil)
		})
	}
	if err := (APIToken{ExpiresAt: t0.Add(time.Hour)}).Check(TokenHash{}, t0); err == nil {
		t.Fatal("a token without a hash matched the zero hash")
	}
}

func TestParseAPITokenRejects(t *testing.T) {
	good, _, err := NewAPIToken(testRand(7), t0, validTokenRequest())
	if err != nil {
		t.Fatal(err)
	}
	secret := good[21:]
	tests := map[string]string{
		"empty":                  "",
		"prefix only":            "dsc_",
		"wrong prefix":           "dsk_" + good[4:],
		"uppercase prefix":       "DSC_" + good[4:],
		"uppercase hex":          "dsc_" + strings.ToUpper(good[4:20]) + "_" + secret,
		"non-hex id":             "dsc_" + "g" + good[5:],
		"missing separator":      "dsc_" + good[4:20] + "-" + secret,
		"short secret":           good[:len(good)-1],
		"long secret":            good + "A",
		"secret with padding":    good[:len(good)-1] + "=",
		"secret with plus":       good[:len(good)-1] + "+",
		"non-canonical secret":   good[:len(good)-1] + "B",
		"bearer prefix included": "Bearer " + good,
		"trailing newline":       good[:len(good)-1] + "\n",
		"line break in secret":   good[:30] + "\n" + good[31:],
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if tok == good {
				t.Skip("the mutation happened to keep the token")
			}
			_, _, err := ParseAPIToken(tok)
			mustKind(t, err, discern.KindUnauthorized, nil)
			if strings.Contains(discern.MessageOf(err), secret) {
				t.Fatal("the message repeats the secret")
			}
		})
	}
}

func FuzzParseAPIToken(f *testing.F) {
	good, _, err := NewAPIToken(testRand(7), t0, validTokenRequest())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("dsc_0000000000000000_" + strings.Repeat("A", 43))
	f.Add("dsc_0000000000000000_" + strings.Repeat("_", 43))
	f.Add("dsc__")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		id, h, err := ParseAPIToken(tok)
		if err != nil {
			mustKind(t, err, discern.KindUnauthorized, nil)
			return
		}
		// Whatever parses is exactly prefix, id, separator and a canonical
		// 32-byte secret.
		if len(tok) != 64 || tok[:4] != "dsc_" || tok[4:20] != id || tok[20] != '_' || !isLowerHex(id) {
			t.Fatalf("accepted %q", tok)
		}
		secretHash, err := parseSecret(tok[21:])
		if err != nil || secretHash != h {
			t.Fatalf("accepted %q with a bad secret", tok)
		}
	})
}

// memTokens is an in-memory APITokenStore, enough to exercise
// AuthenticateAPIToken until the real store exists.
type memTokens map[string]APIToken

func (m memTokens) CreateAPIToken(_ context.Context, t APIToken) error {
	m[t.PublicID] = t
	return nil
}

func (m memTokens) FindAPITokenByPublicID(_ context.Context, id string) (APIToken, error) {
	t, ok := m[id]
	if !ok {
		return APIToken{}, discern.Errorf(discern.KindNotFound, "no such token")
	}
	return t, nil
}

func (m memTokens) FindAPITokens(context.Context, string) ([]APIToken, error) { return nil, nil }

func (m memTokens) TouchAPIToken(context.Context, string, time.Time) error { return nil }

func (m memTokens) DeleteAPIToken(_ context.Context, id string) error {
	delete(m, id)
	return nil
}

func (m memTokens) DeleteUserAPITokens(context.Context, string) error { return nil }

func TestAuthenticateAPIToken(t *testing.T) {
	store := memTokens{}
	token, tok, err := NewAPIToken(testRand(7), t0, validTokenRequest())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAPIToken(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	unknown, _, _ := NewAPIToken(testRand(8), t0, validTokenRequest())
	forged := token[:21] + unknown[21:] // right id, wrong secret
	tests := []struct {
		name  string
		token string
		at    time.Time
		ok    bool
	}{
		{"valid", token, t0, true},
		{"unknown id", unknown, t0, false},
		{"right id, wrong secret", forged, t0, false},
		{"expired", token, tok.ExpiresAt, false},
		{"malformed", "dsc_nope", t0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AuthenticateAPIToken(t.Context(), store, tc.token, tc.at)
			if tc.ok {
				if err != nil || got.PublicID != tok.PublicID {
					t.Fatalf("AuthenticateAPIToken = %+v, %v", got, err)
				}
				return
			}
			mustKind(t, err, discern.KindUnauthorized, nil)
			if got.PublicID != "" {
				t.Fatal("a refused token was returned")
			}
		})
	}
	// Every failure looks the same to the client.
	var msgs []string
	for _, tok := range []string{unknown, forged, "dsc_nope"} {
		_, err := AuthenticateAPIToken(t.Context(), store, tok, t0)
		msgs = append(msgs, discern.MessageOf(err))
	}
	if msgs[0] != msgs[1] || msgs[1] != msgs[2] {
		t.Fatalf("failure messages differ: %q", msgs)
	}
}
