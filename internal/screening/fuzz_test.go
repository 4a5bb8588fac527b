package screening

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParseAnswers: no input crashes the parser, every rejection is an
// InputError naming the file, and whatever it accepts the engine evaluates.
func FuzzParseAnswers(f *testing.F) {
	files, _ := filepath.Glob("testdata/vignettes/D*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "answers:", "answers: []", "answers: {}", "{}", "[]", "answers: {age: 200}",
		`{"jurisdictions": "all", "answers": {"exchange_sex": "yes", "how_started": ["taken", "sold"]}}`,
		"answers:\n  - {question: debt, answer: yes, provenance: observed}\n",
		"jurisdictions: [mars]\nanswers: {}", "answers: {debt: {answer: maybe}}", "answers: !!binary AAAA",
		"answers: {status: [citizen]}", "instrument: long\nanswers: {}", "answers:\n  debt: yes\n  debt: no\n",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"answers": {"age": 1e3, "debt": true, "status": null}}`))
	f.Add([]byte(`{"answers": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`))
	f.Add([]byte(`{"answers": {}} trailing`))
	eng := New(bundle)
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseAnswers(bundle, "fuzz.yaml", data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.File != "fuzz.yaml" {
				t.Fatalf("rejection is not an InputError naming the file: %v", err)
			}
			return
		}
		if _, err := eng.Evaluate(ev); err != nil {
			t.Fatalf("parsed evidence does not evaluate: %v", err)
		}
	})
}

func TestParseAnswersErrors(t *testing.T) {
	cases := []struct{ name, input, wantPath, wantMsg string }{
		{"empty", "", "", "empty"},
		{"not yaml", "answers: [", "", "not valid YAML"},
		{"unknown question", "answers: {favourite_colour: blue}", "answers.favourite_colour", "unknown question"},
		{"bad yes/no", "answers: {debt: maybe}", "answers.debt", "expected one of yes, no"},
		{"bad option", "answers: {status: martian}", "answers.status", "expected one of citizen"},
		{"age out of range", "answers: {age: 300}", "answers.age", "0 to 120"},
		{"list for a single choice", "answers: {status: [citizen]}", "answers.status", "only a multi question"},
		{"bad provenance", "answers: {debt: {answer: yes, provenance: rumour}}", "answers.debt", "provenance"},
		{"duplicate", "answers:\n  - {question: debt, answer: yes}\n  - {question: debt, answer: no}\n", "answers[1]", "twice"},
		{"unknown jurisdiction", "jurisdictions: [atlantis]\nanswers: {}", "jurisdictions", "unknown jurisdiction"},
		{"unknown top-level field", "answer: {}", "answer", "unknown field"},
		{"missing answers", "language: en", "answers", "missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAnswers(bundle, "in.yaml", []byte(tc.input))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want an InputError, got %v", err)
			}
			if ie.Path != tc.wantPath || !strings.Contains(ie.Msg, tc.wantMsg) {
				t.Errorf("got %q at %q, want %q at %q", ie.Msg, ie.Path, tc.wantMsg, tc.wantPath)
			}
		})
	}
	// YAML booleans are understood as yes and no; JSON is accepted.
	ev, err := ParseAnswers(bundle, "in.json", []byte(`{"answers": {"debt": true, "violence": false, "age": 30}, "jurisdictions": "all"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := ev.Answer("debt"); a.Value != "yes" {
		t.Errorf("true read as %q", a.Value)
	}
	if len(ev.Jurisdictions) != len(bundle.Jurisdictions) {
		t.Errorf("all expanded to %v", ev.Jurisdictions)
	}
}

// TestJSONAndYAMLReadAlike: every vignette answers file, turned into JSON,
// parses to the same evidence through the JSON path as through YAML.
func TestJSONAndYAMLReadAlike(t *testing.T) {
	files, _ := filepath.Glob("testdata/vignettes/D*.yaml")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		fromYAML, err := ParseAnswers(bundle, file, data)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := ParseAnswers(bundle, file, js)
		if err != nil {
			t.Fatalf("%s as JSON: %v", file, err)
		}
		if fmt.Sprintf("%+v", deref(fromYAML)) != fmt.Sprintf("%+v", deref(fromJSON)) {
			t.Errorf("%s reads differently as JSON", file)
		}
	}
}

func deref(ev *Evidence) []string {
	var out []string
	for _, a := range ev.Answers {
		age := ""
		if a.Age != nil {
			age = fmt.Sprint(*a.Age)
		}
		out = append(out, fmt.Sprint(a.Question, a.Value, a.Options, age, a.Provenance, a.Note))
	}
	// Map order is not kept by the round trip through Go maps.
	slices.Sort(out)
	return append(out, ev.Instrument, ev.Language, fmt.Sprint(ev.Jurisdictions))
}
