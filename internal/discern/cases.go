package discern

import (
	"context"
	"time"
)

// PlaceKind says what kind of place an encounter happened in, never where:
// an address would locate the person, a kind is enough to learn from.
type PlaceKind string

// The kinds of place.
const (
	PlaceStreet         PlaceKind = "street"
	PlaceVenue          PlaceKind = "venue" // bar, club, massage parlour
	PlaceHotel          PlaceKind = "hotel"
	PlaceResidence      PlaceKind = "residence"
	PlaceOnline         PlaceKind = "online"
	PlaceTransport      PlaceKind = "transport" // station, airport, vehicle
	PlaceBorder         PlaceKind = "border"
	PlaceHealthFacility PlaceKind = "health_facility"
	PlaceShelter        PlaceKind = "shelter"
	PlaceOffice         PlaceKind = "office" // the agency's own premises
	PlacePolice         PlaceKind = "police"
	PlaceWorkplace      PlaceKind = "workplace" // farm, factory, restaurant, private home as work
	PlaceOther          PlaceKind = "other"
)

// PlaceKinds lists every place kind.
var PlaceKinds = []PlaceKind{PlaceStreet, PlaceVenue, PlaceHotel, PlaceResidence, PlaceOnline, PlaceTransport,
	PlaceBorder, PlaceHealthFacility, PlaceShelter, PlaceOffice, PlacePolice, PlaceWorkplace, PlaceOther}

// Valid reports whether k is a known place kind.
func (k PlaceKind) Valid() bool {
	for _, x := range PlaceKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Encounter is one meeting with a person.
type Encounter struct {
	ID         string
	OrgID      string
	PersonID   string
	OccurredAt time.Time
	PlaceKind  PlaceKind
	Narrative  Sealed // class narrative; optional
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate checks an encounter before it is stored.
func (e *Encounter) Validate() error {
	switch {
	case e.OrgID == "":
		return Invalid("org_id", "org_id is required.")
	case e.PersonID == "":
		return Invalid("person_id", "person_id is required.")
	case e.CreatedBy == "":
		return Invalid("created_by", "created_by is required.")
	case e.OccurredAt.IsZero():
		return Invalid("occurred_at", "occurred_at is required.")
	case !e.PlaceKind.Valid():
		return Invalid("place_kind", "place_kind is not a known kind of place.")
	}
	return validSealed("narrative", e.Narrative)
}

// EncounterFilter selects encounters of one organization.
type EncounterFilter struct {
	OrgID     string // required
	PersonID  *string
	CreatedBy *string
	Page
}

// EncounterUpdate holds the fields to change; nil means unchanged.
type EncounterUpdate struct {
	OccurredAt *time.Time
	PlaceKind  *PlaceKind
	Narrative  *Sealed // pointer to nil clears
}

// EncounterStore stores encounters.
type EncounterStore interface {
	FindEncounterByID(ctx context.Context, orgID, id string) (*Encounter, error)
	FindEncounters(ctx context.Context, f EncounterFilter) ([]*Encounter, string, error)
	// CreateEncounter returns KindInvalid if the person is not in the
	// organization.
	CreateEncounter(ctx context.Context, e *Encounter) error
	UpdateEncounter(ctx context.Context, orgID, id string, upd EncounterUpdate) (*Encounter, error)
}

// Note is a sealed free-text note about a person. Its data class says what
// kind of information it holds, so that the policy can hide, say, health
// notes from a role that may read narrative ones.
type Note struct {
	ID        string
	OrgID     string
	PersonID  string
	AuthorID  string
	DataClass DataClass
	Body      Sealed
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a note before it is stored.
func (n *Note) Validate() error {
	switch {
	case n.OrgID == "":
		return Invalid("org_id", "org_id is required.")
	case n.PersonID == "":
		return Invalid("person_id", "person_id is required.")
	case n.AuthorID == "":
		return Invalid("author_id", "author_id is required.")
	case !n.DataClass.Valid():
		return Invalid("data_class", "data_class is not a known data class.")
	case n.Body == nil:
		return Invalid("body", "A note needs a body.")
	}
	return validSealed("body", n.Body)
}

// NoteFilter selects notes of one organization.
type NoteFilter struct {
	OrgID    string // required
	PersonID *string
	AuthorID *string
	// DataClasses, when not empty, keeps only notes of these classes.
	DataClasses []DataClass
	Page
}

// NoteUpdate holds the fields to change; nil means unchanged.
type NoteUpdate struct {
	DataClass *DataClass
	Body      *Sealed
}

// NoteStore stores notes.
type NoteStore interface {
	FindNoteByID(ctx context.Context, orgID, id string) (*Note, error)
	FindNotes(ctx context.Context, f NoteFilter) ([]*Note, string, error)
	CreateNote(ctx context.Context, n *Note) error
	UpdateNote(ctx context.Context, orgID, id string, upd NoteUpdate) (*Note, error)
	// DeleteNote returns KindNotFound.
	DeleteNote(ctx context.Context, orgID, id string) error
}

// TaskStatus is where a task stands.
type TaskStatus string

// The task statuses.
const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// Valid reports whether s is a known task status.
func (s TaskStatus) Valid() bool {
	return s == TaskOpen || s == TaskDone || s == TaskCancelled
}

// Task is a follow-up for staff. Its title is sealed: "book clinic for
// Maria" identifies someone as surely as a name field does.
type Task struct {
	ID          string
	OrgID       string
	PersonID    string // optional
	Title       Sealed
	Status      TaskStatus
	DueAt       *time.Time
	AssigneeID  string // optional
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time // set when the status leaves open
}

// Validate checks a task before it is stored.
func (t *Task) Validate() error {
	switch {
	case t.OrgID == "":
		return Invalid("org_id", "org_id is required.")
	case t.CreatedBy == "":
		return Invalid("created_by", "created_by is required.")
	case t.Title == nil:
		return Invalid("title", "A task needs a title.")
	case !t.Status.Valid():
		return Invalid("status", "status must be open, done or cancelled.")
	}
	return validSealed("title", t.Title)
}

// TaskFilter selects tasks of one organization.
type TaskFilter struct {
	OrgID      string // required
	PersonID   *string
	AssigneeID *string
	Status     *TaskStatus
	DueBefore  *time.Time
	Page
}

// TaskUpdate holds the fields to change; nil means unchanged.
type TaskUpdate struct {
	Title      *Sealed
	Status     *TaskStatus
	DueAt      **time.Time // pointer to nil clears the due date
	AssigneeID *string     // "" clears
}

// TaskStore stores tasks.
type TaskStore interface {
	FindTaskByID(ctx context.Context, orgID, id string) (*Task, error)
	FindTasks(ctx context.Context, f TaskFilter) ([]*Task, string, error)
	CreateTask(ctx context.Context, t *Task) error
	UpdateTask(ctx context.Context, orgID, id string, upd TaskUpdate) (*Task, error)
	// DeleteTask returns KindNotFound.
	DeleteTask(ctx context.Context, orgID, id string) error
}
