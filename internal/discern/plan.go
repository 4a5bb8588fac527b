package discern

import (
	"context"
	"slices"
	"time"
)

// PlanStatus is where a tracked pathway stands.
type PlanStatus string

// The plan statuses. A plan starts as considering: the person is thinking
// about the pathway with their worker and, usually, a lawyer or advocate.
const (
	PlanConsidering PlanStatus = "considering"
	PlanPreparing   PlanStatus = "preparing" // gathering documents, booking the lawyer, getting consent
	PlanSubmitted   PlanStatus = "submitted" // the application, referral or request is in
	PlanGranted     PlanStatus = "decided_granted"
	PlanRefused     PlanStatus = "decided_refused"
	PlanWithdrawn   PlanStatus = "withdrawn" // the person decided not to go on, at any stage, without penalty
	PlanClosed      PlanStatus = "closed"    // nothing left to track
)

// PlanStatuses lists every status in the order of a plan's life.
var PlanStatuses = []PlanStatus{PlanConsidering, PlanPreparing, PlanSubmitted, PlanGranted, PlanRefused, PlanWithdrawn, PlanClosed}

// planMoves are the allowed moves. A refusal can go back to preparing (a
// reconsideration or appeal), a withdrawal back to considering (the person
// changed their mind); a grant is closed when the status it gave has run
// its course. Closed is the end.
var planMoves = map[PlanStatus][]PlanStatus{
	PlanConsidering: {PlanPreparing, PlanWithdrawn},
	PlanPreparing:   {PlanConsidering, PlanSubmitted, PlanWithdrawn},
	PlanSubmitted:   {PlanGranted, PlanRefused, PlanWithdrawn},
	PlanGranted:     {PlanClosed},
	PlanRefused:     {PlanPreparing, PlanClosed},
	PlanWithdrawn:   {PlanConsidering, PlanClosed},
	PlanClosed:      nil,
}

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool { return slices.Contains(PlanStatuses, s) }

// Moves lists the statuses a plan in s may move to.
func (s PlanStatus) Moves() []PlanStatus { return slices.Clone(planMoves[s]) }

// CanMove reports whether a plan in s may move to to.
func (s PlanStatus) CanMove(to PlanStatus) bool { return slices.Contains(planMoves[s], to) }

// Active reports whether the plan's clocks still matter: reminders are
// made only for active plans.
func (s PlanStatus) Active() bool {
	return s == PlanConsidering || s == PlanPreparing || s == PlanSubmitted || s == PlanGranted
}

// PlanStep is one checklist step of a plan, from the pathway's content.
// Ticking it records who and when.
type PlanStep struct {
	ID     string     `json:"id"`
	DoneBy string     `json:"done_by,omitempty"`
	DoneAt *time.Time `json:"done_at,omitempty"`
}

// PlanClock is a named date of a plan: the day a clock of the pathway runs
// out, counted from a start the worker enters (the day of the referral, of
// a positive decision), or a date the worker enters directly (an expiry on
// a grant letter), which then wins.
type PlanClock struct {
	ID    string    `json:"id"`
	Rule  ClockRule `json:"rule"`
	Start *Date     `json:"start,omitempty"`
	Due   *Date     `json:"due,omitempty"` // entered by hand
	// RemindPerson asks for a reminder to the person too (an appointment,
	// a hearing), sent only on a channel and at a time they said is safe.
	RemindPerson bool `json:"remind_person,omitempty"`
}

// DueDate is the day the clock runs out, and false when it has neither a
// start nor a date entered.
func (c PlanClock) DueDate() (Date, bool) {
	switch {
	case c.Due != nil:
		return *c.Due, true
	case c.Start != nil && !c.Rule.IsZero():
		return c.Rule.From(*c.Start), true
	}
	return Date{}, false
}

// PlanItem is a pathway a person is pursuing (or considering), tracked
// from one pathway of one of their screening results.
type PlanItem struct {
	ID           string
	OrgID        string
	PersonID     string
	ScreeningID  string
	PathwayID    string
	Jurisdiction string
	// Class is the data class of the whole item: immigration for an
	// immigration pathway, criminal_justice for non-punishment and record
	// relief, case otherwise. A role that may not see the class sees only
	// that a plan exists.
	Class     DataClass
	Status    PlanStatus
	Steps     []PlanStep
	Clocks    []PlanClock
	Notes     Sealed // free text, class narrative-or-plan class; optional
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts changes, for optimistic locking.
	Version int
}

// Validate checks a plan item before it is stored.
func (p *PlanItem) Validate() error {
	switch {
	case p.OrgID == "" || p.PersonID == "":
		return Invalid("person_id", "A plan belongs to a person.")
	case p.ScreeningID == "":
		return Invalid("screening_id", "A plan starts from a screening result.")
	case !validContentID(p.PathwayID):
		return Invalid("pathway_id", "pathway_id must be a pathway of the content.")
	case !validContentID(p.Jurisdiction):
		return Invalid("jurisdiction", "jurisdiction must be a jurisdiction of the content.")
	case p.Class != ClassCase && p.Class != ClassImmigration && p.Class != ClassCriminalJustice:
		return Invalid("class", "A plan is of the case, immigration or criminal_justice class.")
	case !p.Status.Valid():
		return Invalid("status", "%q is not a plan status.", p.Status)
	case p.CreatedBy == "":
		return Invalid("created_by", "created_by is required.")
	case len(p.Steps) > 100 || len(p.Clocks) > 50:
		return Invalid("steps", "A plan has at most 100 steps and 50 clocks.")
	}
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if !validContentID(s.ID) || seen["s"+s.ID] {
			return Invalid("steps", "Each step has its own id.")
		}
		seen["s"+s.ID] = true
		if (s.DoneAt == nil) != (s.DoneBy == "") {
			return Invalid("steps", "A step that is done records who did it and when.")
		}
	}
	for _, c := range p.Clocks {
		if !validContentID(c.ID) || seen["c"+c.ID] {
			return Invalid("clocks", "Each clock has its own id.")
		}
		seen["c"+c.ID] = true
		for _, d := range []*Date{c.Start, c.Due} {
			if d != nil && !d.Valid() {
				return Invalid("clocks", "A clock's date must be a real day.")
			}
		}
	}
	return validSealed("notes", p.Notes)
}

// Move changes the status, if the move is allowed.
func (p *PlanItem) Move(to PlanStatus) error {
	if !to.Valid() {
		return Invalid("status", "%q is not a plan status.", to)
	}
	if !p.Status.CanMove(to) {
		return Errorf(KindConflict, "A plan that is %s cannot become %s.", p.Status, to)
	}
	p.Status = to
	return nil
}

// Tick marks a step done (by whom, when) or, with done false, not done.
func (p *PlanItem) Tick(stepID string, done bool, by string, at time.Time) error {
	for i := range p.Steps {
		if p.Steps[i].ID != stepID {
			continue
		}
		if done {
			if by == "" || at.IsZero() {
				return Invalid("done_by", "A ticked step records who and when.")
			}
			at := at.UTC()
			p.Steps[i].DoneBy, p.Steps[i].DoneAt = by, &at
		} else {
			p.Steps[i].DoneBy, p.Steps[i].DoneAt = "", nil
		}
		return nil
	}
	return Invalid("step", "This plan has no step %q.", stepID)
}

// SetClock enters a clock's start and/or its date by hand (nil clears).
func (p *PlanItem) SetClock(clockID string, start, due *Date, remindPerson bool) error {
	for _, d := range []*Date{start, due} {
		if d != nil && !d.Valid() {
			return Invalid("clocks", "A clock's date must be a real day.")
		}
	}
	for i := range p.Clocks {
		if p.Clocks[i].ID == clockID {
			p.Clocks[i].Start, p.Clocks[i].Due, p.Clocks[i].RemindPerson = start, due, remindPerson
			return nil
		}
	}
	return Invalid("clock", "This plan has no clock %q.", clockID)
}

// ClockState is where a clock stands on a given day.
type ClockState string

// The clock states.
const (
	ClockNotSet   ClockState = "not_set"  // no start or date entered yet
	ClockRunning  ClockState = "running"  // more than DueSoonDays away
	ClockDueSoon  ClockState = "due_soon" // within DueSoonDays
	ClockDueToday ClockState = "due_today"
	ClockOverdue  ClockState = "overdue"
)

// DueSoonDays is how many days ahead a clock counts as coming due.
const DueSoonDays = 2

// StateOn is the clock's state on today.
func (c PlanClock) StateOn(today Date) ClockState {
	due, ok := c.DueDate()
	if !ok {
		return ClockNotSet
	}
	switch n := today.DaysUntil(due); {
	case n < 0:
		return ClockOverdue
	case n == 0:
		return ClockDueToday
	case n <= DueSoonDays:
		return ClockDueSoon
	}
	return ClockRunning
}

// NextClock is the clock of an active plan that runs out first on or after
// today, or else the most overdue one; false when no clock is set or the
// plan is no longer active.
func (p *PlanItem) NextClock(today Date) (PlanClock, Date, bool) {
	var best PlanClock
	var bestDue Date
	found := false
	if !p.Status.Active() {
		return best, bestDue, false
	}
	for _, c := range p.Clocks {
		due, ok := c.DueDate()
		if !ok {
			continue
		}
		// Upcoming clocks come before overdue ones; among each, the
		// earliest.
		better := !found
		if found {
			up, bestUp := !due.Before(today), !bestDue.Before(today)
			switch {
			case up != bestUp:
				better = up
			default:
				better = due.Before(bestDue)
			}
		}
		if better {
			best, bestDue, found = c, due, true
		}
	}
	return best, bestDue, found
}

// Overdue reports whether any clock of an active plan has run out.
func (p *PlanItem) Overdue(today Date) bool {
	if !p.Status.Active() {
		return false
	}
	for _, c := range p.Clocks {
		if c.StateOn(today) == ClockOverdue {
			return true
		}
	}
	return false
}

// PlanUpdate holds the fields to change; nil means unchanged. Version must
// be the version read, else KindConflict.
type PlanUpdate struct {
	Version int
	Status  *PlanStatus
	Steps   []PlanStep  // nil: unchanged
	Clocks  []PlanClock // nil: unchanged
	Notes   *Sealed     // pointer to nil clears
}

// PlanFilter selects plan items.
type PlanFilter struct {
	OrgID    string // required
	PersonID *string
	// ActiveOnly keeps plans whose status is active.
	ActiveOnly bool
}

// PlanStore stores plan items.
type PlanStore interface {
	CreatePlanItem(ctx context.Context, p *PlanItem) error
	// FindPlanItemByID returns KindNotFound.
	FindPlanItemByID(ctx context.Context, orgID, id string) (*PlanItem, error)
	// FindPlanItems lists plan items, oldest first.
	FindPlanItems(ctx context.Context, f PlanFilter) ([]*PlanItem, error)
	// UpdatePlanItem returns KindConflict when upd.Version is not the
	// stored version, and the item with its version advanced.
	UpdatePlanItem(ctx context.Context, orgID, id string, upd PlanUpdate) (*PlanItem, error)
	// FindActivePlanItems lists every active plan item of every
	// organization, for the reminder sweep (a system job).
	FindActivePlanItems(ctx context.Context) ([]*PlanItem, error)
}
