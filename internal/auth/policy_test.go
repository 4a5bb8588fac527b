package auth

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// The principal of the matrix test: user 10 of organization 1, in team
// 100, second factor presented.
func matrixPrincipal(role discern.Role) Principal {
	return Principal{UserID: "u10", OrgID: "o1", TeamIDs: []string{"t100"}, Role: role, MFAEnrolled: true, MFAVerified: true}
}

// The four records of the matrix test, all holding every data class.
var (
	ownRecord      = Resource{OrgID: "o1", OwnerID: "u10", TeamID: "", Classes: AllClasses}
	teamRecord     = Resource{OrgID: "o1", OwnerID: "u11", TeamID: "t100", Classes: AllClasses}
	otherRecord    = Resource{OrgID: "o1", OwnerID: "u12", TeamID: "t200", Classes: AllClasses}
	otherOrgRecord = Resource{OrgID: "o2", OwnerID: "u13", TeamID: "t100", Classes: AllClasses}
)

// classLetters spells data classes in the matrix: c case, i identity,
// k contact, n narrative, h health, m immigration, j criminal justice.
var classLetters = map[discern.DataClass]string{
	discern.ClassCase: "c", discern.ClassIdentity: "i", discern.ClassContact: "k", discern.ClassNarrative: "n",
	discern.ClassHealth: "h", discern.ClassImmigration: "m", discern.ClassCriminalJustice: "j",
}

// cell renders a decision as the matrix writes it: "-" denied, else
// "<scope>:<classes>", where classes is "all", "+" for none, or letters.
func cell(d Decision) string {
	if !d.Allowed {
		return "-"
	}
	scope := map[discern.Scope]string{discern.ScopeOwn: "own", discern.ScopeTeam: "team", discern.ScopeOrganization: "org"}[d.Scope]
	switch d.Classes {
	case AllClasses:
		return scope + ":all"
	case 0:
		return scope + ":+"
	}
	var b strings.Builder
	for _, c := range d.Classes.List() {
		b.WriteString(classLetters[c])
	}
	return scope + ":" + b.String()
}

// policyMatrix is the policy written out cell by cell: for each action and
// role, what Decide answers for the principal's own record, a record of
// their team, another user's record of another team, and a record of
// another organization. It repeats policyTable on purpose: a change to the
// table must be made twice, and reviewed as a change of behaviour.
var policyMatrix = []struct {
	action                     Action
	role                       discern.Role
	own, team, other, otherOrg string
}{
	{PeopleRead, admin, "org:c", "org:c", "org:c", "-"},
	{PeopleRead, supervisor, "team:all", "team:all", "-", "-"},
	{PeopleRead, caseworker, "own:all", "team:ci", "-", "-"},
	{PeopleRead, screener, "own:ci", "-", "-", "-"},
	{PeopleRead, analyst, "-", "-", "-", "-"},

	{PeopleCreate, admin, "-", "-", "-", "-"},
	{PeopleCreate, supervisor, "team:all", "team:all", "-", "-"},
	{PeopleCreate, caseworker, "own:all", "-", "-", "-"},
	{PeopleCreate, screener, "own:ci", "-", "-", "-"},
	{PeopleCreate, analyst, "-", "-", "-", "-"},

	{PeopleUpdate, admin, "-", "-", "-", "-"},
	{PeopleUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{PeopleUpdate, caseworker, "own:all", "-", "-", "-"},
	{PeopleUpdate, screener, "-", "-", "-", "-"},
	{PeopleUpdate, analyst, "-", "-", "-", "-"},

	{PeopleErase, admin, "org:c", "org:c", "org:c", "-"},
	{PeopleErase, supervisor, "team:all", "team:all", "-", "-"},
	{PeopleErase, caseworker, "-", "-", "-", "-"},
	{PeopleErase, screener, "-", "-", "-", "-"},
	{PeopleErase, analyst, "-", "-", "-", "-"},

	{EncountersRead, admin, "org:c", "org:c", "org:c", "-"},
	{EncountersRead, supervisor, "team:all", "team:all", "-", "-"},
	{EncountersRead, caseworker, "own:all", "team:ci", "-", "-"},
	{EncountersRead, screener, "own:ci", "-", "-", "-"},
	{EncountersRead, analyst, "-", "-", "-", "-"},

	{EncountersCreate, admin, "-", "-", "-", "-"},
	{EncountersCreate, supervisor, "team:all", "team:all", "-", "-"},
	{EncountersCreate, caseworker, "team:all", "team:all", "-", "-"},
	{EncountersCreate, screener, "own:ci", "-", "-", "-"},
	{EncountersCreate, analyst, "-", "-", "-", "-"},

	{EncountersUpdate, admin, "-", "-", "-", "-"},
	{EncountersUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{EncountersUpdate, caseworker, "own:all", "-", "-", "-"},
	{EncountersUpdate, screener, "-", "-", "-", "-"},
	{EncountersUpdate, analyst, "-", "-", "-", "-"},

	{ScreeningsRead, admin, "org:c", "org:c", "org:c", "-"},
	{ScreeningsRead, supervisor, "team:all", "team:all", "-", "-"},
	{ScreeningsRead, caseworker, "own:all", "team:ci", "-", "-"},
	{ScreeningsRead, screener, "own:ci", "-", "-", "-"},
	{ScreeningsRead, analyst, "-", "-", "-", "-"},

	{ScreeningsCreate, admin, "-", "-", "-", "-"},
	{ScreeningsCreate, supervisor, "team:all", "team:all", "-", "-"},
	{ScreeningsCreate, caseworker, "team:all", "team:all", "-", "-"},
	{ScreeningsCreate, screener, "own:ci", "-", "-", "-"},
	{ScreeningsCreate, analyst, "-", "-", "-", "-"},

	{ScreeningsUpdate, admin, "-", "-", "-", "-"},
	{ScreeningsUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{ScreeningsUpdate, caseworker, "own:all", "-", "-", "-"},
	{ScreeningsUpdate, screener, "own:ci", "-", "-", "-"},
	{ScreeningsUpdate, analyst, "-", "-", "-", "-"},

	{NotesRead, admin, "-", "-", "-", "-"},
	{NotesRead, supervisor, "team:all", "team:all", "-", "-"},
	{NotesRead, caseworker, "own:all", "team:ci", "-", "-"},
	{NotesRead, screener, "-", "-", "-", "-"},
	{NotesRead, analyst, "-", "-", "-", "-"},

	{NotesCreate, admin, "-", "-", "-", "-"},
	{NotesCreate, supervisor, "team:all", "team:all", "-", "-"},
	{NotesCreate, caseworker, "team:all", "team:all", "-", "-"},
	{NotesCreate, screener, "-", "-", "-", "-"},
	{NotesCreate, analyst, "-", "-", "-", "-"},

	{NotesUpdate, admin, "-", "-", "-", "-"},
	{NotesUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{NotesUpdate, caseworker, "own:all", "-", "-", "-"},
	{NotesUpdate, screener, "-", "-", "-", "-"},
	{NotesUpdate, analyst, "-", "-", "-", "-"},

	{TasksRead, admin, "org:c", "org:c", "org:c", "-"},
	{TasksRead, supervisor, "team:all", "team:all", "-", "-"},
	{TasksRead, caseworker, "own:all", "team:ci", "-", "-"},
	{TasksRead, screener, "own:ci", "-", "-", "-"},
	{TasksRead, analyst, "-", "-", "-", "-"},

	{TasksCreate, admin, "-", "-", "-", "-"},
	{TasksCreate, supervisor, "team:all", "team:all", "-", "-"},
	{TasksCreate, caseworker, "team:all", "team:all", "-", "-"},
	{TasksCreate, screener, "own:ci", "-", "-", "-"},
	{TasksCreate, analyst, "-", "-", "-", "-"},

	{TasksUpdate, admin, "-", "-", "-", "-"},
	{TasksUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{TasksUpdate, caseworker, "team:all", "team:all", "-", "-"},
	{TasksUpdate, screener, "own:ci", "-", "-", "-"},
	{TasksUpdate, analyst, "-", "-", "-", "-"},

	{PlansRead, admin, "org:c", "org:c", "org:c", "-"},
	{PlansRead, supervisor, "team:all", "team:all", "-", "-"},
	{PlansRead, caseworker, "own:all", "team:ci", "-", "-"},
	{PlansRead, screener, "-", "-", "-", "-"},
	{PlansRead, analyst, "-", "-", "-", "-"},
	{PlansCreate, admin, "-", "-", "-", "-"},
	{PlansCreate, supervisor, "team:all", "team:all", "-", "-"},
	{PlansCreate, caseworker, "own:all", "-", "-", "-"},
	{PlansCreate, screener, "-", "-", "-", "-"},
	{PlansCreate, analyst, "-", "-", "-", "-"},
	{PlansUpdate, admin, "-", "-", "-", "-"},
	{PlansUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{PlansUpdate, caseworker, "own:all", "-", "-", "-"},
	{PlansUpdate, screener, "-", "-", "-", "-"},
	{PlansUpdate, analyst, "-", "-", "-", "-"},
	{ContactRead, admin, "-", "-", "-", "-"},
	{ContactRead, supervisor, "team:all", "team:all", "-", "-"},
	{ContactRead, caseworker, "own:all", "-", "-", "-"},
	{ContactRead, screener, "-", "-", "-", "-"},
	{ContactRead, analyst, "-", "-", "-", "-"},
	{ContactUpdate, admin, "-", "-", "-", "-"},
	{ContactUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{ContactUpdate, caseworker, "own:all", "-", "-", "-"},
	{ContactUpdate, screener, "-", "-", "-", "-"},
	{ContactUpdate, analyst, "-", "-", "-", "-"},
	{NotificationsRead, admin, "own:c", "-", "-", "-"},
	{NotificationsRead, supervisor, "team:all", "team:all", "-", "-"},
	{NotificationsRead, caseworker, "own:all", "team:ci", "-", "-"},
	{NotificationsRead, screener, "own:ci", "-", "-", "-"},
	{NotificationsRead, analyst, "-", "-", "-", "-"},

	{AssessRun, admin, "-", "-", "-", "-"},
	{AssessRun, supervisor, "org:c", "org:c", "org:c", "-"},
	{AssessRun, caseworker, "org:c", "org:c", "org:c", "-"},
	{AssessRun, screener, "org:c", "org:c", "org:c", "-"},
	{AssessRun, analyst, "-", "-", "-", "-"},

	{UsersRead, admin, "org:+", "org:+", "org:+", "-"},
	{UsersRead, supervisor, "org:+", "org:+", "org:+", "-"},
	{UsersRead, caseworker, "org:+", "org:+", "org:+", "-"},
	{UsersRead, screener, "own:+", "-", "-", "-"},
	{UsersRead, analyst, "own:+", "-", "-", "-"},

	{UsersManage, admin, "org:+", "org:+", "org:+", "-"},
	{UsersManage, supervisor, "-", "-", "-", "-"},
	{UsersManage, caseworker, "-", "-", "-", "-"},
	{UsersManage, screener, "-", "-", "-", "-"},
	{UsersManage, analyst, "-", "-", "-", "-"},

	{OrgsRead, admin, "org:+", "org:+", "org:+", "-"},
	{OrgsRead, supervisor, "org:+", "org:+", "org:+", "-"},
	{OrgsRead, caseworker, "org:+", "org:+", "org:+", "-"},
	{OrgsRead, screener, "org:+", "org:+", "org:+", "-"},
	{OrgsRead, analyst, "org:+", "org:+", "org:+", "-"},

	{OrgsManage, admin, "org:+", "org:+", "org:+", "-"},
	{OrgsManage, supervisor, "-", "-", "-", "-"},
	{OrgsManage, caseworker, "-", "-", "-", "-"},
	{OrgsManage, screener, "-", "-", "-", "-"},
	{OrgsManage, analyst, "-", "-", "-", "-"},

	{AuditRead, admin, "org:+", "org:+", "org:+", "-"},
	{AuditRead, supervisor, "team:+", "team:+", "-", "-"},
	{AuditRead, caseworker, "own:+", "-", "-", "-"},
	{AuditRead, screener, "-", "-", "-", "-"},
	{AuditRead, analyst, "-", "-", "-", "-"},

	{StatsRead, admin, "org:+", "org:+", "org:+", "-"},
	{StatsRead, supervisor, "org:+", "org:+", "org:+", "-"},
	{StatsRead, caseworker, "-", "-", "-", "-"},
	{StatsRead, screener, "-", "-", "-", "-"},
	{StatsRead, analyst, "org:+", "org:+", "org:+", "-"},

	{TokensRead, admin, "org:+", "org:+", "org:+", "-"},
	{TokensRead, supervisor, "own:+", "-", "-", "-"},
	{TokensRead, caseworker, "own:+", "-", "-", "-"},
	{TokensRead, screener, "own:+", "-", "-", "-"},
	{TokensRead, analyst, "own:+", "-", "-", "-"},

	{TokensCreate, admin, "own:+", "-", "-", "-"},
	{TokensCreate, supervisor, "own:+", "-", "-", "-"},
	{TokensCreate, caseworker, "own:+", "-", "-", "-"},
	{TokensCreate, screener, "own:+", "-", "-", "-"},
	{TokensCreate, analyst, "own:+", "-", "-", "-"},

	{TokensRevoke, admin, "org:+", "org:+", "org:+", "-"},
	{TokensRevoke, supervisor, "own:+", "-", "-", "-"},
	{TokensRevoke, caseworker, "own:+", "-", "-", "-"},
	{TokensRevoke, screener, "own:+", "-", "-", "-"},
	{TokensRevoke, analyst, "own:+", "-", "-", "-"},

	{SessionsRead, admin, "org:+", "org:+", "org:+", "-"},
	{SessionsRead, supervisor, "own:+", "-", "-", "-"},
	{SessionsRead, caseworker, "own:+", "-", "-", "-"},
	{SessionsRead, screener, "own:+", "-", "-", "-"},
	{SessionsRead, analyst, "own:+", "-", "-", "-"},

	{SessionsRevoke, admin, "org:+", "org:+", "org:+", "-"},
	{SessionsRevoke, supervisor, "own:+", "-", "-", "-"},
	{SessionsRevoke, caseworker, "own:+", "-", "-", "-"},
	{SessionsRevoke, screener, "own:+", "-", "-", "-"},
	{SessionsRevoke, analyst, "own:+", "-", "-", "-"},

	{SignOut, admin, "own:+", "-", "-", "-"},
	{SignOut, supervisor, "own:+", "-", "-", "-"},
	{SignOut, caseworker, "own:+", "-", "-", "-"},
	{SignOut, screener, "own:+", "-", "-", "-"},
	{SignOut, analyst, "own:+", "-", "-", "-"},

	{AccountManage, admin, "own:+", "-", "-", "-"},
	{AccountManage, supervisor, "own:+", "-", "-", "-"},
	{AccountManage, caseworker, "own:+", "-", "-", "-"},
	{AccountManage, screener, "own:+", "-", "-", "-"},
	{AccountManage, analyst, "own:+", "-", "-", "-"},

	{MFAEnroll, admin, "own:+", "-", "-", "-"},
	{MFAEnroll, supervisor, "own:+", "-", "-", "-"},
	{MFAEnroll, caseworker, "own:+", "-", "-", "-"},
	{MFAEnroll, screener, "own:+", "-", "-", "-"},
	{MFAEnroll, analyst, "own:+", "-", "-", "-"},
	{ConsentsRead, admin, "org:c", "org:c", "org:c", "-"},
	{ConsentsRead, supervisor, "team:all", "team:all", "-", "-"},
	{ConsentsRead, caseworker, "own:all", "team:ci", "-", "-"},
	{ConsentsRead, screener, "own:ci", "-", "-", "-"},
	{ConsentsRead, analyst, "-", "-", "-", "-"},

	{ConsentsManage, admin, "-", "-", "-", "-"},
	{ConsentsManage, supervisor, "team:all", "team:all", "-", "-"},
	{ConsentsManage, caseworker, "own:all", "-", "-", "-"},
	{ConsentsManage, screener, "-", "-", "-", "-"},
	{ConsentsManage, analyst, "-", "-", "-", "-"},

	{ReferralsRead, admin, "org:c", "org:c", "org:c", "-"},
	{ReferralsRead, supervisor, "team:all", "team:all", "-", "-"},
	{ReferralsRead, caseworker, "own:all", "team:ci", "-", "-"},
	{ReferralsRead, screener, "-", "-", "-", "-"},
	{ReferralsRead, analyst, "-", "-", "-", "-"},

	{ReferralsCreate, admin, "-", "-", "-", "-"},
	{ReferralsCreate, supervisor, "team:all", "team:all", "-", "-"},
	{ReferralsCreate, caseworker, "own:all", "-", "-", "-"},
	{ReferralsCreate, screener, "-", "-", "-", "-"},
	{ReferralsCreate, analyst, "-", "-", "-", "-"},

	{ReferralsUpdate, admin, "-", "-", "-", "-"},
	{ReferralsUpdate, supervisor, "team:all", "team:all", "-", "-"},
	{ReferralsUpdate, caseworker, "own:all", "-", "-", "-"},
	{ReferralsUpdate, screener, "-", "-", "-", "-"},
	{ReferralsUpdate, analyst, "-", "-", "-", "-"},

	{ReferralsReceive, admin, "-", "-", "-", "-"},
	{ReferralsReceive, supervisor, "org:all", "org:all", "org:all", "-"},
	{ReferralsReceive, caseworker, "org:all", "org:all", "org:all", "-"},
	{ReferralsReceive, screener, "-", "-", "-", "-"},
	{ReferralsReceive, analyst, "-", "-", "-", "-"},

	{DisclosuresException, admin, "-", "-", "-", "-"},
	{DisclosuresException, supervisor, "team:all", "team:all", "-", "-"},
	{DisclosuresException, caseworker, "-", "-", "-", "-"},
	{DisclosuresException, screener, "-", "-", "-", "-"},
	{DisclosuresException, analyst, "-", "-", "-", "-"},

	{PeopleExport, admin, "-", "-", "-", "-"},
	{PeopleExport, supervisor, "team:all", "team:all", "-", "-"},
	{PeopleExport, caseworker, "own:all", "-", "-", "-"},
	{PeopleExport, screener, "-", "-", "-", "-"},
	{PeopleExport, analyst, "-", "-", "-", "-"},

	{DocumentsCreate, admin, "-", "-", "-", "-"},
	{DocumentsCreate, supervisor, "team:all", "team:all", "-", "-"},
	{DocumentsCreate, caseworker, "own:all", "-", "-", "-"},
	{DocumentsCreate, screener, "-", "-", "-", "-"},
	{DocumentsCreate, analyst, "-", "-", "-", "-"},

	// The service directory is the same for every organization (the
	// "other organization" column is the policy's general rule; the
	// directory's records carry the caller's organization).
	{DirectoryRead, admin, "org:+", "org:+", "org:+", "-"},
	{DirectoryRead, supervisor, "org:+", "org:+", "org:+", "-"},
	{DirectoryRead, caseworker, "org:+", "org:+", "org:+", "-"},
	{DirectoryRead, screener, "org:+", "org:+", "org:+", "-"},
	{DirectoryRead, analyst, "org:+", "org:+", "org:+", "-"},
}

// TestDecideMatrix checks every action × every role × own / team / other
// user / other organization against policyMatrix, and fails for any pair
// the matrix does not spell out.
func TestDecideMatrix(t *testing.T) {
	covered := map[string]bool{}
	for _, row := range policyMatrix {
		key := fmt.Sprintf("%s/%s", row.action, row.role)
		if covered[key] {
			t.Errorf("%s is in the matrix twice", key)
		}
		covered[key] = true
		t.Run(key, func(t *testing.T) {
			p := matrixPrincipal(row.role)
			for _, c := range []struct {
				name string
				r    Resource
				want string
			}{
				{"own", ownRecord, row.own},
				{"team", teamRecord, row.team},
				{"other user", otherRecord, row.other},
				{"other organization", otherOrgRecord, row.otherOrg},
			} {
				d := Decide(p, row.action, c.r)
				if got := cell(d); got != c.want {
					t.Errorf("%s record: got %s (reason %s), want %s", c.name, got, d.Reason, c.want)
				}
				if d.Allowed != (d.Reason == ReasonGranted) {
					t.Errorf("%s record: allowed %v with reason %s", c.name, d.Allowed, d.Reason)
				}
			}
		})
	}
	for _, a := range Actions {
		for _, r := range discern.Roles {
			if !covered[fmt.Sprintf("%s/%s", a, r)] {
				t.Errorf("the matrix has no row for %s/%s", a, r)
			}
		}
	}
}

// TestPolicyTableComplete fails when an action has no rule, so a new
// action (and its route) cannot ship without a policy.
func TestPolicyTableComplete(t *testing.T) {
	seen := map[Action]bool{}
	for _, a := range Actions {
		if seen[a] {
			t.Errorf("action %s is listed twice", a)
		}
		seen[a] = true
		if _, ok := policyTable[a]; !ok {
			t.Errorf("action %s has no rule in policyTable", a)
		}
		if !a.Valid() {
			t.Errorf("action %s is not Valid", a)
		}
	}
	usedScopes := map[TokenScope]bool{}
	for a, r := range policyTable {
		if !seen[a] {
			t.Errorf("policyTable has a rule for %s, which is not in Actions", a)
		}
		if r.token != "" && !r.token.Valid() {
			t.Errorf("%s needs token scope %q, which is not in TokenScopes", a, r.token)
		}
		usedScopes[r.token] = true
		for role, grants := range r.grants {
			if !role.Valid() {
				t.Errorf("%s grants to unknown role %q", a, role)
			}
			for _, g := range grants {
				if scopeRank(g.scope) == 0 {
					t.Errorf("%s/%s has a grant with scope %q", a, role, g.scope)
				}
			}
		}
	}
	for _, s := range TokenScopes {
		if !usedScopes[s] {
			t.Errorf("token scope %s opens no action", s)
		}
	}
	if Action("people.delete").Valid() {
		t.Error("an unknown action is Valid")
	}
}

func TestDecideDefaultDeny(t *testing.T) {
	good := matrixPrincipal(caseworker)
	tests := []struct {
		name string
		p    Principal
		a    Action
		r    Resource
		want Reason
	}{
		{"unknown action", good, "people.delete", ownRecord, ReasonUnknownAction},
		{"empty action", good, "", ownRecord, ReasonUnknownAction},
		{"zero principal", Principal{}, PeopleRead, ownRecord, ReasonInvalidPrincipal},
		{"no user", Principal{OrgID: "o1", Role: caseworker, MFAVerified: true}, PeopleRead, ownRecord, ReasonInvalidPrincipal},
		{"no organization", Principal{UserID: "u10", Role: caseworker}, PeopleRead, Resource{OwnerID: "u10"}, ReasonInvalidPrincipal},
		{"unknown role", Principal{UserID: "u10", OrgID: "o1", Role: "root"}, PeopleRead, ownRecord, ReasonInvalidPrincipal},
		{"resource without organization", good, PeopleRead, Resource{OwnerID: "u10", Classes: AllClasses}, ReasonInvalidResource},
		{"other organization, same owner id", good, PeopleRead, Resource{OrgID: "o2", OwnerID: "u10"}, ReasonOtherOrganization},
		{"other organization, a list", good, PeopleRead, Resource{OrgID: "o2", List: true}, ReasonOtherOrganization},
		{"team record without team", good, PeopleRead, Resource{OrgID: "o1", OwnerID: "u11"}, ReasonOutOfScope},
		{"record of team 0 does not match principal without teams",
			Principal{UserID: "u10", OrgID: "o1", Role: caseworker}, PeopleRead, Resource{OrgID: "o1", OwnerID: "u11"}, ReasonOutOfScope},
		{"no grant", matrixPrincipal(analyst), PeopleRead, ownRecord, ReasonNoGrant},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.p, tc.a, tc.r)
			if d.Allowed || d.Reason != tc.want || d.Classes != 0 {
				t.Fatalf("Decide = %+v, want denied with %s", d, tc.want)
			}
		})
	}
}

func TestDecideSecondFactor(t *testing.T) {
	tests := []struct {
		name               string
		role               discern.Role
		enrolled, verified bool
		action             Action
		want               Reason
	}{
		{"administrator before second factor", admin, true, false, UsersManage, ReasonMFARequired},
		{"administrator before second factor reads people", admin, true, false, PeopleRead, ReasonMFARequired},
		{"administrator before second factor may sign out", admin, true, false, SignOut, ReasonGranted},
		{"administrator before second factor may not end other sessions", admin, true, false, SessionsRevoke, ReasonMFARequired},
		{"administrator before second factor may not change password", admin, true, false, AccountManage, ReasonMFARequired},
		{"administrator without a second factor may set one up", admin, false, false, MFAEnroll, ReasonGranted},
		{"administrator with one may not replace it unverified", admin, true, false, MFAEnroll, ReasonMFARequired},
		{"administrator without a second factor may do nothing else", admin, false, false, OrgsRead, ReasonMFARequired},
		{"administrator verified", admin, true, true, UsersManage, ReasonGranted},
		{"caseworker without a second factor", caseworker, false, false, PeopleRead, ReasonGranted},
		{"caseworker with one, unverified", caseworker, true, false, PeopleRead, ReasonMFARequired},
		{"caseworker with one, verified", caseworker, true, true, PeopleRead, ReasonGranted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Principal{UserID: "u10", OrgID: "o1", Role: tc.role, MFAEnrolled: tc.enrolled, MFAVerified: tc.verified}
			if d := Decide(p, tc.action, ownRecord); d.Reason != tc.want {
				t.Fatalf("Decide = %+v, want reason %s", d, tc.want)
			}
		})
	}
}

func TestDecideToken(t *testing.T) {
	token := func(role discern.Role, scopes ...TokenScope) Principal {
		p := matrixPrincipal(role)
		p.ViaToken, p.TokenScopes = true, scopes
		return p
	}
	tests := []struct {
		name      string
		p         Principal
		a         Action
		r         Resource
		want      string // cell
		reason    Reason
		wantScope TokenScope
	}{
		{"scope allows read", token(caseworker, TokenPeopleRead), PeopleRead, ownRecord, "own:all", ReasonGranted, TokenPeopleRead},
		{"role still limits classes", token(caseworker, TokenPeopleRead), PeopleRead, teamRecord, "team:ci", ReasonGranted, TokenPeopleRead},
		{"role still limits scope", token(caseworker, TokenPeopleRead), PeopleRead, otherRecord, "-", ReasonOutOfScope, TokenPeopleRead},
		{"read scope does not write", token(caseworker, TokenPeopleRead), PeopleUpdate, ownRecord, "-", ReasonTokenScope, TokenPeopleWrite},
		{"write scope does not erase", token(supervisor, TokenPeopleWrite), PeopleErase, ownRecord, "-", ReasonTokenScope, TokenPeopleErase},
		{"administrator token sees case class only", token(admin, TokenPeopleRead), PeopleRead, otherRecord, "org:c", ReasonGranted, TokenPeopleRead},
		{"scope beyond the role", token(analyst, TokenPeopleRead), PeopleRead, ownRecord, "-", ReasonNoGrant, TokenPeopleRead},
		{"no scopes", token(caseworker), PeopleRead, ownRecord, "-", ReasonTokenScope, TokenPeopleRead},
		{"tokens cannot make tokens", token(caseworker, TokenScopes...), TokensCreate, ownRecord, "-", ReasonNotForTokens, ""},
		{"tokens cannot manage sessions", token(admin, TokenScopes...), SessionsRevoke, ownRecord, "-", ReasonNotForTokens, ""},
		{"tokens cannot change the account", token(admin, TokenScopes...), AccountManage, ownRecord, "-", ReasonNotForTokens, ""},
		{"stats token", token(analyst, TokenStatsRead), StatsRead, Resource{OrgID: "o1"}, "org:+", ReasonGranted, TokenStatsRead},
		{"stats token elsewhere", token(analyst, TokenStatsRead), StatsRead, Resource{OrgID: "o2"}, "-", ReasonOtherOrganization, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.p, tc.a, tc.r)
			if cell(d) != tc.want || d.Reason != tc.reason || d.TokenScope != tc.wantScope {
				t.Fatalf("Decide = %s %+v, want %s, reason %s, scope %q", cell(d), d, tc.want, tc.reason, tc.wantScope)
			}
		})
	}
}

func TestDecideList(t *testing.T) {
	list := Resource{OrgID: "o1", List: true, Classes: AllClasses}
	tests := []struct {
		role discern.Role
		a    Action
		want string
	}{
		{admin, PeopleRead, "org:c"},
		{supervisor, PeopleRead, "team:all"},
		{caseworker, PeopleRead, "team:all"}, // the widest scope; each record is decided again
		{screener, PeopleRead, "own:ci"},
		{analyst, PeopleRead, "-"},
		{screener, ScreeningsRead, "own:ci"},
		{supervisor, AuditRead, "team:+"},
		{admin, TokensRead, "org:+"},
	}
	for _, tc := range tests {
		t.Run(string(tc.role)+"/"+string(tc.a), func(t *testing.T) {
			if got := cell(Decide(matrixPrincipal(tc.role), tc.a, list)); got != tc.want {
				t.Fatalf("list: %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDecideRedactsToResourceClasses(t *testing.T) {
	r := Resource{OrgID: "o1", OwnerID: "u10", Classes: Classes(discern.ClassCase, discern.ClassHealth)}
	d := Decide(matrixPrincipal(caseworker), PeopleRead, r)
	if !d.Allowed || d.Classes != r.Classes {
		t.Fatalf("caseworker on own record: %+v", d)
	}
	d = Decide(matrixPrincipal(admin), PeopleRead, r)
	if !d.Allowed || !d.Classes.Has(discern.ClassCase) || d.Classes.Has(discern.ClassHealth) {
		t.Fatalf("administrator: %+v, want case only", d)
	}
}

func TestDecisionErr(t *testing.T) {
	tests := []struct {
		name string
		d    Decision
		r    Resource
		want discern.ErrorKind
	}{
		{"allowed", Decision{Allowed: true, Reason: ReasonGranted}, ownRecord, ""},
		{"other organization record looks absent", Decision{Reason: ReasonOtherOrganization}, otherOrgRecord, discern.KindNotFound},
		{"out of scope record looks absent", Decision{Reason: ReasonOutOfScope}, otherRecord, discern.KindNotFound},
		{"other organization list", Decision{Reason: ReasonOtherOrganization}, Resource{OrgID: "o2", List: true}, discern.KindForbidden},
		{"no grant", Decision{Reason: ReasonNoGrant}, ownRecord, discern.KindForbidden},
		{"second factor", Decision{Reason: ReasonMFARequired}, ownRecord, discern.KindForbidden},
		{"token scope", Decision{Reason: ReasonTokenScope, TokenScope: TokenPeopleWrite}, ownRecord, discern.KindForbidden},
		{"not for tokens", Decision{Reason: ReasonNotForTokens}, ownRecord, discern.KindForbidden},
		{"unknown action", Decision{Reason: ReasonUnknownAction}, ownRecord, discern.KindInternal},
		{"invalid principal", Decision{Reason: ReasonInvalidPrincipal}, ownRecord, discern.KindInternal},
		{"invalid resource", Decision{Reason: ReasonInvalidResource}, ownRecord, discern.KindInternal},
		{"zero decision", Decision{}, ownRecord, discern.KindForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Err(tc.r)
			if got := discern.KindOf(err); got != tc.want {
				t.Fatalf("kind %q (%v), want %q", got, err, tc.want)
			}
			if err != nil && tc.want != discern.KindInternal && discern.MessageOf(err) == "An internal error occurred." {
				t.Fatal("no message for the user")
			}
		})
	}
	if msg := discern.MessageOf(Decision{Reason: ReasonTokenScope, TokenScope: TokenPeopleWrite}.Err(ownRecord)); !strings.Contains(msg, "people:write") {
		t.Fatalf("token scope message %q does not name the scope", msg)
	}
}

func TestTokenScopesFor(t *testing.T) {
	caseScopes := []TokenScope{
		TokenPeopleRead, TokenPeopleWrite, TokenEncountersRead, TokenEncountersWrite,
		TokenScreeningsRead, TokenScreeningsWrite, TokenTasksRead, TokenTasksWrite,
		TokenAssess, TokenUsersRead, TokenOrgsRead, TokenDirectoryRead,
	}
	want := map[discern.Role][]TokenScope{
		admin: {TokenPeopleRead, TokenPeopleErase, TokenEncountersRead, TokenScreeningsRead, TokenTasksRead,
			TokenUsersRead, TokenUsersWrite, TokenOrgsRead, TokenOrgsWrite, TokenAuditRead, TokenStatsRead,
			TokenConsentsRead, TokenReferralsRead, TokenPlansRead, TokenDirectoryRead},
		supervisor: append(slices.Clone(caseScopes), TokenPeopleErase, TokenNotesRead, TokenNotesWrite, TokenAuditRead, TokenStatsRead,
			TokenConsentsRead, TokenConsentsWrite, TokenReferralsRead, TokenReferralsWrite,
			TokenPlansRead, TokenPlansWrite, TokenContactRead, TokenContactWrite),
		caseworker: append(slices.Clone(caseScopes), TokenNotesRead, TokenNotesWrite, TokenAuditRead,
			TokenConsentsRead, TokenConsentsWrite, TokenReferralsRead, TokenReferralsWrite,
			TokenPlansRead, TokenPlansWrite, TokenContactRead, TokenContactWrite),
		screener: {TokenPeopleRead, TokenPeopleWrite, TokenEncountersRead, TokenEncountersWrite, TokenScreeningsRead,
			TokenScreeningsWrite, TokenTasksRead, TokenTasksWrite, TokenAssess, TokenUsersRead, TokenOrgsRead, TokenConsentsRead, TokenPlansRead, TokenDirectoryRead},
		analyst: {TokenUsersRead, TokenOrgsRead, TokenStatsRead, TokenDirectoryRead},
	}
	for _, role := range discern.Roles {
		got := TokenScopesFor(role)
		w := slices.Clone(want[role])
		slices.Sort(got)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("TokenScopesFor(%s) = %v, want %v", role, got, w)
		}
	}
}

func TestClassSet(t *testing.T) {
	s := Classes(discern.ClassHealth, discern.ClassCase, discern.DataClass("shoe size"))
	if !s.Has(discern.ClassCase) || !s.Has(discern.ClassHealth) || s.Has(discern.ClassIdentity) || s.Has("shoe size") {
		t.Fatalf("Classes = %v", s)
	}
	if got := s.String(); got != "case,health" {
		t.Fatalf("String = %q", got)
	}
	if got := AllClasses.List(); !slices.Equal(got, discern.DataClasses) {
		t.Fatalf("AllClasses.List = %v", got)
	}
}

// BenchmarkDecide measures the decision every request pays.
func BenchmarkDecide(b *testing.B) {
	p := matrixPrincipal(caseworker)
	for b.Loop() {
		if d := Decide(p, PeopleRead, teamRecord); !d.Allowed {
			b.Fatal(d)
		}
	}
}

// BenchmarkDecideToken measures a decision for an API token.
func BenchmarkDecideToken(b *testing.B) {
	p := matrixPrincipal(supervisor)
	p.ViaToken, p.TokenScopes = true, []TokenScope{TokenPeopleRead, TokenScreeningsRead, TokenScreeningsWrite}
	for b.Loop() {
		if d := Decide(p, ScreeningsCreate, teamRecord); !d.Allowed {
			b.Fatal(d)
		}
	}
}
