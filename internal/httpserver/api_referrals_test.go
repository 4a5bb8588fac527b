package httpserver

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/discern"
)

// TestConsentAndReferralThroughTheAPI: the JSON API end to end, as an
// integration would use it. A consent recorded by API lets a referral
// through; the receiving organization finds it in its inbox, reads exactly
// the consented classes and answers; an expired consent (the clock moved
// past it) stops the recipient's reads at once; a revoke with a stale
// version is a conflict; invalid moves are refused with a clear problem.
func TestConsentAndReferralThroughTheAPI(t *testing.T) {
	w := newDocWorld(t)
	person, _ := w.person(t, docAnswers)
	until := w.s.clock.Now().Add(48 * time.Hour)
	r := w.s.do(req{method: "POST", path: "/api/v1/people/" + person + "/consents", session: w.senderSess, body: map[string]any{
		"recipient_kind": "organization", "recipient_id": "dir-org-matrix", "classes": []string{"case", "contact"},
		"purposes": []string{"referral"}, "method": "signed_on_screen", "language": "es", "valid_until": until}})
	expect(t, r, http.StatusCreated)
	var c consentBody
	r.decode(t, &c)
	if c.Version != 1 || c.State != "active" || c.RecipientName != "Matrix Partner (fictional)" {
		t.Fatalf("consent %+v", c)
	}

	// Asking for more than the consent covers is refused whole.
	r = w.s.do(req{method: "POST", path: "/api/v1/people/" + person + "/referrals", session: w.senderSess, body: map[string]any{
		"recipient_kind": "organization", "recipient_id": "dir-org-matrix", "classes": []string{"case", "contact", "health"}}})
	expect(t, r, http.StatusForbidden)
	r.problem(t)
	r = w.s.do(req{method: "POST", path: "/api/v1/people/" + person + "/referrals/preview", session: w.senderSess, body: map[string]any{
		"recipient_kind": "organization", "recipient_id": "dir-org-matrix", "classes": []string{"case", "contact", "health"}}})
	expect(t, r, http.StatusOK)
	if body := string(r.body); !strings.Contains(body, `"withheld":["health"]`) || !strings.Contains(body, `"internal":true`) {
		t.Fatalf("preview %s", body)
	}
	send := func() *response {
		return w.s.do(req{method: "POST", path: "/api/v1/people/" + person + "/referrals", session: w.senderSess,
			header: map[string]string{"Idempotency-Key": "referral-once-0001"}, body: map[string]any{
				"recipient_kind": "organization", "recipient_id": "dir-org-matrix", "needs": []string{"legal_immigration"}, "classes": []string{"case", "contact"}}})
	}
	r = send()
	expect(t, r, http.StatusCreated)
	var ref, again referralBody
	r.decode(t, &ref)
	// A retried request (same key) answers as the first and sends nothing more.
	r = send()
	expect(t, r, http.StatusCreated)
	r.decode(t, &again)
	if again.ID != ref.ID || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry made %s (replayed %q), first %s", again.ID, r.header.Get("Idempotent-Replayed"), ref.ID)
	}
	r = w.s.do(req{method: "GET", path: "/api/v1/people/" + person + "/referrals", session: w.senderSess})
	expect(t, r, http.StatusOK)
	if n := strings.Count(string(r.body), `"fhir_status"`); n != 1 {
		t.Fatalf("%d referrals after a retried request, want 1", n)
	}

	// The recipient: inbox, read, answer.
	r = w.s.do(req{method: "GET", path: "/api/v1/inbox", session: w.rcvSess})
	expect(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), ref.ID) || strings.Contains(string(r.body), person) {
		t.Fatalf("inbox %s", r)
	}
	r = w.s.do(req{method: "GET", path: "/api/v1/referrals/" + ref.ID, session: w.rcvSess})
	expect(t, r, http.StatusOK)
	body := string(r.body)
	if !strings.Contains(body, "CONTACTMARK") || strings.Contains(body, "NAMEMARK") || strings.Contains(body, "NOTE") || strings.Contains(body, person) {
		t.Fatalf("the recipient read %s", body)
	}
	r = w.s.do(req{method: "POST", path: "/api/v1/referrals/" + ref.ID + "/moves", session: w.rcvSess, body: map[string]any{"to": "completed"}})
	expect(t, r, http.StatusConflict)
	r.problem(t)
	r = w.s.do(req{method: "POST", path: "/api/v1/referrals/" + ref.ID + "/moves", session: w.rcvSess, body: map[string]any{"to": "received"}})
	expect(t, r, http.StatusOK)
	var moved referralBody
	r.decode(t, &moved)
	if moved.State != "received" || moved.FHIRStatus != "received" || len(moved.History) != 2 {
		t.Fatalf("after receiving: %+v", moved)
	}

	// Expiry stops the recipient at once, audited in both logs.
	w.s.clock.Advance(49 * time.Hour)
	resign := func(email string) string {
		res, err := w.s.svc.SignIn(context.Background(), accounts.SignInRequest{Email: email, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return res.Token
	}
	w.rcvSess, w.senderSess = resign("worker@matrix.example.org"), resign("worker@harbour.example.org")
	r = w.s.do(req{method: "GET", path: "/api/v1/referrals/" + ref.ID, session: w.rcvSess})
	expect(t, r, http.StatusForbidden)
	if !w.audited(t, w.orgB.ID, "referral.read.expired", discern.OutcomeDenied) || !w.audited(t, w.orgA.ID, "referral.read.expired", discern.OutcomeDenied) {
		t.Fatal("the refused read is not audited in both logs")
	}
	// The sender still reads its own referral, and revoking needs the
	// current version.
	r = w.s.do(req{method: "GET", path: "/api/v1/referrals/" + ref.ID, session: w.senderSess})
	expect(t, r, http.StatusOK)
	r = w.s.do(req{method: "POST", path: "/api/v1/people/" + person + "/consents/" + c.ID + "/revoke", session: w.senderSess, body: map[string]any{"version": 1}})
	expect(t, r, http.StatusOK)
	r = w.s.do(req{method: "POST", path: "/api/v1/people/" + person + "/consents/" + c.ID + "/revoke", session: w.senderSess, body: map[string]any{"version": 1}})
	expect(t, r, http.StatusConflict)
}
