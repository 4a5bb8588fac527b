package casework

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// Reminder is something coming due that a ReminderSource found: the sweep
// turns it into a notification for the worker and, when ToPerson is set,
// one for the person, routed by their contact safety.
type Reminder struct {
	OrgID    string
	PersonID string // optional
	WorkerID string // the staff member to remind
	Class    discern.DataClass
	Source   string // names the source: "plan", "referral", …
	SourceID string
	Subject  string // what is due, e.g. "<pathway id>.<clock id>"
	Kind     discern.ReminderKind
	Due      discern.Date
	ToPerson bool
	// PerWorker makes one notification per worker rather than one per
	// record: several staff of an organization are reminded of the same
	// thing (a referral waiting in their organization's inbox).
	PerWorker bool
}

// key is the reminder's idempotency key for an audience: one notification
// per source record, subject, date, kind and audience, however often the
// sweep runs (and whoever runs it: several replicas may sweep at once).
func (r Reminder) key(aud discern.Audience) string {
	k := fmt.Sprintf("%s/%s/%s/%s/%s/%s", r.Source, r.SourceID, r.Subject, r.Due, r.Kind, aud)
	if r.PerWorker && aud == discern.AudienceWorker {
		k += "/" + r.WorkerID
	}
	return k
}

// ReminderSource finds reminders due on today. To add one (referrals that
// sit unanswered, say), implement it over the store and pass it to
// NewSweeper: the sweep does the rest — notifications, contact safety,
// idempotency and audit.
type ReminderSource interface {
	Reminders(ctx context.Context, today discern.Date) ([]Reminder, error)
}

// Sender delivers a person notification that contact safety allows.
// Discern has no SMS or e-mail gateway: the only Sender, WorkerOutbox,
// records it in the outbox as ready for the worker to deliver.
type Sender interface {
	Send(ctx context.Context, tx *sqldb.Tx, n *discern.Notification) error
}

// WorkerOutbox is the Sender that marks a notification ready for the
// worker to deliver on the channel chosen. It sends nothing itself.
type WorkerOutbox struct{}

// Send marks n ready in the outbox.
func (WorkerOutbox) Send(ctx context.Context, tx *sqldb.Tx, n *discern.Notification) error {
	n.State, n.Reason = discern.NoticeReady, ""
	if n.ID == "" {
		_, err := tx.AddNotification(ctx, n)
		return err
	}
	return tx.SetNotificationState(ctx, n.OrgID, n.ID, n.State, n.Channel, "")
}

// PlanReminders is the reminder source of plan clocks: for every active
// plan, each clock within DueSoonDays, due today or overdue.
type PlanReminders struct{ DB *sqldb.DB }

// Reminders lists the plan clocks coming due.
func (p PlanReminders) Reminders(ctx context.Context, today discern.Date) ([]Reminder, error) {
	plans, err := p.DB.FindActivePlanItems(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, pl := range plans {
		person, err := p.DB.FindPersonByID(ctx, pl.OrgID, pl.PersonID)
		if err != nil || person.ErasedAt != nil {
			continue
		}
		worker := person.AssignedTo
		if worker == "" {
			worker = pl.CreatedBy
		}
		for _, c := range pl.Clocks {
			var kind discern.ReminderKind
			switch c.StateOn(today) {
			case discern.ClockDueSoon:
				kind = discern.ReminderDueSoon
			case discern.ClockDueToday:
				kind = discern.ReminderDueToday
			case discern.ClockOverdue:
				kind = discern.ReminderOverdue
			default:
				continue
			}
			due, _ := c.DueDate()
			out = append(out, Reminder{OrgID: pl.OrgID, PersonID: pl.PersonID, WorkerID: worker, Class: pl.Class,
				Source: "plan", SourceID: pl.ID, Subject: pl.PathwayID + "." + c.ID, Kind: kind, Due: due, ToPerson: c.RemindPerson})
		}
	}
	return out, nil
}

// Sweeper makes notifications from reminder sources.
type Sweeper struct {
	svc     *Service
	sources []ReminderSource
	sender  Sender
	loc     *time.Location
}

// NewSweeper returns a sweeper over sources; dates are counted in loc
// (UTC when nil).
func (s *Service) NewSweeper(sender Sender, loc *time.Location, sources ...ReminderSource) *Sweeper {
	if loc == nil {
		loc = time.UTC
	}
	return &Sweeper{svc: s, sources: sources, sender: sender, loc: loc}
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Created  int // new notifications
	Released int // held ones now sent because a safe window opened
}

// Sweep runs every source once. It is idempotent: each notification has a
// key, stored once per organization, so a second run (or a run
// interrupted and started again) adds nothing. Each notification is
// written with its audit entry in one transaction.
func (w *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	now := w.svc.now()
	today := discern.DateOf(now, w.loc)
	for _, src := range w.sources {
		rs, err := src.Reminders(ctx, today)
		if err != nil {
			return res, err
		}
		for _, r := range rs {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			c, rel, err := w.one(ctx, r, now)
			if err != nil {
				return res, err
			}
			res.Created += c
			res.Released += rel
		}
	}
	return res, nil
}

func (w *Sweeper) one(ctx context.Context, r Reminder, now time.Time) (created, released int, err error) {
	s := w.svc
	base := discern.Notification{OrgID: r.OrgID, PersonID: r.PersonID, UserID: r.WorkerID, Class: r.Class, Source: r.Source,
		SourceID: r.SourceID, Subject: r.Subject, Kind: r.Kind, Due: r.Due}
	var person *discern.Notification
	if r.ToPerson && r.PersonID != "" {
		cs, err := s.contactSafety(ctx, r.OrgID, r.PersonID)
		if err != nil {
			return 0, 0, err
		}
		var rules *discern.ContactSafety
		if cs.Recorded {
			rules = &cs.Rules
		}
		n := base
		n.Audience, n.Key = discern.AudiencePerson, r.key(discern.AudiencePerson)
		n.Channel, n.State, n.Reason = discern.RoutePersonNotice(rules, now)
		person = &n
	}
	err = s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		created, released = 0, 0
		wn := base
		wn.Audience, wn.State, wn.Key = discern.AudienceWorker, discern.NoticeShown, r.key(discern.AudienceWorker)
		ok, err := tx.AddNotification(ctx, &wn)
		if err != nil {
			return err
		}
		if ok {
			created++
			if err := w.audit(ctx, tx, &wn); err != nil {
				return err
			}
		}
		if person == nil {
			return nil
		}
		old, err := tx.FindNotificationByKey(ctx, r.OrgID, person.Key)
		switch {
		case discern.KindOf(err) == discern.KindNotFound:
			if person.State == discern.NoticeReady {
				err = w.sender.Send(ctx, tx, person)
			} else {
				_, err = tx.AddNotification(ctx, person)
			}
			if err != nil {
				return err
			}
			created++
			return w.audit(ctx, tx, person)
		case err != nil:
			return err
		case old.State == discern.NoticeOutsideWindow && person.State == discern.NoticeReady:
			// A safe window opened since the last sweep.
			old.Channel = person.Channel
			if err := w.sender.Send(ctx, tx, old); err != nil {
				return err
			}
			released++
			return w.audit(ctx, tx, old)
		case (old.State == discern.NoticeOutsideWindow || old.State == discern.NoticeReady) &&
			(person.State == discern.NoticeDoNotContact || person.State == discern.NoticeViaWorker):
			// The person changed their rules: hold what was not delivered.
			return tx.SetNotificationState(ctx, old.OrgID, old.ID, person.State, person.Channel, person.Reason)
		}
		return nil
	})
	return created, released, err
}

// audit records a notification the system made; the entry names the
// class it is about (and contact, for a message routed to the person).
func (w *Sweeper) audit(ctx context.Context, tx *sqldb.Tx, n *discern.Notification) error {
	classes := []discern.DataClass{n.Class}
	if n.Audience == discern.AudiencePerson && n.Class != discern.ClassContact {
		classes = append(classes, discern.ClassContact)
	}
	_, err := w.svc.log.Append(ctx, tx, discern.AuditEntry{OrgID: n.OrgID, Action: "notification." + string(n.State),
		TargetType: "notification", TargetID: n.ID, DataClasses: classes, Outcome: discern.OutcomeSuccess, RequestID: "reminder-sweep"})
	return err
}

// Run sweeps every interval until ctx ends. A failed sweep is logged and
// tried again at the next tick; since sweeps are idempotent, a sweep cut
// short by shutdown simply finishes at the next start.
func (w *Sweeper) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := w.Sweep(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Error("reminder sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// NotificationView is a notification as the caller may see it: when the
// caller may not see its class, Subject is empty and Redacted says why.
type NotificationView struct {
	discern.Notification
	Redacted []discern.DataClass
}

// ListNotifications lists open notifications: the caller's own (personID
// empty) or those about a person. Each is decided against its person's
// record and redacted to the classes the caller may see.
func (s *Service) ListNotifications(ctx context.Context, a Actor, personID string) ([]*NotificationView, error) {
	f := discern.NotificationFilter{OrgID: a.OrgID, Open: true}
	if personID != "" {
		if _, _, err := s.personScope(ctx, a, personID, auth.NotificationsRead, discern.ClassCase); err != nil {
			return nil, err
		}
		f.PersonID = &personID
	} else {
		if _, err := decide(a, auth.NotificationsRead, auth.Resource{OrgID: a.OrgID, OwnerID: a.UserID, List: true}); err != nil {
			return nil, err
		}
		f.UserID = &a.UserID
	}
	list, err := s.db.FindNotifications(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*NotificationView, 0, len(list))
	for _, n := range list {
		v := &NotificationView{Notification: *n}
		var d auth.Decision
		if n.PersonID != "" {
			if p, err := s.db.FindPersonByID(ctx, a.OrgID, n.PersonID); err == nil {
				d = auth.Decide(a.Principal, auth.NotificationsRead, record(a, p.OrgID, p.CreatedBy, p.AssignedTo, p.TeamID, n.Class))
			}
		} else {
			d = auth.Decide(a.Principal, auth.NotificationsRead, auth.Resource{OrgID: a.OrgID, OwnerID: n.UserID, Classes: auth.Classes(n.Class)})
		}
		if !d.Allowed && n.UserID != a.UserID {
			continue
		}
		if !d.Classes.Has(n.Class) {
			v.Subject, v.SourceID, v.Redacted = "", "", []discern.DataClass{n.Class}
		}
		out = append(out, v)
	}
	return out, nil
}

// DismissNotification marks a notification dealt with; only the worker it
// is for may.
func (s *Service) DismissNotification(ctx context.Context, a Actor, id string) error {
	n, err := s.db.FindNotificationByID(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	if _, err := decide(a, auth.NotificationsRead, auth.Resource{OrgID: n.OrgID, OwnerID: n.UserID}); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.SetNotificationState(ctx, a.OrgID, id, discern.NoticeDismissed, n.Channel, n.Reason); err != nil {
			return err
		}
		_, err := s.log.Append(ctx, tx, entry(a, "notification.dismiss", "notification", id))
		return err
	})
}
