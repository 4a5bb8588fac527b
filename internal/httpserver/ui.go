package httpserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

// The web interface's handlers (ui_*.go) serve the pages of package web
// on exactly its paths (web.Paths). They are plain handlers in the same
// route table as the API, so every page names its policy action and the
// authorization matrix covers it; what differs is how they fail: a page
// that is not signed in redirects to the sign-in page, and every other
// error is an error page in the user's language, never a JSON problem.

// langCookie holds the interface language a browser chose. It is not
// personal data, and it outlives sessions so that the sign-in page is in
// the user's language too.
const langCookie = "discern_lang"

// uiLang is the request's interface language: the one chosen with the
// switch, or English.
func uiLang(d *deps, r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		for _, l := range d.web.Languages() {
			if c.Value == l {
				return l
			}
		}
	}
	return d.web.Languages()[0]
}

// setLang remembers the interface language for a year.
func setLang(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// validLang reports whether lang is an interface language.
func validLang(d *deps, lang string) bool {
	for _, l := range d.web.Languages() {
		if l == lang {
			return true
		}
	}
	return false
}

// pageOf fills the chrome every page shares. On a signed-in route it
// names the user and their organization; a lookup that fails only leaves
// the name out, since the page itself is what the user came for.
func pageOf(d *deps, r *http.Request) web.Page {
	ctx := r.Context()
	st := stateOf(ctx)
	p := web.Page{Lang: uiLang(d, r), CurrentURL: r.URL.RequestURI(), RequestID: st.id}
	if st.principal == nil {
		return p
	}
	pr := *st.principal
	u := &web.UserInfo{ID: pr.UserID, Role: pr.Role}
	if user, err := d.accounts.FindUserByID(ctx, st.id, pr, pr.UserID); err == nil {
		u.DisplayName = user.DisplayName
	}
	if o, err := d.accounts.FindOrganization(ctx, st.id, pr, pr.OrgID); err == nil {
		u.OrgName = o.Name
	}
	p.User = u
	return p
}

// signInURL is the sign-in page, returning to next (a local path) after.
func signInURL(next string) string {
	next = web.LocalPath(next)
	if next == "/" {
		return web.PathSignIn
	}
	return web.PathSignIn + "?next=" + url.QueryEscape(next)
}

// toSignIn sends a browser that is not signed in to the sign-in page. A
// GET returns to the page asked for; a form sent without a session cannot
// be replayed after signing in, so it returns home.
func toSignIn(w http.ResponseWriter, r *http.Request) {
	next := "/"
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	http.Redirect(w, r, signInURL(next), http.StatusSeeOther)
}

// uiError answers a page's error: an expired session goes to sign in,
// everything else is an error page with the status the error's kind
// calls for. Internal errors are logged (never with personal data) and
// shown with the request ID to quote.
func uiError(d *deps, w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	k := discern.KindOf(err)
	if k == discern.KindUnauthorized {
		toSignIn(w, r)
		return
	}
	status := statusOf(k)
	if errors.Is(err, context.DeadlineExceeded) {
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		st := stateOf(ctx)
		d.log.ErrorContext(ctx, "page failed", "route", st.route, "request_id", st.id, "error", err.Error())
	}
	detail, _ := shownRefusal(err)
	uiStatusDetail(d, w, r, status, detail)
}

// uiStatus renders the error page for status.
func uiStatus(d *deps, w http.ResponseWriter, r *http.Request, status int) {
	uiStatusDetail(d, w, r, status, "")
}

func uiStatusDetail(d *deps, w http.ResponseWriter, r *http.Request, status int, detail string) {
	// Headers the failed handler may have set (a Location, a cookie) go.
	w.Header().Del("Location")
	pg := pageOf(d, r)
	// The language switch of an error page returns home: the page says
	// nothing about the record asked for, not even its id.
	pg.CurrentURL = "/"
	if err := d.web.Error(w, web.ErrorPage{Page: pg, Status: status, Detail: detail}); err != nil {
		d.log.ErrorContext(r.Context(), "render error page", "error", err.Error())
	}
}

// rendered logs a renderer's error; the renderer has already answered.
func rendered(d *deps, r *http.Request, err error) {
	if err != nil {
		d.log.ErrorContext(r.Context(), "render page", "route", stateOf(r.Context()).route, "error", err.Error())
	}
}

// page adapts a page handler that may fail to an http.Handler: the error
// becomes an error page.
func page(d *deps, h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			uiError(d, w, r, err)
		}
	})
}

// parseForm reads a posted form; a malformed one is the client's error.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return discern.Invalid("form", "The form is too large.")
		}
		return discern.Invalid("form", "The form could not be read.")
	}
	return nil
}

// seeOther redirects after a successful POST, so that reloading the page
// does not send the form again.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// uiDeny answers a page route the policy refused before the handler ran:
// a session that still owes its second factor is sent to that step, any
// other refusal is a 403 page.
func uiDeny(d *deps, w http.ResponseWriter, r *http.Request, p auth.Principal, err error) {
	if auth.MFARequired(p.Role) && !p.MFAEnrolled && !p.ViaToken {
		next := "/"
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		http.Redirect(w, r, web.PathSignInSetup+"?next="+url.QueryEscape(web.LocalPath(next)), http.StatusSeeOther)
		return
	}
	if p.MFAEnrolled && !p.MFAVerified && !p.ViaToken {
		next := "/"
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		http.Redirect(w, r, web.PathSignInCode+"?next="+url.QueryEscape(web.LocalPath(next)), http.StatusSeeOther)
		return
	}
	uiError(d, w, r, err)
}

// isPage reports whether a route serves the web interface.
func isPage(path string) bool { return !strings.HasPrefix(path, "/api/") && !isOps(path) }

func isOps(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// day is a day's length, for due dates.
const day = 24 * time.Hour
