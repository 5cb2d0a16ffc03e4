package b2bua_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/payments"
)

// TestInfoKeysFollowSecureMode sends SIP INFO keys while the caller's RTP flows (so they go
// through the relay's InjectKey): outside a payment the INFO reaches the agent; during a payment
// it stops at hushpay and lands in the payment, once per key.
func TestInfoKeysFollowSecureMode(t *testing.T) {
	h := newHarness(t)
	agent := startAgentWithInfo(t, h)
	infos := agent.infos
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	sess, err := newCaller(t, h).call(t, callerSDP(rtpConn.LocalAddr().(*net.UDPAddr).Port))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	stopAudio := sendSilence(t, rtpConn, sess)
	defer stopAudio()
	select { // the caller's RTP flows through the relay: INFO keys now go through InjectKey
	case <-agent.media:
	case <-time.After(5 * time.Second):
		t.Fatal("no RTP reached the agent through hushpay")
	}

	sendInfo(t, sess, "5")
	select {
	case <-infos:
	case <-time.After(5 * time.Second):
		t.Fatal("outside a payment, the INFO did not reach the agent")
	}
	// The relay hands an injected key over with the caller's next RTP packet (20 ms): let it
	// go before the payment starts, so that the key keyed outside the payment stays outside.
	time.Sleep(300 * time.Millisecond)

	call := activeCall(t, h)
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p, err := h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: call.ID, Amount: 900,
		Currency: "USD", Reference: "info-secure"})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"4", "2", "4"} {
		sendInfo(t, sess, key)
	}
	waitFor(t, "three keys in the card number field", func() bool {
		got, err := h.payments.Get(context.Background(), pr, p.ID)
		return err == nil && got.Fields[hushpay.FieldCardNumber].Length == 3
	})
	select {
	case req := <-infos:
		t.Fatalf("during the payment an INFO reached the agent (%d bytes)", len(req.Body()))
	default:
	}
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}

// sendInfo sends one application/dtmf-relay INFO in the caller's dialog and wants 200.
func sendInfo(t testing.TB, sess *sipgo.DialogClientSession, key string) {
	t.Helper()
	info := sip.NewRequest(sip.INFO, sess.InviteResponse.Contact().Address)
	info.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	info.SetBody([]byte("Signal=" + key + "\r\nDuration=160\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := sess.Do(ctx, info)
	if err != nil || res.StatusCode != sip.StatusOK {
		t.Fatalf("INFO: %v %v", res, err)
	}
}

// sendSilence sends G.711 silence, in the codec hushpay answered, every 20 ms to hushpay's caller-side media port until stopped.
func sendSilence(t testing.TB, conn net.PacketConn, sess *sipgo.DialogClientSession) (stop func()) {
	t.Helper()
	answer, err := sdp.Parse(sess.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := answer.Connection(answer.Audio())
	to := &net.UDPAddr{IP: ip.AsSlice(), Port: answer.Audio().Port}
	codec, ok := answer.Audio().G711()
	if !ok {
		t.Fatal("hushpay answered without G.711")
	}
	silence := byte(0xFF) // μ-law
	if codec.Name == "PCMA" {
		silence = 0xD5
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: codec.PT, SSRC: 0x51}, Payload: make([]byte, 160)}
		for i := range pkt.Payload {
			pkt.Payload[i] = silence
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			pkt.SequenceNumber++
			pkt.Timestamp += 160
			buf, _ := pkt.Marshal()
			_, _ = conn.WriteTo(buf, to)
		}
	}()
	return func() { close(done); <-finished }
}
