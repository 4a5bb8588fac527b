package discern

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ReferralState is where a referral stands. The states follow FHIR R4
// Task.status (requested, received, accepted, rejected, in-progress,
// completed, failed, cancelled), plus withdrawal by the person, which FHIR
// would record as cancelled with a reason; Discern keeps it apart because
// it is the person's own decision and must never read as the
// organization's.
type ReferralState string

// The referral states.
const (
	ReferralRequested  ReferralState = "requested"
	ReferralReceived   ReferralState = "received"
	ReferralAccepted   ReferralState = "accepted"
	ReferralRejected   ReferralState = "rejected"
	ReferralInProgress ReferralState = "in_progress"
	ReferralCompleted  ReferralState = "completed"
	ReferralFailed     ReferralState = "failed"
	ReferralCancelled  ReferralState = "cancelled"
	ReferralWithdrawn  ReferralState = "withdrawn"
)

// ReferralStates lists every state, in the order a referral moves.
var ReferralStates = []ReferralState{ReferralRequested, ReferralReceived, ReferralAccepted, ReferralInProgress,
	ReferralCompleted, ReferralRejected, ReferralFailed, ReferralCancelled, ReferralWithdrawn}

// Valid reports whether s is a known state.
func (s ReferralState) Valid() bool { return slices.Contains(ReferralStates, s) }

// Final reports whether nothing can follow s.
func (s ReferralState) Final() bool {
	switch s {
	case ReferralRejected, ReferralCompleted, ReferralFailed, ReferralCancelled, ReferralWithdrawn:
		return true
	}
	return false
}

// FHIRStatus is the FHIR R4 Task.status code for s.
func (s ReferralState) FHIRStatus() string {
	switch s {
	case ReferralInProgress:
		return "in-progress"
	case ReferralWithdrawn:
		return "cancelled"
	}
	return string(s)
}

// ReferralSide is which party acts on a referral.
type ReferralSide string

// The sides. The sender records the person's withdrawal on their behalf.
const (
	SideSender    ReferralSide = "sender"
	SideRecipient ReferralSide = "recipient"
)

// ReferralOutcome says how a referral ended, in the spirit of findhelp's
// outcome codes.
type ReferralOutcome string

// The outcomes.
const (
	OutcomeGotHelp            ReferralOutcome = "got_help"
	OutcomeCouldNotContact    ReferralOutcome = "could_not_contact"
	OutcomeNotEligible        ReferralOutcome = "not_eligible"
	OutcomeNoCapacity         ReferralOutcome = "no_capacity"
	OutcomeNoLongerInterested ReferralOutcome = "no_longer_interested"
)

// ReferralOutcomes lists every outcome.
var ReferralOutcomes = []ReferralOutcome{OutcomeGotHelp, OutcomeCouldNotContact, OutcomeNotEligible, OutcomeNoCapacity, OutcomeNoLongerInterested}

// Valid reports whether o is a known outcome.
func (o ReferralOutcome) Valid() bool { return slices.Contains(ReferralOutcomes, o) }

// transition is one allowed move: who may make it, and what it needs.
type transition struct {
	by       ReferralSide
	outcomes []ReferralOutcome // when not empty, one of these is required
	reason   bool              // a written reason is required
}

// referralMoves lists every allowed move. Anything not here is refused.
var referralMoves = map[ReferralState]map[ReferralState]transition{
	ReferralRequested: {
		ReferralReceived:  {by: SideRecipient},
		ReferralAccepted:  {by: SideRecipient},
		ReferralRejected:  {by: SideRecipient, outcomes: []ReferralOutcome{OutcomeNotEligible, OutcomeNoCapacity}, reason: true},
		ReferralCancelled: {by: SideSender, reason: true},
		ReferralWithdrawn: {by: SideSender},
	},
	ReferralReceived: {
		ReferralAccepted:  {by: SideRecipient},
		ReferralRejected:  {by: SideRecipient, outcomes: []ReferralOutcome{OutcomeNotEligible, OutcomeNoCapacity}, reason: true},
		ReferralCancelled: {by: SideSender, reason: true},
		ReferralWithdrawn: {by: SideSender},
	},
	ReferralAccepted: {
		ReferralInProgress: {by: SideRecipient},
		ReferralCompleted:  {by: SideRecipient, outcomes: []ReferralOutcome{OutcomeGotHelp}},
		ReferralFailed:     {by: SideRecipient, outcomes: []ReferralOutcome{OutcomeCouldNotContact, OutcomeNotEligible, OutcomeNoCapacity, OutcomeNoLongerInterested}},
		ReferralCancelled:  {by: SideSender, reason: true},
		ReferralWithdrawn:  {by: SideSender},
	},
	ReferralInProgress: {
		ReferralCompleted: {by: SideRecipient, outcomes: []ReferralOutcome{OutcomeGotHelp}},
		ReferralFailed:    {by: SideRecipient, outcomes: []ReferralOutcome{OutcomeCouldNotContact, OutcomeNotEligible, OutcomeNoCapacity, OutcomeNoLongerInterested}},
		ReferralCancelled: {by: SideSender, reason: true},
		ReferralWithdrawn: {by: SideSender},
	},
}

// ReferralMove is a requested change of state.
type ReferralMove struct {
	To      ReferralState
	By      ReferralSide
	Outcome ReferralOutcome // for rejected, completed and failed
	Reason  string          // for rejected and cancelled; optional otherwise
}

// CheckReferralMove says whether a referral in state from may make the
// move, with a KindConflict error for a move the state does not allow and a
// KindInvalid one for a move that lacks what it needs.
func CheckReferralMove(from ReferralState, m ReferralMove) error {
	if !from.Valid() {
		return Invalid("state", "%q is not a referral state.", from)
	}
	if !m.To.Valid() {
		return Invalid("to", "%q is not a referral state.", m.To)
	}
	if m.By != SideSender && m.By != SideRecipient {
		return Invalid("by", "A move is made by the sender or the recipient.")
	}
	if from.Final() {
		return Errorf(KindConflict, "This referral is %s; it cannot change any more.", stateWords(from))
	}
	tr, ok := referralMoves[from][m.To]
	if !ok {
		return Errorf(KindConflict, "A referral that is %s cannot become %s.", stateWords(from), stateWords(m.To))
	}
	if tr.by != m.By {
		return Errorf(KindForbidden, "Only the %s can mark a referral %s.", tr.by, stateWords(m.To))
	}
	if m.Outcome != "" && !m.Outcome.Valid() {
		return Invalid("outcome", "%q is not a referral outcome.", m.Outcome)
	}
	if len(tr.outcomes) > 0 && !slices.Contains(tr.outcomes, m.Outcome) {
		names := make([]string, len(tr.outcomes))
		for i, o := range tr.outcomes {
			names[i] = string(o)
		}
		return Invalid("outcome", "Marking a referral %s needs an outcome: one of %s.", stateWords(m.To), strings.Join(names, ", "))
	}
	if len(tr.outcomes) == 0 && m.Outcome != "" {
		return Invalid("outcome", "An outcome is recorded only when a referral is rejected, completed or failed.")
	}
	if tr.reason && strings.TrimSpace(m.Reason) == "" {
		return Invalid("reason", "Marking a referral %s needs a written reason.", stateWords(m.To))
	}
	if len(m.Reason) > 2000 {
		return Invalid("reason", "The reason is too long (at most 2,000 characters).")
	}
	return nil
}

// NextReferralStates lists the states a side may move a referral to from
// state s, for the interface to offer only those.
func NextReferralStates(s ReferralState, by ReferralSide) []ReferralState {
	var out []ReferralState
	for _, to := range ReferralStates {
		if tr, ok := referralMoves[s][to]; ok && tr.by == by {
			out = append(out, to)
		}
	}
	return out
}

func stateWords(s ReferralState) string { return strings.ReplaceAll(string(s), "_", " ") }

// ReferralAgeing is how long a referral may wait in a state before the
// sender is reminded: a referral nobody opened, or one accepted that has
// not moved, is a person left waiting.
type ReferralAgeing map[ReferralState]time.Duration

// DefaultReferralAgeing are the reminder thresholds when an organization
// sets none: two days unopened, five days received without an answer,
// fourteen days accepted or in progress without a change.
var DefaultReferralAgeing = ReferralAgeing{
	ReferralRequested:  48 * time.Hour,
	ReferralReceived:   5 * 24 * time.Hour,
	ReferralAccepted:   14 * 24 * time.Hour,
	ReferralInProgress: 14 * 24 * time.Hour,
}

// Overdue reports whether a referral that entered state s at since is
// overdue at now, and since when.
func (a ReferralAgeing) Overdue(s ReferralState, since, now time.Time) (bool, time.Time) {
	d, ok := a[s]
	if !ok || s.Final() {
		return false, time.Time{}
	}
	due := since.Add(d)
	return !now.Before(due), due
}

// ReferralBasisKind is what makes a referral's disclosure lawful.
type ReferralBasisKind string

// The bases. A referral rests on the person's consent, or, narrowly, on a
// legal exception an administrator has configured (a court order,
// mandatory child-protection reporting), used with a written reason.
const (
	BasisConsent   ReferralBasisKind = "consent"
	BasisException ReferralBasisKind = "exception"
)

// Referral is a closed-loop referral of a person to a service or
// organization in the directory. It carries a packet of the person's data
// limited to the classes released when it was made, sealed with the
// person's data key; what the recipient may read of it is decided again at
// every read, so a revoked or expired consent stops access at once.
type Referral struct {
	ID       string
	OrgID    string // the sending organization
	PersonID string
	// Recipient is the directory entry referred to; RecipientName its
	// name at the time. RecipientOrgID is the Discern organization that
	// receives it, when the directory entry is linked to one; otherwise the
	// recipient is outside Discern and the sender records its answers.
	Recipient      Recipient
	RecipientName  string
	RecipientOrgID string
	Needs          []string
	Classes        []DataClass // the classes in the packet
	Basis          ReferralBasisKind
	Consents       []ConsentRef // the consent versions relied on (basis consent)
	ExceptionID    string       // the legal exception used (basis exception)
	// ChildProtection marks a referral made on the child-protection branch.
	ChildProtection bool
	// Packet and ExceptionReason are sealed with the person's key.
	Packet          Sealed
	ExceptionReason Sealed
	State           ReferralState
	Outcome         ReferralOutcome
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// StateSince is when the referral reached its current state, for
	// ageing and reminders.
	StateSince time.Time
}

// Validate checks a referral before it is stored.
func (r *Referral) Validate() error {
	switch {
	case r.OrgID == "" || r.PersonID == "":
		return Invalid("person_id", "A referral belongs to a person.")
	case r.Recipient.Kind != RecipientOrganization && r.Recipient.Kind != RecipientService:
		return Invalid("recipient", "The recipient must be an organization or a service in the directory.")
	case r.Recipient.ID == "":
		return Invalid("recipient", "Choose who the referral is to.")
	case len(r.Classes) == 0:
		return Invalid("classes", "A referral carries at least one kind of information.")
	case r.Basis == BasisConsent && len(r.Consents) == 0:
		return Invalid("consents", "A referral on consent names the consent it rests on.")
	case r.Basis == BasisException && (r.ExceptionID == "" || len(r.ExceptionReason) == 0):
		return Invalid("exception", "A referral under a legal exception names the exception and the reason.")
	case r.Basis != BasisConsent && r.Basis != BasisException:
		return Invalid("basis", "A referral rests on consent or on a legal exception.")
	case !r.State.Valid():
		return Invalid("state", "%q is not a referral state.", r.State)
	case r.Outcome != "" && !r.Outcome.Valid():
		return Invalid("outcome", "%q is not a referral outcome.", r.Outcome)
	case r.CreatedBy == "":
		return Invalid("created_by", "A referral names who made it.")
	case len(r.Packet) == 0:
		return Invalid("packet", "A referral carries its packet.")
	}
	for _, c := range r.Classes {
		if !c.Valid() {
			return Invalid("classes", "%q is not a known kind of information.", c)
		}
	}
	return nil
}

// ReferralEvent is one move of a referral, kept for its history.
type ReferralEvent struct {
	ReferralID string
	Seq        int
	From, To   ReferralState
	Side       ReferralSide
	// OnBehalf marks a recipient's answer recorded by the sender, for a
	// recipient outside Discern.
	OnBehalf bool
	ActorID  string
	ActorOrg string
	Outcome  ReferralOutcome
	Reason   Sealed // sealed with the person's key; may be empty
	At       time.Time
}

// ReferralFilter selects referrals: those a sending organization made
// (OrgID, optionally for one person), or those sent to a receiving
// organization (RecipientOrgID).
type ReferralFilter struct {
	OrgID          string
	PersonID       string
	RecipientOrgID string
	Limit          int
}

// ReferralStore keeps referrals and their history.
type ReferralStore interface {
	// CreateReferral stores r (ID and times filled in) with its first
	// event.
	CreateReferral(ctx context.Context, r *Referral) error
	// FindReferral returns one referral by ID, whoever sent it; callers
	// decide who may see it.
	FindReferral(ctx context.Context, id string) (*Referral, error)
	FindReferrals(ctx context.Context, f ReferralFilter) ([]*Referral, error)
	// MoveReferral records e and moves the referral to e.To, provided it
	// is still in e.From (else KindConflict).
	MoveReferral(ctx context.Context, r *Referral, e *ReferralEvent) error
	FindReferralEvents(ctx context.Context, referralID string) ([]*ReferralEvent, error)
}
