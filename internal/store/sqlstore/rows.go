package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Scanner is one result row: database/sql's *sql.Row and *sql.Rows, pgx's Row and Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is the result of a query, read row by row: database/sql's *sql.Rows as it is, pgx's Rows
// behind a Close that returns an error.
type Rows interface {
	Scanner
	Next() bool
	Err() error
	Close() error
}

// Querier runs a read-only query with a store's driver; each store passes its own.
type Querier func(ctx context.Context, query string, args ...any) (Rows, error)

// Query runs query with q and scans every row with scan, closing the rows. No rows is a nil
// slice.
func Query[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// NoRows reports whether err says that a single-row lookup found nothing (database/sql's
// sql.ErrNoRows, which pgx's ErrNoRows wraps).
func NoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows)
}

// ScanString scans a row of one text column.
func ScanString(row Scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}

// Time is the scan destination of a stored time, whichever form the driver gives it in:
// microseconds since the epoch (SQLite's INTEGER columns) or a time.Time (PostgreSQL's
// timestamptz, through pgx's support of sql.Scanner). NULL leaves Valid false.
type Time struct {
	Time  time.Time // UTC
	Valid bool
}

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = Time{}
	case int64:
		*t = Time{Time: FromMicros(v), Valid: true}
	case time.Time:
		*t = Time{Time: v.UTC(), Valid: true}
	default:
		return fmt.Errorf("a stored time cannot be a %T", src)
	}
	return nil
}

// Ptr returns the time, or nil for NULL.
func (t Time) Ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}
