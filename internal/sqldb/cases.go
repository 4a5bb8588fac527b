package sqldb

import (
	"context"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

const encounterCols = "id, org_id, person_id, occurred_at, place_kind, narrative, created_by, created_at, updated_at"

func scanEncounter(s scanner) (*discern.Encounter, error) {
	var e discern.Encounter
	if err := s.Scan(&e.ID, &e.OrgID, &e.PersonID, tm{&e.OccurredAt}, &e.PlaceKind, blob(&e.Narrative),
		&e.CreatedBy, tm{&e.CreatedAt}, tm{&e.UpdatedAt}); err != nil {
		return nil, err
	}
	return &e, nil
}

// FindEncounterByID returns KindNotFound unless the encounter exists in orgID.
func (r reader) FindEncounterByID(ctx context.Context, orgID, id string) (*discern.Encounter, error) {
	return r.findEncounter(ctx, orgID, id, "")
}

func (r reader) findEncounter(ctx context.Context, orgID, id, lock string) (*discern.Encounter, error) {
	e, err := scanEncounter(r.q.QueryRowContext(ctx, "SELECT "+encounterCols+" FROM encounters WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find encounter", "encounter", err)
	}
	return e, nil
}

// FindEncounters returns a page of an organization's encounters, newest first.
func (r reader) FindEncounters(ctx context.Context, f discern.EncounterFilter) ([]*discern.Encounter, string, error) {
	if f.OrgID == "" {
		return nil, "", errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	q.eq("person_id", f.PersonID)
	q.eq("created_by", f.CreatedBy)
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+encounterCols+" FROM encounters"+tail, q.args...)
	if err != nil {
		return nil, "", mapError("find encounters", err)
	}
	es, err := collect(rows, scanEncounter)
	if err != nil {
		return nil, "", mapError("find encounters", err)
	}
	es, next := pageOf(es, f.Page, func(e *discern.Encounter) cursor { return timeCursor(e.CreatedAt, e.ID) })
	return es, next, nil
}

// CreateEncounter stores e.
func (tx *Tx) CreateEncounter(ctx context.Context, e *discern.Encounter) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&e.ID); err != nil {
		return err
	}
	e.OccurredAt = normTime(e.OccurredAt)
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, "INSERT INTO encounters ("+encounterCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		e.ID, e.OrgID, e.PersonID, e.OccurredAt, string(e.PlaceKind), nullBytes(e.Narrative), e.CreatedBy, tx.now, tx.now)
	return mapError("create encounter", err)
}

// UpdateEncounter changes the fields set in upd.
func (tx *Tx) UpdateEncounter(ctx context.Context, orgID, id string, upd discern.EncounterUpdate) (*discern.Encounter, error) {
	e, err := tx.findEncounter(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if upd.OccurredAt != nil {
		e.OccurredAt = normTime(*upd.OccurredAt)
	}
	if upd.PlaceKind != nil {
		e.PlaceKind = *upd.PlaceKind
	}
	if upd.Narrative != nil {
		e.Narrative = *upd.Narrative
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	e.UpdatedAt = tx.now
	_, err = tx.exec(ctx, "UPDATE encounters SET occurred_at = $3, place_kind = $4, narrative = $5, updated_at = $6 WHERE org_id = $1 AND id = $2",
		orgID, id, e.OccurredAt, string(e.PlaceKind), nullBytes(e.Narrative), tx.now)
	if err != nil {
		return nil, mapError("update encounter", err)
	}
	return e, nil
}

const noteCols = "id, org_id, person_id, author_id, data_class, body, created_at, updated_at"

func scanNote(s scanner) (*discern.Note, error) {
	var n discern.Note
	if err := s.Scan(&n.ID, &n.OrgID, &n.PersonID, &n.AuthorID, &n.DataClass, blob(&n.Body), tm{&n.CreatedAt}, tm{&n.UpdatedAt}); err != nil {
		return nil, err
	}
	return &n, nil
}

// FindNoteByID returns KindNotFound unless the note exists in orgID.
func (r reader) FindNoteByID(ctx context.Context, orgID, id string) (*discern.Note, error) {
	return r.findNote(ctx, orgID, id, "")
}

func (r reader) findNote(ctx context.Context, orgID, id, lock string) (*discern.Note, error) {
	n, err := scanNote(r.q.QueryRowContext(ctx, "SELECT "+noteCols+" FROM notes WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find note", "note", err)
	}
	return n, nil
}

// FindNotes returns a page of an organization's notes, newest first.
func (r reader) FindNotes(ctx context.Context, f discern.NoteFilter) ([]*discern.Note, string, error) {
	if f.OrgID == "" {
		return nil, "", errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	q.eq("person_id", f.PersonID)
	q.eq("author_id", f.AuthorID)
	if len(f.DataClasses) > 0 {
		in := ""
		for i, c := range f.DataClasses {
			if !c.Valid() {
				return nil, "", discern.Invalid("data_classes", "data_classes holds an unknown class.")
			}
			if i > 0 {
				in += ", "
			}
			in += q.arg(string(c))
		}
		q.conds = append(q.conds, "data_class IN ("+in+")")
	}
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+noteCols+" FROM notes"+tail, q.args...)
	if err != nil {
		return nil, "", mapError("find notes", err)
	}
	ns, err := collect(rows, scanNote)
	if err != nil {
		return nil, "", mapError("find notes", err)
	}
	ns, next := pageOf(ns, f.Page, func(n *discern.Note) cursor { return timeCursor(n.CreatedAt, n.ID) })
	return ns, next, nil
}

// CreateNote stores n.
func (tx *Tx) CreateNote(ctx context.Context, n *discern.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&n.ID); err != nil {
		return err
	}
	n.CreatedAt, n.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, "INSERT INTO notes ("+noteCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		n.ID, n.OrgID, n.PersonID, n.AuthorID, string(n.DataClass), []byte(n.Body), tx.now, tx.now)
	return mapError("create note", err)
}

// UpdateNote changes the fields set in upd.
func (tx *Tx) UpdateNote(ctx context.Context, orgID, id string, upd discern.NoteUpdate) (*discern.Note, error) {
	n, err := tx.findNote(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if upd.DataClass != nil {
		n.DataClass = *upd.DataClass
	}
	if upd.Body != nil {
		n.Body = *upd.Body
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	n.UpdatedAt = tx.now
	_, err = tx.exec(ctx, "UPDATE notes SET data_class = $3, body = $4, updated_at = $5 WHERE org_id = $1 AND id = $2",
		orgID, id, string(n.DataClass), []byte(n.Body), tx.now)
	if err != nil {
		return nil, mapError("update note", err)
	}
	return n, nil
}

// DeleteNote returns KindNotFound.
func (tx *Tx) DeleteNote(ctx context.Context, orgID, id string) error {
	return tx.deleteOne(ctx, "notes", "note", orgID, id)
}

// deleteOne deletes one record of an organization by ID.
func (tx *Tx) deleteOne(ctx context.Context, table, what, orgID, id string) error {
	res, err := tx.exec(ctx, "DELETE FROM "+table+" WHERE org_id = $1 AND id = $2", orgID, id)
	if err != nil {
		return mapError("delete "+what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapError("delete "+what, err)
	} else if n == 0 {
		return notFound(what)
	}
	return nil
}

const taskCols = "id, org_id, person_id, title, status, due_at, assignee_id, created_by, created_at, updated_at, completed_at"

func scanTask(s scanner) (*discern.Task, error) {
	var t discern.Task
	if err := s.Scan(&t.ID, &t.OrgID, str{&t.PersonID}, blob(&t.Title), &t.Status, optTm{&t.DueAt}, str{&t.AssigneeID},
		&t.CreatedBy, tm{&t.CreatedAt}, tm{&t.UpdatedAt}, optTm{&t.CompletedAt}); err != nil {
		return nil, err
	}
	return &t, nil
}

// FindTaskByID returns KindNotFound unless the task exists in orgID.
func (r reader) FindTaskByID(ctx context.Context, orgID, id string) (*discern.Task, error) {
	return r.findTask(ctx, orgID, id, "")
}

func (r reader) findTask(ctx context.Context, orgID, id, lock string) (*discern.Task, error) {
	t, err := scanTask(r.q.QueryRowContext(ctx, "SELECT "+taskCols+" FROM tasks WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find task", "task", err)
	}
	return t, nil
}

// FindTasks returns a page of an organization's tasks, newest first.
func (r reader) FindTasks(ctx context.Context, f discern.TaskFilter) ([]*discern.Task, string, error) {
	if f.OrgID == "" {
		return nil, "", errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	q.eq("person_id", f.PersonID)
	q.eq("assignee_id", f.AssigneeID)
	if f.Status != nil {
		q.where("status = %s", string(*f.Status))
	}
	if f.DueBefore != nil {
		q.where("due_at < %s", normTime(*f.DueBefore))
	}
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+taskCols+" FROM tasks"+tail, q.args...)
	if err != nil {
		return nil, "", mapError("find tasks", err)
	}
	ts, err := collect(rows, scanTask)
	if err != nil {
		return nil, "", mapError("find tasks", err)
	}
	ts, next := pageOf(ts, f.Page, func(t *discern.Task) cursor { return timeCursor(t.CreatedAt, t.ID) })
	return ts, next, nil
}

// CreateTask stores t.
func (tx *Tx) CreateTask(ctx context.Context, t *discern.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&t.ID); err != nil {
		return err
	}
	t.CreatedAt, t.UpdatedAt = tx.now, tx.now
	t.DueAt = normTimePtr(t.DueAt)
	t.CompletedAt = nil
	if t.Status != discern.TaskOpen {
		t.CompletedAt = new(tx.now)
	}
	_, err := tx.exec(ctx, "INSERT INTO tasks ("+taskCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		t.ID, t.OrgID, nullStr(t.PersonID), []byte(t.Title), string(t.Status), nullTime(t.DueAt), nullStr(t.AssigneeID),
		t.CreatedBy, tx.now, tx.now, nullTime(t.CompletedAt))
	return mapError("create task", err)
}

// UpdateTask changes the fields set in upd. Leaving the open status sets
// CompletedAt; reopening clears it.
func (tx *Tx) UpdateTask(ctx context.Context, orgID, id string, upd discern.TaskUpdate) (*discern.Task, error) {
	t, err := tx.findTask(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if t.Title == nil {
		return nil, discern.Errorf(discern.KindConflict, "This task belonged to an erased person and cannot be changed.")
	}
	if upd.Title != nil {
		t.Title = *upd.Title
	}
	if upd.Status != nil && *upd.Status != t.Status {
		t.Status = *upd.Status
		t.CompletedAt = nil
		if t.Status != discern.TaskOpen {
			t.CompletedAt = new(tx.now)
		}
	}
	if upd.DueAt != nil {
		t.DueAt = normTimePtr(*upd.DueAt)
	}
	if upd.AssigneeID != nil {
		t.AssigneeID = *upd.AssigneeID
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t.UpdatedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE tasks SET title = $3, status = $4, due_at = $5, assignee_id = $6,
		updated_at = $7, completed_at = $8 WHERE org_id = $1 AND id = $2`,
		orgID, id, []byte(t.Title), string(t.Status), nullTime(t.DueAt), nullStr(t.AssigneeID), tx.now, nullTime(t.CompletedAt))
	if err != nil {
		return nil, mapError("update task", err)
	}
	return t, nil
}

// DeleteTask returns KindNotFound.
func (tx *Tx) DeleteTask(ctx context.Context, orgID, id string) error {
	return tx.deleteOne(ctx, "tasks", "task", orgID, id)
}

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := normTime(*t)
	return &v
}
