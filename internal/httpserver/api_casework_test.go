package httpserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// TestCaseworkThroughTheAPI follows a caseworker through a person's record
// over real HTTP: record the person, screen them, read the result, see who
// accessed the record; and checks bad input and retries.
func TestCaseworkThroughTheAPI(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Harbour Outreach (fictional)")
	s.user(org.ID, "cw@harbour.example", discern.RoleCaseworker, "")
	sess, _ := s.signIn("cw@harbour.example", "")

	// A person, idempotently: the retry answers with the first response.
	create := req{method: "POST", path: "/api/v1/people", session: sess, body: map[string]string{"name": "Aurelia Fictional-Testcase"},
		header: map[string]string{"Idempotency-Key": "person-1"}}
	r := s.do(create)
	expect(t, r, http.StatusCreated)
	var p personBody
	r.decode(t, &p)
	if !strings.HasPrefix(p.CaseCode, "DSC-") || p.Name == nil || *p.Name != "Aurelia Fictional-Testcase" {
		t.Fatalf("created %+v", p)
	}
	r = s.do(create)
	expect(t, r, http.StatusCreated)
	var again personBody
	r.decode(t, &again)
	if again.ID != p.ID || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retry created another person: %s vs %s", again.ID, p.ID)
	}

	// A complete screening for them, evaluated and stored with its result.
	r = s.do(req{method: "POST", path: "/api/v1/screenings", session: sess, body: map[string]any{
		"person_id": p.ID, "complete": true,
		"evidence": map[string]any{"jurisdictions": []string{"england-wales", "palermo"}, "answers": map[string]any{
			"age": 29, "exchange_sex": "yes", "others_involved": "yes", "money_share": "a_share", "work_directed": "yes",
			"travel_arranged": "yes", "free_to_leave": "yes", "documents": "has_them"}},
	}})
	expect(t, r, http.StatusCreated)
	var sc screeningBody
	r.decode(t, &sc)
	if sc.Status != "complete" || sc.Recorded == nil || sc.ContentHash == "" {
		t.Fatalf("screening %+v", sc)
	}
	if d := sc.Recorded.Results[0]; d.Jurisdiction != "england-wales" || d.Determination != "sex_trafficking" {
		t.Errorf("england-wales: %+v", d.Determination)
	}
	// GET shows the full result, recomputed from the stored evidence.
	r = s.do(req{method: "GET", path: "/api/v1/screenings/" + sc.ID, session: sess})
	expect(t, r, http.StatusOK)
	var full screeningBody
	r.decode(t, &full)
	if full.Result == nil || len(full.Result.Results) != 2 || full.Evidence == nil || len(full.Changes) != 0 {
		t.Fatalf("full screening %+v", full)
	}

	// Bad evidence is a 400 naming the field, and nothing is stored.
	r = s.do(req{method: "POST", path: "/api/v1/screenings", session: sess, body: map[string]any{
		"evidence": map[string]any{"answers": map[string]any{"age": 500}}}})
	expect(t, r, http.StatusBadRequest)
	if pr := r.problem(t); pr.Field != "evidence.answers.age" {
		t.Errorf("problem names %q", pr.Field)
	}
	r = s.do(req{method: "GET", path: "/api/v1/screenings", session: sess})
	expect(t, r, http.StatusOK)
	var list List[screeningSummaryBody]
	r.decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].Determinations["palermo"] == "" {
		t.Errorf("screenings listed: %+v", list.Items)
	}

	// Reading the person is audited and shows in the record's history.
	expect(t, s.do(req{method: "GET", path: "/api/v1/people/" + p.ID, session: sess}), http.StatusOK)
	r = s.do(req{method: "GET", path: "/api/v1/people/" + p.ID + "/history", session: sess})
	if r.status == http.StatusOK {
		var h List[auditBody]
		r.decode(t, &h)
		found := false
		for _, e := range h.Items {
			found = found || e.Action == "person.read"
		}
		if !found {
			t.Errorf("history lacks the read: %+v", h.Items)
		}
	}

	// Notes and tasks.
	expect(t, s.do(req{method: "POST", path: "/api/v1/people/" + p.ID + "/notes", session: sess, body: map[string]string{"body": "Prefers text messages."}}), http.StatusCreated)
	r = s.do(req{method: "POST", path: "/api/v1/tasks", session: sess, body: map[string]string{"person_id": p.ID, "title": "Call back"}})
	expect(t, r, http.StatusCreated)
	var task taskBody
	r.decode(t, &task)
	r = s.do(req{method: "PATCH", path: "/api/v1/tasks/" + task.ID, session: sess, body: map[string]string{"status": "done"}})
	expect(t, r, http.StatusOK)

	// Nothing identifying in the logs or metrics.
	metrics := s.do(req{method: "GET", path: "/metrics"})
	if strings.Contains(string(metrics.body), "Aurelia") || strings.Contains(s.logs.String(), "Aurelia") {
		t.Error("a name reached the metrics or the logs")
	}
}
