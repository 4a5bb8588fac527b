package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/discern-org/discern/internal/screening"
)

// resultView is what the result template reads.
type resultView struct {
	*ResultPage
	Alerts        []alertView
	AgeText       string
	Jurisdictions []jurisdictionView
	Followups     []followupView
	Profile       profileView
	Indicators    []indicatorView
	Conflicts     []string
	Rights        []citedText
	Hash          string
	InterviewURL  string
	PrintURL      string
	ScreeningURL  string
}

type alertView struct {
	Level, LevelText, Symbol, Text string
	Citations                      []string
}

type jurisdictionView struct {
	ID, Name          string
	Determination     string // the code, for styling only
	DeterminationText string
	Situation         string
	Explanation       string
	Elements          []elementView
	Open              []string // elements still unknown
	Followups         []followupView
	Pathways          []pathwayView // eligible first, then possible
	NotEligible       []pathwayView
	Sources           []screening.SourceRef
}

type elementView struct {
	Name, State, StateText, Symbol string
	Evidence                       []evidenceView
	EvidenceLead                   string
	Citations                      []string
	AgeDependent                   bool
}

type evidenceView struct {
	Fact       string
	Indicators []string
}

type followupView struct {
	Question string
	Settles  int
}

type pathwayView struct {
	ID, Jurisdiction                          string
	Name, Summary, Status, StatusText, Symbol string
	Met, Open, Unmet, Clocks                  []string
	Consent                                   string
	Citations                                 []string
}

type profileView struct {
	Variant    string
	Dimensions []dimensionView
	Assessment string
}

type dimensionView struct {
	Name, State, StateText string
	Strong, Medium, Weak   int
}

type indicatorView struct {
	Name    string
	Sources []string
}

type citedText struct {
	Text      string
	Citations []string
}

// stateSymbols give every state a text mark besides its word and colour,
// so that no meaning rests on colour alone (and paper prints in grey).
var stateSymbols = map[string]string{
	screening.Met: "✓", screening.NotMet: "✗", screening.Unknown: "?", screening.NotRequired: "–",
	"eligible": "✓", "possible": "?", "not_eligible": "✗",
	"urgent": "‼", "warning": "!", "notice": "i",
}

var statusOrder = map[string]string{"eligible": "0", "possible": "1"}

var levelRank = map[string]int{"urgent": 0, "warning": 1, "notice": 2}

// Result renders a screening's result (Print: its paper version).
func (r *Renderer) Result(w http.ResponseWriter, p ResultPage) error {
	r.prepare(&p.Page, "result.title")
	p.Page.print = p.Print
	return r.render(w, http.StatusOK, "result", r.resultView(&p))
}

func (r *Renderer) resultView(p *ResultPage) *resultView {
	l := p.L
	v := &resultView{ResultPage: p}
	if p.ScreeningID != "" {
		v.ScreeningURL = URL(PathScreening, p.ScreeningID)
		v.PrintURL = v.ScreeningURL + "?print=1"
		v.InterviewURL = URL(PathInterview, p.ScreeningID) + "?step=followups"
	}
	res := p.Result
	if res == nil {
		return v
	}
	v.Hash = res.ContentHash
	if len(v.Hash) > 12 {
		v.Hash = v.Hash[:12]
	}
	switch res.AgeStatus {
	case "adult":
		v.AgeText = l.T("report.age_adult")
	case "minor":
		v.AgeText = l.T("report.age_minor")
	default:
		v.AgeText = l.T("report.age_unknown")
	}
	alerts := slices.Clone(res.Alerts)
	slices.SortStableFunc(alerts, func(a, b screening.Alert) int { return levelRank[a.Level] - levelRank[b.Level] })
	for _, a := range alerts {
		v.Alerts = append(v.Alerts, alertView{Level: a.Level, LevelText: l.T("level." + a.Level),
			Symbol: stateSymbols[a.Level], Text: l.T("alert." + a.ID), Citations: a.Citations})
	}
	for _, f := range res.Followups {
		if len(v.Followups) == MaxFollowups {
			break
		}
		v.Followups = append(v.Followups, followupView{Question: l.T("question." + f.Question + ".text"), Settles: f.Settles})
	}
	for _, jr := range res.Results {
		name := l.T("jurisdiction." + jr.Jurisdiction)
		jv := jurisdictionView{
			ID: jr.Jurisdiction, Name: name, Determination: jr.Determination,
			DeterminationText: strings.ReplaceAll(l.T("determination."+jr.Determination), "{jurisdiction}", name),
			Situation:         l.T("situation." + jr.Situation),
			Sources:           jr.Sources,
		}
		for _, el := range jr.Elements {
			ev := elementView{Name: l.T("element." + el.ID), State: el.State, StateText: l.T("state." + el.State),
				Symbol: stateSymbols[el.State], Citations: el.Citations, AgeDependent: el.AgeDependent}
			want := map[string]string{screening.Met: "true", screening.NotMet: "false", screening.Unknown: "unknown"}[el.State]
			for _, f := range el.Facts {
				if f.State != want || len(ev.Evidence) == 4 {
					continue
				}
				fe := evidenceView{Fact: l.T("facet." + f.Facet)}
				for _, ind := range f.Indicators {
					fe.Indicators = append(fe.Indicators, l.T("indicator."+ind))
				}
				ev.Evidence = append(ev.Evidence, fe)
			}
			switch el.State {
			case screening.Met:
				ev.EvidenceLead = l.T("result.evidence_met")
			case screening.NotMet:
				ev.EvidenceLead = l.T("result.evidence_not_met")
			case screening.Unknown:
				ev.EvidenceLead = l.T("result.evidence_unknown")
				jv.Open = append(jv.Open, ev.Name)
			case screening.NotRequired:
				ev.EvidenceLead = l.T("result.evidence_not_required")
			}
			jv.Elements = append(jv.Elements, ev)
		}
		for i, f := range jr.Followups {
			if i == 3 {
				break
			}
			jv.Followups = append(jv.Followups, followupView{Question: l.T("question." + f.Question + ".text"), Settles: f.Settles})
		}
		for _, pw := range jr.Pathways {
			pv := pathwayView{ID: pw.ID, Jurisdiction: jr.Jurisdiction, Name: l.T("pathway." + pw.ID + ".name"), Summary: l.T("pathway." + pw.ID + ".summary"),
				Status: pw.Status, StatusText: l.T("report.status_" + pw.Status), Symbol: stateSymbols[pw.Status],
				Consent: l.T("consent." + pw.Consent), Citations: pw.Citations}
			for _, c := range pw.Met {
				pv.Met = append(pv.Met, l.T("pathway."+pw.ID+".condition."+c))
			}
			for _, c := range pw.Open {
				pv.Open = append(pv.Open, l.T("pathway."+pw.ID+".condition."+c))
			}
			for _, c := range pw.Unmet {
				pv.Unmet = append(pv.Unmet, l.T("pathway."+pw.ID+".condition."+c))
			}
			for _, c := range pw.Clocks {
				pv.Clocks = append(pv.Clocks, l.T("pathway."+pw.ID+".clock."+c.ID))
			}
			if pw.Status == "not_eligible" {
				jv.NotEligible = append(jv.NotEligible, pv)
			} else {
				jv.Pathways = append(jv.Pathways, pv)
			}
		}
		// What may follow comes first; what cannot is listed briefly
		// after, with the reason, so that no option silently disappears.
		slices.SortStableFunc(jv.Pathways, func(a, b pathwayView) int {
			return strings.Compare(statusOrder[a.Status], statusOrder[b.Status])
		})
		v.Jurisdictions = append(v.Jurisdictions, jv)
	}
	v.Profile.Variant = l.T("report.profile_variant_" + res.Profile.Variant)
	for _, d := range res.Profile.Dimensions {
		v.Profile.Dimensions = append(v.Profile.Dimensions, dimensionView{Name: l.T("dimension." + d.ID), State: d.State,
			StateText: l.T("report.dimension_" + d.State), Strong: d.Strong, Medium: d.Medium, Weak: d.Weak})
	}
	v.Profile.Assessment = l.T(map[string]string{screening.Met: "report.ilo_met", screening.NotMet: "report.ilo_not_met"}[res.Profile.Assessment])
	if res.Profile.Assessment != screening.Met && res.Profile.Assessment != screening.NotMet {
		v.Profile.Assessment = l.T("report.ilo_unknown")
	}
	for _, ind := range res.Indicators {
		if ind.State != "present" {
			continue
		}
		iv := indicatorView{Name: l.T("indicator." + ind.ID)}
		for _, s := range ind.Sources {
			iv.Sources = append(iv.Sources, l.T("provenance."+s.Provenance))
		}
		slices.Sort(iv.Sources)
		iv.Sources = slices.Compact(iv.Sources)
		v.Indicators = append(v.Indicators, iv)
	}
	for _, c := range res.Conflicts {
		v.Conflicts = append(v.Conflicts, l.T("indicator."+c.Indicator))
	}
	for _, ri := range res.Rights {
		v.Rights = append(v.Rights, citedText{Text: l.T("rights." + ri.ID), Citations: ri.Citations})
	}
	return v
}
