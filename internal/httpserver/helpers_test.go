package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/demo"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// password is a password the policy accepts; every seeded user has it.
const password = "lantern quietly orchard mosaic"

// clock is a settable clock shared by the store, the services and the
// server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type lockedRand struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
}

func (l *lockedRand) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	engineOnce sync.Once
	engine     *screening.Engine
)

func testEngine() *screening.Engine {
	engineOnce.Do(func() { engine = screening.New(content.MustLoadEmbedded()) })
	return engine
}

var (
	dirOnce sync.Once
	testDir *directory.Directory
	dirErr  error
)

// hsdsExamples are the HSDS 3.0 examples (Open Referral) the test
// directory holds, beside the fictional demo directory.
var hsdsExamples = []string{"service_full.json", "organization_full.json", "service_at_location_full.json",
	"location.json", "taxonomy.json", "taxonomy_term.json"}

// testDirectory is the directory of every test server: the HSDS examples
// imported file by file, and the demo directory (whose located services
// in one fictional city give proximity something to order).
func testDirectory(t testing.TB) *directory.Live {
	t.Helper()
	dirOnce.Do(func() {
		d, err := directory.ImportJSON(bytes.NewReader(demo.DirectoryJSON()), "demo")
		if err != nil {
			dirErr = err
			return
		}
		for _, f := range hsdsExamples {
			b, err := os.ReadFile(filepath.Join("..", "directory", "testdata", "hsds-examples", f))
			if err != nil {
				dirErr = err
				return
			}
			x, err := directory.ImportJSON(bytes.NewReader(b), f)
			if err != nil {
				dirErr = err
				return
			}
			d.Services = append(d.Services, x.Services...)
			d.Organizations = append(d.Organizations, x.Organizations...)
			d.ServiceAtLocations = append(d.ServiceAtLocations, x.ServiceAtLocations...)
			d.Locations = append(d.Locations, x.Locations...)
			d.Taxonomies = append(d.Taxonomies, x.Taxonomies...)
			d.TaxonomyTerms = append(d.TaxonomyTerms, x.TaxonomyTerms...)
		}
		// A legal-aid organization outside Discern, which the
		// authorization matrix's consents and referrals name.
		d.Organizations = append(d.Organizations, directory.Organization{ID: "dir-org-matrix", Name: "Matrix Partner (fictional)"})
		testDir = d
	})
	if dirErr != nil {
		t.Fatal(dirErr)
	}
	return directory.NewStatic(testDir)
}

// testServer is the real server over real SQLite in a temp dir.
type testServer struct {
	t       testing.TB
	srv     *httptest.Server
	db      *sqldb.DB
	svc     *accounts.Service
	cw      *casework.Service
	log     *audit.Log
	clock   *clock
	metrics *metrics.Registry
	logs    *syncBuffer
	table   []Route
	handler http.Handler
}

func newTestServer(t testing.TB, opts ...func(*Options)) *testServer {
	t.Helper()
	return newTestServerDir(t, testDirectory(t), opts...)
}

// newTestServerDir is newTestServer serving the directory dir.
func newTestServerDir(t testing.TB, dir *directory.Live, opts ...func(*Options)) *testServer {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	lr := &lockedRand{r: mrand.NewChaCha8([32]byte{42})}
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), sqldb.DBFile), sqldb.Options{Now: c.Now, Rand: lr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kr, err := seal.NewKeyring(lr)
	if err != nil {
		t.Fatal(err)
	}
	alog, err := audit.New(kr.AuditKey())
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewHasher(auth.TestParams, 4, lr)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sealer := seal.NewSealer(kr, sqldb.SealVault(db), lr, seal.NewKeyCache(4096, time.Minute, c.Now)) // as in production
	svc, err := accounts.New(accounts.Config{DB: db, Audit: alog, Hasher: hasher, Sealer: sealer, Now: c.Now, Rand: lr, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	var o Options
	for _, f := range opts {
		f(&o)
	}
	reg := metrics.New()
	cw := casework.New(db, sealer, testEngine(), alog, c.Now, lr)
	cw.SetRecipients(casework.DirectoryRecipients(func() *directory.Catalog { return dir.Current().Catalog }))
	h, table := newServer(Deps{
		DB: db, Accounts: svc, Casework: cw, Engine: testEngine(), Sealer: sealer, Metrics: reg,
		Logger: logger, Now: c.Now, Rand: lr, Options: o, Directory: dir,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testServer{t: t, srv: srv, db: db, svc: svc, cw: cw, log: alog, clock: c, metrics: reg, logs: logs, table: table, handler: h}
}

// response is a response read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// String is the body, cut short for failure messages.
func (r *response) String() string {
	if len(r.body) > 600 {
		return string(r.body[:600]) + "…"
	}
	return string(r.body)
}

// problem decodes a problem response, failing the test if it is not one.
func (r *response) problem(t testing.TB) Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d, Content-Type %q, want application/problem+json; body %s", r.status, ct, r.body)
	}
	var p Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body: %v: %s", err, r.body)
	}
	if p.Status != r.status || p.Title == "" || p.Detail == "" || p.Type != "about:blank" {
		t.Fatalf("malformed problem for status %d: %s", r.status, r.body)
	}
	return p
}

// decode decodes a JSON body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// cookie returns the session cookie the response sets ("" if none).
func (r *response) cookie() *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == auth.SessionCookieName {
			return c
		}
	}
	return nil
}

// req is one request to send.
type req struct {
	method, path string
	body         any    // encoded as JSON unless raw is set
	raw          []byte // sent as it is
	session      string // the session cookie's value
	token        string // a bearer token
	header       map[string]string
}

func isForm(body any) bool { _, ok := body.(url.Values); return ok }

func (s *testServer) do(r req) *response {
	s.t.Helper()
	var body io.Reader
	switch {
	case r.raw != nil:
		body = bytes.NewReader(r.raw)
	case r.body != nil && isForm(r.body):
		body = strings.NewReader(r.body.(url.Values).Encode())
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			s.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	hr, err := http.NewRequest(r.method, s.srv.URL+r.path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	switch {
	case body != nil && isForm(r.body):
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case body != nil:
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.session != "" {
		hr.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: r.session})
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	// Redirects are answers to check (a page that is not signed in goes
	// to sign in), not to follow.
	client := *s.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(hr)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: b}
}

// expect fails the test unless the response has status want.
func expect(t testing.TB, r *response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r)
	}
}

// org creates an organization.
func (s *testServer) org(name string) *discern.Organization {
	s.t.Helper()
	o := &discern.Organization{Name: name, Country: "GB"}
	if err := s.svc.Operator().CreateOrganization(context.Background(), "seed", o); err != nil {
		s.t.Fatal(err)
	}
	return o
}

// user creates a user with the test password.
func (s *testServer) user(orgID, email string, role discern.Role, teamID string) *discern.User {
	s.t.Helper()
	u, err := s.svc.Operator().CreateUser(context.Background(), "seed", orgID, accounts.NewUser{
		Email: email, DisplayName: "Seeded " + string(role), Role: role, TeamID: teamID, Password: password,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// signIn signs in over HTTP and returns the session cookie's value and
// the response body.
func (s *testServer) signIn(email, code string) (string, signInBody) {
	s.t.Helper()
	body := map[string]string{"email": email, "password": password}
	if code != "" {
		body["code"] = code
	}
	r := s.do(req{method: "POST", path: "/api/v1/sessions", body: body})
	expect(s.t, r, http.StatusCreated)
	c := r.cookie()
	if c == nil || c.Value == "" {
		s.t.Fatalf("sign-in set no session cookie: %v", r.header)
	}
	var b signInBody
	r.decode(s.t, &b)
	return c.Value, b
}

// enrollTOTP sets up a second factor over HTTP for the session and returns
// the secret and the new session.
func (s *testServer) enrollTOTP(session string) (secret, verified string) {
	s.t.Helper()
	r := s.do(req{method: "POST", path: "/api/v1/account/mfa/totp", session: session})
	expect(s.t, r, http.StatusOK)
	var en struct {
		Secret          string `json:"secret"`
		EnrollmentToken string `json:"enrollment_token"`
	}
	r.decode(s.t, &en)
	r = s.do(req{method: "POST", path: "/api/v1/account/mfa/totp/confirm", session: session,
		body: map[string]string{"enrollment_token": en.EnrollmentToken, "code": s.code(en.Secret)}})
	expect(s.t, r, http.StatusOK)
	s.clock.Advance(31 * time.Second) // past the step used
	return en.Secret, r.cookie().Value
}

func (s *testServer) code(secret string) string {
	s.t.Helper()
	c, err := totp.GenerateCode(secret, s.clock.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// admin seeds an administrator with a second factor and returns their
// verified session and TOTP secret.
func (s *testServer) admin(orgID, email string) (session, secret string) {
	s.t.Helper()
	s.user(orgID, email, discern.RoleAdministrator, "")
	first, _ := s.signIn(email, "")
	secret, session = s.enrollTOTP(first)
	return session, secret
}

// contains reports whether any of the needles occurs in hay.
func containsAny(hay string, needles ...string) (string, bool) {
	for _, n := range needles {
		if n != "" && strings.Contains(hay, n) {
			return n, true
		}
	}
	return "", false
}

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustRequest(t testing.TB, method, path string) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, path, nil)
}

// serve runs a request through the handler in process, without a
// connection: quicker, for fuzzing.
func (s *testServer) serve(r *http.Request) *response {
	rec := httptest.NewRecorder()
	r.RemoteAddr = "192.0.2.1:1234"
	s.handler.ServeHTTP(rec, r)
	return &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}
