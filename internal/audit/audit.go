// Package audit keeps Discern's tamper-evident audit log: an append-only
// chain in which every entry's hash covers the entry and the hash before
// it, keyed with a secret (HMAC-SHA256), so that editing, deleting or
// reordering entries breaks the chain at the first entry touched, and
// nobody without the key can forge a replacement chain.
//
// Entries are appended inside the transaction of the change or read they
// record, so a change is never committed without its entry, nor an entry
// without its change:
//
//	err := db.WithTx(ctx, func(tx *sqldb.Tx) error {
//		if err := tx.CreatePerson(ctx, p); err != nil {
//			return err
//		}
//		_, err := log.Append(ctx, tx, discern.AuditEntry{…})
//		return err
//	})
//
// Append last: the chain head stays locked until the transaction ends.
package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// MinKeyLen is the shortest key New accepts.
const MinKeyLen = 32

// HashLen is the length of every entry hash.
const HashLen = sha256.Size

// genesis is the PrevHash of the first entry.
var genesis = make([]byte, HashLen)

// Log appends to and verifies the audit chain with one key.
type Log struct {
	key []byte
}

// New returns a Log that chains with key. The key must stay the same for
// the life of the log (changing it breaks verification of older entries)
// and must not be readable by whoever can write the database.
func New(key []byte) (*Log, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("audit: the key must be at least %d bytes", MinKeyLen)
	}
	return &Log{key: bytes.Clone(key)}, nil
}

// Appender is the transaction an entry is appended in; *sqldb.Tx is one.
type Appender interface {
	// Now is the transaction's time, which the entry records.
	Now() time.Time
	// LockAuditHead locks the chain head until the transaction ends and
	// returns the last entry's sequence number and hash (0, nil if none).
	LockAuditHead(ctx context.Context) (seq int64, hash []byte, err error)
	// InsertAuditEntry stores a chained entry and moves the head to it.
	InsertAuditEntry(ctx context.Context, e *discern.AuditEntry) error
}

// Append adds e to the chain in tx. Seq, Time, PrevHash and Hash are set
// here; the caller fills in the rest. It returns the stored entry.
func (l *Log) Append(ctx context.Context, tx Appender, e discern.AuditEntry) (*discern.AuditEntry, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	seq, prev, err := tx.LockAuditHead(ctx)
	if err != nil {
		return nil, err
	}
	if prev == nil {
		prev = genesis
	}
	e.DataClasses = normClasses(e.DataClasses)
	e.Seq = seq + 1
	e.Time = tx.Now().UTC().Truncate(time.Microsecond)
	e.PrevHash = bytes.Clone(prev)
	e.Hash = l.hash(prev, &e)
	if err := tx.InsertAuditEntry(ctx, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// normClasses sorts data classes and drops repeats: the form that is stored
// and hashed, so an entry reads back exactly as it was hashed.
func normClasses(cs []discern.DataClass) []discern.DataClass {
	if len(cs) == 0 {
		return nil
	}
	cs = slices.Clone(cs)
	slices.Sort(cs)
	return slices.Compact(cs)
}

// hash is HMAC-SHA256(key, prev ‖ canonical(e)).
func (l *Log) hash(prev []byte, e *discern.AuditEntry) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write(prev)
	writeCanonical(m, e)
	return m.Sum(nil)
}

// writeCanonical writes the entry's canonical encoding: a version label,
// the fixed-size fields, then each text field with its length in front, so
// that no two different entries encode alike (moving a character from one
// field to the next changes the lengths). PrevHash and Hash are not part
// of it.
func writeCanonical(h hash.Hash, e *discern.AuditEntry) {
	var buf [binary.MaxVarintLen64]byte
	h.Write([]byte("discern-audit-v1\x00"))
	h.Write(binary.BigEndian.AppendUint64(buf[:0], uint64(e.Seq)))
	h.Write(binary.BigEndian.AppendUint64(buf[:0], uint64(e.Time.UnixMicro())))
	classes := make([]string, len(e.DataClasses))
	for i, c := range e.DataClasses {
		classes[i] = string(c)
	}
	for _, s := range []string{e.ActorID, e.OrgID, e.Action, e.TargetType, e.TargetID,
		strings.Join(classes, ","), string(e.Outcome), e.RequestID} {
		h.Write(binary.AppendUvarint(buf[:0], uint64(len(s))))
		h.Write([]byte(s))
	}
}

// Source is the stored log Verify reads; *sqldb.DB is one.
type Source interface {
	// ScanAuditLog calls fn for every entry in sequence order from one
	// snapshot and returns that snapshot's chain head.
	ScanAuditLog(ctx context.Context, fn func(*discern.AuditEntry) error) (headSeq int64, headHash []byte, err error)
	// FindAuditSeqByHash returns the sequence number of the entry with
	// the hash, or a KindNotFound error.
	FindAuditSeqByHash(ctx context.Context, hash []byte) (int64, error)
}

// ProblemKind says how the chain is broken.
type ProblemKind string

// The ways a chain breaks.
const (
	// Edited: the entry's content no longer matches its hash.
	Edited ProblemKind = "edited"
	// Missing: sequence numbers jump; the entries in between were deleted.
	Missing ProblemKind = "missing"
	// Reordered: the entry is genuine but stands in the wrong place.
	Reordered ProblemKind = "reordered"
	// Unlinked: the entry does not follow the one before it, and no entry
	// it could follow exists any more: an entry before it was deleted and
	// the rest renumbered, or its link was overwritten.
	Unlinked ProblemKind = "unlinked"
	// Truncated: the chain head records more entries than the log holds:
	// entries were deleted from the end.
	Truncated ProblemKind = "truncated"
	// HeadMismatch: the chain head does not match the last entry: entries
	// were added or replaced without the chain head moving with them.
	HeadMismatch ProblemKind = "head_mismatch"
)

// ChainError reports the first place where the chain is broken.
type ChainError struct {
	Seq    int64 // the first sequence number that fails
	Kind   ProblemKind
	Detail string
}

// Error says where and how the chain is broken; it names entries by
// sequence number only, so it is safe to log.
func (e *ChainError) Error() string {
	return fmt.Sprintf("audit: the chain is broken at entry %d (%s): %s", e.Seq, e.Kind, e.Detail)
}

// Report sums up a verified chain.
type Report struct {
	// Entries is how many entries were checked and found sound (before the
	// break, if there is one).
	Entries int64
	// HeadSeq and HeadHash are the chain head: record them somewhere the
	// database's administrators cannot write (a ticket, a printout) and a
	// later Verify proves that nothing up to them was changed, even the
	// removal of the newest entries together with the head.
	HeadSeq  int64
	HeadHash []byte
}

// Verify checks the chain in src with key; see Log.Verify.
func Verify(ctx context.Context, src Source, key []byte) (Report, error) {
	l, err := New(key)
	if err != nil {
		return Report{}, err
	}
	return l.Verify(ctx, src)
}

// errStop ends a scan at the first problem.
var errStop = errors.New("audit: stop")

// Verify walks the whole chain and returns a *ChainError for the first
// entry that fails (with the report of what was sound before it), or
// another error if the log could not be read.
func (l *Log) Verify(ctx context.Context, src Source) (Report, error) {
	var (
		rep     Report
		want    = int64(1)
		prev    = genesis
		problem *ChainError
		unknown []byte // a PrevHash to look up once the scan is over
	)
	headSeq, headHash, err := src.ScanAuditLog(ctx, func(e *discern.AuditEntry) error {
		switch {
		case e.Seq != want:
			problem = &ChainError{Seq: want, Kind: Missing,
				Detail: fmt.Sprintf("entries %d to %d are missing; the log jumps to %d", want, e.Seq-1, e.Seq)}
		case !bytes.Equal(e.PrevHash, prev):
			problem = &ChainError{Seq: want}
			unknown = e.PrevHash
		case !hmac.Equal(l.hash(prev, e), e.Hash):
			problem = &ChainError{Seq: want, Kind: Edited, Detail: "the entry's content does not match its hash"}
		default:
			rep.Entries++
			prev = e.Hash
			want++
			return nil
		}
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return rep, fmt.Errorf("audit: reading the log: %w", err)
	}
	rep.HeadSeq, rep.HeadHash = headSeq, headHash
	if problem != nil {
		if unknown != nil {
			at, err := src.FindAuditSeqByHash(ctx, unknown)
			switch {
			case err == nil:
				problem.Kind = Reordered
				problem.Detail = fmt.Sprintf("the entry here belongs right after the entry now at %d", at)
			case discern.KindOf(err) == discern.KindNotFound:
				problem.Kind = Unlinked
				problem.Detail = "the entry does not follow the one before it; an entry was removed and the rest renumbered, or the link was changed"
			default:
				return rep, fmt.Errorf("audit: reading the log: %w", err)
			}
		}
		return rep, problem
	}
	last := want - 1
	switch {
	case headSeq > last:
		return rep, &ChainError{Seq: last + 1, Kind: Truncated,
			Detail: fmt.Sprintf("the log ends at %d but its head records %d entries", last, headSeq)}
	case headSeq < last || (last > 0 && !bytes.Equal(headHash, prev)):
		return rep, &ChainError{Seq: min(headSeq+1, last), Kind: HeadMismatch,
			Detail: fmt.Sprintf("the chain head (entry %d) does not match the last entry (%d)", headSeq, last)}
	}
	return rep, nil
}
