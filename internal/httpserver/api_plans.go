package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
)

// clockBody is a plan clock; dates are YYYY-MM-DD. Working days skip
// weekends only: public holidays are not modelled.
type clockBody struct {
	ID           string            `json:"id"`
	Rule         discern.ClockRule `json:"rule"`
	Start        string            `json:"start,omitempty"`
	Entered      string            `json:"entered,omitempty" doc:"A date entered by hand, which wins over the count."`
	Due          string            `json:"due,omitempty"`
	State        string            `json:"state" enum:"not_set,running,due_soon,due_today,overdue"`
	RemindPerson bool              `json:"remind_person,omitempty"`
}

// planBody is a plan item. A plan whose class the caller may not see
// shows only id, person_id, class and redacted.
type planBody struct {
	ID           string             `json:"id"`
	PersonID     string             `json:"person_id"`
	Class        string             `json:"class" enum:"case,immigration,criminal_justice"`
	ScreeningID  string             `json:"screening_id,omitempty"`
	PathwayID    string             `json:"pathway_id,omitempty"`
	Jurisdiction string             `json:"jurisdiction,omitempty"`
	Status       string             `json:"status,omitempty"`
	Moves        []string           `json:"moves,omitempty"`
	Steps        []discern.PlanStep `json:"steps,omitempty"`
	Clocks       []clockBody        `json:"clocks,omitempty"`
	NextClock    string             `json:"next_clock,omitempty"`
	NextDue      string             `json:"next_due,omitempty"`
	Overdue      bool               `json:"overdue,omitempty"`
	Notes        *string            `json:"notes,omitempty"`
	Version      int                `json:"version,omitempty"`
	CreatedAt    *time.Time         `json:"created_at,omitempty"`
	Redacted     []string           `json:"redacted,omitempty"`
}

func dateStr(d *discern.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func planOf(v *casework.PlanView) planBody {
	b := planBody{ID: v.ID, PersonID: v.PersonID, Class: string(v.Class), Redacted: codeNames(v.Redacted)}
	if len(v.Redacted) > 0 {
		return b
	}
	b.ScreeningID, b.PathwayID, b.Jurisdiction, b.Status = v.ScreeningID, v.PathwayID, v.Jurisdiction, string(v.Status)
	for _, m := range v.Moves {
		b.Moves = append(b.Moves, string(m))
	}
	b.Steps, b.NextClock, b.NextDue, b.Overdue, b.Notes, b.Version = v.Steps, v.NextClock, dateStr(v.NextDue), v.Overdue, v.Notes, v.Version
	b.CreatedAt = &v.CreatedAt
	for _, c := range v.Clocks {
		b.Clocks = append(b.Clocks, clockBody{ID: c.ID, Rule: c.Rule, Start: dateStr(c.Start), Entered: dateStr(c.Entered),
			Due: dateStr(c.Due), State: string(c.State), RemindPerson: c.RemindPerson})
	}
	return b
}

type planOutput struct{ Body planBody }

func listPlans(svc *casework.Service) func(huma.API, huma.Operation) {
	type output struct{ Body List[planBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *PersonPath) (*output, error) {
			vs, err := svc.ListPlans(ctx, actorOf(ctx), in.PersonID)
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(vs, "", planOf)}, nil
		})
	}
}

func startPlan(svc *casework.Service) func(huma.API, huma.Operation) {
	type planStart struct {
		ScreeningID  string `json:"screening_id" maxLength:"26"`
		PathwayID    string `json:"pathway_id" maxLength:"64"`
		Jurisdiction string `json:"jurisdiction" maxLength:"64"`
	}
	type input struct {
		PersonPath
		Body planStart
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*planOutput, error) {
			v, err := svc.StartPlan(ctx, actorOf(ctx), casework.PlanInput{PersonID: in.PersonID, ScreeningID: in.Body.ScreeningID,
				PathwayID: in.Body.PathwayID, Jurisdiction: in.Body.Jurisdiction})
			if err != nil {
				return nil, err
			}
			return &planOutput{Body: planOf(v)}, nil
		})
	}
}

// PlanPath names a plan item.
type PlanPath struct {
	PlanID string `path:"plan_id" maxLength:"26"`
}

func getPlan(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *PlanPath) (*planOutput, error) {
			v, err := svc.GetPlan(ctx, actorOf(ctx), in.PlanID)
			if err != nil {
				return nil, err
			}
			return &planOutput{Body: planOf(v)}, nil
		})
	}
}

func optDate(s string) (*discern.Date, error) {
	if s == "" {
		return nil, nil
	}
	d, err := discern.ParseDate(s)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func updatePlan(svc *casework.Service) func(huma.API, huma.Operation) {
	type planChange struct {
		Version int     `json:"version" doc:"The version read; a stale one is a conflict."`
		Status  string  `json:"status,omitempty" enum:"considering,preparing,submitted,decided_granted,decided_refused,withdrawn,closed"`
		Step    string  `json:"step,omitempty" maxLength:"64" doc:"A step to tick (with done) or untick."`
		Done    bool    `json:"done,omitempty"`
		Clock   string  `json:"clock,omitempty" maxLength:"64" doc:"A clock whose start and date to set; empty dates clear."`
		Start   string  `json:"start,omitempty" maxLength:"10"`
		Due     string  `json:"due,omitempty" maxLength:"10"`
		Remind  bool    `json:"remind_person,omitempty"`
		Notes   *string `json:"notes,omitempty" maxLength:"20000"`
	}
	type input struct {
		PlanPath
		Body planChange
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*planOutput, error) {
			b := in.Body
			ch := casework.PlanChange{Version: b.Version, Notes: b.Notes}
			if b.Status != "" {
				st := discern.PlanStatus(b.Status)
				ch.Status = &st
			}
			if b.Step != "" {
				ch.Step = &casework.StepChange{ID: b.Step, Done: b.Done}
			}
			if b.Clock != "" {
				start, err := optDate(b.Start)
				if err != nil {
					return nil, err
				}
				due, err := optDate(b.Due)
				if err != nil {
					return nil, err
				}
				ch.Clock = &casework.ClockChange{ID: b.Clock, Start: start, Due: due, RemindPerson: b.Remind}
			}
			v, err := svc.UpdatePlan(ctx, actorOf(ctx), in.PlanID, ch)
			if err != nil {
				return nil, err
			}
			return &planOutput{Body: planOf(v)}, nil
		})
	}
}

// contactSafetyBody is a person's contact-safety rules. Discern stores
// only that a code word is agreed, never the word.
type contactSafetyBody struct {
	DoNotContact bool                  `json:"do_not_contact"`
	Channels     []discern.SafeChannel `json:"channels"`
	TimeZone     string                `json:"time_zone,omitempty" maxLength:"64"`
	HasCodeWord  bool                  `json:"has_code_word"`
	Recorded     bool                  `json:"recorded" readOnly:"true"`
}

func contactOf(v *casework.ContactSafetyView) contactSafetyBody {
	ch := v.Rules.Channels
	if ch == nil {
		ch = []discern.SafeChannel{}
	}
	return contactSafetyBody{DoNotContact: v.Rules.DoNotContact, Channels: ch, TimeZone: v.Rules.TimeZone,
		HasCodeWord: v.Rules.HasCodeWord, Recorded: v.Recorded}
}

type contactOutput struct{ Body contactSafetyBody }

func getContactSafety(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *PersonPath) (*contactOutput, error) {
			v, err := svc.GetContactSafety(ctx, actorOf(ctx), in.PersonID)
			if err != nil {
				return nil, err
			}
			return &contactOutput{Body: contactOf(v)}, nil
		})
	}
}

func putContactSafety(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		Body contactSafetyBody
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*contactOutput, error) {
			b := in.Body
			v, err := svc.PutContactSafety(ctx, actorOf(ctx), in.PersonID, discern.ContactSafety{DoNotContact: b.DoNotContact,
				Channels: b.Channels, TimeZone: b.TimeZone, HasCodeWord: b.HasCodeWord})
			if err != nil {
				return nil, err
			}
			return &contactOutput{Body: contactOf(v)}, nil
		})
	}
}

// notificationBody is a reminder. A person notification that is "ready"
// is ready for the worker to deliver: Discern sends no SMS or e-mail.
type notificationBody struct {
	ID       string   `json:"id"`
	PersonID string   `json:"person_id,omitempty"`
	Audience string   `json:"audience" enum:"worker,person"`
	Class    string   `json:"class"`
	Source   string   `json:"source"`
	SourceID string   `json:"source_id,omitempty"`
	Subject  string   `json:"subject,omitempty"`
	Kind     string   `json:"kind" enum:"due_soon,due_today,overdue"`
	Due      string   `json:"due"`
	Channel  string   `json:"channel,omitempty"`
	State    string   `json:"state" enum:"shown,ready,via_worker,do_not_contact,outside_window,dismissed"`
	Reason   string   `json:"reason,omitempty"`
	Redacted []string `json:"redacted,omitempty"`
}

func notificationOf(v *casework.NotificationView) notificationBody {
	return notificationBody{ID: v.ID, PersonID: v.PersonID, Audience: string(v.Audience), Class: string(v.Class), Source: v.Source,
		SourceID: v.SourceID, Subject: v.Subject, Kind: string(v.Kind), Due: v.Due.String(), Channel: string(v.Channel),
		State: string(v.State), Reason: v.Reason, Redacted: codeNames(v.Redacted)}
}

func listNotifications(svc *casework.Service) func(huma.API, huma.Operation) {
	type output struct{ Body List[notificationBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *struct{}) (*output, error) {
			vs, err := svc.ListNotifications(ctx, actorOf(ctx), "")
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(vs, "", notificationOf)}, nil
		})
	}
}

// NotificationPath names a notification.
type NotificationPath struct {
	NotificationID string `path:"notification_id" maxLength:"26"`
}

func dismissNotification(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, in *NotificationPath) (*noContent, error) {
			return &noContent{}, svc.DismissNotification(ctx, actorOf(ctx), in.NotificationID)
		})
	}
}
