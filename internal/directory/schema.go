package directory

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The HSDS 3.0 JSON Schemas, copied unchanged from the Open Referral
// specification (see schema/SOURCE; licence CC BY-SA 4.0 in schema/LICENSE).
//
//go:embed schema/*.json schema/LICENSE schema/SOURCE
var schemaFS embed.FS

// schemaBase is the made-up base URL the embedded schemas are registered
// under; their relative $refs ("phone.json") resolve against it. Nothing is
// ever fetched from it.
const schemaBase = "https://schemas.discern.invalid/hsds/3.0/"

// Object names, as in the HSDS schema file names (service.json → "service").
const (
	KindOrganization      = "organization"
	KindService           = "service"
	KindLocation          = "location"
	KindServiceAtLocation = "service_at_location"
	KindTaxonomy          = "taxonomy"
	KindTaxonomyTerm      = "taxonomy_term"
	KindAttribute         = "attribute"
	KindMetadata          = "metadata"
)

var (
	schemasOnce sync.Once
	schemas     map[string]*jsonschema.Schema
	schemasErr  error
)

// offlineLoader refuses every URL: all schemas are embedded, and a $ref
// to anything else is an error rather than a network request.
type offlineLoader struct{}

func (offlineLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded; HSDS schemas are never fetched", url)
}

// compiledSchemas compiles every embedded table schema once.
func compiledSchemas() (map[string]*jsonschema.Schema, error) {
	schemasOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.UseLoader(offlineLoader{})
		entries, err := schemaFS.ReadDir("schema")
		if err != nil {
			schemasErr = err
			return
		}
		var names []string
		for _, e := range entries {
			n := e.Name()
			if !strings.HasSuffix(n, ".json") || n == "openapi.json" {
				continue
			}
			b, err := schemaFS.ReadFile("schema/" + n)
			if err != nil {
				schemasErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				schemasErr = fmt.Errorf("embedded schema %s: %w", n, err)
				return
			}
			if err := c.AddResource(schemaBase+n, doc); err != nil {
				schemasErr = fmt.Errorf("embedded schema %s: %w", n, err)
				return
			}
			names = append(names, strings.TrimSuffix(n, ".json"))
		}
		m := map[string]*jsonschema.Schema{}
		for _, n := range names {
			s, err := c.Compile(schemaBase + n + ".json")
			if err != nil {
				schemasErr = fmt.Errorf("embedded schema %s: %w", n, err)
				return
			}
			m[n] = s
		}
		schemas = m
	})
	return schemas, schemasErr
}

// validate checks the decoded JSON value v (from jsonschema.UnmarshalJSON)
// against the schema of kind and returns the failures, each with its JSON
// pointer inside v.
func validate(kind string, v any) ([]Problem, error) {
	m, err := compiledSchemas()
	if err != nil {
		return nil, err
	}
	s, ok := m[kind]
	if !ok {
		return nil, fmt.Errorf("no HSDS schema for %q", kind)
	}
	err = s.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	p := message.NewPrinter(language.English)
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, Problem{Path: pointer(e.InstanceLocation), Msg: e.ErrorKind.LocalizedString(p)})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out, nil
}

func pointer(loc []string) string {
	var sb strings.Builder
	for _, s := range loc {
		sb.WriteByte('/')
		sb.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
	}
	if sb.Len() == 0 {
		return "/"
	}
	return sb.String()
}

// Problem is one thing wrong with one record.
type Problem struct {
	Path string // JSON pointer inside the record, or the CSV column
	Msg  string
}

// ImportError says which file and which record are wrong, and where.
type ImportError struct {
	File     string // as given by the caller
	Record   string // "record 3 (id 1f…)" or "row 7 (id …)"
	Problems []Problem
}

func (e *ImportError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s", e.File, e.Record)
	for i, p := range e.Problems {
		if i == 5 {
			fmt.Fprintf(&sb, "; and %d more", len(e.Problems)-i)
			break
		}
		fmt.Fprintf(&sb, "; at %s: %s", p.Path, p.Msg)
	}
	return sb.String()
}
