package sqldb

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/discern-org/discern/internal/discern"
)

// The audit log's rows. The chain itself (hashes, verification) is the
// audit package's; this file only stores and reads rows, so that all SQL
// stays in one package.

const (
	auditCols      = "seq, at, actor_id, org_id, action, target_type, target_id, data_classes, outcome, request_id, prev_hash, hash"
	sqlInsertAudit = "INSERT INTO audit_log (" + auditCols + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
	sqlAdvanceHead = "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1"
	sqlLockHead    = "SELECT seq, hash FROM audit_head WHERE id = 1"
)

// JoinDataClasses is the stored (and hashed) form of an entry's data
// classes: sorted, without repeats, joined by commas.
func JoinDataClasses(cs []discern.DataClass) string {
	sorted := slices.Clone(cs)
	slices.Sort(sorted)
	return joinCodes(slices.Compact(sorted))
}

// joinCodes is the stored form of a list of codes (data classes, consent
// purposes): joined by commas, in the order given.
func joinCodes[T ~string](cs []T) string {
	ss := make([]string, len(cs))
	for i, c := range cs {
		ss[i] = string(c)
	}
	return strings.Join(ss, ",")
}

// splitCodes reads what joinCodes wrote.
func splitCodes[T ~string](s string) []T {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	out := make([]T, len(parts))
	for i, p := range parts {
		out[i] = T(p)
	}
	return out
}

func scanAudit(s scanner) (*discern.AuditEntry, error) {
	var e discern.AuditEntry
	var classes string
	if err := s.Scan(&e.Seq, tm{&e.Time}, &e.ActorID, &e.OrgID, &e.Action, &e.TargetType, &e.TargetID, &classes,
		&e.Outcome, &e.RequestID, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.DataClasses = splitCodes[discern.DataClass](classes)
	return &e, nil
}

// FindAuditEntries returns a page of an organization's audit entries,
// newest first: a record's "who accessed it" history when TargetType and
// TargetID are set.
func (r reader) FindAuditEntries(ctx context.Context, f discern.AuditFilter) ([]*discern.AuditEntry, string, error) {
	if f.OrgID == "" {
		return nil, "", errOrgRequired
	}
	if err := f.Page.Validate(); err != nil {
		return nil, "", err
	}
	var q query
	q.where("org_id = %s", f.OrgID)
	if f.TargetType != nil {
		q.where("target_type = %s", *f.TargetType)
	}
	if f.TargetID != nil {
		q.where("target_id = %s", *f.TargetID)
	}
	if f.ActorID != nil {
		q.where("actor_id = %s", *f.ActorID)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil || c.id != "" {
			return nil, "", discern.Invalid("cursor", "This page cursor is not valid; start from the first page.")
		}
		q.where("seq < %s", c.key)
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+auditCols+" FROM audit_log"+q.whereSQL()+
		" ORDER BY seq DESC LIMIT "+strconv.Itoa(f.Size()+1), q.args...)
	if err != nil {
		return nil, "", mapError("find audit entries", err)
	}
	es, err := collect(rows, scanAudit)
	if err != nil {
		return nil, "", mapError("find audit entries", err)
	}
	es, next := pageOf(es, f.Page, func(e *discern.AuditEntry) cursor { return cursor{key: e.Seq} })
	return es, next, nil
}

// LockAuditHead locks the head of the audit chain for the rest of the
// transaction and returns the last entry's sequence number and hash (0 and
// nil before the first entry). Every append takes this lock, so appends
// are serialised across connections and replicas: by BEGIN IMMEDIATE on
// SQLite, by the head row's lock on PostgreSQL. Take it late in a
// transaction: it is held until commit.
func (tx *Tx) LockAuditHead(ctx context.Context) (seq int64, hash []byte, err error) {
	err = tx.queryRow(ctx, sqlLockHead+tx.forUpdate()).Scan(&seq, &hash)
	if err != nil {
		return 0, nil, mapError("lock audit head", err)
	}
	if len(hash) == 0 {
		hash = nil
	}
	return seq, hash, nil
}

// InsertAuditEntry stores an entry whose Seq, Time and hashes the audit
// package has computed, and moves the chain head to it. The head only
// moves forward by one (a trigger enforces it), so an entry with any other
// Seq fails.
func (tx *Tx) InsertAuditEntry(ctx context.Context, e *discern.AuditEntry) error {
	_, err := tx.exec(ctx, sqlInsertAudit,
		e.Seq, normTime(e.Time), e.ActorID, e.OrgID, e.Action, e.TargetType, e.TargetID, JoinDataClasses(e.DataClasses),
		string(e.Outcome), e.RequestID, e.PrevHash, e.Hash)
	if err != nil {
		return mapError("insert audit entry", err)
	}
	_, err = tx.exec(ctx, sqlAdvanceHead, e.Seq, e.Hash)
	return mapError("advance audit head", err)
}

// ScanAuditLog calls fn for every audit entry in sequence order, from one
// consistent snapshot, and returns the chain head of that snapshot. The
// rows are streamed, so memory stays flat at any log size.
func (db *DB) ScanAuditLog(ctx context.Context, fn func(*discern.AuditEntry) error) (headSeq int64, headHash []byte, err error) {
	err = db.WithReadTx(ctx, func(tx *Tx) error {
		if err := tx.tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
			return mapError("read audit head", err)
		}
		rows, err := tx.tx.QueryContext(ctx, "SELECT "+auditCols+" FROM audit_log ORDER BY seq")
		if err != nil {
			return mapError("scan audit log", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				return mapError("scan audit log", err)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return mapError("scan audit log", rows.Err())
	})
	return headSeq, headHash, err
}

// FindAuditSeqByHash returns the sequence number of the entry with this
// hash, for telling a reordered log from an edited one. It scans the whole
// log (there is no index on hashes), which only verification of a broken
// chain does. Returns KindNotFound.
func (db *DB) FindAuditSeqByHash(ctx context.Context, hash []byte) (int64, error) {
	var seq int64
	err := db.r.QueryRowContext(ctx, "SELECT seq FROM audit_log WHERE hash = $1 ORDER BY seq LIMIT 1", hash).Scan(&seq)
	if err != nil {
		return 0, findErr("find audit entry", "audit entry", err)
	}
	return seq, nil
}
