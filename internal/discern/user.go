package discern

import (
	"context"
	"strings"
	"time"
)

// User is a member of staff who signs in. Users belong to exactly one
// organization; a person who works for two agencies has two accounts.
type User struct {
	ID          string
	OrgID       string
	TeamID      string // optional
	Email       string // normalised with NormalizeEmail; unique across organizations
	DisplayName string
	Role        Role
	// PasswordHash is the auth package's PHC string ("$argon2id$…"); empty
	// means the user cannot sign in with a password yet.
	PasswordHash string
	// MFASecret is the sealed TOTP secret; nil until the user enrols.
	MFASecret Sealed
	// MFALastStep is the last TOTP time step accepted, so that a code can
	// be used only once.
	MFALastStep int64
	Disabled    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// NormalizeEmail returns the form in which emails are stored and looked up.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	if u.OrgID == "" {
		return Invalid("org_id", "org_id is required.")
	}
	if err := validEmail(u.Email); err != nil {
		return err
	}
	if err := validName("display_name", u.DisplayName); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return Invalid("role", "role must be one of administrator, supervisor, caseworker, screener, analyst.")
	}
	if err := validPasswordHash(u.PasswordHash); err != nil {
		return err
	}
	if u.MFALastStep < 0 {
		return Invalid("mfa_last_step", "mfa_last_step must not be negative.")
	}
	return validSealed("mfa_secret", u.MFASecret)
}

func validEmail(s string) error {
	if s != NormalizeEmail(s) {
		return Invalid("email", "email must be normalised (trimmed, lower case).")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || len(s) > 254 || strings.ContainsAny(s, " \t\r\n\x00,;<>") {
		return Invalid("email", "Enter an email address such as name@example.org.")
	}
	return nil
}

// validPasswordHash rejects anything that is not a PHC string, so that a
// plaintext password can never be stored by mistake.
func validPasswordHash(s string) error {
	if s != "" && (!strings.HasPrefix(s, "$") || len(s) > 512 || strings.ContainsAny(s, " \t\r\n\x00")) {
		return Invalid("password_hash", "password_hash must be a PHC hash string.")
	}
	return nil
}

// UserFilter selects users of one organization.
type UserFilter struct {
	OrgID    string // required
	TeamID   *string
	Role     *Role
	Disabled *bool
	Page
}

// UserUpdate holds the fields to change; nil means unchanged.
type UserUpdate struct {
	Email        *string
	DisplayName  *string
	TeamID       *string // "" removes the user from their team
	Role         *Role
	PasswordHash *string
	// MFASecret replaces the sealed TOTP secret; a pointer to nil removes
	// it (reset-mfa). Either way MFALastStep starts again at 0.
	MFASecret *Sealed
	Disabled  *bool
}

// UserStore stores users.
type UserStore interface {
	// FindUserByID returns KindNotFound unless the user exists in orgID.
	FindUserByID(ctx context.Context, orgID, id string) (*User, error)
	// FindUserByEmail is a credential lookup: it runs before anyone is
	// signed in, so it is the one user finder without an organization.
	// Returns KindNotFound.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, string, error)
	// CreateUser returns KindConflict if the email is taken.
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, orgID, id string, upd UserUpdate) (*User, error)
	// AdvanceMFAStep records that TOTP time step step was used, and reports
	// false if it (or a later one) had already been used, atomically, so
	// that one code cannot sign in twice even on two replicas.
	AdvanceMFAStep(ctx context.Context, orgID, id string, step int64) (bool, error)
}
