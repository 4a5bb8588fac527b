package discern

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	x, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func TestDateArithmetic(t *testing.T) {
	cases := []struct {
		name  string
		start string
		rule  ClockRule
		want  string
	}{
		{"days across a month end", "2026-01-30", ClockRule{Days: 30}, "2026-03-01"},
		{"days across a leap day", "2028-02-15", ClockRule{Days: 30}, "2028-03-16"},
		{"days across a year end", "2026-12-15", ClockRule{Days: 45}, "2027-01-29"},
		{"month from the 31st clamps", "2026-01-31", ClockRule{Months: 1}, "2026-02-28"},
		{"month from the 31st in a leap year", "2028-01-31", ClockRule{Months: 1}, "2028-02-29"},
		{"twelve months", "2025-02-04", ClockRule{Months: 12}, "2026-02-04"},
		{"year from a leap day", "2028-02-29", ClockRule{Years: 1}, "2029-02-28"},
		{"four years from a leap day", "2028-02-29", ClockRule{Years: 4}, "2032-02-29"},
		{"5 working days from a Monday", "2026-11-23", ClockRule{WorkingDays: 5}, "2026-11-30"},
		{"5 working days from a Friday", "2026-11-27", ClockRule{WorkingDays: 5}, "2026-12-04"},
		{"5 working days from a Saturday", "2026-11-28", ClockRule{WorkingDays: 5}, "2026-12-04"},
		{"working days across a year end", "2026-12-30", ClockRule{WorkingDays: 5}, "2027-01-06"},
		{"working days across a leap day", "2028-02-25", ClockRule{WorkingDays: 3}, "2028-03-01"},
	}
	for _, tc := range cases {
		if got := tc.rule.From(d(tc.start)).String(); got != tc.want {
			t.Errorf("%s: %s + %+v = %s, want %s", tc.name, tc.start, tc.rule, got, tc.want)
		}
	}
	// A day is a day whatever the clocks do: across the change to and from
	// summer time the date of an instant in the zone is what counts.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	// 8 March 2026 is the spring change in New York: 23:30 local is still
	// the 8th, though it is already the 9th in UTC.
	late := time.Date(2026, 3, 8, 23, 30, 0, 0, ny)
	if got := DateOf(late, ny).String(); got != "2026-03-08" {
		t.Errorf("date in New York = %s", got)
	}
	if got := DateOf(late, nil).String(); got != "2026-03-09" {
		t.Errorf("date in UTC = %s", got)
	}
	if got := DateOf(late, ny).AddDays(1).String(); got != "2026-03-09" {
		t.Errorf("a day after the change = %s", got)
	}
	// 1 November 2026 is the autumn change: that day has 25 hours.
	if got := d("2026-10-31").AddDays(2).String(); got != "2026-11-02" {
		t.Errorf("over the autumn change = %s", got)
	}
	if d("2026-11-02").DaysUntil(d("2026-10-31")) != -2 || d("2028-02-28").DaysUntil(d("2028-03-01")) != 2 {
		t.Error("DaysUntil is wrong across a leap day or backwards")
	}
	for _, bad := range []string{"2026-02-29", "2026-13-01", "26-1-1", "", "2026-01-01T00:00:00Z"} {
		if _, err := ParseDate(bad); KindOf(err) != KindInvalid {
			t.Errorf("ParseDate(%q) = %v, want invalid", bad, err)
		}
	}
	if (Date{2026, 2, 30}).Valid() || !(Date{2028, 2, 29}).Valid() || (Date{1800, 1, 1}).Valid() {
		t.Error("Valid is wrong")
	}
}

func TestPlanMoves(t *testing.T) {
	// Every pair of statuses: allowed exactly when listed.
	allowed := map[[2]PlanStatus]bool{
		{PlanConsidering, PlanPreparing}: true, {PlanConsidering, PlanWithdrawn}: true,
		{PlanPreparing, PlanConsidering}: true, {PlanPreparing, PlanSubmitted}: true, {PlanPreparing, PlanWithdrawn}: true,
		{PlanSubmitted, PlanGranted}: true, {PlanSubmitted, PlanRefused}: true, {PlanSubmitted, PlanWithdrawn}: true,
		{PlanGranted, PlanClosed}:    true,
		{PlanRefused, PlanPreparing}: true, {PlanRefused, PlanClosed}: true,
		{PlanWithdrawn, PlanConsidering}: true, {PlanWithdrawn, PlanClosed}: true,
	}
	for _, from := range PlanStatuses {
		for _, to := range PlanStatuses {
			p := &PlanItem{Status: from}
			err := p.Move(to)
			want := allowed[[2]PlanStatus{from, to}]
			if (err == nil) != want {
				t.Errorf("%s → %s: %v, want allowed=%v", from, to, err, want)
			}
			if err == nil && p.Status != to {
				t.Errorf("%s → %s left status %s", from, to, p.Status)
			}
			if err != nil && (p.Status != from || KindOf(err) != KindConflict) {
				t.Errorf("%s → %s refused with %v and status %s", from, to, err, p.Status)
			}
		}
	}
	if err := (&PlanItem{Status: PlanConsidering}).Move("approved"); KindOf(err) != KindInvalid {
		t.Errorf("unknown status: %v", err)
	}
}

func TestPlanItemStepsAndClocks(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p := &PlanItem{ID: "p1", OrgID: "o", PersonID: "x", ScreeningID: "s", PathwayID: "nrm_referral", Jurisdiction: "uk-nrm",
		Class: ClassCase, Status: PlanConsidering, CreatedBy: "u",
		Steps: []PlanStep{{ID: "consent"}, {ID: "referral_form"}},
		Clocks: []PlanClock{{ID: "reasonable_grounds_decision", Rule: ClockRule{WorkingDays: 5}},
			{ID: "recovery_period", Rule: ClockRule{Days: 30}}}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := p.Tick("consent", true, "u2", at); err != nil || p.Steps[0].DoneBy != "u2" || !p.Steps[0].DoneAt.Equal(at) {
		t.Fatalf("tick: %v %+v", err, p.Steps[0])
	}
	if err := p.Tick("consent", false, "", time.Time{}); err != nil || p.Steps[0].DoneAt != nil || p.Steps[0].DoneBy != "" {
		t.Fatalf("untick: %v %+v", err, p.Steps[0])
	}
	if err := p.Tick("nope", true, "u", at); KindOf(err) != KindInvalid {
		t.Errorf("unknown step: %v", err)
	}
	if err := p.Tick("consent", true, "", at); KindOf(err) != KindInvalid {
		t.Errorf("tick without who: %v", err)
	}
	if _, _, ok := p.NextClock(d("2026-11-23")); ok {
		t.Error("a plan with no clock set has a next clock")
	}
	ref := d("2026-11-27") // a Friday
	if err := p.SetClock("reasonable_grounds_decision", &ref, nil, true); err != nil {
		t.Fatal(err)
	}
	if due, _ := p.Clocks[0].DueDate(); due.String() != "2026-12-04" {
		t.Fatalf("RG decision due %s", due)
	}
	states := map[string]ClockState{"2026-11-27": ClockRunning, "2026-12-02": ClockDueSoon, "2026-12-03": ClockDueSoon,
		"2026-12-04": ClockDueToday, "2026-12-05": ClockOverdue}
	for day, want := range states {
		if got := p.Clocks[0].StateOn(d(day)); got != want {
			t.Errorf("on %s the clock is %s, want %s", day, got, want)
		}
	}
	if !p.Overdue(d("2026-12-05")) || p.Overdue(d("2026-12-04")) {
		t.Error("Overdue is wrong")
	}
	// A date entered by hand wins over the count.
	exp := d("2027-01-10")
	if err := p.SetClock("recovery_period", &ref, &exp, false); err != nil {
		t.Fatal(err)
	}
	c, due, ok := p.NextClock(d("2026-12-05"))
	if !ok || c.ID != "recovery_period" || due != exp {
		t.Fatalf("next clock after the RG date passed: %s %s %v, want the upcoming recovery period", c.ID, due, ok)
	}
	c, _, _ = p.NextClock(d("2026-11-28"))
	if c.ID != "reasonable_grounds_decision" {
		t.Fatalf("next clock = %s", c.ID)
	}
	bad := Date{2026, 2, 30}
	if err := p.SetClock("recovery_period", &bad, nil, false); KindOf(err) != KindInvalid {
		t.Errorf("impossible date: %v", err)
	}
	if err := p.SetClock("nope", nil, nil, false); KindOf(err) != KindInvalid {
		t.Errorf("unknown clock: %v", err)
	}
	p.Status = PlanWithdrawn
	if _, _, ok := p.NextClock(d("2026-11-28")); ok || p.Overdue(d("2027-06-01")) {
		t.Error("a withdrawn plan still has clocks running")
	}
	for name, mut := range map[string]func(q *PlanItem){
		"class":      func(q *PlanItem) { q.Class = ClassHealth },
		"status":     func(q *PlanItem) { q.Status = "approved" },
		"pathway":    func(q *PlanItem) { q.PathwayID = "a b" },
		"screening":  func(q *PlanItem) { q.ScreeningID = "" },
		"dup step":   func(q *PlanItem) { q.Steps = append(q.Steps, PlanStep{ID: "consent"}) },
		"half tick":  func(q *PlanItem) { q.Steps = []PlanStep{{ID: "a", DoneBy: "u"}} },
		"plain note": func(q *PlanItem) { q.Notes = Sealed("call her at home") },
	} {
		q := *p
		q.Steps, q.Clocks = slices.Clone(p.Steps), slices.Clone(p.Clocks)
		mut(&q)
		if err := q.Validate(); KindOf(err) != KindInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func TestRoutePersonNotice(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	mon10 := time.Date(2026, 11, 23, 10, 0, 0, 0, london)
	mon15 := time.Date(2026, 11, 23, 15, 0, 0, 0, london)
	sms := &ContactSafety{TimeZone: "Europe/London", Channels: []SafeChannel{
		{Channel: ChannelSMS, Windows: []ContactWindow{{From: 9 * 60, To: 12 * 60}}}}}
	cases := []struct {
		name    string
		cs      *ContactSafety
		at      time.Time
		channel ContactChannel
		state   NoticeState
		why     string
	}{
		{"nothing recorded", nil, mon10, ChannelViaWorker, NoticeViaWorker, "through their worker"},
		{"do not contact", &ContactSafety{DoNotContact: true, Channels: sms.Channels}, mon10, "", NoticeDoNotContact, "asked not to be contacted"},
		{"inside the window", sms, mon10, ChannelSMS, NoticeReady, ""},
		{"outside the window", sms, mon15, "", NoticeOutsideWindow, "not a safe time"},
		{"only via the worker", &ContactSafety{Channels: []SafeChannel{{Channel: ChannelViaWorker}}}, mon10, ChannelViaWorker, NoticeViaWorker, "worker"},
		{"second channel open", &ContactSafety{TimeZone: "Europe/London", Channels: append(slices.Clone(sms.Channels), SafeChannel{Channel: ChannelEmail})}, mon15, ChannelEmail, NoticeReady, ""},
	}
	for _, tc := range cases {
		ch, st, why := RoutePersonNotice(tc.cs, tc.at)
		if ch != tc.channel || st != tc.state || !strings.Contains(why, tc.why) {
			t.Errorf("%s: %q %q %q, want %q %q containing %q", tc.name, ch, st, why, tc.channel, tc.state, tc.why)
		}
	}
}
