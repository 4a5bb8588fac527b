package discern

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// TestReferralEveryPair tries every (from, to, side) triple against an
// independent statement of the rules, so that a move added to or dropped
// from the table by mistake fails here.
func TestReferralEveryPair(t *testing.T) {
	type key struct {
		from, to ReferralState
	}
	// The rules in words: the recipient answers and reports; the sender
	// cancels (with a reason) or records the person's withdrawal; nothing
	// leaves a final state.
	allowed := map[key]ReferralSide{}
	open := []ReferralState{ReferralRequested, ReferralReceived, ReferralAccepted, ReferralInProgress}
	for _, from := range open {
		allowed[key{from, ReferralCancelled}] = SideSender
		allowed[key{from, ReferralWithdrawn}] = SideSender
	}
	allowed[key{ReferralRequested, ReferralReceived}] = SideRecipient
	for _, from := range []ReferralState{ReferralRequested, ReferralReceived} {
		allowed[key{from, ReferralAccepted}] = SideRecipient
		allowed[key{from, ReferralRejected}] = SideRecipient
	}
	allowed[key{ReferralAccepted, ReferralInProgress}] = SideRecipient
	for _, from := range []ReferralState{ReferralAccepted, ReferralInProgress} {
		allowed[key{from, ReferralCompleted}] = SideRecipient
		allowed[key{from, ReferralFailed}] = SideRecipient
	}
	// A move that is allowed, filled in with what it needs.
	complete := func(to ReferralState, by ReferralSide) ReferralMove {
		m := ReferralMove{To: to, By: by}
		switch to {
		case ReferralRejected:
			m.Outcome, m.Reason = OutcomeNoCapacity, "No beds this month."
		case ReferralCompleted:
			m.Outcome = OutcomeGotHelp
		case ReferralFailed:
			m.Outcome = OutcomeCouldNotContact
		case ReferralCancelled:
			m.Reason = "Sent to the wrong service."
		}
		return m
	}
	n := 0
	for _, from := range ReferralStates {
		for _, to := range ReferralStates {
			for _, by := range []ReferralSide{SideSender, SideRecipient} {
				n++
				err := CheckReferralMove(from, complete(to, by))
				want, ok := allowed[key{from, to}]
				switch {
				case ok && want == by:
					if err != nil {
						t.Errorf("%s → %s by %s: %v, want allowed", from, to, by, err)
					}
				case ok:
					if KindOf(err) != KindForbidden {
						t.Errorf("%s → %s by %s: %v, want forbidden (only the %s may)", from, to, by, err, want)
					}
				default:
					if KindOf(err) != KindConflict {
						t.Errorf("%s → %s by %s: %v, want conflict", from, to, by, err)
					}
					var e *Error
					if errors.As(err, &e) && e.Message == "" {
						t.Errorf("%s → %s: the refusal says nothing", from, to)
					}
				}
			}
		}
	}
	if n != len(ReferralStates)*len(ReferralStates)*2 {
		t.Fatal("not every pair was tried")
	}
	// NextReferralStates agrees with the same rules.
	for _, from := range ReferralStates {
		for _, by := range []ReferralSide{SideSender, SideRecipient} {
			var want []ReferralState
			for _, to := range ReferralStates {
				if s, ok := allowed[key{from, to}]; ok && s == by {
					want = append(want, to)
				}
			}
			if got := NextReferralStates(from, by); !slices.Equal(got, want) {
				t.Errorf("NextReferralStates(%s, %s) = %v, want %v", from, by, got, want)
			}
		}
	}
}

func TestReferralMoveNeeds(t *testing.T) {
	cases := []struct {
		name  string
		from  ReferralState
		move  ReferralMove
		field string
	}{
		{"reject without outcome", ReferralReceived, ReferralMove{To: ReferralRejected, By: SideRecipient, Reason: "full"}, "outcome"},
		{"reject with the wrong outcome", ReferralReceived, ReferralMove{To: ReferralRejected, By: SideRecipient, Outcome: OutcomeGotHelp, Reason: "x"}, "outcome"},
		{"reject without reason", ReferralReceived, ReferralMove{To: ReferralRejected, By: SideRecipient, Outcome: OutcomeNotEligible, Reason: "  "}, "reason"},
		{"complete without outcome", ReferralInProgress, ReferralMove{To: ReferralCompleted, By: SideRecipient}, "outcome"},
		{"complete as failed", ReferralInProgress, ReferralMove{To: ReferralCompleted, By: SideRecipient, Outcome: OutcomeNoCapacity}, "outcome"},
		{"fail as got help", ReferralAccepted, ReferralMove{To: ReferralFailed, By: SideRecipient, Outcome: OutcomeGotHelp}, "outcome"},
		{"unknown outcome", ReferralAccepted, ReferralMove{To: ReferralFailed, By: SideRecipient, Outcome: "vanished"}, "outcome"},
		{"outcome on accept", ReferralReceived, ReferralMove{To: ReferralAccepted, By: SideRecipient, Outcome: OutcomeGotHelp}, "outcome"},
		{"cancel without reason", ReferralAccepted, ReferralMove{To: ReferralCancelled, By: SideSender}, "reason"},
		{"unknown target", ReferralAccepted, ReferralMove{To: "closed", By: SideSender}, "to"},
		{"unknown from", "lost", ReferralMove{To: ReferralAccepted, By: SideRecipient}, "state"},
		{"no side", ReferralAccepted, ReferralMove{To: ReferralInProgress}, "by"},
		{"reason too long", ReferralAccepted, ReferralMove{To: ReferralCancelled, By: SideSender, Reason: string(make([]byte, 2001))}, "reason"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckReferralMove(tc.from, tc.move)
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalid || e.Field != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
	// Withdrawal by the person needs no reason: they owe none.
	if err := CheckReferralMove(ReferralAccepted, ReferralMove{To: ReferralWithdrawn, By: SideSender}); err != nil {
		t.Fatalf("withdrawal: %v", err)
	}
	if ReferralWithdrawn.FHIRStatus() != "cancelled" || ReferralInProgress.FHIRStatus() != "in-progress" || ReferralAccepted.FHIRStatus() != "accepted" {
		t.Fatal("FHIR Task.status codes are wrong")
	}
}

func TestReferralAgeing(t *testing.T) {
	since := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := DefaultReferralAgeing
	if late, _ := a.Overdue(ReferralRequested, since, since.Add(47*time.Hour)); late {
		t.Error("a referral sent 47 hours ago is not yet overdue")
	}
	late, due := a.Overdue(ReferralRequested, since, since.Add(48*time.Hour))
	if !late || !due.Equal(since.Add(48*time.Hour)) {
		t.Errorf("at 48 hours: overdue %v due %v", late, due)
	}
	for _, s := range ReferralStates {
		if s.Final() {
			if late, _ := a.Overdue(s, since, since.AddDate(1, 0, 0)); late {
				t.Errorf("a %s referral is never overdue", s)
			}
		} else if _, ok := a[s]; !ok {
			t.Errorf("open state %s has no reminder threshold", s)
		}
	}
}
