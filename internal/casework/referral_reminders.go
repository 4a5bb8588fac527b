package casework

import (
	"context"
	"time"

	"github.com/discern-org/discern/internal/auth"
	"github.com/discern-org/discern/internal/discern"
	"github.com/discern-org/discern/internal/sqldb"
)

// Subjects of referral reminders. They name the state the referral waits
// in and nothing else: the text is made from them when shown, so no name,
// need or recipient ever sits in the outbox.
const (
	// ReferralWaitingSubject is the receiving organization's reminder:
	// "a referral is waiting", nothing about the person.
	ReferralWaitingSubject = "referral.waiting"
	// referralSubjectPrefix + state is the sender's reminder.
	referralSubjectPrefix = "referral."
)

// ReferralReminders is the reminder source of referrals that wait too
// long in one state (discern.DefaultReferralAgeing unless Ageing is set):
// the sender (the referral's creator) is reminded that it has not moved,
// and, when the recipient organization uses Discern, its intake staff are
// told that a referral is waiting, with nothing personal.
type ReferralReminders struct {
	DB     *sqldb.DB
	Ageing discern.ReferralAgeing
	// Now is the clock: ageing is counted in hours from the moment the
	// referral entered its state, not in calendar days.
	Now func() time.Time
}

// ReferralReminders is the service's referral reminder source, on its
// store and clock.
func (s *Service) ReferralReminders() ReferralReminders {
	return ReferralReminders{DB: s.db, Ageing: discern.DefaultReferralAgeing, Now: func() time.Time { return s.now() }}
}

// Reminders lists the referrals that have waited too long. Each reminder
// is dated the day the wait became too long, so the sweep makes it once
// per state the referral waits in, however often it runs.
func (r ReferralReminders) Reminders(ctx context.Context, today discern.Date) ([]Reminder, error) {
	ageing := r.Ageing
	if ageing == nil {
		ageing = discern.DefaultReferralAgeing
	}
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	refs, err := r.DB.FindOpenReferrals(ctx)
	if err != nil {
		return nil, err
	}
	receivers := map[string][]string{} // recipient organization -> its intake staff
	var out []Reminder
	for _, ref := range refs {
		over, since := ageing.Overdue(ref.State, ref.StateSince, now)
		if !over {
			continue
		}
		person, err := r.DB.FindPersonByID(ctx, ref.OrgID, ref.PersonID)
		if err != nil || person.ErasedAt != nil {
			// An erased person's referral reminds nobody of anything.
			continue
		}
		due := discern.DateOf(since, time.UTC)
		out = append(out, Reminder{OrgID: ref.OrgID, PersonID: ref.PersonID, WorkerID: ref.CreatedBy, Class: discern.ClassCase,
			Source: "referral", SourceID: ref.ID, Subject: referralSubjectPrefix + string(ref.State), Kind: discern.ReminderOverdue, Due: due})
		if ref.RecipientOrgID == "" {
			continue // outside Discern: the sender records its answers
		}
		staff, err := r.recipientStaff(ctx, ref, receivers)
		if err != nil {
			return nil, err
		}
		for _, u := range staff {
			out = append(out, Reminder{OrgID: ref.RecipientOrgID, WorkerID: u, Class: discern.ClassCase, Source: "referral",
				SourceID: ref.ID, Subject: ReferralWaitingSubject, Kind: discern.ReminderOverdue, Due: due, PerWorker: true})
		}
	}
	return out, nil
}

// recipientStaff is who to tell in the receiving organization: the staff
// member who last moved the referral there, or, while nobody has, every
// active user whose role may read the organization's inbox.
func (r ReferralReminders) recipientStaff(ctx context.Context, ref *discern.Referral, cache map[string][]string) ([]string, error) {
	evs, err := r.DB.FindReferralEvents(ctx, ref.ID)
	if err != nil {
		return nil, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if e.Side == discern.SideRecipient && !e.OnBehalf && e.ActorOrg == ref.RecipientOrgID && e.ActorID != "" {
			if u, err := r.DB.FindUserByID(ctx, ref.RecipientOrgID, e.ActorID); err == nil && !u.Disabled {
				return []string{u.ID}, nil
			}
			break
		}
	}
	if staff, ok := cache[ref.RecipientOrgID]; ok {
		return staff, nil
	}
	active := false
	users, _, err := r.DB.FindUsers(ctx, discern.UserFilter{OrgID: ref.RecipientOrgID, Disabled: &active, Page: discern.Page{Limit: 200}})
	if err != nil {
		return nil, err
	}
	var staff []string
	for _, u := range users {
		p := auth.Principal{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, MFAEnrolled: true, MFAVerified: true}
		if auth.Decide(p, auth.ReferralsReceive, auth.Resource{OrgID: u.OrgID, List: true}).Allowed {
			staff = append(staff, u.ID)
		}
	}
	cache[ref.RecipientOrgID] = staff
	return staff, nil
}
