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
	consents := []*casework.ConsentView{
		{ID: "c_1", Version: 2, Recipient: discern.Recipient{Kind: discern.RecipientOrganization, ID: "org-legal"}, RecipientName: "Harbour Legal Aid (fictional)",
			Classes: []discern.DataClass{discern.ClassCase, discern.ClassContact}, Purposes: []discern.ConsentPurpose{discern.PurposeReferral},
			Method: discern.ConsentVerbal, ValidFrom: fixedTime, State: discern.ConsentActive},
		{ID: "c_2", Version: 1, Recipient: discern.Recipient{Kind: discern.RecipientService, ID: "svc-1", OrgID: "org-x"}, RecipientName: "Lantern shelter (fictional)",
			Classes: []discern.DataClass{discern.ClassCase}, Purposes: []discern.ConsentPurpose{discern.PurposeDocuments},
			Method: discern.ConsentWritten, ValidFrom: fixedTime, RevokedAt: ptr(fixedTime), State: discern.ConsentRevoked},
	}
	recipients := []RecipientChoice{{Value: "organization:org-legal", Label: "Harbour Legal Aid (fictional)"},
		{Value: "service:svc-1", Label: "Immigration clinic", Service: true}}
	needs := []string{"legal_immigration", "shelter", "medical"}
	referral := &casework.ReferralView{ID: "r_1", Side: discern.SideRecipient, SenderOrgName: "Harbour Outreach",
		Recipient: discern.Recipient{Kind: discern.RecipientOrganization, ID: "org-legal"}, RecipientName: "Harbour Legal Aid (fictional)",
		Needs: []string{"legal_immigration"}, Classes: []discern.DataClass{discern.ClassCase, discern.ClassContact},
		Shown: []discern.DataClass{discern.ClassCase}, Withheld: []discern.DataClass{discern.ClassContact},
		WithheldReason: "The person has not agreed to share every kind of information asked for; only what they agreed to passes.",
		Basis:          discern.BasisConsent, State: discern.ReferralReceived, FHIRStatus: "received", CreatedAt: fixedTime, StateSince: fixedTime, Overdue: true,
		Packet: &casework.Packet{CaseCode: "HX-4821", Needs: []string{"legal_immigration"}, AgeStatus: "adult",
			Screening: []casework.PacketJurisdiction{{Jurisdiction: "palermo", Determination: "sex_trafficking", Situation: "trafficking_all_elements"}}},
		Next: []discern.ReferralState{discern.ReferralAccepted, discern.ReferralRejected},
		History: []casework.ReferralEventView{{To: discern.ReferralRequested, Side: discern.SideSender, At: fixedTime},
			{From: discern.ReferralRequested, To: discern.ReferralReceived, Side: discern.SideRecipient, At: fixedTime, Reason: "Called the person back"}}}
	exceptionReferral := &casework.ReferralView{ID: "r_2", PersonID: "p_1", Side: discern.SideSender, External: true,
		Recipient: discern.Recipient{Kind: discern.RecipientService, ID: "svc-cp"}, RecipientName: "Children's services (fictional)",
		Classes: []discern.DataClass{discern.ClassCase, discern.ClassIdentity}, Shown: []discern.DataClass{discern.ClassCase, discern.ClassIdentity},
		Basis: discern.BasisException, ExceptionID: "court", ExceptionReason: "Order of the family court, case FC-118.", ChildProtection: true,
		State: discern.ReferralRequested, FHIRStatus: "requested", CreatedAt: fixedTime, StateSince: fixedTime,
		Packet: &casework.Packet{CaseCode: "HX-4821", Name: "Maria Example", ContactSafety: &casework.PacketContactSafety{TimeZone: "Europe/London",
			AskForCodeWord: true, Channels: []discern.SafeChannel{{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{From: 18 * 60, To: 21 * 60}}}}}},
		Next:     []discern.ReferralState{discern.ReferralCancelled, discern.ReferralWithdrawn},
		OnBehalf: []discern.ReferralState{discern.ReferralReceived}}
	stepForm := url.Values{"a.age": {"abc"}, "x.age": {""}, "p.age": {"observed"}, "a.age_doubt": {"yes"}, "a.status": {"no_status"}}
	_, stepProblems := ParseInterviewForm(b, SectionQuestions(b, "short", 1), stepForm)
	org := &discern.Organization{ID: "o_1", Name: "Harbour Outreach", Country: "GB", Region: "GB-ENG",
		Settings: discern.OrganizationSettings{DefaultLanguage: "en", Jurisdictions: []string{"england-wales", "uk-nrm"},
			LegalExceptions: []discern.LegalException{{ID: "child_protection", Kind: discern.ExceptionChildProtection,
				Label: "Mandatory child-protection referral", Citation: "Children Act 1989 s.47", Active: true}}}}
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
				Status: discern.ScreeningComplete, CompletedAt: &fixedTime, Result: res01,
				LetterRecipients: []DocumentRecipient{{Kind: "organization", ID: "org-legal", Name: "Harbour Legal Aid (fictional)"}}})
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
				Consents: consents, Referrals: []*casework.ReferralView{referral, exceptionReferral}, CanManageConsent: true, CanRefer: true,
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
		{"directory", func(w http.ResponseWriter) error {
			km := "1.4"
			return r.Directory(w, DirectoryPage{Page: pg(staffUser, "/directory?screening=s_1"), Services: 30, ScreeningID: "s_1", PersonID: "p_1",
				Suggested:        []string{"directory.suggested_needs", "directory.suggested_age"},
				NeedChoices:      []string{"legal_immigration", "shelter", "medical", "mental_health", "harm_reduction", "labour_rights", "language"},
				AttributeChoices: []string{"confidential", "free", "lgbtq_affirming", "no_id_required", "serves_trafficking_survivors", "sex_worker_led"},
				Form:             DirectoryForm{Needs: []string{"shelter", "legal_immigration"}, Attributes: []string{"confidential"}, Age: "24", Languages: "ro"},
				Searched:         true, Matches: []DirectoryMatch{{ServiceID: "svc-1", Name: "Emergency shelter beds (fictional)", Organization: "Lantern House Shelter (fictional)",
					Location: "Old Town site (fictional)", DistanceKm: km, Phone: "+1 555 0203", URL: "https://lantern-house-shelter.example.org/services/3",
					Covered: []string{"shelter"},
					Why:     []DirectoryPoint{{"need", "shelter"}, {"age", "18 and over"}, {"language", "ro"}, {"attribute", "confidential"}, {"distance", km}},
					Gaps:    []DirectoryPoint{{"need", "legal_immigration"}, {"gender", ""}}}}})
		}},
		{"directory_problems", func(w http.ResponseWriter) error {
			return r.Directory(w, DirectoryPage{Page: pg(staffUser, "/directory?age=200"), Services: 0, Searched: true,
				NeedChoices: []string{"shelter"}, Form: DirectoryForm{Age: "200"},
				Problems: FieldProblems{{Field: "age", Key: "directory.problem_age", Value: "200"}, {Field: "needs", Key: "directory.problem_needs"}}})
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
		{"consent_form", func(w http.ResponseWriter) error {
			f, _, ps := ParseConsentForm(url.Values{"recipient": {"service:svc-1"}, "classes": {"case"}, "valid_until": {"2020-01-01"}}, fixedTime)
			return r.ConsentForm(w, ConsentFormPage{Page: pg(staffUser, "/people/p_1/consents/new"), Person: person, Form: f, Problems: ps,
				Recipients: recipients})
		}},
		{"referral_new", func(w http.ResponseWriter) error {
			f, _, ps := ParseReferralForm(url.Values{"recipient": {"organization:org-legal"}, "needs": {"shelter"}, "message": {"Needs a bed tonight"}}, needs, false)
			return r.ReferralNew(w, ReferralNewPage{Page: pg(staffUser, "/people/p_1/referrals/new"), Person: person, Form: f, Problems: ps,
				Recipients: recipients, Needs: needs})
		}},
		{"referral_new_preview", func(w http.ResponseWriter) error {
			f, _, _ := ParseReferralForm(url.Values{"recipient": {"organization:org-legal"}, "needs": {"legal_immigration"}, "classes": {"case", "health"}}, needs, false)
			return r.ReferralNew(w, ReferralNewPage{Page: pg(staffUser, "/people/p_1/referrals/new"), Person: person, Form: f, Needs: needs,
				Preview: &casework.ReferralPreview{RecipientName: "Harbour Legal Aid (fictional)", Internal: true, PossibleMinor: true,
					Decision: discern.ConsentDecision{Permitted: []discern.DataClass{discern.ClassCase}, Withheld: []discern.DataClass{discern.ClassHealth}, Code: "too_narrow"},
					Consequences: []casework.Consequence{{Jurisdiction: "uk-nrm", PathwayID: "duty_to_notify", ConsentRule: "anonymous_without_consent",
						Citations: []string{"Modern Slavery Act 2015 s.52"}}},
					Exceptions: []discern.LegalException{{ID: "cp", Kind: discern.ExceptionChildProtection, Label: "Mandatory child-protection referral", Citation: "Children Act 1989 s.47", Active: true}}}})
		}},
		{"referral", func(w http.ResponseWriter) error {
			return r.Referral(w, ReferralPage{Page: pg(staffUser, "/referrals/r_1"), Referral: referral, Outcomes: discern.ReferralOutcomes, Moved: true})
		}},
		{"referral_exception", func(w http.ResponseWriter) error {
			return r.Referral(w, ReferralPage{Page: pg(staffUser, "/referrals/r_2"), Referral: exceptionReferral, Outcomes: discern.ReferralOutcomes,
				Exception: &discern.LegalException{ID: "court", Kind: discern.ExceptionCourtOrder, Label: "Court order", Citation: "Family Procedure Rules r.12", Active: true}})
		}},
		{"inbox", func(w http.ResponseWriter) error {
			return r.Inbox(w, InboxPage{Page: pg(staffUser, "/referrals"), Referrals: []*casework.ReferralView{referral}})
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
