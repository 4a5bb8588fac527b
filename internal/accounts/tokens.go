package accounts

import (
	"context"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// NewToken is what is needed to create an API token.
type NewToken struct {
	Name   string
	Scopes []auth.TokenScope
	// ExpiresAt is required, within auth.MaxAPITokenLifetime: every token
	// expires.
	ExpiresAt time.Time
}

// makeToken validates nt for user u and returns the token to show once and
// the record to store. The stored hash is of the whole token, so that its
// public part cannot be altered either.
func (s *Service) makeToken(u *discern.User, nt NewToken) (string, *discern.APIToken, error) {
	if nt.ExpiresAt.IsZero() {
		return "", nil, discern.Invalid("expires_at", "Choose when the token expires; every token must expire.")
	}
	token, at, err := auth.NewAPIToken(s.rand, s.now(), auth.APITokenRequest{
		UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Name: nt.Name, Scopes: nt.Scopes, ExpiresAt: nt.ExpiresAt,
	})
	if err != nil {
		return "", nil, internal("new API token", err)
	}
	scopes := make([]string, len(at.Scopes))
	for i, sc := range at.Scopes {
		scopes[i] = string(sc)
	}
	return token, &discern.APIToken{
		OrgID: u.OrgID, UserID: u.ID, Name: at.Name,
		TokenHash: hashToken(token), Scopes: scopes, ExpiresAt: at.ExpiresAt,
	}, nil
}

// CreateAPIToken creates a token for the principal themself, with scopes
// their role can use and a mandatory expiry. The returned string is the
// token: show it once; only its hash is kept. Tokens cannot make tokens.
func (s *Service) CreateAPIToken(ctx context.Context, reqID string, p auth.Principal, nt NewToken) (string, *discern.APIToken, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.TokensCreate, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "api_token", ""); err != nil {
		return "", nil, err
	}
	u, err := s.db.FindUserByID(ctx, p.OrgID, p.UserID)
	if err != nil {
		return "", nil, internal("find user", err)
	}
	return s.storeToken(ctx, reqID, p.UserID, u, nt)
}

// storeToken makes and stores a token for u; actor is who asked ("" for
// the operator).
func (s *Service) storeToken(ctx context.Context, reqID, actor string, u *discern.User, nt NewToken) (string, *discern.APIToken, error) {
	token, t, err := s.makeToken(u, nt)
	if err != nil {
		return "", nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateAPIToken(ctx, t); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: actor, org: u.OrgID, action: "token.create", targetType: "api_token", targetID: t.ID})
	})
	if err != nil {
		return "", nil, internal("create API token", err)
	}
	return token, t, nil
}

// FindAPITokens lists API tokens of the principal's organization: their
// own, or (for administrators) anyone's, or one user's when userID is not
// nil. The records hold the token hash, which callers must not show.
func (s *Service) FindAPITokens(ctx context.Context, reqID string, p auth.Principal, userID *string) ([]*discern.APIToken, error) {
	d, err := s.authorize(ctx, reqID, p, auth.TokensRead, auth.Resource{OrgID: p.OrgID, List: true}, "api_token", "")
	if err != nil {
		return nil, err
	}
	if userID != nil && *userID != p.UserID {
		_, r, err := s.userResource(ctx, p, *userID)
		if err != nil {
			return nil, err
		}
		if _, err := s.authorize(ctx, reqID, p, auth.TokensRead, r, "user", *userID); err != nil {
			return nil, err
		}
	}
	if userID == nil && d.Scope != discern.ScopeOrganization {
		userID = &p.UserID
	}
	ts, err := s.db.FindAPITokens(ctx, p.OrgID, userID)
	if err != nil {
		return nil, internal("find API tokens", err)
	}
	return ts, nil
}

// RevokeAPIToken revokes a token of the principal's own, or (for
// administrators) anyone's in their organization.
func (s *Service) RevokeAPIToken(ctx context.Context, reqID string, p auth.Principal, id string) error {
	if _, err := s.authorize(ctx, reqID, p, auth.TokensRevoke, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "api_token", id); err != nil {
		return err
	}
	// The store finds tokens by hash or by organization only.
	ts, err := s.db.FindAPITokens(ctx, p.OrgID, nil)
	if err != nil {
		return internal("find API tokens", err)
	}
	for _, t := range ts {
		if t.ID != id {
			continue
		}
		if _, err := s.authorize(ctx, reqID, p, auth.TokensRevoke, auth.Resource{OrgID: t.OrgID, OwnerID: t.UserID}, "api_token", id); err != nil {
			return err
		}
		return internal("revoke API token", s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.RevokeAPIToken(ctx, p.OrgID, id); err != nil {
				return err
			}
			return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "token.revoke", targetType: "api_token", targetID: id})
		}))
	}
	return discern.Errorf(discern.KindNotFound, "No such API token.")
}
