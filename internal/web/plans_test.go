package web

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

func init() {
	// The plan, contact-safety and reminder texts are checked for leaked
	// keys like every other interface text.
	keyLeakRE = regexp.MustCompile(strings.Replace(keyLeakRE.String(), "|status)",
		"|status|plans|plan_status|plan_status_hint|clock_state|contact|channel|weekday|reminders)", 1))
	mustContain["plan"] = map[string][]string{
		"en": {"National Referral Mechanism referral", "Back to HX-4821", "Considering", "Move to: Preparing", "Move to: Stopped by the person",
			"Explain the NRM", "by Ana Ruiz, 2026-11-24 14:30", "Mark not done", "Mark done", "Public holidays are not counted",
			"Reasonable-grounds decision expected within 5 working days", "5 working days", "2026-11-27", "2026-12-04", "Coming up",
			"Continued Presence", "Remind the person too", "Save the notes", "Interpreter booked for Tuesday"},
		"es": {"Pasar a: En preparación", "Los días festivos no se cuentan", "Marcar como hecho", "5 días hábiles", "Se acerca"},
	}
	mustContain["plan_problems"] = map[string][]string{
		"en": {"There is a problem", "“2026-02-30” is not a date", `href="#due-recovery_period"`},
		"es": {"Hay un problema", "«2026-02-30» no es una fecha"},
	}
	mustContain["plan_withheld"] = map[string][]string{
		"en": {"A tracked pathway of the kind “immigration”, which your role cannot see."},
		"es": {"que su rol no puede ver"},
	}
	mustContain["person_plans"] = map[string][]string{
		"en": {"Pathways being tracked", "National Referral Mechanism referral", "Next date: Reasonable-grounds decision", "2026-11-20",
			"Date passed", "A tracked pathway of the kind “immigration”", "Contact safety", "Text message: Monday, Tuesday 09:00–12:00",
			"Times are in Europe/London.", "A code word is agreed: use it", "Do not write the code word here", "Do not contact",
			`value="Europe/London"`, `value="09:00"`},
		"es": {"Vías en seguimiento", "Seguridad del contacto", "Mensaje de texto: lunes, martes 09:00–12:00", "No escriba la palabra clave"},
	}
	mustContain["person_contact_problems"] = map[string][]string{
		"en": {"There is a problem", "“Mars/Olympus” is not a time zone", "“25:00” is not a time of day", `value="Mars/Olympus"`},
		"es": {"«Mars/Olympus» no es una zona horaria"},
	}
	mustContain["home_reminders"] = map[string][]string{
		"en": {"Reminders", "Reasonable-grounds decision expected within 5 working days of referral (National Referral Mechanism referral)",
			"coming up on 2026-11-26", "Open the plan", "For the person", "Ready for you to deliver by: Text message.",
			"Held: do not contact", "Held: outside the safe window", "Held: no safe channel is recorded", "A referral is waiting for your organization.",
			"A referral you made has not been opened.", "waiting too long since 2026-11-22", "Open HX-4821", "Dismiss",
			"which your role cannot see", "Discern sends no text messages or emails"},
		"es": {"Recordatorios", "Lista para que usted la entregue por: Mensaje de texto.", "Retenido: no contactar", "Descartar"},
	}
	mustContain["result_track"] = map[string][]string{
		"en": {"Track this pathway", "Tracked: open the plan"},
		"es": {"Seguir esta vía", "En seguimiento: abrir el plan"},
	}
}

// planFixtures is a tracked NRM referral with a ticked step, a clock
// counted from a start date and one entered by hand, and an immigration
// plan the role may not see.
func planFixtures() (*casework.PlanView, *casework.PlanView) {
	done := fixedTime
	start := discern.Date{Year: 2026, Month: 11, Day: 20}
	due := discern.Date{Year: 2026, Month: 11, Day: 27}
	entered := discern.Date{Year: 2026, Month: 12, Day: 4}
	notes := "Interpreter booked for Tuesday."
	nrm := &casework.PlanView{ID: "pl_1", PersonID: "p_1", ScreeningID: "s_1", PathwayID: "nrm_referral", Jurisdiction: "uk-nrm",
		Class: discern.ClassCase, Status: discern.PlanConsidering, Moves: discern.PlanConsidering.Moves(),
		Steps: []discern.PlanStep{{ID: "explain", DoneBy: "u_1", DoneAt: &done}, {ID: "consent"}, {ID: "referred"}},
		Clocks: []casework.ClockView{
			{ID: "reasonable_grounds_decision", Rule: discern.ClockRule{WorkingDays: 5}, Start: &start, Due: &due, State: discern.ClockDueSoon},
			{ID: "recovery_period", Rule: discern.ClockRule{Days: 30}, Entered: &entered, Due: &entered, State: discern.ClockRunning, RemindPerson: true},
			{ID: "reconsideration_window", Rule: discern.ClockRule{Days: 30}, State: discern.ClockNotSet},
		},
		NextClock: "reasonable_grounds_decision", NextDue: &due, Notes: &notes, Version: 3, CreatedBy: "u_1", CreatedAt: fixedTime}
	hidden := &casework.PlanView{ID: "pl_2", PersonID: "p_1", Class: discern.ClassImmigration, Redacted: []discern.DataClass{discern.ClassImmigration}}
	return nrm, hidden
}

func planFixturePages(tb testing.TB, r *Renderer, lang string, pg func(*UserInfo, string) Page, person *casework.PersonView, res *screening.Result) []page {
	nrm, hidden := planFixtures()
	overdue := *nrm
	overdue.ID, overdue.Overdue = "pl_3", true
	overdue.Clocks = []casework.ClockView{{ID: "reasonable_grounds_decision", Rule: discern.ClockRule{WorkingDays: 5}, Due: overdue.NextDue, State: discern.ClockOverdue}}
	overdue.NextDue = &discern.Date{Year: 2026, Month: 11, Day: 20}
	rules := discern.ContactSafety{TimeZone: "Europe/London", HasCodeWord: true, Channels: []discern.SafeChannel{
		{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{Weekdays: []time.Weekday{time.Monday, time.Tuesday}, From: 9 * 60, To: 12 * 60}}},
		{Channel: discern.ChannelInPerson}}}
	badForm := url.Values{"time_zone": {"Mars/Olympus"}, "channel-sms": {"yes"}, "from-sms": {"09:00"}, "to-sms": {"25:00"}}
	_, cform, cprobs := ParseContactSafetyForm(badForm)
	pform, _, pprobs := ParsePlanForm(url.Values{"do": {"clock"}, "version": {"3"}, "clock": {"recovery_period"}, "due": {"2026-02-30"}})
	mk := func(kind discern.ReminderKind, aud discern.Audience, state discern.NoticeState, ch discern.ContactChannel) *casework.NotificationView {
		return &casework.NotificationView{Notification: discern.Notification{ID: "nt_" + string(kind) + string(state), PersonID: "p_1", Audience: aud,
			Class: discern.ClassCase, Source: "plan", SourceID: "pl_1", Subject: "nrm_referral.reasonable_grounds_decision", Kind: kind,
			Due: discern.Date{Year: 2026, Month: 11, Day: 26}, Channel: ch, State: state}}
	}
	reminders := []*casework.NotificationView{
		mk(discern.ReminderDueSoon, discern.AudienceWorker, discern.NoticeShown, ""),
		mk(discern.ReminderDueSoon, discern.AudiencePerson, discern.NoticeReady, discern.ChannelSMS),
		mk(discern.ReminderDueToday, discern.AudiencePerson, discern.NoticeDoNotContact, ""),
		mk(discern.ReminderOverdue, discern.AudiencePerson, discern.NoticeOutsideWindow, ""),
		mk(discern.ReminderOverdue, discern.AudiencePerson, discern.NoticeViaWorker, discern.ChannelViaWorker),
		{Notification: discern.Notification{ID: "nt_r1", Audience: discern.AudienceWorker, Class: discern.ClassCase, Source: "referral",
			SourceID: "rf_1", Subject: casework.ReferralWaitingSubject, Kind: discern.ReminderOverdue, Due: discern.Date{Year: 2026, Month: 11, Day: 22}, State: discern.NoticeShown}},
		{Notification: discern.Notification{ID: "nt_r2", PersonID: "p_1", Audience: discern.AudienceWorker, Class: discern.ClassCase, Source: "referral",
			SourceID: "rf_2", Subject: "referral.requested", Kind: discern.ReminderOverdue, Due: discern.Date{Year: 2026, Month: 11, Day: 22}, State: discern.NoticeShown}},
		{Notification: discern.Notification{ID: "nt_x", PersonID: "p_1", Audience: discern.AudienceWorker, Class: discern.ClassImmigration, Source: "plan",
			Kind: discern.ReminderDueSoon, Due: discern.Date{Year: 2026, Month: 11, Day: 26}, State: discern.NoticeShown}, Redacted: []discern.DataClass{discern.ClassImmigration}},
	}
	names := map[string]string{"u_1": "Ana Ruiz"}
	return []page{
		{"plan", func(w http.ResponseWriter) error {
			return r.Plan(w, PlanPage{Page: pg(staffUser, "/plans/pl_1"), Plan: nrm, PersonID: "p_1", CaseCode: "HX-4821", UserNames: names, CanEdit: true})
		}},
		{"plan_problems", func(w http.ResponseWriter) error {
			return r.Plan(w, PlanPage{Page: pg(staffUser, "/plans/pl_1"), Plan: nrm, PersonID: "p_1", CaseCode: "HX-4821", UserNames: names,
				CanEdit: true, Form: pform, Problems: pprobs})
		}},
		{"plan_withheld", func(w http.ResponseWriter) error {
			return r.Plan(w, PlanPage{Page: pg(adminUser, "/plans/pl_2"), Plan: hidden, PersonID: "p_1", CaseCode: "HX-4821"})
		}},
		{"person_plans", func(w http.ResponseWriter) error {
			return r.Person(w, PersonPage{Page: pg(staffUser, "/people/p_1"), Person: person, Plans: []*casework.PlanView{&overdue, hidden, nrm},
				Contact: &casework.ContactSafetyView{PersonID: "p_1", Rules: rules, Recorded: true}, CanEditContact: true, UserNames: names})
		}},
		{"person_contact_problems", func(w http.ResponseWriter) error {
			return r.Person(w, PersonPage{Page: pg(staffUser, "/people/p_1"), Person: person,
				Contact: &casework.ContactSafetyView{PersonID: "p_1"}, CanEditContact: true, ContactForm: cform, ContactProblems: cprobs})
		}},
		{"home_reminders", func(w http.ResponseWriter) error {
			return r.Home(w, HomePage{Page: pg(staffUser, "/"), Reminders: reminders, CaseCodes: map[string]string{"p_1": "HX-4821"}})
		}},
		{"result_track", func(w http.ResponseWriter) error {
			var tracked = map[string]string{}
			for _, jr := range res.Results {
				for _, pw := range jr.Pathways {
					if pw.Status != "not_eligible" {
						tracked[jr.Jurisdiction+"/"+pw.ID] = "pl_9"
						break
					}
				}
			}
			return r.Result(w, ResultPage{Page: pg(staffUser, "/screenings/s_1"), ScreeningID: "s_1", CaseCode: "HX-4821", PersonID: "p_1",
				Status: discern.ScreeningComplete, CompletedAt: &fixedTime, Result: res, CanTrack: true, Tracked: tracked})
		}},
	}
}

// TestPlanTextsComplete: every status, clock state, channel, weekday and
// reminder kind has its words in every language, and every literal key in
// plans.go exists.
func TestPlanTextsComplete(t *testing.T) {
	r := mustRenderer(t)
	var keys []string
	for _, s := range discern.PlanStatuses {
		keys = append(keys, "plan_status."+string(s), "plan_status_hint."+string(s))
	}
	for _, s := range []discern.ClockState{discern.ClockNotSet, discern.ClockRunning, discern.ClockDueSoon, discern.ClockDueToday, discern.ClockOverdue} {
		keys = append(keys, "clock_state."+string(s))
	}
	for _, c := range discern.ContactChannels {
		keys = append(keys, "channel."+string(c))
	}
	for d := range 7 {
		keys = append(keys, "weekday."+strconv.Itoa(d))
	}
	for _, k := range []discern.ReminderKind{discern.ReminderDueSoon, discern.ReminderDueToday, discern.ReminderOverdue} {
		keys = append(keys, "reminders.kind_"+string(k))
	}
	for _, s := range []string{"requested", "received", "accepted", "in_progress"} {
		keys = append(keys, "reminders.referral_"+s)
	}
	src, err := os.ReadFile("plans.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`(?:l\.T\(|l\.N\(|Key: |prepare\(&p(?:\.Page)?, )"([a-z_]+\.[a-z_.]*[a-z])"`).FindAllStringSubmatch(string(src), -1)
	if len(lit) < 20 {
		t.Fatalf("found %d keys in plans.go; the pattern has rotted", len(lit))
	}
	for _, m := range lit {
		keys = append(keys, m[1])
	}
	for _, lang := range r.ui.order {
		for _, k := range keys {
			if _, ok := r.ui.texts[lang][k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

// TestParseContactSafetyForm reads channels, days and windows, and
// refuses what is not a time or a zone with the field named.
func TestParseContactSafetyForm(t *testing.T) {
	rules, _, ps := ParseContactSafetyForm(url.Values{"time_zone": {"America/Toronto"}, "code_word": {"yes"},
		"channel-sms": {"yes"}, "days-sms": {"1", "2", "2"}, "from-sms": {"22:00"}, "to-sms": {"06:00"},
		"channel-phone": {"yes"}, "channel-email": {""}, "days-email": {"3"}, "from-email": {"x"}})
	if len(ps) > 0 {
		t.Fatalf("problems %v", ps.Fields())
	}
	want := discern.ContactSafety{TimeZone: "America/Toronto", HasCodeWord: true, Channels: []discern.SafeChannel{
		{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{Weekdays: []time.Weekday{time.Monday, time.Tuesday}, From: 22 * 60, To: 6 * 60}}},
		{Channel: discern.ChannelPhone}}}
	if got, exp := strings.ReplaceAll(html.EscapeString(fmtRules(rules)), " ", ""), strings.ReplaceAll(html.EscapeString(fmtRules(want)), " ", ""); got != exp {
		t.Fatalf("rules\n%s\nwant\n%s", got, exp)
	}
	// Round trip: the form filled from the rules reads back the same.
	f := ContactFormFrom(rules)
	back := url.Values{"time_zone": {f.TimeZone}, "code_word": {"yes"}}
	for _, c := range f.Channels {
		if c.Safe {
			back.Set("channel-"+string(c.Channel), "yes")
		}
		for _, d := range c.Days {
			back.Add("days-"+string(c.Channel), strconv.Itoa(int(d)))
		}
		back.Set("from-"+string(c.Channel), c.From)
		back.Set("to-"+string(c.Channel), c.To)
	}
	again, _, ps := ParseContactSafetyForm(back)
	if len(ps) > 0 || fmtRules(again) != fmtRules(rules) {
		t.Fatalf("round trip %s (%v), want %s", fmtRules(again), ps.Fields(), fmtRules(rules))
	}
	// Days only: the whole of each day named.
	daysOnly, _, ps := ParseContactSafetyForm(url.Values{"channel-sms": {"yes"}, "days-sms": {"6"}})
	if len(ps) > 0 || fmtRules(daysOnly) != "|false|false|sms 0-1440,Saturday" {
		t.Fatalf("days only: %+v %v", daysOnly, ps.Fields())
	}
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"time_zone": {"Mars/Olympus"}}, "time_zone"},
		{url.Values{"time_zone": {"Local"}}, "time_zone"},
		{url.Values{"channel-sms": {"yes"}, "from-sms": {"9"}, "to-sms": {"10:00"}}, "from-sms"},
		{url.Values{"channel-sms": {"yes"}, "from-sms": {"09:00"}, "to-sms": {"24:30"}}, "to-sms"},
		{url.Values{"channel-sms": {"yes"}, "from-sms": {"09:00"}, "to-sms": {"09:00"}}, "to-sms"},
		{url.Values{"channel-sms": {"yes"}, "from-sms": {"09:00"}}, "to-sms"},
		{url.Values{"days-sms": {"7"}}, "days-sms"},
	} {
		if _, _, ps := ParseContactSafetyForm(tc.form); ps.For(tc.field) == nil {
			t.Errorf("%v: problems %v, want one with %s", tc.form, ps.Fields(), tc.field)
		}
	}
}

func fmtRules(r discern.ContactSafety) string {
	var b strings.Builder
	b.WriteString(r.TimeZone + "|" + strconv.FormatBool(r.DoNotContact) + "|" + strconv.FormatBool(r.HasCodeWord))
	for _, c := range r.Channels {
		b.WriteString("|" + string(c.Channel))
		for _, w := range c.Windows {
			b.WriteString(" " + strconv.Itoa(w.From) + "-" + strconv.Itoa(w.To))
			for _, d := range w.Weekdays {
				b.WriteString("," + d.String())
			}
		}
	}
	return b.String()
}

// TestParsePlanForm: each kind of change, and dates that are not days.
func TestParsePlanForm(t *testing.T) {
	_, ch, ps := ParsePlanForm(url.Values{"do": {"clock"}, "version": {"2"}, "clock": {"recovery_period"}, "start": {"2026-11-20"}, "remind_person": {"yes"}})
	if len(ps) > 0 || ch.Clock == nil || ch.Clock.Start == nil || ch.Clock.Start.String() != "2026-11-20" || ch.Clock.Due != nil || !ch.Clock.RemindPerson || ch.Version != 2 {
		t.Fatalf("clock change %+v %v", ch, ps.Fields())
	}
	_, ch, ps = ParsePlanForm(url.Values{"do": {"step"}, "version": {"1"}, "step": {"explain"}, "done": {"yes"}})
	if len(ps) > 0 || ch.Step == nil || !ch.Step.Done || ch.Step.ID != "explain" {
		t.Fatalf("step change %+v %v", ch, ps.Fields())
	}
	_, ch, ps = ParsePlanForm(url.Values{"do": {"status"}, "version": {"1"}, "status": {"preparing"}})
	if len(ps) > 0 || ch.Status == nil || *ch.Status != discern.PlanPreparing {
		t.Fatalf("status change %+v %v", ch, ps.Fields())
	}
	for _, form := range []url.Values{
		{"do": {"clock"}, "version": {"1"}, "clock": {"c"}, "due": {"2026-02-30"}},
		{"do": {"clock"}, "version": {"1"}, "clock": {"c"}, "start": {"tomorrow"}},
		{"do": {"status"}, "version": {"1"}, "status": {"rescued"}},
		{"do": {"step"}, "version": {"x"}, "step": {"explain"}},
		{"do": {"delete"}, "version": {"1"}},
		{"do": {"notes"}, "version": {"1"}, "notes": {strings.Repeat("n", 20001)}},
	} {
		if _, _, ps := ParsePlanForm(form); len(ps) == 0 {
			t.Errorf("%v: no problem", form)
		}
	}
}

// BenchmarkRenderPlanPages renders the plan page, the person page with
// its plans and contact safety, and the home page with reminders.
func BenchmarkRenderPlanPages(b *testing.B) {
	r := mustRenderer(b)
	for _, p := range fixturePages(b, r, "en") {
		if p.name != "plan" && p.name != "person_plans" && p.name != "person" && p.name != "home_reminders" {
			continue
		}
		b.Run(p.name, func(b *testing.B) {
			w := &discardWriter{h: http.Header{}}
			for b.Loop() {
				if err := p.render(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
