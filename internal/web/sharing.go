package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
)

// The consent and referral pages: recording and revoking consent, making a
// referral (with its consequences shown before it is sent), a referral as
// either side sees it, and the receiving organization's inbox.

// RecipientChoice is one entry of a recipient list: "organization:ID" or
// "service:ID".
type RecipientChoice struct {
	Value, Label string
	Service      bool // a service, listed under its organization
}

// RecipientValue is the form value naming a recipient.
func RecipientValue(kind discern.RecipientKind, id string) string { return string(kind) + ":" + id }

// SplitRecipient reads a form value made by RecipientValue.
func SplitRecipient(v string) (discern.RecipientKind, string, bool) {
	kind, id, ok := strings.Cut(v, ":")
	k := discern.RecipientKind(kind)
	if !ok || id == "" || (k != discern.RecipientOrganization && k != discern.RecipientService) {
		return "", "", false
	}
	return k, id, true
}

// ConsentForm is the consent form as typed.
type ConsentForm struct {
	Recipient  string
	Classes    []discern.DataClass
	Purposes   []discern.ConsentPurpose
	Method     discern.ConsentMethod
	Language   string
	ValidUntil string // yyyy-mm-dd, empty for "until revoked"
	Explained  bool
}

// Has reports whether the form has class c ticked (for the template).
func (f ConsentForm) Has(c string) bool { return slices.Contains(f.Classes, discern.DataClass(c)) }

// HasPurpose reports whether the form has purpose p ticked.
func (f ConsentForm) HasPurpose(p string) bool {
	return slices.Contains(f.Purposes, discern.ConsentPurpose(p))
}

// ParseConsentForm reads a posted consent form.
func ParseConsentForm(v url.Values, now time.Time) (ConsentForm, casework.ConsentInput, FieldProblems) {
	f := ConsentForm{Recipient: v.Get("recipient"), Method: discern.ConsentMethod(v.Get("method")),
		Language: strings.TrimSpace(v.Get("language")), ValidUntil: strings.TrimSpace(v.Get("valid_until")),
		Explained: v.Get("explained") == "yes"}
	var ps FieldProblems
	kind, id, ok := SplitRecipient(f.Recipient)
	if !ok {
		ps = append(ps, FieldProblem{Field: "recipient", Key: "problem.choose_recipient"})
	}
	for _, c := range v["classes"] {
		if x := discern.DataClass(c); x.Valid() && !slices.Contains(f.Classes, x) {
			f.Classes = append(f.Classes, x)
		}
	}
	if len(f.Classes) == 0 {
		ps = append(ps, FieldProblem{Field: "classes", Key: "problem.choose_classes"})
	}
	for _, p := range v["purposes"] {
		if x := discern.ConsentPurpose(p); x.Valid() && !slices.Contains(f.Purposes, x) {
			f.Purposes = append(f.Purposes, x)
		}
	}
	if len(f.Purposes) == 0 {
		ps = append(ps, FieldProblem{Field: "purposes", Key: "problem.choose_purposes"})
	}
	if !f.Method.Valid() {
		ps = append(ps, FieldProblem{Field: "method", Key: "problem.choose_method"})
	}
	if f.Language != "" && !discern.ValidLanguage(f.Language) {
		ps = append(ps, FieldProblem{Field: "language", Key: "problem.language", Value: f.Language})
	}
	var until *time.Time
	if f.ValidUntil != "" {
		d, err := time.Parse(time.DateOnly, f.ValidUntil)
		if err != nil || !d.After(now) {
			ps = append(ps, FieldProblem{Field: "valid_until", Key: "problem.valid_until", Value: f.ValidUntil})
		} else {
			// Valid through the whole of the day given.
			d = d.AddDate(0, 0, 1)
			until = &d
		}
	}
	if !f.Explained {
		ps = append(ps, FieldProblem{Field: "explained", Key: "problem.explained"})
	}
	return f, casework.ConsentInput{RecipientKind: kind, RecipientID: id, Classes: f.Classes, Purposes: f.Purposes,
		Method: f.Method, Language: f.Language, ValidUntil: until}, ps
}

// ReferralForm is the referral form as typed.
type ReferralForm struct {
	Recipient       string
	Needs           []string
	Classes         []discern.DataClass
	Message         string
	ExceptionID     string
	ExceptionReason string
	Explained       bool
}

// Has reports whether the form has class c ticked.
func (f ReferralForm) Has(c string) bool { return slices.Contains(f.Classes, discern.DataClass(c)) }

// HasNeed reports whether the form has need n ticked.
func (f ReferralForm) HasNeed(n string) bool { return slices.Contains(f.Needs, n) }

// ParseReferralForm reads a posted referral form. send is true for the
// final step, which needs the worker's confirmation that the person was
// told.
func ParseReferralForm(v url.Values, needs []string, send bool) (ReferralForm, casework.ReferralInput, FieldProblems) {
	f := ReferralForm{Recipient: v.Get("recipient"), Message: strings.TrimSpace(v.Get("message")),
		ExceptionID: v.Get("exception_id"), ExceptionReason: strings.TrimSpace(v.Get("exception_reason")),
		Explained: v.Get("explained") == "yes"}
	var ps FieldProblems
	kind, id, ok := SplitRecipient(f.Recipient)
	if !ok {
		ps = append(ps, FieldProblem{Field: "recipient", Key: "problem.choose_recipient"})
	}
	for _, n := range v["needs"] {
		if slices.Contains(needs, n) && !slices.Contains(f.Needs, n) {
			f.Needs = append(f.Needs, n)
		}
	}
	for _, c := range v["classes"] {
		if x := discern.DataClass(c); x.Valid() && !slices.Contains(f.Classes, x) {
			f.Classes = append(f.Classes, x)
		}
	}
	if len(f.Classes) == 0 {
		ps = append(ps, FieldProblem{Field: "classes", Key: "problem.choose_classes"})
	}
	if f.Message != "" && !slices.Contains(f.Classes, discern.ClassNarrative) {
		ps = append(ps, FieldProblem{Field: "message", Key: "problem.message_narrative"})
	}
	if utf8.RuneCountInString(f.Message) > 4000 {
		ps = append(ps, FieldProblem{Field: "message", Key: "problem.too_long"})
	}
	if f.ExceptionID != "" && utf8.RuneCountInString(f.ExceptionReason) < 20 {
		ps = append(ps, FieldProblem{Field: "exception_reason", Key: "problem.exception_reason"})
	}
	if send && !f.Explained {
		ps = append(ps, FieldProblem{Field: "explained", Key: "problem.explained"})
	}
	in := casework.ReferralInput{RecipientKind: kind, RecipientID: id, Needs: f.Needs, Classes: f.Classes, Message: f.Message}
	if f.ExceptionID != "" {
		in.ExceptionID, in.ExceptionReason = f.ExceptionID, f.ExceptionReason
	}
	return f, in, ps
}

// ConsentFormPage records a consent for a person.
type ConsentFormPage struct {
	Page
	Person     *casework.PersonView
	Form       ConsentForm
	Problems   FieldProblems
	Recipients []RecipientChoice
	// Refusal is a message from the service (safe to show) when it refused.
	Refusal string
}

// ReferralNewPage makes a referral: the form, then its preview (what
// consent covers, the consequences, the child-protection branch), then
// sending.
type ReferralNewPage struct {
	Page
	Person     *casework.PersonView
	Form       ReferralForm
	Problems   FieldProblems
	Recipients []RecipientChoice
	Needs      []string
	Preview    *casework.ReferralPreview
	Refusal    string
}

// CanSend reports whether the preview allows sending: everything asked for
// is covered by consent, or a legal exception was chosen.
func (p *ReferralNewPage) CanSend() bool {
	return p.Preview != nil && (p.Preview.Decision.All() || p.Form.ExceptionID != "")
}

// ReferralPage is one referral, as its sender or its recipient sees it.
type ReferralPage struct {
	Page
	Referral  *casework.ReferralView
	UserNames map[string]string
	// Exception describes the legal exception a referral was made under.
	Exception *discern.LegalException
	Refusal   string
	// Status overrides the page's status (a refused move is 422).
	Status   int
	Moved    bool
	Outcomes []discern.ReferralOutcome
}

// InboxPage lists the referrals sent to the organization.
type InboxPage struct {
	Page
	Referrals []*casework.ReferralView
}

// ConsentForm renders the consent form.
func (r *Renderer) ConsentForm(w http.ResponseWriter, p ConsentFormPage) error {
	r.prepare(&p.Page, "sharing.consent_title")
	status := statusFor(p.Problems)
	if p.Refusal != "" {
		status = http.StatusUnprocessableEntity
	}
	return r.render(w, status, "consent_form", &p)
}

// ReferralNew renders the referral form or its preview.
func (r *Renderer) ReferralNew(w http.ResponseWriter, p ReferralNewPage) error {
	r.prepare(&p.Page, "sharing.referral_new_title")
	status := statusFor(p.Problems)
	if p.Refusal != "" {
		status = http.StatusUnprocessableEntity
	}
	return r.render(w, status, "referral_new", &p)
}

// Referral renders one referral.
func (r *Renderer) Referral(w http.ResponseWriter, p ReferralPage) error {
	r.prepare(&p.Page, "sharing.referral_title")
	status := http.StatusOK
	switch {
	case p.Status != 0:
		status = p.Status
	case p.Refusal != "" && p.Referral == nil:
		status = http.StatusForbidden
	}
	return r.render(w, status, "referral", &p)
}

// Inbox renders the inbox.
func (r *Renderer) Inbox(w http.ResponseWriter, p InboxPage) error {
	r.prepare(&p.Page, "sharing.inbox_title")
	return r.render(w, http.StatusOK, "inbox", &p)
}

func init() {
	funcs["dataClasses"] = func() []discern.DataClass { return discern.DataClasses }
	funcs["consentPurposes"] = func() []discern.ConsentPurpose { return discern.ConsentPurposes }
	funcs["consentMethods"] = func() []discern.ConsentMethod {
		return []discern.ConsentMethod{discern.ConsentVerbal, discern.ConsentWritten, discern.ConsentOnScreen}
	}
	funcs["exceptionKinds"] = func() []discern.ExceptionKind { return discern.ExceptionKinds }
	funcs["recipientValue"] = func(r discern.Recipient) string { return RecipientValue(r.Kind, r.ID) }
}

// ExceptionForm adds a legal exception to the organization's settings.
type ExceptionForm struct {
	Kind     discern.ExceptionKind
	Label    string
	Citation string
}

// ParseExceptionForm reads the form that adds a legal exception.
func ParseExceptionForm(v url.Values) (ExceptionForm, FieldProblems) {
	f := ExceptionForm{Kind: discern.ExceptionKind(v.Get("kind")), Label: strings.TrimSpace(v.Get("label")),
		Citation: strings.TrimSpace(v.Get("citation"))}
	var ps FieldProblems
	if !slices.Contains(discern.ExceptionKinds, f.Kind) {
		ps = append(ps, FieldProblem{Field: "kind", Key: "problem.exception_kind"})
	}
	if f.Label == "" || utf8.RuneCountInString(f.Label) > 200 {
		ps = append(ps, FieldProblem{Field: "label", Key: "problem.exception_label", Value: f.Label})
	}
	if f.Citation == "" || utf8.RuneCountInString(f.Citation) > 300 {
		ps = append(ps, FieldProblem{Field: "citation", Key: "problem.exception_citation", Value: f.Citation})
	}
	return f, ps
}

// NewException makes the exception the form describes, with an id not yet
// used in settings.
func (f ExceptionForm) NewException(s discern.OrganizationSettings) discern.LegalException {
	base := string(f.Kind)
	id := base
	for n := 2; ; n++ {
		if _, taken := s.Exception(id); !taken {
			break
		}
		id = base + "-" + strconv.Itoa(n)
	}
	return discern.LegalException{ID: id, Kind: f.Kind, Label: f.Label, Citation: f.Citation, Active: true}
}
