package accounts_test

import (
	"context"
	"github.com/discern-org/discern/internal/sqldb/sqldbtest"
	mrand "math/rand/v2"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
	"github.com/pquerna/otp/totp"
)

// clock is a settable clock shared by the store and the service.
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

// env is a service on a fresh SQLite database.
type env struct {
	db    *sqldb.DB
	svc   *accounts.Service
	log   *audit.Log
	clock *clock
	addr  netip.Addr
}

// password is a password the policy accepts.
const password = "lantern quietly orchard mosaic"

// newEnv is a service on SQLite in a temp dir.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, filepath.Join(t.TempDir(), sqldb.DBFile), "")
}

// newPGEnv is a service on a schema of its own on the test PostgreSQL, or
// skips the test when DISCERN_TEST_POSTGRES is not set.
func newPGEnv(t testing.TB) *env {
	t.Helper()
	dsn, keySchema := sqldbtest.Schema(t)
	return newEnvOn(t, dsn, keySchema)
}

// engines runs a test on SQLite and, when a DSN is set, on PostgreSQL.
func engines(t *testing.T, test func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { test(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, newPGEnv(t)) })
}

func newEnvOn(t testing.TB, dsn, keySchema string) *env {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	rnd := mrand.NewChaCha8([32]byte{7})
	lr := &lockedRand{r: rnd}
	db, err := sqldb.Open(ctx, dsn, sqldb.Options{Now: c.Now, Rand: lr, KeySchema: keySchema})
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
	log, err := audit.New(kr.AuditKey())
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewHasher(auth.TestParams, 4, lr)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := accounts.New(accounts.Config{
		DB: db, Audit: log, Hasher: hasher,
		Sealer: seal.NewSealer(kr, sqldb.SealVault(db), lr, nil),
		Now:    c.Now, Rand: lr,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, svc: svc, log: log, clock: c, addr: netip.MustParseAddr("192.0.2.10")}
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

func (e *env) org(t testing.TB, name string) *discern.Organization {
	t.Helper()
	o := &discern.Organization{Name: name, Country: "GB"}
	if err := e.svc.Operator().CreateOrganization(context.Background(), "req-test", o); err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *env) user(t testing.TB, orgID, email string, role discern.Role) *discern.User {
	t.Helper()
	u, err := e.svc.Operator().CreateUser(context.Background(), "req-test", orgID, accounts.NewUser{
		Email: email, DisplayName: "Test " + string(role), Role: role, Password: password,
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signIn signs in and fails the test on error.
func (e *env) signIn(t testing.TB, email, code string) *accounts.SignInResult {
	t.Helper()
	res, err := e.svc.SignIn(context.Background(), accounts.SignInRequest{Email: email, Password: password, Code: code, Addr: e.addr, RequestID: "req-test"})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	return res
}

// principal resolves a session token.
func (e *env) principal(t testing.TB, token string) auth.Principal {
	t.Helper()
	p, _, err := e.svc.AuthenticateSession(context.Background(), token)
	if err != nil {
		t.Fatalf("authenticate session: %v", err)
	}
	return p
}

// enroll sets up TOTP for the user signed in with token and returns the
// secret and the new (verified) session token.
func (e *env) enroll(t testing.TB, token string) (secret, verified string) {
	t.Helper()
	ctx := context.Background()
	p := e.principal(t, token)
	en, err := e.svc.BeginTOTP(ctx, "req-test", p)
	if err != nil {
		t.Fatal(err)
	}
	code := e.code(t, en.Secret)
	res, err := e.svc.ConfirmTOTP(ctx, "req-test", p, token, en.Token, code, e.addr)
	if err != nil {
		t.Fatal(err)
	}
	// Move past the step used, so the next code is fresh.
	e.clock.Advance(31 * time.Second)
	return en.Secret, res.Token
}

func (e *env) code(t testing.TB, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kind fails the test unless err has kind want.
func kind(t testing.TB, err error, want discern.ErrorKind) {
	t.Helper()
	if got := discern.KindOf(err); got != want {
		t.Fatalf("error kind = %q (%v), want %q", got, err, want)
	}
}
