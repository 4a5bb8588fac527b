package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/discern-org/discern/internal/discern"
)

// TokenScope is what an API token may be used for. Each action has at most
// one token scope (see policyTable); actions without one cannot be done
// with a token at all.
type TokenScope string

// The token scopes.
const (
	TokenPeopleRead      TokenScope = "people:read"
	TokenPeopleWrite     TokenScope = "people:write"
	TokenPeopleErase     TokenScope = "people:erase"
	TokenEncountersRead  TokenScope = "encounters:read"
	TokenEncountersWrite TokenScope = "encounters:write"
	TokenScreeningsRead  TokenScope = "screenings:read"
	TokenScreeningsWrite TokenScope = "screenings:write"
	TokenNotesRead       TokenScope = "notes:read"
	TokenNotesWrite      TokenScope = "notes:write"
	TokenTasksRead       TokenScope = "tasks:read"
	TokenTasksWrite      TokenScope = "tasks:write"
	TokenAssess          TokenScope = "assess"
	TokenUsersRead       TokenScope = "users:read"
	TokenUsersWrite      TokenScope = "users:write"
	TokenOrgsRead        TokenScope = "orgs:read"
	TokenOrgsWrite       TokenScope = "orgs:write"
	TokenAuditRead       TokenScope = "audit:read"
	TokenStatsRead       TokenScope = "stats:read"
	TokenConsentsRead    TokenScope = "consents:read"
	TokenConsentsWrite   TokenScope = "consents:write"
	TokenReferralsRead   TokenScope = "referrals:read"
	TokenReferralsWrite  TokenScope = "referrals:write"

	// Pathway tracking and contact safety.
	TokenPlansRead    TokenScope = "plans:read"
	TokenPlansWrite   TokenScope = "plans:write"
	TokenContactRead  TokenScope = "contact:read"
	TokenContactWrite TokenScope = "contact:write"
	// TokenDirectoryRead reads the service directory (the /hsds API and
	// directory matches).
	TokenDirectoryRead TokenScope = "directory:read"
)

// TokenScopes lists every token scope.
var TokenScopes = []TokenScope{
	TokenPeopleRead, TokenPeopleWrite, TokenPeopleErase,
	TokenEncountersRead, TokenEncountersWrite,
	TokenScreeningsRead, TokenScreeningsWrite,
	TokenNotesRead, TokenNotesWrite,
	TokenTasksRead, TokenTasksWrite,
	TokenAssess,
	TokenUsersRead, TokenUsersWrite,
	TokenOrgsRead, TokenOrgsWrite,
	TokenAuditRead, TokenStatsRead,
	TokenConsentsRead, TokenConsentsWrite,
	TokenReferralsRead, TokenReferralsWrite,
	TokenPlansRead, TokenPlansWrite, TokenContactRead, TokenContactWrite,
	TokenDirectoryRead,
}

// Valid reports whether s is a known scope.
func (s TokenScope) Valid() bool { return slices.Contains(TokenScopes, s) }

// API token format: "dsc_" + 16 lowercase hex digits of public id + "_" +
// 43 base64url characters of secret (32 random bytes). The prefix makes a
// leaked token easy to recognize for secret scanners; the public id finds
// the row without a secret-dependent lookup.
const (
	APITokenPrefix  = "dsc_"
	publicIDBytes   = 8
	publicIDLen     = 2 * publicIDBytes
	apiTokenLen     = len(APITokenPrefix) + publicIDLen + 1 + 43
	maxTokenNameLen = 100
)

// MaxAPITokenLifetime bounds expiry: every token expires, within a year.
const MaxAPITokenLifetime = 365 * 24 * time.Hour

// APIToken is a stored API token. Only the SHA-256 of its secret is kept.
type APIToken struct {
	PublicID   string // 16 lowercase hex digits; safe to show and log
	SecretHash TokenHash
	UserID     string // the owner; the token acts with the owner's current role
	OrgID      string
	Name       string // the owner's label, e.g. "monthly statistics export"
	Scopes     []TokenScope
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero until first used
}

// APITokenRequest is what is needed to create a token.
type APITokenRequest struct {
	UserID    string
	OrgID     string
	Role      discern.Role // the owner's role: scopes it can never use are refused
	Name      string
	Scopes    []TokenScope
	ExpiresAt time.Time
}

// NewAPIToken validates req and creates a token. It returns the token to
// show once (it cannot be recovered) and the APIToken to store.
func NewAPIToken(random io.Reader, now time.Time, req APITokenRequest) (string, APIToken, error) {
	name := strings.TrimSpace(req.Name)
	switch {
	case req.UserID == "" || req.OrgID == "" || !req.Role.Valid():
		return "", APIToken{}, errors.New("auth: API token needs an owner with a valid role")
	case name == "":
		return "", APIToken{}, discern.Invalid("name", "Please give the token a name, so you can recognize it later.")
	case utf8.RuneCountInString(name) > maxTokenNameLen || !utf8.ValidString(name):
		return "", APIToken{}, discern.Invalid("name", "Please use a name of at most %d characters.", maxTokenNameLen)
	case len(req.Scopes) == 0:
		return "", APIToken{}, discern.Invalid("scopes", "Please choose at least one scope.")
	case !req.ExpiresAt.After(now):
		return "", APIToken{}, discern.Invalid("expires_at", "The expiry must be in the future.")
	case req.ExpiresAt.After(now.Add(MaxAPITokenLifetime)):
		return "", APIToken{}, discern.Invalid("expires_at", "A token can be valid for at most one year.")
	}
	usable := TokenScopesFor(req.Role)
	scopes := slices.Clone(req.Scopes)
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	for _, s := range scopes {
		if !s.Valid() {
			return "", APIToken{}, discern.Invalid("scopes", "There is no scope %q.", s)
		}
		if !slices.Contains(usable, s) {
			return "", APIToken{}, discern.Invalid("scopes", "Your role cannot use the scope %q.", s)
		}
	}
	id := make([]byte, publicIDBytes)
	if _, err := io.ReadFull(random, id); err != nil {
		return "", APIToken{}, fmt.Errorf("auth: reading random bytes: %w", err)
	}
	secret, hash, err := newSecret(random)
	if err != nil {
		return "", APIToken{}, err
	}
	t := APIToken{
		PublicID:   hex.EncodeToString(id),
		SecretHash: hash,
		UserID:     req.UserID,
		OrgID:      req.OrgID,
		Name:       name,
		Scopes:     scopes,
		CreatedAt:  now,
		ExpiresAt:  req.ExpiresAt,
	}
	return APITokenPrefix + t.PublicID + "_" + secret, t, nil
}

// errBadToken is what every API token failure looks like to the client, so
// the response does not tell a wrong secret from an unknown id.
func errBadToken(cause error) error {
	return unauthorized("The API token is not valid or has expired.", cause)
}

// ParseAPIToken checks the format of a presented token strictly and
// returns its public id and the hash of its secret.
func ParseAPIToken(token string) (publicID string, secretHash TokenHash, err error) {
	if len(token) != apiTokenLen {
		return "", TokenHash{}, errBadToken(errors.New("API token: wrong length"))
	}
	rest, ok := strings.CutPrefix(token, APITokenPrefix)
	if !ok {
		return "", TokenHash{}, errBadToken(errors.New("API token: wrong prefix"))
	}
	publicID, secret := rest[:publicIDLen], rest[publicIDLen:]
	if !isLowerHex(publicID) {
		return "", TokenHash{}, errBadToken(errors.New("API token: public id is not lowercase hex"))
	}
	secret, ok = strings.CutPrefix(secret, "_")
	if !ok {
		return "", TokenHash{}, errBadToken(errors.New("API token: missing separator"))
	}
	h, err := parseSecret(secret)
	if err != nil {
		return "", TokenHash{}, errBadToken(fmt.Errorf("API token secret: %w", err))
	}
	return publicID, h, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Check reports whether a presented secret (its hash, from ParseAPIToken)
// matches t and t is still valid at now. The hashes are compared in
// constant time.
func (t APIToken) Check(secretHash TokenHash, now time.Time) error {
	if !t.SecretHash.Equal(secretHash) || t.SecretHash.IsZero() {
		return errBadToken(errors.New("API token: secret does not match"))
	}
	if !now.Before(t.ExpiresAt) {
		return errBadToken(errors.New("API token: expired"))
	}
	return nil
}

// APITokenStore persists API tokens. Methods return a discern.Error of kind
// not_found when the token does not exist.
type APITokenStore interface {
	// CreateAPIToken stores a new token (public ids are unique).
	CreateAPIToken(ctx context.Context, t APIToken) error
	// FindAPITokenByPublicID returns the token with the public id.
	FindAPITokenByPublicID(ctx context.Context, publicID string) (APIToken, error)
	// FindAPITokens lists a user's tokens, expired ones included.
	FindAPITokens(ctx context.Context, userID string) ([]APIToken, error)
	// TouchAPIToken records use, at most about once a minute per token.
	TouchAPIToken(ctx context.Context, publicID string, lastUsed time.Time) error
	// DeleteAPIToken revokes one token.
	DeleteAPIToken(ctx context.Context, publicID string) error
	// DeleteUserAPITokens revokes all of a user's tokens (account disabled).
	DeleteUserAPITokens(ctx context.Context, userID string) error
}

// AuthenticateAPIToken parses token, finds it and checks it. Every failure
// is the same unauthorized error; an unknown id still costs a comparison,
// so timing does not reveal which ids exist.
func AuthenticateAPIToken(ctx context.Context, store APITokenStore, token string, now time.Time) (APIToken, error) {
	id, h, err := ParseAPIToken(token)
	if err != nil {
		return APIToken{}, err
	}
	t, err := store.FindAPITokenByPublicID(ctx, id)
	if discern.KindOf(err) == discern.KindNotFound {
		dummy := sha256.Sum256([]byte(id))
		_ = TokenHash(dummy).Equal(h)
		return APIToken{}, errBadToken(errors.New("API token: unknown public id"))
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("auth: finding API token: %w", err)
	}
	if err := t.Check(h, now); err != nil {
		return APIToken{}, err
	}
	return t, nil
}
