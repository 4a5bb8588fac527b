package discern

import (
	"context"
	"time"
)

// AuditOutcome is how an audited action ended.
type AuditOutcome string

// The outcomes. Denied attempts are audited too: a pattern of refusals is
// exactly what an investigation of a leak looks for.
const (
	OutcomeSuccess AuditOutcome = "success"
	OutcomeDenied  AuditOutcome = "denied"
	OutcomeFailure AuditOutcome = "failure"
)

// Valid reports whether o is a known outcome.
func (o AuditOutcome) Valid() bool {
	return o == OutcomeSuccess || o == OutcomeDenied || o == OutcomeFailure
}

// AuditEntry is one entry of the tamper-evident audit log: who did what to
// which record, touching which data classes. It holds IDs and names of
// things, never personal data, so the log can be kept longer than the
// records it describes and shown to auditors.
type AuditEntry struct {
	// Seq numbers entries 1, 2, 3, … without gaps across the whole log.
	Seq  int64
	Time time.Time
	// ActorID is the user who acted; empty for the system itself (the CLI,
	// retention jobs).
	ActorID string
	// OrgID is the organization whose records were touched; empty for
	// actions on no organization's records.
	OrgID string
	// Action names what happened, as "<thing>.<verb>" in lower case:
	// "person.read", "person.create", "screening.complete", "user.disable".
	Action      string
	TargetType  string // "person", "screening", …
	TargetID    string
	DataClasses []DataClass // the classes of personal data read or changed
	Outcome     AuditOutcome
	RequestID   string // ties the entry to the server's request log
	// PrevHash and Hash chain the entry to the one before it; the audit
	// package computes them.
	PrevHash []byte
	Hash     []byte
}

// Validate checks an entry before it is appended. The shape rules keep
// personal data out: free text has nowhere to go.
func (e *AuditEntry) Validate() error {
	if !validAuditName(e.Action, true) {
		return Invalid("action", "action must look like person.read.")
	}
	if !validAuditName(e.TargetType, false) {
		return Invalid("target_type", "target_type must be a lower-case word.")
	}
	if len(e.TargetID) > 64 || !validToken(e.TargetID) {
		return Invalid("target_id", "target_id must be a record ID.")
	}
	if len(e.ActorID) > 64 || !validToken(e.ActorID) {
		return Invalid("actor_id", "actor_id must be a user ID.")
	}
	if len(e.OrgID) > 64 || !validToken(e.OrgID) {
		return Invalid("org_id", "org_id must be an organization ID.")
	}
	if len(e.RequestID) > 128 || !validToken(e.RequestID) {
		return Invalid("request_id", "request_id must be a short token.")
	}
	if !e.Outcome.Valid() {
		return Invalid("outcome", "outcome must be success, denied or failure.")
	}
	for _, c := range e.DataClasses {
		if !c.Valid() {
			return Invalid("data_classes", "data_classes holds an unknown class.")
		}
	}
	return nil
}

// validAuditName accepts a lower-case word (with underscores and digits),
// or with withDot, two or more such words joined by dots.
func validAuditName(s string, withDot bool) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || c == '_' || '0' <= c && c <= '9' && i > 0:
		case c == '.' && i > 0 && i < len(s)-1 && s[i-1] != '.':
			dots++
		default:
			return false
		}
	}
	return (dots > 0) == withDot
}

// validToken accepts IDs and request IDs: printable ASCII without spaces.
func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// AuditFilter selects audit entries of one organization, for a record's
// "who accessed it" history.
type AuditFilter struct {
	OrgID      string // required
	TargetType *string
	TargetID   *string
	ActorID    *string
	Page
}

// AuditStore reads the audit log. Appending belongs to the audit package,
// inside the transaction of the change it records.
type AuditStore interface {
	// FindAuditEntries returns entries newest first and the next cursor.
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, string, error)
}
