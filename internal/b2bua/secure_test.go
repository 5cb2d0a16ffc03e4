package b2bua_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
)

// TestSecureModeFollowsThePaymentWithoutPolling sets the B2BUA's poll of the call record to an
// hour, so only the payment service's notification can move the call in and out of secure mode:
// a payment created on the call turns it on, cancelling the payment turns it off.
func TestSecureModeFollowsThePaymentWithoutPolling(t *testing.T) {
	h := startHarness(t, harnessConfig{route: true, securePoll: time.Hour})
	startAgent(t, h)
	sess, err := newCaller(t, h).call(t, callerSDP(freePort(t)))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	call := activeCall(t, h)
	if strings.Contains(h.logs.String(), `msg="secure mode"`) {
		t.Fatal("secure mode changed before any payment")
	}
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p, err := h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: call.ID, Amount: 500,
		Currency: "USD", Reference: "push"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "secure mode on", func() bool {
		return logLine(h, `msg="secure mode"`, "on=true", "payment="+p.ID)
	})
	if _, err := h.payments.Cancel(context.Background(), pr, p.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "secure mode off", func() bool {
		return logLine(h, `msg="secure mode"`, "on=false")
	})
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}

// logLine reports whether one line of hushpay's log holds every part.
func logLine(h *harness, parts ...string) bool {
	for line := range strings.SplitSeq(h.logs.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}
