package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

// FieldProblem is one thing wrong with a posted form: which field, why (an
// interface text key), and the value as it was sent, so that the page can
// show it again untouched.
type FieldProblem struct {
	// Field is the form field's name ("a.age", "email").
	Field string
	// Question is the question id for interview fields, empty otherwise.
	Question string
	// Key is the interface text key of the message ("problem.age_range").
	Key string
	// Value is what was sent.
	Value string
}

// FieldProblems lists a form's problems in the order of its fields.
type FieldProblems []FieldProblem

// For returns the first problem with a field, or nil.
func (ps FieldProblems) For(field string) *FieldProblem {
	for i := range ps {
		if ps[i].Field == field {
			return &ps[i]
		}
	}
	return nil
}

// ForQuestion returns the first problem with any field of a question.
func (ps FieldProblems) ForQuestion(id string) *FieldProblem {
	for i := range ps {
		if ps[i].Question == id {
			return &ps[i]
		}
	}
	return nil
}

// Fields lists the names of the fields with problems, for logs and tests
// (never the values: they may be personal data).
func (ps FieldProblems) Fields() []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Field)
	}
	return out
}

// Nav is the button an interview form was sent with.
type Nav string

// The interview's buttons.
const (
	NavNext   Nav = "next"   // save this step and go on
	NavPrev   Nav = "prev"   // save this step and go back
	NavSave   Nav = "save"   // save and leave the interview
	NavFinish Nav = "finish" // save and see the result
	// NavAutosave is htmx saving the step in the background as answers
	// change; the handler saves and answers with AutosaveStatus.
	NavAutosave Nav = "autosave"
	// NavLanguage is the interview's own language switch: save the step,
	// switch the interface to the posted "lang", and show the same step.
	NavLanguage Nav = "language"
)

// ParseNav reads which button sent the form. Pressing Enter in a field
// sends the first button, which the pages make "next"; anything unknown is
// read the same way, since saving and going on loses nothing.
func ParseNav(form url.Values) Nav {
	if form.Get("lang") != "" {
		return NavLanguage
	}
	switch n := Nav(form.Get("nav")); n {
	case NavPrev, NavSave, NavFinish, NavAutosave:
		return n
	}
	return NavNext
}

// ParseStep reads the interview step a form was sent from (its "step"
// field, or the "step" query parameter): a section index, or "followups".
// ok is false for anything else.
func ParseStep(s string) (step int, followups, ok bool) {
	if s == "followups" {
		return 0, true, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1000 {
		return 0, false, false
	}
	return n, false, true
}

// ParseQuestionLanguage reads the language the interview's questions are
// asked in ("qlang"), which the interviewer can change at any step (an
// interpreter arrives, the person prefers another language). ok is false
// when the form does not name one the content has.
func ParseQuestionLanguage(b *content.Bundle, form url.Values) (lang string, ok bool) {
	lang = strings.TrimSpace(form.Get("qlang"))
	return lang, b.Locale(lang) != nil
}

// notAnswers are the words every question accepts besides its options.
var notAnswers = []string{"unknown", "prefer_not", "skipped"}

// ParseInterviewForm reads the answers to the questions a step showed
// (shown, from SectionQuestions or FollowupQuestions — the server's list,
// never the form's). It returns every answer it could read and a problem
// for each field it could not, naming the field; the caller saves the
// answers, and shows the page again with the posted form and the problems,
// so nothing typed is lost. A question left untouched has no answer: it
// stays open, which is not the same as "no".
//
// The form's fields per question q are:
//
//	a.q  the answer: yes, no, an option id, unknown, prefer_not or skipped
//	     (radios); the options ticked (multi); the years (age)
//	x.q  for age and multi questions: unknown, prefer_not or skipped instead
//	p.q  the provenance; missing means the question's default
func ParseInterviewForm(b *content.Bundle, shown []string, form url.Values) ([]screening.Answer, FieldProblems) {
	var answers []screening.Answer
	var problems FieldProblems
	for _, id := range shown {
		q := b.Question(id)
		if q == nil {
			problems = append(problems, FieldProblem{Field: "a." + id, Question: id, Key: "problem.unknown_question"})
			continue
		}
		a, ps, ok := parseQuestion(q, form)
		problems = append(problems, ps...)
		if ok {
			answers = append(answers, a)
		}
	}
	return answers, problems
}

func parseQuestion(q *content.Question, form url.Values) (screening.Answer, FieldProblems, bool) {
	id := q.ID
	aField, xField, pField := "a."+id, "x."+id, "p."+id
	a := screening.Answer{Question: id, Provenance: defaultProvenance(q)}
	var ps FieldProblems
	bad := func(field, key, value string) {
		ps = append(ps, FieldProblem{Field: field, Question: id, Key: key, Value: value})
	}
	if p := strings.TrimSpace(form.Get(pField)); p != "" {
		if slices.Contains(content.Provenances, p) {
			a.Provenance = p
		} else {
			bad(pField, "problem.provenance", p)
		}
	}
	var vals []string
	for _, v := range form[aField] {
		if v = strings.TrimSpace(v); v != "" {
			vals = append(vals, v)
		}
	}
	other := strings.TrimSpace(form.Get(xField))
	if other != "" && !slices.Contains(notAnswers, other) {
		// Only a tampered form sends this; keep the whole question out
		// rather than guess which half was meant.
		bad(xField, "problem.option", other)
		return a, ps, false
	}

	switch q.Type {
	case "yesno", "choice":
		switch {
		case len(vals) == 0:
			return a, ps, false
		case len(vals) > 1:
			bad(aField, "problem.one_answer", strings.Join(vals, ", "))
			return a, ps, false
		}
		if err := screening.SetValue(q, &a, vals[0]); err != nil {
			bad(aField, "problem.option", vals[0])
			return a, ps, false
		}
	case "age":
		switch {
		case len(vals) > 1:
			bad(aField, "problem.age_range", strings.Join(vals, ", "))
			return a, ps, false
		case len(vals) == 1 && other != "":
			bad(aField, "problem.age_and_other", vals[0])
			return a, ps, false
		case other != "":
			a.Value = other
		case len(vals) == 1:
			n, err := strconv.Atoi(vals[0])
			if err != nil || n < 0 || n > 120 {
				bad(aField, "problem.age_range", vals[0])
				return a, ps, false
			}
			a.Age = &n
		default:
			return a, ps, false
		}
	case "multi":
		switch {
		case len(vals) > 0 && other != "":
			bad(aField, "problem.multi_and_other", strings.Join(vals, ", "))
			return a, ps, false
		case other != "":
			a.Value = other
		case len(vals) > 0:
			var opts []string
			for _, v := range vals {
				if q.Option(v) == nil {
					bad(aField, "problem.option", v)
					return a, ps, false
				}
				if !slices.Contains(opts, v) {
					opts = append(opts, v)
				}
			}
			a.Options = opts
		default:
			return a, ps, false
		}
	default:
		bad(aField, "problem.unknown_question", strings.Join(vals, ", "))
		return a, ps, false
	}
	// A bad provenance keeps the answer out too: saving it under the
	// default would quietly change what the interviewer recorded.
	if ps.For(pField) != nil {
		return a, ps, false
	}
	return a, ps, true
}

func defaultProvenance(q *content.Question) string {
	if q.Provenance != "" {
		return q.Provenance
	}
	return "self_report"
}

// SectionQuestions returns the questions of an instrument's section, the
// list ParseInterviewForm reads for that step.
func SectionQuestions(b *content.Bundle, instrument string, step int) []string {
	in := b.Instrument(instrument)
	if in == nil || step < 0 || step >= len(in.Sections) {
		return nil
	}
	return in.Sections[step].Questions
}

// MaxFollowups is how many of the engine's ranked follow-up questions the
// follow-up step shows at once: enough to settle most open elements,
// few enough to ask in one sitting.
const MaxFollowups = 6

// FollowupQuestions returns the follow-up step's questions, in the
// engine's order, at most MaxFollowups.
func FollowupQuestions(fs []screening.Followup) []string {
	var out []string
	for _, f := range fs {
		if len(out) == MaxFollowups {
			break
		}
		out = append(out, f.Question)
	}
	return out
}

// StartForm is the interview's first step.
type StartForm struct {
	PersonID      string
	Language      string
	Instrument    string
	Jurisdictions []string
}

// ParseStartForm reads the start form and checks it against the content.
// An unknown person id is the server's to check.
func ParseStartForm(b *content.Bundle, form url.Values) (StartForm, FieldProblems) {
	f := StartForm{
		PersonID:   strings.TrimSpace(form.Get("person")),
		Language:   strings.TrimSpace(form.Get("language")),
		Instrument: strings.TrimSpace(form.Get("instrument")),
	}
	var ps FieldProblems
	for _, j := range form["jurisdictions"] {
		if j = strings.TrimSpace(j); j != "" && !slices.Contains(f.Jurisdictions, j) {
			f.Jurisdictions = append(f.Jurisdictions, j)
		}
	}
	if b.Locale(f.Language) == nil {
		ps = append(ps, FieldProblem{Field: "language", Key: "problem.language", Value: f.Language})
	}
	if b.Instrument(f.Instrument) == nil {
		ps = append(ps, FieldProblem{Field: "instrument", Key: "problem.instrument", Value: f.Instrument})
	}
	if len(f.Jurisdictions) == 0 {
		ps = append(ps, FieldProblem{Field: "jurisdictions", Key: "problem.jurisdictions_none"})
	}
	for _, j := range f.Jurisdictions {
		if b.Jurisdiction(j) == nil {
			ps = append(ps, FieldProblem{Field: "jurisdictions", Key: "problem.jurisdiction", Value: j})
			break
		}
	}
	return f, ps
}

// Evidence starts the draft's evidence from the start form.
func (f StartForm) Evidence() *screening.Evidence {
	return &screening.Evidence{Instrument: f.Instrument, Language: f.Language,
		Jurisdictions: slices.Clone(f.Jurisdictions)}
}

// euMembers are the EU's member states, whose organizations are offered
// the EU directive.
var euMembers = []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
	"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}

// SuggestJurisdictions suggests the jurisdictions an organization in
// country (ISO 3166-1, "GB") and region (ISO 3166-2, "GB-ENG", optional)
// screens under: its own country's, the EU's for member states, and
// always the Palermo Protocol. The screener still chooses.
func SuggestJurisdictions(b *content.Bundle, country, region string) []string {
	country, region = strings.ToUpper(country), strings.ToUpper(region)
	var out []string
	for _, j := range b.Jurisdictions {
		c := strings.ToUpper(j.Country)
		ok := false
		switch {
		case c == "UN":
			ok = true
		case c == "EU":
			ok = slices.Contains(euMembers, country)
		case c == country:
			ok = true
		case strings.HasPrefix(c, country+"-"):
			// A jurisdiction for part of a country (GB-EAW: England and
			// Wales) fits a region inside it, or an unknown region.
			ok = region == "" || (c == "GB-EAW" && (region == "GB-ENG" || region == "GB-WLS")) || c == region
		}
		if ok {
			out = append(out, j.ID)
		}
	}
	return out
}

// UserForm creates a user.
type UserForm struct {
	Email       string
	DisplayName string
	Role        discern.Role
	TeamID      string
	// Password is the first password, handed to the new colleague in
	// person; it is never written back into a page.
	Password string
}

// Roles lists the roles a user can be given, in the order the form shows
// them.
var Roles = []discern.Role{discern.RoleScreener, discern.RoleCaseworker, discern.RoleSupervisor,
	discern.RoleAnalyst, discern.RoleAdministrator}

// ParseUserForm reads the create-user form. The store still checks that
// the email is free.
func ParseUserForm(form url.Values) (UserForm, FieldProblems) {
	f := UserForm{
		Email:       strings.TrimSpace(form.Get("email")),
		DisplayName: strings.TrimSpace(form.Get("display_name")),
		Role:        discern.Role(strings.TrimSpace(form.Get("role"))),
		TeamID:      strings.TrimSpace(form.Get("team")),
		Password:    form.Get("password"),
	}
	var ps FieldProblems
	if at := strings.LastIndexByte(f.Email, '@'); at < 1 || at == len(f.Email)-1 || strings.ContainsAny(f.Email, " \t\r\n") || len(f.Email) > 254 {
		ps = append(ps, FieldProblem{Field: "email", Key: "problem.email", Value: f.Email})
	}
	if f.DisplayName == "" || len(f.DisplayName) > 200 {
		ps = append(ps, FieldProblem{Field: "display_name", Key: "problem.display_name", Value: f.DisplayName})
	}
	if !slices.Contains(Roles, f.Role) {
		ps = append(ps, FieldProblem{Field: "role", Key: "problem.role", Value: string(f.Role)})
	}
	if f.Password == "" || len(f.Password) > 1024 {
		// The value is never echoed back: a password stays out of pages.
		ps = append(ps, FieldProblem{Field: "password", Key: "problem.password"})
	}
	return f, ps
}

// OrgForm edits the organization's settings.
type OrgForm struct {
	Name     string
	Country  string
	Region   string
	Settings discern.OrganizationSettings
}

// OrgFormFrom fills the form from a stored organization.
func OrgFormFrom(o *discern.Organization) OrgForm {
	return OrgForm{Name: o.Name, Country: o.Country, Region: o.Region, Settings: o.Settings}
}

// ParseOrgForm reads the organization settings form.
func ParseOrgForm(b *content.Bundle, form url.Values) (OrgForm, FieldProblems) {
	f := OrgForm{
		Name:    strings.TrimSpace(form.Get("name")),
		Country: strings.ToUpper(strings.TrimSpace(form.Get("country"))),
		Region:  strings.ToUpper(strings.TrimSpace(form.Get("region"))),
	}
	f.Settings.DefaultLanguage = strings.TrimSpace(form.Get("default_language"))
	f.Settings.RequireMFA = form.Get("require_mfa") == "on"
	f.Settings.DirectoryOrgID = strings.TrimSpace(form.Get("directory_org_id"))
	for _, j := range form["jurisdictions"] {
		if j = strings.TrimSpace(j); j != "" && !slices.Contains(f.Settings.Jurisdictions, j) {
			f.Settings.Jurisdictions = append(f.Settings.Jurisdictions, j)
		}
	}
	var ps FieldProblems
	if len(f.Settings.DirectoryOrgID) > 200 {
		ps = append(ps, FieldProblem{Field: "directory_org_id", Key: "problem.too_long", Value: f.Settings.DirectoryOrgID})
	}
	if f.Name == "" || len(f.Name) > 200 {
		ps = append(ps, FieldProblem{Field: "name", Key: "problem.org_name", Value: f.Name})
	}
	if !isAlpha(f.Country, 2) {
		ps = append(ps, FieldProblem{Field: "country", Key: "problem.country", Value: f.Country})
	}
	if f.Region != "" && (!strings.HasPrefix(f.Region, f.Country+"-") || len(f.Region) > 6 || len(f.Region) < 4) {
		ps = append(ps, FieldProblem{Field: "region", Key: "problem.region", Value: f.Region})
	}
	if f.Settings.DefaultLanguage != "" && b.Locale(f.Settings.DefaultLanguage) == nil {
		ps = append(ps, FieldProblem{Field: "default_language", Key: "problem.language", Value: f.Settings.DefaultLanguage})
	}
	for _, j := range f.Settings.Jurisdictions {
		if b.Jurisdiction(j) == nil {
			ps = append(ps, FieldProblem{Field: "jurisdictions", Key: "problem.jurisdiction", Value: j})
			break
		}
	}
	return f, ps
}

func isAlpha(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// NoteForm adds a note to a person.
type NoteForm struct {
	Class discern.DataClass
	Body  string
}

// NoteClasses are the classes a note can be filed under.
var NoteClasses = []discern.DataClass{discern.ClassNarrative, discern.ClassHealth, discern.ClassImmigration,
	discern.ClassCriminalJustice}

// ParseNoteForm reads the add-note form. The body is kept exactly as
// typed (only checked for being there), since it is the user's words.
func ParseNoteForm(form url.Values) (NoteForm, FieldProblems) {
	f := NoteForm{Class: discern.DataClass(strings.TrimSpace(form.Get("class"))), Body: form.Get("body")}
	if f.Class == "" {
		f.Class = discern.ClassNarrative
	}
	var ps FieldProblems
	if !slices.Contains(NoteClasses, f.Class) {
		ps = append(ps, FieldProblem{Field: "class", Key: "problem.note_class", Value: string(f.Class)})
	}
	if strings.TrimSpace(f.Body) == "" {
		ps = append(ps, FieldProblem{Field: "body", Key: "problem.note_body"})
	} else if len(f.Body) > 20000 {
		ps = append(ps, FieldProblem{Field: "body", Key: "problem.note_long", Value: f.Body})
	}
	return f, ps
}

// ParsePersonForm reads the add-person form. Every field is optional: a
// person is known by a case code alone unless more is needed. Values are
// kept as typed (trimmed), since they are the person's own words.
func ParsePersonForm(form url.Values) (casework.PersonInput, FieldProblems) {
	in := casework.PersonInput{
		Name:        strings.TrimSpace(form.Get("name")),
		BirthDate:   strings.TrimSpace(form.Get("birth_date")),
		AgeEstimate: strings.TrimSpace(form.Get("age_estimate")),
		Contact:     strings.TrimSpace(form.Get("contact")),
	}
	var ps FieldProblems
	for _, f := range []struct {
		field, value string
		max          int
	}{{"name", in.Name, 200}, {"birth_date", in.BirthDate, 40}, {"age_estimate", in.AgeEstimate, 40}, {"contact", in.Contact, 2000}} {
		if len(f.value) > f.max {
			ps = append(ps, FieldProblem{Field: f.field, Key: "problem.too_long", Value: f.value})
		}
	}
	return in, ps
}
