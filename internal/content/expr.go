package content

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Op is the operator of an expression node.
type Op string

// The expression operators. See terms.yaml for their YAML forms.
const (
	OpFacet         Op = "facet"
	OpAll           Op = "all"
	OpAny           Op = "any"
	OpNot           Op = "not"
	OpMinor         Op = "minor"
	OpTerm          Op = "term"
	OpIndicator     Op = "indicator"
	OpPresent       Op = "present"
	OpNonePresent   Op = "none_present"
	OpDetermination Op = "determination"
	OpElement       Op = "element"
	OpConst         Op = "const"
)

// Expr is a three-valued expression over facets, indicators, the person's
// age and (in pathways, situations and alerts) a jurisdiction's result.
type Expr struct {
	Op    Op
	Name  string   // facet, term or indicator id; element id for OpElement
	Args  []*Expr  // OpAll, OpAny, OpNot
	List  []string // dimensions or determination codes
	State string   // element state for OpElement
	Value bool     // OpConst; OpMinor's expected value
	Line  int      // line in the source file, for error messages

	// Resolved on load.
	Facet     *Facet
	Indicator *Indicator
	Term      *Expr
}

// UnmarshalYAML reads the expression forms described in terms.yaml.
func (e *Expr) UnmarshalYAML(n *yaml.Node) error {
	e.Line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag != "!!str" {
			return fmt.Errorf("line %d: expected a facet id or an expression, got %q", n.Line, n.Value)
		}
		e.Op, e.Name = OpFacet, n.Value
		return nil
	case yaml.MappingNode:
		if len(n.Content) != 2 {
			return fmt.Errorf("line %d: an expression has exactly one key (all, any, not, minor, term, indicator, present, none_present, determination, element, const)", n.Line)
		}
		key, val := n.Content[0].Value, n.Content[1]
		switch Op(key) {
		case OpAll, OpAny:
			e.Op = Op(key)
			if val.Kind != yaml.SequenceNode || len(val.Content) == 0 {
				return fmt.Errorf("line %d: %s takes a non-empty list of expressions", val.Line, key)
			}
			for _, c := range val.Content {
				var sub Expr
				if err := c.Decode(&sub); err != nil {
					return err
				}
				e.Args = append(e.Args, &sub)
			}
		case OpNot:
			e.Op = OpNot
			var sub Expr
			if err := val.Decode(&sub); err != nil {
				return err
			}
			e.Args = []*Expr{&sub}
		case OpMinor, OpConst:
			e.Op = Op(key)
			if err := val.Decode(&e.Value); err != nil {
				return fmt.Errorf("line %d: %s takes true or false", val.Line, key)
			}
			if e.Op == OpMinor && !e.Value {
				return fmt.Errorf("line %d: write {minor: true}; 'not a minor' is {not: {minor: true}}", val.Line)
			}
		case OpTerm, OpIndicator:
			e.Op = Op(key)
			if val.Kind != yaml.ScalarNode || val.Value == "" {
				return fmt.Errorf("line %d: %s takes a name", val.Line, key)
			}
			e.Name = val.Value
		case OpPresent, OpNonePresent, OpDetermination:
			e.Op = Op(key)
			if err := val.Decode(&e.List); err != nil || len(e.List) == 0 {
				return fmt.Errorf("line %d: %s takes a non-empty list of names", val.Line, key)
			}
		case OpElement:
			e.Op = OpElement
			var m map[string]string
			if err := val.Decode(&m); err != nil || len(m) != 1 {
				return fmt.Errorf("line %d: element takes one {element_id: state}", val.Line)
			}
			for k, v := range m {
				e.Name, e.State = k, v
			}
		default:
			return fmt.Errorf("line %d: unknown expression %q", n.Line, key)
		}
		return nil
	}
	return fmt.Errorf("line %d: expected an expression", n.Line)
}

// String renders the expression compactly, for explanations and errors.
func (e *Expr) String() string {
	if e == nil {
		return "<nil>"
	}
	switch e.Op {
	case OpFacet:
		return e.Name
	case OpAll, OpAny:
		parts := make([]string, len(e.Args))
		for i, a := range e.Args {
			parts[i] = a.String()
		}
		return string(e.Op) + "(" + strings.Join(parts, ", ") + ")"
	case OpNot:
		return "not(" + e.Args[0].String() + ")"
	case OpMinor:
		return "minor"
	case OpConst:
		return fmt.Sprint(e.Value)
	case OpTerm:
		return "term:" + e.Name
	case OpIndicator:
		return "indicator:" + e.Name
	case OpPresent, OpNonePresent, OpDetermination:
		return string(e.Op) + "(" + strings.Join(e.List, ", ") + ")"
	case OpElement:
		return "element:" + e.Name + "=" + e.State
	}
	return string(e.Op)
}

// Walk calls fn for e and every sub-expression, following each term once.
func (e *Expr) Walk(fn func(*Expr)) {
	e.walk(fn, map[*Expr]bool{})
}

func (e *Expr) walk(fn func(*Expr), seen map[*Expr]bool) {
	if e == nil || seen[e] {
		return
	}
	seen[e] = true
	fn(e)
	for _, a := range e.Args {
		a.walk(fn, seen)
	}
	if e.Op == OpTerm && e.Term != nil {
		e.Term.walk(fn, seen)
	}
}

// Facets returns every facet the expression refers to, following terms.
func (e *Expr) Facets() []*Facet {
	var out []*Facet
	seen := map[*Facet]bool{}
	e.Walk(func(x *Expr) {
		if x.Op == OpFacet && x.Facet != nil && !seen[x.Facet] {
			seen[x.Facet] = true
			out = append(out, x.Facet)
		}
	})
	return out
}

// UsesAge reports whether the expression depends on the person's age.
func (e *Expr) UsesAge() bool {
	uses := false
	e.Walk(func(x *Expr) {
		if x.Op == OpMinor {
			uses = true
		}
	})
	return uses
}
