package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// benchStream is a caller's audio, speech with keypad tones, that a benchmark can loop over
// forever: each packet's sequence number and timestamp are rewritten to run on.
type benchStream struct {
	pkts [][]byte
	seq  uint16
	ts   uint32
	i    int
}

func newBenchStream(b *testing.B, leg Leg) *benchStream {
	s := newScript(b, leg)
	s.speech(8000)
	s.inBand("4242424242424242")
	s.speech(8000)
	bs := &benchStream{}
	for _, st := range s.steps {
		bs.pkts = append(bs.pkts, st.pkt)
	}
	return bs
}

func (s *benchStream) next() []byte {
	p := s.pkts[s.i]
	s.i = (s.i + 1) % len(s.pkts)
	binary.BigEndian.PutUint16(p[2:], s.seq)
	binary.BigEndian.PutUint32(p[4:], s.ts)
	s.seq++
	s.ts += uint32(len(p) - rtpHeaderLen)
	return p
}

// BenchmarkCallerPacket is the caller-to-agent hot path per 20 ms packet: parse, in-band
// detection, RFC 4733 receiver tick, look-ahead and masking (secure), encode, marshal.
func BenchmarkCallerPacket(b *testing.B) {
	cases := []struct {
		name          string
		caller, agent Leg
		secure        bool
	}{
		{"outside secure PCMU to PCMU", pcmu96, pcmu101, false},
		{"secure PCMU to PCMU", pcmu96, pcmu101, true},
		{"outside secure PCMA to PCMU", Leg{Codec: PCMA, AudioPT: 8, EventPT: 96}, pcmu101, false},
		{"secure PCMA to PCMU", Leg{Codec: PCMA, AudioPT: 8, EventPT: 96}, pcmu101, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			in := newBenchStream(b, tc.caller)
			cfg := Config{Ports: &PortAllocator{}}
			if err := cfg.setDefaults(); err != nil {
				b.Fatal(err)
			}
			var flag atomic.Bool
			flag.Store(tc.secure)
			sent := 0
			p := newCallerPath(negotiation(tc.caller, tc.agent), &cfg, &flag, &counters{}, make(chan byte, 1<<20), nil, func(pkt []byte) { sent += len(pkt) })
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				p.handle(in.next(), now)
			}
			if sent == 0 {
				b.Fatal("nothing sent")
			}
		})
	}
}

// BenchmarkAgentPacket is the agent-to-caller hot path per 20 ms packet: parse, map, transcode
// when the codecs differ, marshal.
func BenchmarkAgentPacket(b *testing.B) {
	for _, tc := range []struct {
		name    string
		in, out Leg
	}{
		{"PCMU to PCMU", pcmu101, pcmu96},
		{"PCMU to PCMA", pcmu101, Leg{Codec: PCMA, AudioPT: 8, EventPT: 96}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			in := newBenchStream(b, tc.in)
			sent := 0
			p := newAgentPath(negotiation(tc.out, tc.in), &counters{}, func(pkt []byte) { sent += len(pkt) })
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				p.handle(in.next(), now)
			}
			if sent == 0 {
				b.Fatal("nothing sent")
			}
		})
	}
}

// BenchmarkRelayUDP sends each packet from a fake caller through a relay on loopback and waits
// for it at the fake agent: the whole path with its two read and two write system calls and the
// wake-ups in between, in lock-step (so the figure is latency, not throughput). The peers read
// and write without allocating, so allocs/op is the relay's own.
func BenchmarkRelayUDP(b *testing.B) {
	loop, err := NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer loop.Close()
	for _, tc := range []struct {
		name   string
		secure bool
		loop   *Loop
	}{
		{"outside secure", false, nil},
		{"secure", true, nil},
		{"outside secure, on a loop", false, loop},
		{"secure, on a loop", true, loop},
	} {
		secure := tc.secure
		b.Run(tc.name, func(b *testing.B) {
			caller, agent := rawPeer(b), rawPeer(b)
			r, err := NewRelay(Config{Ports: testPorts(b), Loop: tc.loop})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			callerLeg, agentLeg := pcmu96, pcmu101
			callerLeg.Remote = caller.LocalAddr().(*net.UDPAddr).AddrPort()
			agentLeg.Remote = agent.LocalAddr().(*net.UDPAddr).AddrPort()
			if err := r.Start(callerLeg, agentLeg); err != nil {
				b.Fatal(err)
			}
			r.SetSecure(secure)
			lockStep(b, caller, agent, r.LocalAddr(Caller))
		})
	}
	// The same exchange without the relay: what the relay adds is the difference.
	b.Run("direct, no relay", func(b *testing.B) {
		caller, agent := rawPeer(b), rawPeer(b)
		lockStep(b, caller, agent, agent.LocalAddr().(*net.UDPAddr).AddrPort())
	})
}

// lockStep sends a caller packet to to and waits for a packet at agent, once per iteration, and
// reports the median and 99th percentile of the round, in µs.
func lockStep(b *testing.B, caller, agent *net.UDPConn, to netip.AddrPort) {
	in := newBenchStream(b, pcmu96)
	buf := make([]byte, 2048)
	rounds := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := caller.WriteToUDPAddrPort(in.next(), to); err != nil {
			b.Fatal(err)
		}
		if _, _, err := agent.ReadFromUDPAddrPort(buf); err != nil {
			b.Fatal(err)
		}
		if len(rounds) < cap(rounds) {
			rounds = append(rounds, time.Since(start))
		}
	}
	slices.Sort(rounds)
	if len(rounds) > 0 {
		b.ReportMetric(float64(rounds[len(rounds)/2].Nanoseconds())/1e3, "p50-µs")
		b.ReportMetric(float64(rounds[len(rounds)*99/100].Nanoseconds())/1e3, "p99-µs")
	}
}

func rawPeer(b *testing.B) *net.UDPConn {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return conn
}

// BenchmarkRTCPTranslate is one compound RTCP packet (SR with two blocks, SDES, BYE) rebuilt
// for the other leg; RTCP comes about every 5 s per leg.
func BenchmarkRTCPTranslate(b *testing.B) {
	toAgent, toCaller := newOutStream(), newOutStream()
	relayed(&toAgent, phoneSSRC, 100, 8000, 3)
	relayed(&toCaller, agentSSRC, 5, 0, 3)
	tr := newRTCPTranslator(toAgent.report, toCaller.report)
	in := marshalRTCP(b, &rtcp.SenderReport{SSRC: phoneSSRC, Reports: []rtcp.ReceptionReport{{SSRC: unknownSSRC}, {SSRC: toCaller.ssrc}}},
		phoneSDES(phoneSSRC), &rtcp.Goodbye{Sources: []uint32{phoneSSRC}})
	b.ReportAllocs()
	for b.Loop() {
		if out, err := tr.translate(in); err != nil || out == nil {
			b.Fatal(err)
		}
	}
}
