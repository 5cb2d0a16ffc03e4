package mediaload

import (
	"testing"
	"time"
)

// TestRunRelaysPacketsAndDetectsKeys runs the generator against both relays with a few calls for
// a few seconds: every packet arrives, the keys pressed while secure are all detected, and no
// RFC 4733 event reaches the agent side.
func TestRunRelaysPacketsAndDetectsKeys(t *testing.T) {
	for _, impl := range []Impl{Hushpay, HushpayLoop, Baseline} {
		t.Run(string(impl)+" relays four calls", func(t *testing.T) {
			res, err := Run(RunConfig{Impl: impl, Calls: 4, Warmup: 500 * time.Millisecond, Duration: 2 * time.Second,
				PortLow: 31000, PortHigh: 31799, Start: InProcessRelay()})
			if err != nil {
				t.Fatal(err)
			}
			// 4 calls, 50 packets/s per direction, for at least warm-up + window + 1 s of sending.
			if want := uint64(4 * 2 * 50 * 3); res.Received < want {
				t.Errorf("received %d packets, want at least %d", res.Received, want)
			}
			if res.Lost != 0 {
				t.Errorf("lost %d packets", res.Lost)
			}
			if res.RelayPackets == 0 || res.AgentP50 == 0 {
				t.Errorf("relay read %d packets in the window, agent-to-caller p50 %v: want both above zero", res.RelayPackets, res.AgentP50)
			}
			if res.KeysSent == 0 || res.KeysDetected != res.KeysSent {
				t.Errorf("keys detected %d of %d sent: want all, and some", res.KeysDetected, res.KeysSent)
			}
			if res.EventsLeaked != 0 {
				t.Errorf("%d RFC 4733 events reached the agent while secure", res.EventsLeaked)
			}
		})
	}
}

// TestStreamCountsLossBySequence checks the receivers' loss arithmetic across a wrap, with
// reordering and a duplicate.
func TestStreamCountsLossBySequence(t *testing.T) {
	cases := []struct {
		name string
		seqs []uint16
		lost uint64
	}{
		{"in order, no loss", []uint16{10, 11, 12, 13}, 0},
		{"one missing", []uint16{10, 11, 13}, 1},
		{"across the wrap", []uint16{65534, 65535, 1, 2}, 1},
		{"reordered", []uint16{5, 7, 6, 8}, 0},
		{"a duplicate offsets a loss: the count is by packets", []uint16{5, 5, 7}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s streamRx
			for _, q := range tc.seqs {
				s.add(q)
			}
			if got := s.lost(); got != tc.lost {
				t.Errorf("lost %d, want %d", got, tc.lost)
			}
		})
	}
}

// FuzzParseHeader checks that whatever parses writes back to the same bytes.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte{0x80, 0x00, 0x12, 0x34, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef, 0xff})
	f.Add([]byte{0x80, 0xe5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0x8a, 0, 0xa0})
	f.Add([]byte{0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		h, ok := parseHeader(pkt)
		if !ok {
			return
		}
		out := make([]byte, headerLen)
		putHeader(out, h)
		if string(out) != string(pkt[:headerLen]) {
			t.Fatalf("header % x wrote back as % x", pkt[:headerLen], out)
		}
	})
}
