package directory

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// column is one scalar member of an HSDS table schema.
type column struct{ name, typ string }

// tableSchema is what the tabular form needs from one HSDS schema: its
// scalar columns in schema order, and which members nest which kinds.
type tableSchema struct {
	columns  []column
	children map[string]string // member → kind, for arrays and objects of HSDS objects
}

var (
	tablesOnce sync.Once
	tables     map[string]*tableSchema
	tablesErr  error
)

func tableSchemas() (map[string]*tableSchema, error) {
	tablesOnce.Do(func() {
		tables = map[string]*tableSchema{}
		for _, k := range kinds {
			b, err := schemaFS.ReadFile("schema/" + k.kind + ".json")
			if err != nil {
				tablesErr = err
				return
			}
			ts, err := parseTableSchema(b)
			if err != nil {
				tablesErr = fmt.Errorf("embedded schema %s: %w", k.kind, err)
				return
			}
			tables[k.kind] = ts
		}
		// The API's "full" forms nest members the table schemas lack.
		tables[KindOrganization].children["services"] = KindService
		tables[KindServiceAtLocation].children["service"] = KindService
	})
	return tables, tablesErr
}

// parseTableSchema reads the properties of a schema in document order,
// which is the column order of the HSDS CSV files.
func parseTableSchema(b []byte) (*tableSchema, error) {
	var doc struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(doc.Properties))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	ts := &tableSchema{children: map[string]string{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var p struct {
			Type  string `json:"type"`
			Ref   string `json:"$ref"`
			Items struct {
				Ref string `json:"$ref"`
			} `json:"items"`
		}
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		switch {
		case p.Ref != "":
			ts.children[name] = strings.TrimSuffix(p.Ref, ".json")
		case p.Items.Ref != "":
			ts.children[name] = strings.TrimSuffix(p.Items.Ref, ".json")
		default:
			ts.columns = append(ts.columns, column{name, p.Type})
		}
	}
	return ts, nil
}

// maxCSVFile bounds one CSV file of an import.
const maxCSVFile = 1 << 30

// ImportTabular reads the HSDS tabular form from fsys: CSV files named as in
// the HSDS schemas (services.csv, phones.csv, …), listed by datapackage.json
// when there is one. Each row is validated against its table's schema;
// errors name the file, the row (and its id) and the column as a JSON
// pointer. Records stay flat, one list per file. name is the folder as the
// caller knows it, for messages only.
func ImportTabular(fsys fs.FS, name string) (*Directory, error) {
	return ImportTabularProgress(fsys, name, nil)
}

// ImportTabularProgress is ImportTabular, calling progress (when not nil)
// after each file with its path and the number of rows it held.
func ImportTabularProgress(fsys fs.FS, name string, progress func(file string, rows int)) (*Directory, error) {
	ts, err := tableSchemas()
	if err != nil {
		return nil, err
	}
	byFile := map[string]kindInfo{}
	byName := map[string]kindInfo{}
	for _, k := range kinds {
		byFile[k.file] = k
		byName[k.kind] = k
	}
	type res struct {
		k    kindInfo
		path string
	}
	var todo []res
	pkg, err := fs.ReadFile(fsys, "datapackage.json")
	switch {
	case err == nil:
		var dp struct {
			Resources []struct {
				Name string `json:"name"`
				Path string `json:"path"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(pkg, &dp); err != nil {
			return nil, &ImportError{File: path.Join(name, "datapackage.json"), Record: "document",
				Problems: []Problem{{Path: "/", Msg: "not a data package: " + err.Error()}}}
		}
		for i, r := range dp.Resources {
			k, ok := byFile[path.Base(r.Path)]
			if !ok {
				k, ok = byName[r.Name]
			}
			if !ok || !fs.ValidPath(r.Path) {
				return nil, &ImportError{File: path.Join(name, "datapackage.json"), Record: fmt.Sprintf("resource %d", i),
					Problems: []Problem{{Path: fmt.Sprintf("/resources/%d", i), Msg: fmt.Sprintf("%q (%s) is not an HSDS table", r.Name, r.Path)}}}
			}
			todo = append(todo, res{k, r.Path})
		}
	case errors.Is(err, fs.ErrNotExist):
		for _, k := range kinds {
			if _, err := fs.Stat(fsys, k.file); err == nil {
				todo = append(todo, res{k, k.file})
			}
		}
	default:
		return nil, fmt.Errorf("%s: %w", path.Join(name, "datapackage.json"), err)
	}
	if len(todo) == 0 {
		return nil, fmt.Errorf("%s: no HSDS CSV files (services.csv, organizations.csv, …) and no datapackage.json", name)
	}
	d := &Directory{}
	for _, r := range todo {
		n, err := importTable(d, fsys, r.path, path.Join(name, r.path), r.k, ts[r.k.kind])
		if err != nil {
			return nil, err
		}
		if progress != nil {
			progress(r.path, n)
		}
	}
	return d, nil
}

func importTable(d *Directory, fsys fs.FS, p, file string, k kindInfo, ts *tableSchema) (rows int, err error) {
	f, err := fsys.Open(p)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	defer f.Close()
	cr := csv.NewReader(io.LimitReader(f, maxCSVFile))
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err == io.EOF {
		return 0, &ImportError{File: file, Record: "header", Problems: []Problem{{Path: "/", Msg: "empty file: want a header row"}}}
	}
	if err != nil {
		return 0, &ImportError{File: file, Record: "header", Problems: []Problem{{Path: "/", Msg: err.Error()}}}
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheet byte-order mark
	}
	types := map[string]string{}
	for _, c := range ts.columns {
		types[c.name] = c.typ
	}
	seen := map[string]bool{}
	for i, h := range header {
		if h == "" || seen[h] {
			return 0, &ImportError{File: file, Record: "header", Problems: []Problem{{Path: "/" + h, Msg: fmt.Sprintf("column %d: empty or repeated name", i+1)}}}
		}
		if _, nested := ts.children[h]; nested {
			return 0, &ImportError{File: file, Record: "header", Problems: []Problem{{Path: "/" + h, Msg: "nested member cannot be a CSV column"}}}
		}
		seen[h] = true
	}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return row - 2, nil
		}
		if err != nil {
			return 0, &ImportError{File: file, Record: fmt.Sprintf("row %d", row), Problems: []Problem{{Path: "/", Msg: err.Error()}}}
		}
		obj := make(map[string]any, len(rec))
		for i, v := range rec {
			if v == "" {
				continue
			}
			if t := types[header[i]]; t == "number" || t == "integer" {
				if n, ok := jsonNumber(v); ok {
					obj[header[i]] = n
					continue
				}
			}
			obj[header[i]] = v
		}
		rname := fmt.Sprintf("row %d", row)
		if id, ok := obj["id"].(string); ok {
			rname += fmt.Sprintf(" (id %q)", id)
		}
		probs, err := validate(k.kind, obj)
		if err != nil {
			return 0, fmt.Errorf("%s: %s: %w", file, rname, err)
		}
		if len(probs) > 0 {
			return 0, &ImportError{File: file, Record: rname, Problems: probs}
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return 0, err
		}
		if err := k.add(d, b); err != nil {
			return 0, &ImportError{File: file, Record: rname, Problems: []Problem{{Path: "/", Msg: err.Error()}}}
		}
	}
}

// jsonNumber accepts a cell as a number only if JSON would, so the value
// goes through the schema unchanged ("1e3" yes, "0x10" or "NaN" no).
func jsonNumber(s string) (json.Number, bool) {
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return "", false
	}
	var n json.Number
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return "", false
	}
	n, ok := v.(json.Number)
	return n, ok && n.String() == s
}

// File is one file of an export.
type File struct {
	Name string
	Data []byte
}

// ExportTabular writes d in the HSDS tabular form: one CSV file per HSDS
// table, every file present (header only when empty), and datapackage.json
// listing them. Nested objects are flattened into their own tables with the
// link to their parent filled in (service_id, link_id, resource_id …) when
// they did not carry it; a record met twice (the same id) is written once.
// Extension members holding text, numbers or booleans become extra columns
// after the HSDS ones; extension members holding arrays or objects have no
// place in a CSV cell and are not written.
func ExportTabular(d *Directory) ([]File, error) {
	ts, err := tableSchemas()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var top map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, err
	}
	type table struct {
		rows  []map[string]string
		ids   map[string]bool
		extra map[string]bool
	}
	out := map[string]*table{}
	for _, k := range kinds {
		out[k.kind] = &table{ids: map[string]bool{}, extra: map[string]bool{}}
	}
	var walk func(kind string, obj map[string]any, parentKind, parentID string)
	walk = func(kind string, obj map[string]any, parentKind, parentID string) {
		t, s := out[kind], ts[kind]
		row := map[string]string{}
		for key, v := range obj {
			if _, nested := s.children[key]; nested {
				continue
			}
			switch v := v.(type) {
			case string:
				row[key] = v
			case json.Number:
				row[key] = v.String()
			case bool:
				row[key] = strconv.FormatBool(v)
			case nil:
				row[key] = ""
			default:
				continue // an array or object extension: no CSV form
			}
		}
		if parentKind != "" {
			link := parentKind + "_id"
			switch kind {
			case KindAttribute:
				link = "link_id"
			case KindMetadata:
				link = "resource_id"
			}
			if row[link] == "" && slices.ContainsFunc(s.columns, func(c column) bool { return c.name == link }) {
				row[link] = parentID
			}
		}
		id := row["id"]
		if !t.ids[id] {
			t.ids[id] = true
			for key := range row {
				if !slices.ContainsFunc(s.columns, func(c column) bool { return c.name == key }) {
					t.extra[key] = true
				}
			}
			t.rows = append(t.rows, row)
		}
		for key, child := range s.children {
			switch v := obj[key].(type) {
			case map[string]any:
				walk(child, v, kind, id)
			case []any:
				for _, e := range v {
					if m, ok := e.(map[string]any); ok {
						walk(child, m, kind, id)
					}
				}
			}
		}
	}
	for _, k := range kinds {
		list, _ := top[k.member].([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				walk(k.kind, m, "", "")
			}
		}
	}
	var files []File
	type field struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	type resource struct {
		Name      string `json:"name"`
		Path      string `json:"path"`
		Profile   string `json:"profile"`
		Format    string `json:"format"`
		Mediatype string `json:"mediatype"`
		Schema    struct {
			Fields []field `json:"fields"`
		} `json:"schema"`
	}
	pkg := struct {
		Name      string     `json:"name"`
		Profile   string     `json:"profile"`
		Resources []resource `json:"resources"`
	}{Name: "hsds-directory", Profile: "tabular-data-package"}
	for _, k := range kinds {
		t, s := out[k.kind], ts[k.kind]
		var cols []string
		r := resource{Name: k.kind, Path: k.file, Profile: "tabular-data-resource", Format: "csv", Mediatype: "text/csv"}
		for _, c := range s.columns {
			cols = append(cols, c.name)
			r.Schema.Fields = append(r.Schema.Fields, field{c.name, c.typ})
		}
		var extra []string
		for e := range t.extra {
			extra = append(extra, e)
		}
		slices.Sort(extra)
		for _, e := range extra {
			cols = append(cols, e)
			r.Schema.Fields = append(r.Schema.Fields, field{e, "string"})
		}
		pkg.Resources = append(pkg.Resources, r)
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = true // RFC 4180, as the HSDS examples are written
		if err := w.Write(cols); err != nil {
			return nil, err
		}
		for _, row := range t.rows {
			rec := make([]string, len(cols))
			for i, c := range cols {
				rec[i] = row[c]
			}
			if err := w.Write(rec); err != nil {
				return nil, err
			}
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, err
		}
		files = append(files, File{k.file, buf.Bytes()})
	}
	pb, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, err
	}
	files = append(files, File{"datapackage.json", append(pb, '\n')})
	return files, nil
}

// WriteTabular writes ExportTabular's files into dir, creating it.
func WriteTabular(dir string, d *Directory) error {
	files, err := ExportTabular(d)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o640); err != nil {
			return err
		}
	}
	return nil
}
