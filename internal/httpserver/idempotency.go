package httpserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// IdempotencyHeader is the request header that makes a create safe to
// retry (the IETF httpapi Idempotency-Key draft).
const IdempotencyHeader = "Idempotency-Key"

// ReplayedHeader is set to "true" on a response replayed for a repeated
// Idempotency-Key.
const ReplayedHeader = "Idempotent-Replayed"

// IdempotencyKey is embedded in the input of every create operation:
//
//	type input struct {
//		httpserver.IdempotencyKey
//		Body newThing
//	}
type IdempotencyKey struct {
	Key string `header:"Idempotency-Key" maxLength:"255" doc:"A unique key for this create, such as a UUID. Repeating a request with the same key and body returns the first response instead of creating again; the same key with a different body is refused. Keys are remembered for 24 hours."`
}

// Idempotency makes creates safe to retry with the store's
// IdempotencyStore. A request with an Idempotency-Key reserves the key
// (per user) before it runs; its response is stored in the transaction
// that stores the record, so both commit or neither does; a retry with the
// same key and the same request gets the stored response back, and one
// with a different request is refused.
type Idempotency struct {
	db  *sqldb.DB
	now func() time.Time
	ttl time.Duration
}

// NewIdempotency returns the helper over db; keys are remembered for ttl.
func NewIdempotency(db *sqldb.DB, now func() time.Time, ttl time.Duration) *Idempotency {
	return &Idempotency{db: db, now: now, ttl: ttl}
}

// Complete stores body as the response to the request in tx. A create
// passes it to its service as the transaction hook (accounts.TxHook), with
// the body made from the record just stored.
type Complete[B any] func(ctx context.Context, tx *sqldb.Tx, body B) error

// IdempotentCreate runs create at most once for each Idempotency-Key of
// the principal. key is the header's value ("" runs create as it is);
// request is what identifies the request besides the key (typically the
// route and the decoded body), hashed to tell a retry from a different
// request. It returns the body and whether it was replayed (set
// ReplayedHeader then).
//
// create must call complete inside the transaction that stores the
// record. If it returns without having called it (a create with nothing
// to store in a transaction), the response is stored afterwards.
//
// A handler uses it like this:
//
//	body, replayed, err := httpserver.IdempotentCreate(ctx, idem, p, in.Key, in.Body,
//		func(ctx context.Context, complete httpserver.Complete[teamBody]) (teamBody, error) {
//			t, err := svc.CreateTeam(ctx, reqID, p, in.Body.Name,
//				func(ctx context.Context, tx *sqldb.Tx, t *discern.Team) error {
//					return complete(ctx, tx, teamOf(t))
//				})
//			if err != nil {
//				return teamBody{}, err
//			}
//			return teamOf(t), nil
//		})
func IdempotentCreate[B any](ctx context.Context, ix *Idempotency, p auth.Principal, key string, request any,
	create func(ctx context.Context, complete Complete[B]) (B, error)) (B, bool, error) {
	var zero B
	if key == "" {
		b, err := create(ctx, func(context.Context, *sqldb.Tx, B) error { return nil })
		return b, false, err
	}
	if !validIdempotencyKey(key) {
		return zero, false, discern.Invalid(IdempotencyHeader, "Idempotency-Key must be 1 to 255 visible ASCII characters.")
	}
	fp, err := json.Marshal(struct {
		Route   string `json:"route"`
		Request any    `json:"request"`
	}{stateOf(ctx).route, request})
	if err != nil {
		return zero, false, &discern.Error{Kind: discern.KindInternal, Err: err}
	}
	sum := sha256.Sum256(fp)
	hash := sum[:]

	replay, found, err := ix.reserve(ctx, p, key, hash)
	if err != nil || found {
		if err != nil {
			return zero, false, err
		}
		var b B
		if err := json.Unmarshal(replay.Body, &b); err != nil {
			return zero, false, &discern.Error{Kind: discern.KindInternal, Err: err}
		}
		return b, true, nil
	}

	completed := false
	b, err := create(ctx, func(ctx context.Context, tx *sqldb.Tx, body B) error {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		completed = true
		return tx.CompleteIdempotencyKey(ctx, p.OrgID, p.UserID, key, http.StatusCreated, raw)
	})
	// Neither a failed create nor a cancelled request may leave the key
	// reserved: the client must be able to retry.
	bg := context.WithoutCancel(ctx)
	if err != nil {
		_ = ix.db.DeleteIdempotencyKey(bg, p.OrgID, p.UserID, key)
		return zero, false, err
	}
	if !completed {
		raw, err := json.Marshal(b)
		if err == nil {
			err = ix.db.CompleteIdempotencyKey(bg, p.OrgID, p.UserID, key, http.StatusCreated, raw)
		}
		if err != nil {
			_ = ix.db.DeleteIdempotencyKey(bg, p.OrgID, p.UserID, key)
		}
	}
	return b, false, nil
}

// reserve reserves key for the request with hash, or finds the earlier
// request's key: found with its stored response, or an error when that
// request is still running or was a different one. An expired key is
// released and reserved afresh.
func (ix *Idempotency) reserve(ctx context.Context, p auth.Principal, key string, hash []byte) (*discern.IdempotencyKey, bool, error) {
	now := ix.now()
	for attempt := 0; attempt < 2; attempt++ {
		err := ix.db.CreateIdempotencyKey(ctx, &discern.IdempotencyKey{
			OrgID: p.OrgID, UserID: p.UserID, Key: key, RequestHash: hash, ExpiresAt: now.Add(ix.ttl),
		})
		if err == nil {
			return nil, false, nil
		}
		if discern.KindOf(err) != discern.KindConflict {
			return nil, false, err
		}
		old, err := ix.db.FindIdempotencyKey(ctx, p.OrgID, p.UserID, key)
		switch {
		case discern.KindOf(err) == discern.KindNotFound:
			continue // released meanwhile
		case err != nil:
			return nil, false, err
		case !now.Before(old.ExpiresAt):
			if err := ix.db.DeleteIdempotencyKey(ctx, p.OrgID, p.UserID, key); err != nil {
				return nil, false, err
			}
			continue
		case !bytes.Equal(old.RequestHash, hash):
			return nil, false, discern.Invalid(IdempotencyHeader, "This Idempotency-Key was used for a different request; use a new key for a new request.")
		case old.Status == 0:
			return nil, false, discern.Errorf(discern.KindConflict, "A request with this Idempotency-Key is still being processed; try again in a moment.")
		}
		return old, true, nil
	}
	return nil, false, discern.Errorf(discern.KindConflict, "A request with this Idempotency-Key is still being processed; try again in a moment.")
}

func validIdempotencyKey(k string) bool {
	if len(k) < 1 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] > '~' {
			return false
		}
	}
	return true
}
