package sqlstore

import (
	"errors"
	"time"

	"github.com/hushpay/hushpay"
)

// Dialect describes what differs between the two stores in the statements they send and the
// errors they get back: the bind parameter style, the stored form of a time and the meaning of a
// driver error. Each store declares one; the SQL text itself stays in the store.
type Dialect struct {
	// Name prefixes the operation of every error ("sqlite", "postgres").
	Name string
	// Placeholder returns the n-th bind parameter of a statement, counting from 1: "?" or "$n".
	Placeholder func(n int) string
	// Time returns a time as bound to a time column: microseconds since the epoch (SQLite's
	// INTEGER columns) or the time itself to the microsecond (PostgreSQL's timestamptz).
	Time func(t time.Time) any
	// Classify tells what a driver error means and returns the error to keep for the logs: the
	// driver's own, or one reduced so that it quotes no row value.
	Classify func(err error) (Fault, error)
}

// NullTime returns an optional time as bound: NULL when t is nil, else Time(*t).
func (d Dialect) NullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.Time(*t)
}

// Fault is what a driver error means to hushpay, as a dialect's Classify tells it.
type Fault int

// The faults a driver error can mean.
const (
	FaultOther       Fault = iota // anything else: KindOther, database_error
	FaultDuplicate                // a unique constraint refused the row: KindConflict, duplicate
	FaultBusy                     // another writer holds the lock: KindUnavailable, database_busy
	FaultUnavailable              // the database cannot be reached or is closed: KindUnavailable
)

// Error turns a driver error into a hushpay error for the operation op (named with the
// dialect's prefix): a *hushpay.Error passes through with the operation named, any other error is
// classified by the dialect and kept, as Classify returns it, for the logs. A nil err is nil.
func (d Dialect) Error(op string, err error) error {
	if err == nil {
		return nil
	}
	op = d.Name + "." + op
	var he *hushpay.Error
	if errors.As(err, &he) {
		return hushpay.WithOp(op, err)
	}
	fault, kept := d.Classify(err)
	kind, code, msg := hushpay.KindOther, "database_error", "database error"
	switch fault {
	case FaultDuplicate:
		kind, code, msg = hushpay.KindConflict, "duplicate", "the object already exists"
	case FaultBusy:
		kind, code, msg = hushpay.KindUnavailable, "database_busy", "the database is busy"
	case FaultUnavailable:
		kind, code, msg = hushpay.KindUnavailable, "database_unavailable", "the database is not available"
	}
	return &hushpay.Error{Op: op, Kind: kind, Code: code, Message: msg, Err: kept}
}

// VersionConflict is the error of an update whose version check failed: the object was changed
// by someone else since it was read.
func VersionConflict(object string) error {
	return hushpay.Errorf(hushpay.KindConflict, "version_conflict", "%s was changed by someone else; reload it and retry", object)
}

// Missed explains a conditional write that changed nothing, once the store has looked whether
// the row exists: a missing row is KindNotFound for object, an existing one the given conflict.
func Missed(object string, exists bool, conflict error) error {
	if !exists {
		return hushpay.NotFound(object)
	}
	return conflict
}

// NonNil returns b, or an empty slice for a nil one: the byte columns are NOT NULL, and a driver
// may bind a nil slice as NULL.
func NonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
