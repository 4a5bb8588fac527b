// Types for the HSDS 3.0 objects, written from the table schemas in schema/.

package directory

import "encoding/json"

// Accessibility is the HSDS 3.0 accessibility object (accessibility.csv). The details of the arrangements for access to locations for people who have disabilities.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Accessibility struct {
	ID          string      `json:"id,omitempty"`
	LocationID  string      `json:"location_id,omitempty"`
	Description string      `json:"description,omitempty"`
	Details     string      `json:"details,omitempty"`
	URL         string      `json:"url,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Metadata    []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Address is the HSDS 3.0 address object (addresses.csv). The addresses of locations where organizations operate.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Address struct {
	ID            string      `json:"id,omitempty"`
	LocationID    string      `json:"location_id,omitempty"`
	Attention     string      `json:"attention,omitempty"`
	Address1      string      `json:"address_1,omitempty"`
	Address2      string      `json:"address_2,omitempty"`
	City          string      `json:"city,omitempty"`
	Region        string      `json:"region,omitempty"`
	StateProvince string      `json:"state_province,omitempty"`
	PostalCode    string      `json:"postal_code,omitempty"`
	Country       string      `json:"country,omitempty"`
	AddressType   string      `json:"address_type,omitempty"`
	Attributes    []Attribute `json:"attributes,omitempty"`
	Metadata      []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Attribute is the HSDS 3.0 attribute object (attributes.csv). A link between a service and one or more classifications that describe the nature of the service provided.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Attribute struct {
	ID             string        `json:"id,omitempty"`
	LinkID         string        `json:"link_id,omitempty"`
	TaxonomyTermID string        `json:"taxonomy_term_id,omitempty"`
	LinkType       string        `json:"link_type,omitempty"`
	LinkEntity     string        `json:"link_entity,omitempty"`
	Value          string        `json:"value,omitempty"`
	TaxonomyTerm   *TaxonomyTerm `json:"taxonomy_term,omitempty"`
	Metadata       []Metadata    `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Contact is the HSDS 3.0 contact object (contacts.csv). The details of the named contacts for services and organizations.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Contact struct {
	ID                  string      `json:"id,omitempty"`
	OrganizationID      string      `json:"organization_id,omitempty"`
	ServiceID           string      `json:"service_id,omitempty"`
	ServiceAtLocationID string      `json:"service_at_location_id,omitempty"`
	LocationID          string      `json:"location_id,omitempty"`
	Name                string      `json:"name,omitempty"`
	Title               string      `json:"title,omitempty"`
	Department          string      `json:"department,omitempty"`
	Email               string      `json:"email,omitempty"`
	Phones              []Phone     `json:"phones,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	Metadata            []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// CostOption is the HSDS 3.0 cost_option object (cost_options.csv). The costs of a service at certain points in time. This is an LGA Extension. This object provides a structured version of the text information contained in the 'fees' field of the 'service' object.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type CostOption struct {
	ID                string      `json:"id,omitempty"`
	ServiceID         string      `json:"service_id,omitempty"`
	ValidFrom         string      `json:"valid_from,omitempty"`
	ValidTo           string      `json:"valid_to,omitempty"`
	Option            string      `json:"option,omitempty"`
	Currency          string      `json:"currency,omitempty"`
	Amount            *float64    `json:"amount,omitempty"`
	AmountDescription string      `json:"amount_description,omitempty"`
	Attributes        []Attribute `json:"attributes,omitempty"`
	Metadata          []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Funding is the HSDS 3.0 funding object (funding.csv). The sources of funding for a service or organization.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Funding struct {
	ID             string      `json:"id,omitempty"`
	OrganizationID string      `json:"organization_id,omitempty"`
	ServiceID      string      `json:"service_id,omitempty"`
	Source         string      `json:"source,omitempty"`
	Attributes     []Attribute `json:"attributes,omitempty"`
	Metadata       []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Language is the HSDS 3.0 language object (languages.csv). The languages that are spoken at locations or services. This does not include languages which can only be used with interpretation.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Language struct {
	ID         string      `json:"id,omitempty"`
	ServiceID  string      `json:"service_id,omitempty"`
	LocationID string      `json:"location_id,omitempty"`
	PhoneID    string      `json:"phone_id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Code       string      `json:"code,omitempty"`
	Note       string      `json:"note,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	Metadata   []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Location is the HSDS 3.0 location object (locations.csv). The locations where organizations operate. Locations may be virtual, and one organization may have many locations.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Location struct {
	ID                     string          `json:"id,omitempty"`
	LocationType           string          `json:"location_type,omitempty"`
	URL                    string          `json:"url,omitempty"`
	OrganizationID         string          `json:"organization_id,omitempty"`
	Name                   string          `json:"name,omitempty"`
	AlternateName          string          `json:"alternate_name,omitempty"`
	Description            string          `json:"description,omitempty"`
	Transportation         string          `json:"transportation,omitempty"`
	Latitude               *float64        `json:"latitude,omitempty"`
	Longitude              *float64        `json:"longitude,omitempty"`
	ExternalIdentifier     string          `json:"external_identifier,omitempty"`
	ExternalIdentifierType string          `json:"external_identifier_type,omitempty"`
	Languages              []Language      `json:"languages,omitempty"`
	Addresses              []Address       `json:"addresses,omitempty"`
	Contacts               []Contact       `json:"contacts,omitempty"`
	Accessibility          []Accessibility `json:"accessibility,omitempty"`
	Phones                 []Phone         `json:"phones,omitempty"`
	Schedules              []Schedule      `json:"schedules,omitempty"`
	Attributes             []Attribute     `json:"attributes,omitempty"`
	Metadata               []Metadata      `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// MetaTableDescription is the HSDS 3.0 meta_table_description object (meta_table_descriptions.csv). Metadata about individual tables.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type MetaTableDescription struct {
	ID           string      `json:"id,omitempty"`
	Name         string      `json:"name,omitempty"`
	Language     string      `json:"language,omitempty"`
	CharacterSet string      `json:"character_set,omitempty"`
	Attributes   []Attribute `json:"attributes,omitempty"`
	Metadata     []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Metadata is the HSDS 3.0 metadata object (metadata.csv). A record of the changes that have been made to the data in order to maintain provenance information.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Metadata struct {
	ID               string `json:"id,omitempty"`
	ResourceID       string `json:"resource_id,omitempty"`
	ResourceType     string `json:"resource_type,omitempty"`
	LastActionDate   string `json:"last_action_date,omitempty"`
	LastActionType   string `json:"last_action_type,omitempty"`
	FieldName        string `json:"field_name,omitempty"`
	PreviousValue    string `json:"previous_value,omitempty"`
	ReplacementValue string `json:"replacement_value,omitempty"`
	UpdatedBy        string `json:"updated_by,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Organization is the HSDS 3.0 organization object (organizations.csv). The details about each organization delivering services. Each service should be linked to the organization responsible for its delivery. One organization may deliver many services.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Organization struct {
	ID                   string   `json:"id,omitempty"`
	Name                 string   `json:"name,omitempty"`
	AlternateName        string   `json:"alternate_name,omitempty"`
	Description          string   `json:"description,omitempty"`
	Email                string   `json:"email,omitempty"`
	Website              string   `json:"website,omitempty"`
	TaxStatus            string   `json:"tax_status,omitempty"`
	TaxID                string   `json:"tax_id,omitempty"`
	YearIncorporated     *float64 `json:"year_incorporated,omitempty"`
	LegalStatus          string   `json:"legal_status,omitempty"`
	Logo                 string   `json:"logo,omitempty"`
	URI                  string   `json:"uri,omitempty"`
	ParentOrganizationID string   `json:"parent_organization_id,omitempty"`
	// Services is not in organization.json; the organization_full form of
	// the HSDS API nests the organization's services here.
	Services                []Service                `json:"services,omitempty"`
	Funding                 []Funding                `json:"funding,omitempty"`
	Contacts                []Contact                `json:"contacts,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	Programs                []Program                `json:"programs,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	Metadata                []Metadata               `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// OrganizationIdentifier is the HSDS 3.0 organization_identifier object (organization_identifiers.csv). The details of the third party identifiers for organizations, such as: company registration number, charity number, tax registration number.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type OrganizationIdentifier struct {
	ID               string      `json:"id,omitempty"`
	OrganizationID   string      `json:"organization_id,omitempty"`
	IdentifierScheme string      `json:"identifier_scheme,omitempty"`
	IdentifierType   string      `json:"identifier_type,omitempty"`
	Identifier       string      `json:"identifier,omitempty"`
	Attributes       []Attribute `json:"attributes,omitempty"`
	Metadata         []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Phone is the HSDS 3.0 phone object (phones.csv). The details of the telephone numbers used to contact organizations, services, and locations.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Phone struct {
	ID                  string      `json:"id,omitempty"`
	LocationID          string      `json:"location_id,omitempty"`
	ServiceID           string      `json:"service_id,omitempty"`
	OrganizationID      string      `json:"organization_id,omitempty"`
	ContactID           string      `json:"contact_id,omitempty"`
	ServiceAtLocationID string      `json:"service_at_location_id,omitempty"`
	Number              string      `json:"number,omitempty"`
	Extension           *float64    `json:"extension,omitempty"`
	Type                string      `json:"type,omitempty"`
	Description         string      `json:"description,omitempty"`
	Languages           []Language  `json:"languages,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	Metadata            []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Program is the HSDS 3.0 program object (programs.csv). The details of collections of related services.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Program struct {
	ID             string      `json:"id,omitempty"`
	OrganizationID string      `json:"organization_id,omitempty"`
	Name           string      `json:"name,omitempty"`
	AlternateName  string      `json:"alternate_name,omitempty"`
	Description    string      `json:"description,omitempty"`
	Attributes     []Attribute `json:"attributes,omitempty"`
	Metadata       []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// RequiredDocument is the HSDS 3.0 required_document object (required_documents.csv). The details of any documents that are required in order to access or use services.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type RequiredDocument struct {
	ID         string      `json:"id,omitempty"`
	ServiceID  string      `json:"service_id,omitempty"`
	Document   string      `json:"document,omitempty"`
	URI        string      `json:"uri,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	Metadata   []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Schedule is the HSDS 3.0 schedule object (schedules.csv). The details of when a service or location is open. Entries are RFC 5545 RRULES.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Schedule struct {
	ID                  string      `json:"id,omitempty"`
	ServiceID           string      `json:"service_id,omitempty"`
	LocationID          string      `json:"location_id,omitempty"`
	ServiceAtLocationID string      `json:"service_at_location_id,omitempty"`
	ValidFrom           string      `json:"valid_from,omitempty"`
	ValidTo             string      `json:"valid_to,omitempty"`
	Dtstart             string      `json:"dtstart,omitempty"`
	Timezone            *float64    `json:"timezone,omitempty"`
	Until               string      `json:"until,omitempty"`
	Count               *float64    `json:"count,omitempty"`
	Wkst                string      `json:"wkst,omitempty"`
	Freq                string      `json:"freq,omitempty"`
	Interval            *float64    `json:"interval,omitempty"`
	Byday               string      `json:"byday,omitempty"`
	Byweekno            string      `json:"byweekno,omitempty"`
	Bymonthday          string      `json:"bymonthday,omitempty"`
	Byyearday           string      `json:"byyearday,omitempty"`
	Description         string      `json:"description,omitempty"`
	OpensAt             string      `json:"opens_at,omitempty"`
	ClosesAt            string      `json:"closes_at,omitempty"`
	ScheduleLink        string      `json:"schedule_link,omitempty"`
	AttendingType       string      `json:"attending_type,omitempty"`
	Notes               string      `json:"notes,omitempty"`
	Attributes          []Attribute `json:"attributes,omitempty"`
	Metadata            []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Service is the HSDS 3.0 service object (services.csv). The details of the services provided by organizations to a range of different groups.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Service struct {
	ID                     string              `json:"id,omitempty"`
	OrganizationID         string              `json:"organization_id,omitempty"`
	ProgramID              string              `json:"program_id,omitempty"`
	Name                   string              `json:"name,omitempty"`
	AlternateName          string              `json:"alternate_name,omitempty"`
	Description            string              `json:"description,omitempty"`
	URL                    string              `json:"url,omitempty"`
	Email                  string              `json:"email,omitempty"`
	Status                 string              `json:"status,omitempty"`
	InterpretationServices string              `json:"interpretation_services,omitempty"`
	ApplicationProcess     string              `json:"application_process,omitempty"`
	FeesDescription        string              `json:"fees_description,omitempty"`
	WaitTime               string              `json:"wait_time,omitempty"`
	Fees                   string              `json:"fees,omitempty"`
	Accreditations         string              `json:"accreditations,omitempty"`
	EligibilityDescription string              `json:"eligibility_description,omitempty"`
	MinimumAge             *float64            `json:"minimum_age,omitempty"`
	MaximumAge             *float64            `json:"maximum_age,omitempty"`
	AssuredDate            string              `json:"assured_date,omitempty"`
	AssurerEmail           string              `json:"assurer_email,omitempty"`
	Licenses               string              `json:"licenses,omitempty"`
	Alert                  string              `json:"alert,omitempty"`
	LastModified           string              `json:"last_modified,omitempty"`
	Phones                 []Phone             `json:"phones,omitempty"`
	Schedules              []Schedule          `json:"schedules,omitempty"`
	ServiceAreas           []ServiceArea       `json:"service_areas,omitempty"`
	ServiceAtLocations     []ServiceAtLocation `json:"service_at_locations,omitempty"`
	Languages              []Language          `json:"languages,omitempty"`
	Organization           *Organization       `json:"organization,omitempty"`
	Funding                []Funding           `json:"funding,omitempty"`
	CostOptions            []CostOption        `json:"cost_options,omitempty"`
	Program                *Program            `json:"program,omitempty"`
	RequiredDocuments      []RequiredDocument  `json:"required_documents,omitempty"`
	Contacts               []Contact           `json:"contacts,omitempty"`
	Attributes             []Attribute         `json:"attributes,omitempty"`
	Metadata               []Metadata          `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// ServiceArea is the HSDS 3.0 service_area object (service_areas.csv). The details of the geographic area for which a service is available.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type ServiceArea struct {
	ID          string      `json:"id,omitempty"`
	ServiceID   string      `json:"service_id,omitempty"`
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Extent      string      `json:"extent,omitempty"`
	ExtentType  string      `json:"extent_type,omitempty"`
	URI         string      `json:"uri,omitempty"`
	Attributes  []Attribute `json:"attributes,omitempty"`
	Metadata    []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// ServiceAtLocation is the HSDS 3.0 service_at_location object (service_at_location.csv). A link between a service and a specific location.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type ServiceAtLocation struct {
	ID          string     `json:"id,omitempty"`
	ServiceID   string     `json:"service_id,omitempty"`
	LocationID  string     `json:"location_id,omitempty"`
	Description string     `json:"description,omitempty"`
	Contacts    []Contact  `json:"contacts,omitempty"`
	Phones      []Phone    `json:"phones,omitempty"`
	Schedules   []Schedule `json:"schedules,omitempty"`
	Location    *Location  `json:"location,omitempty"`
	// Service is not in service_at_location.json; the
	// service_at_location_full form of the HSDS API nests the service here.
	Service    *Service    `json:"service,omitempty"`
	Attributes []Attribute `json:"attributes,omitempty"`
	Metadata   []Metadata  `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// Taxonomy is the HSDS 3.0 taxonomy object (taxonomies.csv). The taxonomies from which taxonomy terms are taken.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type Taxonomy struct {
	ID          string     `json:"id,omitempty"`
	Name        string     `json:"name,omitempty"`
	Description string     `json:"description,omitempty"`
	URI         string     `json:"uri,omitempty"`
	Version     string     `json:"version,omitempty"`
	Metadata    []Metadata `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// TaxonomyTerm is the HSDS 3.0 taxonomy_term object (taxonomy_terms.csv). Each service can be categorized according to one or more taxonomy terms. The taxonomy_term object contains a list of taxonomy terms, their names, and, for hierarchical taxonomies, their structure.
// Fields the schema does not define, and values the typed fields
// cannot hold as given (null, empty), are kept in Extra for a lossless round trip.
type TaxonomyTerm struct {
	ID             string     `json:"id,omitempty"`
	Code           string     `json:"code,omitempty"`
	Name           string     `json:"name,omitempty"`
	Description    string     `json:"description,omitempty"`
	ParentID       string     `json:"parent_id,omitempty"`
	Taxonomy       string     `json:"taxonomy,omitempty"`
	TaxonomyDetail *Taxonomy  `json:"taxonomy_detail,omitempty"`
	Language       string     `json:"language,omitempty"`
	TaxonomyID     string     `json:"taxonomy_id,omitempty"`
	TermURI        string     `json:"term_uri,omitempty"`
	Metadata       []Metadata `json:"metadata,omitempty"`
	// Extra holds members the typed fields do not carry; see the type comment.
	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Accessibility) UnmarshalJSON(b []byte) error {
	type plain Accessibility
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Accessibility) MarshalJSON() ([]byte, error) {
	type plain Accessibility
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Address) UnmarshalJSON(b []byte) error {
	type plain Address
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Address) MarshalJSON() ([]byte, error) {
	type plain Address
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Attribute) UnmarshalJSON(b []byte) error {
	type plain Attribute
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Attribute) MarshalJSON() ([]byte, error) {
	type plain Attribute
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Contact) MarshalJSON() ([]byte, error) {
	type plain Contact
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *CostOption) UnmarshalJSON(b []byte) error {
	type plain CostOption
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x CostOption) MarshalJSON() ([]byte, error) {
	type plain CostOption
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Funding) UnmarshalJSON(b []byte) error {
	type plain Funding
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Funding) MarshalJSON() ([]byte, error) {
	type plain Funding
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Language) UnmarshalJSON(b []byte) error {
	type plain Language
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Language) MarshalJSON() ([]byte, error) {
	type plain Language
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Location) UnmarshalJSON(b []byte) error {
	type plain Location
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Location) MarshalJSON() ([]byte, error) {
	type plain Location
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *MetaTableDescription) UnmarshalJSON(b []byte) error {
	type plain MetaTableDescription
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x MetaTableDescription) MarshalJSON() ([]byte, error) {
	type plain MetaTableDescription
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Metadata) UnmarshalJSON(b []byte) error {
	type plain Metadata
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Metadata) MarshalJSON() ([]byte, error) {
	type plain Metadata
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Organization) UnmarshalJSON(b []byte) error {
	type plain Organization
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Organization) MarshalJSON() ([]byte, error) {
	type plain Organization
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *OrganizationIdentifier) UnmarshalJSON(b []byte) error {
	type plain OrganizationIdentifier
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x OrganizationIdentifier) MarshalJSON() ([]byte, error) {
	type plain OrganizationIdentifier
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Phone) UnmarshalJSON(b []byte) error {
	type plain Phone
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Phone) MarshalJSON() ([]byte, error) {
	type plain Phone
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Program) UnmarshalJSON(b []byte) error {
	type plain Program
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Program) MarshalJSON() ([]byte, error) {
	type plain Program
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *RequiredDocument) UnmarshalJSON(b []byte) error {
	type plain RequiredDocument
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x RequiredDocument) MarshalJSON() ([]byte, error) {
	type plain RequiredDocument
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Schedule) UnmarshalJSON(b []byte) error {
	type plain Schedule
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Schedule) MarshalJSON() ([]byte, error) {
	type plain Schedule
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Service) UnmarshalJSON(b []byte) error {
	type plain Service
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Service) MarshalJSON() ([]byte, error) {
	type plain Service
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *ServiceArea) UnmarshalJSON(b []byte) error {
	type plain ServiceArea
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x ServiceArea) MarshalJSON() ([]byte, error) {
	type plain ServiceArea
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *ServiceAtLocation) UnmarshalJSON(b []byte) error {
	type plain ServiceAtLocation
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x ServiceAtLocation) MarshalJSON() ([]byte, error) {
	type plain ServiceAtLocation
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *Taxonomy) UnmarshalJSON(b []byte) error {
	type plain Taxonomy
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x Taxonomy) MarshalJSON() ([]byte, error) {
	type plain Taxonomy
	return marshalExt(plain(x), x.Extra)
}

// UnmarshalJSON keeps unknown members in Extra.
func (x *TaxonomyTerm) UnmarshalJSON(b []byte) error {
	type plain TaxonomyTerm
	return unmarshalExt(b, (*plain)(x), &x.Extra)
}

// MarshalJSON writes the typed fields and Extra with keys in sorted order.
func (x TaxonomyTerm) MarshalJSON() ([]byte, error) {
	type plain TaxonomyTerm
	return marshalExt(plain(x), x.Extra)
}
