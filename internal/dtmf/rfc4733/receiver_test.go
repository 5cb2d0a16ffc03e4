package rfc4733

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pion/rtp"
)

// step is one thing that happens to a receiver in a scripted test: a packet arriving at a time
// (milliseconds from the start) or, when tick is set, only the clock moving on.
type step struct {
	at      int
	tick    bool
	pt      uint8
	ssrc    uint32
	marker  bool
	ts      uint32
	payload Payload
	raw     []byte // when set, sent as the payload instead of payload
}

const testPT = 101

func pkt(at int, ts uint32, key byte, dur uint16) step {
	ev, _ := EventOf(key)
	return step{at: at, pt: testPT, ssrc: 1, ts: ts, payload: Payload{Event: ev, Volume: 10, Duration: dur}}
}

func start(at int, ts uint32, key byte) step {
	s := pkt(at, ts, key, 0)
	s.marker = true
	return s
}

func endPkt(at int, ts uint32, key byte, dur uint16) step {
	s := pkt(at, ts, key, dur)
	s.payload.End = true
	return s
}

func tick(at int) step { return step{at: at, tick: true} }

func withPT(s step, pt uint8) step { s.pt = pt; return s }

func withSSRC(s step, ssrc uint32) step { s.ssrc = ssrc; return s }

// press is the whole normal packet sequence of a press: start, updates every 50 ms, three ends.
func press(at int, ts uint32, key byte, ms int) []step {
	steps := []step{start(at, ts, key)}
	for m := 50; m < ms; m += 50 {
		steps = append(steps, pkt(at+m, ts, key, uint16(m*8)))
	}
	for i := 0; i < EndPackets; i++ {
		steps = append(steps, endPkt(at+ms+i*20, ts, key, uint16(ms*8)))
	}
	return steps
}

// updates is a packet every 50 ms reporting durations from..to (timestamp units) of the press or
// segment at ts, the first at time at.
func updates(at int, ts uint32, key byte, from, to int) []step {
	var out []step
	for d := from; d <= to; d += 400 {
		out = append(out, pkt(at+(d-from)/8, ts, key, uint16(d)))
	}
	return out
}

func join(parts ...[]step) []step { return slices.Concat(parts...) }

func describe(e Event) string {
	key := string(e.Press.Key)
	if e.Press.Key == 0 {
		key = fmt.Sprintf("event%d", e.Press.Event)
	}
	if e.Kind == KeyDown {
		return fmt.Sprintf("down %s ts=%d", key, e.Press.Timestamp)
	}
	return fmt.Sprintf("up %s ts=%d dur=%d vol=%d by %s", key, e.Press.Timestamp, e.Press.Duration, e.Press.Volume, e.Press.End)
}

func play(t *testing.T, r *Receiver, steps []step) []string {
	t.Helper()
	var got []string
	record := func(e Event) { got = append(got, describe(e)) }
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range steps {
		now := t0.Add(time.Duration(s.at) * time.Millisecond)
		if s.tick {
			r.Tick(now, record)
			continue
		}
		h := rtp.Header{Version: 2, Marker: s.marker, PayloadType: s.pt, SSRC: s.ssrc, Timestamp: s.ts}
		payload := s.raw
		if payload == nil {
			payload, _ = s.payload.Marshal()
		}
		if err := r.Receive(now, &h, payload, record); err != nil {
			got = append(got, "error: "+err.Error())
		}
	}
	return got
}

func TestReceiver(t *testing.T) {
	tests := []struct {
		name  string
		pt    uint8
		steps []step
		want  []string
	}{
		{
			name:  "a press with start, updates and three end packets is one press",
			steps: press(0, 1000, '5', 120),
			want:  []string{"down 5 ts=1000", "up 5 ts=1000 dur=960 vol=10 by end-packet"},
		},
		{
			name: "every packet duplicated is still one press",
			steps: func() []step {
				var out []step
				for _, s := range press(0, 1000, '7', 100) {
					out = append(out, s, s)
				}
				return out
			}(),
			want: []string{"down 7 ts=1000", "up 7 ts=1000 dur=800 vol=10 by end-packet"},
		},
		{
			name: "an update arriving before the start packet is one press",
			steps: []step{
				pkt(10, 1000, '3', 400), start(12, 1000, '3'), pkt(60, 1000, '3', 800),
				endPkt(100, 1000, '3', 1120), endPkt(120, 1000, '3', 1120),
			},
			want: []string{"down 3 ts=1000", "up 3 ts=1000 dur=1120 vol=10 by end-packet"},
		},
		{
			name: "a late update after the end packets changes nothing",
			steps: []step{
				start(0, 1000, '3'), endPkt(100, 1000, '3', 800), pkt(101, 1000, '3', 400),
				endPkt(120, 1000, '3', 800), tick(2000),
			},
			want: []string{"down 3 ts=1000", "up 3 ts=1000 dur=800 vol=10 by end-packet"},
		},
		{
			name: "the largest duration wins when updates are reordered",
			steps: []step{
				start(0, 1000, '9'), pkt(60, 1000, '9', 800), pkt(61, 1000, '9', 400), tick(1000),
			},
			want: []string{"down 9 ts=1000", "up 9 ts=1000 dur=800 vol=10 by timeout"},
		},
		{
			name:  "a lost start packet still gives one press",
			steps: press(0, 1000, '1', 150)[1:],
			want:  []string{"down 1 ts=1000", "up 1 ts=1000 dur=1200 vol=10 by end-packet"},
		},
		{
			name:  "a press seen only by its end packets gives one press",
			steps: []step{endPkt(0, 1000, '#', 480), endPkt(20, 1000, '#', 480)},
			want:  []string{"down # ts=1000", "up # ts=1000 dur=480 vol=10 by end-packet"},
		},
		{
			name: "lost end packets end the press by timeout",
			steps: []step{
				start(0, 1000, '4'), pkt(50, 1000, '4', 400), pkt(100, 1000, '4', 800),
				tick(300), tick(399), tick(400), tick(1000),
			},
			want: []string{"down 4 ts=1000", "up 4 ts=1000 dur=800 vol=10 by timeout"},
		},
		{
			name: "lost end packets end the press when the next event starts",
			steps: join(
				[]step{start(0, 1000, '4'), pkt(50, 1000, '4', 400)},
				press(150, 2200, '2', 100),
			),
			want: []string{
				"down 4 ts=1000", "up 4 ts=1000 dur=400 vol=10 by next-event",
				"down 2 ts=2200", "up 2 ts=2200 dur=800 vol=10 by end-packet",
			},
		},
		{
			name:  "the same key pressed twice is two presses",
			steps: join(press(0, 1000, '8', 100), press(200, 2600, '8', 100)),
			want: []string{
				"down 8 ts=1000", "up 8 ts=1000 dur=800 vol=10 by end-packet",
				"down 8 ts=2600", "up 8 ts=2600 dur=800 vol=10 by end-packet",
			},
		},
		{
			name: "the same key twice with the first end and second start lost is two presses",
			steps: []step{
				start(0, 1000, '8'), pkt(50, 1000, '8', 400),
				pkt(250, 2600, '8', 400), endPkt(300, 2600, '8', 800),
			},
			want: []string{
				"down 8 ts=1000", "up 8 ts=1000 dur=400 vol=10 by next-event",
				"down 8 ts=2600", "up 8 ts=2600 dur=800 vol=10 by end-packet",
			},
		},
		{
			name: "end packets of the previous press arriving after the next press started are ignored",
			steps: []step{
				start(0, 1000, '1'), endPkt(100, 1000, '1', 800),
				start(180, 2600, '2'), endPkt(181, 1000, '1', 800), endPkt(182, 1000, '1', 800),
				endPkt(280, 2600, '2', 800),
			},
			want: []string{
				"down 1 ts=1000", "up 1 ts=1000 dur=800 vol=10 by end-packet",
				"down 2 ts=2600", "up 2 ts=2600 dur=800 vol=10 by end-packet",
			},
		},
		{
			name: "a long press rolls over into a second segment and stays one press",
			steps: join(
				[]step{start(0, 1000, '0')}, updates(50, 1000, '0', 400, 65200),
				[]step{pkt(8190, 1000, '0', 0xFFFF), pkt(8250, 1000+0xFFFF, '0', 400), endPkt(8300, 1000+0xFFFF, '0', 800)},
			),
			want: []string{"down 0 ts=1000", fmt.Sprintf("up 0 ts=1000 dur=%d vol=10 by end-packet", 0xFFFF+800)},
		},
		{
			name: "a long press rolls over even when the segment's last packet is lost",
			steps: join(
				[]step{start(0, 1000, '0')}, updates(50, 1000, '0', 400, 64000),
				[]step{pkt(8250, 1000+0xFFFF, '0', 400), pkt(8251, 1000, '0', 64400), endPkt(8300, 1000+0xFFFF, '0', 800)},
			),
			want: []string{"down 0 ts=1000", fmt.Sprintf("up 0 ts=1000 dur=%d vol=10 by end-packet", 0xFFFF+800)},
		},
		{
			name: "a marked packet after a long segment is a new press, not a rollover",
			steps: join(
				[]step{start(0, 1000, '0')}, updates(50, 1000, '0', 400, 65200),
				[]step{pkt(8190, 1000, '0', 0xFFFF), start(8250, 1000+0xFFFF, '0'), endPkt(8300, 1000+0xFFFF, '0', 800)},
			),
			want: []string{
				"down 0 ts=1000", "up 0 ts=1000 dur=65535 vol=10 by next-event",
				fmt.Sprintf("down 0 ts=%d", 1000+0xFFFF), fmt.Sprintf("up 0 ts=%d dur=800 vol=10 by end-packet", 1000+0xFFFF),
			},
		},
		{
			name: "a different key reusing the timestamp is a new press, and late packets of the first are not",
			steps: join(
				press(0, 1000, '1', 100),
				[]step{start(200, 1000, '2'), endPkt(300, 1000, '2', 800), endPkt(320, 1000, '1', 800), pkt(330, 1000, '1', 400)},
			),
			want: []string{
				"down 1 ts=1000", "up 1 ts=1000 dur=800 vol=10 by end-packet",
				"down 2 ts=1000", "up 2 ts=1000 dur=800 vol=10 by end-packet",
			},
		},
		{
			name:  "presses across the 32-bit timestamp wrap",
			steps: join(press(0, 0xFFFFFF00, '6', 100), press(200, 0x00000500, '6', 100)),
			want: []string{
				"down 6 ts=4294967040", "up 6 ts=4294967040 dur=800 vol=10 by end-packet",
				"down 6 ts=1280", "up 6 ts=1280 dur=800 vol=10 by end-packet",
			},
		},
		{
			name: "events on the negotiated payload type 96 are heard and those on 101 are not",
			pt:   96,
			steps: []step{
				withPT(start(0, 1000, '1'), 96), withPT(endPkt(100, 1000, '1', 800), 96),
				start(200, 2600, '2'), endPkt(300, 2600, '2', 800),
			},
			want: []string{"down 1 ts=1000", "up 1 ts=1000 dur=800 vol=10 by end-packet"},
		},
		{
			name: "a new source ends the current press and starts afresh",
			steps: []step{
				start(0, 1000, '1'), withSSRC(start(40, 500, '2'), 2), withSSRC(endPkt(100, 500, '2', 480), 2),
			},
			want: []string{
				"down 1 ts=1000", "up 1 ts=1000 dur=0 vol=10 by flush",
				"down 2 ts=500", "up 2 ts=500 dur=480 vol=10 by end-packet",
			},
		},
		{
			name: "packed events in one packet are separate presses",
			steps: []step{{at: 0, pt: testPT, ssrc: 1, ts: 1000, marker: true,
				raw: []byte{1, 0x8a, 0x03, 0x20, 2, 0x8a, 0x03, 0x20}}},
			want: []string{
				"down 1 ts=1000", "up 1 ts=1000 dur=800 vol=10 by end-packet",
				"down 2 ts=1800", "up 2 ts=1800 dur=800 vol=10 by end-packet",
			},
		},
		{
			name: "a flash is reported with its event code",
			steps: []step{{at: 0, pt: testPT, ssrc: 1, ts: 1000, marker: true,
				payload: Payload{Event: EventFlash, End: true, Volume: 0, Duration: 4000}}},
			want: []string{"down event16 ts=1000", "up event16 ts=1000 dur=4000 vol=0 by end-packet"},
		},
		{
			name:  "a malformed payload is an error and changes nothing",
			steps: []step{{at: 0, pt: testPT, ssrc: 1, ts: 1000, raw: []byte{1, 2, 3}}, tick(5000)},
			want:  []string{"error: " + ErrShortPayload.Error()},
		},
		{
			name: "a timestamp jump far backwards is a new press, not a late packet",
			steps: []step{
				start(0, 10_000_000, '1'), endPkt(100, 10_000_000, '1', 800),
				start(200, 1000, '2'), endPkt(300, 1000, '2', 800),
			},
			want: []string{
				"down 1 ts=10000000", "up 1 ts=10000000 dur=800 vol=10 by end-packet",
				"down 2 ts=1000", "up 2 ts=1000 dur=800 vol=10 by end-packet",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt := tt.pt
			if pt == 0 {
				pt = testPT
			}
			r := NewReceiver(ReceiverConfig{PayloadType: pt})
			got := play(t, r, tt.steps)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReceiverFlushEndsTheActivePress(t *testing.T) {
	r := NewReceiver(ReceiverConfig{PayloadType: testPT})
	var got []string
	play(t, r, []step{start(0, 1000, '1'), pkt(50, 1000, '1', 400)})
	if p, ok := r.Active(); !ok || p.Key != '1' {
		t.Fatalf("Active() = %+v, %t; want key 1 pressed", p, ok)
	}
	r.Flush(func(e Event) { got = append(got, describe(e)) })
	want := []string{"up 1 ts=1000 dur=400 vol=10 by flush"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := r.Active(); ok {
		t.Fatal("still active after Flush")
	}
}

func TestReceiveRTP(t *testing.T) {
	s := NewSender(SenderConfig{PayloadType: 96, SSRC: 7}, 100)
	pkts, err := s.AppendPress(nil, '#', 4000, 800)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReceiver(ReceiverConfig{PayloadType: 96})
	var got []string
	now := time.Now()
	audio := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 7}, Payload: make([]byte, 160)}
	raw, _ := audio.Marshal()
	if err := r.ReceiveRTP(now, raw, func(Event) {}); !errors.Is(err, ErrNotTelephoneEvent) {
		t.Fatalf("audio packet: err = %v, want ErrNotTelephoneEvent", err)
	}
	if err := r.ReceiveRTP(now, []byte{0x80}, func(Event) {}); err == nil {
		t.Fatal("a one-byte packet was accepted")
	}
	for _, p := range pkts {
		if err := r.ReceiveRTP(now, p, func(e Event) { got = append(got, describe(e)) }); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"down # ts=4000", "up # ts=4000 dur=800 vol=10 by end-packet"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSenderToReceiverUnderLossAndReordering sends presses of many lengths (some over two
// duration rollovers) through a channel that drops, duplicates and reorders packets, and checks
// that every press that got at least one packet through is reported exactly once with its key.
func TestSenderToReceiverUnderLossAndReordering(t *testing.T) {
	lengths := []uint32{320, 800, 4000, 0xFFFF - 200, 0xFFFF + 1, 3*0xFFFF + 1234}
	for _, loss := range []int{0, 10, 30} {
		t.Run(fmt.Sprintf("%d%% loss", loss), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(loss), 4733))
			s := NewSender(SenderConfig{PayloadType: 101, SSRC: 9, Interval: 160}, 0xFFF0)
			r := NewReceiver(ReceiverConfig{PayloadType: 101})
			var got []Press
			downs := 0
			record := func(e Event) {
				if e.Kind == KeyDown {
					downs++
					return
				}
				got = append(got, e.Press)
			}
			keys := "0123456789*#ABCD"
			ts := uint32(0xFFFF0000) // crosses the 32-bit wrap on the way
			var sent []Press
			clock := time.Unix(0, 0)
			for i, length := range lengths {
				key := keys[i%len(keys)]
				pkts, err := s.AppendPress(nil, key, ts, length)
				if err != nil {
					t.Fatal(err)
				}
				delivered := channel(rng, pkts, loss)
				if len(delivered) == 0 {
					continue // nothing got through: nothing to report
				}
				sent = append(sent, Press{Key: key, Timestamp: ts, Duration: length})
				for _, p := range delivered {
					clock = clock.Add(time.Millisecond)
					if err := r.ReceiveRTP(clock, p, record); err != nil {
						t.Fatal(err)
					}
				}
				clock = clock.Add(time.Second)
				r.Tick(clock, record)
				ts += length + 800
			}
			if len(got) != len(sent) || downs != len(sent) {
				t.Fatalf("sent %d presses, got %d key-downs and %d key-ups", len(sent), downs, len(got))
			}
			for i := range sent {
				if got[i].Key != sent[i].Key || got[i].Timestamp != sent[i].Timestamp {
					t.Errorf("press %d: got key %q at %d, want %q at %d", i, got[i].Key, got[i].Timestamp, sent[i].Key, sent[i].Timestamp)
				}
				if loss == 0 && got[i].Duration != sent[i].Duration {
					t.Errorf("press %d: duration %d, want %d", i, got[i].Duration, sent[i].Duration)
				}
				if got[i].Duration > sent[i].Duration {
					t.Errorf("press %d: duration %d longer than sent %d", i, got[i].Duration, sent[i].Duration)
				}
			}
		})
	}
}

// channel drops loss percent of the packets, duplicates some and swaps some neighbours.
func channel(rng *rand.Rand, pkts [][]byte, loss int) [][]byte {
	var out [][]byte
	for _, p := range pkts {
		if rng.IntN(100) < loss {
			continue
		}
		out = append(out, p)
		if rng.IntN(100) < loss/2 {
			out = append(out, p)
		}
	}
	for i := 1; i < len(out); i++ {
		if rng.IntN(100) < loss {
			out[i-1], out[i] = out[i], out[i-1]
		}
	}
	return out
}

func TestReceiverDoesNotAllocate(t *testing.T) {
	s := NewSender(SenderConfig{PayloadType: 101, SSRC: 1}, 1)
	pkts, err := s.AppendPress(nil, '5', 1000, 1600)
	if err != nil {
		t.Fatal(err)
	}
	r := NewReceiver(ReceiverConfig{PayloadType: 101})
	now := time.Now()
	fn := func(Event) {}
	allocs := testing.AllocsPerRun(50, func() {
		for _, p := range pkts {
			_ = r.ReceiveRTP(now, p, fn)
		}
		r.Flush(fn)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per press, want 0", allocs)
	}
}

func BenchmarkReceiveRTP(b *testing.B) {
	s := NewSender(SenderConfig{PayloadType: 101, SSRC: 1}, 1)
	pkts, err := s.AppendPress(nil, '5', 1000, 1600)
	if err != nil {
		b.Fatal(err)
	}
	r := NewReceiver(ReceiverConfig{PayloadType: 101})
	now := time.Now()
	fn := func(Event) {}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = r.ReceiveRTP(now, pkts[i], fn)
		if i++; i == len(pkts) {
			i = 0
		}
	}
}
