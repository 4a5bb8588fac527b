package accounts

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// NewUser is what is needed to create a user.
type NewUser struct {
	Email       string
	DisplayName string
	Role        discern.Role
	TeamID      string // optional
	// Password is the first password, checked against the password
	// policy (auth.CheckPassword); the user may change it later.
	Password string
}

// UserChanges holds the fields to change; nil means unchanged.
type UserChanges struct {
	Email       *string
	DisplayName *string
	Role        *discern.Role
	TeamID      *string // "" takes the user out of their team
	Disabled    *bool
}

// prepareUser validates nu for organization orgID and returns the user to
// store, with its password hashed. It looks the team up, so it runs before
// the transaction; hashing is slow and must not hold the write lock.
func (s *Service) prepareUser(ctx context.Context, orgID, id string, nu NewUser) (*discern.User, error) {
	u := &discern.User{
		ID: id, OrgID: orgID, TeamID: nu.TeamID,
		Email:       discern.NormalizeEmail(nu.Email),
		DisplayName: strings.TrimSpace(nu.DisplayName),
		Role:        nu.Role,
	}
	if nu.Password == "" {
		return nil, discern.Invalid("password", "Enter a first password for the user.")
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := auth.CheckPassword(nu.Password, u.Email, auth.MFARequired(u.Role)); err != nil {
		return nil, err
	}
	if err := s.checkTeam(ctx, orgID, u.TeamID); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, nu.Password)
	if err != nil {
		return nil, internal("hash password", err)
	}
	u.PasswordHash = hash
	return u, nil
}

// checkTeam reports a team that does not exist in the organization as an
// invalid field.
func (s *Service) checkTeam(ctx context.Context, orgID, teamID string) error {
	if teamID == "" {
		return nil
	}
	if _, err := s.db.FindTeamByID(ctx, orgID, teamID); err != nil {
		if discern.KindOf(err) == discern.KindNotFound {
			return discern.Invalid("team_id", "There is no such team in your organization.")
		}
		return internal("find team", err)
	}
	return nil
}

// CreateUser adds a user to the principal's organization. hook, if not
// nil, runs in the transaction that stores the user.
func (s *Service) CreateUser(ctx context.Context, reqID string, p auth.Principal, nu NewUser, hook TxHook[*discern.User]) (*discern.User, error) {
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	r := auth.Resource{OrgID: p.OrgID, OwnerID: id, TeamID: nu.TeamID}
	if _, err := s.authorize(ctx, reqID, p, auth.UsersManage, r, "user", ""); err != nil {
		return nil, err
	}
	u, err := s.prepareUser(ctx, p.OrgID, id, nu)
	if err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if hook != nil {
			if err := hook(ctx, tx, u); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "user.create", targetType: "user", targetID: u.ID})
	})
	if err != nil {
		return nil, internal("create user", err)
	}
	return u, nil
}

// FindUserByID returns a user of the principal's organization.
func (s *Service) FindUserByID(ctx context.Context, reqID string, p auth.Principal, id string) (*discern.User, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.UsersRead, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", id); err != nil {
		return nil, err
	}
	u, r, err := s.userResource(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.authorize(ctx, reqID, p, auth.UsersRead, r, "user", id); err != nil {
		return nil, err
	}
	return u, nil
}

// FindUsers lists users of the principal's organization, newest first,
// and returns the next page's cursor. f.OrgID is ignored. A role that may
// see only its own record gets only that.
func (s *Service) FindUsers(ctx context.Context, reqID string, p auth.Principal, f discern.UserFilter) ([]*discern.User, string, error) {
	d, err := s.authorize(ctx, reqID, p, auth.UsersRead, auth.Resource{OrgID: p.OrgID, List: true}, "user", "")
	if err != nil {
		return nil, "", err
	}
	if err := f.Page.Validate(); err != nil {
		return nil, "", err
	}
	f.OrgID = p.OrgID
	switch d.Scope {
	case discern.ScopeOrganization:
	case discern.ScopeTeam:
		// Only the teams the principal belongs to (plus themself, below).
		if len(p.TeamIDs) == 0 {
			d.Scope = discern.ScopeOwn
			break
		}
		if f.TeamID != nil && !containsString(p.TeamIDs, *f.TeamID) {
			return nil, "", nil
		}
		f.TeamID = &p.TeamIDs[0]
	}
	if d.Scope == discern.ScopeOwn {
		u, err := s.db.FindUserByID(ctx, p.OrgID, p.UserID)
		if err != nil {
			return nil, "", internal("find user", err)
		}
		if f.Cursor != "" || !matchesFilter(u, f) {
			return nil, "", nil
		}
		return []*discern.User{u}, "", nil
	}
	users, next, err := s.db.FindUsers(ctx, f)
	if err != nil {
		return nil, "", internal("find users", err)
	}
	return users, next, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func matchesFilter(u *discern.User, f discern.UserFilter) bool {
	return (f.TeamID == nil || *f.TeamID == u.TeamID) &&
		(f.Role == nil || *f.Role == u.Role) &&
		(f.Disabled == nil || *f.Disabled == u.Disabled)
}

// UpdateUser changes a user of the principal's organization. Disabling a
// user ends their sessions and revokes their API tokens; changing their
// role ends their sessions, so that they sign in again under the new
// role's rules (a new administrator must set up a second factor).
// Administrators cannot disable themselves or give up their own role:
// another administrator must, so that an organization is never left
// without one by a slip.
func (s *Service) UpdateUser(ctx context.Context, reqID string, p auth.Principal, id string, c UserChanges) (*discern.User, error) {
	if _, err := s.authorize(ctx, reqID, p, auth.UsersManage, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", id); err != nil {
		return nil, err
	}
	u, r, err := s.userResource(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if c.TeamID != nil && *c.TeamID != "" {
		r.TeamID = *c.TeamID // the user moves there: the principal must reach both teams
		if _, err := s.authorize(ctx, reqID, p, auth.UsersManage, r, "user", id); err != nil {
			return nil, err
		}
		r.TeamID = u.TeamID
	}
	if _, err := s.authorize(ctx, reqID, p, auth.UsersManage, r, "user", id); err != nil {
		return nil, err
	}
	if id == p.UserID {
		if c.Disabled != nil && *c.Disabled {
			return nil, discern.Invalid("disabled", "You cannot disable your own account; ask another administrator.")
		}
		if c.Role != nil && *c.Role != u.Role {
			return nil, discern.Invalid("role", "You cannot change your own role; ask another administrator.")
		}
	}
	upd := discern.UserUpdate{Role: c.Role, TeamID: c.TeamID, Disabled: c.Disabled}
	if c.Email != nil {
		e := discern.NormalizeEmail(*c.Email)
		upd.Email = &e
	}
	if c.DisplayName != nil {
		n := strings.TrimSpace(*c.DisplayName)
		upd.DisplayName = &n
	}
	if c.TeamID != nil {
		if err := s.checkTeam(ctx, p.OrgID, *c.TeamID); err != nil {
			return nil, err
		}
	}
	disabling := c.Disabled != nil && *c.Disabled && !u.Disabled
	enabling := c.Disabled != nil && !*c.Disabled && u.Disabled
	roleChange := c.Role != nil && *c.Role != u.Role
	action := "user.update"
	switch {
	case disabling:
		action = "user.disable"
	case enabling:
		action = "user.enable"
	}
	var out *discern.User
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if out, err = tx.UpdateUser(ctx, p.OrgID, id, upd); err != nil {
			return err
		}
		if disabling {
			if err := cutOff(ctx, tx, p.OrgID, id); err != nil {
				return err
			}
		} else if roleChange {
			if _, err := tx.DeleteUserSessions(ctx, p.OrgID, id); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: action, targetType: "user", targetID: id})
	})
	if err != nil {
		return nil, internal("update user", err)
	}
	return out, nil
}

// cutOff ends every session of a user and revokes every token of theirs.
func cutOff(ctx context.Context, tx *sqldb.Tx, orgID, userID string) error {
	if _, err := tx.DeleteUserSessions(ctx, orgID, userID); err != nil {
		return err
	}
	ts, err := tx.FindAPITokens(ctx, orgID, &userID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.RevokedAt == nil {
			if err := tx.RevokeAPIToken(ctx, orgID, t.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// DisableUser disables a user of the principal's organization: see
// UpdateUser.
func (s *Service) DisableUser(ctx context.Context, reqID string, p auth.Principal, id string) (*discern.User, error) {
	t := true
	return s.UpdateUser(ctx, reqID, p, id, UserChanges{Disabled: &t})
}

// ResetMFA removes a user's second factor, for someone who lost their
// phone, and ends their sessions. They set up a new one at their next
// sign-in. An administrator cannot reset their own: with a stolen session
// alone that would take over the account.
func (s *Service) ResetMFA(ctx context.Context, reqID string, p auth.Principal, id string) error {
	if _, err := s.authorize(ctx, reqID, p, auth.UsersManage, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", id); err != nil {
		return err
	}
	_, r, err := s.userResource(ctx, p, id)
	if err != nil {
		return err
	}
	if _, err := s.authorize(ctx, reqID, p, auth.UsersManage, r, "user", id); err != nil {
		return err
	}
	if id == p.UserID {
		return discern.Invalid("user_id", "You cannot reset your own second factor; ask another administrator.")
	}
	return internal("reset second factor", s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		return resetMFA(ctx, tx, p.OrgID, id, func() error {
			return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "user.reset_mfa", targetType: "user", targetID: id})
		})
	}))
}

func resetMFA(ctx context.Context, tx *sqldb.Tx, orgID, id string, audit func() error) error {
	var none discern.Sealed
	if _, err := tx.UpdateUser(ctx, orgID, id, discern.UserUpdate{MFASecret: &none}); err != nil {
		return err
	}
	if _, err := tx.DeleteUserSessions(ctx, orgID, id); err != nil {
		return err
	}
	return audit()
}

// PasswordChange is a user changing their own password.
type PasswordChange struct {
	Current string
	New     string
	// KeepToken is the session the change is made from; it stays, and
	// every other session of the user ends.
	KeepToken string
	Addr      netip.Addr // for throttling, as at sign-in
}

// ChangePassword changes the principal's own password after checking the
// current one (throttled like a sign-in), and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, reqID string, p auth.Principal, c PasswordChange) error {
	current, next := c.Current, c.New
	if _, err := s.authorize(ctx, reqID, p, auth.AccountManage, auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID}, "user", p.UserID); err != nil {
		return err
	}
	u, err := s.db.FindUserByID(ctx, p.OrgID, p.UserID)
	if err != nil {
		return internal("find user", err)
	}
	if len(current) > auth.MaxPasswordBytes || current == "" {
		return discern.Invalid("current_password", "Enter your current password.")
	}
	now := s.now()
	acctKey := auth.AccountKey(u.Email)
	addrKey := auth.AddressKey(c.Addr)
	if err := s.throttleBegin(ctx, acctKey, addrKey, now); err != nil {
		return err
	}
	ok := false
	if u.PasswordHash != "" {
		if ok, err = s.hasher.Verify(ctx, current, u.PasswordHash); err != nil {
			return internal("verify password", err)
		}
	}
	if !ok {
		return &discern.Error{Kind: discern.KindInvalid, Field: "current_password", Message: "Your current password is not correct."}
	}
	if err := auth.CheckPassword(next, u.Email, auth.MFARequired(u.Role)); err != nil {
		if e, ok := errors.AsType[*discern.Error](err); ok && e.Field == "password" {
			e.Field = "new_password"
		}
		return err
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return internal("hash password", err)
	}
	var keep []byte
	if h, err := auth.ParseSessionToken(c.KeepToken); err == nil {
		keep = h[:]
	}
	return internal("change password", s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := updateFailures(ctx, tx, acctKey, addrKey, s.throttle.Succeed); err != nil {
			return err
		}
		if _, err := tx.UpdateUser(ctx, p.OrgID, p.UserID, discern.UserUpdate{PasswordHash: &hash}); err != nil {
			return err
		}
		if err := endOtherSessions(ctx, tx, p.OrgID, p.UserID, keep); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, reqID, entry{actor: p.UserID, org: p.OrgID, action: "user.password_change", targetType: "user", targetID: p.UserID})
	}))
}

// endOtherSessions ends a user's sessions except the one with hash keep.
func endOtherSessions(ctx context.Context, tx *sqldb.Tx, orgID, userID string, keep []byte) error {
	ss, err := tx.FindSessions(ctx, orgID, userID)
	if err != nil {
		return err
	}
	for _, x := range ss {
		if keep != nil && string(x.TokenHash) == string(keep) {
			continue
		}
		if err := tx.DeleteSession(ctx, x.TokenHash); err != nil {
			return err
		}
	}
	return nil
}
