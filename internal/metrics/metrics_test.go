package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestWriteText(t *testing.T) {
	r := New()
	r.Counter("discern_http_requests_total", "HTTP requests.", "route=GET /healthz", "code=2xx").Add(3)
	h := r.Histogram("discern_http_request_duration_seconds", "Request latency.", "route=GET /healthz")
	h.Observe(2 * time.Millisecond)
	h.Observe(20 * time.Second)
	r.Gauge("discern_up", "Whether the server is up.", func() float64 { return 1 })
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# TYPE discern_http_requests_total counter",
		`discern_http_requests_total{route="GET /healthz",code="2xx"} 3`,
		`discern_http_request_duration_seconds_bucket{route="GET /healthz",le="0.001"} 0`,
		`discern_http_request_duration_seconds_bucket{route="GET /healthz",le="0.0025"} 1`,
		`discern_http_request_duration_seconds_bucket{route="GET /healthz",le="+Inf"} 2`,
		`discern_http_request_duration_seconds_count{route="GET /healthz"} 2`,
		"discern_up 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
