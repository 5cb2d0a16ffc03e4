package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// Log records actions in the audit trail.
type Log struct {
	store hushpay.AuditStore
	clock hushpay.Clock
}

// New returns a Log that appends through store and stamps entries with clock.
func New(store hushpay.AuditStore, clock hushpay.Clock) *Log {
	return &Log{store: store, clock: clock}
}

// Record appends one entry to the tenant's chain: who (actor) did what (action, e.g.
// "payment.created") to which object, with details that must never hold card data. A field or
// detail that looks like a card number is refused with a KindInvalid error naming it.
func (l *Log) Record(ctx context.Context, tenant, actor, action, objectType, objectID string, details map[string]string) error {
	e := &hushpay.AuditEntry{
		Tenant:     tenant,
		Time:       l.clock.Now().UTC().Truncate(time.Microsecond),
		Actor:      actor,
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
		Details:    maps.Clone(details),
	}
	if err := check(e); err != nil {
		return hushpay.WithOp("audit.record", err)
	}
	return hushpay.WithOp("audit.record", l.store.AppendAudit(ctx, e, Seal))
}

// Seal fills e's Seq, PrevHash and Hash to follow prev (nil for a tenant's first entry). It is the
// seal function Record hands to AppendAudit.
func Seal(prev, e *hushpay.AuditEntry) error {
	e.Seq, e.PrevHash = 1, nil
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, slices.Clone(prev.Hash)
	}
	e.Hash = Hash(e)
	return nil
}

// hashDomain separates this encoding (and its version) from any other use of SHA-256.
const hashDomain = "hushpay.audit.v1"

// Hash returns the SHA-256 of e's canonical encoding (see the package documentation); it covers
// every field but Hash itself.
func Hash(e *hushpay.AuditEntry) []byte {
	b := make([]byte, 0, 256)
	b = append(b, hashDomain...)
	b = appendString(b, e.Tenant)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixNano()))
	b = appendString(b, e.Actor)
	b = appendString(b, e.Action)
	b = appendString(b, e.ObjectType)
	b = appendString(b, e.ObjectID)
	b = binary.BigEndian.AppendUint64(b, uint64(len(e.Details)))
	for _, k := range slices.Sorted(maps.Keys(e.Details)) {
		b = appendString(b, k)
		b = appendString(b, e.Details[k])
	}
	b = appendString(b, string(e.PrevHash))
	sum := sha256.Sum256(b)
	return sum[:]
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// check refuses an entry without a tenant or action, or with anything that looks like a card
// number.
func check(e *hushpay.AuditEntry) error {
	if e.Tenant == "" {
		return hushpay.FieldError("tenant", "required", "an audit entry needs a tenant")
	}
	if e.Action == "" {
		return hushpay.FieldError("action", "required", "an audit entry needs an action")
	}
	fields := map[string]string{"actor": e.Actor, "action": e.Action, "object_type": e.ObjectType, "object_id": e.ObjectID}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if card.ContainsPAN(fields[name]) {
			return cardDataError(name)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(e.Details)) {
		if card.ContainsPAN(k) {
			return cardDataError("details") // the key itself must not be echoed
		}
		if card.ContainsPAN(e.Details[k]) {
			return cardDataError("details." + k)
		}
	}
	return nil
}

func cardDataError(field string) error {
	return hushpay.FieldError(field, "card_data_in_audit",
		"an audit entry must not hold what looks like a card number")
}
