package directory

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Need is a kind of help a person may ask for, as a screening result names it.
type Need string

// The needs the mapping table (needmap.json) knows.
const (
	NeedLegalImmigration Need = "legal_immigration"
	NeedShelter          Need = "shelter"
	NeedMedical          Need = "medical"
	NeedMentalHealth     Need = "mental_health"
	NeedHarmReduction    Need = "harm_reduction"
	NeedLabourRights     Need = "labour_rights"
	NeedLanguage         Need = "language"
)

// needMapJSON maps needs and attributes to HSDS taxonomy terms. It is data:
// a directory that uses other term names is served by adding them there.
//
//go:embed needmap.json
var needMapJSON []byte

type needMap struct {
	Needs      map[string][]string `json:"needs"`
	Attributes map[string][]string `json:"attributes"`
	GenderTerm []string            `json:"gender_term"`
	FromResult struct {
		Pathways   map[string][]Need `json:"pathways"`
		Alerts     map[string][]Need `json:"alerts"`
		Indicators map[string][]Need `json:"indicators"`
		Rights     map[string][]Need `json:"rights"`
	} `json:"from_result"`
}

// ResultIDs are the ids of a screening result that may suggest needs: the
// pathways found eligible or possible, the alerts raised, the indicators
// present and the rights items offered.
type ResultIDs struct {
	Pathways, Alerts, Indicators, Rights []string
}

// SuggestNeeds returns the needs the from_result section of needmap.json
// links to ids, in NeedNames order. They are suggestions for a worker and
// the person to choose from, never a decision.
func SuggestNeeds(ids ResultIDs) []Need {
	m := loadNeedMap()
	set := map[Need]bool{}
	for _, part := range []struct {
		ids []string
		m   map[string][]Need
	}{{ids.Pathways, m.FromResult.Pathways}, {ids.Alerts, m.FromResult.Alerts}, {ids.Indicators, m.FromResult.Indicators}, {ids.Rights, m.FromResult.Rights}} {
		for _, id := range part.ids {
			for _, n := range part.m[id] {
				set[n] = true
			}
		}
	}
	var out []Need
	for _, n := range NeedNames() {
		if set[n] {
			out = append(out, n)
		}
	}
	return out
}

// FromResultIDs lists every id the from_result mapping names, by section
// (pathways, alerts, indicators, rights), so a test can check them
// against the content.
func FromResultIDs() map[string][]string {
	m := loadNeedMap()
	out := map[string][]string{}
	for name, sec := range map[string]map[string][]Need{"pathways": m.FromResult.Pathways, "alerts": m.FromResult.Alerts,
		"indicators": m.FromResult.Indicators, "rights": m.FromResult.Rights} {
		for id, needs := range sec {
			if len(needs) > 0 {
				out[name] = append(out[name], id)
			}
		}
		slices.Sort(out[name])
	}
	return out
}

// NeedNames lists the needs the mapping knows, sorted.
func NeedNames() []Need {
	m := loadNeedMap()
	var out []Need
	for n := range m.Needs {
		out = append(out, Need(n))
	}
	slices.Sort(out)
	return out
}

func loadNeedMap() *needMap {
	var m needMap
	if err := json.Unmarshal(needMapJSON, &m); err != nil {
		panic("directory: embedded needmap.json: " + err.Error()) // a build-time bug, caught by every test
	}
	return &m
}

// LatLon is a point in decimal degrees (WGS 84).
type LatLon struct{ Lat, Lon float64 }

// Needs is what a person asks for. Zero values mean "not stated": no age,
// no gender, no language, no distance limit.
type Needs struct {
	Kinds         []Need
	Age           *int     // years; nil when not known
	Gender        string   // free text compared with the service's gender eligibility, e.g. "female"
	Languages     []string // ISO 639 codes ("pl", "ro") or names, most preferred first
	Location      *LatLon  // where the person is, if they chose to say
	MaxDistanceKm float64  // 0: no limit
	Attributes    []string // wanted qualities, e.g. "serves_trafficking_survivors", "sex_worker_led"
	Limit         int      // at most this many matches; 0 means 20
}

// Match is one service that answers at least one need, with the reasons.
type Match struct {
	Service    *Service
	Location   *Location // the nearest location with coordinates, if any
	DistanceKm float64   // to Location; -1 when unknown
	Covered    []Need    // needs this service answers
	Reasons    []string  // plain sentences: why it matched
	Unmet      []string  // plain sentences: preferences it does not meet or does not state
	// Why and Gaps say the same as Reasons and Unmet, one Point each, as
	// keys and values, for an interface that words them in its own
	// languages.
	Why, Gaps []Point
}

// Point is one reason or gap of a Match. Keys of Why: need (Value: the
// need), age (the range served), gender (the genders served), language
// (the languages shared), interpretation (the service's words), attribute
// (the attribute), distance (kilometres, one decimal). Keys of Gaps: need,
// age (no range stated), gender (none stated), language (the languages
// asked for), attribute, distance (no coordinates).
type Point struct{ Key, Value string }

// Index is an in-memory matching index over a Directory. Build it once with
// NewIndex; Match is then safe for concurrent use. The Directory must not
// change while the index is in use.
type Index struct {
	needBits  map[string]uint32 // normalised term → need bits
	attrBits  map[string]uint32 // normalised term → attribute bits
	genderKey map[string]bool
	needs     []Need   // bit i ↔ needs[i]
	attrs     []string // bit i ↔ attrs[i]
	langs     map[string]int32
	svc       []entry
	byNeed    [][]int32 // need bit → service positions, ascending
}

type entry struct {
	s        *Service
	needs    uint32
	attrs    uint32
	minAge   float64 // -1: not stated
	maxAge   float64 // -1: not stated
	genders  []string
	langs    []int32
	interp   bool
	locs     []*Location
	lat, lon []float64
	xyz      []float64 // unit vectors of locs, 3 per location
}

// NewIndex indexes the active services of d (status "active", or no status).
func NewIndex(d *Directory) *Index {
	m := loadNeedMap()
	ix := &Index{needBits: map[string]uint32{}, attrBits: map[string]uint32{}, genderKey: map[string]bool{}, langs: map[string]int32{}}
	for n := range m.Needs {
		ix.needs = append(ix.needs, Need(n))
	}
	slices.Sort(ix.needs)
	for i, n := range ix.needs {
		for _, t := range m.Needs[string(n)] {
			ix.needBits[norm(t)] |= 1 << i
		}
	}
	for a := range m.Attributes {
		ix.attrs = append(ix.attrs, a)
	}
	slices.Sort(ix.attrs)
	for i, a := range ix.attrs {
		for _, t := range m.Attributes[a] {
			ix.attrBits[norm(t)] |= 1 << i
		}
	}
	for _, g := range m.GenderTerm {
		ix.genderKey[norm(g)] = true
	}
	ix.byNeed = make([][]int32, len(ix.needs))

	terms := map[string]*TaxonomyTerm{}
	for i := range d.TaxonomyTerms {
		terms[d.TaxonomyTerms[i].ID] = &d.TaxonomyTerms[i]
	}
	orgs := map[string]*Organization{}
	for i := range d.Organizations {
		orgs[d.Organizations[i].ID] = &d.Organizations[i]
	}
	locs := map[string]*Location{}
	for i := range d.Locations {
		locs[d.Locations[i].ID] = &d.Locations[i]
	}
	// The tabular form links attributes and languages by id instead of
	// nesting them.
	attrByLink := map[string][]Attribute{}
	for _, a := range d.Attributes {
		attrByLink[a.LinkID] = append(attrByLink[a.LinkID], a)
	}
	langByOwner := map[string][]Language{}
	for _, l := range d.Languages {
		if l.ServiceID != "" {
			langByOwner[l.ServiceID] = append(langByOwner[l.ServiceID], l)
		}
		if l.LocationID != "" && l.LocationID != l.ServiceID {
			langByOwner[l.LocationID] = append(langByOwner[l.LocationID], l)
		}
	}
	salBySvc := map[string][]*ServiceAtLocation{}
	for i := range d.ServiceAtLocations {
		s := &d.ServiceAtLocations[i]
		salBySvc[s.ServiceID] = append(salBySvc[s.ServiceID], s)
	}

	var svcs []*Service
	nestedIn := map[*Service]*Organization{} // services of organization_full documents
	for i := range d.Services {
		svcs = append(svcs, &d.Services[i])
	}
	for i := range d.Organizations {
		o := &d.Organizations[i]
		for j := range o.Services {
			nestedIn[&o.Services[j]] = o
			svcs = append(svcs, &o.Services[j])
		}
	}
	for i := range d.ServiceAtLocations {
		sal := &d.ServiceAtLocations[i]
		if sal.Service != nil {
			svcs = append(svcs, sal.Service)
			if sal.ServiceID == "" {
				salBySvc[sal.Service.ID] = append(salBySvc[sal.Service.ID], sal)
			}
		}
	}
	seenSvc := map[*Service]bool{}
	for _, s := range svcs {
		if seenSvc[s] {
			continue
		}
		seenSvc[s] = true
		if s.Status != "" && s.Status != "active" {
			continue
		}
		e := entry{s: s, minAge: -1, maxAge: -1}
		if s.MinimumAge != nil {
			e.minAge = *s.MinimumAge
		}
		if s.MaximumAge != nil {
			e.maxAge = *s.MaximumAge
		}
		e.interp = strings.TrimSpace(s.InterpretationServices) != ""
		if e.interp {
			e.needs |= ix.needBits[string(NeedLanguage)]
		}
		attrs := append(slices.Clip(s.Attributes), attrByLink[s.ID]...)
		org := s.Organization
		if org == nil {
			org = nestedIn[s]
		}
		if org == nil {
			org = orgs[s.OrganizationID]
		}
		if org != nil {
			attrs = append(attrs, org.Attributes...)
		}
		if s.OrganizationID != "" {
			attrs = append(attrs, attrByLink[s.OrganizationID]...)
		} else if org != nil {
			attrs = append(attrs, attrByLink[org.ID]...)
		}
		for _, a := range attrs {
			t := a.TaxonomyTerm
			if t == nil {
				t = terms[a.TaxonomyTermID]
			}
			var keys []string
			if t != nil {
				keys = []string{norm(t.Code), norm(t.Name)}
			}
			for _, k := range keys {
				if k == "" {
					continue
				}
				e.needs |= ix.needBits[k]
				e.attrs |= ix.attrBits[k]
				if ix.genderKey[k] {
					for _, g := range strings.Split(a.Value, ",") {
						if g = norm(g); g != "" {
							e.genders = append(e.genders, g)
						}
					}
				}
			}
		}
		addLang := func(l Language) {
			for _, k := range []string{norm(l.Code), norm(l.Name)} {
				if k == "" {
					continue
				}
				id, ok := ix.langs[k]
				if !ok {
					id = int32(len(ix.langs))
					ix.langs[k] = id
				}
				if !slices.Contains(e.langs, id) {
					e.langs = append(e.langs, id)
				}
			}
		}
		for _, l := range s.Languages {
			addLang(l)
		}
		for _, l := range langByOwner[s.ID] {
			addLang(l)
		}
		addLoc := func(l *Location) {
			if l == nil || l.Latitude == nil || l.Longitude == nil || slices.Contains(e.locs, l) {
				return
			}
			e.locs = append(e.locs, l)
			e.lat = append(e.lat, *l.Latitude)
			e.lon = append(e.lon, *l.Longitude)
			x, y, z := unit(LatLon{*l.Latitude, *l.Longitude})
			e.xyz = append(e.xyz, x, y, z)
		}
		sals := salBySvc[s.ID]
		for j := range s.ServiceAtLocations {
			sals = append(sals, &s.ServiceAtLocations[j])
		}
		for _, sal := range sals {
			l := sal.Location
			if l == nil {
				l = locs[sal.LocationID]
			}
			addLoc(l)
			if l != nil {
				for _, lg := range l.Languages {
					addLang(lg)
				}
				for _, lg := range langByOwner[l.ID] {
					addLang(lg)
				}
			}
		}
		pos := int32(len(ix.svc))
		ix.svc = append(ix.svc, e)
		for b := range ix.needs {
			if e.needs&(1<<b) != 0 {
				ix.byNeed[b] = append(ix.byNeed[b], pos)
			}
		}
	}
	return ix
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Len is the number of services indexed.
func (ix *Index) Len() int { return len(ix.svc) }

// Match finds services for n. A service must answer at least one need,
// must not exclude the person by age or gender, and must be within
// MaxDistanceKm when both a location and a limit are given (a service
// without coordinates is kept, and says so in Unmet). Ranking: more needs
// covered, then eligibility stated and met, then a shared language, then
// more wanted attributes, then nearer, then service id.
// Unknown needs are an error, so a typo never silently matches nothing.
func (ix *Index) Match(n Needs) ([]Match, error) {
	var want uint32
	for _, k := range n.Kinds {
		i := slices.Index(ix.needs, k)
		if i < 0 {
			return nil, fmt.Errorf("unknown need %q (known: %v)", k, ix.needs)
		}
		want |= 1 << i
	}
	var wantAttr uint32
	for _, a := range n.Attributes {
		i := slices.Index(ix.attrs, a)
		if i < 0 {
			return nil, fmt.Errorf("unknown attribute %q (known: %v)", a, ix.attrs)
		}
		wantAttr |= 1 << i
	}
	if want == 0 {
		return nil, nil
	}
	var langIDs []int32
	for _, l := range n.Languages {
		if id, ok := ix.langs[norm(l)]; ok {
			langIDs = append(langIDs, id)
		}
	}
	gender := norm(n.Gender)
	limit := n.Limit
	if limit <= 0 {
		limit = 20
	}

	// Walk the posting lists of the wanted needs as one ascending merge
	// would; a seen-bitmap is cheaper for a handful of lists.
	type cand struct {
		pos                      int32
		covered, elig, lang, att int
		dist                     float64
	}
	better := func(a, b cand) bool {
		switch {
		case a.covered != b.covered:
			return a.covered > b.covered
		case a.elig != b.elig:
			return a.elig > b.elig
		case a.lang != b.lang:
			return a.lang > b.lang
		case a.att != b.att:
			return a.att > b.att
		case a.dist != b.dist:
			return distKey(a.dist) < distKey(b.dist)
		}
		return ix.svc[a.pos].s.ID < ix.svc[b.pos].s.ID
	}
	top := make([]cand, 0, limit+1)
	var seen []uint64
	lists := 0
	for b := range ix.needs {
		if want&(1<<b) != 0 {
			lists++
		}
	}
	if lists > 1 {
		seen = make([]uint64, (len(ix.svc)+63)/64)
	}
	// Distances are compared as squared chord lengths between unit
	// vectors, which order like great-circle distances and cost three
	// multiplications; kilometres are worked out for the top matches only.
	var qx, qy, qz float64
	maxChord2 := math.Inf(1)
	if n.Location != nil {
		qx, qy, qz = unit(*n.Location)
		if n.MaxDistanceKm > 0 {
			c := 2 * math.Sin(math.Min(n.MaxDistanceKm/earthRadiusKm/2, math.Pi/2))
			maxChord2 = c * c * (1 + 1e-9)
		}
	}
	for b := range ix.needs {
		if want&(1<<b) == 0 {
			continue
		}
		for _, pos := range ix.byNeed[b] {
			if seen != nil {
				if seen[pos/64]&(1<<(pos%64)) != 0 {
					continue
				}
				seen[pos/64] |= 1 << (pos % 64)
			}
			e := &ix.svc[pos]
			elig := 0
			if n.Age != nil && (e.minAge >= 0 || e.maxAge >= 0) {
				a := float64(*n.Age)
				if (e.minAge >= 0 && a < e.minAge) || (e.maxAge > 0 && a > e.maxAge) {
					continue
				}
				elig++
			}
			if gender != "" && len(e.genders) > 0 {
				if !slices.Contains(e.genders, gender) && !slices.Contains(e.genders, "all") {
					continue
				}
				elig++
			}
			c := cand{pos: pos, covered: popcount(e.needs & want), elig: elig, att: popcount(e.attrs & wantAttr), dist: -1}
			if n.Location != nil {
				c.dist = nearestChord2(e, qx, qy, qz)
				if c.dist > maxChord2 {
					continue
				}
			}
			for _, id := range langIDs {
				if slices.Contains(e.langs, id) {
					c.lang = 1
					break
				}
			}
			if len(top) == limit && !better(c, top[limit-1]) {
				continue
			}
			i, _ := slices.BinarySearchFunc(top, c, func(x, y cand) int {
				if better(x, y) {
					return -1
				}
				return 1
			})
			top = slices.Insert(top, i, c)
			if len(top) > limit {
				top = top[:limit]
			}
		}
	}
	out := make([]Match, 0, len(top))
	for _, c := range top {
		out = append(out, ix.explain(&ix.svc[c.pos], n, want, wantAttr, c.dist))
	}
	return out, nil
}

// distKey orders unknown distances after every known one.
func distKey(d float64) float64 {
	if d < 0 {
		return math.Inf(1)
	}
	return d
}

func popcount(x uint32) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

const earthRadiusKm = 6371.0088 // mean Earth radius

func unit(p LatLon) (x, y, z float64) {
	la, lo := p.Lat*math.Pi/180, p.Lon*math.Pi/180
	return math.Cos(la) * math.Cos(lo), math.Cos(la) * math.Sin(lo), math.Sin(la)
}

// nearestChord2 is the squared chord to the nearest location of e, -1
// without coordinates.
func nearestChord2(e *entry, qx, qy, qz float64) float64 {
	if len(e.xyz) == 0 {
		return -1
	}
	best := math.Inf(1)
	for i := 0; i+2 < len(e.xyz); i += 3 {
		dx, dy, dz := e.xyz[i]-qx, e.xyz[i+1]-qy, e.xyz[i+2]-qz
		if d := dx*dx + dy*dy + dz*dz; d < best {
			best = d
		}
	}
	return best
}

// Haversine is the great-circle distance in kilometres.
func Haversine(a, b LatLon) float64 {
	const r = earthRadiusKm
	la1, la2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dla := la2 - la1
	dlo := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// explain writes the reasons for one match; only the top matches pay for it.
func (ix *Index) explain(e *entry, n Needs, want, wantAttr uint32, dist float64) Match {
	m := Match{Service: e.s, DistanceKm: -1}
	for b, need := range ix.needs {
		if want&(1<<b) == 0 {
			continue
		}
		if e.needs&(1<<b) != 0 {
			m.Covered = append(m.Covered, need)
			m.Reasons = append(m.Reasons, "offers help with "+needLabel(need))
			m.Why = append(m.Why, Point{"need", string(need)})
		} else {
			m.Unmet = append(m.Unmet, "does not list help with "+needLabel(need))
			m.Gaps = append(m.Gaps, Point{"need", string(need)})
		}
	}
	if n.Age != nil {
		switch {
		case e.minAge >= 0 || e.maxAge > 0:
			m.Reasons = append(m.Reasons, fmt.Sprintf("serves people aged %s", ageRange(e.minAge, e.maxAge)))
			m.Why = append(m.Why, Point{"age", ageRange(e.minAge, e.maxAge)})
		default:
			m.Unmet = append(m.Unmet, "does not state an age range")
			m.Gaps = append(m.Gaps, Point{"age", ""})
		}
	}
	if n.Gender != "" {
		if len(e.genders) > 0 {
			m.Reasons = append(m.Reasons, "serves people of the stated gender ("+strings.Join(e.genders, ", ")+")")
			m.Why = append(m.Why, Point{"gender", strings.Join(e.genders, ", ")})
		} else {
			m.Unmet = append(m.Unmet, "does not state which genders it serves")
			m.Gaps = append(m.Gaps, Point{"gender", ""})
		}
	}
	if len(n.Languages) > 0 {
		var got []string
		for _, l := range n.Languages {
			if id, ok := ix.langs[norm(l)]; ok && slices.Contains(e.langs, id) {
				got = append(got, l)
			}
		}
		switch {
		case len(got) > 0:
			m.Reasons = append(m.Reasons, "offers the language(s) "+strings.Join(got, ", "))
			m.Why = append(m.Why, Point{"language", strings.Join(got, ", ")})
		case e.interp:
			m.Reasons = append(m.Reasons, "offers interpretation: "+e.s.InterpretationServices)
			m.Unmet = append(m.Unmet, "does not list "+strings.Join(n.Languages, " or ")+" among its languages")
			m.Why = append(m.Why, Point{"interpretation", e.s.InterpretationServices})
			m.Gaps = append(m.Gaps, Point{"language", strings.Join(n.Languages, ", ")})
		default:
			m.Unmet = append(m.Unmet, "does not list "+strings.Join(n.Languages, " or ")+" among its languages")
			m.Gaps = append(m.Gaps, Point{"language", strings.Join(n.Languages, ", ")})
		}
	}
	for b, a := range ix.attrs {
		if wantAttr&(1<<b) == 0 {
			continue
		}
		if e.attrs&(1<<b) != 0 {
			m.Reasons = append(m.Reasons, "is "+strings.ReplaceAll(a, "_", " "))
			m.Why = append(m.Why, Point{"attribute", a})
		} else {
			m.Unmet = append(m.Unmet, "does not say it is "+strings.ReplaceAll(a, "_", " "))
			m.Gaps = append(m.Gaps, Point{"attribute", a})
		}
	}
	if n.Location != nil {
		if dist >= 0 {
			m.DistanceKm = math.Inf(1)
			for i := range e.lat {
				if km := Haversine(*n.Location, LatLon{e.lat[i], e.lon[i]}); km < m.DistanceKm {
					m.DistanceKm, m.Location = km, e.locs[i]
				}
			}
			m.Reasons = append(m.Reasons, fmt.Sprintf("is %.1f km away", m.DistanceKm))
			m.Why = append(m.Why, Point{"distance", fmt.Sprintf("%.1f", m.DistanceKm)})
		} else {
			m.Unmet = append(m.Unmet, "has no location with coordinates, so its distance is unknown")
			m.Gaps = append(m.Gaps, Point{"distance", ""})
		}
	}
	return m
}

func ageRange(lo, hi float64) string {
	switch {
	case lo >= 0 && hi > 0:
		return fmt.Sprintf("%g to %g", lo, hi)
	case lo >= 0:
		return fmt.Sprintf("%g and over", lo)
	}
	return fmt.Sprintf("up to %g", hi)
}

func needLabel(n Need) string {
	switch n {
	case NeedLegalImmigration:
		return "legal and immigration matters"
	case NeedMentalHealth:
		return "mental health"
	case NeedHarmReduction:
		return "harm reduction"
	case NeedLabourRights:
		return "labour rights"
	case NeedLanguage:
		return "language (interpretation or translation)"
	}
	return string(n)
}

// MatchDirectory indexes d and matches n; for many queries build an Index once.
func MatchDirectory(d *Directory, n Needs) ([]Match, error) { return NewIndex(d).Match(n) }
