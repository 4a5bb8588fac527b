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
	ID    string `yaml:"id"`
	Group string `yaml:"group"`
	Index int    `yaml:"-"`
	// Indicators lists the indicators that evidence this facet (filled on load).
	Indicators []*Indicator `yaml:"-"`
}

// Grades holds an indicator's ILO/EC grade for adults and for children.
type Grades struct {
	Adult string `yaml:"adult"`
	Child string `yaml:"child"`
}

// Indicator is one ILO/EC-style indicator or vulnerability factor.
type Indicator struct {
	ID        string   `yaml:"id"`
	Dimension string   `yaml:"dimension"`
	Grade     Grades   `yaml:"grade"`
	FacetIDs  []string `yaml:"facets"`
	HTCDS     string   `yaml:"htcds"`
	Basis     string   `yaml:"basis"`
	Index     int      `yaml:"-"`
	Facets    []*Facet `yaml:"-"`
}

// Effect is what choosing one answer option says about indicators.
type Effect struct {
	True  []string `yaml:"true"`
	False []string `yaml:"false"`
}

// SkipRule skips a question when an earlier question's answer is one of
// Answers (for a multi question: when every option chosen is among them).
type SkipRule struct {
	Question string   `yaml:"question"`
	Answers  []string `yaml:"answers"`
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
	ID         string     `yaml:"id"`
	Type       string     `yaml:"type"` // yesno, choice, multi, age
	Provenance string     `yaml:"provenance"`
	SkipIf     []SkipRule `yaml:"skip_if"`
	Options    Options    `yaml:"options"`
	Index      int        `yaml:"-"`
	// Touches lists the indicators any answer to this question can set.
	Touches []*Indicator `yaml:"-"`
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
	ID        string   `yaml:"id"`
	Questions []string `yaml:"questions"`
}

// Instrument is a form: the short first-contact screen or the full form.
type Instrument struct {
	ID       string    `yaml:"id"`
	Sections []Section `yaml:"sections"`
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
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	URL   string `yaml:"url"`
}

// NotRequired says when an element is not required, and for which kinds of
// exploitation (all kinds when Kinds is empty).
type NotRequired struct {
	When  *Expr    `yaml:"when"`
	Kinds []string `yaml:"kinds"`
}

// Branch is one kind of exploitation the purpose element can be met by.
// A secondary branch (e.g. forced criminality inside a sexual-exploitation
// operation) changes the kind reported only when no other kind is met.
type Branch struct {
	Kind      string   `yaml:"kind"` // sexual or labour
	Secondary bool     `yaml:"secondary"`
	Rule      *Expr    `yaml:"rule"`
	Citations []string `yaml:"citations"`
}

// Element is one legal element of a jurisdiction's definition.
type Element struct {
	ID                   string       `yaml:"id"`
	Rule                 *Expr        `yaml:"rule"`
	Branches             []Branch     `yaml:"branches"`
	Citations            []string     `yaml:"citations"`
	NotRequired          *NotRequired `yaml:"not_required"`
	NotRequiredCitations []string     `yaml:"not_required_citations"`
}

// Jurisdiction is one legal definition of trafficking as a rule set.
type Jurisdiction struct {
	ID       string     `yaml:"id"`
	Country  string     `yaml:"country"`
	Sources  []Source   `yaml:"sources"`
	Elements []*Element `yaml:"elements"`
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
	ID   string `yaml:"id"`
	When *Expr  `yaml:"when"`
}

// Alert is raised over a result when its condition holds.
type Alert struct {
	ID              string   `yaml:"id"`
	Level           string   `yaml:"level"`
	When            *Expr    `yaml:"when"`
	AlsoWhenUnknown bool     `yaml:"also_when_unknown"`
	Citations       []string `yaml:"citations"`
}

// Condition is one eligibility condition of a pathway.
type Condition struct {
	ID   string `yaml:"id"`
	When *Expr  `yaml:"when"`
}

// Clock is a time limit that comes with a pathway.
type Clock struct {
	ID          string `yaml:"id"`
	Days        int    `yaml:"days"`
	WorkingDays int    `yaml:"working_days"`
	Months      int    `yaml:"months"`
	Years       int    `yaml:"years"`
}

// Pathway is a protection that can follow a result.
type Pathway struct {
	ID            string      `yaml:"id"`
	Jurisdictions []string    `yaml:"jurisdictions"`
	Conditions    []Condition `yaml:"conditions"`
	Clocks        []Clock     `yaml:"clocks"`
	Consent       string      `yaml:"consent"`
	Citations     []string    `yaml:"citations"`
}

// Right is an item of rights or harm-reduction information.
type Right struct {
	ID            string   `yaml:"id"`
	When          *Expr    `yaml:"when"`
	Jurisdictions []string `yaml:"jurisdictions"`
	Citations     []string `yaml:"citations"`
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
