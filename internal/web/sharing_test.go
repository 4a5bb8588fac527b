package web

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// TestParseSharingForms: each form's problems, and what a good form gives
// the service.
func TestParseSharingForms(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f, in, ps := ParseConsentForm(url.Values{"recipient": {"service:svc-1"}, "classes": {"case", "contact", "bogus", "case"},
		"purposes": {"referral"}, "method": {"written"}, "valid_until": {"2026-12-31"}, "explained": {"yes"}}, now)
	if len(ps) != 0 || in.RecipientKind != discern.RecipientService || in.RecipientID != "svc-1" ||
		!slices.Equal(in.Classes, []discern.DataClass{discern.ClassCase, discern.ClassContact}) || in.ValidUntil == nil ||
		!in.ValidUntil.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) || !f.Explained {
		t.Fatalf("good consent form: %+v %+v %v", f, in, ps.Fields())
	}
	_, _, ps = ParseConsentForm(url.Values{"recipient": {"person:x"}, "valid_until": {"2026-01-01"}, "language": {"not a tag"}}, now)
	if want := []string{"recipient", "classes", "purposes", "method", "language", "valid_until", "explained"}; !slices.Equal(ps.Fields(), want) {
		t.Fatalf("bad consent form problems %v, want %v", ps.Fields(), want)
	}
	needs := []string{"shelter", "medical"}
	_, rin, ps := ParseReferralForm(url.Values{"recipient": {"organization:o"}, "needs": {"shelter", "spaceship"}, "classes": {"case"},
		"message": {"hello"}, "exception_id": {"court"}, "exception_reason": {"short"}}, needs, true)
	if want := []string{"message", "exception_reason", "explained"}; !slices.Equal(ps.Fields(), want) {
		t.Fatalf("bad referral form problems %v, want %v", ps.Fields(), want)
	}
	if !slices.Equal(rin.Needs, []string{"shelter"}) {
		t.Fatalf("needs %v: unknown needs must be dropped", rin.Needs)
	}
	_, rin, ps = ParseReferralForm(url.Values{"recipient": {"organization:o"}, "classes": {"case", "narrative"}, "message": {"hello"}}, needs, false)
	if len(ps) != 0 || rin.ExceptionID != "" || rin.Message != "hello" {
		t.Fatalf("good referral form: %+v %v", rin, ps.Fields())
	}
	ef, ps := ParseExceptionForm(url.Values{"kind": {"court_order"}, "label": {"Court order"}, "citation": {"Act s.1"}})
	s := discern.OrganizationSettings{LegalExceptions: []discern.LegalException{{ID: "court_order"}, {ID: "court_order-2"}}}
	if len(ps) != 0 || ef.NewException(s).ID != "court_order-3" {
		t.Fatalf("exception form: %v, id %s", ps.Fields(), ef.NewException(s).ID)
	}
}

// FuzzSharingForms: no posted form crashes a parser, and a form the
// parser accepts gives the service only known classes, purposes and a
// well-formed recipient.
func FuzzSharingForms(f *testing.F) {
	f.Add("recipient=service:s&classes=case&purposes=referral&method=written&explained=yes")
	f.Add("recipient=organization:&classes=x&valid_until=2026-02-30")
	f.Add("recipient=%00:%ff&needs=shelter&message=" + url.QueryEscape("ü\x00"))
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, in, ps := ParseConsentForm(v, now); len(ps) == 0 {
			if in.RecipientID == "" || len(in.Classes) == 0 || len(in.Purposes) == 0 || !in.Method.Valid() {
				t.Fatalf("accepted consent %+v", in)
			}
			for _, c := range in.Classes {
				if !c.Valid() {
					t.Fatalf("accepted class %q", c)
				}
			}
		}
		if _, in, ps := ParseReferralForm(v, []string{"shelter"}, true); len(ps) == 0 {
			if in.RecipientID == "" || len(in.Classes) == 0 {
				t.Fatalf("accepted referral %+v", in)
			}
		}
		if ef, ps := ParseExceptionForm(v); len(ps) == 0 {
			if !slices.Contains(discern.ExceptionKinds, ef.Kind) || ef.Label == "" || ef.Citation == "" {
				t.Fatalf("accepted exception %+v", ef)
			}
		}
	})
}
