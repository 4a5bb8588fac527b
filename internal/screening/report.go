package screening

import (
	"fmt"
	"io"
	"strings"

	"github.com/discern-org/discern/internal/content"
)

// WriteText writes a result as a report a caseworker can read, in the
// result's language. Facts come first, law second, and nothing in it says
// what the person is.
func WriteText(w io.Writer, b *content.Bundle, res *Result) error {
	lang := res.Language
	t := func(key string) string { return b.Text(lang, key) }
	var out strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&out, format, args...) }

	p("%s\n%s\n\n", t("report.title"), t("report.disclaimer"))
	p("%s: %s (%s)\n", t("report.content_version"), res.ContentVersion, short(res.ContentHash))
	age := map[string]string{"adult": t("report.age_adult"), "minor": t("report.age_minor"), Unknown: t("report.age_unknown")}[res.AgeStatus]
	p("%s: %s\n", t("report.age"), age)

	if len(res.Alerts) > 0 {
		p("\n%s\n", t("report.alerts"))
		for _, a := range res.Alerts {
			p("  [%s] %s\n", t("level."+a.Level), t("alert."+a.ID))
			if len(a.Citations) > 0 {
				p("      %s: %s\n", t("report.citations"), strings.Join(a.Citations, "; "))
			}
		}
	}

	variant := t("report.profile_variant_" + res.Profile.Variant)
	p("\n%s (%s)\n", t("report.profile"), variant)
	for _, d := range res.Profile.Dimensions {
		p("  %-40s %s", t("dimension."+d.ID)+":", t("report.dimension_"+d.State))
		if d.Strong+d.Medium+d.Weak > 0 {
			p(" (S %d, M %d, W %d)", d.Strong, d.Medium, d.Weak)
		}
		p("\n")
	}
	ilo := map[string]string{Met: "report.ilo_met", NotMet: "report.ilo_not_met", Unknown: "report.ilo_unknown"}[res.Profile.Assessment]
	p("  %s: %s\n", t("report.ilo_assessment"), t(ilo))
	var present []string
	for _, ind := range res.Indicators {
		if ind.State == "present" {
			present = append(present, t("indicator."+ind.ID))
		}
	}
	if len(present) > 0 {
		p("  + %s\n", strings.Join(present, "\n  + "))
	}

	for _, jr := range res.Results {
		p("\n== %s %s ==\n", t("report.jurisdiction"), t("jurisdiction."+jr.Jurisdiction))
		p("%s: %s\n", t("report.determination"), strings.ReplaceAll(t("determination."+jr.Determination), "{jurisdiction}", t("jurisdiction."+jr.Jurisdiction)))
		p("%s: %s\n", t("report.situation"), t("situation."+jr.Situation))
		p("%s:\n", t("report.elements"))
		for _, el := range jr.Elements {
			p("  %-10s %s\n", t("element."+el.ID), t("state."+el.State))
			var facts []string
			for _, f := range el.Facts {
				if el.State == Met || (el.State == NotMet && len(facts) < 4) {
					facts = append(facts, t("facet."+f.Facet))
				}
			}
			if len(facts) > 0 && el.State != NotRequired {
				label := t("report.evidence")
				if el.State == NotMet {
					label = t("report.not_shown")
				}
				p("             %s: %s\n", label, strings.Join(facts, "; "))
			}
			p("             %s: %s\n", t("report.citations"), strings.Join(el.Citations, "; "))
		}
		p("%s:\n", t("report.followups"))
		if len(jr.Followups) == 0 {
			p("  %s\n", t("report.followups_none"))
		}
		for i, f := range jr.Followups {
			if i == 5 {
				break
			}
			p("  %d. %s (%s %d)\n", i+1, t("question."+f.Question+".text"), t("report.settles"), f.Settles)
		}
		if len(jr.Pathways) > 0 {
			p("%s:\n", t("report.pathways"))
		}
		for _, pw := range jr.Pathways {
			p("  - %s: %s\n", t("pathway."+pw.ID+".name"), t("report.status_"+pw.Status))
			p("      %s\n", t("pathway."+pw.ID+".summary"))
			if len(pw.Open) > 0 {
				p("      %s: %s\n", t("report.open_conditions"), conds(b, lang, pw.ID, pw.Open))
			}
			if len(pw.Unmet) > 0 {
				p("      %s: %s\n", t("report.unmet_conditions"), conds(b, lang, pw.ID, pw.Unmet))
			}
			for _, c := range pw.Clocks {
				p("      %s: %s\n", t("report.clocks"), t("pathway."+pw.ID+".clock."+c.ID))
			}
			p("      %s: %s\n", t("report.consent"), t("consent."+pw.Consent))
			p("      %s: %s\n", t("report.citations"), strings.Join(pw.Citations, "; "))
		}
	}

	if len(res.Conflicts) > 0 {
		p("\n%s:\n", t("report.conflicts"))
		for _, c := range res.Conflicts {
			p("  - %s\n", t("indicator."+c.Indicator))
		}
	}
	p("\n%s:\n", t("report.rights"))
	for _, r := range res.Rights {
		p("  - %s\n", t("rights."+r.ID))
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func conds(b *content.Bundle, lang, pathway string, ids []string) string {
	var out []string
	for _, id := range ids {
		out = append(out, b.Text(lang, "pathway."+pathway+".condition."+id))
	}
	return strings.Join(out, "; ")
}

func short(hash string) string {
	if len(hash) > 12 {
		return "sha256:" + hash[:12]
	}
	return hash
}
