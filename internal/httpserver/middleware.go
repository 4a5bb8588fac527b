package httpserver

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/web"
)

// state is what the middleware learns about one request, shared down the
// chain through the context and read back by the access log.
type state struct {
	id    string
	route string // the route pattern, once the mux has matched one
	log   *slog.Logger
	addr  netip.Addr
	// principal is set for authenticated routes.
	principal *auth.Principal
	// sessionToken is the session cookie's value as presented (not
	// checked), for sign-in rotation, sign-out and the second factor.
	sessionToken string
	// viaSession marks a principal authenticated by the session cookie.
	viaSession bool
}

type stateKey struct{}

// stateOf returns the request's state; a request that did not pass
// through the middleware (a test calling a handler directly) gets an empty
// one.
func stateOf(ctx context.Context) *state {
	if st, ok := ctx.Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{}
}

// requestIDs makes request IDs: 16 random hex digits. A client's
// X-Request-ID is not trusted: IDs end up in logs and audit entries.
type requestIDs struct {
	mu sync.Mutex
	r  io.Reader
}

func (g *requestIDs) next() string {
	var b [8]byte
	g.mu.Lock()
	_, err := io.ReadFull(g.r, b[:])
	g.mu.Unlock()
	if err != nil {
		return "unavailable"
	}
	return hex.EncodeToString(b[:])
}

// withState starts the request's state: its ID (sent back in X-Request-ID)
// and the client's address.
func withState(ids *requestIDs, logger *slog.Logger, clientIPHeader string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			st := &state{id: ids.next(), log: logger, addr: clientAddr(r, clientIPHeader)}
			w.Header().Set("X-Request-ID", st.id)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
		})
	}
}

// clientAddr is the address sign-in throttling counts by: the peer's,
// or, behind a proxy that sets it, the header named by
// Options.ClientIPHeader.
func clientAddr(r *http.Request, header string) netip.Addr {
	if header != "" {
		v := r.Header.Get(header)
		if i := strings.LastIndexByte(v, ','); i >= 0 {
			v = v[i+1:]
		}
		if a, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
			return a.Unmap()
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// recorder remembers the status written, for the access log and metrics.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (rw *recorder) WriteHeader(code int) {
	if !rw.wrote {
		rw.status, rw.wrote = code, true
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wrote {
		rw.status, rw.wrote = http.StatusOK, true
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// observe writes the access log line and the request metrics: method,
// route pattern, status and duration, and the request ID. Never the path
// (it holds record IDs), the query string, headers or bodies.
func observe(reg *metrics.Registry, now func() time.Time) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := now()
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			d := now().Sub(start)
			st := stateOf(r.Context())
			route := st.route
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if !rec.wrote {
				status = http.StatusOK
			}
			code := strconv.Itoa(status)
			reg.Counter("discern_http_requests_total", "HTTP requests by route pattern and status.", "route="+route, "code="+code).Inc()
			reg.Histogram("discern_http_request_duration_seconds", "HTTP request duration by route pattern.", "route="+route).Observe(d)
			st.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status),
				slog.Duration("duration", d), slog.String("request_id", st.id))
		})
	}
}

// recoverPanics turns a panic into a 500 problem and logs it without the
// panic value, which may hold request data; the route and request ID are
// enough to find it.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, _ := w.(*recorder)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			st := stateOf(r.Context())
			st.log.ErrorContext(r.Context(), "panic serving a request", "route", st.route, "request_id", st.id)
			if rec != nil && rec.wrote {
				return // too late for a problem; the client sees a cut-off response
			}
			writeProblem(w, r, &discern.Error{Kind: discern.KindInternal, Err: errors.New("panic")})
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries. The
// Content-Security-Policy allows scripts, styles and everything else only
// from our own origin, no inline script, and no framing; responses are
// never cached, since they may hold personal data.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// ContentSecurityPolicy is sent with every response: the policy the
// pages are written for (web.CSP), so that one header holds for pages and
// API alike and nothing inline or from elsewhere ever runs.
const ContentSecurityPolicy = web.CSP

// limitBody refuses bodies over max bytes: at once when Content-Length says
// so, and otherwise when reading passes the limit. Huma operations have the
// same limit of their own (they stop reading at max+1 bytes and answer 413
// themselves); the reader here lets those max+1 bytes through, so that
// Huma sees its limit reached rather than a read error.
func limitBody(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				writeProblemValue(w, newProblem(r.Context(), http.StatusRequestEntityTooLarge, "body", "The request body is too large."))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, max+1)
			next.ServeHTTP(w, r)
		})
	}
}

// withTimeout bounds the time a handler may take; the store and the
// services honour the context.
func withTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// crossOrigin refuses cross-origin state-changing browser requests
// (net/http's CrossOriginProtection) with a problem response.
func crossOrigin(trusted []string) (func(http.Handler) http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range trusted {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblemValue(w, newProblem(r.Context(), http.StatusForbidden, "", "Cross-origin requests are not allowed."))
	}))
	return cop.Handler, nil
}

// chain applies middleware so that the first listed is the outermost.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// authenticate resolves the request's credentials: a bearer API token in
// Authorization, or else the session cookie. A request that presents a
// bearer token is judged by it alone.
func authenticate(ctx context.Context, d *deps, r *http.Request) (auth.Principal, error) {
	st := stateOf(ctx)
	if h := r.Header.Get("Authorization"); h != "" {
		token, err := bearerToken(h)
		if err != nil {
			return auth.Principal{}, err
		}
		p, _, err := d.accounts.AuthenticateAPIToken(ctx, token)
		return p, err
	}
	if st.sessionToken == "" {
		return auth.Principal{}, discern.Errorf(discern.KindUnauthorized, "Please sign in, or send an API token.")
	}
	p, _, err := d.accounts.AuthenticateSession(ctx, st.sessionToken)
	if err == nil {
		st.viaSession = true
	}
	return p, err
}

// bearerToken reads "Bearer <token>" (the scheme in any case, RFC 9110).
func bearerToken(h string) (string, error) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > 256 || strings.ContainsAny(token, " \t") {
		return "", discern.Errorf(discern.KindUnauthorized, "Send the API token as \"Authorization: Bearer <token>\".")
	}
	return token, nil
}

// sessionCookie returns the session cookie's value, if there is exactly
// one well-sized cookie of that name.
func sessionCookie(r *http.Request) string {
	cs := r.CookiesNamed(auth.SessionCookieName)
	if len(cs) != 1 || len(cs[0].Value) > 128 {
		return ""
	}
	return cs[0].Value
}
