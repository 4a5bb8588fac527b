package httpserver

import (
	"net/http"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// The response bodies shared by several operations. Each says exactly
// what a client may see: never a password or token hash, a sealed secret
// or a session token.

// userBody is a user (a member of staff).
type userBody struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	TeamID      string    `json:"team_id,omitempty"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role" enum:"administrator,supervisor,caseworker,screener,analyst"`
	MFAEnrolled bool      `json:"mfa_enrolled" doc:"Whether the user has set up a second factor."`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func userOf(u *discern.User) userBody {
	return userBody{
		ID: u.ID, OrgID: u.OrgID, TeamID: u.TeamID, Email: u.Email, DisplayName: u.DisplayName,
		Role: string(u.Role), MFAEnrolled: u.MFASecret != nil, Disabled: u.Disabled,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

// sessionBody is a signed-in session, as "your sessions" lists it.
type sessionBody struct {
	ID          string    `json:"id"`
	CreatedAt   time.Time `json:"created_at" doc:"When the user signed in."`
	LastSeenAt  time.Time `json:"last_seen_at"`
	ExpiresAt   time.Time `json:"expires_at" doc:"The absolute expiry; the session also ends after a while without use."`
	MFAVerified bool      `json:"mfa_verified" doc:"Whether the second factor was given in this session."`
	Current     bool      `json:"current" doc:"Whether this is the session making the request."`
}

func sessionOf(s *discern.Session, currentHash []byte) sessionBody {
	return sessionBody{
		ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt,
		MFAVerified: s.MFAVerified, Current: currentHash != nil && string(currentHash) == string(s.TokenHash),
	}
}

// orgBody is an organization.
type orgBody struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	Country   string       `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 code of where the organization works."`
	Region    string       `json:"region,omitempty" doc:"ISO 3166-2 subdivision code."`
	Settings  settingsBody `json:"settings"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type settingsBody struct {
	DefaultLanguage string   `json:"default_language,omitempty" maxLength:"35" doc:"The BCP 47 tag interviews start in."`
	Jurisdictions   []string `json:"jurisdictions,omitempty" maxItems:"50" doc:"Content IDs of the jurisdictions screened under by default."`
	RequireMFA      bool     `json:"require_mfa,omitempty" doc:"Whether every user, not only administrators, must have a second factor."`
	DirectoryOrgID  string   `json:"directory_org_id,omitempty" maxLength:"200" doc:"The organization's HSDS id in the service directory: referrals to it arrive in its inbox."`
	// LegalExceptions are nil when left out of a change: they are kept as
	// they are; a list (even empty) replaces them.
	LegalExceptions *[]discern.LegalException `json:"legal_exceptions,omitempty" maxItems:"20" doc:"Legal exceptions to consent (a court order, mandatory child-protection reporting). Left out of a change, they are kept."`
}

func orgOf(o *discern.Organization) orgBody {
	return orgBody{
		ID: o.ID, Name: o.Name, Country: o.Country, Region: o.Region,
		Settings: settingsBody{
			DefaultLanguage: o.Settings.DefaultLanguage, Jurisdictions: o.Settings.Jurisdictions,
			RequireMFA: o.Settings.RequireMFA, DirectoryOrgID: o.Settings.DirectoryOrgID,
			LegalExceptions: &o.Settings.LegalExceptions,
		},
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

// teamBody is a team.
type teamBody struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func teamOf(t *discern.Team) teamBody {
	return teamBody{ID: t.ID, OrgID: t.OrgID, Name: t.Name, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// tokenBody is an API token as listed: never the token or its hash.
type tokenBody struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOf(t *discern.APIToken) tokenBody {
	return tokenBody{
		ID: t.ID, UserID: t.UserID, Name: t.Name, Scopes: t.Scopes,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt,
	}
}

// Page is the query of a paged list, embedded in list operations' input:
// lists are newest first and paged by an opaque cursor, so that a page
// deep into a long list costs the same as the first.
type Page struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"500" doc:"The most items to return (default 50)."`
	Cursor string `query:"cursor" maxLength:"200" doc:"The next_cursor of the previous page; empty for the first page."`
}

// page is the store's form of p.
func (p Page) page() discern.Page { return discern.Page{Limit: p.Limit, Cursor: p.Cursor} }

// List is the body of a paged list.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

func listOf[R any, T any](rs []R, next string, conv func(R) T) List[T] {
	l := List[T]{Items: make([]T, 0, len(rs)), NextCursor: next}
	for _, r := range rs {
		l.Items = append(l.Items, conv(r))
	}
	return l
}

// noContent is the output of operations that answer 204.
type noContent struct{}

// cookieOutput answers 204 and may set a cookie.
type cookieOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
}
