// Package accounts is Discern's service layer for organizations, teams,
// users, sign-in, sessions, second factors and API tokens. It joins the
// building blocks of package auth (password hashing, throttling, sessions,
// TOTP, tokens and the one policy, auth.Decide) to the store (package
// sqldb), field encryption (package seal) and the audit log (package audit).
//
// Every method that acts for someone takes the acting auth.Principal and a
// request ID, asks auth.Decide before anything else, and writes the change
// and its audit entry in one transaction, so that a change is never
// committed without its entry. Audit entries hold IDs and names of things,
// never personal data. Denied attempts are audited too.
//
// Methods that act for nobody belong to the operator at the machine (the
// command line: bootstrapping the first organization and administrator,
// resetting a second factor, making a token for a script). They live on
// Operator, which the HTTP server never holds, so that no request can
// reach them.
package accounts

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/discern-org/discern/internal/audit"
	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// FieldSealer encrypts and decrypts one record's fields; *seal.Sealer is
// one. Accounts uses it for users' TOTP secrets, each sealed under a data
// key of the user's own (the vault key is named by the user's ID) and bound
// to the user's row and column.
type FieldSealer interface {
	EncryptField(ctx context.Context, personID string, b seal.Binding, plaintext []byte) ([]byte, error)
	DecryptField(ctx context.Context, personID string, b seal.Binding, ciphertext []byte) ([]byte, error)
}

// TxHook is called by a create method inside the transaction that stores
// the new record, with the record as stored. The HTTP layer uses it to
// store the response to an idempotent request in the same transaction
// (see discern.IdempotencyStore), so that the record and the remembered
// response commit together or not at all. A nil hook is not called.
type TxHook[T any] = func(ctx context.Context, tx *sqldb.Tx, created T) error

// Config holds what a Service needs. DB, Audit, Hasher, Sealer, Now and
// Rand are required.
type Config struct {
	DB     *sqldb.DB
	Audit  *audit.Log
	Hasher *auth.Hasher
	Sealer FieldSealer
	// Throttle limits sign-in and second-factor attempts; the zero value
	// means auth.DefaultThrottle.
	Throttle auth.Throttle
	// Sessions sets session lifetimes; the zero value means
	// auth.DefaultSessionConfig.
	Sessions auth.SessionConfig
	// EnrollmentTTL is how long a started TOTP set-up may be confirmed;
	// 0 means 15 minutes.
	EnrollmentTTL time.Duration
	// Now is the clock. It should be the store's clock too, because the
	// store stamps sessions with its own time.
	Now func() time.Time
	// Rand is the source of tokens, secrets and IDs (crypto/rand.Reader in
	// production). Reads are serialised.
	Rand io.Reader
	// Logger receives failures that cannot be returned, such as an audit
	// entry for a denied request that could not be written. Optional.
	Logger *slog.Logger
}

// Service is the accounts service. It is safe for concurrent use.
type Service struct {
	db            *sqldb.DB
	audit         *audit.Log
	hasher        *auth.Hasher
	sealer        FieldSealer
	throttle      auth.Throttle
	sessions      auth.SessionConfig
	enrollmentTTL time.Duration
	now           func() time.Time
	rand          io.Reader
	log           *slog.Logger
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.DB == nil:
		return nil, errors.New("accounts: Config.DB is required")
	case cfg.Audit == nil:
		return nil, errors.New("accounts: Config.Audit is required")
	case cfg.Hasher == nil:
		return nil, errors.New("accounts: Config.Hasher is required")
	case cfg.Sealer == nil:
		return nil, errors.New("accounts: Config.Sealer is required")
	case cfg.Now == nil || cfg.Rand == nil:
		return nil, errors.New("accounts: Config.Now and Config.Rand are required")
	}
	s := &Service{
		db: cfg.DB, audit: cfg.Audit, hasher: cfg.Hasher, sealer: cfg.Sealer,
		throttle: cfg.Throttle, sessions: cfg.Sessions, enrollmentTTL: cfg.EnrollmentTTL,
		now: cfg.Now, rand: &lockedReader{r: cfg.Rand}, log: cfg.Logger,
	}
	if s.throttle == (auth.Throttle{}) {
		s.throttle = auth.DefaultThrottle
	}
	if s.sessions == (auth.SessionConfig{}) {
		s.sessions = auth.DefaultSessionConfig
	}
	if s.sessions.IdleTimeout <= 0 || s.sessions.AbsoluteTimeout <= 0 {
		return nil, errors.New("accounts: session timeouts must be positive")
	}
	if s.enrollmentTTL <= 0 {
		s.enrollmentTTL = 15 * time.Minute
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// SessionConfig returns the session lifetimes in force.
func (s *Service) SessionConfig() auth.SessionConfig { return s.sessions }

// lockedReader serialises reads, because the Rand given need not be safe
// for concurrent use.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// newID returns a new record ID, for records whose ID must be known before
// they are stored (to decide on them, or to bind ciphertexts to them).
func (s *Service) newID() (string, error) {
	id, err := discern.NewID(s.now(), s.rand)
	if err != nil {
		return "", &discern.Error{Kind: discern.KindInternal, Err: err}
	}
	return id, nil
}

// entry is the audit entry of one change. Only IDs and names go in.
type entry struct {
	actor, org, action, targetType, targetID string
	outcome                                  discern.AuditOutcome
}

// appendAudit appends e in tx. Call it last in the transaction: the chain
// head stays locked until the transaction ends.
func (s *Service) appendAudit(ctx context.Context, tx *sqldb.Tx, reqID string, e entry) error {
	if e.outcome == "" {
		e.outcome = discern.OutcomeSuccess
	}
	_, err := s.audit.Append(ctx, tx, discern.AuditEntry{
		ActorID:    e.actor,
		OrgID:      e.org,
		Action:     e.action,
		TargetType: e.targetType,
		TargetID:   safeID(e.targetID),
		Outcome:    e.outcome,
		RequestID:  safeRequestID(reqID),
	})
	if err != nil {
		return fmt.Errorf("accounts: audit %s: %w", e.action, err)
	}
	return nil
}

// auditAlone writes one audit entry in a transaction of its own, for
// attempts that change nothing (denied requests, failed sign-ins). A
// failure is logged, not returned: the caller's answer stands either way.
func (s *Service) auditAlone(ctx context.Context, reqID string, e entry) {
	err := s.db.WithTx(ctx, func(tx *sqldb.Tx) error { return s.appendAudit(ctx, tx, reqID, e) })
	if err != nil {
		s.log.ErrorContext(ctx, "accounts: writing an audit entry failed", "action", e.action, "request_id", safeRequestID(reqID), "err", err)
	}
}

// authorize asks the policy and audits a refusal. targetType and targetID
// name the record for the audit entry.
func (s *Service) authorize(ctx context.Context, reqID string, p auth.Principal, a auth.Action, r auth.Resource, targetType, targetID string) (auth.Decision, error) {
	d := auth.Decide(p, a, r)
	if d.Allowed {
		return d, nil
	}
	if p.UserID != "" && p.OrgID != "" {
		s.auditAlone(ctx, reqID, entry{actor: p.UserID, org: p.OrgID, action: string(a),
			targetType: targetType, targetID: targetID, outcome: discern.OutcomeDenied})
	}
	return d, d.Err(r)
}

// safeID keeps only well-formed record IDs for audit entries: an ID taken
// from a request path might be anything.
func safeID(id string) string {
	if discern.ValidID(id) {
		return id
	}
	return ""
}

// safeRequestID keeps request IDs that fit an audit entry.
func safeRequestID(id string) string {
	if len(id) > 128 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return ""
		}
	}
	return id
}

// hashToken is how session tokens and API tokens are found: SHA-256 of
// the whole presented string. The tokens carry 256 random bits, so a fast
// hash is enough and a lookup by it reveals nothing worth timing.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// internal wraps an unexpected failure as an internal error.
func internal(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*discern.Error](err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &discern.Error{Kind: discern.KindInternal, Err: fmt.Errorf("accounts: %s: %w", op, err)}
}

// mfaBinding binds a user's sealed TOTP secret to their row.
func mfaBinding(userID string) seal.Binding {
	return seal.Binding{Table: "users", Column: "mfa_secret", RowID: userID}
}

// Sweep deletes what has expired: sessions past their absolute or idle
// timeout and idempotency keys past their expiry. The server runs it now
// and then; nothing depends on it for security, since every check also
// looks at the times.
//
// Throttle records are not swept: the store cannot tell a permanent lock
// (which must stay until an administrator lifts it) from a forgotten count.
func (s *Service) Sweep(ctx context.Context) (sessions, keys int, err error) {
	now := s.now()
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		if sessions, err = tx.DeleteStaleSessions(ctx, now, now.Add(-s.sessions.IdleTimeout)); err != nil {
			return err
		}
		keys, err = tx.DeleteExpiredIdempotencyKeys(ctx, now)
		return err
	})
	return sessions, keys, err
}

// Authorize asks the policy whether p may do a on r and audits a refusal.
// The HTTP server calls it for every route before the handler runs, with
// the route's action and the principal's best case, so that a role with no
// grant, a token without the scope or a session owing its second factor
// is refused before anything is looked up.
func (s *Service) Authorize(ctx context.Context, reqID string, p auth.Principal, a auth.Action, r auth.Resource) (auth.Decision, error) {
	return s.authorize(ctx, reqID, p, a, r, "request", "")
}
