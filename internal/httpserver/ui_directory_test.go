package httpserver

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/web"
)

// Every id the from_result mapping names exists in the content, and every
// need it suggests is a need of the mapping: a renamed pathway or
// indicator must not silently stop suggesting anything.
func TestFromResultIDsExist(t *testing.T) {
	b := testEngine().Bundle()
	have := map[string][]string{}
	for _, p := range b.Pathways {
		have["pathways"] = append(have["pathways"], p.ID)
	}
	for _, a := range b.Alerts {
		have["alerts"] = append(have["alerts"], a.ID)
	}
	for _, i := range b.Indicators {
		have["indicators"] = append(have["indicators"], i.ID)
	}
	for _, r := range b.Rights {
		have["rights"] = append(have["rights"], r.ID)
	}
	ids := directory.FromResultIDs()
	if len(ids["pathways"]) == 0 || len(ids["indicators"]) == 0 {
		t.Fatalf("from_result is empty: %v", ids)
	}
	for sec, list := range ids {
		for _, id := range list {
			if !slices.Contains(have[sec], id) {
				t.Errorf("needmap.json from_result.%s names %q, which the content does not have", sec, id)
			}
		}
	}
	needs := directory.SuggestNeeds(directory.ResultIDs{Pathways: ids["pathways"], Alerts: ids["alerts"], Indicators: ids["indicators"], Rights: ids["rights"]})
	if len(needs) != len(directory.NeedNames()) {
		t.Errorf("from_result suggests %v; every need should be reachable", needs)
	}
}

func TestPageDirectory(t *testing.T) {
	s := newTestServer(t)
	o := s.org("Harbour Outreach")
	cw := s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	s.user(o.ID, "numbers@example.org", discern.RoleAnalyst, "")
	sess, _ := s.signIn("ana@example.org", "")
	analyst, _ := s.signIn("numbers@example.org", "")

	// A person with an age estimate and a complete screening (the demo's
	// fictional D02 answers: a foreign national whose documents were
	// withheld).
	ctx := context.Background()
	a := casework.Actor{Principal: principalFor(cw, true), RequestID: "seed"}
	pv, err := s.cw.CreatePerson(ctx, a, casework.PersonInput{AgeEstimate: "about 24", AssignedTo: cw.ID})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "demo", "data", "D02.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := screening.ParseAnswers(testEngine().Bundle(), "D02", raw)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := s.cw.CreateScreening(ctx, a, casework.ScreeningInput{PersonID: pv.ID, Evidence: ev, Complete: true})
	if err != nil {
		t.Fatal(err)
	}

	// The result page links to the directory.
	r := s.do(req{method: "GET", path: web.URL(web.PathScreening, sv.ID), session: sess})
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), `href="/directory?screening=`+sv.ID+`"`) {
		t.Error("the result page has no link to the directory")
	}

	// From the screening: suggestions filled in, said to be suggestions,
	// nothing searched yet.
	r = s.do(req{method: "GET", path: "/directory?screening=" + sv.ID, session: sess})
	expect(t, r, http.StatusOK)
	body := string(r.body)
	for _, want := range []string{"suggestions only", `id="need-legal_immigration" name="needs" value="legal_immigration" checked`, `value="24"`, `name="from" value="` + sv.ID + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page from a screening lacks %q", want)
		}
	}
	if strings.Contains(body, "Services found") {
		t.Error("the page searched before the worker chose")
	}
	// Someone who may not read the screening gets no suggestions from it.
	expect(t, s.do(req{method: "GET", path: "/directory?screening=" + sv.ID, session: analyst}), http.StatusForbidden)

	// The worker searches: matches with reasons, nearest first.
	r = s.do(req{method: "GET", path: "/directory?from=" + sv.ID + "&needs=shelter&needs=legal_immigration&age=24&gender=female&languages=ro&postcode=PM1+1AA&max_km=25&attributes=confidential&find=1", session: sess})
	expect(t, r, http.StatusOK)
	body = string(r.body)
	for _, want := range []string{"Services found", "Emergency shelter beds (fictional)", "Offers: Shelter", "km away", "Confidential", "Back to the screening result"} {
		if !strings.Contains(body, want) {
			t.Errorf("the results lack %q", want)
		}
	}
	if strings.Contains(body, "Women&#39;s refuge (fictional)") && !strings.Contains(body, "female") {
		t.Error("gender handling is off")
	}
	// An analyst may use the directory too.
	expect(t, s.do(req{method: "GET", path: "/directory?needs=medical", session: analyst}), http.StatusOK)

	// Bad input: the form again, with the problem, as typed.
	for q, want := range map[string]string{
		"needs=shelter&age=old":        "Enter an age in whole years",
		"find=1":                       "Choose at least one kind of help",
		"needs=shelter&postcode=ZZ9":   "no location with this postcode",
		"needs=shelter&max_km=3":       "a place to measure from",
		"needs=shelter&attributes=odd": "Choose qualities from the list",
	} {
		r := s.do(req{method: "GET", path: "/directory?" + q, session: sess})
		expect(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.body), want) {
			t.Errorf("%s: the page lacks %q", q, want)
		}
	}
}

func TestAgeFromEstimate(t *testing.T) {
	for in, want := range map[string]string{"24": "24", "about 45": "45", "16-18": "16", "under 18": "17", "adult": "", "999": ""} {
		if got := ageFromEstimate(in); got != want {
			t.Errorf("ageFromEstimate(%q) = %q, want %q", in, got, want)
		}
	}
}
