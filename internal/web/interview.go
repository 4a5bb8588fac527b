package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/screening"
)

// interviewView is what the interview template reads.
type interviewView struct {
	*InterviewPage
	QLang             string // the interview's language, when it differs from the page's
	Heading           string
	StepNumber        int // 1-based
	StepCount         int
	Steps             []stepView
	Questions         []questionView
	ProblemList       []problemView
	IsFollowup        bool
	IsLast            bool // the last section: next leads to the follow-ups
	HasPrev           bool
	Action            string
	Shown             []string
	QuestionLanguages []choiceView
}

type stepView struct {
	Label string
	State string // done, current, todo
	Href  string
}

type problemView struct {
	Anchor  string
	Label   string
	Message string
}

type choiceView struct {
	InputID string
	Value   string
	Label   string
	Checked bool
}

type questionView struct {
	ID, Type     string
	Number       int
	Text         string
	Why          string
	Guidance     string
	Options      []choiceView // the question's own options
	Others       []choiceView // don't know, prefers not to say, skip
	AgeValue     string
	AgeID        string
	ProvID       string
	Provenance   []choiceView
	Problem      string
	ErrorID      string
	Invalid      bool
	SkipHint     string
	Settles      int
	Anchor       string
	DescribedBy  string
	OthersLegend string
}

// Interview renders one step of the interview. With problems it answers
// 422, and every value posted comes back as it was typed.
func (r *Renderer) Interview(w http.ResponseWriter, p InterviewPage) error {
	r.prepare(&p.Page, "interview.title")
	p.Page.langInForm = true
	v, err := r.interviewView(&p)
	if err != nil {
		return err
	}
	return r.render(w, statusFor(p.Problems), "interview", v)
}

func (r *Renderer) interviewView(p *InterviewPage) (*interviewView, error) {
	b := r.bundle
	if p.Evidence == nil {
		p.Evidence = &screening.Evidence{Instrument: "short", Language: p.Lang}
	}
	ev := p.Evidence
	qlang := ev.Language
	if b.Locale(qlang) == nil {
		qlang = p.Lang
	}
	in := b.Instrument(ev.Instrument)
	if in == nil {
		in = b.Instruments[0]
	}
	l := p.L
	v := &interviewView{InterviewPage: p, StepCount: len(in.Sections) + 1, Action: URL(PathInterview, p.ScreeningID)}
	if qlang != p.Lang {
		v.QLang = qlang
	}
	for _, loc := range b.Locales {
		v.QuestionLanguages = append(v.QuestionLanguages, choiceView{Value: loc.ID, Label: loc.Name, Checked: loc.ID == qlang})
	}
	if p.FollowupStep {
		v.IsFollowup = true
		v.StepNumber = len(in.Sections) + 1
		v.Heading = l.T("interview.followups_title")
		v.Shown = FollowupQuestions(p.Followups)
		v.HasPrev = true
	} else {
		if p.Step < 0 || p.Step >= len(in.Sections) {
			p.Step = 0
		}
		v.StepNumber = p.Step + 1
		v.Heading = b.Text(p.Lang, "section."+in.Sections[p.Step].ID)
		v.Shown = in.Sections[p.Step].Questions
		v.IsLast = p.Step == len(in.Sections)-1
		v.HasPrev = p.Step > 0
	}
	for i, s := range in.Sections {
		st := stepView{Label: b.Text(p.Lang, "section."+s.ID), State: "todo"}
		switch {
		case !v.IsFollowup && i == p.Step:
			st.State = "current"
		case v.IsFollowup || i < p.Step:
			st.State = "done"
		}
		if st.State != "current" && p.ScreeningID != "" {
			st.Href = v.Action + "?step=" + strconv.Itoa(i)
		}
		v.Steps = append(v.Steps, st)
	}
	fst := stepView{Label: l.T("interview.followups_step"), State: "todo"}
	if v.IsFollowup {
		fst.State = "current"
	}
	v.Steps = append(v.Steps, fst)

	settles := map[string]int{}
	for _, f := range p.Followups {
		settles[f.Question] = f.Settles
	}
	for n, id := range v.Shown {
		q := b.Question(id)
		if q == nil {
			continue
		}
		qv := r.questionView(p, q, qlang, v.Shown)
		qv.Number = n + 1
		qv.Settles = settles[id]
		v.Questions = append(v.Questions, qv)
	}
	for _, pr := range p.Problems {
		label := pr.Field
		anchor := "f-" + strings.NewReplacer(".", "-").Replace(pr.Field)
		if q := b.Question(pr.Question); q != nil {
			label = b.Text(qlang, "question."+q.ID+".text")
			for _, qv := range v.Questions {
				if qv.ID == q.ID {
					anchor = qv.Anchor
					if strings.HasPrefix(pr.Field, "p.") {
						anchor = qv.ProvID
					}
				}
			}
		}
		v.ProblemList = append(v.ProblemList, problemView{Anchor: anchor, Label: label, Message: l.T(pr.Key, "value", pr.Value)})
	}
	return v, nil
}

// current returns what the page should show as a question's answer: the
// posted form when it is shown again, otherwise the saved answer.
func current(p *InterviewPage, q *content.Question) (vals []string, other, prov string) {
	id := q.ID
	if p.Form != nil {
		if _, posted := p.Form["a."+id]; posted || p.Form["x."+id] != nil || p.Form["p."+id] != nil {
			for _, v := range p.Form["a."+id] {
				vals = append(vals, strings.TrimSpace(v))
			}
			if x := p.Form["x."+id]; len(x) > 0 {
				other = x[0]
			}
			if pv := p.Form["p."+id]; len(pv) > 0 {
				prov = pv[0]
			}
			return vals, other, prov
		}
	}
	a, ok := p.Evidence.Answer(id)
	if !ok {
		return nil, "", ""
	}
	prov = a.Provenance
	switch q.Type {
	case "age":
		if a.Age != nil {
			vals = []string{strconv.Itoa(*a.Age)}
		} else {
			other = a.Value
		}
	case "multi":
		if len(a.Options) > 0 {
			vals = a.Options
		} else {
			other = a.Value
		}
	default:
		if a.Value != "" {
			vals = []string{a.Value}
		}
	}
	return vals, other, prov
}

func (r *Renderer) questionView(p *InterviewPage, q *content.Question, qlang string, shown []string) questionView {
	b, l := r.bundle, p.L
	t := func(key string) string { return b.Text(qlang, key) }
	optional := func(key string) string {
		if s := t(key); s != key {
			return s
		}
		return ""
	}
	id := q.ID
	qv := questionView{
		ID: id, Type: q.Type,
		Text: t("question." + id + ".text"),
		Why:  optional("question." + id + ".why"),
		// Guidance is for the interviewer, so it is in the interface's
		// language; the question and why it is asked are for the person.
		Guidance: pageOptional(b, p.Lang, "question."+id+".guidance"),
		ErrorID:  "err-" + id,
		ProvID:   "p-" + id,
		AgeID:    "a-" + id,
	}
	vals, other, prov := current(p, q)
	if prov == "" {
		prov = defaultProvenance(q)
	}
	for _, pv := range content.Provenances {
		qv.Provenance = append(qv.Provenance, choiceView{Value: pv, Label: l.T("provenance." + pv), Checked: pv == prov})
	}
	if !slices.Contains(content.Provenances, prov) {
		// A tampered or stale value is shown as the first choice, marked
		// by the problem beside it, rather than silently replaced.
		qv.Provenance = append([]choiceView{{Value: prov, Label: prov, Checked: true}}, qv.Provenance...)
	}
	switch q.Type {
	case "yesno", "choice":
		for _, o := range q.OptionIDs() {
			label := t("option." + id + "." + o)
			if q.Type == "yesno" {
				label = t("answer." + o)
			}
			qv.Options = append(qv.Options, choiceView{InputID: "a-" + id + "-" + o, Value: o, Label: label, Checked: slices.Contains(vals, o)})
		}
		for _, o := range notAnswers {
			qv.Others = append(qv.Others, choiceView{InputID: "a-" + id + "-" + o, Value: o, Label: otherLabel(o, t, l), Checked: slices.Contains(vals, o)})
		}
		qv.Anchor = qv.Options[0].InputID
	case "multi":
		for _, o := range q.OptionIDs() {
			qv.Options = append(qv.Options, choiceView{InputID: "a-" + id + "-" + o, Value: o, Label: t("option." + id + "." + o), Checked: slices.Contains(vals, o)})
		}
		qv.Others = r.otherChoices(id, other, t, l)
		qv.Anchor = qv.Options[0].InputID
		qv.OthersLegend = l.T("interview.or_instead")
	case "age":
		if len(vals) > 0 {
			qv.AgeValue = strings.Join(vals, ", ")
		}
		qv.Others = r.otherChoices(id, other, t, l)
		qv.Anchor = qv.AgeID
		qv.OthersLegend = l.T("interview.or_instead_age")
	}
	if pr := p.Problems.ForQuestion(id); pr != nil {
		qv.Invalid = true
		qv.Problem = l.T(pr.Key, "value", pr.Value)
		qv.DescribedBy = qv.ErrorID
	}
	// Skip logic that depends on an answer on this same page cannot hide
	// the question without script; say when it need not be asked instead.
	// The hint is for the interviewer, so it is in the interface's
	// language throughout; it is left out once the earlier question has
	// an answer that does not skip this one.
	ui := func(key string) string { return b.Text(p.Lang, key) }
	var hints []string
	for _, rule := range q.SkipIf {
		src := b.Question(rule.Question)
		if src == nil {
			continue
		}
		if a, ok := p.Evidence.Answer(src.ID); ok && !slices.Contains(shown, src.ID) {
			chosen := a.Options
			if a.Value != "" {
				chosen = []string{a.Value}
			}
			skips := len(chosen) > 0
			for _, c := range chosen {
				skips = skips && slices.Contains(rule.Answers, c)
			}
			if !skips {
				continue
			}
		}
		var words []string
		for _, ans := range rule.Answers {
			if src.Type == "yesno" || slices.Contains(notAnswers, ans) {
				words = append(words, ui("answer."+ans))
			} else {
				words = append(words, ui("option."+src.ID+"."+ans))
			}
		}
		if n := slices.Index(shown, src.ID); n >= 0 {
			hints = append(hints, l.T("interview.skip_hint_number", "n", n+1, "answers", strings.Join(words, " / ")))
		} else {
			hints = append(hints, l.T("interview.skip_hint", "question", ui("question."+src.ID+".text"), "answers", strings.Join(words, " / ")))
		}
	}
	qv.SkipHint = strings.Join(hints, " ")
	return qv
}

// otherLabel names the answers every question has. Skipping is an
// instruction to the interviewer, so it is named as one; the stored
// answer reads "not asked" in the report.
func otherLabel(o string, t func(string) string, l *Localizer) string {
	if o == "skipped" {
		return l.T("interview.skip")
	}
	return t("answer." + o)
}

func pageOptional(b *content.Bundle, lang, key string) string {
	if s := b.Text(lang, key); s != key {
		return s
	}
	return ""
}

func (r *Renderer) otherChoices(id, other string, t func(string) string, l *Localizer) []choiceView {
	out := []choiceView{{InputID: "x-" + id + "-none", Value: "", Label: l.T("interview.as_given"), Checked: other == "" || !slices.Contains(notAnswers, other)}}
	for _, o := range notAnswers {
		out = append(out, choiceView{InputID: "x-" + id + "-" + o, Value: o, Label: otherLabel(o, t, l), Checked: other == o})
	}
	return out
}

// InterviewStart renders the start form.
func (r *Renderer) InterviewStart(w http.ResponseWriter, p InterviewStartPage) error {
	r.prepare(&p.Page, "start.title")
	if p.Form.Instrument == "" {
		p.Form.Instrument = "short"
	}
	if p.Form.Language == "" {
		p.Form.Language = p.Lang
	}
	v := &startView{InterviewStartPage: &p}
	for _, loc := range r.bundle.Locales {
		v.LanguageChoices = append(v.LanguageChoices, choiceView{InputID: "lang-" + loc.ID, Value: loc.ID, Label: loc.Name, Checked: loc.ID == p.Form.Language})
	}
	for _, in := range r.bundle.Instruments {
		v.Instruments = append(v.Instruments, choiceView{InputID: "instrument-" + in.ID, Value: in.ID,
			Label: p.L.T("instrument." + in.ID), Checked: in.ID == p.Form.Instrument})
	}
	for _, j := range r.bundle.Jurisdictions {
		v.Jurisdictions = append(v.Jurisdictions, jurisdictionChoice{
			choiceView: choiceView{InputID: "jur-" + j.ID, Value: j.ID, Label: p.L.T("jurisdiction." + j.ID),
				Checked: slices.Contains(p.Form.Jurisdictions, j.ID)},
			Suggested: slices.Contains(p.Suggested, j.ID),
		})
	}
	for _, pr := range p.Problems {
		v.ProblemList = append(v.ProblemList, problemView{Anchor: startAnchor(v, pr.Field), Label: p.L.T("start.field_" + pr.Field), Message: p.L.T(pr.Key, "value", pr.Value)})
	}
	return r.render(w, statusFor(p.Problems), "interview_start", v)
}

func startAnchor(v *startView, field string) string {
	switch field {
	case "language":
		if len(v.LanguageChoices) > 0 {
			return v.LanguageChoices[0].InputID
		}
	case "instrument":
		if len(v.Instruments) > 0 {
			return v.Instruments[0].InputID
		}
	case "jurisdictions":
		if len(v.Jurisdictions) > 0 {
			return v.Jurisdictions[0].InputID
		}
	}
	return field
}

type startView struct {
	*InterviewStartPage
	LanguageChoices []choiceView
	Instruments     []choiceView
	Jurisdictions   []jurisdictionChoice
	ProblemList     []problemView
}

type jurisdictionChoice struct {
	choiceView
	Suggested bool
}

// AutosaveStatus answers htmx's background save of a step (NavAutosave)
// with the words for the page's status line: when it was saved, or that
// some answers need attention (they are shown when the step is sent with
// its buttons). Valid answers are saved either way.
func (r *Renderer) AutosaveStatus(w http.ResponseWriter, lang string, savedAt time.Time, problems FieldProblems) error {
	p := Page{Lang: lang}
	r.prepare(&p, "interview.title")
	data := struct {
		L        *Localizer
		SavedAt  time.Time
		Problems FieldProblems
	}{p.L, savedAt, problems}
	var buf strings.Builder
	if err := r.fragments.ExecuteTemplate(&buf, "autosave", data); err != nil {
		return fmt.Errorf("web: render autosave: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, err := io.WriteString(w, buf.String())
	return err
}
