package directory

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"time"
)

// Catalog is the read side of a Directory for the HSDS 3.0 API: every
// service, organization, service-at-location, taxonomy and taxonomy term
// with its links resolved, sorted by id, ready to filter and page. Build it
// once with NewCatalog; it is then safe for concurrent use. The Directory
// must not change while the catalog is in use.
type Catalog struct {
	Index *Index

	services   []*svcRow
	svcByID    map[string]*svcRow
	orgs       []*orgRow
	orgByID    map[string]*orgRow
	sals       []*salRow
	salByID    map[string]*salRow
	taxonomies []*Taxonomy
	taxByID    map[string]*Taxonomy
	terms      []*TaxonomyTerm
	termByID   map[string]*TaxonomyTerm
	hasChild   map[string]bool
	postcodes  map[string]LatLon // normalised postal code → centroid of its located locations
}

type svcRow struct {
	full     *Service // organization, service_at_locations (with locations), attributes and languages resolved
	orgID    string
	text     string // lower-case name, alternate name, description and organization name, for search
	termIDs  []string
	taxIDs   []string
	modified time.Time // zero: not stated
}

type orgRow struct {
	org      *Organization // without services
	services []*svcRow
	text     string
}

type salRow struct {
	sal      *ServiceAtLocation // with service (full) and location resolved
	svc      *svcRow
	loc      *Location
	postals  []string
	text     string
	hasPoint bool
	pt       LatLon
}

// NewCatalog resolves the links of d (nested or by id, as NewIndex does)
// and indexes it for the HSDS API and for matching.
func NewCatalog(d *Directory) *Catalog {
	c := &Catalog{
		Index:   NewIndex(d),
		svcByID: map[string]*svcRow{}, orgByID: map[string]*orgRow{}, salByID: map[string]*salRow{},
		taxByID: map[string]*Taxonomy{}, termByID: map[string]*TaxonomyTerm{}, hasChild: map[string]bool{},
		postcodes: map[string]LatLon{},
	}
	addTerm := func(t *TaxonomyTerm) {
		if t == nil || t.ID == "" {
			return
		}
		if _, ok := c.termByID[t.ID]; ok {
			return
		}
		c.termByID[t.ID] = t
		c.terms = append(c.terms, t)
		if t.TaxonomyDetail != nil {
			addTax(c, t.TaxonomyDetail)
		}
	}
	for i := range d.Taxonomies {
		addTax(c, &d.Taxonomies[i])
	}
	for i := range d.TaxonomyTerms {
		addTerm(&d.TaxonomyTerms[i])
	}

	locs := map[string]*Location{}
	addLoc := func(l *Location) {
		if l != nil && l.ID != "" && locs[l.ID] == nil {
			locs[l.ID] = l
		}
	}
	for i := range d.Locations {
		addLoc(&d.Locations[i])
	}
	orgs := map[string]*Organization{}
	for i := range d.Organizations {
		o := &d.Organizations[i]
		orgs[o.ID] = o
		for j := range o.Locations {
			addLoc(&o.Locations[j])
		}
	}
	attrByLink := map[string][]Attribute{}
	for _, a := range d.Attributes {
		attrByLink[a.LinkID] = append(attrByLink[a.LinkID], a)
	}
	langBySvc := map[string][]Language{}
	for _, l := range d.Languages {
		if l.ServiceID != "" {
			langBySvc[l.ServiceID] = append(langBySvc[l.ServiceID], l)
		}
	}
	addrByLoc := map[string][]Address{}
	for _, a := range d.Addresses {
		addrByLoc[a.LocationID] = append(addrByLoc[a.LocationID], a)
	}
	salBySvc := map[string][]ServiceAtLocation{}
	for _, s := range d.ServiceAtLocations {
		if s.ServiceID != "" {
			salBySvc[s.ServiceID] = append(salBySvc[s.ServiceID], s)
		}
	}

	// Every service, wherever it is nested, once by id.
	type found struct {
		s   *Service
		org *Organization
	}
	var all []found
	for i := range d.Services {
		all = append(all, found{&d.Services[i], nil})
	}
	for i := range d.Organizations {
		o := &d.Organizations[i]
		for j := range o.Services {
			all = append(all, found{&o.Services[j], o})
		}
	}
	for i := range d.ServiceAtLocations {
		if s := d.ServiceAtLocations[i].Service; s != nil {
			all = append(all, found{s, nil})
		}
	}
	for _, f := range all {
		s := f.s
		if s.ID == "" || c.svcByID[s.ID] != nil {
			continue
		}
		full := *s
		org := s.Organization
		if org == nil {
			org = f.org
		}
		if org == nil {
			org = orgs[s.OrganizationID]
		}
		if org != nil {
			oc := *org
			oc.Services = nil
			full.Organization = &oc
		}
		full.Attributes = append(slices.Clip(s.Attributes), attrByLink[s.ID]...)
		full.Languages = append(slices.Clip(s.Languages), langBySvc[s.ID]...)
		full.ServiceAtLocations = append(slices.Clip(s.ServiceAtLocations), salBySvc[s.ID]...)
		for i := range full.ServiceAtLocations {
			sal := &full.ServiceAtLocations[i]
			if sal.Location == nil && locs[sal.LocationID] != nil {
				l := *locs[sal.LocationID]
				l.Addresses = append(slices.Clip(l.Addresses), addrByLoc[l.ID]...)
				sal.Location = &l
			}
			if sal.ServiceID == "" {
				sal.ServiceID = s.ID
			}
		}
		r := &svcRow{full: &full, orgID: s.OrganizationID}
		if r.orgID == "" && org != nil {
			r.orgID = org.ID
		}
		orgName := ""
		if org != nil {
			orgName = org.Name
		}
		r.text = strings.ToLower(strings.Join([]string{s.Name, s.AlternateName, s.Description, orgName}, "\n"))
		for _, a := range full.Attributes {
			t := a.TaxonomyTerm
			id := a.TaxonomyTermID
			if t != nil {
				addTerm(t)
				if id == "" {
					id = t.ID
				}
			}
			if id == "" {
				continue
			}
			if !slices.Contains(r.termIDs, id) {
				r.termIDs = append(r.termIDs, id)
			}
		}
		if s.LastModified != "" {
			r.modified, _ = parseWhen(s.LastModified)
		}
		c.svcByID[s.ID] = r
		c.services = append(c.services, r)
	}
	// Taxonomies of each service's terms, now that every term is known.
	for _, r := range c.services {
		for _, id := range r.termIDs {
			if t := c.termByID[id]; t != nil {
				for _, tx := range termTaxonomies(t) {
					if !slices.Contains(r.taxIDs, tx) {
						r.taxIDs = append(r.taxIDs, tx)
					}
				}
			}
		}
	}
	for _, t := range c.terms {
		if t.ParentID != "" {
			c.hasChild[t.ParentID] = true
		}
	}

	// Organizations, with their services.
	addOrg := func(o *Organization) {
		if o == nil || o.ID == "" || c.orgByID[o.ID] != nil {
			return
		}
		oc := *o
		oc.Services = nil
		c.orgByID[o.ID] = &orgRow{org: &oc, text: strings.ToLower(o.Name + "\n" + o.AlternateName + "\n" + o.Description)}
		c.orgs = append(c.orgs, c.orgByID[o.ID])
	}
	for i := range d.Organizations {
		addOrg(&d.Organizations[i])
	}
	for _, r := range c.services {
		addOrg(r.full.Organization)
	}
	slices.SortFunc(c.services, func(a, b *svcRow) int { return strings.Compare(a.full.ID, b.full.ID) })
	for _, r := range c.services {
		if o := c.orgByID[r.orgID]; o != nil {
			o.services = append(o.services, r)
		}
	}

	// Service-at-locations: those of each service, once by id.
	sums := map[string]*[3]float64{}
	for _, r := range c.services {
		for i := range r.full.ServiceAtLocations {
			sal := r.full.ServiceAtLocations[i]
			if sal.ID == "" || c.salByID[sal.ID] != nil {
				continue
			}
			svcCopy := *r.full
			svcCopy.ServiceAtLocations = nil
			sal.Service = &svcCopy
			row := &salRow{sal: &sal, svc: r, loc: sal.Location, text: r.text}
			if l := sal.Location; l != nil {
				row.text += "\n" + strings.ToLower(l.Name+"\n"+l.Description)
				if l.Latitude != nil && l.Longitude != nil {
					row.hasPoint, row.pt = true, LatLon{*l.Latitude, *l.Longitude}
				}
				for _, a := range append(slices.Clip(l.Addresses), addrByLoc[l.ID]...) {
					if p := normPostcode(a.PostalCode); p != "" && !slices.Contains(row.postals, p) {
						row.postals = append(row.postals, p)
						if row.hasPoint {
							s := sums[p]
							if s == nil {
								s = &[3]float64{}
								sums[p] = s
							}
							s[0] += row.pt.Lat
							s[1] += row.pt.Lon
							s[2]++
						}
					}
				}
			}
			c.salByID[sal.ID] = row
			c.sals = append(c.sals, row)
		}
	}
	for p, s := range sums {
		c.postcodes[p] = LatLon{s[0] / s[2], s[1] / s[2]}
	}
	slices.SortFunc(c.sals, func(a, b *salRow) int { return strings.Compare(a.sal.ID, b.sal.ID) })
	slices.SortFunc(c.orgs, func(a, b *orgRow) int { return strings.Compare(a.org.ID, b.org.ID) })
	slices.SortFunc(c.taxonomies, func(a, b *Taxonomy) int { return strings.Compare(a.ID, b.ID) })
	slices.SortFunc(c.terms, func(a, b *TaxonomyTerm) int { return strings.Compare(a.ID, b.ID) })
	return c
}

func addTax(c *Catalog, t *Taxonomy) {
	if t == nil || t.ID == "" || c.taxByID[t.ID] != nil {
		return
	}
	c.taxByID[t.ID] = t
	c.taxonomies = append(c.taxonomies, t)
}

// termTaxonomies are the ids a term names its taxonomy by.
func termTaxonomies(t *TaxonomyTerm) []string {
	var out []string
	for _, id := range []string{t.TaxonomyID, t.Taxonomy} {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if t.TaxonomyDetail != nil && t.TaxonomyDetail.ID != "" && !slices.Contains(out, t.TaxonomyDetail.ID) {
		out = append(out, t.TaxonomyDetail.ID)
	}
	return out
}

func normPostcode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// Len is the number of services in the catalog.
func (c *Catalog) Len() int { return len(c.services) }

// Service returns one service in the full form, or nil.
func (c *Catalog) Service(id string) *Service {
	if r := c.svcByID[id]; r != nil {
		return r.full
	}
	return nil
}

// ServiceAtLocation returns one service-at-location in the full form.
func (c *Catalog) ServiceAtLocation(id string) *ServiceAtLocation {
	if r := c.salByID[id]; r != nil {
		return r.sal
	}
	return nil
}

// Organization returns one organization with its services (full services
// when fullService, else their one-to-one fields), or nil.
func (c *Catalog) Organization(id string, fullService bool) any {
	r := c.orgByID[id]
	if r == nil {
		return nil
	}
	return c.orgOut(r, true, fullService)
}

// Taxonomy returns one taxonomy, or nil.
func (c *Catalog) Taxonomy(id string) *Taxonomy { return c.taxByID[id] }

// TaxonomyTerm returns one taxonomy term, or nil.
func (c *Catalog) TaxonomyTerm(id string) *TaxonomyTerm { return c.termByID[id] }

// Postcode returns the centroid of the located locations with this postal
// code, if the directory has any.
func (c *Catalog) Postcode(p string) (LatLon, bool) {
	ll, ok := c.postcodes[normPostcode(p)]
	return ll, ok
}

func (c *Catalog) orgOut(r *orgRow, full, fullService bool) any {
	if !full {
		return oneToOne(r.org)
	}
	o := *r.org
	m := toMap(&o)
	var svcs []any
	for _, s := range r.services {
		if fullService {
			svcs = append(svcs, s.full)
		} else {
			svcs = append(svcs, oneToOne(s.full))
		}
	}
	if svcs != nil {
		m["services"] = svcs
	}
	return m
}

// toMap turns an HSDS value into a JSON object map.
func toMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return map[string]any{}
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return map[string]any{}
	}
	return m
}

// oneToOne is the list form of an HSDS object: its own fields and its
// one-to-one objects (organization, program, location, service) with
// theirs, without any array.
func oneToOne(v any) map[string]any {
	return stripArrays(toMap(v), 0)
}

func stripArrays(m map[string]any, depth int) map[string]any {
	for k, v := range m {
		switch x := v.(type) {
		case []any:
			delete(m, k)
		case map[string]any:
			if depth >= 2 {
				delete(m, k)
			} else {
				m[k] = stripArrays(x, depth+1)
			}
		}
	}
	return m
}

// parseWhen reads an HSDS date-time or date.
func parseWhen(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &QueryError{Param: "modified_after", Msg: "want a date-time such as 2025-01-31T00:00:00Z or a date such as 2025-01-31"}
}

// chordKm is a great-circle distance, for ordering by proximity.
func chordKm(a, b LatLon) float64 {
	d := Haversine(a, b)
	if math.IsNaN(d) {
		return math.Inf(1)
	}
	return d
}

// Recipient is an organization or a service of the catalog, by id, for
// naming who a person's data may go to.
type Recipient struct {
	Service bool
	ID      string
	OrgID   string // a service's organization
	Name    string
}

// FindOrganization returns an organization's id and name by id.
func (c *Catalog) FindOrganization(id string) (Recipient, bool) {
	r := c.orgByID[id]
	if r == nil {
		return Recipient{}, false
	}
	return Recipient{ID: id, Name: r.org.Name}, true
}

// FindService returns a service's id, organization and name by id.
func (c *Catalog) FindService(id string) (Recipient, bool) {
	r := c.svcByID[id]
	if r == nil {
		return Recipient{}, false
	}
	return Recipient{Service: true, ID: id, OrgID: r.orgID, Name: r.full.Name}, true
}

// Recipients lists up to limit entries: each organization followed by its
// services, in the directory's order.
func (c *Catalog) Recipients(limit int) []Recipient {
	var out []Recipient
	for _, o := range c.orgs {
		if len(out) >= limit {
			break
		}
		out = append(out, Recipient{ID: o.org.ID, Name: o.org.Name})
		for _, s := range o.services {
			if len(out) >= limit {
				break
			}
			out = append(out, Recipient{Service: true, ID: s.full.ID, OrgID: o.org.ID, Name: s.full.Name})
		}
	}
	return out
}
