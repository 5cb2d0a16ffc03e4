package b2bua_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/rtp"

	"github.com/hushpay/hushpay/internal/b2bua/sdp"
)

// TestAdvertisedMediaAddress runs hushpay as if behind a NAT whose public address is 192.0.2.10:
// both legs' SDP (c= and o=) name that address with the relay's ports, while the relay binds
// 127.0.0.1, where the caller's RTP (as the NAT would forward it) reaches the agent side.
func TestAdvertisedMediaAddress(t *testing.T) {
	public := netip.MustParseAddr("192.0.2.10")
	h := startHarness(t, harnessConfig{route: true, advertise: public})
	agent := startAgentWithInfo(t, h)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	sess, err := newCaller(t, h).call(t, callerSDP(rtpConn.LocalAddr().(*net.UDPAddr).Port))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	var offer []byte
	select {
	case inv := <-agent.invites:
		offer = inv.Body()
	case <-time.After(5 * time.Second):
		t.Fatal("no INVITE at the agent")
	}
	port := 0
	for leg, body := range map[string][]byte{"caller leg's answer": sess.InviteResponse.Body(), "agent leg's offer": offer} {
		s, err := sdp.Parse(body)
		if err != nil {
			t.Fatalf("%s: %v", leg, err)
		}
		if ip, _ := s.Connection(s.Audio()); ip != public {
			t.Errorf("%s: c= %v, want %v", leg, ip, public)
		}
		if !strings.Contains(string(body), "IN IP4 192.0.2.10\r\n") || strings.Contains(string(body), "127.0.0.1") {
			t.Errorf("%s names another address than the advertised one:\n%s", leg, body)
		}
		if leg == "caller leg's answer" {
			port = s.Audio().Port
		}
	}
	// The NAT forwards the public port to the same port on the local address. hushpay answered
	// PCMA (the agent side's codec, which the caller offered).
	local := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SSRC: 0xA7}, Payload: make([]byte, 160)}
	for i := range 10 {
		pkt.SequenceNumber, pkt.Timestamp = uint16(i), uint32(i*160)
		buf, _ := pkt.Marshal()
		if _, err := rtpConn.WriteTo(buf, local); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-agent.media:
	case <-time.After(5 * time.Second):
		t.Fatal("the caller's RTP sent to the relay's local address did not reach the agent")
	}
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}

// TestContactHost runs hushpay on every interface (0.0.0.0) with Contact host 127.0.0.2, as if
// behind a NAT whose public address that is: the Contact of hushpay's 200 to the caller and of
// its INVITE to the agent name 127.0.0.2 with the listener's port (not 0.0.0.0), and the
// caller's ACK and BYE, sent there, reach hushpay and end both legs.
func TestContactHost(t *testing.T) {
	h := startHarness(t, harnessConfig{route: true, contactHost: "127.0.0.2", addr: "0.0.0.0:0"})
	agent := startAgentWithInfo(t, h)
	c := newCaller(t, h)
	c.target.Host = "127.0.0.1"
	sess, err := c.call(t, callerSDP(freePort(t)))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	var inv *sip.Request
	select {
	case inv = <-agent.invites:
	case <-time.After(5 * time.Second):
		t.Fatal("no INVITE at the agent")
	}
	for leg, ct := range map[string]*sip.ContactHeader{"200 to the caller": sess.InviteResponse.Contact(), "INVITE to the agent": inv.Contact()} {
		if ct == nil || ct.Address.Host != "127.0.0.2" || ct.Address.Port != int(h.b.Addr().Port()) {
			t.Errorf("%s: Contact %v, want 127.0.0.2:%d", leg, ct, h.b.Addr().Port())
		}
	}
	waitFor(t, "the call to be active (the caller's ACK arrived)", func() bool {
		return strings.Contains(h.logs.String(), "call active")
	})
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
}
