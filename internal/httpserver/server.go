// Package httpserver is Discern's HTTP server: the JSON API under /api/v1
// (described by an OpenAPI 3.1 document made with Huma), health and
// readiness probes and Prometheus metrics, behind one chain of middleware
// for request IDs, access logs, panics, security headers, cross-origin
// protection, body limits, timeouts and authentication.
//
// routes.go lists every route with the policy action it is decided under;
// NewServer serves exactly that table. Errors of every kind are RFC 9457
// problems (Problem), made in one place from the error's kind.
package httpserver

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
	"github.com/discern-org/discern/internal/web"
)

// Deps are the server's dependencies. All but Sealer are required.
type Deps struct {
	DB       *sqldb.DB
	Accounts *accounts.Service
	// Casework serves the case endpoints: people, encounters, notes,
	// tasks and screenings.
	Casework *casework.Service
	Engine   *screening.Engine
	// Sealer encrypts people's fields; the case endpoints use it.
	Sealer  *seal.Sealer
	Metrics *metrics.Registry
	// Web renders the pages of the web interface; nil makes one from the
	// engine's content bundle.
	Web *web.Renderer
	// Logger receives the access log and internal errors, never personal
	// data.
	Logger *slog.Logger
	Now    func() time.Time
	// Rand is the source of request IDs.
	Rand    io.Reader
	Options Options

	// Directory is the service directory served at /hsds and matched
	// against at /api/v1/directory/matches and on the directory page;
	// nil serves an empty one.
	Directory *directory.Live
}

// Options tune the server; the zero value is the production default.
type Options struct {
	// MaxBodyBytes bounds request bodies (default 1 MiB): larger ones are
	// refused with 413.
	MaxBodyBytes int64
	// RequestTimeout bounds the time a request may take (default 30 s).
	RequestTimeout time.Duration
	// TrustedOrigins are origins (such as "https://discern.example.org")
	// allowed to make cross-origin requests; by default none.
	TrustedOrigins []string
	// ClientIPHeader names the header a trusted reverse proxy puts the
	// client's address in (such as "X-Forwarded-For", whose last entry is
	// used). Empty: the peer address. Set it only behind such a proxy, or
	// clients can choose the address sign-in throttling counts them by.
	ClientIPHeader string
	// IdempotencyTTL is how long an Idempotency-Key is remembered
	// (default 24 hours).
	IdempotencyTTL time.Duration
	// Version is the API version in the OpenAPI document.
	Version string
}

func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.IdempotencyTTL <= 0 {
		o.IdempotencyTTL = 24 * time.Hour
	}
	if o.Version == "" {
		o.Version = "1.0.0"
	}
	return o
}

// deps is Deps with defaults applied and the helpers built from them,
// handed to the maker functions in routes.go.
type deps struct {
	db       *sqldb.DB
	accounts *accounts.Service
	casework *casework.Service
	engine   *screening.Engine
	sealer   *seal.Sealer
	metrics  *metrics.Registry
	log      *slog.Logger
	now      func() time.Time
	idem     *Idempotency
	opts     Options
	openapi  func() ([]byte, error)
	web      *web.Renderer
	rand     io.Reader
	dir      *directory.Live
}

// NewServer returns the server's handler: every route of the route table,
// behind the middleware. It panics if a required dependency is missing or
// the route table is wrong (a route without a valid action, a pattern
// twice), which are programming errors that tests catch.
func NewServer(in Deps) http.Handler {
	h, _ := newServer(in)
	return h
}

// newServer also returns the route table, for tests.
func newServer(in Deps) (http.Handler, []Route) {
	if in.DB == nil || in.Accounts == nil || in.Casework == nil || in.Engine == nil || in.Metrics == nil || in.Now == nil || in.Rand == nil {
		panic("httpserver: Deps.DB, Accounts, Casework, Engine, Metrics, Now and Rand are required")
	}
	logger := in.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d := &deps{
		db: in.DB, accounts: in.Accounts, casework: in.Casework, engine: in.Engine, sealer: in.Sealer,
		metrics: in.Metrics, log: logger, now: in.Now, opts: in.Options.withDefaults(),
	}
	d.idem = NewIdempotency(in.DB, in.Now, d.opts.IdempotencyTTL)
	d.web, d.rand = in.Web, in.Rand
	d.dir = in.Directory
	if d.dir == nil {
		d.dir = directory.NewStatic(&directory.Directory{})
	}
	if d.web == nil {
		r, err := web.New(in.Engine.Bundle())
		if err != nil {
			panic("httpserver: the web interface: " + err.Error())
		}
		d.web = r
	}

	mux := http.NewServeMux()
	apiMux := http.NewServeMux()
	api := humago.New(apiMux, humaConfig(d.opts.Version))
	var doc []byte
	d.openapi = func() ([]byte, error) { return doc, nil }

	table := routes(d)
	seen := map[string]bool{}
	for _, rt := range table {
		if rt.Action != Public && !rt.Action.Valid() {
			panic(fmt.Sprintf("httpserver: route %s has no valid action (%q)", rt.Pattern(), rt.Action))
		}
		if seen[rt.Pattern()] {
			panic("httpserver: route " + rt.Pattern() + " is listed twice")
		}
		seen[rt.Pattern()] = true
		var h http.Handler
		switch {
		case rt.API != nil && rt.Handler == nil:
			op := huma.Operation{
				OperationID: rt.operationID(),
				Method:      rt.Method,
				Path:        rt.Path,
				Summary:     rt.Summary,
				Tags:        rt.Tags,
				// Huma refuses a body that fills its limit, so its limit is
				// one byte more than the largest body allowed.
				MaxBodyBytes: d.opts.MaxBodyBytes + 1,
			}
			if rt.Action != Public {
				op.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
				op.Description = "Policy action: " + string(rt.Action) + "."
			}
			rt.API(api, op)
			h = apiMux
		case rt.Handler != nil && rt.API == nil:
			h = rt.Handler
		default:
			panic("httpserver: route " + rt.Pattern() + " needs exactly one of API and Handler")
		}
		mux.Handle(rt.Pattern(), serveRoute(d, rt, h))
	}
	var err error
	if doc, err = json.MarshalIndent(api.OpenAPI(), "", "  "); err != nil {
		panic("httpserver: OpenAPI document: " + err.Error())
	}
	doc = append(doc, '\n')

	cop, err := crossOrigin(d.opts.TrustedOrigins)
	if err != nil {
		panic("httpserver: Options.TrustedOrigins: " + err.Error())
	}
	ids := &requestIDs{r: in.Rand}
	handler := chain(problemMux(d, mux),
		withState(ids, logger, d.opts.ClientIPHeader),
		observe(d.metrics, d.now),
		recoverPanics,
		securityHeaders,
		cop,
		limitBody(d.opts.MaxBodyBytes),
		withTimeout(d.opts.RequestTimeout),
	)
	return handler, table
}

// problemMux answers requests that match no route (404) or no method of a
// route (405) with a problem, as every other error; a browser asking for
// a page that is not there gets the error page instead.
func problemMux(d *deps, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// Let the mux decide between 404 and 405 (and set Allow), then
		// replace its plain-text body.
		rec := &headerRecorder{header: http.Header{}}
		mux.ServeHTTP(rec, r)
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		status := rec.status
		if status == 0 {
			status = http.StatusNotFound
		}
		if isPage(r.URL.Path) && strings.Contains(r.Header.Get("Accept"), "text/html") {
			uiStatus(d, w, r, status)
			return
		}
		detail := "There is nothing at this address."
		if status == http.StatusMethodNotAllowed {
			detail = "This address does not accept the " + r.Method + " method."
		}
		writeProblemValue(w, newProblem(r.Context(), status, "", detail))
	})
}

// headerRecorder keeps the status and headers the mux writes for an
// unmatched request and drops its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }

// humaConfig is Huma's configuration: OpenAPI 3.1, JSON only, and none of
// the extra endpoints. The documentation page would load scripts from a
// CDN, which the Content-Security-Policy forbids and a server holding this
// data must not depend on; the document itself is served by a route of
// our own, and the $schema links are left out of responses.
func humaConfig(version string) huma.Config {
	cfg := huma.DefaultConfig("Discern API", version)
	cfg.Info.Description = "The JSON API of Discern. Errors are RFC 9457 problem details (application/problem+json). " +
		"Authenticate with an API token (Authorization: Bearer dsc_…) or the session cookie set at sign-in. " +
		"Every operation names the policy action it is decided under."
	cfg.OpenAPIPath = ""
	cfg.DocsPath = ""
	cfg.SchemasPath = ""
	cfg.CreateHooks = nil
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer":  {Type: "http", Scheme: "bearer", Description: "An API token, created at POST /api/v1/tokens or with `discern token create`."},
		"session": {Type: "apiKey", In: "cookie", Name: auth.SessionCookieName, Description: "The session cookie set by POST /api/v1/sessions."},
	}
	return cfg
}

// NewHTTPServer returns an http.Server for h with timeouts that keep slow
// or idle clients from holding connections: 10 s to send the headers, a
// minute for the whole request and for the response, two minutes idle
// between requests on a kept-alive connection, and 64 KiB of headers.
func NewHTTPServer(addr string, h http.Handler, logger *slog.Logger) *http.Server {
	s := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if logger != nil {
		s.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}
	return s
}
