package accounts_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

func TestSignInWithoutSecondFactor(t *testing.T) {
	e := newEnv(t)
	o := e.org(t, "Harbour Outreach")
	u := e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)

	res := e.signIn(t, "  ANA@example.org ", "")
	if res.MFARequired || res.MFAEnrollmentRequired {
		t.Fatalf("caseworker without a second factor: MFARequired=%v MFAEnrollmentRequired=%v", res.MFARequired, res.MFAEnrollmentRequired)
	}
	p := e.principal(t, res.Token)
	if p.UserID != u.ID || p.OrgID != o.ID || p.Role != discern.RoleCaseworker || !p.MFAVerified || p.ViaToken {
		t.Fatalf("principal = %+v", p)
	}
}

func TestSignInFailuresLookAlike(t *testing.T) {
	e := newEnv(t)
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	disabled := e.user(t, o.ID, "ben@example.org", discern.RoleCaseworker)
	if err := e.svc.Operator().SetDisabled(context.Background(), "r", o.ID, disabled.ID, true); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, email, password string }{
		{"wrong password", "ana@example.org", "not the password at all"},
		{"unknown email", "nobody@example.org", password},
		{"disabled account", "ben@example.org", password},
	}
	var messages []string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SignIn(context.Background(), accounts.SignInRequest{Email: tc.email, Password: tc.password, Addr: e.addr})
			kind(t, err, discern.KindUnauthorized)
			messages = append(messages, discern.MessageOf(err))
		})
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Fatalf("failure messages differ: %q", messages)
		}
	}
}

func TestSignInBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name      string
		req       accounts.SignInRequest
		wantField string
	}{
		{"no email", accounts.SignInRequest{Password: password}, "email"},
		{"no password", accounts.SignInRequest{Email: "a@example.org"}, "password"},
		{"long email", accounts.SignInRequest{Email: strings.Repeat("a", 300) + "@example.org", Password: password}, "email"},
		{"long password", accounts.SignInRequest{Email: "a@example.org", Password: strings.Repeat("p", auth.MaxPasswordBytes+1)}, "password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SignIn(context.Background(), tc.req)
			kind(t, err, discern.KindInvalid)
			if f := err.(*discern.Error).Field; f != tc.wantField {
				t.Fatalf("field = %q, want %q", f, tc.wantField)
			}
		})
	}
}

func TestLockout(t *testing.T) { engines(t, testLockout) }

func testLockout(t *testing.T, e *env) {
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	ctx := context.Background()
	wrong := accounts.SignInRequest{Email: "ana@example.org", Password: "not the password at all", Addr: e.addr}
	// auth.DefaultThrottle: ten consecutive failures lock the account for
	// 15 minutes; the delays before that are waited out on the clock.
	for i := range auth.DefaultThrottle.Account.LockAfter {
		_, err := e.svc.SignIn(ctx, wrong)
		kind(t, err, discern.KindUnauthorized)
		_ = i
		e.clock.Advance(time.Minute)
	}
	_, err := e.svc.SignIn(ctx, accounts.SignInRequest{Email: "ana@example.org", Password: password, Addr: e.addr})
	kind(t, err, discern.KindRateLimited)
	if !strings.Contains(discern.MessageOf(err), "minutes") {
		t.Fatalf("message %q does not say when to try again", discern.MessageOf(err))
	}
	e.clock.Advance(16 * time.Minute)
	e.signIn(t, "ana@example.org", "")
}

func TestAdministratorSecondFactor(t *testing.T) { engines(t, testAdministratorSecondFactor) }

func testAdministratorSecondFactor(t *testing.T, e *env) {
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "root@example.org", discern.RoleAdministrator)

	first := e.signIn(t, "root@example.org", "")
	if !first.MFAEnrollmentRequired || first.Session.MFAVerified {
		t.Fatalf("first sign-in of an administrator: %+v", first)
	}
	half := e.principal(t, first.Token)
	if _, _, err := e.svc.FindUsers(ctx, "r", half, discern.UserFilter{}); discern.KindOf(err) != discern.KindForbidden {
		t.Fatalf("half-signed-in administrator listing users: %v, want forbidden", err)
	}
	secret, verified := e.enroll(t, first.Token)
	if _, _, err := e.svc.AuthenticateSession(ctx, first.Token); discern.KindOf(err) != discern.KindUnauthorized {
		t.Fatalf("the session before enrolment still works: %v", err)
	}
	full := e.principal(t, verified)
	if !full.MFAEnrolled || !full.MFAVerified {
		t.Fatalf("after enrolment: %+v", full)
	}
	if _, _, err := e.svc.FindUsers(ctx, "r", full, discern.UserFilter{}); err != nil {
		t.Fatal(err)
	}

	t.Run("password and code together", func(t *testing.T) {
		res := e.signIn(t, "root@example.org", e.code(t, secret))
		if res.MFARequired || !res.Session.MFAVerified {
			t.Fatalf("%+v", res)
		}
		// The same code again is a replay.
		_, err := e.svc.SignIn(ctx, accounts.SignInRequest{Email: "root@example.org", Password: password, Code: e.code(t, secret), Addr: e.addr})
		kind(t, err, discern.KindUnauthorized)
		e.clock.Advance(31 * time.Second)
	})
	t.Run("code afterwards", func(t *testing.T) {
		res := e.signIn(t, "root@example.org", "")
		if !res.MFARequired || res.Session.MFAVerified {
			t.Fatalf("%+v", res)
		}
		_, err := e.svc.VerifyMFA(ctx, "r", res.Token, "000000", e.addr)
		if err == nil {
			// One in a million: the wrong code was right.
			t.Skip("000000 happened to be the code")
		}
		kind(t, err, discern.KindUnauthorized)
		done, err := e.svc.VerifyMFA(ctx, "r", res.Token, e.code(t, secret), e.addr)
		if err != nil {
			t.Fatal(err)
		}
		if done.Token == res.Token {
			t.Fatal("the session was not rotated")
		}
		if p := e.principal(t, done.Token); !p.MFAVerified {
			t.Fatalf("%+v", p)
		}
		e.clock.Advance(31 * time.Second)
	})
	t.Run("sealed secret", func(t *testing.T) {
		u, err := e.db.FindUserByEmail(ctx, "root@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if len(u.MFASecret) == 0 || bytes.Contains(u.MFASecret, []byte(secret)) {
			t.Fatal("the TOTP secret is not sealed")
		}
	})
}

func TestEnrollmentTokenChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	e.user(t, o.ID, "ben@example.org", discern.RoleCaseworker)
	ana := e.signIn(t, "ana@example.org", "")
	ben := e.signIn(t, "ben@example.org", "")
	pa, pb := e.principal(t, ana.Token), e.principal(t, ben.Token)
	en, err := e.svc.BeginTOTP(ctx, "r", pa)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		p     auth.Principal
		sess  string
		token string
		wait  time.Duration
	}{
		{"garbage", pa, ana.Token, "not-a-token", 0},
		{"too long", pa, ana.Token, strings.Repeat("A", 600), 0},
		{"someone else's", pb, ben.Token, en.Token, 0},
		{"tampered", pa, ana.Token, en.Token[:len(en.Token)-2] + "AA", 0},
		{"expired", pa, ana.Token, en.Token, 16 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.clock.Advance(tc.wait)
			_, err := e.svc.ConfirmTOTP(ctx, "r", tc.p, tc.sess, tc.token, e.code(t, en.Secret), e.addr)
			kind(t, err, discern.KindInvalid)
		})
	}
}

func TestSessionTimeouts(t *testing.T) {
	cfg := auth.DefaultSessionConfig
	cases := []struct {
		name  string
		steps []time.Duration // activity after each step
		valid bool
	}{
		{"fresh", nil, true},
		{"just under idle", []time.Duration{cfg.IdleTimeout - time.Second}, true},
		{"idle", []time.Duration{cfg.IdleTimeout}, false},
		{"active past idle", []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, true},
		{"absolute", absoluteSteps(cfg), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			o := e.org(t, "Harbour Outreach")
			e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
			res := e.signIn(t, "ana@example.org", "")
			var err error
			for i, d := range tc.steps {
				e.clock.Advance(d)
				_, _, err = e.svc.AuthenticateSession(context.Background(), res.Token)
				if err != nil && i < len(tc.steps)-1 {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if len(tc.steps) == 0 {
				_, _, err = e.svc.AuthenticateSession(context.Background(), res.Token)
			}
			if (err == nil) != tc.valid {
				t.Fatalf("valid = %v (%v), want %v", err == nil, err, tc.valid)
			}
		})
	}
}

// absoluteSteps stays active every 20 minutes until past the absolute
// timeout.
func absoluteSteps(cfg auth.SessionConfig) []time.Duration {
	var s []time.Duration
	for d := 20 * time.Minute; d < cfg.AbsoluteTimeout; d += 20 * time.Minute {
		s = append(s, 20*time.Minute)
	}
	return append(s, 20*time.Minute)
}

func TestSessionsAndSignOut(t *testing.T) { engines(t, testSessionsAndSignOut) }

func testSessionsAndSignOut(t *testing.T, e *env) {
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	a := e.signIn(t, "ana@example.org", "")
	b := e.signIn(t, "ana@example.org", "")
	c := e.signIn(t, "ana@example.org", "")
	p := e.principal(t, a.Token)

	ss, err := e.svc.FindSessions(ctx, "r", p, "")
	if err != nil || len(ss) != 3 {
		t.Fatalf("sessions = %d, %v; want 3", len(ss), err)
	}
	if err := e.svc.RevokeSession(ctx, "r", p, "", b.Session.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AuthenticateSession(ctx, b.Token); discern.KindOf(err) != discern.KindUnauthorized {
		t.Fatalf("revoked session: %v", err)
	}
	if err := e.svc.SignOut(ctx, "r", p, a.Token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AuthenticateSession(ctx, a.Token); discern.KindOf(err) != discern.KindUnauthorized {
		t.Fatalf("signed-out session: %v", err)
	}
	pc := e.principal(t, c.Token)
	d := e.signIn(t, "ana@example.org", "")
	n, err := e.svc.SignOutEverywhere(ctx, "r", pc, "")
	if err != nil || n != 2 {
		t.Fatalf("sign out everywhere = %d, %v; want 2", n, err)
	}
	for _, tok := range []string{c.Token, d.Token} {
		if _, _, err := e.svc.AuthenticateSession(ctx, tok); discern.KindOf(err) != discern.KindUnauthorized {
			t.Fatalf("session after sign out everywhere: %v", err)
		}
	}
}

func TestSignInRotatesPresentedSession(t *testing.T) {
	e := newEnv(t)
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	old := e.signIn(t, "ana@example.org", "")
	res, err := e.svc.SignIn(context.Background(), accounts.SignInRequest{Email: "ana@example.org", Password: password, Addr: e.addr, PreviousToken: old.Token})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AuthenticateSession(context.Background(), old.Token); err == nil {
		t.Fatal("the session presented at sign-in survived it")
	}
	e.principal(t, res.Token)
}

func TestAPITokens(t *testing.T) { engines(t, testAPITokens) }

func testAPITokens(t *testing.T, e *env) {
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	u := e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	p := e.principal(t, e.signIn(t, "ana@example.org", "").Token)
	exp := e.clock.Now().Add(24 * time.Hour)

	t.Run("bad requests", func(t *testing.T) {
		cases := []struct {
			name  string
			nt    accounts.NewToken
			field string
		}{
			{"no expiry", accounts.NewToken{Name: "x", Scopes: []auth.TokenScope{auth.TokenAssess}}, "expires_at"},
			{"too long", accounts.NewToken{Name: "x", Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: e.clock.Now().Add(400 * 24 * time.Hour)}, "expires_at"},
			{"no scopes", accounts.NewToken{Name: "x", ExpiresAt: exp}, "scopes"},
			{"scope the role cannot use", accounts.NewToken{Name: "x", Scopes: []auth.TokenScope{auth.TokenUsersWrite}, ExpiresAt: exp}, "scopes"},
			{"no name", accounts.NewToken{Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: exp}, "name"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := e.svc.CreateAPIToken(ctx, "r", p, tc.nt)
				kind(t, err, discern.KindInvalid)
				if f := err.(*discern.Error).Field; f != tc.field {
					t.Fatalf("field = %q, want %q", f, tc.field)
				}
			})
		}
	})

	token, rec, err := e.svc.CreateAPIToken(ctx, "r", p, accounts.NewToken{Name: "export", Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	tp, _, err := e.svc.AuthenticateAPIToken(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if !tp.ViaToken || tp.UserID != u.ID || len(tp.TokenScopes) != 1 || tp.TokenScopes[0] != auth.TokenAssess {
		t.Fatalf("token principal = %+v", tp)
	}
	if _, _, err := e.svc.CreateAPIToken(ctx, "r", tp, accounts.NewToken{Name: "y", Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: exp}); discern.KindOf(err) != discern.KindForbidden {
		t.Fatalf("a token made a token: %v", err)
	}
	ts, err := e.svc.FindAPITokens(ctx, "r", p, nil)
	if err != nil || len(ts) != 1 || ts[0].ID != rec.ID {
		t.Fatalf("tokens = %v, %v", ts, err)
	}

	t.Run("altered", func(t *testing.T) {
		b := []byte(token)
		i := len(b) - 5 // inside the secret, clear of the padding bits
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		bad := string(b)
		if _, _, err := e.svc.AuthenticateAPIToken(ctx, bad); discern.KindOf(err) != discern.KindUnauthorized {
			t.Fatalf("altered token: %v", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		e.clock.Advance(25 * time.Hour)
		defer e.clock.Advance(-25 * time.Hour)
		if _, _, err := e.svc.AuthenticateAPIToken(ctx, token); discern.KindOf(err) != discern.KindUnauthorized {
			t.Fatalf("expired token: %v", err)
		}
	})
	t.Run("revoked", func(t *testing.T) {
		if err := e.svc.RevokeAPIToken(ctx, "r", p, rec.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.AuthenticateAPIToken(ctx, token); discern.KindOf(err) != discern.KindUnauthorized {
			t.Fatalf("revoked token: %v", err)
		}
	})
}

func TestDisableUserCutsOffAccess(t *testing.T) { engines(t, testDisableUserCutsOffAccess) }

func testDisableUserCutsOffAccess(t *testing.T, e *env) {
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "root@example.org", discern.RoleAdministrator)
	u := e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	_, adminTok := e.enroll(t, e.signIn(t, "root@example.org", "").Token)
	admin := e.principal(t, adminTok)
	sess := e.signIn(t, "ana@example.org", "")
	token, _, err := e.svc.CreateAPIToken(ctx, "r", e.principal(t, sess.Token), accounts.NewToken{Name: "t", Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: e.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DisableUser(ctx, "r", admin, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AuthenticateSession(ctx, sess.Token); discern.KindOf(err) != discern.KindUnauthorized {
		t.Fatalf("session of a disabled user: %v", err)
	}
	if _, _, err := e.svc.AuthenticateAPIToken(ctx, token); discern.KindOf(err) != discern.KindUnauthorized {
		t.Fatalf("token of a disabled user: %v", err)
	}
	if _, err := e.svc.SignIn(ctx, accounts.SignInRequest{Email: "ana@example.org", Password: password, Addr: e.addr}); discern.KindOf(err) != discern.KindUnauthorized {
		t.Fatalf("sign in of a disabled user: %v", err)
	}
	if _, err := e.svc.DisableUser(ctx, "r", admin, admin.UserID); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("an administrator disabled themself: %v", err)
	}
}

func TestOtherOrganizationIsNotFound(t *testing.T) { engines(t, testOtherOrganizationIsNotFound) }

func testOtherOrganizationIsNotFound(t *testing.T, e *env) {
	ctx := context.Background()
	a := e.org(t, "Harbour Outreach")
	b := e.org(t, "Riverside Clinic")
	e.user(t, a.ID, "root@a.example.org", discern.RoleAdministrator)
	other := e.user(t, b.ID, "ana@b.example.org", discern.RoleCaseworker)
	_, tok := e.enroll(t, e.signIn(t, "root@a.example.org", "").Token)
	p := e.principal(t, tok)
	name := "Taken over"
	calls := map[string]func() error{
		"find user": func() error { _, err := e.svc.FindUserByID(ctx, "r", p, other.ID); return err },
		"update user": func() error {
			_, err := e.svc.UpdateUser(ctx, "r", p, other.ID, accounts.UserChanges{DisplayName: &name})
			return err
		},
		"disable user": func() error { _, err := e.svc.DisableUser(ctx, "r", p, other.ID); return err },
		"reset mfa":    func() error { return e.svc.ResetMFA(ctx, "r", p, other.ID) },
		"sessions":     func() error { _, err := e.svc.FindSessions(ctx, "r", p, other.ID); return err },
		"sign out all": func() error { _, err := e.svc.SignOutEverywhere(ctx, "r", p, other.ID); return err },
		"find org":     func() error { _, err := e.svc.FindOrganization(ctx, "r", p, b.ID); return err },
		"update org": func() error {
			_, err := e.svc.UpdateOrganization(ctx, "r", p, b.ID, discern.OrganizationUpdate{Name: &name})
			return err
		},
		"tokens":        func() error { _, err := e.svc.FindAPITokens(ctx, "r", p, &other.ID); return err },
		"revoke token":  func() error { return e.svc.RevokeAPIToken(ctx, "r", p, other.ID) },
		"revoke sessio": func() error { return e.svc.RevokeSession(ctx, "r", p, other.ID, other.ID) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { kind(t, call(), discern.KindNotFound) })
	}
	u, err := e.db.FindUserByID(ctx, b.ID, other.ID)
	if err != nil || u.Disabled || u.DisplayName == name {
		t.Fatalf("the other organization's user changed: %+v, %v", u, err)
	}
}

func TestRolesAndLists(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "root@example.org", discern.RoleAdministrator)
	_, tok := e.enroll(t, e.signIn(t, "root@example.org", "").Token)
	admin := e.principal(t, tok)
	team, err := e.svc.CreateTeam(ctx, "r", admin, "Night outreach", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range []discern.Role{discern.RoleSupervisor, discern.RoleCaseworker, discern.RoleScreener, discern.RoleAnalyst} {
		if _, err := e.svc.CreateUser(ctx, "r", admin, accounts.NewUser{Email: fmt.Sprintf("u%d@example.org", i), DisplayName: "U", Role: r, TeamID: team.ID, Password: password}, nil); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		email string
		want  int
	}{
		{"u0@example.org", 5}, // supervisor: the organization
		{"u1@example.org", 5}, // caseworker: the organization
		{"u2@example.org", 1}, // screener: themself
		{"u3@example.org", 1}, // analyst: themself
	}
	for _, tc := range cases {
		t.Run(tc.email, func(t *testing.T) {
			p := e.principal(t, e.signIn(t, tc.email, "").Token)
			us, _, err := e.svc.FindUsers(ctx, "r", p, discern.UserFilter{})
			if err != nil || len(us) != tc.want {
				t.Fatalf("users = %d, %v; want %d", len(us), err, tc.want)
			}
			_, err = e.svc.CreateUser(ctx, "r", p, accounts.NewUser{Email: "x@example.org", DisplayName: "X", Role: discern.RoleAnalyst, Password: password}, nil)
			kind(t, err, discern.KindForbidden)
		})
	}
	t.Run("bad new user", func(t *testing.T) {
		cases := []struct {
			name  string
			nu    accounts.NewUser
			field string
		}{
			{"bad email", accounts.NewUser{Email: "nope", DisplayName: "X", Role: discern.RoleAnalyst, Password: password}, "email"},
			{"bad role", accounts.NewUser{Email: "x@example.org", DisplayName: "X", Role: "boss", Password: password}, "role"},
			{"short password", accounts.NewUser{Email: "x@example.org", DisplayName: "X", Role: discern.RoleAnalyst, Password: "short"}, "password"},
			{"no such team", accounts.NewUser{Email: "x@example.org", DisplayName: "X", Role: discern.RoleAnalyst, Password: password, TeamID: admin.UserID}, "team_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.CreateUser(ctx, "r", admin, tc.nu, nil)
				kind(t, err, discern.KindInvalid)
				if f := err.(*discern.Error).Field; f != tc.field {
					t.Fatalf("field = %q, want %q", f, tc.field)
				}
			})
		}
		_, err := e.svc.CreateUser(ctx, "r", admin, accounts.NewUser{Email: "U0@example.org", DisplayName: "X", Role: discern.RoleAnalyst, Password: password}, nil)
		kind(t, err, discern.KindConflict)
	})
}

func TestCreateHookRunsInTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "root@example.org", discern.RoleAdministrator)
	_, tok := e.enroll(t, e.signIn(t, "root@example.org", "").Token)
	admin := e.principal(t, tok)
	failing := func(ctx context.Context, tx *sqldb.Tx, tm *discern.Team) error {
		return discern.Errorf(discern.KindConflict, "hook refused")
	}
	if _, err := e.svc.CreateTeam(ctx, "r", admin, "Day outreach", failing); discern.KindOf(err) != discern.KindConflict {
		t.Fatalf("hook error not returned: %v", err)
	}
	ts, _, err := e.svc.FindTeams(ctx, "r", admin, discern.Page{})
	if err != nil || len(ts) != 0 {
		t.Fatalf("a team was stored although the hook failed: %d, %v", len(ts), err)
	}
}

func TestAuditTrail(t *testing.T) { engines(t, testAuditTrail) }

func testAuditTrail(t *testing.T, e *env) {
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "root@example.org", discern.RoleAdministrator)
	u := e.user(t, o.ID, "ana@example.org", discern.RoleScreener)
	_, tok := e.enroll(t, e.signIn(t, "root@example.org", "").Token)
	admin := e.principal(t, tok)
	screener := e.principal(t, e.signIn(t, "ana@example.org", "").Token)
	if _, err := e.svc.DisableUser(ctx, "req-disable", screener, admin.UserID); discern.KindOf(err) != discern.KindForbidden {
		t.Fatalf("screener disabling: %v", err)
	}
	if _, err := e.svc.DisableUser(ctx, "req-disable-2", admin, u.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := e.log.Verify(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	_, _, err = e.db.ScanAuditLog(ctx, func(a *discern.AuditEntry) error {
		got = append(got, a.Action+"/"+string(a.Outcome))
		for _, s := range []string{a.ActorID, a.OrgID, a.Action, a.TargetType, a.TargetID, a.RequestID} {
			if strings.Contains(s, "@") || strings.Contains(s, "example") {
				t.Errorf("audit entry %d holds personal data: %q", a.Seq, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"org.create/success", "user.create/success", "session.sign_in/success", "user.mfa_enroll/success", "users.manage/denied", "user.disable/success"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("audit log (%d entries) lacks %s: %v", rep.Entries, want, got)
		}
	}
}

func TestChangePassword(t *testing.T) { engines(t, testChangePassword) }

func testChangePassword(t *testing.T, e *env) {
	ctx := context.Background()
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	a := e.signIn(t, "ana@example.org", "")
	b := e.signIn(t, "ana@example.org", "")
	p := e.principal(t, a.Token)
	next := "a different long passphrase here"
	err := e.svc.ChangePassword(ctx, "r", p, accounts.PasswordChange{Current: "wrong wrong wrong wrong", New: next, KeepToken: a.Token, Addr: e.addr})
	kind(t, err, discern.KindInvalid)
	err = e.svc.ChangePassword(ctx, "r", p, accounts.PasswordChange{Current: password, New: "short", KeepToken: a.Token, Addr: e.addr})
	if discern.KindOf(err) != discern.KindInvalid || err.(*discern.Error).Field != "new_password" {
		t.Fatalf("short new password: %v", err)
	}
	if err := e.svc.ChangePassword(ctx, "r", p, accounts.PasswordChange{Current: password, New: next, KeepToken: a.Token, Addr: e.addr}); err != nil {
		t.Fatal(err)
	}
	e.principal(t, a.Token)
	if _, _, err := e.svc.AuthenticateSession(ctx, b.Token); err == nil {
		t.Fatal("the other session survived a password change")
	}
	if _, err := e.svc.SignIn(ctx, accounts.SignInRequest{Email: "ana@example.org", Password: next, Addr: e.addr}); err != nil {
		t.Fatal(err)
	}
}

func TestSweep(t *testing.T) {
	e := newEnv(t)
	o := e.org(t, "Harbour Outreach")
	e.user(t, o.ID, "ana@example.org", discern.RoleCaseworker)
	e.signIn(t, "ana@example.org", "")
	e.clock.Advance(time.Hour)
	n, _, err := e.svc.Sweep(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("swept %d sessions, %v; want 1", n, err)
	}
}
