package discern

import (
	"context"
	"time"
)

// Person is someone a screener or caseworker has met. A person is
// pseudonymous by default: the case code is all the record needs. Every
// identifying field is optional and sealed with the person's own data key,
// including the case code (agencies copy codes into other systems) and the
// age estimate (an age is identifying in a small town). Destroying the key
// erases all of them at once, in the database and in every backup.
type Person struct {
	ID     string
	OrgID  string
	TeamID string // optional: the team whose cases include this person
	// CreatedBy is the user who recorded the person; AssignedTo the
	// caseworker now responsible (optional). Both feed "own" scope.
	CreatedBy  string
	AssignedTo string

	CaseCode      Sealed     // the sealed case code, e.g. "DSC-7M3F-QE"
	CaseCodeIndex BlindIndex // unique per organization; finds a person by code
	Name          Sealed     // class identity
	NameIndex     BlindIndex // finds a person by normalised name
	BirthDate     Sealed     // class identity
	AgeEstimate   Sealed     // class identity: an age or age range when the birth date is unknown
	Contact       Sealed     // class contact: phone, safe channel, address

	CreatedAt time.Time
	UpdatedAt time.Time
	// ErasedAt is set once the person was erased: their key is destroyed and
	// their identifying fields removed; the row stays so that audit entries
	// and de-identified statistics keep their meaning.
	ErasedAt *time.Time
}

// Validate checks a person before it is stored.
func (p *Person) Validate() error {
	switch {
	case p.OrgID == "":
		return Invalid("org_id", "org_id is required.")
	case p.CreatedBy == "":
		return Invalid("created_by", "created_by is required.")
	case p.CaseCode == nil || p.CaseCodeIndex == nil:
		return Invalid("case_code", "A person needs a case code.")
	case (p.Name == nil) != (p.NameIndex == nil):
		return Invalid("name", "name and its blind index are stored together.")
	}
	for _, f := range []struct {
		name string
		v    Sealed
	}{{"case_code", p.CaseCode}, {"name", p.Name}, {"birth_date", p.BirthDate}, {"age_estimate", p.AgeEstimate}, {"contact", p.Contact}} {
		if err := validSealed(f.name, f.v); err != nil {
			return err
		}
	}
	if err := validIndex("case_code_index", p.CaseCodeIndex); err != nil {
		return err
	}
	return validIndex("name_index", p.NameIndex)
}

// PersonFilter selects people of one organization. The scope fields exist
// so that the access policy can narrow a query to what a user may see.
type PersonFilter struct {
	OrgID         string // required
	TeamID        *string
	Owner         *string // created by or assigned to this user ("own" scope)
	AssignedTo    *string
	CaseCodeIndex BlindIndex
	NameIndex     BlindIndex
	// IncludeErased lists erased people too (they carry no identifying
	// data), for administrators reconciling records.
	IncludeErased bool
	Page
}

// PersonUpdate holds the fields to change; nil means unchanged, and a
// pointer to nil clears a sealed field. Name and NameIndex change together.
type PersonUpdate struct {
	TeamID      *string // "" clears
	AssignedTo  *string // "" clears
	Name        *Sealed
	NameIndex   *BlindIndex
	BirthDate   *Sealed
	AgeEstimate *Sealed
	Contact     *Sealed
}

// PersonStore stores people.
type PersonStore interface {
	// FindPersonByID returns KindNotFound unless the person exists in orgID.
	// An erased person is returned with ErasedAt set and no identifying
	// fields.
	FindPersonByID(ctx context.Context, orgID, id string) (*Person, error)
	// FindPeople returns a page of people, newest first, and the next
	// cursor ("" on the last page).
	FindPeople(ctx context.Context, f PersonFilter) ([]*Person, string, error)
	// CreatePerson returns KindInvalid, or KindConflict if the case code
	// (its blind index) is taken in the organization.
	CreatePerson(ctx context.Context, p *Person) error
	// UpdatePerson returns KindNotFound, KindInvalid, or KindConflict if
	// the person was erased.
	UpdatePerson(ctx context.Context, orgID, id string, upd PersonUpdate) (*Person, error)
	// ErasePerson removes a person's identifying data from the live
	// database: their sealed fields and blind indexes, encounter
	// narratives, notes and task titles; their screenings stay, detached,
	// as anonymous ones. Destroying their key in the KeyVault (done by the
	// caller, in the same request) is what makes backups unreadable.
	// Erasing twice is not an error. Returns KindNotFound.
	ErasePerson(ctx context.Context, orgID, id string) error
}
