package discern

import (
	"context"
	"time"
)

// Audience is who a notification is for.
type Audience string

// The audiences. A worker notification is shown in Discern to the staff
// member; it is always allowed. A person notification is a message to the
// person supported, and obeys their ContactSafety.
const (
	AudienceWorker Audience = "worker"
	AudiencePerson Audience = "person"
)

// NoticeState is where a notification stands in the outbox.
type NoticeState string

// The notice states. Discern has no SMS or e-mail gateway: a person
// notification that may be sent is "ready", which means ready for the
// worker to deliver on the channel named. Held ones are shown to the
// worker with the reason and are never sent.
const (
	NoticeShown         NoticeState = "shown"          // a worker notification, in the app
	NoticeReady         NoticeState = "ready"          // ready for the worker to deliver on Channel
	NoticeViaWorker     NoticeState = "via_worker"     // held: no safe channel; tell the person in person, through the worker
	NoticeDoNotContact  NoticeState = "do_not_contact" // held: the person asked not to be contacted
	NoticeOutsideWindow NoticeState = "outside_window" // held: not a safe time; the sweep looks again later
	NoticeDismissed     NoticeState = "dismissed"      // the worker dealt with it
)

// Valid reports whether s is a known state.
func (s NoticeState) Valid() bool {
	switch s {
	case NoticeShown, NoticeReady, NoticeViaWorker, NoticeDoNotContact, NoticeOutsideWindow, NoticeDismissed:
		return true
	}
	return false
}

// ReminderKind says how a reminder relates to its date.
type ReminderKind string

// The reminder kinds.
const (
	ReminderDueSoon  ReminderKind = "due_soon"
	ReminderDueToday ReminderKind = "due_today"
	ReminderOverdue  ReminderKind = "overdue"
)

// Notification is one entry of the outbox. It holds no free text: the
// message is made, in the reader's language, from Subject and the ids in
// it when it is shown, so nothing personal needs sealing here.
type Notification struct {
	ID       string
	OrgID    string
	PersonID string // optional
	// UserID is the worker it is for (a worker notification) or who
	// delivers it (a person notification).
	UserID   string
	Audience Audience
	Class    DataClass // the data class of what it is about
	Source   string    // "plan", "referral", …: the reminder source
	SourceID string    // the record it is about
	Subject  string    // what it is about, e.g. "nrm_referral.reasonable_grounds_decision"
	Kind     ReminderKind
	Due      Date
	Channel  ContactChannel // for a person notification: the safe channel chosen
	State    NoticeState
	Reason   string // why it is held, in plain words
	// Key makes the sweep idempotent: one notification per key and
	// organization, however often the sweep runs.
	Key       string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks a notification before it is stored.
func (n *Notification) Validate() error {
	switch {
	case n.OrgID == "" || n.UserID == "":
		return Invalid("user_id", "A notification is for a worker of an organization.")
	case n.Audience != AudienceWorker && n.Audience != AudiencePerson:
		return Invalid("audience", "audience must be worker or person.")
	case n.Audience == AudiencePerson && n.PersonID == "":
		return Invalid("person_id", "A notification to a person names them.")
	case !n.Class.Valid():
		return Invalid("class", "class must be a data class.")
	case !validContentID(n.Source) || n.SourceID == "" || n.Subject == "" || len(n.Subject) > 200:
		return Invalid("source", "A notification names its source and subject.")
	case n.Kind != ReminderDueSoon && n.Kind != ReminderDueToday && n.Kind != ReminderOverdue:
		return Invalid("kind", "kind must be due_soon, due_today or overdue.")
	case !n.Due.Valid():
		return Invalid("due", "due must be a real day.")
	case n.Channel != "" && !n.Channel.Valid():
		return Invalid("channel", "%q is not a known channel.", n.Channel)
	case !n.State.Valid():
		return Invalid("state", "%q is not a notification state.", n.State)
	case n.Key == "" || len(n.Key) > 300:
		return Invalid("key", "A notification needs a key.")
	case len(n.Reason) > 500:
		return Invalid("reason", "reason is too long.")
	}
	return nil
}

// RoutePersonNotice decides how a message to the person may go at t:
// ready on the first safe channel that MayContact allows now; held when
// they asked not to be contacted, when only their worker may reach them,
// or when no safe channel is open at this time.
func RoutePersonNotice(cs *ContactSafety, t time.Time) (ContactChannel, NoticeState, string) {
	if cs != nil && cs.DoNotContact {
		_, why := cs.MayContact(ChannelSMS, t)
		return "", NoticeDoNotContact, why
	}
	direct := false
	var why string
	if cs != nil {
		for _, c := range cs.Channels {
			if c.Channel == ChannelViaWorker {
				continue
			}
			direct = true
			if ok, reason := cs.MayContact(c.Channel, t); ok {
				return c.Channel, NoticeReady, ""
			} else if why == "" {
				why = reason
			}
		}
	}
	if !direct {
		return ChannelViaWorker, NoticeViaWorker, "No safe channel is recorded for this person; deliver it through their worker."
	}
	return "", NoticeOutsideWindow, why
}

// NotificationFilter selects notifications.
type NotificationFilter struct {
	OrgID    string // required
	UserID   *string
	PersonID *string
	// Open keeps notifications that are not dismissed.
	Open  bool
	Limit int // 0: 100
}

// NotificationStore is the outbox.
type NotificationStore interface {
	// AddNotification stores n unless one with its key exists in its
	// organization; it reports whether n was stored.
	AddNotification(ctx context.Context, n *Notification) (bool, error)
	FindNotificationByKey(ctx context.Context, orgID, key string) (*Notification, error)
	// SetNotificationState changes a notification's state, channel and
	// reason; KindNotFound.
	SetNotificationState(ctx context.Context, orgID, id string, state NoticeState, channel ContactChannel, reason string) error
	FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
	FindNotificationByID(ctx context.Context, orgID, id string) (*Notification, error)
}

// ContactSafetyRecord is a person's stored contact-safety rules, sealed
// with the person's data key as class contact.
type ContactSafetyRecord struct {
	OrgID     string
	PersonID  string
	Rules     Sealed // the ContactSafety, as sealed JSON
	UpdatedBy string
	UpdatedAt time.Time
}

// ContactSafetyStore stores one record per person.
type ContactSafetyStore interface {
	// PutContactSafety inserts or replaces the person's record.
	PutContactSafety(ctx context.Context, r *ContactSafetyRecord) error
	// FindContactSafety returns KindNotFound when nothing is recorded.
	FindContactSafety(ctx context.Context, orgID, personID string) (*ContactSafetyRecord, error)
}
