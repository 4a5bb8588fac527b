// Package screening is Discern's engine: a pure function from evidence (the
// answers given in an interview, each with its provenance) to indicator
// states, the ILO/EC dimension profile, and, for each jurisdiction, the legal
// elements met, not met, unknown or not required, with the determination,
// the situation, the follow-up questions that would settle what is unknown,
// the protection pathways, alerts and an explanation.
//
// The engine does no I/O and reads no clock: the same evidence and content
// always give the same result, which records the content version and hash.
package screening

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/discern-org/discern/internal/content"
	"go.yaml.in/yaml/v3"
)

// Answer is one answer with its provenance. Value is yes, no, unknown,
// prefer_not or skipped for any question, or an option id for a choice
// question; Options holds the options chosen for a multi question; Age the
// years given to an age question.
type Answer struct {
	Question   string   `json:"question"`
	Value      string   `json:"value,omitempty"`
	Options    []string `json:"options,omitempty"`
	Age        *int     `json:"age,omitempty"`
	Provenance string   `json:"provenance"`
	Note       string   `json:"note,omitempty"`
}

// Definite reports whether the answer says something (as opposed to
// unknown, prefers not to say, or skipped).
func (a Answer) Definite() bool {
	switch a.Value {
	case "unknown", "prefer_not", "skipped":
		return false
	}
	return a.Value != "" || len(a.Options) > 0 || a.Age != nil
}

// Evidence is everything the engine evaluates: the answers, the instrument
// and language they were given in, and the jurisdictions to test.
type Evidence struct {
	Instrument    string   `json:"instrument"`
	Language      string   `json:"language"`
	Jurisdictions []string `json:"jurisdictions"`
	Answers       []Answer `json:"answers"`
}

// Answer returns the answer to the question with the given id.
func (ev *Evidence) Answer(id string) (Answer, bool) {
	for _, a := range ev.Answers {
		if a.Question == id {
			return a, true
		}
	}
	return Answer{}, false
}

// Set records an answer, replacing any earlier answer to the same question.
func (ev *Evidence) Set(a Answer) {
	for i := range ev.Answers {
		if ev.Answers[i].Question == a.Question {
			ev.Answers[i] = a
			return
		}
	}
	ev.Answers = append(ev.Answers, a)
}

// InputError is bad input: it names the file, the path inside it and what
// was expected.
type InputError struct {
	File string
	Path string
	Msg  string
}

func (e *InputError) Error() string {
	s := e.File
	if e.Path != "" {
		s += ": " + e.Path
	}
	return s + ": " + e.Msg
}

// ParseAnswers reads an answers file (YAML or JSON) and checks it against
// the content: every question and option must exist and every value fit its
// question. file names the input in error messages.
//
// The file has instrument, language, jurisdictions (a list, or "all") and
// answers: a mapping of question id to a value or to {answer, provenance,
// note}, or a list of {question, answer, provenance, note}.
func ParseAnswers(b *content.Bundle, file string, data []byte) (*Evidence, error) {
	bad := func(path, format string, args ...any) error {
		return &InputError{File: file, Path: path, Msg: fmt.Sprintf(format, args...)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, bad("", "the file is empty; expected an answers file with 'answers:'")
	}
	var root yaml.Node
	if n, isJSON, err := jsonNode(data); isJSON {
		if err != nil {
			return nil, bad("", "not valid JSON: %v", err)
		}
		root = *n
	} else if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, bad("", "not valid YAML or JSON: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, bad("", "expected a mapping with 'answers:' at the top")
	}
	top := root.Content[0]
	ev := &Evidence{Instrument: "full", Language: b.DefaultLocale}
	var answersNode *yaml.Node
	for i := 0; i < len(top.Content); i += 2 {
		key, val := top.Content[i].Value, top.Content[i+1]
		switch key {
		case "instrument":
			if val.Kind != yaml.ScalarNode || b.Instrument(val.Value) == nil {
				return nil, bad("instrument", "expected one of %s", strings.Join(instrumentIDs(b), ", "))
			}
			ev.Instrument = val.Value
		case "language":
			if val.Kind != yaml.ScalarNode || b.Locale(val.Value) == nil {
				return nil, bad("language", "expected one of %s", strings.Join(localeIDs(b), ", "))
			}
			ev.Language = val.Value
		case "jurisdictions":
			list, err := scalarList(val)
			if err != nil {
				return nil, bad("jurisdictions", "expected a list of jurisdiction ids or \"all\"")
			}
			js, err := ResolveJurisdictions(b, list)
			if err != nil {
				return nil, bad("jurisdictions", "%v", err)
			}
			ev.Jurisdictions = js
		case "answers":
			answersNode = val
		case "vignette", "person", "title", "notes":
			// Descriptive fields, allowed and ignored.
		default:
			return nil, bad(key, "unknown field; expected instrument, language, jurisdictions or answers (line %d)", top.Content[i].Line)
		}
	}
	if answersNode == nil {
		return nil, bad("answers", "missing: expected a mapping of question id to answer")
	}
	add := func(path, qid string, val *yaml.Node) error {
		a, err := parseAnswer(b, path, qid, val)
		if err != nil {
			return bad(path, "%s", err.Error())
		}
		if _, dup := ev.Answer(qid); dup {
			return bad(path, "question %q is answered twice", qid)
		}
		ev.Answers = append(ev.Answers, a)
		return nil
	}
	switch answersNode.Kind {
	case yaml.MappingNode:
		for i := 0; i < len(answersNode.Content); i += 2 {
			qid := answersNode.Content[i].Value
			if err := add("answers."+qid, qid, answersNode.Content[i+1]); err != nil {
				return nil, err
			}
		}
	case yaml.SequenceNode:
		for i, item := range answersNode.Content {
			path := fmt.Sprintf("answers[%d]", i)
			if item.Kind != yaml.MappingNode {
				return nil, bad(path, "expected {question, answer, provenance, note}")
			}
			qid := ""
			for j := 0; j < len(item.Content); j += 2 {
				if item.Content[j].Value == "question" {
					qid = item.Content[j+1].Value
				}
			}
			if qid == "" {
				return nil, bad(path, "missing 'question'")
			}
			if err := add(path, qid, item); err != nil {
				return nil, err
			}
		}
	case yaml.ScalarNode:
		if answersNode.Tag == "!!null" {
			break
		}
		fallthrough
	default:
		return nil, bad("answers", "expected a mapping of question id to answer, or a list")
	}
	if len(ev.Jurisdictions) == 0 {
		ev.Jurisdictions = b.JurisdictionIDs()
	}
	return ev, nil
}

func parseAnswer(b *content.Bundle, path, qid string, n *yaml.Node) (Answer, error) {
	q := b.Question(qid)
	if q == nil {
		return Answer{}, fmt.Errorf("unknown question %q", qid)
	}
	a := Answer{Question: qid, Provenance: q.Provenance}
	var value *yaml.Node
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "answer", "value":
				value = v
			case "provenance":
				a.Provenance = v.Value
			case "note":
				a.Note = v.Value
			case "question":
			default:
				return Answer{}, fmt.Errorf("unknown field %q; expected answer, provenance or note", k)
			}
		}
		if value == nil {
			return Answer{}, fmt.Errorf("missing 'answer'")
		}
	} else {
		value = n
	}
	if a.Provenance == "" {
		a.Provenance = "self_report"
	}
	if !slices.Contains(content.Provenances, a.Provenance) {
		return Answer{}, fmt.Errorf("provenance %q: expected one of %s", a.Provenance, strings.Join(content.Provenances, ", "))
	}
	switch value.Kind {
	case yaml.ScalarNode:
		return a, setScalar(q, &a, scalarWord(value))
	case yaml.SequenceNode:
		if q.Type != "multi" {
			return Answer{}, fmt.Errorf("a list answers only a multi question; %q is %s", qid, q.Type)
		}
		list, err := scalarList(value)
		if err != nil {
			return Answer{}, fmt.Errorf("expected a list of option ids")
		}
		return a, setOptions(q, &a, list)
	}
	return Answer{}, fmt.Errorf("expected a value")
}

// scalarWord reads a YAML scalar, turning YAML booleans into yes and no so
// that an unquoted yes or true is understood.
func scalarWord(n *yaml.Node) string {
	if n.Tag == "!!bool" {
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on", "y":
			return "yes"
		}
		return "no"
	}
	return strings.TrimSpace(n.Value)
}

// SetValue checks a single value (as typed at a prompt or sent by a form)
// against question q and stores it in a.
func SetValue(q *content.Question, a *Answer, value string) error {
	return setScalar(q, a, value)
}

func setScalar(q *content.Question, a *Answer, v string) error {
	switch v {
	case "unknown", "prefer_not", "skipped":
		a.Value = v
		return nil
	case "":
		return fmt.Errorf("empty answer; expected %s", expected(q))
	}
	switch q.Type {
	case "age":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 120 {
			return fmt.Errorf("expected an age in whole years from 0 to 120, or unknown, prefer_not, skipped; got %q", v)
		}
		a.Age = &n
		return nil
	case "yesno":
		if v != "yes" && v != "no" {
			return fmt.Errorf("expected %s; got %q", expected(q), v)
		}
		a.Value = v
		return nil
	case "choice":
		if q.Option(v) == nil {
			return fmt.Errorf("expected %s; got %q", expected(q), v)
		}
		a.Value = v
		return nil
	case "multi":
		return setOptions(q, a, []string{v})
	}
	return fmt.Errorf("question type %q cannot be answered", q.Type)
}

func setOptions(q *content.Question, a *Answer, opts []string) error {
	if len(opts) == 0 {
		return fmt.Errorf("expected at least one of %s", strings.Join(q.OptionIDs(), ", "))
	}
	seen := map[string]bool{}
	for _, o := range opts {
		if q.Option(o) == nil {
			return fmt.Errorf("expected options among %s; got %q", strings.Join(q.OptionIDs(), ", "), o)
		}
		if seen[o] {
			return fmt.Errorf("option %q is given twice", o)
		}
		seen[o] = true
	}
	a.Options = slices.Clone(opts)
	return nil
}

func expected(q *content.Question) string {
	words := append(q.OptionIDs(), "unknown", "prefer_not", "skipped")
	if q.Type == "age" {
		return "an age in years, unknown, prefer_not or skipped"
	}
	return "one of " + strings.Join(words, ", ")
}

func scalarList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("not a list")
	}
	var out []string
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("not a list of names")
		}
		out = append(out, c.Value)
	}
	return out, nil
}

// ResolveJurisdictions checks a list of jurisdiction ids, expanding "all"
// (alone or in a comma-separated list) to every jurisdiction.
func ResolveJurisdictions(b *content.Bundle, ids []string) ([]string, error) {
	var out []string
	for _, raw := range ids {
		for _, id := range strings.Split(raw, ",") {
			id = strings.TrimSpace(id)
			switch {
			case id == "":
				continue
			case id == "all":
				return b.JurisdictionIDs(), nil
			case b.Jurisdiction(id) == nil:
				return nil, fmt.Errorf("unknown jurisdiction %q; expected all or any of %s", id, strings.Join(b.JurisdictionIDs(), ", "))
			case !slices.Contains(out, id):
				out = append(out, id)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no jurisdiction given; expected all or any of %s", strings.Join(b.JurisdictionIDs(), ", "))
	}
	return out, nil
}

func instrumentIDs(b *content.Bundle) []string {
	var ids []string
	for _, in := range b.Instruments {
		ids = append(ids, in.ID)
	}
	return ids
}

func localeIDs(b *content.Bundle) []string {
	var ids []string
	for _, l := range b.Locales {
		ids = append(ids, l.ID)
	}
	return ids
}
