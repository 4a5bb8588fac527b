package httpserver

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/metrics"
)

// signInBody answers a sign-in step.
type signInBody struct {
	User    userBody    `json:"user"`
	Session sessionBody `json:"session"`
	// MFARequired: send the code to POST /api/v1/sessions/current/mfa.
	MFARequired bool `json:"mfa_required" doc:"The session owes the second factor: send the code to POST /api/v1/sessions/current/mfa. Until then it can only sign out."`
	// MFAEnrollmentRequired: set up a second factor first.
	MFAEnrollmentRequired bool `json:"mfa_enrollment_required" doc:"The role needs a second factor that is not set up: set one up at POST /api/v1/account/mfa/totp. Until then the session can only do that or sign out."`
}

type signInOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      signInBody
}

func signInOf(res *accounts.SignInResult) *signInOutput {
	h := hashOf(res.Token)
	return &signInOutput{
		SetCookie: []http.Cookie{*auth.SessionCookie(res.Token)},
		Body: signInBody{
			User: userOf(res.User), Session: sessionOf(res.Session, h),
			MFARequired: res.MFARequired, MFAEnrollmentRequired: res.MFAEnrollmentRequired,
		},
	}
}

// hashOf is the stored hash of a session token, to mark the current
// session in lists; nil for a malformed token.
func hashOf(token string) []byte {
	h, err := auth.ParseSessionToken(token)
	if err != nil {
		return nil
	}
	return h[:]
}

// signInOutcome counts sign-ins by outcome, for dashboards and alerts on
// guessing; no label holds anything about who tried.
func signInOutcome(reg *metrics.Registry, err error, res *accounts.SignInResult) {
	outcome := "success"
	switch {
	case err == nil && (res.MFARequired || res.MFAEnrollmentRequired):
		outcome = "second_factor_pending"
	case err == nil:
	case discern.KindOf(err) == discern.KindRateLimited:
		outcome = "throttled"
	case discern.KindOf(err) == discern.KindUnauthorized:
		outcome = "failure"
	default:
		outcome = "error"
	}
	reg.Counter("discern_sign_ins_total", "Sign-in attempts by outcome.", "outcome="+outcome).Inc()
}

// signIn is POST /api/v1/sessions: email and password (and the TOTP code,
// if the user has a second factor and gives it now) start a session in the
// session cookie. A session the browser already had ends.
func signIn(svc *accounts.Service, reg *metrics.Registry) func(huma.API, huma.Operation) {
	type signInRequest struct {
		Email    string `json:"email" minLength:"1" maxLength:"254" doc:"The email address the user signs in with."`
		Password string `json:"password" minLength:"1" maxLength:"1024"`
		Code     string `json:"code,omitempty" maxLength:"16" doc:"The 6-digit code from the authenticator app, for users with a second factor."`
	}
	type input struct{ Body signInRequest }
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*signInOutput, error) {
			st := stateOf(ctx)
			res, err := svc.SignIn(ctx, accounts.SignInRequest{
				Email: in.Body.Email, Password: in.Body.Password, Code: in.Body.Code,
				Addr: st.addr, PreviousToken: st.sessionToken, RequestID: st.id,
			})
			signInOutcome(reg, err, res)
			if err != nil {
				return nil, err
			}
			return signInOf(res), nil
		})
	}
}

// verifyMFA is POST /api/v1/sessions/current/mfa: the second factor of a
// half-signed-in session. The session is replaced by a verified one under
// a new cookie.
func verifyMFA(svc *accounts.Service) func(huma.API, huma.Operation) {
	type secondFactorRequest struct {
		Code string `json:"code" minLength:"1" maxLength:"16" doc:"The 6-digit code from the authenticator app."`
	}
	type input struct{ Body secondFactorRequest }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*signInOutput, error) {
			st := stateOf(ctx)
			if st.sessionToken == "" {
				return nil, discern.Errorf(discern.KindUnauthorized, "Please sign in with your email and password first.")
			}
			res, err := svc.VerifyMFA(ctx, st.id, st.sessionToken, in.Body.Code, st.addr)
			if err != nil {
				return nil, err
			}
			return signInOf(res), nil
		})
	}
}

// signOut is DELETE /api/v1/sessions/current: ends the session of the
// request and clears its cookie.
func signOut(svc *accounts.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, _ *struct{}) (*cookieOutput, error) {
			st := stateOf(ctx)
			if !st.viaSession {
				return nil, discern.Errorf(discern.KindForbidden, "Only a signed-in session can sign out; revoke an API token instead.")
			}
			if err := svc.SignOut(ctx, st.id, principalOf(ctx), st.sessionToken); err != nil {
				return nil, err
			}
			return &cookieOutput{SetCookie: []http.Cookie{*auth.ClearSessionCookie()}}, nil
		})
	}
}

// userSessions lists a user's sessions: GET /api/v1/sessions (the
// caller's own, "your sessions") and GET /api/v1/users/{user_id}/sessions
// (an administrator's view of anyone's).
func userSessions(svc *accounts.Service, byUser bool) func(huma.API, huma.Operation) {
	type input struct {
		UserID string `path:"user_id" maxLength:"26"`
	}
	type ownInput struct{}
	type output struct{ Body List[sessionBody] }
	list := func(ctx context.Context, userID string) (*output, error) {
		st := stateOf(ctx)
		ss, err := svc.FindSessions(ctx, st.id, principalOf(ctx), userID)
		if err != nil {
			return nil, err
		}
		cur := hashOf(st.sessionToken)
		return &output{Body: listOf(ss, "", func(s *discern.Session) sessionBody { return sessionOf(s, cur) })}, nil
	}
	return func(api huma.API, op huma.Operation) {
		if byUser {
			register(api, op, func(ctx context.Context, in *input) (*output, error) { return list(ctx, in.UserID) })
			return
		}
		register(api, op, func(ctx context.Context, _ *ownInput) (*output, error) { return list(ctx, "") })
	}
}

// endSessions signs a user out everywhere: DELETE /api/v1/sessions (the
// caller, this session included) and DELETE
// /api/v1/users/{user_id}/sessions (an administrator, for anyone).
func endSessions(svc *accounts.Service, byUser bool) func(huma.API, huma.Operation) {
	type input struct {
		UserID string `path:"user_id" maxLength:"26"`
	}
	type ownInput struct{}
	end := func(ctx context.Context, userID string) (*cookieOutput, error) {
		st := stateOf(ctx)
		p := principalOf(ctx)
		if _, err := svc.SignOutEverywhere(ctx, st.id, p, userID); err != nil {
			return nil, err
		}
		out := &cookieOutput{}
		if st.viaSession && (userID == "" || userID == p.UserID) {
			out.SetCookie = []http.Cookie{*auth.ClearSessionCookie()}
		}
		return out, nil
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		if byUser {
			register(api, op, func(ctx context.Context, in *input) (*cookieOutput, error) { return end(ctx, in.UserID) })
			return
		}
		register(api, op, func(ctx context.Context, _ *ownInput) (*cookieOutput, error) { return end(ctx, "") })
	}
}

// revokeSession is DELETE /api/v1/sessions/{session_id}: ends one of the
// caller's sessions, such as one left open on a shared computer.
func revokeSession(svc *accounts.Service) func(huma.API, huma.Operation) {
	type input struct {
		SessionID string `path:"session_id" maxLength:"26"`
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, in *input) (*noContent, error) {
			if err := svc.RevokeSession(ctx, requestID(ctx), principalOf(ctx), "", in.SessionID); err != nil {
				return nil, err
			}
			return &noContent{}, nil
		})
	}
}
