package directory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// maxImport bounds one JSON document, so a hostile file cannot exhaust memory.
const maxImport = 1 << 30

// kindOfMember maps the members of an ExportJSON document to HSDS kinds.
var kindOfMember = func() map[string]string {
	m := map[string]string{}
	for _, k := range kinds {
		m[k.member] = k.kind
	}
	return m
}()

// ImportJSON reads HSDS 3.0 JSON: one object (service_full, organization_full,
// location, service_at_location_full, taxonomy, taxonomy_term), an array of
// them, an HSDS API page ({"contents": [...]}; the paging members are not
// kept), or a document written by ExportJSON. Each record is validated
// against its HSDS schema; the error names file, record and JSON path.
func ImportJSON(r io.Reader, file string) (*Directory, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxImport+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(b) > maxImport {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, maxImport)
	}
	var top any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, &ImportError{File: file, Record: "document", Problems: []Problem{{Path: "/", Msg: "not JSON: " + err.Error()}}}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ImportError{File: file, Record: "document", Problems: []Problem{{Path: "/", Msg: "more than one JSON value"}}}
	}
	d := &Directory{}
	type rec struct {
		kind, ptr string
		v         any
	}
	var recs []rec
	switch t := top.(type) {
	case []any:
		for i, v := range t {
			recs = append(recs, rec{"", fmt.Sprintf("/%d", i), v})
		}
	case map[string]any:
		if c, ok := t["contents"].([]any); ok {
			for i, v := range c {
				recs = append(recs, rec{"", fmt.Sprintf("/contents/%d", i), v})
			}
			break
		}
		if _, hasID := t["id"]; !hasID && isDirectoryDoc(t) {
			for _, ki := range kinds {
				k, kind := ki.member, ki.kind
				arr, ok := t[k]
				if !ok {
					continue
				}
				a, ok := arr.([]any)
				if !ok {
					return nil, &ImportError{File: file, Record: "document", Problems: []Problem{{Path: "/" + k, Msg: "want an array"}}}
				}
				for i, v := range a {
					recs = append(recs, rec{kind, fmt.Sprintf("/%s/%d", k, i), v})
				}
			}
			break
		}
		recs = append(recs, rec{"", "", t})
	default:
		return nil, &ImportError{File: file, Record: "document", Problems: []Problem{{Path: "/", Msg: "want an HSDS object, an array of them, or a directory document"}}}
	}
	for _, r := range recs {
		obj, ok := r.v.(map[string]any)
		if !ok {
			return nil, &ImportError{File: file, Record: recordName(r.ptr, nil), Problems: []Problem{{Path: r.ptr, Msg: "want a JSON object"}}}
		}
		kind := r.kind
		if kind == "" {
			kind = detectKind(obj)
		}
		if err := d.add(kind, obj, file, r.ptr); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// isDirectoryDoc reports whether m is an ExportJSON document: only
// directory members (an empty directory exports as {}).
func isDirectoryDoc(m map[string]any) bool {
	for k := range m {
		if _, ok := kindOfMember[k]; !ok {
			return false
		}
	}
	return true
}

func recordName(ptr string, obj map[string]any) string {
	name := "record " + ptr
	if ptr == "" {
		name = "record"
	}
	if id, ok := obj["id"].(string); ok {
		name += fmt.Sprintf(" (id %q)", id)
	}
	return name
}

// add validates obj as kind and appends it to d.
func (d *Directory) add(kind string, obj map[string]any, file, ptr string) error {
	probs, err := validate(kind, obj)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", file, recordName(ptr, obj), err)
	}
	if len(probs) > 0 {
		for i := range probs {
			probs[i].Path = ptr + strings.TrimSuffix(probs[i].Path, "/")
			if probs[i].Path == "" {
				probs[i].Path = "/"
			}
		}
		return &ImportError{File: file, Record: recordName(ptr, obj) + " as HSDS " + kind, Problems: probs}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	uerr := fmt.Errorf("unknown kind %q", kind)
	for _, k := range kinds {
		if k.kind == kind {
			uerr = k.add(d, b)
			break
		}
	}
	if uerr != nil {
		// The schema accepted it, so this is a value Go cannot hold.
		return &ImportError{File: file, Record: recordName(ptr, obj), Problems: []Problem{{Path: ptr, Msg: uerr.Error()}}}
	}
	return nil
}

// detectKind guesses the HSDS object from members only it has. The schemas
// require "status" of a service and "location_type" of a location.
func detectKind(m map[string]any) string {
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := m[k]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("status"):
		return KindService
	case has("location_type"):
		return KindLocation
	case has("service", "location") || (has("service_id") && has("location_id")):
		return KindServiceAtLocation
	case has("taxonomy_id", "code", "parent_id", "term_uri", "taxonomy_detail", "taxonomy", "language"):
		return KindTaxonomyTerm
	case has("website", "email", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo",
		"parent_organization_id", "funding", "contacts", "phones", "locations", "programs",
		"organization_identifiers", "services", "attributes", "alternate_name"):
		return KindOrganization
	case has("version", "uri") || !has("name"):
		return KindTaxonomy
	}
	return KindTaxonomy
}

// ExportJSON writes d as one JSON document that ImportJSON reads back. The
// output is stable: the same directory always gives the same bytes.
func ExportJSON(w io.Writer, d *Directory) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
