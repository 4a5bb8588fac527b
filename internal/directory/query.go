package directory

import (
	"cmp"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The lists of the HSDS 3.0 API.
const (
	ListServices           = "services"
	ListServiceAtLocations = "service_at_locations"
	ListOrganizations      = "organizations"
	ListTaxonomies         = "taxonomies"
	ListTaxonomyTerms      = "taxonomy_terms"
)

// Paging limits: per_page defaults to DefaultPerPage and may not exceed
// MaxPerPage.
const (
	DefaultPerPage = 50
	MaxPerPage     = 1000
)

// listParams are the query parameters the HSDS 3.0 OpenAPI defines for each
// list. Anything else is refused, so that a misspelt filter never silently
// returns everything.
var listParams = map[string][]string{
	ListServices: {"search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id",
		"organization_id", "modified_after", "minimal", "full"},
	ListServiceAtLocations: {"search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after",
		"full", "page", "per_page", "format", "postcode", "proximity"},
	ListOrganizations: {"search", "full_service", "full", "page", "per_page", "format"},
	ListTaxonomies:    {"search", "page", "per_page", "format"},
	ListTaxonomyTerms: {"search", "page", "per_page", "format", "taxonomy_id", "top_only", "parent_id"},
}

// ItemParams are the query parameters of the single-record endpoints.
var ItemParams = map[string][]string{
	ListServices:           nil,
	ListServiceAtLocations: nil,
	ListOrganizations:      {"full_service"},
	ListTaxonomies:         nil,
	ListTaxonomyTerms:      nil,
}

// QueryError is a query parameter the API cannot use; Msg says why, for
// people.
type QueryError struct{ Param, Msg string }

func (e *QueryError) Error() string { return e.Param + ": " + e.Msg }

// Query is a parsed HSDS list request.
type Query struct {
	Search         string
	Page, PerPage  int
	NDJSON         bool // format=ndjson: every result, one per line, no paging
	TaxonomyTermID string
	TaxonomyID     string
	OrganizationID string
	ModifiedAfter  time.Time // zero: none
	Minimal        bool
	Full           bool
	FullService    bool
	TopOnly        bool
	ParentID       string
	Postcode       string
	ProximityM     float64 // 0: none
}

// ParseQuery reads the query parameters of the HSDS list kind. Unknown
// parameters, repeated ones and values of the wrong type are errors.
func ParseQuery(kind string, v url.Values) (Query, error) {
	allowed, ok := listParams[kind]
	if !ok {
		return Query{}, fmt.Errorf("directory: no HSDS list %q", kind)
	}
	q := Query{Page: 1, PerPage: DefaultPerPage}
	if err := checkParams(v, allowed); err != nil {
		return q, err
	}
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	var err error
	q.Search = get("search")
	if len(q.Search) > 200 {
		return q, &QueryError{"search", "at most 200 characters"}
	}
	if s := get("page"); s != "" {
		if q.Page, err = posInt("page", s, math.MaxInt32); err != nil {
			return q, err
		}
	}
	if s := get("per_page"); s != "" {
		if q.PerPage, err = posInt("per_page", s, MaxPerPage); err != nil {
			return q, err
		}
	}
	switch f := get("format"); f {
	case "", "json":
	case "ndjson":
		q.NDJSON = true
	default:
		return q, &QueryError{"format", fmt.Sprintf("%q is not a format this API offers; use json or ndjson", f)}
	}
	q.TaxonomyTermID, q.TaxonomyID, q.OrganizationID, q.ParentID = get("taxonomy_term_id"), get("taxonomy_id"), get("organization_id"), get("parent_id")
	if s := get("modified_after"); s != "" {
		if q.ModifiedAfter, err = parseWhen(s); err != nil {
			return q, err
		}
	}
	for k, dst := range map[string]*bool{"minimal": &q.Minimal, "full": &q.Full, "full_service": &q.FullService, "top_only": &q.TopOnly} {
		if s := get(k); s != "" {
			if *dst, err = parseBool(k, s); err != nil {
				return q, err
			}
		}
	}
	if q.Minimal && q.Full {
		return q, &QueryError{"minimal", "minimal and full cannot both be true"}
	}
	q.Postcode = get("postcode")
	if len(q.Postcode) > 20 {
		return q, &QueryError{"postcode", "at most 20 characters"}
	}
	if s := get("proximity"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > 20_037_509 {
			return q, &QueryError{"proximity", "want a distance in metres, greater than 0 and at most 20037509 (half the Earth's circumference)"}
		}
		if q.Postcode == "" {
			return q, &QueryError{"proximity", "proximity is measured from a postcode; give postcode too"}
		}
		q.ProximityM = f
	}
	return q, nil
}

// CheckItemParams refuses query parameters a single-record endpoint of
// kind does not take, and returns full_service.
func CheckItemParams(kind string, v url.Values) (fullService bool, err error) {
	if err := checkParams(v, ItemParams[kind]); err != nil {
		return false, err
	}
	if s := strings.TrimSpace(v.Get("full_service")); s != "" {
		return parseBool("full_service", s)
	}
	return false, nil
}

func checkParams(v url.Values, allowed []string) error {
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.Contains(allowed, k) {
			known := "none"
			if len(allowed) > 0 {
				known = strings.Join(allowed, ", ")
			}
			return &QueryError{k, fmt.Sprintf("this endpoint does not take the parameter %q (it takes: %s)", k, known)}
		}
		if len(v[k]) > 1 {
			return &QueryError{k, "give this parameter once"}
		}
	}
	return nil
}

func posInt(name, s string, max int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, &QueryError{name, fmt.Sprintf("want a whole number from 1 to %d", max)}
	}
	return n, nil
}

func parseBool(name, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, &QueryError{name, "want true or false"}
}

// Page is one page of an HSDS list, in the shape the HSDS 3.0 OpenAPI
// gives (its Page schema and contents).
type Page struct {
	TotalItems int   `json:"total_items"`
	TotalPages int   `json:"total_pages"`
	PageNumber int   `json:"page_number"`
	Size       int   `json:"size"`
	FirstPage  bool  `json:"first_page"`
	LastPage   bool  `json:"last_page"`
	Empty      bool  `json:"empty"`
	Contents   []any `json:"contents"`
}

// List answers an HSDS list request. With q.NDJSON every result is in
// Contents and the paging members describe one page holding them all.
// A postcode the directory does not know is a *QueryError.
func (c *Catalog) List(kind string, q Query) (Page, error) {
	var n int
	var item func(i int) any
	switch kind {
	case ListServices:
		rows := c.services
		if q.Search != "" || q.TaxonomyTermID != "" || q.TaxonomyID != "" || q.OrganizationID != "" || !q.ModifiedAfter.IsZero() {
			rows = nil
			for _, r := range c.services {
				if c.svcMatches(r, q, q.Search) {
					rows = append(rows, r)
				}
			}
		}
		n = len(rows)
		item = func(i int) any {
			r := rows[i]
			switch {
			case q.Minimal:
				return map[string]any{"id": r.full.ID, "last_modified": r.full.LastModified}
			case q.Full:
				return r.full
			}
			return oneToOne(r.full)
		}
	case ListServiceAtLocations:
		rows, err := c.salList(q)
		if err != nil {
			return Page{}, err
		}
		n = len(rows)
		item = func(i int) any {
			if q.Full {
				return rows[i].sal
			}
			return oneToOne(rows[i].sal)
		}
	case ListOrganizations:
		rows := c.orgs
		if s := strings.ToLower(q.Search); s != "" {
			rows = nil
			for _, r := range c.orgs {
				if strings.Contains(r.text, s) {
					rows = append(rows, r)
				}
			}
		}
		n = len(rows)
		item = func(i int) any { return c.orgOut(rows[i], q.Full || q.FullService, q.FullService) }
	case ListTaxonomies:
		rows := c.taxonomies
		if s := strings.ToLower(q.Search); s != "" {
			rows = nil
			for _, t := range c.taxonomies {
				if strings.Contains(strings.ToLower(t.Name+"\n"+t.Description), s) {
					rows = append(rows, t)
				}
			}
		}
		n = len(rows)
		item = func(i int) any { return rows[i] }
	case ListTaxonomyTerms:
		var rows []*TaxonomyTerm
		s := strings.ToLower(q.Search)
		for _, t := range c.terms {
			switch {
			case s != "" && !strings.Contains(strings.ToLower(t.Code+"\n"+t.Name+"\n"+t.Description), s):
			case q.TaxonomyID != "" && !slices.Contains(termTaxonomies(t), q.TaxonomyID):
			case q.ParentID != "" && t.ParentID != q.ParentID:
			case q.TopOnly && t.ParentID != "":
			default:
				rows = append(rows, t)
			}
		}
		n = len(rows)
		item = func(i int) any { return rows[i] }
	default:
		return Page{}, fmt.Errorf("directory: no HSDS list %q", kind)
	}
	per, page := q.PerPage, q.Page
	if q.NDJSON {
		per, page = max(n, 1), 1
	}
	p := Page{TotalItems: n, PageNumber: page, Contents: []any{}}
	p.TotalPages = (n + per - 1) / per
	from := (page - 1) * per
	for i := from; i < n && i < from+per; i++ {
		p.Contents = append(p.Contents, item(i))
	}
	p.Size = len(p.Contents)
	p.FirstPage = page == 1
	p.LastPage = page >= p.TotalPages
	p.Empty = p.Size == 0
	return p, nil
}

func (c *Catalog) svcMatches(r *svcRow, q Query, search string) bool {
	switch {
	case search != "" && !strings.Contains(r.text, strings.ToLower(search)):
	case q.TaxonomyTermID != "" && !slices.Contains(r.termIDs, q.TaxonomyTermID):
	case q.TaxonomyID != "" && !slices.Contains(r.taxIDs, q.TaxonomyID):
	case q.OrganizationID != "" && r.orgID != q.OrganizationID:
	case !q.ModifiedAfter.IsZero() && (r.modified.IsZero() || r.modified.Before(q.ModifiedAfter)):
	default:
		return true
	}
	return false
}

// salList filters the service-at-locations. With a postcode the results
// are ordered by distance from its centroid (nearest first; those without
// coordinates last), and with proximity only those within that many metres
// are kept. Without proximity a postcode keeps the locations whose address
// has it.
func (c *Catalog) salList(q Query) ([]*salRow, error) {
	var centre LatLon
	if q.Postcode != "" {
		var ok bool
		if centre, ok = c.Postcode(q.Postcode); !ok {
			return nil, &QueryError{"postcode", fmt.Sprintf("no location of this directory has the postcode %q, so there is no point to measure from", q.Postcode)}
		}
	}
	type hit struct {
		r *salRow
		d float64
	}
	pc := normPostcode(q.Postcode)
	var hits []hit
	for _, r := range c.sals {
		if !c.svcMatches(r.svc, q, "") {
			continue
		}
		if q.Search != "" && !strings.Contains(r.text, strings.ToLower(q.Search)) {
			continue
		}
		h := hit{r, math.Inf(1)}
		if q.Postcode != "" {
			if r.hasPoint {
				h.d = chordKm(centre, r.pt) * 1000
			}
			if q.ProximityM > 0 {
				if h.d > q.ProximityM {
					continue
				}
			} else if !slices.Contains(r.postals, pc) {
				continue
			}
		}
		hits = append(hits, h)
	}
	if q.Postcode != "" {
		slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(a.d, b.d) })
	}
	out := make([]*salRow, len(hits))
	for i, h := range hits {
		out[i] = h.r
	}
	return out, nil
}

// Meta is the answer of the API's root: the HSDS version, the profile and
// where the OpenAPI document is.
type Meta struct {
	Version    string `json:"version"`
	Profile    string `json:"profile"`
	OpenAPIURL string `json:"openapi_url"`
}
