package b2bua_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// TestReinvite2xxIsRetransmittedUntilTheACK sends a re-INVITE over UDP (a session refresh
// without SDP, which hushpay answers itself with its current offer) and holds back the ACK:
// hushpay must retransmit its 200 (RFC 3261 §13.3.1.4) and stop once the ACK arrives.
func TestReinvite2xxIsRetransmittedUntilTheACK(t *testing.T) {
	h := newHarness(t)
	startAgent(t, h)
	c := newCaller(t, h)
	sess, err := c.call(t, callerSDP(freePort(t)))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	reinvite := sip.NewRequest(sip.INVITE, sess.InviteResponse.Contact().Address)
	tx, err := sess.TransactionRequest(ctx, reinvite)
	if err != nil {
		t.Fatalf("re-INVITE: %v", err)
	}
	clientTx, ok2 := tx.(*sip.ClientTx)
	if !ok2 {
		t.Fatalf("client transaction is a %T", tx)
	}
	var retransmitted atomic.Int32
	again := make(chan struct{}, 16)
	clientTx.OnRetransmission(func(r *sip.Response) {
		if r.StatusCode == sip.StatusOK {
			retransmitted.Add(1)
			again <- struct{}{}
		}
	})
	var ok *sip.Response
	for ok == nil {
		select {
		case r := <-tx.Responses():
			if r.StatusCode == sip.StatusOK {
				ok = r
			}
		case <-ctx.Done():
			t.Fatal("no 200 to the re-INVITE")
		}
	}
	if len(ok.Body()) == 0 {
		t.Fatal("the 200 to a re-INVITE without SDP carries no offer")
	}
	select { // no ACK yet: the 200 must come again (after T1 = 500 ms)
	case <-again:
	case <-ctx.Done():
		t.Fatal("hushpay did not retransmit its 200 to the unacknowledged re-INVITE")
	}
	ack := sip.NewRequest(sip.ACK, ok.Contact().Address)
	ack.SetBody(callerSDP(freePort(t)))
	ack.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: reinvite.CSeq().SeqNo, MethodName: sip.ACK})
	if err := sess.WriteRequest(ack); err != nil {
		t.Fatalf("ACK: %v", err)
	}
	seen := retransmitted.Load()
	// The next retransmission would come 1 s after the first (the interval doubles from T1), so
	// 2.5 s without one means the ACK stopped them.
	time.Sleep(2500 * time.Millisecond)
	if n := retransmitted.Load(); n > seen {
		t.Errorf("hushpay retransmitted its 200 %d more times after the ACK", n-seen)
	}
	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}
