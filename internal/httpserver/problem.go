package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/discern"
)

// Problem is an RFC 9457 problem details object: every error response of
// the server, from the API, the plain handlers and the middleware, has
// this shape and the media type application/problem+json.
type Problem struct {
	// Type is "about:blank": the status and Kind say what happened.
	Type   string `json:"type" doc:"A URI reference that identifies the problem type; about:blank."`
	Title  string `json:"title" doc:"The HTTP status text."`
	Status int    `json:"status" doc:"The HTTP status code."`
	// Detail is safe to show to the person using the client: it never
	// holds internal details.
	Detail string `json:"detail,omitempty" doc:"What went wrong and how to put it right, for people."`
	// Kind is the discern error kind, for programs.
	Kind string `json:"kind,omitempty" enum:"invalid,not_found,conflict,unauthorized,forbidden,rate_limited,internal" doc:"The kind of error, for programs."`
	// Field names the input at fault (a body field, a query parameter or
	// a header), for invalid input.
	Field string `json:"field,omitempty" doc:"The request field, query parameter or header at fault."`
	// RequestID ties the problem to the server's logs.
	RequestID string `json:"request_id,omitempty" doc:"The request's ID in the server's logs."`
}

// Error returns the detail, so that a Problem can travel as an error
// through Huma to the response.
func (p *Problem) Error() string { return p.Detail }

// GetStatus makes a Problem a huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes Huma send problems as application/problem+json.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

// statusOf maps an error kind to its HTTP status. It is the one place
// where kinds become statuses.
func statusOf(k discern.ErrorKind) int {
	switch k {
	case discern.KindInvalid:
		return http.StatusBadRequest
	case discern.KindNotFound:
		return http.StatusNotFound
	case discern.KindConflict:
		return http.StatusConflict
	case discern.KindUnauthorized:
		return http.StatusUnauthorized
	case discern.KindForbidden:
		return http.StatusForbidden
	case discern.KindRateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// kindOf is the reverse, for problems that start as a status (from Huma or
// the standard library): the kind a client would have seen had the error
// come from our own code.
func kindOf(status int) discern.ErrorKind {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType,
		http.StatusUnprocessableEntity, http.StatusMethodNotAllowed:
		return discern.KindInvalid
	case http.StatusNotFound:
		return discern.KindNotFound
	case http.StatusConflict:
		return discern.KindConflict
	case http.StatusUnauthorized:
		return discern.KindUnauthorized
	case http.StatusForbidden:
		return discern.KindForbidden
	case http.StatusTooManyRequests:
		return discern.KindRateLimited
	}
	return discern.KindInternal
}

// problemOf turns an error into the problem to send: the status from its
// kind, the message that may be shown (discern.MessageOf) and, for invalid
// input, the field at fault. Internal errors are logged here, without
// personal data, and shown as a generic message.
func problemOf(ctx context.Context, err error) *Problem {
	if p, ok := errors.AsType[*Problem](err); ok {
		return p
	}
	st := stateOf(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = &discern.Error{Kind: discern.KindInternal, Err: err}
	}
	k := discern.KindOf(err)
	p := &Problem{
		Type: "about:blank", Status: statusOf(k), Kind: string(k),
		Detail: discern.MessageOf(err), RequestID: st.id,
	}
	p.Title = http.StatusText(p.Status)
	if e, ok := errors.AsType[*discern.Error](err); ok && k == discern.KindInvalid {
		p.Field = e.Field
	}
	if k == discern.KindInternal && st.log != nil {
		st.log.ErrorContext(ctx, "internal error", "route", st.route, "request_id", st.id, "err", err)
	}
	return p
}

// newProblem is a problem made from a status and a message we wrote.
func newProblem(ctx context.Context, status int, field, detail string) *Problem {
	return &Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status,
		Kind: string(kindOf(status)), Field: field, Detail: detail, RequestID: stateOf(ctx).id,
	}
}

// writeProblem writes err as a problem response, for plain handlers and
// middleware.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemOf(r.Context(), err)
	writeProblemValue(w, p)
}

func writeProblemValue(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Del("Content-Length")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// The Huma error constructors are replaced so that every error Huma makes
// (a malformed body, a schema violation, a body too large) is a Problem
// too, naming the field at fault and never echoing the value sent back.
// Huma offers these package variables for exactly this.
func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return humaProblem(context.Background(), status, msg, errs...)
	}
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		ctx := context.Background()
		if hctx != nil {
			ctx = hctx.Context()
		}
		return humaProblem(ctx, status, msg, errs...)
	}
}

// humaProblem builds the problem for an error Huma found. Schema
// violations are reported as 400, like our own invalid input, with the
// first violation's field and message.
func humaProblem(ctx context.Context, status int, msg string, errs ...error) *Problem {
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest
	}
	p := newProblem(ctx, status, "", msg)
	if status >= 500 {
		p.Detail = "An internal error occurred."
		return p
	}
	for _, e := range errs {
		d, ok := e.(*huma.ErrorDetail)
		if !ok || d == nil {
			continue
		}
		p.Field = fieldOf(d.Location, d.Message)
		switch {
		case p.Field != "" && d.Message != "":
			p.Detail = fmt.Sprintf("%s: %s", p.Field, d.Message)
		case d.Message != "":
			p.Detail = d.Message
		}
		break
	}
	switch {
	case status == http.StatusRequestEntityTooLarge:
		p.Field, p.Detail = "body", "The request body is too large."
	case p.Field == "" && strings.Contains(msg, "body"):
		p.Field = "body" // "request body is required", a body that cannot be read
	}
	if p.Detail == "" {
		p.Detail = http.StatusText(status)
	}
	return p
}

// fieldOf turns Huma's location ("body.settings.default_language",
// "query.limit", "header.Idempotency-Key") into the field name clients
// send, adding the property a "required" message names.
func fieldOf(location, msg string) string {
	f := location
	for _, prefix := range []string{"body", "query", "path", "header", "cookie"} {
		if f == prefix {
			f = ""
			break
		}
		if rest, ok := strings.CutPrefix(f, prefix+"."); ok {
			f = rest
			break
		}
	}
	if name, ok := strings.CutPrefix(msg, "expected required property "); ok {
		name, _, _ = strings.Cut(name, " ")
		if f == "" {
			return name
		}
		return f + "." + name
	}
	if f == "" && location == "body" {
		return "body"
	}
	return f
}
