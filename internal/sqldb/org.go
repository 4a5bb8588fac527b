package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/discern-org/discern/internal/discern"
)

const orgCols = "id, name, country, region, settings, created_at, updated_at"

func scanOrg(s scanner) (*discern.Organization, error) {
	var o discern.Organization
	var settings string
	if err := s.Scan(&o.ID, &o.Name, &o.Country, &o.Region, &settings, tm{&o.CreatedAt}, tm{&o.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(settings), &o.Settings); err != nil {
		return nil, fmt.Errorf("organization %s settings: %w", o.ID, err)
	}
	return &o, nil
}

// FindOrganizationByID returns KindNotFound if there is no such organization.
func (r reader) FindOrganizationByID(ctx context.Context, id string) (*discern.Organization, error) {
	return r.findOrganization(ctx, id, "")
}

func (r reader) findOrganization(ctx context.Context, id, lock string) (*discern.Organization, error) {
	o, err := scanOrg(r.q.QueryRowContext(ctx, "SELECT "+orgCols+" FROM organizations WHERE id = $1"+lock, id))
	if err != nil {
		return nil, findErr("find organization", "organization", err)
	}
	return o, nil
}

// FindOrganizations returns a page of organizations, newest first, and the
// next cursor.
func (r reader) FindOrganizations(ctx context.Context, f discern.OrganizationFilter) ([]*discern.Organization, string, error) {
	var q query
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+orgCols+" FROM organizations"+tail, q.args...)
	if err != nil {
		return nil, "", mapError("find organizations", err)
	}
	orgs, err := collect(rows, scanOrg)
	if err != nil {
		return nil, "", mapError("find organizations", err)
	}
	orgs, next := pageOf(orgs, f.Page, func(o *discern.Organization) cursor { return timeCursor(o.CreatedAt, o.ID) })
	return orgs, next, nil
}

// CreateOrganization stores o, filling in its ID (when empty) and times.
func (tx *Tx) CreateOrganization(ctx context.Context, o *discern.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&o.ID); err != nil {
		return err
	}
	settings, err := jsonArg(o.Settings)
	if err != nil {
		return mapError("create organization", err)
	}
	o.CreatedAt, o.UpdatedAt = tx.now, tx.now
	_, err = tx.exec(ctx, "INSERT INTO organizations ("+orgCols+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		o.ID, o.Name, o.Country, o.Region, settings, tx.now, tx.now)
	return mapError("create organization", err)
}

// UpdateOrganization changes the fields set in upd.
func (tx *Tx) UpdateOrganization(ctx context.Context, id string, upd discern.OrganizationUpdate) (*discern.Organization, error) {
	o, err := tx.findOrganization(ctx, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		o.Name = *upd.Name
	}
	if upd.Country != nil {
		o.Country = *upd.Country
	}
	if upd.Region != nil {
		o.Region = *upd.Region
	}
	if upd.Settings != nil {
		o.Settings = *upd.Settings
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	settings, err := jsonArg(o.Settings)
	if err != nil {
		return nil, mapError("update organization", err)
	}
	o.UpdatedAt = tx.now
	_, err = tx.exec(ctx, "UPDATE organizations SET name = $2, country = $3, region = $4, settings = $5, updated_at = $6 WHERE id = $1",
		o.ID, o.Name, o.Country, o.Region, settings, tx.now)
	if err != nil {
		return nil, mapError("update organization", err)
	}
	return o, nil
}

// forUpdate returns the clause that locks the rows a read-modify-write
// reads. SQLite needs none: its write transactions hold the database lock
// from BEGIN IMMEDIATE.
func (tx *Tx) forUpdate() string {
	if tx.d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// fillID gives a new record an ID unless the caller chose one (services
// choose IDs before encrypting, because ciphertexts are bound to them).
func (tx *Tx) fillID(id *string) error {
	if *id != "" {
		if !discern.ValidID(*id) {
			return discern.Invalid("id", "id is not a valid record ID.")
		}
		return nil
	}
	v, err := tx.db.newID(tx.now)
	if err != nil {
		return &discern.Error{Kind: discern.KindInternal, Err: err}
	}
	*id = v
	return nil
}

const teamCols = "id, org_id, name, created_at, updated_at"

func scanTeam(s scanner) (*discern.Team, error) {
	var t discern.Team
	if err := s.Scan(&t.ID, &t.OrgID, &t.Name, tm{&t.CreatedAt}, tm{&t.UpdatedAt}); err != nil {
		return nil, err
	}
	return &t, nil
}

// FindTeamByID returns KindNotFound unless the team exists in orgID.
func (r reader) FindTeamByID(ctx context.Context, orgID, id string) (*discern.Team, error) {
	return r.findTeam(ctx, orgID, id, "")
}

func (r reader) findTeam(ctx context.Context, orgID, id, lock string) (*discern.Team, error) {
	t, err := scanTeam(r.q.QueryRowContext(ctx, "SELECT "+teamCols+" FROM teams WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find team", "team", err)
	}
	return t, nil
}

// FindTeams returns a page of an organization's teams.
func (r reader) FindTeams(ctx context.Context, f discern.TeamFilter) ([]*discern.Team, string, error) {
	if f.OrgID == "" {
		return nil, "", errOrgRequired
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	tail, err := q.keyset(f.Page, "created_at", "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+teamCols+" FROM teams"+tail, q.args...)
	if err != nil {
		return nil, "", mapError("find teams", err)
	}
	teams, err := collect(rows, scanTeam)
	if err != nil {
		return nil, "", mapError("find teams", err)
	}
	teams, next := pageOf(teams, f.Page, func(t *discern.Team) cursor { return timeCursor(t.CreatedAt, t.ID) })
	return teams, next, nil
}

// CreateTeam stores t.
func (tx *Tx) CreateTeam(ctx context.Context, t *discern.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&t.ID); err != nil {
		return err
	}
	t.CreatedAt, t.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, "INSERT INTO teams ("+teamCols+") VALUES ($1, $2, $3, $4, $5)",
		t.ID, t.OrgID, t.Name, tx.now, tx.now)
	return mapError("create team", err)
}

// UpdateTeam changes the fields set in upd.
func (tx *Tx) UpdateTeam(ctx context.Context, orgID, id string, upd discern.TeamUpdate) (*discern.Team, error) {
	t, err := tx.findTeam(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if upd.Name != nil {
		t.Name = *upd.Name
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	t.UpdatedAt = tx.now
	_, err = tx.exec(ctx, "UPDATE teams SET name = $3, updated_at = $4 WHERE org_id = $1 AND id = $2", orgID, id, t.Name, tx.now)
	if err != nil {
		return nil, mapError("update team", err)
	}
	return t, nil
}

// errOrgRequired is returned by a list given no organization: there is no
// way to list across organizations.
var errOrgRequired = discern.Invalid("org_id", "org_id is required.")
