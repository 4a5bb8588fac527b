package httpserver

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

type orgOutput struct{ Body orgBody }

// getOrganization is GET /api/v1/organizations/{org_id}: the caller's own
// organization (any other is not found).
func getOrganization(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		OrgID string `path:"org_id" maxLength:"26"`
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*orgOutput, error) {
			o, err := svc.FindOrganization(ctx, requestID(ctx), principalOf(ctx), in.OrgID)
			if err != nil {
				return nil, err
			}
			return &orgOutput{Body: orgOf(o)}, nil
		})
	}
}

// updateOrganization is PATCH /api/v1/organizations/{org_id}: an
// administrator changes their organization's name, place or settings.
// Settings are replaced as a whole when given, except the legal
// exceptions, which are kept unless the change lists them.
func updateOrganization(svc *accounts.Service) func(huma.API, huma.Operation) {
	type organizationChanges struct {
		Name     *string       `json:"name,omitempty" minLength:"1" maxLength:"200"`
		Country  *string       `json:"country,omitempty" maxLength:"2"`
		Region   *string       `json:"region,omitempty" maxLength:"6"`
		Settings *settingsBody `json:"settings,omitempty"`
	}
	type input struct {
		OrgID string `path:"org_id" maxLength:"26"`
		Body  organizationChanges
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*orgOutput, error) {
			upd := discern.OrganizationUpdate{Name: in.Body.Name, Country: in.Body.Country, Region: in.Body.Region}
			if s := in.Body.Settings; s != nil {
				upd.Settings = &discern.OrganizationSettings{DefaultLanguage: s.DefaultLanguage, Jurisdictions: s.Jurisdictions,
					RequireMFA: s.RequireMFA, DirectoryOrgID: s.DirectoryOrgID}
				if s.LegalExceptions != nil {
					upd.Settings.LegalExceptions = *s.LegalExceptions
				} else {
					cur, err := svc.FindOrganization(ctx, requestID(ctx), principalOf(ctx), in.OrgID)
					if err != nil {
						return nil, err
					}
					upd.Settings.LegalExceptions = cur.Settings.LegalExceptions
				}
			}
			o, err := svc.UpdateOrganization(ctx, requestID(ctx), principalOf(ctx), in.OrgID, upd)
			if err != nil {
				return nil, err
			}
			return &orgOutput{Body: orgOf(o)}, nil
		})
	}
}

// listTeams is GET /api/v1/teams.
func listTeams(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct{ Page }
	type output struct{ Body List[teamBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			ts, next, err := svc.FindTeams(ctx, requestID(ctx), principalOf(ctx), in.page())
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(ts, next, teamOf)}, nil
		})
	}
}

type teamOutput struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     teamBody
}

// teamRequest is the body of a team create or rename.
type teamRequest struct {
	Name string `json:"name" minLength:"1" maxLength:"200"`
}

// createTeam is POST /api/v1/teams. Idempotent with an Idempotency-Key.
func createTeam(svc *accounts.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type input struct {
		IdempotencyKey
		Body teamRequest
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*teamOutput, error) {
			p := principalOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, p, in.Key, in.Body,
				func(ctx context.Context, complete Complete[teamBody]) (teamBody, error) {
					t, err := svc.CreateTeam(ctx, requestID(ctx), p, in.Body.Name,
						func(ctx context.Context, tx *sqldb.Tx, t *discern.Team) error { return complete(ctx, tx, teamOf(t)) })
					if err != nil {
						return teamBody{}, err
					}
					return teamOf(t), nil
				})
			if err != nil {
				return nil, err
			}
			return &teamOutput{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

// updateTeam is PATCH /api/v1/teams/{team_id}: renames a team.
func updateTeam(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		TeamID string `path:"team_id" maxLength:"26"`
		Body   teamRequest
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*teamOutput, error) {
			t, err := svc.UpdateTeam(ctx, requestID(ctx), principalOf(ctx), in.TeamID, discern.TeamUpdate{Name: &in.Body.Name})
			if err != nil {
				return nil, err
			}
			return &teamOutput{Body: teamOf(t)}, nil
		})
	}
}
