package b2bua_test

import (
	"context"
	"errors"
	"strings"
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

// TestRequiredExtensions checks RFC 3261 8.2.2.3: an INVITE that requires an extension hushpay
// does not do (100rel here, or an unknown tag) gets 420 naming it in Unsupported and places no
// onward call, while one that requires session timers, which hushpay does, goes through.
func TestRequiredExtensions(t *testing.T) {
	h := newHarness(t)
	invites := startAgent(t, h)
	c := newCaller(t, h)
	ct := sip.ContentTypeHeader("application/sdp")
	for _, require := range []string{"100rel", "timer, x-unknown-ext"} {
		t.Run("Require: "+require, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			sess, err := c.dialogs.Invite(ctx, c.target, callerSDP(freePort(t)), &ct,
				sip.NewHeader("Require", require), sip.NewHeader("Session-Expires", "1800"))
			if err != nil {
				t.Fatal(err)
			}
			err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{})
			var dr *sipgo.ErrDialogResponse
			if !errors.As(err, &dr) || dr.Res.StatusCode != sip.StatusBadExtension {
				t.Fatalf("INVITE with Require: %s = %v, want 420", require, err)
			}
			want := strings.TrimPrefix(require, "timer, ")
			if hdr := dr.Res.GetHeader("Unsupported"); hdr == nil || hdr.Value() != want {
				t.Errorf("Unsupported = %v, want %s", hdr, want)
			}
		})
	}
	t.Run("Require: timer", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sess, err := c.dialogs.Invite(ctx, c.target, callerSDP(freePort(t)), &ct,
			sip.NewHeader("Require", "timer"), sip.NewHeader("Session-Expires", "1800"))
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
			t.Fatalf("INVITE with Require: timer: %v", err)
		}
		if err := sess.Ack(ctx); err != nil {
			t.Fatal(err)
		}
		if len(invites) != 1 {
			t.Fatalf("%d onward INVITEs, want only this call's", len(invites))
		}
		if err := sess.Bye(ctx); err != nil {
			t.Fatalf("BYE: %v", err)
		}
	})
}
