package demo

import (
	"errors"
	"fmt"

	"github.com/hushpay/hushpay"
)

// verdict checks the outcome of the run, prints it, and returns an error naming every check that
// failed.
func (d *demo) verdict(ready, final *hushpay.Payment, h heard, callEnded error) error {
	keys := keyCount(testCard(d.cfg.Clock.Now()))
	var failed []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			failed = append(failed, fmt.Errorf(format, args...))
		}
	}
	check(final.State == hushpay.PaymentSucceeded && final.Outcome != nil && final.Outcome.Code == hushpay.OutcomeApproved,
		"the payment was not approved (state %s)", final.State)
	check(h.decoded == 0, "hushpay's detector decoded %d digits from the agent's audio", h.decoded)
	check(h.mmErr != nil || h.multimon == 0, "multimon-ng decoded %d digits from the agent's audio", h.multimon)
	check(h.mmErr == nil || errors.Is(h.mmErr, errNotInstalled), "%v", h.mmErr)
	check(h.events == 0, "%d RFC 4733 event packets reached the agent phone", h.events)
	check(h.masked == keys, "the agent heard %d masked key presses, want %d", h.masked, keys)
	for _, want := range []struct {
		name   hushpay.FieldName
		length int
	}{{hushpay.FieldCardNumber, 16}, {hushpay.FieldExpiry, 4}, {hushpay.FieldSecurityCode, 3}} {
		f := ready.Fields[want.name]
		check(f.State == hushpay.FieldComplete && f.Length == want.length,
			"%s: %s with %d digits, want complete with %d", label(want.name), f.State, f.Length, want.length)
	}
	check(callEnded == nil, "the call did not end cleanly: %v", callEnded)

	d.out.printf("\n")
	if len(failed) > 0 {
		d.out.printf("result: FAILED\n")
		return fmt.Errorf("%d of the checks failed:\n%w", len(failed), errors.Join(failed...))
	}
	d.out.printf("result: OK: approved; %d keys captured; the agent heard %d masked presses and no digit; the call ended cleanly\n",
		keys, h.masked)
	return nil
}
