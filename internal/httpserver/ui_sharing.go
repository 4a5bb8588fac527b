package httpserver

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/directory"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/web"
)

// The consent and referral pages. The casework service decides and
// audits; a refusal it explains (no consent, a stale version) is shown on
// the page, with what was typed kept.

const maxRecipientChoices = 500

func recipientChoices(d *deps) []web.RecipientChoice {
	var out []web.RecipientChoice
	for _, o := range d.casework.RecipientOptions(maxRecipientChoices) {
		out = append(out, web.RecipientChoice{Value: web.RecipientValue(o.Recipient.Kind, o.Recipient.ID), Label: o.Name,
			Service: o.Recipient.Kind == discern.RecipientService})
	}
	return out
}

func needCodes() []string {
	var out []string
	for _, n := range directory.NeedNames() {
		out = append(out, string(n))
	}
	return out
}

// shownRefusal is the message of a refusal the page should show in place
// (invalid input the form could not catch, a consent refusal, a conflict);
// anything else is an error page.
func shownRefusal(err error) (string, bool) {
	var de *discern.Error
	if !errors.As(err, &de) {
		return "", false
	}
	switch de.Kind {
	case discern.KindInvalid, discern.KindConflict:
		return de.Message, true
	case discern.KindForbidden:
		if de.Field == "consent" {
			return de.Message, true
		}
	}
	return "", false
}

// uiConsentForm is GET /people/{id}/consents/new.
func uiConsentForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		pv, err := d.casework.GetPerson(ctx, actorOf(ctx), r.PathValue("id"))
		if err != nil {
			return err
		}
		f := web.ConsentForm{Recipient: r.URL.Query().Get("recipient"), Method: discern.ConsentVerbal,
			Classes: []discern.DataClass{discern.ClassCase}, Purposes: []discern.ConsentPurpose{discern.PurposeReferral}}
		rendered(d, r, d.web.ConsentForm(w, web.ConsentFormPage{Page: pageOf(d, r), Person: pv, Form: f, Recipients: recipientChoices(d)}))
		return nil
	})
}

// uiConsentCreate is POST /people/{id}/consents/new.
func uiConsentCreate(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		a := actorOf(ctx)
		id := r.PathValue("id")
		pv, err := d.casework.GetPerson(ctx, a, id)
		if err != nil {
			return err
		}
		f, in, problems := web.ParseConsentForm(r.PostForm, d.now())
		again := func(refusal string) error {
			rendered(d, r, d.web.ConsentForm(w, web.ConsentFormPage{Page: pageOf(d, r), Person: pv, Form: f, Problems: problems,
				Recipients: recipientChoices(d), Refusal: refusal}))
			return nil
		}
		if len(problems) > 0 {
			return again("")
		}
		if _, err := d.casework.RecordConsent(ctx, a, id, in); err != nil {
			if msg, ok := shownRefusal(err); ok {
				return again(msg)
			}
			return err
		}
		return seeOther(w, r, web.URL(web.PathPerson, id)+"#sharing")
	})
}

// uiConsentRevoke is POST /people/{id}/consents/revoke.
func uiConsentRevoke(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		id := r.PathValue("id")
		version, err := strconv.Atoi(r.PostForm.Get("version"))
		if err != nil || version < 1 {
			return discern.Invalid("version", "The form is missing the consent's version; reload the page.")
		}
		if _, err := d.casework.RevokeConsent(ctx, actorOf(ctx), id, r.PostForm.Get("consent"), version); err != nil {
			return err
		}
		return seeOther(w, r, web.URL(web.PathPerson, id)+"#sharing")
	})
}

// uiReferralForm is GET /people/{id}/referrals/new.
func uiReferralForm(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		pv, err := d.casework.GetPerson(ctx, actorOf(ctx), r.PathValue("id"))
		if err != nil {
			return err
		}
		q := r.URL.Query()
		f := web.ReferralForm{Recipient: q.Get("recipient"), Needs: q["need"], Classes: []discern.DataClass{discern.ClassCase}}
		rendered(d, r, d.web.ReferralNew(w, web.ReferralNewPage{Page: pageOf(d, r), Person: pv, Form: f,
			Recipients: recipientChoices(d), Needs: needCodes()}))
		return nil
	})
}

// uiReferralPost is POST /people/{id}/referrals/new: step preview shows
// what the referral would share and its consequences, edit goes back to
// the form, send makes it.
func uiReferralPost(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		a := actorOf(ctx)
		id := r.PathValue("id")
		pv, err := d.casework.GetPerson(ctx, a, id)
		if err != nil {
			return err
		}
		step := r.PostForm.Get("step")
		needs := needCodes()
		f, in, problems := web.ParseReferralForm(r.PostForm, needs, step == "send")
		in.PersonID = id
		p := web.ReferralNewPage{Page: pageOf(d, r), Person: pv, Form: f, Recipients: recipientChoices(d), Needs: needs}
		show := func() error { rendered(d, r, d.web.ReferralNew(w, p)); return nil }
		if step == "edit" || step == "" {
			return show()
		}
		if step == "send" && len(problems) == 0 {
			v, err := d.casework.CreateReferral(ctx, a, in)
			if err == nil {
				return seeOther(w, r, web.URL(web.PathReferral, v.ID))
			}
			msg, ok := shownRefusal(err)
			if !ok {
				return err
			}
			p.Refusal = msg
		}
		// The preview, to show it or show it again: what consent covers
		// without any exception.
		p.Problems = problems
		if len(problems) == 0 || step == "send" {
			previewIn := in
			previewIn.ExceptionID, previewIn.ExceptionReason = "", ""
			preview, err := d.casework.PreviewReferral(ctx, a, previewIn)
			if err != nil {
				msg, ok := shownRefusal(err)
				if !ok {
					return err
				}
				if p.Refusal == "" {
					p.Refusal = msg
				}
			}
			p.Preview = preview
		}
		return show()
	})
}

// uiReferral is GET /referrals/{id}: the sender's or the recipient's view.
func uiReferral(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		return renderReferral(d, w, r, "", 0)
	})
}

func renderReferral(d *deps, w http.ResponseWriter, r *http.Request, refusal string, status int) error {
	ctx := r.Context()
	a := actorOf(ctx)
	p := web.ReferralPage{Page: pageOf(d, r), Outcomes: discern.ReferralOutcomes, Moved: r.URL.Query().Get("moved") == "1",
		Refusal: refusal, Status: status}
	v, err := d.casework.GetReferral(ctx, a, r.PathValue("id"))
	if err != nil {
		msg, ok := shownRefusal(err)
		if !ok {
			return err
		}
		p.Refusal = msg
	}
	p.Referral = v
	if v != nil && v.ExceptionID != "" && v.Side == discern.SideSender {
		if o, err := d.accounts.FindOrganization(ctx, requestID(ctx), a.Principal, a.OrgID); err == nil {
			if ex, ok := o.Settings.Exception(v.ExceptionID); ok {
				p.Exception = &ex
			}
		}
	}
	rendered(d, r, d.web.Referral(w, p))
	return nil
}

// uiReferralMove is POST /referrals/{id}/move.
func uiReferralMove(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(r); err != nil {
			return err
		}
		ctx := r.Context()
		id := r.PathValue("id")
		_, err := d.casework.MoveReferral(ctx, actorOf(ctx), id, casework.ReferralMoveInput{
			To: discern.ReferralState(r.PostForm.Get("to")), Outcome: discern.ReferralOutcome(r.PostForm.Get("outcome")),
			Reason: r.PostForm.Get("reason")})
		if err != nil {
			if msg, ok := shownRefusal(err); ok {
				return renderReferral(d, w, r, msg, http.StatusUnprocessableEntity)
			}
			return err
		}
		return seeOther(w, r, web.URL(web.PathReferral, id)+"?moved=1")
	})
}

// uiInbox is GET /referrals: referrals sent to the organization.
func uiInbox(d *deps) http.Handler {
	return page(d, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		list, err := d.casework.Inbox(ctx, actorOf(ctx))
		if err != nil {
			return err
		}
		rendered(d, r, d.web.Inbox(w, web.InboxPage{Page: pageOf(d, r), Referrals: list}))
		return nil
	})
}

// sharingOf fills the person page's consent and referral section with
// what the caller may see.
func sharingOf(d *deps, r *http.Request, p *web.PersonPage) error {
	ctx := r.Context()
	a := actorOf(ctx)
	var err error
	if p.Consents, err = d.casework.ListConsents(ctx, a, p.Person.ID); err != nil && !refused(err) {
		return err
	}
	if p.Referrals, err = d.casework.ListReferrals(ctx, a, p.Person.ID); err != nil && !refused(err) {
		return err
	}
	p.CanManageConsent = allowed(a.Principal, auth.ConsentsManage) && !p.Person.Erased
	p.CanRefer = allowed(a.Principal, auth.ReferralsCreate) && !p.Person.Erased
	return nil
}
