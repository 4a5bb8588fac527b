package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/content"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

func TestParseInterviewForm(t *testing.T) {
	b, _ := mustBundle(t)
	about := SectionQuestions(b, "short", 1) // age, age_doubt, status
	work := SectionQuestions(b, "full", 2)   // includes multi questions
	cases := []struct {
		name     string
		shown    []string
		form     url.Values
		answers  []screening.Answer
		problems []string // fields
	}{
		{"nothing touched", about, url.Values{}, nil, nil},
		{"yes and default provenance", about, url.Values{"a.age_doubt": {"yes"}},
			[]screening.Answer{{Question: "age_doubt", Value: "yes", Provenance: "observed"}}, nil},
		{"age with provenance", about, url.Values{"a.age": {" 17 "}, "p.age": {"document"}},
			[]screening.Answer{{Question: "age", Age: ptr(17), Provenance: "document"}}, nil},
		{"age zero", about, url.Values{"a.age": {"0"}},
			[]screening.Answer{{Question: "age", Age: ptr(0), Provenance: "self_report"}}, nil},
		{"age unknown instead", about, url.Values{"a.age": {""}, "x.age": {"unknown"}},
			[]screening.Answer{{Question: "age", Value: "unknown", Provenance: "self_report"}}, nil},
		{"age prefers not", about, url.Values{"x.age": {"prefer_not"}},
			[]screening.Answer{{Question: "age", Value: "prefer_not", Provenance: "self_report"}}, nil},
		{"age not a number", about, url.Values{"a.age": {"twenty"}, "a.status": {"resident"}},
			[]screening.Answer{{Question: "status", Value: "resident", Provenance: "self_report"}}, []string{"a.age"}},
		{"age too old", about, url.Values{"a.age": {"121"}}, nil, []string{"a.age"}},
		{"age negative", about, url.Values{"a.age": {"-1"}}, nil, []string{"a.age"}},
		{"age and don't know", about, url.Values{"a.age": {"30"}, "x.age": {"unknown"}}, nil, []string{"a.age"}},
		{"choice option", about, url.Values{"a.status": {"no_status"}},
			[]screening.Answer{{Question: "status", Value: "no_status", Provenance: "self_report"}}, nil},
		{"choice skipped", about, url.Values{"a.status": {"skipped"}},
			[]screening.Answer{{Question: "status", Value: "skipped", Provenance: "self_report"}}, nil},
		{"choice tampered", about, url.Values{"a.status": {"alien"}}, nil, []string{"a.status"}},
		{"two radios", about, url.Values{"a.age_doubt": {"yes", "no"}}, nil, []string{"a.age_doubt"}},
		{"bad provenance keeps the answer out", about, url.Values{"a.age_doubt": {"no"}, "p.age_doubt": {"rumour"}}, nil, []string{"p.age_doubt"}},
		{"bad other", about, url.Values{"x.age": {"maybe"}}, nil, []string{"x.age"}},
		{"multi options in order, deduplicated", work, url.Values{"a.hours_conditions": {"harmful_conditions", "long_hours", "harmful_conditions"}},
			[]screening.Answer{{Question: "hours_conditions", Options: []string{"harmful_conditions", "long_hours"}, Provenance: "self_report"}}, nil},
		{"multi instead", work, url.Values{"x.other_work": {"prefer_not"}},
			[]screening.Answer{{Question: "other_work", Value: "prefer_not", Provenance: "self_report"}}, nil},
		{"multi both", work, url.Values{"a.other_work": {"hosting"}, "x.other_work": {"unknown"}}, nil, []string{"a.other_work"}},
		{"multi tampered", work, url.Values{"a.other_work": {"hosting", "juggling"}}, nil, []string{"a.other_work"}},
		{"a question not shown is ignored", about, url.Values{"a.safe_now": {"yes"}}, nil, nil},
		{"several problems, in question order", about, url.Values{"a.status": {"x"}, "a.age": {"x"}},
			nil, []string{"a.age", "a.status"}},
		{"unknown question in the shown list", []string{"no_such"}, url.Values{"a.no_such": {"yes"}}, nil, []string{"a.no_such"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, probs := ParseInterviewForm(b, tc.shown, tc.form)
			if !equalAnswers(got, tc.answers) {
				t.Errorf("answers\n got %+v\nwant %+v", got, tc.answers)
			}
			if fields := probs.Fields(); !slices.Equal(fields, tc.problems) {
				t.Errorf("problem fields %q, want %q", fields, tc.problems)
			}
			for _, p := range probs {
				if p.Key == "" || !strings.HasPrefix(p.Key, "problem.") {
					t.Errorf("problem %+v has no message key", p)
				}
			}
		})
	}
}

func equalAnswers(a, b []screening.Answer) bool {
	return slices.EqualFunc(a, b, func(x, y screening.Answer) bool {
		return x.Question == y.Question && x.Value == y.Value && slices.Equal(x.Options, y.Options) &&
			x.Provenance == y.Provenance && ((x.Age == nil) == (y.Age == nil)) && (x.Age == nil || *x.Age == *y.Age)
	})
}

// TestParseInterviewFormKeepsWhatWasTyped: a bad value comes back in the
// problem, and the page shows it again exactly, with the provenance chosen.
func TestParseInterviewFormKeepsWhatWasTyped(t *testing.T) {
	b, _ := mustBundle(t)
	r := mustRenderer(t)
	form := url.Values{"a.age": {"1O"}, "p.age": {"third_party"}, "a.status": {"resident"}, "p.status": {"document"}}
	shown := SectionQuestions(b, "short", 1)
	answers, probs := ParseInterviewForm(b, shown, form)
	if p := probs.For("a.age"); p == nil || p.Value != "1O" || p.Question != "age" {
		t.Fatalf("problem %+v, want a.age with value 1O", p)
	}
	ev := &screening.Evidence{Instrument: "short", Language: "en"}
	for _, a := range answers {
		ev.Set(a)
	}
	_, body := renderPage(t, page{"x", func(w http.ResponseWriter) error {
		return r.Interview(w, InterviewPage{Page: Page{Lang: "en"}, ScreeningID: "s", Evidence: ev, Step: 1, Form: form, Problems: probs})
	}})
	for _, want := range []string{`id="a-age" value="1O"`, `<option value="third_party" selected>`, `value="resident" checked`,
		`<option value="document" selected>`, `aria-invalid="true"`, `id="err-age"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestParseNavAndStep(t *testing.T) {
	for in, want := range map[string]Nav{"": NavNext, "next": NavNext, "prev": NavPrev, "save": NavSave, "finish": NavFinish,
		"autosave": NavAutosave, "drop table": NavNext} {
		if got := ParseNav(url.Values{"nav": {in}}); got != want {
			t.Errorf("ParseNav(%q) = %q, want %q", in, got, want)
		}
	}
	cases := []struct {
		in        string
		step      int
		followups bool
		ok        bool
	}{{"0", 0, false, true}, {"5", 5, false, true}, {"followups", 0, true, true}, {"-1", 0, false, false}, {"x", 0, false, false}, {"", 0, false, false}}
	for _, tc := range cases {
		s, f, ok := ParseStep(tc.in)
		if s != tc.step || f != tc.followups || ok != tc.ok {
			t.Errorf("ParseStep(%q) = %d, %v, %v", tc.in, s, f, ok)
		}
	}
}

func TestParseStartForm(t *testing.T) {
	b, _ := mustBundle(t)
	cases := []struct {
		name     string
		form     url.Values
		problems []string
	}{
		{"good", url.Values{"language": {"es"}, "instrument": {"short"}, "jurisdictions": {"palermo", "eu", "palermo"}}, nil},
		{"no jurisdictions", url.Values{"language": {"en"}, "instrument": {"full"}}, []string{"jurisdictions"}},
		{"everything wrong", url.Values{"language": {"xx"}, "instrument": {"long"}, "jurisdictions": {"mars"}}, []string{"language", "instrument", "jurisdictions"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ps := ParseStartForm(b, tc.form)
			if !slices.Equal(ps.Fields(), tc.problems) {
				t.Errorf("problems %q, want %q", ps.Fields(), tc.problems)
			}
			if tc.problems == nil {
				ev := f.Evidence()
				if !slices.Equal(ev.Jurisdictions, []string{"palermo", "eu"}) || ev.Language != "es" {
					t.Errorf("evidence %+v", ev)
				}
			}
		})
	}
}

func TestSuggestJurisdictions(t *testing.T) {
	b, _ := mustBundle(t)
	cases := []struct{ country, region string }{{"GB", "GB-ENG"}, {"GB", "GB-SCT"}, {"US", ""}, {"ES", ""}, {"CA", ""}, {"JP", ""}}
	want := [][]string{{"england-wales", "uk-nrm", "palermo"}, {"uk-nrm", "palermo"}, {"us-federal", "palermo"},
		{"palermo", "eu"}, {"canada", "palermo"}, {"palermo"}}
	for i, tc := range cases {
		got := SuggestJurisdictions(b, tc.country, tc.region)
		w := slices.Clone(want[i])
		slices.Sort(got)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s/%s: %q, want %q", tc.country, tc.region, got, w)
		}
	}
}

func TestParseUserAndOrgForms(t *testing.T) {
	b, _ := mustBundle(t)
	u, ps := ParseUserForm(url.Values{"email": {" lee@example.org "}, "display_name": {"Lee"}, "role": {"screener"}, "password": {"a first password for Lee"}})
	if len(ps) != 0 || u.Email != "lee@example.org" || u.Role != discern.RoleScreener {
		t.Errorf("good user form: %+v %q", u, ps.Fields())
	}
	for name, email := range map[string]string{"no at": "lee.example.org", "empty local": "@example.org", "empty domain": "lee@", "space": "lee @x.org"} {
		if _, ps := ParseUserForm(url.Values{"email": {email}, "display_name": {"Lee"}, "role": {"screener"}, "password": {"x"}}); ps.For("email") == nil {
			t.Errorf("%s: %q accepted", name, email)
		}
	}
	o, ps := ParseOrgForm(b, url.Values{"name": {"Harbour"}, "country": {"gb"}, "region": {"gb-eng"}, "default_language": {"es"},
		"jurisdictions": {"uk-nrm"}, "require_mfa": {"on"}})
	if len(ps) != 0 || o.Country != "GB" || o.Region != "GB-ENG" || !o.Settings.RequireMFA || o.Settings.DefaultLanguage != "es" {
		t.Errorf("good org form: %+v %q", o, ps.Fields())
	}
	_, ps = ParseOrgForm(b, url.Values{"name": {""}, "country": {"GBR"}, "region": {"US-CA"}, "default_language": {"fr"}, "jurisdictions": {"atlantis"}})
	if want := []string{"name", "country", "region", "default_language", "jurisdictions"}; !slices.Equal(ps.Fields(), want) {
		t.Errorf("bad org form problems %q, want %q", ps.Fields(), want)
	}
	n, ps := ParseNoteForm(url.Values{"body": {"  keep my  spacing \n"}})
	if len(ps) != 0 || n.Class != discern.ClassNarrative || n.Body != "  keep my  spacing \n" {
		t.Errorf("note form: %+v %q", n, ps.Fields())
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/people/p_1?x=1": "/people/p_1?x=1", "": "/", "//evil.example": "/",
		"/\\evil.example": "/", "https://evil.example": "/", "people": "/", "/a\r\nSet-Cookie: x": "/"} {
		if got := LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseInterviewForm checks, for any posted form, that parsing never
// panics and never loses an answer: every question given a value comes
// back as an answer or as a problem naming its field, every answer is
// valid evidence for the engine, and every answer says what was sent.
func FuzzParseInterviewForm(f *testing.F) {
	b, e := mustBundle(f)
	shown := b.Instrument("full").QuestionIDs()
	for _, seed := range []string{
		"a.age=34&p.age=document&a.status=resident",
		"a.age=abc&x.age=unknown",
		"a.hours_conditions=long_hours&a.hours_conditions=neither&x.other_work=prefer_not",
		"a.safe_now=yes&a.safe_now=no&p.safe_now=rumour",
		"a.how_started=taken&a.how_started=sold&p.how_started=third_party",
		"a.documents=someone_else_holds&a.travelled=%20other_town%20",
		"x.age=&a.age=120&a.age_doubt=skipped",
		"a.status=%00&p.status=&a.legal_situation=charges_now",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, _ := url.ParseQuery(raw)
		answers, probs := ParseInterviewForm(b, shown, form)
		byQ := map[string]screening.Answer{}
		for _, a := range answers {
			if _, dup := byQ[a.Question]; dup {
				t.Fatalf("question %s answered twice", a.Question)
			}
			byQ[a.Question] = a
			if !slices.Contains(content.Provenances, a.Provenance) {
				t.Fatalf("answer %+v with provenance %q", a, a.Provenance)
			}
		}
		for _, id := range shown {
			sent := false
			for _, v := range append(slices.Clone(form["a."+id]), form["x."+id]...) {
				if strings.TrimSpace(v) != "" {
					sent = true
				}
			}
			_, answered := byQ[id]
			problem := probs.ForQuestion(id) != nil
			if sent && !answered && !problem {
				t.Fatalf("%s: a value was sent (%q, %q) but neither answer nor problem came back", id, form["a."+id], form["x."+id])
			}
			if answered && problem {
				t.Fatalf("%s: both an answer and a problem", id)
			}
			if a, ok := byQ[id]; ok {
				if !sentMatches(a, form, id) {
					t.Fatalf("%s: answer %+v does not say what was sent (%q, %q)", id, a, form["a."+id], form["x."+id])
				}
			}
		}
		for _, p := range probs {
			if !slices.Contains(shown, p.Question) || !strings.HasSuffix(p.Field, "."+p.Question) {
				t.Fatalf("problem %+v names no shown field", p)
			}
			if _, ok := form[p.Field]; !ok && p.Field[0] != 'a' {
				t.Fatalf("problem %+v about a field that was not sent", p)
			}
		}
		ev := &screening.Evidence{Instrument: "full", Language: "en", Jurisdictions: b.JurisdictionIDs(), Answers: answers}
		if _, err := e.Evaluate(ev); err != nil {
			t.Fatalf("the engine refuses parsed answers: %v", err)
		}
	})
}

func sentMatches(a screening.Answer, form url.Values, id string) bool {
	var vals []string
	for _, v := range form["a."+id] {
		if v = strings.TrimSpace(v); v != "" {
			vals = append(vals, v)
		}
	}
	x := strings.TrimSpace(form.Get("x." + id))
	switch {
	case a.Age != nil:
		return len(vals) == 1 && strconv.Itoa(*a.Age) == strings.TrimLeft(vals[0], "+0") || (*a.Age == 0 && len(vals) == 1)
	case len(a.Options) > 0:
		for _, o := range a.Options {
			if !slices.Contains(vals, o) {
				return false
			}
		}
		return x == ""
	case a.Value != "":
		return (len(vals) == 1 && vals[0] == a.Value) || (len(vals) == 0 && x == a.Value)
	}
	return false
}

// FuzzParseForms runs the other form parsers over any posted form: they
// never panic, every problem names a field, and LocalPath never returns
// anything but a path on this site.
func FuzzParseForms(f *testing.F) {
	b, _ := mustBundle(f)
	for _, seed := range []string{
		"language=es&instrument=short&jurisdictions=palermo&jurisdictions=eu",
		"email=a%40b.org&display_name=A&role=screener&team=t1",
		"name=X&country=gb&region=gb-eng&default_language=es&require_mfa=on",
		"class=health&body=%20%20",
		"return=%2F%2Fevil.example",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, _ := url.ParseQuery(raw)
		check := func(ps FieldProblems) {
			for _, p := range ps {
				if p.Field == "" || !strings.HasPrefix(p.Key, "problem.") {
					t.Fatalf("problem %+v", p)
				}
			}
		}
		sf, ps := ParseStartForm(b, form)
		check(ps)
		if len(ps) == 0 {
			if _, err := screening.ResolveJurisdictions(b, sf.Jurisdictions); err != nil || b.Locale(sf.Language) == nil {
				t.Fatalf("accepted a start form the engine refuses: %+v", sf)
			}
		}
		uf, ps := ParseUserForm(form)
		check(ps)
		if len(ps) == 0 && (!strings.Contains(uf.Email, "@") || !slices.Contains(Roles, uf.Role)) {
			t.Fatalf("accepted user form %+v", uf)
		}
		_, ps = ParseOrgForm(b, form)
		check(ps)
		_, ps = ParseNoteForm(form)
		check(ps)
		p := LocalPath(form.Get("return"))
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
			t.Fatalf("LocalPath(%q) = %q", form.Get("return"), p)
		}
	})
}

func TestAutosaveStatus(t *testing.T) {
	r := mustRenderer(t)
	cases := []struct {
		name, lang string
		problems   FieldProblems
		want       string
	}{
		{"saved", "en", nil, "Saved 2026-11-24 14:30."},
		{"saved, es", "es", nil, "Guardado 2026-11-24 14:30."},
		{"problems", "en", FieldProblems{{Field: "a.age", Question: "age", Key: "problem.age_range"}}, "Saved, but some answers need attention"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := r.AutosaveStatus(rec, tc.lang, fixedTime, tc.problems); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(rec.Body.String(), tc.want) || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("got %q", rec.Body.String())
			}
			if strings.Contains(rec.Body.String(), "<html") {
				t.Error("a fragment, not a page, is expected")
			}
		})
	}
}

func TestPlural(t *testing.T) {
	r := mustRenderer(t)
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{{"en", 1, "could settle 1 open element"}, {"en", 3, "could settle 3 open elements"}, {"es", 1, "podría aclarar 1 elemento abierto"}, {"es", 0, "podría aclarar 0 elementos abiertos"}} {
		l := &Localizer{lang: tc.lang, ui: r.ui, bundle: r.bundle}
		if got := l.N("interview.settles", tc.n); got != tc.want {
			t.Errorf("%s %d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
