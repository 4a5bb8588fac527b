package directory

import (
	"fmt"
	"math/rand/v2"
)

// genTerms are the taxonomy terms the generator links, one per need and
// attribute, named as in needmap.json.
var genNeedTerms = []string{"legal_immigration", "shelter", "medical", "mental_health", "harm_reduction", "labour_rights", "language"}
var genAttrTerms = []string{"serves_trafficking_survivors", "sex_worker_led", "lgbtq_affirming", "no_id_required", "free", "confidential"}

var genCities = []struct {
	name     string
	lat, lon float64
}{
	{"Rivermouth", 51.50, -0.12}, {"Northgate", 53.48, -2.24}, {"Harbourview", 52.37, 4.90},
	{"Eastfield", 50.85, 4.35}, {"Lakeside", 52.52, 13.40}, {"Hilltown", 48.85, 2.35},
	{"Portside", 41.39, 2.17}, {"Westbrook", 40.71, -74.00}, {"Southbay", 34.05, -118.24}, {"Midvale", 41.88, -87.63},
}

var genLangs = []struct{ code, name string }{
	{"en", "English"}, {"es", "Spanish"}, {"fr", "French"}, {"pl", "Polish"}, {"ro", "Romanian"},
	{"uk", "Ukrainian"}, {"vi", "Vietnamese"}, {"zh", "Chinese"}, {"ar", "Arabic"}, {"tl", "Tagalog"},
	{"pt", "Portuguese"}, {"th", "Thai"},
}

// Generate makes a fictional directory of n services for tests, benchmarks
// and demos: organizations of five services each, a taxonomy with the terms
// of needmap.json, and each service at one or two locations around ten
// invented cities. The same rng gives the same directory. All names are made
// up; no real organization is described.
func Generate(n int, rng *rand.Rand) *Directory {
	d := &Directory{}
	tax := Taxonomy{ID: "discern-needs", Name: "Discern needs", Description: "Fictional taxonomy for generated directories"}
	d.Taxonomies = append(d.Taxonomies, tax)
	terms := map[string]*TaxonomyTerm{}
	for _, t := range append(append([]string{}, genNeedTerms...), append(genAttrTerms, "gender")...) {
		d.TaxonomyTerms = append(d.TaxonomyTerms, TaxonomyTerm{ID: "term-" + t, Code: t, Name: t, Description: "Generated term " + t, TaxonomyID: tax.ID})
	}
	for i := range d.TaxonomyTerms {
		terms[d.TaxonomyTerms[i].Code] = &d.TaxonomyTerms[i]
	}
	attr := func(id, code, value string) Attribute {
		t := terms[code]
		return Attribute{ID: id, TaxonomyTermID: t.ID, LinkType: "service", LinkEntity: "service", Value: value}
	}
	f := func(v float64) *float64 { return &v }
	var org *Organization
	for i := range n {
		if i%5 == 0 {
			d.Organizations = append(d.Organizations, Organization{
				ID: fmt.Sprintf("org-%06d", i/5), Name: fmt.Sprintf("Fictional Support Collective %d", i/5),
				Description: "A made-up organization for testing.",
			})
			org = &d.Organizations[len(d.Organizations)-1]
			if rng.IntN(6) == 0 {
				org.Attributes = append(org.Attributes, attr(org.ID+"-swl", "sex_worker_led", ""))
			}
		}
		id := fmt.Sprintf("svc-%06d", i)
		s := Service{ID: id, OrganizationID: org.ID, Name: fmt.Sprintf("Fictional service %d", i), Status: "active",
			Description: "A made-up service for testing."}
		if rng.IntN(20) == 0 {
			s.Status = "inactive"
		}
		for k, nt := range genNeedTerms {
			if k == 0 && rng.IntN(3) == 0 || rng.IntN(5) == 0 {
				s.Attributes = append(s.Attributes, attr(fmt.Sprintf("%s-n%d", id, k), nt, ""))
			}
		}
		if len(s.Attributes) == 0 {
			k := rng.IntN(len(genNeedTerms))
			s.Attributes = append(s.Attributes, attr(fmt.Sprintf("%s-n%d", id, k), genNeedTerms[k], ""))
		}
		for k, at := range genAttrTerms {
			if rng.IntN(6) == 0 {
				s.Attributes = append(s.Attributes, attr(fmt.Sprintf("%s-a%d", id, k), at, ""))
			}
		}
		switch rng.IntN(6) {
		case 0:
			s.Attributes = append(s.Attributes, attr(id+"-g", "gender", "female,transgender,non-binary"))
		case 1:
			s.Attributes = append(s.Attributes, attr(id+"-g", "gender", "male"))
		}
		switch rng.IntN(4) {
		case 0:
			s.MinimumAge = f(18)
		case 1:
			s.MinimumAge, s.MaximumAge = f(12), f(25)
		}
		for k := range 1 + rng.IntN(3) {
			l := genLangs[rng.IntN(len(genLangs))]
			s.Languages = append(s.Languages, Language{ID: fmt.Sprintf("%s-l%d", id, k), Name: l.name, Code: l.code})
		}
		if rng.IntN(4) == 0 {
			s.InterpretationServices = "Telephone interpreting on request"
		}
		if rng.IntN(10) != 0 { // some services are phone or online only
			for k := range 1 + rng.IntN(2) {
				c := genCities[rng.IntN(len(genCities))]
				lid := fmt.Sprintf("%s-loc%d", id, k)
				loc := Location{ID: lid, LocationType: "physical", Name: c.name + " drop-in",
					Latitude: f(c.lat + rng.NormFloat64()*0.15), Longitude: f(c.lon + rng.NormFloat64()*0.2)}
				s.ServiceAtLocations = append(s.ServiceAtLocations, ServiceAtLocation{ID: lid + "-sal", ServiceID: id, LocationID: lid, Location: &loc})
			}
		}
		d.Services = append(d.Services, s)
	}
	return d
}
