package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/discern-org/discern/internal/browsertest"
	"github.com/discern-org/discern/internal/demo"
)

// TestBrowserConsentAndReferral: a caseworker records a person's consent
// (the form refuses it first without the confirmation that the person was
// told), makes a referral to the legal-aid partner after seeing what it
// would share, and the partner — another organization — opens it from its
// inbox and answers it; once the person's consent is revoked the partner
// can no longer open it. axe-core checks every page.
func TestBrowserConsentAndReferral(t *testing.T) {
	b := browser(t)
	base := startServer(t)
	shots := browsertest.ScreenshotDir(t)
	recipient := "organization:" + demo.LegalAidOrgID

	b.signIn(t, base, "caseworker@harbour.example")
	b.navigate(t, base+"/people")
	b.submit(t, `ul.cards a[href^="/people/"]`)
	personPath := b.path(t)

	// Record consent: refused without the confirmation, then saved.
	b.submit(t, `a[href$="/consents/new"]`)
	b.check(t, "consent form")
	b.eval(t, fmt.Sprintf(`(function(){
		document.getElementById("recipient").value = %q;
		document.getElementById("class-contact").checked = true;
	})()`, recipient), nil)
	b.submit(t, `form[action$="/consents/new"] button[type="submit"]`)
	if s := b.text(t, "#error-summary"); !strings.Contains(s, "Confirm that you explained") {
		t.Fatalf("the consent form without the confirmation says %q", s)
	}
	b.check(t, "consent form with a problem")
	b.eval(t, `document.getElementById("explained-box").checked = true`, nil)
	b.submit(t, `form[action$="/consents/new"] button[type="submit"]`)
	if p := b.path(t); p != personPath {
		t.Fatalf("after recording consent the browser is at %s", p)
	}
	if s := b.text(t, "#sharing"); !strings.Contains(s, "Northside Legal Aid (fictional)") || !strings.Contains(s, "active") {
		t.Fatalf("the person page's sharing section says %q", s)
	}
	b.check(t, "person with consent")

	// Make a referral: the preview says what would be shared, then send.
	b.submit(t, `a[href$="/referrals/new"]`)
	b.check(t, "referral form")
	b.eval(t, fmt.Sprintf(`(function(){
		document.getElementById("recipient").value = %q;
		document.getElementById("need-legal_immigration").checked = true;
		document.getElementById("class-contact").checked = true;
	})()`, recipient), nil)
	b.submit(t, `button[name="step"][value="preview"]`)
	b.check(t, "referral preview")
	b.screenshot(t, shots, "referral-preview-desktop", 1280)
	if s := b.text(t, "main"); !strings.Contains(s, "Will be shared") || !strings.Contains(s, "contact and location") || strings.Contains(s, "Not covered by the person's consent") {
		t.Fatalf("the preview says %q", s)
	}
	b.eval(t, `document.getElementById("explained-box").checked = true`, nil)
	b.submit(t, `button[name="step"][value="send"]`)
	referralPath := b.path(t)
	if !strings.HasPrefix(referralPath, "/referrals/") {
		t.Fatalf("after sending the browser is at %s: %s", referralPath, b.text(t, "main"))
	}
	b.check(t, "referral, sender")
	b.submit(t, `form[action="/signout"] button`)

	// The partner organization opens it from its inbox and answers.
	b.signIn(t, base, "caseworker@northside.example")
	b.navigate(t, base+"/referrals")
	b.check(t, "inbox")
	b.submit(t, fmt.Sprintf(`a[href=%q]`, referralPath))
	if s := b.text(t, "main"); !strings.Contains(s, "Harbour Outreach") || !strings.Contains(s, "What the referral carries") {
		t.Fatalf("the recipient sees %q", s)
	}
	b.check(t, "referral, recipient")
	b.screenshot(t, shots, "referral-recipient-phone", 390)
	for _, to := range []string{"received", "accepted"} {
		b.eval(t, fmt.Sprintf(`document.getElementById("to-%s").checked = true`, to), nil)
		b.submit(t, `form[action$="/move"] button[type="submit"]`)
		if s := b.text(t, "main"); !strings.Contains(s, "The referral was updated.") {
			t.Fatalf("moving to %s: %q", to, s)
		}
	}
	b.check(t, "referral accepted")
	b.submit(t, `form[action="/signout"] button`)

	// The person withdraws their consent: every consent to share is revoked.
	b.signIn(t, base, "caseworker@harbour.example")
	b.navigate(t, base+personPath)
	for i := 0; ; i++ {
		var more bool
		b.eval(t, `!!document.querySelector('form[action$="/consents/revoke"] button')`, &more)
		if !more {
			break
		}
		if i > 10 {
			t.Fatal("consents do not go away when revoked")
		}
		b.submit(t, `form[action$="/consents/revoke"] button`)
	}
	if s := b.text(t, "#sharing"); !strings.Contains(s, "revoked") {
		t.Fatalf("after revoking the sharing section says %q", s)
	}
	b.check(t, "person after revoking")
	b.submit(t, `form[action="/signout"] button`)

	b.signIn(t, base, "caseworker@northside.example")
	b.navigate(t, base+referralPath)
	if s := b.text(t, "main"); !strings.Contains(s, "revoked") || strings.Contains(s, "What the referral carries") {
		t.Fatalf("after revocation the recipient sees %q", s)
	}
	b.check(t, "referral refused")
}
