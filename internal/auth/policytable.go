package auth

import "github.com/discern-org/discern/internal/discern"

// This file is the access-control policy: which role may do which action,
// how far (own / team / organization) and which data classes it may see.
// Anything not listed is denied. Review it together with
// TestDecideMatrix, which spells out every cell.
//
// The choices, least privilege first:
//
//   - administrator: runs the organization (users, settings, tokens and
//     sessions of anyone, the audit history) at organization scope. Of case
//     data it sees only the case class (case codes, screening results,
//     tasks) — enough to oversee the work, find a case for an erasure
//     request and erase it — and never identity, contact, narrative,
//     health, immigration or criminal-justice data. An administrator who
//     also works cases needs a second account with a case role. It does not
//     run assessments, create or change case records, or read notes.
//   - supervisor: oversees the cases of their teams (team scope, which
//     includes their own), with every data class; may erase within their
//     teams; reads statistics for the organization. An organization that
//     wants a supervisor to see everything puts them in every team, so team
//     membership stays the one knob.
//   - caseworker: every class for the cases assigned to them. For other
//     cases of their teams they see the case class and identity (to
//     recognize someone a colleague works with, and to cover for them), and
//     may add encounters, screenings, notes and tasks (covering a night
//     shift), without reading the sensitive classes of those cases back.
//     They may not erase: it cannot be undone, so it is left to
//     supervisors and administrators.
//   - screener: only the people, encounters, screenings and tasks they
//     recorded or are assigned, with the case class and identity; runs
//     assessments.
//   - analyst: no person-level record at all; statistics only.
//
// Everyone may read their organization's basic settings and the user list
// their role needs, manage their own account, sessions and API tokens.
// API tokens reach only what has a token scope: tokens, sessions and
// accounts are managed while signed in.

// grant is one line of the policy: a scope and the data classes visible
// within it.
type grant struct {
	scope   discern.Scope
	classes ClassSet
}

// rule is the policy for one action.
type rule struct {
	token  TokenScope // the scope an API token needs; "" when tokens may not do this
	mfa    mfaRule    // what a principal who still owes a second factor may do
	grants map[discern.Role][]grant
}

// mfaRule marks the few actions allowed before the second factor.
type mfaRule int

const (
	mfaFirst   mfaRule = iota // the default: present the second factor first
	mfaSignOut                // allowed: ending one's own session
	mfaEnroll                 // allowed only while no second factor exists
)

// Short names that keep the table readable.
const (
	admin      = discern.RoleAdministrator
	supervisor = discern.RoleSupervisor
	caseworker = discern.RoleCaseworker
	screener   = discern.RoleScreener
	analyst    = discern.RoleAnalyst
)

var (
	none      ClassSet // the action shows no personal data of people
	caseOnly  = Classes(discern.ClassCase)
	caseAndID = Classes(discern.ClassCase, discern.ClassIdentity)
	all       = AllClasses
	ownForAll = forRoles(discern.Roles, own(none))
	orgForAll = forRoles(discern.Roles, org(none))
)

// adminAndOwn grants everyone their own, and administrators the whole
// organization's.
func adminAndOwn() map[discern.Role][]grant {
	m := forRoles(discern.Roles, own(none))
	m[admin] = []grant{org(none)}
	return m
}

func own(c ClassSet) grant  { return grant{discern.ScopeOwn, c} }
func team(c ClassSet) grant { return grant{discern.ScopeTeam, c} }
func org(c ClassSet) grant  { return grant{discern.ScopeOrganization, c} }

func forRoles(roles []discern.Role, g grant) map[discern.Role][]grant {
	m := make(map[discern.Role][]grant, len(roles))
	for _, r := range roles {
		m[r] = []grant{g}
	}
	return m
}

type roles = map[discern.Role][]grant

var policyTable = map[Action]rule{
	// People (the person record; identifying fields are optional).
	PeopleRead: {token: TokenPeopleRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
		screener:   {own(caseAndID)},
	}},
	PeopleCreate: {token: TokenPeopleWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
		screener:   {own(caseAndID)},
	}},
	PeopleUpdate: {token: TokenPeopleWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	PeopleErase: {token: TokenPeopleErase, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
	}},

	// Encounters (where and how someone was met).
	EncountersRead: {token: TokenEncountersRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
		screener:   {own(caseAndID)},
	}},
	EncountersCreate: {token: TokenEncountersWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {team(all)},
		screener:   {own(caseAndID)},
	}},
	EncountersUpdate: {token: TokenEncountersWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},

	// Screenings (answers with provenance and the engine's result).
	ScreeningsRead: {token: TokenScreeningsRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
		screener:   {own(caseAndID)},
	}},
	ScreeningsCreate: {token: TokenScreeningsWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {team(all)},
		screener:   {own(caseAndID)},
	}},
	ScreeningsUpdate: {token: TokenScreeningsWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
		screener:   {own(caseAndID)},
	}},

	// Notes (free text: narrative).
	NotesRead: {token: TokenNotesRead, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
	}},
	NotesCreate: {token: TokenNotesWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {team(all)},
	}},
	NotesUpdate: {token: TokenNotesWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},

	// Tasks (follow-ups; OwnerID is the assignee).
	TasksRead: {token: TokenTasksRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
		screener:   {own(caseAndID)},
	}},
	TasksCreate: {token: TokenTasksWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {team(all)},
		screener:   {own(caseAndID)},
	}},
	TasksUpdate: {token: TokenTasksWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {team(all)},
		screener:   {own(caseAndID)},
	}},

	// Assess: evaluate without storing. For the people who screen.
	AssessRun: {token: TokenAssess, grants: roles{
		supervisor: {org(caseOnly)},
		caseworker: {org(caseOnly)},
		screener:   {org(caseOnly)},
	}},

	// Users of the organization (staff, not people supported).
	UsersRead: {token: TokenUsersRead, grants: roles{
		admin:      {org(none)},
		supervisor: {org(none)},
		caseworker: {org(none)},
		screener:   {own(none)},
		analyst:    {own(none)},
	}},
	UsersManage: {token: TokenUsersWrite, grants: roles{
		admin: {org(none)},
	}},

	// The organization's own settings.
	OrgsRead:   {token: TokenOrgsRead, grants: orgForAll},
	OrgsManage: {token: TokenOrgsWrite, grants: roles{admin: {org(none)}}},

	// Who accessed a record. OwnerID and TeamID are those of the record.
	AuditRead: {token: TokenAuditRead, grants: roles{
		admin:      {org(none)},
		supervisor: {team(none)},
		caseworker: {own(none)},
	}},

	// De-identified statistics.
	StatsRead: {token: TokenStatsRead, grants: roles{
		admin:      {org(none)},
		supervisor: {org(none)},
		analyst:    {org(none)},
	}},

	// API tokens: anyone for themselves; administrators list and revoke
	// anyone's (incident response). Never with a token.
	TokensRead:   {grants: adminAndOwn()},
	TokensCreate: {grants: ownForAll},
	TokensRevoke: {grants: adminAndOwn()},

	// Sessions: as tokens. Signing out of the current session is allowed
	// half signed in; listing or ending other sessions is not, so that a
	// stolen password alone cannot even sign the real user out.
	SessionsRead:   {grants: adminAndOwn()},
	SessionsRevoke: {grants: adminAndOwn()},
	SignOut:        {mfa: mfaSignOut, grants: ownForAll},

	// One's own account. Setting up a first second factor is allowed half
	// signed in, so that a new administrator can get started.
	AccountManage: {grants: ownForAll},
	MFAEnroll:     {mfa: mfaEnroll, grants: ownForAll},

	// Consent records hold no personal data beyond the case class (who may
	// receive what, for what): those who work a case record them; an
	// administrator may read them for oversight.
	ConsentsRead: {token: TokenConsentsRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
		screener:   {own(caseAndID)},
	}},
	ConsentsManage: {token: TokenConsentsWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},

	// Referrals, sending side. The classes are those of the packet; the
	// person's consent narrows them further.
	ReferralsRead: {token: TokenReferralsRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
	}},
	ReferralsCreate: {token: TokenReferralsWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	ReferralsUpdate: {token: TokenReferralsWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	// Referrals, receiving side: the intake staff of the receiving
	// organization see its inbox; what a referral shows is limited by the
	// person's consent at the moment of reading.
	ReferralsReceive: {token: TokenReferralsWrite, grants: roles{
		supervisor: {org(all)},
		caseworker: {org(all)},
	}},
	// Disclosure under a legal exception: supervisors only, never with a
	// token, always with a written reason (checked by the service).
	DisclosuresException: {grants: roles{
		supervisor: {team(all)},
	}},
	// Exports and documents for a recipient: signed in only.
	PeopleExport: {grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	DocumentsCreate: {grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	// Plans (pathway tracking). A plan is of the immigration,
	// criminal_justice or case class; a role that cannot see its class
	// (an administrator, a caseworker on a colleague's case) sees only that
	// a plan exists. Screeners and analysts have none.
	PlansRead: {token: TokenPlansRead, grants: roles{
		admin:      {org(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
	}},
	PlansCreate: {token: TokenPlansWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	PlansUpdate: {token: TokenPlansWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},

	// Contact safety: who may reach the person, how and when. Only the
	// people who work the case.
	ContactRead: {token: TokenContactRead, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},
	ContactUpdate: {token: TokenContactWrite, grants: roles{
		supervisor: {team(all)},
		caseworker: {own(all)},
	}},

	// Reminders: each is shown only to its worker (or, on a person's
	// page, to who may read the person's plans), redacted to the classes
	// the reader may see.
	NotificationsRead: {token: TokenPlansRead, grants: roles{
		admin:      {own(caseOnly)},
		supervisor: {team(all)},
		caseworker: {own(all), team(caseAndID)},
		screener:   {own(caseAndID)},
	}},
	// The service directory: shared by every organization, no personal
	// data; every signed-in role reads it (and integrators with a token).
	DirectoryRead: {token: TokenDirectoryRead, grants: orgForAll},
}
