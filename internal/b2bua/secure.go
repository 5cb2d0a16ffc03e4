package b2bua

import (
	"context"
	"time"
)

// The B2BUA follows a call's payment by reading the call's record (hushpay.Call.PaymentID and
// Secure, which the payment service sets when a payment starts on the call and clears when it
// ends) every Config.SecurePoll, and once more on each key press that arrives while no payment
// is known. Reading the record, rather than subscribing to the payment service's events, also
// follows a payment created through another node's API (the record is in the shared database),
// and needs no payment ID to start from.

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

// watchSecure polls the call's record until the call ends.
func (c *call) watchSecure() {
	c.b.wg.Add(1)
	go func() {
		defer c.b.wg.Done()
		t := time.NewTicker(c.b.cfg.SecurePoll)
		defer t.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-t.C:
				c.refreshSecure()
			}
		}
	}()
}
