package b2bua_test

import (
	"context"
	"net"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/payments"
)

// TestRFC4733KeysReachThePayment sends four key presses as RFC 4733 telephone-events (on the
// caller's payload type 96) to hushpay's media port during a payment, and checks the relay's
// OnKey reaches the payment's card number field, once per press.
func TestRFC4733KeysReachThePayment(t *testing.T) {
	h := newHarness(t)
	startAgent(t, h)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	sess, err := newCaller(t, h).call(t, callerSDP(rtpConn.LocalAddr().(*net.UDPAddr).Port))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	answer, err := sdp.Parse(sess.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	mediaIP, _ := answer.Connection(answer.Audio())
	hushpayMedia := &net.UDPAddr{IP: mediaIP.AsSlice(), Port: answer.Audio().Port}

	call := activeCall(t, h)
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p, err := h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: call.ID, Amount: 500,
		Currency: "USD", Reference: "rtp-keys"})
	if err != nil {
		t.Fatal(err)
	}

	sendKeyEvents(t, rtpConn, hushpayMedia, 96, 0x4242, 0, "4242")
	waitForDigits(t, h, pr, p.ID, 4)
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
	got, _ := h.payments.Get(context.Background(), pr, p.ID)
	if got.State != hushpay.PaymentCancelled || got.Fields[hushpay.FieldCardNumber].Length != 4 {
		t.Errorf("payment after the call: %s with %d digits, want cancelled with 4", got.State, got.Fields[hushpay.FieldCardNumber].Length)
	}
}
