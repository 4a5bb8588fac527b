package screening

// Element states, as reported.
const (
	Met         = "met"
	NotMet      = "not_met"
	Unknown     = "unknown"
	NotRequired = "not_required"
)

// Determinations, as machine codes. The words shown to people say "the
// answers given meet / do not meet the elements of … under …".
const (
	SexTrafficking          = "sex_trafficking"
	LabourTrafficking       = "labour_trafficking"
	SexAndLabourTrafficking = "sex_and_labour_trafficking"
	NotTrafficking          = "not_trafficking"
	InsufficientInformation = "insufficient_information"
)

// Result is everything the engine concludes from one Evidence.
type Result struct {
	ContentVersion string               `json:"content_version"`
	ContentHash    string               `json:"content_hash"`
	Instrument     string               `json:"instrument"`
	Language       string               `json:"language"`
	AgeStatus      string               `json:"age_status"` // adult, minor or unknown
	Indicators     []IndicatorState     `json:"indicators"`
	Profile        Profile              `json:"profile"`
	Results        []JurisdictionResult `json:"results"`
	Followups      []Followup           `json:"followups"`
	Alerts         []Alert              `json:"alerts"`
	Rights         []Info               `json:"rights"`
	Conflicts      []Conflict           `json:"conflicts,omitempty"`
}

// Source is one answer that evidences an indicator.
type Source struct {
	Question   string `json:"question"`
	Answer     string `json:"answer"`
	Provenance string `json:"provenance"`
}

// IndicatorState is an indicator shown present or absent by the answers.
// Indicators nothing was said about are left out (they are unknown).
type IndicatorState struct {
	ID        string   `json:"id"`
	State     string   `json:"state"` // present or absent
	Dimension string   `json:"dimension"`
	Grade     string   `json:"grade,omitempty"` // for the profile's variant
	HTCDS     string   `json:"htcds,omitempty"`
	Sources   []Source `json:"sources"`
}

// Conflict is an indicator that some answers show present and others absent.
// It is treated as present (evidence of presence always wins) and flagged so
// that the interviewer can clarify gently.
type Conflict struct {
	Indicator string   `json:"indicator"`
	Present   []Source `json:"present"`
	Absent    []Source `json:"absent"`
}

// Profile is the ILO/EC dimension profile.
type Profile struct {
	Variant    string           `json:"variant"` // adult or child grading
	Dimensions []DimensionState `json:"dimensions"`
	// Assessment applies the ILO/EC step-2 rule: for adults a recruitment
	// dimension, exploitation, and coercion or abuse of vulnerability at
	// destination; for children recruitment and exploitation. It is context
	// for practitioners, not a legal test.
	Assessment string `json:"assessment"` // met, not_met, unknown
}

// DimensionState is one ILO/EC dimension: positive when the present
// indicators satisfy the combination rule, negative when they could not even
// if every unknown indicator were present, unknown otherwise.
type DimensionState struct {
	ID     string `json:"id"`
	State  string `json:"state"` // positive, negative, unknown
	Strong int    `json:"strong"`
	Medium int    `json:"medium"`
	Weak   int    `json:"weak"`
}

// JurisdictionResult is the legal analysis under one jurisdiction.
type JurisdictionResult struct {
	Jurisdiction  string          `json:"jurisdiction"`
	Determination string          `json:"determination"`
	Situation     string          `json:"situation"`
	Elements      []ElementResult `json:"elements"`
	Followups     []Followup      `json:"followups"`
	Pathways      []PathwayResult `json:"pathways"`
	Alerts        []Alert         `json:"alerts"`
	Citations     []string        `json:"citations"`
	Sources       []SourceRef     `json:"sources"`
	Explanation   string          `json:"explanation"`
}

// SourceRef is a source a jurisdiction's rules rest on.
type SourceRef struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// ElementResult is one legal element: its state, the facts behind it and
// the provisions it rests on.
type ElementResult struct {
	ID    string   `json:"id"`
	State string   `json:"state"`
	Kinds []string `json:"kinds,omitempty"` // purpose: sexual and/or labour, when met
	// Facts are the facets that explain the state: shown present for a met
	// element, absent for one not met, still open for an unknown one.
	Facts     []FactState `json:"facts"`
	Citations []string    `json:"citations"`
	// AgeDependent is true when the element's state turns on the person's
	// age, which is not established.
	AgeDependent bool `json:"age_dependent,omitempty"`
}

// FactState is a facet with the indicators that settled it.
type FactState struct {
	Facet      string   `json:"facet"`
	State      string   `json:"state"` // true, false, unknown
	Indicators []string `json:"indicators,omitempty"`
}

// Followup is a question that could settle open elements.
type Followup struct {
	Question string   `json:"question"`
	Settles  int      `json:"settles"`
	Elements []string `json:"elements"` // jurisdiction/element pairs it could settle
}

// PathwayResult is a protection pathway with what is met, open and unmet.
type PathwayResult struct {
	ID        string   `json:"id"`
	Status    string   `json:"status"` // eligible, possible, not_eligible
	Met       []string `json:"met"`
	Open      []string `json:"open"`
	Unmet     []string `json:"unmet"`
	Clocks    []Clock  `json:"clocks"`
	Consent   string   `json:"consent"`
	Citations []string `json:"citations"`
}

// Clock is a time limit that comes with a pathway.
type Clock struct {
	ID          string `json:"id"`
	Days        int    `json:"days,omitempty"`
	WorkingDays int    `json:"working_days,omitempty"`
	Months      int    `json:"months,omitempty"`
	Years       int    `json:"years,omitempty"`
}

// Alert is an alert raised over the result.
type Alert struct {
	ID        string   `json:"id"`
	Level     string   `json:"level"`
	Citations []string `json:"citations,omitempty"`
}

// Info is an item of rights or harm-reduction information.
type Info struct {
	ID        string   `json:"id"`
	Citations []string `json:"citations,omitempty"`
}
