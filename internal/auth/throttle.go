package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// FailureRecord is what the server remembers about recent failed sign-in
// attempts for one key (an account or a source address). The zero value is
// "no failures".
type FailureRecord struct {
	Failures    int       // consecutive failures (counted when an attempt starts; see Throttle.Begin)
	LastFailure time.Time // when the last one was counted
}

// FailureStore persists failure records so that every server replica sees
// the same counts; otherwise an attacker could spread guesses over replicas.
type FailureStore interface {
	// UpdateFailures loads the records for the account key and the address
	// key (zero records when absent), calls update exactly once with them,
	// and stores what it returns, all in one transaction. Calls for the same
	// keys from any replica must be serialized (SQLite: BEGIN IMMEDIATE;
	// PostgreSQL: SELECT ... FOR UPDATE, inserting missing rows first), so
	// that parallel guesses cannot all read the same old count. A zero
	// record returned may be stored by deleting the row.
	UpdateFailures(ctx context.Context, accountKey, addressKey string, update func(account, address FailureRecord) (FailureRecord, FailureRecord)) error

	// DeleteFailures forgets the record of one key; administrators use it
	// to unlock an account (`discern user unlock`).
	DeleteFailures(ctx context.Context, key string) error
}

// ThrottlePolicy sets how quickly failures slow a key down.
//
// After FreeFailures consecutive failures, each further attempt must wait
// BaseDelay, doubling with each failure up to MaxDelay. After LockAfter
// failures the key is locked for LockFor from the last failure, and each
// failure after that locks it again. After HardLockAfter failures (if not 0)
// the key stays locked until an administrator deletes the record. Records
// with no failure for ForgetAfter are forgotten (except hard locks), so that
// an occasional typo over months never adds up to a lock.
type ThrottlePolicy struct {
	FreeFailures  int
	BaseDelay     time.Duration
	MaxDelay      time.Duration
	LockAfter     int
	LockFor       time.Duration
	HardLockAfter int
	ForgetAfter   time.Duration
}

// Throttle combines the policies for accounts and for source addresses. The
// account policy stops guessing one person's password; the address policy
// stops one machine from trying a few common passwords against many
// accounts ("password spraying"), without locking those accounts.
type Throttle struct {
	Account ThrottlePolicy
	Address ThrottlePolicy
}

// DefaultThrottle are the production numbers.
//
// Account: 3 free failures; then waits of 1 s, 2 s, 4 s, 8 s, 16 s and 32 s
// before attempts 5 to 10; after 10 consecutive failures a 15-minute lock,
// renewed by each further failure; after 100 (the most NIST SP 800-63B
// allows) locked until an administrator unlocks it. A failure-free day
// forgets the count. An attacker gets about 100 guesses per account per day
// at most, while a person who mistypes a few times is not slowed at all.
//
// Address (IPv4 address or IPv6 /64): 20 free failures, so that an office
// behind one NAT is not slowed by its colleagues' typos; then waits from 1 s
// up to 1 min; after 100 failures a 1-hour lock; forgotten after an hour.
var DefaultThrottle = Throttle{
	Account: ThrottlePolicy{
		FreeFailures: 3, BaseDelay: time.Second, MaxDelay: time.Minute,
		LockAfter: 10, LockFor: 15 * time.Minute, HardLockAfter: 100, ForgetAfter: 24 * time.Hour,
	},
	Address: ThrottlePolicy{
		FreeFailures: 20, BaseDelay: time.Second, MaxDelay: time.Minute,
		LockAfter: 100, LockFor: time.Hour, ForgetAfter: time.Hour,
	},
}

// ThrottleReason says why an attempt was held back.
type ThrottleReason string

// The throttle reasons. They are for logs and metrics; users see
// ThrottleDecision.Err, which does not say whether the account or the
// address was at fault.
const (
	ThrottleAllowed        ThrottleReason = ""
	ThrottleAccountDelay   ThrottleReason = "account_delay"
	ThrottleAccountLocked  ThrottleReason = "account_locked"
	ThrottleAccountBlocked ThrottleReason = "account_blocked" // hard lock: needs an administrator
	ThrottleAddressDelay   ThrottleReason = "address_delay"
	ThrottleAddressLocked  ThrottleReason = "address_locked"
)

// ThrottleDecision is whether a sign-in attempt may go ahead now.
type ThrottleDecision struct {
	Allowed bool
	// RetryAt is when the next attempt may be made; zero when Allowed, and
	// zero with Locked for a lock that only an administrator can lift.
	RetryAt time.Time
	Locked  bool // a lock rather than a short delay
	Reason  ThrottleReason
}

// Err returns nil when the attempt is allowed, and otherwise an error of
// kind rate_limited with a message for the person signing in.
func (d ThrottleDecision) Err(now time.Time) error {
	switch {
	case d.Allowed:
		return nil
	case d.RetryAt.IsZero():
		return discern.Errorf(discern.KindRateLimited, "Sign-in is locked after too many attempts. Please ask an administrator of your organization to unlock it.")
	case d.RetryAt.Sub(now) < time.Minute:
		return discern.Errorf(discern.KindRateLimited, "Too many sign-in attempts. Please wait a few seconds and try again.")
	default:
		mins := int((d.RetryAt.Sub(now) + time.Minute - 1) / time.Minute)
		unit := "minutes"
		if mins == 1 {
			unit = "minute"
		}
		return discern.Errorf(discern.KindRateLimited, "Too many sign-in attempts. Please try again in %d %s.", mins, unit)
	}
}

// decide reports whether the key with record r may make an attempt at now.
func (p ThrottlePolicy) decide(r FailureRecord, now time.Time) ThrottleDecision {
	n := r.Failures
	if n <= 0 {
		return ThrottleDecision{Allowed: true}
	}
	if p.HardLockAfter > 0 && n >= p.HardLockAfter {
		return ThrottleDecision{Locked: true, Reason: ThrottleAccountBlocked}
	}
	if p.ForgetAfter > 0 && !now.Before(r.LastFailure.Add(p.ForgetAfter)) {
		return ThrottleDecision{Allowed: true}
	}
	var until time.Time
	locked := false
	switch {
	case p.LockAfter > 0 && n >= p.LockAfter:
		until, locked = r.LastFailure.Add(p.LockFor), true
	case n > p.FreeFailures:
		delay := p.BaseDelay
		for i := p.FreeFailures + 1; i < n && delay < p.MaxDelay; i++ {
			delay *= 2
		}
		until = r.LastFailure.Add(min(delay, p.MaxDelay))
	default:
		return ThrottleDecision{Allowed: true}
	}
	if !now.Before(until) {
		return ThrottleDecision{Allowed: true}
	}
	return ThrottleDecision{RetryAt: until, Locked: locked}
}

// forget returns the record as it stands at now, after ForgetAfter.
func (p ThrottlePolicy) forget(r FailureRecord, now time.Time) FailureRecord {
	if r.Failures <= 0 {
		return FailureRecord{}
	}
	hard := p.HardLockAfter > 0 && r.Failures >= p.HardLockAfter
	if !hard && p.ForgetAfter > 0 && !now.Before(r.LastFailure.Add(p.ForgetAfter)) {
		return FailureRecord{}
	}
	return r
}

// Decide reports whether a sign-in attempt for the account and address
// with these records may go ahead at now, without changing anything. When
// both are held back the later retry time wins, and a lock that only an
// administrator can lift wins over everything.
func (t Throttle) Decide(account, address FailureRecord, now time.Time) ThrottleDecision {
	a := t.Account.decide(account, now)
	if !a.Allowed && a.Reason == "" {
		a.Reason = ThrottleAccountDelay
		if a.Locked {
			a.Reason = ThrottleAccountLocked
		}
	}
	b := t.Address.decide(address, now)
	if !b.Allowed {
		// A hard lock is only for accounts: an address is never blocked for good.
		b.Reason = ThrottleAddressDelay
		if b.Locked {
			b.Reason = ThrottleAddressLocked
		}
	}
	switch {
	case a.Allowed && b.Allowed:
		return ThrottleDecision{Allowed: true}
	case b.Allowed:
		return a
	case a.Allowed:
		return b
	case a.RetryAt.IsZero() || a.RetryAt.After(b.RetryAt):
		return a
	default:
		return b
	}
}

// Begin decides whether an attempt may go ahead and, if it may, counts it
// as a failure before the password is even checked. Counting first is what
// makes the limits hold under parallel guesses: each concurrent attempt sees
// the ones before it. Call it inside FailureStore.UpdateFailures; on a
// successful sign-in call Succeed to take the count back.
func (t Throttle) Begin(account, address FailureRecord, now time.Time) (FailureRecord, FailureRecord, ThrottleDecision) {
	account = t.Account.forget(account, now)
	address = t.Address.forget(address, now)
	d := t.Decide(account, address, now)
	if !d.Allowed {
		return account, address, d
	}
	account = FailureRecord{Failures: account.Failures + 1, LastFailure: now}
	address = FailureRecord{Failures: address.Failures + 1, LastFailure: now}
	return account, address, d
}

// Succeed returns the records after a successful sign-in: the account
// starts afresh, and the address gives back the attempt Begin counted, so
// that colleagues signing in from one office do not add up to a delay.
func (t Throttle) Succeed(account, address FailureRecord) (FailureRecord, FailureRecord) {
	if address.Failures > 0 {
		address.Failures--
	}
	if address.Failures == 0 {
		address = FailureRecord{}
	}
	return FailureRecord{}, address
}

// AccountKey returns the FailureStore key for a sign-in name. It is derived
// from the name as typed (trimmed, case-folded), so unknown names are
// throttled exactly like real ones and the response does not reveal which
// exist. It is a hash because people sometimes type their password into the
// name field, and it must not be stored in the clear.
func AccountKey(username string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(username))))
	return "acct:" + hex.EncodeToString(sum[:])
}

// MFAKey returns the FailureStore key for second-factor attempts of a user.
// Six-digit codes must be throttled as firmly as passwords.
func MFAKey(userID string) string {
	return "mfa:" + userID
}

// AddressKey returns the FailureStore key for a source address: the whole
// IPv4 address, or the /64 prefix of an IPv6 address because one machine
// usually owns a whole /64. The key is a hash so that addresses do not sit
// in the table in plain view; it is not anonymous (the IPv4 space is small
// enough to reverse it), so records must still be forgotten promptly.
func AddressKey(addr netip.Addr) string {
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			addr = p.Addr()
		}
	}
	sum := sha256.Sum256([]byte(addr.String()))
	return "addr:" + hex.EncodeToString(sum[:])
}
