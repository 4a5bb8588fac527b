package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exampleDirectory imports every single-record HSDS example into one
// directory, as an importer of several files would hold them.
func exampleDirectory(t testing.TB) *Directory {
	t.Helper()
	d := &Directory{}
	for _, f := range []string{"service_full.json", "organization_full.json", "service_at_location_full.json",
		"location.json", "taxonomy.json", "taxonomy_term.json"} {
		b, err := os.ReadFile(filepath.Join(exampleDir, f))
		if err != nil {
			t.Fatal(err)
		}
		x, err := ImportJSON(bytes.NewReader(b), f)
		if err != nil {
			t.Fatal(err)
		}
		d.Services = append(d.Services, x.Services...)
		d.Organizations = append(d.Organizations, x.Organizations...)
		d.ServiceAtLocations = append(d.ServiceAtLocations, x.ServiceAtLocations...)
		d.Locations = append(d.Locations, x.Locations...)
		d.Taxonomies = append(d.Taxonomies, x.Taxonomies...)
		d.TaxonomyTerms = append(d.TaxonomyTerms, x.TaxonomyTerms...)
	}
	return d
}

func TestCatalogExamples(t *testing.T) {
	c := NewCatalog(exampleDirectory(t))
	const svc = "ac148810-d857-441c-9679-408f346de14b"
	if s := c.Service(svc); s == nil || s.Organization == nil || len(s.ServiceAtLocations) == 0 {
		t.Fatalf("service %s not resolved: %+v", svc, s)
	}
	if c.Organization("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", true) == nil || c.TaxonomyTerm("3f7b145d-84af-42d7-8fae-eaca714b02b2") == nil ||
		c.Taxonomy("5c4d79d7-cc55-470e-9f1f-8cad074e4892") == nil || c.ServiceAtLocation("e94c9f38-1e8f-4564-91d4-d53501ab1765") == nil {
		t.Fatal("an example record is missing from the catalog")
	}
	q, err := ParseQuery(ListServices, url.Values{"search": {"counselling"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.List(ListServices, q)
	if err != nil || p.TotalItems != 1 {
		t.Fatalf("search: %+v, %v", p, err)
	}
	// The list form has no arrays; the full form keeps them.
	b, _ := json.Marshal(p.Contents[0])
	if bytes.Contains(b, []byte(`"phones"`)) || !bytes.Contains(b, []byte(`"organization"`)) {
		t.Errorf("list form: %s", b)
	}
	q.Search = "no such words anywhere"
	if p, _ := c.List(ListServices, q); p.TotalItems != 0 || !p.Empty || p.TotalPages != 0 || len(p.Contents) != 0 {
		t.Errorf("empty search: %+v", p)
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, tc := range []struct {
		kind, query, param string
	}{
		{ListServices, "page=0", "page"},
		{ListServices, "page=x", "page"},
		{ListServices, "per_page=1001", "per_page"},
		{ListServices, "per_page=-1", "per_page"},
		{ListServices, "full=maybe", "full"},
		{ListServices, "minimal=true&full=true", "minimal"},
		{ListServices, "modified_after=yesterday", "modified_after"},
		{ListServices, "postcode=AB1", "postcode"},
		{ListServices, "colour=red", "colour"},
		{ListServices, "page=1&page=2", "page"},
		{ListServices, "format=xml", "format"},
		{ListServiceAtLocations, "proximity=500", "proximity"},
		{ListServiceAtLocations, "postcode=X&proximity=NaN", "proximity"},
		{ListServiceAtLocations, "postcode=X&proximity=0", "proximity"},
		{ListTaxonomies, "taxonomy_id=x", "taxonomy_id"},
	} {
		v, _ := url.ParseQuery(tc.query)
		_, err := ParseQuery(tc.kind, v)
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Param != tc.param {
			t.Errorf("%s?%s: error %v, want one about %s", tc.kind, tc.query, err, tc.param)
		}
	}
	q, err := ParseQuery(ListServiceAtLocations, url.Values{"postcode": {" pm1 1aa "}, "proximity": {"1500"}, "page": {"2"}, "per_page": {"7"}})
	if err != nil || q.ProximityM != 1500 || q.Page != 2 || q.PerPage != 7 || q.Postcode != "pm1 1aa" {
		t.Fatalf("%+v %v", q, err)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"page=2&per_page=10", "postcode=PM1+1AA&proximity=2000", "modified_after=2025-01-01", "full=true&minimal=false", "%zz", "search=" + strings.Repeat("a", 300)} {
		f.Add(ListServiceAtLocations, s)
		f.Add(ListServices, s)
	}
	c := NewCatalog(Generate(50, rand.New(rand.NewPCG(1, 2))))
	f.Fuzz(func(t *testing.T, kind, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ParseQuery(kind, v)
		if err != nil {
			var qe *QueryError
			if _, known := listParams[kind]; known && !errors.As(err, &qe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if q.Page < 1 || q.PerPage < 1 || q.PerPage > MaxPerPage {
			t.Fatalf("accepted paging %+v", q)
		}
		p, err := c.List(kind, q)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatal(err)
			}
			return
		}
		if p.Size > q.PerPage && !q.NDJSON || p.Size != len(p.Contents) || p.TotalItems < p.Size {
			t.Fatalf("page %+v for %+v", p, q)
		}
	})
}

func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "directory.json")
	var logs bytes.Buffer
	l, err := OpenLive(path, slog.New(slog.NewTextHandler(&logs, nil)), time.Hour)
	if err != nil || l.Current().Catalog.Len() != 0 {
		t.Fatalf("absent file: %v, %d services", err, l.Current().Catalog.Len())
	}
	write := func(b []byte) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	var good bytes.Buffer
	if err := ExportJSON(&good, Generate(20, rand.New(rand.NewPCG(3, 4)))); err != nil {
		t.Fatal(err)
	}
	write(good.Bytes())
	if err := l.Reload(); err != nil || l.Current().Catalog.Len() != 20 {
		t.Fatalf("good file: %v, %d services", err, l.Current().Catalog.Len())
	}
	before := l.Current()
	// A broken file is refused, logged, and the good directory stays.
	write([]byte(`{"services": [{"id": "x"}]}`))
	if err := l.Reload(); err == nil {
		t.Fatal("a broken file loaded")
	}
	if l.Current() != before || !strings.Contains(logs.String(), "still serving the previous one") {
		t.Fatalf("after a broken file: %d services; log %s", l.Current().Catalog.Len(), logs.String())
	}
	// On use, past the check interval, a changed file is picked up in the
	// background.
	var g2 bytes.Buffer
	ExportJSON(&g2, Generate(35, rand.New(rand.NewPCG(5, 6))))
	write(g2.Bytes())
	l.checkEvery = time.Millisecond
	l.nextCheck.Store(0)
	deadline := time.Now().Add(10 * time.Second)
	for l.Current().Catalog.Len() != 35 {
		if time.Now().After(deadline) {
			t.Fatalf("the new file was not picked up: %d services", l.Current().Catalog.Len())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Removing the file empties the directory.
	os.Remove(path)
	if err := l.Reload(); err != nil || l.Current().Catalog.Len() != 0 {
		t.Fatalf("removed file: %v, %d", err, l.Current().Catalog.Len())
	}
}
