package accounts

import (
	"context"
	"strings"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// Operator does what the person at the machine does with the command line:
// bootstrap organizations and their first administrators, list and
// disable users, reset second factors, unlock accounts and make API tokens
// for scripts. It asks no policy, since whoever runs the command already
// holds the database and the key file; every change is still audited, with
// no actor. The HTTP server never holds an Operator.
type Operator struct{ s *Service }

// Operator returns the operator's view of the service.
func (s *Service) Operator() *Operator { return &Operator{s} }

// CreateOrganization stores a new organization.
func (o *Operator) CreateOrganization(ctx context.Context, reqID string, org *discern.Organization) error {
	org.Name = strings.TrimSpace(org.Name)
	if err := org.Validate(); err != nil {
		return err
	}
	return internal("create organization", o.s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateOrganization(ctx, org); err != nil {
			return err
		}
		return o.s.appendAudit(ctx, tx, reqID, entry{org: org.ID, action: "org.create", targetType: "organization", targetID: org.ID})
	}))
}

// FindOrganizations lists organizations, newest first.
func (o *Operator) FindOrganizations(ctx context.Context, f discern.OrganizationFilter) ([]*discern.Organization, string, error) {
	if err := f.Page.Validate(); err != nil {
		return nil, "", err
	}
	return o.s.db.FindOrganizations(ctx, f)
}

// CreateUser adds a user to organization orgID; the first administrator
// of an organization is made this way.
func (o *Operator) CreateUser(ctx context.Context, reqID, orgID string, nu NewUser) (*discern.User, error) {
	if _, err := o.s.db.FindOrganizationByID(ctx, orgID); err != nil {
		return nil, internal("find organization", err)
	}
	id, err := o.s.newID()
	if err != nil {
		return nil, err
	}
	u, err := o.s.prepareUser(ctx, orgID, id, nu)
	if err != nil {
		return nil, err
	}
	err = o.s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return o.s.appendAudit(ctx, tx, reqID, entry{org: orgID, action: "user.create", targetType: "user", targetID: u.ID})
	})
	if err != nil {
		return nil, internal("create user", err)
	}
	return u, nil
}

// FindUsers lists the users of f.OrgID.
func (o *Operator) FindUsers(ctx context.Context, f discern.UserFilter) ([]*discern.User, string, error) {
	if err := f.Page.Validate(); err != nil {
		return nil, "", err
	}
	return o.s.db.FindUsers(ctx, f)
}

// FindUserByEmail finds a user by email, in any organization.
func (o *Operator) FindUserByEmail(ctx context.Context, email string) (*discern.User, error) {
	return o.s.db.FindUserByEmail(ctx, discern.NormalizeEmail(email))
}

// SetDisabled disables (ending their sessions and revoking their tokens)
// or enables a user.
func (o *Operator) SetDisabled(ctx context.Context, reqID, orgID, userID string, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return internal("disable user", o.s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.UpdateUser(ctx, orgID, userID, discern.UserUpdate{Disabled: &disabled}); err != nil {
			return err
		}
		if disabled {
			if err := cutOff(ctx, tx, orgID, userID); err != nil {
				return err
			}
		}
		return o.s.appendAudit(ctx, tx, reqID, entry{org: orgID, action: action, targetType: "user", targetID: userID})
	}))
}

// ResetMFA removes a user's second factor and ends their sessions.
func (o *Operator) ResetMFA(ctx context.Context, reqID, orgID, userID string) error {
	return internal("reset second factor", o.s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		return resetMFA(ctx, tx, orgID, userID, func() error {
			return o.s.appendAudit(ctx, tx, reqID, entry{org: orgID, action: "user.reset_mfa", targetType: "user", targetID: userID})
		})
	}))
}

// SetPassword sets a user's password (checked against the policy) and
// ends their sessions.
func (o *Operator) SetPassword(ctx context.Context, reqID, orgID, userID, password string) error {
	u, err := o.s.db.FindUserByID(ctx, orgID, userID)
	if err != nil {
		return internal("find user", err)
	}
	if err := auth.CheckPassword(password, u.Email, auth.MFARequired(u.Role)); err != nil {
		return err
	}
	hash, err := o.s.hasher.Hash(ctx, password)
	if err != nil {
		return internal("hash password", err)
	}
	return internal("set password", o.s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.UpdateUser(ctx, orgID, userID, discern.UserUpdate{PasswordHash: &hash}); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, orgID, userID); err != nil {
			return err
		}
		return o.s.appendAudit(ctx, tx, reqID, entry{org: orgID, action: "user.password_set", targetType: "user", targetID: userID})
	}))
}

// Unlock forgets the failed sign-in attempts of an email, lifting a
// lock, including the permanent one after too many failures.
func (o *Operator) Unlock(ctx context.Context, email string) error {
	return internal("unlock", o.s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.UpdateThrottle(ctx, auth.AccountKey(email), func(*discern.ThrottleRecord) (*discern.ThrottleRecord, error) {
			return nil, nil
		})
		return err
	}))
}

// CreateAPIToken makes a token for user userID (scopes limited by their
// role, as always). The returned string is the token: print it once.
func (o *Operator) CreateAPIToken(ctx context.Context, reqID, orgID, userID string, nt NewToken) (string, *discern.APIToken, error) {
	u, err := o.s.db.FindUserByID(ctx, orgID, userID)
	if err != nil {
		return "", nil, internal("find user", err)
	}
	if u.Disabled {
		return "", nil, discern.Invalid("user_id", "This user is disabled.")
	}
	return o.s.storeToken(ctx, reqID, "", u, nt)
}
