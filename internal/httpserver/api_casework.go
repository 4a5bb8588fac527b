package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/discern-org/discern/internal/casework"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/screening"
	"github.com/discern-org/discern/internal/sqldb"
)

// The case endpoints: people, their encounters, notes and tasks, and
// screenings. The casework service decides, seals, redacts and audits; these
// handlers only translate.

func actorOf(ctx context.Context) casework.Actor {
	return casework.Actor{Principal: principalOf(ctx), RequestID: requestID(ctx)}
}

// personBody is a person as the caller may see them.
type personBody struct {
	ID          string    `json:"id"`
	CaseCode    string    `json:"case_code,omitempty" doc:"The pseudonymous case code, such as DSC-7M3F-QE."`
	Name        *string   `json:"name,omitempty" doc:"Shown only when recorded and the caller's role covers identity data."`
	BirthDate   *string   `json:"birth_date,omitempty"`
	AgeEstimate *string   `json:"age_estimate,omitempty"`
	Contact     *string   `json:"contact,omitempty" doc:"Safe channels and times; shown only when the role covers contact data."`
	TeamID      string    `json:"team_id,omitempty"`
	AssignedTo  string    `json:"assigned_to,omitempty"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Erased      bool      `json:"erased,omitempty" doc:"The person was erased: their data key is destroyed."`
	Redacted    []string  `json:"redacted,omitempty" doc:"Data classes recorded but withheld from the caller."`
}

func personOf(v *casework.PersonView) personBody {
	return personBody{ID: v.ID, CaseCode: v.CaseCode, Name: v.Name, BirthDate: v.BirthDate, AgeEstimate: v.AgeEstimate,
		Contact: v.Contact, TeamID: v.TeamID, AssignedTo: v.AssignedTo, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt,
		UpdatedAt: v.UpdatedAt, Erased: v.Erased, Redacted: codeNames(v.Redacted)}
}

type personOutput struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     personBody
}

// personRequest creates a person. Every field is optional: a person is
// known by a case code alone unless more is needed.
type personRequest struct {
	Name        string `json:"name,omitempty" maxLength:"500"`
	BirthDate   string `json:"birth_date,omitempty" maxLength:"500" doc:"As given: a date, a year, or 'about 1990'."`
	AgeEstimate string `json:"age_estimate,omitempty" maxLength:"500" doc:"Such as 17, 16-18 or under 18."`
	Contact     string `json:"contact,omitempty" maxLength:"500" doc:"Safe channels and times, a code word; never shared without consent."`
	TeamID      string `json:"team_id,omitempty" maxLength:"26"`
	AssignedTo  string `json:"assigned_to,omitempty" maxLength:"26"`
}

func createPerson(svc *casework.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type input struct {
		IdempotencyKey
		Body personRequest
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*personOutput, error) {
			a := actorOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, a.Principal, in.Key, in.Body,
				func(ctx context.Context, complete Complete[personBody]) (personBody, error) {
					v, err := svc.CreatePerson(ctx, a, casework.PersonInput(in.Body), hookOf(complete, personOf))
					if err != nil {
						return personBody{}, err
					}
					return personOf(v), nil
				})
			if err != nil {
				return nil, err
			}
			return &personOutput{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

// hookOf turns the idempotency helper's completion into a casework hook:
// the response is stored in the transaction that creates the record.
func hookOf[V any, B any](complete Complete[B], conv func(V) B) casework.TxHook {
	return func(ctx context.Context, tx *sqldb.Tx, view any) error { return complete(ctx, tx, conv(view.(V))) }
}

func listPeople(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		Page
		CaseCode   string `query:"case_code" maxLength:"64" doc:"Find the person with this case code (typing mistakes are caught by its check symbol)."`
		Name       string `query:"name" maxLength:"500" doc:"Find people with exactly this name (case and spacing do not matter)."`
		AssignedTo string `query:"assigned_to" maxLength:"26"`
		TeamID     string `query:"team_id" maxLength:"26"`
	}
	type output struct{ Body List[personBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			vs, next, err := svc.ListPeople(ctx, actorOf(ctx), casework.PeopleQuery{CaseCode: in.CaseCode, Name: in.Name,
				AssignedTo: in.AssignedTo, TeamID: in.TeamID, Limit: in.Limit, Cursor: in.Cursor})
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(vs, next, personOf)}, nil
		})
	}
}

// PersonPath is the person_id wildcard. It is exported so that Huma can
// fill it when it is embedded in an input.
type PersonPath struct {
	PersonID string `path:"person_id" maxLength:"26"`
}

func getPerson(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *PersonPath) (*personOutput, error) {
			v, err := svc.GetPerson(ctx, actorOf(ctx), in.PersonID)
			if err != nil {
				return nil, err
			}
			return &personOutput{Body: personOf(v)}, nil
		})
	}
}

func updatePerson(svc *casework.Service) func(huma.API, huma.Operation) {
	type personPatchRequest struct {
		Name        *string `json:"name,omitempty" maxLength:"500" doc:"An empty string clears the field."`
		BirthDate   *string `json:"birth_date,omitempty" maxLength:"500"`
		AgeEstimate *string `json:"age_estimate,omitempty" maxLength:"500"`
		Contact     *string `json:"contact,omitempty" maxLength:"500"`
		TeamID      *string `json:"team_id,omitempty" maxLength:"26"`
		AssignedTo  *string `json:"assigned_to,omitempty" maxLength:"26"`
	}
	type input struct {
		PersonPath
		Body personPatchRequest
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*personOutput, error) {
			v, err := svc.UpdatePerson(ctx, actorOf(ctx), in.PersonID, casework.PersonPatch(in.Body))
			if err != nil {
				return nil, err
			}
			return &personOutput{Body: personOf(v)}, nil
		})
	}
}

func erasePerson(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusNoContent
		register(api, op, func(ctx context.Context, in *PersonPath) (*noContent, error) {
			return &noContent{}, svc.ErasePerson(ctx, actorOf(ctx), in.PersonID)
		})
	}
}

// auditBody is an entry of a record's "who accessed it" history.
type auditBody struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	ActorID     string    `json:"actor_id,omitempty"`
	Action      string    `json:"action"`
	DataClasses []string  `json:"data_classes,omitempty"`
	Outcome     string    `json:"outcome"`
	RequestID   string    `json:"request_id,omitempty"`
}

func auditOf(e *discern.AuditEntry) auditBody {
	return auditBody{Seq: e.Seq, Time: e.Time, ActorID: e.ActorID, Action: e.Action, DataClasses: codeNames(e.DataClasses),
		Outcome: string(e.Outcome), RequestID: e.RequestID}
}

// history serves a record's "who accessed it" list; I is the input type
// that names the record's path wildcard.
func history[I any](svc *casework.Service, targetType string, id func(*I) string, page func(*I) Page) func(huma.API, huma.Operation) {
	type output struct{ Body List[auditBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *I) (*output, error) {
			p := page(in)
			es, next, err := svc.AccessHistory(ctx, actorOf(ctx), targetType, id(in), p.Limit, p.Cursor)
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(es, next, auditOf)}, nil
		})
	}
}

type personHistoryInput struct {
	Page
	PersonPath
}

type screeningHistoryInput struct {
	Page
	ScreeningPath
}

func personHistory(svc *casework.Service) func(huma.API, huma.Operation) {
	return history(svc, "person", func(in *personHistoryInput) string { return in.PersonID }, func(in *personHistoryInput) Page { return in.Page })
}

func screeningHistory(svc *casework.Service) func(huma.API, huma.Operation) {
	return history(svc, "screening", func(in *screeningHistoryInput) string { return in.ScreeningID }, func(in *screeningHistoryInput) Page { return in.Page })
}

// encounterBody is an encounter.
type encounterBody struct {
	ID         string    `json:"id"`
	PersonID   string    `json:"person_id"`
	OccurredAt time.Time `json:"occurred_at"`
	PlaceKind  string    `json:"place_kind"`
	Narrative  *string   `json:"narrative,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	Redacted   []string  `json:"redacted,omitempty"`
}

func encounterOf(v *casework.EncounterView) encounterBody {
	return encounterBody{ID: v.ID, PersonID: v.PersonID, OccurredAt: v.OccurredAt, PlaceKind: string(v.PlaceKind),
		Narrative: v.Narrative, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, Redacted: codeNames(v.Redacted)}
}

func createEncounter(svc *casework.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type encounterRequest struct {
		OccurredAt time.Time `json:"occurred_at"`
		PlaceKind  string    `json:"place_kind" enum:"street,venue,hotel,residence,online,transport,border,health_facility,shelter,office,police,workplace,other" doc:"The kind of place, never its address."`
		Narrative  string    `json:"narrative,omitempty" maxLength:"20000"`
	}
	type input struct {
		PersonPath
		IdempotencyKey
		Body encounterRequest
	}
	type output struct {
		Replayed string `header:"Idempotent-Replayed"`
		Body     encounterBody
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			a := actorOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, a.Principal, in.Key, in,
				func(ctx context.Context, complete Complete[encounterBody]) (encounterBody, error) {
					v, err := svc.CreateEncounter(ctx, a, casework.EncounterInput{PersonID: in.PersonID, OccurredAt: in.Body.OccurredAt,
						PlaceKind: discern.PlaceKind(in.Body.PlaceKind), Narrative: in.Body.Narrative}, hookOf(complete, encounterOf))
					if err != nil {
						return encounterBody{}, err
					}
					return encounterOf(v), nil
				})
			if err != nil {
				return nil, err
			}
			return &output{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

func listEncounters(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		Page
	}
	type output struct{ Body List[encounterBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			vs, next, err := svc.ListEncounters(ctx, actorOf(ctx), in.PersonID, in.Limit, in.Cursor)
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(vs, next, encounterOf)}, nil
		})
	}
}

// noteBody is a note; its body is withheld when the caller's role does not
// cover its class.
type noteBody struct {
	ID        string    `json:"id"`
	PersonID  string    `json:"person_id"`
	AuthorID  string    `json:"author_id"`
	DataClass string    `json:"data_class"`
	Body      *string   `json:"body,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func noteOf(v *casework.NoteView) noteBody {
	return noteBody{ID: v.ID, PersonID: v.PersonID, AuthorID: v.AuthorID, DataClass: string(v.Class), Body: v.Body, CreatedAt: v.CreatedAt}
}

func createNote(svc *casework.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type noteRequest struct {
		DataClass string `json:"data_class,omitempty" enum:"case,identity,contact,narrative,health,immigration,criminal_justice" doc:"The class of what the note says (default narrative)."`
		Body      string `json:"body" minLength:"1" maxLength:"20000"`
	}
	type input struct {
		PersonPath
		IdempotencyKey
		Body noteRequest
	}
	type output struct {
		Replayed string `header:"Idempotent-Replayed"`
		Body     noteBody
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			a := actorOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, a.Principal, in.Key, in,
				func(ctx context.Context, complete Complete[noteBody]) (noteBody, error) {
					v, err := svc.CreateNote(ctx, a, in.PersonID, discern.DataClass(in.Body.DataClass), in.Body.Body, hookOf(complete, noteOf))
					if err != nil {
						return noteBody{}, err
					}
					return noteOf(v), nil
				})
			if err != nil {
				return nil, err
			}
			return &output{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

func listNotes(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		PersonPath
		Page
	}
	type output struct{ Body List[noteBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			vs, next, err := svc.ListNotes(ctx, actorOf(ctx), in.PersonID, in.Limit, in.Cursor)
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(vs, next, noteOf)}, nil
		})
	}
}

// taskBody is a task.
type taskBody struct {
	ID          string     `json:"id"`
	PersonID    string     `json:"person_id,omitempty"`
	Title       string     `json:"title"`
	Status      string     `json:"status" enum:"open,done,cancelled"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	AssigneeID  string     `json:"assignee_id,omitempty"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
}

func taskOf(v *casework.TaskView) taskBody {
	return taskBody{ID: v.ID, PersonID: v.PersonID, Title: v.Title, Status: string(v.Status), DueAt: v.DueAt,
		AssigneeID: v.AssigneeID, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt, CompletedAt: v.CompletedAt}
}

type taskOutput struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     taskBody
}

func createTask(svc *casework.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type taskRequest struct {
		PersonID   string     `json:"person_id,omitempty" maxLength:"26"`
		Title      string     `json:"title" minLength:"1" maxLength:"500"`
		DueAt      *time.Time `json:"due_at,omitempty"`
		AssigneeID string     `json:"assignee_id,omitempty" maxLength:"26"`
	}
	type input struct {
		IdempotencyKey
		Body taskRequest
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		register(api, op, func(ctx context.Context, in *input) (*taskOutput, error) {
			a := actorOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, a.Principal, in.Key, in.Body,
				func(ctx context.Context, complete Complete[taskBody]) (taskBody, error) {
					v, err := svc.CreateTask(ctx, a, casework.TaskInput(in.Body), hookOf(complete, taskOf))
					if err != nil {
						return taskBody{}, err
					}
					return taskOf(v), nil
				})
			if err != nil {
				return nil, err
			}
			return &taskOutput{Replayed: replayedHeader(replayed), Body: body}, nil
		})
	}
}

func listTasks(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		Page
		PersonID   string `query:"person_id" maxLength:"26"`
		AssigneeID string `query:"assignee_id" maxLength:"26"`
		Status     string `query:"status" enum:"open,done,cancelled"`
	}
	type output struct{ Body List[taskBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			vs, next, err := svc.ListTasks(ctx, actorOf(ctx), casework.TaskQuery{PersonID: in.PersonID, AssigneeID: in.AssigneeID,
				Status: in.Status, Limit: in.Limit, Cursor: in.Cursor})
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(vs, next, taskOf)}, nil
		})
	}
}

func updateTask(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		TaskID string `path:"task_id" maxLength:"26"`
		Body   struct {
			Status string `json:"status" enum:"open,done,cancelled"`
		}
	}
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*taskOutput, error) {
			v, err := svc.UpdateTaskStatus(ctx, actorOf(ctx), in.TaskID, discern.TaskStatus(in.Body.Status))
			if err != nil {
				return nil, err
			}
			return &taskOutput{Body: taskOf(v)}, nil
		})
	}
}

// screeningBody is a screening: its answers (redacted to the caller's data
// classes) and, when complete, the engine's result with the content version
// and hash it was made under.
type screeningBody struct {
	ID             string              `json:"id"`
	PersonID       string              `json:"person_id,omitempty"`
	EncounterID    string              `json:"encounter_id,omitempty"`
	ScreenerID     string              `json:"screener_id"`
	Status         string              `json:"status" enum:"draft,complete"`
	Evidence       *screening.Evidence `json:"evidence,omitempty"`
	Result         *screening.Result   `json:"result,omitempty" doc:"The full result, recomputed from the evidence under the current content (for a draft, a preliminary one)."`
	Recorded       *screening.Summary  `json:"recorded,omitempty" doc:"The conclusion recorded when the screening was completed, with the content version and hash it was made under."`
	Changes        []string            `json:"changes,omitempty" doc:"How the current result differs from the recorded one, when the content has changed since."`
	ContentVersion string              `json:"content_version"`
	ContentHash    string              `json:"content_hash"`
	CreatedAt      time.Time           `json:"created_at"`
	UpdatedAt      time.Time           `json:"updated_at"`
	CompletedAt    *time.Time          `json:"completed_at,omitempty"`
	Erased         bool                `json:"erased,omitempty"`
	Redacted       []string            `json:"redacted,omitempty"`
}

func screeningOf(v *casework.ScreeningView) screeningBody {
	return screeningBody{ID: v.ID, PersonID: v.PersonID, EncounterID: v.EncounterID, ScreenerID: v.ScreenerID, Status: string(v.Status),
		Evidence: v.Evidence, Result: v.Result, Recorded: v.Recorded, Changes: v.Changes, ContentVersion: v.ContentVersion, ContentHash: v.ContentHash,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, CompletedAt: v.CompletedAt, Erased: v.Erased, Redacted: codeNames(v.Redacted)}
}

// createdScreeningOf is the answer to a create: the recorded conclusion,
// not the evidence the client just sent nor the full result, which GET
// /api/v1/screenings/{screening_id} shows. A draft answers with its id.
func createdScreeningOf(v *casework.ScreeningView) screeningBody {
	b := screeningOf(v)
	b.Evidence, b.Result = nil, nil
	return b
}

type screeningOutput struct {
	Replayed string `header:"Idempotent-Replayed"`
	Body     screeningBody
}

// screeningRequest documents the body of POST /api/v1/screenings; the
// evidence is read by screening.ParseAnswers, as for assess.
type screeningRequest struct {
	PersonID    string        `json:"person_id,omitempty" doc:"The person screened; omit for an anonymous screening."`
	EncounterID string        `json:"encounter_id,omitempty"`
	Complete    bool          `json:"complete,omitempty" doc:"Evaluate and freeze the screening now; otherwise it is a draft that can be resumed."`
	Evidence    assessRequest `json:"evidence" doc:"The answers, as for POST /api/v1/assess."`
}

// screeningEnvelope reads the parts of a screening body around the evidence.
type screeningEnvelope struct {
	PersonID    string          `json:"person_id"`
	EncounterID string          `json:"encounter_id"`
	Complete    bool            `json:"complete"`
	Evidence    json.RawMessage `json:"evidence"`
}

func parseScreeningBody(engine *screening.Engine, body []byte) (screeningEnvelope, *screening.Evidence, error) {
	var env screeningEnvelope
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return env, nil, discern.Invalid("body", "Send a JSON object with person_id, encounter_id, complete and evidence.")
	}
	if len(env.PersonID) > 26 || len(env.EncounterID) > 26 {
		return env, nil, discern.Invalid("person_id", "person_id and encounter_id are record IDs.")
	}
	ev, err := parseAssessBody(engine, env.Evidence)
	if err != nil {
		if de, ok := err.(*discern.Error); ok && de.Field != "" {
			de.Field = "evidence." + de.Field
		}
		return env, nil, err
	}
	return env, ev, nil
}

func createScreening(svc *casework.Service, idem *Idempotency) func(huma.API, huma.Operation) {
	type input struct {
		IdempotencyKey
		RawBody []byte `contentType:"application/json"`
	}
	return func(api huma.API, op huma.Operation) {
		op.DefaultStatus = http.StatusCreated
		op.SkipValidateBody = true
		register(api, op, func(ctx context.Context, in *input) (*screeningOutput, error) {
			env, ev, err := parseScreeningBody(svc.Engine(), in.RawBody)
			if err != nil {
				return nil, err
			}
			a := actorOf(ctx)
			body, replayed, err := IdempotentCreate(ctx, idem, a.Principal, in.Key, json.RawMessage(in.RawBody),
				func(ctx context.Context, complete Complete[screeningBody]) (screeningBody, error) {
					v, err := svc.CreateScreening(ctx, a, casework.ScreeningInput{PersonID: env.PersonID, EncounterID: env.EncounterID,
						Evidence: ev, Complete: env.Complete}, hookOf(complete, createdScreeningOf))
					if err != nil {
						return screeningBody{}, err
					}
					return createdScreeningOf(v), nil
				})
			if err != nil {
				return nil, err
			}
			return &screeningOutput{Replayed: replayedHeader(replayed), Body: body}, nil
		})
		documentBody(api, op, reflect.TypeFor[screeningRequest](), "ScreeningRequest")
	}
}

// documentBody puts a raw body's real shape in the OpenAPI document.
func documentBody(api huma.API, op huma.Operation, t reflect.Type, name string) {
	schema := api.OpenAPI().Components.Schemas.Schema(t, true, name)
	p := api.OpenAPI().Paths[op.Path]
	if p == nil {
		return
	}
	for _, o := range []*huma.Operation{p.Post, p.Patch} {
		if o != nil && o.OperationID == op.OperationID && o.RequestBody != nil {
			o.RequestBody.Content = map[string]*huma.MediaType{"application/json": {Schema: schema}}
		}
	}
}

// ScreeningPath is the screening_id wildcard, exported for embedding.
type ScreeningPath struct {
	ScreeningID string `path:"screening_id" maxLength:"26"`
}

func getScreening(svc *casework.Service) func(huma.API, huma.Operation) {
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *ScreeningPath) (*screeningOutput, error) {
			v, err := svc.GetScreening(ctx, actorOf(ctx), in.ScreeningID)
			if err != nil {
				return nil, err
			}
			return &screeningOutput{Body: screeningOf(v)}, nil
		})
	}
}

// updateScreeningRequest documents PATCH /api/v1/screenings/{screening_id}.
type updateScreeningRequest struct {
	Complete bool           `json:"complete,omitempty" doc:"Evaluate and freeze the screening."`
	Evidence *assessRequest `json:"evidence,omitempty" doc:"New answers, replacing the draft's; omit to complete the draft as it is."`
}

func updateScreening(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		ScreeningPath
		RawBody []byte `contentType:"application/json"`
	}
	return func(api huma.API, op huma.Operation) {
		op.SkipValidateBody = true
		register(api, op, func(ctx context.Context, in *input) (*screeningOutput, error) {
			var env struct {
				Complete bool            `json:"complete"`
				Evidence json.RawMessage `json:"evidence"`
			}
			dec := json.NewDecoder(bytes.NewReader(in.RawBody))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&env); err != nil {
				return nil, discern.Invalid("body", "Send a JSON object with complete and, optionally, evidence.")
			}
			patch := casework.ScreeningPatch{Complete: env.Complete}
			if len(env.Evidence) > 0 && string(env.Evidence) != "null" {
				ev, err := parseAssessBody(svc.Engine(), env.Evidence)
				if err != nil {
					return nil, err
				}
				patch.Evidence = ev
			}
			v, err := svc.UpdateScreening(ctx, actorOf(ctx), in.ScreeningID, patch)
			if err != nil {
				return nil, err
			}
			return &screeningOutput{Body: screeningOf(v)}, nil
		})
		documentBody(api, op, reflect.TypeFor[updateScreeningRequest](), "UpdateScreeningRequest")
	}
}

// screeningSummaryBody is a screening in a list.
type screeningSummaryBody struct {
	ID             string            `json:"id"`
	PersonID       string            `json:"person_id,omitempty"`
	ScreenerID     string            `json:"screener_id"`
	Status         string            `json:"status"`
	Determinations map[string]string `json:"determinations,omitempty" doc:"The determination per jurisdiction, when complete."`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	Erased         bool              `json:"erased,omitempty"`
}

func screeningSummaryOf(s *casework.ScreeningSummary) screeningSummaryBody {
	return screeningSummaryBody{ID: s.ID, PersonID: s.PersonID, ScreenerID: s.ScreenerID, Status: string(s.Status),
		Determinations: s.Determinations, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Erased: s.Erased}
}

func listScreenings(svc *casework.Service) func(huma.API, huma.Operation) {
	type input struct {
		Page
		PersonID   string `query:"person_id" maxLength:"26"`
		ScreenerID string `query:"screener_id" maxLength:"26"`
		Status     string `query:"status" enum:"draft,complete"`
	}
	type output struct{ Body List[screeningSummaryBody] }
	return func(api huma.API, op huma.Operation) {
		register(api, op, func(ctx context.Context, in *input) (*output, error) {
			ss, next, err := svc.ListScreenings(ctx, actorOf(ctx), casework.ScreeningQuery{PersonID: in.PersonID,
				ScreenerID: in.ScreenerID, Status: in.Status, Limit: in.Limit, Cursor: in.Cursor})
			if err != nil {
				return nil, err
			}
			return &output{Body: listOf(ss, next, screeningSummaryOf)}, nil
		})
	}
}
