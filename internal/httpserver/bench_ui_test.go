package httpserver

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/web"
)

// BenchmarkResultPage is GET /screenings/{id} for a completed screening
// of dev vignette D14 (two jurisdictions, the full form) through the real
// handler: the middleware, the session, the policy, opening the sealed
// answers, re-evaluating them, and rendering. It reports the median
// time of one page as ms/median as well as the mean.
func BenchmarkResultPage(b *testing.B) {
	s := newTestServer(b)
	o := s.org("Harbour Outreach")
	u := s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	path := filepath.Join("..", "screening", "testdata", "vignettes", "D14.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	ev, err := screening.ParseAnswers(testEngine().Bundle(), path, data)
	if err != nil {
		b.Fatal(err)
	}
	a := casework.Actor{Principal: principalFor(u, true), RequestID: "bench"}
	pv, err := s.cw.CreatePerson(context.Background(), a, casework.PersonInput{AssignedTo: u.ID})
	if err != nil {
		b.Fatal(err)
	}
	sv, err := s.cw.CreateScreening(context.Background(), a, casework.ScreeningInput{PersonID: pv.ID, Evidence: ev, Complete: true})
	if err != nil {
		b.Fatal(err)
	}
	url := web.URL(web.PathScreening, sv.ID)
	var times []time.Duration
	for b.Loop() {
		r := httptest.NewRequest("GET", url, nil)
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: sess})
		start := time.Now()
		res := s.serve(r)
		times = append(times, time.Since(start))
		if res.status != http.StatusOK {
			b.Fatalf("status %d", res.status)
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/median")
}
