package httpserver

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
)

// bigDirectory is a generated directory of 100,000 services, built once.
var bigDirectory = sync.OnceValue(func() *directory.Live {
	return directory.NewStatic(directory.Generate(100_000, rand.New(rand.NewPCG(7, 8))))
})

// benchLatency runs the request made by next through the server in
// process and reports p50/p95/p99 latency per request.
func benchLatency(b *testing.B, next func(i int) string) {
	s := newTestServerDir(b, bigDirectory())
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	var lat []time.Duration
	i := 0
	for b.Loop() {
		r := httptest.NewRequest("GET", next(i), nil)
		i++
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: sess})
		start := time.Now()
		res := s.serve(r)
		lat = append(lat, time.Since(start))
		if res.status != http.StatusOK {
			b.Fatalf("status %d: %s", res.status, res)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkHSDSServices100k is GET /hsds/services over 100,000 services:
// pages of 50 at random, every fourth request with a taxonomy-term filter
// and every fourth with a full-text search (a full scan).
func BenchmarkHSDSServices100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	terms := []string{"term-shelter", "term-medical", "term-legal_immigration", "term-harm_reduction"}
	benchLatency(b, func(i int) string {
		page := 1 + rng.IntN(2000)
		switch i % 4 {
		case 1:
			return fmt.Sprintf("/hsds/services?taxonomy_term_id=%s&page=%d", terms[i%len(terms)], 1+rng.IntN(100))
		case 2:
			return "/hsds/services?search=shelter&per_page=50"
		}
		return fmt.Sprintf("/hsds/services?page=%d&per_page=50", page)
	})
}

// BenchmarkDirectoryMatches100k is GET /api/v1/directory/matches over
// 100,000 services with random needs, ages, languages and places.
func BenchmarkDirectoryMatches100k(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	needs := []string{"legal_immigration", "shelter", "medical", "mental_health", "harm_reduction", "labour_rights", "language"}
	benchLatency(b, func(int) string {
		q := fmt.Sprintf("/api/v1/directory/matches?needs=%s,%s&age=%d&languages=pl&lat=%.3f&lon=%.3f&max_km=50&attributes=free",
			needs[rng.IntN(len(needs))], needs[rng.IntN(len(needs))], 16+rng.IntN(50), 51.5+rng.Float64()-0.5, -0.12+rng.Float64()-0.5)
		return q
	})
}
