package sqldb

import (
	"context"
	"encoding/json"

	"github.com/discern-org/discern/internal/discern"
)

const (
	screeningCols = "id, org_id, person_id, encounter_id, screener_id, instrument_id, language, jurisdictions, " +
		"answers, result, content_version, content_hash, status, created_at, updated_at, completed_at"
	sqlInsertScreening = "INSERT INTO screenings (" + screeningCols + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
)

func scanScreening(s scanner) (*discern.Screening, error) {
	var sc discern.Screening
	if err := s.Scan(&sc.ID, &sc.OrgID, str{&sc.PersonID}, str{&sc.EncounterID}, &sc.ScreenerID, &sc.InstrumentID,
		&sc.Language, jsonText{&sc.Jurisdictions}, rawJSON{&sc.Answers}, rawJSON{&sc.Result},
		&sc.ContentVersion, &sc.ContentHash, &sc.Status, tm{&sc.CreatedAt}, tm{&sc.UpdatedAt}, optTm{&sc.CompletedAt}); err != nil {
		return nil, err
	}
	return &sc, nil
}

// FindScreeningByID returns KindNotFound unless the screening exists in orgID.
func (r reader) FindScreeningByID(ctx context.Context, orgID, id string) (*discern.Screening, error) {
	return r.findScreening(ctx, orgID, id, "")
}

func (r reader) findScreening(ctx context.Context, orgID, id, lock string) (*discern.Screening, error) {
	s, err := scanScreening(r.q.QueryRowContext(ctx, "SELECT "+screeningCols+" FROM screenings WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find screening", "screening", err)
	}
	return s, nil
}

// FindScreenings returns a page of an organization's screenings, newest
// first. Each combination of filters is served by an index whose prefix is
// the filters' equalities, followed by (created_at, id).
func (r reader) FindScreenings(ctx context.Context, f discern.ScreeningFilter) ([]*discern.Screening, string, error) {
	stmt, args, err := screeningsQuery(f)
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, "", mapError("find screenings", err)
	}
	ss, err := collect(rows, scanScreening)
	if err != nil {
		return nil, "", mapError("find screenings", err)
	}
	ss, next := pageOf(ss, f.Page, func(s *discern.Screening) cursor { return timeCursor(s.CreatedAt, s.ID) })
	return ss, next, nil
}

// screeningsQuery builds FindScreenings' statement (a test checks that
// SQLite serves each form from an index, without sorting).
func screeningsQuery(f discern.ScreeningFilter) (string, []any, error) {
	if f.OrgID == "" {
		return "", nil, errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	if f.Status != nil {
		q.where("status = %s", string(*f.Status))
	}
	q.eq("person_id", f.PersonID)
	q.eq("screener_id", f.ScreenerID)
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return "", nil, err
	}
	return "SELECT " + screeningCols + " FROM screenings" + tail, q.args, nil
}

// CreateScreening stores s. A screening created complete gets CompletedAt.
func (tx *Tx) CreateScreening(ctx context.Context, s *discern.Screening) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&s.ID); err != nil {
		return err
	}
	s.CreatedAt, s.UpdatedAt, s.CompletedAt = tx.now, tx.now, nil
	if s.Status == discern.ScreeningComplete {
		s.CompletedAt = new(tx.now)
	}
	js, err := jsonArg(jurisdictionsOf(s.Jurisdictions))
	if err != nil {
		return mapError("create screening", err)
	}
	_, err = tx.exec(ctx, sqlInsertScreening,
		s.ID, s.OrgID, nullStr(s.PersonID), nullStr(s.EncounterID), s.ScreenerID, s.InstrumentID, s.Language, js,
		string(s.Answers), nullJSON(s.Result), s.ContentVersion, s.ContentHash, string(s.Status), tx.now, tx.now, nullTime(s.CompletedAt))
	return mapError("create screening", err)
}

// UpdateScreening changes a draft. Returns KindConflict for a complete one.
func (tx *Tx) UpdateScreening(ctx context.Context, orgID, id string, upd discern.ScreeningUpdate) (*discern.Screening, error) {
	s, err := tx.findScreening(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if s.Status == discern.ScreeningComplete {
		return nil, discern.Errorf(discern.KindConflict, "This screening is complete and can no longer be changed; start a new one.")
	}
	if upd.PersonID != nil {
		s.PersonID = *upd.PersonID
	}
	if upd.Language != nil {
		s.Language = *upd.Language
	}
	if upd.Jurisdictions != nil {
		s.Jurisdictions = *upd.Jurisdictions
	}
	if upd.Answers != nil {
		s.Answers = *upd.Answers
	}
	if upd.Result != nil {
		s.Result = *upd.Result
	}
	if upd.ContentVersion != nil {
		s.ContentVersion = *upd.ContentVersion
	}
	if upd.ContentHash != nil {
		s.ContentHash = *upd.ContentHash
	}
	if upd.Status != nil {
		s.Status = *upd.Status
		if s.Status == discern.ScreeningComplete {
			s.CompletedAt = new(tx.now)
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	js, err := jsonArg(jurisdictionsOf(s.Jurisdictions))
	if err != nil {
		return nil, mapError("update screening", err)
	}
	s.UpdatedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE screenings SET person_id = $3, language = $4, jurisdictions = $5, answers = $6,
		result = $7, content_version = $8, content_hash = $9, status = $10, updated_at = $11, completed_at = $12
		WHERE org_id = $1 AND id = $2`,
		orgID, id, nullStr(s.PersonID), s.Language, js, string(s.Answers), nullJSON(s.Result),
		s.ContentVersion, s.ContentHash, string(s.Status), tx.now, nullTime(s.CompletedAt))
	if err != nil {
		return nil, mapError("update screening", err)
	}
	return s, nil
}

// jurisdictionsOf stores no jurisdictions as [] rather than null.
func jurisdictionsOf(js []string) []string {
	if js == nil {
		return []string{}
	}
	return js
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
