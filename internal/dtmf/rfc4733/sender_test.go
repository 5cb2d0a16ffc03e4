package rfc4733

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pion/rtp"
)

// wireSummary decodes packets into one readable line each.
func wireSummary(t *testing.T, pkts [][]byte) []string {
	t.Helper()
	var out []string
	for _, raw := range pkts {
		var p rtp.Packet
		if err := p.Unmarshal(raw); err != nil {
			t.Fatal(err)
		}
		var pl Payload
		if err := pl.Unmarshal(p.Payload); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("pt=%d seq=%d ts=%d m=%t ssrc=%d ev=%d e=%t vol=%d dur=%d",
			p.PayloadType, p.SequenceNumber, p.Timestamp, p.Marker, p.SSRC, pl.Event, pl.End, pl.Volume, pl.Duration))
	}
	return out
}

func TestSenderPress(t *testing.T) {
	s := NewSender(SenderConfig{PayloadType: 96, SSRC: 42}, 0xFFFE)
	pkts, err := s.AppendPress(nil, '9', 8000, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pt=96 seq=65534 ts=8000 m=true ssrc=42 ev=9 e=false vol=10 dur=0",
		"pt=96 seq=65535 ts=8000 m=false ssrc=42 ev=9 e=false vol=10 dur=400",
		"pt=96 seq=0 ts=8000 m=false ssrc=42 ev=9 e=false vol=10 dur=800",
		"pt=96 seq=1 ts=8000 m=false ssrc=42 ev=9 e=true vol=10 dur=1000",
		"pt=96 seq=2 ts=8000 m=false ssrc=42 ev=9 e=true vol=10 dur=1000",
		"pt=96 seq=3 ts=8000 m=false ssrc=42 ev=9 e=true vol=10 dur=1000",
	}
	if diff := cmp.Diff(want, wireSummary(t, pkts)); diff != "" {
		t.Errorf("packets (-want +got):\n%s", diff)
	}
	if s.Busy() || s.Sequence() != 4 {
		t.Fatalf("after the press: busy=%t next seq=%d; want idle and 4", s.Busy(), s.Sequence())
	}
}

func TestSenderUpdatesOnlyWhenDue(t *testing.T) {
	s := NewSender(SenderConfig{PayloadType: 101, Interval: 400, Volume: 20}, 0)
	buf := make([]byte, 64)
	if err := s.KeyDown('*', 0); err != nil {
		t.Fatal(err)
	}
	var sent []uint32
	for now := uint32(0); now <= 2000; now += 160 { // one call per 20 ms audio packet
		n, err := s.Next(now, buf)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			sent = append(sent, now)
		}
	}
	want := []uint32{0, 480, 960, 1440, 1920}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("packet times (-want +got):\n%s", diff)
	}
}

func TestSenderRollsOverLongPresses(t *testing.T) {
	s := NewSender(SenderConfig{PayloadType: 101, SSRC: 1}, 0)
	pkts, err := s.AppendPress(nil, '0', 100, 2*0xFFFF+500)
	if err != nil {
		t.Fatal(err)
	}
	wireSummary(t, pkts) // every packet decodes
	var rollovers []string
	segments := map[uint32]uint16{}
	for _, raw := range pkts {
		var p rtp.Packet
		_ = p.Unmarshal(raw)
		var pl Payload
		_ = pl.Unmarshal(p.Payload)
		if pl.Duration > segments[p.Timestamp] {
			segments[p.Timestamp] = pl.Duration
		}
		if p.Marker && p.Timestamp != 100 {
			rollovers = append(rollovers, fmt.Sprint(p.Timestamp))
		}
	}
	want := map[uint32]uint16{100: 0xFFFF, 100 + 0xFFFF: 0xFFFF, 100 + 2*0xFFFF: 500}
	if diff := cmp.Diff(want, segments); diff != "" {
		t.Errorf("longest duration per segment timestamp (-want +got):\n%s", diff)
	}
	if len(rollovers) != 0 {
		t.Errorf("later segments carry the marker bit: %v", rollovers)
	}
}

func TestSenderErrors(t *testing.T) {
	buf := make([]byte, 64)
	tests := []struct {
		name string
		do   func(s *Sender) error
		want error
	}{
		{"a key that is not on the keypad", func(s *Sender) error { return s.KeyDown('x', 0) }, ErrUnknownKey},
		{"a second key while one is pressed", func(s *Sender) error {
			_ = s.KeyDown('1', 0)
			return s.KeyDown('2', 10)
		}, ErrPressed},
		{"a new key while the end packets are still due", func(s *Sender) error {
			_ = s.KeyDown('1', 0)
			_ = s.KeyUp(800)
			return s.KeyDown('2', 900)
		}, ErrPressed},
		{"key up with no key pressed", func(s *Sender) error { return s.KeyUp(0) }, ErrNotPressed},
		{"a buffer too short for a packet", func(s *Sender) error {
			_ = s.KeyDown('1', 0)
			_, err := s.Next(0, buf[:15])
			return err
		}, ErrShortBuffer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSender(SenderConfig{PayloadType: 101}, 0)
			if err := tt.do(s); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSenderSharesSequenceWithAudio(t *testing.T) {
	s := NewSender(SenderConfig{PayloadType: 101}, 0)
	s.SetSequence(5000)
	pkts, err := s.AppendPress(nil, '1', 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var p rtp.Packet
	if err := p.Unmarshal(pkts[0]); err != nil {
		t.Fatal(err)
	}
	if p.SequenceNumber != 5000 || s.Sequence() != 5000+uint16(len(pkts)) {
		t.Fatalf("first seq %d, next %d after %d packets; want 5000 and %d", p.SequenceNumber, s.Sequence(), len(pkts), 5000+len(pkts))
	}
}

func BenchmarkSenderNext(b *testing.B) {
	s := NewSender(SenderConfig{PayloadType: 101, Interval: 160}, 0)
	buf := make([]byte, 64)
	_ = s.KeyDown('5', 0)
	now := uint32(0)
	b.ReportAllocs()
	for b.Loop() {
		now += 160
		if _, err := s.Next(now, buf); err != nil {
			b.Fatal(err)
		}
	}
}
