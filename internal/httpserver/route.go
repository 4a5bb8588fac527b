package httpserver

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
)

// Public marks a route that anyone may call without signing in: health
// and readiness, metrics, the OpenAPI document, and the sign-in steps
// themselves. Every other route names the auth.Action it is decided under.
const Public auth.Action = "public"

// Route is one entry of the route table (routes.go). The table is the
// whole surface of the server: a route that is not in it is not served,
// and a route in it without a valid Action is refused at start-up and by
// the authorization matrix test.
type Route struct {
	Method string
	// Path is a net/http ServeMux path pattern, such as
	// /api/v1/users/{user_id}. Path wildcards end in _id and name the
	// record they find.
	Path string
	// Action is the policy action the route is decided under, or Public.
	// Before the handler runs, the principal must be allowed the action on
	// the best case (their own record in their own organization): a role
	// with no grant for it, a token without its scope, or a session that
	// owes its second factor is refused there. The handler then decides on
	// the actual record, through the service it calls.
	Action  auth.Action
	Summary string
	Tags    []string

	// API registers a Huma operation. op arrives with Method, Path,
	// OperationID, Summary, Tags, Security and MaxBodyBytes set; the
	// function adds what is particular to it and calls register.
	API func(api huma.API, op huma.Operation)
	// Handler serves a plain route (not part of the JSON API document).
	Handler http.Handler
	// Page marks a route of the web interface: a request that is not
	// signed in is sent to the sign-in page, and a refusal is an error
	// page rather than a problem.
	Page bool

	// Example is a valid request body for the route, for the
	// authorization matrix test: requests that get past authorization
	// must not fail on their body.
	Example any
}

// Pattern is the route's ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// operationID names the route's operation in the OpenAPI document, from
// its method and path: "post-api-v1-users-user-id".
func (r Route) operationID() string {
	s := strings.ToLower(r.Method) + "-" + strings.Trim(r.Path, "/")
	s = strings.NewReplacer("/", "-", "{", "", "}", "", "_", "-", ".", "-").Replace(s)
	return s
}

// serveRoute wraps a route's handler: it records the route pattern for
// the access log and metrics, and for every route that is not Public it
// authenticates the request and asks the policy about the route's action
// on the best case, before the handler runs.
func serveRoute(d *deps, rt Route, h http.Handler) http.Handler {
	pattern := rt.Pattern()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		st := stateOf(ctx)
		st.route = pattern
		st.sessionToken = sessionCookie(r)
		if rt.Action == Public {
			h.ServeHTTP(w, r)
			return
		}
		p, err := authenticate(ctx, d, r)
		if err != nil {
			if st.sessionToken != "" && r.Header.Get("Authorization") == "" {
				// The session ended: the browser may as well forget it.
				http.SetCookie(w, auth.ClearSessionCookie())
			}
			if rt.Page && discern.KindOf(err) == discern.KindUnauthorized {
				toSignIn(w, r)
				return
			}
			writeProblem(w, r, err)
			return
		}
		best := auth.Resource{OrgID: p.OrgID, OwnerID: p.UserID, Classes: auth.AllClasses}
		if len(p.TeamIDs) > 0 {
			best.TeamID = p.TeamIDs[0]
		}
		if _, err := d.accounts.Authorize(ctx, st.id, p, rt.Action, best); err != nil {
			if rt.Page {
				uiDeny(d, w, r, p, err)
				return
			}
			writeProblem(w, r, err)
			return
		}
		st.principal = &p
		h.ServeHTTP(w, r)
	})
}

// principalOf returns the principal of an authenticated route's request.
// It panics if there is none: that is a route marked Public whose handler
// needs a principal, a bug to find in tests, not in production.
func principalOf(ctx context.Context) auth.Principal {
	st := stateOf(ctx)
	if st.principal == nil {
		panic("httpserver: a handler asked for the principal of a public route")
	}
	return *st.principal
}

// requestID returns the request's ID, for the services' audit entries.
func requestID(ctx context.Context) string { return stateOf(ctx).id }

// register registers a Huma operation whose handler's errors become
// problems (see problemOf). Every API handler is registered through it, so
// that no error reaches a client other than as a Problem with a safe
// message.
func register[I, O any](api huma.API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, problemOf(ctx, err)
		}
		return out, nil
	})
}
