package documents

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

// Party is the addressee or the author of a letter.
type Party struct {
	Name         string
	Role         string // e.g. "Defence counsel", "Crown Prosecutor", "Caseworker"
	Organization string
	Address      string // postal or email address, optional
}

// NonPunishmentLetter is the input of a non-punishment summary letter for
// defence counsel or a prosecutor.
type NonPunishmentLetter struct {
	Language  string    // BCP 47; empty: the result's language
	Date      time.Time // the letter's date, also its PDF creation date
	Reference string    // optional
	To        Party
	From      Party
	Matter    string // the court case or charge the letter concerns, optional
	// PersonName is identity-class information: it is printed only when
	// identity is released; otherwise the letter says "the person".
	PersonName string
	Screening
}

// WriteNonPunishmentLetter writes the letter as a PDF to w.
func WriteNonPunishmentLetter(w io.Writer, l *NonPunishmentLetter) error {
	if l == nil {
		return discern.Invalid("letter", "No letter given.")
	}
	switch {
	case l.Date.IsZero():
		return discern.Invalid("date", "The letter needs a date.")
	case strings.TrimSpace(l.To.Name) == "" && strings.TrimSpace(l.To.Organization) == "":
		return discern.Invalid("to", "Name who the letter is for.")
	case strings.TrimSpace(l.From.Name) == "":
		return discern.Invalid("from", "Name who writes the letter.")
	}
	if err := l.validate(); err != nil {
		return err
	}
	loc, err := l.locale(l.Language)
	if err != nil {
		return err
	}
	rel := l.redact()
	res := rel.res
	d := newDoc(loc, l.Date)
	t, c := loc.t, ct(l.Bundle, loc)

	d.setTitle(t("letter.title"))
	d.field(t("common.date"), d.date2(l.Date))
	d.fieldIf(t("common.reference"), l.Reference)
	d.field(t("letter.addressee"), join("\n", l.To.Name, l.To.Role, l.To.Organization, l.To.Address))
	d.field(t("letter.author"), join("\n", l.From.Name, l.From.Role, l.From.Organization, l.From.Address))
	person := t("letter.person_withheld")
	if slices.Contains(l.Released, discern.ClassIdentity) && strings.TrimSpace(l.PersonName) != "" {
		person = l.PersonName
	}
	d.fieldIf(t("letter.re"), join("; ", l.Matter, person))
	d.notice(t("letter.statement"))
	d.para(t("letter.intro", "person", person))
	d.fieldIf(t("screening.assessed"), d.date2(l.AssessedAt))
	d.field(t("screening.age"), ageText(c, res.AgeStatus))
	withheldBlock(d, t("screening.withheld_intro"), rel.withheld)

	d.heading(t("letter.elements_met"))
	for _, jr := range res.Results {
		d.sub(c("jurisdiction." + jr.Jurisdiction))
		d.para(determination(c, jr))
		var open []string
		met := 0
		for _, el := range jr.Elements {
			if el.State != screening.Met {
				open = append(open, c("element."+el.ID)+" ("+c("state."+el.State)+")")
				continue
			}
			met++
			d.field(c("element."+el.ID)+": "+c("state."+el.State), elementText(t, c, el))
		}
		if met == 0 {
			d.para(t("letter.none_met"))
		}
		if len(open) > 0 {
			d.field(t("letter.not_established"), strings.Join(open, "; "))
		}
	}

	d.heading(t("letter.provisions"))
	found := false
	for _, a := range res.Alerts {
		if !slices.Contains(provs.Alerts, a.ID) {
			continue
		}
		found = true
		d.bullet(0, c("alert."+a.ID))
		if len(a.Citations) > 0 {
			d.bullet(1, c("report.citations")+": "+strings.Join(a.Citations, "; "))
		}
	}
	for _, id := range provs.Pathways {
		var where []string
		var pw *screening.PathwayResult
		for _, jr := range res.Results {
			for i := range jr.Pathways {
				if p := &jr.Pathways[i]; p.ID == id && p.Status != "not_eligible" {
					where = append(where, c("jurisdiction."+jr.Jurisdiction)+": "+c("report.status_"+p.Status))
					if pw == nil {
						pw = p
					}
				}
			}
		}
		if pw == nil {
			continue
		}
		found = true
		d.bullet(0, c("pathway."+id+".name"))
		d.bullet(1, c("pathway."+id+".summary"))
		d.bullet(1, strings.Join(where, "; "))
		if len(pw.Citations) > 0 {
			d.bullet(1, c("report.citations")+": "+strings.Join(pw.Citations, "; "))
		}
	}
	if !found {
		d.para(t("letter.no_provisions"))
	}

	d.heading(t("letter.provenance"))
	if rel.answers != nil {
		counts, other := map[string]int{}, 0
		for _, a := range rel.answers {
			if a.Definite() || a.Value == "redacted" {
				counts[a.Provenance]++
			} else {
				other++
			}
		}
		d.para(t("letter.provenance_intro", "n", strconv.Itoa(len(rel.answers))))
		provenanceBullets(d, c, counts)
		if other > 0 {
			d.bullet(0, t("letter.not_definite")+": "+strconv.Itoa(other))
		}
	}
	counts := map[string]int{}
	for _, ind := range res.Indicators {
		if ind.State == "present" {
			for _, src := range ind.Sources {
				counts[src.Provenance]++
			}
		}
	}
	if len(counts) > 0 {
		d.sub(t("letter.indicator_sources"))
		provenanceBullets(d, c, counts)
	}

	d.heading(t("letter.signature"))
	d.para(join("\n", l.From.Name, l.From.Role, l.From.Organization, d.date2(l.Date)))
	d.small(t("common.generated_by", "version", versionOf(res)))
	return d.render(w)
}

// provenances lists the kinds of source in the order the content does.
var provenances = []string{"self_report", "observed", "document", "third_party"}

func provenanceBullets(d *doc, c func(string) string, counts map[string]int) {
	for _, p := range provenances {
		if counts[p] > 0 {
			d.bullet(0, c("provenance."+p)+": "+strconv.Itoa(counts[p]))
		}
	}
	var other []string
	for p, n := range counts {
		if p != "" && !slices.Contains(provenances, p) && n > 0 {
			other = append(other, p)
		}
	}
	slices.Sort(other)
	for _, p := range other {
		d.bullet(0, p+": "+strconv.Itoa(counts[p]))
	}
}
