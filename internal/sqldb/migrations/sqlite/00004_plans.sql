-- Pathway tracking (plan items), contact safety and the notifications
-- outbox. A plan item's checklist and clocks are JSON text (step and clock
-- ids of the content, who ticked a step and when, calendar dates as
-- YYYY-MM-DD); its notes are sealed with the person's data key. Contact
-- safety is one sealed document per person (class contact). Notifications
-- hold no free text, only ids, and one key per organization makes the
-- reminder sweep idempotent.

-- +goose Up
CREATE TABLE plan_items (
	org_id       TEXT NOT NULL,
	id           TEXT NOT NULL,
	person_id    TEXT NOT NULL,
	screening_id TEXT NOT NULL,
	pathway_id   TEXT NOT NULL,
	jurisdiction TEXT NOT NULL,
	class        TEXT NOT NULL CHECK (class IN ('case', 'immigration', 'criminal_justice')),
	status       TEXT NOT NULL CHECK (status IN ('considering', 'preparing', 'submitted', 'decided_granted', 'decided_refused', 'withdrawn', 'closed')),
	steps        TEXT NOT NULL,
	clocks       TEXT NOT NULL,
	notes        BLOB,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL,
	version      INTEGER NOT NULL,
	PRIMARY KEY (org_id, id),
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);
CREATE INDEX plan_items_person ON plan_items (org_id, person_id, created_at);
CREATE INDEX plan_items_status ON plan_items (status);

CREATE TABLE contact_safety (
	org_id     TEXT NOT NULL,
	person_id  TEXT NOT NULL,
	rules      BLOB NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (org_id, person_id),
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id)
);

CREATE TABLE notifications (
	org_id     TEXT NOT NULL,
	id         TEXT NOT NULL,
	person_id  TEXT NOT NULL DEFAULT '',
	user_id    TEXT NOT NULL,
	audience   TEXT NOT NULL CHECK (audience IN ('worker', 'person')),
	class      TEXT NOT NULL,
	source     TEXT NOT NULL,
	source_id  TEXT NOT NULL,
	subject    TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('due_soon', 'due_today', 'overdue')),
	due        TEXT NOT NULL,
	channel    TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL CHECK (state IN ('shown', 'ready', 'via_worker', 'do_not_contact', 'outside_window', 'dismissed')),
	reason     TEXT NOT NULL DEFAULT '',
	dedupe_key TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (org_id, id),
	UNIQUE (org_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications (org_id, user_id, created_at);
CREATE INDEX notifications_person ON notifications (org_id, person_id, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE contact_safety;
DROP TABLE plan_items;
