package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
)

// The views of pathway tracking (plans), contact safety and reminders.
// Every word comes from the locales: a plan's steps and clocks are named
// by the content (pathway.<id>.step.<id>, pathway.<id>.clock.<id>), the
// rest by the interface texts under plans, contact and reminders.

// PlanPage is one tracked pathway: its status and the moves allowed, the
// checklist, the clocks and the notes.
type PlanPage struct {
	Page
	Plan *casework.PlanView
	// PersonID and CaseCode name the person the plan is for.
	PersonID, CaseCode string
	UserNames          map[string]string
	// CanEdit offers the forms (the role may change plans of this class).
	CanEdit bool
	// Form keeps what was typed into a clock or the notes when it is shown
	// again with Problems.
	Form     PlanForm
	Problems FieldProblems
	// Conflict says the plan changed since it was read: the page shows it
	// as it is now and asks to try again.
	Conflict bool
}

// PlanForm is a change to a plan, as posted by one of the plan page's
// forms: Do names which (status, step, clock, notes).
type PlanForm struct {
	Do      string
	Version int
	Status  discern.PlanStatus
	Step    string
	Done    bool
	Clock   string
	// Start and Due are as typed (YYYY-MM-DD); empty clears.
	Start, Due   string
	RemindPerson bool
	Notes        string
}

// ParsePlanForm reads a plan change. Dates must be real days written as
// YYYY-MM-DD (what a date input sends); the change itself (a move the
// status does not allow, a step the plan does not have) is the service's
// to refuse.
func ParsePlanForm(form url.Values) (PlanForm, casework.PlanChange, FieldProblems) {
	f := PlanForm{Do: form.Get("do"), Status: discern.PlanStatus(form.Get("status")), Step: form.Get("step"),
		Done: form.Get("done") == "yes", Clock: form.Get("clock"), Start: strings.TrimSpace(form.Get("start")),
		Due: strings.TrimSpace(form.Get("due")), RemindPerson: form.Get("remind_person") == "yes", Notes: form.Get("notes")}
	var ps FieldProblems
	v, err := strconv.Atoi(form.Get("version"))
	if err != nil || v < 1 {
		ps = append(ps, FieldProblem{Field: "version", Key: "plans.problem_version"})
	}
	f.Version = v
	ch := casework.PlanChange{Version: v}
	date := func(field, s string) *discern.Date {
		if s == "" {
			return nil
		}
		d, err := discern.ParseDate(s)
		if err != nil || !d.Valid() {
			ps = append(ps, FieldProblem{Field: field + "-" + f.Clock, Key: "plans.problem_date", Value: s})
			return nil
		}
		return &d
	}
	switch f.Do {
	case "status":
		if !f.Status.Valid() {
			ps = append(ps, FieldProblem{Field: "status", Key: "plans.problem_status", Value: string(f.Status)})
		}
		ch.Status = &f.Status
	case "step":
		if f.Step == "" {
			ps = append(ps, FieldProblem{Field: "step", Key: "plans.problem_step"})
		}
		ch.Step = &casework.StepChange{ID: f.Step, Done: f.Done}
	case "clock":
		if f.Clock == "" {
			ps = append(ps, FieldProblem{Field: "clock", Key: "plans.problem_clock"})
		}
		ch.Clock = &casework.ClockChange{ID: f.Clock, Start: date("start", f.Start), Due: date("due", f.Due), RemindPerson: f.RemindPerson}
	case "notes":
		if len(f.Notes) > 20000 {
			ps = append(ps, FieldProblem{Field: "notes", Key: "plans.problem_notes_long"})
		}
		ch.Notes = &f.Notes
	default:
		ps = append(ps, FieldProblem{Field: "do", Key: "plans.problem_do"})
	}
	return f, ch, ps
}

// Plan renders a plan's page: 422 with problems, 409 after a conflict.
func (r *Renderer) Plan(w http.ResponseWriter, p PlanPage) error {
	r.prepare(&p.Page, "plans.title")
	if p.Plan != nil && len(p.Plan.Redacted) == 0 {
		p.Title = p.L.T("pathway." + p.Plan.PathwayID + ".name")
	}
	status := statusFor(p.Problems)
	if p.Conflict {
		status = http.StatusConflict
	}
	v := &planView{PlanPage: &p, Clocks: clockRows(p.L, p.Plan)}
	if len(p.Problems) > 0 && p.Form.Do == "clock" {
		// Show the dates as they were typed, where they were typed.
		for i := range v.Clocks {
			if v.Clocks[i].ID == p.Form.Clock {
				v.Clocks[i].StartValue, v.Clocks[i].DueValue = p.Form.Start, p.Form.Due
			}
		}
	}
	return r.render(w, status, "plan", v)
}

type planView struct {
	*PlanPage
	Clocks []clockRow
}

// StepText names a step of the plan's pathway.
func (p *PlanPage) StepText(id string) string {
	return p.L.T("pathway." + p.Plan.PathwayID + ".step." + id)
}

// DoneBy names who ticked a step.
func (p *PlanPage) DoneBy(id string) string {
	if n, ok := p.UserNames[id]; ok {
		return n
	}
	return p.L.T("plans.someone")
}

// clockRow is a clock as the plan page shows it.
type clockRow struct {
	ID, Name, Rule       string
	Start, Entered, Due  string
	State, StateText     string
	RemindPerson         bool
	StartValue, DueValue string // what the form shows
}

func clockRows(l *Localizer, p *casework.PlanView) []clockRow {
	if p == nil {
		return nil
	}
	var out []clockRow
	for _, c := range p.Clocks {
		row := clockRow{ID: c.ID, Name: l.T("pathway." + p.PathwayID + ".clock." + c.ID), Rule: ruleText(l, c.Rule),
			Start: dateText(c.Start), Entered: dateText(c.Entered), Due: dateText(c.Due), State: string(c.State),
			StateText: l.T("clock_state." + string(c.State)), RemindPerson: c.RemindPerson}
		row.StartValue, row.DueValue = row.Start, row.Entered
		out = append(out, row)
	}
	return out
}

func dateText(d *discern.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// ruleText says how long a clock runs.
func ruleText(l *Localizer, r discern.ClockRule) string {
	switch {
	case r.WorkingDays > 0:
		return l.N("plans.rule_working_days", r.WorkingDays)
	case r.Months > 0:
		return l.N("plans.rule_months", r.Months)
	case r.Years > 0:
		return l.N("plans.rule_years", r.Years)
	case r.Days > 0:
		return l.N("plans.rule_days", r.Days)
	}
	return l.T("plans.rule_entered")
}

// planRow is a plan as the person page lists it.
type planRow struct {
	ID, Name, Jurisdiction, Status, StatusText string
	// Withheld is set (to the class's name) when the role may not see the
	// plan's class: only that a plan exists is shown.
	Withheld string
	// Next is the next clock's name and date; Flag is overdue, due_today
	// or due_soon when it needs attention.
	NextName, NextDue, Flag, FlagText string
	Overdue                           bool
}

func planRows(l *Localizer, plans []*casework.PlanView) []planRow {
	out := make([]planRow, 0, len(plans))
	for _, p := range plans {
		row := planRow{ID: p.ID}
		if len(p.Redacted) > 0 {
			row.Withheld = l.T("class." + string(p.Class))
			out = append(out, row)
			continue
		}
		row.Name, row.Jurisdiction = l.T("pathway."+p.PathwayID+".name"), l.T("jurisdiction."+p.Jurisdiction)
		row.Status, row.StatusText, row.Overdue = string(p.Status), l.T("plan_status."+string(p.Status)), p.Overdue
		if p.NextClock != "" && p.NextDue != nil {
			row.NextName, row.NextDue = l.T("pathway."+p.PathwayID+".clock."+p.NextClock), p.NextDue.String()
			for _, c := range p.Clocks {
				if c.ID == p.NextClock {
					switch c.State {
					case discern.ClockOverdue, discern.ClockDueToday, discern.ClockDueSoon:
						row.Flag, row.FlagText = string(c.State), l.T("clock_state."+string(c.State))
					}
				}
			}
		}
		out = append(out, row)
	}
	return out
}

// ContactSafetyForm is the contact-safety form as typed: one line per
// channel, each with its days and one time window.
type ContactSafetyForm struct {
	DoNotContact bool
	TimeZone     string
	HasCodeWord  bool
	Channels     []ChannelForm
}

// ChannelForm is one channel's line of the form.
type ChannelForm struct {
	Channel discern.ContactChannel
	Safe    bool
	Days    []time.Weekday // none: every day
	// From and To are HH:MM; both empty: any time of day.
	From, To string
}

// HasDay reports whether the line names day d.
func (c ChannelForm) HasDay(d time.Weekday) bool { return slices.Contains(c.Days, d) }

// FormChannels are the channels the form offers, in its order.
var FormChannels = []discern.ContactChannel{discern.ChannelSMS, discern.ChannelPhone, discern.ChannelMessaging,
	discern.ChannelEmail, discern.ChannelInPerson, discern.ChannelViaWorker}

// Weekdays are the days the form offers, Monday first.
var Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// ContactFormFrom fills the form from stored rules. A channel with
// several windows shows its first: the form edits one window a channel.
func ContactFormFrom(rules discern.ContactSafety) ContactSafetyForm {
	f := ContactSafetyForm{DoNotContact: rules.DoNotContact, TimeZone: rules.TimeZone, HasCodeWord: rules.HasCodeWord}
	for _, ch := range FormChannels {
		line := ChannelForm{Channel: ch}
		for _, sc := range rules.Channels {
			if sc.Channel != ch {
				continue
			}
			line.Safe = true
			if len(sc.Windows) > 0 {
				w := sc.Windows[0]
				line.Days = slices.Clone(w.Weekdays)
				if w.From != 0 || w.To != 1440 { // the whole day is no times at all
					line.From, line.To = formTime(w.From), formTime(w.To)
				}
			}
		}
		f.Channels = append(f.Channels, line)
	}
	return f
}

func clockTime(m int) string {
	if m == 1440 {
		return "24:00"
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// formTime is a time for a time input, which knows no 24:00: a window
// ending at midnight ends at 00:00, which means the same (see
// discern.ContactWindow).
func formTime(m int) string { return clockTime(m % 1440) }

// parseClockTime reads HH:MM (24:00 is the end of the day) as minutes.
func parseClockTime(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

// ParseContactSafetyForm reads the contact-safety form into rules. Every
// field's problem names the field (time_zone, from-sms, …) so that the
// page can point at it. The code word itself is never asked for: only
// whether one is agreed.
func ParseContactSafetyForm(form url.Values) (discern.ContactSafety, ContactSafetyForm, FieldProblems) {
	f := ContactSafetyForm{DoNotContact: form.Get("do_not_contact") == "yes", TimeZone: strings.TrimSpace(form.Get("time_zone")),
		HasCodeWord: form.Get("code_word") == "yes"}
	rules := discern.ContactSafety{DoNotContact: f.DoNotContact, TimeZone: f.TimeZone, HasCodeWord: f.HasCodeWord}
	var ps FieldProblems
	if f.TimeZone != "" {
		if len(f.TimeZone) > 64 {
			ps = append(ps, FieldProblem{Field: "time_zone", Key: "contact.problem_time_zone", Value: f.TimeZone})
		} else if _, err := time.LoadLocation(f.TimeZone); err != nil || strings.EqualFold(f.TimeZone, "local") {
			ps = append(ps, FieldProblem{Field: "time_zone", Key: "contact.problem_time_zone", Value: f.TimeZone})
		}
	}
	for _, ch := range FormChannels {
		line := ChannelForm{Channel: ch, Safe: form.Get("channel-"+string(ch)) == "yes",
			From: strings.TrimSpace(form.Get("from-" + string(ch))), To: strings.TrimSpace(form.Get("to-" + string(ch)))}
		for _, d := range form["days-"+string(ch)] {
			n, err := strconv.Atoi(d)
			if err != nil || n < 0 || n > 6 {
				ps = append(ps, FieldProblem{Field: "days-" + string(ch), Key: "contact.problem_day", Value: d})
				continue
			}
			if !slices.Contains(line.Days, time.Weekday(n)) {
				line.Days = append(line.Days, time.Weekday(n))
			}
		}
		f.Channels = append(f.Channels, line)
		if !line.Safe {
			continue
		}
		sc := discern.SafeChannel{Channel: ch}
		switch {
		case line.From == "" && line.To == "" && len(line.Days) == 0:
			// Any time.
		case line.From == "" && line.To == "":
			sc.Windows = []discern.ContactWindow{{Weekdays: line.Days, From: 0, To: 1440}}
		default:
			from, okFrom := parseClockTime(line.From)
			to, okTo := parseClockTime(line.To)
			switch {
			case !okFrom:
				ps = append(ps, FieldProblem{Field: "from-" + string(ch), Key: "contact.problem_time", Value: line.From})
			case !okTo:
				ps = append(ps, FieldProblem{Field: "to-" + string(ch), Key: "contact.problem_time", Value: line.To})
			case from == to:
				ps = append(ps, FieldProblem{Field: "to-" + string(ch), Key: "contact.problem_same_time", Value: line.To})
			default:
				sc.Windows = []discern.ContactWindow{{Weekdays: line.Days, From: from, To: to}}
			}
		}
		rules.Channels = append(rules.Channels, sc)
	}
	if len(ps) == 0 {
		if err := rules.Validate(); err != nil {
			ps = append(ps, FieldProblem{Field: "time_zone", Key: "contact.problem_rules"})
		}
	}
	return rules, f, ps
}

// reminderRow is a reminder as the home page lists it.
type reminderRow struct {
	ID, Text, When string
	// Person is set for a message to the person; Delivery says where it
	// stands (ready to deliver on a channel, or held and why).
	Person         bool
	Held           bool
	Delivery       string
	Link, LinkText string
}

// reminderRows puts reminders into words. A reminder holds ids only;
// its text is made here, in the reader's language.
func reminderRows(l *Localizer, list []*casework.NotificationView, codes map[string]string) []reminderRow {
	out := make([]reminderRow, 0, len(list))
	for _, n := range list {
		row := reminderRow{ID: n.ID, Person: n.Audience == discern.AudiencePerson}
		due := n.Due.String()
		row.When = l.T("reminders.kind_"+string(n.Kind), "date", due)
		switch {
		case len(n.Redacted) > 0:
			row.Text = l.T("reminders.withheld", "class", l.T("class."+string(n.Class)))
		case n.Source == "plan":
			pathway, clock, _ := strings.Cut(n.Subject, ".")
			row.Text = l.T("reminders.plan", "clock", l.T("pathway."+pathway+".clock."+clock), "pathway", l.T("pathway."+pathway+".name"))
			row.Link, row.LinkText = URL(PathPlan, n.SourceID), l.T("reminders.open_plan")
		case n.Source == "referral" && n.Subject == casework.ReferralWaitingSubject:
			row.Text = l.T("reminders.referral_waiting")
		case n.Source == "referral":
			state := strings.TrimPrefix(n.Subject, "referral.")
			if slices.Contains([]string{"requested", "received", "accepted", "in_progress"}, state) {
				row.Text = l.T("reminders.referral_" + state)
			} else {
				row.Text = l.T("reminders.referral_other")
			}
			row.When = l.T("reminders.since", "date", due)
		default:
			row.Text = l.T("reminders.other")
		}
		if row.Link == "" && n.PersonID != "" {
			if code, ok := codes[n.PersonID]; ok {
				row.Link, row.LinkText = URL(PathPerson, n.PersonID), l.T("reminders.open_person", "code", code)
			}
		}
		if row.Person {
			ch := l.T("channel." + string(n.Channel))
			switch n.State {
			case discern.NoticeReady:
				row.Delivery = l.T("reminders.ready", "channel", ch)
			case discern.NoticeViaWorker:
				row.Delivery, row.Held = l.T("reminders.via_worker"), true
			case discern.NoticeDoNotContact:
				row.Delivery, row.Held = l.T("reminders.do_not_contact"), true
			case discern.NoticeOutsideWindow:
				row.Delivery, row.Held = l.T("reminders.outside_window"), true
			}
		}
		out = append(out, row)
	}
	return out
}

// contactView feeds the contact-safety partial.
type contactView struct {
	L        *Localizer
	PersonID string
	Recorded bool
	Rules    discern.ContactSafety
	Form     ContactSafetyForm
	Problems FieldProblems
	CanEdit  bool
	Weekdays []time.Weekday
	// Summary lines say the rules in words.
	Summary []string
}

func contactViewOf(l *Localizer, p *PersonPage) contactView {
	v := contactView{L: l, PersonID: p.Person.ID, CanEdit: p.CanEditContact, Form: p.ContactForm, Problems: p.ContactProblems, Weekdays: Weekdays}
	if p.Contact != nil {
		v.Recorded, v.Rules = p.Contact.Recorded, p.Contact.Rules
		if len(p.ContactProblems) == 0 {
			v.Form = ContactFormFrom(p.Contact.Rules)
		}
	}
	if len(v.Form.Channels) == 0 {
		v.Form = ContactFormFrom(discern.ContactSafety{})
	}
	v.Summary = contactSummary(l, v.Rules, v.Recorded)
	return v
}

// trackView feeds the "track_pathway" partial: a button that starts a
// plan for one pathway of the result, or a link to the plan tracking it.
type trackView struct {
	L                                                    *Localizer
	Show                                                 bool
	PersonID, ScreeningID, PathwayID, Jurisdiction, Name string
	PlanID                                               string
}

func trackDataOf(v *resultView, pw pathwayView) trackView {
	t := trackView{L: v.L, Show: v.CanTrack && !v.PrintView() && v.PersonID != "", PersonID: v.PersonID, ScreeningID: v.ScreeningID,
		PathwayID: pw.ID, Jurisdiction: pw.Jurisdiction, Name: pw.Name}
	t.PlanID = v.Tracked[pw.Jurisdiction+"/"+pw.ID]
	return t
}

func init() {
	// A date or time input shows only a value it can hold; what was typed
	// wrong is quoted in the field's message instead.
	funcs["validDate"] = func(s string) string {
		if d, err := discern.ParseDate(s); err == nil && d.Valid() {
			return s
		}
		return ""
	}
	funcs["validTime"] = func(s string) string {
		if m, ok := parseClockTime(s); ok && m < 1440 {
			return s
		}
		return ""
	}
	funcs["trackData"] = trackDataOf
	funcs["planRows"] = planRows
	funcs["reminderRows"] = reminderRows
	funcs["contactView"] = contactViewOf
	funcs["contactSummary"] = contactSummary
	funcs["weekdayNum"] = func(d time.Weekday) int { return int(d) }
}

// contactSummary says in words how a person may be reached: the person
// page's contact-safety section and a referral's packet.
func contactSummary(l *Localizer, rules discern.ContactSafety, recorded bool) []string {
	var out []string
	switch {
	case !recorded:
		out = append(out, l.T("contact.none_recorded"))
	case rules.DoNotContact:
		out = append(out, l.T("contact.summary_do_not_contact"))
	}
	if recorded && !rules.DoNotContact {
		for _, c := range rules.Channels {
			line := l.T("channel." + string(c.Channel))
			if len(c.Windows) == 0 {
				line += ": " + l.T("contact.any_time")
			}
			for _, w := range c.Windows {
				var days []string
				for _, d := range w.Weekdays {
					days = append(days, l.T("weekday."+strconv.Itoa(int(d))))
				}
				if len(days) == 0 {
					days = []string{l.T("contact.every_day")}
				}
				line += ": " + strings.Join(days, ", ") + " " + clockTime(w.From) + "–" + clockTime(w.To)
			}
			out = append(out, line)
		}
		if len(rules.Channels) == 0 {
			out = append(out, l.T("contact.none_recorded"))
		}
	}
	if recorded {
		tz := rules.TimeZone
		if tz == "" {
			tz = "UTC"
		}
		out = append(out, l.T("contact.summary_time_zone", "zone", tz))
		if rules.HasCodeWord {
			out = append(out, l.T("contact.summary_code_word"))
		}
	}
	return out
}
