package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
)

// listTokens is GET /api/v1/tokens: the caller's API tokens, or (for
// administrators) everyone's in the organization or one user's.
func listTokens(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		UserID string `query:"user_id" maxLength:"26" doc:"Only this user's tokens."`
	}
	type output struct{ Body List[tokenBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			var uid *string
			if in.UserID != "" {
				uid = &in.UserID
			}
			ts, err := svc.FindAPITokens(ctx, requestID(ctx), principalOf(ctx), uid)
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(ts, "", tokenOf)}, nil
		})
	}
}

// createToken is POST /api/v1/tokens: an API token for the caller, with
// scopes their role can use and an expiry within a year. The token is in
// the response once and never again. It takes no Idempotency-Key: a
// replay would have to store the token to repeat it.
func createToken(svc *accounts.Service) func(huma.API, huma.Operation) {
	type newTokenRequest struct {
		Name      string    `json:"name" minLength:"1" maxLength:"100" doc:"A label to recognize the token by, such as \"monthly export\"."`
		Scopes    []string  `json:"scopes" minItems:"1" maxItems:"32" doc:"What the token may be used for, such as screenings:write or assess."`
		ExpiresAt time.Time `json:"expires_at" doc:"When the token stops working; at most a year ahead. Every token expires."`
	}
	type createdToken struct {
		tokenBody
		Token string `json:"token" doc:"The token. It is shown this once: store it now; only its hash is kept."`
	}
	type input struct{ Body newTokenRequest }
	type output struct{ Body createdToken }
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			scopes := make([]auth.TokenScope, len(in.Body.Scopes))
			for i, s := range in.Body.Scopes {
				scopes[i] = auth.TokenScope(s)
			}
			token, t, err := svc.CreateAPIToken(ctx, requestID(ctx), principalOf(ctx), accounts.NewToken{
				Name: in.Body.Name, Scopes: scopes, ExpiresAt: in.Body.ExpiresAt,
			})
			if err != nil {
				return nil, err
			}
			return &output{Body: createdToken{tokenBody: tokenOf(t), Token: token}}, nil
		})
	}
}

// revokeToken is DELETE /api/v1/tokens/{token_id}.
func revokeToken(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		TokenID string `path:"token_id" maxLength:"26"`
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, in *input) (*noContent, error) {
			if err := svc.RevokeAPIToken(ctx, requestID(ctx), principalOf(ctx), in.TokenID); err != nil {
				return nil, err
			}
			return &noContent{}, nil
		})
	}
}
