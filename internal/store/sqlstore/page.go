package sqlstore

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
)

// Page sizes of every list.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Batch sizes of the maintenance lists (expiry, key rotation), which callers repeat until empty.
const (
	DefaultBatch = 100
	MaxBatch     = 1000
)

// Batch returns the batch size for a requested limit: DefaultBatch when none is asked for, at most
// MaxBatch.
func Batch(n int) int {
	switch {
	case n <= 0:
		return DefaultBatch
	case n > MaxBatch:
		return MaxBatch
	}
	return n
}

// Limit returns the page size for a requested limit: DefaultLimit when none (or a negative one) is
// asked for, at most MaxLimit.
func Limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Cursor is the position after which a newest-first list continues: the created time (in
// microseconds since the epoch, as stored) and the ID of the last object of the previous page.
type Cursor struct {
	CreatedMicros int64
	ID            string
}

// Encode returns the cursor's opaque form: base64url of "micros:id".
func (c Cursor) Encode() string {
	raw := strconv.FormatInt(c.CreatedMicros, 10) + ":" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor parses an opaque cursor. The empty string is the zero Cursor with ok false (the
// first page); a malformed cursor is a KindInvalid error naming the cursor field.
func DecodeCursor(s string) (c Cursor, ok bool, err error) {
	if s == "" {
		return Cursor{}, false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, false, invalidCursor()
	}
	micros, id, found := strings.Cut(string(raw), ":")
	if !found || id == "" {
		return Cursor{}, false, invalidCursor()
	}
	n, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return Cursor{}, false, invalidCursor()
	}
	return Cursor{CreatedMicros: n, ID: id}, true, nil
}

func invalidCursor() error {
	return hushpay.FieldError("cursor", "invalid_cursor", "the cursor is not one this server returned")
}

// Micros returns t as the stored form of every time: microseconds since the epoch (PostgreSQL's
// precision, kept by both stores so that they behave alike).
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros returns the UTC time of a stored value.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// Trim returns t as a store gives it back: UTC, to the microsecond.
func Trim(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// FinalStatesSQL is FinalStates as an SQL list literal, for queries that must match a partial
// index's predicate word for word (a bound parameter would not). A test keeps the two in step.
const FinalStatesSQL = "('succeeded', 'declined', 'failed', 'cancelled', 'expired')"

// FinalStates lists the payment states in which nothing more happens (retention may delete such
// payments; expiry ignores them).
func FinalStates() []string {
	var s []string
	for _, st := range hushpay.PaymentStates {
		if st.Final() {
			s = append(s, string(st))
		}
	}
	return s
}

// Cut returns the first limit rows and whether there were more (lists fetch limit+1 rows).
func Cut[T any](rows []T, limit int) ([]T, bool) {
	if len(rows) > limit {
		return rows[:limit], true
	}
	return rows, false
}
