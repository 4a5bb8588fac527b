package sqldb

import (
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// query builds a statement with $N placeholders. Column names only ever
// come from this package; values always go through arg.
type query struct {
	conds []string
	args  []any
}

// arg adds a value and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where adds a condition; cond is a format with one %s per value.
func (q *query) where(cond string, vals ...any) {
	ph := make([]any, len(vals))
	for i, v := range vals {
		ph[i] = q.arg(v)
	}
	q.conds = append(q.conds, fmt.Sprintf(cond, ph...))
}

// eq adds "col = v" when v is set; a pointer to "" selects NULL.
func (q *query) eq(col string, v *string) {
	switch {
	case v == nil:
	case *v == "":
		q.conds = append(q.conds, col+" IS NULL")
	default:
		q.where(col+" = %s", *v)
	}
}

// set adds "col = v" to the SET list of an UPDATE.
func (q *query) set(sets *[]string, col string, v any) {
	*sets = append(*sets, col+" = "+q.arg(v))
}

func (q *query) whereSQL() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// keyset adds the page condition and order for lists ordered newest first
// by (created_at, id), and returns the LIMIT clause (one row more than the
// page, to learn whether another page follows).
func (q *query) keyset(p discern.Page, timeCol, idCol string) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	if p.Cursor != "" {
		c, err := decodeCursor(p.Cursor)
		if err != nil {
			return "", err
		}
		q.where("("+timeCol+", "+idCol+") < (%s, %s)", time.UnixMicro(c.key).UTC(), c.id)
	}
	return q.whereSQL() + " ORDER BY " + timeCol + " DESC, " + idCol + " DESC LIMIT " + strconv.Itoa(p.Size()+1), nil
}

// cursor is a position in a list: the sort key (microseconds, or an audit
// sequence number) and the ID of the last row seen.
type cursor struct {
	key int64
	id  string
}

// cursorVersion starts every encoded cursor, so that the format can change
// without old cursors being misread.
const cursorVersion = 1

// encodeCursor makes the opaque next-page token.
func encodeCursor(c cursor) string {
	b := make([]byte, 0, 9+len(c.id))
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.key))
	b = append(b, c.id...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a token made by encodeCursor. A client can send
// anything, so every byte is checked.
func decodeCursor(s string) (cursor, error) {
	bad := discern.Invalid("cursor", "This page cursor is not valid; start from the first page.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 9 || b[0] != cursorVersion {
		return cursor{}, bad
	}
	c := cursor{key: int64(binary.BigEndian.Uint64(b[1:9])), id: string(b[9:])}
	if c.id != "" && !discern.ValidID(c.id) {
		return cursor{}, bad
	}
	return c, nil
}

// pageOf trims the extra row of a keyset query and makes the next cursor.
func pageOf[T any](rows []*T, p discern.Page, key func(*T) cursor) ([]*T, string) {
	if len(rows) <= p.Size() {
		return rows, ""
	}
	rows = rows[:p.Size()]
	return rows, encodeCursor(key(rows[len(rows)-1]))
}

func timeCursor(t time.Time, id string) cursor { return cursor{key: t.UnixMicro(), id: id} }

// nullStr stores "" as NULL, so that optional references satisfy their
// foreign keys and unset values do not collide in unique indexes.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullBytes stores an empty or nil byte slice as NULL.
func nullBytes[B ~[]byte](b B) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// nullTime stores a nil time as NULL.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return normTime(*t)
}

// str scans a nullable text column into a string ("" for NULL).
type str struct{ p *string }

func (s str) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*s.p = ""
	case string:
		*s.p = v
	case []byte:
		*s.p = string(v)
	default:
		return fmt.Errorf("sqldb: cannot scan %T into a string", v)
	}
	return nil
}

// tm scans a time column (integer microseconds on SQLite, timestamptz on
// PostgreSQL) into a UTC time.
type tm struct{ p *time.Time }

func (t tm) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*t.p = v.UTC()
	case int64:
		*t.p = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("sqldb: cannot scan %T into a time", v)
	}
	return nil
}

// optTm scans a nullable time column.
type optTm struct{ p **time.Time }

func (t optTm) Scan(v any) error {
	if v == nil {
		*t.p = nil
		return nil
	}
	var x time.Time
	if err := (tm{&x}).Scan(v); err != nil {
		return err
	}
	*t.p = &x
	return nil
}

// bytesOf scans a nullable blob column into a named byte-slice type.
type bytesOf[B ~[]byte] struct{ p *B }

func (b bytesOf[B]) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*b.p = nil
	case []byte:
		*b.p = B(append([]byte(nil), v...))
	case string:
		*b.p = B(v)
	default:
		return fmt.Errorf("sqldb: cannot scan %T into bytes", v)
	}
	return nil
}

func blob[B ~[]byte](p *B) bytesOf[B] { return bytesOf[B]{p} }

// jsonText scans a JSON text column into a value.
type jsonText struct{ p any }

func (j jsonText) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqldb: cannot scan %T as JSON", v)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, j.p)
}

// rawJSON scans a nullable JSON text column as it is.
type rawJSON struct{ p *json.RawMessage }

func (j rawJSON) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*j.p = nil
	case string:
		*j.p = json.RawMessage(v)
	case []byte:
		*j.p = append(json.RawMessage(nil), v...)
	default:
		return fmt.Errorf("sqldb: cannot scan %T as JSON", v)
	}
	return nil
}

// jsonArg stores a value as JSON text.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect scans every row of a query.
func collect[T any](rows *sql.Rows, scan func(scanner) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
