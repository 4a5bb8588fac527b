package discern

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ConsentMethod is how a person gave consent.
type ConsentMethod string

// The ways consent is given. Verbal consent is recorded by the member of
// staff who heard it; that person is named in RecordedBy either way.
const (
	ConsentVerbal   ConsentMethod = "verbal_recorded"
	ConsentWritten  ConsentMethod = "written"
	ConsentOnScreen ConsentMethod = "signed_on_screen"
)

// Valid reports whether m is a known method.
func (m ConsentMethod) Valid() bool {
	return m == ConsentVerbal || m == ConsentWritten || m == ConsentOnScreen
}

// ConsentPurpose is what a disclosure is for. A consent lists the purposes
// the person agreed to; a disclosure for another purpose is not covered.
type ConsentPurpose string

// The purposes.
const (
	PurposeReferral     ConsentPurpose = "referral"      // sending a referral and the recipient reading it
	PurposeCoordination ConsentPurpose = "coordination"  // case coordination with a partner organization
	PurposeDocuments    ConsentPurpose = "documents"     // producing a referral packet, summary or letter for the recipient
	PurposeExport       ConsentPurpose = "export"        // exporting the person's records to the recipient
	PurposeLegalSupport ConsentPurpose = "legal_support" // a letter for defence counsel or a prosecutor
)

// ConsentPurposes lists every purpose.
var ConsentPurposes = []ConsentPurpose{PurposeReferral, PurposeCoordination, PurposeDocuments, PurposeExport, PurposeLegalSupport}

// Valid reports whether p is a known purpose.
func (p ConsentPurpose) Valid() bool { return slices.Contains(ConsentPurposes, p) }

// RecipientKind says whether a consent names an organization or one
// service in the directory.
type RecipientKind string

// The recipient kinds.
const (
	RecipientOrganization RecipientKind = "organization"
	RecipientService      RecipientKind = "service"
)

// Recipient is who may receive data under a consent. A consent for an
// organization covers every service of it; a consent for a service covers
// that service only.
type Recipient struct {
	Kind RecipientKind
	ID   string
	// OrgID is the organization a service belongs to; empty for an
	// organization recipient.
	OrgID string
}

// covers reports whether a consent naming r covers disclosure to x.
func (r Recipient) covers(x Recipient) bool {
	switch {
	case r.Kind == x.Kind && r.ID == x.ID:
		return true
	case r.Kind == RecipientOrganization && x.Kind == RecipientService && x.OrgID == r.ID:
		return true
	}
	return false
}

// Consent is one version of a person's consent to share. A consent is never
// edited: a change (narrower classes, a new end date, a revocation) is a
// new version with the same ID, and only the newest version of each ID
// counts.
type Consent struct {
	ID         string
	Version    int // 1 for the first version
	OrgID      string
	PersonID   string
	Recipient  Recipient
	Classes    []DataClass
	Purposes   []ConsentPurpose
	Method     ConsentMethod
	RecordedBy string // the user who recorded it
	Language   string // the language the person was asked in (BCP 47)
	ValidFrom  time.Time
	ValidUntil *time.Time // nil: until revoked
	RevokedAt  *time.Time
	RevokedBy  string
	CreatedAt  time.Time
}

// Validate checks a consent version before it is stored.
func (c *Consent) Validate() error {
	switch {
	case c.OrgID == "" || c.PersonID == "":
		return Invalid("person_id", "A consent belongs to a person.")
	case c.Version < 1:
		return Invalid("version", "version starts at 1.")
	case c.Recipient.Kind != RecipientOrganization && c.Recipient.Kind != RecipientService:
		return Invalid("recipient", "The recipient must be an organization or a service.")
	case c.Recipient.ID == "":
		return Invalid("recipient", "Name who may receive the information.")
	case c.Recipient.Kind == RecipientService && c.Recipient.OrgID == "":
		return Invalid("recipient", "A service recipient names its organization.")
	case len(c.Classes) == 0:
		return Invalid("classes", "Choose at least one kind of information the person agreed to share.")
	case len(c.Purposes) == 0:
		return Invalid("purposes", "Choose at least one purpose the person agreed to.")
	case !c.Method.Valid():
		return Invalid("method", "Say how consent was given: verbal (recorded by staff), written or signed on screen.")
	case c.RecordedBy == "":
		return Invalid("recorded_by", "A consent names who recorded it.")
	case c.ValidFrom.IsZero():
		return Invalid("valid_from", "valid_from is required.")
	case c.ValidUntil != nil && !c.ValidUntil.After(c.ValidFrom):
		return Invalid("valid_until", "The end date must be after the start date.")
	case c.RevokedAt != nil && c.RevokedBy == "":
		return Invalid("revoked_by", "A revocation names who recorded it.")
	}
	for _, x := range c.Classes {
		if !x.Valid() {
			return Invalid("classes", "%q is not a known kind of information.", x)
		}
	}
	for _, p := range c.Purposes {
		if !p.Valid() {
			return Invalid("purposes", "%q is not a known purpose.", p)
		}
	}
	return nil
}

// ConsentState is where a consent version stands at a moment.
type ConsentState string

// The consent states.
const (
	ConsentActive     ConsentState = "active"
	ConsentNotYet     ConsentState = "not_yet_valid"
	ConsentExpired    ConsentState = "expired"
	ConsentRevoked    ConsentState = "revoked"
	ConsentSuperseded ConsentState = "superseded" // a newer version exists; the newer one decides
)

// StateAt is the consent's state at t, taken on its own (supersession
// needs the other versions; see CurrentConsents).
func (c *Consent) StateAt(t time.Time) ConsentState {
	switch {
	case c.RevokedAt != nil && !t.Before(*c.RevokedAt):
		return ConsentRevoked
	case t.Before(c.ValidFrom):
		return ConsentNotYet
	case c.ValidUntil != nil && !t.Before(*c.ValidUntil):
		return ConsentExpired
	}
	return ConsentActive
}

// CurrentConsents keeps only the newest version of each consent ID.
func CurrentConsents(all []*Consent) []*Consent {
	newest := map[string]*Consent{}
	var order []string
	for _, c := range all {
		if c == nil {
			continue
		}
		old, seen := newest[c.ID]
		if !seen {
			order = append(order, c.ID)
		}
		if !seen || c.Version > old.Version {
			newest[c.ID] = c
		}
	}
	out := make([]*Consent, 0, len(order))
	for _, id := range order {
		out = append(out, newest[id])
	}
	return out
}

// Disclosure is a request to pass a person's data to a recipient.
type Disclosure struct {
	PersonID  string
	Recipient Recipient
	Purpose   ConsentPurpose
	Classes   []DataClass // what the caller would like to pass
	At        time.Time
}

// ConsentDecision is the answer to a Disclosure: the classes the person's
// consent covers (and only those may pass), the classes withheld, the
// consent versions relied on, and, when something was withheld, why, in
// words fit for the audit trail and the screen.
type ConsentDecision struct {
	Permitted []DataClass
	Withheld  []DataClass
	Basis     []ConsentRef
	Reason    string
	// Code names the reason in a word for the audit trail: no_consent,
	// wrong_purpose, revoked, expired, not_yet_valid, too_narrow or
	// nothing_asked; empty when everything asked for passes.
	Code string
}

// ConsentRef names one consent version.
type ConsentRef struct {
	ID      string
	Version int
}

// All reports whether every requested class is covered.
func (d ConsentDecision) All() bool { return len(d.Withheld) == 0 && len(d.Permitted) > 0 }

// None reports whether nothing may pass.
func (d ConsentDecision) None() bool { return len(d.Permitted) == 0 }

// DecideDisclosure checks a disclosure against a person's consents (every
// version; older versions are ignored). A class passes only when a current,
// active consent for this person names the recipient (or the service's
// organization), the purpose and the class. Revocation and expiry take
// effect at their instant.
func DecideDisclosure(consents []*Consent, d Disclosure) ConsentDecision {
	var dec ConsentDecision
	covered := map[DataClass]bool{}
	// Why the nearest consents did not count, for the reason.
	var sawRecipient, sawPurpose bool
	var blocked []ConsentState
	for _, c := range CurrentConsents(consents) {
		if c.PersonID != d.PersonID || !c.Recipient.covers(d.Recipient) {
			continue
		}
		sawRecipient = true
		if !slices.Contains(c.Purposes, d.Purpose) {
			continue
		}
		sawPurpose = true
		if st := c.StateAt(d.At); st != ConsentActive {
			blocked = append(blocked, st)
			continue
		}
		used := false
		for _, x := range d.Classes {
			if slices.Contains(c.Classes, x) && !covered[x] {
				covered[x] = true
				used = true
			}
		}
		if used {
			dec.Basis = append(dec.Basis, ConsentRef{c.ID, c.Version})
		}
	}
	for _, x := range d.Classes {
		if covered[x] {
			if !slices.Contains(dec.Permitted, x) {
				dec.Permitted = append(dec.Permitted, x)
			}
		} else if !slices.Contains(dec.Withheld, x) {
			dec.Withheld = append(dec.Withheld, x)
		}
	}
	switch {
	case len(d.Classes) == 0:
		dec.Reason, dec.Code = "Nothing was asked for.", "nothing_asked"
	case len(dec.Withheld) == 0:
	case !sawRecipient:
		dec.Reason, dec.Code = "The person has not agreed to share with this recipient.", "no_consent"
	case !sawPurpose:
		dec.Reason, dec.Code = "The person's consent for this recipient does not cover this purpose.", "wrong_purpose"
	case len(dec.Permitted) == 0 && len(blocked) > 0:
		st := describeStates(blocked)
		dec.Reason, dec.Code = "The person's consent for this recipient is "+st+".", strings.ReplaceAll(st, " ", "_")
	default:
		dec.Reason, dec.Code = "The person has not agreed to share every kind of information asked for; only what they agreed to passes.", "too_narrow"
	}
	return dec
}

func describeStates(sts []ConsentState) string {
	has := func(s ConsentState) bool { return slices.Contains(sts, s) }
	switch {
	case has(ConsentRevoked):
		return "revoked"
	case has(ConsentExpired):
		return "expired"
	case has(ConsentNotYet):
		return "not yet valid"
	}
	return "not active"
}

// ConsentStore keeps every version of every consent.
type ConsentStore interface {
	// AddConsentVersion stores c. With an empty ID it is a new consent:
	// the ID is filled in and Version set to 1. With an ID, Version must
	// be one more than the newest stored version of it, else KindConflict
	// (someone else changed it first); the person must not change.
	// CreatedAt is set.
	AddConsentVersion(ctx context.Context, c *Consent) error
	// FindConsents returns every version of a person's consents, by ID and
	// then version.
	FindConsents(ctx context.Context, orgID, personID string) ([]*Consent, error)
}
