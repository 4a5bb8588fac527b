// Package loadgen sends HTTP requests at a fixed rate and measures their
// latency: an open-loop load generator, so that a slow server shows up as
// latency and a shortfall in the achieved rate rather than as fewer
// requests sent (coordinated omission).
//
// It refuses any target that is not on this machine's loopback: load tests
// are run against a server of our own, never against anyone else's.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Request builds the i-th request's method, path and body.
type Request func(i int) (method, path string, body []byte)

// Config describes a run.
type Config struct {
	BaseURL  string        // http://127.0.0.1:PORT
	Token    string        // sent as a bearer token
	Rate     int           // requests per second
	Duration time.Duration // how long to send for
	// MaxInFlight bounds concurrent requests (default 2 × Rate / 10, at least 64).
	MaxInFlight int
	Request     Request
	// Progress, if set, is called about once a second.
	Progress func(sent, done int)
}

// Report is what a run measured.
type Report struct {
	Sent, Succeeded, Failed int
	// Dropped counts requests that could not start because MaxInFlight
	// requests were already outstanding: the server fell behind.
	Dropped            int
	Elapsed            time.Duration
	Achieved           float64 // successful requests per second
	P50, P95, P99, Max time.Duration
	Statuses           map[int]int
}

func (r Report) String() string {
	return fmt.Sprintf("sent %d, ok %d, failed %d, dropped %d in %v (%.0f ok/s); latency p50 %v, p95 %v, p99 %v, max %v",
		r.Sent, r.Succeeded, r.Failed, r.Dropped, r.Elapsed.Round(time.Millisecond), r.Achieved,
		r.P50.Round(10*time.Microsecond), r.P95.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond))
}

// CheckLoopback returns an error unless the URL's host is a loopback address.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("loadgen: %q is not a URL", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("loadgen: %s is not a loopback address; load is only ever sent to a server on this machine", host)
	}
	return nil
}

// Run sends the load and reports. It stops early, reporting what it
// measured, when ctx ends.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return Report{}, err
	}
	if cfg.Rate <= 0 || cfg.Duration <= 0 || cfg.Request == nil {
		return Report{}, fmt.Errorf("loadgen: rate, duration and request are required")
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = max(64, cfg.Rate/5)
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.MaxInFlight, MaxConnsPerHost: cfg.MaxInFlight}}
	defer client.CloseIdleConnections()

	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, int(float64(cfg.Rate)*cfg.Duration.Seconds())+1)
		rep       = Report{Statuses: map[int]int{}}
		wg        sync.WaitGroup
		slots     = make(chan struct{}, cfg.MaxInFlight)
	)
	interval := time.Second / time.Duration(cfg.Rate)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	lastProgress := start
	for i := 0; ; i++ {
		// Open loop: request i is due at start + i×interval, whether or not
		// earlier requests have finished.
		due := start.Add(time.Duration(i) * interval)
		if !due.Before(deadline) || ctx.Err() != nil {
			break
		}
		if d := time.Until(due); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		rep.Sent++
		select {
		case slots <- struct{}{}:
		default:
			rep.Dropped++
			continue
		}
		method, path, body := cfg.Request(i)
		wg.Go(func() {
			defer func() { <-slots }()
			req, err := http.NewRequestWithContext(ctx, method, cfg.BaseURL+path, bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			if cfg.Token != "" {
				req.Header.Set("Authorization", "Bearer "+cfg.Token)
			}
			resp, err := client.Do(req)
			var status int
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			// Latency counts from when the request was due, not from when
			// it started: a late start is the server's delay too.
			lat := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			rep.Statuses[status]++
			if err == nil && status < 400 {
				rep.Succeeded++
				latencies = append(latencies, lat)
			} else {
				rep.Failed++
			}
		})
		if cfg.Progress != nil && time.Since(lastProgress) > time.Second {
			lastProgress = time.Now()
			mu.Lock()
			done := rep.Succeeded + rep.Failed
			mu.Unlock()
			cfg.Progress(rep.Sent, done)
		}
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		q := func(p float64) time.Duration { return latencies[min(n-1, int(p*float64(n)))] }
		rep.P50, rep.P95, rep.P99, rep.Max = q(0.50), q(0.95), q(0.99), latencies[n-1]
	}
	rep.Achieved = float64(rep.Succeeded) / rep.Elapsed.Seconds()
	return rep, ctx.Err()
}
