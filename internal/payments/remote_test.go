package payments

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
)

// anchoredCall stores an active call anchored on node.
func (tc *testCluster) anchoredCall(t testing.TB, node string) *hushpay.Call {
	t.Helper()
	c := &hushpay.Call{ID: newID("call_"), Tenant: "acme", State: hushpay.CallActive, StartedAt: tc.clock.Now(), Node: node,
		Legs: []hushpay.CallLeg{{Role: hushpay.LegCaller, SIPCallID: "a-" + newID(""), From: "sip:+14155550100@carrier", To: "sip:support@acme"}}}
	if err := tc.a.store.CreateCall(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClusterCommandsRunOnTheNodeThatAnchorsTheCall: an agent drives through node a a payment whose
// call is anchored on node b. a holds no capture session; the caller's keys reach b; a's reset and
// submit run on b, where the digits are; a's answers come from the store, errors keep their kind,
// and no notification holds the card number.
func TestClusterCommandsRunOnTheNodeThatAnchorsTheCall(t *testing.T) {
	tc := newCluster(t)
	w := listenWire(t, tc.a.store)
	ctx := context.Background()
	call := tc.anchoredCall(t, tc.b.name)
	req := usd(2500)
	req.CallID = call.ID
	p, err := tc.a.svc.Create(ctx, agent, req)
	if err != nil {
		t.Fatal(err)
	}
	if tc.a.svc.holds(p.ID) {
		t.Fatal("a holds a capture session for a call anchored on b")
	}
	keys := func(s string) {
		t.Helper()
		for i := range len(s) {
			if ok, err := tc.b.svc.Key(ctx, "acme", p.ID, s[i]); !ok || err != nil {
				t.Fatalf("key %d on b: %v %v", i, ok, err)
			}
		}
	}
	keys("4000")
	got, err := tc.a.svc.ResetField(ctx, agent, p.ID, hushpay.FieldCardNumber)
	if err != nil {
		t.Fatalf("reset through a: %v", err)
	}
	if fd := got.Fields[hushpay.FieldCardNumber]; fd.State != hushpay.FieldEmpty || fd.Length != 0 {
		t.Fatalf("after a's reset the card number is %+v, want empty", fd)
	}
	keys("4242424242424242#1230123")
	got, err = tc.a.svc.Get(ctx, agent, p.ID)
	if err != nil || got.State != hushpay.PaymentReady {
		t.Fatalf("after the keys: %v %v, want ready", got.State, err)
	}
	if got, err = tc.a.svc.MoveCapture(ctx, agent, p.ID, hushpay.FieldSecurityCode); err != nil ||
		got.CurrentField != hushpay.FieldSecurityCode {
		t.Fatalf("move through a: %v, current field %q", err, got.CurrentField)
	}
	keys("123") // the security code again, after the move
	got, err = tc.a.svc.Submit(ctx, agent, p.ID)
	if err != nil {
		t.Fatalf("submit through a: %v", err)
	}
	if got.State != hushpay.PaymentSucceeded || got.Outcome == nil || got.Outcome.Code != hushpay.OutcomeApproved {
		t.Fatalf("submitted through a: %s %+v", got.State, got.Outcome)
	}
	if fd := got.Fields[hushpay.FieldCardNumber]; fd.Last4 != "4242" {
		t.Fatalf("card number after submit: %+v", fd)
	}
	if tc.a.svc.holds(p.ID) {
		t.Error("a holds a capture session after driving the payment")
	}
	_, err = tc.a.svc.ResetField(ctx, agent, p.ID, hushpay.FieldCardNumber)
	if !hushpay.IsConflict(err) {
		t.Fatalf("reset of a succeeded payment through a: %v, want a conflict", err)
	}
	w.waitFor(t, RepliesChannel)
	assertNoCard(t, "the notifications", strings.Join(w.all(), "\n"), "4242424242424242")
	assertNoCard(t, "the logs", tc.logs.String(), "4242424242424242")
}

// TestClusterCommandForAnUnreachableNodeFails: a command for a node that does not answer fails
// with unavailable after the timeout; the payment is unchanged.
func TestClusterCommandForAnUnreachableNodeFails(t *testing.T) {
	was := commandTimeout
	commandTimeout = 300 * time.Millisecond
	defer func() { commandTimeout = was }()
	tc := newCluster(t)
	ctx := context.Background()
	req := usd(100)
	req.CallID = tc.anchoredCall(t, "node-gone").ID
	p, err := tc.a.svc.Create(ctx, agent, req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tc.a.svc.MoveCapture(ctx, agent, p.ID, hushpay.FieldExpiry)
	if hushpay.KindOf(err) != hushpay.KindUnavailable {
		t.Fatalf("move for an unreachable node: %v, want unavailable", err)
	}
	got, _ := tc.a.svc.Get(ctx, agent, p.ID)
	if got.CurrentField != hushpay.FieldCardNumber || got.State != hushpay.PaymentCapturing {
		t.Fatalf("payment after the failed move: %s at %q", got.State, got.CurrentField)
	}
}
