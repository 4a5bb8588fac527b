package screening

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/content"
	"go.yaml.in/yaml/v3"
)

var bundle = content.MustLoadEmbedded()

type expectation struct {
	Determination string            `yaml:"determination"`
	Elements      map[string]string `yaml:"elements"`
}

// TestVignettes evaluates every dev vignette's answers file (written from its
// narrative alone) and checks the determination and each element against
// the expected result per jurisdiction.
func TestVignettes(t *testing.T) {
	data, err := os.ReadFile("testdata/vignettes/expected.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]map[string]expectation
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	eng := New(bundle)
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			file := filepath.Join("testdata", "vignettes", id+".yaml")
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("every vignette has an answers file: %v", err)
			}
			ev, err := ParseAnswers(bundle, file, raw)
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.Evaluate(ev)
			if err != nil {
				t.Fatal(err)
			}
			for jid, exp := range want[id] {
				jr := findResult(res, jid)
				if jr == nil {
					t.Errorf("%s: no result (the answers file must list the vignette's jurisdictions)", jid)
					continue
				}
				if jr.Determination != exp.Determination {
					t.Errorf("%s: determination %s, want %s\n%s", jid, jr.Determination, exp.Determination, describe(jr))
				}
				for el, wantState := range exp.Elements {
					got := elementState(jr, el)
					if got != vignetteState(wantState) {
						t.Errorf("%s: element %s is %s, want %s\n%s", jid, el, got, vignetteState(wantState), describe(jr))
					}
				}
			}
		})
	}
}

func vignetteState(s string) string {
	switch s {
	case "present":
		return Met
	case "absent":
		return NotMet
	}
	return s
}

func findResult(res *Result, jid string) *JurisdictionResult {
	for i := range res.Results {
		if res.Results[i].Jurisdiction == jid {
			return &res.Results[i]
		}
	}
	return nil
}

func elementState(jr *JurisdictionResult, id string) string {
	for _, el := range jr.Elements {
		if el.ID == id {
			return el.State
		}
	}
	return "(missing)"
}

func describe(jr *JurisdictionResult) string {
	var b strings.Builder
	for _, el := range jr.Elements {
		b.WriteString("    " + el.ID + "=" + el.State + ":")
		for _, f := range el.Facts {
			if f.State != "false" {
				b.WriteString(" " + f.Facet + "=" + f.State)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
