package payments

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/capture"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/vault"
)

// processorTimeout bounds one authorization; the request goes on even if the API client leaves.
const processorTimeout = 30 * time.Second

// Submit tokenizes and authorizes a ready payment and returns it in its final state. A keypad
// payment is submitted by the node that anchors its call, which holds the digits.
func (s *Service) Submit(ctx context.Context, pr hushpay.Principal, id string) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	if node := s.commandNode(ctx, pr, id); node != "" {
		return s.forward(ctx, pr, node, id, opSubmit, "")
	}
	return s.submitHere(ctx, pr, id)
}

// submitHere submits a payment whose capture session, if any, is on this node.
func (s *Service) submitHere(ctx context.Context, pr hushpay.Principal, id string) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	l := s.acquire(id)
	defer s.release(id, l)
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return nil, err
	}
	if err := s.submitLocked(ctx, pr, p, l); err != nil {
		return nil, err
	}
	return p.Clone(), nil
}

// submitLocked takes a ready payment through processing to its outcome. Caller holds l.mu.
func (s *Service) submitLocked(ctx context.Context, pr hushpay.Principal, p *hushpay.Payment, l *live) error {
	if p.State != hushpay.PaymentReady && p.State != hushpay.PaymentCapturing {
		return stateConflict(p)
	}
	if l.session == nil || !l.session.Complete() {
		return &hushpay.Error{Kind: hushpay.KindConflict, Code: "payment_not_ready",
			Message: "not every field is complete and valid"}
	}
	ctx = context.WithoutCancel(ctx)
	p.State = hushpay.PaymentProcessing
	if err := s.save(ctx, p, hushpay.EventPaymentUpdated); err != nil {
		return err
	}
	s.record(ctx, pr, "payment.submitted", "payment", p.ID, nil)

	vals := l.session.Values()
	state, outcome := s.authorize(ctx, pr, p, vals)
	l.dropSession() // wipes every captured digit, the security code included
	return s.finish(ctx, pr, p, state, outcome)
}

// authorize asks the processor to charge the captured instrument, first sealing it in the vault as
// a token when the payment asked for a reusable one. A single-use instrument is never stored: it
// goes from the capture session's memory to the processor and is wiped. It never returns card data.
func (s *Service) authorize(ctx context.Context, pr hushpay.Principal, p *hushpay.Payment, v capture.Values) (hushpay.PaymentState, *hushpay.Outcome) {
	failed := func(code, msg string) (hushpay.PaymentState, *hushpay.Outcome) {
		return hushpay.PaymentFailed, &hushpay.Outcome{Code: code, Message: msg}
	}
	if p.TokenType == "reusable" {
		if err := s.vaultInstrument(ctx, pr, p, v); err != nil {
			s.log.Error("tokenization failed", "payment", p.ID, "err", err)
			return failed(hushpay.OutcomeProcessingError, "the payment details could not be secured")
		}
	}
	req := &processor.AuthorizeRequest{IdempotencyKey: p.ID, Tenant: p.Tenant, PaymentID: p.ID, Reference: p.Reference,
		Amount: p.Amount, Currency: p.Currency, MOTO: true}
	if p.Method == hushpay.MethodACH {
		req.Bank = &processor.Bank{RoutingNumber: v.RoutingNumber, Account: v.Account, AccountType: string(v.AccountType)}
	} else {
		req.Card = &processor.Card{PAN: v.PAN, Brand: v.Brand, ExpMonth: v.Expiry.Month, ExpYear: v.Expiry.Year,
			SecurityCode: v.SecurityCode, PostalCode: v.PostalCode}
	}
	pctx, cancel := context.WithTimeout(ctx, processorTimeout)
	var res *processor.Result
	proc, err := s.cfg.Processors.Get(p.Processor)
	if err == nil {
		res, err = proc.Authorize(pctx, req)
	}
	cancel()

	if err != nil {
		var pe *processor.Error
		if errors.As(err, &pe) && pe.Code != "" {
			return failed(pe.Code, pe.Message)
		}
		s.log.Error("authorization failed", "payment", p.ID, "processor", p.Processor, "err", err)
		return failed(hushpay.OutcomeProcessingError, "the payment could not be processed")
	}
	if res.Approved {
		return hushpay.PaymentSucceeded, &hushpay.Outcome{Code: hushpay.OutcomeApproved, Message: nonEmpty(res.Message, "approved"), ProcessorReference: res.Reference}
	}
	return hushpay.PaymentDeclined, &hushpay.Outcome{Code: res.Code, Message: res.Message, ProcessorReference: res.Reference}
}

// vaultInstrument seals the captured instrument (never the security code) in the vault and stores
// the token, for later charges without the caller.
func (s *Service) vaultInstrument(ctx context.Context, pr hushpay.Principal, p *hushpay.Payment, v capture.Values) error {
	in := vault.Instrument{PAN: v.PAN, Brand: v.Brand, ExpMonth: v.Expiry.Month, ExpYear: v.Expiry.Year,
		RoutingNumber: v.RoutingNumber, Account: v.Account, AccountType: string(v.AccountType)}
	tok, err := s.cfg.Vault.Tokenize(p.Tenant, in, true)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.CreateToken(ctx, tok); err != nil {
		return err
	}
	p.TokenID = tok.ID
	s.record(ctx, pr, "token.created", "token", tok.ID, map[string]string{"payment_id": p.ID})
	return nil
}

// finish moves p to a final state, saves it, releases its call and records it. Caller holds the lock.
func (s *Service) finish(ctx context.Context, pr hushpay.Principal, p *hushpay.Payment, state hushpay.PaymentState, o *hushpay.Outcome) error {
	p.State, p.Outcome = state, o
	p.CurrentField = ""
	if err := s.save(ctx, p, finalEvent(state)); err != nil {
		return err
	}
	s.record(ctx, pr, "payment."+string(state), "payment", p.ID, map[string]string{"outcome": o.Code})
	s.releaseCall(ctx, p)
	return nil
}

func finalEvent(state hushpay.PaymentState) hushpay.EventType {
	switch state {
	case hushpay.PaymentSucceeded:
		return hushpay.EventPaymentSucceeded
	case hushpay.PaymentDeclined:
		return hushpay.EventPaymentDeclined
	case hushpay.PaymentCancelled:
		return hushpay.EventPaymentCancelled
	case hushpay.PaymentExpired:
		return hushpay.EventPaymentExpired
	}
	return hushpay.EventPaymentFailed
}

// releaseCall takes the call out of secure mode once its payment is final.
func (s *Service) releaseCall(ctx context.Context, p *hushpay.Payment) {
	if p.CallID == "" {
		return
	}
	c, err := s.cfg.Store.GetCall(ctx, p.Tenant, p.CallID)
	if err != nil || c.PaymentID != p.ID || !c.Secure {
		return
	}
	c.Secure = false
	if err := s.cfg.Store.UpdateCall(ctx, c); err != nil {
		s.log.Warn("call not released from secure mode", "call", c.ID, "err", err)
		return
	}
	s.calls.notify(c.Tenant, c.ID)
}

// Cancel cancels a payment that has not reached processing.
func (s *Service) Cancel(ctx context.Context, pr hushpay.Principal, id string) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	return s.end(ctx, pr, id, hushpay.PaymentCancelled, hushpay.OutcomeAgentCancelled, "cancelled by the agent")
}

// CallEnded cancels the call's payment if it is still capturing (reason call_ended). The voice path
// calls it when a call with a payment hangs up.
func (s *Service) CallEnded(ctx context.Context, tenant, paymentID string) error {
	_, err := s.end(ctx, hushpay.System(tenant), paymentID, hushpay.PaymentCancelled, hushpay.OutcomeCallEnded, "the call ended")
	if hushpay.IsConflict(err) {
		return nil
	}
	return err
}

// end moves a non-final payment to cancelled or expired.
func (s *Service) end(ctx context.Context, pr hushpay.Principal, id string, state hushpay.PaymentState, code, msg string) (*hushpay.Payment, error) {
	l := s.acquire(id)
	defer s.release(id, l)
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return nil, err
	}
	if !p.State.CanBecome(state) {
		return nil, stateConflict(p)
	}
	l.dropSession()
	if err := s.finish(ctx, pr, p, state, &hushpay.Outcome{Code: code, Message: msg}); err != nil {
		return nil, err
	}
	return p.Clone(), nil
}

// Refund refunds a succeeded payment: all that is left of it when amount is nil.
func (s *Service) Refund(ctx context.Context, pr hushpay.Principal, id string, amount *int64) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermRefund); err != nil {
		return nil, err
	}
	l := s.acquire(id)
	defer s.release(id, l)
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return nil, err
	}
	if p.State != hushpay.PaymentSucceeded {
		return nil, stateConflict(p)
	}
	left := p.Amount - p.AmountRefunded
	want := left
	if amount != nil {
		want = *amount
	}
	if want <= 0 || want > left {
		return nil, hushpay.FieldError("amount", "invalid_amount", "amount must be positive and at most what is left to refund ("+strconv.FormatInt(left, 10)+")")
	}
	proc, err := s.cfg.Processors.Get(p.Processor)
	if err != nil {
		return nil, err
	}
	refunder, ok := proc.(processor.Refunder)
	if !ok {
		return nil, &hushpay.Error{Kind: hushpay.KindConflict, Code: "refund_not_supported", Message: "the processor does not support refunds"}
	}
	refundID := newID("re_")
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), processorTimeout)
	res, err := refunder.Refund(pctx, &processor.RefundRequest{IdempotencyKey: refundID, Reference: p.Outcome.ProcessorReference,
		Amount: want, Currency: p.Currency})
	cancel()
	if err != nil {
		s.log.Error("refund failed", "payment", p.ID, "err", err)
		var pe *processor.Error
		if errors.As(err, &pe) && pe.Code != "" {
			return nil, &hushpay.Error{Kind: hushpay.KindConflict, Code: pe.Code, Message: pe.Message}
		}
		return nil, &hushpay.Error{Kind: hushpay.KindUnavailable, Code: "processing_error", Message: "the refund could not be processed"}
	}
	p.Refunds = append(p.Refunds, hushpay.Refund{ID: refundID, Amount: want, ProcessorReference: res.Reference, CreatedAt: s.now()})
	p.AmountRefunded += want
	if err := s.save(ctx, p, hushpay.EventPaymentRefunded); err != nil {
		return nil, err
	}
	s.record(ctx, pr, "payment.refunded", "payment", p.ID, map[string]string{"refund_id": refundID, "amount": strconv.FormatInt(want, 10)})
	return p.Clone(), nil
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
