package content

import "encoding/json"

// MarshalJSON writes an expression in the same form as the YAML files.
func (e *Expr) MarshalJSON() ([]byte, error) {
	switch e.Op {
	case OpFacet:
		return json.Marshal(e.Name)
	case OpAll, OpAny:
		return json.Marshal(map[string][]*Expr{string(e.Op): e.Args})
	case OpNot:
		return json.Marshal(map[string]*Expr{"not": e.Args[0]})
	case OpMinor, OpConst:
		return json.Marshal(map[string]bool{string(e.Op): e.Value})
	case OpTerm, OpIndicator:
		return json.Marshal(map[string]string{string(e.Op): e.Name})
	case OpPresent, OpNonePresent, OpDetermination:
		return json.Marshal(map[string][]string{string(e.Op): e.List})
	case OpElement:
		return json.Marshal(map[string]map[string]string{"element": {e.Name: e.State}})
	}
	return json.Marshal(nil)
}

// Catalogue is the content as integrators consume it (`discern content
// export --format json`).
type Catalogue struct {
	Version       string                       `json:"version"`
	Hash          string                       `json:"hash"`
	Facets        []*Facet                     `json:"facets"`
	Indicators    []*Indicator                 `json:"indicators"`
	Questions     []ExportQuestion             `json:"questions"`
	Instruments   []*Instrument                `json:"instruments"`
	Terms         map[string]*Expr             `json:"terms"`
	Jurisdictions []*Jurisdiction              `json:"jurisdictions"`
	Pathways      []*Pathway                   `json:"pathways"`
	Situations    []*Situation                 `json:"situations"`
	Alerts        []*Alert                     `json:"alerts"`
	Rights        []*Right                     `json:"rights"`
	Locales       map[string]map[string]string `json:"locales"`
}

// ExportQuestion is a question with its options in order.
type ExportQuestion struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Provenance string         `json:"provenance,omitempty"`
	SkipIf     []SkipRule     `json:"skip_if,omitempty"`
	Options    []ExportOption `json:"options,omitempty"`
}

// ExportOption is one option and the indicators it shows present or absent.
type ExportOption struct {
	ID      string   `json:"id"`
	Present []string `json:"present,omitempty"`
	Absent  []string `json:"absent,omitempty"`
}

// Export builds the integrators' catalogue from a bundle.
func Export(b *Bundle) *Catalogue {
	c := &Catalogue{
		Version: b.Version, Hash: b.Hash, Facets: b.Facets, Indicators: b.Indicators, Instruments: b.Instruments,
		Terms: b.Terms, Jurisdictions: b.Jurisdictions, Pathways: b.Pathways, Situations: b.Situations,
		Alerts: b.Alerts, Rights: b.Rights, Locales: map[string]map[string]string{},
	}
	for _, q := range b.Questions {
		eq := ExportQuestion{ID: q.ID, Type: q.Type, Provenance: q.Provenance, SkipIf: q.SkipIf}
		for _, o := range q.Options {
			eq.Options = append(eq.Options, ExportOption{ID: o.ID, Present: o.Effect.True, Absent: o.Effect.False})
		}
		c.Questions = append(c.Questions, eq)
	}
	for _, l := range b.Locales {
		c.Locales[l.ID] = l.Texts
	}
	return c
}
