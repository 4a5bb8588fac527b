-- Discern schema for SQLite. Times are integer microseconds since the Unix
-- epoch (declared TIMESTAMP so that the driver scans them as times); IDs are
-- 26-character ULIDs; sealed (encrypted) fields are BLOBs. References between
-- an organization's records are composite (org_id, id) foreign keys, so the
-- database itself refuses a row that points into another organization.

-- +goose Up
CREATE TABLE organizations (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	country    TEXT NOT NULL DEFAULT '',
	region     TEXT NOT NULL DEFAULT '',
	settings   TEXT NOT NULL DEFAULT '{}',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	CONSTRAINT organizations_name_key UNIQUE (name)
);
CREATE INDEX organizations_created ON organizations (created_at, id);

CREATE TABLE teams (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organizations (id),
	name       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	CONSTRAINT teams_org_id_key UNIQUE (org_id, id),
	CONSTRAINT teams_org_name_key UNIQUE (org_id, name)
);
CREATE INDEX teams_org_created ON teams (org_id, created_at, id);

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	org_id        TEXT NOT NULL REFERENCES organizations (id),
	team_id       TEXT,
	email         TEXT NOT NULL,
	display_name  TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('administrator', 'supervisor', 'caseworker', 'screener', 'analyst')),
	password_hash TEXT NOT NULL DEFAULT '',
	mfa_secret    BLOB,
	mfa_last_step INTEGER NOT NULL DEFAULT 0,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL,
	CONSTRAINT users_email_key UNIQUE (email),
	CONSTRAINT users_org_id_key UNIQUE (org_id, id),
	FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id)
);
CREATE INDEX users_org_created ON users (org_id, created_at, id);

CREATE TABLE people (
	id              TEXT PRIMARY KEY,
	org_id          TEXT NOT NULL REFERENCES organizations (id),
	team_id         TEXT,
	created_by      TEXT NOT NULL,
	assigned_to     TEXT,
	case_code       BLOB,
	case_code_index BLOB,
	name            BLOB,
	name_index      BLOB,
	birth_date      BLOB,
	age_estimate    BLOB,
	contact         BLOB,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL,
	erased_at       TIMESTAMP,
	CONSTRAINT people_org_id_key UNIQUE (org_id, id),
	CONSTRAINT people_case_code_key UNIQUE (org_id, case_code_index),
	CONSTRAINT people_case_code_required CHECK (erased_at IS NOT NULL OR (case_code IS NOT NULL AND case_code_index IS NOT NULL)),
	FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
	FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id),
	FOREIGN KEY (org_id, assigned_to) REFERENCES users (org_id, id)
);
CREATE INDEX people_org_created ON people (org_id, created_at, id);
CREATE INDEX people_org_name ON people (org_id, name_index);
CREATE INDEX people_org_team ON people (org_id, team_id, created_at, id);
CREATE INDEX people_org_created_by ON people (org_id, created_by, created_at, id);
CREATE INDEX people_org_assigned ON people (org_id, assigned_to, created_at, id);

CREATE TABLE encounters (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL,
	person_id   TEXT NOT NULL,
	occurred_at TIMESTAMP NOT NULL,
	place_kind  TEXT NOT NULL,
	narrative   BLOB,
	created_by  TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	CONSTRAINT encounters_org_id_key UNIQUE (org_id, id),
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
	FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX encounters_org_created ON encounters (org_id, created_at, id);
CREATE INDEX encounters_org_person ON encounters (org_id, person_id, created_at, id);

CREATE TABLE screenings (
	id              TEXT PRIMARY KEY,
	org_id          TEXT NOT NULL,
	person_id       TEXT,
	encounter_id    TEXT,
	screener_id     TEXT NOT NULL,
	instrument_id   TEXT NOT NULL,
	language        TEXT NOT NULL,
	jurisdictions   TEXT NOT NULL DEFAULT '[]',
	answers         TEXT NOT NULL,
	result          TEXT,
	content_version TEXT NOT NULL,
	content_hash    TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL,
	completed_at    TIMESTAMP,
	FOREIGN KEY (org_id) REFERENCES organizations (id),
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
	FOREIGN KEY (org_id, encounter_id) REFERENCES encounters (org_id, id),
	FOREIGN KEY (org_id, screener_id) REFERENCES users (org_id, id)
);
-- The list and filter paths: every one is an equality prefix followed by the
-- keyset (created_at, id), so a page is one index range scan at any size.
CREATE INDEX screenings_org_created ON screenings (org_id, created_at, id);
CREATE INDEX screenings_org_status ON screenings (org_id, status, created_at, id);
CREATE INDEX screenings_org_person ON screenings (org_id, person_id, created_at, id);
CREATE INDEX screenings_org_screener ON screenings (org_id, screener_id, created_at, id);

CREATE TABLE notes (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL,
	person_id  TEXT NOT NULL,
	author_id  TEXT NOT NULL,
	data_class TEXT NOT NULL CHECK (data_class IN ('case', 'identity', 'contact', 'narrative', 'health', 'immigration', 'criminal_justice')),
	body       BLOB NOT NULL,
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
	FOREIGN KEY (org_id, author_id) REFERENCES users (org_id, id)
);
CREATE INDEX notes_org_person ON notes (org_id, person_id, created_at, id);
CREATE INDEX notes_org_created ON notes (org_id, created_at, id);

CREATE TABLE tasks (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL,
	person_id    TEXT,
	title        BLOB,
	status       TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
	due_at       TIMESTAMP,
	assignee_id  TEXT,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL,
	completed_at TIMESTAMP,
	FOREIGN KEY (org_id) REFERENCES organizations (id),
	FOREIGN KEY (org_id, person_id) REFERENCES people (org_id, id),
	FOREIGN KEY (org_id, assignee_id) REFERENCES users (org_id, id),
	FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
CREATE INDEX tasks_org_created ON tasks (org_id, created_at, id);
CREATE INDEX tasks_org_assignee ON tasks (org_id, assignee_id, status, created_at, id);
CREATE INDEX tasks_org_person ON tasks (org_id, person_id, created_at, id);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	token_hash   BLOB NOT NULL,
	org_id       TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	mfa_verified BOOLEAN NOT NULL DEFAULT FALSE,
	CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (org_id, user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE api_tokens (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	name         TEXT NOT NULL,
	token_hash   BLOB NOT NULL,
	scopes       TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	last_used_at TIMESTAMP,
	revoked_at   TIMESTAMP,
	CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_org_user ON api_tokens (org_id, user_id);

CREATE TABLE throttles (
	key              TEXT PRIMARY KEY,
	failures         INTEGER NOT NULL,
	first_failure_at TIMESTAMP NOT NULL,
	locked_until     TIMESTAMP,
	updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX throttles_updated ON throttles (updated_at);

CREATE TABLE idempotency_keys (
	org_id       TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash BLOB NOT NULL,
	status       INTEGER NOT NULL DEFAULT 0,
	body         BLOB,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	CONSTRAINT idempotency_keys_pkey PRIMARY KEY (org_id, user_id, key),
	FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- The audit log has no foreign keys: it must outlive every record it names.
CREATE TABLE audit_log (
	seq          INTEGER PRIMARY KEY,
	at           TIMESTAMP NOT NULL,
	actor_id     TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	action       TEXT NOT NULL,
	target_type  TEXT NOT NULL,
	target_id    TEXT NOT NULL,
	data_classes TEXT NOT NULL,
	outcome      TEXT NOT NULL,
	request_id   TEXT NOT NULL,
	prev_hash    BLOB NOT NULL,
	hash         BLOB NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (org_id, target_type, target_id, seq);
CREATE INDEX audit_log_org ON audit_log (org_id, seq);
CREATE INDEX audit_log_actor ON audit_log (org_id, actor_id, seq);

-- The head of the chain: one row, updated with every append inside the
-- appending transaction. It serialises appends and lets verification notice
-- entries removed from the end.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, X'');

-- Append-only, as far as SQLite allows: anyone who can write the file can
-- drop these triggers, which is why the log is also hash-chained.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.seq <> OLD.seq + 1
BEGIN
	SELECT RAISE(ABORT, 'audit_head only moves forward one entry at a time');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
	SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;
-- +goose StatementEnd
