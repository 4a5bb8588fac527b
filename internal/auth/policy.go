package auth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/discern-org/discern/internal/discern"
)

// Action is something a request does. Every route maps to exactly one
// action, and Decide has a rule for every action (a test enforces it), so a
// new route cannot go live without a policy.
type Action string

// The actions, by resource. "read" covers both one record and lists.
const (
	PeopleRead   Action = "people.read"
	PeopleCreate Action = "people.create"
	PeopleUpdate Action = "people.update"
	// PeopleErase destroys a person's data key (crypto-shredding); it
	// cannot be undone.
	PeopleErase Action = "people.erase"

	EncountersRead   Action = "encounters.read"
	EncountersCreate Action = "encounters.create"
	EncountersUpdate Action = "encounters.update"

	ScreeningsRead   Action = "screenings.read"
	ScreeningsCreate Action = "screenings.create" // evaluates with the engine and stores
	ScreeningsUpdate Action = "screenings.update" // amends answers or re-evaluates

	NotesRead   Action = "notes.read"
	NotesCreate Action = "notes.create"
	NotesUpdate Action = "notes.update"

	TasksRead   Action = "tasks.read"
	TasksCreate Action = "tasks.create"
	TasksUpdate Action = "tasks.update"

	// AssessRun evaluates answers with the engine and stores nothing.
	AssessRun Action = "assess.run"

	UsersRead   Action = "users.read"
	UsersManage Action = "users.manage" // create, change role, disable, reset second factor

	OrgsRead   Action = "orgs.read"
	OrgsManage Action = "orgs.manage" // the organization's own settings; new organizations are made with the CLI

	// AuditRead shows a record's "who accessed it" history.
	AuditRead Action = "audit.read"
	// StatsRead shows de-identified aggregates (small cells suppressed).
	StatsRead Action = "stats.read"

	TokensRead   Action = "tokens.read"
	TokensCreate Action = "tokens.create"
	TokensRevoke Action = "tokens.revoke"

	SessionsRead   Action = "sessions.read"
	SessionsRevoke Action = "sessions.revoke" // including "sign out everywhere"
	// SignOut ends the session that makes the request, and nothing else.
	SignOut Action = "session.sign_out"

	// AccountManage is a user changing their own password or removing an
	// optional second factor.
	AccountManage Action = "account.manage"
	// MFAEnroll is a user setting up their second factor and recovery
	// codes. Before the first factor is set up it is the one thing an
	// administrator can do (see Principal.MFAEnrolled).
	MFAEnroll Action = "mfa.enroll"

	// ConsentsRead shows a person's consent records; ConsentsManage records,
	// changes and revokes them.
	ConsentsRead   Action = "consents.read"
	ConsentsManage Action = "consents.manage"
	// ReferralsRead, ReferralsCreate and ReferralsUpdate are the sending
	// organization's side of a referral (update: cancel, record the
	// person's withdrawal, record an outside recipient's answer).
	ReferralsRead   Action = "referrals.read"
	ReferralsCreate Action = "referrals.create"
	ReferralsUpdate Action = "referrals.update"
	// ReferralsReceive is the receiving organization's side: its inbox,
	// reading a referral's packet (as far as consent allows) and answering.
	ReferralsReceive Action = "referrals.receive"
	// DisclosuresException discloses without consent under a legal
	// exception the organization's administrators configured (a court
	// order, mandatory child-protection reporting), with a written reason.
	DisclosuresException Action = "disclosures.exception"
	// PeopleExport exports a person's records to a recipient, and
	// DocumentsCreate produces a document (summary, letter) for one; both
	// only as far as the person's consent allows.
	PeopleExport    Action = "people.export"
	DocumentsCreate Action = "documents.create"
	// Plans track a protection pathway from a screening result: status,
	// checklist and clocks. A plan carries its pathway's data class.
	PlansRead   Action = "plans.read"
	PlansCreate Action = "plans.create"
	PlansUpdate Action = "plans.update"
	// ContactRead and ContactUpdate are a person's contact-safety rules
	// (class contact).
	ContactRead   Action = "contact.read"
	ContactUpdate Action = "contact.update"
	// NotificationsRead lists reminders for the caller or about a person,
	// and dismisses them.
	NotificationsRead Action = "notifications.read"
	// DirectoryRead reads the service directory (HSDS) and matches
	// services to needs. The directory is shared by every organization and
	// holds no personal data, but some of its services (confidential
	// shelters) must not be public.
	DirectoryRead Action = "directory.read"
)

// Actions lists every action.
var Actions = []Action{
	PeopleRead, PeopleCreate, PeopleUpdate, PeopleErase,
	EncountersRead, EncountersCreate, EncountersUpdate,
	ScreeningsRead, ScreeningsCreate, ScreeningsUpdate,
	NotesRead, NotesCreate, NotesUpdate,
	TasksRead, TasksCreate, TasksUpdate,
	AssessRun,
	UsersRead, UsersManage,
	OrgsRead, OrgsManage,
	AuditRead, StatsRead,
	TokensRead, TokensCreate, TokensRevoke,
	SessionsRead, SessionsRevoke, SignOut,
	AccountManage, MFAEnroll,
	ConsentsRead, ConsentsManage,
	ReferralsRead, ReferralsCreate, ReferralsUpdate, ReferralsReceive,
	DisclosuresException, PeopleExport, DocumentsCreate,
	PlansRead, PlansCreate, PlansUpdate, ContactRead, ContactUpdate, NotificationsRead,
	DirectoryRead,
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// ClassSet is a set of data classes, as a bit set so that Decide does not
// allocate.
type ClassSet uint8

// classBit maps each class to its bit, in the order of discern.DataClasses.
func classBit(c discern.DataClass) ClassSet {
	for i, x := range discern.DataClasses {
		if c == x {
			return 1 << i
		}
	}
	return 0
}

// Classes returns the set of cs. Unknown classes are left out, so data of
// an unknown class is never shown as if it were allowed.
func Classes(cs ...discern.DataClass) ClassSet {
	var s ClassSet
	for _, c := range cs {
		s |= classBit(c)
	}
	return s
}

// AllClasses is the set of every data class.
var AllClasses = Classes(discern.DataClasses...)

// Has reports whether c is in s.
func (s ClassSet) Has(c discern.DataClass) bool {
	b := classBit(c)
	return b != 0 && s&b != 0
}

// List returns the classes in s in the order of discern.DataClasses.
func (s ClassSet) List() []discern.DataClass {
	var out []discern.DataClass
	for _, c := range discern.DataClasses {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// String lists the classes, comma-separated.
func (s ClassSet) String() string {
	parts := make([]string, 0, 7)
	for _, c := range s.List() {
		parts = append(parts, string(c))
	}
	return strings.Join(parts, ",")
}

// Principal is who is asking: a signed-in user, or an API token acting for
// its owner.
type Principal struct {
	UserID  string
	OrgID   string
	TeamIDs []string
	// Role is the user's current role (for a token: the owner's current
	// role, loaded per request, so demoting a user also narrows their
	// tokens).
	Role discern.Role
	// MFAEnrolled is true when the user has a second factor set up. A
	// principal who has one must present it, whatever the role; a role for
	// which MFARequired holds must have one.
	MFAEnrolled bool
	// MFAVerified is true when the session presented the second factor.
	// For an API token set it to true: tokens can only be created from a
	// verified session or by the operator's CLI.
	MFAVerified bool
	// ViaToken marks a request authenticated by an API token; TokenScopes
	// then limit it further.
	ViaToken    bool
	TokenScopes []TokenScope
}

// Resource is what the request touches.
type Resource struct {
	OrgID string // required: the organization the record (or list, or setting) belongs to
	// OwnerID is the user responsible: the assigned caseworker for a person
	// and everything in their case (encounters, screenings, notes, tasks),
	// the assignee for a task, the user themself for users, sessions and
	// tokens. For a create, the user the new record will belong to.
	OwnerID string
	TeamID  string   // the team the record belongs to; 0 for none
	Classes ClassSet // the data classes the response would contain (or the request would write)
	// List marks a request for many records (a list or search) rather than
	// one. Decide then answers with the widest scope the caller must filter
	// by; the caller decides each returned record again to redact it.
	List bool
}

// Reason is why Decide decided as it did, for logs, metrics and tests.
type Reason string

// The reasons.
const (
	ReasonGranted           Reason = "granted"
	ReasonUnknownAction     Reason = "unknown_action"
	ReasonInvalidPrincipal  Reason = "invalid_principal"
	ReasonInvalidResource   Reason = "invalid_resource"
	ReasonOtherOrganization Reason = "other_organization"
	ReasonMFARequired       Reason = "mfa_required"
	ReasonNotForTokens      Reason = "not_for_tokens"
	ReasonTokenScope        Reason = "token_scope"
	ReasonNoGrant           Reason = "no_grant"     // the role may never do this
	ReasonOutOfScope        Reason = "out_of_scope" // the role may, but not for this record
)

// Decision is the answer to one request.
type Decision struct {
	Allowed bool
	// Scope is the grant that allowed it: for one record the narrowest
	// that covers it, for a list the widest, which the caller filters by.
	Scope discern.Scope
	// Classes are the data classes of the resource the principal may see
	// (or write). The caller removes everything else from the response.
	Classes ClassSet
	Reason  Reason
	// TokenScope is the API token scope the action needs; set when the
	// decision was about a token.
	TokenScope TokenScope
}

// Err returns nil when allowed. Otherwise it returns an error whose
// message may be shown: a record outside the principal's reach is "not
// found", so that probing identifiers does not reveal what exists.
func (d Decision) Err(r Resource) error {
	switch {
	case d.Allowed:
		return nil
	case (d.Reason == ReasonOtherOrganization || d.Reason == ReasonOutOfScope) && !r.List:
		return discern.Errorf(discern.KindNotFound, "No such record.")
	case d.Reason == ReasonMFARequired:
		return discern.Errorf(discern.KindForbidden, "Please confirm your sign-in with your second factor first.")
	case d.Reason == ReasonNotForTokens:
		return discern.Errorf(discern.KindForbidden, "This can only be done when signed in, not with an API token.")
	case d.Reason == ReasonTokenScope:
		return discern.Errorf(discern.KindForbidden, "This API token does not have the scope %q.", d.TokenScope)
	case d.Reason == ReasonUnknownAction || d.Reason == ReasonInvalidPrincipal || d.Reason == ReasonInvalidResource:
		// A route without a policy or a request built wrongly: our bug,
		// still denied, and logged rather than blamed on the user's role.
		return &discern.Error{Kind: discern.KindInternal, Err: fmt.Errorf("auth: access denied: %s", d.Reason)}
	default:
		return discern.Errorf(discern.KindForbidden, "Your role does not allow this.")
	}
}

// Decide is Discern's one access-control decision: every request goes
// through it, and anything it does not explicitly allow is denied.
//
// In order: the action must have a rule; the principal and the resource
// must be well-formed; no request reaches another organization (consent-
// based sharing comes with referrals and will be decided here too); a role
// that needs a second factor must have presented it; an API token needs the
// action's token scope and can never exceed its owner's role; finally the
// role's grants for the action (see policyTable) must cover the record, and
// they say which data classes of it may be seen.
func Decide(p Principal, a Action, r Resource) Decision {
	rule, ok := policyTable[a]
	if !ok {
		return Decision{Reason: ReasonUnknownAction}
	}
	if p.UserID == "" || p.OrgID == "" || !p.Role.Valid() {
		return Decision{Reason: ReasonInvalidPrincipal}
	}
	if r.OrgID == "" {
		return Decision{Reason: ReasonInvalidResource}
	}
	if r.OrgID != p.OrgID {
		return Decision{Reason: ReasonOtherOrganization}
	}
	if (MFARequired(p.Role) || p.MFAEnrolled) && !p.MFAVerified {
		// Half signed in: only signing out, and setting up a first second
		// factor. Changing a factor that exists needs that factor, or a
		// stolen password would be enough to replace it.
		if !(rule.mfa == mfaSignOut || (rule.mfa == mfaEnroll && !p.MFAEnrolled)) {
			return Decision{Reason: ReasonMFARequired}
		}
	}
	if p.ViaToken {
		if rule.token == "" {
			return Decision{Reason: ReasonNotForTokens}
		}
		if !slices.Contains(p.TokenScopes, rule.token) {
			return Decision{Reason: ReasonTokenScope, TokenScope: rule.token}
		}
	}
	grants := rule.grants[p.Role]
	if len(grants) == 0 {
		return Decision{Reason: ReasonNoGrant, TokenScope: tokenScopeIf(p, rule)}
	}
	d := Decision{Reason: ReasonGranted, TokenScope: tokenScopeIf(p, rule)}
	for _, g := range grants {
		if !r.List && !covers(p, r, g.scope) {
			continue
		}
		if !d.Allowed || (r.List && wider(g.scope, d.Scope)) || (!r.List && wider(d.Scope, g.scope)) {
			d.Scope = g.scope
		}
		d.Allowed = true
		d.Classes |= g.classes
	}
	if !d.Allowed {
		return Decision{Reason: ReasonOutOfScope, TokenScope: d.TokenScope}
	}
	d.Classes &= r.Classes
	return d
}

func tokenScopeIf(p Principal, r rule) TokenScope {
	if p.ViaToken {
		return r.token
	}
	return ""
}

// covers reports whether a grant of scope s reaches record r. The
// organization has already been checked.
func covers(p Principal, r Resource, s discern.Scope) bool {
	switch s {
	case discern.ScopeOrganization:
		return true
	case discern.ScopeTeam:
		return r.OwnerID == p.UserID || (r.TeamID != "" && slices.Contains(p.TeamIDs, r.TeamID))
	case discern.ScopeOwn:
		return r.OwnerID == p.UserID
	}
	return false
}

func scopeRank(s discern.Scope) int {
	switch s {
	case discern.ScopeOwn:
		return 1
	case discern.ScopeTeam:
		return 2
	case discern.ScopeOrganization:
		return 3
	}
	return 0
}

func wider(a, b discern.Scope) bool { return scopeRank(a) > scopeRank(b) }

// TokenScopesFor returns the API token scopes that can do anything for a
// user of role; asking for any other scope when creating a token is an
// error, since it could never be used.
func TokenScopesFor(role discern.Role) []TokenScope {
	var out []TokenScope
	for _, s := range TokenScopes {
		for _, a := range Actions {
			if r := policyTable[a]; r.token == s && len(r.grants[role]) > 0 {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
