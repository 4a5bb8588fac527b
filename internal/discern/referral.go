package discern

import (
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
