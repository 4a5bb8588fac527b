package directory

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func smallDir(t *testing.T) *Directory {
	t.Helper()
	in := `{
 "taxonomy_terms": [
  {"id":"t-legal","code":"immigration","name":"Immigration","description":"d"},
  {"id":"t-shelter","code":"emergency shelter","name":"Emergency Shelter","description":"d"},
  {"id":"t-mh","code":"x1","name":"Mental Health Care","description":"d"},
  {"id":"t-surv","code":"serves_trafficking_survivors","name":"Serves trafficking survivors","description":"d"},
  {"id":"t-swl","code":"sex_worker_led","name":"Sex worker led","description":"d"},
  {"id":"t-g","code":"gender","name":"Gender","description":"d"}
 ],
 "organizations": [{"id":"o-peer","name":"Peer Collective","description":"d","attributes":[{"id":"oa","taxonomy_term_id":"t-swl"}]}],
 "locations": [{"id":"l-near","location_type":"physical","latitude":51.51,"longitude":-0.13},
               {"id":"l-far","location_type":"physical","latitude":53.48,"longitude":-2.24}],
 "service_at_locations": [{"id":"sal1","service_id":"s-legal-near","location_id":"l-near"},
                          {"id":"sal2","service_id":"s-legal-far","location_id":"l-far"},
                          {"id":"sal3","service_id":"s-shelter-women","location_id":"l-near"}],
 "services": [
  {"id":"s-legal-near","name":"Legal near","status":"active","languages":[{"id":"l1","code":"pl","name":"Polish"}],
   "attributes":[{"id":"a1","taxonomy_term_id":"t-legal"},{"id":"a2","taxonomy_term_id":"t-surv"}]},
  {"id":"s-legal-far","name":"Legal far","status":"active","organization_id":"o-peer",
   "attributes":[{"id":"a3","taxonomy_term_id":"t-legal"}]},
  {"id":"s-shelter-women","name":"Shelter","status":"active","minimum_age":18,
   "attributes":[{"id":"a4","taxonomy_term_id":"t-shelter"},{"id":"a5","taxonomy_term_id":"t-g","value":"female, non-binary"}]},
  {"id":"s-youth-mh","name":"Youth counselling","status":"active","minimum_age":12,"maximum_age":25,
   "interpretation_services":"Interpreters on request",
   "attributes":[{"id":"a6","taxonomy_term":{"id":"t-mh2","name":"Counselling","description":"d"}}]},
  {"id":"s-closed","name":"Closed","status":"inactive","attributes":[{"id":"a7","taxonomy_term_id":"t-legal"}]}
 ]}`
	d, err := ImportJSON(strings.NewReader(in), "small.json")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func ids(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Service.ID)
	}
	return out
}

func TestMatch(t *testing.T) {
	d := smallDir(t)
	ix := NewIndex(d)
	age := func(n int) *int { return &n }
	london := &LatLon{51.5072, -0.1276}
	for _, tc := range []struct {
		name   string
		needs  Needs
		want   []string
		reason string // in the first match's reasons
		unmet  string // in the first match's unmet list
	}{
		{"legal, nearest first", Needs{Kinds: []Need{NeedLegalImmigration}, Location: london}, []string{"s-legal-near", "s-legal-far"}, "km away", ""},
		{"distance limit drops far", Needs{Kinds: []Need{NeedLegalImmigration}, Location: london, MaxDistanceKm: 50}, []string{"s-legal-near"}, "offers help with legal", ""},
		{"inactive never matches", Needs{Kinds: []Need{NeedLegalImmigration}}, []string{"s-legal-far", "s-legal-near"}, "", ""},
		{"attribute from organization ranks first", Needs{Kinds: []Need{NeedLegalImmigration}, Attributes: []string{"sex_worker_led"}}, []string{"s-legal-far", "s-legal-near"}, "is sex worker led", ""},
		{"survivor attribute", Needs{Kinds: []Need{NeedLegalImmigration}, Attributes: []string{"serves_trafficking_survivors"}}, []string{"s-legal-near", "s-legal-far"}, "serves trafficking survivors", ""},
		{"language ranks", Needs{Kinds: []Need{NeedLegalImmigration}, Languages: []string{"pl"}}, []string{"s-legal-near", "s-legal-far"}, "language(s) pl", ""},
		{"shelter excludes minors", Needs{Kinds: []Need{NeedShelter}, Age: age(16)}, nil, "", ""},
		{"shelter excludes by gender", Needs{Kinds: []Need{NeedShelter}, Gender: "male"}, nil, "", ""},
		{"shelter serves adult woman", Needs{Kinds: []Need{NeedShelter}, Age: age(30), Gender: "Female"}, []string{"s-shelter-women"}, "stated gender", ""},
		{"youth mental health by term name", Needs{Kinds: []Need{NeedMentalHealth}, Age: age(19)}, []string{"s-youth-mh"}, "aged 12 to 25", ""},
		{"too old for youth service", Needs{Kinds: []Need{NeedMentalHealth}, Age: age(40)}, nil, "", ""},
		{"interpretation answers language need", Needs{Kinds: []Need{NeedLanguage}, Languages: []string{"ro"}}, []string{"s-youth-mh"}, "interpretation", "does not list ro"},
		{"coverage beats distance", Needs{Kinds: []Need{NeedLegalImmigration, NeedShelter}, Location: london}, []string{"s-legal-near", "s-shelter-women", "s-legal-far"}, "", ""},
		{"no coordinates noted", Needs{Kinds: []Need{NeedMentalHealth}, Location: london}, []string{"s-youth-mh"}, "", "distance is unknown"},
		{"limit", Needs{Kinds: []Need{NeedLegalImmigration}, Limit: 1}, []string{"s-legal-far"}, "", ""},
		{"no needs, no matches", Needs{}, nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := ix.Match(tc.needs)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(ms); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if tc.reason != "" && !strings.Contains(strings.Join(ms[0].Reasons, "|"), tc.reason) {
				t.Fatalf("reasons %q lack %q", ms[0].Reasons, tc.reason)
			}
			if tc.unmet != "" && !strings.Contains(strings.Join(ms[0].Unmet, "|"), tc.unmet) {
				t.Fatalf("unmet %q lack %q", ms[0].Unmet, tc.unmet)
			}
		})
	}
}

func TestMatchRejectsUnknownNames(t *testing.T) {
	ix := NewIndex(smallDir(t))
	if _, err := ix.Match(Needs{Kinds: []Need{"shelterr"}}); err == nil {
		t.Fatal("unknown need accepted")
	}
	if _, err := ix.Match(Needs{Kinds: []Need{NeedShelter}, Attributes: []string{"nope"}}); err == nil {
		t.Fatal("unknown attribute accepted")
	}
}

func TestHaversine(t *testing.T) {
	// London to Paris is about 344 km.
	if d := Haversine(LatLon{51.5072, -0.1276}, LatLon{48.8566, 2.3522}); d < 340 || d > 348 {
		t.Fatalf("London–Paris = %.1f km", d)
	}
	if d := Haversine(LatLon{0, 179.9}, LatLon{0, -179.9}); d > 25 {
		t.Fatalf("across the antimeridian = %.1f km", d)
	}
}

// The index must agree with a plain scan over a generated directory.
func TestMatchAgreesWithScan(t *testing.T) {
	d := Generate(2000, rand.New(rand.NewPCG(1, 2)))
	ix := NewIndex(d)
	rng := rand.New(rand.NewPCG(3, 4))
	for q := range 50 {
		n := randomNeeds(rng)
		n.Limit = 5000
		ms, err := ix.Match(n)
		if err != nil {
			t.Fatal(err)
		}
		// Every match covers a need and respects the distance limit.
		for _, m := range ms {
			if len(m.Covered) == 0 {
				t.Fatalf("query %d: %s covers no need", q, m.Service.ID)
			}
			if n.MaxDistanceKm > 0 && m.DistanceKm > n.MaxDistanceKm {
				t.Fatalf("query %d: %s at %.1f km > %.1f", q, m.Service.ID, m.DistanceKm, n.MaxDistanceKm)
			}
		}
		// Nothing that should match is missing: count by brute force on a
		// one-service index per service would be slow; instead check the
		// count against an index with no distance limit filtered by hand.
		n2 := n
		n2.MaxDistanceKm = 0
		all, _ := ix.Match(n2)
		want := 0
		for _, m := range all {
			if n.MaxDistanceKm == 0 || n.Location == nil || m.DistanceKm < 0 || m.DistanceKm <= n.MaxDistanceKm {
				want++
			}
		}
		if len(ms) != want {
			t.Fatalf("query %d: %d matches, want %d", q, len(ms), want)
		}
	}
}

func TestGeneratedDirectoryIsValidHSDS(t *testing.T) {
	d := Generate(50, rand.New(rand.NewPCG(5, 6)))
	var buf bytes.Buffer
	if err := ExportJSON(&buf, d); err != nil {
		t.Fatal(err)
	}
	d2, err := ImportJSON(&buf, "generated.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(d2.Services) != 50 {
		t.Fatalf("%d services", len(d2.Services))
	}
}

func randomNeeds(rng *rand.Rand) Needs {
	all := NeedNames()
	n := Needs{Languages: []string{genLangs[rng.IntN(len(genLangs))].code}}
	for range 1 + rng.IntN(3) {
		n.Kinds = append(n.Kinds, all[rng.IntN(len(all))])
	}
	if rng.IntN(2) == 0 {
		a := 10 + rng.IntN(50)
		n.Age = &a
	}
	n.Gender = []string{"", "female", "male", "non-binary"}[rng.IntN(4)]
	c := genCities[rng.IntN(len(genCities))]
	n.Location = &LatLon{c.lat, c.lon}
	n.MaxDistanceKm = []float64{0, 10, 25, 100}[rng.IntN(4)]
	if rng.IntN(2) == 0 {
		n.Attributes = []string{genAttrTerms[rng.IntN(2)]}
	}
	return n
}

// BenchmarkMatch100k matches random needs against 100,000 generated
// services and reports p50/p95/p99 per-query latency.
func BenchmarkMatch100k(b *testing.B) {
	d := Generate(100_000, rand.New(rand.NewPCG(7, 8)))
	ix := NewIndex(d)
	rng := rand.New(rand.NewPCG(9, 10))
	queries := make([]Needs, 1000)
	for i := range queries {
		queries[i] = randomNeeds(rng)
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start := time.Now()
		if _, err := ix.Match(q); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// The flat tabular form of a directory matches exactly like its nested
// JSON form: attributes, languages and locations are followed by id.
func TestMatchFlatEqualsNested(t *testing.T) {
	d := Generate(500, rand.New(rand.NewPCG(11, 12)))
	files := exportFiles(t, d)
	m := map[string]*fstest.MapFile{}
	for n, b := range files {
		m[n] = &fstest.MapFile{Data: b}
	}
	flat, err := ImportTabular(fstest.MapFS(m), "flat")
	if err != nil {
		t.Fatal(err)
	}
	if len(flat.Attributes) == 0 || len(flat.Languages) == 0 || len(flat.Locations) == 0 {
		t.Fatal("tabular import did not stay flat")
	}
	// And organization_full style: services nested in their organization.
	var orgNested Directory
	orgNested.TaxonomyTerms = d.TaxonomyTerms
	for _, o := range d.Organizations {
		for _, s := range d.Services {
			if s.OrganizationID == o.ID {
				o.Services = append(o.Services, s)
			}
		}
		orgNested.Organizations = append(orgNested.Organizations, o)
	}
	a, b, c := NewIndex(d), NewIndex(flat), NewIndex(&orgNested)
	rng := rand.New(rand.NewPCG(13, 14))
	for q := range 40 {
		n := randomNeeds(rng)
		n.Limit = 1000
		ma, err := a.Match(n)
		if err != nil {
			t.Fatal(err)
		}
		mb, _ := b.Match(n)
		mc, _ := c.Match(n)
		if len(ma) == 0 && q < 5 {
			t.Logf("query %d matched nothing", q)
		}
		if !slices.Equal(ids(ma), ids(mb)) || !slices.Equal(ids(ma), ids(mc)) {
			t.Fatalf("query %d: nested %v\nflat %v\norg-nested %v", q, ids(ma), ids(mb), ids(mc))
		}
	}
}

// BenchmarkNewIndex100k measures building the index over 100,000 services.
func BenchmarkNewIndex100k(b *testing.B) {
	d := Generate(100_000, rand.New(rand.NewPCG(7, 8)))
	for b.Loop() {
		NewIndex(d)
	}
}
