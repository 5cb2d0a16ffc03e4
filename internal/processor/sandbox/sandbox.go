package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/processor"
)

// Name is the sandbox's registry name.
const Name = "sandbox"

// Options tune a sandbox; the zero value is the default.
type Options struct {
	// Clock tells the time for expiry checks; nil means the system clock.
	Clock hushpay.Clock
	// Latency is added to every call (honouring the context), to make load tests look like a
	// network gateway. Default 0.
	Latency time.Duration
}

// Processor is the sandbox processor. It implements processor.Processor, processor.Refunder and
// processor.InstrumentSaver, and is safe for concurrent use.
type Processor struct {
	clock   hushpay.Clock
	latency time.Duration
	digests digester

	mu      sync.Mutex
	charges map[string]*charge          // by charge reference
	saved   map[string]savedInstrument  // by instrument reference
	replays map[string]idempotentAnswer // by operation, tenant and idempotency key
}

// charge is an authorization the sandbox answered, kept for refunds.
type charge struct {
	approved bool
	amount   int64
	refunded int64
	currency string
}

// savedInstrument is what the sandbox keeps of a saved instrument: no card data, only the outcome
// its charges get.
type savedInstrument struct {
	tenant  string
	outcome outcome
	info    processor.SavedInstrument
}

// idempotentAnswer is the first answer to an idempotency key, with the digest of the request it
// answered.
type idempotentAnswer struct {
	digest [digestSize]byte
	result any // *processor.Result, *processor.RefundResult or *processor.SavedInstrument
	err    error
}

var _ interface {
	processor.Processor
	processor.Refunder
	processor.InstrumentSaver
} = (*Processor)(nil)

// New returns an empty sandbox.
func New(opts Options) *Processor {
	clock := opts.Clock
	if clock == nil {
		clock = hushpay.SystemClock{}
	}
	return &Processor{
		clock:   clock,
		latency: opts.Latency,
		digests: newDigester(),
		charges: make(map[string]*charge),
		saved:   make(map[string]savedInstrument),
		replays: make(map[string]idempotentAnswer),
	}
}

// Name returns "sandbox".
func (p *Processor) Name() string { return Name }

// Authorize answers as the test cards and accounts say (see cardOutcome and bankOutcome): a
// Result for approvals and declines, a temporary processing error for 4000000000000119. The same
// idempotency key with the same request returns the first answer; with another request it is
// rejected with idempotency_key_reuse.
func (p *Processor) Authorize(ctx context.Context, req *processor.AuthorizeRequest) (*processor.Result, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if req.Bank != nil && !strings.EqualFold(req.Currency, "USD") {
		return nil, processor.Invalid("currency", "ACH debits must be in USD")
	}
	digest := p.digests.authorize(req)
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.replay("authorize", req.Tenant, req.IdempotencyKey, digest); ok {
		return cloneResult(prev.result), prev.err
	}
	result, err := p.authorizeLocked(req)
	p.remember("authorize", req.Tenant, req.IdempotencyKey, digest, result, err)
	return cloneResult(result), err
}

func (p *Processor) authorizeLocked(req *processor.AuthorizeRequest) (*processor.Result, error) {
	out, err := p.outcomeOf(req)
	if err != nil {
		return nil, err
	}
	if out.failed() {
		return nil, processor.Processing(out.message, nil)
	}
	ref := newReference("sb_ch_")
	p.charges[ref] = &charge{approved: out.approved(), amount: req.Amount, currency: strings.ToUpper(req.Currency)}
	return &processor.Result{Approved: out.approved(), Code: out.code, Message: out.message, Reference: ref}, nil
}

// outcomeOf decides the request's outcome from its instrument.
func (p *Processor) outcomeOf(req *processor.AuthorizeRequest) (outcome, error) {
	switch {
	case req.Card != nil:
		return p.cardChargeOutcome(req.Card), nil
	case req.Bank != nil:
		return bankOutcome(req.Bank.Account.Reveal()), nil
	}
	s, ok := p.saved[req.Saved]
	if !ok || s.tenant != req.Tenant {
		return outcome{}, processor.Rejected(processor.CodeInstrumentNotFound, "no such saved instrument")
	}
	return s.outcome, nil
}

func (p *Processor) cardChargeOutcome(c *processor.Card) outcome {
	out := cardOutcome(c.PAN.Reveal())
	if expired, ok := expiredOutcome(c.ExpMonth, c.ExpYear, p.clock.Now()); ok && out.approved() {
		return expired
	}
	return out
}

// Refund refunds part or all of an approved charge: never more than what is left of it
// (amount_too_large), never a declined or unknown charge.
func (p *Processor) Refund(ctx context.Context, req *processor.RefundRequest) (*processor.RefundResult, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	digest := p.digests.refund(req)
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.replay("refund", "", req.IdempotencyKey, digest); ok {
		return cloneRefund(prev.result), prev.err
	}
	result, err := p.refundLocked(req)
	if processor.CodeOf(err) != processor.CodeAmountTooLarge {
		// Like a gateway, forget a refund refused for its amount: the key stays usable.
		p.remember("refund", "", req.IdempotencyKey, digest, result, err)
	}
	return cloneRefund(result), err
}

func (p *Processor) refundLocked(req *processor.RefundRequest) (*processor.RefundResult, error) {
	ch, ok := p.charges[req.Reference]
	if !ok {
		return nil, processor.Rejected(processor.CodeChargeNotFound, "no such charge")
	}
	if !ch.approved {
		return nil, processor.Rejected(processor.CodeChargeNotRefundable, "a declined charge cannot be refunded")
	}
	if !strings.EqualFold(req.Currency, ch.currency) {
		return nil, processor.Invalid("currency", "currency differs from the charge's")
	}
	if req.Amount > ch.amount-ch.refunded {
		return nil, processor.Rejected(processor.CodeAmountTooLarge, "the refund exceeds what is left of the charge")
	}
	ch.refunded += req.Amount
	return &processor.RefundResult{Reference: newReference("sb_re_")}, nil
}

// SaveInstrument keeps a reusable instrument for the tenant. A card that would be declined (other
// than Stripe's 4000000000000341, which saves and then declines its charges) is rejected with its
// decline code, as a gateway's verification would.
func (p *Processor) SaveInstrument(ctx context.Context, req *processor.SaveRequest) (*processor.SavedInstrument, error) {
	if err := p.wait(ctx); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	digest := p.digests.save(req)
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.replay("save", req.Tenant, req.IdempotencyKey, digest); ok {
		return cloneSaved(prev.result), prev.err
	}
	result, err := p.saveLocked(req)
	p.remember("save", req.Tenant, req.IdempotencyKey, digest, result, err)
	return cloneSaved(result), err
}

func (p *Processor) saveLocked(req *processor.SaveRequest) (*processor.SavedInstrument, error) {
	s := savedInstrument{tenant: req.Tenant}
	if req.Card != nil {
		s.outcome = p.cardChargeOutcome(req.Card)
		s.info = processor.SavedInstrument{Brand: req.Card.Brand, Last4: req.Card.PAN.Last4()}
	} else {
		s.outcome = bankOutcome(req.Bank.Account.Reveal())
		s.info = processor.SavedInstrument{Last4: req.Bank.Account.Last4()}
	}
	switch {
	case s.outcome.failed():
		return nil, processor.Processing(s.outcome.message, nil)
	case !s.outcome.approved() && !s.outcome.failsOnlyOnCharge:
		return nil, processor.Rejected(s.outcome.code, s.outcome.message)
	}
	s.info.Reference = newReference("sb_pm_")
	p.saved[s.info.Reference] = s
	return &s.info, nil
}

// replay returns the remembered answer to key, if any; a key remembered for another request
// answers with an idempotency_key_reuse rejection.
func (p *Processor) replay(op, tenant, key string, digest [digestSize]byte) (idempotentAnswer, bool) {
	prev, ok := p.replays[op+"\x00"+tenant+"\x00"+key]
	if ok && prev.digest != digest {
		reuse := processor.Rejected(processor.CodeIdempotencyKeyReuse, "the idempotency key was used for another request")
		return idempotentAnswer{err: reuse}, true
	}
	return prev, ok
}

// remember keeps the answer to key, except temporary failures, which a retry may still turn
// into an answer.
func (p *Processor) remember(op, tenant, key string, digest [digestSize]byte, result any, err error) {
	if e := (*processor.Error)(nil); errors.As(err, &e) && e.Temporary {
		return
	}
	p.replays[op+"\x00"+tenant+"\x00"+key] = idempotentAnswer{digest: digest, result: result, err: err}
}

// wait adds the configured latency and gives up when ctx ends.
func (p *Processor) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return processor.Processing("the request was cancelled", err)
	}
	if p.latency <= 0 {
		return nil
	}
	timer := time.NewTimer(p.latency)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return processor.Processing("the request was cancelled", ctx.Err())
	}
}

// newReference returns prefix followed by 128 random bits in lower-case base32.
func newReference(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it panics instead)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	return prefix + strings.ToLower(enc.EncodeToString(b[:]))
}

func cloneResult(v any) *processor.Result {
	r, ok := v.(*processor.Result)
	if !ok || r == nil {
		return nil
	}
	c := *r
	return &c
}

func cloneRefund(v any) *processor.RefundResult {
	r, ok := v.(*processor.RefundResult)
	if !ok || r == nil {
		return nil
	}
	c := *r
	return &c
}

func cloneSaved(v any) *processor.SavedInstrument {
	r, ok := v.(*processor.SavedInstrument)
	if !ok || r == nil {
		return nil
	}
	c := *r
	return &c
}
