package httpserver

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// listUsers is GET /api/v1/users: the users of the caller's organization
// (or only themself, for roles that see no one else), filtered and paged.
func listUsers(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		Page
		Role     string `query:"role" enum:"administrator,supervisor,caseworker,screener,analyst" doc:"Only users with this role."`
		TeamID   string `query:"team_id" maxLength:"26" doc:"Only members of this team."`
		Disabled string `query:"disabled" enum:"true,false" doc:"Only disabled (true) or active (false) users."`
	}
	type output struct{ Body List[userBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			f := discern.UserFilter{Page: in.page()}
			if in.Role != "" {
				r := discern.Role(in.Role)
				f.Role = &r
			}
			if in.TeamID != "" {
				f.TeamID = &in.TeamID
			}
			if in.Disabled != "" {
				b := in.Disabled == "true"
				f.Disabled = &b
			}
			us, next, err := svc.FindUsers(ctx, requestID(ctx), principalOf(ctx), f)
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(us, next, userOf)}, nil
		})
	}
}

// userOutput answers with one user.
type userOutput struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     userBody
}

// createUser is POST /api/v1/users: an administrator adds a user, with a
// first password. Idempotent with an Idempotency-Key.
func createUser(svc *accounts.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type newUserRequest struct {
		Email       string `json:"email" minLength:"3" maxLength:"254" doc:"The email the user signs in with; unique."`
		DisplayName string `json:"display_name" minLength:"1" maxLength:"200"`
		Role        string `json:"role" enum:"administrator,supervisor,caseworker,screener,analyst"`
		TeamID      string `json:"team_id,omitempty" maxLength:"26"`
		Password    string `json:"password" minLength:"1" maxLength:"1024" doc:"A first password: at least 15 characters (8 for administrators, who also need a second factor), not a common one."`
	}
	type input struct {
		IdempotencyKey
		Body newUserRequest
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*userOutput, error) {
			p := principalOf(ctx)
			// The password is not part of the fingerprint, so that it is
			// not hashed into a stored value with a fast hash.
			fp := in.Body
			fp.Password = ""
			body, replayed, err := IdempotentCreate(ctx, idem, p, in.Key, fp,
				func(ctx context.Context, complete Complete[userBody]) (userBody, error) {
					u, err := svc.CreateUser(ctx, requestID(ctx), p, accounts.NewUser{
						Email: in.Body.Email, DisplayName: in.Body.DisplayName, Role: discern.Role(in.Body.Role),
						TeamID: in.Body.TeamID, Password: in.Body.Password,
					}, func(ctx context.Context, tx *sqldb.Tx, u *discern.User) error { return complete(ctx, tx, userOf(u)) })
					if err != nil {
						return userBody{}, err
					}
					return userOf(u), nil
				})
			if err != nil {
				return nil, err
			}
			return &userOutput{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

func replayedHeader(replayed bool) string {
	if replayed {
		return "true"
	}
	return ""
}

// getUser is GET /api/v1/users/{user_id}.
func getUser(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		UserID string `path:"user_id" maxLength:"26"`
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*userOutput, error) {
			u, err := svc.FindUserByID(ctx, requestID(ctx), principalOf(ctx), in.UserID)
			if err != nil {
				return nil, err
			}
			return &userOutput{Body: userOf(u)}, nil
		})
	}
}

// getMe is GET /api/v1/me: the signed-in user.
func getMe(svc *accounts.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, _ *struct{}) (*userOutput, error) {
			p := principalOf(ctx)
			u, err := svc.FindUserByID(ctx, requestID(ctx), p, p.UserID)
			if err != nil {
				return nil, err
			}
			return &userOutput{Body: userOf(u)}, nil
		})
	}
}

// updateUser is PATCH /api/v1/users/{user_id}: an administrator changes a
// user's email, name, role or team, or disables or enables them.
// Disabling ends their sessions and revokes their tokens at once.
func updateUser(svc *accounts.Service) func(huma.API, huma.Operation) {
	type userChanges struct {
		Email       *string `json:"email,omitempty" minLength:"3" maxLength:"254"`
		DisplayName *string `json:"display_name,omitempty" minLength:"1" maxLength:"200"`
		Role        *string `json:"role,omitempty" enum:"administrator,supervisor,caseworker,screener,analyst"`
		TeamID      *string `json:"team_id,omitempty" maxLength:"26" doc:"The user's team; an empty string takes them out of their team."`
		Disabled    *bool   `json:"disabled,omitempty" doc:"true ends the user's sessions and revokes their API tokens."`
	}
	type input struct {
		UserID string `path:"user_id" maxLength:"26"`
		Body   userChanges
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*userOutput, error) {
			c := accounts.UserChanges{Email: in.Body.Email, DisplayName: in.Body.DisplayName, TeamID: in.Body.TeamID, Disabled: in.Body.Disabled}
			if in.Body.Role != nil {
				r := discern.Role(*in.Body.Role)
				c.Role = &r
			}
			u, err := svc.UpdateUser(ctx, requestID(ctx), principalOf(ctx), in.UserID, c)
			if err != nil {
				return nil, err
			}
			return &userOutput{Body: userOf(u)}, nil
		})
	}
}

// resetMFA is DELETE /api/v1/users/{user_id}/mfa: an administrator removes
// a user's second factor (a lost phone). The user's sessions end; they set
// up a new factor at their next sign-in.
func resetMFA(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		UserID string `path:"user_id" maxLength:"26"`
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, in *input) (*noContent, error) {
			if err := svc.ResetMFA(ctx, requestID(ctx), principalOf(ctx), in.UserID); err != nil {
				return nil, err
			}
			return &noContent{}, nil
		})
	}
}
