package sqldb

import (
	"context"

	"github.com/discern-org/discern/internal/discern"
)

const consentCols = `org_id, id, version, person_id, recipient_kind, recipient_id, recipient_org_id, classes, purposes,
	method, recorded_by, language, valid_from, valid_until, revoked_at, revoked_by, created_at`

func scanConsent(s scanner) (*discern.Consent, error) {
	var c discern.Consent
	var kind, classes, purposes, method string
	if err := s.Scan(&c.OrgID, &c.ID, &c.Version, &c.PersonID, &kind, &c.Recipient.ID, &c.Recipient.OrgID,
		&classes, &purposes, &method, &c.RecordedBy, &c.Language, tm{&c.ValidFrom}, optTm{&c.ValidUntil},
		optTm{&c.RevokedAt}, &c.RevokedBy, tm{&c.CreatedAt}); err != nil {
		return nil, err
	}
	c.Recipient.Kind, c.Method = discern.RecipientKind(kind), discern.ConsentMethod(method)
	c.Classes, c.Purposes = splitCodes[discern.DataClass](classes), splitCodes[discern.ConsentPurpose](purposes)
	return &c, nil
}

// FindConsents returns every version of a person's consents, by ID and
// then version.
func (r reader) FindConsents(ctx context.Context, orgID, personID string) ([]*discern.Consent, error) {
	if orgID == "" {
		return nil, errOrgRequired
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+consentCols+" FROM consents WHERE org_id = $1 AND person_id = $2 ORDER BY id, version",
		orgID, personID)
	if err != nil {
		return nil, mapError("find consents", err)
	}
	cs, err := collect(rows, scanConsent)
	return cs, mapError("find consents", err)
}

// AddConsentVersion stores a new consent, or the next version of one.
func (tx *Tx) AddConsentVersion(ctx context.Context, c *discern.Consent) error {
	if c.ID == "" {
		if err := tx.fillID(&c.ID); err != nil {
			return err
		}
		c.Version = 1
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Version > 1 {
		var newest int
		var person string
		err := tx.queryRow(ctx, "SELECT version, person_id FROM consents WHERE org_id = $1 AND id = $2 ORDER BY version DESC LIMIT 1",
			c.OrgID, c.ID).Scan(&newest, &person)
		if err != nil {
			return findErr("find consent", "consent", err)
		}
		switch {
		case person != c.PersonID:
			return discern.Invalid("person_id", "A consent cannot move to another person.")
		case c.Version != newest+1:
			return discern.Errorf(discern.KindConflict, "This consent was changed by someone else (it is at version %d); reload it and try again.", newest)
		}
	}
	c.ValidFrom = normTime(c.ValidFrom)
	if c.ValidUntil != nil {
		v := normTime(*c.ValidUntil)
		c.ValidUntil = &v
	}
	if c.RevokedAt != nil {
		v := normTime(*c.RevokedAt)
		c.RevokedAt = &v
	}
	c.CreatedAt = tx.now
	_, err := tx.exec(ctx, "INSERT INTO consents ("+consentCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
		c.OrgID, c.ID, c.Version, c.PersonID, string(c.Recipient.Kind), c.Recipient.ID, c.Recipient.OrgID,
		joinCodes(c.Classes), joinCodes(c.Purposes), string(c.Method), c.RecordedBy, c.Language,
		c.ValidFrom, nullTime(c.ValidUntil), nullTime(c.RevokedAt), c.RevokedBy, tx.now)
	return mapError("add consent version", err)
}

// AddConsentVersion stores a consent version in a transaction of its own.
func (db *DB) AddConsentVersion(ctx context.Context, c *discern.Consent) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.AddConsentVersion(ctx, c) })
}
