package casework

import (
	"context"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// personScope loads a person and checks the caller may act on their record
// with the given action; records about a person take their scope from the
// person (their team, who is assigned).
func (s *Service) personScope(ctx context.Context, a Actor, personID string, action auth.Action, classes ...discern.DataClass) (*discern.Person, auth.Decision, error) {
	p, err := s.db.FindPersonByID(ctx, a.OrgID, personID)
	if err != nil {
		return nil, auth.Decision{}, err
	}
	d, err := decide(a, action, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, classes...))
	if err != nil {
		s.denied(ctx, a, string(action), "person", personID)
		return nil, d, err
	}
	if p.ErasedAt != nil && action != auth.PeopleRead && action != auth.NotesRead && action != auth.EncountersRead && action != auth.TasksRead {
		return nil, d, discern.Errorf(discern.KindConflict, "This person's record was erased.")
	}
	return p, d, nil
}

// EncounterView is an encounter as the caller may see it.
type EncounterView struct {
	ID         string
	PersonID   string
	OccurredAt time.Time
	PlaceKind  discern.PlaceKind
	Narrative  *string // class narrative
	CreatedBy  string
	CreatedAt  time.Time
	Redacted   []discern.DataClass
}

// EncounterInput records a meeting with a person: when, what kind of place
// (never the address), and an optional narrative.
type EncounterInput struct {
	PersonID   string
	OccurredAt time.Time
	PlaceKind  discern.PlaceKind
	Narrative  string
}

// CreateEncounter records an encounter.
func (s *Service) CreateEncounter(ctx context.Context, a Actor, in EncounterInput, hooks ...TxHook) (*EncounterView, error) {
	if err := limitText("narrative", in.Narrative, 20000); err != nil {
		return nil, err
	}
	classes := []discern.DataClass{discern.ClassCase}
	if in.Narrative != "" {
		classes = append(classes, discern.ClassNarrative)
	}
	_, d, err := s.personScope(ctx, a, in.PersonID, auth.EncountersCreate, classes...)
	if err != nil {
		return nil, err
	}
	if in.Narrative != "" && !has(d, discern.ClassNarrative) {
		return nil, discern.Errorf(discern.KindForbidden, "Your role cannot record narratives.")
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	e := &discern.Encounter{ID: id, OrgID: a.OrgID, PersonID: in.PersonID, OccurredAt: in.OccurredAt, PlaceKind: in.PlaceKind, CreatedBy: a.UserID}
	if in.Narrative != "" {
		if e.Narrative, err = s.sealText(ctx, personSubject(in.PersonID), "encounters", "narrative", id, in.Narrative); err != nil {
			return nil, err
		}
	}
	var view *EncounterView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateEncounter(ctx, e); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, "encounter.create", "encounter", id, classes...)); err != nil {
			return err
		}
		var err error
		if view, err = s.encounterView(ctx, e, d); err != nil {
			return err
		}
		return runHooks(ctx, tx, view, hooks)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

func (s *Service) encounterView(ctx context.Context, e *discern.Encounter, d auth.Decision) (*EncounterView, error) {
	v := &EncounterView{ID: e.ID, PersonID: e.PersonID, OccurredAt: e.OccurredAt, PlaceKind: e.PlaceKind, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt}
	if e.Narrative != nil {
		if !has(d, discern.ClassNarrative) {
			v.Redacted = []discern.DataClass{discern.ClassNarrative}
			return v, nil
		}
		t, err := s.openText(ctx, personSubject(e.PersonID), "encounters", "narrative", e.ID, e.Narrative)
		if err != nil {
			if discern.KindOf(err) == discern.KindNotFound {
				return v, nil // erased with the person
			}
			return nil, err
		}
		v.Narrative = &t
	}
	return v, nil
}

// ListEncounters lists a person's encounters. Narratives shown are audited.
func (s *Service) ListEncounters(ctx context.Context, a Actor, personID string, limit int, cursor string) ([]*EncounterView, string, error) {
	_, d, err := s.personScope(ctx, a, personID, auth.EncountersRead, discern.ClassCase, discern.ClassNarrative)
	if err != nil {
		return nil, "", err
	}
	list, next, err := s.db.FindEncounters(ctx, discern.EncounterFilter{OrgID: a.OrgID, PersonID: &personID, Page: discern.Page{Limit: limit, Cursor: cursor}})
	if err != nil {
		return nil, "", err
	}
	out := make([]*EncounterView, 0, len(list))
	narratives := false
	for _, e := range list {
		v, err := s.encounterView(ctx, e, d)
		if err != nil {
			return nil, "", err
		}
		narratives = narratives || v.Narrative != nil
		out = append(out, v)
	}
	if narratives {
		if err := s.auditRead(ctx, a, "encounter.list", "person", personID, discern.ClassNarrative); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

func (s *Service) auditRead(ctx context.Context, a Actor, action, targetType, targetID string, classes ...discern.DataClass) error {
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		_, err := s.log.Append(ctx, tx, entry(a, action, targetType, targetID, classes...))
		return err
	})
}

// NoteView is a note as the caller may see it.
type NoteView struct {
	ID        string
	PersonID  string
	AuthorID  string
	Class     discern.DataClass
	Body      *string // nil when the caller's role does not cover the note's class
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateNote adds a note about a person, in one data class (narrative by
// default; health, immigration or criminal_justice for notes about those).
func (s *Service) CreateNote(ctx context.Context, a Actor, personID string, class discern.DataClass, body string, hooks ...TxHook) (*NoteView, error) {
	if class == "" {
		class = discern.ClassNarrative
	}
	if !class.Valid() {
		return nil, discern.Invalid("data_class", "data_class must be one of the data classes.")
	}
	if body == "" {
		return nil, discern.Invalid("body", "A note needs a body.")
	}
	if err := limitText("body", body, 20000); err != nil {
		return nil, err
	}
	_, d, err := s.personScope(ctx, a, personID, auth.NotesCreate, class)
	if err != nil {
		return nil, err
	}
	if !has(d, class) {
		return nil, discern.Errorf(discern.KindForbidden, "Your role cannot record %s notes.", class)
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	n := &discern.Note{ID: id, OrgID: a.OrgID, PersonID: personID, AuthorID: a.UserID, DataClass: class}
	if n.Body, err = s.sealText(ctx, personSubject(personID), "notes", "body", id, body); err != nil {
		return nil, err
	}
	var view *NoteView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateNote(ctx, n); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, "note.create", "note", id, class)); err != nil {
			return err
		}
		view = &NoteView{ID: id, PersonID: personID, AuthorID: a.UserID, Class: class, Body: &body, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
		return runHooks(ctx, tx, view, hooks)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

// ListNotes lists a person's notes; bodies of classes the caller may not see
// are withheld. Bodies shown are audited.
func (s *Service) ListNotes(ctx context.Context, a Actor, personID string, limit int, cursor string) ([]*NoteView, string, error) {
	_, d, err := s.personScope(ctx, a, personID, auth.NotesRead, discern.DataClasses...)
	if err != nil {
		return nil, "", err
	}
	list, next, err := s.db.FindNotes(ctx, discern.NoteFilter{OrgID: a.OrgID, PersonID: &personID, Page: discern.Page{Limit: limit, Cursor: cursor}})
	if err != nil {
		return nil, "", err
	}
	out := make([]*NoteView, 0, len(list))
	var shown []discern.DataClass
	for _, n := range list {
		v := &NoteView{ID: n.ID, PersonID: n.PersonID, AuthorID: n.AuthorID, Class: n.DataClass, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt}
		if has(d, n.DataClass) {
			t, err := s.openText(ctx, personSubject(personID), "notes", "body", n.ID, n.Body)
			if err != nil && discern.KindOf(err) != discern.KindNotFound {
				return nil, "", err
			}
			if err == nil {
				v.Body = &t
				if !contains(shown, n.DataClass) {
					shown = append(shown, n.DataClass)
				}
			}
		}
		out = append(out, v)
	}
	if len(shown) > 0 {
		if err := s.auditRead(ctx, a, "note.list", "person", personID, shown...); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// TaskView is a task as the caller may see it.
type TaskView struct {
	ID          string
	PersonID    string
	Title       string
	Status      discern.TaskStatus
	DueAt       *time.Time
	AssigneeID  string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// TaskInput creates a task, optionally about a person.
type TaskInput struct {
	PersonID   string
	Title      string
	DueAt      *time.Time
	AssigneeID string
}

// CreateTask records a task. Its title is sealed: titles name people and
// places more often than anyone intends.
func (s *Service) CreateTask(ctx context.Context, a Actor, in TaskInput, hooks ...TxHook) (*TaskView, error) {
	if in.Title == "" {
		return nil, discern.Invalid("title", "A task needs a title.")
	}
	if err := limitText("title", in.Title, maxField); err != nil {
		return nil, err
	}
	subject := a.UserID
	if in.PersonID != "" {
		if _, _, err := s.personScope(ctx, a, in.PersonID, auth.TasksCreate, discern.ClassCase); err != nil {
			return nil, err
		}
		subject = personSubject(in.PersonID)
	} else if _, err := decide(a, auth.TasksCreate, record(a, a.OrgID, a.UserID, in.AssigneeID, "", discern.ClassCase)); err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	t := &discern.Task{ID: id, OrgID: a.OrgID, PersonID: in.PersonID, Status: discern.TaskOpen, DueAt: in.DueAt, AssigneeID: in.AssigneeID, CreatedBy: a.UserID}
	if t.Title, err = s.sealText(ctx, subject, "tasks", "title", id, in.Title); err != nil {
		return nil, err
	}
	var view *TaskView
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateTask(ctx, t); err != nil {
			return err
		}
		if _, err := s.log.Append(ctx, tx, entry(a, "task.create", "task", id, discern.ClassCase)); err != nil {
			return err
		}
		var err error
		if view, err = s.taskView(ctx, t); err != nil {
			return err
		}
		return runHooks(ctx, tx, view, hooks)
	})
	if err != nil {
		return nil, err
	}
	return view, nil
}

func (s *Service) taskView(ctx context.Context, t *discern.Task) (*TaskView, error) {
	subject := t.CreatedBy
	if t.PersonID != "" {
		subject = personSubject(t.PersonID)
	}
	title, err := s.openText(ctx, subject, "tasks", "title", t.ID, t.Title)
	if err != nil {
		if discern.KindOf(err) != discern.KindNotFound {
			return nil, err
		}
		title = ""
	}
	return &TaskView{ID: t.ID, PersonID: t.PersonID, Title: title, Status: t.Status, DueAt: t.DueAt, AssigneeID: t.AssigneeID,
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, CompletedAt: t.CompletedAt}, nil
}

// TaskQuery filters tasks.
type TaskQuery struct {
	PersonID   string
	AssigneeID string
	Status     string
	Limit      int
	Cursor     string
}

// ListTasks lists tasks the caller may see: their own and those assigned
// to them, or wider as their role's scope allows.
func (s *Service) ListTasks(ctx context.Context, a Actor, q TaskQuery) ([]*TaskView, string, error) {
	d, err := decide(a, auth.TasksRead, auth.Resource{OrgID: a.OrgID, List: true, Classes: auth.Classes(discern.ClassCase)})
	if err != nil {
		return nil, "", err
	}
	f := discern.TaskFilter{OrgID: a.OrgID, Page: discern.Page{Limit: q.Limit, Cursor: q.Cursor}}
	if q.PersonID != "" {
		f.PersonID = &q.PersonID
	}
	if q.AssigneeID != "" {
		f.AssigneeID = &q.AssigneeID
	} else if d.Scope == discern.ScopeOwn {
		f.AssigneeID = &a.UserID
	}
	if q.Status != "" {
		st := discern.TaskStatus(q.Status)
		if !st.Valid() {
			return nil, "", discern.Invalid("status", "status must be open, done or cancelled.")
		}
		f.Status = &st
	}
	list, next, err := s.db.FindTasks(ctx, f)
	if err != nil {
		return nil, "", err
	}
	out := make([]*TaskView, 0, len(list))
	for _, t := range list {
		owner := t.CreatedBy
		if t.AssigneeID == a.UserID {
			owner = a.UserID
		}
		if !auth.Decide(a.Principal, auth.TasksRead, auth.Resource{OrgID: t.OrgID, OwnerID: owner, Classes: auth.Classes(discern.ClassCase)}).Allowed && d.Scope == discern.ScopeOwn {
			continue
		}
		v, err := s.taskView(ctx, t)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, next, nil
}

// UpdateTaskStatus marks a task done, cancelled or open again.
func (s *Service) UpdateTaskStatus(ctx context.Context, a Actor, id string, status discern.TaskStatus) (*TaskView, error) {
	if !status.Valid() {
		return nil, discern.Invalid("status", "status must be open, done or cancelled.")
	}
	t, err := s.db.FindTaskByID(ctx, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	owner := t.CreatedBy
	if t.AssigneeID == a.UserID {
		owner = a.UserID
	}
	if _, err := decide(a, auth.TasksUpdate, auth.Resource{OrgID: t.OrgID, OwnerID: owner, Classes: auth.Classes(discern.ClassCase)}); err != nil {
		s.denied(ctx, a, "task.update", "task", id)
		return nil, err
	}
	var updated *discern.Task
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if updated, err = tx.UpdateTask(ctx, a.OrgID, id, discern.TaskUpdate{Status: &status}); err != nil {
			return err
		}
		_, err = s.log.Append(ctx, tx, entry(a, "task.update", "task", id, discern.ClassCase))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.taskView(ctx, updated)
}

// AccessHistory returns who accessed or changed a record ("who accessed
// this record"), newest first, for those the policy allows to see it.
func (s *Service) AccessHistory(ctx context.Context, a Actor, targetType, targetID string, limit int, cursor string) ([]*discern.AuditEntry, string, error) {
	if _, err := decide(a, auth.AuditRead, auth.Resource{OrgID: a.OrgID, List: true, Classes: auth.Classes(discern.ClassCase)}); err != nil {
		return nil, "", err
	}
	// The record must be one of the caller's organization: an empty
	// history for someone else's record would still confirm nothing, but
	// every record that is not ours reads as not found.
	var err error
	switch targetType {
	case "person":
		_, err = s.db.FindPersonByID(ctx, a.OrgID, targetID)
	case "screening":
		_, err = s.db.FindScreeningByID(ctx, a.OrgID, targetID)
	default:
		err = discern.Invalid("target_type", "History is kept for people and screenings.")
	}
	if err != nil {
		return nil, "", err
	}
	return s.db.FindAuditEntries(ctx, discern.AuditFilter{OrgID: a.OrgID, TargetType: &targetType, TargetID: &targetID, Page: discern.Page{Limit: limit, Cursor: cursor}})
}
