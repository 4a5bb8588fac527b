package directory

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

const csvExample = exampleDir + "/csv"

// readTables parses CSV files into file → rows of column → cell.
func readTables(t testing.TB, files map[string][]byte) map[string][]map[string]string {
	t.Helper()
	out := map[string][]map[string]string{}
	for name, b := range files {
		if !strings.HasSuffix(name, ".csv") {
			continue
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows := []map[string]string{}
		for _, r := range recs[1:] {
			m := map[string]string{}
			for i, c := range recs[0] {
				if r[i] != "" {
					m[c] = r[i]
				}
			}
			rows = append(rows, m)
		}
		out[name] = rows
	}
	return out
}

func dirFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func exportFiles(t testing.TB, d *Directory) map[string][]byte {
	t.Helper()
	fs, err := ExportTabular(d)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, f := range fs {
		m[f.Name] = f.Data
	}
	return m
}

func TestExampleRoundTripCSV(t *testing.T) {
	d, err := ImportTabular(os.DirFS(csvExample), "csv")
	if err != nil {
		t.Fatal(err)
	}
	in := dirFiles(t, csvExample)
	out := exportFiles(t, d)
	want, got := readTables(t, in), readTables(t, out)
	for name, rows := range want {
		if !reflect.DeepEqual(got[name], rows) {
			t.Errorf("%s: got %v\nwant %v", name, got[name], rows)
		}
		// The example is written exactly as Discern writes CSV, so the
		// round trip is byte for byte.
		if !bytes.Equal(in[name], out[name]) {
			t.Errorf("%s: not byte-identical:\n%q\n%q", name, in[name], out[name])
		}
	}
	// Every exported file reads back, through its own datapackage.json,
	// to the same bytes.
	mfs := fstest.MapFS{}
	for n, b := range out {
		mfs[n] = &fstest.MapFile{Data: b}
	}
	d2, err := ImportTabular(mfs, "export")
	if err != nil {
		t.Fatal(err)
	}
	if again := exportFiles(t, d2); !reflect.DeepEqual(again, out) {
		t.Fatal("CSV export is not stable")
	}
}

// The CSV example and tabular.json (the same tables as JSON) agree, and
// both import to the same directory.
func TestExampleCSVAgreesWithTabularJSON(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(exampleDir, "tabular.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tab map[string][]map[string]any
	if err := json.Unmarshal(b, &tab); err != nil {
		t.Fatal(err)
	}
	csvRows := readTables(t, dirFiles(t, csvExample))
	if len(tab) == 0 {
		t.Fatal("tabular.json is empty")
	}
	for file, rows := range tab {
		got := csvRows[file]
		if len(got) != len(rows) {
			t.Fatalf("%s: %d CSV rows, %d in tabular.json", file, len(got), len(rows))
		}
		for i, r := range rows {
			want := map[string]string{}
			for k, v := range r {
				switch v := v.(type) {
				case string:
					if v != "" {
						want[k] = v
					}
				case float64:
					want[k] = strconv.FormatFloat(v, 'f', -1, 64)
				case nil:
				default:
					t.Fatalf("%s row %d: %s is %T", file, i, k, v)
				}
			}
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("%s row %d:\n csv %v\njson %v", file, i, got[i], want)
			}
		}
	}
	// (tabular.json itself does not validate: its location has a numeric
	// external_identifier where the schema wants text; the CSV has text.)
}

// A nested JSON example flattens into tables that read back to the same
// tables, and every record of the document has its row.
func TestNestedJSONToCSV(t *testing.T) {
	for _, name := range []string{"service_full.json", "organization_full.json", "service_at_location_full.json"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(exampleDir, name))
			if err != nil {
				t.Fatal(err)
			}
			d, err := ImportJSON(bytes.NewReader(b), name)
			if err != nil {
				t.Fatal(err)
			}
			out := exportFiles(t, d)
			mfs := fstest.MapFS{}
			for n, b := range out {
				mfs[n] = &fstest.MapFile{Data: b}
			}
			d2, err := ImportTabular(mfs, "export")
			if err != nil {
				t.Fatal(err)
			}
			if again := exportFiles(t, d2); !reflect.DeepEqual(readTables(t, again), readTables(t, out)) {
				t.Fatal("JSON → CSV → Go → CSV changed the tables")
			}
			var ids []string
			var collect func(v any)
			collect = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					if id, ok := v["id"].(string); ok {
						ids = append(ids, id)
					}
					for _, e := range v {
						collect(e)
					}
				case []any:
					for _, e := range v {
						collect(e)
					}
				}
			}
			collect(decodeAny(t, b))
			all := string(bytes.Join(func() [][]byte {
				var x [][]byte
				for _, b := range out {
					x = append(x, b)
				}
				return x
			}(), nil))
			for _, id := range ids {
				if !strings.Contains(all, id) {
					t.Errorf("record %s missing from the CSV export", id)
				}
			}
		})
	}
}

func TestImportTabularRejects(t *testing.T) {
	svcHeader := "id,name,status,minimum_age\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no files", map[string]string{"readme.txt": "x"}, "no HSDS CSV files"},
		{"bad datapackage", map[string]string{"datapackage.json": "../../datapackage.json"}, "datapackage.json: document"},
		{"unknown resource", map[string]string{"datapackage.json": `{"resources":[{"name":"x","path":"x.csv"}]}`}, "/resources/0"},
		{"escaping path", map[string]string{"datapackage.json": `{"resources":[{"name":"service","path":"../services.csv"}]}`}, "/resources/0"},
		{"missing file", map[string]string{"datapackage.json": `{"resources":[{"name":"service","path":"services.csv"}]}`}, "services.csv"},
		{"empty file", map[string]string{"services.csv": ""}, "services.csv: header"},
		{"repeated column", map[string]string{"services.csv": "id,id\n"}, "repeated"},
		{"nested column", map[string]string{"services.csv": "id,phones\n"}, "/phones"},
		{"ragged row", map[string]string{"services.csv": svcHeader + "s1,n\n"}, "services.csv: row 2"},
		{"missing status", map[string]string{"services.csv": svcHeader + "s1,n,,\n"}, `row 2 (id "s1")`},
		{"age not a number", map[string]string{"services.csv": svcHeader + "s1,n,active,ten\n"}, "/minimum_age"},
		{"hex is not a number", map[string]string{"services.csv": svcHeader + "s1,n,active,0x10\n"}, "/minimum_age"},
		{"bad quote", map[string]string{"services.csv": svcHeader + "s1,\"n,active,1\n"}, "row 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fstest.MapFS{}
			for n, c := range tc.files {
				m[n] = &fstest.MapFile{Data: []byte(c)}
			}
			_, err := ImportTabular(m, "dir")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
			var ie *ImportError
			if tc.name != "no files" && tc.name != "missing file" && !errors.As(err, &ie) {
				t.Fatalf("%T is not an *ImportError", err)
			}
		})
	}
}

func FuzzImportTabular(f *testing.F) {
	b, err := os.ReadFile(filepath.Join(csvExample, "services.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, []byte("id,name,description\nt1,Term,d\n"))
	f.Add([]byte("id,name,status,minimum_age,x_ext\ns,n,active,1e1,\"a,b\"\n"), []byte(""))
	f.Add([]byte("\ufeffid,name,status\n"), []byte("id\n\"\n"))
	f.Fuzz(func(t *testing.T, services, terms []byte) {
		m := fstest.MapFS{
			"services.csv":       &fstest.MapFile{Data: services},
			"taxonomy_terms.csv": &fstest.MapFile{Data: terms},
		}
		d, err := ImportTabular(m, "fuzz")
		if err != nil {
			return
		}
		out := exportFiles(t, d)
		m2 := fstest.MapFS{}
		for n, b := range out {
			m2[n] = &fstest.MapFile{Data: b}
		}
		d2, err := ImportTabular(m2, "again")
		if err != nil {
			t.Fatalf("export does not import: %v", err)
		}
		if again := exportFiles(t, d2); !reflect.DeepEqual(again, out) {
			t.Fatal("unstable CSV export")
		}
	})
}
