package accounts

import (
	"context"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// userResource finds user id in the principal's organization and returns
// the resource it is for the policy. A user of another organization is
// simply not found.
func (s *Service) userResource(ctx context.Context, p auth.Principal, id string) (*discern.User, auth.Resource, error) {
	if id == "" || p.OrgID == "" {
		return nil, auth.Resource{}, discern.Errorf(discern.KindNotFound, "No such user.")
	}
	u, err := s.db.FindUserByID(ctx, p.OrgID, id)
	if err != nil {
		return nil, auth.Resource{}, internal("find user", err)
	}
	return u, auth.Resource{OrgID: u.OrgID, OwnerID: u.ID, TeamID: u.TeamID}, nil
}

// FindSessions lists the sessions of user userID ("" for the principal's
// own: "your sessions"), newest first. Session records hold no token, only
// its hash, which callers must not show.
func (s *Service) FindSessions(ctx context.Context, reqID string, p auth.Principal, userID string) ([]*discern.Session, error) {
	if userID == "" {
		userID = p.UserID
	}
	// Decide on the principal's best case first, so that a role without
	// the grant is refused before anything is looked up.
	if _, err := s.authorize(ctx, reqID, p, auth.SessionsRead, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "session", ""); err != nil {
		return nil, err
	}
	_, r, err := s.userResource(ctx, p, userID)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, reqID, p, auth.SessionsRead, r, "user", userID); err != nil {
		return nil, err
	}
	ss, err := s.db.FindSessions(ctx, p.OrgID, userID)
	if err != nil {
		return nil, internal("find sessions", err)
	}
	// A session past its timeouts is as good as gone; do not list it.
	now := s.now()
	live := ss[:0]
	for _, x := range ss {
		if s.sessionValid(x, now) {
			live = append(live, x)
		}
	}
	return live, nil
}

// RevokeSession ends one session of user userID ("" for the principal's
// own) by the session's ID.
func (s *Service) RevokeSession(ctx context.Context, reqID string, p auth.Principal, userID, sessionID string) error {
	if userID == "" {
		userID = p.UserID
	}
	if _, err := s.authorize(ctx, reqID, p, auth.SessionsRevoke, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "session", sessionID); err != nil {
		return err
	}
	_, r, err := s.userResource(ctx, p, userID)
	if err != nil {
		return err
	}
	if _, err := s.authorize(ctx, reqID, p, auth.SessionsRevoke, r, "session", sessionID); err != nil {
		return err
	}
	ss, err := s.db.FindSessions(ctx, p.OrgID, userID)
	if err != nil {
		return internal("find sessions", err)
	}
	for _, x := range ss {
		if x.ID != sessionID {
			continue
		}
		return internal("revoke session", s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
			if err := tx.DeleteSession(ctx, x.TokenHash); err != nil {
				return err
			}
			return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "session.revoke",
				targetType: "session", targetID: x.ID})
		}))
	}
	return discern.Errorf(discern.KindNotFound, "No such session.")
}

// SignOutEverywhere ends every session of user userID ("" for the
// principal's own), the current one included, and returns how many ended.
func (s *Service) SignOutEverywhere(ctx context.Context, reqID string, p auth.Principal, userID string) (int, error) {
	if userID == "" {
		userID = p.UserID
	}
	if _, err := s.authorize(ctx, reqID, p, auth.SessionsRevoke, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", userID); err != nil {
		return 0, err
	}
	_, r, err := s.userResource(ctx, p, userID)
	if err != nil {
		return 0, err
	}
	if _, err := s.authorize(ctx, reqID, p, auth.SessionsRevoke, r, "user", userID); err != nil {
		return 0, err
	}
	var n int
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if n, err = tx.DeleteUserSessions(ctx, p.OrgID, userID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "session.revoke_all",
			targetType: "user", targetID: userID})
	})
	return n, internal("sign out everywhere", err)
}
