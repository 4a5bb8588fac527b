package documents

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

// Screening is a screening as a document shows it: the engine's result,
// the evidence it was made from, the content that explains both, and the
// data classes the caller may release to the document's recipient.
type Screening struct {
	Bundle *content.Bundle
	Result *screening.Result
	// Evidence is optional: without it the answers' notes are left out.
	Evidence *screening.Evidence
	// Released lists the classes the document may hold. The result is
	// case-class information, so case must be among them. Answers to
	// questions of other classes are left out, with the indicators shown
	// only by them; notes are narrative-class. This is the rule package
	// casework applies when a screening is read (ScreeningView).
	Released   []discern.DataClass
	AssessedAt time.Time // when the screening was completed; optional
}

// ScreeningSummary is the input of a screening summary.
type ScreeningSummary struct {
	Language   string    // BCP 47; empty: the result's language
	Date       time.Time // the summary's date, also its PDF creation date
	Reference  string    // the screening's id, optional
	PreparedBy Sender
	Screening
}

func (s *Screening) validate() error {
	switch {
	case s.Bundle == nil:
		return discern.Invalid("bundle", "The content the screening was made under is required.")
	case s.Result == nil:
		return discern.Invalid("result", "The screening result is required.")
	case !slices.Contains(s.Released, discern.ClassCase):
		return discern.Invalid("released", "The screening result is case information; without consent to share case information there is nothing to put in this document.")
	}
	for _, c := range s.Released {
		if !c.Valid() {
			return discern.Invalid("released", "%q is not a known kind of information.", c)
		}
	}
	return nil
}

// released is what of a screening a document may show.
type released struct {
	res      *screening.Result
	notes    map[string]string // question → note, when narrative is released
	answers  []screening.Answer
	withheld []discern.DataClass
}

// redact applies the classes released to a screening: sources of
// indicators (and conflicts) from questions of a withheld class are left
// out, and so is an indicator with no source left; notes need narrative.
func (s *Screening) redact() released {
	b := s.Bundle
	ok := func(c discern.DataClass) bool { return slices.Contains(s.Released, c) }
	classOf := func(q string) discern.DataClass {
		if qq := b.Question(q); qq != nil && qq.Class != "" {
			return discern.DataClass(qq.Class)
		}
		return discern.ClassCase
	}
	var out released
	for _, c := range discern.DataClasses {
		if !ok(c) {
			out.withheld = append(out.withheld, c)
		}
	}
	keep := func(srcs []screening.Source) []screening.Source {
		var kept []screening.Source
		for _, src := range srcs {
			if ok(classOf(src.Question)) {
				kept = append(kept, src)
			}
		}
		return kept
	}
	r := *s.Result
	r.Indicators = nil
	for _, ind := range s.Result.Indicators {
		if ind.Sources = keep(ind.Sources); len(ind.Sources) > 0 {
			r.Indicators = append(r.Indicators, ind)
		}
	}
	r.Conflicts = nil
	for _, c := range s.Result.Conflicts {
		c.Present, c.Absent = keep(c.Present), keep(c.Absent)
		if len(c.Present) > 0 && len(c.Absent) > 0 {
			r.Conflicts = append(r.Conflicts, c)
		}
	}
	out.res = &r
	if s.Evidence != nil {
		out.notes = map[string]string{}
		for _, a := range s.Evidence.Answers {
			if !ok(classOf(a.Question)) {
				a = screening.Answer{Question: a.Question, Value: "redacted", Provenance: a.Provenance}
			}
			if a.Note != "" && ok(discern.ClassNarrative) {
				out.notes[a.Question] = a.Note
			} else {
				a.Note = ""
			}
			out.answers = append(out.answers, a)
		}
	}
	return out
}

// lang picks the document's language: the one asked for, else the
// result's.
func (s *Screening) locale(asked string) (locale, error) {
	if asked == "" {
		asked = s.Result.Language
	}
	loc, err := newLocale(asked)
	if err != nil {
		return locale{}, discern.Invalid("language", "%v", err)
	}
	return loc, nil
}

// ct returns content text (law, pathways, questions) in the document's
// language; the content falls back to its default locale per key.
func ct(b *content.Bundle, loc locale) func(string) string {
	return func(key string) string { return b.Text(loc.lang, key) }
}

// WriteScreeningSummary writes a screening summary as a PDF to w.
func WriteScreeningSummary(w io.Writer, s *ScreeningSummary) error {
	if s == nil {
		return discern.Invalid("summary", "No screening summary given.")
	}
	if s.Date.IsZero() {
		return discern.Invalid("date", "The summary needs a date.")
	}
	if err := s.validate(); err != nil {
		return err
	}
	loc, err := s.locale(s.Language)
	if err != nil {
		return err
	}
	rel := s.redact()
	res, b := rel.res, s.Bundle
	d := newDoc(loc, s.Date)
	t, c := loc.t, ct(b, loc)

	d.setTitle(t("screening.title"))
	d.notice(t("screening.not_determination"))
	d.para(c("report.disclaimer"))
	d.field(t("common.date"), d.date2(s.Date))
	d.fieldIf(t("common.reference"), s.Reference)
	d.fieldIf(t("screening.prepared_by"), join(", ", s.PreparedBy.Organization, s.PreparedBy.Worker))
	d.fieldIf(t("screening.assessed"), d.date2(s.AssessedAt))
	d.fieldIf(t("screening.instrument"), c("instrument."+res.Instrument))
	d.fieldIf(t("screening.language"), res.Language)
	d.field(t("screening.content"), versionOf(res))
	d.field(t("screening.age"), ageText(c, res.AgeStatus))
	withheldBlock(d, t("screening.withheld_intro"), rel.withheld)

	if len(res.Alerts) > 0 {
		d.heading(c("report.alerts"))
		for _, a := range res.Alerts {
			d.bullet(0, c("level."+a.Level)+": "+c("alert."+a.ID))
			if len(a.Citations) > 0 {
				d.bullet(1, c("report.citations")+": "+strings.Join(a.Citations, "; "))
			}
		}
	}

	for _, jr := range res.Results {
		jname := c("jurisdiction." + jr.Jurisdiction)
		d.heading(t("screening.jurisdiction", "jurisdiction", jname))
		d.field(c("report.determination"), determination(c, jr))
		d.field(c("report.situation"), c("situation."+jr.Situation))
		d.sub(c("report.elements"))
		for _, el := range jr.Elements {
			d.field(c("element."+el.ID)+": "+c("state."+el.State), elementText(t, c, el))
		}
		if len(jr.Pathways) > 0 {
			d.sub(c("report.pathways"))
			for _, pw := range jr.Pathways {
				pathway(d, c, pw)
			}
		}
		d.sub(t("screening.questions"))
		if len(jr.Followups) == 0 {
			d.para(c("report.followups_none"))
		}
		for i, f := range jr.Followups {
			if i == maxFollowups {
				d.para(t("common.more_items", "n", strconv.Itoa(len(jr.Followups)-maxFollowups)))
				break
			}
			d.bullet(0, c("question."+f.Question+".text"))
		}
	}

	d.heading(c("report.profile") + " (" + c("report.profile_variant_"+res.Profile.Variant) + ")")
	for _, dim := range res.Profile.Dimensions {
		d.bullet(0, c("dimension."+dim.ID)+": "+c("report.dimension_"+dim.State))
	}
	ilo := map[string]string{screening.Met: "report.ilo_met", screening.NotMet: "report.ilo_not_met"}[res.Profile.Assessment]
	if ilo == "" {
		ilo = "report.ilo_unknown"
	}
	d.field(c("report.ilo_assessment"), c(ilo))

	if len(res.Indicators) > 0 {
		d.heading(t("screening.answers"))
		for _, ind := range res.Indicators {
			if ind.State != "present" {
				continue
			}
			d.bullet(0, c("indicator."+ind.ID))
			for _, src := range ind.Sources {
				line := c("question."+src.Question+".text") + " " + answerText(t, c, b, src) + " (" + c("provenance."+src.Provenance) + ")"
				d.bullet(1, line)
				if n := rel.notes[src.Question]; n != "" {
					d.bullet(2, t("screening.answer_note")+": "+n)
				}
			}
		}
	}
	if len(res.Conflicts) > 0 {
		d.heading(c("report.conflicts"))
		for _, cf := range res.Conflicts {
			d.bullet(0, c("indicator."+cf.Indicator))
		}
	}
	if len(res.Rights) > 0 {
		d.heading(c("report.rights"))
		for _, r := range res.Rights {
			d.bullet(0, c("rights."+r.ID))
		}
	}
	d.small(t("common.generated_by", "version", versionOf(res)))
	return d.render(w)
}

// maxFollowups is how many questions a jurisdiction lists, best first.
const maxFollowups = 6

func versionOf(res *screening.Result) string {
	h := res.ContentHash
	if len(h) > 12 {
		h = h[:12]
	}
	if h == "" {
		return res.ContentVersion
	}
	return res.ContentVersion + " (sha256:" + h + ")"
}

func ageText(c func(string) string, status string) string {
	switch status {
	case "adult":
		return c("report.age_adult")
	case "minor":
		return c("report.age_minor")
	}
	return c("report.age_unknown")
}

func determination(c func(string) string, jr screening.JurisdictionResult) string {
	return strings.ReplaceAll(c("determination."+jr.Determination), "{jurisdiction}", c("jurisdiction."+jr.Jurisdiction))
}

// elementText is what an element rests on: the facts, whether it turns
// on an unknown age, and the law.
func elementText(t func(string, ...any) string, c func(string) string, el screening.ElementResult) string {
	var lines []string
	if el.State == screening.Met || el.State == screening.NotMet {
		var facts []string
		for _, f := range el.Facts {
			facts = append(facts, c("facet."+f.Facet))
		}
		if len(facts) > 0 {
			label := c("report.evidence")
			if el.State == screening.NotMet {
				label = c("report.not_shown")
			}
			lines = append(lines, label+": "+strings.Join(facts, "; "))
		}
	}
	if el.AgeDependent {
		lines = append(lines, t("screening.age_dependent"))
	}
	if len(el.Citations) > 0 {
		lines = append(lines, c("report.citations")+": "+strings.Join(el.Citations, "; "))
	}
	return strings.Join(lines, "\n")
}

func pathway(d *doc, c func(string) string, pw screening.PathwayResult) {
	d.bullet(0, c("pathway."+pw.ID+".name")+": "+c("report.status_"+pw.Status))
	d.bullet(1, c("pathway."+pw.ID+".summary"))
	conds := func(ids []string) string {
		var out []string
		for _, id := range ids {
			out = append(out, c("pathway."+pw.ID+".condition."+id))
		}
		return strings.Join(out, "; ")
	}
	if len(pw.Open) > 0 {
		d.bullet(1, c("report.open_conditions")+": "+conds(pw.Open))
	}
	if len(pw.Unmet) > 0 {
		d.bullet(1, c("report.unmet_conditions")+": "+conds(pw.Unmet))
	}
	for _, cl := range pw.Clocks {
		d.bullet(1, c("report.clocks")+": "+c("pathway."+pw.ID+".clock."+cl.ID))
	}
	if pw.Consent != "" {
		d.bullet(1, c("report.consent")+": "+c("consent."+pw.Consent))
	}
	if len(pw.Citations) > 0 {
		d.bullet(1, c("report.citations")+": "+strings.Join(pw.Citations, "; "))
	}
}

// answerText names an answer as the interview showed it.
func answerText(t func(string, ...any) string, c func(string) string, b *content.Bundle, src screening.Source) string {
	opt := func(o string) string {
		if q := b.Question(src.Question); q != nil && q.Type != "yesno" && !slices.Contains([]string{"unknown", "prefer_not", "skipped"}, o) {
			return c("option." + src.Question + "." + o)
		}
		return c("answer." + o)
	}
	if o, ok := strings.CutPrefix(src.Answer, "not:"); ok {
		return "— " + t("screening.not_chosen", "option", opt(o))
	}
	return "— " + opt(src.Answer)
}

func withheldBlock(d *doc, intro string, withheld []discern.DataClass) {
	if len(withheld) == 0 {
		return
	}
	t := d.loc.t
	d.sub(t("common.withheld_classes"))
	d.para(intro + ":")
	for _, c := range withheld {
		d.bullet(0, t("class."+string(c))+": "+t("common.withheld_no_consent"))
	}
}
