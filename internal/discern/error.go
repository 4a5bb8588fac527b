package discern

import (
	"errors"
	"fmt"
)

// ErrorKind classifies an Error. The HTTP layer maps kinds to status codes
// in one place; the CLI maps them to exit codes.
type ErrorKind string

// The error kinds.
const (
	KindInvalid      ErrorKind = "invalid"      // the input is wrong; Message says which field and why
	KindNotFound     ErrorKind = "not_found"    // no such record, or the caller may not know it exists
	KindConflict     ErrorKind = "conflict"     // the record changed or already exists
	KindUnauthorized ErrorKind = "unauthorized" // no valid credentials
	KindForbidden    ErrorKind = "forbidden"    // credentials valid, action not allowed
	KindRateLimited  ErrorKind = "rate_limited" // too many attempts; try later
	KindInternal     ErrorKind = "internal"     // our fault; details are logged, never shown
)

// Error is the one error type of Discern's domain. Only Message is ever
// shown to a user; Err carries the cause for logs and errors.Is.
type Error struct {
	Kind    ErrorKind
	Field   string // the input field at fault, for KindInvalid; may be empty
	Message string // safe to show to users
	Err     error  // the cause; never shown
}

func (e *Error) Error() string {
	s := string(e.Kind)
	if e.Field != "" {
		s += " " + e.Field
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind whose message is safe to show.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a KindInvalid error naming the field at fault.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err, KindInternal for errors that are not ours,
// and "" for nil.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return KindInternal
}

// MessageOf returns the message that may be shown to a user for err.
func MessageOf(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Kind != KindInternal && e.Message != "" {
		return e.Message
	}
	return "An internal error occurred."
}
