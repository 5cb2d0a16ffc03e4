package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/hushpay/hushpay/internal/store/storetest"
)

// TestServeRunsCaptureCommandsOnTheNodeThatAnchorsTheCall runs two serve processes on one
// PostgreSQL database. A SIP call comes in through node b; the agent uses node a's API: the call
// is found there and a payment is created on it; the caller keys four digits as RFC 4733 events,
// which node b captures; then moving capture and resetting a field through a succeed. Only node b
// holds those digits (a alone would answer 409 capture_lost), so this needs a to forward the
// commands and b to run them: the two nodes name b alike in the call record and on the bus.
func TestServeRunsCaptureCommandsOnTheNodeThatAnchorsTheCall(t *testing.T) {
	pg, shared := storetest.PostgresURL(t), t.TempDir()
	a := startServer(t, map[string]string{"HUSHPAY_DATABASE": pg, "HUSHPAY_DATA_DIR": shared, "HUSHPAY_RTP_PORTS": "30000-30099"})
	defer a.stop()
	agentPhone := answeringPhone(t)
	b := startServer(t, map[string]string{"HUSHPAY_DATABASE": pg, "HUSHPAY_DATA_DIR": shared, "HUSHPAY_RTP_PORTS": "30100-30199",
		"HUSHPAY_SIP_ROUTE": "sip:agents@" + agentPhone})
	defer b.stop()
	bSIP := os.Getenv("HUSHPAY_SIP_ADDR") // startServer's, for b
	waitListening(t, a)
	waitListening(t, b)

	call := placeCall(t, bSIP)
	defer call.hangUp()
	agent := a.apiKey("agent")
	var calls struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st := a.json("GET", "/v1/calls?state=active", agent, nil, &calls); st != 200 {
			t.Fatalf("calls on a: status %d", st)
		}
		if len(calls.Data) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node a's API does not show b's call; b's logs:\n%s", b.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var p paymentView
	if st := a.json("POST", "/v1/payments", agent, map[string]any{"amount": 1250, "currency": "usd", "reference": "INV-1001",
		"call_id": calls.Data[0].ID}, &p); st != 201 {
		t.Fatalf("create on a: status %d", st)
	}
	call.keys(t, "4242")
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(string(p.Fields["card_number"]), `"length":4`) {
		if time.Now().After(deadline) {
			t.Fatalf("the keys did not reach the payment: %s; b's logs:\n%s", p.Fields["card_number"], b.logs)
		}
		time.Sleep(20 * time.Millisecond)
		a.json("GET", "/v1/payments/"+p.ID, agent, nil, &p)
	}
	if st := a.json("POST", "/v1/payments/"+p.ID+"/capture", agent, map[string]any{"field": "expiry"}, &p); st != 200 || p.CurrentField != "expiry" {
		t.Fatalf("move capture through a: status %d, current field %q; a's logs:\n%s", st, p.CurrentField, a.logs)
	}
	if st := a.json("POST", "/v1/payments/"+p.ID+"/fields/card_number/reset", agent, nil, &p); st != 200 || p.CurrentField != "card_number" {
		t.Fatalf("reset through a: status %d, current field %q", st, p.CurrentField)
	}
	if st := a.json("POST", "/v1/payments/"+p.ID+"/cancel", agent, nil, &p); st != 200 || p.State != "cancelled" {
		t.Fatalf("cancel through a: status %d, state %s", st, p.State)
	}
}

// waitListening waits until a serve node's cluster link listens to the other nodes.
func waitListening(t *testing.T, s *server) {
	t.Helper()
	guard := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logs.String(), "cluster: listening") {
		if time.Now().After(guard) {
			t.Fatalf("a node does not listen to the others; logs:\n%s", s.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// phoneSDP is an offer or answer of a test phone: PCMU and telephone-event 101 on port.
func phoneSDP(user string, port int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=%s 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n", user, port)
}

// answeringPhone runs a SIP phone on loopback UDP that answers every INVITE, and returns its
// address.
func answeringPhone(t *testing.T) string {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("agent-phone"))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := sipgo.NewServer(ua)
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	dialogs := sipgo.NewDialogServerCache(cli, sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "agent", Host: "127.0.0.1", Port: port}})
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		ds, err := dialogs.ReadInvite(req, tx)
		if err != nil {
			return
		}
		_ = ds.RespondSDP(phoneSDP("agent", port+2))
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = dialogs.ReadAck(req, tx) })
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { _ = dialogs.ReadBye(req, tx) })
	go func() { _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { conn.Close(); ua.Close() })
	return conn.LocalAddr().String()
}

// phoneCall is a call placed by placeCall.
type phoneCall struct {
	sess *sipgo.DialogClientSession
	rtp  net.PacketConn
}

// placeCall calls hushpay at sipAddr from a phone on loopback, waits for the answer and ACKs it.
func placeCall(t *testing.T, sipAddr string) *phoneCall {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("caller-phone"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	cli, _ := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	host, portStr, _ := net.SplitHostPort(sipAddr)
	var port int
	fmt.Sscan(portStr, &port)
	d := &sipgo.DialogUA{Client: cli, ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "caller", Host: "127.0.0.1"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rtpConn.Close() })
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := d.Invite(ctx, sip.Uri{Scheme: "sip", User: "support", Host: host, Port: port},
		phoneSDP("caller", rtpConn.LocalAddr().(*net.UDPAddr).Port), &ct)
	if err != nil {
		t.Fatalf("INVITE to hushpay: %v", err)
	}
	if err := sess.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatalf("hushpay did not answer: %v", err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatalf("ACK: %v", err)
	}
	return &phoneCall{sess: sess, rtp: rtpConn}
}

// keys sends each key as one RFC 4733 press (payload type 101, as the phone offered) to hushpay's
// media address from its answer.
func (c *phoneCall) keys(t *testing.T, keys string) {
	t.Helper()
	answer, err := sdp.Parse(c.sess.InviteResponse.Body())
	if err != nil || answer.Audio() == nil {
		t.Fatalf("hushpay's answer: %v", err)
	}
	ip, _ := answer.Connection(answer.Audio())
	to := &net.UDPAddr{IP: ip.AsSlice(), Port: answer.Audio().Port}
	sender := rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: 101, SSRC: 0x7e57}, 1)
	var ts uint32
	for _, key := range []byte(keys) {
		packets, err := sender.AppendPress(nil, key, ts, 800)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkt := range packets {
			if _, err := c.rtp.WriteTo(pkt, to); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		ts += 1600
	}
}

// hangUp sends BYE.
func (c *phoneCall) hangUp() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.sess.Bye(ctx)
}
