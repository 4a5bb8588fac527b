package httpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
)

// BenchmarkAssess is POST /api/v1/assess in process: the middleware, a
// session lookup, the policy, decoding and the engine.
func BenchmarkAssess(b *testing.B) {
	s := newTestServer(b)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleScreener, "")
	sess, _ := s.signIn("ana@example.org", "")
	body, _ := json.Marshal(exampleAnswers)
	for b.Loop() {
		r := httptest.NewRequest("POST", "/api/v1/assess", bytes.NewReader(body))
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: sess})
		if res := s.serve(r); res.status != http.StatusOK {
			b.Fatalf("status %d", res.status)
		}
	}
}

// BenchmarkMe is GET /api/v1/me: the cost of an authenticated request
// with little work behind it.
func BenchmarkMe(b *testing.B) {
	s := newTestServer(b)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleScreener, "")
	sess, _ := s.signIn("ana@example.org", "")
	for b.Loop() {
		r := httptest.NewRequest("GET", "/api/v1/me", nil)
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: sess})
		if res := s.serve(r); res.status != http.StatusOK {
			b.Fatalf("status %d", res.status)
		}
	}
}
