package discern

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Organization is one agency: an NGO, a police task force, a clinic. It is
// the wall around every record: nothing is shared across organizations
// except through a consent record.
type Organization struct {
	ID   string
	Name string
	// Country is the ISO 3166-1 alpha-2 code of where the organization
	// works ("GB"), and Region an optional ISO 3166-2 subdivision ("GB-SCT").
	// They only suggest which jurisdictions to screen under; the screener
	// chooses.
	Country   string
	Region    string
	Settings  OrganizationSettings
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OrganizationSettings are an organization's defaults. They are stored as
// JSON, so adding a setting needs no migration.
type OrganizationSettings struct {
	// DefaultLanguage is the BCP 47 tag interviews start in.
	DefaultLanguage string `json:"default_language,omitempty"`
	// Jurisdictions are the content IDs of the jurisdictions screenings are
	// tested against by default.
	Jurisdictions []string `json:"jurisdictions,omitempty"`
	// RequireMFA extends the second factor, always required of
	// administrators, to every user.
	RequireMFA bool `json:"require_mfa,omitempty"`
	// DirectoryOrgID links this organization to its entry in the service
	// directory (an HSDS organization id): referrals to that directory
	// organization, or to any of its services, arrive in this
	// organization's inbox.
	DirectoryOrgID string `json:"directory_org_id,omitempty"`
	// LegalExceptions are the exceptions to consent the organization's
	// administrators have configured; disclosure under one is separately
	// permissioned, needs a written reason and is audited.
	LegalExceptions []LegalException `json:"legal_exceptions,omitempty"`
}

// ExceptionKind is the kind of a legal exception to consent.
type ExceptionKind string

// The kinds. ChildProtection marks the exception the child-protection
// branch offers for a person who may be under 18.
const (
	ExceptionCourtOrder      ExceptionKind = "court_order"
	ExceptionChildProtection ExceptionKind = "child_protection"
	ExceptionDangerToLife    ExceptionKind = "danger_to_life"
	ExceptionOther           ExceptionKind = "other_statutory"
)

// ExceptionKinds lists every kind.
var ExceptionKinds = []ExceptionKind{ExceptionCourtOrder, ExceptionChildProtection, ExceptionDangerToLife, ExceptionOther}

// LegalException is one configured exception: what it is, the law it rests
// on, and whether it may be used now.
type LegalException struct {
	ID       string        `json:"id"`
	Kind     ExceptionKind `json:"kind"`
	Label    string        `json:"label"`
	Citation string        `json:"citation"`
	Active   bool          `json:"active"`
}

// Exception returns the configured exception with id, if any.
func (s *OrganizationSettings) Exception(id string) (LegalException, bool) {
	for _, e := range s.LegalExceptions {
		if e.ID == id {
			return e, true
		}
	}
	return LegalException{}, false
}

// Validate checks an organization before it is stored.
func (o *Organization) Validate() error {
	if err := validName("name", o.Name); err != nil {
		return err
	}
	if o.Country != "" && !isCountry(o.Country) {
		return Invalid("country", "country must be an ISO 3166-1 two-letter code such as GB.")
	}
	if o.Region != "" {
		code, ok := strings.CutPrefix(o.Region, o.Country+"-")
		if o.Country == "" || !ok || len(code) < 1 || len(code) > 3 || !isAlnumUpper(code) {
			return Invalid("region", "region must be an ISO 3166-2 code of the country, such as GB-SCT.")
		}
	}
	return o.Settings.Validate()
}

// Validate checks organization settings.
func (s *OrganizationSettings) Validate() error {
	if s.DefaultLanguage != "" && !ValidLanguage(s.DefaultLanguage) {
		return Invalid("settings.default_language", "default_language must be a language tag such as en or pt-BR.")
	}
	if len(s.DirectoryOrgID) > 200 {
		return Invalid("settings.directory_org_id", "directory_org_id is at most 200 characters.")
	}
	seen := map[string]bool{}
	for i, e := range s.LegalExceptions {
		field := fmt.Sprintf("settings.legal_exceptions[%d]", i)
		switch {
		case e.ID == "" || len(e.ID) > 64 || seen[e.ID]:
			return Invalid(field, "Each legal exception needs its own short id.")
		case !slices.Contains(ExceptionKinds, e.Kind):
			return Invalid(field, "The kind must be court_order, child_protection, danger_to_life or other_statutory.")
		case strings.TrimSpace(e.Label) == "" || utf8.RuneCountInString(e.Label) > 200:
			return Invalid(field, "Describe the exception in at most 200 characters.")
		case strings.TrimSpace(e.Citation) == "" || utf8.RuneCountInString(e.Citation) > 300:
			return Invalid(field, "Cite the law or order the exception rests on (at most 300 characters).")
		}
		seen[e.ID] = true
	}
	return validJurisdictions("settings.jurisdictions", s.Jurisdictions)
}

// OrganizationFilter selects organizations. Listing organizations shows
// their names, never their records; only system administrators reach it.
type OrganizationFilter struct {
	Page
}

// OrganizationUpdate holds the fields to change; nil means unchanged.
type OrganizationUpdate struct {
	Name     *string
	Country  *string
	Region   *string
	Settings *OrganizationSettings
}

// OrganizationStore stores organizations.
type OrganizationStore interface {
	// FindOrganizationByID returns KindNotFound if there is no such
	// organization.
	FindOrganizationByID(ctx context.Context, id string) (*Organization, error)
	// FindOrganizations returns a page of organizations, newest first, and
	// the cursor of the next page ("" on the last page).
	FindOrganizations(ctx context.Context, f OrganizationFilter) ([]*Organization, string, error)
	// CreateOrganization stores o, filling in ID (when empty) and times.
	// Returns KindInvalid or KindConflict (name taken).
	CreateOrganization(ctx context.Context, o *Organization) error
	// UpdateOrganization returns KindNotFound, KindInvalid or KindConflict.
	UpdateOrganization(ctx context.Context, id string, upd OrganizationUpdate) (*Organization, error)
}

// Team is a group of users inside an organization. Team scope lets a
// supervisor see their team's cases and no others.
type Team struct {
	ID        string
	OrgID     string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a team before it is stored.
func (t *Team) Validate() error {
	if t.OrgID == "" {
		return Invalid("org_id", "org_id is required.")
	}
	return validName("name", t.Name)
}

// TeamFilter selects teams of one organization.
type TeamFilter struct {
	OrgID string // required
	Page
}

// TeamUpdate holds the fields to change; nil means unchanged.
type TeamUpdate struct {
	Name *string
}

// TeamStore stores teams.
type TeamStore interface {
	// FindTeamByID returns KindNotFound unless the team exists in orgID.
	FindTeamByID(ctx context.Context, orgID, id string) (*Team, error)
	FindTeams(ctx context.Context, f TeamFilter) ([]*Team, string, error)
	// CreateTeam returns KindConflict if the organization has a team of
	// that name.
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, orgID, id string, upd TeamUpdate) (*Team, error)
}

// validName checks a short display name.
func validName(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return Invalid(field, "%s is required.", field)
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 || strings.ContainsAny(s, "\x00\r\n") {
		return Invalid(field, "%s must be one line of at most 200 characters.", field)
	}
	return nil
}

func isCountry(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}

func isAlnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// ValidLanguage reports whether s looks like a BCP 47 language tag. The
// check is shallow on purpose: the content layer decides which languages
// exist.
func ValidLanguage(s string) bool {
	if len(s) < 2 || len(s) > 35 {
		return false
	}
	for part := range strings.SplitSeq(s, "-") {
		if len(part) < 1 || len(part) > 8 {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

// validContentID reports whether s looks like an ID from the content files
// (instruments, jurisdictions): short, ASCII, no spaces.
func validContentID(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func validJurisdictions(field string, js []string) error {
	if len(js) > 50 {
		return Invalid(field, "%s lists too many jurisdictions.", field)
	}
	seen := make(map[string]bool, len(js))
	for _, j := range js {
		if !validContentID(j) {
			return Invalid(field, "%s holds an invalid jurisdiction ID.", field)
		}
		if seen[j] {
			return Invalid(field, "%s lists %s twice.", field, j)
		}
		seen[j] = true
	}
	return nil
}
