package accounts

import (
	"context"
	"errors"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/seal"
	"github.com/discern-org/discern/internal/sqldb"
)

// This file adapts the store's interfaces to those the auth and seal
// packages define for themselves. The two were written apart; the
// adapters keep either from having to change.

// updateFailures is auth.FailureStore.UpdateFailures over the store's
// ThrottleStore, inside tx: it locks the account record, then the address
// record (always in that order, so two attempts cannot deadlock), calls
// update once with both and stores what it returns.
//
// The store's record has FirstFailureAt where auth keeps LastFailure; the
// adapter keeps auth's LastFailure in FirstFailureAt, since auth's rules
// need only the time of the last failure.
func updateFailures(ctx context.Context, tx *sqldb.Tx, accountKey, addressKey string,
	update func(account, address auth.FailureRecord) (auth.FailureRecord, auth.FailureRecord)) error {
	_, err := tx.UpdateThrottle(ctx, accountKey, func(acct *discern.ThrottleRecord) (*discern.ThrottleRecord, error) {
		var nextAcct auth.FailureRecord
		_, err := tx.UpdateThrottle(ctx, addressKey, func(addr *discern.ThrottleRecord) (*discern.ThrottleRecord, error) {
			a, b := update(toFailure(acct), toFailure(addr))
			nextAcct = a
			return fromFailure(b), nil
		})
		if err != nil {
			return nil, err
		}
		return fromFailure(nextAcct), nil
	})
	return err
}

func toFailure(r *discern.ThrottleRecord) auth.FailureRecord {
	if r == nil {
		return auth.FailureRecord{}
	}
	return auth.FailureRecord{Failures: r.Failures, LastFailure: r.FirstFailureAt}
}

// fromFailure returns nil for the zero record, which the store deletes.
func fromFailure(f auth.FailureRecord) *discern.ThrottleRecord {
	if f.Failures <= 0 {
		return nil
	}
	return &discern.ThrottleRecord{Failures: f.Failures, FirstFailureAt: f.LastFailure}
}

// sealError maps the store's vault errors to seal's sentinels.
func sealError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, discern.ErrKeyDestroyed):
		return seal.ErrKeyDestroyed
	case errors.Is(err, discern.ErrKeyNotFound):
		return seal.ErrKeyNotFound
	case discern.KindOf(err) == discern.KindConflict:
		return seal.ErrKeyExists
	}
	return err
}
