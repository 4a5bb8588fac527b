package casework

import (
	"slices"
	"testing"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

// A conflict names the answers on both of its sides. When one side is an
// answer of a class the reader may not see (here criminal_justice), the
// redacted result must not carry it: neither the question, nor its answer,
// nor the conflict that would tell that a withheld answer disagrees.
func TestRedactLeavesNoWithheldAnswerInConflicts(t *testing.T) {
	f := newFixture(t)
	ev := answers(t, `
jurisdictions: [palermo]
answers:
  age: 29
  exchange_sex: "yes"
  others_involved: "no"
  criminal_acts: "yes"
`)
	res, err := engine.Evaluate(ev)
	if err != nil {
		t.Fatal(err)
	}
	var hidden []screening.Conflict
	for _, c := range res.Conflicts {
		for _, src := range slices.Concat(c.Present, c.Absent) {
			if src.Question == "criminal_acts" {
				hidden = append(hidden, c)
			}
		}
	}
	if len(hidden) == 0 {
		t.Fatalf("the evidence should make a conflict involving criminal_acts; conflicts: %+v", res.Conflicts)
	}

	caseOnly := auth.Decision{Allowed: true, Classes: auth.Classes(discern.ClassCase)}
	_, red, withheld := f.svc.redact(ev, res, caseOnly)
	if !slices.Contains(withheld, discern.ClassCriminalJustice) {
		t.Fatalf("criminal_justice should be reported redacted, got %v", withheld)
	}
	for _, c := range red.Conflicts {
		for _, src := range slices.Concat(c.Present, c.Absent) {
			if src.Question == "criminal_acts" {
				t.Fatalf("conflict %s still carries the withheld answer %+v", c.Indicator, src)
			}
		}
		if len(c.Present) == 0 || len(c.Absent) == 0 {
			t.Fatalf("conflict %s is left with one side: %+v", c.Indicator, c)
		}
	}
	for _, ind := range red.Indicators {
		for _, src := range ind.Sources {
			if src.Question == "criminal_acts" {
				t.Fatalf("indicator %s still carries the withheld answer", ind.ID)
			}
		}
	}

	// Whoever may see every class sees the conflict unchanged.
	all := auth.Decision{Allowed: true, Classes: auth.Classes(discern.DataClasses...)}
	_, full, _ := f.svc.redact(ev, res, all)
	if len(full.Conflicts) != len(res.Conflicts) {
		t.Fatalf("with every class, conflicts = %d, want %d", len(full.Conflicts), len(res.Conflicts))
	}
}
