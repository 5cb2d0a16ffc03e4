package b2bua_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
)

// TestCallThroughHushpay places a call between in-process peers and checks the onward INVITE:
// hushpay's own Call-ID, X-Hushpay-Call-Id naming the stored call, SDP anchored on hushpay and
// narrowed to G.711 with the caller's telephone-event payload type.
func TestCallThroughHushpay(t *testing.T) {
	h := newHarness(t)
	invites := startAgent(t, h)
	c := newCaller(t, h)
	sess, err := c.call(t, callerSDP(freePort(t)))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	onward := <-invites
	var stored *hushpay.Call
	waitFor(t, "the stored call to be active", func() bool {
		calls := h.calls(t)
		if len(calls) == 1 && calls[0].State == hushpay.CallActive {
			stored = calls[0]
			return true
		}
		return false
	})
	if got := onward.GetHeader("X-Hushpay-Call-Id"); got == nil || got.Value() != stored.ID {
		t.Errorf("X-Hushpay-Call-Id = %v, want %s", got, stored.ID)
	}
	if onward.CallID().Value() == sess.InviteRequest.CallID().Value() {
		t.Error("the onward INVITE reuses the caller's Call-ID")
	}
	body := string(onward.Body())
	for _, want := range []string{"c=IN IP4 127.0.0.1", "a=rtpmap:96 telephone-event/8000", "RTP/AVP 0 8 96"} {
		if !strings.Contains(body, want) {
			t.Errorf("onward SDP lacks %q:\n%s", want, body)
		}
	}
	answer := string(sess.InviteResponse.Body())
	if !strings.Contains(answer, "RTP/AVP 8 96") {
		t.Errorf("answer to the caller should keep PCMA from the agent and the caller's own event PT 96:\n%s", answer)
	}
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}

// TestRejections checks the answers to calls hushpay cannot place.
func TestRejections(t *testing.T) {
	h := newHarness(t)
	c := newCaller(t, h)
	tests := []struct {
		name string
		body []byte
		want int
	}{
		{"malformed SDP gets 488", []byte("v=0\r\nthis is not sdp\r\n"), sip.StatusNotAcceptableHere},
		{"an offer without G.711 gets 488", []byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
			"m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n"), sip.StatusNotAcceptableHere},
		{"an agent side that does not answer gives 480", callerSDP(4000), sip.StatusTemporarilyUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.call(t, tt.body)
			var dr *sipgo.ErrDialogResponse
			if !errors.As(err, &dr) || dr.Res.StatusCode != tt.want {
				t.Fatalf("call = %v, want status %d", err, tt.want)
			}
		})
	}
}

// TestNoRouteGets404 checks a call that no route matches.
func TestNoRouteGets404(t *testing.T) {
	h := newHarnessWithoutRoute(t)
	_, err := newCaller(t, h).call(t, callerSDP(4000))
	var dr *sipgo.ErrDialogResponse
	if !errors.As(err, &dr) || dr.Res.StatusCode != sip.StatusNotFound {
		t.Fatalf("call = %v, want 404", err)
	}
}

// TestBadInputOnTheSIPPort sends RFC 4475 torture messages, random garbage and an oversize
// datagram to the SIP port during a call: hushpay answers OPTIONS after each, and the call
// still ends normally.
func TestBadInputOnTheSIPPort(t *testing.T) {
	h := newHarness(t)
	startAgent(t, h)
	c := newCaller(t, h)
	sess, err := c.call(t, callerSDP(freePort(t)))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	conn, err := net.Dial("udp", h.b.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	files, _ := filepath.Glob(filepath.Join("testdata", "torture", "*.sip"))
	if len(files) == 0 {
		t.Fatal("no torture messages in testdata/torture")
	}
	var inputs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, []byte(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n", "\r\n")))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		garbage := make([]byte, 1+rng.IntN(1400))
		for i := range garbage {
			garbage[i] = byte(rng.Uint32())
		}
		inputs = append(inputs, garbage)
	}
	inputs = append(inputs, []byte("INVITE sip:x@y SIP/2.0\r\n"+strings.Repeat("X-Pad: "+strings.Repeat("a", 60)+"\r\n", 900)+"\r\n"))
	for i, in := range inputs {
		if _, err := conn.Write(in); err != nil && !strings.Contains(err.Error(), "message too long") {
			t.Fatalf("input %d: %v", i, err)
		}
		if got := c.options(t); got != sip.StatusOK {
			t.Fatalf("after input %d OPTIONS got %d", i, got)
		}
	}
	if h.b.Calls() != 1 {
		t.Fatalf("calls up = %d, want the one call", h.b.Calls())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sess.Bye(ctx); err != nil {
		t.Fatalf("BYE after the bad input: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}

// TestOfferWithoutTelephoneEventAndWithUnknownCodecs places a call whose offer lists opus first
// and no telephone-event: the agent leg gets G.711 only, and the call works.
func TestOfferWithoutTelephoneEventAndWithUnknownCodecs(t *testing.T) {
	h := newHarness(t)
	invites := startAgent(t, h)
	offer := []byte("v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 40000 RTP/AVP 111 0\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10\r\n")
	sess, err := newCaller(t, h).call(t, offer)
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	onward := string((<-invites).Body())
	if !strings.Contains(onward, "RTP/AVP 0\r\n") || strings.Contains(onward, "opus") || strings.Contains(onward, "telephone-event") {
		t.Errorf("onward offer should be PCMU alone:\n%s", onward)
	}
	if answer := string(sess.InviteResponse.Body()); !strings.Contains(answer, "RTP/AVP 0\r\n") {
		t.Errorf("answer to the caller should be PCMU alone:\n%s", answer)
	}
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}
