package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/demo"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
)

type hsdsPage struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// hsdsSession is a signed-in caseworker of a new organization.
func hsdsSession(t *testing.T, s *testServer) string {
	t.Helper()
	o := s.org("Directory Readers")
	s.user(o.ID, "reader@directory.example.org", discern.RoleScreener, "")
	sess, _ := s.signIn("reader@directory.example.org", "")
	return sess
}

func ids(t *testing.T, p hsdsPage) []string {
	t.Helper()
	var out []string
	for _, c := range p.Contents {
		var x struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(c, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x.ID)
	}
	return out
}

func TestHSDSReadAPI(t *testing.T) {
	s := newTestServer(t)
	sess := hsdsSession(t, s)
	get := func(path string) *response { return s.do(req{method: "GET", path: path, session: sess}) }
	page := func(path string) hsdsPage {
		t.Helper()
		r := get(path)
		expect(t, r, http.StatusOK)
		var p hsdsPage
		r.decode(t, &p)
		return p
	}

	// Not public: the directory names confidential services.
	r := s.do(req{method: "GET", path: "/hsds/services"})
	expect(t, r, http.StatusUnauthorized)

	var meta directory.Meta
	r = get("/hsds/")
	expect(t, r, http.StatusOK)
	r.decode(t, &meta)
	if meta.Version != "3.0" || !strings.HasPrefix(meta.OpenAPIURL, "https://") {
		t.Errorf("meta %+v", meta)
	}

	// The HSDS example service, in its full form.
	r = get("/hsds/services/ac148810-d857-441c-9679-408f346de14b")
	expect(t, r, http.StatusOK)
	var full directory.Service
	r.decode(t, &full)
	if full.Name != "Community Counselling" || full.Organization == nil || len(full.Phones) == 0 || len(full.ServiceAtLocations) == 0 {
		t.Errorf("full service: %s", r)
	}
	// …which validates as HSDS on the way back in.
	if _, err := directory.ImportJSON(bytes.NewReader(r.body), "response"); err != nil {
		t.Errorf("the served service is not valid HSDS: %v", err)
	}
	p := page("/hsds/services?search=community+counselling")
	if p.TotalItems != 1 || ids(t, p)[0] != "ac148810-d857-441c-9679-408f346de14b" || bytes.Contains(p.Contents[0], []byte(`"phones"`)) {
		t.Errorf("search: %+v", p)
	}
	for _, path := range []string{
		"/hsds/service_at_locations/e94c9f38-1e8f-4564-91d4-d53501ab1765",
		"/hsds/organizations/d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610?full_service=true",
		"/hsds/taxonomies/5c4d79d7-cc55-470e-9f1f-8cad074e4892",
		"/hsds/taxonomy_terms/3f7b145d-84af-42d7-8fae-eaca714b02b2",
		"/hsds/organizations/" + demo.LegalAidOrgID,
	} {
		expect(t, get(path), http.StatusOK)
	}
	for _, path := range []string{"/hsds/services/nope", "/hsds/organizations/nope", "/hsds/taxonomy_terms/nope"} {
		r := get(path)
		expect(t, r, http.StatusNotFound)
		r.problem(t)
	}

	// Paging edges, over the 31 services (30 demo + 1 example).
	all := page("/hsds/services?per_page=1000")
	n := all.TotalItems
	if n != 31 || all.TotalPages != 1 || !all.FirstPage || !all.LastPage || all.Empty || all.Size != n {
		t.Fatalf("all services: total %d pages %d", all.TotalItems, all.TotalPages)
	}
	if !slices.IsSorted(ids(t, all)) {
		t.Error("services are not in id order")
	}
	p1, p4 := page("/hsds/services?per_page=10"), page("/hsds/services?per_page=10&page=4")
	if p1.TotalPages != 4 || p1.Size != 10 || !p1.FirstPage || p1.LastPage || p1.PageNumber != 1 {
		t.Errorf("first page %+v", p1)
	}
	if p4.Size != 1 || p4.FirstPage || !p4.LastPage || p4.PageNumber != 4 || ids(t, p4)[0] != ids(t, all)[30] {
		t.Errorf("last page %+v", p4)
	}
	past := page("/hsds/services?per_page=10&page=5")
	if past.Size != 0 || !past.Empty || past.TotalItems != n || past.Contents == nil || !past.LastPage {
		t.Errorf("past the end %+v", past)
	}
	var joined []string
	for i := 1; i <= 4; i++ {
		joined = append(joined, ids(t, page("/hsds/services?per_page=10&page="+string(rune('0'+i))))...)
	}
	if !slices.Equal(joined, ids(t, all)) {
		t.Error("the pages together are not the whole list")
	}
	none := page("/hsds/services?search=zzzz-nothing")
	if none.TotalItems != 0 || none.TotalPages != 0 || !none.Empty || none.Contents == nil {
		t.Errorf("empty result %+v", none)
	}

	// Filters.
	legal := page("/hsds/services?organization_id=" + demo.LegalAidOrgID)
	if legal.TotalItems != 2 {
		t.Errorf("the legal-aid partner has %d services, want 2", legal.TotalItems)
	}
	shelterTerm := "00000000-0000-4000-8000-00000000d002"
	if sh := page("/hsds/services?taxonomy_term_id=" + shelterTerm); sh.TotalItems < 4 {
		t.Errorf("%d shelter services", sh.TotalItems)
	}
	if tx := page("/hsds/services?taxonomy_id=00000000-0000-4000-8000-00000000d000"); tx.TotalItems != 30 {
		t.Errorf("%d services with a demo taxonomy term, want 30", tx.TotalItems)
	}
	if m := page("/hsds/services?modified_after=2026-09-01T00:00:00Z"); m.TotalItems == 0 || m.TotalItems >= 30 {
		t.Errorf("modified_after kept %d", m.TotalItems)
	}
	min := page("/hsds/services?minimal=true&per_page=2")
	if string(min.Contents[0])[0] != '{' || !bytes.Contains(min.Contents[0], []byte(`"last_modified"`)) || bytes.Contains(min.Contents[0], []byte(`"name"`)) {
		t.Errorf("minimal form %s", min.Contents[0])
	}
	if tt := page("/hsds/taxonomy_terms?taxonomy_id=00000000-0000-4000-8000-00000000d000"); tt.TotalItems != 14 {
		t.Errorf("%d demo terms", tt.TotalItems)
	}
	if o := page("/hsds/organizations?search=legal+aid"); o.TotalItems != 1 {
		t.Errorf("organization search: %d", o.TotalItems)
	}

	// NDJSON: every result, one per line.
	r = get("/hsds/services?format=ndjson")
	expect(t, r, http.StatusOK)
	if lines := bytes.Count(r.body, []byte("\n")); lines != n || r.header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("ndjson: %d lines, %s", lines, r.header.Get("Content-Type"))
	}

	// Invalid parameters are problems naming the parameter.
	for path, field := range map[string]string{
		"/hsds/services?page=0":                                 "page",
		"/hsds/services?per_page=abc":                           "per_page",
		"/hsds/services?colour=red":                             "colour",
		"/hsds/services?modified_after=soon":                    "modified_after",
		"/hsds/service_at_locations?proximity=100":              "proximity",
		"/hsds/service_at_locations?postcode=ZZ9+9ZZ":           "postcode",
		"/hsds/services/ac148810-d857-441c-9679-408f346de14b?x": "x",
		"/hsds/?page=1":                                         "query",
	} {
		r := get(path)
		expect(t, r, http.StatusBadRequest)
		if pr := r.problem(t); pr.Field != field || !strings.Contains(pr.Detail, field) {
			t.Errorf("%s: problem %+v, want field %s", path, pr, field)
		}
	}
}

// Proximity: ordered by distance from the postcode's centroid, and cut at
// the distance given.
func TestHSDSProximity(t *testing.T) {
	s := newTestServer(t)
	sess := hsdsSession(t, s)
	cat := testDirectory(t).Current().Catalog
	centre, ok := cat.Postcode("PM1 1AA")
	if !ok {
		t.Fatal("the demo directory has no PM1 1AA")
	}
	dist := func(p hsdsPage) []float64 {
		var out []float64
		for _, c := range p.Contents {
			var sal directory.ServiceAtLocation
			if err := json.Unmarshal(c, &sal); err != nil || sal.Location == nil || sal.Location.Latitude == nil {
				t.Fatalf("a result without a location: %s", c)
			}
			out = append(out, directory.Haversine(centre, directory.LatLon{Lat: *sal.Location.Latitude, Lon: *sal.Location.Longitude}))
		}
		return out
	}
	get := func(q string) hsdsPage {
		t.Helper()
		r := s.do(req{method: "GET", path: "/hsds/service_at_locations?" + q, session: sess})
		expect(t, r, http.StatusOK)
		var p hsdsPage
		r.decode(t, &p)
		return p
	}
	near := get("postcode=pm1+1aa&proximity=3000&per_page=100")
	d := dist(near)
	if len(d) < 5 || !slices.IsSorted(d) || d[len(d)-1] > 3.0 || d[0] > 0.01 {
		t.Fatalf("within 3 km of PM1 1AA: distances %v", d)
	}
	wide := get("postcode=PM1%201AA&proximity=50000&per_page=100")
	if wd := dist(wide); len(wd) <= len(d) || !slices.IsSorted(wd) {
		t.Errorf("within 50 km: %v", wd)
	}
	// Paging keeps the order.
	p2 := get("postcode=PM1+1AA&proximity=50000&per_page=3&page=2")
	if !slices.Equal(ids(t, p2), ids(t, wide)[3:6]) {
		t.Error("page 2 of the proximity results is not the 4th to 6th nearest")
	}
	// A postcode alone keeps the locations at that postcode.
	at := get("postcode=PM4+1EE")
	if at.TotalItems == 0 || at.TotalItems >= wide.TotalItems {
		t.Errorf("at PM4 1EE: %d", at.TotalItems)
	}
}

// An API token needs the directory:read scope.
func TestHSDSTokenScope(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Integrators")
	u := s.user(o.ID, "dev@integrators.example.org", discern.RoleCaseworker, "")
	mk := func(scopes ...auth.TokenScope) string {
		tok, _, err := s.svc.Operator().CreateAPIToken(context.Background(), "seed", o.ID, u.ID,
			accounts.NewToken{Name: "t", Scopes: scopes, ExpiresAt: s.clock.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	r := s.do(req{method: "GET", path: "/hsds/services", token: mk(auth.TokenAssess)})
	expect(t, r, http.StatusForbidden)
	if !strings.Contains(r.problem(t).Detail, "directory:read") {
		t.Errorf("refusal does not name the scope: %s", r)
	}
	expect(t, s.do(req{method: "GET", path: "/hsds/services", token: mk(auth.TokenDirectoryRead)}), http.StatusOK)
	expect(t, s.do(req{method: "GET", path: "/api/v1/directory/matches?needs=shelter", token: mk(auth.TokenDirectoryRead)}), http.StatusOK)
}

func TestDirectoryMatchesAPI(t *testing.T) {
	s := newTestServer(t)
	sess := hsdsSession(t, s)
	get := func(q string) *response {
		return s.do(req{method: "GET", path: "/api/v1/directory/matches?" + q, session: sess})
	}
	r := get("needs=shelter,legal_immigration&age=19&gender=female&languages=ro&lat=10.0&lon=-30.0&max_km=20&attributes=serves_trafficking_survivors&limit=5")
	expect(t, r, http.StatusOK)
	var body matchesBody
	r.decode(t, &body)
	if len(body.Matches) == 0 || len(body.Matches) > 5 || len(body.Needs) != 7 || len(body.Attributes) != 6 {
		t.Fatalf("matches: %s", r)
	}
	top := body.Matches[0]
	if len(top.CoveredNeeds) != 2 || top.DistanceKm == nil || top.OrganizationName == "" || len(top.Reasons) == 0 {
		t.Errorf("top match %+v", top)
	}
	for _, m := range body.Matches {
		if m.DistanceKm != nil && *m.DistanceKm > 20 {
			t.Errorf("%s is %.1f km away, past max_km", m.ServiceName, *m.DistanceKm)
		}
	}
	// An age outside a service's range leaves it out.
	r = get("needs=shelter&age=40&limit=100")
	expect(t, r, http.StatusOK)
	r.decode(t, &body)
	for _, m := range body.Matches {
		if strings.Contains(m.ServiceName, "Youth emergency beds") {
			t.Errorf("a 40-year-old was offered %s", m.ServiceName)
		}
	}
	for q, field := range map[string]string{
		"":                               "needs",
		"needs=food":                     "needs",
		"needs=shelter&age=200":          "age",
		"needs=shelter&lat=10":           "lat",
		"needs=shelter&max_km=5":         "max_km",
		"needs=shelter&limit=0":          "limit",
		"needs=shelter&attributes=cheap": "attributes",
	} {
		r := get(q)
		expect(t, r, http.StatusBadRequest)
		if pr := r.problem(t); pr.Field != field {
			t.Errorf("%q: field %q, want %q (%s)", q, pr.Field, field, pr.Detail)
		}
	}
}

func FuzzHSDSQuery(f *testing.F) {
	s := newTestServer(f)
	o := s.org("Fuzz Readers")
	s.user(o.ID, "fuzz@directory.example.org", discern.RoleAnalyst, "")
	sess, _ := s.signIn("fuzz@directory.example.org", "")
	for _, q := range []string{"page=2&per_page=3", "postcode=PM1+1AA&proximity=2500", "postcode=%00", "proximity=1e309&postcode=PM1+1AA",
		"modified_after=2026-01-01", "full=true&minimal=true", "search=%ff", "taxonomy_id=x&top_only=1", "needs=shelter&lat=91&lon=0",
		"needs=medical,shelter&age=-1", "format=ndjson", "per_page=1000&page=2147483647"} {
		for i := range 8 {
			f.Add(uint8(i), q)
		}
	}
	paths := []string{"/hsds/services", "/hsds/service_at_locations", "/hsds/organizations", "/hsds/taxonomies",
		"/hsds/taxonomy_terms", "/api/v1/directory/matches", "/hsds/organizations/" + demo.LegalAidOrgID, "/hsds/"}
	f.Fuzz(func(t *testing.T, which uint8, query string) {
		if strings.ContainsAny(query, " #\r\n\x00") {
			return
		}
		if _, err := url.ParseQuery(query); err != nil && int(which)%len(paths) == 5 {
			return // Huma's own parsing; covered by FuzzListQuery
		}
		r, err := http.NewRequest("GET", "http://x"+paths[int(which)%len(paths)]+"?"+query, nil)
		if err != nil {
			return
		}
		r.AddCookie(&http.Cookie{Name: auth.SessionCookieName, Value: sess})
		checkAnswer(t, s.serve(r))
	})
}
