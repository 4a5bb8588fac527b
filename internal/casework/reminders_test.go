package casework

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// TestSweepIdempotentAndHonoursContactSafety: a plan clock coming due
// makes one worker notification and one person notification however often
// the sweep runs; the person one waits outside their safe window and is
// released inside it; do-not-contact holds it.
func TestSweepIdempotentAndHonoursContactSafety(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		cw := f.users["caseworker"]
		person, scr := planFixture(t, f)
		pl, err := f.svc.StartPlan(ctx, cw, PlanInput{PersonID: person, ScreeningID: scr, PathwayID: "nrm_referral", Jurisdiction: "uk-nrm"})
		if err != nil {
			t.Fatal(err)
		}
		ref := discern.Date{Year: 2026, Month: 11, Day: 27} // RG decision due Friday 4 December
		if _, err := f.svc.UpdatePlan(ctx, cw, pl.ID, PlanChange{Version: 1, Clock: &ClockChange{ID: "reasonable_grounds_decision", Start: &ref, RemindPerson: true}}); err != nil {
			t.Fatal(err)
		}
		rules := discern.ContactSafety{TimeZone: "UTC", Channels: []discern.SafeChannel{
			{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{From: 9 * 60, To: 12 * 60}}}}}
		if _, err := f.svc.PutContactSafety(ctx, cw, person, rules); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC) // two days before, outside the window
		f.svc.now = func() time.Time { return now }
		sw := f.svc.NewSweeper(WorkerOutbox{}, nil, PlanReminders{DB: f.db})
		res, err := sw.Sweep(ctx)
		if err != nil || res.Created != 2 {
			t.Fatalf("first sweep: %+v %v", res, err)
		}
		res, err = sw.Sweep(ctx)
		if err != nil || res.Created != 0 || res.Released != 0 {
			t.Fatalf("second sweep: %+v %v", res, err)
		}
		list, err := f.svc.ListNotifications(ctx, cw, person)
		if err != nil || len(list) != 2 {
			t.Fatalf("%d notifications, %v", len(list), err)
		}
		var personNote *NotificationView
		for _, n := range list {
			if n.Audience == discern.AudiencePerson {
				personNote = n
			}
		}
		if personNote == nil || personNote.State != discern.NoticeOutsideWindow || personNote.Channel != "" {
			t.Fatalf("person notification %+v", personNote)
		}
		// Next morning, inside the window: released once.
		now = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
		res, err = sw.Sweep(ctx)
		if err != nil || res.Released != 1 || res.Created != 0 {
			t.Fatalf("sweep in the window: %+v %v", res, err)
		}
		n, err := f.db.FindNotificationByID(ctx, f.orgA, personNote.ID)
		if err != nil || n.State != discern.NoticeReady || n.Channel != discern.ChannelSMS {
			t.Fatalf("released %+v %v", n, err)
		}
		// The person asks not to be contacted: the due-today reminder is
		// held, never ready.
		if _, err := f.svc.PutContactSafety(ctx, cw, person, discern.ContactSafety{DoNotContact: true, Channels: rules.Channels}); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
		if res, err = sw.Sweep(ctx); err != nil || res.Created != 2 {
			t.Fatalf("due-today sweep: %+v %v", res, err)
		}
		list, _ = f.svc.ListNotifications(ctx, cw, "")
		held := 0
		for _, n := range list {
			if n.Audience == discern.AudiencePerson && n.Kind == discern.ReminderDueToday {
				if n.State != discern.NoticeDoNotContact {
					t.Fatalf("due-today person notification is %s, want do_not_contact", n.State)
				}
				held++
			}
		}
		if held != 1 {
			t.Fatalf("%d held notifications", held)
		}
		// Nothing recorded at all: deliver via the worker.
		other, scr2 := planFixture(t, f)
		p2, err := f.svc.StartPlan(ctx, cw, PlanInput{PersonID: other, ScreeningID: scr2, PathwayID: "nrm_referral", Jurisdiction: "uk-nrm"})
		if err != nil {
			t.Fatal(err)
		}
		due := discern.Date{Year: 2026, Month: 12, Day: 4}
		if _, err := f.svc.UpdatePlan(ctx, cw, p2.ID, PlanChange{Version: 1, Clock: &ClockChange{ID: "recovery_period", Due: &due, RemindPerson: true}}); err != nil {
			t.Fatal(err)
		}
		if _, err := sw.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		l2, _ := f.svc.ListNotifications(ctx, cw, other)
		for _, n := range l2 {
			if n.Audience == discern.AudiencePerson && (n.State != discern.NoticeViaWorker || n.Channel != discern.ChannelViaWorker) {
				t.Fatalf("no rules recorded: %+v", n)
			}
		}
		// Colleagues and other organizations see nothing of them.
		if l, err := f.svc.ListNotifications(ctx, f.users["outsider"], ""); err != nil || len(l) != 0 {
			t.Fatalf("outsider sees %d (%v)", len(l), err)
		}
		// A cancelled context stops the sweep cleanly.
		cctx, cancel := contextWithCancel(ctx)
		cancel()
		if _, err := sw.Sweep(cctx); err == nil {
			t.Log("sweep with a cancelled context found nothing to do")
		}
	})
}

func contextWithCancel(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctx)
}

// TestReferralAgeingReminders: a referral left waiting reminds its sender
// once per state it waits in, however often the sweep runs; the receiving
// organization's intake staff are told only that a referral is waiting,
// with nothing personal; a final referral reminds nobody.
func TestReferralAgeingReminders(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, base *fixture) {
		f := newReferralFixture(t, base)
		ctx := t.Context()
		cw, recv := f.users["caseworker"], f.users["outsider"]
		f.consent(t, discern.RecipientOrganization, dirLegal, caseContact, referral, time.Now().UTC().AddDate(0, -1, 0), nil)
		ref, err := f.svc.CreateReferral(ctx, cw, ReferralInput{PersonID: f.person, RecipientKind: discern.RecipientService,
			RecipientID: svcClinic, Needs: []string{"legal_immigration"}, Classes: caseContact})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().UTC()
		now := start.Add(47 * time.Hour) // not yet two days
		f.svc.now = func() time.Time { return now }
		sw := f.svc.NewSweeper(WorkerOutbox{}, nil, PlanReminders{DB: f.db}, f.svc.ReferralReminders())
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 0 {
			t.Fatalf("before two days: %+v %v", res, err)
		}
		now = start.Add(49 * time.Hour)
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 2 {
			t.Fatalf("after two days: %+v %v (want the sender and the one intake supervisor)", res, err)
		}
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 0 {
			t.Fatalf("sweeping again: %+v %v", res, err)
		}
		mine, err := f.svc.ListNotifications(ctx, cw, "")
		if err != nil || len(mine) != 1 || mine[0].Source != "referral" || mine[0].Subject != "referral.requested" ||
			mine[0].SourceID != ref.ID || mine[0].PersonID != f.person || mine[0].Kind != discern.ReminderOverdue {
			t.Fatalf("sender's reminders %+v %v", mine, err)
		}
		theirs, err := f.svc.ListNotifications(ctx, recv, "")
		if err != nil || len(theirs) != 1 || theirs[0].Subject != ReferralWaitingSubject || theirs[0].PersonID != "" {
			t.Fatalf("recipient's reminders %+v %v", theirs, err)
		}
		stored, err := f.db.FindNotificationByID(ctx, f.orgB, theirs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		pv, err := f.svc.GetPerson(ctx, cw, f.person)
		if err != nil {
			t.Fatal(err)
		}
		text := fmt.Sprintf("%+v", *stored)
		for _, secret := range []string{f.person, pv.CaseCode, "Ilinca", "legal_immigration", "contact", "Northside"} {
			if strings.Contains(text, secret) {
				t.Fatalf("the recipient's reminder holds %q: %s", secret, text)
			}
		}
		// Received by the recipient: a new wait of five days, told to the
		// one who received it.
		if _, err := f.svc.MoveReferral(ctx, recv, ref.ID, ReferralMoveInput{To: discern.ReferralReceived}); err != nil {
			t.Fatal(err)
		}
		moved := time.Now().UTC()
		now = moved.Add(4 * 24 * time.Hour)
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 0 {
			t.Fatalf("received four days ago: %+v %v", res, err)
		}
		now = moved.Add(5*24*time.Hour + time.Hour)
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 2 {
			t.Fatalf("received five days ago: %+v %v", res, err)
		}
		// Dismissed, a reminder does not come back.
		mine, _ = f.svc.ListNotifications(ctx, cw, "")
		for _, n := range mine {
			if err := f.svc.DismissNotification(ctx, cw, n.ID); err != nil {
				t.Fatal(err)
			}
		}
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 0 {
			t.Fatalf("after dismissing: %+v %v", res, err)
		}
		if l, _ := f.svc.ListNotifications(ctx, cw, ""); len(l) != 0 {
			t.Fatalf("%d open after dismissing", len(l))
		}
		// A final referral reminds nobody.
		if _, err := f.svc.MoveReferral(ctx, recv, ref.ID, ReferralMoveInput{To: discern.ReferralRejected, Outcome: discern.OutcomeNoCapacity, Reason: "No capacity this month"}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(60 * 24 * time.Hour)
		if res, err := sw.Sweep(ctx); err != nil || res.Created != 0 {
			t.Fatalf("a rejected referral: %+v %v", res, err)
		}
	})
}
