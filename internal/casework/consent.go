package casework

import (
	"context"
	"slices"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// Recipients finds who may receive a person's data: an organization or a
// service in the service directory.
type Recipients interface {
	// FindRecipient returns the recipient and its name, or false when the
	// directory has no such entry.
	FindRecipient(kind discern.RecipientKind, id string) (discern.Recipient, string, bool)
	// ListRecipients lists up to limit organizations, each followed by its
	// services, for a choice on screen.
	ListRecipients(limit int) []RecipientOption
}

// RecipientOption is one entry of a recipient choice.
type RecipientOption struct {
	Recipient discern.Recipient
	Name      string
}

// RecipientOptions lists recipients for a choice on screen (at most
// limit; a larger directory is searched on the directory page).
func (s *Service) RecipientOptions(limit int) []RecipientOption {
	if s.recipients == nil {
		return nil
	}
	return s.recipients.ListRecipients(limit)
}

// DirectoryRecipients finds recipients in the catalog the function
// returns at the moment of asking (the live directory can be replaced),
// through the catalog's indexes by id.
type DirectoryRecipients func() *directory.Catalog

func recipientOf(r directory.Recipient) discern.Recipient {
	if r.Service {
		return discern.Recipient{Kind: discern.RecipientService, ID: r.ID, OrgID: r.OrgID}
	}
	return discern.Recipient{Kind: discern.RecipientOrganization, ID: r.ID}
}

// FindRecipient looks the id up among the catalog's organizations or
// services.
func (f DirectoryRecipients) FindRecipient(kind discern.RecipientKind, id string) (discern.Recipient, string, bool) {
	c := f()
	if c == nil {
		return discern.Recipient{}, "", false
	}
	var r directory.Recipient
	var ok bool
	switch kind {
	case discern.RecipientOrganization:
		r, ok = c.FindOrganization(id)
	case discern.RecipientService:
		r, ok = c.FindService(id)
	}
	if !ok {
		return discern.Recipient{}, "", false
	}
	return recipientOf(r), r.Name, true
}

// ListRecipients lists the catalog's organizations, each followed by its
// services, up to limit entries.
func (f DirectoryRecipients) ListRecipients(limit int) []RecipientOption {
	c := f()
	if c == nil {
		return nil
	}
	var out []RecipientOption
	for _, r := range c.Recipients(limit) {
		out = append(out, RecipientOption{Recipient: recipientOf(r), Name: r.Name})
	}
	return out
}

// SetRecipients tells the service where to find recipients. Without it,
// no consent or referral can name anyone.
func (s *Service) SetRecipients(r Recipients) { s.recipients = r }

func (s *Service) findRecipient(kind discern.RecipientKind, id string) (discern.Recipient, string, error) {
	if s.recipients != nil {
		if r, name, ok := s.recipients.FindRecipient(kind, id); ok {
			return r, name, nil
		}
	}
	return discern.Recipient{}, "", discern.Invalid("recipient", "There is no %s with this id in the service directory.", kind)
}

func (s *Service) recipientName(r discern.Recipient) string {
	if s.recipients != nil {
		if _, name, ok := s.recipients.FindRecipient(r.Kind, r.ID); ok {
			return name
		}
	}
	return r.ID
}

// ConsentInput is what a person agreed to, as staff record it.
type ConsentInput struct {
	RecipientKind discern.RecipientKind
	RecipientID   string
	Classes       []discern.DataClass
	Purposes      []discern.ConsentPurpose
	Method        discern.ConsentMethod
	Language      string
	ValidFrom     *time.Time // default: now
	ValidUntil    *time.Time // nil: until revoked
}

// ConsentView is one consent as shown: its newest version, where it stands
// now, and its earlier versions.
type ConsentView struct {
	ID            string
	Version       int
	Recipient     discern.Recipient
	RecipientName string
	Classes       []discern.DataClass
	Purposes      []discern.ConsentPurpose
	Method        discern.ConsentMethod
	RecordedBy    string
	Language      string
	ValidFrom     time.Time
	ValidUntil    *time.Time
	RevokedAt     *time.Time
	RevokedBy     string
	State         discern.ConsentState
	CreatedAt     time.Time
	Versions      int
}

func (s *Service) consentView(c *discern.Consent, versions int) *ConsentView {
	return &ConsentView{ID: c.ID, Version: c.Version, Recipient: c.Recipient, RecipientName: s.recipientName(c.Recipient),
		Classes: c.Classes, Purposes: c.Purposes, Method: c.Method, RecordedBy: c.RecordedBy, Language: c.Language,
		ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil, RevokedAt: c.RevokedAt, RevokedBy: c.RevokedBy,
		State: c.StateAt(s.now()), CreatedAt: c.CreatedAt, Versions: versions}
}

func (in ConsentInput) consent(s *Service, a Actor, personID string) (*discern.Consent, error) {
	r, _, err := s.findRecipient(in.RecipientKind, in.RecipientID)
	if err != nil {
		return nil, err
	}
	if in.Language != "" && !discern.ValidLanguage(in.Language) {
		return nil, discern.Invalid("language", "language must be a language tag such as en or es.")
	}
	from := s.now()
	if in.ValidFrom != nil {
		from = *in.ValidFrom
	}
	classes, purposes := slices.Clone(in.Classes), slices.Clone(in.Purposes)
	slices.Sort(classes)
	slices.Sort(purposes)
	return &discern.Consent{OrgID: a.OrgID, PersonID: personID, Recipient: r, Classes: slices.Compact(classes),
		Purposes: slices.Compact(purposes), Method: in.Method, RecordedBy: a.UserID, Language: in.Language,
		ValidFrom: from, ValidUntil: in.ValidUntil}, nil
}

// RecordConsent records a new consent for a person.
func (s *Service) RecordConsent(ctx context.Context, a Actor, personID string, in ConsentInput) (*ConsentView, error) {
	if _, _, err := s.personScope(ctx, a, personID, auth.ConsentsManage, discern.ClassCase); err != nil {
		return nil, err
	}
	c, err := in.consent(s, a, personID)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.AddConsentVersion(ctx, c); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, entry(a, "consent.record", "person", personID, c.Classes...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.consentView(c, 1), nil
}

// ReviseConsent records a changed consent (narrower classes, another end
// date) as its next version; version is the version the caller saw, so
// that two people changing it at once cannot both win.
func (s *Service) ReviseConsent(ctx context.Context, a Actor, personID, consentID string, version int, in ConsentInput) (*ConsentView, error) {
	return s.nextConsentVersion(ctx, a, personID, consentID, version, "consent.revise", func(old *discern.Consent) (*discern.Consent, error) {
		c, err := in.consent(s, a, personID)
		if err != nil {
			return nil, err
		}
		if old.RevokedAt != nil {
			return nil, discern.Errorf(discern.KindConflict, "This consent was revoked; record a new one instead.")
		}
		if c.Recipient != old.Recipient {
			return nil, discern.Invalid("recipient", "A consent's recipient cannot change; record a new consent for another recipient.")
		}
		return c, nil
	})
}

// RevokeConsent records that the person withdrew a consent. It takes
// effect at once: from this instant no disclosure rests on it, and a
// recipient reading a referral made under it is refused.
func (s *Service) RevokeConsent(ctx context.Context, a Actor, personID, consentID string, version int) (*ConsentView, error) {
	return s.nextConsentVersion(ctx, a, personID, consentID, version, "consent.revoke", func(old *discern.Consent) (*discern.Consent, error) {
		if old.RevokedAt != nil {
			return nil, discern.Errorf(discern.KindConflict, "This consent was already revoked.")
		}
		c := *old
		at := s.now()
		c.RevokedAt, c.RevokedBy, c.RecordedBy = &at, a.UserID, a.UserID
		return &c, nil
	})
}

func (s *Service) nextConsentVersion(ctx context.Context, a Actor, personID, consentID string, version int, action string,
	next func(old *discern.Consent) (*discern.Consent, error)) (*ConsentView, error) {
	if _, _, err := s.personScope(ctx, a, personID, auth.ConsentsManage, discern.ClassCase); err != nil {
		return nil, err
	}
	var out *discern.Consent
	var count int
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		all, err := tx.FindConsents(ctx, a.OrgID, personID)
		if err != nil {
			return err
		}
		var old *discern.Consent
		for _, c := range discern.CurrentConsents(all) {
			if c.ID == consentID {
				old = c
			}
		}
		if old == nil {
			return discern.Errorf(discern.KindNotFound, "There is no such consent for this person.")
		}
		if version != old.Version {
			return discern.Errorf(discern.KindConflict, "This consent was changed by someone else (it is at version %d); reload it and try again.", old.Version)
		}
		c, err := next(old)
		if err != nil {
			return err
		}
		c.ID, c.Version, c.PersonID, c.OrgID = old.ID, old.Version+1, personID, a.OrgID
		if err := tx.AddConsentVersion(ctx, c); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, action, "person", personID, c.Classes...)); err != nil {
			return err
		}
		out, count = c, c.Version
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.consentView(out, count), nil
}

// ListConsents returns a person's consents, newest version of each, with
// where each stands now.
func (s *Service) ListConsents(ctx context.Context, a Actor, personID string) ([]*ConsentView, error) {
	if _, _, err := s.personScope(ctx, a, personID, auth.ConsentsRead, discern.ClassCase); err != nil {
		return nil, err
	}
	all, err := s.db.FindConsents(ctx, a.OrgID, personID)
	if err != nil {
		return nil, err
	}
	versions := map[string]int{}
	for _, c := range all {
		versions[c.ID]++
	}
	var out []*ConsentView
	for _, c := range discern.CurrentConsents(all) {
		out = append(out, s.consentView(c, versions[c.ID]))
	}
	slices.SortStableFunc(out, func(x, y *ConsentView) int { return y.CreatedAt.Compare(x.CreatedAt) })
	return out, nil
}

// checkDisclosure decides a disclosure of a person's data against their
// consents as stored now. Anything withheld is refused whole, and the
// refusal is audited with its reason.
func (s *Service) checkDisclosure(ctx context.Context, a Actor, orgID, personID, action string, d discern.Disclosure) (discern.ConsentDecision, error) {
	all, err := s.db.FindConsents(ctx, orgID, personID)
	if err != nil {
		return discern.ConsentDecision{}, err
	}
	d.PersonID, d.At = personID, s.now()
	dec := discern.DecideDisclosure(all, d)
	if !dec.All() {
		s.refused(ctx, a, orgID, action+"."+dec.Code, "person", personID, dec.Withheld...)
		return dec, &discern.Error{Kind: discern.KindForbidden, Field: "consent", Message: dec.Reason}
	}
	return dec, nil
}

// refused records a disclosure the consent rules stopped, in the audit log
// of the organization that holds the record: the action names the reason
// ("referral.read.revoked") and the classes are those withheld.
func (s *Service) refused(ctx context.Context, a Actor, orgID, action, targetType, targetID string, withheld ...discern.DataClass) {
	e := entry(a, action, targetType, targetID, withheld...)
	e.OrgID, e.Outcome = orgID, discern.OutcomeDenied
	_ = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		_, err := s.log.Append(ctx, tx, e)
		return err
	})
}
