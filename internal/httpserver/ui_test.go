package httpserver

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

func TestPagesServeEveryWebPath(t *testing.T) {
	s := newTestServer(t)
	var paths []string
	for _, rt := range s.table {
		if rt.Page {
			paths = append(paths, rt.Path)
		}
	}
	for _, p := range web.Paths {
		if !slices.Contains(paths, p) {
			t.Errorf("web.Paths has %s, but no page route serves it", p)
		}
	}
	for _, p := range paths {
		if !slices.Contains(web.Paths, p) {
			t.Errorf("page route %s is not one of web.Paths", p)
		}
	}
}

// cookieOf returns the value of a cookie set by a response.
func cookieOf(r *response, name string) string {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func TestPageSignIn(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	tests := []struct {
		name     string
		form     url.Values
		status   int
		location string
		session  bool
	}{
		{"returns to a local page", url.Values{"email": {"ana@example.org"}, "password": {password}, "next": {"/people"}}, http.StatusSeeOther, "/people", true},
		{"never to another site", url.Values{"email": {"ana@example.org"}, "password": {password}, "next": {"//evil.example/x"}}, http.StatusSeeOther, "/", true},
		{"nor through a backslash", url.Values{"email": {"ana@example.org"}, "password": {password}, "next": {"/\\evil.example"}}, http.StatusSeeOther, "/", true},
		{"wrong password keeps the email", url.Values{"email": {"ana@example.org"}, "password": {"not it"}}, http.StatusUnprocessableEntity, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "POST", path: web.PathSignIn, body: tc.form})
			expect(t, r, tc.status)
			if got := r.header.Get("Location"); got != tc.location {
				t.Errorf("Location = %q, want %q", got, tc.location)
			}
			if got := cookieOf(r, auth.SessionCookieName) != ""; got != tc.session {
				t.Errorf("session cookie set = %v, want %v", got, tc.session)
			}
			if tc.status == http.StatusUnprocessableEntity && !strings.Contains(string(r.body), `value="ana@example.org"`) {
				t.Errorf("the form shown again lost the email: %s", r)
			}
		})
	}
}

func TestPageNotSignedInReturnsAfter(t *testing.T) {
	s := newTestServer(t)
	r := s.do(req{method: "GET", path: "/people?case_code=DSC-1"})
	expect(t, r, http.StatusSeeOther)
	if got, want := r.header.Get("Location"), "/signin?next="+url.QueryEscape("/people?case_code=DSC-1"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
}

func TestPageInterviewKeepsEveryAnswer(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	r := s.do(req{method: "POST", path: web.PathScreeningNew, session: sess,
		body: url.Values{"language": {"en"}, "instrument": {"short"}, "jurisdictions": {"palermo"}}})
	expect(t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.Contains(loc, "/interview?step=0") {
		t.Fatalf("start went to %q", loc)
	}
	path := strings.TrimSuffix(loc, "?step=0")
	b := testEngine().Bundle()
	ageQ, stepN := "", ""
	for i := range b.Instrument("short").Sections {
		for _, q := range web.SectionQuestions(b, "short", i) {
			if b.Question(q).Type == "age" && ageQ == "" {
				ageQ, stepN = q, strconv.Itoa(i)
			}
		}
	}
	if ageQ == "" {
		t.Fatal("the short form has no age question to test with")
	}
	expect(t, s.do(req{method: "GET", path: path + "?step=" + stepN, session: sess}), http.StatusOK)
	r = s.do(req{method: "POST", path: path, session: sess, body: url.Values{"step": {stepN}, "nav": {"next"}, "a." + ageQ: {"seventeen"}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), `value="seventeen"`) {
		t.Errorf("the step shown again lost the age as typed: %s", r)
	}
	r = s.do(req{method: "POST", path: path, session: sess, body: url.Values{"step": {stepN}, "nav": {"save"}, "a." + ageQ: {"17"}}})
	expect(t, r, http.StatusSeeOther)
	// Resuming without a step shows the saved answer, restored.
	r = s.do(req{method: "GET", path: path, session: sess})
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `value="17"`) {
		t.Errorf("the resumed draft lost the saved age: %s", r)
	}
}

func TestPageFollowupStep(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	r := s.do(req{method: "POST", path: web.PathScreeningNew, session: sess,
		body: url.Values{"language": {"en"}, "instrument": {"full"}, "jurisdictions": {"palermo"}}})
	expect(t, r, http.StatusSeeOther)
	path := strings.TrimSuffix(r.header.Get("Location"), "?step=0")
	r = s.do(req{method: "GET", path: path + "?step=followups", session: sess})
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `name="step" value="followups"`) || !strings.Contains(string(r.body), `value="finish"`) {
		t.Errorf("the follow-up step is not the follow-up step: %s", regexp.MustCompile(`name="step" value="[^"]*"|<h1>[^<]*`).FindAllString(string(r.body), -1))
	}
}

func TestPageNotFound(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, path, accept, contentType string
	}{
		{"a browser gets the error page", "/no/such/page", "text/html,application/xhtml+xml", "text/html"},
		{"an API client gets a problem", "/no/such/page", "application/json", "application/problem+json"},
		{"the API is never HTML", "/api/v1/nothing", "text/html", "application/problem+json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(req{method: "GET", path: tc.path, header: map[string]string{"Accept": tc.accept}})
			expect(t, r, http.StatusNotFound)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.contentType)
			}
		})
	}
}

// checked reports whether the page has the input with id checked.
func checked(body, id string) bool {
	m := regexp.MustCompile(`<input[^>]*id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	return strings.Contains(m, " checked")
}

func TestPageOrganizationSettingsSuggest(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	adminSess, _ := s.admin(o.ID, "admin@example.org")
	s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")

	// From the country alone (GB): the Palermo Protocol and England and
	// Wales, in the language of the page.
	r := s.do(req{method: "GET", path: web.PathScreeningNew, session: sess})
	expect(t, r, http.StatusOK)
	for id, want := range map[string]bool{"jur-palermo": true, "jur-england-wales": true, "jur-us-federal": false, "lang-en": true} {
		if got := checked(string(r.body), id); got != want {
			t.Errorf("before the settings: %s checked = %v, want %v", id, got, want)
		}
	}

	r = s.do(req{method: "POST", path: web.PathAdminOrg, session: adminSess, body: url.Values{
		"name": {"Harbour Outreach"}, "country": {"GB"}, "default_language": {"es"}, "jurisdictions": {"us-federal", "palermo"}}})
	expect(t, r, http.StatusSeeOther)
	r = s.do(req{method: "POST", path: web.PathAdminOrg, session: adminSess, body: url.Values{"name": {""}, "country": {"GBR"}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), `value="GBR"`) {
		t.Errorf("the refused settings form lost what was typed")
	}

	r = s.do(req{method: "GET", path: web.PathScreeningNew, session: sess})
	expect(t, r, http.StatusOK)
	for id, want := range map[string]bool{"jur-palermo": true, "jur-england-wales": false, "jur-us-federal": true, "lang-es": true} {
		if got := checked(string(r.body), id); got != want {
			t.Errorf("after the settings: %s checked = %v, want %v", id, got, want)
		}
	}
}

func TestPagePersonNotesAndTasks(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	u := s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	r := s.do(req{method: "POST", path: web.PathPeople, session: sess, body: url.Values{"age_estimate": {"about 30"}}})
	expect(t, r, http.StatusSeeOther)
	person := r.header.Get("Location")
	if !strings.HasPrefix(person, "/people/") {
		t.Fatalf("adding a person went to %q", person)
	}
	id := strings.TrimPrefix(person, "/people/")

	// A note of a class the form does not offer keeps its words.
	r = s.do(req{method: "POST", path: web.URL(web.PathPersonNotes, id), session: sess,
		body: url.Values{"class": {"secret"}, "body": {"Met at the café <b>on Tuesday</b>"}}})
	expect(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(string(r.body), "Met at the café &lt;b&gt;on Tuesday&lt;/b&gt;") {
		t.Errorf("the refused note lost its words (or was not escaped)")
	}
	r = s.do(req{method: "POST", path: web.URL(web.PathPersonNotes, id), session: sess,
		body: url.Values{"class": {"narrative"}, "body": {"Met at the café on Tuesday"}}})
	expect(t, r, http.StatusSeeOther)

	tv, err := s.cw.CreateTask(context.Background(), casework.Actor{Principal: principalFor(u, true), RequestID: "t"},
		casework.TaskInput{PersonID: id, Title: "Call back on Friday", AssigneeID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	r = s.do(req{method: "POST", path: web.URL(web.PathTaskStatus, tv.ID), session: sess, body: url.Values{"status": {"done"}}})
	expect(t, r, http.StatusSeeOther)
	r = s.do(req{method: "POST", path: web.URL(web.PathTaskStatus, tv.ID), session: sess, body: url.Values{"status": {"lost"}}})
	expect(t, r, http.StatusBadRequest)

	r = s.do(req{method: "GET", path: person, session: sess})
	expect(t, r, http.StatusOK)
	for _, want := range []string{"Met at the café on Tuesday", "Call back on Friday", "about 30"} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("the person's page does not show %q", want)
		}
	}
}

func TestPageSecondFactor(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	_, secret := s.admin(o.ID, "admin@example.org")
	s.clock.Advance(31 * time.Second) // the enrolment used this code
	r := s.do(req{method: "POST", path: web.PathSignIn, body: url.Values{"email": {"admin@example.org"}, "password": {password}, "next": {"/admin/users"}}})
	expect(t, r, http.StatusSeeOther)
	if got, want := r.header.Get("Location"), web.PathSignInCode+"?next="+url.QueryEscape("/admin/users"); got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
	half := cookieOf(r, auth.SessionCookieName)
	// Until the code is given, pages send the browser back to the code.
	r = s.do(req{method: "GET", path: "/admin/users", session: half})
	expect(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, web.PathSignInCode) {
		t.Errorf("a page before the code redirects to %q", loc)
	}
	r = s.do(req{method: "POST", path: web.PathSignInCode, session: half, body: url.Values{"code": {"000000"}, "next": {"/admin/users"}}})
	expect(t, r, http.StatusUnprocessableEntity)
	r = s.do(req{method: "POST", path: web.PathSignInCode, session: half, body: url.Values{"code": {s.code(secret)}, "next": {"/admin/users"}}})
	expect(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/admin/users" {
		t.Errorf("after the code: Location %q", loc)
	}
	full := cookieOf(r, auth.SessionCookieName)
	if full == "" || full == half {
		t.Fatal("the verified session did not replace the half-signed-in one")
	}
	r = s.do(req{method: "GET", path: "/admin/users", session: full})
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), "admin@example.org") {
		t.Error("the users list does not list the administrator")
	}
}

// TestPageSecondFactorSetUp: an administrator with no second factor yet is
// sent from any page to set one up, sees a secret, confirms it with a code
// from it, and can then use the pages.
func TestPageSecondFactorSetUp(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	s.user(o.ID, "first.admin@example.org", discern.RoleAdministrator, "")
	r := s.do(req{method: "POST", path: web.PathSignIn, body: url.Values{"email": {"first.admin@example.org"}, "password": {password}, "next": {"/admin/users"}}})
	expect(t, r, http.StatusSeeOther)
	if got, want := r.header.Get("Location"), web.PathSignInSetup+"?next="+url.QueryEscape("/admin/users"); got != want {
		t.Fatalf("Location = %q, want %q", got, want)
	}
	half := cookieOf(r, auth.SessionCookieName)
	r = s.do(req{method: "GET", path: "/admin/users", session: half})
	expect(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, web.PathSignInSetup) {
		t.Fatalf("a page before set-up redirects to %q", loc)
	}
	r = s.do(req{method: "GET", path: web.PathSignInSetup + "?next=/admin/users", session: half})
	expect(t, r, http.StatusOK)
	secret := regexp.MustCompile(`<code class="secret">([A-Z2-7]{16,})</code>`).FindSubmatch(r.body)
	token := regexp.MustCompile(`name="enrollment_token" value="([^"]+)"`).FindSubmatch(r.body)
	if secret == nil || token == nil {
		t.Fatalf("the set-up page shows no secret or token:\n%s", r)
	}
	form := url.Values{"enrollment_token": {string(token[1])}, "next": {"/admin/users"}}
	form.Set("code", "000000")
	r = s.do(req{method: "POST", path: web.PathSignInSetup, session: half, body: form})
	expect(t, r, http.StatusUnprocessableEntity)
	form.Set("code", s.code(string(secret[1])))
	r = s.do(req{method: "POST", path: web.PathSignInSetup, session: half, body: form})
	expect(t, r, http.StatusSeeOther)
	full := cookieOf(r, auth.SessionCookieName)
	if loc := r.header.Get("Location"); loc != "/admin/users" || full == "" || full == half {
		t.Fatalf("after set-up: Location %q, new session %v", loc, full != "" && full != half)
	}
	expect(t, s.do(req{method: "GET", path: "/admin/users", session: full}), http.StatusOK)
}

// TestPageAdminAddsAUserWhoCanSignIn: an administrator adds a colleague
// with a first password through the page; a weak password is refused and
// never written back; the colleague then signs in.
func TestPageAdminAddsAUserWhoCanSignIn(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	sess, _ := s.admin(o.ID, "admin@example.org")
	form := url.Values{"email": {"new.colleague@example.org"}, "display_name": {"New colleague"}, "role": {"screener"}, "password": {"password"}}
	r := s.do(req{method: "POST", path: web.PathAdminUserNew, session: sess, body: form})
	expect(t, r, http.StatusUnprocessableEntity)
	if strings.Contains(string(r.body), `value="password"`) {
		t.Error("the refused password was written back into the page")
	}
	form.Set("password", "a first password handed over in person")
	r = s.do(req{method: "POST", path: web.PathAdminUserNew, session: sess, body: form})
	expect(t, r, http.StatusSeeOther)
	r = s.do(req{method: "POST", path: web.PathSignIn, body: url.Values{"email": {"new.colleague@example.org"}, "password": {"a first password handed over in person"}, "next": {"/"}}})
	expect(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/" {
		t.Errorf("the new colleague's sign-in went to %q", loc)
	}
}
