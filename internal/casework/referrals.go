package casework

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/sqldb"
)

// Packet is what a referral carries about the person: each field belongs
// to one data class, and only the classes released are ever filled in.
type Packet struct {
	// case
	CaseCode  string               `json:"case_code,omitempty"`
	Needs     []string             `json:"needs,omitempty"`
	AgeStatus string               `json:"age_status,omitempty"`
	Screening []PacketJurisdiction `json:"screening,omitempty"`
	// identity
	Name        string `json:"name,omitempty"`
	BirthDate   string `json:"birth_date,omitempty"`
	AgeEstimate string `json:"age_estimate,omitempty"`
	// contact
	Contact string `json:"contact,omitempty"`
	// ContactSafety is how the person said they may be reached, as it
	// stood when the referral was made, so that the recipient honours it
	// (contact class; nil when nothing was recorded).
	ContactSafety *PacketContactSafety `json:"contact_safety,omitempty"`
	// narrative: the worker's message to the recipient
	Message string `json:"message,omitempty"`
	// narrative, health, immigration, criminal_justice: notes of the class
	Notes []PacketNote `json:"notes,omitempty"`
}

// PacketContactSafety is the person's contact-safety rules in a packet:
// never the code word, only that the recipient must ask for one.
type PacketContactSafety struct {
	DoNotContact   bool                  `json:"do_not_contact" doc:"Do not contact the person directly; only through the referring worker."`
	Channels       []discern.SafeChannel `json:"channels,omitempty" doc:"The channels the person said are safe, with their time windows."`
	TimeZone       string                `json:"time_zone,omitempty"`
	AskForCodeWord bool                  `json:"ask_for_code_word" doc:"Ask for the code word (from the referring worker) before saying who you are."`
}

// Rules returns the rules as the domain holds them.
func (c *PacketContactSafety) Rules() discern.ContactSafety {
	if c == nil {
		return discern.ContactSafety{}
	}
	return discern.ContactSafety{DoNotContact: c.DoNotContact, Channels: c.Channels, TimeZone: c.TimeZone, HasCodeWord: c.AskForCodeWord}
}

// PacketJurisdiction is a screening's conclusion under one law.
type PacketJurisdiction struct {
	Jurisdiction  string `json:"jurisdiction"`
	Determination string `json:"determination"`
	Situation     string `json:"situation"`
}

// PacketNote is one note in a packet, with its class.
type PacketNote struct {
	Class discern.DataClass `json:"class"`
	Body  string            `json:"body"`
	At    time.Time         `json:"at"`
}

// Only returns a copy of p holding only the classes in keep.
func (p *Packet) Only(keep []discern.DataClass) *Packet {
	in := func(c discern.DataClass) bool { return slices.Contains(keep, c) }
	var out Packet
	if in(discern.ClassCase) {
		out.CaseCode, out.Needs, out.AgeStatus, out.Screening = p.CaseCode, p.Needs, p.AgeStatus, p.Screening
	}
	if in(discern.ClassIdentity) {
		out.Name, out.BirthDate, out.AgeEstimate = p.Name, p.BirthDate, p.AgeEstimate
	}
	if in(discern.ClassContact) {
		out.Contact, out.ContactSafety = p.Contact, p.ContactSafety
	}
	if in(discern.ClassNarrative) {
		out.Message = p.Message
	}
	for _, n := range p.Notes {
		if in(n.Class) {
			out.Notes = append(out.Notes, n)
		}
	}
	return &out
}

// ReferralInput is a new referral.
type ReferralInput struct {
	PersonID      string
	RecipientKind discern.RecipientKind
	RecipientID   string
	Needs         []string
	Classes       []discern.DataClass // what to send; consent must cover every one
	Message       string              // to the recipient; narrative class
	// ExceptionID and ExceptionReason make the referral under a legal
	// exception instead of consent: separately permissioned, with a
	// written reason, audited and shown on the record.
	ExceptionID     string
	ExceptionReason string
}

const (
	maxMessage         = 4000
	minExceptionReason = 20
	maxReason          = 2000
	maxNotesInPacket   = 50
)

// ReferralPreview is what the interface shows before a referral is made:
// who it goes to, what consent allows, the consequences under the laws the
// person was screened against, and, for a person who may be a child, the
// child-protection branch.
type ReferralPreview struct {
	Recipient     discern.Recipient
	RecipientName string
	// Internal is true when the recipient uses Discern and will answer in
	// it; otherwise the sender records its answers.
	Internal bool
	Decision discern.ConsentDecision
	// PossibleMinor is true when the person's latest screening says they
	// may be under 18 (or their age is unknown): the child-protection
	// branch applies.
	PossibleMinor bool
	Consequences  []Consequence
	// Exceptions are the active legal exceptions the caller may use (only
	// for those with the permission).
	Exceptions []discern.LegalException
}

// Consequence is a pathway with a consent rule that matters before
// sharing, under one jurisdiction the person was screened against.
type Consequence struct {
	Jurisdiction string
	PathwayID    string
	ConsentRule  string
	Citations    []string
}

// PreviewReferral says what a referral would do, without making it.
func (s *Service) PreviewReferral(ctx context.Context, a Actor, in ReferralInput) (*ReferralPreview, error) {
	p, _, err := s.personScope(ctx, a, in.PersonID, auth.ReferralsCreate, in.Classes...)
	if err != nil {
		return nil, err
	}
	rcpt, name, err := s.findRecipient(in.RecipientKind, in.RecipientID)
	if err != nil {
		return nil, err
	}
	all, err := s.db.FindConsents(ctx, a.OrgID, p.ID)
	if err != nil {
		return nil, err
	}
	pv := &ReferralPreview{Recipient: rcpt, RecipientName: name,
		Decision: discern.DecideDisclosure(all, discern.Disclosure{PersonID: p.ID, Recipient: rcpt,
			Purpose: discern.PurposeReferral, Classes: in.Classes, At: s.now()})}
	if org, err := s.recipientOrg(ctx, rcpt); err != nil {
		return nil, err
	} else {
		pv.Internal = org != ""
	}
	sum, err := s.latestSummary(ctx, a, p.ID)
	if err != nil {
		return nil, err
	}
	if sum != nil {
		pv.PossibleMinor = sum.AgeStatus != "adult"
		pv.Consequences = s.consequences(sum)
	}
	if auth.Decide(a.Principal, auth.DisclosuresException, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, in.Classes...)).Allowed {
		o, err := s.db.FindOrganizationByID(ctx, a.OrgID)
		if err != nil {
			return nil, err
		}
		for _, e := range o.Settings.LegalExceptions {
			if e.Active {
				pv.Exceptions = append(pv.Exceptions, e)
			}
		}
		if pv.PossibleMinor {
			slices.SortStableFunc(pv.Exceptions, func(x, y discern.LegalException) int {
				return boolRank(y.Kind == discern.ExceptionChildProtection) - boolRank(x.Kind == discern.ExceptionChildProtection)
			})
		}
	}
	return pv, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// consequences lists the pathways, under the jurisdictions of a screening,
// whose consent rule is more than "only with consent": a duty to notify, a
// child who need not consent, an anonymous route for an adult who does not.
func (s *Service) consequences(sum *screening.Summary) []Consequence {
	var out []Consequence
	for _, jr := range sum.Results {
		for _, pw := range s.engine.Bundle().Pathways {
			if pw.Consent == "" || pw.Consent == "required" || !slices.Contains(pw.Jurisdictions, jr.Jurisdiction) {
				continue
			}
			out = append(out, Consequence{Jurisdiction: jr.Jurisdiction, PathwayID: pw.ID, ConsentRule: pw.Consent, Citations: pw.Citations})
		}
	}
	return out
}

// latestSummary is the conclusion of the person's newest complete
// screening, or nil when there is none.
func (s *Service) latestSummary(ctx context.Context, a Actor, personID string) (*screening.Summary, error) {
	st := discern.ScreeningComplete
	list, _, err := s.db.FindScreenings(ctx, discern.ScreeningFilter{OrgID: a.OrgID, PersonID: &personID, Status: &st, Page: discern.Page{Limit: 1}})
	if err != nil || len(list) == 0 || len(list[0].Result) == 0 {
		return nil, err
	}
	var sum screening.Summary
	if err := s.openJSON(ctx, "result", list[0].ID, list[0].Result, &sum); err != nil {
		if errors.Is(err, discern.ErrKeyDestroyed) {
			return nil, nil
		}
		return nil, err
	}
	return &sum, nil
}

// recipientOrg is the Discern organization linked to a recipient's
// directory organization, or "" when the recipient is outside Discern.
func (s *Service) recipientOrg(ctx context.Context, r discern.Recipient) (string, error) {
	dirOrg := r.ID
	if r.Kind == discern.RecipientService {
		dirOrg = r.OrgID
	}
	if dirOrg == "" {
		return "", nil
	}
	page := discern.Page{Limit: 200}
	for {
		orgs, next, err := s.db.FindOrganizations(ctx, discern.OrganizationFilter{Page: page})
		if err != nil {
			return "", err
		}
		for _, o := range orgs {
			if o.Settings.DirectoryOrgID == dirOrg {
				return o.ID, nil
			}
		}
		if next == "" {
			return "", nil
		}
		page.Cursor = next
	}
}

// CreateReferral makes a referral. On consent, every class asked for must
// be covered by the person's consent for this recipient and purpose, or
// nothing is sent and the refusal is audited. Under a legal exception, the
// caller needs the exception permission and a written reason.
func (s *Service) CreateReferral(ctx context.Context, a Actor, in ReferralInput, hooks ...TxHook) (*ReferralView, error) {
	if err := validateReferralInput(in); err != nil {
		return nil, err
	}
	p, _, err := s.personScope(ctx, a, in.PersonID, auth.ReferralsCreate, in.Classes...)
	if err != nil {
		return nil, err
	}
	rcpt, name, err := s.findRecipient(in.RecipientKind, in.RecipientID)
	if err != nil {
		return nil, err
	}
	r := &discern.Referral{OrgID: a.OrgID, PersonID: p.ID, Recipient: rcpt, RecipientName: name, Needs: in.Needs,
		Classes: sortedClasses(in.Classes), State: discern.ReferralRequested, CreatedBy: a.UserID}
	action := "referral.create"
	if in.ExceptionID == "" {
		dec, err := s.checkDisclosure(ctx, a, a.OrgID, p.ID, action, discern.Disclosure{Recipient: rcpt,
			Purpose: discern.PurposeReferral, Classes: r.Classes})
		if err != nil {
			return nil, err
		}
		r.Basis, r.Consents = discern.BasisConsent, dec.Basis
	} else {
		action = "referral.create.exception"
		if _, err := decide(a, auth.DisclosuresException, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, in.Classes...)); err != nil {
			s.denied(ctx, a, action, "person", p.ID)
			return nil, err
		}
		o, err := s.db.FindOrganizationByID(ctx, a.OrgID)
		if err != nil {
			return nil, err
		}
		ex, ok := o.Settings.Exception(in.ExceptionID)
		if !ok || !ex.Active {
			return nil, discern.Invalid("exception_id", "Your organization has no active legal exception with this id.")
		}
		r.Basis, r.ExceptionID = discern.BasisException, ex.ID
		r.ChildProtection = ex.Kind == discern.ExceptionChildProtection
	}
	if r.RecipientOrgID, err = s.recipientOrg(ctx, rcpt); err != nil {
		return nil, err
	}
	if r.RecipientOrgID == a.OrgID {
		return nil, discern.Invalid("recipient", "This recipient is your own organization; a referral goes to another one.")
	}
	sum, err := s.latestSummary(ctx, a, p.ID)
	if err != nil {
		return nil, err
	}
	// The child-protection branch is the child-protection exception used
	// for someone who may be under 18.
	r.ChildProtection = r.ChildProtection && sum != nil && sum.AgeStatus != "adult"
	packet, err := s.buildPacket(ctx, a, p, in, r.Classes, sum)
	if err != nil {
		return nil, err
	}
	if r.ID, err = s.newID(); err != nil {
		return nil, err
	}
	plain, err := json.Marshal(packet)
	if err != nil {
		return nil, err
	}
	if r.Packet, err = s.sealText(ctx, personSubject(p.ID), "referrals", "packet", r.ID, string(plain)); err != nil {
		return nil, err
	}
	if in.ExceptionReason != "" {
		if r.ExceptionReason, err = s.sealText(ctx, personSubject(p.ID), "referrals", "exception_reason", r.ID, in.ExceptionReason); err != nil {
			return nil, err
		}
	}
	var view *ReferralView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateReferral(ctx, r); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, action, "referral", r.ID, r.Classes...)); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, "referral.disclose", "person", p.ID, r.Classes...)); err != nil {
			return err
		}
		view = s.senderView(ctx, a, r, packet, nil, in.ExceptionReason)
		return runHooks(ctx, tx, view, hooks)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

func validateReferralInput(in ReferralInput) error {
	switch {
	case len(in.Classes) == 0:
		return discern.Invalid("classes", "Choose at least one kind of information to send.")
	case len(in.Needs) > 20:
		return discern.Invalid("needs", "At most 20 needs.")
	case utf8.RuneCountInString(in.Message) > maxMessage:
		return discern.Invalid("message", "The message is at most %d characters.", maxMessage)
	case in.ExceptionID != "" && utf8.RuneCountInString(strings.TrimSpace(in.ExceptionReason)) < minExceptionReason:
		return discern.Invalid("exception_reason", "Write why the exception applies (at least %d characters).", minExceptionReason)
	case utf8.RuneCountInString(in.ExceptionReason) > maxReason:
		return discern.Invalid("exception_reason", "The reason is at most %d characters.", maxReason)
	case in.ExceptionID == "" && in.ExceptionReason != "":
		return discern.Invalid("exception_id", "A reason is only given with a legal exception.")
	case in.Message != "" && !slices.Contains(in.Classes, discern.ClassNarrative):
		return discern.Invalid("message", "A message is narrative information: include that class, or leave the message out.")
	}
	for _, c := range in.Classes {
		if !c.Valid() {
			return discern.Invalid("classes", "%q is not a known kind of information.", c)
		}
	}
	for _, n := range in.Needs {
		if n == "" || len(n) > 64 || strings.ContainsAny(n, ", ") {
			return discern.Invalid("needs", "Needs are short codes such as shelter or legal_immigration.")
		}
	}
	return nil
}

func sortedClasses(cs []discern.DataClass) []discern.DataClass {
	out := slices.Clone(cs)
	slices.Sort(out)
	return slices.Compact(out)
}

// buildPacket gathers the person's data of the released classes.
// sum is the person's latest screening conclusion (latestSummary), or nil.
func (s *Service) buildPacket(ctx context.Context, a Actor, p *discern.Person, in ReferralInput, classes []discern.DataClass, sum *screening.Summary) (*Packet, error) {
	subject := personSubject(p.ID)
	open := func(column string, ct discern.Sealed) (string, error) {
		return s.openText(ctx, subject, "people", column, p.ID, ct)
	}
	pk := &Packet{Needs: in.Needs, Message: in.Message}
	var err error
	if pk.CaseCode, err = open("case_code", p.CaseCode); err != nil {
		return nil, err
	}
	if pk.Name, err = open("name", p.Name); err != nil {
		return nil, err
	}
	if pk.BirthDate, err = open("birth_date", p.BirthDate); err != nil {
		return nil, err
	}
	if pk.AgeEstimate, err = open("age_estimate", p.AgeEstimate); err != nil {
		return nil, err
	}
	if pk.Contact, err = open("contact", p.Contact); err != nil {
		return nil, err
	}
	if slices.Contains(classes, discern.ClassContact) {
		cs, err := s.contactSafety(ctx, a.OrgID, p.ID)
		if err != nil {
			return nil, err
		}
		if cs.Recorded {
			r := cs.Rules
			pk.ContactSafety = &PacketContactSafety{DoNotContact: r.DoNotContact, Channels: r.Channels, TimeZone: r.TimeZone, AskForCodeWord: r.HasCodeWord}
		}
	}
	if sum != nil {
		pk.AgeStatus = sum.AgeStatus
		for _, jr := range sum.Results {
			pk.Screening = append(pk.Screening, PacketJurisdiction{jr.Jurisdiction, jr.Determination, jr.Situation})
		}
	}
	var noteClasses []discern.DataClass
	for _, c := range classes {
		if c != discern.ClassCase && c != discern.ClassIdentity && c != discern.ClassContact {
			noteClasses = append(noteClasses, c)
		}
	}
	if len(noteClasses) > 0 {
		notes, _, err := s.db.FindNotes(ctx, discern.NoteFilter{OrgID: a.OrgID, PersonID: &p.ID, DataClasses: noteClasses,
			Page: discern.Page{Limit: maxNotesInPacket}})
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			body, err := s.openText(ctx, subject, "notes", "body", n.ID, n.Body)
			if err != nil {
				return nil, err
			}
			pk.Notes = append(pk.Notes, PacketNote{Class: n.DataClass, Body: body, At: n.CreatedAt})
		}
	}
	return pk.Only(classes), nil
}
