package casework

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
)

// referralFixture adds a small directory: the legal-aid organization (and
// its clinic) that orgB uses Discern as, and a shelter outside Discern.
type referralFixture struct {
	*fixture
	person string
}

const (
	dirLegal   = "dir-legal"
	svcClinic  = "svc-clinic"
	dirShelter = "dir-shelter"
	svcShelter = "svc-shelter"
)

func newReferralFixture(t *testing.T, f *fixture) *referralFixture {
	t.Helper()
	ctx := t.Context()
	dir := &directory.Directory{
		Organizations: []directory.Organization{{ID: dirLegal, Name: "Northside Legal Aid (fictional)"}, {ID: dirShelter, Name: "Lantern House (fictional)"}},
		Services: []directory.Service{{ID: svcClinic, OrganizationID: dirLegal, Name: "Immigration clinic"},
			{ID: svcShelter, OrganizationID: dirShelter, Name: "Emergency shelter"}},
	}
	cat := directory.NewCatalog(dir)
	f.svc.SetRecipients(DirectoryRecipients(func() *directory.Catalog { return cat }))
	settings := discern.OrganizationSettings{DirectoryOrgID: dirLegal}
	if _, err := f.db.UpdateOrganization(ctx, f.orgB, discern.OrganizationUpdate{Settings: &settings}); err != nil {
		t.Fatal(err)
	}
	a := discern.OrganizationSettings{LegalExceptions: []discern.LegalException{
		{ID: "court", Kind: discern.ExceptionCourtOrder, Label: "Court order", Citation: "Family Procedure Rules 2010 r.12", Active: true},
		{ID: "old", Kind: discern.ExceptionOther, Label: "Retired", Citation: "Old statute s.1", Active: false},
	}}
	if _, err := f.db.UpdateOrganization(ctx, f.orgA, discern.OrganizationUpdate{Settings: &a}); err != nil {
		t.Fatal(err)
	}
	cw := f.users["caseworker"]
	p, err := f.svc.CreatePerson(ctx, cw, PersonInput{Name: "Ilinca Marsh-Teodor", Contact: "WhatsApp after 7pm", AssignedTo: cw.UserID})
	if err != nil {
		t.Fatal(err)
	}
	for class, body := range map[discern.DataClass]string{discern.ClassHealth: "HEALTH-MARKER asthma", discern.ClassNarrative: "NARRATIVE-MARKER met at the station"} {
		if _, err := f.svc.CreateNote(ctx, cw, p.ID, class, body); err != nil {
			t.Fatal(err)
		}
	}
	return &referralFixture{fixture: f, person: p.ID}
}

func (f *referralFixture) consent(t *testing.T, kind discern.RecipientKind, id string, classes []discern.DataClass, purposes []discern.ConsentPurpose, from time.Time, until *time.Time) *ConsentView {
	t.Helper()
	v, err := f.svc.RecordConsent(t.Context(), f.users["caseworker"], f.person, ConsentInput{RecipientKind: kind, RecipientID: id,
		Classes: classes, Purposes: purposes, Method: discern.ConsentVerbal, Language: "en", ValidFrom: &from, ValidUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// auditHas reports whether the organization's log has an entry with this
// action and outcome.
func auditHas(t *testing.T, f *fixture, org, action string, outcome discern.AuditOutcome) bool {
	t.Helper()
	entries, _, err := f.db.FindAuditEntries(t.Context(), discern.AuditFilter{OrgID: org, Page: discern.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == action && e.Outcome == outcome {
			return true
		}
	}
	return false
}

var (
	caseContact = []discern.DataClass{discern.ClassCase, discern.ClassContact}
	referral    = []discern.ConsentPurpose{discern.PurposeReferral}
)

// TestEveryDisclosureIsGatedByConsent: referral creation, the recipient's
// read and exports are refused with no consent, expired, revoked,
// too-narrow or wrong-purpose consent, each refusal audited with its
// reason; with valid consent exactly the consented classes pass.
func TestEveryDisclosureIsGatedByConsent(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, base *fixture) {
		f := newReferralFixture(t, base)
		ctx := t.Context()
		cw := f.users["caseworker"]
		in := ReferralInput{PersonID: f.person, RecipientKind: discern.RecipientService, RecipientID: svcClinic,
			Needs: []string{"legal_immigration"}, Classes: caseContact}
		refuse := func(name, code string) {
			t.Helper()
			if _, err := f.svc.CreateReferral(ctx, cw, in); discern.KindOf(err) != discern.KindForbidden {
				t.Fatalf("%s: create gave %v, want forbidden", name, err)
			}
			if !auditHas(t, f.fixture, f.orgA, "referral.create."+code, discern.OutcomeDenied) {
				t.Fatalf("%s: no denied referral.create.%s in the audit log", name, code)
			}
			if _, err := f.svc.ExportPerson(ctx, cw, f.person, discern.RecipientService, svcClinic, caseContact); discern.KindOf(err) != discern.KindForbidden {
				t.Fatalf("%s: export gave %v, want forbidden", name, err)
			}
		}
		refuse("no consent", "no_consent")

		now := time.Now().UTC()
		past, longAgo := now.Add(-time.Hour), now.AddDate(0, -2, 0)
		f.consent(t, discern.RecipientService, svcClinic, caseContact, []discern.ConsentPurpose{discern.PurposeDocuments}, longAgo, nil)
		refuse("wrong purpose", "wrong_purpose")
		f.consent(t, discern.RecipientService, svcClinic, caseContact, []discern.ConsentPurpose{discern.PurposeReferral, discern.PurposeExport}, longAgo, &past)
		refuse("expired", "expired")
		rv := f.consent(t, discern.RecipientOrganization, dirLegal, caseContact, []discern.ConsentPurpose{discern.PurposeReferral, discern.PurposeExport}, longAgo, nil)
		if _, err := f.svc.RevokeConsent(ctx, cw, f.person, rv.ID, rv.Version); err != nil {
			t.Fatal(err)
		}
		refuse("revoked", "revoked")
		if _, err := f.svc.RevokeConsent(ctx, cw, f.person, rv.ID, rv.Version); discern.KindOf(err) != discern.KindConflict {
			t.Fatalf("revoking a stale version: %v, want conflict", err)
		}

		// Valid consent for case and contact only: asking for health too is
		// refused whole.
		good := f.consent(t, discern.RecipientOrganization, dirLegal, caseContact, []discern.ConsentPurpose{discern.PurposeReferral, discern.PurposeExport}, longAgo, nil)
		tooWide := in
		tooWide.Classes = append(slices.Clone(caseContact), discern.ClassHealth)
		if _, err := f.svc.CreateReferral(ctx, cw, tooWide); discern.KindOf(err) != discern.KindForbidden ||
			!auditHas(t, f.fixture, f.orgA, "referral.create.too_narrow", discern.OutcomeDenied) {
			t.Fatalf("too narrow: %v", err)
		}
		if _, err := f.svc.ExportPerson(ctx, cw, f.person, discern.RecipientService, svcClinic, tooWide.Classes); discern.KindOf(err) != discern.KindForbidden {
			t.Fatalf("export too narrow: %v", err)
		}

		// Exactly the consented classes pass.
		ex, err := f.svc.ExportPerson(ctx, cw, f.person, discern.RecipientService, svcClinic, caseContact)
		if err != nil {
			t.Fatal(err)
		}
		if ex.CaseCode == "" || ex.Contact != "WhatsApp after 7pm" || ex.Name != "" || len(ex.Notes) != 0 {
			t.Fatalf("export carried %+v", ex)
		}
		ref, err := f.svc.CreateReferral(ctx, cw, in)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Basis != discern.BasisConsent || ref.External || ref.State != discern.ReferralRequested {
			t.Fatalf("referral %+v", ref)
		}
		recv := f.users["outsider"] // a supervisor of the receiving organization
		got, err := f.svc.GetReferral(ctx, recv, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		pk := got.Packet
		if pk == nil || pk.CaseCode == "" || pk.Contact != "WhatsApp after 7pm" || pk.Name != "" || len(pk.Notes) != 0 ||
			!slices.Equal(got.Shown, caseContact) || len(got.Withheld) != 0 || got.PersonID != "" {
			t.Fatalf("recipient saw %+v (packet %+v)", got, pk)
		}
		if !auditHas(t, f.fixture, f.orgB, "referral.read", discern.OutcomeSuccess) || !auditHas(t, f.fixture, f.orgA, "referral.read", discern.OutcomeSuccess) {
			t.Fatal("the recipient's read is not in both organizations' logs")
		}

		// A revision may not move the consent to another recipient.
		if _, err := f.svc.ReviseConsent(ctx, cw, f.person, good.ID, good.Version, ConsentInput{RecipientKind: discern.RecipientService,
			RecipientID: svcShelter, Classes: caseContact, Purposes: referral, Method: discern.ConsentWritten}); discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("revising to another recipient: %v, want invalid", err)
		}
		// Narrowing the consent narrows what the recipient sees, at once.
		narrowed, err := f.svc.ReviseConsent(ctx, cw, f.person, good.ID, good.Version, ConsentInput{RecipientKind: discern.RecipientOrganization,
			RecipientID: dirLegal, Classes: []discern.DataClass{discern.ClassCase}, Purposes: referral, Method: discern.ConsentWritten, ValidFrom: &longAgo})
		if err != nil {
			t.Fatal(err)
		}
		got, err = f.svc.GetReferral(ctx, recv, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Packet.Contact != "" || !slices.Equal(got.Withheld, []discern.DataClass{discern.ClassContact}) || got.WithheldReason == "" {
			t.Fatalf("after narrowing the recipient saw %+v", got)
		}
		// Revoking stops access at once, audited in both logs.
		if _, err := f.svc.RevokeConsent(ctx, cw, f.person, narrowed.ID, narrowed.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetReferral(ctx, recv, ref.ID); discern.KindOf(err) != discern.KindForbidden {
			t.Fatalf("read after revocation: %v, want forbidden", err)
		}
		if !auditHas(t, f.fixture, f.orgB, "referral.read.revoked", discern.OutcomeDenied) || !auditHas(t, f.fixture, f.orgA, "referral.read.revoked", discern.OutcomeDenied) {
			t.Fatal("the refused read is not audited in both logs")
		}
		// The sender still sees the referral it made.
		mine, err := f.svc.GetReferral(ctx, cw, ref.ID)
		if err != nil || mine.Packet == nil || mine.Packet.Contact == "" {
			t.Fatalf("sender read: %+v %v", mine, err)
		}
	})
}

// TestReferralLoopAndStrangers: the recipient answers and closes the loop;
// a third organization cannot see the referral; an outside recipient's
// answers are recorded by the sender on its behalf; invalid moves are
// refused with a clear error.
func TestReferralLoopAndStrangers(t *testing.T) {
	f := newReferralFixture(t, newFixture(t))
	ctx := t.Context()
	cw, recv := f.users["caseworker"], f.users["outsider"]
	long := time.Now().UTC().AddDate(0, -1, 0)
	f.consent(t, discern.RecipientOrganization, dirLegal, caseContact, referral, long, nil)
	f.consent(t, discern.RecipientService, svcShelter, []discern.DataClass{discern.ClassCase}, referral, long, nil)
	ref, err := f.svc.CreateReferral(ctx, cw, ReferralInput{PersonID: f.person, RecipientKind: discern.RecipientService,
		RecipientID: svcClinic, Classes: caseContact})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := f.svc.Inbox(ctx, recv)
	if err != nil || len(inbox) != 1 || inbox[0].ID != ref.ID || inbox[0].SenderOrgName == "" || inbox[0].Packet != nil {
		t.Fatalf("inbox %+v %v", inbox, err)
	}
	if _, err := f.svc.Inbox(ctx, f.users["screener"]); err == nil {
		t.Fatal("a screener read an inbox")
	}
	// The sender may not accept its own referral; the recipient may not
	// cancel it; completing needs an outcome.
	if _, err := f.svc.MoveReferral(ctx, cw, ref.ID, ReferralMoveInput{To: discern.ReferralAccepted}); discern.KindOf(err) != discern.KindForbidden {
		t.Fatalf("sender accepting: %v", err)
	}
	if _, err := f.svc.MoveReferral(ctx, recv, ref.ID, ReferralMoveInput{To: discern.ReferralCancelled, Reason: "x"}); discern.KindOf(err) != discern.KindForbidden {
		t.Fatalf("recipient cancelling: %v", err)
	}
	for _, to := range []discern.ReferralState{discern.ReferralReceived, discern.ReferralAccepted, discern.ReferralInProgress} {
		if _, err := f.svc.MoveReferral(ctx, recv, ref.ID, ReferralMoveInput{To: to}); err != nil {
			t.Fatalf("move to %s: %v", to, err)
		}
	}
	if _, err := f.svc.MoveReferral(ctx, recv, ref.ID, ReferralMoveInput{To: discern.ReferralCompleted}); discern.KindOf(err) != discern.KindInvalid {
		t.Fatalf("completing without an outcome: %v", err)
	}
	done, err := f.svc.MoveReferral(ctx, recv, ref.ID, ReferralMoveInput{To: discern.ReferralCompleted, Outcome: discern.OutcomeGotHelp, Reason: "Seen at the clinic"})
	if err != nil || done.State != discern.ReferralCompleted || len(done.History) != 5 || done.History[4].Reason != "Seen at the clinic" {
		t.Fatalf("completed: %+v %v", done, err)
	}
	if !auditHas(t, f.fixture, f.orgA, "referral.move.completed", discern.OutcomeSuccess) {
		t.Fatal("the recipient's move is not in the sender's log")
	}

	// A third organization sees nothing.
	third := &discern.Organization{Name: "Elsewhere (fictional)"}
	if err := f.db.CreateOrganization(ctx, third); err != nil {
		t.Fatal(err)
	}
	stranger := Actor{Principal: recv.Principal, RequestID: "stranger"}
	stranger.OrgID = third.ID
	if _, err := f.svc.GetReferral(ctx, stranger, ref.ID); discern.KindOf(err) != discern.KindNotFound {
		t.Fatalf("a stranger: %v", err)
	}

	// The shelter is outside Discern: the sender records its answers.
	ext, err := f.svc.CreateReferral(ctx, cw, ReferralInput{PersonID: f.person, RecipientKind: discern.RecipientService,
		RecipientID: svcShelter, Classes: []discern.DataClass{discern.ClassCase}})
	if err != nil {
		t.Fatal(err)
	}
	if !ext.External || !slices.Contains(ext.OnBehalf, discern.ReferralReceived) {
		t.Fatalf("outside referral %+v", ext)
	}
	moved, err := f.svc.MoveReferral(ctx, cw, ext.ID, ReferralMoveInput{To: discern.ReferralReceived})
	if err != nil || !moved.History[1].OnBehalf || moved.History[1].Side != discern.SideRecipient {
		t.Fatalf("on behalf: %+v %v", moved, err)
	}
	w, err := f.svc.MoveReferral(ctx, cw, ext.ID, ReferralMoveInput{To: discern.ReferralWithdrawn})
	if err != nil || w.State != discern.ReferralWithdrawn || w.FHIRStatus != "cancelled" {
		t.Fatalf("withdrawn by the person: %+v %v", w, err)
	}
}

// TestLegalExceptionPath: refused without the permission, without a
// reason, or with an inactive exception; used, it is audited, carries its
// reason on the record, and needs no consent.
func TestLegalExceptionPath(t *testing.T) {
	f := newReferralFixture(t, newFixture(t))
	ctx := t.Context()
	in := ReferralInput{PersonID: f.person, RecipientKind: discern.RecipientOrganization, RecipientID: dirShelter,
		Classes: []discern.DataClass{discern.ClassCase, discern.ClassIdentity}, ExceptionID: "court",
		ExceptionReason: "Order of the family court dated 3 November, case FC-118."}
	if _, err := f.svc.CreateReferral(ctx, f.users["caseworker"], in); discern.KindOf(err) != discern.KindForbidden {
		t.Fatalf("a caseworker using an exception: %v, want refused", err)
	}
	if !auditHas(t, f.fixture, f.orgA, "referral.create.exception", discern.OutcomeDenied) {
		t.Fatal("the refused exception is not audited")
	}
	sup := f.users["supervisor"]
	for name, mod := range map[string]func(*ReferralInput){
		"no reason":    func(r *ReferralInput) { r.ExceptionReason = "" },
		"short reason": func(r *ReferralInput) { r.ExceptionReason = "court" },
		"inactive":     func(r *ReferralInput) { r.ExceptionID = "old" },
		"unknown":      func(r *ReferralInput) { r.ExceptionID = "nope" },
	} {
		bad := in
		mod(&bad)
		if _, err := f.svc.CreateReferral(ctx, sup, bad); discern.KindOf(err) != discern.KindInvalid {
			t.Fatalf("%s: %v, want invalid", name, err)
		}
	}
	ref, err := f.svc.CreateReferral(ctx, sup, in)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Basis != discern.BasisException || ref.ExceptionID != "court" || !strings.Contains(ref.ExceptionReason, "FC-118") {
		t.Fatalf("exception referral %+v", ref)
	}
	if !auditHas(t, f.fixture, f.orgA, "referral.create.exception", discern.OutcomeSuccess) {
		t.Fatal("the exception disclosure is not audited")
	}
	got, err := f.svc.GetReferral(ctx, sup, ref.ID)
	if err != nil || got.ExceptionReason == "" || got.Packet.Name != "Ilinca Marsh-Teodor" {
		t.Fatalf("the record shows %+v %v", got, err)
	}
}
