package payments

import (
	"context"
	"time"

	"github.com/hushpay/hushpay"
)

// Key feeds one keypad symbol ('0'-'9', '*', '#') from the voice path into the payment's capture
// session. Symbols for a payment that is not capturing are ignored (reported false). The voice
// path calls it on the node that anchors the call; a capturing payment with no session here (it
// was created through another node, or this node restarted) gets one, unless a field already
// holds digits that only a lost session knew, in which case the keys are ignored.
func (s *Service) Key(ctx context.Context, tenant, paymentID string, sym byte) (bool, error) {
	l := s.acquire(paymentID)
	defer s.release(paymentID, l)
	p, err := s.load(ctx, tenant, paymentID)
	if err != nil {
		if l.session == nil && hushpay.IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	if p.State != hushpay.PaymentCapturing && p.State != hushpay.PaymentReady {
		return false, nil
	}
	if l.session == nil && !s.resumeSession(l, p) {
		return false, nil
	}
	l.session.Key(sym, s.now())
	pr := hushpay.Principal{Tenant: tenant, Role: hushpay.RoleAgent, Actor: "caller:keypad"}
	return true, s.afterCapture(ctx, pr, p, l)
}

// MoveCapture moves keypad capture to a field.
func (s *Service) MoveCapture(ctx context.Context, pr hushpay.Principal, id string, field hushpay.FieldName) (*hushpay.Payment, error) {
	return s.onField(ctx, pr, id, field, opMoveCapture, "payment.capture_moved", moveTo(field))
}

// ResetField clears a field and moves capture to it.
func (s *Service) ResetField(ctx context.Context, pr hushpay.Principal, id string, field hushpay.FieldName) (*hushpay.Payment, error) {
	return s.onField(ctx, pr, id, field, opResetField, "payment.field_reset", resetField(field))
}

func moveTo(field hushpay.FieldName) func(*live) error {
	return func(l *live) error { return l.session.MoveTo(field) }
}

func resetField(field hushpay.FieldName) func(*live) error {
	return func(l *live) error { return l.session.Reset(field) }
}

// onField runs a field command here, or on the node that anchors the payment's call.
func (s *Service) onField(ctx context.Context, pr hushpay.Principal, id string, field hushpay.FieldName, op, action string, apply func(*live) error) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	if node := s.commandNode(ctx, pr, id); node != "" {
		return s.forward(ctx, pr, node, id, op, field)
	}
	return s.onFieldHere(ctx, pr, id, field, action, apply)
}

// commandNode returns the node a command on payment id must run on, or "" for this one.
func (s *Service) commandNode(ctx context.Context, pr hushpay.Principal, id string) string {
	if s.clusterLink.Load() == nil {
		return ""
	}
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return "" // the local path reports the error
	}
	return s.anchorElsewhere(ctx, p)
}

// onFieldHere runs a field command on this node's capture session.
func (s *Service) onFieldHere(ctx context.Context, pr hushpay.Principal, id string, field hushpay.FieldName, action string, apply func(*live) error) (*hushpay.Payment, error) {
	if err := require(pr, hushpay.PermOperatePayments); err != nil {
		return nil, err
	}
	l := s.acquire(id)
	defer s.release(id, l)
	p, err := s.load(ctx, pr.Tenant, id)
	if err != nil {
		return nil, err
	}
	if !p.State.CanBecome(hushpay.PaymentCapturing) {
		return nil, stateConflict(p)
	}
	if _, ok := p.Fields[field]; !ok {
		return nil, hushpay.FieldError("field", "invalid_field", "the payment does not capture this field")
	}
	if l.session == nil && !s.resumeSession(l, p) {
		return nil, &hushpay.Error{Kind: hushpay.KindConflict, Code: "capture_lost",
			Message: "the digits captured so far are no longer held; cancel and start a new payment"}
	}
	if err := apply(l); err != nil {
		return nil, hushpay.FieldError("field", "invalid_field", "the payment does not capture this field")
	}
	if err := s.afterCapture(ctx, pr, p, l); err != nil {
		return nil, err
	}
	s.record(ctx, pr, action, "payment", p.ID, map[string]string{"field": string(field)})
	return p.Clone(), nil
}

// afterCapture copies the session's masked state into the payment, moves the payment's state to
// match, saves it, arms the idle timer and starts an auto-submit. Caller holds l.mu.
func (s *Service) afterCapture(ctx context.Context, pr hushpay.Principal, p *hushpay.Payment, l *live) error {
	s.syncFields(p, l)
	submit := false
	switch {
	case l.session.Exhausted():
		l.dropSession()
		return s.finish(ctx, pr, p, hushpay.PaymentFailed, &hushpay.Outcome{Code: hushpay.OutcomeTooManyAttempts,
			Message: "too many invalid entries"})
	case l.session.Complete():
		p.State = hushpay.PaymentReady
		submit = p.AutoSubmit
	default:
		p.State = hushpay.PaymentCapturing
	}
	if err := s.save(ctx, p, hushpay.EventPaymentUpdated); err != nil {
		return err
	}
	s.armTimer(p.Tenant, p.ID, l)
	if submit {
		s.submitLater(pr, p.ID)
	}
	return nil
}

// syncFields copies the capture session's masked view into p. Caller holds l.mu.
func (s *Service) syncFields(p *hushpay.Payment, l *live) {
	if l.session == nil {
		return
	}
	p.Fields = l.session.Fields()
	p.CurrentField = l.session.Current()
}

// armTimer schedules the session's next deadline (the idle auto-advance). Caller holds l.mu.
func (s *Service) armTimer(tenant, id string, l *live) {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if l.session == nil {
		return
	}
	at, ok := l.session.NextDeadline()
	if !ok {
		return
	}
	l.timer = time.AfterFunc(max(time.Until(at), 0), func() { s.tick(tenant, id) })
}

// tick applies a capture session's deadline.
func (s *Service) tick(tenant, id string) {
	if s.closed.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := s.acquire(id)
	defer s.release(id, l)
	if l.session == nil {
		return
	}
	p, err := s.load(ctx, tenant, id)
	if err != nil || (p.State != hushpay.PaymentCapturing && p.State != hushpay.PaymentReady) {
		return
	}
	l.session.Tick(s.now())
	pr := hushpay.Principal{Tenant: tenant, Role: hushpay.RoleAgent, Actor: "caller:keypad"}
	if err := s.afterCapture(ctx, pr, p, l); err != nil {
		s.log.Warn("capture deadline not applied", "payment", id, "err", err)
	}
}

// submitLater submits the payment in the background (auto_submit from the keypad path).
func (s *Service) submitLater(pr hushpay.Principal, id string) {
	s.spawn(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := s.Submit(ctx, pr, id); err != nil && !hushpay.IsConflict(err) {
			s.log.Warn("auto-submit failed", "payment", id, "err", err)
		}
	})
}

func stateConflict(p *hushpay.Payment) error {
	return &hushpay.Error{Kind: hushpay.KindConflict, Code: "invalid_state",
		Message: "the payment is " + string(p.State) + " and does not allow this action"}
}

// resumeSession starts a capture session for a payment that has none on this node, at the
// payment's current field, when nothing captured so far would be lost: no field partly or fully
// entered (an invalid field is entered again anyway). It reports whether the payment now has a
// session. Caller holds l.mu.
func (s *Service) resumeSession(l *live, p *hushpay.Payment) bool {
	for _, f := range p.Fields {
		if f.State == hushpay.FieldPartial || f.State == hushpay.FieldComplete {
			return false
		}
	}
	s.newSession(l, p)
	if p.CurrentField != "" && p.CurrentField != p.Capture[0] {
		_ = l.session.MoveTo(p.CurrentField)
	}
	return true
}
