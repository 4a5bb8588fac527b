package screening

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/discern-org/discern/internal/content"
)

// Engine evaluates evidence against one content bundle. It is safe for
// concurrent use: it holds only what it precomputed from the bundle.
type Engine struct {
	b *content.Bundle
	// questionFacets[i] is the set of facets question i can inform.
	questionFacets []bitset
	// elements holds, per element, the facets its rules read and whether
	// they read the person's age.
	elements     map[*content.Element]*elementInfo
	order        []*content.Question // the full form's order
	ageQuestions []string
}

// New prepares an engine for the bundle.
func New(b *content.Bundle) *Engine {
	e := &Engine{b: b, elements: map[*content.Element]*elementInfo{}}
	n := len(b.Facets)
	e.questionFacets = make([]bitset, len(b.Questions))
	for i, q := range b.Questions {
		bs := newBitset(n)
		for _, ind := range q.Touches {
			for _, f := range ind.Facets {
				bs.set(f.Index)
			}
		}
		e.questionFacets[i] = bs
		if q.Type == "age" || q.ID == "age_doubt" {
			e.ageQuestions = append(e.ageQuestions, q.ID)
		}
	}
	for _, j := range b.Jurisdictions {
		for _, el := range j.Elements {
			bs := newBitset(n)
			age := false
			exprs := []*content.Expr{el.Rule}
			for _, br := range el.Branches {
				exprs = append(exprs, br.Rule)
			}
			if el.NotRequired != nil {
				exprs = append(exprs, el.NotRequired.When)
			}
			for _, x := range exprs {
				if x == nil {
					continue
				}
				for _, f := range x.Facets() {
					bs.set(f.Index)
				}
				age = age || x.UsesAge()
			}
			info := &elementInfo{facets: bs, age: age}
			for i, f := range b.Facets {
				if bs.has(i) {
					info.list = append(info.list, f)
				}
			}
			e.elements[el] = info
		}
	}
	if full := b.Instrument("full"); full != nil {
		for _, id := range full.QuestionIDs() {
			e.order = append(e.order, b.Question(id))
		}
	}
	return e
}

type elementInfo struct {
	facets bitset
	list   []*content.Facet
	age    bool
}

// Bundle returns the content the engine evaluates against.
func (e *Engine) Bundle() *content.Bundle { return e.b }

// state is the evaluation of one Evidence: indicator and facet values and
// the person's age, shared by every jurisdiction.
type state struct {
	b          *content.Bundle
	indicators []content.Tri
	facets     []content.Tri
	minor      content.Tri
	dims       map[string]content.Tri // any indicator of the dimension present
	// per jurisdiction, while its pathways and situation are evaluated
	determination string
	elements      map[string]string
}

func (s *state) eval(x *content.Expr) content.Tri {
	switch x.Op {
	case content.OpFacet:
		return s.facets[x.Facet.Index]
	case content.OpAll:
		v := content.True
		for _, a := range x.Args {
			if v = v.And(s.eval(a)); v == content.False {
				return v
			}
		}
		return v
	case content.OpAny:
		v := content.False
		for _, a := range x.Args {
			if v = v.Or(s.eval(a)); v == content.True {
				return v
			}
		}
		return v
	case content.OpNot:
		return s.eval(x.Args[0]).Not()
	case content.OpMinor:
		return s.minor
	case content.OpConst:
		if x.Value {
			return content.True
		}
		return content.False
	case content.OpTerm:
		return s.eval(x.Term)
	case content.OpIndicator:
		return s.indicators[x.Indicator.Index]
	case content.OpPresent:
		v := content.False
		for _, d := range x.List {
			v = v.Or(s.dims[d])
		}
		return v
	case content.OpNonePresent:
		for _, d := range x.List {
			if s.dims[d] == content.True {
				return content.False
			}
		}
		return content.True
	case content.OpDetermination:
		switch {
		case slices.Contains(x.List, s.determination):
			return content.True
		case s.determination == InsufficientInformation:
			return content.Unknown
		}
		return content.False
	case content.OpElement:
		st := s.elements[x.Name]
		switch {
		case st == x.State:
			return content.True
		case st == Unknown:
			return content.Unknown
		}
		return content.False
	}
	panic(fmt.Sprintf("screening: unhandled operator %q", x.Op)) // the loader rejects unknown operators
}

// Evaluate runs the engine. It fails only on evidence that does not fit the
// content (an unknown question, option or jurisdiction); ParseAnswers
// already rejects those with a clearer message.
func (e *Engine) Evaluate(ev *Evidence) (*Result, error) {
	b := e.b
	js, err := ResolveJurisdictions(b, ev.Jurisdictions)
	if err != nil {
		return nil, err
	}
	s := &state{b: b, indicators: make([]content.Tri, len(b.Indicators)), facets: make([]content.Tri, len(b.Facets))}
	res := &Result{ContentVersion: b.Version, ContentHash: b.Hash, Instrument: ev.Instrument, Language: ev.Language}
	if res.Instrument == "" {
		res.Instrument = "full"
	}
	if res.Language == "" {
		res.Language = b.DefaultLocale
	}

	// 1. Indicators from answers. Presence wins over absence.
	// Every answer's assertions about indicators, grouped per indicator
	// below into one backing array to keep allocation low.
	type assertion struct {
		ind     int
		present bool
		src     Source
	}
	asserts := make([]assertion, 0, 2*len(ev.Answers))
	// answered[i] is the answer to question i, if any.
	answered := make([]*Answer, len(b.Questions))
	for ai := range ev.Answers {
		a := &ev.Answers[ai]
		q := b.Question(a.Question)
		if q == nil {
			return nil, fmt.Errorf("unknown question %q", a.Question)
		}
		answered[q.Index] = a
		if !a.Definite() || q.Type == "age" {
			continue
		}
		opts := a.Options
		if a.Value != "" {
			opts = []string{a.Value}
		}
		if q.Type == "multi" {
			// "Choose all that apply": an option not chosen says its
			// indicators are absent, unless a chosen option shows them present.
			chosenTrue := map[string]bool{}
			for _, o := range opts {
				if opt := q.Option(o); opt != nil {
					for _, id := range opt.Effect.True {
						chosenTrue[id] = true
					}
				}
			}
			for _, opt := range q.Options {
				if slices.Contains(opts, opt.ID) {
					continue
				}
				src := Source{Question: q.ID, Answer: "not:" + opt.ID, Provenance: a.Provenance}
				for _, ind := range opt.Effect.TrueIndicators {
					if !chosenTrue[ind.ID] {
						asserts = append(asserts, assertion{ind.Index, false, src})
					}
				}
			}
		}
		for _, o := range opts {
			opt := q.Option(o)
			if opt == nil {
				if q.Type == "yesno" && (o == "yes" || o == "no") {
					continue // an answer with no effect named in the content
				}
				return nil, fmt.Errorf("question %q has no option %q", q.ID, o)
			}
			src := Source{Question: q.ID, Answer: o, Provenance: a.Provenance}
			for _, ind := range opt.Effect.TrueIndicators {
				asserts = append(asserts, assertion{ind.Index, true, src})
			}
			for _, ind := range opt.Effect.FalseIndicators {
				asserts = append(asserts, assertion{ind.Index, false, src})
			}
		}
	}
	nInd := len(b.Indicators)
	counts := make([]int, 2*nInd+1) // [present..., absent...] start offsets
	for _, a := range asserts {
		k := a.ind
		if !a.present {
			k += nInd
		}
		counts[k+1]++
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	slab := make([]Source, len(asserts))
	fill := slices.Clone(counts[:2*nInd])
	for _, a := range asserts {
		k := a.ind
		if !a.present {
			k += nInd
		}
		slab[fill[k]] = a.src
		fill[k]++
	}
	trueBy := func(i int) []Source { return slab[counts[i]:counts[i+1]:counts[i+1]] }
	falseBy := func(i int) []Source { return slab[counts[nInd+i]:counts[nInd+i+1]:counts[nInd+i+1]] }
	for _, ind := range b.Indicators {
		i := ind.Index
		switch {
		case len(trueBy(i)) > 0:
			s.indicators[i] = content.True
			if len(falseBy(i)) > 0 {
				res.Conflicts = append(res.Conflicts, Conflict{Indicator: ind.ID, Present: trueBy(i), Absent: falseBy(i)})
			}
		case len(falseBy(i)) > 0:
			s.indicators[i] = content.False
		}
	}

	// 2. Age: under 18 is true or false only on a stated age with no doubt
	// about it; uncertain age is treated as possibly a child.
	s.minor = content.Unknown
	res.AgeStatus = Unknown
	if a := e.answer(answered, "age"); a != nil && a.Age != nil {
		if *a.Age < 18 {
			s.minor = content.True
		} else {
			s.minor = content.False
		}
	}
	if d := e.answer(answered, "age_doubt"); d != nil && d.Value == "yes" && s.minor == content.False {
		s.minor = content.Unknown
	}
	switch s.minor {
	case content.True:
		res.AgeStatus = "minor"
	case content.False:
		res.AgeStatus = "adult"
	}

	// 3. Facets: Kleene OR of their indicators.
	for _, f := range b.Facets {
		v := content.False
		if len(f.Indicators) == 0 {
			v = content.Unknown
		}
		for _, ind := range f.Indicators {
			if v = v.Or(s.indicators[ind.Index]); v == content.True {
				break
			}
		}
		s.facets[f.Index] = v
	}

	// 4. The indicator list and the ILO/EC profile.
	s.dims = map[string]content.Tri{}
	for _, ind := range b.Indicators {
		v, ok := s.dims[ind.Dimension]
		if !ok {
			v = content.False
		}
		s.dims[ind.Dimension] = v.Or(s.indicators[ind.Index])
	}
	res.Profile = profile(b, s)
	res.Indicators = make([]IndicatorState, 0, nInd)
	for _, ind := range b.Indicators {
		i := ind.Index
		if s.indicators[i] == content.Unknown {
			continue
		}
		st := IndicatorState{ID: ind.ID, State: "present", Dimension: ind.Dimension, HTCDS: ind.HTCDS, Sources: trueBy(i)}
		if s.indicators[i] == content.False {
			st.State, st.Sources = "absent", falseBy(i)
		}
		if res.Profile.Variant == "child" {
			st.Grade = ind.Grade.Child
		} else {
			st.Grade = ind.Grade.Adult
		}
		res.Indicators = append(res.Indicators, st)
	}

	// 5. Alerts and rights, shared by every jurisdiction.
	for _, al := range b.Alerts {
		v := s.eval(al.When)
		if v == content.True || (v == content.Unknown && al.AlsoWhenUnknown) {
			res.Alerts = append(res.Alerts, Alert{ID: al.ID, Level: al.Level, Citations: al.Citations})
		}
	}
	for _, r := range b.Rights {
		if r.When != nil && s.eval(r.When) != content.True {
			continue
		}
		if len(r.Jurisdictions) > 0 && !slices.ContainsFunc(r.Jurisdictions, func(id string) bool { return slices.Contains(js, id) }) {
			continue
		}
		res.Rights = append(res.Rights, Info{ID: r.ID, Citations: r.Citations})
	}

	// 6. Each jurisdiction.
	skipped := e.skipped(answered)
	var open [][]string // question index -> jurisdiction/element pairs; made when needed
	for _, jid := range js {
		jr := e.jurisdiction(b.Jurisdiction(jid), s, answered, skipped, &open)
		jr.Alerts = res.Alerts
		jr.Explanation = explain(b, res.Language, jr)
		res.Results = append(res.Results, jr)
	}
	res.Followups = e.rank(open)
	return res, nil
}

// skipped returns the questions that skip logic leaves out, given the answers.
// answer returns the answer to the question with the given id, or nil.
func (e *Engine) answer(answered []*Answer, id string) *Answer {
	if q := e.b.Question(id); q != nil {
		return answered[q.Index]
	}
	return nil
}

func (e *Engine) skipped(answered []*Answer) []bool {
	out := make([]bool, len(e.b.Questions))
	for _, q := range e.b.Questions {
		for _, rule := range q.SkipIf {
			a := e.answer(answered, rule.Question)
			if a == nil {
				continue
			}
			chosen := a.Options
			if a.Value != "" {
				chosen = []string{a.Value}
			}
			if len(chosen) == 0 {
				continue
			}
			all := true
			for _, c := range chosen {
				if !slices.Contains(rule.Answers, c) {
					all = false
				}
			}
			if all {
				out[q.Index] = true
			}
		}
	}
	return out
}

func (e *Engine) jurisdiction(j *content.Jurisdiction, s *state, answered []*Answer, skipped []bool, open *[][]string) JurisdictionResult {
	jr := JurisdictionResult{Jurisdiction: j.ID}
	for _, src := range j.Sources {
		jr.Sources = append(jr.Sources, SourceRef{Title: src.Title, URL: src.URL})
	}
	act, means, purpose := j.Element("act"), j.Element("means"), j.Element("purpose")

	actV := s.eval(act.Rule)
	meansV := s.eval(means.Rule)
	nrV := content.False
	if means.NotRequired != nil {
		nrV = s.eval(means.NotRequired.When)
	}
	nrFor := func(kind string) content.Tri {
		if means.NotRequired == nil {
			return content.False
		}
		if len(means.NotRequired.Kinds) > 0 && !slices.Contains(means.NotRequired.Kinds, kind) {
			return content.False
		}
		return nrV
	}
	sexual, labour, secondary := content.False, content.False, content.False
	var kinds []string
	var purposeCites []string
	for _, br := range purpose.Branches {
		v := s.eval(br.Rule)
		switch {
		case br.Kind == "sexual":
			sexual = sexual.Or(v)
		case br.Secondary:
			secondary = secondary.Or(v)
		default:
			labour = labour.Or(v)
		}
		if v == content.True {
			if !slices.Contains(kinds, br.Kind) {
				kinds = append(kinds, br.Kind)
			}
			purposeCites = appendNew(purposeCites, br.Citations...)
		}
	}
	if len(purposeCites) == 0 {
		for _, br := range purpose.Branches {
			purposeCites = appendNew(purposeCites, br.Citations...)
		}
	}
	sexT := actV.And(meansV.Or(nrFor("sexual"))).And(sexual)
	labT := actV.And(meansV.Or(nrFor("labour"))).And(labour)
	secT := actV.And(meansV.Or(nrFor("labour"))).And(secondary)
	switch {
	case sexT == content.True && labT == content.True:
		jr.Determination = SexAndLabourTrafficking
	case sexT == content.True:
		jr.Determination = SexTrafficking
	case labT == content.True || secT == content.True:
		jr.Determination = LabourTrafficking
	case sexT == content.False && labT == content.False && secT == content.False:
		jr.Determination = NotTrafficking
	default:
		jr.Determination = InsufficientInformation
	}

	// Element states as reported. Means is "not required" when the exemption
	// holds for the kind of exploitation in question (sexual unless only a
	// labour purpose is possible).
	purposeV := sexual.Or(labour).Or(secondary)
	primary := "sexual"
	if sexual == content.False {
		primary = "labour"
	}
	nr := nrFor(primary)
	meansState := triState(meansV)
	meansCites := means.Citations
	ageDependent := false
	switch {
	case nr == content.True:
		meansState, meansCites = NotRequired, means.NotRequiredCitations
	case meansV == content.True:
	case nr == content.Unknown:
		meansState = Unknown
		ageDependent = means.NotRequired.When.UsesAge()
	}
	jr.Elements = []ElementResult{
		{ID: "act", State: triState(actV), Facts: e.facts(j, act, s, triState(actV)), Citations: act.Citations},
		{ID: "means", State: meansState, Facts: e.facts(j, means, s, meansState), Citations: meansCites, AgeDependent: ageDependent},
		{ID: "purpose", State: triState(purposeV), Kinds: kinds, Facts: e.facts(j, purpose, s, triState(purposeV)), Citations: purposeCites},
	}
	for _, el := range jr.Elements {
		jr.Citations = appendNew(jr.Citations, el.Citations...)
	}

	// Situation and pathways read this jurisdiction's result.
	s.determination = jr.Determination
	s.elements = map[string]string{}
	for _, el := range jr.Elements {
		s.elements[el.ID] = el.State
	}
	for _, sit := range e.b.Situations {
		if s.eval(sit.When) == content.True {
			jr.Situation = sit.ID
			break
		}
	}
	for _, p := range e.b.Pathways {
		if !slices.Contains(p.Jurisdictions, j.ID) {
			continue
		}
		pr := PathwayResult{ID: p.ID, Consent: p.Consent, Citations: p.Citations, Met: []string{}, Open: []string{}, Unmet: []string{}, Clocks: []Clock{}}
		for _, c := range p.Conditions {
			switch s.eval(c.When) {
			case content.True:
				pr.Met = append(pr.Met, c.ID)
			case content.False:
				pr.Unmet = append(pr.Unmet, c.ID)
			default:
				pr.Open = append(pr.Open, c.ID)
			}
		}
		switch {
		case len(pr.Unmet) > 0:
			pr.Status = "not_eligible"
		case len(pr.Open) > 0:
			pr.Status = "possible"
		default:
			pr.Status = "eligible"
		}
		for _, cl := range p.Clocks {
			pr.Clocks = append(pr.Clocks, Clock{ID: cl.ID, Days: cl.Days, WorkingDays: cl.WorkingDays, Months: cl.Months, Years: cl.Years})
		}
		jr.Pathways = append(jr.Pathways, pr)
	}

	// Follow-ups: questions not yet answered (and not declined or skipped by
	// logic) that inform an element still unknown.
	var local [][]string
	for _, el := range jr.Elements {
		if el.State != Unknown {
			continue
		}
		pair := j.ID + "/" + el.ID
		info := e.elements[j.Element(el.ID)]
		for _, q := range e.order {
			if !e.askable(q, answered, skipped) {
				continue
			}
			if info.facets.intersects(e.questionFacets[q.Index]) || (info.age && slices.Contains(e.ageQuestions, q.ID)) {
				if local == nil {
					local = make([][]string, len(e.b.Questions))
				}
				if *open == nil {
					*open = make([][]string, len(e.b.Questions))
				}
				local[q.Index] = append(local[q.Index], pair)
				(*open)[q.Index] = append((*open)[q.Index], pair)
			}
		}
	}
	jr.Followups = e.rank(local)
	return jr
}

func (e *Engine) askable(q *content.Question, answered []*Answer, skipped []bool) bool {
	if skipped[q.Index] {
		return false
	}
	a := answered[q.Index]
	if a == nil {
		return true
	}
	// A declined question is not asked again: the person's choice stands.
	return a.Value == "unknown" || a.Value == "skipped"
}

// rank orders follow-up questions by how many open elements each could
// settle, then by the full form's order.
func (e *Engine) rank(m [][]string) []Followup {
	out := []Followup{}
	if m == nil {
		return out
	}
	for _, q := range e.order {
		if pairs := m[q.Index]; len(pairs) > 0 {
			out = append(out, Followup{Question: q.ID, Settles: len(pairs), Elements: pairs})
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return out[i].Settles > out[k].Settles })
	return out
}

// facts lists the facets that explain an element's state, with the
// indicators that settled each: for a met element the facets shown
// present, for one not met those shown absent, and for an unknown element
// those still open.
func (e *Engine) facts(j *content.Jurisdiction, el *content.Element, s *state, elState string) []FactState {
	want := content.Unknown
	switch elState {
	case Met:
		want = content.True
	case NotMet:
		want = content.False
	case NotRequired:
		return []FactState{}
	}
	list := e.elements[el].list
	out := make([]FactState, 0, len(list))
	n := 0
	for _, f := range list {
		n += len(f.Indicators)
	}
	ids := make([]string, 0, n)
	for _, f := range list {
		v := s.facets[f.Index]
		if v != want {
			continue
		}
		start := len(ids)
		if v != content.Unknown {
			for _, ind := range f.Indicators {
				if s.indicators[ind.Index] == v {
					ids = append(ids, ind.ID)
				}
			}
		}
		fs := FactState{Facet: f.ID, State: v.String()}
		if len(ids) > start {
			fs.Indicators = ids[start:len(ids):len(ids)]
		}
		out = append(out, fs)
	}
	return out
}

func triState(t content.Tri) string {
	switch t {
	case content.True:
		return Met
	case content.False:
		return NotMet
	}
	return Unknown
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// profile computes the ILO/EC dimension profile. Child grading applies
// when the person is, or may be, under 18.
func profile(b *content.Bundle, s *state) Profile {
	p := Profile{Variant: "adult"}
	if s.minor != content.False {
		p.Variant = "child"
	}
	dims := map[string]content.Tri{}
	for _, d := range content.ILODimensions() {
		var have, could [3]int // strong, medium, weak
		for _, ind := range b.Indicators {
			if ind.Dimension != d {
				continue
			}
			g := ind.Grade.Adult
			if p.Variant == "child" {
				g = ind.Grade.Child
			}
			k := map[string]int{"strong": 0, "medium": 1, "weak": 2}[g]
			switch s.indicators[ind.Index] {
			case content.True:
				have[k]++
				could[k]++
			case content.Unknown:
				could[k]++
			}
		}
		st := content.Unknown
		switch {
		case iloRule(have):
			st = content.True
		case !iloRule(could):
			st = content.False
		}
		dims[d] = st
		name := map[content.Tri]string{content.True: "positive", content.False: "negative", content.Unknown: "unknown"}[st]
		p.Dimensions = append(p.Dimensions, DimensionState{ID: d, State: name, Strong: have[0], Medium: have[1], Weak: have[2]})
	}
	recruitment := dims["deceptive_recruitment"].Or(dims["coercive_recruitment"]).Or(dims["recruitment_abuse_of_vulnerability"])
	v := recruitment.And(dims["exploitation"])
	if p.Variant == "adult" {
		v = v.And(dims["coercion_at_destination"].Or(dims["abuse_of_vulnerability_at_destination"]))
	}
	p.Assessment = triState(v)
	return p
}

// iloRule is the ILO/EC step-1 rule: a dimension is positive with two
// strong indicators, one strong and one medium or weak, three medium, or two
// medium and one weak (WCMS_105023, p.3).
func iloRule(n [3]int) bool {
	strong, medium, weak := n[0], n[1], n[2]
	return strong >= 2 || (strong >= 1 && medium+weak >= 1) || medium >= 3 || (medium >= 2 && weak >= 1)
}

// explain writes the plain-language explanation of one jurisdiction's result.
func explain(b *content.Bundle, lang string, jr JurisdictionResult) string {
	name := b.Text(lang, "jurisdiction."+jr.Jurisdiction)
	parts := []string{strings.ReplaceAll(b.Text(lang, "determination."+jr.Determination), "{jurisdiction}", name)}
	group := func(state string) string {
		var names []string
		for _, el := range jr.Elements {
			if el.State == state {
				names = append(names, b.Text(lang, "element."+el.ID))
			}
		}
		return strings.Join(names, ", ")
	}
	if g := group(Met); g != "" {
		parts = append(parts, strings.ReplaceAll(b.Text(lang, "report.explanation_met"), "{elements}", g))
	}
	if g := group(NotMet); g != "" {
		parts = append(parts, strings.ReplaceAll(b.Text(lang, "report.explanation_not_met"), "{elements}", g))
	}
	if g := group(Unknown); g != "" {
		parts = append(parts, strings.ReplaceAll(b.Text(lang, "report.explanation_insufficient"), "{elements}", g))
	}
	parts = append(parts, b.Text(lang, "situation."+jr.Situation))
	return strings.Join(parts, " ")
}

// bitset is a small fixed-size set of facet indexes.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) intersects(o bitset) bool {
	for i := range b {
		if b[i]&o[i] != 0 {
			return true
		}
	}
	return false
}
