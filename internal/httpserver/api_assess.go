package httpserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
)

// assessRequest documents the body of POST /api/v1/assess: the JSON form
// of an answers file. It is only for the OpenAPI document; the body is
// read by screening.ParseAnswers, the one reader of answers, so the API and
// `discern screen` accept and refuse exactly the same input.
type assessRequest struct {
	Instrument    string         `json:"instrument,omitempty" doc:"The instrument the answers were given in: short or full (the default)."`
	Language      string         `json:"language,omitempty" doc:"The language of the interview (a content locale such as en or es)."`
	Jurisdictions any            `json:"jurisdictions,omitempty" doc:"The jurisdictions to test, as a list of IDs such as [\"england-wales\", \"palermo\"], or \"all\" (the default)."`
	Answers       map[string]any `json:"answers" doc:"The answers, by question ID: a value (\"yes\", \"no\", \"unknown\", \"prefer_not\", an option ID, a list of option IDs, or an age), or {\"answer\": …, \"provenance\": \"self_report|observed|document|third_party\", \"note\": …}. A list of {\"question\": …, \"answer\": …} is accepted too."`
}

// assess is POST /api/v1/assess: evaluates answers with the engine and
// stores nothing. Bad input is a 400 problem whose field is the path of
// the answer at fault, such as answers.age.
func assess(engine *screening.Engine) func(huma.API, huma.Operation) {
	type input struct {
		RawBody []byte `contentType:"application/json"`
	}
	type output struct{ Body *screening.Result }
	return func(api huma.API, op huma.Operation) {
		// Huma must not validate or decode the body: ParseAnswers does.
		op.SkipValidateBody = true
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			ev, err := parseAssessBody(engine, in.RawBody)
			if err != nil {
				return nil, err
			}
			res, err := engine.Evaluate(ev)
			if err != nil {
				return nil, discern.Invalid("answers", "%s", err.Error())
			}
			return &output{Body: res}, nil
		})
		// Document the body's real shape in place of Huma's "binary".
		schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[assessRequest](), true, "AssessRequest")
		if p := api.OpenAPI().Paths[op.Path]; p != nil && p.Post != nil && p.Post.RequestBody != nil {
			p.Post.RequestBody.Content = map[string]*huma.MediaType{"application/json": {Schema: schema}}
		}
	}
}

// parseAssessBody reads an assess body: JSON only (ParseAnswers also
// reads YAML, which an HTTP API should not), then the answers.
func parseAssessBody(engine *screening.Engine, body []byte) (*screening.Evidence, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, discern.Invalid("body", "Send the answers as a JSON object with instrument, language, jurisdictions and answers.")
	}
	if !json.Valid(body) {
		return nil, discern.Invalid("body", "The body is not valid JSON.")
	}
	ev, err := screening.ParseAnswers(engine.Bundle(), "body", body)
	if err != nil {
		if ie, ok := errors.AsType[*screening.InputError](err); ok {
			field := ie.Path
			if field == "" {
				field = "body"
			}
			return nil, discern.Invalid(field, "%s: %s", field, ie.Msg)
		}
		return nil, discern.Invalid("body", "The answers could not be read.")
	}
	return ev, nil
}

// statusOK is a plain handler's 200 body.
type statusBody struct {
	Status string `json:"status"`
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
