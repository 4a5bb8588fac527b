package discern

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	t0       = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	shelter  = Recipient{Kind: RecipientOrganization, ID: "org-shelter"}
	legalSvc = Recipient{Kind: RecipientService, ID: "svc-legal", OrgID: "org-legal"}
)

func ptr(t time.Time) *time.Time { return &t }

func baseConsent() *Consent {
	return &Consent{
		ID: "c1", Version: 1, OrgID: "org-a", PersonID: "p1",
		Recipient: shelter, Classes: []DataClass{ClassCase, ClassContact},
		Purposes: []ConsentPurpose{PurposeReferral}, Method: ConsentVerbal,
		RecordedBy: "u1", Language: "es", ValidFrom: t0, ValidUntil: ptr(t0.AddDate(0, 3, 0)),
	}
}

func TestConsentValidate(t *testing.T) {
	if err := baseConsent().Validate(); err != nil {
		t.Fatalf("valid consent: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(*Consent)
		field string
	}{
		{"no person", func(c *Consent) { c.PersonID = "" }, "person_id"},
		{"version 0", func(c *Consent) { c.Version = 0 }, "version"},
		{"no recipient kind", func(c *Consent) { c.Recipient.Kind = "" }, "recipient"},
		{"no recipient id", func(c *Consent) { c.Recipient.ID = "" }, "recipient"},
		{"service without org", func(c *Consent) { c.Recipient = Recipient{Kind: RecipientService, ID: "s"} }, "recipient"},
		{"no classes", func(c *Consent) { c.Classes = nil }, "classes"},
		{"unknown class", func(c *Consent) { c.Classes = []DataClass{"rumours"} }, "classes"},
		{"no purposes", func(c *Consent) { c.Purposes = nil }, "purposes"},
		{"unknown purpose", func(c *Consent) { c.Purposes = []ConsentPurpose{"marketing"} }, "purposes"},
		{"no method", func(c *Consent) { c.Method = "" }, "method"},
		{"no recorder", func(c *Consent) { c.RecordedBy = "" }, "recorded_by"},
		{"no start", func(c *Consent) { c.ValidFrom = time.Time{} }, "valid_from"},
		{"ends before it starts", func(c *Consent) { c.ValidUntil = ptr(t0) }, "valid_until"},
		{"revoked by nobody", func(c *Consent) { c.RevokedAt = ptr(t0.Add(time.Hour)) }, "revoked_by"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := baseConsent()
			tc.edit(c)
			var e *Error
			if err := c.Validate(); !errors.As(err, &e) || e.Kind != KindInvalid || e.Field != tc.field {
				t.Fatalf("Validate() = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestDecideDisclosure(t *testing.T) {
	at := t0.Add(24 * time.Hour)
	ask := Disclosure{PersonID: "p1", Recipient: shelter, Purpose: PurposeReferral,
		Classes: []DataClass{ClassCase, ClassContact}, At: at}
	revoked := baseConsent()
	revoked.Version, revoked.RevokedAt, revoked.RevokedBy = 2, ptr(t0.Add(12*time.Hour)), "u1"
	narrowed := baseConsent()
	narrowed.Version, narrowed.Classes = 2, []DataClass{ClassCase}

	cases := []struct {
		name      string
		consents  []*Consent
		edit      func(*Disclosure)
		permitted []DataClass
		reason    string // a word the reason must hold, when something is withheld
	}{
		{"valid consent", []*Consent{baseConsent()}, nil, []DataClass{ClassCase, ClassContact}, ""},
		{"no consent", nil, nil, nil, "not agreed"},
		{"another person's consent", []*Consent{baseConsent()}, func(d *Disclosure) { d.PersonID = "p2" }, nil, "not agreed"},
		{"another recipient", []*Consent{baseConsent()}, func(d *Disclosure) { d.Recipient = legalSvc }, nil, "not agreed"},
		{"another purpose", []*Consent{baseConsent()}, func(d *Disclosure) { d.Purpose = PurposeExport }, nil, "purpose"},
		{"expired", []*Consent{baseConsent()}, func(d *Disclosure) { d.At = t0.AddDate(0, 3, 0) }, nil, "expired"},
		{"not yet valid", []*Consent{baseConsent()}, func(d *Disclosure) { d.At = t0.Add(-time.Second) }, nil, "not yet"},
		{"revoked in a newer version", []*Consent{baseConsent(), revoked}, nil, nil, "revoked"},
		{"revoked, before the revocation", []*Consent{baseConsent(), revoked}, func(d *Disclosure) { d.At = t0.Add(time.Hour) },
			[]DataClass{ClassCase, ClassContact}, ""},
		{"narrowed in a newer version", []*Consent{narrowed, baseConsent()}, nil, []DataClass{ClassCase}, "every kind"},
		{"too narrow: asks for more", []*Consent{baseConsent()}, func(d *Disclosure) {
			d.Classes = []DataClass{ClassCase, ClassIdentity, ClassHealth}
		}, []DataClass{ClassCase}, "every kind"},
		{"organization consent covers its service", []*Consent{func() *Consent {
			c := baseConsent()
			c.Recipient = Recipient{Kind: RecipientOrganization, ID: "org-legal"}
			return c
		}()}, func(d *Disclosure) { d.Recipient = legalSvc }, []DataClass{ClassCase, ClassContact}, ""},
		{"service consent does not cover its organization", []*Consent{func() *Consent {
			c := baseConsent()
			c.Recipient = legalSvc
			return c
		}()}, func(d *Disclosure) { d.Recipient = Recipient{Kind: RecipientOrganization, ID: "org-legal"} }, nil, "not agreed"},
		{"two consents add up", []*Consent{baseConsent(), func() *Consent {
			c := baseConsent()
			c.ID, c.Classes = "c2", []DataClass{ClassIdentity}
			return c
		}()}, func(d *Disclosure) { d.Classes = []DataClass{ClassCase, ClassIdentity} }, []DataClass{ClassCase, ClassIdentity}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := ask
			if tc.edit != nil {
				tc.edit(&d)
			}
			dec := DecideDisclosure(tc.consents, d)
			if !slices.Equal(dec.Permitted, tc.permitted) {
				t.Fatalf("permitted %v, want %v", dec.Permitted, tc.permitted)
			}
			for _, c := range dec.Permitted {
				if !slices.Contains(d.Classes, c) {
					t.Fatalf("%s passes although it was not asked for", c)
				}
			}
			if len(dec.Permitted)+len(dec.Withheld) != len(d.Classes) {
				t.Fatalf("permitted %v + withheld %v do not account for %v", dec.Permitted, dec.Withheld, d.Classes)
			}
			if tc.reason == "" {
				if !dec.All() || dec.Reason != "" {
					t.Fatalf("want everything to pass; withheld %v (%s)", dec.Withheld, dec.Reason)
				}
				if len(dec.Basis) == 0 {
					t.Fatal("a permitted disclosure names no consent")
				}
				return
			}
			if dec.All() || !strings.Contains(strings.ToLower(dec.Reason), strings.ToLower(tc.reason)) {
				t.Fatalf("reason %q, want it to mention %q", dec.Reason, tc.reason)
			}
			if dec.None() && len(dec.Basis) > 0 {
				t.Fatalf("nothing passes, yet it cites %v", dec.Basis)
			}
		})
	}
}

// TestDecideDisclosureOracle compares the decision with a plain restatement
// of the rule over many random histories: a class passes exactly when the
// newest version of some consent of this person names the recipient (or
// the service's organization), the purpose and the class, and is active at
// the moment asked.
func TestDecideDisclosureOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	recipients := []Recipient{shelter, legalSvc, {Kind: RecipientOrganization, ID: "org-legal"}}
	pick := func(n int) int { return rng.IntN(n) }
	for iter := range 20000 {
		var all []*Consent
		for range 1 + pick(6) {
			c := baseConsent()
			c.ID = string(rune('a' + pick(3)))
			c.Version = 1 + pick(3)
			c.PersonID = []string{"p1", "p2"}[pick(2)]
			c.Recipient = recipients[pick(len(recipients))]
			c.Classes = nil
			for _, x := range DataClasses {
				if pick(2) == 0 {
					c.Classes = append(c.Classes, x)
				}
			}
			c.Purposes = []ConsentPurpose{ConsentPurposes[pick(len(ConsentPurposes))]}
			c.ValidFrom = t0.Add(time.Duration(pick(10)) * time.Hour)
			if pick(2) == 0 {
				c.ValidUntil = ptr(c.ValidFrom.Add(time.Duration(1+pick(10)) * time.Hour))
			}
			if pick(3) == 0 {
				c.RevokedAt, c.RevokedBy = ptr(t0.Add(time.Duration(pick(20))*time.Hour)), "u1"
			}
			all = append(all, c)
		}
		d := Disclosure{PersonID: "p1", Recipient: recipients[pick(len(recipients))],
			Purpose: ConsentPurposes[pick(len(ConsentPurposes))], At: t0.Add(time.Duration(pick(24)) * time.Hour)}
		for _, x := range DataClasses {
			if pick(2) == 0 {
				d.Classes = append(d.Classes, x)
			}
		}
		// The oracle.
		newest := map[string]int{}
		for _, c := range all {
			newest[c.ID] = max(newest[c.ID], c.Version)
		}
		var want []DataClass
		for _, x := range d.Classes {
			ok := false
			for _, c := range all {
				if c.Version != newest[c.ID] || c.PersonID != d.PersonID || !slices.Contains(c.Purposes, d.Purpose) ||
					!slices.Contains(c.Classes, x) {
					continue
				}
				if !(c.Recipient == d.Recipient || (c.Recipient.Kind == RecipientOrganization && d.Recipient.Kind == RecipientService && d.Recipient.OrgID == c.Recipient.ID)) {
					continue
				}
				if d.At.Before(c.ValidFrom) || (c.ValidUntil != nil && !d.At.Before(*c.ValidUntil)) || (c.RevokedAt != nil && !d.At.Before(*c.RevokedAt)) {
					continue
				}
				ok = true
			}
			if ok {
				want = append(want, x)
			}
		}
		// Two versions with the same ID and number make "newest"
		// ambiguous; the store refuses them, so skip such histories.
		dup := map[[2]any]bool{}
		ambiguous := false
		for _, c := range all {
			k := [2]any{c.ID, c.Version}
			ambiguous = ambiguous || dup[k]
			dup[k] = true
		}
		if ambiguous {
			continue
		}
		got := DecideDisclosure(all, d)
		if !slices.Equal(got.Permitted, want) {
			t.Fatalf("iteration %d: permitted %v, oracle %v\nask %+v", iter, got.Permitted, want, d)
		}
	}
}

// BenchmarkDecideDisclosure is the consent check every disclosure makes,
// over a person with 1, 10 and 100 consents of 3 versions each.
func BenchmarkDecideDisclosure(b *testing.B) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 10, 100} {
		var all []*Consent
		for i := range n {
			for v := 1; v <= 3; v++ {
				all = append(all, &Consent{ID: fmt.Sprintf("c%d", i), Version: v, OrgID: "o", PersonID: "p",
					Recipient: Recipient{Kind: RecipientOrganization, ID: fmt.Sprintf("org-%d", i)},
					Classes:   []DataClass{ClassCase, ClassContact}, Purposes: []ConsentPurpose{PurposeReferral},
					Method: ConsentVerbal, RecordedBy: "u", ValidFrom: from})
			}
		}
		d := Disclosure{PersonID: "p", Recipient: Recipient{Kind: RecipientService, ID: "s", OrgID: fmt.Sprintf("org-%d", n-1)},
			Purpose: PurposeReferral, Classes: []DataClass{ClassCase, ClassContact}, At: from.AddDate(0, 1, 0)}
		b.Run(fmt.Sprintf("consents=%d", n), func(b *testing.B) {
			for b.Loop() {
				if !DecideDisclosure(all, d).All() {
					b.Fatal("not permitted")
				}
			}
		})
	}
}
