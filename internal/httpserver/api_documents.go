package httpserver

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/documents"
)

// The document endpoints: PDFs made by the casework service, which checks
// the person's consent for each and audits it. These handlers only
// translate.

// pdfOutput is a PDF response. It is never cached (middleware sets
// Cache-Control: no-store) and is offered as a download.
type pdfOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

func pdfOf(name string, b []byte) *pdfOutput {
	return &pdfOutput{ContentType: "application/pdf", ContentDisposition: `attachment; filename="` + name + `.pdf"`, Body: b}
}

// pdfOperation describes the PDF answer in the OpenAPI document.
func pdfOperation(op huma.Operation) huma.Operation {
	op.Responses = map[string]*huma.Response{
		"200": {Description: "The PDF", Content: map[string]*huma.MediaType{
			"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}},
		}},
	}
	return op
}

func referralPacketPDF(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, pdfOperation(op), func(ctx context.Context, in *ReferralPath) (*pdfOutput, error) {
			b, err := svc.ReferralPacketPDF(ctx, actorOf(ctx), in.ReferralID)
			if err != nil {
				return nil, err
			}
			return pdfOf("referral-"+in.ReferralID, b), nil
		})
	}
}

func screeningSummaryPDF(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		ScreeningPath
		RecipientKind string   `query:"recipient_kind" enum:"organization,service" doc:"Who the summary is for: the person's consent for them, with the purpose documents, must cover every class asked."`
		RecipientID   string   `query:"recipient_id" maxLength:"200"`
		Classes       []string `query:"classes,explode" maxItems:"7" doc:"The classes the summary may hold (repeat the parameter); case is required (the result is case information)."`
	}
	return func(api huma.API, op huma.Operation) {
		register(api, pdfOperation(op), func(ctx context.Context, in *input) (*pdfOutput, error) {
			b, err := svc.ScreeningSummaryPDF(ctx, actorOf(ctx), in.ScreeningID, casework.DocumentRequest{
				RecipientKind: discern.RecipientKind(in.RecipientKind), RecipientID: in.RecipientID, Classes: codes[discern.DataClass](in.Classes)})
			if err != nil {
				return nil, err
			}
			return pdfOf("screening-summary-"+in.ScreeningID, b), nil
		})
	}
}

// partyBody is the addressee or the author of a letter.
type partyBody struct {
	Name         string `json:"name,omitempty" maxLength:"200"`
	Role         string `json:"role,omitempty" maxLength:"200" doc:"For example defence counsel, Crown Prosecutor, caseworker."`
	Organization string `json:"organization,omitempty" maxLength:"200"`
	Address      string `json:"address,omitempty" maxLength:"500" doc:"Postal or email address."`
}

func (p partyBody) party() documents.Party {
	return documents.Party{Name: p.Name, Role: p.Role, Organization: p.Organization, Address: p.Address}
}

type letterRequest struct {
	RecipientKind string    `json:"recipient_kind" enum:"organization,service" doc:"Who the letter goes to: the person's consent for them, with the purpose legal_support, must cover case and criminal_justice."`
	RecipientID   string    `json:"recipient_id" maxLength:"200"`
	To            partyBody `json:"to"`
	From          partyBody `json:"from"`
	Matter        string    `json:"matter,omitempty" maxLength:"500" doc:"The court case or charge the letter concerns."`
	NamePerson    bool      `json:"name_person,omitempty" doc:"Name the person in the letter; the consent must then cover identity too."`
}

func nonPunishmentLetterPDF(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		ScreeningPath
		Body letterRequest
	}
	return func(api huma.API, op huma.Operation) {
		op = pdfOperation(op)
		op.DefaultStatus = http.StatusOK
		register(api, op, func(ctx context.Context, in *input) (*pdfOutput, error) {
			b := in.Body
			pdf, err := svc.NonPunishmentLetterPDF(ctx, actorOf(ctx), in.ScreeningID, casework.LetterRequest{
				RecipientKind: discern.RecipientKind(b.RecipientKind), RecipientID: b.RecipientID, To: b.To.party(), From: b.From.party(),
				Matter: b.Matter, NamePerson: b.NamePerson})
			if err != nil {
				return nil, err
			}
			return pdfOf("non-punishment-letter-"+in.ScreeningID, pdf), nil
		})
	}
}
