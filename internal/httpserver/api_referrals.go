package httpserver

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
)

// The consent and referral endpoints. The casework service checks the
// person's consent at every disclosure; these handlers only translate.

type consentBody struct {
	ID            string     `json:"id"`
	Version       int        `json:"version" doc:"Give this version back when changing or revoking, so that two changes cannot both win."`
	RecipientKind string     `json:"recipient_kind" enum:"organization,service"`
	RecipientID   string     `json:"recipient_id" doc:"The HSDS id of the organization or service in the directory."`
	RecipientName string     `json:"recipient_name"`
	Classes       []string   `json:"classes"`
	Purposes      []string   `json:"purposes"`
	Method        string     `json:"method"`
	RecordedBy    string     `json:"recorded_by"`
	Language      string     `json:"language,omitempty"`
	ValidFrom     time.Time  `json:"valid_from"`
	ValidUntil    *time.Time `json:"valid_until,omitempty"`
	RevokedAt     *time.Time `json:"revoked_at,omitempty"`
	State         string     `json:"state" enum:"active,not_yet_valid,expired,revoked"`
	Versions      int        `json:"versions"`
}

func consentOf(v *casework.ConsentView) consentBody {
	return consentBody{ID: v.ID, Version: v.Version, RecipientKind: string(v.Recipient.Kind), RecipientID: v.Recipient.ID,
		RecipientName: v.RecipientName, Classes: codeNames(v.Classes), Purposes: codeNames(v.Purposes), Method: string(v.Method),
		RecordedBy: v.RecordedBy, Language: v.Language, ValidFrom: v.ValidFrom, ValidUntil: v.ValidUntil, RevokedAt: v.RevokedAt,
		State: string(v.State), Versions: v.Versions}
}

// codeNames spells a list of codes (data classes, purposes, states) as
// strings for a response.
func codeNames[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func codes[T ~string](xs []string) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

type consentRequest struct {
	RecipientKind string     `json:"recipient_kind" enum:"organization,service"`
	RecipientID   string     `json:"recipient_id" maxLength:"200"`
	Classes       []string   `json:"classes" maxItems:"7" doc:"case, identity, contact, narrative, health, immigration, criminal_justice"`
	Purposes      []string   `json:"purposes" maxItems:"5" doc:"referral, coordination, documents, export, legal_support"`
	Method        string     `json:"method" enum:"verbal_recorded,written,signed_on_screen"`
	Language      string     `json:"language,omitempty" maxLength:"35"`
	ValidFrom     *time.Time `json:"valid_from,omitempty" doc:"Default: now."`
	ValidUntil    *time.Time `json:"valid_until,omitempty" doc:"Leave out for 'until revoked'."`
}

func (r consentRequest) input() casework.ConsentInput {
	return casework.ConsentInput{RecipientKind: discern.RecipientKind(r.RecipientKind), RecipientID: r.RecipientID,
		Classes: codes[discern.DataClass](r.Classes), Purposes: codes[discern.ConsentPurpose](r.Purposes),
		Method: discern.ConsentMethod(r.Method), Language: r.Language, ValidFrom: r.ValidFrom, ValidUntil: r.ValidUntil}
}

type consentOutput struct{ Body consentBody }

// ConsentPath names one consent of a person.
type ConsentPath struct {
	PersonPath
	ConsentID string `path:"consent_id" maxLength:"26"`
}

func listConsents(svc *casework.Service) func(huma.API, huma.Operation) {
	type output struct{ Body []consentBody }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *PersonPath) (*output, error) {
			vs, err := svc.ListConsents(ctx, actorOf(ctx), in.PersonID)
			if err != nil {
				return nil, err
			}
			out := make([]consentBody, len(vs))
			for i, v := range vs {
				out[i] = consentOf(v)
			}
			return &output{Body: out}, nil
		})
	}
}

func recordConsent(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		Body consentRequest
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*consentOutput, error) {
			v, err := svc.RecordConsent(ctx, actorOf(ctx), in.PersonID, in.Body.input())
			if err != nil {
				return nil, err
			}
			return &consentOutput{Body: consentOf(v)}, nil
		})
	}
}

type consentRevision struct {
	Version       int        `json:"version" minimum:"1" doc:"The version being changed."`
	RecipientKind string     `json:"recipient_kind" enum:"organization,service"`
	RecipientID   string     `json:"recipient_id" maxLength:"200"`
	Classes       []string   `json:"classes" maxItems:"7"`
	Purposes      []string   `json:"purposes" maxItems:"5"`
	Method        string     `json:"method" enum:"verbal_recorded,written,signed_on_screen"`
	Language      string     `json:"language,omitempty" maxLength:"35"`
	ValidFrom     *time.Time `json:"valid_from,omitempty"`
	ValidUntil    *time.Time `json:"valid_until,omitempty"`
}

func reviseConsent(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		ConsentPath
		Body consentRevision
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*consentOutput, error) {
			v, err := svc.ReviseConsent(ctx, actorOf(ctx), in.PersonID, in.ConsentID, in.Body.Version, consentRequest{
				RecipientKind: in.Body.RecipientKind, RecipientID: in.Body.RecipientID, Classes: in.Body.Classes, Purposes: in.Body.Purposes,
				Method: in.Body.Method, Language: in.Body.Language, ValidFrom: in.Body.ValidFrom, ValidUntil: in.Body.ValidUntil}.input())
			if err != nil {
				return nil, err
			}
			return &consentOutput{Body: consentOf(v)}, nil
		})
	}
}

type revokeRequest struct {
	Version int `json:"version" minimum:"1" doc:"The version being revoked."`
}

func revokeConsent(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		ConsentPath
		Body revokeRequest
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*consentOutput, error) {
			v, err := svc.RevokeConsent(ctx, actorOf(ctx), in.PersonID, in.ConsentID, in.Body.Version)
			if err != nil {
				return nil, err
			}
			return &consentOutput{Body: consentOf(v)}, nil
		})
	}
}

type referralEventBody struct {
	From     string    `json:"from,omitempty"`
	To       string    `json:"to"`
	Side     string    `json:"side"`
	OnBehalf bool      `json:"on_behalf,omitempty" doc:"Recorded by the sender for a recipient outside Discern."`
	ActorID  string    `json:"actor_id"`
	Outcome  string    `json:"outcome,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

type referralBody struct {
	ID              string              `json:"id"`
	PersonID        string              `json:"person_id,omitempty" doc:"Shown to the sending organization only."`
	Side            string              `json:"side" enum:"sender,recipient"`
	SenderOrgName   string              `json:"sender_organization,omitempty"`
	RecipientKind   string              `json:"recipient_kind"`
	RecipientID     string              `json:"recipient_id"`
	RecipientName   string              `json:"recipient_name"`
	External        bool                `json:"external" doc:"The recipient does not use Discern; the sender records its answers."`
	Needs           []string            `json:"needs,omitempty"`
	Classes         []string            `json:"classes" doc:"The classes the referral carries."`
	Shown           []string            `json:"shown" doc:"The classes shown to the caller now."`
	Withheld        []string            `json:"withheld,omitempty"`
	WithheldReason  string              `json:"withheld_reason,omitempty"`
	Basis           string              `json:"basis" enum:"consent,exception"`
	ExceptionID     string              `json:"exception_id,omitempty"`
	ExceptionReason string              `json:"exception_reason,omitempty"`
	ChildProtection bool                `json:"child_protection,omitempty"`
	State           string              `json:"state"`
	FHIRStatus      string              `json:"fhir_status" doc:"FHIR R4 Task.status."`
	Outcome         string              `json:"outcome,omitempty"`
	CreatedAt       time.Time           `json:"created_at"`
	StateSince      time.Time           `json:"state_since"`
	Overdue         bool                `json:"overdue"`
	Erased          bool                `json:"erased,omitempty"`
	Packet          *casework.Packet    `json:"packet,omitempty"`
	Next            []string            `json:"next,omitempty" doc:"States the caller may move the referral to."`
	OnBehalf        []string            `json:"on_behalf,omitempty" doc:"States the sender may record for an outside recipient."`
	History         []referralEventBody `json:"history,omitempty"`
}

func referralOf(v *casework.ReferralView) referralBody {
	b := referralBody{ID: v.ID, PersonID: v.PersonID, Side: string(v.Side), SenderOrgName: v.SenderOrgName,
		RecipientKind: string(v.Recipient.Kind), RecipientID: v.Recipient.ID, RecipientName: v.RecipientName, External: v.External,
		Needs: v.Needs, Classes: codeNames(v.Classes), Shown: codeNames(v.Shown), Withheld: codeNames(v.Withheld),
		WithheldReason: v.WithheldReason, Basis: string(v.Basis), ExceptionID: v.ExceptionID, ExceptionReason: v.ExceptionReason,
		ChildProtection: v.ChildProtection, State: string(v.State), FHIRStatus: v.FHIRStatus, Outcome: string(v.Outcome),
		CreatedAt: v.CreatedAt, StateSince: v.StateSince, Overdue: v.Overdue, Erased: v.Erased, Packet: v.Packet,
		Next: codeNames(v.Next), OnBehalf: codeNames(v.OnBehalf)}
	for _, e := range v.History {
		b.History = append(b.History, referralEventBody{From: string(e.From), To: string(e.To), Side: string(e.Side), OnBehalf: e.OnBehalf,
			ActorID: e.ActorID, Outcome: string(e.Outcome), Reason: e.Reason, At: e.At})
	}
	return b
}

type referralOutput struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     referralBody
}

type referralRequest struct {
	RecipientKind   string   `json:"recipient_kind" enum:"organization,service"`
	RecipientID     string   `json:"recipient_id" maxLength:"200"`
	Needs           []string `json:"needs,omitempty" maxItems:"20"`
	Classes         []string `json:"classes" maxItems:"7" doc:"What to send; the person's consent must cover every one."`
	Message         string   `json:"message,omitempty" maxLength:"4000" doc:"For the recipient; narrative class."`
	ExceptionID     string   `json:"exception_id,omitempty" maxLength:"64" doc:"Disclose under this legal exception instead of consent (supervisors)."`
	ExceptionReason string   `json:"exception_reason,omitempty" maxLength:"2000" doc:"Why the exception applies; required with exception_id."`
}

func (r referralRequest) input(personID string) casework.ReferralInput {
	return casework.ReferralInput{PersonID: personID, RecipientKind: discern.RecipientKind(r.RecipientKind), RecipientID: r.RecipientID,
		Needs: r.Needs, Classes: codes[discern.DataClass](r.Classes), Message: r.Message, ExceptionID: r.ExceptionID,
		ExceptionReason: r.ExceptionReason}
}

// createReferral makes a referral; with an Idempotency-Key, a retried
// request answers as the first did and never sends a second referral.
func createReferral(svc *casework.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		IdempotencyKey
		Body referralRequest
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*referralOutput, error) {
			a := actorOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, a.Principal, in.Key, in.Body,
				func(ctx context.Context, complete Complete[referralBody]) (referralBody, error) {
					v, err := svc.CreateReferral(ctx, a, in.Body.input(in.PersonID), hookOf(complete, referralOf))
					if err != nil {
						return referralBody{}, err
					}
					return referralOf(v), nil
				})
			if err != nil {
				return nil, err
			}
			return &referralOutput{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

func previewReferral(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		Body referralRequest
	}
	type consequence struct {
		Jurisdiction string   `json:"jurisdiction"`
		Pathway      string   `json:"pathway"`
		ConsentRule  string   `json:"consent_rule"`
		Citations    []string `json:"citations"`
	}
	type body struct {
		RecipientName  string                   `json:"recipient_name"`
		Internal       bool                     `json:"internal" doc:"The recipient uses Discern and answers there."`
		Permitted      []string                 `json:"permitted"`
		Withheld       []string                 `json:"withheld,omitempty"`
		Reason         string                   `json:"reason,omitempty"`
		PossibleMinor  bool                     `json:"possible_minor" doc:"The child-protection branch applies."`
		Consequences   []consequence            `json:"consequences"`
		LegalException []discern.LegalException `json:"legal_exceptions,omitempty"`
	}
	type output struct{ Body body }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			pv, err := svc.PreviewReferral(ctx, actorOf(ctx), in.Body.input(in.PersonID))
			if err != nil {
				return nil, err
			}
			b := body{RecipientName: pv.RecipientName, Internal: pv.Internal, Permitted: codeNames(pv.Decision.Permitted),
				Withheld: codeNames(pv.Decision.Withheld), Reason: pv.Decision.Reason, PossibleMinor: pv.PossibleMinor,
				Consequences: []consequence{}, LegalException: pv.Exceptions}
			for _, c := range pv.Consequences {
				b.Consequences = append(b.Consequences, consequence{c.Jurisdiction, c.PathwayID, c.ConsentRule, c.Citations})
			}
			return &output{Body: b}, nil
		})
	}
}

func listReferrals(svc *casework.Service) func(huma.API, huma.Operation) {
	type output struct{ Body []referralBody }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *PersonPath) (*output, error) {
			vs, err := svc.ListReferrals(ctx, actorOf(ctx), in.PersonID)
			if err != nil {
				return nil, err
			}
			return &output{Body: referralBodies(vs)}, nil
		})
	}
}

func referralBodies(vs []*casework.ReferralView) []referralBody {
	out := make([]referralBody, len(vs))
	for i, v := range vs {
		out[i] = referralOf(v)
	}
	return out
}

func referralInbox(svc *casework.Service) func(huma.API, huma.Operation) {
	type output struct{ Body []referralBody }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, _ *struct{}) (*output, error) {
			vs, err := svc.Inbox(ctx, actorOf(ctx))
			if err != nil {
				return nil, err
			}
			return &output{Body: referralBodies(vs)}, nil
		})
	}
}

// ReferralPath names one referral.
type ReferralPath struct {
	ReferralID string `path:"referral_id" maxLength:"26"`
}

func getReferral(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *ReferralPath) (*referralOutput, error) {
			v, err := svc.GetReferral(ctx, actorOf(ctx), in.ReferralID)
			if err != nil {
				return nil, err
			}
			return &referralOutput{Body: referralOf(v)}, nil
		})
	}
}

type moveRequest struct {
	To      string `json:"to" enum:"received,accepted,rejected,in_progress,completed,failed,cancelled,withdrawn"`
	Outcome string `json:"outcome,omitempty" enum:"got_help,could_not_contact,not_eligible,no_capacity,no_longer_interested"`
	Reason  string `json:"reason,omitempty" maxLength:"2000"`
}

func moveReferral(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		ReferralPath
		Body moveRequest
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*referralOutput, error) {
			v, err := svc.MoveReferral(ctx, actorOf(ctx), in.ReferralID, casework.ReferralMoveInput{To: discern.ReferralState(in.Body.To),
				Outcome: discern.ReferralOutcome(in.Body.Outcome), Reason: in.Body.Reason})
			if err != nil {
				return nil, err
			}
			return &referralOutput{Body: referralOf(v)}, nil
		})
	}
}

func exportPerson(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		RecipientKind string   `query:"recipient_kind" enum:"organization,service"`
		RecipientID   string   `query:"recipient_id" maxLength:"200"`
		Classes       []string `query:"classes" maxItems:"7"`
	}
	type output struct{ Body *casework.Packet }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			pk, err := svc.ExportPerson(ctx, actorOf(ctx), in.PersonID, discern.RecipientKind(in.RecipientKind), in.RecipientID,
				codes[discern.DataClass](in.Classes))
			if err != nil {
				return nil, err
			}
			return &output{Body: pk}, nil
		})
	}
}
