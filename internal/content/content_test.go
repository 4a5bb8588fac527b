package content

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// overlay returns the embedded content with one file replaced.
func overlay(t testing.TB, name string, data []byte) fs.FS {
	m := fstest.MapFS{}
	err := fs.WalkDir(Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Embedded(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if data == nil {
		delete(m, name)
	} else {
		m[name] = &fstest.MapFile{Data: data}
	}
	return m
}

func TestEmbeddedContentIsSound(t *testing.T) {
	b, problems := Check(Embedded())
	for _, p := range problems {
		if !p.Warning {
			t.Error(p)
		}
	}
	if b == nil || b.Version == "" || len(b.Hash) != 64 {
		t.Fatalf("bundle version %q hash %q", b.Version, b.Hash)
	}
	for _, id := range []string{"us-federal", "england-wales", "uk-nrm", "palermo", "eu", "canada"} {
		if b.Jurisdiction(id) == nil {
			t.Errorf("jurisdiction %s missing", id)
		}
	}
	if n := len(b.Instrument("short").QuestionIDs()); n < 10 || n > 16 {
		t.Errorf("the short form has %d questions; it should have 10-16", n)
	}
	for _, l := range b.Locales {
		for _, k := range b.RequiredKeys() {
			if l.Texts[k] == "" {
				t.Errorf("locale %s lacks %s", l.ID, k)
			}
		}
	}
}

func TestHashChangesWithContent(t *testing.T) {
	a, _ := Check(Embedded())
	data, _ := fs.ReadFile(Embedded(), "locales/en.yaml")
	b, _ := Check(overlay(t, "locales/en.yaml", append(data, []byte("\n# a comment\n")...)))
	if a.Hash == b.Hash {
		t.Error("changing a content file must change the content hash")
	}
}

// TestCheckCatchesBrokenContent breaks the content in each way the
// validator promises to catch and checks that it says so.
func TestCheckCatchesBrokenContent(t *testing.T) {
	read := func(name string) string {
		data, err := fs.ReadFile(Embedded(), name)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	replace := func(name, old, new string) fs.FS {
		s := read(name)
		if !strings.Contains(s, old) {
			t.Fatalf("%s does not contain %q", name, old)
		}
		return overlay(t, name, []byte(strings.Replace(s, old, new, 1)))
	}
	cases := []struct {
		name string
		fsys fs.FS
		want string
	}{
		{"unknown indicator in a question", replace("questions.yaml", "yes: {true: [immediate_danger]}", "yes: {true: [immediate_dangr]}"), `unknown indicator "immediate_dangr"`},
		{"unreachable indicator", replace("questions.yaml", "yes: {true: [immediate_danger]}", "yes: {}"), "immediate_danger: no answer to any question shows this indicator present"},
		{"unknown facet in a rule", replace("jurisdictions/canada.yaml", "all: [context.third_party, means.safety_fear]", "all: [context.third_party, means.safety_feer]"), `unknown facet "means.safety_feer"`},
		{"not in an element rule", replace("jurisdictions/canada.yaml", "all: [context.third_party, means.safety_fear]", "all: [context.third_party, {not: means.safety_fear}]"), "'not' is not allowed in element rules"},
		{"rule without citation", replace("jurisdictions/canada.yaml", `citations: ["Criminal Code s.279.04(1)", "s.279.04(2)", "R. v. T.J.F., 2024 SCC 38"]`, "citations: []"), "every rule cites a source"},
		{"pathway without citation", replace("pathways.yaml", `citations: ["CETS 197 Art. 13", "Art. 10(2)", "Directive 2004/81/EC"]`, "citations: []"), "every pathway cites a source"},
		{"skip logic cycle", replace("questions.yaml", "  - id: others_involved\n    type: yesno\n", "  - id: others_involved\n    type: yesno\n    skip_if: [{question: money_share, answers: [none]}]\n"), "skip logic has a cycle"},
		{"unknown field", replace("facets.yaml", "- {id: act.recruit, group: act}", "- {id: act.recruit, group: act, colour: red}"), "field colour not found"},
		{"bad semver", replace("manifest.yaml", "version: 1.0.0", "version: one"), "not a semantic version"},
		{"missing default translation", replace("locales/en.yaml", `  "yes": "Yes"`, `  "yes": ""`), "the default locale must be complete"},
		{"term cycle", replace("terms.yaml", "all: [exploit.commercial_sex, {any: [exploit.profit, exploit.control]}]", "all: [exploit.commercial_sex, {term: prostitution_of_others}]"), "refers to itself"},
		{"missing file", overlay(t, "pathways.yaml", nil), "cannot read"},
		{"not yaml", overlay(t, "alerts.yaml", []byte("alerts: [")), "alerts.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := Check(tc.fsys)
			var all []string
			for _, p := range problems {
				if !p.Warning && strings.Contains(p.String(), tc.want) {
					return
				}
				all = append(all, p.String())
			}
			t.Errorf("no error containing %q; got:\n%s", tc.want, strings.Join(all, "\n"))
		})
	}
	// Load refuses what Check finds wrong.
	if _, err := Load(replace("manifest.yaml", "version: 1.0.0", "version: x")); err == nil {
		t.Error("Load accepted broken content")
	}
}

// FuzzCheck: no content file, however mangled, crashes the loader. The
// seeds are small fragments of each file's shape: whole content files are
// too large for the fuzzer to mutate usefully.
func FuzzCheck(f *testing.F) {
	names := []string{"questions.yaml", "jurisdictions/palermo.yaml", "terms.yaml", "pathways.yaml", "locales/es.yaml", "indicators.yaml"}
	f.Add(uint8(0), []byte("questions: [{id: x, type: yesno, options: {yes: {true: [nope]}}, skip_if: [{question: x, answers: [yes]}]}]"))
	f.Add(uint8(0), []byte("questions: [{id: age, type: age}, {id: m, type: multi, options: {a: {true: [commercial_sex]}, b: {false: [x]}}}]"))
	f.Add(uint8(1), []byte("id: palermo\nelements: [{id: purpose, rule: x}]"))
	f.Add(uint8(1), []byte("id: palermo\nsources: [{id: s}]\nelements: [{id: act, rule: {all: [context.third_party, {not: act.recruit}]}, citations: [a]}, {id: means, rule: {term: palermo_means}, not_required: {when: {minor: true}, kinds: [sexual]}}]"))
	f.Add(uint8(2), []byte("terms: {a: {term: a}, b: {all: []}, c: {element: {x: y}}, d: {minor: false}}"))
	f.Add(uint8(2), []byte("terms: {x: {any: [exploit.profit, {present: [exploitation]}, {determination: [sex_trafficking]}]}}"))
	f.Add(uint8(3), []byte("pathways: [{id: p, jurisdictions: [eu], conditions: [{id: c, when: {const: true}}], clocks: [{id: k, days: 1, years: 2}], consent: required}]"))
	f.Add(uint8(4), []byte("meta: {name: X, direction: rtl}\nanswer: {yes: Sí}"))
	f.Add(uint8(5), []byte("indicators: [{id: i, dimension: exploitation, grade: {adult: weak, child: weak}, facets: [nope]}]"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		b, problems := Check(overlay(t, name, data))
		for _, p := range problems {
			_ = p.String()
		}
		if b != nil {
			_ = b.RequiredKeys()
		}
	})
}

// FuzzExpr: no expression, however mangled, crashes decoding, resolution
// against the real content, rendering or JSON export.
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"act.recruit", "{all: [context.third_party, {any: [means.force, {minor: true}]}]}", "{not: {term: palermo_means}}",
		"{present: [exploitation, nope]}", "{element: {means: not_met}}", "{determination: [sex_trafficking]}",
		"{term: nope}", "{all: []}", "{const: maybe}", "[1, 2]", "{a: 1, b: 2}", "{indicator: debt_bondage}",
		"{any: [{any: [{any: [{any: [x]}]}]}]}", "!!binary AAAA", "{minor: false}",
	} {
		f.Add([]byte(s))
	}
	b := MustLoadEmbedded()
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Expr
		if err := yaml.Unmarshal(data, &e); err != nil {
			return
		}
		c := &checker{b: b}
		c.resolve(&e, exprContext{file: "fuzz", where: "expr", monotone: true, resultAtoms: true}, nil)
		_ = e.String()
		_ = e.Facets()
		_ = e.UsesAge()
		if _, err := json.Marshal(&e); err != nil && len(c.problems) == 0 {
			t.Fatalf("a resolved expression does not export: %v", err)
		}
	})
}
