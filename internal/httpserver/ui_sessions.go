package httpserver

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/metrics"
	"github.com/discern-org/discern/internal/web"
)

// Signing in and out in the browser: the same accounts calls as the JSON
// sessions endpoints, with forms and redirects.

// uiSignInForm is GET /signin.
func uiSignInForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		return d.web.SignIn(w, web.SignInPage{Page: pageOf(d, r), Next: r.URL.Query().Get("next")})
	})
}

// uiSignIn is POST /signin: email and password. A user with a second
// factor goes on to the code step; everyone else to where they were going.
func uiSignIn(d *deps, reg *metrics.Registry) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		st := stateOf(r.Context())
		email, next := strings.TrimSpace(r.PostForm.Get("email")), web.LocalPath(r.PostForm.Get("next"))
		res, err := d.accounts.SignIn(r.Context(), accounts.SignInRequest{
			Email: email, Password: r.PostForm.Get("password"),
			Addr: st.addr, PreviousToken: st.sessionToken, RequestID: st.id,
		})
		signInOutcome(reg, err, res)
		if err != nil {
			switch discern.KindOf(err) {
			case discern.KindUnauthorized, discern.KindInvalid, discern.KindRateLimited:
				// One message for every refusal, as the API: it must not
				// tell which part was wrong or whether the account exists.
				p := web.SignInPage{Page: pageOf(d, r), Email: email, Next: next,
					Problems: web.FieldProblems{{Field: "email", Key: "problem.signin_failed"}}}
				rendered(d, r, d.web.SignIn(w, p))
				return nil
			}
			return err
		}
		http.SetCookie(w, auth.SessionCookie(res.Token))
		if res.MFAEnrollmentRequired {
			return seeOther(w, r, web.PathSignInSetup+"?next="+url.QueryEscape(next))
		}
		if res.MFARequired {
			return seeOther(w, r, web.PathSignInCode+"?next="+url.QueryEscape(next))
		}
		return seeOther(w, r, next)
	})
}

// uiCodeForm is GET /signin/code, the second-factor step.
func uiCodeForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if stateOf(r.Context()).sessionToken == "" {
			return seeOther(w, r, signInURL(r.URL.Query().Get("next")))
		}
		return d.web.SignIn(w, web.SignInPage{Page: pageOf(d, r), CodeStep: true, Next: r.URL.Query().Get("next")})
	})
}

// uiCode is POST /signin/code: the half-signed-in session is replaced by
// a verified one.
func uiCode(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		st := stateOf(r.Context())
		next := web.LocalPath(r.PostForm.Get("next"))
		if st.sessionToken == "" {
			return seeOther(w, r, signInURL(next))
		}
		res, err := d.accounts.VerifyMFA(r.Context(), st.id, st.sessionToken, strings.TrimSpace(r.PostForm.Get("code")), st.addr)
		if err != nil {
			switch discern.KindOf(err) {
			case discern.KindUnauthorized, discern.KindInvalid, discern.KindRateLimited:
				p := web.SignInPage{Page: pageOf(d, r), CodeStep: true, Next: next,
					Problems: web.FieldProblems{{Field: "code", Key: "problem.code"}}}
				rendered(d, r, d.web.SignIn(w, p))
				return nil
			}
			return err
		}
		http.SetCookie(w, auth.SessionCookie(res.Token))
		return seeOther(w, r, next)
	})
}

// uiSetupForm is GET /signin/setup: a user whose role needs a second
// factor, and who has none yet, is shown a new secret to add to an
// authenticator app. Nothing is stored until the first code confirms it.
func uiSetupForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		enr, err := d.accounts.BeginTOTP(r.Context(), requestID(r.Context()), principalOf(r.Context()))
		if err != nil {
			return err
		}
		return d.web.SignIn(w, web.SignInPage{Page: pageOf(d, r), SetupStep: true, Secret: enr.Secret, OTPURL: enr.URL,
			EnrollmentToken: enr.Token, Next: web.LocalPath(r.URL.Query().Get("next"))})
	})
}

// uiSetup is POST /signin/setup: the first code confirms the secret; the
// session is replaced by one that has given its second factor.
func uiSetup(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		st := stateOf(r.Context())
		next := web.LocalPath(r.PostForm.Get("next"))
		token := r.PostForm.Get("enrollment_token")
		res, err := d.accounts.ConfirmTOTP(r.Context(), st.id, principalOf(r.Context()), st.sessionToken, token,
			strings.TrimSpace(r.PostForm.Get("code")), st.addr)
		if err != nil {
			switch discern.KindOf(err) {
			case discern.KindUnauthorized, discern.KindInvalid, discern.KindRateLimited:
				// Show the same secret again: the app already has it.
				p := web.SignInPage{Page: pageOf(d, r), SetupStep: true, EnrollmentToken: token, Next: next,
					Secret: r.PostForm.Get("secret"), Problems: web.FieldProblems{{Field: "code", Key: "problem.code"}}}
				if enr, err := d.accounts.BeginTOTP(r.Context(), st.id, principalOf(r.Context())); err == nil {
					p.Secret, p.OTPURL, p.EnrollmentToken = enr.Secret, enr.URL, enr.Token
				}
				rendered(d, r, d.web.SignIn(w, p))
				return nil
			}
			return err
		}
		http.SetCookie(w, auth.SessionCookie(res.Token))
		return seeOther(w, r, next)
	})
}

// uiSignOut is POST /signout: ends this session.
func uiSignOut(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		st := stateOf(r.Context())
		if st.viaSession {
			if err := d.accounts.SignOut(r.Context(), st.id, principalOf(r.Context()), st.sessionToken); err != nil {
				return err
			}
		}
		http.SetCookie(w, auth.ClearSessionCookie())
		return seeOther(w, r, web.PathSignIn)
	})
}

// uiSignOutEverywhere is POST /signout/everywhere: ends every session of
// the user, this one included.
func uiSignOutEverywhere(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if _, err := d.accounts.SignOutEverywhere(r.Context(), requestID(r.Context()), principalOf(r.Context()), ""); err != nil {
			return err
		}
		http.SetCookie(w, auth.ClearSessionCookie())
		return seeOther(w, r, web.PathSignIn)
	})
}

// uiSessions is GET /sessions: "your sessions".
func uiSessions(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		st := stateOf(ctx)
		ss, err := d.accounts.FindSessions(ctx, st.id, principalOf(ctx), "")
		if err != nil {
			return err
		}
		current := ""
		if h := hashOf(st.sessionToken); h != nil {
			for _, s := range ss {
				if string(s.TokenHash) == string(h) {
					current = s.ID
				}
			}
		}
		return d.web.Sessions(w, web.SessionsPage{Page: pageOf(d, r), Sessions: web.SessionRows(ss, current)})
	})
}

// uiSessionSignOut is POST /sessions/{id}/signout: ends one of the user's
// sessions (this one too, if it is this one).
func uiSessionSignOut(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		if err := d.accounts.RevokeSession(ctx, requestID(ctx), principalOf(ctx), "", r.PathValue("id")); err != nil {
			return err
		}
		return seeOther(w, r, web.PathSessions)
	})
}

// uiLanguage is POST /language: the interface language, kept in a cookie
// (the sign-in page has a switch too), then back to the page it was
// chosen on.
func uiLanguage(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		if l := r.PostForm.Get("lang"); validLang(d, l) {
			setLang(w, l)
		}
		return seeOther(w, r, web.LocalPath(r.PostForm.Get("return")))
	})
}
