package accounts

import (
	"context"
	"strings"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// FindOrganization returns an organization; only the principal's own is
// ever found.
func (s *Service) FindOrganization(ctx context.Context, reqID string, p auth.Principal, id string) (*discern.Organization, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.OrgsRead, auth.Resource{OrgID: id}, "organization", id); err != nil {
		return nil, err
	}
	o, err := s.db.FindOrganizationByID(ctx, id)
	if err != nil {
		return nil, internal("find organization", err)
	}
	return o, nil
}

// UpdateOrganization changes the principal's own organization's name,
// place or settings.
func (s *Service) UpdateOrganization(ctx context.Context, reqID string, p auth.Principal, id string, upd discern.OrganizationUpdate) (*discern.Organization, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.OrgsManage, auth.Resource{OrgID: id}, "organization", id); err != nil {
		return nil, err
	}
	if upd.Name != nil {
		n := strings.TrimSpace(*upd.Name)
		upd.Name = &n
	}
	var out *discern.Organization
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if out, err = tx.UpdateOrganization(ctx, id, upd); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: id, action: "org.update", targetType: "organization", targetID: id})
	})
	if err != nil {
		return nil, internal("update organization", err)
	}
	return out, nil
}

// FindTeams lists the teams of the principal's organization.
func (s *Service) FindTeams(ctx context.Context, reqID string, p auth.Principal, page discern.Page) ([]*discern.Team, string, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.OrgsRead, auth.Resource{OrgID: p.OrgID, List: true}, "team", ""); err != nil {
		return nil, "", err
	}
	if err := page.Validate(); err != nil {
		return nil, "", err
	}
	ts, next, err := s.db.FindTeams(ctx, discern.TeamFilter{OrgID: p.OrgID, Page: page})
	if err != nil {
		return nil, "", internal("find teams", err)
	}
	return ts, next, nil
}

// CreateTeam adds a team to the principal's organization. hook, if not
// nil, runs in the transaction that stores the team.
func (s *Service) CreateTeam(ctx context.Context, reqID string, p auth.Principal, name string, hook TxHook[*discern.Team]) (*discern.Team, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.OrgsManage, auth.Resource{OrgID: p.OrgID}, "team", ""); err != nil {
		return nil, err
	}
	t := &discern.Team{OrgID: p.OrgID, Name: strings.TrimSpace(name)}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateTeam(ctx, t); err != nil {
			return err
		}
		if hook != nil {
			if err := hook(ctx, tx, t); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "team.create", targetType: "team", targetID: t.ID})
	})
	if err != nil {
		return nil, internal("create team", err)
	}
	return t, nil
}

// UpdateTeam renames a team of the principal's organization.
func (s *Service) UpdateTeam(ctx context.Context, reqID string, p auth.Principal, id string, upd discern.TeamUpdate) (*discern.Team, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.OrgsManage, auth.Resource{OrgID: p.OrgID, TeamID: id}, "team", id); err != nil {
		return nil, err
	}
	if upd.Name != nil {
		n := strings.TrimSpace(*upd.Name)
		upd.Name = &n
	}
	var out *discern.Team
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if out, err = tx.UpdateTeam(ctx, p.OrgID, id, upd); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "team.update", targetType: "team", targetID: id})
	})
	if err != nil {
		return nil, internal("update team", err)
	}
	return out, nil
}
