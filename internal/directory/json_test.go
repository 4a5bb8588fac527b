package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// exampleDir holds a copy of the HSDS 3.0 examples (see schema/SOURCE).
const exampleDir = "testdata/hsds-examples"

var jsonExamples = []string{
	"service_full.json", "service_list.json", "organization_full.json", "organization_list.json",
	"location.json", "service_at_location_full.json", "service_at_location_list.json",
	"taxonomy.json", "taxonomy_list.json", "taxonomy_term.json", "taxonomy_term_list.json",
}

func decodeAny(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// records lists the objects of an example in document order.
func records(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case map[string]any:
		if c, ok := t["contents"].([]any); ok {
			return c
		}
	}
	return []any{v}
}

func recordsOf(d *Directory) []any {
	var out []any
	add := func(x any) {
		b, err := json.Marshal(x)
		if err != nil {
			panic(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			panic(err)
		}
		out = append(out, v)
	}
	for _, x := range d.Organizations {
		add(x)
	}
	for _, x := range d.Services {
		add(x)
	}
	for _, x := range d.Locations {
		add(x)
	}
	for _, x := range d.ServiceAtLocations {
		add(x)
	}
	for _, x := range d.Taxonomies {
		add(x)
	}
	for _, x := range d.TaxonomyTerms {
		add(x)
	}
	return out
}

func TestExamplesRoundTripJSON(t *testing.T) {
	for _, name := range jsonExamples {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(exampleDir, name))
			if err != nil {
				t.Fatal(err)
			}
			d, err := ImportJSON(bytes.NewReader(b), name)
			if err != nil {
				t.Fatal(err)
			}
			want := records(decodeAny(t, b))
			got := recordsOf(d)
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.MarshalIndent(got, "", " ")
				wb, _ := json.MarshalIndent(want, "", " ")
				t.Fatalf("round trip lost data\n got: %.2000s\nwant: %.2000s", gb, wb)
			}
			// Export → import → export is stable, byte for byte.
			var e1, e2 bytes.Buffer
			if err := ExportJSON(&e1, d); err != nil {
				t.Fatal(err)
			}
			d2, err := ImportJSON(bytes.NewReader(e1.Bytes()), "export")
			if err != nil {
				t.Fatal(err)
			}
			if err := ExportJSON(&e2, d2); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e1.Bytes(), e2.Bytes()) {
				t.Fatalf("export not stable:\n%s\n---\n%s", e1.String(), e2.String())
			}
		})
	}
}

func TestExtensionMembersSurvive(t *testing.T) {
	in := `{"id":"s1","name":"Drop-in","status":"active","x_discern":{"a":[1,2]},"ID":"other",
	"x_null":null,"alert":"","phones":[],"url":"","minimum_age":0,
	"attributes":[{"id":"a1","x_note":"kept","taxonomy_term":{"id":"t","name":"n","description":"d","x":1}}]}`
	d, err := ImportJSON(strings.NewReader(in), "in.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Services[0].ID; got != "s1" {
		t.Fatalf("ID = %q, want s1 (the member \"ID\" must not overwrite \"id\")", got)
	}
	got := recordsOf(d)[0]
	if want := decodeAny(t, []byte(in)); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestImportJSONRejects(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"not json", `{`, "not JSON"},
		{"two values", `{} {}`, "more than one"},
		{"scalar", `42`, "want an HSDS object"},
		{"service without name", `{"id":"s1","status":"active"}`, "name"},
		{"age as text", `{"id":"s1","name":"n","status":"active","minimum_age":"ten"}`, "/minimum_age"},
		{"nested phone without number", `{"id":"s1","name":"n","status":"active","phones":[{"id":"p"}]}`, "/phones/0"},
		{"list item not object", `[{"id":"t","name":"n","description":"d"}, 3]`, "record /1"},
		{"directory member not array", `{"services":{}}`, "/services"},
		{"record in list", `{"contents":[{"id":"x","name":"n","status":"active","maximum_age":"old"}]}`, "/contents/0/maximum_age"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportJSON(strings.NewReader(tc.in), "bad.json")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.json") {
				t.Fatalf("error %q does not name file and %q", err, tc.want)
			}
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T is not an *ImportError", err)
			}
		})
	}
}

func FuzzImportJSON(f *testing.F) {
	for _, name := range []string{"taxonomy.json", "taxonomy_term_list.json", "location.json"} {
		b, err := os.ReadFile(filepath.Join(exampleDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":"s","name":"n","status":"active","x":null,"phones":[]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"services":[{"id":"s","name":"n","status":"active"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ImportJSON(bytes.NewReader(b), "fuzz.json")
		if err != nil {
			return
		}
		var e1, e2 bytes.Buffer
		if err := ExportJSON(&e1, d); err != nil {
			t.Fatal(err)
		}
		d2, err := ImportJSON(bytes.NewReader(e1.Bytes()), "again.json")
		if err != nil {
			t.Fatalf("export does not import: %v\n%s", err, e1.Bytes())
		}
		if err := ExportJSON(&e2, d2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(e1.Bytes(), e2.Bytes()) {
			t.Fatalf("unstable export\n%s\n%s", e1.Bytes(), e2.Bytes())
		}
	})
}
