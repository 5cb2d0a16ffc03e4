package media

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// relayed runs n packets of 160 samples from ssrc, starting at seq and ts, through s as a path
// does, and returns the last outgoing header.
func relayed(s *outStream, ssrc uint32, seq uint16, ts uint32, n int) rtp.Header {
	var out rtp.Header
	for i := range n {
		in := rtp.Header{SSRC: ssrc, SequenceNumber: seq + uint16(i), Timestamp: ts + uint32(i*160)}
		s.observe(&in)
		s.stamp(&out, in.Timestamp, 160, 160)
	}
	return out
}

// The SSRCs the fake phones use in these tests.
const (
	phoneSSRC   = 0x1234abcd // the caller; what newScript uses
	agentSSRC   = 0x00a9e470
	unknownSSRC = 0xdead
	phoneCNAME  = "alice@192.0.2.10"
)

func marshalRTCP(t testing.TB, pkts ...rtcp.Packet) []byte {
	t.Helper()
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func unmarshalRTCP(t testing.TB, b []byte) []rtcp.Packet {
	t.Helper()
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		t.Fatalf("relay sent RTCP that does not parse: %v", err)
	}
	return pkts
}

var cmpRTCP = cmpopts.EquateEmpty()

// phoneSDES is the SDES a phone sends: its CNAME and other items that must not reach the agent.
func phoneSDES(ssrc uint32) *rtcp.SourceDescription {
	return &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: ssrc, Items: []rtcp.SourceDescriptionItem{
		{Type: rtcp.SDESCNAME, Text: phoneCNAME}, {Type: rtcp.SDESPhone, Text: "+15551234567"},
	}}}}
}

func relaySDES(s *streamReport) *rtcp.SourceDescription {
	return rtcp.NewCNAMESourceDescription(s.ssrc, s.cname)
}

func TestRTCPTranslation(t *testing.T) {
	// The caller's stream towards the agent: 3 packets relayed. The agent's stream towards the
	// caller: 5 packets whose incoming sequence numbers wrap (65533 ... 1, extended 65537).
	toAgent, toCaller := newOutStream(), newOutStream()
	last := relayed(&toAgent, phoneSSRC, 100, 8000, 3)
	tsOff := last.Timestamp - (8000 + 2*160)
	lastToCaller := relayed(&toCaller, agentSSRC, 65533, 1000, 5)
	tr := newRTCPTranslator(toAgent.report, toCaller.report)

	block := rtcp.ReceptionReport{SSRC: toCaller.ssrc, FractionLost: 12, TotalLost: 3,
		LastSequenceNumber: 7<<16 | uint32(lastToCaller.SequenceNumber-1), Jitter: 40, LastSenderReport: 0x1234, Delay: 0x5678}
	translated := block
	translated.SSRC, translated.LastSequenceNumber = agentSSRC, 65536 // one behind the last, 65537
	sr := &rtcp.SenderReport{SSRC: phoneSSRC, NTPTime: 0xe1234567_89abcdef, RTPTime: 9000, PacketCount: 4242, OctetCount: 678720,
		Reports: []rtcp.ReceptionReport{{SSRC: unknownSSRC, Jitter: 1}, block}}
	wantSR := &rtcp.SenderReport{SSRC: toAgent.ssrc, NTPTime: sr.NTPTime, RTPTime: 9000 + tsOff, PacketCount: 3, OctetCount: 480,
		Reports: []rtcp.ReceptionReport{translated}}

	cases := []struct {
		name string
		in   []rtcp.Packet
		want []rtcp.Packet // nil: nothing forwarded
	}{
		{"an SR from the source gets the relay's SSRC, timestamp and counts, and the block is about the agent's stream",
			[]rtcp.Packet{sr, phoneSDES(phoneSSRC)},
			[]rtcp.Packet{wantSR, relaySDES(toAgent.report)}},
		{"an SR from another SSRC than the RTP source goes on as an RR",
			[]rtcp.Packet{&rtcp.SenderReport{SSRC: 77, NTPTime: 1, Reports: []rtcp.ReceptionReport{block}}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc, Reports: []rtcp.ReceptionReport{translated}}}},
		{"an RR keeps only the block about the relay's stream",
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 99, Reports: []rtcp.ReceptionReport{{SSRC: unknownSSRC}, block}}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc, Reports: []rtcp.ReceptionReport{translated}}}},
		{"an RR about other sources only is an empty RR",
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 99, Reports: []rtcp.ReceptionReport{{SSRC: unknownSSRC}}}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}}},
		{"a BYE naming the RTP source is the relay's BYE, without the reason",
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: phoneSSRC}, phoneSDES(phoneSSRC), &rtcp.Goodbye{Sources: []uint32{phoneSSRC}, Reason: "hung up at 192.0.2.10"}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}, relaySDES(toAgent.report), &rtcp.Goodbye{Sources: []uint32{toAgent.ssrc}}}},
		{"a BYE naming the reporter is the relay's BYE",
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 99}, &rtcp.Goodbye{Sources: []uint32{99}}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}, &rtcp.Goodbye{Sources: []uint32{toAgent.ssrc}}}},
		{"a BYE naming another source is not forwarded",
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: phoneSSRC}, &rtcp.Goodbye{Sources: []uint32{unknownSSRC}}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}}},
		{"an SDES without a report gets an RR in front",
			[]rtcp.Packet{phoneSDES(phoneSSRC)},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}, relaySDES(toAgent.report)}},
		{"APP, XR and feedback are not forwarded",
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: phoneSSRC},
				&rtcp.ApplicationDefined{SSRC: phoneSSRC, Name: "card", Data: []byte("4242")},
				&rtcp.ExtendedReport{SenderSSRC: phoneSSRC, Reports: []rtcp.ReportBlock{&rtcp.ReceiverReferenceTimeReportBlock{NTPTimestamp: 5}}},
				&rtcp.TransportLayerNack{SenderSSRC: phoneSSRC, MediaSSRC: toCaller.ssrc, Nacks: []rtcp.NackPair{{PacketID: 3}}},
				&rtcp.PictureLossIndication{SenderSSRC: phoneSSRC, MediaSSRC: toCaller.ssrc}},
			[]rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}}},
		{"XR alone is dropped",
			[]rtcp.Packet{&rtcp.ExtendedReport{SenderSSRC: phoneSSRC, Reports: []rtcp.ReportBlock{&rtcp.ReceiverReferenceTimeReportBlock{NTPTimestamp: 5}}}},
			nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tr.translate(marshalRTCP(t, tc.in...))
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if out != nil {
					t.Fatalf("forwarded %v, want nothing", unmarshalRTCP(t, out))
				}
				return
			}
			if diff := cmp.Diff(tc.want, unmarshalRTCP(t, out), cmpRTCP); diff != "" {
				t.Errorf("translated (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRTCPTranslationBeforeAnyRTP(t *testing.T) {
	toAgent, toCaller := newOutStream(), newOutStream()
	tr := newRTCPTranslator(toAgent.report, toCaller.report)
	in := marshalRTCP(t, &rtcp.SenderReport{SSRC: phoneSSRC, NTPTime: 5, RTPTime: 6,
		Reports: []rtcp.ReceptionReport{{SSRC: toCaller.ssrc, LastSequenceNumber: 9}}})
	out, err := tr.translate(in)
	if err != nil {
		t.Fatal(err)
	}
	// No timestamp mapping yet, and nothing sent to the caller that a block could be about.
	want := []rtcp.Packet{&rtcp.ReceiverReport{SSRC: toAgent.ssrc}}
	if diff := cmp.Diff(want, unmarshalRTCP(t, out), cmpRTCP); diff != "" {
		t.Errorf("translated (-want +got):\n%s", diff)
	}
}

func TestRTCPTranslationFollowsAnSSRCChange(t *testing.T) {
	toAgent, toCaller := newOutStream(), newOutStream()
	relayed(&toAgent, phoneSSRC, 100, 8000, 3)
	last := relayed(&toAgent, 0x5eed, 7, 123456, 2) // the phone restarts as another source
	tsOff := last.Timestamp - (123456 + 160)
	tr := newRTCPTranslator(toAgent.report, toCaller.report)
	for _, tc := range []struct {
		sender uint32
		want   rtcp.Packet
	}{
		{phoneSSRC, &rtcp.ReceiverReport{SSRC: toAgent.ssrc}}, // the old source's mapping is gone
		{0x5eed, &rtcp.SenderReport{SSRC: toAgent.ssrc, NTPTime: 5, RTPTime: 123456 + 320 + tsOff, PacketCount: 5, OctetCount: 800}},
	} {
		out, err := tr.translate(marshalRTCP(t, &rtcp.SenderReport{SSRC: tc.sender, NTPTime: 5, RTPTime: 123456 + 320}))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]rtcp.Packet{tc.want}, unmarshalRTCP(t, out), cmpRTCP); diff != "" {
			t.Errorf("SR from %#x (-want +got):\n%s", tc.sender, diff)
		}
	}
}

// malformedRTCP are datagrams the translator must refuse.
func malformedRTCP(t testing.TB) map[string][]byte {
	t.Helper()
	sr := marshalRTCP(t, &rtcp.SenderReport{SSRC: phoneSSRC, Reports: []rtcp.ReceptionReport{{SSRC: 1}}})
	badCount := bytes.Clone(sr)
	badCount[0] = 0x80 | 2 // two blocks announced, one present
	badVersion := bytes.Clone(sr)
	badVersion[0] = 0x40 | 1
	longer := bytes.Clone(sr)
	longer[3]++ // the length field runs past the datagram
	rr := marshalRTCP(t, &rtcp.ReceiverReport{SSRC: phoneSSRC})
	badSDES := append(bytes.Clone(rr), 0x81, 202, 0, 2, 0x12, 0x34, 0xab, 0xcd, 1, 200, 'a', 'b') // an item longer than its packet
	return map[string][]byte{
		"empty":                   {},
		"a header only":           {0x80, 200, 0, 6},
		"RTP version 1":           badVersion,
		"truncated":               sr[:len(sr)-4],
		"length beyond the end":   longer,
		"block count too high":    badCount,
		"trailing garbage":        append(bytes.Clone(sr), 0x80),
		"SDES item past its end":  badSDES,
		"an RTP packet, not RTCP": {0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0x12, 0x34, 0xab, 0xcd, 0xff, 0xff},
	}
}

func TestRTCPTranslationRefusesMalformedPackets(t *testing.T) {
	toAgent, toCaller := newOutStream(), newOutStream()
	relayed(&toAgent, phoneSSRC, 100, 8000, 3)
	tr := newRTCPTranslator(toAgent.report, toCaller.report)
	for name, pkt := range malformedRTCP(t) {
		if out, err := tr.translate(pkt); err == nil {
			t.Errorf("%s: translated to %x, want an error", name, out)
		}
	}
}

func TestRTCPTranslationAllocatesNothing(t *testing.T) {
	toAgent, toCaller := newOutStream(), newOutStream()
	relayed(&toAgent, phoneSSRC, 100, 8000, 3)
	relayed(&toCaller, agentSSRC, 5, 0, 3)
	tr := newRTCPTranslator(toAgent.report, toCaller.report)
	in := marshalRTCP(t, &rtcp.SenderReport{SSRC: phoneSSRC, Reports: []rtcp.ReceptionReport{{SSRC: toCaller.ssrc}}},
		phoneSDES(phoneSSRC), &rtcp.Goodbye{Sources: []uint32{phoneSSRC}})
	if _, err := tr.translate(in); err != nil { // grows the buffers
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = tr.translate(in) }); n != 0 {
		t.Errorf("%v allocations per compound packet, want 0", n)
	}
}

// rtcpPeer is a fake phone's RTCP socket: it records every datagram it receives.
type rtcpPeer struct {
	conn *net.UDPConn
	mu   sync.Mutex
	got  [][]byte
	wg   sync.WaitGroup
}

func (p *rtcpPeer) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (p *rtcpPeer) read() {
	defer p.wg.Done()
	buf := make([]byte, 2048)
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err == nil {
			p.mu.Lock()
			p.got = append(p.got, bytes.Clone(buf[:n]))
			p.mu.Unlock()
		}
	}
}

func (p *rtcpPeer) received() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.got...)
}

func (p *rtcpPeer) sendTo(t testing.TB, to netip.AddrPort, pkt []byte) {
	t.Helper()
	if _, err := p.conn.WriteToUDPAddrPort(pkt, to); err != nil {
		t.Fatal(err)
	}
}

// newPhone binds a fake phone's RTP socket on an even port of 127.0.0.1 and its RTCP socket on
// the port above, where the relay sends RTCP before the phone has sent any.
func newPhone(t *testing.T) (*peer, *rtcpPeer) {
	t.Helper()
	for range 50 {
		rtpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
		if err != nil {
			t.Fatal(err)
		}
		port := rtpConn.LocalAddr().(*net.UDPAddr).AddrPort().Port()
		rtcpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port+1)))
		if err != nil {
			_ = rtpConn.Close()
			continue
		}
		p := &rtcpPeer{conn: rtcpConn}
		p.wg.Add(1)
		go p.read()
		t.Cleanup(func() { _ = p.conn.Close(); p.wg.Wait() })
		return startPeer(t, rtpConn), p
	}
	t.Fatal("no two adjacent free ports on 127.0.0.1")
	return nil, nil
}

// rtcpCall is a call whose fake phones have RTCP sockets too.
type rtcpCall struct {
	*call
	callerRTCP, agentRTCP *rtcpPeer
}

func newRTCPCall(t *testing.T, loop *Loop) *rtcpCall {
	t.Helper()
	callerRTP, callerRTCP := newPhone(t)
	agentRTP, agentRTCP := newPhone(t)
	c := startCall(t, loop, callerRTP, agentRTP, pcmu96, pcmu101, MaskTone, ScopeSecure)
	return &rtcpCall{call: c, callerRTCP: callerRTCP, agentRTCP: agentRTCP}
}

func rtcpAddr(rtpAddr netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(rtpAddr.Addr(), rtpAddr.Port()+1)
}

// servedBy runs f for a relay with goroutines of its own and for one on a shared loop.
func servedBy(t *testing.T, f func(t *testing.T, loop *Loop)) {
	for _, served := range []struct {
		name string
		loop *Loop
	}{{"own goroutines", nil}, {"shared loop", newTestLoop(t)}} {
		t.Run(served.name, func(t *testing.T) { f(t, served.loop) })
	}
}

// agentRTP sends n PCMU packets from the fake agent, sequence numbers from seq, and returns them.
func (c *rtcpCall) agentRTP(t *testing.T, seq uint16, n int) []rtp.Packet {
	t.Helper()
	var sent []rtp.Packet
	for i := range n {
		p := rtp.Packet{Header: rtp.Header{Version: 2, SSRC: agentSSRC, SequenceNumber: seq + uint16(i), Timestamp: 777 + uint32(i*160)},
			Payload: bytes.Repeat([]byte{0xff}, 160)}
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		c.agent.sendTo(t, c.relay.LocalAddr(Agent), b)
		sent = append(sent, p)
	}
	c.settle(t, func(Stats) bool { return len(c.caller.received()) == len(sent) })
	return sent
}

func TestRTCPReachesTheOtherLegAboutTheStreamItReceives(t *testing.T) {
	servedBy(t, func(t *testing.T, loop *Loop) {
		c := newRTCPCall(t, loop)
		s := newScript(t, pcmu96)
		s.speech(1600)
		c.play(t, s) // 10 packets, sequence numbers 65500-65509
		c.agentRTP(t, 65533, 5)
		toAgent, toCaller := c.agent.received(), c.caller.received()
		callerFirst := firstPacket(t, s)
		tsOff := toAgent[0].Timestamp - callerFirst.Timestamp
		octets := 0
		for _, p := range toAgent {
			octets += len(p.Payload)
		}

		// The caller's SR, with a block about what it received from the relay.
		fromCaller := rtcp.ReceptionReport{SSRC: toCaller[0].SSRC, FractionLost: 10, TotalLost: 1,
			LastSequenceNumber: uint32(toCaller[len(toCaller)-1].SequenceNumber), Jitter: 33, LastSenderReport: 0x1111, Delay: 0x2222}
		c.callerRTCP.sendTo(t, rtcpAddr(c.relay.LocalAddr(Caller)), marshalRTCP(t,
			&rtcp.SenderReport{SSRC: phoneSSRC, NTPTime: 0xe1234567_89abcdef, RTPTime: callerFirst.Timestamp + 1600,
				PacketCount: 4242, OctetCount: 4242 * 160, Reports: []rtcp.ReceptionReport{{SSRC: unknownSSRC}, fromCaller}},
			phoneSDES(phoneSSRC)))
		got := awaitRTCP(t, c.call, c.agentRTCP, 1)
		toAgentBlock := fromCaller
		toAgentBlock.SSRC, toAgentBlock.LastSequenceNumber = agentSSRC, 65537 // 65533 + 4, wrapped once
		want := []rtcp.Packet{
			&rtcp.SenderReport{SSRC: toAgent[0].SSRC, NTPTime: 0xe1234567_89abcdef, RTPTime: callerFirst.Timestamp + 1600 + tsOff,
				PacketCount: uint32(len(toAgent)), OctetCount: uint32(octets), Reports: []rtcp.ReceptionReport{toAgentBlock}},
			&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: toAgent[0].SSRC, Items: []rtcp.SourceDescriptionItem{
				{Type: rtcp.SDESCNAME, Text: cnameOf(t, got)}}}}},
		}
		if diff := cmp.Diff(want, got, cmpRTCP); diff != "" {
			t.Errorf("the agent got (-want +got):\n%s", diff)
		}
		if strings.Contains(cnameOf(t, got), "192.0.2.10") {
			t.Errorf("the caller's CNAME reached the agent")
		}

		// The agent's RR about what it received, and its BYE.
		fromAgent := rtcp.ReceptionReport{SSRC: toAgent[0].SSRC, FractionLost: 5,
			LastSequenceNumber: 3<<16 | uint32(toAgent[len(toAgent)-1].SequenceNumber), Jitter: 42}
		c.agentRTCP.sendTo(t, rtcpAddr(c.relay.LocalAddr(Agent)), marshalRTCP(t,
			&rtcp.ReceiverReport{SSRC: agentSSRC, Reports: []rtcp.ReceptionReport{fromAgent}},
			rtcp.NewCNAMESourceDescription(agentSSRC, "agent@pbx"), &rtcp.Goodbye{Sources: []uint32{agentSSRC}}))
		got = awaitRTCP(t, c.call, c.callerRTCP, 1)
		toCallerBlock := fromAgent
		toCallerBlock.SSRC, toCallerBlock.LastSequenceNumber = phoneSSRC, 65509 // the caller's own sequence space
		want = []rtcp.Packet{
			&rtcp.ReceiverReport{SSRC: toCaller[0].SSRC, Reports: []rtcp.ReceptionReport{toCallerBlock}},
			&rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: toCaller[0].SSRC, Items: []rtcp.SourceDescriptionItem{
				{Type: rtcp.SDESCNAME, Text: cnameOf(t, got)}}}}},
			&rtcp.Goodbye{Sources: []uint32{toCaller[0].SSRC}},
		}
		if diff := cmp.Diff(want, got, cmpRTCP); diff != "" {
			t.Errorf("the caller got (-want +got):\n%s", diff)
		}
		st := c.relay.Stats()
		for _, l := range []LegStats{st.Caller, st.Agent} {
			if l.RTCP != 1 || l.RTCPForwarded != 1 || l.RTCPMalformed+l.RTCPWrongSource+l.RTCPDropped != 0 {
				t.Errorf("RTCP counters %+v, want one received and forwarded", l)
			}
		}
	})
}

func firstPacket(t *testing.T, s *script) rtp.Packet {
	t.Helper()
	var p rtp.Packet
	if err := p.Unmarshal(s.steps[0].pkt); err != nil {
		t.Fatal(err)
	}
	return p
}

// awaitRTCP waits until p has received n datagrams and returns the last, parsed.
func awaitRTCP(t *testing.T, c *call, p *rtcpPeer, n int) []rtcp.Packet {
	t.Helper()
	c.settle(t, func(Stats) bool { return len(p.received()) >= n })
	got := p.received()
	if len(got) != n {
		for _, g := range got {
			t.Logf("%x", g)
		}
		t.Fatalf("got %d RTCP datagrams, want %d", len(got), n)
	}
	return unmarshalRTCP(t, got[n-1])
}

func cnameOf(t *testing.T, pkts []rtcp.Packet) string {
	t.Helper()
	cname, err := rtcp.CompoundPacket(pkts).CNAME()
	if err != nil {
		t.Fatalf("no CNAME: %v", err)
	}
	return cname
}

func TestRTCPFromAnotherSourceOrMalformedIsDroppedAndOtherCallsGoOn(t *testing.T) {
	servedBy(t, func(t *testing.T, loop *Loop) {
		victim, other := newRTCPCall(t, loop), newRTCPCall(t, loop)
		to := rtcpAddr(victim.relay.LocalAddr(Caller))
		rr := marshalRTCP(t, &rtcp.ReceiverReport{SSRC: phoneSSRC}, phoneSDES(phoneSSRC))

		stranger := newRTCPPeerAt(t, "127.0.0.2") // not the IP the caller's SDP named
		stranger.sendTo(t, to, rr)
		malformed := malformedRTCP(t)
		for _, pkt := range malformed {
			victim.callerRTCP.sendTo(t, to, pkt) // the first one latches the caller's RTCP source
		}
		neighbour := newRTCPPeerAt(t, "127.0.0.1") // the right IP, another port, after the latch
		neighbour.sendTo(t, to, rr)
		xr := marshalRTCP(t, &rtcp.ExtendedReport{SenderSSRC: phoneSSRC, Reports: []rtcp.ReportBlock{&rtcp.ReceiverReferenceTimeReportBlock{NTPTimestamp: 5}}})
		victim.callerRTCP.sendTo(t, to, xr)
		other.callerRTCP.sendTo(t, rtcpAddr(other.relay.LocalAddr(Caller)), rr)
		victim.callerRTCP.sendTo(t, to, rr)

		got := awaitRTCP(t, victim.call, victim.agentRTCP, 1)
		if diff := cmp.Diff(relayRR(victim.relay), got, cmpRTCP); diff != "" {
			t.Errorf("the agent got (-want +got):\n%s", diff)
		}
		victim.settle(t, func(st Stats) bool { return st.Caller.RTCP == uint64(len(malformed)+4) })
		st := victim.relay.Stats().Caller
		want := LegStats{RTCP: uint64(len(malformed) + 4), RTCPForwarded: 1, RTCPMalformed: uint64(len(malformed)), RTCPWrongSource: 2, RTCPDropped: 1}
		if diff := cmp.Diff(want, st); diff != "" {
			t.Errorf("caller leg counters (-want +got):\n%s", diff)
		}
		if n := len(victim.agentRTCP.received()); n != 1 {
			t.Errorf("the agent got %d RTCP datagrams, want 1", n)
		}

		got = awaitRTCP(t, other.call, other.agentRTCP, 1)
		if diff := cmp.Diff(relayRR(other.relay), got, cmpRTCP); diff != "" {
			t.Errorf("the other call's agent got (-want +got):\n%s", diff)
		}
		if st := other.relay.Stats().Caller; st.RTCP != 1 || st.RTCPForwarded != 1 {
			t.Errorf("the other call's caller leg: %+v", st)
		}
	})
}

// relayRR is what the agent gets for the caller's RR with an SDES, before any RTP: the relay's
// empty RR and its CNAME.
func relayRR(r *Relay) []rtcp.Packet {
	s := r.legs[Caller].rtcpx.fwd // set before the relay's goroutines start, never changed
	return []rtcp.Packet{&rtcp.ReceiverReport{SSRC: s.ssrc}, relaySDES(s)}
}

func newRTCPPeerAt(t *testing.T, ip string) *rtcpPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(ip+":0")))
	if err != nil {
		t.Fatal(err)
	}
	p := &rtcpPeer{conn: conn}
	p.wg.Add(1)
	go p.read()
	t.Cleanup(func() { _ = p.conn.Close(); p.wg.Wait() })
	return p
}
