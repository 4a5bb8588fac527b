package screening

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/discern-org/discern/internal/content"
)

// ev builds evidence from question id → value ("yes", an option id, a
// comma-free list for multi questions, or an age).
func ev(jurisdictions []string, answers map[string]any) *Evidence {
	e := &Evidence{Instrument: "full", Language: "en", Jurisdictions: jurisdictions}
	for q, v := range answers {
		a := Answer{Question: q, Provenance: "self_report"}
		switch v := v.(type) {
		case int:
			a.Age = &v
		case []string:
			a.Options = v
		case string:
			a.Value = v
		}
		e.Answers = append(e.Answers, a)
	}
	// deterministic order
	slices.SortFunc(e.Answers, func(a, b Answer) int {
		return bundle.Question(a.Question).Index - bundle.Question(b.Question).Index
	})
	return e
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// The scenarios of screening-and-law.md §3.8, where the same facts come out
// differently by jurisdiction.
var (
	adultManaged = map[string]any{ // A: adult consents; manager books, drives between towns, takes 50%
		"age": 29, "age_doubt": "no", "status": "citizen", "exchange_sex": "yes", "others_involved": "yes",
		"other_work": []string{"none"}, "money_share": "a_share", "work_directed": "yes", "advertised": "yes",
		"forced_acts": "no", "sexual_content": "no", "criminal_acts": "no", "money_kept": "no", "debt": "no",
		"how_started": []string{"ad_or_offer"}, "told_truth_nature": "yes", "told_truth_conditions": "yes",
		"situation_exploited": "no", "travelled": "other_town", "travel_arranged": "yes", "moved_between_places": "yes",
		"received_on_arrival": "no", "housing_controlled": "no", "free_to_leave": "yes", "violence": "no",
		"threat_violence": "no", "threat_family": "no", "threat_authorities": "no", "threat_exposure": "no",
		"documents": "has_them", "confined": "no", "monitored": "no", "brought_back": "no",
		"necessities_withheld": "no", "leverage": "no", "substances_given": "no", "told_what_to_say": "no",
	}
	// B: the same, but the manager holds her passport and threatens to tell her family and immigration.
	adultCoerced = merge(adultManaged, map[string]any{
		"free_to_leave": "no", "documents": "someone_else_holds", "threat_exposure": "yes", "threat_authorities": "yes",
	})
	// D: adult, self-directed, trades sex to pay rent; no third party.
	adultSelfDirected = map[string]any{
		"age": 35, "age_doubt": "no", "exchange_sex": "yes", "others_involved": "no",
		"how_started": []string{"found_myself"}, "travelled": "no", "documents": "has_them", "economic_need": "yes",
	}
)

func TestJurisdictionsDisagree(t *testing.T) {
	eng := New(bundle)
	all := bundle.JurisdictionIDs()
	cases := []struct {
		name    string
		answers map[string]any
		want    map[string]string // jurisdiction → determination
		means   map[string]string // jurisdiction → means state, where it matters
	}{
		{"A manager takes a cut and drives her between towns, no means", adultManaged,
			map[string]string{"england-wales": SexTrafficking, "us-federal": NotTrafficking, "canada": NotTrafficking,
				"palermo": NotTrafficking, "eu": NotTrafficking, "uk-nrm": NotTrafficking},
			map[string]string{"england-wales": NotRequired, "palermo": NotMet, "us-federal": NotMet}},
		{"B the same with passport held and threats of exposure and immigration", adultCoerced,
			map[string]string{"england-wales": SexTrafficking, "us-federal": SexTrafficking, "canada": NotTrafficking,
				"palermo": SexTrafficking, "eu": SexTrafficking, "uk-nrm": SexTrafficking},
			map[string]string{"canada": NotMet, "us-federal": Met}},
		{"D self-directed, economic need, no third party", adultSelfDirected,
			map[string]string{"england-wales": NotTrafficking, "us-federal": NotTrafficking, "canada": NotTrafficking,
				"palermo": NotTrafficking, "eu": NotTrafficking, "uk-nrm": NotTrafficking}, nil},
		{"E adult migrant with a growing travel debt she must work off", merge(adultManaged, map[string]any{
			"status": "no_status", "travelled": "other_country", "debt": "yes", "free_to_leave": "no"}),
			map[string]string{"england-wales": SexTrafficking, "us-federal": SexTrafficking, "palermo": SexTrafficking,
				"eu": SexTrafficking, "canada": NotTrafficking}, nil},
		{"E with debt enforced by threats of violence", merge(adultManaged, map[string]any{
			"travelled": "other_country", "debt": "yes", "free_to_leave": "no", "threat_violence": "yes"}),
			map[string]string{"canada": SexTrafficking}, map[string]string{"canada": Met}},
		{"minor with a third party needs no means, except in Canada", merge(adultManaged, map[string]any{"age": 16}),
			map[string]string{"us-federal": SexTrafficking, "palermo": SexTrafficking, "eu": SexTrafficking,
				"uk-nrm": SexTrafficking, "canada": NotTrafficking},
			map[string]string{"us-federal": NotRequired, "palermo": NotRequired, "canada": NotMet}},
		{"uncertain age leaves means open where it would be waived", merge(adultManaged, map[string]any{"age_doubt": "yes"}),
			map[string]string{"palermo": InsufficientInformation, "us-federal": InsufficientInformation,
				"england-wales": SexTrafficking, "canada": NotTrafficking},
			map[string]string{"palermo": Unknown}},
		{"labour exploitation without sex", map[string]any{
			"age": 25, "age_doubt": "no", "exchange_sex": "no", "others_involved": "yes", "other_work": []string{"other_labour"},
			"how_started": []string{"ad_or_offer"}, "told_truth_nature": "no", "housing_controlled": "yes",
			"threat_violence": "yes", "criminal_acts": "no", "sexual_content": "no"},
			map[string]string{"canada": LabourTrafficking, "palermo": LabourTrafficking, "us-federal": LabourTrafficking}, nil},
		{"nothing known", map[string]any{},
			map[string]string{"england-wales": InsufficientInformation, "us-federal": InsufficientInformation,
				"canada": InsufficientInformation, "palermo": InsufficientInformation}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := eng.Evaluate(ev(all, tc.answers))
			if err != nil {
				t.Fatal(err)
			}
			for jid, want := range tc.want {
				jr := findResult(res, jid)
				if jr.Determination != want {
					t.Errorf("%s: %s, want %s\n%s", jid, jr.Determination, want, describe(jr))
				}
			}
			for jid, want := range tc.means {
				if got := elementState(findResult(res, jid), "means"); got != want {
					t.Errorf("%s: means %s, want %s", jid, got, want)
				}
			}
		})
	}
}

func TestSituationsNameTheGrayZones(t *testing.T) {
	eng := New(bundle)
	cases := []struct {
		name, jurisdiction, want string
		answers                  map[string]any
	}{
		{"third party without means under the EU test", "eu", "exploitation_without_established_means", adultManaged},
		{"survival sex, no third party", "england-wales", "economic_need_no_third_party", adultSelfDirected},
		{"self-directed work", "us-federal", "self_directed_no_third_party", merge(adultSelfDirected, map[string]any{"economic_need": "no"})},
		{"child in commercial sex outside Canada's offence", "canada", "child_commercial_sex_other_offences", merge(adultSelfDirected, map[string]any{"age": 17})},
		{"no indicators", "palermo", "no_indicators_identified", map[string]any{"age": 30, "exchange_sex": "no", "others_involved": "no", "other_work": []string{"none"}}},
		{"elements met", "palermo", "elements_met", adultCoerced},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := eng.Evaluate(ev([]string{tc.jurisdiction}, tc.answers))
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Results[0].Situation; got != tc.want {
				t.Errorf("situation %s, want %s (determination %s)", got, tc.want, res.Results[0].Determination)
			}
		})
	}
}

func TestAlertsAndPathways(t *testing.T) {
	eng := New(bundle)
	res, err := eng.Evaluate(ev([]string{"us-federal", "england-wales", "canada"}, merge(adultCoerced, map[string]any{
		"status": "no_status", "legal_situation": []string{"charges_now"}, "safe_now": "yes", "talk_to_authorities": "unable"})))
	if err != nil {
		t.Fatal(err)
	}
	var alerts []string
	for _, a := range res.Alerts {
		alerts = append(alerts, a.ID)
	}
	for _, want := range []string{"immediate_danger", "non_punishment"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("alerts %v lack %s", alerts, want)
		}
	}
	if slices.Contains(alerts, "possible_minor") {
		t.Errorf("an adult with no doubt about age raised possible_minor")
	}
	pw := func(jid, id string) PathwayResult {
		for _, p := range findResult(res, jid).Pathways {
			if p.ID == id {
				return p
			}
		}
		t.Fatalf("%s: no pathway %s", jid, id)
		return PathwayResult{}
	}
	if p := pw("us-federal", "t_visa"); p.Status != "eligible" {
		t.Errorf("T visa: %s (open %v, unmet %v)", p.Status, p.Open, p.Unmet)
	}
	if p := pw("canada", "canada_victim_trp"); p.Status != "not_eligible" || !slices.Contains(p.Unmet, "trafficking") {
		t.Errorf("Canada TRP without the elements met: %s %v", p.Status, p.Unmet)
	}
	if p := pw("england-wales", "nrm_referral"); p.Consent != "adult_required_child_not" || len(p.Clocks) == 0 {
		t.Errorf("NRM referral needs its consent rule and clocks: %+v", p)
	}

	// A citizen is not eligible for a T visa, and age unknown raises possible_minor.
	res, err = eng.Evaluate(ev([]string{"us-federal"}, merge(adultCoerced, map[string]any{"status": "citizen", "age": "unknown"})))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Results[0].Pathways {
		if p.ID == "t_visa" && p.Status != "not_eligible" {
			t.Errorf("T visa for a citizen: %s", p.Status)
		}
	}
	if !slices.ContainsFunc(res.Alerts, func(a Alert) bool { return a.ID == "possible_minor" }) {
		t.Errorf("unknown age must raise possible_minor")
	}
}

func TestFollowupsSettleOpenElements(t *testing.T) {
	eng := New(bundle)
	res, err := eng.Evaluate(ev([]string{"canada", "palermo"}, map[string]any{"age": 30, "exchange_sex": "yes", "others_involved": "yes"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Followups) == 0 {
		t.Fatal("open elements but no follow-up questions")
	}
	for i := 1; i < len(res.Followups); i++ {
		if res.Followups[i].Settles > res.Followups[i-1].Settles {
			t.Fatalf("follow-ups not ranked: %+v", res.Followups)
		}
	}
	for _, f := range res.Followups {
		if f.Question == "exchange_sex" || f.Question == "others_involved" {
			t.Errorf("an answered question %s was offered again", f.Question)
		}
	}
	// Declined questions are never asked again.
	res, err = eng.Evaluate(ev([]string{"canada"}, map[string]any{"age": 30, "violence": "prefer_not"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Followups {
		if f.Question == "violence" {
			t.Error("a question the person declined was offered again")
		}
	}
	// Nothing to settle when every element is settled.
	res, err = eng.Evaluate(ev([]string{"england-wales"}, adultManaged))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Results[0].Followups); n != 0 {
		t.Errorf("settled result still lists %d follow-ups", n)
	}
}

// randomEvidence answers a random subset of questions with random values.
func randomEvidence(r *rand.Rand) *Evidence {
	e := &Evidence{Instrument: "full", Language: "en", Jurisdictions: bundle.JurisdictionIDs()}
	for _, q := range bundle.Questions {
		if r.IntN(3) == 0 {
			continue
		}
		e.Answers = append(e.Answers, randomAnswer(r, q))
	}
	return e
}

func randomAnswer(r *rand.Rand, q *content.Question) Answer {
	a := Answer{Question: q.ID, Provenance: "self_report"}
	if r.IntN(5) == 0 {
		a.Value = []string{"unknown", "prefer_not", "skipped"}[r.IntN(3)]
		return a
	}
	opts := q.OptionIDs()
	switch q.Type {
	case "age":
		n := 10 + r.IntN(40)
		a.Age = &n
	case "multi":
		for _, o := range opts {
			if r.IntN(3) == 0 {
				a.Options = append(a.Options, o)
			}
		}
		if len(a.Options) == 0 {
			a.Options = []string{opts[0]}
		}
	default:
		a.Value = opts[r.IntN(len(opts))]
	}
	return a
}

func isTrafficking(d string) bool {
	return d == SexTrafficking || d == LabourTrafficking || d == SexAndLabourTrafficking
}

func states(res *Result) map[string]string {
	m := map[string]string{}
	for _, jr := range res.Results {
		m[jr.Jurisdiction] = jr.Determination
		for _, el := range jr.Elements {
			st := el.State
			if st == Met || st == NotRequired {
				// Both satisfy the element; which one shows can depend on
				// the person's age and the kind of exploitation.
				st = "satisfied"
			}
			m[jr.Jurisdiction+"/"+el.ID] = st
		}
	}
	return m
}

// TestKleeneUnknownNeverBecomesNotMet: with consistent answers, forgetting
// some of them (turning them into "unknown") never changes an element that
// was decided into a different decision: unknown is never read as "no".
func TestKleeneUnknownNeverBecomesNotMet(t *testing.T) {
	eng := New(bundle)
	r := rand.New(rand.NewPCG(1, 2))
	checked := 0
	for range 3000 {
		full := randomEvidence(r)
		resFull, err := eng.Evaluate(full)
		if err != nil {
			t.Fatal(err)
		}
		if len(resFull.Conflicts) > 0 {
			continue // contradictory answers are resolved in favour of presence; not a refinement
		}
		less := &Evidence{Instrument: full.Instrument, Language: full.Language, Jurisdictions: full.Jurisdictions}
		for _, a := range full.Answers {
			if r.IntN(2) == 0 {
				a = Answer{Question: a.Question, Value: "unknown", Provenance: a.Provenance}
			}
			less.Answers = append(less.Answers, a)
		}
		resLess, err := eng.Evaluate(less)
		if err != nil {
			t.Fatal(err)
		}
		sf, sl := states(resFull), states(resLess)
		for k, v := range sl {
			if v == Unknown || v == InsufficientInformation {
				continue
			}
			// More answers may refine which kind of trafficking the elements
			// describe (a second kind, or forced criminality found to be part
			// of sexual exploitation); they never turn trafficking into
			// anything else, or anything else into trafficking.
			if isTrafficking(sf[k]) && isTrafficking(v) {
				continue
			}

			if sf[k] != v {
				t.Fatalf("%s is %s with fewer answers but %s with more:\nfewer: %+v\nmore: %+v", k, v, sf[k], less.Answers, full.Answers)
			}
		}
		checked++
	}
	if checked < 500 {
		t.Fatalf("only %d consistent samples; the generator needs fixing", checked)
	}
}

// TestKleeneMoreEvidenceNeverUnmeets: adding any answer to any evidence
// never turns a met element into anything else, nor a trafficking
// determination into not_trafficking.
func TestKleeneMoreEvidenceNeverUnmeets(t *testing.T) {
	eng := New(bundle)
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		base := randomEvidence(r)
		resBase, err := eng.Evaluate(base)
		if err != nil {
			t.Fatal(err)
		}
		more := &Evidence{Instrument: base.Instrument, Language: base.Language, Jurisdictions: base.Jurisdictions, Answers: slices.Clone(base.Answers)}
		for _, q := range bundle.Questions {
			if _, ok := more.Answer(q.ID); !ok && r.IntN(2) == 0 {
				more.Answers = append(more.Answers, randomAnswer(r, q))
			}
		}
		resMore, err := eng.Evaluate(more)
		if err != nil {
			t.Fatal(err)
		}
		sb, sm := states(resBase), states(resMore)
		for k, v := range sb {
			if v == "satisfied" && sm[k] != "satisfied" {
				t.Fatalf("%s was met and became %s after more answers", k, sm[k])
			}
			if (v == SexTrafficking || v == LabourTrafficking || v == SexAndLabourTrafficking) && sm[k] == NotTrafficking {
				t.Fatalf("%s: %s became %s after more answers", k, v, sm[k])
			}
		}
	}
}

// TestNothingKnownDecidesNothing: with every question answered "unknown",
// no element is met or not met except where the law makes it not required.
func TestNothingKnownDecidesNothing(t *testing.T) {
	eng := New(bundle)
	e := &Evidence{Instrument: "full", Language: "en", Jurisdictions: bundle.JurisdictionIDs()}
	for _, q := range bundle.Questions {
		e.Answers = append(e.Answers, Answer{Question: q.ID, Value: "unknown", Provenance: "self_report"})
	}
	res, err := eng.Evaluate(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, jr := range res.Results {
		if jr.Determination != InsufficientInformation {
			t.Errorf("%s: %s with nothing known", jr.Jurisdiction, jr.Determination)
		}
		for _, el := range jr.Elements {
			if el.State != Unknown && el.State != NotRequired {
				t.Errorf("%s/%s is %s with nothing known", jr.Jurisdiction, el.ID, el.State)
			}
		}
	}
}

func TestTriIsKleene(t *testing.T) {
	vals := []content.Tri{content.Unknown, content.False, content.True}
	for _, a := range vals {
		for _, b := range vals {
			and, or := a.And(b), a.Or(b)
			// De Morgan holds in Kleene logic.
			if and.Not() != a.Not().Or(b.Not()) || or.Not() != a.Not().And(b.Not()) {
				t.Errorf("De Morgan fails for %v, %v", a, b)
			}
			// Refining an unknown never changes a decided result.
			for _, ra := range vals {
				if a != content.Unknown && ra != a {
					continue
				}
				if and != content.Unknown && ra.And(b) != and {
					t.Errorf("AND not monotone: %v→%v with %v", a, ra, b)
				}
				if or != content.Unknown && ra.Or(b) != or {
					t.Errorf("OR not monotone: %v→%v with %v", a, ra, b)
				}
			}
		}
	}
	if fmt.Sprint(content.Unknown.And(content.False)) != "false" || content.Unknown.Or(content.True) != content.True {
		t.Error("false dominates AND and true dominates OR")
	}
}

func TestResultCarriesContentVersion(t *testing.T) {
	res, err := New(bundle).Evaluate(ev([]string{"palermo"}, adultManaged))
	if err != nil {
		t.Fatal(err)
	}
	if res.ContentVersion != bundle.Version || len(res.ContentHash) != 64 {
		t.Errorf("content version %q hash %q", res.ContentVersion, res.ContentHash)
	}
}

func TestDeterministic(t *testing.T) {
	eng := New(bundle)
	r := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		e := randomEvidence(r)
		a, _ := eng.Evaluate(e)
		b, _ := eng.Evaluate(e)
		if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) {
			t.Fatal("two evaluations of the same evidence differ")
		}
	}
}

func BenchmarkEvaluateFullFormAllJurisdictions(b *testing.B) {
	eng := New(bundle)
	e := ev(bundle.JurisdictionIDs(), merge(adultCoerced, map[string]any{
		"safe_now": "no", "other_at_risk": "no", "status": "visa_or_permit", "language_isolation": "no",
		"hours_conditions": []string{"long_hours"}, "knows_address": "yes", "housing_need": "no", "economic_need": "yes",
		"health": []string{"none"}, "care_history": "no", "partner_violence": "no", "dependants": "yes",
		"legal_situation": []string{"neither"}, "talk_to_authorities": "not_now", "exit_penalty": "no", "servitude": "no"}))
	if len(e.Answers) != len(bundle.Questions) {
		b.Fatalf("benchmark evidence answers %d of %d questions", len(e.Answers), len(bundle.Questions))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.Evaluate(e); err != nil {
			b.Fatal(err)
		}
	}
}
