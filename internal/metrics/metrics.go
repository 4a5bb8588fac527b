// Package metrics keeps the server's operational counters and latency
// histograms and writes them in the Prometheus text exposition format.
//
// Labels are fixed, low-cardinality values chosen by code (a route pattern,
// a status class), never request data: nothing here can carry personal data.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds every metric the server exposes.
type Registry struct {
	mu         sync.Mutex
	counters   map[string]*Counter
	histograms map[string]*Histogram
	gauges     map[string]func() float64
	help       map[string]string
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{counters: map[string]*Counter{}, histograms: map[string]*Histogram{}, gauges: map[string]func() float64{}, help: map[string]string{}}
}

// Counter is a monotonically increasing count.
type Counter struct{ n atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.n.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.n.Add(n) }

// Value returns the count.
func (c *Counter) Value() uint64 { return c.n.Load() }

// Histogram counts observations into fixed buckets (seconds).
type Histogram struct {
	bounds []float64
	counts []atomic.Uint64 // one per bound, plus +Inf
	sumNS  atomic.Uint64
	total  atomic.Uint64
}

// DefaultBuckets are latency buckets from 1 ms to 10 s.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Observe records one duration.
func (h *Histogram) Observe(d time.Duration) {
	s := d.Seconds()
	i := sort.SearchFloat64s(h.bounds, s)
	h.counts[i].Add(1)
	h.sumNS.Add(uint64(max(d, 0)))
	h.total.Add(1)
}

// Counter returns the counter with the given name and labels, creating it.
// name must be a valid metric name; labels are "key=value" pairs.
func (r *Registry) Counter(name, help string, labels ...string) *Counter {
	key := seriesKey(name, labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.help[name] = help
	c, ok := r.counters[key]
	if !ok {
		c = &Counter{}
		r.counters[key] = c
	}
	return c
}

// Histogram returns the histogram with the given name and labels, creating it.
func (r *Registry) Histogram(name, help string, labels ...string) *Histogram {
	key := seriesKey(name, labels)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.help[name] = help
	h, ok := r.histograms[key]
	if !ok {
		h = &Histogram{bounds: DefaultBuckets, counts: make([]atomic.Uint64, len(DefaultBuckets)+1)}
		r.histograms[key] = h
	}
	return h
}

// Gauge registers a function read at every scrape.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.help[name] = help
	r.gauges[name] = fn
}

func seriesKey(name string, labels []string) string {
	if len(labels) == 0 {
		return name
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		k, v, _ := strings.Cut(l, "=")
		parts[i] = fmt.Sprintf("%s=%q", k, v)
	}
	return name + "{" + strings.Join(parts, ",") + "}"
}

// WriteText writes every metric in the Prometheus text format, sorted so
// that the output is stable.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	byName := map[string][]string{}
	for key := range r.counters {
		n, _, _ := strings.Cut(key, "{")
		byName[n] = append(byName[n], key)
	}
	for key := range r.histograms {
		n, _, _ := strings.Cut(key, "{")
		byName[n] = append(byName[n], key)
	}
	for n := range r.gauges {
		byName[n] = append(byName[n], n)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		keys := byName[n]
		sort.Strings(keys)
		typ := "counter"
		if _, ok := r.histograms[keys[0]]; ok {
			typ = "histogram"
		} else if _, ok := r.gauges[n]; ok {
			typ = "gauge"
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", n, r.help[n], n, typ)
		for _, key := range keys {
			switch typ {
			case "counter":
				fmt.Fprintf(&b, "%s %d\n", key, r.counters[key].Value())
			case "gauge":
				fmt.Fprintf(&b, "%s %s\n", key, formatFloat(r.gauges[n]()))
			case "histogram":
				h := r.histograms[key]
				_, labels, _ := strings.Cut(key, "{")
				labels = strings.TrimSuffix(labels, "}")
				sep := ""
				if labels != "" {
					sep = ","
				}
				var cum uint64
				for i, bound := range h.bounds {
					cum += h.counts[i].Load()
					fmt.Fprintf(&b, "%s_bucket{%s%sle=%q} %d\n", n, labels, sep, formatFloat(bound), cum)
				}
				cum += h.counts[len(h.bounds)].Load()
				fmt.Fprintf(&b, "%s_bucket{%s%sle=\"+Inf\"} %d\n", n, labels, sep, cum)
				suffix := ""
				if labels != "" {
					suffix = "{" + labels + "}"
				}
				fmt.Fprintf(&b, "%s_sum%s %s\n%s_count%s %d\n", n, suffix, formatFloat(float64(h.sumNS.Load())/1e9), n, suffix, h.total.Load())
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return fmt.Sprintf("%g", f)
}
