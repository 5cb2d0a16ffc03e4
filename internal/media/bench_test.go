package media

import (
	"encoding/binary"
	"sync/atomic"
	"testing"
	"time"
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
			p := newCallerPath(tc.caller, tc.agent, &cfg, &flag, &counters{}, make(chan byte, 1<<20), func(pkt []byte) { sent += len(pkt) })
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
			p := newAgentPath(tc.in, tc.out, &counters{}, func(pkt []byte) { sent += len(pkt) })
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
