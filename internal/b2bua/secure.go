package b2bua

import (
	"context"
	"time"
)

// The B2BUA follows a call's payment through the call's record (hushpay.Call.PaymentID and
// Secure, which the payment service sets when a payment starts on the call and clears when it
// ends). The record is re-read:
//   - at once when the payment service on this node says the call changed (callWatcher, when
//     Config.Payments offers it): a payment started through this node's API or desktop turns
//     masking on before the caller can press a key;
//   - on each key press that arrives while no payment is known;
//   - every Config.SecurePoll, which follows a payment created through another node's API (the
//     record is in the shared database) and repairs a missed notification.
// Reading the record, rather than trusting the notification's content, keeps one source of truth.

// callWatcher is what Config.Payments may offer besides Payments: a push when a call's record
// changes (internal/payments.Service has it).
type callWatcher interface {
	WatchCalls(ctx context.Context, fn func(tenant, callID string))
}

// followPayments subscribes to the payment service's call notifications, until Close.
func (b *B2BUA) followPayments() {
	if w, ok := b.cfg.Payments.(callWatcher); ok {
		w.WatchCalls(b.ctx, b.CallChanged)
	}
}

// CallChanged makes the call with hushpay call ID callID re-read its record now, on the call's
// own watcher goroutine (so reads of one call stay in order). It never blocks; an unknown call is
// ignored (it is anchored on another node, or has ended).
func (b *B2BUA) CallChanged(tenant, callID string) {
	for _, c := range b.calls.all() {
		if c.id != callID || c.tenant != tenant {
			continue
		}
		c.mu.Lock()
		kick := c.kick
		c.mu.Unlock()
		select {
		case kick <- struct{}{}:
		default: // a re-read is already pending, or the watcher has not started yet
		}
	}
}

// key feeds one keypad symbol of the caller (from the relay's OnKey or a SIP INFO) to the
// call's payment. A failure is logged without the symbol; the call goes on.
func (c *call) key(sym byte) {
	pid := c.currentPayment()
	if pid == "" {
		pid = c.refreshSecure()
	}
	if pid == "" || c.b.cfg.Payments == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if _, err := c.b.cfg.Payments.Key(ctx, c.tenant, pid, sym); err != nil {
		c.log.Warn("keypad press not captured", "payment", pid, "err", err)
	}
}

func (c *call) currentPayment() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paymentID
}

// refreshSecure reads the call's record, sets the relay's Secure flag from it and returns the
// call's payment ID.
func (c *call) refreshSecure() string {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	sc, err := c.b.cfg.Calls.GetCall(ctx, c.tenant, c.id)
	if err != nil {
		c.log.Debug("call record not read", "err", err)
		return c.currentPayment()
	}
	if was := c.relay.Secure(); was != sc.Secure {
		c.log.Info("secure mode", "on", sc.Secure, "payment", sc.PaymentID)
	}
	c.relay.SetSecure(sc.Secure)
	c.mu.Lock()
	c.paymentID = sc.PaymentID
	c.mu.Unlock()
	return sc.PaymentID
}

// watchSecure re-reads the call's record when kicked and every SecurePoll, until the call ends.
func (c *call) watchSecure() {
	kick := make(chan struct{}, 1)
	c.mu.Lock()
	c.kick = kick
	c.mu.Unlock()
	c.b.spawn(func() {
		t := time.NewTicker(c.b.cfg.SecurePoll)
		defer t.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-kick:
				c.refreshSecure()
			case <-t.C:
				c.refreshSecure()
			}
		}
	})
}
