package httpserver

import (
	"context"
	"net/http"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

// The pages of pathway tracking (plans), contact safety and reminders.
// As everywhere, the casework service decides, redacts and audits; these
// handlers gather what a page shows and turn forms into calls.

// personPlans fills the person page's plans and contact-safety parts. A
// role that may not read them sees the parts left out, not an error.
func personPlans(ctx context.Context, d *deps, a casework.Actor, personID string, p *web.PersonPage) error {
	var err error
	if p.Plans, err = d.casework.ListPlans(ctx, a, personID); err != nil && !refused(err) {
		return err
	}
	cs, err := d.casework.GetContactSafety(ctx, a, personID)
	switch {
	case err == nil:
		p.Contact, p.CanEditContact = cs, allowed(a.Principal, auth.ContactUpdate)
	case !refused(err):
		return err
	}
	return nil
}

// homeReminders is the caller's open reminders, for the home page; a role
// without reminders has none.
func homeReminders(ctx context.Context, d *deps, a casework.Actor) ([]*casework.NotificationView, error) {
	list, err := d.casework.ListNotifications(ctx, a, "")
	if err != nil && !refused(err) {
		return nil, err
	}
	return list, nil
}

// trackedPathways offers "Track this pathway" on a person's screening
// result, and maps the pathways already tracked from it to their plans.
func trackedPathways(ctx context.Context, d *deps, a casework.Actor, sv *casework.ScreeningView, p *web.ResultPage) {
	if sv.PersonID == "" || len(sv.Redacted) > 0 || !allowed(a.Principal, auth.PlansCreate) {
		return
	}
	p.CanTrack = true
	plans, err := d.casework.ListPlans(ctx, a, sv.PersonID)
	if err != nil {
		return
	}
	p.Tracked = map[string]string{}
	for _, pl := range plans {
		if pl.ScreeningID == sv.ID && len(pl.Redacted) == 0 && pl.Status != discern.PlanClosed {
			p.Tracked[pl.Jurisdiction+"/"+pl.PathwayID] = pl.ID
		}
	}
}

// uiPlanStart is POST /people/{id}/plans: start tracking a pathway of one
// of the person's screening results, then show the plan.
func uiPlanStart(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		f := r.PostForm
		pv, err := d.casework.StartPlan(ctx, actorOf(ctx), casework.PlanInput{PersonID: r.PathValue("id"),
			ScreeningID: f.Get("screening"), PathwayID: f.Get("pathway"), Jurisdiction: f.Get("jurisdiction")})
		if err != nil {
			return err
		}
		return seeOther(w, r, web.URL(web.PathPlan, pv.ID))
	})
}

// uiPlan is GET /plans/{id}.
func uiPlan(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		return renderPlan(d, w, r, web.PlanForm{}, nil, false)
	})
}

func renderPlan(d *deps, w http.ResponseWriter, r *http.Request, form web.PlanForm, problems web.FieldProblems, conflict bool) error {
	ctx := r.Context()
	a := actorOf(ctx)
	pv, err := d.casework.GetPlan(ctx, a, r.PathValue("id"))
	if err != nil {
		return err
	}
	p := web.PlanPage{Page: pageOf(d, r), Plan: pv, PersonID: pv.PersonID, CaseCode: caseCodeOf(ctx, d, pv.PersonID),
		UserNames: userNames(ctx, d), CanEdit: len(pv.Redacted) == 0 && allowed(a.Principal, auth.PlansUpdate),
		Form: form, Problems: problems, Conflict: conflict}
	rendered(d, r, d.web.Plan(w, p))
	return nil
}

// uiPlanUpdate is POST /plans/{id}: a status move, a step ticked or
// unticked, a clock's dates or the notes. A form that cannot be read is
// shown again with its problems; a change made meanwhile by someone else
// shows the plan as it now stands (409), to try again.
func uiPlanUpdate(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		form, ch, problems := web.ParsePlanForm(r.PostForm)
		if len(problems) > 0 {
			return renderPlan(d, w, r, form, problems, false)
		}
		ctx := r.Context()
		id := r.PathValue("id")
		_, err := d.casework.UpdatePlan(ctx, actorOf(ctx), id, ch)
		switch {
		case discern.KindOf(err) == discern.KindConflict:
			return renderPlan(d, w, r, web.PlanForm{}, nil, true)
		case err != nil:
			return err
		}
		to := web.URL(web.PathPlan, id)
		switch {
		case ch.Clock != nil:
			to += "#clock-" + ch.Clock.ID
		case ch.Step != nil:
			to += "#steps-h"
		case ch.Notes != nil:
			to += "#plan-notes-h"
		}
		return seeOther(w, r, to)
	})
}

// uiContactSafety is POST /people/{id}/contact-safety.
func uiContactSafety(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		rules, form, problems := web.ParseContactSafetyForm(r.PostForm)
		if len(problems) > 0 {
			return renderPerson(d, w, r, web.NoteForm{}, nil, func(p *web.PersonPage) {
				p.ContactForm, p.ContactProblems = form, problems
			})
		}
		ctx := r.Context()
		id := r.PathValue("id")
		if _, err := d.casework.PutContactSafety(ctx, actorOf(ctx), id, rules); err != nil {
			return err
		}
		return seeOther(w, r, web.URL(web.PathPerson, id)+"#contact-safety")
	})
}

// uiNotificationDismiss is POST /notifications/{id}/dismiss: only the
// worker a reminder is for may dismiss it.
func uiNotificationDismiss(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		if err := d.casework.DismissNotification(ctx, actorOf(ctx), r.PathValue("id")); err != nil {
			return err
		}
		return seeOther(w, r, "/#reminders")
	})
}
