// Code below is written from the schema list; keep it in step with schema/.

package directory

import "encoding/json"

// Directory is a set of HSDS records. Objects keep the nesting they arrived
// with (a service_full document nests its organization, phones and so on);
// the tabular form arrives flat, one list per CSV file, and stays flat.
// Matching and export understand both.
type Directory struct {
	Organizations           []Organization           `json:"organizations,omitempty"`
	Services                []Service                `json:"services,omitempty"`
	Locations               []Location               `json:"locations,omitempty"`
	ServiceAtLocations      []ServiceAtLocation      `json:"service_at_locations,omitempty"`
	Taxonomies              []Taxonomy               `json:"taxonomies,omitempty"`
	TaxonomyTerms           []TaxonomyTerm           `json:"taxonomy_terms,omitempty"`
	Accessibility           []Accessibility          `json:"accessibility,omitempty"`
	Addresses               []Address                `json:"addresses,omitempty"`
	Attributes              []Attribute              `json:"attributes,omitempty"`
	Contacts                []Contact                `json:"contacts,omitempty"`
	CostOptions             []CostOption             `json:"cost_options,omitempty"`
	Funding                 []Funding                `json:"funding,omitempty"`
	Languages               []Language               `json:"languages,omitempty"`
	MetaTableDescriptions   []MetaTableDescription   `json:"meta_table_descriptions,omitempty"`
	Metadata                []Metadata               `json:"metadata,omitempty"`
	OrganizationIdentifiers []OrganizationIdentifier `json:"organization_identifiers,omitempty"`
	Phones                  []Phone                  `json:"phones,omitempty"`
	Programs                []Program                `json:"programs,omitempty"`
	RequiredDocuments       []RequiredDocument       `json:"required_documents,omitempty"`
	Schedules               []Schedule               `json:"schedules,omitempty"`
	ServiceAreas            []ServiceArea            `json:"service_areas,omitempty"`
}

// kindInfo ties an HSDS schema name to its directory member and CSV file.
type kindInfo struct {
	kind, member, file string
	add                func(d *Directory, b []byte) error
}

// kinds lists every HSDS table in export order.
var kinds = []kindInfo{
	{"organization", "organizations", "organizations.csv", func(d *Directory, b []byte) error {
		var x Organization
		err := json.Unmarshal(b, &x)
		d.Organizations = append(d.Organizations, x)
		return err
	}},
	{"service", "services", "services.csv", func(d *Directory, b []byte) error {
		var x Service
		err := json.Unmarshal(b, &x)
		d.Services = append(d.Services, x)
		return err
	}},
	{"location", "locations", "locations.csv", func(d *Directory, b []byte) error {
		var x Location
		err := json.Unmarshal(b, &x)
		d.Locations = append(d.Locations, x)
		return err
	}},
	{"service_at_location", "service_at_locations", "service_at_location.csv", func(d *Directory, b []byte) error {
		var x ServiceAtLocation
		err := json.Unmarshal(b, &x)
		d.ServiceAtLocations = append(d.ServiceAtLocations, x)
		return err
	}},
	{"taxonomy", "taxonomies", "taxonomies.csv", func(d *Directory, b []byte) error {
		var x Taxonomy
		err := json.Unmarshal(b, &x)
		d.Taxonomies = append(d.Taxonomies, x)
		return err
	}},
	{"taxonomy_term", "taxonomy_terms", "taxonomy_terms.csv", func(d *Directory, b []byte) error {
		var x TaxonomyTerm
		err := json.Unmarshal(b, &x)
		d.TaxonomyTerms = append(d.TaxonomyTerms, x)
		return err
	}},
	{"accessibility", "accessibility", "accessibility.csv", func(d *Directory, b []byte) error {
		var x Accessibility
		err := json.Unmarshal(b, &x)
		d.Accessibility = append(d.Accessibility, x)
		return err
	}},
	{"address", "addresses", "addresses.csv", func(d *Directory, b []byte) error {
		var x Address
		err := json.Unmarshal(b, &x)
		d.Addresses = append(d.Addresses, x)
		return err
	}},
	{"attribute", "attributes", "attributes.csv", func(d *Directory, b []byte) error {
		var x Attribute
		err := json.Unmarshal(b, &x)
		d.Attributes = append(d.Attributes, x)
		return err
	}},
	{"contact", "contacts", "contacts.csv", func(d *Directory, b []byte) error {
		var x Contact
		err := json.Unmarshal(b, &x)
		d.Contacts = append(d.Contacts, x)
		return err
	}},
	{"cost_option", "cost_options", "cost_options.csv", func(d *Directory, b []byte) error {
		var x CostOption
		err := json.Unmarshal(b, &x)
		d.CostOptions = append(d.CostOptions, x)
		return err
	}},
	{"funding", "funding", "funding.csv", func(d *Directory, b []byte) error {
		var x Funding
		err := json.Unmarshal(b, &x)
		d.Funding = append(d.Funding, x)
		return err
	}},
	{"language", "languages", "languages.csv", func(d *Directory, b []byte) error {
		var x Language
		err := json.Unmarshal(b, &x)
		d.Languages = append(d.Languages, x)
		return err
	}},
	{"meta_table_description", "meta_table_descriptions", "meta_table_descriptions.csv", func(d *Directory, b []byte) error {
		var x MetaTableDescription
		err := json.Unmarshal(b, &x)
		d.MetaTableDescriptions = append(d.MetaTableDescriptions, x)
		return err
	}},
	{"metadata", "metadata", "metadata.csv", func(d *Directory, b []byte) error {
		var x Metadata
		err := json.Unmarshal(b, &x)
		d.Metadata = append(d.Metadata, x)
		return err
	}},
	{"organization_identifier", "organization_identifiers", "organization_identifiers.csv", func(d *Directory, b []byte) error {
		var x OrganizationIdentifier
		err := json.Unmarshal(b, &x)
		d.OrganizationIdentifiers = append(d.OrganizationIdentifiers, x)
		return err
	}},
	{"phone", "phones", "phones.csv", func(d *Directory, b []byte) error {
		var x Phone
		err := json.Unmarshal(b, &x)
		d.Phones = append(d.Phones, x)
		return err
	}},
	{"program", "programs", "programs.csv", func(d *Directory, b []byte) error {
		var x Program
		err := json.Unmarshal(b, &x)
		d.Programs = append(d.Programs, x)
		return err
	}},
	{"required_document", "required_documents", "required_documents.csv", func(d *Directory, b []byte) error {
		var x RequiredDocument
		err := json.Unmarshal(b, &x)
		d.RequiredDocuments = append(d.RequiredDocuments, x)
		return err
	}},
	{"schedule", "schedules", "schedules.csv", func(d *Directory, b []byte) error {
		var x Schedule
		err := json.Unmarshal(b, &x)
		d.Schedules = append(d.Schedules, x)
		return err
	}},
	{"service_area", "service_areas", "service_areas.csv", func(d *Directory, b []byte) error {
		var x ServiceArea
		err := json.Unmarshal(b, &x)
		d.ServiceAreas = append(d.ServiceAreas, x)
		return err
	}},
}
