// Package content holds Discern's screening content — indicators, question
// banks, jurisdictions, pathways, situations, alerts, rights information and
// translations — as embedded YAML files, with the loader that validates them.
//
// Law lives here as data, with its citations, so that a lawyer or trainer can
// review it without reading Go. The engine in package screening is generic
// over a Bundle.
package content

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"

	"go.yaml.in/yaml/v3"
)

//go:embed data
var embedded embed.FS

// Embedded returns the content files compiled into the binary, rooted at the
// data directory.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the directory is compiled in; this cannot fail
	}
	return sub
}

// Tri is a three-valued truth: unknown, false or true (Kleene logic).
type Tri uint8

// The three truth values. Unknown is the zero value, so nothing is ever
// "false" without evidence.
const (
	Unknown Tri = iota
	False
	True
)

func (t Tri) String() string {
	switch t {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "unknown"
}

// And is Kleene conjunction.
func (t Tri) And(u Tri) Tri {
	if t == False || u == False {
		return False
	}
	if t == True && u == True {
		return True
	}
	return Unknown
}

// Or is Kleene disjunction.
func (t Tri) Or(u Tri) Tri {
	if t == True || u == True {
		return True
	}
	if t == False && u == False {
		return False
	}
	return Unknown
}

// Not is Kleene negation.
func (t Tri) Not() Tri {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

// Bundle is one loaded, validated version of the content.
type Bundle struct {
	Version       string
	Hash          string // sha256 over every content file, in path order
	DefaultLocale string

	Facets        []*Facet
	Indicators    []*Indicator
	Questions     []*Question
	Instruments   []*Instrument
	Terms         map[string]*Expr
	Jurisdictions []*Jurisdiction
	Situations    []*Situation
	Alerts        []*Alert
	Pathways      []*Pathway
	Rights        []*Right
	Locales       []*Locale

	IndicatorSource string

	facetByID        map[string]*Facet
	indicatorByID    map[string]*Indicator
	questionByID     map[string]*Question
	instrumentByID   map[string]*Instrument
	jurisdictionByID map[string]*Jurisdiction
	localeByID       map[string]*Locale
}

// Facet is a term of the legal vocabulary that indicators evidence.
type Facet struct {
	ID    string `yaml:"id" json:"id"`
	Group string `yaml:"group" json:"group"`
	Index int    `yaml:"-" json:"-"`
	// Indicators lists the indicators that evidence this facet (filled on load).
	Indicators []*Indicator `yaml:"-" json:"-"`
}

// Grades holds an indicator's ILO/EC grade for adults and for children.
type Grades struct {
	Adult string `yaml:"adult" json:"adult,omitempty"`
	Child string `yaml:"child" json:"child,omitempty"`
}

// Indicator is one ILO/EC-style indicator or vulnerability factor.
type Indicator struct {
	ID        string   `yaml:"id" json:"id,omitempty"`
	Dimension string   `yaml:"dimension" json:"dimension,omitempty"`
	Grade     Grades   `yaml:"grade" json:"grade,omitempty"`
	FacetIDs  []string `yaml:"facets" json:"facets,omitempty"`
	HTCDS     string   `yaml:"htcds" json:"htcds,omitempty"`
	Basis     string   `yaml:"basis" json:"basis,omitempty"`
	Index     int      `yaml:"-" json:"-"`
	Facets    []*Facet `yaml:"-" json:"-"`
}

// Effect is what choosing one answer option says about indicators.
type Effect struct {
	True  []string `yaml:"true" json:"true,omitempty"`
	False []string `yaml:"false" json:"false,omitempty"`
	// Resolved on load.
	TrueIndicators  []*Indicator `yaml:"-" json:"-"`
	FalseIndicators []*Indicator `yaml:"-" json:"-"`
}

// SkipRule skips a question when an earlier question's answer is one of
// Answers (for a multi question: when every option chosen is among them).
type SkipRule struct {
	Question string   `yaml:"question" json:"question,omitempty"`
	Answers  []string `yaml:"answers" json:"answers,omitempty"`
}

// Option is one answer option of a question and what it says.
type Option struct {
	ID     string
	Effect Effect
}

// Options keeps a question's options in file order.
type Options []Option

// UnmarshalYAML reads a mapping of option id to effect, keeping its order.
func (o *Options) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: options must be a mapping of option id to effect", n.Line)
	}
	for i := 0; i < len(n.Content); i += 2 {
		var eff Effect
		if err := n.Content[i+1].Decode(&eff); err != nil {
			return err
		}
		*o = append(*o, Option{ID: n.Content[i].Value, Effect: eff})
	}
	return nil
}

// Question is one question of the bank.
type Question struct {
	ID         string     `yaml:"id" json:"id,omitempty"`
	Type       string     `yaml:"type" json:"type,omitempty"` // yesno, choice, multi, age
	Provenance string     `yaml:"provenance" json:"provenance,omitempty"`
	SkipIf     []SkipRule `yaml:"skip_if" json:"skip_if,omitempty"`
	Options    Options    `yaml:"options" json:"options,omitempty"`
	// Class is the data class of the answer (case unless the answer reveals
	// health, immigration or criminal-justice information), so that a user
	// whose role does not cover that class sees the answer redacted.
	Class string `yaml:"class" json:"class,omitempty"`
	Index int    `yaml:"-" json:"-"`
	// Touches lists the indicators any answer to this question can set.
	Touches []*Indicator `yaml:"-" json:"-"`
}

// Option returns the option with the given id, or nil.
func (q *Question) Option(id string) *Option {
	for i := range q.Options {
		if q.Options[i].ID == id {
			return &q.Options[i]
		}
	}
	return nil
}

// OptionIDs lists the question's option ids in order. Yes/no questions
// have the options yes and no even when the file names no effect for one.
func (q *Question) OptionIDs() []string {
	if q.Type == "yesno" {
		return []string{"yes", "no"}
	}
	ids := make([]string, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	return ids
}

// Section is an ordered group of questions shown together.
type Section struct {
	ID        string   `yaml:"id" json:"id,omitempty"`
	Questions []string `yaml:"questions" json:"questions,omitempty"`
}

// Instrument is a form: the short first-contact screen or the full form.
type Instrument struct {
	ID       string    `yaml:"id" json:"id,omitempty"`
	Sections []Section `yaml:"sections" json:"sections,omitempty"`
}

// QuestionIDs returns the instrument's questions in order.
func (in *Instrument) QuestionIDs() []string {
	var ids []string
	for _, s := range in.Sections {
		ids = append(ids, s.Questions...)
	}
	return ids
}

// Source is a primary or secondary source a jurisdiction cites.
type Source struct {
	ID    string `yaml:"id" json:"id,omitempty"`
	Title string `yaml:"title" json:"title,omitempty"`
	URL   string `yaml:"url" json:"url,omitempty"`
}

// NotRequired says when an element is not required, and for which kinds of
// exploitation (all kinds when Kinds is empty).
type NotRequired struct {
	When  *Expr    `yaml:"when" json:"when,omitempty"`
	Kinds []string `yaml:"kinds" json:"kinds,omitempty"`
}

// Branch is one kind of exploitation the purpose element can be met by.
// A secondary branch (e.g. forced criminality inside a sexual-exploitation
// operation) changes the kind reported only when no other kind is met.
type Branch struct {
	Kind      string   `yaml:"kind" json:"kind,omitempty"` // sexual or labour
	Secondary bool     `yaml:"secondary" json:"secondary,omitempty"`
	Rule      *Expr    `yaml:"rule" json:"rule,omitempty"`
	Citations []string `yaml:"citations" json:"citations,omitempty"`
}

// Element is one legal element of a jurisdiction's definition.
type Element struct {
	ID                   string       `yaml:"id" json:"id,omitempty"`
	Rule                 *Expr        `yaml:"rule" json:"rule,omitempty"`
	Branches             []Branch     `yaml:"branches" json:"branches,omitempty"`
	Citations            []string     `yaml:"citations" json:"citations,omitempty"`
	NotRequired          *NotRequired `yaml:"not_required" json:"not_required,omitempty"`
	NotRequiredCitations []string     `yaml:"not_required_citations" json:"not_required_citations,omitempty"`
}

// Jurisdiction is one legal definition of trafficking as a rule set.
type Jurisdiction struct {
	ID       string     `yaml:"id" json:"id,omitempty"`
	Country  string     `yaml:"country" json:"country,omitempty"`
	Sources  []Source   `yaml:"sources" json:"sources,omitempty"`
	Elements []*Element `yaml:"elements" json:"elements,omitempty"`
}

// Element returns the jurisdiction's element with the given id, or nil.
func (j *Jurisdiction) Element(id string) *Element {
	for _, e := range j.Elements {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// Situation names what the answers describe in one jurisdiction.
type Situation struct {
	ID   string `yaml:"id" json:"id,omitempty"`
	When *Expr  `yaml:"when" json:"when,omitempty"`
}

// Alert is raised over a result when its condition holds.
type Alert struct {
	ID              string   `yaml:"id" json:"id,omitempty"`
	Level           string   `yaml:"level" json:"level,omitempty"`
	When            *Expr    `yaml:"when" json:"when,omitempty"`
	AlsoWhenUnknown bool     `yaml:"also_when_unknown" json:"also_when_unknown,omitempty"`
	Citations       []string `yaml:"citations" json:"citations,omitempty"`
}

// Condition is one eligibility condition of a pathway.
type Condition struct {
	ID   string `yaml:"id" json:"id,omitempty"`
	When *Expr  `yaml:"when" json:"when,omitempty"`
}

// Clock is a time limit that comes with a pathway.
type Clock struct {
	ID          string `yaml:"id" json:"id,omitempty"`
	Days        int    `yaml:"days" json:"days,omitempty"`
	WorkingDays int    `yaml:"working_days" json:"working_days,omitempty"`
	Months      int    `yaml:"months" json:"months,omitempty"`
	Years       int    `yaml:"years" json:"years,omitempty"`
}

// Pathway is a protection that can follow a result.
type Pathway struct {
	ID            string      `yaml:"id" json:"id,omitempty"`
	Jurisdictions []string    `yaml:"jurisdictions" json:"jurisdictions,omitempty"`
	Conditions    []Condition `yaml:"conditions" json:"conditions,omitempty"`
	Clocks        []Clock     `yaml:"clocks" json:"clocks,omitempty"`
	Consent       string      `yaml:"consent" json:"consent,omitempty"`
	Citations     []string    `yaml:"citations" json:"citations,omitempty"`
	// Class is the data class of a plan that tracks this pathway:
	// immigration, criminal_justice or case.
	Class string `yaml:"class" json:"class,omitempty"`
	// Steps are the checklist of such a plan.
	Steps []Step `yaml:"steps" json:"steps,omitempty"`
}

// Step is one checklist step of a pathway, with its source.
type Step struct {
	ID     string `yaml:"id" json:"id,omitempty"`
	Source string `yaml:"source" json:"source,omitempty"`
}

// Pathway returns the pathway with the given id, or nil.
func (b *Bundle) Pathway(id string) *Pathway {
	for _, p := range b.Pathways {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Right is an item of rights or harm-reduction information.
type Right struct {
	ID            string   `yaml:"id" json:"id,omitempty"`
	When          *Expr    `yaml:"when" json:"when,omitempty"`
	Jurisdictions []string `yaml:"jurisdictions" json:"jurisdictions,omitempty"`
	Citations     []string `yaml:"citations" json:"citations,omitempty"`
}

// Locale is one language's texts, flattened to dotted keys.
type Locale struct {
	ID        string
	Name      string
	Direction string // ltr or rtl
	Texts     map[string]string
}

// T returns the text for key, or "" when the locale lacks it.
func (l *Locale) T(key string) string { return l.Texts[key] }

// Facet returns the facet with the given id, or nil.
func (b *Bundle) Facet(id string) *Facet { return b.facetByID[id] }

// Indicator returns the indicator with the given id, or nil.
func (b *Bundle) Indicator(id string) *Indicator { return b.indicatorByID[id] }

// Question returns the question with the given id, or nil.
func (b *Bundle) Question(id string) *Question { return b.questionByID[id] }

// Instrument returns the instrument with the given id, or nil.
func (b *Bundle) Instrument(id string) *Instrument { return b.instrumentByID[id] }

// Jurisdiction returns the jurisdiction with the given id, or nil.
func (b *Bundle) Jurisdiction(id string) *Jurisdiction { return b.jurisdictionByID[id] }

// Locale returns the locale with the given id, or nil.
func (b *Bundle) Locale(id string) *Locale { return b.localeByID[id] }

// JurisdictionIDs lists the jurisdictions in content order.
func (b *Bundle) JurisdictionIDs() []string {
	ids := make([]string, len(b.Jurisdictions))
	for i, j := range b.Jurisdictions {
		ids[i] = j.ID
	}
	return ids
}

// Text returns the text for key in the given locale, falling back to the
// default locale and finally to the key itself, so a missing translation is
// visible rather than blank.
func (b *Bundle) Text(locale, key string) string {
	if l := b.localeByID[locale]; l != nil {
		if s, ok := l.Texts[key]; ok {
			return s
		}
	}
	if l := b.localeByID[b.DefaultLocale]; l != nil {
		if s, ok := l.Texts[key]; ok {
			return s
		}
	}
	return key
}

// hashFiles returns the sha256 of every file under fsys, path and content,
// in path order.
func hashFiles(fsys fs.FS) (string, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return "", err
		}
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
