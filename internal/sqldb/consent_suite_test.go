package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// testConsents stores consents and new versions of them, reads them back
// whole, refuses a stale or cross-person version, and keeps organizations
// apart; and the disclosure decision over what was stored follows a
// revocation at once.
func testConsents(t *testing.T, f *fixture) {
	p := f.person(t, f.orgA, f.workerA, "HX-0101")
	other := f.person(t, f.orgA, f.workerA, "HX-0102")
	from := time.Date(2026, 11, 1, 9, 30, 0, 123456000, time.UTC)
	until := from.AddDate(0, 6, 0)
	c := &discern.Consent{OrgID: f.orgA.ID, PersonID: p.ID,
		Recipient: discern.Recipient{Kind: discern.RecipientService, ID: "svc-legal-clinic", OrgID: "org-legal"},
		Classes:   []discern.DataClass{discern.ClassCase, discern.ClassContact, discern.ClassImmigration},
		Purposes:  []discern.ConsentPurpose{discern.PurposeReferral, discern.PurposeDocuments},
		Method:    discern.ConsentVerbal, RecordedBy: f.workerA.ID, Language: "es",
		ValidFrom: from, ValidUntil: &until}
	must(t, f.db.AddConsentVersion(f.ctx, c))
	if c.ID == "" || c.Version != 1 || c.CreatedAt.IsZero() {
		t.Fatalf("new consent: id %q version %d created %v", c.ID, c.Version, c.CreatedAt)
	}
	got, err := f.db.FindConsents(f.ctx, f.orgA.ID, p.ID)
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("found %d consents, want 1", len(got))
	}
	g := got[0]
	if g.ID != c.ID || g.Recipient != c.Recipient || !slices.Equal(g.Classes, c.Classes) || !slices.Equal(g.Purposes, c.Purposes) ||
		g.Method != c.Method || g.RecordedBy != c.RecordedBy || g.Language != "es" || !g.ValidFrom.Equal(from) ||
		g.ValidUntil == nil || !g.ValidUntil.Equal(until) || g.RevokedAt != nil {
		t.Fatalf("read back %+v, stored %+v", g, c)
	}

	// A revocation is the next version; the first stays.
	rev := *g
	at := from.Add(48 * time.Hour)
	rev.Version, rev.RevokedAt, rev.RevokedBy = 2, &at, f.workerA.ID
	must(t, f.db.AddConsentVersion(f.ctx, &rev))
	stale := *g
	stale.Version, stale.Classes = 2, []discern.DataClass{discern.ClassCase}
	if err := f.db.AddConsentVersion(f.ctx, &stale); discern.KindOf(err) != discern.KindConflict {
		t.Fatalf("a second version 2: %v, want conflict", err)
	}
	skip := *g
	skip.Version = 5
	if err := f.db.AddConsentVersion(f.ctx, &skip); discern.KindOf(err) != discern.KindConflict {
		t.Fatalf("version 5 after 2: %v, want conflict", err)
	}
	moved := *g
	moved.Version, moved.PersonID = 3, other.ID
	if err := f.db.AddConsentVersion(f.ctx, &moved); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("a version for another person: %v, want invalid", err)
	}
	got, err = f.db.FindConsents(f.ctx, f.orgA.ID, p.ID)
	must(t, err)
	if len(got) != 2 || got[0].Version != 1 || got[1].Version != 2 || got[1].RevokedAt == nil || !got[1].RevokedAt.Equal(at) {
		t.Fatalf("history after revocation: %+v", got)
	}

	ask := discern.Disclosure{PersonID: p.ID, Purpose: discern.PurposeReferral, Recipient: c.Recipient,
		Classes: []discern.DataClass{discern.ClassCase, discern.ClassContact, discern.ClassHealth}}
	ask.At = at.Add(-time.Second)
	if d := discern.DecideDisclosure(got, ask); !slices.Equal(d.Permitted, []discern.DataClass{discern.ClassCase, discern.ClassContact}) {
		t.Fatalf("before the revocation: %+v", d)
	}
	ask.At = at
	if d := discern.DecideDisclosure(got, ask); !d.None() {
		t.Fatalf("at the revocation: %+v", d)
	}

	// Another organization sees nothing and cannot attach a consent to
	// this person.
	if cs, err := f.db.FindConsents(f.ctx, f.orgB.ID, p.ID); err != nil || len(cs) != 0 {
		t.Fatalf("organization B reads %d consents (%v)", len(cs), err)
	}
	cross := *c
	cross.ID, cross.OrgID, cross.RecordedBy = "", f.orgB.ID, f.userB.ID
	if err := f.db.AddConsentVersion(f.ctx, &cross); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("a consent from organization B for A's person: %v, want invalid", err)
	}
	bad := *c
	bad.ID, bad.Classes = "", []discern.DataClass{"rumours"}
	if err := f.db.AddConsentVersion(f.ctx, &bad); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("unknown class: %v", err)
	}
}
