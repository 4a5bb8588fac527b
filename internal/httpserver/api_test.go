package httpserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

// API scenarios against the real server on real SQLite.

func TestSignInWithoutSecondFactor(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")

	r := s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "Ana@Example.org", "password": password}})
	expect(t, r, http.StatusCreated)
	c := r.cookie()
	if c == nil || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("session cookie = %+v; want __Host- cookie, Secure, HttpOnly, SameSite=Lax, Path=/", c)
	}
	var b signInBody
	r.decode(t, &b)
	if b.MFARequired || b.MFAEnrollmentRequired || !b.Session.MFAVerified || !b.Session.Current {
		t.Fatalf("sign-in body = %+v", b)
	}
	if strings.Contains(string(r.body), c.Value) {
		t.Fatal("the session token is in the body")
	}
	me := s.do(req{method: "GET", path: "/api/v1/me", session: c.Value})
	expect(t, me, http.StatusOK)
	var u userBody
	me.decode(t, &u)
	if u.Email != "ana@example.org" || u.Role != "caseworker" {
		t.Fatalf("me = %+v", u)
	}

	t.Run("wrong password and unknown email look alike", func(t *testing.T) {
		a := s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "ana@example.org", "password": "not the right one at all"}})
		b := s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "nobody@example.org", "password": password}})
		expect(t, a, http.StatusUnauthorized)
		expect(t, b, http.StatusUnauthorized)
		if pa, pb := a.problem(t), b.problem(t); pa.Detail != pb.Detail || a.cookie() != nil || b.cookie() != nil {
			t.Fatalf("failures differ: %q / %q", pa.Detail, pb.Detail)
		}
	})
	t.Run("bad input names the field", func(t *testing.T) {
		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"no password", map[string]string{"email": "ana@example.org"}, "password"},
			{"no email", map[string]string{"password": password}, "email"},
			{"unknown field", map[string]string{"email": "a@example.org", "password": password, "remember": "yes"}, "remember"},
			{"wrong type", map[string]any{"email": 7, "password": password}, "email"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := s.do(req{method: "POST", path: "/api/v1/sessions", body: tc.body})
				expect(t, r, http.StatusBadRequest)
				if p := r.problem(t); p.Field != tc.field || p.Kind != "invalid" {
					t.Fatalf("problem = %+v, want field %q", p, tc.field)
				}
			})
		}
		r := s.do(req{method: "POST", path: "/api/v1/sessions", raw: []byte(`{"email": "a@example.org", "password":`)})
		expect(t, r, http.StatusBadRequest)
		r.problem(t)
	})
}

func TestSignInWithSecondFactor(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "root@example.org", discern.RoleAdministrator, "")

	first, b := s.signIn("root@example.org", "")
	if !b.MFAEnrollmentRequired || b.Session.MFAVerified {
		t.Fatalf("first sign-in of an administrator: %+v", b)
	}
	r := s.do(req{method: "GET", path: "/api/v1/users", session: first})
	expect(t, r, http.StatusForbidden)
	if !strings.Contains(r.problem(t).Detail, "second factor") {
		t.Fatalf("problem does not say what to do: %s", r)
	}
	secret, verified := s.enrollTOTP(first)
	expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: first}), http.StatusUnauthorized)
	expect(t, s.do(req{method: "GET", path: "/api/v1/users", session: verified}), http.StatusOK)

	t.Run("code with the password", func(t *testing.T) {
		sess, b := s.signIn("root@example.org", s.code(secret))
		if b.MFARequired || !b.Session.MFAVerified {
			t.Fatalf("%+v", b)
		}
		expect(t, s.do(req{method: "GET", path: "/api/v1/users", session: sess}), http.StatusOK)
		// The same code a second time is refused.
		r := s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "root@example.org", "password": password, "code": s.code(secret)}})
		expect(t, r, http.StatusUnauthorized)
		s.clock.Advance(31 * time.Second)
	})
	t.Run("code afterwards", func(t *testing.T) {
		half, b := s.signIn("root@example.org", "")
		if !b.MFARequired || b.Session.MFAVerified {
			t.Fatalf("%+v", b)
		}
		expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: half}), http.StatusForbidden)
		r := s.do(req{method: "POST", path: "/api/v1/sessions/current/mfa", session: half, body: map[string]string{"code": "12"}})
		expect(t, r, http.StatusBadRequest)
		if f := r.problem(t).Field; f != "code" {
			t.Fatalf("field = %q", f)
		}
		r = s.do(req{method: "POST", path: "/api/v1/sessions/current/mfa", session: half, body: map[string]string{"code": s.code(secret)}})
		expect(t, r, http.StatusOK)
		full := r.cookie().Value
		if full == half {
			t.Fatal("the session was not rotated at the second factor")
		}
		expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: half}), http.StatusUnauthorized)
		expect(t, s.do(req{method: "GET", path: "/api/v1/users", session: full}), http.StatusOK)
		s.clock.Advance(31 * time.Second)
	})
	t.Run("no cookie", func(t *testing.T) {
		r := s.do(req{method: "POST", path: "/api/v1/sessions/current/mfa", body: map[string]string{"code": "123456"}})
		expect(t, r, http.StatusUnauthorized)
	})
}

func TestLockout(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	wrong := map[string]string{"email": "ana@example.org", "password": "not the right one at all"}
	for i := range auth.DefaultThrottle.Account.LockAfter {
		r := s.do(req{method: "POST", path: "/api/v1/sessions", body: wrong})
		expect(t, r, http.StatusUnauthorized)
		_ = i
		s.clock.Advance(time.Minute) // wait out the growing delays
	}
	r := s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "ana@example.org", "password": password}})
	expect(t, r, http.StatusTooManyRequests)
	if p := r.problem(t); p.Kind != "rate_limited" {
		t.Fatalf("problem = %+v", p)
	}
	s.clock.Advance(16 * time.Minute)
	s.signIn("ana@example.org", "")
	if m := metricsText(t, s); !strings.Contains(m, `discern_sign_ins_total{outcome="throttled"} 1`) {
		t.Fatalf("the throttled attempt is not counted:\n%s", m)
	}
}

func TestSessionExpiry(t *testing.T) {
	cases := []struct {
		name  string
		steps []time.Duration
		want  int
	}{
		{"active", []time.Duration{10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute}, http.StatusOK},
		{"idle", []time.Duration{31 * time.Minute}, http.StatusUnauthorized},
		{"absolute", repeat(25*time.Minute, 29), http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t)
			o := s.org("Harbour Outreach")
			s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
			sess, _ := s.signIn("ana@example.org", "")
			var r *response
			for i, d := range tc.steps {
				s.clock.Advance(d)
				r = s.do(req{method: "GET", path: "/api/v1/me", session: sess})
				if i < len(tc.steps)-1 {
					expect(t, r, http.StatusOK)
				}
			}
			expect(t, r, tc.want)
			if tc.want == http.StatusUnauthorized {
				if c := r.cookie(); c == nil || c.MaxAge >= 0 {
					t.Fatalf("an ended session's cookie is not cleared: %v", r.header["Set-Cookie"])
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestSignOutEverywhere(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	a, _ := s.signIn("ana@example.org", "")
	b, _ := s.signIn("ana@example.org", "")
	c, _ := s.signIn("ana@example.org", "")

	r := s.do(req{method: "GET", path: "/api/v1/sessions", session: a})
	expect(t, r, http.StatusOK)
	var list List[sessionBody]
	r.decode(t, &list)
	current := 0
	for _, x := range list.Items {
		if x.Current {
			current++
		}
	}
	if len(list.Items) != 3 || current != 1 {
		t.Fatalf("your sessions = %+v", list)
	}
	// Sign out of one.
	r = s.do(req{method: "DELETE", path: "/api/v1/sessions/current", session: c})
	expect(t, r, http.StatusNoContent)
	if ck := r.cookie(); ck == nil || ck.MaxAge >= 0 {
		t.Fatal("sign-out did not clear the cookie")
	}
	expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: c}), http.StatusUnauthorized)
	// Everywhere.
	expect(t, s.do(req{method: "DELETE", path: "/api/v1/sessions", session: a}), http.StatusNoContent)
	for _, sess := range []string{a, b} {
		expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: sess}), http.StatusUnauthorized)
	}
}

func TestAPITokenScopesAndExpiry(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	exp := s.clock.Now().Add(24 * time.Hour)

	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no expiry", map[string]any{"name": "x", "scopes": []string{"assess"}}, "expires_at"},
		{"over a year", map[string]any{"name": "x", "scopes": []string{"assess"}, "expires_at": s.clock.Now().AddDate(2, 0, 0)}, "expires_at"},
		{"past", map[string]any{"name": "x", "scopes": []string{"assess"}, "expires_at": s.clock.Now().Add(-time.Hour)}, "expires_at"},
		{"unknown scope", map[string]any{"name": "x", "scopes": []string{"everything"}, "expires_at": exp}, "scopes"},
		{"scope beyond the role", map[string]any{"name": "x", "scopes": []string{"users:write"}, "expires_at": exp}, "scopes"},
		{"no scopes", map[string]any{"name": "x", "scopes": []string{}, "expires_at": exp}, "scopes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "POST", path: "/api/v1/tokens", session: sess, body: tc.body})
			expect(t, r, http.StatusBadRequest)
			if p := r.problem(t); p.Field != tc.field {
				t.Fatalf("problem = %+v, want field %q", p, tc.field)
			}
		})
	}

	r := s.do(req{method: "POST", path: "/api/v1/tokens", session: sess, body: map[string]any{"name": "export", "scopes": []string{"assess"}, "expires_at": exp}})
	expect(t, r, http.StatusCreated)
	var created struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	r.decode(t, &created)
	if !strings.HasPrefix(created.Token, auth.APITokenPrefix) {
		t.Fatalf("token = %q", created.Token)
	}
	list := s.do(req{method: "GET", path: "/api/v1/tokens", session: sess})
	expect(t, list, http.StatusOK)
	if strings.Contains(list.String(), created.Token) || !strings.Contains(list.String(), created.ID) {
		t.Fatalf("token list: %s", list)
	}

	expect(t, s.do(req{method: "POST", path: "/api/v1/assess", token: created.Token, body: exampleAnswers}), http.StatusOK)
	r = s.do(req{method: "GET", path: "/api/v1/users", token: created.Token})
	expect(t, r, http.StatusForbidden)
	if !strings.Contains(r.problem(t).Detail, "users:read") {
		t.Fatalf("the problem does not name the missing scope: %s", r)
	}
	expect(t, s.do(req{method: "POST", path: "/api/v1/tokens", token: created.Token, body: map[string]any{"name": "y", "scopes": []string{"assess"}, "expires_at": exp}}), http.StatusForbidden)
	for _, h := range []string{"Bearer", "Bearer " + created.Token + "x", "Basic abc", "bearer  " + created.Token, "Token " + created.Token} {
		r := s.do(req{method: "POST", path: "/api/v1/assess", body: exampleAnswers, header: map[string]string{"Authorization": h}})
		expect(t, r, http.StatusUnauthorized)
	}
	// A bearer token wins over a valid cookie: a bad token is refused.
	expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: sess, header: map[string]string{"Authorization": "Bearer nope"}}), http.StatusUnauthorized)

	s.clock.Advance(25 * time.Hour)
	expect(t, s.do(req{method: "POST", path: "/api/v1/assess", token: created.Token, body: exampleAnswers}), http.StatusUnauthorized)
	s.clock.Advance(-25 * time.Hour)
	sess, _ = s.signIn("ana@example.org", "")
	expect(t, s.do(req{method: "DELETE", path: "/api/v1/tokens/" + created.ID, session: sess}), http.StatusNoContent)
	expect(t, s.do(req{method: "POST", path: "/api/v1/assess", token: created.Token, body: exampleAnswers}), http.StatusUnauthorized)
}

func TestDisabledUserLosesAccess(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	admin, _ := s.admin(o.ID, "root@example.org")
	u := s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	token, _, err := s.svc.Operator().CreateAPIToken(context.Background(), "t", o.ID, u.ID, accounts.NewToken{Name: "t", Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: s.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: sess}), http.StatusOK)
	r := s.do(req{method: "PATCH", path: "/api/v1/users/" + u.ID, session: admin, body: map[string]any{"disabled": true}})
	expect(t, r, http.StatusOK)
	expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: sess}), http.StatusUnauthorized)
	expect(t, s.do(req{method: "POST", path: "/api/v1/assess", token: token, body: exampleAnswers}), http.StatusUnauthorized)
	expect(t, s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "ana@example.org", "password": password}}), http.StatusUnauthorized)
}

func TestAssess(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleScreener, "")
	sess, _ := s.signIn("ana@example.org", "")

	r := s.do(req{method: "POST", path: "/api/v1/assess", session: sess, body: map[string]any{
		"instrument": "full", "language": "en", "jurisdictions": []string{"england-wales", "us-federal"},
		"answers": map[string]any{
			"exchange_sex": "yes", "others_involved": "yes", "money_kept": "yes",
			"threat_violence": map[string]any{"answer": "yes", "provenance": "self_report", "note": "a private remark"},
			"age":             34,
		},
	}})
	expect(t, r, http.StatusOK)
	var res struct {
		ContentVersion string `json:"content_version"`
		Results        []struct {
			Jurisdiction  string `json:"jurisdiction"`
			Determination string `json:"determination"`
		} `json:"results"`
	}
	r.decode(t, &res)
	if res.ContentVersion == "" || len(res.Results) != 2 {
		t.Fatalf("assess result = %s", r)
	}
	if strings.Contains(r.String(), "a private remark") {
		t.Fatal("the note came back in the result")
	}
	// Nothing stored: the audit log holds no entry for it, and no table
	// grew (people and screenings stay empty).
	ps, _, err := s.db.FindPeople(context.Background(), discern.PersonFilter{OrgID: o.ID})
	if err != nil || len(ps) != 0 {
		t.Fatalf("people after assess: %d, %v", len(ps), err)
	}

	cases := []struct {
		name  string
		raw   string
		field string
	}{
		{"unknown question", `{"answers": {"favourite_colour": "blue"}}`, "answers.favourite_colour"},
		{"bad value", `{"answers": {"exchange_sex": "perhaps"}}`, "answers.exchange_sex"},
		{"bad provenance", `{"answers": {"exchange_sex": {"answer": "yes", "provenance": "rumour"}}}`, "answers.exchange_sex"},
		{"unknown jurisdiction", `{"jurisdictions": ["atlantis"], "answers": {}}`, "jurisdictions"},
		{"unknown top-level field", `{"answers": {}, "name": "someone"}`, "name"},
		{"no answers", `{"instrument": "full"}`, "answers"},
		{"not JSON", `answers: {exchange_sex: yes}`, "body"},
		{"empty", ``, "body"},
		{"an array", `[1, 2]`, "body"},
		{"duplicate in a list", `{"answers": [{"question": "age", "answer": 3}, {"question": "age", "answer": 4}]}`, "answers[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "POST", path: "/api/v1/assess", session: sess, raw: []byte(tc.raw)})
			expect(t, r, http.StatusBadRequest)
			if p := r.problem(t); p.Field != tc.field || p.Kind != "invalid" {
				t.Fatalf("problem = %+v, want field %q", p, tc.field)
			}
		})
	}
}

func TestCrossOriginProtection(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	cases := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site sibling", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"no browser headers", nil, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "POST", path: "/api/v1/assess", session: sess, body: exampleAnswers, header: tc.header})
			expect(t, r, tc.want)
			if tc.want == http.StatusForbidden {
				r.problem(t)
			}
		})
	}
	// A cross-site sign-in is refused too (login CSRF), and a cross-site
	// GET is allowed (safe method).
	r := s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": "ana@example.org", "password": password},
		header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	expect(t, r, http.StatusForbidden)
	expect(t, s.do(req{method: "GET", path: "/api/v1/me", session: sess, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusOK)
}

func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	want := map[string]string{
		"Content-Security-Policy":   "default-src 'none'",
		"Strict-Transport-Security": "max-age=",
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "no-referrer",
		"Permissions-Policy":        "camera=()",
		"Cache-Control":             "no-store",
		"X-Request-Id":              "",
	}
	for _, rq := range []req{
		{method: "GET", path: "/healthz"},
		{method: "GET", path: "/api/v1/me", session: sess},
		{method: "GET", path: "/api/v1/me"},
		{method: "GET", path: "/no/such/page"},
		{method: "GET", path: "/signin"},
		{method: "GET", path: "/"},
		{method: "POST", path: "/api/v1/assess", session: sess, raw: []byte("{")},
	} {
		r := s.do(rq)
		for h, v := range want {
			if got := r.header.Get(h); got == "" || !strings.Contains(got, v) {
				t.Errorf("%s %s: %s = %q, want it to contain %q", rq.method, rq.path, h, got, v)
			}
		}
		csp := r.header.Values("Content-Security-Policy")
		if len(csp) != 1 || csp[0] != web.CSP {
			t.Errorf("%s %s: CSP %q, want exactly one, the pages' (web.CSP)", rq.method, rq.path, csp)
		}
	}
}

func TestRequestSizeLimit(t *testing.T) {
	s := newTestServer(t, func(o *Options) { o.MaxBodyBytes = 4096 })
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	big := []byte(`{"answers": {"exchange_sex": {"answer": "yes", "note": "` + strings.Repeat("x", 5000) + `"}}}`)
	r := s.do(req{method: "POST", path: "/api/v1/assess", session: sess, raw: big})
	expect(t, r, http.StatusRequestEntityTooLarge)
	r.problem(t)

	// Exactly the limit is allowed.
	exact := []byte(`{"answers": {"exchange_sex": {"answer": "yes", "note": "`)
	exact = append(exact, bytes.Repeat([]byte("x"), 4096-len(exact)-len(`"}}}`))...)
	exact = append(exact, `"}}}`...)
	expect(t, s.do(req{method: "POST", path: "/api/v1/assess", session: sess, raw: exact}), http.StatusOK)

	// Without a Content-Length the limit applies while reading.
	for _, path := range []string{"/api/v1/assess", "/api/v1/sessions"} {
		hr, _ := http.NewRequest("POST", s.srv.URL+path, io.MultiReader(bytes.NewReader(big)))
		hr.ContentLength = -1
		hr.Header.Set("Content-Type", "application/json")
		hr.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: sess})
		res, err := s.srv.Client().Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s chunked: status %d, want 413", path, res.StatusCode)
		}
	}
}

func metricsText(t *testing.T, s *testServer) string {
	t.Helper()
	r := s.do(req{method: "GET", path: "/metrics"})
	expect(t, r, http.StatusOK)
	return string(r.body)
}

func TestNoPersonalDataInMetricsOrLogs(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	const email = "known.person@harbour.example.org"
	u := s.user(o.ID, email, discern.RoleCaseworker, "")
	sess, _ := s.signIn(email, "")
	s.do(req{method: "POST", path: "/api/v1/sessions", body: map[string]string{"email": email, "password": "a wrong password here"}})
	s.do(req{method: "GET", path: "/api/v1/users/" + u.ID + "?role=caseworker&team_id=" + email, session: sess})
	s.do(req{method: "POST", path: "/api/v1/assess", session: sess, raw: []byte(`{"answers": {"exchange_sex": {"answer": "yes", "note": "Lives at 12 Quay Street"}}}`)})
	s.do(req{method: "POST", path: "/api/v1/assess", session: sess, raw: []byte(`{"answers": {"` + email + `": "yes"}}`)})
	s.do(req{method: "GET", path: "/api/v1/" + email})

	secret := []string{email, "known.person", password, "a wrong password here", "Lives at 12 Quay Street", sess, u.ID, "Seeded caseworker"}
	m := metricsText(t, s)
	if leak, ok := containsAny(m, secret...); ok {
		t.Fatalf("/metrics holds %q", leak)
	}
	if !strings.Contains(m, `discern_http_requests_total{route="POST /api/v1/assess",code="200"}`) {
		t.Fatalf("/metrics lacks the route-pattern series:\n%s", m)
	}
	logs := s.logs.String()
	if leak, ok := containsAny(logs, secret...); ok {
		t.Fatalf("the logs hold %q:\n%s", leak, logs)
	}
	if !strings.Contains(logs, `"route":"GET /api/v1/users/{user_id}"`) {
		t.Fatalf("the access log lacks the route pattern:\n%s", logs)
	}
}

func TestIdempotentCreate(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	admin, secret := s.admin(o.ID, "root@example.org")
	post := func(key, name string) *response {
		return s.do(req{method: "POST", path: "/api/v1/teams", session: admin, body: map[string]string{"name": name},
			header: map[string]string{IdempotencyHeader: key}})
	}
	first := post("key-1", "Night outreach")
	expect(t, first, http.StatusCreated)
	again := post("key-1", "Night outreach")
	expect(t, again, http.StatusCreated)
	if again.header.Get(ReplayedHeader) != "true" || first.header.Get(ReplayedHeader) != "" {
		t.Fatalf("replay header: first %q, again %q", first.header.Get(ReplayedHeader), again.header.Get(ReplayedHeader))
	}
	if !bytes.Equal(bytes.TrimSpace(first.body), bytes.TrimSpace(again.body)) {
		t.Fatalf("replayed body differs:\n%s\n%s", first, again)
	}
	r := post("key-1", "Day outreach")
	expect(t, r, http.StatusBadRequest)
	if p := r.problem(t); p.Field != IdempotencyHeader {
		t.Fatalf("problem = %+v", p)
	}
	r = post(strings.Repeat("k", 300), "Day outreach")
	expect(t, r, http.StatusBadRequest)
	if p := r.problem(t); p.Field != IdempotencyHeader {
		t.Fatalf("problem = %+v", p)
	}
	// A failed create releases its key: the retry runs.
	expect(t, post("key-2", "Night outreach"), http.StatusConflict)
	expect(t, post("key-2", "Day outreach"), http.StatusCreated)
	list := s.do(req{method: "GET", path: "/api/v1/teams", session: admin})
	var teams List[teamBody]
	list.decode(t, &teams)
	if len(teams.Items) != 2 {
		t.Fatalf("teams = %d, want 2: %s", len(teams.Items), list)
	}
	// Keys expire: after a day the same key is a new request.
	s.clock.Advance(25 * time.Hour)
	admin, _ = s.signIn("root@example.org", s.code(secret))
	expect(t, post("key-1", "Evening outreach"), http.StatusCreated)
}

func TestPagination(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	admin, _ := s.admin(o.ID, "root@example.org")
	for i := range 5 {
		s.user(o.ID, fmt.Sprintf("u%d@example.org", i), discern.RoleScreener, "")
		s.clock.Advance(time.Second)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		r := s.do(req{method: "GET", path: "/api/v1/users?limit=2&role=screener&cursor=" + cursor, session: admin})
		expect(t, r, http.StatusOK)
		var l List[userBody]
		r.decode(t, &l)
		for _, u := range l.Items {
			if seen[u.ID] || u.Role != "screener" {
				t.Fatalf("user %s repeated or of the wrong role", u.ID)
			}
			seen[u.ID] = true
		}
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	if len(seen) != 5 {
		t.Fatalf("walked %d users, want 5", len(seen))
	}
	cases := []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=501", "limit"},
		{"limit=ten", "limit"},
		{"role=boss", "role"},
		{"disabled=maybe", "disabled"},
		{"cursor=not-a-cursor", "cursor"},
		{"cursor=" + strings.Repeat("A", 300), "cursor"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			r := s.do(req{method: "GET", path: "/api/v1/users?" + tc.query, session: admin})
			expect(t, r, http.StatusBadRequest)
			if p := r.problem(t); p.Field != tc.field {
				t.Fatalf("problem = %+v, want field %q", p, tc.field)
			}
		})
	}
}

func TestProbesAndErrors(t *testing.T) {
	s := newTestServer(t)
	expect(t, s.do(req{method: "GET", path: "/healthz"}), http.StatusOK)
	expect(t, s.do(req{method: "GET", path: "/readyz"}), http.StatusOK)
	r := s.do(req{method: "GET", path: "/nowhere"})
	expect(t, r, http.StatusNotFound)
	r.problem(t)
	r = s.do(req{method: "DELETE", path: "/healthz"})
	expect(t, r, http.StatusMethodNotAllowed)
	if r.problem(t); !strings.Contains(r.header.Get("Allow"), "GET") {
		t.Fatalf("Allow = %q", r.header.Get("Allow"))
	}
	// A closed database makes the server not ready, but still alive.
	s.db.Close()
	r = s.do(req{method: "GET", path: "/readyz"})
	expect(t, r, http.StatusServiceUnavailable)
	r.problem(t)
	expect(t, s.do(req{method: "GET", path: "/healthz"}), http.StatusOK)
}

func TestPanicBecomesProblem(t *testing.T) {
	logs := &syncBuffer{}
	s := newTestServer(t)
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret personal detail")
	}), withState(&requestIDs{r: strings.NewReader(strings.Repeat("x", 64))}, newLogger(logs), ""), observe(s.metrics, s.clock.Now), recoverPanics)
	rec := newRecorder()
	h.ServeHTTP(rec, mustRequest(t, "GET", "/boom"))
	r := &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	expect(t, r, http.StatusInternalServerError)
	if p := r.problem(t); strings.Contains(p.Detail, "secret") {
		t.Fatalf("problem = %+v", p)
	}
	if strings.Contains(logs.String(), "secret personal detail") || !strings.Contains(logs.String(), "panic") {
		t.Fatalf("logs: %s", logs)
	}
}
