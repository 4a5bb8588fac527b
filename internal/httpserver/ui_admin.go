package httpserver

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

// Administration pages: the organization's users and its settings,
// through the accounts service, which decides and audits.

// uiAdminUsers is GET /admin/users.
func uiAdminUsers(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principalOf(ctx)
		us, next, err := d.accounts.FindUsers(ctx, requestID(ctx), p, discern.UserFilter{OrgID: p.OrgID,
			Page: discern.Page{Limit: listLimit, Cursor: r.URL.Query().Get("cursor")}})
		if err != nil {
			return err
		}
		pg := web.AdminUsersPage{Page: pageOf(d, r), Users: web.UserRows(us)}
		if next != "" {
			pg.NextURL = web.PathAdminUsers + "?" + url.Values{"cursor": {next}}.Encode()
		}
		return d.web.AdminUsers(w, pg)
	})
}

// uiAdminUserForm is GET /admin/users/new.
func uiAdminUserForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		return d.web.AdminUserForm(w, web.AdminUserFormPage{Page: pageOf(d, r), Form: web.UserForm{Role: discern.RoleScreener}})
	})
}

// uiAdminUserCreate is POST /admin/users/new. The administrator sets a
// first password and gives it to the new colleague in person; it is
// checked against the password policy and never written back into a page.
func uiAdminUserCreate(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		f, problems := web.ParseUserForm(r.PostForm)
		if len(problems) == 0 {
			_, err := d.accounts.CreateUser(ctx, requestID(ctx), principalOf(ctx), accounts.NewUser{Email: f.Email,
				DisplayName: f.DisplayName, Role: f.Role, TeamID: f.TeamID, Password: f.Password}, nil)
			var de *discern.Error
			switch {
			case err == nil:
				return seeOther(w, r, web.PathAdminUsers)
			case discern.KindOf(err) == discern.KindConflict:
				problems = append(problems, web.FieldProblem{Field: "email", Key: "problem.email_taken", Value: f.Email})
			case errors.As(err, &de) && de.Kind == discern.KindInvalid && de.Field == "password":
				problems = append(problems, web.FieldProblem{Field: "password", Key: "problem.password"})
			case discern.KindOf(err) == discern.KindInvalid:
				problems = append(problems, web.FieldProblem{Field: "email", Key: "problem.email", Value: f.Email})
			default:
				return err
			}
		}
		f.Password = ""
		rendered(d, r, d.web.AdminUserForm(w, web.AdminUserFormPage{Page: pageOf(d, r), Form: f, Problems: problems}))
		return nil
	})
}

// uiAdminUserDisable is POST /admin/users/{id}/disable. Disabling ends
// the user's sessions and tokens (the accounts service does).
func uiAdminUserDisable(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		if _, err := d.accounts.DisableUser(ctx, requestID(ctx), principalOf(ctx), r.PathValue("id")); err != nil {
			return err
		}
		return seeOther(w, r, web.PathAdminUsers)
	})
}

// uiAdminOrg is GET /admin/organization.
func uiAdminOrg(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principalOf(ctx)
		o, err := d.accounts.FindOrganization(ctx, requestID(ctx), p, p.OrgID)
		if err != nil {
			return err
		}
		return d.web.AdminOrg(w, web.AdminOrgPage{Page: pageOf(d, r), Org: o, Form: web.OrgFormFrom(o),
			Saved: r.URL.Query().Get("saved") == "1"})
	})
}

// uiAdminOrgSave is POST /admin/organization.
func uiAdminOrgSave(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		p := principalOf(ctx)
		o, err := d.accounts.FindOrganization(ctx, requestID(ctx), p, p.OrgID)
		if err != nil {
			return err
		}
		f, problems := web.ParseOrgForm(d.web.Bundle(), r.PostForm)
		if len(problems) > 0 {
			rendered(d, r, d.web.AdminOrg(w, web.AdminOrgPage{Page: pageOf(d, r), Org: o, Form: f, Problems: problems}))
			return nil
		}
		// The legal exceptions are kept apart, on their own form.
		f.Settings.LegalExceptions = o.Settings.LegalExceptions
		if _, err := d.accounts.UpdateOrganization(ctx, requestID(ctx), p, o.ID, discern.OrganizationUpdate{
			Name: &f.Name, Country: &f.Country, Region: &f.Region, Settings: &f.Settings}); err != nil {
			return err
		}
		return seeOther(w, r, web.PathAdminOrg+"?saved=1")
	})
}

// uiAdminExceptionAdd is POST /admin/organization/exceptions: a new legal
// exception to consent, in use at once.
func uiAdminExceptionAdd(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		f, problems := web.ParseExceptionForm(r.PostForm)
		return changeExceptions(d, w, r, func(o *discern.Organization, list []discern.LegalException) ([]discern.LegalException, error) {
			if len(problems) > 0 {
				rendered(d, r, d.web.AdminOrg(w, web.AdminOrgPage{Page: pageOf(d, r), Org: o, Form: web.OrgFormFrom(o),
					ExceptionForm: f, ExceptionProblems: problems}))
				return nil, nil
			}
			return append(list, f.NewException(o.Settings)), nil
		})
	})
}

// uiAdminExceptionToggle is POST /admin/organization/exceptions/toggle:
// an exception is put in use or stopped; it is never deleted, so that the
// referrals made under it keep their meaning.
func uiAdminExceptionToggle(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		id := r.PostForm.Get("id")
		return changeExceptions(d, w, r, func(_ *discern.Organization, list []discern.LegalException) ([]discern.LegalException, error) {
			for i := range list {
				if list[i].ID == id {
					list[i].Active = !list[i].Active
					return list, nil
				}
			}
			return nil, discern.Errorf(discern.KindNotFound, "There is no such legal exception.")
		})
	})
}

// changeExceptions applies change to a copy of the organization's legal
// exceptions and saves them; change returning nil, nil has answered the
// request itself (a form shown again).
func changeExceptions(d *deps, w http.ResponseWriter, r *http.Request,
	change func(*discern.Organization, []discern.LegalException) ([]discern.LegalException, error)) error {
	ctx := r.Context()
	p := principalOf(ctx)
	o, err := d.accounts.FindOrganization(ctx, requestID(ctx), p, p.OrgID)
	if err != nil {
		return err
	}
	list, err := change(o, slices.Clone(o.Settings.LegalExceptions))
	if err != nil || list == nil {
		return err
	}
	settings := o.Settings
	settings.LegalExceptions = list
	if _, err := d.accounts.UpdateOrganization(ctx, requestID(ctx), p, o.ID, discern.OrganizationUpdate{Settings: &settings}); err != nil {
		return err
	}
	return seeOther(w, r, web.PathAdminOrg+"?saved=1#exceptions")
}
