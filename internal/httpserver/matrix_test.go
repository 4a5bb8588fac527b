package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/documents/pdftext"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/web"
)

// The authorization matrix: every route of the table × every kind of
// principal × a record of the principal's own organization and one of
// another organization, against the real server on real SQLite. It is
// written over the route table, so a route added to the table is covered
// without touching this file, except to say (in wildcards) how to find a
// record for a new kind of path wildcard.

// fixture holds one organization's records for the matrix.
type fixture struct {
	org      *discern.Organization
	team     *discern.Team
	users    map[discern.Role]*discern.User
	secrets  map[string]string // TOTP secrets by email
	target   *discern.User     // a caseworker the principals act on
	token    *discern.APIToken // the target's API token
	session  string            // the ID of the target's session
	emails   []string
	recordID []string // every record ID of the organization, for the leak check
	// A person recorded by the target caseworker, with a draft screening
	// and a task.
	person, screening, task string
	// A consent of that person and a referral made on it.
	consent, referral string
	plan              string // a plan of the person's screening
	notification      string // a reminder for the target caseworker
}

// wildcards finds, for each kind of path wildcard, the record of an
// organization to put in the path. A route whose path has a wildcard not
// listed here fails the matrix: add how to find (and, in seedOrg, how to
// make) a record of that kind.
var wildcards = map[string]func(f *fixture) string{
	"user_id":      func(f *fixture) string { return f.target.ID },
	"team_id":      func(f *fixture) string { return f.team.ID },
	"org_id":       func(f *fixture) string { return f.org.ID },
	"token_id":     func(f *fixture) string { return f.token.ID },
	"session_id":   func(f *fixture) string { return f.session },
	"person_id":    func(f *fixture) string { return f.person },
	"screening_id": func(f *fixture) string { return f.screening },
	"task_id":      func(f *fixture) string { return f.task },
	"consent_id":   func(f *fixture) string { return f.consent },
	"referral_id":  func(f *fixture) string { return f.referral },
	"plan_id":      func(f *fixture) string { return f.plan },
	// A reminder, for dismissing it.
	"notification_id": func(f *fixture) string { return f.notification },
	// The pages' {id} is named by the path it is in (see pageIDs).
	"id": nil,

	// The service directory's records (HSDS examples in the test
	// directory), shared by every organization: see sharedWildcards.
	"service_id":             func(*fixture) string { return "ac148810-d857-441c-9679-408f346de14b" },
	"service_at_location_id": func(*fixture) string { return "e94c9f38-1e8f-4564-91d4-d53501ab1765" },
	"organization_id":        func(*fixture) string { return "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610" },
	"taxonomy_id":            func(*fixture) string { return "5c4d79d7-cc55-470e-9f1f-8cad074e4892" },
	"taxonomy_term_id":       func(*fixture) string { return "3f7b145d-84af-42d7-8fae-eaca714b02b2" },
}

// sharedWildcards find records that belong to no organization: the
// service directory is one for all of them. A route whose wildcards are
// all shared has no "other organization's record" to try, so the matrix
// runs it once per principal, and checks that it answers (200), since the
// record exists for every organization alike.
var sharedWildcards = []string{"service_id", "service_at_location_id", "organization_id", "taxonomy_id", "taxonomy_term_id"}

// perOrgWildcard reports whether path has a wildcard that finds a record
// of one organization.
func perOrgWildcard(path string) bool {
	for _, m := range wildcardRE.FindAllStringSubmatch(path, -1) {
		if !slices.Contains(sharedWildcards, m[1]) {
			return true
		}
	}
	return false
}

// pageIDs finds the record for a page path's {id} by the path's start.
var pageIDs = []struct {
	prefix string
	find   func(f *fixture) string
}{
	{"/people/", func(f *fixture) string { return f.person }},
	{"/referrals/", func(f *fixture) string { return f.referral }},
	{"/screenings/", func(f *fixture) string { return f.screening }},
	{"/tasks/", func(f *fixture) string { return f.task }},
	{"/sessions/", func(f *fixture) string { return f.session }},
	{"/admin/users/", func(f *fixture) string { return f.target.ID }},
	{"/plans/", func(f *fixture) string { return f.plan }},
	{"/notifications/", func(f *fixture) string { return f.notification }},
}

// publicRoutes are the only routes anyone may call without signing in.
var publicRoutes = []string{
	"GET /healthz",
	"GET /readyz",
	"GET /metrics",
	"GET /api/v1/openapi.json",
	"POST /api/v1/sessions",
	"POST /api/v1/sessions/current/mfa",
	// The web interface's sign-in steps, its language switch and its
	// static files.
	"GET /signin",
	"POST /signin",
	"GET /signin/code",
	"POST /signin/code",
	"POST /language",
	"GET /static/",
}

// seedOrg makes an organization with a team, a user of every role (the
// administrator with a second factor), a target caseworker with a session
// and an API token, and one administrator without a second factor yet.
func seedOrg(t *testing.T, s *testServer, name, domain string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{org: s.org(name), users: map[discern.Role]*discern.User{}, secrets: map[string]string{}}
	adminEmail := "admin@" + domain
	adminSess, secret := s.admin(f.org.ID, adminEmail)
	f.secrets[adminEmail] = secret
	r := s.do(req{method: "POST", path: "/api/v1/teams", session: adminSess, body: map[string]string{"name": "Outreach " + name}})
	expect(t, r, http.StatusCreated)
	var tb teamBody
	r.decode(t, &tb)
	f.team = &discern.Team{ID: tb.ID, OrgID: tb.OrgID, Name: tb.Name}
	admin, err := s.svc.Operator().FindUserByEmail(ctx, adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	f.users[discern.RoleAdministrator] = admin
	for _, role := range discern.Roles[1:] {
		f.users[role] = s.user(f.org.ID, string(role)+"@"+domain, role, f.team.ID)
	}
	f.users["pending"] = s.user(f.org.ID, "new.admin@"+domain, discern.RoleAdministrator, "")
	f.target = s.user(f.org.ID, "target@"+domain, discern.RoleCaseworker, f.team.ID)
	res, err := s.svc.SignIn(ctx, accounts.SignInRequest{Email: f.target.Email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	f.session = res.Session.ID
	_, f.token, err = s.svc.CreateAPIToken(ctx, "seed", principalFor(f.target, true), accounts.NewToken{
		Name: "target", Scopes: []auth.TokenScope{auth.TokenAssess}, ExpiresAt: s.clock.Now().Add(300 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	a := casework.Actor{Principal: principalFor(f.target, true), RequestID: "seed"}
	pv, err := s.cw.CreatePerson(ctx, a, casework.PersonInput{Name: "Matrix Person " + name, AssignedTo: f.target.ID})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := screening.ParseAnswers(testEngine().Bundle(), "seed", []byte(`{"answers": {"age": 30}}`))
	if err != nil {
		t.Fatal(err)
	}
	sv, err := s.cw.CreateScreening(ctx, a, casework.ScreeningInput{PersonID: pv.ID, Evidence: ev})
	if err != nil {
		t.Fatal(err)
	}
	tv, err := s.cw.CreateTask(ctx, a, casework.TaskInput{PersonID: pv.ID, Title: "Matrix task " + name, AssigneeID: f.target.ID})
	if err != nil {
		t.Fatal(err)
	}
	cv, err := s.cw.RecordConsent(ctx, a, pv.ID, casework.ConsentInput{RecipientKind: discern.RecipientOrganization,
		RecipientID: "dir-org-matrix", Classes: []discern.DataClass{discern.ClassCase}, Purposes: []discern.ConsentPurpose{discern.PurposeReferral},
		Method: discern.ConsentVerbal})
	if err != nil {
		t.Fatal(err)
	}
	rv, err := s.cw.CreateReferral(ctx, a, casework.ReferralInput{PersonID: pv.ID, RecipientKind: discern.RecipientOrganization,
		RecipientID: "dir-org-matrix", Classes: []discern.DataClass{discern.ClassCase}})
	if err != nil {
		t.Fatal(err)
	}
	f.person, f.screening, f.task, f.consent, f.referral = pv.ID, sv.ID, tv.ID, cv.ID, rv.ID
	f.recordID = append(f.recordID, pv.ID, sv.ID, tv.ID, pv.CaseCode, cv.ID, rv.ID)
	f.person, f.screening, f.task = pv.ID, sv.ID, tv.ID
	f.recordID = append(f.recordID, pv.ID, sv.ID, tv.ID, pv.CaseCode)
	f.plan = seedPlan(t, s, a, pv.ID, sv.ID)
	f.recordID = append(f.recordID, f.plan)
	f.notification = seedNotification(t, s, f, pv.ID)
	f.recordID = append(f.recordID, f.notification)
	for _, u := range f.users {
		f.emails = append(f.emails, u.Email)
		f.recordID = append(f.recordID, u.ID)
	}
	f.emails = append(f.emails, f.target.Email)
	f.recordID = append(f.recordID, f.org.ID, f.team.ID, f.target.ID, f.token.ID, f.session)
	return f
}

// principalFor is the principal of a signed-in user.
func principalFor(u *discern.User, verified bool) auth.Principal {
	p := auth.Principal{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, MFAEnrolled: u.MFASecret != nil, MFAVerified: verified}
	if u.TeamID != "" {
		p.TeamIDs = []string{u.TeamID}
	}
	return p
}

// actor is a kind of principal. login returns fresh credentials for one
// request (some routes end the session they are called with), and the
// principal the server will see.
type actor struct {
	name  string
	login func(t *testing.T) (session, token string, p auth.Principal)
}

func actors(s *testServer, f *fixture) []actor {
	signIn := func(t *testing.T, u *discern.User, withCode bool) (string, string, auth.Principal) {
		t.Helper()
		rq := accounts.SignInRequest{Email: u.Email, Password: password}
		if withCode {
			rq.Code = s.code(f.secrets[u.Email])
		}
		res, err := s.svc.SignIn(context.Background(), rq)
		if err != nil {
			t.Fatalf("sign in %s: %v", u.Email, err)
		}
		if withCode {
			s.clock.Advance(31 * time.Second) // each code works once
		}
		return res.Token, "", principalFor(res.User, res.Session.MFAVerified)
	}
	var out []actor
	for _, role := range discern.Roles {
		u := f.users[role]
		out = append(out, actor{name: string(role), login: func(t *testing.T) (string, string, auth.Principal) {
			return signIn(t, u, role == discern.RoleAdministrator)
		}})
	}
	admin := f.users[discern.RoleAdministrator]
	out = append(out,
		actor{name: "administrator owing the second factor", login: func(t *testing.T) (string, string, auth.Principal) {
			return signIn(t, admin, false)
		}},
		actor{name: "administrator without a second factor", login: func(t *testing.T) (string, string, auth.Principal) {
			return signIn(t, f.users["pending"], false)
		}},
	)
	// A caseworker's API token with every scope a caseworker can use.
	cw := f.users[discern.RoleCaseworker]
	scopes := auth.TokenScopesFor(discern.RoleCaseworker)
	var token string
	out = append(out, actor{name: "caseworker's API token", login: func(t *testing.T) (string, string, auth.Principal) {
		if token == "" {
			var err error
			token, _, err = s.svc.Operator().CreateAPIToken(context.Background(), "seed", cw.OrgID, cw.ID,
				accounts.NewToken{Name: "matrix", Scopes: scopes, ExpiresAt: s.clock.Now().Add(300 * 24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
		}
		p := principalFor(cw, true)
		p.ViaToken, p.TokenScopes = true, scopes
		return "", token, p
	}})
	return out
}

var wildcardRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// pathFor fills the route's wildcards with f's records.
func pathFor(t *testing.T, rt Route, f *fixture) string {
	t.Helper()
	var missing string
	p := wildcardRE.ReplaceAllStringFunc(rt.Path, func(m string) string {
		name := m[1 : len(m)-1]
		find, ok := wildcards[name]
		if find == nil {
			for _, p := range pageIDs {
				if strings.HasPrefix(rt.Path, p.prefix) {
					find = p.find
				}
			}
		}
		if !ok || find == nil {
			missing = name
			return m
		}
		return find(f)
	})
	p = strings.TrimSuffix(p, "{$}")
	if missing != "" {
		t.Fatalf("route %s: the matrix does not know a record for {%s}; add it to wildcards (and make one in seedOrg)", rt.Pattern(), missing)
	}
	return p
}

func hasBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

func TestRouteTablePolicies(t *testing.T) {
	s := newTestServer(t)
	var public []string
	for _, rt := range s.table {
		if rt.Action == Public {
			public = append(public, rt.Pattern())
			continue
		}
		if !rt.Action.Valid() {
			t.Errorf("route %s has no policy action (%q)", rt.Pattern(), rt.Action)
			continue
		}
		p := auth.Principal{UserID: "u", OrgID: "o", Role: discern.RoleAdministrator, MFAVerified: true, MFAEnrolled: true}
		if d := auth.Decide(p, rt.Action, auth.Resource{OrgID: "o"}); d.Reason == auth.ReasonUnknownAction {
			t.Errorf("route %s: the policy has no rule for %s", rt.Pattern(), rt.Action)
		}
		if hasBody(rt.Method) && rt.API != nil && rt.Example == nil && !bodyless(rt) {
			t.Errorf("route %s takes a body but has no Example for the matrix", rt.Pattern())
		}
	}
	slices.Sort(public)
	want := slices.Clone(publicRoutes)
	slices.Sort(want)
	if !slices.Equal(public, want) {
		t.Errorf("public routes = %v, want exactly %v", public, want)
	}
}

// bodyless lists the body-method routes that take no body.
func bodyless(rt Route) bool {
	return rt.Pattern() == "POST /api/v1/account/mfa/totp"
}

func TestAuthorizationMatrix(t *testing.T) {
	s := newTestServer(t)
	own := seedOrg(t, s, "Harbour Outreach", "harbour.example.org")
	other := seedOrg(t, s, "Riverside Clinic", "riverside.example.org")
	leaks := append(append([]string{}, other.recordID...), other.emails...)

	for _, rt := range s.table {
		if rt.Action == Public {
			continue
		}
		t.Run(rt.Pattern(), func(t *testing.T) {
			var body any
			if hasBody(rt.Method) {
				body = rt.Example
				if body == nil {
					body = map[string]any{}
				}
			}
			t.Run("anonymous", func(t *testing.T) {
				r := s.do(req{method: rt.Method, path: pathFor(t, rt, own), body: body})
				if rt.Page {
					// A page sends the browser to sign in, and back after.
					expect(t, r, http.StatusSeeOther)
					if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/signin") {
						t.Fatalf("a page that is not signed in redirects to %q, want the sign-in page", loc)
					}
					return
				}
				expect(t, r, http.StatusUnauthorized)
				r.problem(t)
			})
			orgs := []*fixture{own}
			if perOrgWildcard(rt.Path) {
				orgs = append(orgs, other)
			}
			shared := wildcardRE.MatchString(rt.Path) && !perOrgWildcard(rt.Path)
			for _, a := range actors(s, own) {
				for _, f := range orgs {
					which := "own organization"
					if f == other {
						which = "other organization"
					}
					t.Run(a.name+"/"+which, func(t *testing.T) {
						session, token, p := a.login(t)
						path := pathFor(t, rt, f)
						r := s.do(req{method: rt.Method, path: path, body: body, session: session, token: token})
						checkCell(t, rt, p, f == other, r, leaks)
						if shared && auth.Decide(p, rt.Action, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}).Allowed && r.status != http.StatusOK {
							t.Fatalf("%s: a shared directory record answered %d, want 200: %s", path, r.status, r)
						}
					})
				}
			}
		})
	}
}

// checkCell checks one cell of the matrix.
func checkCell(t *testing.T, rt Route, p auth.Principal, otherOrg bool, r *response, leaks []string) {
	t.Helper()
	best := auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID, Classes: auth.AllClasses}
	if len(p.TeamIDs) > 0 {
		best.TeamID = p.TeamIDs[0]
	}
	allowed := auth.Decide(p, rt.Action, best).Allowed
	desc := fmt.Sprintf("%s %s as %s (%s)", rt.Method, rt.Path, p.Role, map[bool]string{true: "other org", false: "own org"}[otherOrg])
	if rt.Page {
		checkPageCell(t, rt, desc, allowed, p, otherOrg, r, leaks)
		return
	}
	switch {
	case r.status >= 500:
		t.Fatalf("%s: server error %d: %s", desc, r.status, r)
	case r.status == http.StatusUnauthorized:
		t.Fatalf("%s: 401 for a signed-in principal: %s", desc, r)
	case !allowed && r.status != http.StatusForbidden:
		t.Fatalf("%s: the policy denies %s to this principal, but the status is %d, want 403: %s", desc, rt.Action, r.status, r)
	case otherOrg && r.status != http.StatusNotFound && r.status != http.StatusForbidden:
		t.Fatalf("%s: another organization's record answered %d, want 404 or 403: %s", desc, r.status, r)
	case allowed && !otherOrg && !slices.Contains([]int{200, 201, 204, 400, 404, 409}, r.status):
		t.Fatalf("%s: allowed by the policy but answered %d: %s", desc, r.status, r)
	}
	if r.status >= 400 {
		r.problem(t)
	}
	if r.status < 300 {
		body := string(r.body)
		if strings.HasPrefix(r.header.Get("Content-Type"), "application/pdf") {
			// A PDF's text is compressed: look in the text it shows.
			text, err := pdftext.Text(r.body)
			if err != nil {
				t.Fatalf("%s: the PDF cannot be read: %v", desc, err)
			}
			body = text + "\n" + pdftext.Flat(text)
		}
		if leak, ok := containsAny(body, leaks...); ok {
			t.Fatalf("%s: the response holds %q of the other organization: %s", desc, leak, r)
		}
	}
}

// checkPageCell checks one cell of the matrix for a page: refusals are
// error pages (or, for a session owing its second factor, the way to
// that step), another organization's record is never shown, and what the
// policy allows answers with a page, a redirect after a form, or the
// form again with its problems.
func checkPageCell(t *testing.T, rt Route, desc string, allowed bool, p auth.Principal, otherOrg bool, r *response, leaks []string) {
	t.Helper()
	owesCode := p.MFAEnrolled && !p.MFAVerified && !p.ViaToken
	owesSetup := auth.MFARequired(p.Role) && !p.MFAEnrolled && !p.ViaToken
	loc := r.header.Get("Location")
	ok := []int{200, 303, 400, 404, 409, 422}
	if strings.HasSuffix(rt.Path, "/interview") {
		// A draft some of whose answers are withheld from the user is
		// refused for editing: saving it back would lose them.
		ok = append(ok, http.StatusForbidden)
	}
	switch {
	case r.status >= 500:
		t.Fatalf("%s: server error %d: %s", desc, r.status, r)
	case r.status == http.StatusUnauthorized:
		t.Fatalf("%s: 401 for a signed-in principal: %s", desc, r)
	case !allowed && owesSetup:
		if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin/setup") {
			t.Fatalf("%s: a user who must set up a second factor answered %d (Location %q), want 303 to the set-up step", desc, r.status, loc)
		}
	case !allowed && owesCode:
		if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin/code") {
			t.Fatalf("%s: a session owing its second factor answered %d (Location %q), want 303 to the code step", desc, r.status, loc)
		}
	case !allowed && r.status != http.StatusForbidden:
		t.Fatalf("%s: the policy denies this principal, but the status is %d, want 403: %s", desc, r.status, r)
	case otherOrg && r.status != http.StatusNotFound && r.status != http.StatusForbidden:
		t.Fatalf("%s: another organization's record answered %d, want 404 or 403: %s", desc, r.status, r)
	case allowed && !otherOrg && !slices.Contains(ok, r.status):
		t.Fatalf("%s: allowed by the policy but answered %d: %s", desc, r.status, r)
	}
	if r.status == http.StatusSeeOther && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//")) {
		t.Fatalf("%s: redirects off the site to %q", desc, loc)
	}
	if r.status >= 400 && !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("%s: an error of a page is %q, want an HTML error page: %s", desc, r.header.Get("Content-Type"), r)
	}
	if csp := r.header.Values("Content-Security-Policy"); len(csp) != 1 || csp[0] != web.CSP {
		t.Fatalf("%s: Content-Security-Policy %q, want exactly web.CSP", desc, csp)
	}
	// A redirect's body only repeats the address asked for.
	if leak, found := containsAny(string(r.body), leaks...); found && r.status != http.StatusSeeOther {
		t.Fatalf("%s: the page holds %q of the other organization: %s", desc, leak, r)
	}
}

// seedPlan starts a plan from the first pathway of the screening's first
// jurisdiction.
func seedPlan(t *testing.T, s *testServer, a casework.Actor, personID, screeningID string) string {
	t.Helper()
	sc, err := s.cw.GetScreening(context.Background(), a, screeningID)
	if err != nil {
		t.Fatal(err)
	}
	jur := sc.Evidence.Jurisdictions[0]
	for _, pw := range testEngine().Bundle().Pathways {
		if slices.Contains(pw.Jurisdictions, jur) {
			pv, err := s.cw.StartPlan(context.Background(), a, casework.PlanInput{PersonID: personID, ScreeningID: screeningID, PathwayID: pw.ID, Jurisdiction: jur})
			if err != nil {
				t.Fatal(err)
			}
			return pv.ID
		}
	}
	t.Fatalf("no pathway for %s", jur)
	return ""
}

// seedNotification stores a reminder of the plan's for the target
// caseworker, as the sweep would.
func seedNotification(t *testing.T, s *testServer, f *fixture, personID string) string {
	t.Helper()
	n := &discern.Notification{OrgID: f.org.ID, PersonID: personID, UserID: f.target.ID, Audience: discern.AudienceWorker,
		Class: discern.ClassCase, Source: "plan", SourceID: f.plan, Subject: "matrix.clock", Kind: discern.ReminderDueSoon,
		Due: discern.Date{Year: 2026, Month: 3, Day: 4}, State: discern.NoticeShown, Key: "matrix/" + f.plan}
	if _, err := s.db.AddNotification(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	return n.ID
}
