// Package discern holds Discern's domain vocabulary: the roles, scopes and
// data classes that access control is written in, and the one error type
// that every layer returns. It imports nothing of ours, so every other
// package can depend on it.
package discern

// Role is what a user may do in their organization. Roles are deliberately
// few; what a role may see is narrowed further by Scope and DataClass.
type Role string

// The roles. Administrators manage users and settings; supervisors oversee a
// team's cases; caseworkers hold cases; screeners run screenings and see
// only what they recorded; analysts see de-identified aggregates only.
const (
	RoleAdministrator Role = "administrator"
	RoleSupervisor    Role = "supervisor"
	RoleCaseworker    Role = "caseworker"
	RoleScreener      Role = "screener"
	RoleAnalyst       Role = "analyst"
)

// Roles lists every role, in order of decreasing reach.
var Roles = []Role{RoleAdministrator, RoleSupervisor, RoleCaseworker, RoleScreener, RoleAnalyst}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Scope is how far a grant reaches inside one organization. No scope reaches
// another organization: cross-agency disclosure happens only through a
// consent record.
type Scope string

// The scopes, narrowest first.
const (
	ScopeOwn          Scope = "own"          // records the user created or is assigned to
	ScopeTeam         Scope = "team"         // records of the user's team
	ScopeOrganization Scope = "organization" // every record of the user's organization
)

// DataClass is a class of personal data. Grants, consent records and
// referrals all name data classes, so that disclosure can be exactly as wide
// as the person agreed and the role needs.
type DataClass string

// The data classes. Case codes, screening answers without narrative, and the
// engine's results are "case" data; everything that can identify, locate or
// harm a person has a class of its own.
const (
	ClassCase            DataClass = "case"             // case code, screening answers and results, tasks
	ClassIdentity        DataClass = "identity"         // names, date of birth, identity documents
	ClassContact         DataClass = "contact"          // contact details, addresses, locations, safe channels
	ClassNarrative       DataClass = "narrative"        // free-text notes and narratives
	ClassHealth          DataClass = "health"           // health and substance-use information
	ClassImmigration     DataClass = "immigration"      // immigration status and documents
	ClassCriminalJustice DataClass = "criminal_justice" // charges, arrests, cooperation with law enforcement
)

// DataClasses lists every data class.
var DataClasses = []DataClass{ClassCase, ClassIdentity, ClassContact, ClassNarrative, ClassHealth, ClassImmigration, ClassCriminalJustice}

// Valid reports whether c is a known data class.
func (c DataClass) Valid() bool {
	for _, x := range DataClasses {
		if c == x {
			return true
		}
	}
	return false
}
