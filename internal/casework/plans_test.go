package casework

import (
	"slices"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// planFixture records a person assigned to the caseworker with a screening
// made under the UK NRM and US federal law.
func planFixture(t *testing.T, f *fixture) (personID, screeningID string) {
	t.Helper()
	cw := f.users["caseworker"]
	pv, err := f.svc.CreatePerson(t.Context(), cw, PersonInput{AssignedTo: cw.UserID})
	if err != nil {
		t.Fatal(err)
	}
	ev := answers(t, `{"jurisdictions": ["uk-nrm", "us-federal"], "answers": {"age": 30}}`)
	sv, err := f.svc.CreateScreening(t.Context(), cw, ScreeningInput{PersonID: pv.ID, Evidence: ev})
	if err != nil {
		t.Fatal(err)
	}
	return pv.ID, sv.ID
}

func auditActions(t *testing.T, f *fixture, targetID string) []string {
	t.Helper()
	es, _, err := f.db.FindAuditEntries(t.Context(), discern.AuditFilter{OrgID: f.orgA, TargetID: &targetID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func TestPlansPolicyRedactionAndAudit(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.users["caseworker"]
		person, scr := planFixture(t, f)
		nrm, err := f.svc.StartPlan(ctx, cw, PlanInput{PersonID: person, ScreeningID: scr, PathwayID: "nrm_referral", Jurisdiction: "uk-nrm"})
		if err != nil {
			t.Fatal(err)
		}
		if nrm.Class != discern.ClassCase || nrm.Status != discern.PlanConsidering || len(nrm.Steps) == 0 || len(nrm.Clocks) != 4 {
			t.Fatalf("nrm plan %+v", nrm)
		}
		tv, err := f.svc.StartPlan(ctx, cw, PlanInput{PersonID: person, ScreeningID: scr, PathwayID: "t_visa", Jurisdiction: "us-federal"})
		if err != nil || tv.Class != discern.ClassImmigration {
			t.Fatalf("t visa plan %+v %v", tv, err)
		}
		if _, err := f.svc.StartPlan(ctx, cw, PlanInput{PersonID: person, ScreeningID: scr, PathwayID: "canada_victim_trp", Jurisdiction: "canada"}); discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("a pathway of a jurisdiction the screening did not cover: %v", err)
		}
		if _, err := f.svc.StartPlan(ctx, cw, PlanInput{PersonID: person, ScreeningID: scr, PathwayID: "no_such", Jurisdiction: "uk-nrm"}); discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("unknown pathway: %v", err)
		}
		if a := auditActions(t, f, tv.ID); !slices.Contains(a, "plan.create") {
			t.Fatalf("audit of the new plan: %v", a)
		}

		// Who may list, and what they see.
		for name, want := range map[string]struct {
			kind     discern.ErrorKind
			redacted []string // pathway ids hidden
		}{
			"caseworker": {"", nil},
			"supervisor": {"", nil},
			"colleague":  {"", []string{"t_visa", "nrm_referral"}}, // case class of a colleague's case is visible, see below
			"admin":      {"", []string{"t_visa"}},
			"screener":   {discern.KindForbidden, nil},
			"analyst":    {discern.KindForbidden, nil},
			"outsider":   {discern.KindNotFound, nil},
		} {
			list, err := f.svc.ListPlans(ctx, f.users[name], person)
			if discern.KindOf(err) != want.kind {
				t.Errorf("%s lists plans: %v, want %q", name, err, want.kind)
				continue
			}
			if err != nil {
				continue
			}
			for _, v := range list {
				hidden := len(v.Redacted) > 0
				if hidden != (v.ID == tv.ID && want.redacted != nil) {
					t.Errorf("%s sees plan %s (class %s) redacted=%v", name, v.ID, v.Class, hidden)
				}
				if hidden && (v.PathwayID != "" || v.Status != "") {
					t.Errorf("%s: a redacted plan shows %q %q", name, v.PathwayID, v.Status)
				}
			}
		}
		// Changes: only who works the case.
		for _, name := range []string{"colleague", "admin", "screener", "analyst", "outsider"} {
			if _, err := f.svc.UpdatePlan(ctx, f.users[name], nrm.ID, PlanChange{Version: 1, Step: &StepChange{ID: "explain", Done: true}}); err == nil {
				t.Errorf("%s changed the plan", name)
			}
		}
		v, err := f.svc.UpdatePlan(ctx, cw, nrm.ID, PlanChange{Version: 1, Step: &StepChange{ID: "explain", Done: true}})
		if err != nil || v.Steps[0].DoneBy != cw.UserID || v.Steps[0].DoneAt == nil || v.Version != 2 {
			t.Fatalf("tick: %+v %v", v, err)
		}
		ref := discern.Date{Year: 2026, Month: 11, Day: 27}
		notes := "Meets at the drop-in on Tuesdays"
		v, err = f.svc.UpdatePlan(ctx, f.users["supervisor"], nrm.ID, PlanChange{Version: 2, Clock: &ClockChange{ID: "reasonable_grounds_decision", Start: &ref}, Notes: &notes})
		if err != nil || v.Clocks[0].Due == nil || v.Clocks[0].Due.String() != "2026-12-04" || v.Notes == nil || *v.Notes != notes {
			t.Fatalf("clock: %+v %v", v, err)
		}
		granted := discern.PlanGranted
		if _, err := f.svc.UpdatePlan(ctx, cw, nrm.ID, PlanChange{Version: 3, Status: &granted}); discern.KindOf(err) != discern.KindConflict {
			t.Fatalf("considering → granted: %v", err)
		}
		prep := discern.PlanPreparing
		if _, err := f.svc.UpdatePlan(ctx, cw, nrm.ID, PlanChange{Version: 1, Status: &prep}); discern.KindOf(err) != discern.KindConflict {
			t.Fatalf("stale version: %v", err)
		}
		if v, err = f.svc.UpdatePlan(ctx, cw, nrm.ID, PlanChange{Version: 3, Status: &prep}); err != nil || v.Status != prep {
			t.Fatalf("move: %v", err)
		}
		if a := auditActions(t, f, nrm.ID); len(a) < 4 {
			t.Fatalf("audit of the plan: %v", a)
		}
		// Notes are sealed: the stored bytes are not the text.
		raw, err := f.db.FindPlanItemByID(ctx, f.orgA, nrm.ID)
		if err != nil || len(raw.Notes) < discern.MinSealedLen || string(raw.Notes) == notes {
			t.Fatalf("notes stored as %q (%v)", raw.Notes, err)
		}
	})
}

func TestContactSafetyStoredSealedAndScoped(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	person, _ := planFixture(t, f)
	cw := f.users["caseworker"]
	v, err := f.svc.GetContactSafety(ctx, cw, person)
	if err != nil || v.Recorded {
		t.Fatalf("nothing recorded yet: %+v %v", v, err)
	}
	rules := discern.ContactSafety{TimeZone: "Europe/London", HasCodeWord: true, Channels: []discern.SafeChannel{
		{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{Weekdays: []time.Weekday{time.Monday}, From: 540, To: 720}}}}}
	if _, err := f.svc.PutContactSafety(ctx, cw, person, rules); err != nil {
		t.Fatal(err)
	}
	v, err = f.svc.GetContactSafety(ctx, f.users["supervisor"], person)
	if err != nil || !v.Recorded || !v.Rules.HasCodeWord || len(v.Rules.Channels) != 1 || v.Rules.Channels[0].Windows[0].To != 720 {
		t.Fatalf("read back %+v %v", v, err)
	}
	for _, name := range []string{"colleague", "admin", "screener", "analyst", "outsider"} {
		if _, err := f.svc.GetContactSafety(ctx, f.users[name], person); err == nil {
			t.Errorf("%s read contact safety", name)
		}
		if _, err := f.svc.PutContactSafety(ctx, f.users[name], person, rules); err == nil {
			t.Errorf("%s changed contact safety", name)
		}
	}
	if _, err := f.svc.PutContactSafety(ctx, cw, person, discern.ContactSafety{TimeZone: "Mars/Olympus"}); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("bad time zone: %v", err)
	}
	a := auditActions(t, f, person)
	if !slices.Contains(a, "contact_safety.update") || !slices.Contains(a, "contact_safety.read") {
		t.Fatalf("audit: %v", a)
	}
}
