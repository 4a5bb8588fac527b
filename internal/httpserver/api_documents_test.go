package httpserver

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/documents/pdftext"
	"github.com/discern-org/discern/internal/screening"
)

// The document routes, over real HTTP on real SQLite: every PDF is refused
// (and the refusal audited with its reason) without a consent that covers
// it, and with one holds exactly the released classes' markers.

// docWorld is a sending organization with a caseworker, a receiving one
// linked to the directory's dir-org-matrix, and a way to make people.
type docWorld struct {
	s                   *testServer
	orgA, orgB          *discern.Organization
	sender, receiver    casework.Actor
	senderSess, rcvSess string
}

func newDocWorld(t *testing.T) *docWorld {
	t.Helper()
	s := newTestServer(t)
	ctx := context.Background()
	w := &docWorld{s: s, orgA: s.org("Harbour Outreach (fictional)"), orgB: s.org("Matrix Legal Aid (fictional)")}
	settings := discern.OrganizationSettings{DirectoryOrgID: "dir-org-matrix"}
	if _, err := s.db.UpdateOrganization(ctx, w.orgB.ID, discern.OrganizationUpdate{Settings: &settings}); err != nil {
		t.Fatal(err)
	}
	login := func(u *discern.User) (casework.Actor, string) {
		res, err := s.svc.SignIn(ctx, accounts.SignInRequest{Email: u.Email, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		return casework.Actor{Principal: principalFor(u, true), RequestID: "seed"}, res.Token
	}
	w.sender, w.senderSess = login(s.user(w.orgA.ID, "worker@harbour.example.org", discern.RoleCaseworker, ""))
	w.receiver, w.rcvSess = login(s.user(w.orgB.ID, "worker@matrix.example.org", discern.RoleCaseworker, ""))
	return w
}

// docAnswers raise the non-punishment alert, with answers of the case,
// immigration, criminal_justice and health classes, each with a note
// "NOTEMARK<question>" (narrative).
const docAnswers = `
language: en
jurisdictions: [palermo, england-wales]
answers:
  age: 29
  status: no_status
  exchange_sex: "yes"
  others_involved: "yes"
  money_share: all_or_most
  travel_arranged: "yes"
  documents: someone_else_holds
  violence: "yes"
  criminal_acts: "yes"
  health: [medical]
  legal_situation: [charges_now]
`

// person records a person with a marker in every class, a complete
// screening and contact-safety rules; it returns the person's and the
// screening's ids.
func (w *docWorld) person(t *testing.T, answers string) (string, string) {
	t.Helper()
	ctx := context.Background()
	cw := w.s.cw
	p, err := cw.CreatePerson(ctx, w.sender, casework.PersonInput{Name: "Idamae NAMEMARK", Contact: "CONTACTMARK +44 7700 900123", AssignedTo: w.sender.UserID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []discern.DataClass{discern.ClassNarrative, discern.ClassHealth, discern.ClassImmigration, discern.ClassCriminalJustice} {
		if _, err := cw.CreateNote(ctx, w.sender, p.ID, c, "NOTE"+strings.ToUpper(strings.ReplaceAll(string(c), "_", ""))+"MARK"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cw.PutContactSafety(ctx, w.sender, p.ID, discern.ContactSafety{TimeZone: "Europe/London", HasCodeWord: true,
		Channels: []discern.SafeChannel{{Channel: discern.ChannelSMS, Windows: []discern.ContactWindow{{From: 9 * 60, To: 12 * 60}}}}}); err != nil {
		t.Fatal(err)
	}
	ev, err := screening.ParseAnswers(testEngine().Bundle(), "test", []byte(answers))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ev.Answers {
		ev.Answers[i].Note = "NOTEMARK" + strings.ReplaceAll(ev.Answers[i].Question, "_", "")
	}
	sv, err := cw.CreateScreening(ctx, w.sender, casework.ScreeningInput{PersonID: p.ID, Evidence: ev, Complete: true})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, sv.ID
}

func (w *docWorld) consent(t *testing.T, personID string, classes []discern.DataClass, purposes []discern.ConsentPurpose, until *time.Time) *casework.ConsentView {
	t.Helper()
	from := w.s.clock.Now().Add(-time.Hour)
	v, err := w.s.cw.RecordConsent(context.Background(), w.sender, personID, casework.ConsentInput{RecipientKind: discern.RecipientOrganization,
		RecipientID: "dir-org-matrix", Classes: classes, Purposes: purposes, Method: discern.ConsentWritten, Language: "en",
		ValidFrom: &from, ValidUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// audited reports whether an organization's log has the action with the
// outcome.
func (w *docWorld) audited(t *testing.T, orgID, action string, outcome discern.AuditOutcome) bool {
	t.Helper()
	page := discern.Page{Limit: 500}
	for {
		entries, next, err := w.s.db.FindAuditEntries(context.Background(), discern.AuditFilter{OrgID: orgID, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Action == action && e.Outcome == outcome {
				return true
			}
		}
		if next == "" {
			return false
		}
		page.Cursor = next
	}
}

// pdfBody checks a PDF answer and returns its flattened text.
func pdfBody(t *testing.T, r *response) string {
	t.Helper()
	expect(t, r, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("Content-Type %q, want application/pdf", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q, want no-store", cc)
	}
	text, err := pdftext.Text(r.body)
	if err != nil {
		t.Fatal(err)
	}
	return pdftext.Flat(text)
}

// markers are the texts each class puts in the documents.
var markers = map[discern.DataClass][]string{
	discern.ClassIdentity:        {"NAMEMARK"},
	discern.ClassContact:         {"CONTACTMARK"},
	discern.ClassNarrative:       {"NOTENARRATIVEMARK"},
	discern.ClassHealth:          {"NOTEHEALTHMARK"},
	discern.ClassImmigration:     {"NOTEIMMIGRATIONMARK"},
	discern.ClassCriminalJustice: {"NOTECRIMINALJUSTICEMARK"},
}

// exactly checks that text holds the markers of the released classes and
// none of the others'.
func exactly(t *testing.T, text string, marks map[discern.DataClass][]string, released ...discern.DataClass) {
	t.Helper()
	for c, ms := range marks {
		want := false
		for _, r := range released {
			want = want || r == c
		}
		for _, m := range ms {
			if got := strings.Contains(text, m); got != want {
				t.Errorf("class %s: marker %q present = %v, want %v", c, m, got, want)
			}
		}
	}
}

var (
	docPurpose   = []discern.ConsentPurpose{discern.PurposeDocuments}
	legalPurpose = []discern.ConsentPurpose{discern.PurposeLegalSupport}
)

// refusals are the ways a consent can fail to cover a document: each sets
// up a person's consents and names the audit code of the refusal.
func refusals(purpose discern.ConsentPurpose, covered []discern.DataClass) []struct {
	code  string
	setup func(t *testing.T, w *docWorld, personID string)
} {
	past := func(w *docWorld) *time.Time { u := w.s.clock.Now().Add(-time.Minute); return &u }
	return []struct {
		code  string
		setup func(t *testing.T, w *docWorld, personID string)
	}{
		{"no_consent", func(t *testing.T, w *docWorld, id string) {}},
		{"expired", func(t *testing.T, w *docWorld, id string) {
			from := w.s.clock.Now().Add(-48 * time.Hour)
			if _, err := w.s.cw.RecordConsent(context.Background(), w.sender, id, casework.ConsentInput{RecipientKind: discern.RecipientOrganization,
				RecipientID: "dir-org-matrix", Classes: covered, Purposes: []discern.ConsentPurpose{purpose}, Method: discern.ConsentWritten,
				ValidFrom: &from, ValidUntil: past(w)}); err != nil {
				t.Fatal(err)
			}
		}},
		{"revoked", func(t *testing.T, w *docWorld, id string) {
			c := w.consent(t, id, covered, []discern.ConsentPurpose{purpose}, nil)
			if _, err := w.s.cw.RevokeConsent(context.Background(), w.sender, id, c.ID, c.Version); err != nil {
				t.Fatal(err)
			}
		}},
		{"too_narrow", func(t *testing.T, w *docWorld, id string) {
			w.consent(t, id, []discern.DataClass{discern.ClassCase}, []discern.ConsentPurpose{purpose}, nil)
		}},
		{"wrong_purpose", func(t *testing.T, w *docWorld, id string) {
			w.consent(t, id, covered, []discern.ConsentPurpose{discern.PurposeReferral}, nil)
		}},
	}
}

func summaryPath(id string, classes ...discern.DataClass) string {
	q := url.Values{"recipient_kind": {"organization"}, "recipient_id": {"dir-org-matrix"}}
	for _, c := range classes {
		q.Add("classes", string(c))
	}
	return "/api/v1/screenings/" + id + "/summary.pdf?" + q.Encode()
}

func TestScreeningSummaryPDFNeedsConsent(t *testing.T) {
	w := newDocWorld(t)
	asked := []discern.DataClass{discern.ClassCase, discern.ClassHealth, discern.ClassNarrative}
	for _, rc := range refusals(discern.PurposeDocuments, asked) {
		t.Run(rc.code, func(t *testing.T) {
			person, sc := w.person(t, docAnswers)
			rc.setup(t, w, person)
			r := w.s.do(req{method: "GET", path: summaryPath(sc, asked...), session: w.senderSess})
			expect(t, r, http.StatusForbidden)
			r.problem(t)
			if !w.audited(t, w.orgA.ID, "document.screening_summary."+rc.code, discern.OutcomeDenied) {
				t.Fatalf("the refusal is not audited as document.screening_summary.%s", rc.code)
			}
		})
	}

	t.Run("consented", func(t *testing.T) {
		person, sc := w.person(t, docAnswers)
		w.consent(t, person, asked, docPurpose, nil)
		text := pdfBody(t, w.s.do(req{method: "GET", path: summaryPath(sc, asked...), session: w.senderSess}))
		// Answers' notes show for released classes only: health and case
		// answers' notes are in, immigration and criminal justice out.
		for _, in := range []string{"NOTEMARKhealth", "NOTEMARKexchangesex", "NOTEMARKviolence"} {
			if !strings.Contains(text, in) {
				t.Errorf("the summary lacks %q", in)
			}
		}
		for _, out := range []string{"NOTEMARKstatus", "NOTEMARKcriminalacts", "NOTEMARKlegalsituation", "NAMEMARK", "CONTACTMARK"} {
			if strings.Contains(text, out) {
				t.Errorf("the summary holds %q of a withheld class", out)
			}
		}
		if !w.audited(t, w.orgA.ID, "document.screening_summary", discern.OutcomeSuccess) {
			t.Fatal("the summary is not audited as a disclosure")
		}
		// Less than consented is fine; case alone leaves out every note.
		text = pdfBody(t, w.s.do(req{method: "GET", path: summaryPath(sc, discern.ClassCase), session: w.senderSess}))
		if strings.Contains(text, "NOTEMARK") {
			t.Error("a case-only summary holds notes (narrative)")
		}
		// Without case there is nothing to show: a clear error.
		r := w.s.do(req{method: "GET", path: summaryPath(sc, discern.ClassHealth), session: w.senderSess})
		expect(t, r, http.StatusBadRequest)
		if p := r.problem(t); p.Field != "classes" {
			t.Fatalf("problem field %q, want classes", p.Field)
		}
	})
}

func letterBody(namePerson bool) map[string]any {
	return map[string]any{"recipient_kind": "organization", "recipient_id": "dir-org-matrix", "name_person": namePerson,
		"matter": "R v. MATTERMARK", "to": map[string]string{"name": "A. Counsel", "role": "Defence counsel"},
		"from": map[string]string{"name": "B. Worker", "organization": "Harbour Outreach (fictional)"}}
}

func TestNonPunishmentLetterPDFNeedsConsentAndAlert(t *testing.T) {
	w := newDocWorld(t)
	covered := []discern.DataClass{discern.ClassCase, discern.ClassCriminalJustice}
	for _, rc := range refusals(discern.PurposeLegalSupport, covered) {
		t.Run(rc.code, func(t *testing.T) {
			person, sc := w.person(t, docAnswers)
			rc.setup(t, w, person)
			r := w.s.do(req{method: "POST", path: "/api/v1/screenings/" + sc + "/letter.pdf", body: letterBody(false), session: w.senderSess})
			expect(t, r, http.StatusForbidden)
			r.problem(t)
			if !w.audited(t, w.orgA.ID, "document.letter."+rc.code, discern.OutcomeDenied) {
				t.Fatalf("the refusal is not audited as document.letter.%s", rc.code)
			}
		})
	}

	t.Run("no non-punishment alert", func(t *testing.T) {
		person, sc := w.person(t, "language: en\njurisdictions: [palermo]\nanswers:\n  age: 29\n  exchange_sex: \"yes\"\n")
		w.consent(t, person, covered, legalPurpose, nil)
		r := w.s.do(req{method: "POST", path: "/api/v1/screenings/" + sc + "/letter.pdf", body: letterBody(false), session: w.senderSess})
		expect(t, r, http.StatusConflict)
		r.problem(t)
		if !w.audited(t, w.orgA.ID, "document.letter.no_provision", discern.OutcomeDenied) {
			t.Fatal("the refusal is not audited")
		}
	})

	t.Run("consented", func(t *testing.T) {
		person, sc := w.person(t, docAnswers)
		w.consent(t, person, covered, legalPurpose, nil)
		path := "/api/v1/screenings/" + sc + "/letter.pdf"
		text := pdfBody(t, w.s.do(req{method: "POST", path: path, body: letterBody(false), session: w.senderSess}))
		for _, in := range []string{"MATTERMARK", "A. Counsel", "Non-punishment"} {
			if !strings.Contains(text, in) {
				t.Errorf("the letter lacks %q", in)
			}
		}
		exactly(t, text, markers) // no name, contact or note of any class
		if strings.Contains(text, "NOTEMARK") {
			t.Error("the letter holds an answer's note")
		}
		if !w.audited(t, w.orgA.ID, "document.letter", discern.OutcomeSuccess) {
			t.Fatal("the letter is not audited as a disclosure")
		}
		// Naming the person needs identity in the consent.
		r := w.s.do(req{method: "POST", path: path, body: letterBody(true), session: w.senderSess})
		expect(t, r, http.StatusForbidden)
		if !w.audited(t, w.orgA.ID, "document.letter.too_narrow", discern.OutcomeDenied) {
			t.Fatal("the refused name is not audited")
		}
		w.consent(t, person, []discern.DataClass{discern.ClassIdentity}, legalPurpose, nil)
		text = pdfBody(t, w.s.do(req{method: "POST", path: path, body: letterBody(true), session: w.senderSess}))
		exactly(t, text, markers, discern.ClassIdentity)
		// A letter without an addressee is a clear error.
		b := letterBody(false)
		b["to"] = map[string]string{}
		r = w.s.do(req{method: "POST", path: path, body: b, session: w.senderSess})
		expect(t, r, http.StatusBadRequest)
	})
}

func TestReferralPacketPDF(t *testing.T) {
	w := newDocWorld(t)
	ctx := context.Background()
	sent := []discern.DataClass{discern.ClassCase, discern.ClassContact, discern.ClassHealth}
	refer := func(t *testing.T, until *time.Time) (string, *casework.ConsentView) {
		t.Helper()
		person, _ := w.person(t, docAnswers)
		c := w.consent(t, person, append([]discern.DataClass{discern.ClassIdentity}, sent...), []discern.ConsentPurpose{discern.PurposeReferral}, until)
		rv, err := w.s.cw.CreateReferral(ctx, w.sender, casework.ReferralInput{PersonID: person, RecipientKind: discern.RecipientOrganization,
			RecipientID: "dir-org-matrix", Needs: []string{"legal_immigration"}, Classes: sent})
		if err != nil {
			t.Fatal(err)
		}
		return rv.ID, c
	}
	packet := func(id, session string) *response {
		return w.s.do(req{method: "GET", path: "/api/v1/referrals/" + id + "/packet.pdf", session: session})
	}
	id, c := refer(t, nil)

	// Both sides see the classes sent, the contact-safety rules and the
	// code-word flag; nothing of a class not sent.
	for side, sess := range map[string]string{"sender": w.senderSess, "recipient": w.rcvSess} {
		text := pdfBody(t, packet(id, sess))
		exactly(t, text, markers, discern.ClassContact, discern.ClassHealth)
		for _, in := range []string{"Text message", "09:00–12:00", "Europe/London", "Ask for the code word", "legal_immigration"} {
			if !strings.Contains(text, in) {
				t.Errorf("%s: the packet lacks %q", side, in)
			}
		}
	}
	if !w.audited(t, w.orgB.ID, "referral.packet_pdf", discern.OutcomeSuccess) || !w.audited(t, w.orgA.ID, "referral.packet_pdf", discern.OutcomeSuccess) {
		t.Fatal("the recipient's PDF is not audited in both organizations' logs")
	}
	// The API view carries the same rules.
	r := w.s.do(req{method: "GET", path: "/api/v1/referrals/" + id, session: w.rcvSess})
	expect(t, r, http.StatusOK)
	var view struct {
		Packet struct {
			ContactSafety *struct {
				Channels       []discern.SafeChannel `json:"channels"`
				AskForCodeWord bool                  `json:"ask_for_code_word"`
			} `json:"contact_safety"`
		} `json:"packet"`
	}
	r.decode(t, &view)
	if cs := view.Packet.ContactSafety; cs == nil || !cs.AskForCodeWord || len(cs.Channels) != 1 || cs.Channels[0].Channel != discern.ChannelSMS {
		t.Fatalf("the recipient's view lacks the contact-safety rules: %s", r)
	}

	// Narrowed to case: the recipient's PDF shows case only and says to go
	// through the referring worker; the sender still sees what was sent.
	if _, err := w.s.cw.ReviseConsent(ctx, w.sender, w.personOf(t, id), c.ID, c.Version, casework.ConsentInput{
		RecipientKind: discern.RecipientOrganization, RecipientID: "dir-org-matrix", Classes: []discern.DataClass{discern.ClassCase},
		Purposes: []discern.ConsentPurpose{discern.PurposeReferral}, Method: discern.ConsentWritten}); err != nil {
		t.Fatal(err)
	}
	text := pdfBody(t, packet(id, w.rcvSess))
	exactly(t, text, markers)
	for _, in := range []string{"only through the referring worker", "Ask for the code word"} {
		if in == "Ask for the code word" {
			if strings.Contains(text, in) {
				t.Error("the code-word rule is contact information; it is withheld with contact")
			}
			continue
		}
		if !strings.Contains(text, in) {
			t.Errorf("the narrowed packet lacks %q", in)
		}
	}
	if strings.Contains(text, "Text message") {
		t.Error("the narrowed packet still lists safe channels")
	}
	exactly(t, pdfBody(t, packet(id, w.senderSess)), markers, discern.ClassContact, discern.ClassHealth)

	// Revoked: the recipient is refused, in both logs, as GetReferral is.
	cur := w.currentConsent(t, w.personOf(t, id), c.ID)
	if _, err := w.s.cw.RevokeConsent(ctx, w.sender, w.personOf(t, id), c.ID, cur); err != nil {
		t.Fatal(err)
	}
	r = packet(id, w.rcvSess)
	expect(t, r, http.StatusForbidden)
	r.problem(t)
	if !w.audited(t, w.orgB.ID, "referral.read.revoked", discern.OutcomeDenied) || !w.audited(t, w.orgA.ID, "referral.read.revoked", discern.OutcomeDenied) {
		t.Fatal("the refusal is not audited in both logs")
	}

	// Expired: the same.
	until := w.s.clock.Now().Add(time.Hour)
	id2, _ := refer(t, &until)
	pdfBody(t, packet(id2, w.rcvSess))
	w.s.clock.Advance(2 * time.Hour)
	rcv, err := w.s.svc.SignIn(ctx, accounts.SignInRequest{Email: "worker@matrix.example.org", Password: password}) // the idle session ended
	if err != nil {
		t.Fatal(err)
	}
	expect(t, packet(id2, rcv.Token), http.StatusForbidden)
	if !w.audited(t, w.orgB.ID, "referral.read.expired", discern.OutcomeDenied) {
		t.Fatal("the expired refusal is not audited")
	}

	// Anyone else: no such referral.
	stranger := w.s.org("Elsewhere (fictional)")
	u := w.s.user(stranger.ID, "worker@elsewhere.example.org", discern.RoleCaseworker, "")
	res, err := w.s.svc.SignIn(ctx, accounts.SignInRequest{Email: u.Email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, packet(id, res.Token), http.StatusNotFound)
}

func (w *docWorld) personOf(t *testing.T, referralID string) string {
	t.Helper()
	r, err := w.s.db.FindReferral(context.Background(), referralID)
	if err != nil {
		t.Fatal(err)
	}
	return r.PersonID
}

func (w *docWorld) currentConsent(t *testing.T, personID, consentID string) int {
	t.Helper()
	vs, err := w.s.cw.ListConsents(context.Background(), w.sender, personID)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.ID == consentID {
			return v.Version
		}
	}
	t.Fatal(fmt.Sprintf("no consent %s", consentID))
	return 0
}

// The result page offers a screening summary for each recipient the person
// agreed to give documents to, and for no one else.
func TestResultPageOffersDocuments(t *testing.T) {
	w := newDocWorld(t)
	person, sc := w.person(t, docAnswers)
	page := func() string {
		r := w.s.do(req{method: "GET", path: "/screenings/" + sc, session: w.senderSess})
		expect(t, r, http.StatusOK)
		return string(r.body)
	}
	w.consent(t, person, []discern.DataClass{discern.ClassCase, discern.ClassHealth}, []discern.ConsentPurpose{discern.PurposeReferral}, nil)
	if strings.Contains(page(), "Documents for a recipient") {
		t.Fatal("the page offers documents without a consent for them")
	}
	w.consent(t, person, []discern.DataClass{discern.ClassCase, discern.ClassHealth}, docPurpose, nil)
	body := page()
	for _, want := range []string{"Documents for a recipient", `action="/api/v1/screenings/` + sc + `/summary.pdf"`,
		`name="recipient_id" value="dir-org-matrix"`, `name="classes" value="health"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, `name="classes" value="immigration"`) {
		t.Error("the page offers a class the consent does not cover")
	}
	// The form's request, as a browser sends it, gives the PDF.
	q := url.Values{"recipient_kind": {"organization"}, "recipient_id": {"dir-org-matrix"}, "classes": {"case", "health"}}
	pdfBody(t, w.s.do(req{method: "GET", path: "/api/v1/screenings/" + sc + "/summary.pdf?" + q.Encode(), session: w.senderSess}))
}

// TestResultPageLetterForm: the result page offers the non-punishment
// letter only with a legal_support consent, and its form, posted as a
// browser posts it, gives the PDF; without the addressee it is a clear
// error page, and without consent a refusal.
func TestResultPageLetterForm(t *testing.T) {
	w := newDocWorld(t)
	person, sc := w.person(t, docAnswers)
	form := url.Values{"recipient": {"organization:dir-org-matrix"}, "to_name": {"A. Counsel"}, "to_role": {"Defence counsel"},
		"from_name": {"B. Worker"}, "matter": {"R v. FORMMARK"}}
	r := w.s.do(req{method: "POST", path: "/screenings/" + sc + "/letter", body: form, session: w.senderSess})
	expect(t, r, http.StatusForbidden)
	if strings.Contains(string(w.s.do(req{method: "GET", path: "/screenings/" + sc, session: w.senderSess}).body), "Non-punishment summary letter") {
		t.Fatal("the page offers the letter without a consent for it")
	}
	w.consent(t, person, []discern.DataClass{discern.ClassCase, discern.ClassCriminalJustice}, legalPurpose, nil)
	body := string(w.s.do(req{method: "GET", path: "/screenings/" + sc, session: w.senderSess}).body)
	if !strings.Contains(body, "Non-punishment summary letter") || !strings.Contains(body, `action="/screenings/`+sc+`/letter"`) {
		t.Fatal("the page does not offer the letter with a legal_support consent")
	}
	text := pdfBody(t, w.s.do(req{method: "POST", path: "/screenings/" + sc + "/letter", body: form, session: w.senderSess}))
	if !strings.Contains(text, "FORMMARK") || !strings.Contains(text, "A. Counsel") {
		t.Fatal("the letter lacks what the form gave")
	}
	form.Del("to_name")
	r = w.s.do(req{method: "POST", path: "/screenings/" + sc + "/letter", body: form, session: w.senderSess})
	expect(t, r, http.StatusBadRequest)
	if !strings.Contains(string(r.body), "Name who the letter is for.") {
		t.Fatalf("the error page says %s", r)
	}
}
