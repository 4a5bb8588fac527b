package discern

import (
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"
)

// ScreeningStatus is whether a screening is still being filled in.
type ScreeningStatus string

// The screening statuses. A complete screening is never changed again: a
// re-assessment under new content is a new screening, so that what was
// shown to the screener at the time stays on record.
const (
	ScreeningDraft    ScreeningStatus = "draft"
	ScreeningComplete ScreeningStatus = "complete"
)

// Valid reports whether s is a known status.
func (s ScreeningStatus) Valid() bool { return s == ScreeningDraft || s == ScreeningComplete }

// MaxScreeningJSON bounds the answers and the result of one screening, so
// that one request cannot fill the disk.
const MaxScreeningJSON = 1 << 20

// Screening is one run of a screening instrument: the evidence (answers,
// each with its provenance) and the engine's result, with the content
// version and hash they were made under so that the assessment can be
// reproduced and re-evaluated later.
type Screening struct {
	ID          string
	OrgID       string
	PersonID    string // optional: screenings may be anonymous
	EncounterID string // optional
	ScreenerID  string
	// InstrumentID, Language and Jurisdictions say what was asked, in
	// which language, and under which laws the answers were tested.
	InstrumentID  string
	Language      string
	Jurisdictions []string
	// Answers is the engine's evidence document (JSON): each answer with
	// its provenance, with "unknown" and "prefers not to say" kept apart
	// from "no". Result is the engine's outcome (JSON), empty in a draft.
	Answers        json.RawMessage
	Result         json.RawMessage
	ContentVersion string
	ContentHash    string
	Status         ScreeningStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CompletedAt    *time.Time
}

// Validate checks a screening before it is stored.
func (s *Screening) Validate() error {
	switch {
	case s.OrgID == "":
		return Invalid("org_id", "org_id is required.")
	case s.ScreenerID == "":
		return Invalid("screener_id", "screener_id is required.")
	case !validContentID(s.InstrumentID):
		return Invalid("instrument_id", "instrument_id is required.")
	case !ValidLanguage(s.Language):
		return Invalid("language", "language must be a language tag such as en or pt-BR.")
	case !s.Status.Valid():
		return Invalid("status", "status must be draft or complete.")
	case s.ContentVersion == "" || len(s.ContentVersion) > 64:
		return Invalid("content_version", "content_version is required.")
	case len(s.ContentHash) > 128:
		return Invalid("content_hash", "content_hash is too long.")
	}
	if err := validJurisdictions("jurisdictions", s.Jurisdictions); err != nil {
		return err
	}
	if err := validJSON("answers", s.Answers, true); err != nil {
		return err
	}
	if err := validJSON("result", s.Result, s.Status == ScreeningComplete); err != nil {
		return err
	}
	if s.Status == ScreeningComplete && s.ContentHash == "" {
		return Invalid("content_hash", "A complete screening records the content hash it was assessed under.")
	}
	return nil
}

func validJSON(field string, b json.RawMessage, required bool) error {
	if len(b) == 0 {
		if required {
			return Invalid(field, "%s is required.", field)
		}
		return nil
	}
	if len(b) > MaxScreeningJSON {
		return Invalid(field, "%s is larger than %d bytes.", field, MaxScreeningJSON)
	}
	if !utf8.Valid(b) || !json.Valid(b) {
		return Invalid(field, "%s is not valid JSON.", field)
	}
	return nil
}

// ScreeningFilter selects screenings of one organization. Together with
// the page it is served by one index range scan, at any table size.
type ScreeningFilter struct {
	OrgID      string // required
	Status     *ScreeningStatus
	PersonID   *string
	ScreenerID *string
	Page
}

// ScreeningUpdate changes a draft; nil means unchanged. Setting Status to
// complete freezes the screening.
type ScreeningUpdate struct {
	PersonID       *string // "" detaches the screening from its person
	Language       *string
	Jurisdictions  *[]string
	Answers        *json.RawMessage
	Result         *json.RawMessage
	ContentVersion *string
	ContentHash    *string
	Status         *ScreeningStatus
}

// ScreeningStore stores screenings.
type ScreeningStore interface {
	FindScreeningByID(ctx context.Context, orgID, id string) (*Screening, error)
	FindScreenings(ctx context.Context, f ScreeningFilter) ([]*Screening, string, error)
	// CreateScreening returns KindInvalid, also when the person, encounter
	// or screener is not in the organization.
	CreateScreening(ctx context.Context, s *Screening) error
	// UpdateScreening returns KindNotFound, KindInvalid, or KindConflict
	// when the screening is already complete.
	UpdateScreening(ctx context.Context, orgID, id string, upd ScreeningUpdate) (*Screening, error)
}
