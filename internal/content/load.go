package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with the content. Warnings (for example an
// incomplete translation) do not stop the content from loading.
type Problem struct {
	File    string
	Where   string // the path inside the file, e.g. questions[debt].options.yes
	Message string
	Warning bool
}

func (p Problem) String() string {
	level := "error"
	if p.Warning {
		level = "warning"
	}
	s := level + ": " + p.File
	if p.Where != "" {
		s += ": " + p.Where
	}
	return s + ": " + p.Message
}

// LoadError is returned when the content has errors; it lists them all.
type LoadError struct{ Problems []Problem }

func (e *LoadError) Error() string {
	var b strings.Builder
	n := 0
	for _, p := range e.Problems {
		if !p.Warning {
			n++
		}
	}
	fmt.Fprintf(&b, "content has %d error(s)", n)
	for _, p := range e.Problems {
		if !p.Warning {
			b.WriteString("\n  " + p.String())
		}
	}
	return b.String()
}

// Load reads and validates the content in fsys. It fails with a *LoadError
// listing every error; warnings are dropped (use Check to see them).
func Load(fsys fs.FS) (*Bundle, error) {
	b, problems := Check(fsys)
	for _, p := range problems {
		if !p.Warning {
			return nil, &LoadError{Problems: problems}
		}
	}
	return b, nil
}

// MustLoadEmbedded loads the embedded content. The embedded content is
// checked by the tests, so a failure here is a build defect.
func MustLoadEmbedded() *Bundle {
	b, err := Load(Embedded())
	if err != nil {
		panic(err)
	}
	return b
}

// Check reads and validates the content in fsys and returns the bundle (nil
// when a file could not be read at all) with every problem found.
func Check(fsys fs.FS) (*Bundle, []Problem) {
	c := &checker{fsys: fsys, b: &Bundle{Terms: map[string]*Expr{}}}
	c.read()
	if c.fatal {
		return nil, c.problems
	}
	c.index()
	c.validate()
	hash, err := hashFiles(fsys)
	if err != nil {
		c.errorf("", "", "cannot hash the content: %v", err)
	}
	c.b.Hash = hash
	return c.b, c.problems
}

type checker struct {
	fsys     fs.FS
	b        *Bundle
	problems []Problem
	fatal    bool
	// jurisdictionFile remembers each jurisdiction's file for messages.
	jurisdictionFile map[string]string
	termState        map[string]int // 1 resolving, 2 resolved
	termCycle        bool
}

func (c *checker) errorf(file, where, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Where: where, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnf(file, where, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Where: where, Message: fmt.Sprintf(format, args...), Warning: true})
}

// decode reads one YAML file strictly into v: unknown fields are errors.
func (c *checker) decode(file string, v any) bool {
	data, err := fs.ReadFile(c.fsys, file)
	if err != nil {
		c.errorf(file, "", "cannot read: %v", err)
		c.fatal = true
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		c.errorf(file, "", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		c.fatal = true
		return false
	}
	return true
}

func (c *checker) read() {
	var manifest struct {
		Version       string   `yaml:"version"`
		DefaultLocale string   `yaml:"default_locale"`
		Locales       []string `yaml:"locales"`
	}
	if c.decode("manifest.yaml", &manifest) {
		c.b.Version, c.b.DefaultLocale = manifest.Version, manifest.DefaultLocale
		if !semver.MatchString(manifest.Version) {
			c.errorf("manifest.yaml", "version", "%q is not a semantic version (MAJOR.MINOR.PATCH)", manifest.Version)
		}
		if !slices.Contains(manifest.Locales, manifest.DefaultLocale) {
			c.errorf("manifest.yaml", "default_locale", "%q is not among locales %v", manifest.DefaultLocale, manifest.Locales)
		}
	}
	var facets struct {
		Facets []*Facet `yaml:"facets"`
	}
	if c.decode("facets.yaml", &facets) {
		c.b.Facets = facets.Facets
	}
	var inds struct {
		Source     string       `yaml:"source"`
		Indicators []*Indicator `yaml:"indicators"`
	}
	if c.decode("indicators.yaml", &inds) {
		c.b.Indicators, c.b.IndicatorSource = inds.Indicators, inds.Source
	}
	var qs struct {
		Questions []*Question `yaml:"questions"`
	}
	if c.decode("questions.yaml", &qs) {
		c.b.Questions = qs.Questions
	}
	var ins struct {
		Instruments []*Instrument `yaml:"instruments"`
	}
	if c.decode("instruments.yaml", &ins) {
		c.b.Instruments = ins.Instruments
	}
	var terms struct {
		Terms map[string]*Expr `yaml:"terms"`
	}
	if c.decode("terms.yaml", &terms) {
		c.b.Terms = terms.Terms
	}
	var sit struct {
		Situations []*Situation `yaml:"situations"`
	}
	if c.decode("situations.yaml", &sit) {
		c.b.Situations = sit.Situations
	}
	var al struct {
		Alerts []*Alert `yaml:"alerts"`
	}
	if c.decode("alerts.yaml", &al) {
		c.b.Alerts = al.Alerts
	}
	var pw struct {
		Pathways []*Pathway `yaml:"pathways"`
	}
	if c.decode("pathways.yaml", &pw) {
		c.b.Pathways = pw.Pathways
	}
	var rt struct {
		Rights []*Right `yaml:"rights"`
	}
	if c.decode("rights.yaml", &rt) {
		c.b.Rights = rt.Rights
	}
	c.jurisdictionFile = map[string]string{}
	files, err := fs.Glob(c.fsys, "jurisdictions/*.yaml")
	if err != nil || len(files) == 0 {
		c.errorf("jurisdictions/", "", "no jurisdiction files")
		c.fatal = true
	}
	for _, f := range files {
		var j Jurisdiction
		if c.decode(f, &j) {
			c.b.Jurisdictions = append(c.b.Jurisdictions, &j)
			c.jurisdictionFile[j.ID] = f
			if want := strings.TrimSuffix(path.Base(f), ".yaml"); j.ID != want {
				c.errorf(f, "id", "jurisdiction id %q must match its file name %q", j.ID, want)
			}
		}
	}
	for _, id := range manifest.Locales {
		c.readLocale(id)
	}
}

var semver = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

func (c *checker) readLocale(id string) {
	file := "locales/" + id + ".yaml"
	var root yaml.Node
	if !c.decode(file, &root) {
		return
	}
	l := &Locale{ID: id, Texts: map[string]string{}}
	if len(root.Content) == 1 {
		if err := flatten("", root.Content[0], l.Texts); err != nil {
			c.errorf(file, "", "%v", err)
			c.fatal = true
			return
		}
	}
	l.Name, l.Direction = l.Texts["meta.name"], l.Texts["meta.direction"]
	if l.Direction != "ltr" && l.Direction != "rtl" {
		c.errorf(file, "meta.direction", "must be ltr or rtl, got %q", l.Direction)
	}
	c.b.Locales = append(c.b.Locales, l)
}

// flatten turns nested mappings into dotted keys.
func flatten(prefix string, n *yaml.Node, out map[string]string) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if prefix != "" {
				k = prefix + "." + k
			}
			if err := flatten(k, n.Content[i+1], out); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		if _, dup := out[prefix]; dup {
			return fmt.Errorf("line %d: %s is given twice", n.Line, prefix)
		}
		out[prefix] = strings.TrimSpace(n.Value)
	default:
		return fmt.Errorf("line %d: %s: texts must be strings or mappings of strings", n.Line, prefix)
	}
	return nil
}

func (c *checker) index() {
	b := c.b
	b.facetByID = map[string]*Facet{}
	for i, f := range b.Facets {
		f.Index = i
		if _, dup := b.facetByID[f.ID]; dup {
			c.errorf("facets.yaml", f.ID, "facet id given twice")
		}
		b.facetByID[f.ID] = f
	}
	b.indicatorByID = map[string]*Indicator{}
	for i, ind := range b.Indicators {
		ind.Index = i
		if _, dup := b.indicatorByID[ind.ID]; dup {
			c.errorf("indicators.yaml", ind.ID, "indicator id given twice")
		}
		b.indicatorByID[ind.ID] = ind
		for _, fid := range ind.FacetIDs {
			f := b.facetByID[fid]
			if f == nil {
				c.errorf("indicators.yaml", "indicators["+ind.ID+"].facets", "unknown facet %q", fid)
				continue
			}
			ind.Facets = append(ind.Facets, f)
			f.Indicators = append(f.Indicators, ind)
		}
	}
	b.questionByID = map[string]*Question{}
	for i, q := range b.Questions {
		q.Index = i
		if _, dup := b.questionByID[q.ID]; dup {
			c.errorf("questions.yaml", q.ID, "question id given twice")
		}
		b.questionByID[q.ID] = q
	}
	b.instrumentByID = map[string]*Instrument{}
	for _, in := range b.Instruments {
		b.instrumentByID[in.ID] = in
	}
	b.jurisdictionByID = map[string]*Jurisdiction{}
	for _, j := range b.Jurisdictions {
		b.jurisdictionByID[j.ID] = j
	}
	b.localeByID = map[string]*Locale{}
	for _, l := range b.Locales {
		b.localeByID[l.ID] = l
	}
}

// Valid values of the enumerations the files use.
var (
	facetGroups    = []string{"act", "means", "exploit", "context"}
	iloDimensions  = []string{"deceptive_recruitment", "coercive_recruitment", "recruitment_abuse_of_vulnerability", "exploitation", "coercion_at_destination", "abuse_of_vulnerability_at_destination"}
	otherDims      = []string{"vulnerability", "context"}
	questionTypes  = []string{"yesno", "choice", "multi", "age"}
	provenances    = []string{"self_report", "observed", "document", "third_party"}
	dataClasses    = []string{"case", "identity", "contact", "narrative", "health", "immigration", "criminal_justice"}
	elementIDs     = []string{"act", "means", "purpose"}
	elementStates  = []string{"met", "not_met", "unknown", "not_required"}
	branchKinds    = []string{"sexual", "labour"}
	alertLevels    = []string{"urgent", "warning", "notice"}
	consentKinds   = []string{"required", "child", "adult_required_child_not", "anonymous_without_consent"}
	Determinations = []string{"sex_trafficking", "labour_trafficking", "sex_and_labour_trafficking", "not_trafficking", "insufficient_information"}
	AnswerWords    = []string{"yes", "no", "unknown", "prefer_not", "skipped"}
	Provenances    = provenances
)

// ILODimensions lists the six ILO/EC dimensions in order.
func ILODimensions() []string { return slices.Clone(iloDimensions) }

// exprContext says which atoms an expression may use where it stands.
type exprContext struct {
	file, where string
	monotone    bool // element rules: no "not"
	resultAtoms bool // determination and element atoms allowed
}

func (c *checker) resolve(e *Expr, ctx exprContext, _ map[string]bool) {
	if e == nil {
		c.errorf(ctx.file, ctx.where, "missing expression")
		return
	}
	switch e.Op {
	case OpFacet:
		e.Facet = c.b.facetByID[e.Name]
		if e.Facet == nil {
			c.errorf(ctx.file, ctx.where, "line %d: unknown facet %q", e.Line, e.Name)
		}
	case OpNot:
		if ctx.monotone {
			c.errorf(ctx.file, ctx.where, "line %d: 'not' is not allowed in element rules (they must stay monotone: more evidence never un-meets an element)", e.Line)
		}
	case OpTerm:
		t := c.b.Terms[e.Name]
		if t == nil {
			c.errorf(ctx.file, ctx.where, "line %d: unknown term %q", e.Line, e.Name)
			return
		}
		e.Term = t
		c.resolveTerm(e.Name, ctx)
	case OpIndicator:
		e.Indicator = c.b.indicatorByID[e.Name]
		if e.Indicator == nil {
			c.errorf(ctx.file, ctx.where, "line %d: unknown indicator %q", e.Line, e.Name)
		}
	case OpPresent, OpNonePresent:
		for _, d := range e.List {
			if !slices.Contains(iloDimensions, d) && !slices.Contains(otherDims, d) {
				c.errorf(ctx.file, ctx.where, "line %d: unknown dimension %q", e.Line, d)
			}
		}
	case OpDetermination:
		if !ctx.resultAtoms {
			c.errorf(ctx.file, ctx.where, "line %d: 'determination' can be used only in pathways and situations", e.Line)
		}
		for _, d := range e.List {
			if !slices.Contains(Determinations, d) {
				c.errorf(ctx.file, ctx.where, "line %d: unknown determination %q", e.Line, d)
			}
		}
	case OpElement:
		if !ctx.resultAtoms {
			c.errorf(ctx.file, ctx.where, "line %d: 'element' can be used only in pathways and situations", e.Line)
		}
		if !slices.Contains(elementIDs, e.Name) || !slices.Contains(elementStates, e.State) {
			c.errorf(ctx.file, ctx.where, "line %d: element atom needs one of %v and a state among %v", e.Line, elementIDs, elementStates)
		}
	}
	for _, a := range e.Args {
		c.resolve(a, ctx, nil)
	}
}

// resolveTerm resolves a named term once, whatever the number of places
// that use it, and reports cycles between terms.
func (c *checker) resolveTerm(name string, ctx exprContext) {
	if c.termState == nil {
		c.termState = map[string]int{}
	}
	switch c.termState[name] {
	case 1:
		c.errorf("terms.yaml", "terms."+name, "term %q refers to itself", name)
		c.termCycle = true
		return
	case 2:
		return
	}
	c.termState[name] = 1
	c.resolve(c.b.Terms[name], exprContext{file: "terms.yaml", where: "terms." + name, resultAtoms: true}, nil)
	c.termState[name] = 2
	// Where a term stands decides what it may contain.
	c.b.Terms[name].Walk(func(x *Expr) {
		switch {
		case ctx.monotone && x.Op == OpNot:
			c.errorf(ctx.file, ctx.where, "term %q uses 'not', which is not allowed in element rules (they must stay monotone)", name)
		case !ctx.resultAtoms && (x.Op == OpDetermination || x.Op == OpElement):
			c.errorf(ctx.file, ctx.where, "term %q uses '%s', which can be used only in pathways and situations", name, x.Op)
		}
	})
}

func (c *checker) validate() {
	b := c.b
	for _, f := range b.Facets {
		if !slices.Contains(facetGroups, f.Group) {
			c.errorf("facets.yaml", f.ID, "group %q is not one of %v", f.Group, facetGroups)
		}
		if !strings.HasPrefix(f.ID, f.Group+".") {
			c.errorf("facets.yaml", f.ID, "a facet id starts with its group (%s.)", f.Group)
		}
	}
	for _, ind := range b.Indicators {
		where := "indicators[" + ind.ID + "]"
		switch {
		case slices.Contains(iloDimensions, ind.Dimension):
			if !slices.Contains([]string{"strong", "medium", "weak"}, ind.Grade.Adult) {
				c.errorf("indicators.yaml", where+".grade.adult", "must be strong, medium or weak, got %q", ind.Grade.Adult)
			}
			if !slices.Contains([]string{"strong", "medium"}, ind.Grade.Child) {
				c.errorf("indicators.yaml", where+".grade.child", "must be strong or medium (the child lists have no weak grade), got %q", ind.Grade.Child)
			}
			if ind.Basis == "" {
				c.errorf("indicators.yaml", where+".basis", "an ILO indicator says which listed item its grade rests on")
			}
		case slices.Contains(otherDims, ind.Dimension):
			if ind.Grade != (Grades{}) {
				c.errorf("indicators.yaml", where+".grade", "%s indicators have no grade", ind.Dimension)
			}
		default:
			c.errorf("indicators.yaml", where+".dimension", "unknown dimension %q", ind.Dimension)
		}
	}
	c.validateQuestions()
	c.validateInstruments()
	names := make([]string, 0, len(b.Terms))
	for name := range b.Terms {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c.resolveTerm(name, exprContext{file: "terms.yaml", where: "terms." + name, resultAtoms: true})
	}
	if c.termCycle {
		// Rules that use a cyclic term cannot be walked; stop here.
		return
	}
	usedFacets := map[*Facet]bool{}
	for _, j := range b.Jurisdictions {
		c.validateJurisdiction(j, usedFacets)
	}
	for _, f := range b.Facets {
		if usedFacets[f] && len(f.Indicators) == 0 {
			c.errorf("facets.yaml", f.ID, "rules use this facet but no indicator evidences it, so it could never be settled")
		}
	}
	for i, s := range b.Situations {
		c.resolve(s.When, exprContext{file: "situations.yaml", where: fmt.Sprintf("situations[%s]", s.ID), resultAtoms: true}, nil)
		if i == len(b.Situations)-1 && (s.When == nil || s.When.Op != OpConst || !s.When.Value) {
			c.errorf("situations.yaml", s.ID, "the last situation must be the catch-all {const: true}")
		}
	}
	for _, a := range b.Alerts {
		where := "alerts[" + a.ID + "]"
		c.resolve(a.When, exprContext{file: "alerts.yaml", where: where}, nil)
		if !slices.Contains(alertLevels, a.Level) {
			c.errorf("alerts.yaml", where+".level", "must be one of %v", alertLevels)
		}
	}
	for _, p := range b.Pathways {
		where := "pathways[" + p.ID + "]"
		if len(p.Citations) == 0 {
			c.errorf("pathways.yaml", where, "every pathway cites a source")
		}
		if len(p.Jurisdictions) == 0 {
			c.errorf("pathways.yaml", where, "names no jurisdiction")
		}
		for _, jid := range p.Jurisdictions {
			if b.jurisdictionByID[jid] == nil {
				c.errorf("pathways.yaml", where+".jurisdictions", "unknown jurisdiction %q", jid)
			}
		}
		if !slices.Contains(consentKinds, p.Consent) {
			c.errorf("pathways.yaml", where+".consent", "must be one of %v", consentKinds)
		}
		if !slices.Contains([]string{"case", "immigration", "criminal_justice"}, p.Class) {
			c.errorf("pathways.yaml", where+".class", "must be case, immigration or criminal_justice")
		}
		if len(p.Steps) == 0 {
			c.errorf("pathways.yaml", where+".steps", "every pathway lists the checklist steps of a plan")
		}
		for _, st := range p.Steps {
			if st.ID == "" || strings.TrimSpace(st.Source) == "" {
				c.errorf("pathways.yaml", where+".steps["+st.ID+"]", "every step has an id and cites its source")
			}
		}
		for _, cond := range p.Conditions {
			c.resolve(cond.When, exprContext{file: "pathways.yaml", where: where + ".conditions[" + cond.ID + "]", resultAtoms: true}, nil)
		}
		for _, cl := range p.Clocks {
			n := 0
			for _, v := range []int{cl.Days, cl.WorkingDays, cl.Months, cl.Years} {
				if v != 0 {
					n++
				}
			}
			if n != 1 {
				c.errorf("pathways.yaml", where+".clocks["+cl.ID+"]", "a clock has exactly one of days, working_days, months, years")
			}
		}
	}
	for _, r := range b.Rights {
		where := "rights[" + r.ID + "]"
		if r.When != nil {
			c.resolve(r.When, exprContext{file: "rights.yaml", where: where}, nil)
		}
		for _, jid := range r.Jurisdictions {
			if b.jurisdictionByID[jid] == nil {
				c.errorf("rights.yaml", where+".jurisdictions", "unknown jurisdiction %q", jid)
			}
		}
	}
	c.validateLocales()
}

func (c *checker) validateQuestions() {
	b := c.b
	set := map[*Indicator]bool{}
	for _, q := range b.Questions {
		where := "questions[" + q.ID + "]"
		if !slices.Contains(questionTypes, q.Type) {
			c.errorf("questions.yaml", where+".type", "must be one of %v", questionTypes)
		}
		if q.Class == "" {
			q.Class = "case"
		}
		if !slices.Contains(dataClasses, q.Class) {
			c.errorf("questions.yaml", where+".class", "must be one of %v", dataClasses)
		}
		if q.Provenance != "" && !slices.Contains(provenances, q.Provenance) {
			c.errorf("questions.yaml", where+".provenance", "must be one of %v", provenances)
		}
		switch q.Type {
		case "age":
			if len(q.Options) > 0 {
				c.errorf("questions.yaml", where+".options", "an age question has no options")
			}
		case "yesno":
			for _, o := range q.Options {
				if o.ID != "yes" && o.ID != "no" {
					c.errorf("questions.yaml", where+".options."+o.ID, "a yes/no question has only the options yes and no")
				}
			}
		case "choice", "multi":
			if len(q.Options) < 2 {
				c.errorf("questions.yaml", where+".options", "needs at least two options")
			}
		}
		seenOpt := map[string]bool{}
		touched := map[*Indicator]bool{}
		for i := range q.Options {
			o := &q.Options[i]
			for _, id := range o.Effect.True {
				if ind := b.indicatorByID[id]; ind != nil {
					o.Effect.TrueIndicators = append(o.Effect.TrueIndicators, ind)
				}
			}
			for _, id := range o.Effect.False {
				if ind := b.indicatorByID[id]; ind != nil {
					o.Effect.FalseIndicators = append(o.Effect.FalseIndicators, ind)
				}
			}
		}
		for _, o := range q.Options {
			if seenOpt[o.ID] {
				c.errorf("questions.yaml", where+".options."+o.ID, "option given twice")
			}
			seenOpt[o.ID] = true
			if slices.Contains(AnswerWords[2:], o.ID) {
				c.errorf("questions.yaml", where+".options."+o.ID, "%q is reserved: every question can be answered unknown, prefer_not or skipped", o.ID)
			}
			for _, list := range [][]string{o.Effect.True, o.Effect.False} {
				for _, id := range list {
					ind := b.indicatorByID[id]
					if ind == nil {
						c.errorf("questions.yaml", where+".options."+o.ID, "unknown indicator %q", id)
						continue
					}
					if !touched[ind] {
						touched[ind] = true
						q.Touches = append(q.Touches, ind)
					}
				}
			}
			for _, id := range o.Effect.True {
				if ind := b.indicatorByID[id]; ind != nil {
					set[ind] = true
				}
			}
		}
		for _, s := range q.SkipIf {
			dep := b.questionByID[s.Question]
			if dep == nil {
				c.errorf("questions.yaml", where+".skip_if", "unknown question %q", s.Question)
				continue
			}
			for _, a := range s.Answers {
				if !slices.Contains(dep.OptionIDs(), a) && !slices.Contains(AnswerWords, a) {
					c.errorf("questions.yaml", where+".skip_if", "question %q has no answer %q", s.Question, a)
				}
			}
		}
	}
	for _, ind := range b.Indicators {
		if !set[ind] {
			c.errorf("indicators.yaml", ind.ID, "no answer to any question shows this indicator present: it is unreachable")
		}
	}
	// Skip logic must be acyclic.
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var visit func(q *Question, trail []string) bool
	visit = func(q *Question, trail []string) bool {
		switch state[q.ID] {
		case 1:
			c.errorf("questions.yaml", "skip_if", "skip logic has a cycle: %s", strings.Join(append(trail, q.ID), " -> "))
			return false
		case 2:
			return true
		}
		state[q.ID] = 1
		for _, s := range q.SkipIf {
			if dep := b.questionByID[s.Question]; dep != nil && !visit(dep, append(trail, q.ID)) {
				return false
			}
		}
		state[q.ID] = 2
		return true
	}
	for _, q := range b.Questions {
		visit(q, nil)
	}
}

func (c *checker) validateInstruments() {
	b := c.b
	if b.instrumentByID["short"] == nil || b.instrumentByID["full"] == nil {
		c.errorf("instruments.yaml", "", "the instruments short and full are required")
	}
	for _, in := range b.Instruments {
		pos := map[string]int{}
		for i, id := range in.QuestionIDs() {
			where := "instruments[" + in.ID + "]"
			if b.questionByID[id] == nil {
				c.errorf("instruments.yaml", where, "unknown question %q", id)
				continue
			}
			if _, dup := pos[id]; dup {
				c.errorf("instruments.yaml", where, "question %q appears twice", id)
			}
			pos[id] = i
		}
		for id, i := range pos {
			for _, s := range b.questionByID[id].SkipIf {
				if j, ok := pos[s.Question]; ok && j > i {
					c.errorf("instruments.yaml", "instruments["+in.ID+"]", "question %q is skipped by the answer to %q, which comes after it", id, s.Question)
				}
			}
		}
	}
	if full := b.instrumentByID["full"]; full != nil {
		in := map[string]bool{}
		for _, id := range full.QuestionIDs() {
			in[id] = true
		}
		for _, q := range b.Questions {
			if !in[q.ID] {
				c.errorf("instruments.yaml", "instruments[full]", "the full form must ask every question; %q is missing", q.ID)
			}
		}
	}
}

func (c *checker) validateJurisdiction(j *Jurisdiction, usedFacets map[*Facet]bool) {
	file := c.jurisdictionFile[j.ID]
	if len(j.Sources) == 0 {
		c.errorf(file, "sources", "a jurisdiction cites its sources")
	}
	for _, want := range elementIDs {
		if j.Element(want) == nil {
			c.errorf(file, "elements", "element %q is missing", want)
		}
	}
	for _, e := range j.Elements {
		where := "elements[" + e.ID + "]"
		if !slices.Contains(elementIDs, e.ID) {
			c.errorf(file, where, "unknown element; elements are %v", elementIDs)
		}
		if len(e.Citations) == 0 && e.ID != "purpose" {
			c.errorf(file, where, "every rule cites a source")
		}
		mono := exprContext{file: file, where: where, monotone: true}
		if e.ID == "purpose" {
			if e.Rule != nil || len(e.Branches) == 0 {
				c.errorf(file, where, "purpose is written as branches (kind: sexual or labour), not one rule")
			}
			for i, br := range e.Branches {
				bw := fmt.Sprintf("%s.branches[%d]", where, i)
				if !slices.Contains(branchKinds, br.Kind) {
					c.errorf(file, bw, "kind must be one of %v", branchKinds)
				}
				if len(br.Citations) == 0 {
					c.errorf(file, bw, "every rule cites a source")
				}
				c.resolve(br.Rule, exprContext{file: file, where: bw, monotone: true}, nil)
				for _, f := range br.Rule.Facets() {
					usedFacets[f] = true
				}
			}
			continue
		}
		if len(e.Branches) > 0 {
			c.errorf(file, where, "only purpose has branches")
		}
		c.resolve(e.Rule, mono, nil)
		for _, f := range e.Rule.Facets() {
			usedFacets[f] = true
		}
		if nr := e.NotRequired; nr != nil {
			c.resolve(nr.When, mono, nil)
			for _, k := range nr.Kinds {
				if !slices.Contains(branchKinds, k) {
					c.errorf(file, where+".not_required.kinds", "unknown kind %q", k)
				}
			}
			if len(e.NotRequiredCitations) == 0 {
				c.errorf(file, where+".not_required_citations", "say which provision makes the element not required")
			}
		}
	}
}

// RequiredKeys lists every text key a complete locale must have.
func (b *Bundle) RequiredKeys() []string {
	keys := []string{"meta.name", "meta.direction"}
	add := func(k ...string) { keys = append(keys, k...) }
	for _, w := range AnswerWords {
		add("answer." + w)
	}
	for _, p := range provenances {
		add("provenance." + p)
	}
	for _, q := range b.Questions {
		// Interviewer guidance is optional: not every question needs it.
		add("question."+q.ID+".text", "question."+q.ID+".why")
		if q.Type == "choice" || q.Type == "multi" {
			for _, o := range q.Options {
				add("option." + q.ID + "." + o.ID)
			}
		}
	}
	sections := map[string]bool{}
	for _, in := range b.Instruments {
		add("instrument." + in.ID)
		for _, s := range in.Sections {
			if !sections[s.ID] {
				sections[s.ID] = true
				add("section." + s.ID)
			}
		}
	}
	for _, ind := range b.Indicators {
		add("indicator." + ind.ID)
	}
	for _, d := range append(slices.Clone(iloDimensions), otherDims...) {
		add("dimension." + d)
	}
	for _, f := range b.Facets {
		add("facet." + f.ID)
	}
	for _, j := range b.Jurisdictions {
		add("jurisdiction." + j.ID)
	}
	for _, e := range elementIDs {
		add("element." + e)
	}
	for _, s := range elementStates {
		add("state." + s)
	}
	for _, d := range Determinations {
		add("determination." + d)
	}
	for _, s := range b.Situations {
		add("situation." + s.ID)
	}
	for _, a := range b.Alerts {
		add("alert." + a.ID)
	}
	for _, l := range alertLevels {
		add("level." + l)
	}
	for _, p := range b.Pathways {
		add("pathway."+p.ID+".name", "pathway."+p.ID+".summary")
		for _, c := range p.Conditions {
			add("pathway." + p.ID + ".condition." + c.ID)
		}
		for _, cl := range p.Clocks {
			add("pathway." + p.ID + ".clock." + cl.ID)
		}
		for _, st := range p.Steps {
			add("pathway." + p.ID + ".step." + st.ID)
		}
	}
	for _, k := range consentKinds {
		add("consent." + k)
	}
	for _, r := range b.Rights {
		add("rights." + r.ID)
	}
	add(ReportKeys...)
	return keys
}

// ReportKeys are the interface texts of the screening report and the
// interactive screen.
var ReportKeys = []string{
	"report.title", "report.disclaimer", "report.content_version", "report.age", "report.age_adult", "report.age_minor",
	"report.age_unknown", "report.alerts", "report.profile", "report.profile_variant_adult", "report.profile_variant_child",
	"report.dimension_positive", "report.dimension_negative", "report.dimension_unknown", "report.ilo_assessment",
	"report.ilo_met", "report.ilo_not_met", "report.ilo_unknown", "report.jurisdiction", "report.determination",
	"report.situation", "report.elements", "report.evidence", "report.not_shown", "report.citations", "report.followups",
	"report.followups_none", "report.settles", "report.pathways", "report.status_eligible", "report.status_possible",
	"report.status_not_eligible", "report.open_conditions", "report.unmet_conditions", "report.clocks",
	"report.consent", "report.rights", "report.conflicts", "report.explanation_met", "report.explanation_not_met",
	"report.explanation_insufficient",
	"screen.intro", "screen.choose_answer", "screen.invalid", "screen.age_prompt", "screen.provenance_prompt",
	"screen.section", "screen.followups_intro", "screen.more_prompt", "screen.done",
}

func (c *checker) validateLocales() {
	b := c.b
	keys := b.RequiredKeys()
	required := map[string]bool{}
	for _, k := range keys {
		required[k] = true
	}
	short := map[string]bool{}
	if in := b.instrumentByID["short"]; in != nil {
		for _, id := range in.QuestionIDs() {
			short["question."+id+".text"] = true
			short["question."+id+".why"] = true
		}
	}
	for _, l := range b.Locales {
		file := "locales/" + l.ID + ".yaml"
		var missing []string
		for _, k := range keys {
			if strings.TrimSpace(l.Texts[k]) == "" {
				missing = append(missing, k)
			}
		}
		var extra []string
		for k := range l.Texts {
			if !required[k] && !(strings.HasPrefix(k, "question.") && strings.HasSuffix(k, ".guidance")) {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			c.warnf(file, "", "%d text(s) that nothing uses: %s", len(extra), strings.Join(extra, ", "))
		}
		if len(missing) == 0 {
			continue
		}
		if l.ID == b.DefaultLocale {
			c.errorf(file, "", "the default locale must be complete; missing %d text(s): %s", len(missing), strings.Join(missing, ", "))
			continue
		}
		var shortMissing []string
		for _, k := range missing {
			if short[k] {
				shortMissing = append(shortMissing, k)
			}
		}
		if len(shortMissing) > 0 {
			c.errorf(file, "", "every locale covers at least the short form; missing: %s", strings.Join(shortMissing, ", "))
		}
		c.warnf(file, "", "translation incomplete: %d of %d text(s) missing (the default locale is shown instead): %s", len(missing), len(keys), strings.Join(missing, ", "))
	}
}

// ErrNotFound is returned by lookups of ids the content does not have.
var ErrNotFound = errors.New("not found")
