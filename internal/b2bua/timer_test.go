package b2bua_test

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// TestSessionTimers checks that a caller's session timer reaches the agent side, that hushpay's
// 200 makes the caller the refresher, and that the caller's refresh (UPDATE without SDP) is
// answered 200 with the interval.
func TestSessionTimers(t *testing.T) {
	h := newHarness(t)
	invites := startAgent(t, h)
	c := newCaller(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := c.dialogs.Invite(ctx, c.target, callerSDP(freePort(t)), &ct,
		sip.NewHeader("Session-Expires", "1800"), sip.NewHeader("Min-SE", "90"), sip.NewHeader("Supported", "timer"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatalf("call: %v", err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	onward := <-invites
	if hdr := onward.GetHeader("Session-Expires"); hdr == nil || hdr.Value() != "1800" {
		t.Errorf("onward Session-Expires = %v, want 1800", hdr)
	}
	if hdr := onward.GetHeader("Min-SE"); hdr == nil || hdr.Value() != "90" {
		t.Errorf("onward Min-SE = %v, want 90", hdr)
	}
	res := sess.InviteResponse
	if hdr := res.GetHeader("Session-Expires"); hdr == nil || hdr.Value() != "1800;refresher=uac" {
		t.Errorf("200 Session-Expires = %v, want 1800;refresher=uac", hdr)
	}
	if hdr := res.GetHeader("Require"); hdr == nil || hdr.Value() != "timer" {
		t.Errorf("200 Require = %v, want timer", hdr)
	}
	update := sip.NewRequest(sip.UPDATE, res.Contact().Address)
	update.AppendHeader(sip.NewHeader("Session-Expires", "1800;refresher=uac"))
	refreshed, err := sess.Do(ctx, update)
	if err != nil {
		t.Fatalf("UPDATE: %v", err)
	}
	if refreshed.StatusCode != sip.StatusOK {
		t.Fatalf("UPDATE got %d, want 200", refreshed.StatusCode)
	}
	if hdr := refreshed.GetHeader("Session-Expires"); hdr == nil || hdr.Value() != "1800;refresher=uac" {
		t.Errorf("refresh 200 Session-Expires = %v", hdr)
	}
	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}
