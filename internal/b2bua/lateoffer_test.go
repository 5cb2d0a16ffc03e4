package b2bua_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/payments"
)

// lateOfferCall places a call with an INVITE without SDP and waits for hushpay's 200, which it
// does not ACK.
func lateOfferCall(t *testing.T, c *caller) *sipgo.DialogClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := c.dialogs.Invite(ctx, c.target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatalf("late-offer INVITE: %v", err)
	}
	return sess
}

// ackWithAnswer sends the ACK to hushpay's 200 with body as the SDP answer.
func ackWithAnswer(t *testing.T, sess *sipgo.DialogClientSession, body []byte) {
	t.Helper()
	ack := sip.NewRequest(sip.ACK, sess.InviteResponse.Contact().Address)
	ack.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	ack.SetBody(body)
	if err := sess.WriteAck(context.Background(), ack); err != nil {
		t.Fatalf("ACK: %v", err)
	}
}

// TestLateOfferCall has the caller send an INVITE without SDP. The agent leg gets hushpay's own
// offer (PCMU, PCMA, telephone-event on 101, anchored on the relay); the caller's 200 carries
// hushpay's offer (the agent side's PCMA, telephone-event), anchored on the relay's other port;
// the caller's ACK answers with PCMA and telephone-event on 96 (not the 101 offered, which RFC
// 3264 allows): RTP flows both ways through the relay, and RFC 4733 keys on 96 land in a payment.
func TestLateOfferCall(t *testing.T) {
	h := newHarness(t)
	agent := startAgentWithInfo(t, h)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	sess := lateOfferCall(t, newCaller(t, h))

	var onward *sip.Request
	select {
	case onward = <-agent.invites:
	case <-time.After(5 * time.Second):
		t.Fatal("no INVITE at the agent")
	}
	agentOffer, err := sdp.Parse(onward.Body())
	if err != nil {
		t.Fatalf("offer to the agent: %v\n%s", err, onward.Body())
	}
	offer, err := sdp.Parse(sess.InviteResponse.Body())
	if err != nil {
		t.Fatalf("200 to the caller has no SDP offer: %v\n%s", err, sess.InviteResponse.Body())
	}
	for leg, s := range map[string]*sdp.Session{"agent leg's offer": agentOffer, "caller leg's offer": offer} {
		body := string(s.Bytes())
		if ip, _ := s.Connection(s.Audio()); ip.String() != "127.0.0.1" || !strings.Contains(body, "o=hushpay ") {
			t.Errorf("%s is not anchored on hushpay:\n%s", leg, body)
		}
		if te, ok := s.Audio().TelephoneEvent(); !ok || te.PT != 101 {
			t.Errorf("%s: telephone-event %+v, want PT 101:\n%s", leg, te, body)
		}
	}
	if got := strings.Join(agentOffer.Audio().Formats, " "); got != "0 8 101" {
		t.Errorf("agent leg's offer formats %q, want PCMU, PCMA and telephone-event (0 8 101)", got)
	}
	if got := strings.Join(offer.Audio().Formats, " "); got != "8 101" {
		t.Errorf("caller leg's offer formats %q, want the agent side's PCMA and telephone-event (8 101)", got)
	}
	if offer.Audio().Port == agentOffer.Audio().Port {
		t.Errorf("both legs' offers name the same relay port %d", offer.Audio().Port)
	}

	callerPort := rtpConn.LocalAddr().(*net.UDPAddr).Port
	answerBody := fmt.Appendf(nil, "v=0\r\no=caller 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n", callerPort)
	ackWithAnswer(t, sess, answerBody)
	call := activeCall(t, h)

	// Caller to agent: the caller's PCMA reaches the agent.
	stop := sendSilence(t, rtpConn, sess)
	select {
	case <-agent.media:
	case <-time.After(5 * time.Second):
		t.Fatal("the caller's RTP did not reach the agent")
	}
	stop()

	// Agent to caller: RTP sent to the agent-side port (from 127.0.0.1, the agent's SDP address;
	// the in-process agent itself sends none) reaches the caller on its answered PCMA PT.
	agentRTP, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer agentRTP.Close()
	relayAgentSide := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: agentOffer.Audio().Port}
	got := make(chan rtp.Packet, 1)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := rtpConn.ReadFrom(buf)
			if err != nil {
				return
			}
			var p rtp.Packet
			if p.Unmarshal(buf[:n]) == nil && p.PayloadType != 96 {
				got <- p
				return
			}
		}
	}()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SSRC: 0xA6}, Payload: make([]byte, 160)}
	var fromAgent rtp.Packet
	deadline := time.After(5 * time.Second)
sending:
	for i := 0; ; i++ {
		pkt.SequenceNumber, pkt.Timestamp = uint16(i), uint32(i*160)
		buf, _ := pkt.Marshal()
		if _, err := agentRTP.WriteTo(buf, relayAgentSide); err != nil {
			t.Fatal(err)
		}
		select {
		case fromAgent = <-got:
			break sending
		case <-deadline:
			t.Fatal("the agent side's RTP did not reach the caller")
		case <-time.After(20 * time.Millisecond):
		}
	}
	if fromAgent.PayloadType != 8 || len(fromAgent.Payload) != 160 {
		t.Errorf("the caller got PT %d with %d bytes, want PCMA (8) frames of 160", fromAgent.PayloadType, len(fromAgent.Payload))
	}

	// A session refresh (re-INVITE without SDP) is answered by hushpay with the offer it made
	// the caller, unchanged (same o= version); the media goes on (the keys below).
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reinvite := sip.NewRequest(sip.INVITE, sess.InviteResponse.Contact().Address)
	res, err := sess.Do(ctx, reinvite)
	if err != nil || res.StatusCode != sip.StatusOK {
		t.Fatalf("re-INVITE without SDP: %v %v", res, err)
	}
	if string(res.Body()) != string(sess.InviteResponse.Body()) {
		t.Errorf("the 200 to a refresh should repeat hushpay's offer:\n%s\nwant\n%s", res.Body(), sess.InviteResponse.Body())
	}
	ack := sip.NewRequest(sip.ACK, res.Contact().Address)
	ack.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: reinvite.CSeq().SeqNo, MethodName: sip.ACK})
	ack.SetBody(answerBody)
	if err := sess.WriteRequest(ack); err != nil {
		t.Fatalf("ACK of the refresh: %v", err)
	}

	// RFC 4733 keys on the caller's answered PT 96 land in a payment.
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p, err := h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: call.ID, Amount: 500,
		Currency: "USD", Reference: "late-offer"})
	if err != nil {
		t.Fatal(err)
	}
	relayCallerSide := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: offer.Audio().Port}
	sendKeyEvents(t, rtpConn, relayCallerSide, 96, 0x51, 1<<20, "4242")
	waitForDigits(t, h, pr, p.ID, 4)

	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
	if strings.Contains(h.logs.String(), "not applied") || strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("hushpay logged a failure:\n%s", h.logs.String())
	}
}

// listenForBye answers BYE 200 on the caller's Contact address and reports each one.
func listenForBye(t *testing.T, c *caller) <-chan *sip.Request {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("caller-contact"))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	byes := make(chan *sip.Request, 8)
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		select {
		case byes <- req:
		default:
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	conn, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", c.dialogs.ContactHDR.Address.Port))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { conn.Close(); ua.Close() })
	return byes
}

// TestLateOfferAckWithoutUsableAnswerEndsTheCall answers hushpay's late-offer 200 with an ACK
// that carries no SDP, or SDP without G.711: the session fails (RFC 3261 section 13.2.2.4), so
// hushpay sends BYE to the caller and to the agent side, logs why, and the stored call ends.
func TestLateOfferAckWithoutUsableAnswerEndsTheCall(t *testing.T) {
	tests := []struct {
		name string
		body []byte
	}{
		{"no SDP", nil},
		{"no G.711", []byte("v=0\r\no=caller 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
			"m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			agent := startAgentWithInfo(t, h)
			c := newCaller(t, h)
			callerByes := listenForBye(t, c)
			sess := lateOfferCall(t, c)
			if tt.body == nil {
				if err := sess.Ack(context.Background()); err != nil {
					t.Fatalf("ACK: %v", err)
				}
			} else {
				ackWithAnswer(t, sess, tt.body)
			}
			waitByes(t, map[string]<-chan *sip.Request{"caller": callerByes, "agent": agent.byes})
			waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
			calls := h.calls(t)
			if len(calls) != 1 || calls[0].State != hushpay.CallEnded {
				t.Fatalf("stored calls %+v, want one ended", calls)
			}
			if !strings.Contains(h.logs.String(), "no usable SDP answer in the caller's ACK") {
				t.Errorf("hushpay did not log why the call failed:\n%s", h.logs.String())
			}
			if strings.Contains(h.logs.String(), "call active") {
				t.Error("a call whose ACK had no usable answer became active")
			}
		})
	}
}

// TestCallWithoutAnyAckEndsWithBye: a caller that never ACKs hushpay's 200 gets it retransmitted
// for 64·T1, then the session is ended with a BYE on both legs (RFC 3261 §13.3.1.4), for an early
// offer and a late one. sipgo's timers are shortened for the test (T1 10 ms, so 64·T1 is 640 ms),
// for every UA in it.
func TestCallWithoutAnyAckEndsWithBye(t *testing.T) {
	sip.SetTimers(10*time.Millisecond, 80*time.Millisecond, 100*time.Millisecond)
	t.Cleanup(func() { sip.SetTimers(500*time.Millisecond, 4*time.Second, 5*time.Second) })
	for _, offer := range []string{"early", "late"} {
		t.Run(offer+" offer", func(t *testing.T) {
			h := newHarness(t)
			agent := startAgentWithInfo(t, h)
			c := newCaller(t, h)
			callerByes := listenForBye(t, c)
			var body []byte
			if offer == "early" {
				body = callerSDP(freePort(t))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ct := sip.ContentTypeHeader("application/sdp")
			sess, err := c.dialogs.Invite(ctx, c.target, body, &ct)
			if err != nil {
				t.Fatal(err)
			}
			if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
				t.Fatalf("INVITE: %v", err)
			} // and no ACK
			waitByes(t, map[string]<-chan *sip.Request{"caller": callerByes, "agent": agent.byes})
			waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
			if !strings.Contains(h.logs.String(), "no ACK from the caller") {
				t.Errorf("want the missing ACK logged:\n%s", h.logs.String())
			}
		})
	}
}

// waitByes waits for hushpay's BYE on each named side's channel.
func waitByes(t *testing.T, sides map[string]<-chan *sip.Request) {
	t.Helper()
	for who, byes := range sides {
		select {
		case <-byes:
		case <-time.After(10 * time.Second):
			t.Fatalf("no BYE from hushpay at the %s", who)
		}
	}
}
