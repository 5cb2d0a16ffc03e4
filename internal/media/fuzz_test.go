package media

import (
	"sync/atomic"
	"testing"
	"time"

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
