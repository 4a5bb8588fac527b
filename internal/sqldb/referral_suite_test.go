package sqldb_test

import (
	"slices"
	"testing"

	"github.com/discern-org/discern/internal/discern"
)

// testReferrals stores a referral with its first event, finds it from
// both sides, moves it only from the state it is in, keeps its history in
// order, and shreds its packet when the person is erased.
func testReferrals(t *testing.T, f *fixture) {
	p := f.person(t, f.orgA, f.workerA, "HX-0201")
	sealed := discern.Sealed(make([]byte, discern.MinSealedLen+5))
	r := &discern.Referral{OrgID: f.orgA.ID, PersonID: p.ID,
		Recipient:     discern.Recipient{Kind: discern.RecipientService, ID: "svc-1", OrgID: "dir-org-1"},
		RecipientName: "Legal clinic", RecipientOrgID: f.orgB.ID, Needs: []string{"legal_immigration", "shelter"},
		Classes: []discern.DataClass{discern.ClassCase, discern.ClassContact}, Basis: discern.BasisConsent,
		Consents: []discern.ConsentRef{{ID: "c1", Version: 2}, {ID: "c2", Version: 1}}, Packet: sealed,
		State: discern.ReferralRequested, CreatedBy: f.workerA.ID}
	must(t, f.db.CreateReferral(f.ctx, r))
	got, err := f.db.FindReferral(f.ctx, r.ID)
	must(t, err)
	if got.Recipient != r.Recipient || got.RecipientOrgID != f.orgB.ID || !slices.Equal(got.Needs, r.Needs) ||
		!slices.Equal(got.Classes, r.Classes) || !slices.Equal(got.Consents, r.Consents) || got.State != discern.ReferralRequested ||
		string(got.Packet) != string(sealed) || got.ChildProtection || got.StateSince.IsZero() {
		t.Fatalf("read back %+v\nstored %+v", got, r)
	}
	// Invalid referrals are refused before they reach the table.
	bad := *r
	bad.ID, bad.Basis = "", discern.BasisException
	if err := f.db.CreateReferral(f.ctx, &bad); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("an exception referral without its reason: %v, want invalid", err)
	}

	sent, err := f.db.FindReferrals(f.ctx, discern.ReferralFilter{OrgID: f.orgA.ID, PersonID: p.ID})
	must(t, err)
	inbox, err := f.db.FindReferrals(f.ctx, discern.ReferralFilter{RecipientOrgID: f.orgB.ID})
	must(t, err)
	none, err := f.db.FindReferrals(f.ctx, discern.ReferralFilter{RecipientOrgID: f.orgA.ID})
	must(t, err)
	if len(sent) != 1 || len(inbox) != 1 || len(none) != 0 {
		t.Fatalf("sent %d, inbox %d, orgA's inbox %d; want 1, 1, 0", len(sent), len(inbox), len(none))
	}
	if _, err := f.db.FindReferrals(f.ctx, discern.ReferralFilter{}); err == nil {
		t.Fatal("an unfiltered referral search was allowed")
	}

	move := &discern.ReferralEvent{From: discern.ReferralRequested, To: discern.ReferralReceived, Side: discern.SideRecipient,
		ActorID: f.userB.ID, ActorOrg: f.orgB.ID}
	must(t, f.db.MoveReferral(f.ctx, got, move))
	stale := &discern.ReferralEvent{From: discern.ReferralRequested, To: discern.ReferralRejected, Side: discern.SideRecipient,
		ActorID: f.userB.ID, ActorOrg: f.orgB.ID}
	if err := f.db.MoveReferral(f.ctx, got, stale); discern.KindOf(err) != discern.KindConflict {
		t.Fatalf("a move from a state the referral has left: %v, want conflict", err)
	}
	done := &discern.ReferralEvent{From: discern.ReferralReceived, To: discern.ReferralFailed, Side: discern.SideRecipient,
		ActorID: f.userB.ID, ActorOrg: f.orgB.ID, Outcome: discern.OutcomeCouldNotContact, Reason: sealed}
	must(t, f.db.MoveReferral(f.ctx, got, done))
	evs, err := f.db.FindReferralEvents(f.ctx, r.ID)
	must(t, err)
	var path []discern.ReferralState
	for _, e := range evs {
		path = append(path, e.To)
	}
	if want := []discern.ReferralState{discern.ReferralRequested, discern.ReferralReceived, discern.ReferralFailed}; !slices.Equal(path, want) {
		t.Fatalf("history %v, want %v", path, want)
	}
	if last := evs[2]; last.Seq != 3 || last.Outcome != discern.OutcomeCouldNotContact || len(last.Reason) == 0 || last.ActorOrg != f.orgB.ID {
		t.Fatalf("last event %+v", last)
	}
	again, err := f.db.FindReferral(f.ctx, r.ID)
	must(t, err)
	if again.State != discern.ReferralFailed || again.Outcome != discern.OutcomeCouldNotContact {
		t.Fatalf("after the moves: %s / %s", again.State, again.Outcome)
	}

	// Erasing the person shreds the packet and the reasons.
	must(t, f.db.ErasePerson(f.ctx, f.orgA.ID, p.ID))
	erased, err := f.db.FindReferral(f.ctx, r.ID)
	must(t, err)
	evs, err = f.db.FindReferralEvents(f.ctx, r.ID)
	must(t, err)
	if string(erased.Packet) == string(sealed) || len(evs[2].Reason) != 0 {
		t.Fatal("erasing the person left the referral packet or a reason behind")
	}
}

// testOpenReferrals lists the referrals of every organization that can
// still move, and none in a final state.
func testOpenReferrals(t *testing.T, f *fixture) {
	sealed := discern.Sealed(make([]byte, discern.MinSealedLen+5))
	mk := func(org *discern.Organization, by *discern.User, code string) *discern.Referral {
		p := f.person(t, org, by, code)
		r := &discern.Referral{OrgID: org.ID, PersonID: p.ID,
			Recipient: discern.Recipient{Kind: discern.RecipientOrganization, ID: "dir-org-1"}, RecipientName: "Legal clinic",
			Classes: []discern.DataClass{discern.ClassCase}, Basis: discern.BasisConsent,
			Consents: []discern.ConsentRef{{ID: "c1", Version: 1}}, Packet: sealed, State: discern.ReferralRequested, CreatedBy: by.ID}
		must(t, f.db.CreateReferral(f.ctx, r))
		return r
	}
	waiting := mk(f.orgA, f.workerA, "HX-0301")
	accepted := mk(f.orgB, f.userB, "HX-0302")
	closed := mk(f.orgA, f.workerA, "HX-0303")
	for _, to := range []discern.ReferralState{discern.ReferralReceived, discern.ReferralAccepted} {
		must(t, f.db.MoveReferral(f.ctx, accepted, &discern.ReferralEvent{From: accepted.State, To: to, Side: discern.SideRecipient,
			ActorID: f.userB.ID, ActorOrg: f.orgB.ID}))
		accepted.State = to
	}
	must(t, f.db.MoveReferral(f.ctx, closed, &discern.ReferralEvent{From: discern.ReferralRequested, To: discern.ReferralCancelled,
		Side: discern.SideSender, ActorID: f.workerA.ID, ActorOrg: f.orgA.ID}))
	open, err := f.db.FindOpenReferrals(f.ctx)
	must(t, err)
	states := map[string]discern.ReferralState{}
	for _, r := range open {
		states[r.ID] = r.State
	}
	if len(open) != 2 || states[waiting.ID] != discern.ReferralRequested || states[accepted.ID] != discern.ReferralAccepted {
		t.Fatalf("open referrals %v, want %s requested and %s accepted", states, waiting.ID, accepted.ID)
	}
	if _, ok := states[closed.ID]; ok {
		t.Fatal("a cancelled referral is listed as open")
	}
}
