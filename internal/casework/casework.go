// Package casework is the service layer for the records Discern keeps about
// people: people, encounters, notes, tasks and screenings. Every method
//
//   - asks the one access policy (auth.Decide) first, default deny;
//   - seals identifying and sensitive fields with the person's data key
//     before they reach the store, and opens only the classes the policy
//     lets the caller see;
//   - writes each change, and each read of identifying data, together with
//     its audit entry in one transaction.
//
// Methods take an Actor — the authenticated principal and the request id —
// and return domain errors (discern.Error) whose messages are safe to show.
package casework

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// Actor is who is acting: the principal the policy judges, and the request
// id that ties audit entries to the server's log.
type Actor struct {
	auth.Principal
	RequestID string
}

// Service is the casework service.
type Service struct {
	db     *sqldb.DB
	sealer *seal.Sealer
	engine *screening.Engine
	log    *audit.Log
	now    func() time.Time
	rand   io.Reader
	// recipients finds referral and consent recipients in the service
	// directory (SetRecipients).
	recipients Recipients
}

// New returns a casework service. now and rand are the clock and the
// randomness for record IDs and case codes.
func New(db *sqldb.DB, sealer *seal.Sealer, engine *screening.Engine, log *audit.Log, now func() time.Time, rand io.Reader) *Service {
	return &Service{db: db, sealer: sealer, engine: engine, log: log, now: now, rand: rand}
}

// Engine returns the screening engine the service evaluates with.
func (s *Service) Engine() *screening.Engine { return s.engine }

// TxHook runs inside the transaction that creates a record, after the
// record and its audit entry, with the view the caller will get: the HTTP
// layer stores an idempotent response in the same transaction, so that a
// retried request can never create a second record.
type TxHook func(ctx context.Context, tx *sqldb.Tx, view any) error

func runHooks(ctx context.Context, tx *sqldb.Tx, view any, hooks []TxHook) error {
	for _, h := range hooks {
		if err := h(ctx, tx, view); err != nil {
			return err
		}
	}
	return nil
}

// decide asks the policy and turns a refusal into the error to return: out
// of scope and other organizations read as not found, so that probing IDs
// reveals nothing.
func decide(a Actor, action auth.Action, r auth.Resource) (auth.Decision, error) {
	d := auth.Decide(a.Principal, action, r)
	if !d.Allowed {
		return d, d.Err(r)
	}
	return d, nil
}

// record describes a record to the policy.
func record(a Actor, orgID, createdBy, assignedTo, teamID string, classes ...discern.DataClass) auth.Resource {
	owner := createdBy
	if assignedTo != "" && assignedTo == a.UserID {
		owner = assignedTo
	}
	return auth.Resource{OrgID: orgID, OwnerID: owner, TeamID: teamID, Classes: auth.Classes(classes...)}
}

// entry builds an audit entry for the actor. Entries hold ids and class
// names only, never personal data.
func entry(a Actor, action, targetType, targetID string, classes ...discern.DataClass) discern.AuditEntry {
	return discern.AuditEntry{
		ActorID: a.UserID, OrgID: a.OrgID, Action: action, TargetType: targetType, TargetID: targetID,
		DataClasses: classes, Outcome: discern.OutcomeSuccess, RequestID: a.RequestID,
	}
}

// denied records a refused attempt on a record: a pattern of refusals is what
// an investigation of a leak looks for. Refusals for records of another
// organization are recorded against the actor's own organization.
func (s *Service) denied(ctx context.Context, a Actor, action, targetType, targetID string) {
	e := entry(a, action, targetType, targetID)
	e.Outcome = discern.OutcomeDenied
	_ = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		_, err := s.log.Append(ctx, tx, e)
		return err
	})
}

// Sealed fields are bound to their table, column and row, and sealed with
// the data key of the person they belong to ("subject").
func (s *Service) sealText(ctx context.Context, subject, table, column, rowID, text string) (discern.Sealed, error) {
	ct, err := s.sealer.EncryptField(ctx, subject, seal.Binding{Table: table, Column: column, RowID: rowID}, []byte(text))
	if err != nil {
		return nil, sealErr(err)
	}
	return discern.Sealed(ct), nil
}

func (s *Service) openText(ctx context.Context, subject, table, column, rowID string, ct discern.Sealed) (string, error) {
	if ct == nil {
		return "", nil
	}
	pt, err := s.sealer.DecryptField(ctx, subject, seal.Binding{Table: table, Column: column, RowID: rowID}, ct)
	if err != nil {
		return "", sealErr(err)
	}
	return string(pt), nil
}

func sealErr(err error) error {
	if errors.Is(err, seal.ErrKeyDestroyed) {
		return discern.ErrKeyDestroyed
	}
	return fmt.Errorf("casework: sealing: %w", err)
}

// sealedJSON is how screening answers and results are kept: the JSON
// document sealed with the subject's key, as a JSON string the store can
// validate, with the key's subject so that the document stays decryptable
// (or provably erased) after the screening is detached from its person.
type sealedJSON struct {
	Subject string `json:"subject"`
	Sealed  string `json:"sealed"`
}

func (s *Service) sealJSON(ctx context.Context, subject, column, rowID string, v any) (json.RawMessage, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	ct, err := s.sealer.EncryptField(ctx, subject, seal.Binding{Table: "screenings", Column: column, RowID: rowID}, plain)
	if err != nil {
		return nil, sealErr(err)
	}
	return json.Marshal(sealedJSON{Subject: subject, Sealed: base64.StdEncoding.EncodeToString(ct)})
}

func (s *Service) openJSON(ctx context.Context, column, rowID string, raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	var env sealedJSON
	if err := json.Unmarshal(raw, &env); err != nil || env.Subject == "" {
		return fmt.Errorf("casework: %s of screening %s is not sealed", column, rowID)
	}
	ct, err := base64.StdEncoding.DecodeString(env.Sealed)
	if err != nil {
		return fmt.Errorf("casework: %s of screening %s: %w", column, rowID, err)
	}
	pt, err := s.sealer.DecryptField(ctx, env.Subject, seal.Binding{Table: "screenings", Column: column, RowID: rowID}, ct)
	if err != nil {
		return sealErr(err)
	}
	return json.Unmarshal(pt, v)
}

func (s *Service) newID() (string, error) { return discern.NewID(s.now(), s.rand) }

// personSubject is the key subject for a person's data: the person's id.
// Anonymous screenings are sealed under their own id, and tasks about no
// one under their creator's id; record ids are unique across tables.
func personSubject(personID string) string { return personID }

// optional returns nil for an empty string.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// limitText checks a free-text field's length in characters.
func limitText(field, s string, max int) error {
	if n := len([]rune(s)); n > max {
		return discern.Invalid(field, "%s is too long: %d characters, at most %d.", field, n, max)
	}
	if strings.ContainsRune(s, 0) {
		return discern.Invalid(field, "%s contains a NUL character.", field)
	}
	return nil
}

func has(d auth.Decision, c discern.DataClass) bool { return d.Classes.Has(c) }

// classesOf lists the classes of a set in the domain's order.
func classesOf(cs auth.ClassSet) []discern.DataClass {
	var out []discern.DataClass
	for _, c := range discern.DataClasses {
		if cs.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

var _ = slices.Contains[[]string]

// discernKeyNotFound is the seal error for a subject that never had a key:
// erasing a person who had no sealed data is not an error.
var discernKeyNotFound = seal.ErrKeyNotFound
