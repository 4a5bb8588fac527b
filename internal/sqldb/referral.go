package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/discern-org/discern/internal/discern"
)

const referralCols = `id, org_id, person_id, recipient_kind, recipient_id, recipient_dir_org, recipient_name, recipient_org_id,
	needs, classes, basis, consents, exception_id, exception_reason, child_protection, packet, state, outcome,
	created_by, created_at, updated_at, state_since`

func scanReferral(s scanner) (*discern.Referral, error) {
	var r discern.Referral
	var kind, needs, classes, basis, consents, state, outcome string
	if err := s.Scan(&r.ID, &r.OrgID, &r.PersonID, &kind, &r.Recipient.ID, &r.Recipient.OrgID, &r.RecipientName,
		&r.RecipientOrgID, &needs, &classes, &basis, &consents, &r.ExceptionID, blob(&r.ExceptionReason), &r.ChildProtection,
		blob(&r.Packet), &state, &outcome, &r.CreatedBy, tm{&r.CreatedAt}, tm{&r.UpdatedAt}, tm{&r.StateSince}); err != nil {
		return nil, err
	}
	r.Recipient.Kind, r.Basis = discern.RecipientKind(kind), discern.ReferralBasisKind(basis)
	r.State, r.Outcome = discern.ReferralState(state), discern.ReferralOutcome(outcome)
	r.Needs, r.Classes = splitCodes[string](needs), splitCodes[discern.DataClass](classes)
	refs, err := parseConsentRefs(consents)
	if err != nil {
		return nil, err
	}
	r.Consents = refs
	return &r, nil
}

// Consent references are stored as "id:version,id:version".
func joinConsentRefs(refs []discern.ConsentRef) string {
	parts := make([]string, len(refs))
	for i, c := range refs {
		parts[i] = c.ID + ":" + strconv.Itoa(c.Version)
	}
	return strings.Join(parts, ",")
}

func parseConsentRefs(s string) ([]discern.ConsentRef, error) {
	var out []discern.ConsentRef
	for _, p := range splitCodes[string](s) {
		id, v, ok := strings.Cut(p, ":")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return nil, fmt.Errorf("referral consents: bad reference %q", p)
		}
		out = append(out, discern.ConsentRef{ID: id, Version: n})
	}
	return out, nil
}

// FindReferral returns a referral by ID, whichever organization sent it.
func (r reader) FindReferral(ctx context.Context, id string) (*discern.Referral, error) {
	ref, err := scanReferral(r.q.QueryRowContext(ctx, "SELECT "+referralCols+" FROM referrals WHERE id = $1", id))
	if err != nil {
		return nil, findErr("find referral", "referral", err)
	}
	return ref, nil
}

// FindReferrals returns referrals, newest first: those an organization
// sent (optionally for one person), or those sent to an organization.
func (r reader) FindReferrals(ctx context.Context, f discern.ReferralFilter) ([]*discern.Referral, error) {
	var where string
	var args []any
	switch {
	case f.OrgID != "" && f.PersonID != "":
		where, args = "org_id = $1 AND person_id = $2", []any{f.OrgID, f.PersonID}
	case f.OrgID != "":
		where, args = "org_id = $1", []any{f.OrgID}
	case f.RecipientOrgID != "":
		where, args = "recipient_org_id = $1", []any{f.RecipientOrgID}
	default:
		return nil, errOrgRequired
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+referralCols+" FROM referrals WHERE "+where+
		" ORDER BY created_at DESC, id DESC LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, mapError("find referrals", err)
	}
	refs, err := collect(rows, scanReferral)
	return refs, mapError("find referrals", err)
}

// FindReferralEvents returns a referral's history, oldest first.
func (r reader) FindReferralEvents(ctx context.Context, referralID string) ([]*discern.ReferralEvent, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT referral_id, seq, from_state, to_state, side, on_behalf, actor_id, actor_org,
		outcome, reason, at FROM referral_events WHERE referral_id = $1 ORDER BY seq`, referralID)
	if err != nil {
		return nil, mapError("find referral events", err)
	}
	evs, err := collect(rows, func(s scanner) (*discern.ReferralEvent, error) {
		var e discern.ReferralEvent
		var from, to, side, outcome string
		if err := s.Scan(&e.ReferralID, &e.Seq, &from, &to, &side, &e.OnBehalf, &e.ActorID, &e.ActorOrg, &outcome,
			blob(&e.Reason), tm{&e.At}); err != nil {
			return nil, err
		}
		e.From, e.To, e.Side, e.Outcome = discern.ReferralState(from), discern.ReferralState(to), discern.ReferralSide(side), discern.ReferralOutcome(outcome)
		return &e, nil
	})
	return evs, mapError("find referral events", err)
}

// CreateReferral stores a referral and its first event (requested).
func (tx *Tx) CreateReferral(ctx context.Context, r *discern.Referral) error {
	if r.ID == "" {
		if err := tx.fillID(&r.ID); err != nil {
			return err
		}
	}
	if err := r.Validate(); err != nil {
		return err
	}
	r.CreatedAt, r.UpdatedAt, r.StateSince = tx.now, tx.now, tx.now
	_, err := tx.exec(ctx, "INSERT INTO referrals ("+referralCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
		$12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		r.ID, r.OrgID, r.PersonID, string(r.Recipient.Kind), r.Recipient.ID, r.Recipient.OrgID, r.RecipientName,
		r.RecipientOrgID, joinCodes(r.Needs), joinCodes(r.Classes), string(r.Basis), joinConsentRefs(r.Consents),
		r.ExceptionID, nullBytes(r.ExceptionReason), r.ChildProtection, []byte(r.Packet), string(r.State),
		string(r.Outcome), r.CreatedBy, tx.now, tx.now, tx.now)
	if err != nil {
		return mapError("create referral", err)
	}
	return tx.addReferralEvent(ctx, &discern.ReferralEvent{ReferralID: r.ID, Seq: 1, To: r.State, Side: discern.SideSender,
		ActorID: r.CreatedBy, ActorOrg: r.OrgID})
}

func (tx *Tx) addReferralEvent(ctx context.Context, e *discern.ReferralEvent) error {
	e.At = tx.now
	_, err := tx.exec(ctx, `INSERT INTO referral_events (referral_id, seq, from_state, to_state, side, on_behalf, actor_id,
		actor_org, outcome, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ReferralID, e.Seq, string(e.From), string(e.To), string(e.Side), e.OnBehalf, e.ActorID, e.ActorOrg,
		string(e.Outcome), nullBytes(e.Reason), tx.now)
	return mapError("add referral event", err)
}

// MoveReferral moves r from e.From to e.To and records the event. A
// referral that is no longer in e.From (someone moved it first) is a
// conflict. r is updated in place.
func (tx *Tx) MoveReferral(ctx context.Context, r *discern.Referral, e *discern.ReferralEvent) error {
	res, err := tx.exec(ctx, `UPDATE referrals SET state = $1, outcome = $2, updated_at = $3, state_since = $3
		WHERE id = $4 AND state = $5`, string(e.To), string(e.Outcome), tx.now, r.ID, string(e.From))
	if err != nil {
		return mapError("move referral", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return discern.Errorf(discern.KindConflict, "This referral was changed by someone else; reload it and try again.")
	}
	var seq int
	if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM referral_events WHERE referral_id = $1", r.ID).Scan(&seq); err != nil {
		return mapError("move referral", err)
	}
	e.ReferralID, e.Seq = r.ID, seq+1
	if err := tx.addReferralEvent(ctx, e); err != nil {
		return err
	}
	r.State, r.Outcome, r.UpdatedAt, r.StateSince = e.To, e.Outcome, tx.now, tx.now
	return nil
}

// CreateReferral stores a referral in a transaction of its own.
func (db *DB) CreateReferral(ctx context.Context, r *discern.Referral) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateReferral(ctx, r) })
}

// MoveReferral moves a referral in a transaction of its own.
func (db *DB) MoveReferral(ctx context.Context, r *discern.Referral, e *discern.ReferralEvent) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.MoveReferral(ctx, r, e) })
}

// openReferralStates is the SQL list of the states a referral can still
// leave: the ones that can age.
const openReferralStates = "('requested', 'received', 'accepted', 'in_progress')"

// FindOpenReferrals lists every referral of every organization that is
// not in a final state, oldest state first, for the reminder sweep (a
// system job: callers decide nothing here and show nothing of it).
func (r reader) FindOpenReferrals(ctx context.Context) ([]*discern.Referral, error) {
	rows, err := r.q.QueryContext(ctx, "SELECT "+referralCols+" FROM referrals WHERE state IN "+openReferralStates+
		" ORDER BY state_since, id")
	if err != nil {
		return nil, mapError("find open referrals", err)
	}
	refs, err := collect(rows, scanReferral)
	return refs, mapError("find open referrals", err)
}
