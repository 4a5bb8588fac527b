package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// TokenHash is the SHA-256 of a secret (a session token, an API token's
// secret or a recovery code). Only hashes are stored, so a copy of the
// database does not let anyone sign in. A fast hash is enough because the
// secrets have at least 80 bits of entropy: there is nothing to guess.
type TokenHash [sha256.Size]byte

// Equal compares in constant time.
func (h TokenHash) Equal(o TokenHash) bool { return subtle.ConstantTimeCompare(h[:], o[:]) == 1 }

// IsZero reports whether h is the zero value (no hash).
func (h TokenHash) IsZero() bool { return h == TokenHash{} }

// tokenBytes is the entropy of session tokens and API token secrets.
const tokenBytes = 32

// tokenEncoding is base64url without padding; Strict makes each token have
// one spelling only.
var tokenEncoding = base64.RawURLEncoding.Strict()

// encodedTokenLen is the length of 32 bytes in unpadded base64url.
var encodedTokenLen = tokenEncoding.EncodedLen(tokenBytes)

// newSecret returns 32 random bytes in base64url and the hash to store.
func newSecret(random io.Reader) (string, TokenHash, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", TokenHash{}, fmt.Errorf("auth: reading random bytes: %w", err)
	}
	s := tokenEncoding.EncodeToString(b)
	return s, sha256.Sum256([]byte(s)), nil
}

// parseSecret checks that s is exactly a 32-byte base64url secret and
// returns its hash.
func parseSecret(s string) (TokenHash, error) {
	if len(s) != encodedTokenLen {
		return TokenHash{}, errors.New("wrong length")
	}
	if _, err := decodeCanonical(tokenEncoding, s); err != nil {
		return TokenHash{}, err
	}
	return sha256.Sum256([]byte(s)), nil
}

// SessionConfig sets session lifetimes.
type SessionConfig struct {
	// IdleTimeout ends a session nobody has used for this long, for a
	// computer left signed in at a shelter's front desk.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends every session this long after sign-in, however
	// active, so a stolen cookie is not useful for long.
	AbsoluteTimeout time.Duration
}

// DefaultSessionConfig: 30 minutes idle, 12 hours absolute (one long
// working day), within OWASP's guidance for sensitive applications.
var DefaultSessionConfig = SessionConfig{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour}

// Session is a server-side session. The cookie holds the token; the store
// holds only TokenHash, so reading the sessions table does not yield
// usable cookies.
type Session struct {
	TokenHash   TokenHash
	UserID      string
	OrgID       string
	CreatedAt   time.Time // sign-in time
	LastSeenAt  time.Time
	ExpiresAt   time.Time     // absolute expiry
	IdleTimeout time.Duration // kept per session, so a config change does not extend live sessions
	UserAgent   string        // shown on the "your sessions" page; truncated
	// MFAVerified is true once the user has presented their second factor
	// in this session. A session without it for a user who needs a second
	// factor may only complete that step (see Decide).
	MFAVerified bool
}

// maxUserAgent bounds what a client can make us store.
const maxUserAgent = 256

// NewSession starts a session for a user who has just signed in and
// returns the token for the cookie. The caller stores the Session; when the
// browser already had a session, use Rotate instead so the old token dies.
func (c SessionConfig) NewSession(random io.Reader, now time.Time, userID, orgID string, userAgent string, mfaVerified bool) (string, Session, error) {
	if c.IdleTimeout <= 0 || c.AbsoluteTimeout <= 0 {
		return "", Session{}, errors.New("auth: session timeouts must be positive")
	}
	token, hash, err := newSecret(random)
	if err != nil {
		return "", Session{}, err
	}
	return token, Session{
		TokenHash:   hash,
		UserID:      userID,
		OrgID:       orgID,
		CreatedAt:   now,
		LastSeenAt:  now,
		ExpiresAt:   now.Add(c.AbsoluteTimeout),
		IdleTimeout: c.IdleTimeout,
		UserAgent:   truncateUTF8(userAgent, maxUserAgent),
		MFAVerified: mfaVerified,
	}, nil
}

// Rotate replaces old with a session under a new token, as at sign-in and
// when the second factor has been verified, so that a token an attacker
// planted or saw before the privilege change is worth nothing. The caller
// stores the result with SessionStore.ReplaceSession, which deletes old.
// The new session counts as a fresh sign-in for the absolute timeout.
func (c SessionConfig) Rotate(random io.Reader, old Session, now time.Time, mfaVerified bool) (string, Session, error) {
	return c.NewSession(random, now, old.UserID, old.OrgID, old.UserAgent, mfaVerified)
}

// Valid reports whether the session may be used at now: before its
// absolute expiry and not idle for IdleTimeout or longer.
func (s Session) Valid(now time.Time) bool {
	if s.TokenHash.IsZero() || s.UserID == "" || s.IdleTimeout <= 0 {
		return false
	}
	// No check that now is after CreatedAt: replicas' clocks differ by a
	// little, and a session made on one must work on the next.
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(s.IdleTimeout))
}

// touchEvery limits LastSeenAt writes to one a minute per session; the idle
// timeout is 30 minutes, so a minute's imprecision does not matter.
const touchEvery = time.Minute

// ShouldTouch reports whether LastSeenAt is old enough to be worth writing
// (SessionStore.TouchSession) for a request at now.
func (s Session) ShouldTouch(now time.Time) bool {
	return now.Sub(s.LastSeenAt) >= touchEvery
}

// SessionStore persists sessions. Methods return a discern.Error of kind
// not_found when the session does not exist.
type SessionStore interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s Session) error
	// FindSessionByTokenHash returns the session, valid or not; the caller
	// checks Valid.
	FindSessionByTokenHash(ctx context.Context, h TokenHash) (Session, error)
	// TouchSession records activity.
	TouchSession(ctx context.Context, h TokenHash, lastSeen time.Time) error
	// ReplaceSession deletes old and stores s in one transaction (rotation).
	ReplaceSession(ctx context.Context, old TokenHash, s Session) error
	// DeleteSession signs one session out.
	DeleteSession(ctx context.Context, h TokenHash) error
	// DeleteUserSessions signs the user out everywhere ("sign out
	// everywhere", password change, account disabled, role changed), except
	// the session keep unless keep is the zero TokenHash.
	DeleteUserSessions(ctx context.Context, userID string, keep TokenHash) error
	// FindUserSessions lists a user's sessions for "your sessions".
	FindUserSessions(ctx context.Context, userID string) ([]Session, error)
	// DeleteExpiredSessions removes sessions no longer Valid at now and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// NewSessionToken returns a fresh session token (32 random bytes,
// base64url) and the hash to store.
func NewSessionToken(random io.Reader) (string, TokenHash, error) {
	return newSecret(random)
}

// ParseSessionToken checks a token from a cookie and returns the hash to
// look up. Anything but a well-formed token is an unauthorized error.
func ParseSessionToken(token string) (TokenHash, error) {
	h, err := parseSecret(token)
	if err != nil {
		return TokenHash{}, unauthorized("Your session has ended. Please sign in again.", fmt.Errorf("session token: %w", err))
	}
	return h, nil
}

// SessionCookieName has the __Host- prefix, which browsers accept only with
// Secure, Path=/ and no Domain: the cookie cannot be set by a sibling
// subdomain or sent over plain HTTP.
const SessionCookieName = "__Host-discern_session"

// SessionCookie returns the cookie carrying token. It has no Expires, so it
// ends when the browser closes (shared computers); the server enforces the
// real timeouts. SameSite=Lax together with net/http's
// CrossOriginProtection keeps other sites from riding on it.
func SessionCookie(token string) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookieName,
		Value:    token,
		Path:     "/",
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// ClearSessionCookie returns a cookie that makes the browser delete the
// session cookie, for sign-out.
func ClearSessionCookie() *http.Cookie {
	c := SessionCookie("")
	c.MaxAge = -1
	return c
}

func truncateUTF8(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
