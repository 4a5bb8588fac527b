package sqldb

import (
	"context"

	"github.com/discern-org/discern/internal/discern"
)

const userCols = "id, org_id, team_id, email, display_name, role, password_hash, mfa_secret, mfa_last_step, disabled, created_at, updated_at"

func scanUser(s scanner) (*discern.User, error) {
	var u discern.User
	if err := s.Scan(&u.ID, &u.OrgID, str{&u.TeamID}, &u.Email, &u.DisplayName, &u.Role, &u.PasswordHash,
		blob(&u.MFASecret), &u.MFALastStep, &u.Disabled, tm{&u.CreatedAt}, tm{&u.UpdatedAt}); err != nil {
		return nil, err
	}
	return &u, nil
}

// FindUserByID returns KindNotFound unless the user exists in orgID.
func (r reader) FindUserByID(ctx context.Context, orgID, id string) (*discern.User, error) {
	return r.findUser(ctx, orgID, id, "")
}

func (r reader) findUser(ctx context.Context, orgID, id, lock string) (*discern.User, error) {
	u, err := scanUser(r.q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find user", "user", err)
	}
	return u, nil
}

// FindUserByEmail is the sign-in lookup; the email is normalised first.
func (r reader) FindUserByEmail(ctx context.Context, email string) (*discern.User, error) {
	u, err := scanUser(r.q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE email = $1", discern.NormalizeEmail(email)))
	if err != nil {
		return nil, findErr("find user", "user", err)
	}
	return u, nil
}

// FindUsers returns a page of an organization's users, newest first.
func (r reader) FindUsers(ctx context.Context, f discern.UserFilter) ([]*discern.User, string, error) {
	if f.OrgID == "" {
		return nil, "", errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	q.eq("team_id", f.TeamID)
	if f.Role != nil {
		q.where("role = %s", string(*f.Role))
	}
	if f.Disabled != nil {
		q.where("disabled = %s", *f.Disabled)
	}
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+userCols+" FROM users"+tail, q.args...)
	if err != nil {
		return nil, "", mapError("find users", err)
	}
	users, err := collect(rows, scanUser)
	if err != nil {
		return nil, "", mapError("find users", err)
	}
	users, next := pageOf(users, f.Page, func(u *discern.User) cursor { return timeCursor(u.CreatedAt, u.ID) })
	return users, next, nil
}

// CreateUser stores u, with its email normalised. Returns KindConflict if
// the email is taken.
func (tx *Tx) CreateUser(ctx context.Context, u *discern.User) error {
	u.Email = discern.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&u.ID); err != nil {
		return err
	}
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, "INSERT INTO users ("+userCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
		u.ID, u.OrgID, nullStr(u.TeamID), u.Email, u.DisplayName, string(u.Role), u.PasswordHash,
		nullBytes(u.MFASecret), u.MFALastStep, u.Disabled, tx.now, tx.now)
	return mapError("create user", err)
}

// UpdateUser changes the fields set in upd.
func (tx *Tx) UpdateUser(ctx context.Context, orgID, id string, upd discern.UserUpdate) (*discern.User, error) {
	u, err := tx.findUser(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if upd.Email != nil {
		u.Email = discern.NormalizeEmail(*upd.Email)
	}
	if upd.DisplayName != nil {
		u.DisplayName = *upd.DisplayName
	}
	if upd.TeamID != nil {
		u.TeamID = *upd.TeamID
	}
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.PasswordHash != nil {
		u.PasswordHash = *upd.PasswordHash
	}
	if upd.MFASecret != nil {
		u.MFASecret = *upd.MFASecret
		u.MFALastStep = 0
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	u.UpdatedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE users SET email = $3, display_name = $4, team_id = $5, role = $6,
		password_hash = $7, mfa_secret = $8, mfa_last_step = $9, disabled = $10, updated_at = $11
		WHERE org_id = $1 AND id = $2`,
		orgID, id, u.Email, u.DisplayName, nullStr(u.TeamID), string(u.Role), u.PasswordHash,
		nullBytes(u.MFASecret), u.MFALastStep, u.Disabled, tx.now)
	if err != nil {
		return nil, mapError("update user", err)
	}
	return u, nil
}

// AdvanceMFAStep records a used TOTP step if it is later than the last one.
func (tx *Tx) AdvanceMFAStep(ctx context.Context, orgID, id string, step int64) (bool, error) {
	res, err := tx.exec(ctx, "UPDATE users SET mfa_last_step = $3 WHERE org_id = $1 AND id = $2 AND mfa_last_step < $3", orgID, id, step)
	if err != nil {
		return false, mapError("advance mfa step", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapError("advance mfa step", err)
	}
	if n == 0 {
		if _, err := tx.FindUserByID(ctx, orgID, id); err != nil {
			return false, err
		}
	}
	return n == 1, nil
}
