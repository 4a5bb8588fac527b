package casework

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/documents"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/sqldb"
)

// The documents: a referral's packet, a screening summary and a
// non-punishment letter, as PDFs. Each shows only what the person's
// consent releases to the document's recipient at the moment it is made,
// and making one is audited as a disclosure; a refusal is audited with its
// reason.

// ReferralPacketPDF renders a referral's packet for its sender or its
// recipient. It shows exactly what GetReferral shows the caller at this
// instant: GetReferral makes the decision (consent re-checked for the
// recipient, refused and audited when it was revoked or has expired), and
// the PDF prints the classes it showed, every other one as withheld.
func (s *Service) ReferralPacketPDF(ctx context.Context, a Actor, id string) ([]byte, error) {
	v, err := s.GetReferral(ctx, a, id)
	if err != nil {
		return nil, err
	}
	r, err := s.db.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case v.Erased:
		return nil, discern.Errorf(discern.KindConflict, "The person's record was erased; there is no packet to print.")
	case r.Basis != discern.BasisConsent:
		return nil, discern.Errorf(discern.KindConflict, "This referral was made under a legal exception, not the person's consent; its packet is shown in Discern only.")
	}
	all, err := s.db.FindConsents(ctx, r.OrgID, r.PersonID)
	if err != nil {
		return nil, err
	}
	basis, lang := consentBasis(all, r.Consents)
	if basis.ID == "" {
		return nil, discern.Errorf(discern.KindConflict, "The consent this referral rests on is not on record.")
	}
	if lang == "" {
		lang = s.screeningLanguage(ctx, r.OrgID, r.PersonID)
	}
	pk := v.Packet
	if pk == nil {
		pk = &Packet{}
	}
	// Never nil: nil would mean "everything the consent covers".
	released := make([]discern.DataClass, 0, len(v.Shown))
	released = append(released, v.Shown...)
	to := documents.Recipient{Organization: v.RecipientName}
	if r.Recipient.Kind == discern.RecipientService {
		to = documents.Recipient{Service: v.RecipientName}
	}
	doc := &documents.ReferralPacket{Language: lang, Date: s.now(), Reference: r.ID,
		From: documents.Sender{Organization: s.orgName(ctx, r.OrgID), Worker: s.userName(ctx, r.OrgID, r.CreatedBy)},
		To:   to, Needs: pk.Needs, Consent: basis, Released: released, Sections: s.packetSections(lang, pk),
		ContactSafety: pk.ContactSafety.Rules()}
	var buf bytes.Buffer
	if err := documents.WriteReferralPacket(&buf, doc); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if v.Side == discern.SideRecipient {
			return s.appendBoth(ctx, tx, a, r, "referral.packet_pdf", released)
		}
		_, err := s.log.Append(ctx, tx, entry(a, "referral.packet_pdf", "referral", r.ID, released...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// consentBasis describes the consent versions a referral rests on, and the
// language the person gave the first of them in.
func consentBasis(all []*discern.Consent, refs []discern.ConsentRef) (documents.ConsentBasis, string) {
	var b documents.ConsentBasis
	var ids []string
	lang := ""
	for _, ref := range refs {
		for _, c := range all {
			if c.ID != ref.ID || c.Version != ref.Version {
				continue
			}
			if b.ID == "" {
				b = documents.ConsentBasis{ID: c.ID, Version: c.Version, Method: c.Method, GivenAt: c.ValidFrom, ValidUntil: c.ValidUntil}
			}
			ids = append(ids, c.ID)
			if lang == "" {
				lang = c.Language
			}
			for _, x := range c.Classes {
				if !slices.Contains(b.Classes, x) {
					b.Classes = append(b.Classes, x)
				}
			}
			for _, p := range c.Purposes {
				if !slices.Contains(b.Purposes, p) {
					b.Purposes = append(b.Purposes, p)
				}
			}
		}
	}
	if len(ids) > 1 {
		// Several consents together: name them all, without one version.
		b.ID, b.Version = strings.Join(ids, ", "), 0
	}
	return b, lang
}

// packetSections maps a packet's fields to the documents' sections, each
// under its data class; the renderer prints only the released ones.
func (s *Service) packetSections(lang string, pk *Packet) []documents.Section {
	l := func(key string, args ...any) string { return documents.Label(lang, "packet."+key, args...) }
	c := func(key string) string { return s.engine.Bundle().Text(contentLang(lang), key) }
	var out []documents.Section
	add := func(class discern.DataClass, fields ...documents.Field) {
		var kept []documents.Field
		for _, f := range fields {
			if strings.TrimSpace(f.Value) != "" {
				kept = append(kept, f)
			}
		}
		if len(kept) == 0 {
			return
		}
		for i := range out {
			if out[i].Class == class {
				out[i].Fields = append(out[i].Fields, kept...)
				return
			}
		}
		out = append(out, documents.Section{Class: class, Fields: kept})
	}
	caseFields := []documents.Field{{Label: l("case_code"), Value: pk.CaseCode}}
	if pk.AgeStatus != "" {
		caseFields = append(caseFields, documents.Field{Label: l("age"), Value: c(ageKey(pk.AgeStatus))})
	}
	for _, j := range pk.Screening {
		name := c("jurisdiction." + j.Jurisdiction)
		det := strings.ReplaceAll(c("determination."+j.Determination), "{jurisdiction}", name)
		if j.Situation != "" {
			det += "\n" + l("situation") + ": " + c("situation."+j.Situation)
		}
		caseFields = append(caseFields, documents.Field{Label: l("screening", "jurisdiction", name), Value: det})
	}
	add(discern.ClassCase, caseFields...)
	add(discern.ClassIdentity, documents.Field{Label: l("name"), Value: pk.Name},
		documents.Field{Label: l("birth_date"), Value: pk.BirthDate}, documents.Field{Label: l("age_estimate"), Value: pk.AgeEstimate})
	add(discern.ClassContact, documents.Field{Label: l("contact"), Value: pk.Contact})
	add(discern.ClassNarrative, documents.Field{Label: l("message"), Value: pk.Message})
	for _, n := range pk.Notes {
		add(n.Class, documents.Field{Label: l("note", "date", n.At.Format("2006-01-02")), Value: n.Body})
	}
	return out
}

func ageKey(status string) string {
	switch status {
	case "adult":
		return "report.age_adult"
	case "minor":
		return "report.age_minor"
	}
	return "report.age_unknown"
}

// contentLang is the content locale for a BCP 47 tag: its base language.
func contentLang(tag string) string {
	base, _, _ := strings.Cut(tag, "-")
	if base == "" {
		return "en"
	}
	return strings.ToLower(base)
}

// screeningLanguage is the language of the person's newest complete
// screening, or "" (English).
func (s *Service) screeningLanguage(ctx context.Context, orgID, personID string) string {
	st := discern.ScreeningComplete
	list, _, err := s.db.FindScreenings(ctx, discern.ScreeningFilter{OrgID: orgID, PersonID: &personID, Status: &st, Page: discern.Page{Limit: 1}})
	if err != nil || len(list) == 0 {
		return ""
	}
	return list[0].Language
}

func (s *Service) userName(ctx context.Context, orgID, id string) string {
	if u, err := s.db.FindUserByID(ctx, orgID, id); err == nil {
		return u.DisplayName
	}
	return ""
}

// DocumentRequest names who a screening document is for and what it may
// hold.
type DocumentRequest struct {
	RecipientKind discern.RecipientKind
	RecipientID   string
	Classes       []discern.DataClass
}

// ScreeningSummaryPDF renders a screening's summary for a recipient. The
// person's consent for that recipient, with the purpose documents, must
// cover every class asked for (case among them: the result is case
// information); otherwise nothing is made and the refusal is audited.
// Answers of the other classes are left out, with what rests only on them.
func (s *Service) ScreeningSummaryPDF(ctx context.Context, a Actor, screeningID string, in DocumentRequest) ([]byte, error) {
	const action = "document.screening_summary"
	sc, p, classes, err := s.documentScope(ctx, a, screeningID, in.Classes)
	if err != nil {
		return nil, err
	}
	rcpt, _, err := s.findRecipient(in.RecipientKind, in.RecipientID)
	if err != nil {
		return nil, err
	}
	dec, err := s.checkDisclosure(ctx, a, a.OrgID, p.ID, action, discern.Disclosure{Recipient: rcpt,
		Purpose: discern.PurposeDocuments, Classes: classes})
	if err != nil {
		return nil, err
	}
	ev, res, err := s.evaluateStored(ctx, sc)
	if err != nil {
		return nil, err
	}
	doc := &documents.ScreeningSummary{Language: s.documentLanguage(ctx, a.OrgID, p.ID, dec, sc), Date: s.now(), Reference: sc.ID,
		PreparedBy: documents.Sender{Organization: s.orgName(ctx, a.OrgID), Worker: s.userName(ctx, a.OrgID, a.UserID)},
		Screening:  s.documentScreening(sc, ev, res, classes)}
	var buf bytes.Buffer
	if err := documents.WriteScreeningSummary(&buf, doc); err != nil {
		return nil, err
	}
	if err := s.auditDocument(ctx, a, action, sc.ID, p.ID, classes); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LetterRequest is a non-punishment summary letter asked for.
type LetterRequest struct {
	RecipientKind discern.RecipientKind
	RecipientID   string
	To, From      documents.Party
	Matter        string
	// NamePerson puts the person's name in the letter: the consent must
	// then cover identity too.
	NamePerson bool
}

// letterClasses are what a letter always holds: the result and the
// criminal-justice answers it rests on.
var letterClasses = []discern.DataClass{discern.ClassCase, discern.ClassCriminalJustice}

// NonPunishmentLetterPDF renders a non-punishment summary letter for
// defence counsel or a prosecutor. It needs a result that raises a
// non-punishment alert and the person's consent, with the purpose
// legal_support, for the letter's recipient, covering case and
// criminal_justice (and identity when the letter names the person). A
// refusal is audited.
func (s *Service) NonPunishmentLetterPDF(ctx context.Context, a Actor, screeningID string, in LetterRequest) ([]byte, error) {
	const action = "document.letter"
	classes := slices.Clone(letterClasses)
	if in.NamePerson {
		classes = append(classes, discern.ClassIdentity)
	}
	sc, p, classes, err := s.documentScope(ctx, a, screeningID, classes)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(in.To.Name) == "" && strings.TrimSpace(in.To.Organization) == "":
		return nil, discern.Invalid("to", "Name who the letter is for.")
	case strings.TrimSpace(in.From.Name) == "":
		return nil, discern.Invalid("from", "Name who writes the letter.")
	}
	rcpt, _, err := s.findRecipient(in.RecipientKind, in.RecipientID)
	if err != nil {
		return nil, err
	}
	ev, res, err := s.evaluateStored(ctx, sc)
	if err != nil {
		return nil, err
	}
	provisions, err := documents.NonPunishmentAlerts()
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(res.Alerts, func(al screening.Alert) bool { return slices.Contains(provisions, al.ID) }) {
		s.refused(ctx, a, a.OrgID, action+".no_provision", "screening", sc.ID)
		return nil, discern.Errorf(discern.KindConflict, "This screening's result raises no non-punishment alert, so there is no non-punishment letter to write.")
	}
	dec, err := s.checkDisclosure(ctx, a, a.OrgID, p.ID, action, discern.Disclosure{Recipient: rcpt,
		Purpose: discern.PurposeLegalSupport, Classes: classes})
	if err != nil {
		return nil, err
	}
	name := ""
	if in.NamePerson {
		if name, err = s.openText(ctx, personSubject(p.ID), "people", "name", p.ID, p.Name); err != nil {
			return nil, err
		}
	}
	doc := &documents.NonPunishmentLetter{Language: s.documentLanguage(ctx, a.OrgID, p.ID, dec, sc), Date: s.now(), Reference: sc.ID,
		To: in.To, From: in.From, Matter: in.Matter, PersonName: name, Screening: s.documentScreening(sc, ev, res, classes)}
	var buf bytes.Buffer
	if err := documents.WriteNonPunishmentLetter(&buf, doc); err != nil {
		return nil, err
	}
	if err := s.auditDocument(ctx, a, action, sc.ID, p.ID, classes); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// documentScope finds a complete screening of a person the caller may make
// documents about, with the classes asked for (sorted, checked).
func (s *Service) documentScope(ctx context.Context, a Actor, screeningID string, classes []discern.DataClass) (*discern.Screening, *discern.Person, []discern.DataClass, error) {
	sc, err := s.db.FindScreeningByID(ctx, a.OrgID, screeningID)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range classes {
		if !c.Valid() {
			return nil, nil, nil, discern.Invalid("classes", "%q is not a known kind of information.", c)
		}
	}
	classes = sortedClasses(classes)
	if !slices.Contains(classes, discern.ClassCase) {
		return nil, nil, nil, discern.Invalid("classes", "A screening document holds its result, which is case information: include case.")
	}
	if sc.PersonID == "" {
		if _, err := decide(a, auth.DocumentsCreate, record(a, sc.OrgID, sc.ScreenerID, "", "", classes...)); err != nil {
			s.denied(ctx, a, string(auth.DocumentsCreate), "screening", sc.ID)
			return nil, nil, nil, err
		}
		return nil, nil, nil, discern.Errorf(discern.KindConflict, "This screening is not linked to a person, so there is no consent to share it; link it to the person first.")
	}
	p, _, err := s.personScope(ctx, a, sc.PersonID, auth.DocumentsCreate, classes...)
	if err != nil {
		return nil, nil, nil, err
	}
	if sc.Status != discern.ScreeningComplete {
		return nil, nil, nil, discern.Errorf(discern.KindConflict, "This screening is a draft; complete it before making a document of it.")
	}
	return sc, p, classes, nil
}

// evaluateStored opens a screening's answers and evaluates them: the engine
// is deterministic, so this is the recorded result with its full detail.
func (s *Service) evaluateStored(ctx context.Context, sc *discern.Screening) (*screening.Evidence, *screening.Result, error) {
	ev := &screening.Evidence{}
	if err := s.openJSON(ctx, "answers", sc.ID, sc.Answers, ev); err != nil {
		if errors.Is(err, discern.ErrKeyDestroyed) {
			return nil, nil, discern.Errorf(discern.KindConflict, "The person's record was erased; there is nothing to put in a document.")
		}
		return nil, nil, err
	}
	res, err := s.engine.Evaluate(ev)
	if err != nil {
		return nil, nil, err
	}
	return ev, res, nil
}

func (s *Service) documentScreening(sc *discern.Screening, ev *screening.Evidence, res *screening.Result, classes []discern.DataClass) documents.Screening {
	d := documents.Screening{Bundle: s.engine.Bundle(), Result: res, Evidence: ev, Released: classes}
	if sc.CompletedAt != nil {
		d.AssessedAt = *sc.CompletedAt
	}
	return d
}

// documentLanguage is the person's language: the one they gave the
// consent in, else the screening's, else English.
func (s *Service) documentLanguage(ctx context.Context, orgID, personID string, dec discern.ConsentDecision, sc *discern.Screening) string {
	if all, err := s.db.FindConsents(ctx, orgID, personID); err == nil {
		for _, ref := range dec.Basis {
			for _, c := range all {
				if c.ID == ref.ID && c.Version == ref.Version && c.Language != "" {
					return c.Language
				}
			}
		}
	}
	return sc.Language
}

// auditDocument records a document made, as a disclosure of the person's
// classes, against the screening and the person.
func (s *Service) auditDocument(ctx context.Context, a Actor, action, screeningID, personID string, classes []discern.DataClass) error {
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if _, err := s.log.Append(ctx, tx, entry(a, action, "screening", screeningID, classes...)); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, entry(a, action, "person", personID, classes...))
		return err
	})
}
