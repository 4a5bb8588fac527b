package httpserver

import (
	"context"
	"net/http"
	"net/url"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

// The pages of people and their records. Every read and write goes
// through the casework service, which decides, redacts and audits; these
// handlers only gather what a page shows.

// listLimit is how many rows a page's list shows before "more".
const listLimit = 50

// caseCodes maps the ids of the people the user may see to their case
// codes, for lists that link to people. Listing people reads case codes
// only, so it is not an audited read of anyone's identity.
func caseCodes(ctx context.Context, cw *casework.Service, a casework.Actor) map[string]string {
	out := map[string]string{}
	ps, _, err := cw.ListPeople(ctx, a, casework.PeopleQuery{Limit: 200})
	if err != nil {
		return out
	}
	for _, p := range ps {
		out[p.ID] = p.CaseCode
	}
	return out
}

// userNames maps the organization's user ids to display names, for
// authors and assignees; a role that may not list users sees ids.
func userNames(ctx context.Context, d *deps) map[string]string {
	out := map[string]string{}
	p := principalOf(ctx)
	us, _, err := d.accounts.FindUsers(ctx, requestID(ctx), p, discern.UserFilter{OrgID: p.OrgID, Page: discern.Page{Limit: 200}})
	if err != nil {
		return out
	}
	for _, u := range us {
		out[u.ID] = u.DisplayName
	}
	return out
}

// allowed reports whether the principal may do action on the best case,
// to decide whether a page offers a link at all (the target still
// decides on the record).
func allowed(p auth.Principal, action auth.Action) bool {
	best := auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID, Classes: auth.AllClasses}
	if len(p.TeamIDs) > 0 {
		best.TeamID = p.TeamIDs[0]
	}
	return auth.Decide(p, action, best).Allowed
}

// uiHome is GET /: my drafts, my recent screenings and my open tasks.
func uiHome(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		a := actorOf(ctx)
		cw := d.casework
		// A role without screenings or tasks (an analyst, an
		// administrator) has a home too: what it may not list is empty.
		drafts, _, err := cw.ListScreenings(ctx, a, casework.ScreeningQuery{ScreenerID: a.UserID, Status: string(discern.ScreeningDraft), Limit: 20})
		if err != nil && !refused(err) {
			return err
		}
		done, _, err := cw.ListScreenings(ctx, a, casework.ScreeningQuery{ScreenerID: a.UserID, Status: string(discern.ScreeningComplete), Limit: 10})
		if err != nil && !refused(err) {
			return err
		}
		tasks, _, err := cw.ListTasks(ctx, a, casework.TaskQuery{AssigneeID: a.UserID, Status: string(discern.TaskOpen), Limit: 20})
		if err != nil && !refused(err) {
			return err
		}
		reminders, err := homeReminders(ctx, d, a)
		if err != nil {
			return err
		}
		return d.web.Home(w, web.HomePage{Page: pageOf(d, r), Drafts: drafts, Completed: done, Tasks: tasks,
			CaseCodes: caseCodes(ctx, cw, a), Reminders: reminders})
	})
}

// uiPeople is GET /people: people by case code, newest first, or the one
// with the case code searched for.
func uiPeople(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		return renderPeople(d, w, r, casework.PersonInput{}, nil)
	})
}

func renderPeople(d *deps, w http.ResponseWriter, r *http.Request, form casework.PersonInput, problems web.FieldProblems) error {
	ctx := r.Context()
	q := r.URL.Query()
	code := q.Get("case_code")
	people, next, err := d.casework.ListPeople(ctx, actorOf(ctx), casework.PeopleQuery{CaseCode: code, Limit: listLimit, Cursor: q.Get("cursor")})
	if err != nil && discern.KindOf(err) != discern.KindInvalid {
		return err
	}
	p := web.PeoplePage{Page: pageOf(d, r), People: people, Query: code, Form: form, Problems: problems}
	if next != "" {
		v := url.Values{"cursor": {next}}
		if code != "" {
			v.Set("case_code", code)
		}
		p.NextURL = web.PathPeople + "?" + v.Encode()
	}
	rendered(d, r, d.web.People(w, p))
	return nil
}

// uiPersonCreate is POST /people: records a person (a case code alone
// unless more is given) and shows their page.
func uiPersonCreate(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		in, problems := web.ParsePersonForm(r.PostForm)
		if len(problems) > 0 {
			return renderPeople(d, w, r, in, problems)
		}
		ctx := r.Context()
		a := actorOf(ctx)
		in.AssignedTo = a.UserID
		if len(a.TeamIDs) > 0 {
			in.TeamID = a.TeamIDs[0]
		}
		pv, err := d.casework.CreatePerson(ctx, a, in)
		if err != nil {
			return err
		}
		return seeOther(w, r, web.URL(web.PathPerson, pv.ID))
	})
}

// uiPerson is GET /people/{id}: the person, their screenings, notes,
// tasks and encounters.
func uiPerson(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		return renderPerson(d, w, r, web.NoteForm{}, nil)
	})
}

// renderPerson shows the person page; extra fills in what a form posted
// to another part of the page keeps when it is shown again.
func renderPerson(d *deps, w http.ResponseWriter, r *http.Request, note web.NoteForm, problems web.FieldProblems, extra ...func(*web.PersonPage)) error {
	ctx := r.Context()
	a := actorOf(ctx)
	cw := d.casework
	id := r.PathValue("id")
	pv, err := cw.GetPerson(ctx, a, id)
	if err != nil {
		return err
	}
	p := web.PersonPage{Page: pageOf(d, r), Person: pv, NoteForm: note, Problems: problems,
		CanSeeAccess: allowed(a.Principal, auth.AuditRead), UserNames: userNames(ctx, d)}
	// A role may see the person but not every kind of record about them:
	// what it may not see is left out, not an error.
	if p.Screenings, _, err = cw.ListScreenings(ctx, a, casework.ScreeningQuery{PersonID: id, Limit: listLimit}); err != nil && !refused(err) {
		return err
	}
	if p.Notes, _, err = cw.ListNotes(ctx, a, id, listLimit, ""); err != nil && !refused(err) {
		return err
	}
	if p.Tasks, _, err = cw.ListTasks(ctx, a, casework.TaskQuery{PersonID: id, Limit: listLimit}); err != nil && !refused(err) {
		return err
	}
	if p.Encounters, _, err = cw.ListEncounters(ctx, a, id, listLimit, ""); err != nil && !refused(err) {
		return err
	}
	if err := sharingOf(d, r, &p); err != nil {
		return err
	}
	if err := personPlans(ctx, d, a, id, &p); err != nil {
		return err
	}
	for _, f := range extra {
		f(&p)
	}
	rendered(d, r, d.web.Person(w, p))
	return nil
}

// refused reports a policy refusal, as opposed to a failure.
func refused(err error) bool {
	k := discern.KindOf(err)
	return k == discern.KindForbidden || k == discern.KindNotFound
}

// uiNoteCreate is POST /people/{id}/notes.
func uiNoteCreate(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		f, problems := web.ParseNoteForm(r.PostForm)
		if len(problems) > 0 {
			return renderPerson(d, w, r, f, problems)
		}
		ctx := r.Context()
		id := r.PathValue("id")
		if _, err := d.casework.CreateNote(ctx, actorOf(ctx), id, f.Class, f.Body); err != nil {
			return err
		}
		return seeOther(w, r, web.URL(web.PathPerson, id)+"#notes")
	})
}

// uiTaskStatus is POST /tasks/{id}/status: done, cancelled or open again.
func uiTaskStatus(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		st := discern.TaskStatus(r.PostForm.Get("status"))
		if !st.Valid() {
			return discern.Invalid("status", "status must be open, done or cancelled.")
		}
		ctx := r.Context()
		tv, err := d.casework.UpdateTaskStatus(ctx, actorOf(ctx), r.PathValue("id"), st)
		if err != nil {
			return err
		}
		if tv.PersonID != "" {
			return seeOther(w, r, web.URL(web.PathPerson, tv.PersonID))
		}
		return seeOther(w, r, "/")
	})
}

// uiAccess is GET /people/{id}/access and /screenings/{id}/access: who
// read or changed the record.
func uiAccess(d *deps, targetType string) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		a := actorOf(ctx)
		id := r.PathValue("id")
		label := ""
		switch targetType {
		case "person":
			pv, err := d.casework.GetPerson(ctx, a, id)
			if err != nil {
				return err
			}
			label = pv.CaseCode
		case "screening":
			if _, err := d.casework.GetScreening(ctx, a, id); err != nil {
				return err
			}
			label = id
		}
		entries, next, err := d.casework.AccessHistory(ctx, a, targetType, id, listLimit, r.URL.Query().Get("cursor"))
		if err != nil {
			return err
		}
		p := web.AccessPage{Page: pageOf(d, r), TargetType: targetType, TargetID: id, Label: label,
			Entries: entries, UserNames: userNames(ctx, d)}
		if next != "" {
			p.NextURL = r.URL.Path + "?" + url.Values{"cursor": {next}}.Encode()
		}
		return d.web.Access(w, p)
	})
}
