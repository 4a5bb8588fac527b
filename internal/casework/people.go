package casework

import (
	"context"
	"errors"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// PersonView is a person as the caller may see them: identifying fields
// appear only when the caller's role covers their class, and are nil when
// not recorded or not visible (Redacted lists the classes held back).
type PersonView struct {
	ID          string
	CaseCode    string
	Name        *string
	BirthDate   *string
	AgeEstimate *string
	Contact     *string
	TeamID      string
	AssignedTo  string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Erased      bool
	Redacted    []discern.DataClass
}

// PersonInput holds a new person's optional identifying fields. A person is
// pseudonymous by default: with nothing given, they are known by a case
// code alone.
type PersonInput struct {
	Name        string
	BirthDate   string // as given: a date, a year, or "about 1990"
	AgeEstimate string // "17", "16-18", "under 18"
	Contact     string // safe channel and times, phone; class contact
	TeamID      string
	AssignedTo  string
}

// PersonPatch changes a person; nil leaves a field as it is and a pointer
// to "" clears it.
type PersonPatch struct {
	Name, BirthDate, AgeEstimate, Contact *string
	TeamID, AssignedTo                    *string
}

const maxField = 500

func (in PersonInput) validate() error {
	for _, f := range []struct{ name, v string }{{"name", in.Name}, {"birth_date", in.BirthDate}, {"age_estimate", in.AgeEstimate}, {"contact", in.Contact}} {
		if err := limitText(f.name, f.v, maxField); err != nil {
			return err
		}
	}
	return nil
}

// personClasses is what a person record holds.
var personClasses = []discern.DataClass{discern.ClassCase, discern.ClassIdentity, discern.ClassContact}

// CreatePerson records a new person with a fresh case code.
func (s *Service) CreatePerson(ctx context.Context, a Actor, in PersonInput, hooks ...TxHook) (*PersonView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.TeamID == "" && len(a.TeamIDs) == 1 {
		// A person recorded by a team member belongs to their team.
		in.TeamID = a.TeamIDs[0]
	}
	want := []discern.DataClass{discern.ClassCase}
	if in.Name != "" || in.BirthDate != "" || in.AgeEstimate != "" {
		want = append(want, discern.ClassIdentity)
	}
	if in.Contact != "" {
		want = append(want, discern.ClassContact)
	}
	r := record(a, a.OrgID, a.UserID, in.AssignedTo, in.TeamID, want...)
	d, err := decide(a, auth.PeopleCreate, r)
	if err != nil {
		return nil, err
	}
	for _, c := range want {
		if !has(d, c) {
			return nil, discern.Errorf(discern.KindForbidden, "Your role cannot record %s data.", c)
		}
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	subject := personSubject(id)
	p := &discern.Person{ID: id, OrgID: a.OrgID, TeamID: in.TeamID, CreatedBy: a.UserID, AssignedTo: in.AssignedTo}
	var code string
	for attempt := 0; ; attempt++ {
		if code, err = discern.NewCaseCode(s.rand); err != nil {
			return nil, err
		}
		if p.CaseCodeIndex, err = s.sealer.BlindIndex("case_code", code); err != nil {
			return nil, err
		}
		if p.CaseCode, err = s.sealText(ctx, subject, "people", "case_code", id, code); err != nil {
			return nil, err
		}
		if err = s.sealPersonFields(ctx, p, in); err != nil {
			return nil, err
		}
		var view *PersonView
		err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			if _, err := s.log.Append(ctx, tx, entry(a, "person.create", "person", id, want...)); err != nil {
				return err
			}
			var err error
			if view, err = s.personView(ctx, a, p, d); err != nil {
				return err
			}
			return runHooks(ctx, tx, view, hooks)
		})
		// A case code collision in the organization: draw another code.
		if discern.KindOf(err) == discern.KindConflict && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return view, nil
	}
}

func (s *Service) sealPersonFields(ctx context.Context, p *discern.Person, in PersonInput) error {
	subject := personSubject(p.ID)
	var err error
	if in.Name != "" {
		if p.Name, err = s.sealText(ctx, subject, "people", "name", p.ID, in.Name); err != nil {
			return err
		}
		if p.NameIndex, err = s.sealer.BlindIndex("name", in.Name); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		col string
		v   string
		dst *discern.Sealed
	}{{"birth_date", in.BirthDate, &p.BirthDate}, {"age_estimate", in.AgeEstimate, &p.AgeEstimate}, {"contact", in.Contact, &p.Contact}} {
		if f.v == "" {
			continue
		}
		if *f.dst, err = s.sealText(ctx, subject, "people", f.col, p.ID, f.v); err != nil {
			return err
		}
	}
	return nil
}

// personView opens what the decision allows. Reading identifying fields is
// audited by the caller.
func (s *Service) personView(ctx context.Context, a Actor, p *discern.Person, d auth.Decision) (*PersonView, error) {
	v := &PersonView{ID: p.ID, TeamID: p.TeamID, AssignedTo: p.AssignedTo, CreatedBy: p.CreatedBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Erased: p.ErasedAt != nil}
	if v.Erased {
		return v, nil
	}
	subject := personSubject(p.ID)
	var err error
	if v.CaseCode, err = s.openText(ctx, subject, "people", "case_code", p.ID, p.CaseCode); err != nil {
		if errors.Is(err, discern.ErrKeyDestroyed) {
			v.Erased = true
			return v, nil
		}
		return nil, err
	}
	open := func(class discern.DataClass, col string, ct discern.Sealed) (*string, error) {
		if ct == nil {
			return nil, nil
		}
		if !has(d, class) {
			if !contains(v.Redacted, class) {
				v.Redacted = append(v.Redacted, class)
			}
			return nil, nil
		}
		t, err := s.openText(ctx, subject, "people", col, p.ID, ct)
		return &t, err
	}
	if v.Name, err = open(discern.ClassIdentity, "name", p.Name); err != nil {
		return nil, err
	}
	if v.BirthDate, err = open(discern.ClassIdentity, "birth_date", p.BirthDate); err != nil {
		return nil, err
	}
	if v.AgeEstimate, err = open(discern.ClassIdentity, "age_estimate", p.AgeEstimate); err != nil {
		return nil, err
	}
	if v.Contact, err = open(discern.ClassContact, "contact", p.Contact); err != nil {
		return nil, err
	}
	return v, nil
}

// shownClasses lists the identifying classes a view actually shows: what a
// read of it must audit.
func (v *PersonView) shownClasses() []discern.DataClass {
	var out []discern.DataClass
	if v.Name != nil || v.BirthDate != nil || v.AgeEstimate != nil {
		out = append(out, discern.ClassIdentity)
	}
	if v.Contact != nil {
		out = append(out, discern.ClassContact)
	}
	return out
}

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

// GetPerson returns a person. Reading identifying or contact fields is
// audited, in the same transaction as the read.
func (s *Service) GetPerson(ctx context.Context, a Actor, id string) (*PersonView, error) {
	p, err := s.db.FindPersonByID(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	d, err := decide(a, auth.PeopleRead, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, personClasses...))
	if err != nil {
		s.denied(ctx, a, "person.read", "person", id)
		return nil, err
	}
	v, err := s.personView(ctx, a, p, d)
	if err != nil {
		return nil, err
	}
	if shown := v.shownClasses(); len(shown) > 0 {
		err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			_, err := s.log.Append(ctx, tx, entry(a, "person.read", "person", id, shown...))
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

// PeopleQuery filters a list of people.
type PeopleQuery struct {
	CaseCode   string // exact, through the blind index
	Name       string // exact after normalisation, through the blind index
	AssignedTo string
	TeamID     string
	Limit      int
	Cursor     string
}

// ListPeople returns a page of people the caller may see, newest first,
// with case codes only: identifying fields are shown one person at a time,
// where each read is audited.
func (s *Service) ListPeople(ctx context.Context, a Actor, q PeopleQuery) ([]*PersonView, string, error) {
	d, err := decide(a, auth.PeopleRead, auth.Resource{OrgID: a.OrgID, List: true, Classes: auth.Classes(discern.ClassCase)})
	if err != nil {
		return nil, "", err
	}
	f := discern.PersonFilter{OrgID: a.OrgID, Page: discern.Page{Limit: q.Limit, Cursor: q.Cursor}}
	// An own-scope caller's list is narrowed in the query; wider scopes are
	// narrowed row by row below, by the policy itself.
	if d.Scope == discern.ScopeOwn {
		f.Owner = &a.UserID
	}
	if q.AssignedTo != "" {
		f.AssignedTo = &q.AssignedTo
	}
	if q.TeamID != "" {
		f.TeamID = &q.TeamID
	}
	if q.CaseCode != "" {
		code, err := discern.ParseCaseCode(q.CaseCode)
		if err != nil {
			return nil, "", err
		}
		if f.CaseCodeIndex, err = s.sealer.BlindIndex("case_code", code); err != nil {
			return nil, "", err
		}
	}
	if q.Name != "" {
		if d2 := auth.Decide(a.Principal, auth.PeopleRead, auth.Resource{OrgID: a.OrgID, List: true, Classes: auth.Classes(discern.ClassIdentity)}); !d2.Classes.Has(discern.ClassIdentity) {
			return nil, "", discern.Errorf(discern.KindForbidden, "Your role cannot search by name.")
		}
		if f.NameIndex, err = s.sealer.BlindIndex("name", q.Name); err != nil {
			return nil, "", discern.Invalid("name", "Enter a name to search for.")
		}
	}
	people, next, err := s.db.FindPeople(ctx, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]*PersonView, 0, len(people))
	for _, p := range people {
		// Every row is judged by the policy too: the filter narrows, the
		// policy decides.
		rd := auth.Decide(a.Principal, auth.PeopleRead, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, discern.ClassCase))
		if !rd.Allowed {
			continue
		}
		v, err := s.personView(ctx, a, p, rd)
		if err != nil {
			return nil, "", err
		}
		// A list never shows identifying fields, whatever the role: that
		// is by design, not a redaction to report.
		v.Redacted = nil
		out = append(out, v)
	}
	return out, next, nil
}

// UpdatePerson changes a person's fields.
func (s *Service) UpdatePerson(ctx context.Context, a Actor, id string, patch PersonPatch) (*PersonView, error) {
	p, err := s.db.FindPersonByID(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	var want []discern.DataClass
	if patch.Name != nil || patch.BirthDate != nil || patch.AgeEstimate != nil {
		want = append(want, discern.ClassIdentity)
	}
	if patch.Contact != nil {
		want = append(want, discern.ClassContact)
	}
	want = append(want, discern.ClassCase)
	d, err := decide(a, auth.PeopleUpdate, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, want...))
	if err != nil {
		s.denied(ctx, a, "person.update", "person", id)
		return nil, err
	}
	for _, c := range want {
		if !has(d, c) {
			return nil, discern.Errorf(discern.KindForbidden, "Your role cannot change %s data.", c)
		}
	}
	if p.ErasedAt != nil {
		return nil, discern.Errorf(discern.KindConflict, "This person's record was erased.")
	}
	upd := discern.PersonUpdate{TeamID: patch.TeamID, AssignedTo: patch.AssignedTo}
	subject := personSubject(id)
	setSealed := func(field, col string, v *string, dst **discern.Sealed) error {
		if v == nil {
			return nil
		}
		if err := limitText(field, *v, maxField); err != nil {
			return err
		}
		var ct discern.Sealed
		if *v != "" {
			var err error
			if ct, err = s.sealText(ctx, subject, "people", col, id, *v); err != nil {
				return err
			}
		}
		*dst = &ct
		return nil
	}
	if err := setSealed("name", "name", patch.Name, &upd.Name); err != nil {
		return nil, err
	}
	if patch.Name != nil {
		var idx discern.BlindIndex
		if *patch.Name != "" {
			if idx, err = s.sealer.BlindIndex("name", *patch.Name); err != nil {
				return nil, err
			}
		}
		upd.NameIndex = &idx
	}
	if err := setSealed("birth_date", "birth_date", patch.BirthDate, &upd.BirthDate); err != nil {
		return nil, err
	}
	if err := setSealed("age_estimate", "age_estimate", patch.AgeEstimate, &upd.AgeEstimate); err != nil {
		return nil, err
	}
	if err := setSealed("contact", "contact", patch.Contact, &upd.Contact); err != nil {
		return nil, err
	}
	var updated *discern.Person
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if updated, err = tx.UpdatePerson(ctx, a.OrgID, id, upd); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, entry(a, "person.update", "person", id, want...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.personView(ctx, a, updated, d)
}

// ErasePerson erases a person for good: their identifying data leaves the
// live database and their data key is destroyed, which makes everything
// sealed for them unreadable in every backup too (crypto-shredding). The
// erasure itself is audited; the record keeps its id so that audit entries
// keep their meaning.
func (s *Service) ErasePerson(ctx context.Context, a Actor, id string) error {
	p, err := s.db.FindPersonByID(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	if _, err := decide(a, auth.PeopleErase, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, discern.ClassCase)); err != nil {
		s.denied(ctx, a, "person.erase", "person", id)
		return err
	}
	// Destroy the key first: if the process dies between the two steps, the
	// data left behind is already unreadable.
	if err := s.sealer.DestroyKey(ctx, personSubject(id)); err != nil && !errors.Is(err, discernKeyNotFound) {
		return sealErr(err)
	}
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.ErasePerson(ctx, a.OrgID, id); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, entry(a, "person.erase", "person", id, personClasses...))
		return err
	})
}
