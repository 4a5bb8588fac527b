package sqldb_test

import (
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// testPlans stores a plan item and reads it back whole (steps with who and
// when, clocks with their dates), moves it only along allowed moves,
// refuses a stale version, keeps organizations apart, and lists only active
// plans for the sweep.
func testPlans(t *testing.T, f *fixture) {
	p := f.person(t, f.orgA, f.workerA, "PL-0101")
	start := discern.Date{Year: 2028, Month: 2, Day: 29}
	item := &discern.PlanItem{OrgID: f.orgA.ID, PersonID: p.ID, ScreeningID: "01JSCREENING0000000000000A", PathwayID: "nrm_referral",
		Jurisdiction: "uk-nrm", Class: discern.ClassCase, Status: discern.PlanConsidering, CreatedBy: f.workerA.ID,
		Steps:  []discern.PlanStep{{ID: "explain"}, {ID: "consent"}},
		Clocks: []discern.PlanClock{{ID: "reasonable_grounds_decision", Rule: discern.ClockRule{WorkingDays: 5}, Start: &start, RemindPerson: true}},
		Notes:  sealed("meets at the clinic")}
	must(t, f.db.CreatePlanItem(f.ctx, item))
	if item.ID == "" || item.Version != 1 {
		t.Fatalf("created %+v", item)
	}
	got, err := f.db.FindPlanItemByID(f.ctx, f.orgA.ID, item.ID)
	must(t, err)
	if got.PathwayID != "nrm_referral" || got.Class != discern.ClassCase || len(got.Steps) != 2 || len(got.Clocks) != 1 ||
		*got.Clocks[0].Start != start || !got.Clocks[0].RemindPerson || string(got.Notes) != string(item.Notes) {
		t.Fatalf("read back %+v", got)
	}
	if due, _ := got.Clocks[0].DueDate(); due.String() != "2028-03-07" {
		t.Fatalf("due %s", due)
	}

	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	must(t, got.Tick("consent", true, f.workerA.ID, at))
	st := discern.PlanPreparing
	upd, err := f.db.UpdatePlanItem(f.ctx, f.orgA.ID, item.ID, discern.PlanUpdate{Version: 1, Status: &st, Steps: got.Steps})
	must(t, err)
	if upd.Version != 2 || upd.Status != discern.PlanPreparing {
		t.Fatalf("updated %+v", upd)
	}
	again, err := f.db.FindPlanItemByID(f.ctx, f.orgA.ID, item.ID)
	must(t, err)
	if again.Steps[1].DoneBy != f.workerA.ID || !again.Steps[1].DoneAt.Equal(at) || again.Status != discern.PlanPreparing {
		t.Fatalf("tick not stored: %+v", again.Steps)
	}
	if _, err := f.db.UpdatePlanItem(f.ctx, f.orgA.ID, item.ID, discern.PlanUpdate{Version: 1, Status: &st}); discern.KindOf(err) != discern.KindConflict {
		t.Fatalf("stale version: %v", err)
	}
	granted := discern.PlanGranted
	if _, err := f.db.UpdatePlanItem(f.ctx, f.orgA.ID, item.ID, discern.PlanUpdate{Version: 2, Status: &granted}); discern.KindOf(err) != discern.KindConflict {
		t.Fatalf("preparing → granted: %v, want conflict", err)
	}
	if _, err := f.db.FindPlanItemByID(f.ctx, f.orgB.ID, item.ID); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("organization B finds A's plan: %v", err)
	}
	cross := *item
	cross.ID, cross.OrgID = "", f.orgB.ID
	if err := f.db.CreatePlanItem(f.ctx, &cross); err == nil {
		t.Fatal("organization B made a plan for A's person")
	}
	closed := *item
	closed.ID, closed.Status = "", discern.PlanWithdrawn
	must(t, f.db.CreatePlanItem(f.ctx, &closed))
	list, err := f.db.FindPlanItems(f.ctx, discern.PlanFilter{OrgID: f.orgA.ID, PersonID: &p.ID})
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("listed %d plans", len(list))
	}
	active, err := f.db.FindActivePlanItems(f.ctx)
	must(t, err)
	if len(active) != 1 || active[0].ID != item.ID {
		t.Fatalf("active plans %d", len(active))
	}
	bad := *item
	bad.ID, bad.Notes = "", discern.Sealed("plain text")
	if err := f.db.CreatePlanItem(f.ctx, &bad); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("plaintext notes: %v", err)
	}
}

// testNotifications: contact safety is one sealed record per person, put
// twice replaces; a notification is stored once per key however often it
// is added; its state changes; lists filter by worker and person.
func testNotifications(t *testing.T, f *fixture) {
	p := f.person(t, f.orgA, f.workerA, "PL-0201")
	if _, err := f.db.FindContactSafety(f.ctx, f.orgA.ID, p.ID); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("nothing recorded: %v", err)
	}
	must(t, f.db.PutContactSafety(f.ctx, &discern.ContactSafetyRecord{OrgID: f.orgA.ID, PersonID: p.ID, Rules: sealed("v1"), UpdatedBy: f.workerA.ID}))
	must(t, f.db.PutContactSafety(f.ctx, &discern.ContactSafetyRecord{OrgID: f.orgA.ID, PersonID: p.ID, Rules: sealed("v2"), UpdatedBy: f.workerA.ID}))
	cs, err := f.db.FindContactSafety(f.ctx, f.orgA.ID, p.ID)
	must(t, err)
	if string(cs.Rules) != string(sealed("v2")) {
		t.Fatal("contact safety not replaced")
	}
	if err := f.db.PutContactSafety(f.ctx, &discern.ContactSafetyRecord{OrgID: f.orgA.ID, PersonID: p.ID, Rules: discern.Sealed("sms ok"), UpdatedBy: f.workerA.ID}); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("plaintext rules: %v", err)
	}
	if _, err := f.db.FindContactSafety(f.ctx, f.orgB.ID, p.ID); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("organization B reads A's contact safety: %v", err)
	}

	n := func() *discern.Notification {
		return &discern.Notification{OrgID: f.orgA.ID, PersonID: p.ID, UserID: f.workerA.ID, Audience: discern.AudiencePerson,
			Class: discern.ClassImmigration, Source: "plan", SourceID: "plan1", Subject: "t_visa.status_length",
			Kind: discern.ReminderDueSoon, Due: discern.Date{Year: 2026, Month: 12, Day: 1}, State: discern.NoticeOutsideWindow,
			Reason: "not a safe time", Key: "plan/plan1/status_length/2026-12-01/due_soon/person"}
	}
	first := n()
	ok, err := f.db.AddNotification(f.ctx, first)
	must(t, err)
	if !ok {
		t.Fatal("first add not stored")
	}
	ok, err = f.db.AddNotification(f.ctx, n())
	must(t, err)
	if ok {
		t.Fatal("a second notification with the same key was stored")
	}
	must(t, f.db.SetNotificationState(f.ctx, f.orgA.ID, first.ID, discern.NoticeReady, discern.ChannelSMS, ""))
	got, err := f.db.FindNotificationByKey(f.ctx, f.orgA.ID, first.Key)
	must(t, err)
	if got.State != discern.NoticeReady || got.Channel != discern.ChannelSMS || got.Due != first.Due || got.Class != discern.ClassImmigration {
		t.Fatalf("read back %+v", got)
	}
	if err := f.db.SetNotificationState(f.ctx, f.orgB.ID, first.ID, discern.NoticeDismissed, "", ""); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("organization B changes A's notification: %v", err)
	}
	w := n()
	w.Audience, w.State, w.Key, w.Reason = discern.AudienceWorker, discern.NoticeShown, "other", ""
	_, err = f.db.AddNotification(f.ctx, w)
	must(t, err)
	must(t, f.db.SetNotificationState(f.ctx, f.orgA.ID, w.ID, discern.NoticeDismissed, "", ""))
	all, err := f.db.FindNotifications(f.ctx, discern.NotificationFilter{OrgID: f.orgA.ID, UserID: &f.workerA.ID})
	must(t, err)
	open, err := f.db.FindNotifications(f.ctx, discern.NotificationFilter{OrgID: f.orgA.ID, PersonID: &p.ID, Open: true})
	must(t, err)
	if len(all) != 2 || len(open) != 1 || open[0].ID != first.ID {
		t.Fatalf("lists: %d all, %d open", len(all), len(open))
	}
	other, err := f.db.FindNotifications(f.ctx, discern.NotificationFilter{OrgID: f.orgB.ID})
	must(t, err)
	if len(other) != 0 {
		t.Fatal("organization B lists A's notifications")
	}
	// Erasing the person removes contact safety and notifications.
	must(t, f.db.ErasePerson(f.ctx, f.orgA.ID, p.ID))
	if _, err := f.db.FindContactSafety(f.ctx, f.orgA.ID, p.ID); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("contact safety after erasure: %v", err)
	}
	if left, _ := f.db.FindNotifications(f.ctx, discern.NotificationFilter{OrgID: f.orgA.ID, PersonID: &p.ID}); len(left) != 0 {
		t.Fatalf("%d notifications after erasure", len(left))
	}
}
