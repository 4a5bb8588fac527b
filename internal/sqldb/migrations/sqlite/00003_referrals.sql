-- Closed-loop referrals. A referral's packet (the person's data, only the
-- classes released) and any free-text reasons are sealed with the person's
-- data key, so erasing the person shreds them too. The row keeps the
-- recipient, the classes, the basis (the consent versions relied on, or a
-- legal exception) and the state; each move is a row in referral_events.
-- Codes are comma-separated, checked by the domain before they are stored.

-- +goose Up
CREATE TABLE referrals (
	id                TEXT PRIMARY KEY,
	org_id            TEXT NOT NULL,
	person_id         TEXT NOT NULL,
	recipient_kind    TEXT NOT NULL CHECK (recipient_kind IN ('organization', 'service')),
	recipient_id      TEXT NOT NULL,
	recipient_dir_org TEXT NOT NULL DEFAULT '',
	recipient_name    TEXT NOT NULL DEFAULT '',
	recipient_org_id  TEXT NOT NULL DEFAULT '',
	needs             TEXT NOT NULL DEFAULT '',
	classes           TEXT NOT NULL,
	basis             TEXT NOT NULL CHECK (basis IN ('consent', 'exception')),
	consents          TEXT NOT NULL DEFAULT '',
	exception_id      TEXT NOT NULL DEFAULT '',
	exception_reason  BLOB,
	child_protection  INTEGER NOT NULL DEFAULT 0,
	packet            BLOB NOT NULL,
	state             TEXT NOT NULL,
	outcome           TEXT NOT NULL DEFAULT '',
	created_by        TEXT NOT NULL,
	created_at        TIMESTAMP NOT NULL,
	updated_at        TIMESTAMP NOT NULL,
	state_since       TIMESTAMP NOT NULL,
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);
CREATE INDEX referrals_sender ON referrals (org_id, person_id, created_at);
CREATE INDEX referrals_recipient ON referrals (recipient_org_id, created_at);

CREATE TABLE referral_events (
	referral_id TEXT NOT NULL REFERENCES referrals (id),
	seq         INTEGER NOT NULL,
	from_state  TEXT NOT NULL DEFAULT '',
	to_state    TEXT NOT NULL,
	side        TEXT NOT NULL,
	on_behalf   INTEGER NOT NULL DEFAULT 0,
	actor_id    TEXT NOT NULL,
	actor_org   TEXT NOT NULL,
	outcome     TEXT NOT NULL DEFAULT '',
	reason      BLOB,
	at          TIMESTAMP NOT NULL,
	PRIMARY KEY (referral_id, seq)
);

-- +goose Down
DROP TABLE referral_events;
DROP TABLE referrals;
