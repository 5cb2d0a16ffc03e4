package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/hushpay/hushpay"
)

// screen follows a payment's masked events, as the agent's desktop does, and prints a line when
// a field's state changes (and every four digits of the card number).
type screen struct {
	out    *report
	last   map[hushpay.FieldName]hushpay.Field
	ready  bool
	cancel context.CancelFunc
	done   chan struct{}
}

// watchScreen subscribes to the payment's events; stop ends the subscription and waits for the
// last line.
func (d *demo) watchScreen(ctx context.Context, paymentID string) (*screen, error) {
	ctx, cancel := context.WithCancel(ctx)
	events, err := d.cfg.Payments.Subscribe(ctx, demoPrincipal, paymentID)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("following the payment: %w", err)
	}
	s := &screen{out: d.out, last: map[hushpay.FieldName]hushpay.Field{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for e := range events {
			if e.Payment != nil {
				s.show(e.Payment)
			}
		}
	}()
	return s, nil
}

func (s *screen) stop() {
	s.cancel()
	<-s.done
}

// show prints what changed on the screen.
func (s *screen) show(p *hushpay.Payment) {
	for _, name := range p.Capture {
		f := p.Fields[name]
		prev, seen := s.last[name]
		s.last[name] = f
		changed := !seen && f.State != hushpay.FieldEmpty || seen && f.State != prev.State
		progress := name == hushpay.FieldCardNumber && f.State == hushpay.FieldPartial &&
			f.Length != prev.Length && f.Length%4 == 0
		if changed || progress {
			s.out.screen("%s: %s", label(name), describeField(name, f))
		}
	}
	if p.State == hushpay.PaymentReady && !s.ready {
		s.ready = true
		s.out.screen("payment: every field complete, ready to submit")
	}
}

// label is a field's name as the screen shows it.
func label(name hushpay.FieldName) string { return strings.ReplaceAll(string(name), "_", " ") }

// describeField is the masked state of one field: never a digit beyond a complete card's last four.
func describeField(name hushpay.FieldName, f hushpay.Field) string {
	switch f.State {
	case hushpay.FieldComplete:
		if f.Last4 != "" {
			return fmt.Sprintf("complete %s ••••%s", f.Brand, f.Last4)
		}
		return "complete"
	case hushpay.FieldInvalid:
		return fmt.Sprintf("invalid (%s): ask the caller to key it again", f.Error)
	case hushpay.FieldPartial:
		progress := fmt.Sprintf("%d digits", f.Length)
		if want := expectedLength(name, f.Brand); want > 0 {
			progress = fmt.Sprintf("%d of %d digits", f.Length, want)
		}
		if f.Brand != "" {
			return f.Brand + ", " + progress
		}
		return progress
	}
	return string(f.State)
}

// expectedLength is the usual length of a field, for "8 of 16 digits"; 0 when it is not known.
func expectedLength(name hushpay.FieldName, brand string) int {
	switch name {
	case hushpay.FieldCardNumber:
		return map[string]int{"visa": 16, "mastercard": 16, "discover": 16, "amex": 15}[brand]
	case hushpay.FieldExpiry:
		return 4
	case hushpay.FieldSecurityCode:
		if brand == "amex" {
			return 4
		}
		return 3
	}
	return 0
}
