package casework

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// ReferralView is a referral as one side sees it. The recipient sees only
// the classes the person's consent covers at the moment of reading; the
// rest are listed as withheld, with the reason.
type ReferralView struct {
	ID       string
	PersonID string // the sender's only
	// Side is the caller's side: sender or recipient.
	Side           discern.ReferralSide
	SenderOrgName  string
	Recipient      discern.Recipient
	RecipientName  string
	External       bool // the recipient is outside Discern: the sender records its answers
	Needs          []string
	Classes        []discern.DataClass // in the packet
	Shown          []discern.DataClass // shown now
	Withheld       []discern.DataClass
	WithheldReason string
	Basis          discern.ReferralBasisKind
	ExceptionID    string
	// ExceptionReason is the written reason for a disclosure under a legal
	// exception, shown to the sender.
	ExceptionReason string
	ChildProtection bool
	State           discern.ReferralState
	FHIRStatus      string
	Outcome         discern.ReferralOutcome
	CreatedAt       time.Time
	StateSince      time.Time
	Overdue         bool
	Erased          bool
	Packet          *Packet // nil when nothing may be shown
	// Next are the moves the caller may make now; OnBehalf those the
	// sender records for an outside recipient.
	Next     []discern.ReferralState
	OnBehalf []discern.ReferralState
	History  []ReferralEventView
}

// ReferralEventView is one move in a referral's history.
type ReferralEventView struct {
	From, To discern.ReferralState
	Side     discern.ReferralSide
	OnBehalf bool
	ActorID  string
	Outcome  discern.ReferralOutcome
	Reason   string
	At       time.Time
}

func (s *Service) baseView(r *discern.Referral, side discern.ReferralSide) *ReferralView {
	overdue, _ := discern.DefaultReferralAgeing.Overdue(r.State, r.StateSince, s.now())
	v := &ReferralView{ID: r.ID, Side: side, Recipient: r.Recipient, RecipientName: r.RecipientName,
		External: r.RecipientOrgID == "", Needs: r.Needs, Classes: r.Classes, Basis: r.Basis, ExceptionID: r.ExceptionID,
		ChildProtection: r.ChildProtection, State: r.State, FHIRStatus: r.State.FHIRStatus(), Outcome: r.Outcome,
		CreatedAt: r.CreatedAt, StateSince: r.StateSince, Overdue: overdue}
	v.Next = discern.NextReferralStates(r.State, side)
	if side == discern.SideSender && v.External {
		v.OnBehalf = discern.NextReferralStates(r.State, discern.SideRecipient)
	}
	return v
}

func (s *Service) senderView(ctx context.Context, a Actor, r *discern.Referral, pk *Packet, evs []*discern.ReferralEvent, reason string) *ReferralView {
	v := s.baseView(r, discern.SideSender)
	v.PersonID, v.Packet, v.Shown, v.ExceptionReason = r.PersonID, pk, r.Classes, reason
	v.History = s.eventViews(ctx, r, evs)
	return v
}

func (s *Service) eventViews(ctx context.Context, r *discern.Referral, evs []*discern.ReferralEvent) []ReferralEventView {
	out := make([]ReferralEventView, 0, len(evs))
	for _, e := range evs {
		reason, err := s.openText(ctx, personSubject(r.PersonID), "referral_events", "reason", eventRow(r.ID, e.Seq), e.Reason)
		if err != nil {
			reason = ""
		}
		out = append(out, ReferralEventView{From: e.From, To: e.To, Side: e.Side, OnBehalf: e.OnBehalf, ActorID: e.ActorID,
			Outcome: e.Outcome, Reason: reason, At: e.At})
	}
	return out
}

func eventRow(referralID string, seq int) string { return referralID + "#" + strconv.Itoa(seq) }

func (s *Service) openPacket(ctx context.Context, r *discern.Referral) (*Packet, bool, error) {
	plain, err := s.openText(ctx, personSubject(r.PersonID), "referrals", "packet", r.ID, r.Packet)
	if errors.Is(err, discern.ErrKeyDestroyed) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	var pk Packet
	if err := json.Unmarshal([]byte(plain), &pk); err != nil {
		return nil, false, err
	}
	return &pk, false, nil
}

// GetReferral shows a referral to its sender or its recipient, and to no
// one else. A recipient's read is checked against the person's consent as
// it stands now, shows only what it covers, and is audited in both
// organizations' logs; when nothing is covered any more the read is
// refused.
func (s *Service) GetReferral(ctx context.Context, a Actor, id string) (*ReferralView, error) {
	r, side, err := s.referralFor(ctx, a, id)
	if err != nil {
		return nil, err
	}
	evs, err := s.db.FindReferralEvents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if side == discern.SideSender {
		_, d, err := s.personScope(ctx, a, r.PersonID, auth.ReferralsRead, r.Classes...)
		if discern.KindOf(err) == discern.KindConflict {
			// The person was erased: the referral's frame (state, history)
			// stays readable; its packet is gone.
			v, err := s.GetReferralFrame(ctx, a, r)
			if v != nil {
				v.Erased = true
			}
			return v, err
		}
		if err != nil {
			return nil, err
		}
		pk, erased, err := s.openPacket(ctx, r)
		if err != nil {
			return nil, err
		}
		reason, _ := s.openText(ctx, personSubject(r.PersonID), "referrals", "exception_reason", r.ID, r.ExceptionReason)
		shown := intersect(r.Classes, classesOf(d.Classes))
		var view *ReferralView
		if pk != nil {
			view = s.senderView(ctx, a, r, pk.Only(shown), evs, reason)
		} else {
			view = s.senderView(ctx, a, r, nil, evs, reason)
		}
		view.Shown, view.Erased = shown, erased
		view.Withheld = without(r.Classes, shown)
		if !has(d, discern.ClassCase) {
			view.ExceptionReason = ""
		}
		err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			_, err := s.log.Append(ctx, tx, entry(a, "referral.read", "referral", r.ID, shown...))
			return err
		})
		return view, err
	}

	// The recipient.
	d, err := decide(a, auth.ReferralsReceive, auth.Resource{OrgID: a.OrgID, Classes: auth.Classes(r.Classes...)})
	if err != nil {
		return nil, err
	}
	view := s.baseView(r, discern.SideRecipient)
	view.History = s.eventViews(ctx, r, evs)
	view.SenderOrgName = s.orgName(ctx, r.OrgID)
	shown := intersect(r.Classes, classesOf(d.Classes))
	if r.Basis == discern.BasisConsent {
		all, err := s.db.FindConsents(ctx, r.OrgID, r.PersonID)
		if err != nil {
			return nil, err
		}
		dec := discern.DecideDisclosure(all, discern.Disclosure{PersonID: r.PersonID, Recipient: r.Recipient,
			Purpose: discern.PurposeReferral, Classes: shown, At: s.now()})
		if dec.None() {
			s.refusedBoth(ctx, a, r, "referral.read."+dec.Code, dec.Withheld)
			return nil, &discern.Error{Kind: discern.KindForbidden, Field: "consent", Message: dec.Reason +
				" Nothing of this referral can be shown; ask the referring organization."}
		}
		shown, view.WithheldReason = dec.Permitted, dec.Reason
	}
	pk, erased, err := s.openPacket(ctx, r)
	if err != nil {
		return nil, err
	}
	view.Erased = erased
	if pk != nil {
		view.Packet = pk.Only(shown)
	}
	view.Shown, view.Withheld = shown, without(r.Classes, shown)
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		return s.appendBoth(ctx, tx, a, r, "referral.read", shown)
	})
	return view, err
}

// referralFor finds a referral and the caller's side of it. Anyone else is
// told it does not exist, and the attempt is audited.
func (s *Service) referralFor(ctx context.Context, a Actor, id string) (*discern.Referral, discern.ReferralSide, error) {
	r, err := s.db.FindReferral(ctx, id)
	if err != nil {
		return nil, "", err
	}
	switch {
	case r.OrgID == a.OrgID:
		return r, discern.SideSender, nil
	case r.RecipientOrgID != "" && r.RecipientOrgID == a.OrgID:
		return r, discern.SideRecipient, nil
	}
	s.denied(ctx, a, "referral.read", "referral", id)
	return nil, "", discern.Errorf(discern.KindNotFound, "There is no such referral.")
}

// appendBoth audits a recipient's action in the recipient's own log and in
// the sender's, against the person, so the sender's "who accessed" history
// shows it.
func (s *Service) appendBoth(ctx context.Context, tx *sqldb.Tx, a Actor, r *discern.Referral, action string, classes []discern.DataClass) error {
	if _, err := s.log.Append(ctx, tx, entry(a, action, "referral", r.ID, classes...)); err != nil {
		return err
	}
	e := entry(a, action, "person", r.PersonID, classes...)
	e.OrgID = r.OrgID
	_, err := s.log.Append(ctx, tx, e)
	return err
}

func (s *Service) refusedBoth(ctx context.Context, a Actor, r *discern.Referral, action string, withheld []discern.DataClass) {
	s.refused(ctx, a, a.OrgID, action, "referral", r.ID, withheld...)
	s.refused(ctx, a, r.OrgID, action, "person", r.PersonID, withheld...)
}

func (s *Service) orgName(ctx context.Context, id string) string {
	if o, err := s.db.FindOrganizationByID(ctx, id); err == nil {
		return o.Name
	}
	return ""
}

func intersect(a, b []discern.DataClass) []discern.DataClass {
	var out []discern.DataClass
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func without(a, b []discern.DataClass) []discern.DataClass {
	var out []discern.DataClass
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// ListReferrals returns the referrals made for a person (no packets).
func (s *Service) ListReferrals(ctx context.Context, a Actor, personID string) ([]*ReferralView, error) {
	if _, _, err := s.personScope(ctx, a, personID, auth.ReferralsRead, discern.ClassCase); err != nil {
		return nil, err
	}
	list, err := s.db.FindReferrals(ctx, discern.ReferralFilter{OrgID: a.OrgID, PersonID: personID})
	if err != nil {
		return nil, err
	}
	out := make([]*ReferralView, 0, len(list))
	for _, r := range list {
		v := s.baseView(r, discern.SideSender)
		v.PersonID = r.PersonID
		out = append(out, v)
	}
	return out, nil
}

// Inbox returns the referrals sent to the caller's organization (no
// packets: opening one checks consent).
func (s *Service) Inbox(ctx context.Context, a Actor) ([]*ReferralView, error) {
	if _, err := decide(a, auth.ReferralsReceive, auth.Resource{OrgID: a.OrgID, List: true, Classes: auth.Classes(discern.ClassCase)}); err != nil {
		return nil, err
	}
	list, err := s.db.FindReferrals(ctx, discern.ReferralFilter{RecipientOrgID: a.OrgID})
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]*ReferralView, 0, len(list))
	for _, r := range list {
		v := s.baseView(r, discern.SideRecipient)
		if _, ok := names[r.OrgID]; !ok {
			names[r.OrgID] = s.orgName(ctx, r.OrgID)
		}
		v.SenderOrgName = names[r.OrgID]
		out = append(out, v)
	}
	return out, nil
}

// ReferralMoveInput is a move asked for.
type ReferralMoveInput struct {
	To      discern.ReferralState
	Outcome discern.ReferralOutcome
	Reason  string
}

// MoveReferral moves a referral on, for the side the caller is on. For a
// recipient outside Discern the sender records the recipient's answers,
// marked as recorded on its behalf. Moves reveal nothing of the packet, so
// a recipient may still answer after consent was withdrawn (to close the
// loop).
func (s *Service) MoveReferral(ctx context.Context, a Actor, id string, in ReferralMoveInput) (*ReferralView, error) {
	if utf8.RuneCountInString(in.Reason) > maxReason {
		return nil, discern.Invalid("reason", "The reason is at most %d characters.", maxReason)
	}
	r, side, err := s.referralFor(ctx, a, id)
	if err != nil {
		return nil, err
	}
	onBehalf := false
	if side == discern.SideSender {
		if _, _, err := s.personScope(ctx, a, r.PersonID, auth.ReferralsUpdate, discern.ClassCase); err != nil {
			return nil, err
		}
		if r.RecipientOrgID == "" && !slices.Contains(discern.NextReferralStates(r.State, discern.SideSender), in.To) &&
			slices.Contains(discern.NextReferralStates(r.State, discern.SideRecipient), in.To) {
			side, onBehalf = discern.SideRecipient, true
		}
	} else if _, err := decide(a, auth.ReferralsReceive, auth.Resource{OrgID: a.OrgID, Classes: auth.Classes(discern.ClassCase)}); err != nil {
		return nil, err
	}
	if err := discern.CheckReferralMove(r.State, discern.ReferralMove{To: in.To, By: side, Outcome: in.Outcome, Reason: in.Reason}); err != nil {
		return nil, err
	}
	ev := &discern.ReferralEvent{From: r.State, To: in.To, Side: side, OnBehalf: onBehalf, ActorID: a.UserID, ActorOrg: a.OrgID,
		Outcome: in.Outcome}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		evs, err := tx.FindReferralEvents(ctx, r.ID)
		if err != nil {
			return err
		}
		if in.Reason != "" {
			// The event's sequence number binds the sealed reason to its row.
			if ev.Reason, err = s.sealText(ctx, personSubject(r.PersonID), "referral_events", "reason", eventRow(r.ID, len(evs)+1), in.Reason); err != nil {
				return err
			}
		}
		if err := tx.MoveReferral(ctx, r, ev); err != nil {
			return err
		}
		action := "referral.move." + string(in.To)
		if a.OrgID == r.OrgID {
			_, err = s.log.Append(ctx, tx, entry(a, action, "referral", r.ID))
			return err
		}
		return s.appendBoth(ctx, tx, a, r, action, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.GetReferralFrame(ctx, a, r)
}

// GetReferralFrame is a referral's view without its packet, after a move.
func (s *Service) GetReferralFrame(ctx context.Context, a Actor, r *discern.Referral) (*ReferralView, error) {
	side := discern.SideSender
	if a.OrgID != r.OrgID {
		side = discern.SideRecipient
	}
	evs, err := s.db.FindReferralEvents(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	v := s.baseView(r, side)
	v.History = s.eventViews(ctx, r, evs)
	if side == discern.SideSender {
		v.PersonID = r.PersonID
	}
	return v, nil
}

// ExportPerson exports a person's records of the given classes for a
// recipient, only when the person's consent for that recipient covers
// exporting every one of them. The export is audited.
func (s *Service) ExportPerson(ctx context.Context, a Actor, personID string, kind discern.RecipientKind, recipientID string, classes []discern.DataClass) (*Packet, error) {
	p, _, err := s.personScope(ctx, a, personID, auth.PeopleExport, classes...)
	if err != nil {
		return nil, err
	}
	if len(classes) == 0 {
		return nil, discern.Invalid("classes", "Choose at least one kind of information to export.")
	}
	rcpt, _, err := s.findRecipient(kind, recipientID)
	if err != nil {
		return nil, err
	}
	classes = sortedClasses(classes)
	if _, err := s.checkDisclosure(ctx, a, a.OrgID, p.ID, "person.export", discern.Disclosure{Recipient: rcpt,
		Purpose: discern.PurposeExport, Classes: classes}); err != nil {
		return nil, err
	}
	sum, err := s.latestSummary(ctx, a, p.ID)
	if err != nil {
		return nil, err
	}
	pk, err := s.buildPacket(ctx, a, p, ReferralInput{}, classes, sum)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		_, err := s.log.Append(ctx, tx, entry(a, "person.export", "person", p.ID, classes...))
		return err
	})
	return pk, err
}
