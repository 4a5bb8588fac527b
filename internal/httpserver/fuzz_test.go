package httpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
)

// Fuzz tests for every request decoder of the server: the assess body,
// JSON bodies decoded by Huma, query parameters, the Authorization,
// Idempotency-Key and client address headers. Bad input must get a 4xx
// problem, never a panic or a 5xx.

// checkAnswer fails unless r is a success or a well-formed 4xx problem.
func checkAnswer(t *testing.T, r *response) {
	t.Helper()
	if r.status >= 500 {
		t.Fatalf("server error %d: %s", r.status, r)
	}
	if r.status >= 400 {
		r.problem(t)
	}
}

func FuzzAssessBody(f *testing.F) {
	seed, _ := json.Marshal(exampleAnswers)
	for _, s := range []string{
		string(seed),
		`{"answers": {"age": 17, "age_doubt": "yes"}}`,
		`{"answers": [{"question": "exchange_sex", "answer": "yes", "provenance": "observed"}]}`,
		`{"jurisdictions": "all", "answers": {"hours_conditions": ["harmful_conditions"]}}`,
		`{"answers": {"age": -4}}`,
		`{"answers": {"age": 1e400}}`,
		`{"answers": null}`,
		`{"instrument": ["short"], "answers": {}}`,
		`"answers"`,
		`{"answers": {"exchange_sex": {"answer": {"deep": [1, {"x": null}]}}}}`,
		"{\"answers\": {\"exchange_sex\": \"\xff\"}}",
	} {
		f.Add([]byte(s))
	}
	eng := testEngine()
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := parseAssessBody(eng, body)
		if err != nil {
			e, ok := err.(*discern.Error)
			if !ok || e.Kind != discern.KindInvalid || e.Field == "" || e.Message == "" {
				t.Fatalf("error %#v is not an invalid-input error naming a field", err)
			}
			return
		}
		// ParseAnswers promises evidence the engine accepts.
		if _, err := eng.Evaluate(ev); err != nil {
			t.Fatalf("parsed answers the engine refuses: %v", err)
		}
	})
}

func FuzzJSONBodies(f *testing.F) {
	s := newTestServer(f)
	o := s.org("Harbour Outreach")
	admin, _ := s.admin(o.ID, "root@example.org")
	paths := []string{"/api/v1/sessions", "/api/v1/users", "/api/v1/tokens", "/api/v1/teams", "/api/v1/account/mfa/totp/confirm", "/api/v1/assess"}
	for i, b := range []string{
		`{"email": "root@example.org", "password": "x"}`,
		`{"email": "a@example.org", "display_name": "A", "role": "screener", "password": "lantern quietly orchard mosaic"}`,
		`{"name": "t", "scopes": ["assess"], "expires_at": "2026-04-01T00:00:00Z"}`,
		`{"name": "Night outreach"}`,
		`{"enrollment_token": "AAAA", "code": "123456"}`,
		`{"answers": {}}`,
		`{"email": ["x"], "password": {"y": 1}}`,
		`{"scopes": "assess", "expires_at": "tomorrow"}`,
		`{"name": "` + strings.Repeat("n", 300) + `"}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add(uint8(i), []byte(b), "application/json")
	}
	f.Add(uint8(0), []byte("email=a"), "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, which uint8, body []byte, contentType string) {
		r := httptest.NewRequest("POST", paths[int(which)%len(paths)], bytes.NewReader(body))
		if contentType != "" && !strings.ContainsAny(contentType, "\r\n") {
			r.Header.Set("Content-Type", contentType)
		}
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: admin})
		checkAnswer(t, s.serve(r))
	})
}

func FuzzListQuery(f *testing.F) {
	s := newTestServer(f)
	o := s.org("Harbour Outreach")
	admin, _ := s.admin(o.ID, "root@example.org")
	for _, q := range []string{
		"limit=2", "limit=0", "limit=-1", "limit=99999999999999999999", "limit=1.5",
		"cursor=abc", "cursor=" + strings.Repeat("z", 250), "role=screener&team_id=x&disabled=true",
		"role=screener&role=analyst", "limit=2&limit=3", "%zz", "cursor=%00", "user_id=" + o.ID,
	} {
		f.Add(uint8(0), q)
		f.Add(uint8(1), q)
	}
	paths := []string{"/api/v1/users", "/api/v1/teams", "/api/v1/tokens", "/api/v1/sessions"}
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		if strings.ContainsAny(query, " #\r\n\x00") {
			return // not something a client can put in a request line
		}
		r, err := http.NewRequest("GET", "http://x"+paths[int(which)%len(paths)]+"?"+query, nil)
		if err != nil {
			return
		}
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: admin})
		checkAnswer(t, s.serve(r))
	})
}

func FuzzHeaders(f *testing.F) {
	s := newTestServer(f)
	o := s.org("Harbour Outreach")
	admin, _ := s.admin(o.ID, "root@example.org")
	for _, h := range []string{
		"Bearer dsc_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"Bearer", "bearer x", "Basic YTpi", "Bearer  two  spaces", "Bearer " + strings.Repeat("a", 400), "",
	} {
		f.Add(h, "key-1", admin, "192.0.2.1")
	}
	f.Add("", strings.Repeat("k", 300), admin, "::1, 10.0.0.1")
	f.Add("", "", "not-a-session", "not an address")
	f.Fuzz(func(t *testing.T, authz, key, cookie, fwd string) {
		if tok, err := bearerToken(authz); err == nil && (tok == "" || len(tok) > 256 || strings.ContainsAny(tok, " \t")) {
			t.Fatalf("bearerToken(%q) accepted %q", authz, tok)
		}
		_ = validIdempotencyKey(key)
		r := httptest.NewRequest("POST", "/api/v1/teams", strings.NewReader(`{"name": "Fuzz team"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Forwarded-For", fwd)
		_ = clientAddr(r, "X-Forwarded-For")
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if key != "" {
			r.Header.Set(IdempotencyHeader, key)
		}
		r.Header.Set("Cookie", auth.SessionCookieName+"="+url.QueryEscape(cookie))
		checkAnswer(t, s.serve(r))
	})
}

func FuzzFieldOf(f *testing.F) {
	f.Add("body.settings", "expected required property default_language to be present")
	f.Add("body", "expected required property ")
	f.Add("query.limit", "expected number >= 1")
	f.Add("header.Idempotency-Key", "")
	f.Fuzz(func(t *testing.T, location, msg string) {
		_ = fieldOf(location, msg)
	})
}
