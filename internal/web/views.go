package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

// Page is the chrome every page shares. A handler fills the exported
// fields it knows; the renderer fills the rest (L, Dir, the title).
type Page struct {
	// Lang is the interface language (en, es); unknown languages fall back
	// to English.
	Lang string
	// Title overrides the page's default title.
	Title string
	// User is the signed-in user, nil on the sign-in pages.
	User *UserInfo
	// CurrentURL is the request's path and query, where the language
	// switch returns to.
	CurrentURL string
	// Notices are messages shown at the top (e.g. "saved"), as interface
	// text keys.
	Notices []Notice
	// RequestID is shown on error pages so a user can quote it.
	RequestID string

	// L gives the page its words; set by the renderer.
	L *Localizer
	// Dir is ltr or rtl, from the language; set by the renderer.
	Dir string

	languages []string
	names     map[string]string
	print     bool
	// langInForm moves the language switch into the page's own form, so
	// that switching saves what was typed instead of dropping it.
	langInForm bool
}

// LangInForm reports whether the page carries the language switch inside
// its form (the interview) rather than in the header.
func (p *Page) LangInForm() bool { return p.langInForm }

// PrintView reports whether the page is the paper version (no navigation).
func (p *Page) PrintView() bool { return p.print }

// Language is one entry of the language switch.
type Language struct {
	ID, Name string
	Current  bool
}

// Languages lists the switch's entries.
func (p *Page) Languages() []Language {
	out := make([]Language, 0, len(p.languages))
	for _, id := range p.languages {
		out = append(out, Language{ID: id, Name: p.names[id], Current: id == p.Lang})
	}
	return out
}

// ReturnURL is where the language switch sends the browser back to; only a
// local path is allowed, so the switch cannot be made into an open
// redirect.
func (p *Page) ReturnURL() string { return LocalPath(p.CurrentURL) }

// LocalPath returns u if it is a path on this site, and "/" otherwise.
// The server's language handler uses it on the posted return value.
func LocalPath(u string) string {
	if len(u) == 0 || u[0] != '/' || (len(u) > 1 && (u[1] == '/' || u[1] == '\\')) {
		return "/"
	}
	for _, c := range u {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	return u
}

// UserInfo is the signed-in user as the chrome shows them.
type UserInfo struct {
	ID          string
	DisplayName string
	Role        discern.Role
	OrgName     string
}

// IsAdmin reports whether the user sees the administration links.
func (u *UserInfo) IsAdmin() bool { return u != nil && u.Role == discern.RoleAdministrator }

// ReceivesReferrals reports whether the user sees the referral inbox.
func (u *UserInfo) ReceivesReferrals() bool {
	return u != nil && (u.Role == discern.RoleCaseworker || u.Role == discern.RoleSupervisor)
}

// Notice is a message at the top of a page. Level is info, success or
// warning; Key is an interface text key.
type Notice struct {
	Level string
	Key   string
}

// HomePage is the signed-in start page: my drafts, my recent screenings,
// my tasks.
type HomePage struct {
	Page
	Drafts    []*casework.ScreeningSummary
	Completed []*casework.ScreeningSummary
	Tasks     []*casework.TaskView
	// CaseCodes maps person ids to case codes, for the lists' links.
	CaseCodes map[string]string
	// Reminders are the user's open notifications (the "reminder_list"
	// partial): their own reminders and messages for them to deliver.
	Reminders []*casework.NotificationView
}

// SignInPage is the sign-in form: first email and password, then, when
// the account has a second factor, the code step.
type SignInPage struct {
	Page
	// CodeStep shows the second-factor form instead of the password form.
	CodeStep bool
	// SetupStep shows how to set up a first second factor: the secret to
	// type into an authenticator app (and its otpauth URL), and a field for
	// the first code. EnrollmentToken goes back with the code.
	SetupStep       bool
	Secret          string
	OTPURL          string
	EnrollmentToken string
	Email           string
	Problems        FieldProblems
	// Next is a local path to go to after signing in.
	Next string
}

// SessionRow is one of the user's sessions.
type SessionRow struct {
	ID          string
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time
	MFAVerified bool
	Current     bool
}

// SessionsPage lists the user's sessions, with sign out and sign out
// everywhere.
type SessionsPage struct {
	Page
	Sessions []SessionRow
}

// SessionRows turns stored sessions into rows, marking the current one.
func SessionRows(ss []*discern.Session, currentID string) []SessionRow {
	out := make([]SessionRow, 0, len(ss))
	for _, s := range ss {
		out = append(out, SessionRow{ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt,
			ExpiresAt: s.ExpiresAt, MFAVerified: s.MFAVerified, Current: s.ID == currentID})
	}
	return out
}

// InterviewStartPage begins a screening: who (a known person or
// anonymous), the language it is held in, the form, and the jurisdictions
// to test.
type InterviewStartPage struct {
	Page
	// Person is the known person, nil for an anonymous screening.
	Person *casework.PersonView
	// Form holds the choices: the organization's defaults at first, what
	// was posted when there are problems.
	Form     StartForm
	Problems FieldProblems
	// Suggested are the jurisdictions the organization's location suggests;
	// the page marks them.
	Suggested []string
}

// InterviewPage is one step of the interview: a section of the
// instrument, or the follow-up questions after the last section.
type InterviewPage struct {
	Page
	ScreeningID string
	// CaseCode is the person's case code, empty for an anonymous
	// screening.
	CaseCode string
	// Evidence is the draft so far: language, instrument, jurisdictions
	// and every answer saved.
	Evidence *screening.Evidence
	// Step is the section index (0-based) of Evidence.Instrument; ignored
	// on the follow-up step.
	Step int
	// FollowupStep makes this the step after the last section: the
	// engine's ranked follow-up questions (Followups, from the result of
	// the answers so far), with how many open elements each could settle.
	// With no follow-ups it says every element is settled.
	FollowupStep bool
	Followups    []screening.Followup
	// Form is the posted form when it is shown again with problems, so
	// that every value typed comes back exactly as typed.
	Form     map[string][]string
	Problems FieldProblems
	// Restored says the answers were restored from a saved draft.
	Restored bool
	SavedAt  time.Time
}

// ResultPage is a screening's result.
type ResultPage struct {
	Page
	ScreeningID string
	CaseCode    string
	PersonID    string
	Status      discern.ScreeningStatus
	CompletedAt *time.Time
	Result      *screening.Result
	// Redacted lists answer classes withheld from this user, which the
	// result was computed without.
	Redacted []discern.DataClass
	// Print renders the paper version: no navigation, no buttons.
	Print bool
	// CanContinue offers the follow-up questions (the screening is a
	// draft the user may edit).
	CanContinue bool
	// Documents are the recipients the person agreed to give documents to
	// (screening_documents partial); DocumentsURL is where their form goes.
	Documents    []DocumentRecipient
	DocumentsURL string
	// LetterRecipients are those the person agreed to give a
	// non-punishment letter to (purpose legal_support), when the result
	// raises the non-punishment alert.
	LetterRecipients []DocumentRecipient
	// CanTrack offers "Track this pathway" next to each pathway (the
	// screening is a person's and the role may start plans); Tracked maps
	// "jurisdiction/pathway" to the plan already tracking it.
	CanTrack bool
	Tracked  map[string]string
}

// DocumentRecipient is a recipient of a person's active consent with the
// purpose documents, and the classes it covers.
type DocumentRecipient struct {
	Kind, ID, Name string
	Classes        []discern.DataClass
}

// PersonPage is one person's record.
type PersonPage struct {
	Page
	Person     *casework.PersonView
	Screenings []*casework.ScreeningSummary
	Notes      []*casework.NoteView
	Tasks      []*casework.TaskView
	Encounters []*casework.EncounterView
	// CanSeeAccess shows the link to "who accessed this record".
	CanSeeAccess bool
	// UserNames maps user ids to display names for authors and assignees.
	UserNames map[string]string
	// NoteForm keeps a note being written when it is shown again.
	NoteForm NoteForm
	Problems FieldProblems
	// Consents and Referrals are the person's consent records and the
	// referrals made for them; the Can fields show the buttons the
	// caller's role allows.
	Consents         []*casework.ConsentView
	Referrals        []*casework.ReferralView
	CanManageConsent bool
	CanRefer         bool

	// Plans are the pathways tracked for the person, each redacted to the
	// role's classes (the "person_plans" partial).
	Plans []*casework.PlanView
	// Contact is the person's contact-safety rules, nil when the role may
	// not read them (the "person_contact_safety" partial); CanEditContact
	// offers the form, ContactForm and ContactProblems keep what was typed
	// when it is shown again.
	Contact         *casework.ContactSafetyView
	CanEditContact  bool
	ContactForm     ContactSafetyForm
	ContactProblems FieldProblems
}

// NoteClasses lists the classes the note form offers.
func (p *PersonPage) NoteClasses() []discern.DataClass { return NoteClasses }

// AccessPage is a record's access history: who read or changed it.
type AccessPage struct {
	Page
	// TargetType is person or screening; TargetID its id; Label what the
	// page calls it (a case code).
	TargetType, TargetID, Label string
	Entries                     []*discern.AuditEntry
	UserNames                   map[string]string
	// NextURL is the next page of older entries, empty at the end.
	NextURL string
}

// ActionText names an audited action in words ("person.read" → "read
// the record"), or shows the action itself when it has no words yet.
func (p *AccessPage) ActionText(action string) string {
	key := "action." + action
	if s := p.L.T(key); s != key {
		return s
	}
	return action
}

// AdminUsersPage lists the organization's users.
type AdminUsersPage struct {
	Page
	Users []UserRow
	// NextURL is the next page of users, empty at the end.
	NextURL string
}

// UserRow is a user as the users list shows them. It is made from the
// stored user with UserRows so that no password hash or sealed secret
// ever reaches a template.
type UserRow struct {
	ID          string
	Email       string
	DisplayName string
	Role        discern.Role
	MFAEnrolled bool
	Disabled    bool
}

// UserRows turns stored users into rows.
func UserRows(us []*discern.User) []UserRow {
	out := make([]UserRow, 0, len(us))
	for _, u := range us {
		out = append(out, UserRow{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: u.Role,
			MFAEnrolled: len(u.MFASecret) > 0, Disabled: u.Disabled})
	}
	return out
}

// AdminUserFormPage creates a user.
type AdminUserFormPage struct {
	Page
	Form     UserForm
	Problems FieldProblems
}

// Roles lists the roles the form offers.
func (p *AdminUserFormPage) Roles() []discern.Role { return Roles }

// AdminOrgPage shows and edits the organization's settings.
type AdminOrgPage struct {
	Page
	Org      *discern.Organization
	Form     OrgForm
	Problems FieldProblems
	Saved    bool
	// ExceptionForm and ExceptionProblems are the form that adds a legal
	// exception to consent.
	ExceptionForm     ExceptionForm
	ExceptionProblems FieldProblems
}

// ErrorPage explains what went wrong, in words safe to show.
type ErrorPage struct {
	Page
	Status int
	// MessageKey is an interface text key; empty picks one by status.
	MessageKey string
	// Detail is the refusal's own message, when it is one meant to be
	// shown (bad input, a conflict, a consent that does not cover the
	// request); never set for other errors.
	Detail string
}

// Home renders the home page.
func (r *Renderer) Home(w http.ResponseWriter, p HomePage) error {
	r.prepare(&p.Page, "home.title")
	return r.render(w, http.StatusOK, "home", &p)
}

// SignIn renders the sign-in page; with problems it answers 422 so tools
// and tests can tell a refused form from a fresh one.
func (r *Renderer) SignIn(w http.ResponseWriter, p SignInPage) error {
	key := "signin.title"
	if p.CodeStep {
		key = "signin.code_title"
	}
	p.Next = LocalPath(p.Next)
	r.prepare(&p.Page, key)
	return r.render(w, statusFor(p.Problems), "signin", &p)
}

// Sessions renders "your sessions".
func (r *Renderer) Sessions(w http.ResponseWriter, p SessionsPage) error {
	r.prepare(&p.Page, "sessions.title")
	return r.render(w, http.StatusOK, "sessions", &p)
}

// Person renders a person's page.
func (r *Renderer) Person(w http.ResponseWriter, p PersonPage) error {
	r.prepare(&p.Page, "person.title")
	status := statusFor(p.Problems)
	if len(p.ContactProblems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return r.render(w, status, "person", &p)
}

// Access renders a record's access history.
func (r *Renderer) Access(w http.ResponseWriter, p AccessPage) error {
	r.prepare(&p.Page, "access.title")
	return r.render(w, http.StatusOK, "access", &p)
}

// AdminUsers renders the users list.
func (r *Renderer) AdminUsers(w http.ResponseWriter, p AdminUsersPage) error {
	r.prepare(&p.Page, "admin.users_title")
	return r.render(w, http.StatusOK, "admin_users", &p)
}

// AdminUserForm renders the create-user form.
func (r *Renderer) AdminUserForm(w http.ResponseWriter, p AdminUserFormPage) error {
	r.prepare(&p.Page, "admin.user_new_title")
	return r.render(w, statusFor(p.Problems), "admin_user_form", &p)
}

// AdminOrg renders the organization settings.
func (r *Renderer) AdminOrg(w http.ResponseWriter, p AdminOrgPage) error {
	r.prepare(&p.Page, "admin.org_title")
	v := &adminOrgView{AdminOrgPage: &p}
	lang := p.Form.Settings.DefaultLanguage
	for _, loc := range r.bundle.Locales {
		v.LanguageChoices = append(v.LanguageChoices, choiceView{Value: loc.ID, Label: loc.Name, Checked: loc.ID == lang})
	}
	for _, j := range r.bundle.Jurisdictions {
		v.JurisdictionChoices = append(v.JurisdictionChoices, choiceView{InputID: "jur-" + j.ID, Value: j.ID,
			Label: p.L.T("jurisdiction." + j.ID), Checked: slices.Contains(p.Form.Settings.Jurisdictions, j.ID)})
	}
	status := statusFor(p.Problems)
	if len(p.ExceptionProblems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return r.render(w, status, "admin_org", v)
}

// Error renders an error page with its status.
func (r *Renderer) Error(w http.ResponseWriter, p ErrorPage) error {
	if p.Status == 0 {
		p.Status = http.StatusInternalServerError
	}
	if p.MessageKey == "" {
		switch p.Status {
		case http.StatusNotFound:
			p.MessageKey = "error.not_found"
		case http.StatusForbidden:
			p.MessageKey = "error.forbidden"
		case http.StatusUnauthorized:
			p.MessageKey = "error.unauthorized"
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			p.MessageKey = "error.bad_request"
		case http.StatusTooManyRequests:
			p.MessageKey = "error.rate_limited"
		default:
			p.MessageKey = "error.internal"
		}
	}
	r.prepare(&p.Page, "error.title")
	return r.render(w, p.Status, "error", &p)
}

type adminOrgView struct {
	*AdminOrgPage
	LanguageChoices     []choiceView
	JurisdictionChoices []choiceView
}

func statusFor(p FieldProblems) int {
	if len(p) > 0 {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// PeoplePage lists people (case codes only: identifying fields are read
// one person at a time, where each read is audited), finds one by case
// code, and adds a person.
type PeoplePage struct {
	Page
	People []*casework.PersonView
	// Query is the case code searched for, if any.
	Query   string
	NextURL string
	// Form keeps a new person's fields when they are shown again.
	Form     casework.PersonInput
	Problems FieldProblems
}

// People renders the people list.
func (r *Renderer) People(w http.ResponseWriter, p PeoplePage) error {
	r.prepare(&p.Page, "people.title")
	return r.render(w, statusFor(p.Problems), "people", &p)
}
