package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// Log records actions in the audit trail. It commits entries in groups: while one tenant's batch
// is being written, the entries recorded meanwhile queue up and go together in the next
// transaction, so a busy tenant costs one transaction per batch instead of one per entry. Every
// Record still returns only once its entry is committed (or failed).
type Log struct {
	store hushpay.AuditStore
	clock hushpay.Clock

	mu     sync.Mutex
	queues map[string][]*pending // by tenant; present while the tenant's writer runs
}

// pending is one entry waiting for its batch to commit.
type pending struct {
	entry *hushpay.AuditEntry
	done  chan error
}

// maxBatch bounds one transaction.
const maxBatch = 256

// appendTimeout bounds one batch's transaction; it does not depend on any one caller's context,
// since the batch carries other callers' entries too.
const appendTimeout = 30 * time.Second

// New returns a Log that appends through store and stamps entries with clock.
func New(store hushpay.AuditStore, clock hushpay.Clock) *Log {
	return &Log{store: store, clock: clock, queues: map[string][]*pending{}}
}

// Record appends one entry to the tenant's chain: who (actor) did what (action, e.g.
// "payment.created") to which object, with details that must never hold card data. A field or
// detail that looks like a card number is refused with a KindInvalid error naming it. It returns
// when the entry is committed; if ctx ends first it returns ctx's error, and the entry may still
// be committed.
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
	p := &pending{entry: e, done: make(chan error, 1)}
	l.enqueue(p)
	select {
	case err := <-p.done:
		return hushpay.WithOp("audit.record", err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enqueue adds p to its tenant's queue and starts the tenant's writer if none runs.
func (l *Log) enqueue(p *pending) {
	tenant := p.entry.Tenant
	l.mu.Lock()
	q, running := l.queues[tenant]
	l.queues[tenant] = append(q, p)
	l.mu.Unlock()
	if !running {
		go l.write(tenant)
	}
}

// write commits the tenant's queue batch by batch until it is empty, then retires.
func (l *Log) write(tenant string) {
	for {
		l.mu.Lock()
		q := l.queues[tenant]
		if len(q) == 0 {
			delete(l.queues, tenant)
			l.mu.Unlock()
			return
		}
		batch := q[:min(len(q), maxBatch)]
		l.queues[tenant] = q[len(batch):]
		l.mu.Unlock()

		entries := make([]*hushpay.AuditEntry, len(batch))
		for i, p := range batch {
			entries[i] = p.entry
		}
		ctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
		err := l.store.AppendAudit(ctx, entries, Seal)
		cancel()
		for _, p := range batch {
			p.done <- err
		}
	}
}

// Seal fills e's Seq, PrevHash and Hash to follow prev (nil for a tenant's first entry). It is the
// seal function the Log hands to AppendAudit.
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
