package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

var (
	fixtureOnce   sync.Once
	fixtureBundle *content.Bundle
	fixtureEngine *screening.Engine
)

func mustBundle(tb testing.TB) (*content.Bundle, *screening.Engine) {
	tb.Helper()
	fixtureOnce.Do(func() {
		fixtureBundle = content.MustLoadEmbedded()
		fixtureEngine = screening.New(fixtureBundle)
	})
	return fixtureBundle, fixtureEngine
}

func mustRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	b, _ := mustBundle(tb)
	r, err := New(b)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return r
}

// mustVignette reads one of the engine's development vignettes (answers
// written from a narrative) as evidence.
func mustVignette(tb testing.TB, name string) *screening.Evidence {
	tb.Helper()
	b, _ := mustBundle(tb)
	path := filepath.Join("..", "screening", "testdata", "vignettes", name+".yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read vignette: %v", err)
	}
	ev, err := screening.ParseAnswers(b, path, data)
	if err != nil {
		tb.Fatalf("parse vignette: %v", err)
	}
	return ev
}

func mustResult(tb testing.TB, ev *screening.Evidence) *screening.Result {
	tb.Helper()
	_, e := mustBundle(tb)
	res, err := e.Evaluate(ev)
	if err != nil {
		tb.Fatalf("evaluate: %v", err)
	}
	return res
}

var (
	fixedTime = time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC)
	staffUser = &UserInfo{ID: "u_1", DisplayName: "Ana Ruiz", Role: discern.RoleCaseworker, OrgName: "Harbour Outreach"}
	adminUser = &UserInfo{ID: "u_9", DisplayName: "Sam Okafor", Role: discern.RoleAdministrator, OrgName: "Harbour Outreach"}
)

func ptr[T any](v T) *T { return &v }

// page is one rendered fixture.
type page struct {
	name   string
	render func(w http.ResponseWriter) error
}

// fixturePages returns every page of the interface, filled with realistic
// data (real content, real engine results), in one language.
func fixturePages(tb testing.TB, r *Renderer, lang string) []page {
	tb.Helper()
	b, _ := mustBundle(tb)
	d01 := mustVignette(tb, "D01")
	d01.Language = lang
	res01 := mustResult(tb, d01)
	short := &screening.Evidence{Instrument: "short", Language: lang, Jurisdictions: []string{"england-wales", "uk-nrm", "palermo"},
		Answers: []screening.Answer{
			{Question: "safe_now", Value: "no", Provenance: "self_report"},
			{Question: "age", Value: "prefer_not", Provenance: "self_report"},
			{Question: "exchange_sex", Value: "yes", Provenance: "self_report"},
			{Question: "others_involved", Value: "yes", Provenance: "self_report"},
			{Question: "money_share", Value: "a_share", Provenance: "third_party"},
			{Question: "legal_situation", Options: []string{"charges_now"}, Provenance: "document"},
		}}
	resShort := mustResult(tb, short)
	pg := func(user *UserInfo, cur string) Page {
		return Page{Lang: lang, User: user, CurrentURL: cur, RequestID: "req-7f3a"}
	}
	person := &casework.PersonView{ID: "p_1", CaseCode: "HX-4821", Name: ptr("Maria Example"), AgeEstimate: ptr("about 20"),
		AssignedTo: "u_1", CreatedAt: fixedTime, UpdatedAt: fixedTime,
		Redacted: []discern.DataClass{discern.ClassContact}}
	summaries := []*casework.ScreeningSummary{
		{ID: "s_1", PersonID: "p_1", Status: discern.ScreeningComplete, CreatedAt: fixedTime, UpdatedAt: fixedTime,
			Determinations: map[string]string{"us-federal": "sex_trafficking", "palermo": "sex_trafficking"}},
		{ID: "s_2", PersonID: "p_1", Status: discern.ScreeningDraft, CreatedAt: fixedTime, UpdatedAt: fixedTime},
	}
	tasks := []*casework.TaskView{
		{ID: "t_1", PersonID: "p_1", Title: "Call the legal clinic about the hearing", Status: discern.TaskOpen, DueAt: ptr(fixedTime.Add(48 * time.Hour))},
		{ID: "t_2", PersonID: "p_1", Title: "Book a sexual-health appointment", Status: discern.TaskDone},
	}
	stepForm := url.Values{"a.age": {"abc"}, "x.age": {""}, "p.age": {"observed"}, "a.age_doubt": {"yes"}, "a.status": {"no_status"}}
	_, stepProblems := ParseInterviewForm(b, SectionQuestions(b, "short", 1), stepForm)
	org := &discern.Organization{ID: "o_1", Name: "Harbour Outreach", Country: "GB", Region: "GB-ENG",
		Settings: discern.OrganizationSettings{DefaultLanguage: "en", Jurisdictions: []string{"england-wales", "uk-nrm"}}}
	pages := []page{
		{"home", func(w http.ResponseWriter) error {
			return r.Home(w, HomePage{Page: pg(staffUser, "/"), Drafts: summaries[1:], Completed: summaries[:1], Tasks: tasks,
				CaseCodes: map[string]string{"p_1": "HX-4821"}})
		}},
		{"signin", func(w http.ResponseWriter) error {
			return r.SignIn(w, SignInPage{Page: pg(nil, "/signin"), Email: "ana@example.org",
				Problems: FieldProblems{{Field: "password", Key: "problem.signin_failed"}}})
		}},
		{"signin_code", func(w http.ResponseWriter) error {
			return r.SignIn(w, SignInPage{Page: pg(nil, "/signin/code"), CodeStep: true})
		}},
		{"sessions", func(w http.ResponseWriter) error {
			return r.Sessions(w, SessionsPage{Page: pg(staffUser, "/sessions"), Sessions: SessionRows([]*discern.Session{
				{ID: "se_1", CreatedAt: fixedTime, LastSeenAt: fixedTime, ExpiresAt: fixedTime.Add(12 * time.Hour), MFAVerified: true},
				{ID: "se_2", CreatedAt: fixedTime.Add(-72 * time.Hour), LastSeenAt: fixedTime.Add(-70 * time.Hour), ExpiresAt: fixedTime.Add(-60 * time.Hour)},
			}, "se_1")})
		}},
		{"interview_start", func(w http.ResponseWriter) error {
			return r.InterviewStart(w, InterviewStartPage{Page: pg(staffUser, "/screenings/new?person=p_1"), Person: person,
				Form:      StartForm{Language: lang, Instrument: "short", Jurisdictions: []string{"england-wales", "uk-nrm", "palermo"}},
				Suggested: SuggestJurisdictions(b, "GB", "GB-ENG")})
		}},
		{"interview_start_problems", func(w http.ResponseWriter) error {
			f, ps := ParseStartForm(b, url.Values{"language": {lang}, "instrument": {"short"}})
			return r.InterviewStart(w, InterviewStartPage{Page: pg(staffUser, "/screenings/new"), Form: f, Problems: ps})
		}},
		{"interview", func(w http.ResponseWriter) error {
			return r.Interview(w, InterviewPage{Page: pg(staffUser, "/screenings/s_2/interview?step=2"), ScreeningID: "s_2",
				CaseCode: "HX-4821", Evidence: short, Step: 2, Restored: true, SavedAt: fixedTime})
		}},
		{"interview_problems", func(w http.ResponseWriter) error {
			return r.Interview(w, InterviewPage{Page: pg(staffUser, "/screenings/s_2/interview?step=1"), ScreeningID: "s_2",
				Evidence: short, Step: 1, Form: stepForm, Problems: stepProblems})
		}},
		{"interview_followups", func(w http.ResponseWriter) error {
			return r.Interview(w, InterviewPage{Page: pg(staffUser, "/screenings/s_2/interview?step=followups"), ScreeningID: "s_2",
				CaseCode: "HX-4821", Evidence: short, FollowupStep: true, Followups: resShort.Followups})
		}},
		{"result", func(w http.ResponseWriter) error {
			return r.Result(w, ResultPage{Page: pg(staffUser, "/screenings/s_1"), ScreeningID: "s_1", CaseCode: "HX-4821", PersonID: "p_1",
				Status: discern.ScreeningComplete, CompletedAt: &fixedTime, Result: res01})
		}},
		{"result_draft", func(w http.ResponseWriter) error {
			return r.Result(w, ResultPage{Page: pg(staffUser, "/screenings/s_2"), ScreeningID: "s_2",
				Status: discern.ScreeningDraft, Result: resShort, CanContinue: true, Redacted: []discern.DataClass{discern.ClassHealth}})
		}},
		{"result_print", func(w http.ResponseWriter) error {
			return r.Result(w, ResultPage{Page: pg(staffUser, "/screenings/s_1?print=1"), ScreeningID: "s_1", CaseCode: "HX-4821",
				Status: discern.ScreeningComplete, CompletedAt: &fixedTime, Result: res01, Print: true})
		}},
		{"person", func(w http.ResponseWriter) error {
			return r.Person(w, PersonPage{Page: pg(staffUser, "/people/p_1"), Person: person, Screenings: summaries, Tasks: tasks,
				Notes: []*casework.NoteView{
					{ID: "n_1", PersonID: "p_1", AuthorID: "u_1", Class: discern.ClassNarrative, Body: ptr("Met at the drop-in.\nPrefers text messages after 6 pm."), CreatedAt: fixedTime},
					{ID: "n_2", PersonID: "p_1", AuthorID: "u_4", Class: discern.ClassHealth, CreatedAt: fixedTime},
				},
				Encounters: []*casework.EncounterView{{ID: "e_1", PersonID: "p_1", OccurredAt: fixedTime, PlaceKind: discern.PlaceVenue,
					Redacted: []discern.DataClass{discern.ClassNarrative}}},
				CanSeeAccess: true, UserNames: map[string]string{"u_1": "Ana Ruiz"}})
		}},
		{"person_problems", func(w http.ResponseWriter) error {
			f, ps := ParseNoteForm(url.Values{"class": {"gossip"}, "body": {"  "}})
			return r.Person(w, PersonPage{Page: pg(staffUser, "/people/p_1"), Person: &casework.PersonView{ID: "p_2", CaseCode: "QK-1130", Erased: true},
				NoteForm: f, Problems: ps})
		}},
		{"people", func(w http.ResponseWriter) error {
			return r.People(w, PeoplePage{Page: pg(staffUser, "/people"), People: []*casework.PersonView{person,
				{ID: "p_2", CaseCode: "QK-1130", CreatedAt: fixedTime, Erased: true}}, NextURL: "/people?cursor=x"})
		}},
		{"people_problems", func(w http.ResponseWriter) error {
			in, ps := ParsePersonForm(url.Values{"name": {strings.Repeat("n", 201)}, "contact": {"Signal after 6 pm"}})
			return r.People(w, PeoplePage{Page: pg(staffUser, "/people?case_code=ZZ-0000"), Query: "ZZ-0000", Form: in, Problems: ps})
		}},
		{"access", func(w http.ResponseWriter) error {
			return r.Access(w, AccessPage{Page: pg(staffUser, "/people/p_1/access"), TargetType: "person", TargetID: "p_1", Label: "HX-4821",
				Entries: []*discern.AuditEntry{
					{Seq: 12, Time: fixedTime, ActorID: "u_1", Action: "person.read", TargetType: "person", TargetID: "p_1",
						DataClasses: []discern.DataClass{discern.ClassIdentity}, Outcome: discern.OutcomeSuccess},
					{Seq: 9, Time: fixedTime.Add(-time.Hour), ActorID: "u_5", Action: "person.read", TargetType: "person", TargetID: "p_1",
						DataClasses: []discern.DataClass{discern.ClassIdentity, discern.ClassContact}, Outcome: discern.OutcomeDenied},
					{Seq: 3, Time: fixedTime.Add(-48 * time.Hour), Action: "person.create", TargetType: "person", TargetID: "p_1", Outcome: discern.OutcomeSuccess},
				},
				UserNames: map[string]string{"u_1": "Ana Ruiz"}, NextURL: "/people/p_1/access?cursor=abc"})
		}},
		{"admin_users", func(w http.ResponseWriter) error {
			return r.AdminUsers(w, AdminUsersPage{Page: pg(adminUser, "/admin/users"), Users: UserRows([]*discern.User{
				{ID: "u_1", Email: "ana@example.org", DisplayName: "Ana Ruiz", Role: discern.RoleCaseworker, MFASecret: discern.Sealed{1}},
				{ID: "u_2", Email: "lee@example.org", DisplayName: "Lee Chen", Role: discern.RoleScreener, Disabled: true},
			})})
		}},
		{"admin_user_form", func(w http.ResponseWriter) error {
			f, ps := ParseUserForm(url.Values{"email": {"not-an-email"}, "display_name": {"Jo"}, "role": {"overlord"}})
			return r.AdminUserForm(w, AdminUserFormPage{Page: pg(adminUser, "/admin/users/new"), Form: f, Problems: ps})
		}},
		{"admin_org", func(w http.ResponseWriter) error {
			return r.AdminOrg(w, AdminOrgPage{Page: pg(adminUser, "/admin/organization"), Org: org, Form: OrgFormFrom(org), Saved: true})
		}},
		{"error", func(w http.ResponseWriter) error {
			return r.Error(w, ErrorPage{Page: pg(staffUser, "/people/nope"), Status: http.StatusNotFound})
		}},
	}
	return append(pages, planFixturePages(tb, r, lang, pg, person, res01)...)
}

func renderPage(tb testing.TB, p page) (int, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	if err := p.render(rec); err != nil {
		tb.Fatalf("%s: render: %v", p.name, err)
	}
	return rec.Code, rec.Body.String()
}
