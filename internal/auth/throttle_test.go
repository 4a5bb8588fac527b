package auth

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func TestThrottleDecide(t *testing.T) {
	th := DefaultThrottle
	rec := func(n int, ago time.Duration) FailureRecord {
		return FailureRecord{Failures: n, LastFailure: t0.Add(-ago)}
	}
	tests := []struct {
		name             string
		account, address FailureRecord
		wantAllowed      bool
		wantRetry        time.Duration // from t0; 0 with !wantAllowed means "until unlocked"
		wantLocked       bool
		wantReason       ThrottleReason
	}{
		{name: "no failures", wantAllowed: true},
		{name: "three failures are free", account: rec(3, 0), wantAllowed: true},
		{name: "fourth failure: wait 1 s", account: rec(4, 0), wantRetry: time.Second, wantReason: ThrottleAccountDelay},
		{name: "fourth failure, 1 s later exactly", account: rec(4, time.Second), wantAllowed: true},
		{name: "fifth failure: 2 s", account: rec(5, 0), wantRetry: 2 * time.Second, wantReason: ThrottleAccountDelay},
		{name: "ninth failure: 32 s", account: rec(9, 0), wantRetry: 32 * time.Second, wantReason: ThrottleAccountDelay},
		{name: "ninth failure, 10 s ago", account: rec(9, 10*time.Second), wantRetry: 22 * time.Second, wantReason: ThrottleAccountDelay},
		{name: "tenth failure: locked 15 min", account: rec(10, 0), wantRetry: 15 * time.Minute, wantLocked: true, wantReason: ThrottleAccountLocked},
		{name: "tenth failure, 15 min ago", account: rec(10, 15*time.Minute), wantAllowed: true},
		{name: "eleventh failure locks again", account: rec(11, time.Minute), wantRetry: 14 * time.Minute, wantLocked: true, wantReason: ThrottleAccountLocked},
		{name: "99 failures", account: rec(99, 15*time.Minute), wantAllowed: true},
		{name: "100 failures: locked until unlocked", account: rec(100, 0), wantLocked: true, wantReason: ThrottleAccountBlocked},
		{name: "100 failures a week ago: still locked", account: rec(100, 7*24*time.Hour), wantLocked: true, wantReason: ThrottleAccountBlocked},
		{name: "nine failures a day ago are forgotten", account: rec(9, 24*time.Hour), wantAllowed: true},
		{name: "address: 20 failures are free", address: rec(20, 0), wantAllowed: true},
		{name: "address: 21st failure waits 1 s", address: rec(21, 0), wantRetry: time.Second, wantReason: ThrottleAddressDelay},
		{name: "address: delay capped at 1 min", address: rec(60, 0), wantRetry: time.Minute, wantReason: ThrottleAddressDelay},
		{name: "address: 100 failures lock 1 h", address: rec(100, 0), wantRetry: time.Hour, wantLocked: true, wantReason: ThrottleAddressLocked},
		{name: "address: never blocked for good", address: rec(1000, time.Hour), wantAllowed: true},
		{name: "account delay and longer address lock", account: rec(4, 0), address: rec(100, 0), wantRetry: time.Hour, wantLocked: true, wantReason: ThrottleAddressLocked},
		{name: "account lock and shorter address delay", account: rec(10, 0), address: rec(21, 0), wantRetry: 15 * time.Minute, wantLocked: true, wantReason: ThrottleAccountLocked},
		{name: "account hard lock beats address lock", account: rec(100, 0), address: rec(100, 0), wantLocked: true, wantReason: ThrottleAccountBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := th.Decide(tc.account, tc.address, t0)
			want := ThrottleDecision{Allowed: tc.wantAllowed, Locked: tc.wantLocked, Reason: tc.wantReason}
			if !tc.wantAllowed && tc.wantRetry != 0 {
				want.RetryAt = t0.Add(tc.wantRetry)
			}
			if d != want {
				t.Fatalf("Decide = %+v, want %+v", d, want)
			}
			if err := d.Err(t0); (err == nil) != tc.wantAllowed {
				t.Fatalf("Err = %v", err)
			} else if err != nil {
				mustKind(t, err, discern.KindRateLimited, nil)
			}
		})
	}
}

// TestThrottleGuessingPace plays an attacker who guesses one account's
// password as fast as the throttle allows, and checks the waits between
// attempts against the documented schedule.
func TestThrottleGuessingPace(t *testing.T) {
	th := DefaultThrottle
	var acct, addr FailureRecord
	now := t0
	want := []time.Duration{0, 0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, 15 * time.Minute, 15 * time.Minute}
	for i, w := range want {
		d := th.Decide(acct, addr, now)
		var waited time.Duration
		if !d.Allowed {
			waited = d.RetryAt.Sub(now)
			now = d.RetryAt
		}
		if waited != w {
			t.Fatalf("attempt %d: waited %v, want %v", i+1, waited, w)
		}
		var dec ThrottleDecision
		acct, addr, dec = th.Begin(acct, addr, now)
		if !dec.Allowed {
			t.Fatalf("attempt %d refused at its retry time: %+v", i+1, dec)
		}
	}
	// Guesses per day are bounded by roughly one per lock period, and the
	// hard lock ends it at 100.
	n := len(want)
	end := t0.Add(48 * time.Hour)
	for now.Before(end) {
		d := th.Decide(acct, addr, now)
		if !d.Allowed {
			if d.RetryAt.IsZero() {
				break
			}
			now = d.RetryAt
			continue
		}
		acct, addr, _ = th.Begin(acct, addr, now)
		n++
	}
	if n != th.Account.HardLockAfter {
		t.Fatalf("%d guesses in two days, want the hard lock at %d", n, th.Account.HardLockAfter)
	}
}

func TestThrottleBeginCountsBeforeChecking(t *testing.T) {
	th := DefaultThrottle
	acct := FailureRecord{Failures: 3, LastFailure: t0.Add(-time.Minute)}
	// Two parallel attempts, serialized by the store: the second sees the
	// first one's count and must wait.
	acct, addr, d1 := th.Begin(acct, FailureRecord{}, t0)
	if !d1.Allowed {
		t.Fatalf("first attempt refused: %+v", d1)
	}
	if acct.Failures != 4 || !acct.LastFailure.Equal(t0) || addr.Failures != 1 {
		t.Fatalf("after Begin: account %+v, address %+v", acct, addr)
	}
	acct2, addr2, d2 := th.Begin(acct, addr, t0)
	if d2.Allowed {
		t.Fatal("a parallel second attempt was allowed")
	}
	if acct2 != acct || addr2 != addr {
		t.Fatal("a refused attempt changed the records")
	}
}

func TestThrottleBeginForgets(t *testing.T) {
	th := DefaultThrottle
	acct := FailureRecord{Failures: 9, LastFailure: t0.Add(-25 * time.Hour)}
	acct, _, d := th.Begin(acct, FailureRecord{}, t0)
	if !d.Allowed || acct.Failures != 1 {
		t.Fatalf("old failures were not forgotten: %+v, %+v", acct, d)
	}
}

func TestThrottleSucceed(t *testing.T) {
	th := DefaultThrottle
	tests := []struct {
		name             string
		account, address FailureRecord
		wantAddress      FailureRecord
	}{
		{"first try", FailureRecord{1, t0}, FailureRecord{1, t0}, FailureRecord{}},
		{"after typos", FailureRecord{3, t0}, FailureRecord{5, t0}, FailureRecord{4, t0}},
		{"empty address record", FailureRecord{1, t0}, FailureRecord{}, FailureRecord{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := th.Succeed(tc.account, tc.address)
			if a != (FailureRecord{}) || b != tc.wantAddress {
				t.Fatalf("Succeed = %+v, %+v; want zero, %+v", a, b, tc.wantAddress)
			}
		})
	}
}

func TestThrottleMessages(t *testing.T) {
	tests := []struct {
		d    ThrottleDecision
		want string
	}{
		{ThrottleDecision{RetryAt: t0.Add(5 * time.Second)}, "wait a few seconds"},
		{ThrottleDecision{RetryAt: t0.Add(90 * time.Second)}, "in 2 minutes"},
		{ThrottleDecision{RetryAt: t0.Add(60 * time.Second)}, "in 1 minute."},
		{ThrottleDecision{RetryAt: t0.Add(15 * time.Minute), Locked: true}, "in 15 minutes"},
		{ThrottleDecision{Locked: true}, "ask an administrator"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := discern.MessageOf(tc.d.Err(t0)); !strings.Contains(got, tc.want) {
				t.Fatalf("message %q does not say %q", got, tc.want)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	if AccountKey("Anna ") != AccountKey("anna") {
		t.Error("account keys differ by case or spaces")
	}
	if AccountKey("anna") == AccountKey("anne") {
		t.Error("different names share a key")
	}
	if strings.Contains(AccountKey("my secret password"), "secret") {
		t.Error("the account key holds the name in the clear")
	}
	addr := func(s string) string { return AddressKey(netip.MustParseAddr(s)) }
	tests := []struct {
		a, b string
		same bool
	}{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"192.0.2.1", "::ffff:192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
	}
	for _, tc := range tests {
		if got := addr(tc.a) == addr(tc.b); got != tc.same {
			t.Errorf("AddressKey(%s) == AddressKey(%s): %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
	if MFAKey("u7") == MFAKey("u8") || MFAKey("u7") == AccountKey("7") {
		t.Error("MFA keys collide")
	}
}
