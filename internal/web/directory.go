package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// DirectoryPage finds services in the service directory for a person's
// needs: a GET form (needs, eligibility, place, wanted qualities) and the
// matches with their reasons. Reached from a screening it comes with
// suggested needs, which the page says are suggestions.
type DirectoryPage struct {
	Page
	Form DirectoryForm
	// NeedChoices and AttributeChoices are the values the form offers
	// (the directory mapping's needs and attributes).
	NeedChoices      []string
	AttributeChoices []string
	// Searched is true when the form was sent: Matches are its answer.
	Searched bool
	Matches  []DirectoryMatch
	Problems FieldProblems
	// ScreeningID is the screening the suggestions came from, if any;
	// Suggested lists what was filled in from it (interface keys).
	ScreeningID string
	Suggested   []string
	// PersonID is the person of that screening, when the user may refer
	// them: each match then offers "Refer".
	PersonID string
	// Services is how many services the directory holds.
	Services int
}

// DirectoryForm is the form's values, as typed.
type DirectoryForm struct {
	Needs      []string
	Attributes []string
	Age        string
	Gender     string
	Languages  string
	Postcode   string
	Lat, Lon   string
	MaxKm      string
}

// Query is the form as query parameters, for the matcher.
func (f DirectoryForm) Query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"age": f.Age, "gender": f.Gender, "languages": f.Languages, "lat": f.Lat, "lon": f.Lon, "max_km": f.MaxKm} {
		if s = strings.TrimSpace(s); s != "" {
			v.Set(k, s)
		}
	}
	if len(f.Needs) > 0 {
		v["needs"] = f.Needs
	}
	if len(f.Attributes) > 0 {
		v["attributes"] = f.Attributes
	}
	return v
}

// ParseDirectoryForm reads the form. Values are checked by the matcher.
func ParseDirectoryForm(v url.Values) DirectoryForm {
	g := func(k string) string {
		s := v.Get(k)
		if len(s) > 200 {
			s = s[:200]
		}
		return s
	}
	return DirectoryForm{Needs: v["needs"], Attributes: v["attributes"], Age: g("age"), Gender: g("gender"),
		Languages: g("languages"), Postcode: g("postcode"), Lat: g("lat"), Lon: g("lon"), MaxKm: g("max_km")}
}

// DirectoryMatch is one service found, with its reasons as keys and
// values the page words in the reader's language.
type DirectoryMatch struct {
	ServiceID    string
	Name         string
	Organization string
	Description  string
	URL          string
	Phone        string
	Location     string
	DistanceKm   string // one decimal; empty when unknown
	Covered      []string
	Why, Gaps    []DirectoryPoint
}

// DirectoryPoint is a reason or a gap: Key names its text
// (directory.why_<key> or directory.gap_<key>), Value fills it.
type DirectoryPoint struct{ Key, Value string }

// HasNeed reports whether the form has the need ticked.
func (f DirectoryForm) HasNeed(n string) bool { return slices.Contains(f.Needs, n) }

// HasAttribute reports whether the form has the attribute ticked.
func (f DirectoryForm) HasAttribute(a string) bool { return slices.Contains(f.Attributes, a) }

// Directory renders the directory page; with problems it answers 422,
// as the other forms do.
func (r *Renderer) Directory(w http.ResponseWriter, p DirectoryPage) error {
	r.prepare(&p.Page, "directory.title")
	return r.render(w, statusFor(p.Problems), "directory", &p)
}

func init() {
	// dict passes several values to a partial: (dict "M" . "L" $.L).
	funcs["dict"] = func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				m[k] = kv[i+1]
			}
		}
		return m
	}
}
