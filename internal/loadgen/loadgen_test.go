package loadgen

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunMeasuresAndSendsAtTheRate(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t0k" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	rep, err := Run(t.Context(), Config{BaseURL: srv.URL, Token: "t0k", Rate: 200, Duration: 500 * time.Millisecond,
		Request: func(i int) (string, string, []byte) { return "POST", "/x", []byte("{}") }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 100 || rep.Succeeded+rep.Failed+rep.Dropped != rep.Sent || rep.Failed != 10 || rep.Statuses[201] != 90 {
		t.Errorf("report %+v", rep)
	}
	if rep.P50 <= 0 || rep.P99 < rep.P50 || rep.Max < rep.P99 {
		t.Errorf("latencies %v %v %v", rep.P50, rep.P99, rep.Max)
	}
}

func TestOnlyLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"} {
		if err := CheckLoopback(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.5:80", "http://192.168.1.1", "https://example.org", "nonsense"} {
		if CheckLoopback(u) == nil {
			t.Errorf("%s accepted", u)
		}
	}
}
