package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/discern-org/discern/internal/discern"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// violation is a constraint violation, the same for both engines.
type violation int

const (
	noViolation violation = iota
	uniqueViolation
	foreignKeyViolation
	checkViolation
	notNullViolation
)

// classify maps a driver error to a constraint violation and names the
// constraint: PostgreSQL reports the constraint's name, SQLite the
// "table.column" list, so both forms appear in uniqueFields.
func classify(err error) (violation, string) {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pe.Code {
		case "23505":
			return uniqueViolation, pe.ConstraintName
		case "23503":
			return foreignKeyViolation, pe.ConstraintName
		case "23514":
			return checkViolation, pe.ConstraintName
		case "23502":
			return notNullViolation, pe.ColumnName
		}
		return noViolation, ""
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		msg := se.Error()
		detail := ""
		// "… UNIQUE constraint failed: users.email (2067)"
		const marker = "constraint failed: "
		if i := strings.LastIndex(msg, marker); i >= 0 {
			detail, _, _ = strings.Cut(msg[i+len(marker):], " (")
		}
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation, detail
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation, detail
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkViolation, detail
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return notNullViolation, detail
		}
	}
	return noViolation, ""
}

// IsUniqueViolation reports whether err is, or wraps, a unique-constraint
// violation from either engine, for callers that retry with a new value (a
// new case code, say).
func IsUniqueViolation(err error) bool {
	v, _ := classify(err)
	return v == uniqueViolation
}

// uniqueFields names the input field behind each unique constraint, in
// both engines' spelling.
var uniqueFields = map[string]string{
	"organizations_name_key": "name", "organizations.name": "name",
	"teams_org_name_key": "name", "teams.org_id, teams.name": "name",
	"users_email_key": "email", "users.email": "email",
	"people_case_code_key": "case_code", "people.org_id, people.case_code_index": "case_code",
	"sessions_token_hash_key": "token_hash", "sessions.token_hash": "token_hash",
	"api_tokens_token_hash_key": "token_hash", "api_tokens.token_hash": "token_hash",
	"idempotency_keys_pkey": "idempotency_key", "idempotency_keys.org_id, idempotency_keys.user_id, idempotency_keys.key": "idempotency_key",
	"person_keys_pkey": "person_id", "person_keys.person_id": "person_id",
	"consents_pkey": "version", "consents.org_id, consents.id, consents.version": "version",
}

// mapError turns a driver error into a discern error: constraint
// violations become KindConflict or KindInvalid with a safe message;
// everything else is KindInternal, with op and the cause kept for logs.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*discern.Error](err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	switch v, name := classify(err); v {
	case uniqueViolation:
		field := uniqueFields[name]
		msg := "A record with this value already exists."
		if field != "" {
			msg = fmt.Sprintf("This %s is already in use.", strings.ReplaceAll(field, "_", " "))
		}
		return &discern.Error{Kind: discern.KindConflict, Field: field, Message: msg,
			Err: fmt.Errorf("sqldb: %s: %w", op, err)}
	case foreignKeyViolation:
		return &discern.Error{Kind: discern.KindInvalid,
			Message: "This refers to a record that does not exist in your organization.",
			Err:     fmt.Errorf("sqldb: %s: %w", op, err)}
	case checkViolation, notNullViolation:
		return &discern.Error{Kind: discern.KindInvalid, Message: "A value is missing or not allowed.",
			Err: fmt.Errorf("sqldb: %s: %w", op, err)}
	}
	return &discern.Error{Kind: discern.KindInternal, Err: fmt.Errorf("sqldb: %s: %w", op, err)}
}

// retryable reports whether PostgreSQL aborted a transaction that may
// succeed if run again.
func retryable(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// notFound is the error of a finder that found nothing.
func notFound(what string) error {
	return discern.Errorf(discern.KindNotFound, "No such %s.", what)
}

// findErr maps the error of a one-row lookup.
func findErr(op, what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	return mapError(op, err)
}
