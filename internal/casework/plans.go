package casework

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// PlanInput starts tracking one pathway of one of a person's screening
// results.
type PlanInput struct {
	PersonID     string
	ScreeningID  string
	PathwayID    string
	Jurisdiction string
}

// ClockView is a plan clock with its date worked out for today.
type ClockView struct {
	ID           string
	Rule         discern.ClockRule
	Start        *discern.Date
	Entered      *discern.Date // a date entered by hand
	Due          *discern.Date // the day it runs out, when known
	State        discern.ClockState
	RemindPerson bool
}

// PlanView is a plan item as the caller may see it. When the caller's
// role does not cover the plan's class, only ID, PersonID, Class and
// Redacted are set.
type PlanView struct {
	ID           string
	PersonID     string
	ScreeningID  string
	PathwayID    string
	Jurisdiction string
	Class        discern.DataClass
	Status       discern.PlanStatus
	Moves        []discern.PlanStatus
	Steps        []discern.PlanStep
	Clocks       []ClockView
	NextClock    string
	NextDue      *discern.Date
	Overdue      bool
	Notes        *string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
	Redacted     []discern.DataClass
}

// planClass is the data class of a plan of the pathway, from the content.
func (s *Service) planClass(pathwayID string) (discern.DataClass, bool) {
	pw := s.engine.Bundle().Pathway(pathwayID)
	if pw == nil {
		return "", false
	}
	switch c := discern.DataClass(pw.Class); c {
	case discern.ClassImmigration, discern.ClassCriminalJustice:
		return c, true
	}
	return discern.ClassCase, true
}

// StartPlan starts tracking a pathway for a person. The pathway must be one
// of the content, for a jurisdiction the screening was made under, and
// the screening must be the person's. Its checklist and clocks come from
// the content.
func (s *Service) StartPlan(ctx context.Context, a Actor, in PlanInput, hooks ...TxHook) (*PlanView, error) {
	class, ok := s.planClass(in.PathwayID)
	if !ok {
		return nil, discern.Invalid("pathway_id", "%q is not a pathway Discern knows.", in.PathwayID)
	}
	pw := s.engine.Bundle().Pathway(in.PathwayID)
	if !slices.Contains(pw.Jurisdictions, in.Jurisdiction) {
		return nil, discern.Invalid("jurisdiction", "The pathway %s does not apply in %q.", in.PathwayID, in.Jurisdiction)
	}
	_, d, err := s.personScope(ctx, a, in.PersonID, auth.PlansCreate, class)
	if err != nil {
		return nil, err
	}
	if !has(d, class) {
		return nil, discern.Errorf(discern.KindForbidden, "Your role cannot record %s plans.", class)
	}
	sc, err := s.db.FindScreeningByID(ctx, a.OrgID, in.ScreeningID)
	if err != nil || sc.PersonID != in.PersonID {
		return nil, discern.Invalid("screening_id", "The screening must be one of this person's.")
	}
	if !slices.Contains(sc.Jurisdictions, in.Jurisdiction) {
		return nil, discern.Invalid("jurisdiction", "The screening was not made under %q.", in.Jurisdiction)
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	p := &discern.PlanItem{ID: id, OrgID: a.OrgID, PersonID: in.PersonID, ScreeningID: in.ScreeningID, PathwayID: in.PathwayID,
		Jurisdiction: in.Jurisdiction, Class: class, Status: discern.PlanConsidering, CreatedBy: a.UserID}
	for _, st := range pw.Steps {
		p.Steps = append(p.Steps, discern.PlanStep{ID: st.ID})
	}
	for _, c := range pw.Clocks {
		p.Clocks = append(p.Clocks, discern.PlanClock{ID: c.ID,
			Rule: discern.ClockRule{Days: c.Days, WorkingDays: c.WorkingDays, Months: c.Months, Years: c.Years}})
	}
	var view *PlanView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreatePlanItem(ctx, p); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, "plan.create", "plan", id, class)); err != nil {
			return err
		}
		var err error
		if view, err = s.planView(ctx, p, d); err != nil {
			return err
		}
		return runHooks(ctx, tx, view, hooks)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

func (s *Service) today() discern.Date { return discern.DateOf(s.now(), time.UTC) }

func (s *Service) planView(ctx context.Context, p *discern.PlanItem, d auth.Decision) (*PlanView, error) {
	v := &PlanView{ID: p.ID, PersonID: p.PersonID, Class: p.Class}
	if !has(d, p.Class) {
		v.Redacted = []discern.DataClass{p.Class}
		return v, nil
	}
	today := s.today()
	v.ScreeningID, v.PathwayID, v.Jurisdiction, v.Status = p.ScreeningID, p.PathwayID, p.Jurisdiction, p.Status
	v.Moves, v.Steps, v.CreatedBy, v.CreatedAt, v.UpdatedAt, v.Version = p.Status.Moves(), p.Steps, p.CreatedBy, p.CreatedAt, p.UpdatedAt, p.Version
	for _, c := range p.Clocks {
		cv := ClockView{ID: c.ID, Rule: c.Rule, Start: c.Start, Entered: c.Due, State: c.StateOn(today), RemindPerson: c.RemindPerson}
		if due, ok := c.DueDate(); ok {
			cv.Due = &due
		}
		v.Clocks = append(v.Clocks, cv)
	}
	if c, due, ok := p.NextClock(today); ok {
		v.NextClock, v.NextDue = c.ID, &due
	}
	v.Overdue = p.Overdue(today)
	if p.Notes != nil {
		t, err := s.openText(ctx, personSubject(p.PersonID), "plan_items", "notes", p.ID, p.Notes)
		if err != nil && discern.KindOf(err) != discern.KindNotFound {
			return nil, err
		}
		if err == nil {
			v.Notes = &t
		}
	}
	return v, nil
}

// planScope loads a plan and decides action on it through its person.
func (s *Service) planScope(ctx context.Context, a Actor, id string, action auth.Action) (*discern.PlanItem, auth.Decision, error) {
	p, err := s.db.FindPlanItemByID(ctx, a.OrgID, id)
	if err != nil {
		return nil, auth.Decision{}, err
	}
	_, d, err := s.personScope(ctx, a, p.PersonID, action, p.Class, discern.ClassCase)
	if err != nil {
		return nil, d, err
	}
	return p, d, nil
}

// GetPlan returns a plan item; reading one whose class the caller sees is
// audited.
func (s *Service) GetPlan(ctx context.Context, a Actor, id string) (*PlanView, error) {
	p, d, err := s.planScope(ctx, a, id, auth.PlansRead)
	if err != nil {
		return nil, err
	}
	v, err := s.planView(ctx, p, d)
	if err != nil {
		return nil, err
	}
	if len(v.Redacted) == 0 {
		if err := s.auditRead(ctx, a, "plan.read", "plan", id, p.Class); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// ListPlans lists a person's plan items, each redacted to the caller's
// classes; the read is audited with the classes shown.
func (s *Service) ListPlans(ctx context.Context, a Actor, personID string) ([]*PlanView, error) {
	_, d, err := s.personScope(ctx, a, personID, auth.PlansRead, discern.ClassCase, discern.ClassImmigration, discern.ClassCriminalJustice)
	if err != nil {
		return nil, err
	}
	list, err := s.db.FindPlanItems(ctx, discern.PlanFilter{OrgID: a.OrgID, PersonID: &personID})
	if err != nil {
		return nil, err
	}
	out := make([]*PlanView, 0, len(list))
	var shown []discern.DataClass
	for _, p := range list {
		v, err := s.planView(ctx, p, d)
		if err != nil {
			return nil, err
		}
		if len(v.Redacted) == 0 && !slices.Contains(shown, p.Class) {
			shown = append(shown, p.Class)
		}
		out = append(out, v)
	}
	if len(shown) > 0 {
		if err := s.auditRead(ctx, a, "plan.list", "person", personID, shown...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PlanChange is a change to a plan: any of a status move, a step ticked or
// unticked, a clock's dates, the notes. Version is the version read.
type PlanChange struct {
	Version int
	Status  *discern.PlanStatus
	Step    *StepChange
	Clock   *ClockChange
	Notes   *string
}

// StepChange ticks or unticks one step.
type StepChange struct {
	ID   string
	Done bool
}

// ClockChange enters a clock's start and/or its date (nil clears).
type ClockChange struct {
	ID           string
	Start, Due   *discern.Date
	RemindPerson bool
}

// UpdatePlan applies a change. Ticking records the caller and the time.
func (s *Service) UpdatePlan(ctx context.Context, a Actor, id string, ch PlanChange) (*PlanView, error) {
	if ch.Notes != nil {
		if err := limitText("notes", *ch.Notes, 20000); err != nil {
			return nil, err
		}
	}
	p, d, err := s.planScope(ctx, a, id, auth.PlansUpdate)
	if err != nil {
		return nil, err
	}
	if !has(d, p.Class) {
		return nil, discern.Errorf(discern.KindForbidden, "Your role cannot change %s plans.", p.Class)
	}
	upd := discern.PlanUpdate{Version: ch.Version, Status: ch.Status}
	if ch.Step != nil {
		if err := p.Tick(ch.Step.ID, ch.Step.Done, a.UserID, s.now()); err != nil {
			return nil, err
		}
		upd.Steps = p.Steps
	}
	if ch.Clock != nil {
		if err := p.SetClock(ch.Clock.ID, ch.Clock.Start, ch.Clock.Due, ch.Clock.RemindPerson); err != nil {
			return nil, err
		}
		upd.Clocks = p.Clocks
	}
	if ch.Notes != nil {
		var sealed discern.Sealed
		if *ch.Notes != "" {
			if sealed, err = s.sealText(ctx, personSubject(p.PersonID), "plan_items", "notes", p.ID, *ch.Notes); err != nil {
				return nil, err
			}
		}
		upd.Notes = &sealed
	}
	var view *PlanView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		q, err := tx.UpdatePlanItem(ctx, a.OrgID, id, upd)
		if err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, "plan.update", "plan", id, p.Class)); err != nil {
			return err
		}
		view, err = s.planView(ctx, q, d)
		return err
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ContactSafetyView is a person's contact-safety rules as stored, or the
// empty rules (nothing recorded: only contact through the worker).
type ContactSafetyView struct {
	PersonID  string
	Rules     discern.ContactSafety
	Recorded  bool
	UpdatedBy string
	UpdatedAt time.Time
}

// GetContactSafety returns a person's contact-safety rules. The read is
// audited (class contact).
func (s *Service) GetContactSafety(ctx context.Context, a Actor, personID string) (*ContactSafetyView, error) {
	if _, _, err := s.personScope(ctx, a, personID, auth.ContactRead, discern.ClassContact); err != nil {
		return nil, err
	}
	v, err := s.contactSafety(ctx, a.OrgID, personID)
	if err != nil {
		return nil, err
	}
	if err := s.auditRead(ctx, a, "contact_safety.read", "person", personID, discern.ClassContact); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) contactSafety(ctx context.Context, orgID, personID string) (*ContactSafetyView, error) {
	v := &ContactSafetyView{PersonID: personID}
	rec, err := s.db.FindContactSafety(ctx, orgID, personID)
	if discern.KindOf(err) == discern.KindNotFound {
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	text, err := s.openText(ctx, personSubject(personID), "contact_safety", "rules", personID, rec.Rules)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(text), &v.Rules); err != nil {
		return nil, err
	}
	v.Recorded, v.UpdatedBy, v.UpdatedAt = true, rec.UpdatedBy, rec.UpdatedAt
	return v, nil
}

// PutContactSafety records a person's contact-safety rules, sealed with
// their data key. Discern keeps only whether a code word is agreed, never
// the word.
func (s *Service) PutContactSafety(ctx context.Context, a Actor, personID string, rules discern.ContactSafety) (*ContactSafetyView, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	if len(rules.Channels) > len(discern.ContactChannels) {
		return nil, discern.Invalid("channels", "Each channel is listed once.")
	}
	if _, _, err := s.personScope(ctx, a, personID, auth.ContactUpdate, discern.ClassContact); err != nil {
		return nil, err
	}
	plain, err := json.Marshal(rules)
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealText(ctx, personSubject(personID), "contact_safety", "rules", personID, string(plain))
	if err != nil {
		return nil, err
	}
	rec := &discern.ContactSafetyRecord{OrgID: a.OrgID, PersonID: personID, Rules: sealed, UpdatedBy: a.UserID}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.PutContactSafety(ctx, rec); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, entry(a, "contact_safety.update", "person", personID, discern.ClassContact))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ContactSafetyView{PersonID: personID, Rules: rules, Recorded: true, UpdatedBy: a.UserID, UpdatedAt: rec.UpdatedAt}, nil
}
