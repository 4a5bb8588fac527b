package discern

import (
	"context"
	"time"
)

// Session is a server-side sign-in session. The store keeps only the hash
// of the session token (made by the auth package), so a copy of the
// database cannot be used to sign in.
type Session struct {
	ID         string
	TokenHash  []byte
	OrgID      string
	UserID     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute timeout; the idle timeout is LastSeenAt + the policy's idle limit
	// MFAVerified is set once the second factor was passed in this session.
	MFAVerified bool
}

// Validate checks a session before it is stored.
func (s *Session) Validate() error {
	switch {
	case len(s.TokenHash) < 16 || len(s.TokenHash) > 64:
		return Invalid("token_hash", "token_hash must be a token hash.")
	case s.OrgID == "" || s.UserID == "":
		return Invalid("user_id", "A session belongs to a user.")
	case s.ExpiresAt.IsZero():
		return Invalid("expires_at", "expires_at is required.")
	}
	return nil
}

// SessionStore stores sessions. Finding by token hash is a credential
// lookup and therefore takes no organization.
type SessionStore interface {
	// CreateSession fills in ID (when empty), CreatedAt and LastSeenAt.
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionByTokenHash returns KindNotFound; expiry is the caller's
	// to check, against its own clock and policy.
	FindSessionByTokenHash(ctx context.Context, tokenHash []byte) (*Session, error)
	// FindSessions lists a user's sessions, newest first.
	FindSessions(ctx context.Context, orgID, userID string) ([]*Session, error)
	// TouchSession records activity now, and whether MFA was passed.
	TouchSession(ctx context.Context, tokenHash []byte, mfaVerified bool) error
	// DeleteSession signs one session out; deleting a missing session is
	// not an error, so that signing out twice is harmless.
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// DeleteUserSessions signs a user out everywhere and returns how many
	// sessions ended.
	DeleteUserSessions(ctx context.Context, orgID, userID string) (int, error)
	// DeleteStaleSessions removes sessions whose absolute expiry is at or
	// before expiredBy or that were last seen at or before idleSince.
	DeleteStaleSessions(ctx context.Context, expiredBy, idleSince time.Time) (int, error)
}

// APIToken is a scoped, expiring credential for programs. Only its hash is
// stored; the token itself is shown once, when it is made.
type APIToken struct {
	ID         string
	OrgID      string
	UserID     string // the user the token acts as; it never exceeds their rights
	Name       string
	TokenHash  []byte
	Scopes     []string // the auth package's scope names, e.g. "screenings:write"
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Validate checks an API token before it is stored.
func (t *APIToken) Validate() error {
	switch {
	case t.OrgID == "" || t.UserID == "":
		return Invalid("user_id", "An API token belongs to a user.")
	case len(t.TokenHash) < 16 || len(t.TokenHash) > 64:
		return Invalid("token_hash", "token_hash must be a token hash.")
	case t.ExpiresAt.IsZero():
		return Invalid("expires_at", "API tokens must expire.")
	case len(t.Scopes) == 0 || len(t.Scopes) > 64:
		return Invalid("scopes", "An API token needs at least one scope.")
	}
	for _, s := range t.Scopes {
		if !validContentID(s) && !validScopeName(s) {
			return Invalid("scopes", "scopes holds an invalid scope name.")
		}
	}
	return validName("name", t.Name)
}

// validScopeName accepts names like "screenings:write".
func validScopeName(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == ':' || c == '_' || c == '-' || c == '.' || c == '*') {
			return false
		}
	}
	return true
}

// APITokenStore stores API tokens.
type APITokenStore interface {
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// FindAPITokenByHash is a credential lookup (no organization). It
	// returns revoked and expired tokens too; the caller decides.
	FindAPITokenByHash(ctx context.Context, tokenHash []byte) (*APIToken, error)
	// FindAPITokens lists an organization's tokens, optionally one user's.
	FindAPITokens(ctx context.Context, orgID string, userID *string) ([]*APIToken, error)
	// TouchAPIToken records that the token was used now.
	TouchAPIToken(ctx context.Context, id string) error
	// RevokeAPIToken returns KindNotFound; revoking twice is not an error.
	RevokeAPIToken(ctx context.Context, orgID, id string) error
}

// ThrottleRecord counts failed sign-in attempts for one key (the auth
// package chooses keys, such as a hash of the email, or of the address).
type ThrottleRecord struct {
	Key            string
	Failures       int
	FirstFailureAt time.Time
	LockedUntil    *time.Time
	UpdatedAt      time.Time
}

// ThrottleStore stores throttle records.
type ThrottleStore interface {
	// FindThrottle returns KindNotFound when the key has no record.
	FindThrottle(ctx context.Context, key string) (*ThrottleRecord, error)
	// UpdateThrottle reads the record for key (nil if there is none), calls
	// fn, and stores what fn returns (nil deletes the record), atomically
	// across replicas, so that concurrent failed attempts all count.
	UpdateThrottle(ctx context.Context, key string, fn func(*ThrottleRecord) (*ThrottleRecord, error)) (*ThrottleRecord, error)
	// DeleteThrottles removes records last updated at or before before.
	DeleteThrottles(ctx context.Context, before time.Time) (int, error)
}

// IdempotencyKey remembers the response to a create request, so that a
// client retrying after a lost response gets the same answer instead of a
// second record. Keys are per user.
type IdempotencyKey struct {
	OrgID  string
	UserID string
	Key    string // the client's Idempotency-Key header
	// RequestHash is a hash of the method, path and body: the same key
	// with a different request is an error, not a replay.
	RequestHash []byte
	// Status is the HTTP status of the response; 0 while the first request
	// is still running.
	Status    int
	Body      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Validate checks an idempotency key before it is stored.
func (k *IdempotencyKey) Validate() error {
	switch {
	case k.OrgID == "" || k.UserID == "":
		return Invalid("user_id", "An idempotency key belongs to a user.")
	case k.Key == "" || len(k.Key) > 255:
		return Invalid("idempotency_key", "Idempotency-Key must be 1 to 255 characters.")
	case len(k.RequestHash) == 0 || len(k.RequestHash) > 64:
		return Invalid("request_hash", "request_hash is required.")
	case k.ExpiresAt.IsZero():
		return Invalid("expires_at", "expires_at is required.")
	case k.Status < 0 || k.Status > 599:
		return Invalid("status", "status must be an HTTP status.")
	}
	return nil
}

// IdempotencyStore stores idempotency keys.
type IdempotencyStore interface {
	// CreateIdempotencyKey reserves a key before the request runs (Status
	// 0). It returns KindConflict if the key exists: the caller then finds
	// it and replays, waits, or rejects a different request.
	CreateIdempotencyKey(ctx context.Context, k *IdempotencyKey) error
	FindIdempotencyKey(ctx context.Context, orgID, userID, key string) (*IdempotencyKey, error)
	// CompleteIdempotencyKey stores the response. Called in the same
	// transaction as the create it answers, the record and the response
	// commit together or not at all.
	CompleteIdempotencyKey(ctx context.Context, orgID, userID, key string, status int, body []byte) error
	// DeleteIdempotencyKey releases a reservation whose request failed, so
	// that the client may retry.
	DeleteIdempotencyKey(ctx context.Context, orgID, userID, key string) error
	// DeleteExpiredIdempotencyKeys removes keys that expired at or before now.
	DeleteExpiredIdempotencyKeys(ctx context.Context, now time.Time) (int, error)
}
