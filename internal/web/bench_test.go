package web

import (
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// discardWriter is an http.ResponseWriter that throws the page away, so
// the benchmark measures rendering, not copying.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return io.Discard.Write(b) }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkRenderResult renders the result of a full interview (vignette
// D01, two jurisdictions) the way the server does, from the engine's
// result to the bytes of the page.
func BenchmarkRenderResult(b *testing.B) {
	r := mustRenderer(b)
	ev := mustVignette(b, "D01")
	ev.Jurisdictions = r.bundle.JurisdictionIDs()
	res := mustResult(b, ev)
	w := &discardWriter{h: http.Header{}}
	p := ResultPage{Page: Page{Lang: "en", User: staffUser, CurrentURL: "/screenings/s_1"}, ScreeningID: "s_1",
		CaseCode: "HX-4821", Status: discern.ScreeningComplete, CompletedAt: &fixedTime, Result: res}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Result(w, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderInterview renders one interview step.
func BenchmarkRenderInterview(b *testing.B) {
	r := mustRenderer(b)
	ev := mustVignette(b, "D01")
	w := &discardWriter{h: http.Header{}}
	p := InterviewPage{Page: Page{Lang: "en", User: staffUser}, ScreeningID: "s_1", Evidence: ev, Step: 2}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Interview(w, p); err != nil {
			b.Fatal(err)
		}
	}
}

var assetRE = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// TestInterviewPageWeight adds up what a browser fetches for the longest
// interview step (HTML, CSS and JavaScript, uncompressed): the budget is
// 150 KB, for a phone on a poor connection in a car park.
func TestInterviewPageWeight(t *testing.T) {
	r := mustRenderer(t)
	ev := mustVignette(t, "D01")
	longest, most := 0, 0
	for i, s := range r.bundle.Instrument("full").Sections {
		if len(s.Questions) > most {
			longest, most = i, len(s.Questions)
		}
	}
	for _, tc := range []struct {
		name       string
		instrument string
		step       int
	}{{"short form, work", "short", 2}, {"full form, longest step", "full", longest}} {
		ev.Instrument = tc.instrument
		_, body := renderPage(t, page{tc.name, func(w http.ResponseWriter) error {
			return r.Interview(w, InterviewPage{Page: Page{Lang: "en", User: staffUser}, ScreeningID: "s_1", Evidence: ev, Step: tc.step})
		}})
		total := len(body)
		parts := map[string]int{"html": len(body)}
		for _, m := range assetRE.FindAllStringSubmatch(body, -1) {
			a := assets().byURL[m[1]]
			if a == nil {
				t.Fatalf("%s: %s is not served", tc.name, m[1])
			}
			parts[m[1]] = len(a.data)
			total += len(a.data)
		}
		t.Logf("%s: %d bytes (%.1f KB) uncompressed: %v", tc.name, total, float64(total)/1024, parts)
		if total > 150*1024 {
			t.Errorf("%s weighs %d bytes, over the 150 KB budget", tc.name, total)
		}
	}
}
