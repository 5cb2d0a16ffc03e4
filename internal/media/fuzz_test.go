package media

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// FuzzPacket feeds arbitrary datagrams to both directions' packet handlers, in and out of
// secure mode. Whatever arrives, the relay must not panic, must send only RTP version 2 packets
// on the other leg's payload types, and must keep its look-ahead bounded.
func FuzzPacket(f *testing.F) {
	s := newScript(f, pcmu96)
	s.speech(320)
	s.both("1")
	for _, st := range s.steps {
		if st.pkt != nil {
			f.Add(st.pkt, true)
		}
	}
	f.Add([]byte{0x80, 0x00, 0x00, 0x01}, false)
	f.Add([]byte{0x8f, 0x60, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7, 1, 2, 3}, false)
	f.Fuzz(func(t *testing.T, pkt []byte, secure bool) {
		check := func(b []byte) {
			var p rtp.Packet
			if err := p.Unmarshal(b); err != nil || p.Version != 2 {
				t.Fatalf("sent a packet that is not RTP: %v", err)
			}
			if p.PayloadType != 0 && p.PayloadType != 101 && p.PayloadType != 96 && p.PayloadType != 13 {
				t.Fatalf("sent payload type %d", p.PayloadType)
			}
		}
		c := newCallerPathForFuzz(t, secure, check)
		a := newAgentPath(negotiation(fuzzCaller, fuzzAgent), &counters{}, check)
		now := time.Now()
		// Twice, so that the second copy meets the state the first left behind.
		for range 2 {
			c.handle(pkt, now)
			a.handle(pkt, now)
			if d := c.line.delay(); d < 0 || d > lookAhead {
				t.Fatalf("look-ahead holds %d samples", d)
			}
		}
	})
}

func newCallerPathForFuzz(t *testing.T, secure bool, send func([]byte)) *callerPath {
	cfg := Config{Ports: &PortAllocator{}, Mode: MaskTone, Scope: ScopeSecure}
	if secure {
		cfg.Scope = ScopeAlways
	}
	if err := cfg.setDefaults(); err != nil {
		t.Fatal(err)
	}
	return newCallerPath(negotiation(fuzzCaller, fuzzAgent), &cfg, new(atomic.Bool), &counters{}, make(chan byte, 64), nil, send)
}

// The fuzzed legs relay comfort noise untouched as well as G.711 and events.
var (
	fuzzCaller = Leg{Codec: PCMU, EventPT: 96, Passthrough: []PTMap{{From: 13, To: 13}}}
	fuzzAgent  = Leg{Codec: PCMU, EventPT: 101, Passthrough: []PTMap{{From: 13, To: 13}}}
)

// FuzzRTCPTranslate feeds arbitrary datagrams to the RTCP translation of the caller's leg.
// Whatever arrives, it must not panic, and what it forwards must be a compound RTCP packet that
// starts with an SR or RR and speaks only of the relay's stream towards the agent and of the
// agent's own stream: no SSRC, CNAME or text of the caller, and the relay's own counts.
func FuzzRTCPTranslate(f *testing.F) {
	f.Fuzz(func(t *testing.T, pkt []byte) {
		toAgent, toCaller := newOutStream(), newOutStream()
		toCaller.ssrc, toCaller.report.ssrc = 0x0badcafe, 0x0badcafe // the seeds' blocks name it
		relayed(&toAgent, 0x1234abcd, 100, 8000, 3)
		relayed(&toCaller, agentSSRC, 65533, 0, 5)
		tr := newRTCPTranslator(toAgent.report, toCaller.report)
		for range 2 { // twice, so that the second meets the buffers the first left
			out, err := tr.translate(pkt)
			if err != nil {
				if out != nil {
					t.Fatal("an error and a packet")
				}
				continue
			}
			if out != nil {
				checkTranslated(t, out, toAgent.report)
			}
		}
	})
}

// checkTranslated checks that out is what the relay may send the agent for fwd's stream.
func checkTranslated(t *testing.T, out []byte, fwd *streamReport) {
	t.Helper()
	if len(out) > rtcpOutMax {
		t.Fatalf("%d bytes", len(out))
	}
	pkts, err := rtcp.Unmarshal(out)
	if err != nil {
		t.Fatalf("sent RTCP that does not parse: %v", err)
	}
	for i, p := range pkts {
		var reports []rtcp.ReceptionReport
		switch p := p.(type) {
		case *rtcp.SenderReport:
			if p.SSRC != fwd.ssrc || p.PacketCount != 3 || p.OctetCount != 480 {
				t.Fatalf("SR from %#x with counts %d/%d", p.SSRC, p.PacketCount, p.OctetCount)
			}
			reports = p.Reports
		case *rtcp.ReceiverReport:
			if p.SSRC != fwd.ssrc {
				t.Fatalf("RR from %#x", p.SSRC)
			}
			reports = p.Reports
		case *rtcp.SourceDescription:
			if len(p.Chunks) != 1 || p.Chunks[0].Source != fwd.ssrc || len(p.Chunks[0].Items) != 1 ||
				p.Chunks[0].Items[0] != (rtcp.SourceDescriptionItem{Type: rtcp.SDESCNAME, Text: fwd.cname}) {
				t.Fatalf("SDES %v", p)
			}
		case *rtcp.Goodbye:
			if len(p.Sources) != 1 || p.Sources[0] != fwd.ssrc || p.Reason != "" {
				t.Fatalf("BYE %v", p)
			}
		default:
			t.Fatalf("sent %T", p)
		}
		if (i == 0) != isReport(p) {
			t.Fatalf("packet %d is %T", i, p)
		}
		for _, b := range reports {
			if b.SSRC != agentSSRC {
				t.Fatalf("report block about %#x", b.SSRC)
			}
		}
	}
}

func isReport(p rtcp.Packet) bool {
	switch p.(type) {
	case *rtcp.SenderReport, *rtcp.ReceiverReport:
		return true
	}
	return false
}
