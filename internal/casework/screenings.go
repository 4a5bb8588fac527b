package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/sqldb"
)

// ScreeningView is a screening as the caller may see it. Answers in classes
// the caller's role does not cover are redacted ("redacted" value, no note),
// and indicators that rest only on redacted answers are left out of the
// result.
type ScreeningView struct {
	ID             string
	PersonID       string
	EncounterID    string
	ScreenerID     string
	Status         discern.ScreeningStatus
	Evidence       *screening.Evidence
	Result         *screening.Result
	ContentVersion string
	ContentHash    string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    *time.Time
	// Recorded is the conclusion stored when the screening was completed,
	// under the content it records. Result is the full result recomputed
	// from the evidence under the current content (for a draft, a
	// preliminary one); Changes lists how it differs from Recorded when the
	// content has changed since.
	Recorded *screening.Summary
	Changes  []string
	// Erased is true when the person's data key was destroyed: the
	// answers and result are gone for good.
	Erased   bool
	Redacted []discern.DataClass
}

// ScreeningInput starts a screening: the evidence so far, for a known
// person or anonymously, and whether it is complete.
type ScreeningInput struct {
	PersonID    string
	EncounterID string
	Evidence    *screening.Evidence
	Complete    bool
}

// Assess evaluates evidence with the engine and stores nothing.
func (s *Service) Assess(ctx context.Context, a Actor, ev *screening.Evidence) (*screening.Result, error) {
	if _, err := decide(a, auth.AssessRun, auth.Resource{OrgID: a.OrgID, OwnerID: a.UserID, Classes: auth.Classes(discern.ClassCase)}); err != nil {
		return nil, err
	}
	res, err := s.engine.Evaluate(ev)
	if err != nil {
		return nil, discern.Invalid("answers", "%v", err)
	}
	return res, nil
}

// answerClasses lists the data classes the evidence's answers touch.
func (s *Service) answerClasses(ev *screening.Evidence) []discern.DataClass {
	out := []discern.DataClass{discern.ClassCase}
	b := s.engine.Bundle()
	for _, ans := range ev.Answers {
		if q := b.Question(ans.Question); q != nil {
			if c := discern.DataClass(q.Class); c != discern.ClassCase && !contains(out, c) {
				out = append(out, c)
			}
		}
		if ans.Note != "" && !contains(out, discern.ClassNarrative) {
			out = append(out, discern.ClassNarrative)
		}
	}
	return out
}

// CreateScreening stores a screening. A complete screening is evaluated
// with the engine and stored with its result, the content version and hash;
// a draft keeps its answers so that the interview can be resumed.
func (s *Service) CreateScreening(ctx context.Context, a Actor, in ScreeningInput, hooks ...TxHook) (*ScreeningView, error) {
	if in.Evidence == nil {
		return nil, discern.Invalid("answers", "answers are required.")
	}
	owner, team, assigned := a.UserID, "", ""
	if in.PersonID != "" {
		p, err := s.db.FindPersonByID(ctx, a.OrgID, in.PersonID)
		if err != nil {
			if discern.KindOf(err) == discern.KindNotFound {
				return nil, discern.Invalid("person_id", "No such person.")
			}
			return nil, err
		}
		if p.ErasedAt != nil {
			return nil, discern.Errorf(discern.KindConflict, "This person's record was erased.")
		}
		if _, err := decide(a, auth.PeopleRead, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, discern.ClassCase)); err != nil {
			return nil, discern.Invalid("person_id", "No such person.")
		}
		team, assigned = p.TeamID, p.AssignedTo
	}
	classes := s.answerClasses(in.Evidence)
	d, err := decide(a, auth.ScreeningsCreate, record(a, a.OrgID, owner, assigned, team, classes...))
	if err != nil {
		return nil, err
	}
	_ = d // a screener records every answer they are given; reading back is what redacts
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	subject := id
	if in.PersonID != "" {
		subject = personSubject(in.PersonID)
	}
	res, err := s.engine.Evaluate(in.Evidence)
	if err != nil {
		return nil, discern.Invalid("answers", "%v", err)
	}
	sc := &discern.Screening{
		ID: id, OrgID: a.OrgID, PersonID: in.PersonID, EncounterID: in.EncounterID, ScreenerID: a.UserID,
		InstrumentID: in.Evidence.Instrument, Language: in.Evidence.Language, Jurisdictions: in.Evidence.Jurisdictions,
		ContentVersion: res.ContentVersion, ContentHash: res.ContentHash, Status: discern.ScreeningDraft,
	}
	if sc.Answers, err = s.sealJSON(ctx, subject, "answers", id, in.Evidence); err != nil {
		return nil, err
	}
	action := "screening.create"
	if in.Complete {
		sc.Status = discern.ScreeningComplete
		if sc.Result, err = s.sealJSON(ctx, subject, "result", id, res.Summary()); err != nil {
			return nil, err
		}
		action = "screening.complete"
	}
	var view *ScreeningView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateScreening(ctx, sc); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, action, "screening", id, classes...)); err != nil {
			return err
		}
		// The view is made from the evidence and result in hand, not by
		// opening what was just sealed.
		view = s.viewOf(sc, in.Evidence, res, auth.Decide(a.Principal, auth.ScreeningsRead, record(a, a.OrgID, owner, assigned, team, discern.DataClasses...)))
		return runHooks(ctx, tx, view, hooks)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ScreeningPatch amends a draft: new answers (replacing the old), and
// whether it is now complete.
type ScreeningPatch struct {
	Evidence *screening.Evidence
	Complete bool
}

// UpdateScreening amends a draft screening. Completing it evaluates the
// answers and freezes it; a complete screening is never changed again.
func (s *Service) UpdateScreening(ctx context.Context, a Actor, id string, patch ScreeningPatch) (*ScreeningView, error) {
	sc, err := s.db.FindScreeningByID(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	team, assigned, err := s.screeningPersonScope(ctx, sc)
	if err != nil {
		return nil, err
	}
	if _, err := decide(a, auth.ScreeningsUpdate, record(a, sc.OrgID, sc.ScreenerID, assigned, team, discern.ClassCase)); err != nil {
		s.denied(ctx, a, "screening.update", "screening", id)
		return nil, err
	}
	if sc.Status == discern.ScreeningComplete {
		return nil, discern.Errorf(discern.KindConflict, "This screening is complete and cannot be changed; start a new one.")
	}
	ev := patch.Evidence
	subject := subjectOf(sc)
	if ev == nil {
		ev = &screening.Evidence{}
		if err := s.openJSON(ctx, "answers", id, sc.Answers, ev); err != nil {
			return nil, err
		}
	}
	res, err := s.engine.Evaluate(ev)
	if err != nil {
		return nil, discern.Invalid("answers", "%v", err)
	}
	upd := discern.ScreeningUpdate{Language: &ev.Language, Jurisdictions: &ev.Jurisdictions,
		ContentVersion: &res.ContentVersion, ContentHash: &res.ContentHash}
	answers, err := s.sealJSON(ctx, subject, "answers", id, ev)
	if err != nil {
		return nil, err
	}
	upd.Answers = &answers
	action := "screening.update"
	if patch.Complete {
		result, err := s.sealJSON(ctx, subject, "result", id, res.Summary())
		if err != nil {
			return nil, err
		}
		status := discern.ScreeningComplete
		upd.Result, upd.Status = &result, &status
		action = "screening.complete"
	}
	var updated *discern.Screening
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if updated, err = tx.UpdateScreening(ctx, a.OrgID, id, upd); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, entry(a, action, "screening", id, s.answerClasses(ev)...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.screeningView(ctx, a, updated, auth.Decide(a.Principal, auth.ScreeningsRead, record(a, sc.OrgID, sc.ScreenerID, assigned, team, discern.DataClasses...)))
}

// subjectOf returns the key subject a screening was sealed under.
func subjectOf(sc *discern.Screening) string {
	var env sealedJSON
	if json.Unmarshal(sc.Answers, &env) == nil && env.Subject != "" {
		return env.Subject
	}
	if sc.PersonID != "" {
		return personSubject(sc.PersonID)
	}
	return sc.ID
}

// screeningPersonScope returns the team and assignee that widen who may see
// a screening: those of its person, or for an anonymous screening the
// screener's team.
func (s *Service) screeningPersonScope(ctx context.Context, sc *discern.Screening) (team, assigned string, err error) {
	if sc.PersonID == "" {
		u, err := s.db.FindUserByID(ctx, sc.OrgID, sc.ScreenerID)
		if err != nil {
			if discern.KindOf(err) == discern.KindNotFound {
				return "", "", nil
			}
			return "", "", err
		}
		return u.TeamID, "", nil
	}
	p, err := s.db.FindPersonByID(ctx, sc.OrgID, sc.PersonID)
	if err != nil {
		if discern.KindOf(err) == discern.KindNotFound {
			return "", "", nil
		}
		return "", "", err
	}
	return p.TeamID, p.AssignedTo, nil
}

// GetScreening returns a screening, its answers redacted to the caller's
// classes. The read is audited.
func (s *Service) GetScreening(ctx context.Context, a Actor, id string) (*ScreeningView, error) {
	sc, err := s.db.FindScreeningByID(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	team, assigned, err := s.screeningPersonScope(ctx, sc)
	if err != nil {
		return nil, err
	}
	d, err := decide(a, auth.ScreeningsRead, record(a, sc.OrgID, sc.ScreenerID, assigned, team, discern.DataClasses...))
	if err != nil {
		s.denied(ctx, a, "screening.read", "screening", id)
		return nil, err
	}
	v, err := s.screeningView(ctx, a, sc, d)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		_, err := s.log.Append(ctx, tx, entry(a, "screening.read", "screening", id, classesOf(d.Classes)...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// viewOf makes the view of a screening from its evidence and result.
func (s *Service) viewOf(sc *discern.Screening, ev *screening.Evidence, res *screening.Result, d auth.Decision) *ScreeningView {
	v := &ScreeningView{ID: sc.ID, PersonID: sc.PersonID, EncounterID: sc.EncounterID, ScreenerID: sc.ScreenerID,
		Status: sc.Status, ContentVersion: sc.ContentVersion, ContentHash: sc.ContentHash,
		CreatedAt: sc.CreatedAt, UpdatedAt: sc.UpdatedAt, CompletedAt: sc.CompletedAt}
	v.Evidence, v.Result, v.Redacted = s.redact(ev, res, d)
	if sc.Status == discern.ScreeningComplete {
		sum := res.Summary()
		v.Recorded = &sum
	}
	return v
}

func (s *Service) screeningView(ctx context.Context, a Actor, sc *discern.Screening, d auth.Decision) (*ScreeningView, error) {
	v := &ScreeningView{ID: sc.ID, PersonID: sc.PersonID, EncounterID: sc.EncounterID, ScreenerID: sc.ScreenerID,
		Status: sc.Status, ContentVersion: sc.ContentVersion, ContentHash: sc.ContentHash,
		CreatedAt: sc.CreatedAt, UpdatedAt: sc.UpdatedAt, CompletedAt: sc.CompletedAt}
	ev := &screening.Evidence{}
	if err := s.openJSON(ctx, "answers", sc.ID, sc.Answers, ev); err != nil {
		if errors.Is(err, discern.ErrKeyDestroyed) {
			v.Erased = true
			return v, nil
		}
		return nil, err
	}
	if len(sc.Result) > 0 {
		v.Recorded = &screening.Summary{}
		if err := s.openJSON(ctx, "result", sc.ID, sc.Result, v.Recorded); err != nil {
			if errors.Is(err, discern.ErrKeyDestroyed) {
				v.Erased = true
				return v, nil
			}
			return nil, err
		}
	}
	// The full result is recomputed: the engine is deterministic, so under
	// the recorded content it is the recorded result.
	res, err := s.engine.Evaluate(ev)
	if err != nil {
		return nil, fmt.Errorf("casework: re-evaluating screening %s: %w", sc.ID, err)
	}
	if v.Recorded != nil {
		v.Changes = v.Recorded.Changes(res.Summary())
		if len(v.Changes) > 0 && v.Recorded.ContentHash == res.ContentHash {
			// Same content, different conclusion: the engine is not
			// deterministic, which is a defect, never something to show
			// as if the law had changed.
			return nil, fmt.Errorf("casework: screening %s re-evaluates differently under the same content: %v", sc.ID, v.Changes)
		}
	}
	v.Evidence, v.Result, v.Redacted = s.redact(ev, res, d)
	return v, nil
}

// redact removes what the decision's classes do not cover: answers of
// other classes, their notes, indicators shown only by such answers, and
// their part in conflicts.
func (s *Service) redact(ev *screening.Evidence, res *screening.Result, d auth.Decision) (*screening.Evidence, *screening.Result, []discern.DataClass) {
	b := s.engine.Bundle()
	var redacted []discern.DataClass
	hidden := map[string]bool{}
	out := *ev
	out.Answers = make([]screening.Answer, 0, len(ev.Answers))
	for _, ans := range ev.Answers {
		class := discern.ClassCase
		if q := b.Question(ans.Question); q != nil {
			class = discern.DataClass(q.Class)
		}
		if !has(d, class) {
			hidden[ans.Question] = true
			if !contains(redacted, class) {
				redacted = append(redacted, class)
			}
			ans = screening.Answer{Question: ans.Question, Value: "redacted", Provenance: ans.Provenance}
		}
		if ans.Note != "" && !has(d, discern.ClassNarrative) {
			ans.Note = ""
			if !contains(redacted, discern.ClassNarrative) {
				redacted = append(redacted, discern.ClassNarrative)
			}
		}
		out.Answers = append(out.Answers, ans)
	}
	if res == nil || len(hidden) == 0 {
		return &out, res, redacted
	}
	keep := func(srcs []screening.Source) []screening.Source {
		var kept []screening.Source
		for _, src := range srcs {
			if !hidden[src.Question] {
				kept = append(kept, src)
			}
		}
		return kept
	}
	r := *res
	r.Indicators = nil
	for _, ind := range res.Indicators {
		if ind.Sources = keep(ind.Sources); len(ind.Sources) == 0 {
			continue
		}
		r.Indicators = append(r.Indicators, ind)
	}
	// A conflict carries the answers on both sides: those to withheld
	// questions go, and a conflict left with one side is no conflict the
	// reader can see (showing it would tell that a withheld answer
	// disagrees).
	r.Conflicts = nil
	for _, c := range res.Conflicts {
		c.Present, c.Absent = keep(c.Present), keep(c.Absent)
		if len(c.Present) > 0 && len(c.Absent) > 0 {
			r.Conflicts = append(r.Conflicts, c)
		}
	}
	return &out, &r, redacted
}

// ScreeningQuery filters a list of screenings.
type ScreeningQuery struct {
	PersonID   string
	ScreenerID string
	Status     string
	Limit      int
	Cursor     string
}

// ScreeningSummary is a screening in a list: no answers, only what a list
// shows (the determination per jurisdiction when complete).
type ScreeningSummary struct {
	ID             string
	PersonID       string
	ScreenerID     string
	Status         discern.ScreeningStatus
	Determinations map[string]string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Erased         bool
}

// ListScreenings returns a page of screenings the caller may see.
func (s *Service) ListScreenings(ctx context.Context, a Actor, q ScreeningQuery) ([]*ScreeningSummary, string, error) {
	d, err := decide(a, auth.ScreeningsRead, auth.Resource{OrgID: a.OrgID, List: true, Classes: auth.Classes(discern.ClassCase)})
	if err != nil {
		return nil, "", err
	}
	f := discern.ScreeningFilter{OrgID: a.OrgID, Page: discern.Page{Limit: q.Limit, Cursor: q.Cursor}}
	if d.Scope == discern.ScopeOwn {
		f.ScreenerID = &a.UserID
	}
	if q.PersonID != "" {
		f.PersonID = &q.PersonID
	}
	if q.ScreenerID != "" {
		f.ScreenerID = &q.ScreenerID
	}
	if q.Status != "" {
		st := discern.ScreeningStatus(q.Status)
		if !st.Valid() {
			return nil, "", discern.Invalid("status", "status must be draft or complete.")
		}
		f.Status = &st
	}
	list, next, err := s.db.FindScreenings(ctx, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]*ScreeningSummary, 0, len(list))
	for _, sc := range list {
		// Every row is judged by the policy, with the scope its person gives it.
		team, assigned, err := "", "", error(nil)
		if d.Scope != discern.ScopeOrganization && sc.ScreenerID != a.UserID {
			if team, assigned, err = s.screeningPersonScope(ctx, sc); err != nil {
				return nil, "", err
			}
		}
		if !auth.Decide(a.Principal, auth.ScreeningsRead, record(a, sc.OrgID, sc.ScreenerID, assigned, team, discern.ClassCase)).Allowed {
			continue
		}
		sum := &ScreeningSummary{ID: sc.ID, PersonID: sc.PersonID, ScreenerID: sc.ScreenerID, Status: sc.Status, CreatedAt: sc.CreatedAt, UpdatedAt: sc.UpdatedAt}
		if len(sc.Result) > 0 {
			var res screening.Summary
			switch err := s.openJSON(ctx, "result", sc.ID, sc.Result, &res); {
			case errors.Is(err, discern.ErrKeyDestroyed):
				sum.Erased = true
			case err != nil:
				return nil, "", err
			default:
				sum.Determinations = map[string]string{}
				for _, jr := range res.Results {
					sum.Determinations[jr.Jurisdiction] = jr.Determination
				}
			}
		}
		out = append(out, sum)
	}
	return out, next, nil
}
