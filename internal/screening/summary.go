package screening

// Summary is the part of a result that is kept as the record of an
// assessment: what was concluded, per jurisdiction, under which content.
// The full result — facts, citations, follow-ups, pathways, explanation —
// is recomputed from the stored evidence whenever it is shown: the engine
// is deterministic, so under the same content it is the same result, and
// under new content the difference from the summary is what changed.
type Summary struct {
	ContentVersion string                `json:"content_version"`
	ContentHash    string                `json:"content_hash"`
	AgeStatus      string                `json:"age_status"`
	ILOAssessment  string                `json:"ilo_assessment"`
	Alerts         []string              `json:"alerts,omitempty"`
	Results        []JurisdictionSummary `json:"results"`
}

// JurisdictionSummary is one jurisdiction's conclusion.
type JurisdictionSummary struct {
	Jurisdiction  string            `json:"jurisdiction"`
	Determination string            `json:"determination"`
	Situation     string            `json:"situation"`
	Elements      map[string]string `json:"elements"`
}

// Summary returns the result's summary.
func (r *Result) Summary() Summary {
	s := Summary{ContentVersion: r.ContentVersion, ContentHash: r.ContentHash, AgeStatus: r.AgeStatus, ILOAssessment: r.Profile.Assessment}
	for _, a := range r.Alerts {
		s.Alerts = append(s.Alerts, a.ID)
	}
	for _, jr := range r.Results {
		js := JurisdictionSummary{Jurisdiction: jr.Jurisdiction, Determination: jr.Determination, Situation: jr.Situation, Elements: map[string]string{}}
		for _, el := range jr.Elements {
			js.Elements[el.ID] = el.State
		}
		s.Results = append(s.Results, js)
	}
	return s
}

// Changes lists how two summaries differ, as "jurisdiction: what" lines;
// none when they agree.
func (s Summary) Changes(now Summary) []string {
	var out []string
	old := map[string]JurisdictionSummary{}
	for _, j := range s.Results {
		old[j.Jurisdiction] = j
	}
	for _, j := range now.Results {
		o, ok := old[j.Jurisdiction]
		if !ok {
			out = append(out, j.Jurisdiction+": newly assessed")
			continue
		}
		if o.Determination != j.Determination {
			out = append(out, j.Jurisdiction+": determination "+o.Determination+" → "+j.Determination)
		}
		if o.Situation != j.Situation {
			out = append(out, j.Jurisdiction+": situation "+o.Situation+" → "+j.Situation)
		}
		for _, el := range []string{"act", "means", "purpose"} {
			if o.Elements[el] != j.Elements[el] {
				out = append(out, j.Jurisdiction+": "+el+" "+o.Elements[el]+" → "+j.Elements[el])
			}
		}
	}
	return out
}
