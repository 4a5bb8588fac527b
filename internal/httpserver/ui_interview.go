package httpserver

import (
	"context"
	"github.com/discern-org/discern/internal/documents"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/web"
)

// The interview: start a screening, answer it one section at a time (each
// step saved to the draft as it is sent, and in the background by htmx as
// answers change), the follow-up questions the engine ranks, and the
// result. A draft is the stored screening itself, so a session that
// expires or a connection that drops loses nothing that reached the
// server: the interview resumes where the answers stop.

// suggestions are the jurisdictions the start form marks: the
// organization's own list when it has one, otherwise those its country
// suggests; and the language interviews start in.
func suggestions(ctx context.Context, d *deps) (jurisdictions []string, lang string) {
	p := principalOf(ctx)
	b := d.web.Bundle()
	o, err := d.accounts.FindOrganization(ctx, requestID(ctx), p, p.OrgID)
	if err != nil {
		// A role that may not read the organization still screens; the
		// Palermo Protocol applies everywhere.
		return web.SuggestJurisdictions(b, "", ""), ""
	}
	if len(o.Settings.Jurisdictions) > 0 {
		return o.Settings.Jurisdictions, o.Settings.DefaultLanguage
	}
	return web.SuggestJurisdictions(b, o.Country, o.Region), o.Settings.DefaultLanguage
}

// uiStartForm is GET /screenings/new[?person=id].
func uiStartForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		pg := pageOf(d, r)
		sug, lang := suggestions(ctx, d)
		if lang == "" || d.web.Bundle().Locale(lang) == nil {
			lang = pg.Lang
		}
		p := web.InterviewStartPage{Page: pg, Suggested: sug,
			Form: web.StartForm{Language: lang, Instrument: "short", Jurisdictions: sug}}
		if id := r.URL.Query().Get("person"); id != "" {
			pv, err := d.casework.GetPerson(ctx, actorOf(ctx), id)
			if err != nil {
				return err
			}
			p.Person, p.Form.PersonID = pv, pv.ID
		}
		return d.web.InterviewStart(w, p)
	})
}

// uiStart is POST /screenings/new: records the draft and opens its first
// step.
func uiStart(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		a := actorOf(ctx)
		f, problems := web.ParseStartForm(d.web.Bundle(), r.PostForm)
		var person *casework.PersonView
		if f.PersonID != "" {
			pv, err := d.casework.GetPerson(ctx, a, f.PersonID)
			if err != nil {
				return err
			}
			person = pv
		}
		if len(problems) > 0 {
			sug, _ := suggestions(ctx, d)
			rendered(d, r, d.web.InterviewStart(w, web.InterviewStartPage{Page: pageOf(d, r), Person: person,
				Form: f, Problems: problems, Suggested: sug}))
			return nil
		}
		sv, err := d.casework.CreateScreening(ctx, a, casework.ScreeningInput{PersonID: f.PersonID, Evidence: f.Evidence()})
		if err != nil {
			return err
		}
		return seeOther(w, r, web.URL(web.PathInterview, sv.ID)+"?step=0")
	})
}

// caseCodeOf is the case code of a screening's person, empty for an
// anonymous screening or one whose person the user may not read.
func caseCodeOf(ctx context.Context, d *deps, personID string) string {
	if personID == "" {
		return ""
	}
	a := actorOf(ctx)
	// Listing by id would need a filter the service does not have; the
	// case-code map is what every list page uses too.
	return caseCodes(ctx, d.casework, a)[personID]
}

// editableDraft fetches a screening for the interview: a draft the user
// may change, whose answers the user may all see (a draft shown redacted
// and saved back would lose the answers withheld).
func editableDraft(ctx context.Context, d *deps, id string) (*casework.ScreeningView, error) {
	sv, err := d.casework.GetScreening(ctx, actorOf(ctx), id)
	if err != nil {
		return nil, err
	}
	if sv.Status != discern.ScreeningDraft {
		return sv, nil
	}
	if len(sv.Redacted) > 0 || sv.Erased || sv.Evidence == nil {
		return nil, discern.Errorf(discern.KindForbidden, "Some answers of this draft are withheld from your role; ask its screener to continue it.")
	}
	return sv, nil
}

// uiInterview is GET /screenings/{id}/interview[?step=N|followups].
// Without a step it resumes the draft where its answers stop.
func uiInterview(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id := r.PathValue("id")
		sv, err := editableDraft(ctx, d, id)
		if err != nil {
			return err
		}
		if sv.Status != discern.ScreeningDraft {
			return seeOther(w, r, web.URL(web.PathScreening, id))
		}
		q := r.URL.Query()
		step, fu, ok := web.ParseStep(q.Get("step"))
		restored := false
		if !ok {
			step, fu = resumeAt(d, sv.Evidence)
			restored = len(sv.Evidence.Answers) > 0
		}
		p := web.InterviewPage{Page: pageOf(d, r), ScreeningID: id, CaseCode: caseCodeOf(ctx, d, sv.PersonID),
			Evidence: sv.Evidence, Step: step, Restored: restored, SavedAt: sv.UpdatedAt}
		if fu {
			p.FollowupStep, p.Followups = true, followupsOf(sv)
		}
		return d.web.Interview(w, p)
	})
}

// followupsOf is the engine's ranked follow-up questions for the draft.
func followupsOf(sv *casework.ScreeningView) []screening.Followup {
	if sv.Result == nil {
		return nil
	}
	return sv.Result.Followups
}

// resumeAt finds where a draft resumes.
func resumeAt(d *deps, ev *screening.Evidence) (step int, followups bool) {
	in := d.web.Bundle().Instrument(ev.Instrument)
	if in == nil {
		return 0, false
	}
	last := -1
	for i, s := range in.Sections {
		for _, q := range s.Questions {
			if _, ok := ev.Answer(q); ok {
				last = i
			}
		}
	}
	if last < 0 {
		return 0, false
	}
	for _, q := range in.Sections[last].Questions {
		if _, ok := ev.Answer(q); !ok {
			return last, false
		}
	}
	if last+1 >= len(in.Sections) {
		return 0, true
	}
	return last + 1, false
}

// uiInterviewSave is POST /screenings/{id}/interview: saves the step's
// answers (every valid one, even when others have problems), then goes
// where the button said; problems show the step again with every value
// as it was typed.
func uiInterviewSave(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		id := r.PathValue("id")
		sv, err := editableDraft(ctx, d, id)
		if err != nil {
			return err
		}
		if sv.Status != discern.ScreeningDraft {
			// Sent again after finishing (a second tab, the back button):
			// nothing to save, the result is there.
			return seeOther(w, r, web.URL(web.PathScreening, id))
		}
		b := d.web.Bundle()
		ev := sv.Evidence
		step, fu, ok := web.ParseStep(r.PostForm.Get("step"))
		if !ok {
			return discern.Invalid("step", "The interview step is not one of this form's.")
		}
		var fus []screening.Followup
		shown := web.SectionQuestions(b, ev.Instrument, step)
		if fu {
			fus = followupsOf(sv)
			shown = web.FollowupQuestions(fus)
		}
		answers, problems := web.ParseInterviewForm(b, shown, r.PostForm)
		for _, a := range answers {
			ev.Set(a)
		}
		if ql, ok := web.ParseQuestionLanguage(b, r.PostForm); ok {
			ev.Language = ql
		}
		nav := web.ParseNav(r.PostForm)
		pg := pageOf(d, r)
		if nav == web.NavLanguage {
			if l := r.PostForm.Get("lang"); validLang(d, l) {
				setLang(w, l)
				pg.Lang = l
			}
		}
		complete := len(problems) == 0 && (nav == web.NavFinish || (fu && nav == web.NavNext))
		updated, err := d.casework.UpdateScreening(ctx, actorOf(ctx), id, casework.ScreeningPatch{Evidence: ev, Complete: complete})
		if err != nil {
			return err
		}
		if nav == web.NavAutosave {
			rendered(d, r, d.web.AutosaveStatus(w, pg.Lang, updated.UpdatedAt, problems))
			return nil
		}
		if len(problems) > 0 {
			p := web.InterviewPage{Page: pg, ScreeningID: id, CaseCode: caseCodeOf(ctx, d, sv.PersonID), Evidence: ev,
				Step: step, FollowupStep: fu, Followups: fus, Form: r.PostForm, Problems: problems, SavedAt: updated.UpdatedAt}
			rendered(d, r, d.web.Interview(w, p))
			return nil
		}
		base := web.URL(web.PathInterview, id)
		sections := 0
		if in := b.Instrument(ev.Instrument); in != nil {
			sections = len(in.Sections)
		}
		var next string
		switch {
		case complete:
			next = web.URL(web.PathScreening, id)
		case nav == web.NavLanguage && fu:
			next = base + "?step=followups"
		case nav == web.NavLanguage:
			next = base + "?step=" + strconv.Itoa(step)
		case nav == web.NavSave:
			next = "/"
		case nav == web.NavPrev && fu:
			next = base + "?step=" + strconv.Itoa(max(0, sections-1))
		case nav == web.NavPrev:
			next = base + "?step=" + strconv.Itoa(max(0, step-1))
		case fu:
			next = base + "?step=followups"
		case step+1 >= sections:
			next = base + "?step=followups"
		default:
			next = base + "?step=" + strconv.Itoa(step+1)
		}
		return seeOther(w, r, next)
	})
}

// uiScreening is GET /screenings/{id}[?print=1]: the result (for a draft,
// the preliminary one, with the way back to the questions).
func uiScreening(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		a := actorOf(ctx)
		sv, err := d.casework.GetScreening(ctx, a, r.PathValue("id"))
		if err != nil {
			return err
		}
		pg := pageOf(d, r)
		res := sv.Result
		if res != nil && sv.Evidence != nil && len(sv.Redacted) == 0 && res.Language != pg.Lang {
			// The result's words follow the reader's language; the engine
			// is deterministic, so this is the same result in other words.
			ev := *sv.Evidence
			ev.Language = pg.Lang
			if again, err := d.engine.Evaluate(&ev); err == nil {
				res = again
			}
		}
		rp := web.ResultPage{Page: pg, ScreeningID: sv.ID, CaseCode: caseCodeOf(ctx, d, sv.PersonID),
			PersonID: sv.PersonID, Status: sv.Status, CompletedAt: sv.CompletedAt, Result: res, Redacted: sv.Redacted,
			Print: r.URL.Query().Get("print") == "1", CanContinue: sv.Status == discern.ScreeningDraft && len(sv.Redacted) == 0}
		if sv.Status == discern.ScreeningComplete && sv.PersonID != "" {
			rp.Documents = documentRecipients(ctx, d, a, sv.PersonID, discern.PurposeDocuments)
			rp.DocumentsURL = "/api/v1/screenings/" + url.PathEscape(sv.ID) + "/summary.pdf"
			if res != nil && slices.ContainsFunc(res.Alerts, func(al screening.Alert) bool { return al.ID == "non_punishment" }) {
				rp.LetterRecipients = documentRecipients(ctx, d, a, sv.PersonID, discern.PurposeLegalSupport)
			}
		}
		trackedPathways(ctx, d, a, sv, &rp)
		return d.web.Result(w, rp)
	})
}

// documentRecipients lists the recipients of the person's active consents
// with the purpose documents that cover case information, for the result
// page's "Documents for a recipient" form. Someone who may not make
// documents, or read consents, gets none.
func documentRecipients(ctx context.Context, d *deps, a casework.Actor, personID string, purpose discern.ConsentPurpose) []web.DocumentRecipient {
	if !auth.Decide(a.Principal, auth.DocumentsCreate, auth.Resource{OrgID: a.OrgID, OwnerID: a.UserID, Classes: auth.Classes(discern.ClassCase)}).Allowed {
		return nil
	}
	consents, err := d.casework.ListConsents(ctx, a, personID)
	if err != nil {
		return nil
	}
	var out []web.DocumentRecipient
	for _, c := range consents {
		if c.State == discern.ConsentActive && slices.Contains(c.Purposes, purpose) && slices.Contains(c.Classes, discern.ClassCase) {
			out = append(out, web.DocumentRecipient{Kind: string(c.Recipient.Kind), ID: c.Recipient.ID, Name: c.RecipientName, Classes: c.Classes})
		}
	}
	return out
}

// uiLetter is POST /screenings/{id}/letter: the non-punishment summary
// letter as a PDF, for a recipient the person agreed to (purpose
// legal_support). A refusal is an error page saying why.
func uiLetter(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		f := r.PostForm
		kind, id, ok := web.SplitRecipient(f.Get("recipient"))
		if !ok {
			return discern.Invalid("recipient", "Choose who the letter is for.")
		}
		pdf, err := d.casework.NonPunishmentLetterPDF(ctx, actorOf(ctx), r.PathValue("id"), casework.LetterRequest{
			RecipientKind: kind, RecipientID: id,
			To:     documents.Party{Name: f.Get("to_name"), Role: f.Get("to_role"), Organization: f.Get("to_org")},
			From:   documents.Party{Name: f.Get("from_name"), Role: f.Get("from_role"), Organization: f.Get("from_org")},
			Matter: f.Get("matter"), NamePerson: f.Get("name_person") == "yes"})
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="non-punishment-letter.pdf"`)
		_, err = w.Write(pdf)
		return err
	})
}
