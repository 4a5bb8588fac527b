package sqldb

import (
	"context"

	"github.com/discern-org/discern/internal/discern"
)

const (
	personCols = "id, org_id, team_id, created_by, assigned_to, case_code, case_code_index, name, name_index, " +
		"birth_date, age_estimate, contact, created_at, updated_at, erased_at"
	sqlInsertPerson = "INSERT INTO people (" + personCols + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL)"
)

func scanPerson(s scanner) (*discern.Person, error) {
	var p discern.Person
	if err := s.Scan(&p.ID, &p.OrgID, str{&p.TeamID}, &p.CreatedBy, str{&p.AssignedTo},
		blob(&p.CaseCode), blob(&p.CaseCodeIndex), blob(&p.Name), blob(&p.NameIndex),
		blob(&p.BirthDate), blob(&p.AgeEstimate), blob(&p.Contact),
		tm{&p.CreatedAt}, tm{&p.UpdatedAt}, optTm{&p.ErasedAt}); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindPersonByID returns KindNotFound unless the person exists in orgID.
func (r reader) FindPersonByID(ctx context.Context, orgID, id string) (*discern.Person, error) {
	return r.findPerson(ctx, orgID, id, "")
}

func (r reader) findPerson(ctx context.Context, orgID, id, lock string) (*discern.Person, error) {
	p, err := scanPerson(r.q.QueryRowContext(ctx, "SELECT "+personCols+" FROM people WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find person", "person", err)
	}
	return p, nil
}

// FindPeople returns a page of an organization's people, newest first.
func (r reader) FindPeople(ctx context.Context, f discern.PersonFilter) ([]*discern.Person, string, error) {
	stmt, args, err := peopleQuery(f)
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, "", mapError("find people", err)
	}
	people, err := collect(rows, scanPerson)
	if err != nil {
		return nil, "", mapError("find people", err)
	}
	people, next := pageOf(people, f.Page, func(p *discern.Person) cursor { return timeCursor(p.CreatedAt, p.ID) })
	return people, next, nil
}

// peopleQuery builds FindPeople's statement.
func peopleQuery(f discern.PersonFilter) (string, []any, error) {
	if f.OrgID == "" {
		return "", nil, errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	q.eq("team_id", f.TeamID)
	q.eq("assigned_to", f.AssignedTo)
	if f.Owner != nil {
		q.where("(created_by = %s OR assigned_to = %s)", *f.Owner, *f.Owner)
	}
	if f.CaseCodeIndex != nil {
		q.where("case_code_index = %s", []byte(f.CaseCodeIndex))
	}
	if f.NameIndex != nil {
		q.where("name_index = %s", []byte(f.NameIndex))
	}
	if !f.IncludeErased {
		q.where("erased_at IS NULL")
	}
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return "", nil, err
	}
	return "SELECT " + personCols + " FROM people" + tail, q.args, nil
}

// CreatePerson stores p. Returns KindConflict if the case code is taken.
func (tx *Tx) CreatePerson(ctx context.Context, p *discern.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&p.ID); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt, p.ErasedAt = tx.now, tx.now, nil
	_, err := tx.exec(ctx, sqlInsertPerson,
		p.ID, p.OrgID, nullStr(p.TeamID), p.CreatedBy, nullStr(p.AssignedTo),
		nullBytes(p.CaseCode), nullBytes(p.CaseCodeIndex), nullBytes(p.Name), nullBytes(p.NameIndex),
		nullBytes(p.BirthDate), nullBytes(p.AgeEstimate), nullBytes(p.Contact), tx.now, tx.now)
	return mapError("create person", err)
}

// UpdatePerson changes the fields set in upd.
func (tx *Tx) UpdatePerson(ctx context.Context, orgID, id string, upd discern.PersonUpdate) (*discern.Person, error) {
	p, err := tx.findPerson(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if p.ErasedAt != nil {
		return nil, discern.Errorf(discern.KindConflict, "This person's record was erased and cannot be changed.")
	}
	if (upd.Name == nil) != (upd.NameIndex == nil) {
		return nil, discern.Invalid("name", "name and its blind index change together.")
	}
	setStr := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setSealed := func(dst *discern.Sealed, v *discern.Sealed) {
		if v != nil {
			*dst = *v
		}
	}
	setStr(&p.TeamID, upd.TeamID)
	setStr(&p.AssignedTo, upd.AssignedTo)
	setSealed(&p.Name, upd.Name)
	if upd.NameIndex != nil {
		p.NameIndex = *upd.NameIndex
	}
	setSealed(&p.BirthDate, upd.BirthDate)
	setSealed(&p.AgeEstimate, upd.AgeEstimate)
	setSealed(&p.Contact, upd.Contact)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.UpdatedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE people SET team_id = $3, assigned_to = $4, name = $5, name_index = $6,
		birth_date = $7, age_estimate = $8, contact = $9, updated_at = $10 WHERE org_id = $1 AND id = $2`,
		orgID, id, nullStr(p.TeamID), nullStr(p.AssignedTo), nullBytes(p.Name), nullBytes(p.NameIndex),
		nullBytes(p.BirthDate), nullBytes(p.AgeEstimate), nullBytes(p.Contact), tx.now)
	if err != nil {
		return nil, mapError("update person", err)
	}
	return p, nil
}

// ErasePerson removes a person's identifying data from the live database.
func (tx *Tx) ErasePerson(ctx context.Context, orgID, id string) error {
	p, err := tx.findPerson(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return err
	}
	if p.ErasedAt != nil {
		return nil
	}
	steps := []struct {
		op, sql string
		args    []any
	}{
		{"erase person", `UPDATE people SET case_code = NULL, case_code_index = NULL, name = NULL, name_index = NULL,
			birth_date = NULL, age_estimate = NULL, contact = NULL, updated_at = $3, erased_at = $3
			WHERE org_id = $1 AND id = $2`, []any{orgID, id, tx.now}},
		{"erase encounters", "UPDATE encounters SET narrative = NULL, updated_at = $3 WHERE org_id = $1 AND person_id = $2",
			[]any{orgID, id, tx.now}},
		{"erase notes", "DELETE FROM notes WHERE org_id = $1 AND person_id = $2", []any{orgID, id}},
		{"erase tasks", "UPDATE tasks SET title = NULL, updated_at = $3 WHERE org_id = $1 AND person_id = $2",
			[]any{orgID, id, tx.now}},
		{"erase referral packets", "UPDATE referrals SET packet = $3, exception_reason = NULL, updated_at = $4 WHERE org_id = $1 AND person_id = $2",
			[]any{orgID, id, []byte{0}, tx.now}},
		{"erase referral reasons", "UPDATE referral_events SET reason = NULL WHERE referral_id IN (SELECT id FROM referrals WHERE org_id = $1 AND person_id = $2)",
			[]any{orgID, id}},
		// Plans keep their status for statistics, but lose their notes;
		// contact safety and notifications about the person go.
		{"erase plan notes", "UPDATE plan_items SET notes = NULL, updated_at = $3 WHERE org_id = $1 AND person_id = $2",
			[]any{orgID, id, tx.now}},
		{"erase contact safety", "DELETE FROM contact_safety WHERE org_id = $1 AND person_id = $2", []any{orgID, id}},
		{"erase notifications", "DELETE FROM notifications WHERE org_id = $1 AND person_id = $2", []any{orgID, id}},
		{"detach screenings", "UPDATE screenings SET person_id = NULL, encounter_id = NULL, updated_at = $3 WHERE org_id = $1 AND person_id = $2",
			[]any{orgID, id, tx.now}},
	}
	for _, s := range steps {
		if _, err := tx.exec(ctx, s.sql, s.args...); err != nil {
			return mapError(s.op, err)
		}
	}
	return nil
}
