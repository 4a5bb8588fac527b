package sqldb

import (
	"context"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

const (
	sessionCols     = "id, token_hash, org_id, user_id, created_at, last_seen_at, expires_at, mfa_verified"
	sqlTouchSession = "UPDATE sessions SET last_seen_at = $2, mfa_verified = $3 WHERE token_hash = $1"
)

func scanSession(s scanner) (*discern.Session, error) {
	var x discern.Session
	if err := s.Scan(&x.ID, &x.TokenHash, &x.OrgID, &x.UserID, tm{&x.CreatedAt}, tm{&x.LastSeenAt}, tm{&x.ExpiresAt}, &x.MFAVerified); err != nil {
		return nil, err
	}
	return &x, nil
}

// CreateSession stores s, filling in ID, CreatedAt and LastSeenAt.
func (tx *Tx) CreateSession(ctx context.Context, s *discern.Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&s.ID); err != nil {
		return err
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = tx.now, tx.now, normTime(s.ExpiresAt)
	_, err := tx.exec(ctx, "INSERT INTO sessions ("+sessionCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		s.ID, s.TokenHash, s.OrgID, s.UserID, tx.now, tx.now, s.ExpiresAt, s.MFAVerified)
	return mapError("create session", err)
}

// FindSessionByTokenHash returns KindNotFound.
func (r reader) FindSessionByTokenHash(ctx context.Context, tokenHash []byte) (*discern.Session, error) {
	s, err := scanSession(r.q.QueryRowContext(ctx, "SELECT "+sessionCols+" FROM sessions WHERE token_hash = $1", tokenHash))
	if err != nil {
		return nil, findErr("find session", "session", err)
	}
	return s, nil
}

// FindSessions lists a user's sessions, newest first.
func (r reader) FindSessions(ctx context.Context, orgID, userID string) ([]*discern.Session, error) {
	rows, err := r.q.QueryContext(ctx, "SELECT "+sessionCols+" FROM sessions WHERE org_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC",
		orgID, userID)
	if err != nil {
		return nil, mapError("find sessions", err)
	}
	ss, err := collect(rows, scanSession)
	return ss, mapError("find sessions", err)
}

// TouchSession records activity at the transaction's time.
func (tx *Tx) TouchSession(ctx context.Context, tokenHash []byte, mfaVerified bool) error {
	res, err := tx.exec(ctx, sqlTouchSession, tokenHash, tx.now, mfaVerified)
	return affectedOne(res, err, "touch session", "session")
}

// DeleteSession signs one session out.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash []byte) error {
	_, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = $1", tokenHash)
	return mapError("delete session", err)
}

// DeleteUserSessions signs a user out everywhere.
func (tx *Tx) DeleteUserSessions(ctx context.Context, orgID, userID string) (int, error) {
	res, err := tx.exec(ctx, "DELETE FROM sessions WHERE org_id = $1 AND user_id = $2", orgID, userID)
	return affected(res, err, "delete user sessions")
}

// DeleteStaleSessions removes expired and idle sessions.
func (tx *Tx) DeleteStaleSessions(ctx context.Context, expiredBy, idleSince time.Time) (int, error) {
	res, err := tx.exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2", normTime(expiredBy), normTime(idleSince))
	return affected(res, err, "delete stale sessions")
}

const apiTokenCols = "id, org_id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at, revoked_at"

func scanAPIToken(s scanner) (*discern.APIToken, error) {
	var t discern.APIToken
	if err := s.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &t.TokenHash, jsonText{&t.Scopes}, tm{&t.CreatedAt}, tm{&t.ExpiresAt},
		optTm{&t.LastUsedAt}, optTm{&t.RevokedAt}); err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateAPIToken stores t.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *discern.APIToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := tx.fillID(&t.ID); err != nil {
		return err
	}
	scopes, err := jsonArg(t.Scopes)
	if err != nil {
		return mapError("create api token", err)
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = tx.now, normTime(t.ExpiresAt), nil, nil
	_, err = tx.exec(ctx, "INSERT INTO api_tokens ("+apiTokenCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)",
		t.ID, t.OrgID, t.UserID, t.Name, t.TokenHash, scopes, tx.now, t.ExpiresAt)
	return mapError("create api token", err)
}

// FindAPITokenByHash returns KindNotFound.
func (r reader) FindAPITokenByHash(ctx context.Context, tokenHash []byte) (*discern.APIToken, error) {
	t, err := scanAPIToken(r.q.QueryRowContext(ctx, "SELECT "+apiTokenCols+" FROM api_tokens WHERE token_hash = $1", tokenHash))
	if err != nil {
		return nil, findErr("find api token", "API token", err)
	}
	return t, nil
}

// FindAPITokens lists an organization's tokens, newest first.
func (r reader) FindAPITokens(ctx context.Context, orgID string, userID *string) ([]*discern.APIToken, error) {
	var q query
	q.where("org_id = %s", orgID)
	q.eq("user_id", userID)
	rows, err := r.q.QueryContext(ctx, "SELECT "+apiTokenCols+" FROM api_tokens"+q.whereSQL()+" ORDER BY created_at DESC, id DESC", q.args...)
	if err != nil {
		return nil, mapError("find api tokens", err)
	}
	ts, err := collect(rows, scanAPIToken)
	return ts, mapError("find api tokens", err)
}

// TouchAPIToken records a use at the transaction's time.
func (tx *Tx) TouchAPIToken(ctx context.Context, id string) error {
	res, err := tx.exec(ctx, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", id, tx.now)
	return affectedOne(res, err, "touch api token", "API token")
}

// RevokeAPIToken revokes a token; revoking twice keeps the first time.
func (tx *Tx) RevokeAPIToken(ctx context.Context, orgID, id string) error {
	res, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE org_id = $1 AND id = $2", orgID, id, tx.now)
	return affectedOne(res, err, "revoke api token", "API token")
}

const throttleCols = "key, failures, first_failure_at, locked_until, updated_at"

func scanThrottle(s scanner) (*discern.ThrottleRecord, error) {
	var t discern.ThrottleRecord
	if err := s.Scan(&t.Key, &t.Failures, tm{&t.FirstFailureAt}, optTm{&t.LockedUntil}, tm{&t.UpdatedAt}); err != nil {
		return nil, err
	}
	return &t, nil
}

// FindThrottle returns KindNotFound when key has no record.
func (r reader) FindThrottle(ctx context.Context, key string) (*discern.ThrottleRecord, error) {
	t, err := r.findThrottle(ctx, key, "")
	if err == nil && t.Failures < 0 { // an UpdateThrottle placeholder
		return nil, notFound("throttle record")
	}
	return t, err
}

func (r reader) findThrottle(ctx context.Context, key, lock string) (*discern.ThrottleRecord, error) {
	t, err := scanThrottle(r.q.QueryRowContext(ctx, "SELECT "+throttleCols+" FROM throttles WHERE key = $1"+lock, key))
	if err != nil {
		return nil, findErr("find throttle", "throttle record", err)
	}
	return t, nil
}

// UpdateThrottle is a locked read-modify-write of one throttle record. On
// PostgreSQL an empty placeholder row is inserted first, because FOR UPDATE
// cannot lock a row that does not exist yet; within the transaction it is
// replaced or removed, so it is never seen.
func (tx *Tx) UpdateThrottle(ctx context.Context, key string, fn func(*discern.ThrottleRecord) (*discern.ThrottleRecord, error)) (*discern.ThrottleRecord, error) {
	if key == "" || len(key) > 255 {
		return nil, discern.Invalid("key", "A throttle key is 1 to 255 characters.")
	}
	if tx.d == Postgres {
		if _, err := tx.exec(ctx, "INSERT INTO throttles ("+throttleCols+") VALUES ($1, -1, $2, NULL, $2) ON CONFLICT (key) DO NOTHING", key, tx.now); err != nil {
			return nil, mapError("update throttle", err)
		}
	}
	cur, err := tx.findThrottle(ctx, key, tx.forUpdate())
	if err != nil && discern.KindOf(err) != discern.KindNotFound {
		return nil, err
	}
	if cur != nil && cur.Failures < 0 { // the placeholder
		cur = nil
	}
	next, err := fn(cur)
	if err != nil {
		return nil, err
	}
	if next == nil {
		_, err := tx.exec(ctx, "DELETE FROM throttles WHERE key = $1", key)
		return nil, mapError("update throttle", err)
	}
	if next.Failures < 0 {
		return nil, discern.Invalid("failures", "failures must not be negative.")
	}
	next.Key, next.UpdatedAt = key, tx.now
	next.FirstFailureAt = normTime(next.FirstFailureAt)
	next.LockedUntil = normTimePtr(next.LockedUntil)
	_, err = tx.exec(ctx, "INSERT INTO throttles ("+throttleCols+") VALUES ($1, $2, $3, $4, $5) "+
		"ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_failure_at = excluded.first_failure_at, "+
		"locked_until = excluded.locked_until, updated_at = excluded.updated_at",
		key, next.Failures, next.FirstFailureAt, nullTime(next.LockedUntil), tx.now)
	if err != nil {
		return nil, mapError("update throttle", err)
	}
	return next, nil
}

// DeleteThrottles removes records last updated at or before before.
func (tx *Tx) DeleteThrottles(ctx context.Context, before time.Time) (int, error) {
	res, err := tx.exec(ctx, "DELETE FROM throttles WHERE updated_at <= $1", normTime(before))
	return affected(res, err, "delete throttles")
}

const idemCols = "org_id, user_id, key, request_hash, status, body, created_at, expires_at"

func scanIdem(s scanner) (*discern.IdempotencyKey, error) {
	var k discern.IdempotencyKey
	if err := s.Scan(&k.OrgID, &k.UserID, &k.Key, &k.RequestHash, &k.Status, &k.Body, tm{&k.CreatedAt}, tm{&k.ExpiresAt}); err != nil {
		return nil, err
	}
	return &k, nil
}

// CreateIdempotencyKey reserves a key. Returns KindConflict if it exists.
func (tx *Tx) CreateIdempotencyKey(ctx context.Context, k *discern.IdempotencyKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	k.CreatedAt, k.ExpiresAt = tx.now, normTime(k.ExpiresAt)
	_, err := tx.exec(ctx, "INSERT INTO idempotency_keys ("+idemCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		k.OrgID, k.UserID, k.Key, k.RequestHash, k.Status, nullBytes(k.Body), tx.now, k.ExpiresAt)
	return mapError("create idempotency key", err)
}

// FindIdempotencyKey returns KindNotFound.
func (r reader) FindIdempotencyKey(ctx context.Context, orgID, userID, key string) (*discern.IdempotencyKey, error) {
	k, err := scanIdem(r.q.QueryRowContext(ctx, "SELECT "+idemCols+" FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3",
		orgID, userID, key))
	if err != nil {
		return nil, findErr("find idempotency key", "idempotency key", err)
	}
	return k, nil
}

// CompleteIdempotencyKey stores the response of a reserved key.
func (tx *Tx) CompleteIdempotencyKey(ctx context.Context, orgID, userID, key string, status int, body []byte) error {
	if status < 100 || status > 599 {
		return discern.Invalid("status", "status must be an HTTP status.")
	}
	res, err := tx.exec(ctx, "UPDATE idempotency_keys SET status = $4, body = $5 WHERE org_id = $1 AND user_id = $2 AND key = $3",
		orgID, userID, key, status, nullBytes(body))
	return affectedOne(res, err, "complete idempotency key", "idempotency key")
}

// DeleteIdempotencyKey releases a reservation.
func (tx *Tx) DeleteIdempotencyKey(ctx context.Context, orgID, userID, key string) error {
	_, err := tx.exec(ctx, "DELETE FROM idempotency_keys WHERE org_id = $1 AND user_id = $2 AND key = $3", orgID, userID, key)
	return mapError("delete idempotency key", err)
}

// DeleteExpiredIdempotencyKeys removes keys that expired at or before now.
func (tx *Tx) DeleteExpiredIdempotencyKeys(ctx context.Context, now time.Time) (int, error) {
	res, err := tx.exec(ctx, "DELETE FROM idempotency_keys WHERE expires_at <= $1", normTime(now))
	return affected(res, err, "delete expired idempotency keys")
}

// affected returns the number of rows a statement changed.
func affected(res interface{ RowsAffected() (int64, error) }, err error, op string) (int, error) {
	if err != nil {
		return 0, mapError(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError(op, err)
	}
	return int(n), nil
}

// affectedOne returns KindNotFound unless the statement changed a row.
func affectedOne(res interface{ RowsAffected() (int64, error) }, err error, op, what string) error {
	n, err := affected(res, err, op)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what)
	}
	return nil
}
