package sqldb

import (
	"context"
	"encoding/json"

	"github.com/discern-org/discern/internal/discern"
)

const planCols = `org_id, id, person_id, screening_id, pathway_id, jurisdiction, class, status, steps, clocks, notes,
	created_by, created_at, updated_at, version`

func scanPlan(s scanner) (*discern.PlanItem, error) {
	var p discern.PlanItem
	var class, status, steps, clocks string
	if err := s.Scan(&p.OrgID, &p.ID, &p.PersonID, &p.ScreeningID, &p.PathwayID, &p.Jurisdiction, &class, &status,
		&steps, &clocks, blob(&p.Notes), &p.CreatedBy, tm{&p.CreatedAt}, tm{&p.UpdatedAt}, &p.Version); err != nil {
		return nil, err
	}
	p.Class, p.Status = discern.DataClass(class), discern.PlanStatus(status)
	if err := json.Unmarshal([]byte(steps), &p.Steps); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(clocks), &p.Clocks); err != nil {
		return nil, err
	}
	return &p, nil
}

// dateJSON is how a plan's dates are kept in its JSON columns.
func planJSON(p *discern.PlanItem) (string, string, error) {
	steps, err := json.Marshal(p.Steps)
	if err != nil {
		return "", "", err
	}
	clocks, err := json.Marshal(p.Clocks)
	return string(steps), string(clocks), err
}

// CreatePlanItem stores a new plan item; the person must be in the
// organization.
func (tx *Tx) CreatePlanItem(ctx context.Context, p *discern.PlanItem) error {
	if err := tx.fillID(&p.ID); err != nil {
		return err
	}
	if p.Steps == nil {
		p.Steps = []discern.PlanStep{}
	}
	if p.Clocks == nil {
		p.Clocks = []discern.PlanClock{}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	steps, clocks, err := planJSON(p)
	if err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt, p.Version = tx.now, tx.now, 1
	_, err = tx.exec(ctx, "INSERT INTO plan_items ("+planCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
		p.OrgID, p.ID, p.PersonID, p.ScreeningID, p.PathwayID, p.Jurisdiction, string(p.Class), string(p.Status),
		steps, clocks, nullBytes(p.Notes), p.CreatedBy, tx.now, tx.now, p.Version)
	return mapError("create plan item", err)
}

// FindPlanItemByID returns KindNotFound.
func (r reader) FindPlanItemByID(ctx context.Context, orgID, id string) (*discern.PlanItem, error) {
	return r.findPlan(ctx, orgID, id, "")
}

func (r reader) findPlan(ctx context.Context, orgID, id, lock string) (*discern.PlanItem, error) {
	if orgID == "" {
		return nil, errOrgRequired
	}
	p, err := scanPlan(r.q.QueryRowContext(ctx, "SELECT "+planCols+" FROM plan_items WHERE org_id = $1 AND id = $2"+lock, orgID, id))
	if err != nil {
		return nil, findErr("find plan item", "plan", err)
	}
	return p, nil
}

// activeStatuses is the SQL list of statuses whose clocks still matter.
const activeStatuses = "('considering', 'preparing', 'submitted', 'decided_granted')"

// FindPlanItems lists plan items, oldest first.
func (r reader) FindPlanItems(ctx context.Context, f discern.PlanFilter) ([]*discern.PlanItem, error) {
	if f.OrgID == "" {
		return nil, errOrgRequired
	}
	q := &query{}
	q.where("org_id = %s", f.OrgID)
	q.eq("person_id", f.PersonID)
	if f.ActiveOnly {
		q.where("status IN " + activeStatuses)
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+planCols+" FROM plan_items"+q.whereSQL()+" ORDER BY created_at, id", q.args...)
	if err != nil {
		return nil, mapError("find plan items", err)
	}
	ps, err := collect(rows, scanPlan)
	return ps, mapError("find plan items", err)
}

// FindActivePlanItems lists every active plan item of every organization.
func (r reader) FindActivePlanItems(ctx context.Context) ([]*discern.PlanItem, error) {
	rows, err := r.q.QueryContext(ctx, "SELECT "+planCols+" FROM plan_items WHERE status IN "+activeStatuses+" ORDER BY org_id, created_at, id")
	if err != nil {
		return nil, mapError("find active plan items", err)
	}
	ps, err := collect(rows, scanPlan)
	return ps, mapError("find active plan items", err)
}

// UpdatePlanItem changes the fields set in upd if upd.Version is the
// stored version. A status move must be one the domain allows.
func (tx *Tx) UpdatePlanItem(ctx context.Context, orgID, id string, upd discern.PlanUpdate) (*discern.PlanItem, error) {
	p, err := tx.findPlan(ctx, orgID, id, tx.forUpdate())
	if err != nil {
		return nil, err
	}
	if upd.Version != p.Version {
		return nil, discern.Errorf(discern.KindConflict, "This plan was changed by someone else; reload it and try again.")
	}
	if upd.Status != nil && *upd.Status != p.Status {
		if err := p.Move(*upd.Status); err != nil {
			return nil, err
		}
	}
	if upd.Steps != nil {
		p.Steps = upd.Steps
	}
	if upd.Clocks != nil {
		p.Clocks = upd.Clocks
	}
	if upd.Notes != nil {
		p.Notes = *upd.Notes
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	steps, clocks, err := planJSON(p)
	if err != nil {
		return nil, err
	}
	p.UpdatedAt, p.Version = tx.now, p.Version+1
	_, err = tx.exec(ctx, `UPDATE plan_items SET status = $3, steps = $4, clocks = $5, notes = $6, updated_at = $7, version = $8
		WHERE org_id = $1 AND id = $2`, orgID, id, string(p.Status), steps, clocks, nullBytes(p.Notes), tx.now, p.Version)
	if err != nil {
		return nil, mapError("update plan item", err)
	}
	return p, nil
}

// PutContactSafety inserts or replaces a person's contact-safety record.
func (tx *Tx) PutContactSafety(ctx context.Context, c *discern.ContactSafetyRecord) error {
	if c.OrgID == "" || c.PersonID == "" || c.UpdatedBy == "" {
		return discern.Invalid("person_id", "Contact safety belongs to a person and names who recorded it.")
	}
	if len(c.Rules) < discern.MinSealedLen {
		return discern.Invalid("rules", "Contact safety must be encrypted before it is stored.")
	}
	c.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO contact_safety (org_id, person_id, rules, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (org_id, person_id) DO UPDATE SET rules = excluded.rules, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		c.OrgID, c.PersonID, []byte(c.Rules), c.UpdatedBy, tx.now)
	return mapError("put contact safety", err)
}

// FindContactSafety returns KindNotFound when nothing is recorded.
func (r reader) FindContactSafety(ctx context.Context, orgID, personID string) (*discern.ContactSafetyRecord, error) {
	if orgID == "" {
		return nil, errOrgRequired
	}
	var c discern.ContactSafetyRecord
	err := r.q.QueryRowContext(ctx, "SELECT org_id, person_id, rules, updated_by, updated_at FROM contact_safety WHERE org_id = $1 AND person_id = $2",
		orgID, personID).Scan(&c.OrgID, &c.PersonID, blob(&c.Rules), &c.UpdatedBy, tm{&c.UpdatedAt})
	if err != nil {
		return nil, findErr("find contact safety", "contact safety record", err)
	}
	return &c, nil
}

const noticeCols = `org_id, id, person_id, user_id, audience, class, source, source_id, subject, kind, due, channel, state,
	reason, dedupe_key, created_at, updated_at`

func scanNotice(s scanner) (*discern.Notification, error) {
	var n discern.Notification
	var audience, class, kind, due, channel, state string
	if err := s.Scan(&n.OrgID, &n.ID, &n.PersonID, &n.UserID, &audience, &class, &n.Source, &n.SourceID, &n.Subject,
		&kind, &due, &channel, &state, &n.Reason, &n.Key, tm{&n.CreatedAt}, tm{&n.UpdatedAt}); err != nil {
		return nil, err
	}
	n.Audience, n.Class, n.Kind = discern.Audience(audience), discern.DataClass(class), discern.ReminderKind(kind)
	n.Channel, n.State = discern.ContactChannel(channel), discern.NoticeState(state)
	d, err := discern.ParseDate(due)
	if err != nil {
		return nil, err
	}
	n.Due = d
	return &n, nil
}

// AddNotification stores n unless its key exists in its organization.
func (tx *Tx) AddNotification(ctx context.Context, n *discern.Notification) (bool, error) {
	if err := tx.fillID(&n.ID); err != nil {
		return false, err
	}
	if err := n.Validate(); err != nil {
		return false, err
	}
	n.CreatedAt, n.UpdatedAt = tx.now, tx.now
	res, err := tx.exec(ctx, "INSERT INTO notifications ("+noticeCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (org_id, dedupe_key) DO NOTHING`,
		n.OrgID, n.ID, n.PersonID, n.UserID, string(n.Audience), string(n.Class), n.Source, n.SourceID, n.Subject, string(n.Kind),
		n.Due.String(), string(n.Channel), string(n.State), n.Reason, n.Key, tx.now, tx.now)
	if err != nil {
		return false, mapError("add notification", err)
	}
	k, err := res.RowsAffected()
	return k == 1, mapError("add notification", err)
}

// FindNotificationByKey returns KindNotFound.
func (r reader) FindNotificationByKey(ctx context.Context, orgID, key string) (*discern.Notification, error) {
	n, err := scanNotice(r.q.QueryRowContext(ctx, "SELECT "+noticeCols+" FROM notifications WHERE org_id = $1 AND dedupe_key = $2", orgID, key))
	if err != nil {
		return nil, findErr("find notification", "notification", err)
	}
	return n, nil
}

// FindNotificationByID returns KindNotFound.
func (r reader) FindNotificationByID(ctx context.Context, orgID, id string) (*discern.Notification, error) {
	n, err := scanNotice(r.q.QueryRowContext(ctx, "SELECT "+noticeCols+" FROM notifications WHERE org_id = $1 AND id = $2", orgID, id))
	if err != nil {
		return nil, findErr("find notification", "notification", err)
	}
	return n, nil
}

// SetNotificationState changes a notification's state, channel and reason.
func (tx *Tx) SetNotificationState(ctx context.Context, orgID, id string, state discern.NoticeState, channel discern.ContactChannel, reason string) error {
	if !state.Valid() || (channel != "" && !channel.Valid()) {
		return discern.Invalid("state", "Not a notification state or channel.")
	}
	res, err := tx.exec(ctx, "UPDATE notifications SET state = $3, channel = $4, reason = $5, updated_at = $6 WHERE org_id = $1 AND id = $2",
		orgID, id, string(state), string(channel), reason, tx.now)
	if err != nil {
		return mapError("set notification state", err)
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return notFound("notification")
	}
	return nil
}

// FindNotifications lists notifications, newest first.
func (r reader) FindNotifications(ctx context.Context, f discern.NotificationFilter) ([]*discern.Notification, error) {
	if f.OrgID == "" {
		return nil, errOrgRequired
	}
	q := &query{}
	q.where("org_id = %s", f.OrgID)
	q.eq("user_id", f.UserID)
	q.eq("person_id", f.PersonID)
	if f.Open {
		q.where("state <> 'dismissed'")
	}
	limit := f.Limit
	if limit <= 0 || limit > discern.MaxLimit {
		limit = 100
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+noticeCols+" FROM notifications"+q.whereSQL()+" ORDER BY created_at DESC, id DESC LIMIT "+q.arg(limit), q.args...)
	if err != nil {
		return nil, mapError("find notifications", err)
	}
	ns, err := collect(rows, scanNotice)
	return ns, mapError("find notifications", err)
}

// CreatePlanItem stores a plan item in a transaction of its own.
func (db *DB) CreatePlanItem(ctx context.Context, p *discern.PlanItem) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreatePlanItem(ctx, p) })
}

// UpdatePlanItem changes a plan item in a transaction of its own.
func (db *DB) UpdatePlanItem(ctx context.Context, orgID, id string, upd discern.PlanUpdate) (*discern.PlanItem, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.PlanItem, error) { return tx.UpdatePlanItem(ctx, orgID, id, upd) })
}

// PutContactSafety stores contact safety in a transaction of its own.
func (db *DB) PutContactSafety(ctx context.Context, c *discern.ContactSafetyRecord) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.PutContactSafety(ctx, c) })
}

// AddNotification stores a notification in a transaction of its own.
func (db *DB) AddNotification(ctx context.Context, n *discern.Notification) (bool, error) {
	return withTx(ctx, db, func(tx *Tx) (bool, error) { return tx.AddNotification(ctx, n) })
}

// SetNotificationState changes a notification in a transaction of its own.
func (db *DB) SetNotificationState(ctx context.Context, orgID, id string, state discern.NoticeState, channel discern.ContactChannel, reason string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.SetNotificationState(ctx, orgID, id, state, channel, reason) })
}
