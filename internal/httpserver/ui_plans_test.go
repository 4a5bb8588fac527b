package httpserver

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/web"
)

// TestPagePlanTrackingContactSafetyAndReminders goes through the forms
// on the real server: a pathway of a result is tracked, moved, ticked,
// dated and noted; contact safety is recorded; the sweep's reminder shows
// on the home page, held outside the person's safe window, and is
// dismissed by its worker only.
func TestPagePlanTrackingContactSafetyAndReminders(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	o := s.org("Harbour Outreach")
	u := s.user(o.ID, "ana@example.org", discern.RoleCaseworker, "")
	s.user(o.ID, "lee@example.org", discern.RoleCaseworker, "")
	sess, _ := s.signIn("ana@example.org", "")
	other, _ := s.signIn("lee@example.org", "")
	a := casework.Actor{Principal: principalFor(u, true), RequestID: "t"}
	body := func(r *response) string { return string(r.body) }
	mustHave := func(t *testing.T, r *response, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(body(r), w) {
				t.Errorf("the page lacks %q", w)
			}
		}
	}

	r := s.do(req{method: "POST", path: web.PathPeople, session: sess, body: url.Values{"age_estimate": {"about 30"}}})
	expect(t, r, http.StatusSeeOther)
	personURL := r.header.Get("Location")
	personID := strings.TrimPrefix(personURL, "/people/")
	ev, err := screening.ParseAnswers(testEngine().Bundle(), "t", []byte(`{"jurisdictions": ["uk-nrm"], "answers": {"age": 29,
		"exchange_sex": "yes", "others_involved": "yes", "money_share": "all_or_most", "documents": "someone_else_holds"}}`))
	if err != nil {
		t.Fatal(err)
	}
	sv, err := s.cw.CreateScreening(ctx, a, casework.ScreeningInput{PersonID: personID, Evidence: ev, Complete: true})
	if err != nil {
		t.Fatal(err)
	}

	// The result offers to track each pathway.
	r = s.do(req{method: "GET", path: web.URL(web.PathScreening, sv.ID), session: sess})
	expect(t, r, http.StatusOK)
	mustHave(t, r, "Track this pathway", `name="pathway" value="nrm_referral"`)
	start := url.Values{"screening": {sv.ID}, "pathway": {"nrm_referral"}, "jurisdiction": {"uk-nrm"}}
	r = s.do(req{method: "POST", path: web.URL(web.PathPersonPlans, personID), session: sess, body: start})
	expect(t, r, http.StatusSeeOther)
	planURL := r.header.Get("Location")
	if !strings.HasPrefix(planURL, "/plans/") {
		t.Fatalf("starting a plan went to %q", planURL)
	}
	bad := url.Values{"screening": {sv.ID}, "pathway": {"nrm_referral"}, "jurisdiction": {"us-federal"}}
	expect(t, s.do(req{method: "POST", path: web.URL(web.PathPersonPlans, personID), session: sess, body: bad}), http.StatusBadRequest)
	r = s.do(req{method: "GET", path: web.URL(web.PathScreening, sv.ID), session: sess})
	mustHave(t, r, "Tracked: open the plan", `href="`+planURL+`"`)

	// The plan: status moves, checklist, clocks and notes.
	r = s.do(req{method: "GET", path: planURL, session: sess})
	expect(t, r, http.StatusOK)
	mustHave(t, r, "National Referral Mechanism referral", "Considering", "Move to: Preparing", "Public holidays are not counted", "Explain the NRM")
	post := func(v url.Values) *response { return s.do(req{method: "POST", path: planURL, session: sess, body: v}) }
	expect(t, post(url.Values{"do": {"status"}, "version": {"1"}, "status": {"preparing"}}), http.StatusSeeOther)
	r = post(url.Values{"do": {"status"}, "version": {"1"}, "status": {"submitted"}})
	expect(t, r, http.StatusConflict)
	mustHave(t, r, "Someone changed this plan", "Preparing")
	expect(t, post(url.Values{"do": {"status"}, "version": {"2"}, "status": {"decided_granted"}}), http.StatusConflict) // not a move from preparing
	expect(t, post(url.Values{"do": {"step"}, "version": {"2"}, "step": {"explain"}, "done": {"yes"}}), http.StatusSeeOther)
	r = post(url.Values{"do": {"clock"}, "version": {"3"}, "clock": {"reasonable_grounds_decision"}, "start": {"2026-02-30"}})
	expect(t, r, http.StatusUnprocessableEntity)
	mustHave(t, r, "“2026-02-30” is not a date")
	// Referred on Monday 2 March: five working days is Monday 9 March.
	expect(t, post(url.Values{"do": {"clock"}, "version": {"3"}, "clock": {"reasonable_grounds_decision"}, "start": {"2026-03-02"},
		"remind_person": {"yes"}}), http.StatusSeeOther)
	expect(t, post(url.Values{"do": {"notes"}, "version": {"4"}, "notes": {"Interpreter <booked> for Tuesday"}}), http.StatusSeeOther)
	r = s.do(req{method: "GET", path: planURL, session: sess})
	mustHave(t, r, "Preparing", "Mark not done", ", 2026-03-02 09:00", "2026-03-09", "Interpreter &lt;booked&gt; for Tuesday", `name="version" value="5"`)

	// The person page lists it with its next date.
	r = s.do(req{method: "GET", path: personURL, session: sess})
	mustHave(t, r, "Pathways being tracked", "Next date: Reasonable-grounds decision expected within 5 working days of referral, 2026-03-09",
		"Nothing recorded: reach the person only through their worker.")

	// Contact safety: refused input keeps what was typed; then recorded.
	cs := url.Values{"channel-sms": {"yes"}, "days-sms": {"1", "2"}, "from-sms": {"09:00"}, "to-sms": {"12:00"},
		"time_zone": {"Europe/Londn"}, "code_word": {"yes"}}
	r = s.do(req{method: "POST", path: web.URL(web.PathPersonContactSafety, personID), session: sess, body: cs})
	expect(t, r, http.StatusUnprocessableEntity)
	mustHave(t, r, "“Europe/Londn” is not a time zone", `value="Europe/Londn"`, `value="09:00"`)
	cs.Set("time_zone", "Europe/London")
	r = s.do(req{method: "POST", path: web.URL(web.PathPersonContactSafety, personID), session: sess, body: cs})
	expect(t, r, http.StatusSeeOther)
	r = s.do(req{method: "GET", path: personURL, session: sess})
	mustHave(t, r, "Text message: Monday, Tuesday 09:00–12:00", "Times are in Europe/London.", "A code word is agreed: use it")
	if regexp.MustCompile(`<input[^>]*name="code_word"[^>]*type="text"|<textarea[^>]*name="code_word`).MatchString(body(r)) {
		t.Error("the form asks for the code word itself")
	}

	// Saturday 7 March: the reasonable-grounds decision is two days away.
	// The person's reminder is held: Saturday is outside their window.
	s.clock.Advance(5 * 24 * time.Hour)
	res, err := s.cw.NewSweeper(casework.WorkerOutbox{}, nil, casework.PlanReminders{DB: s.db}, s.cw.ReferralReminders()).Sweep(ctx)
	if err != nil || res.Created != 2 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	sess, _ = s.signIn("ana@example.org", "") // the sessions ended meanwhile
	other, _ = s.signIn("lee@example.org", "")
	r = s.do(req{method: "GET", path: "/", session: sess})
	expect(t, r, http.StatusOK)
	mustHave(t, r, "Reminders", "Reasonable-grounds decision expected within 5 working days of referral (National Referral Mechanism referral)",
		"coming up on 2026-03-09", "For the person", "Held: outside the safe window", "Open the plan")
	ids := regexp.MustCompile(`action="/notifications/([^/"]+)/dismiss"`).FindAllStringSubmatch(body(r), -1)
	if len(ids) != 2 {
		t.Fatalf("%d dismiss buttons, want 2", len(ids))
	}
	// A colleague cannot dismiss them; their worker can.
	expect(t, s.do(req{method: "POST", path: web.URL(web.PathNotificationDismiss, ids[0][1]), session: other}), http.StatusNotFound)
	r = s.do(req{method: "POST", path: web.URL(web.PathNotificationDismiss, ids[0][1]), session: sess})
	expect(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/#reminders" {
		t.Errorf("dismissing went to %q", loc)
	}
	r = s.do(req{method: "GET", path: "/", session: sess})
	if n := len(regexp.MustCompile(`action="/notifications/[^/"]+/dismiss"`).FindAllString(body(r), -1)); n != 1 {
		t.Errorf("%d reminders after dismissing one, want 1", n)
	}
	// The API dismisses too.
	expect(t, s.do(req{method: "POST", path: "/api/v1/notifications/" + ids[1][1] + "/dismiss", session: sess}), http.StatusNoContent)
	r = s.do(req{method: "GET", path: "/", session: sess})
	mustHave(t, r, "No reminders.")
}
