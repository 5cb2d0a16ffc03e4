package rfc4733

import (
	"bytes"
	"errors"
	"testing"
)

func TestPayloadWireFormat(t *testing.T) {
	tests := []struct {
		name string
		wire []byte
		p    Payload
	}{
		{"digit 5 start at -10 dBm0", []byte{0x05, 0x0a, 0x00, 0x00}, Payload{Event: 5, Volume: 10}},
		{"pound update of 800 units", []byte{0x0b, 0x0a, 0x03, 0x20}, Payload{Event: EventPound, Volume: 10, Duration: 800}},
		{"star end packet", []byte{0x0a, 0x8a, 0x06, 0x40}, Payload{Event: EventStar, End: true, Volume: 10, Duration: 1600}},
		{"reserved bit is kept", []byte{0x01, 0x40 | 0x3f, 0xff, 0xff}, Payload{Event: 1, Reserved: true, Volume: 63, Duration: 0xffff}},
		{"flash, all bits", []byte{0x10, 0xc0 | 0x3f, 0x12, 0x34}, Payload{Event: EventFlash, End: true, Reserved: true, Volume: 63, Duration: 0x1234}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" decodes", func(t *testing.T) {
			var got Payload
			if err := got.Unmarshal(tt.wire); err != nil {
				t.Fatal(err)
			}
			if got != tt.p {
				t.Fatalf("Unmarshal(% x) = %+v, want %+v", tt.wire, got, tt.p)
			}
		})
		t.Run(tt.name+" encodes", func(t *testing.T) {
			buf := make([]byte, 8)
			n, err := tt.p.MarshalTo(buf)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf[:n], tt.wire) {
				t.Fatalf("MarshalTo(%+v) = % x, want % x", tt.p, buf[:n], tt.wire)
			}
		})
	}
}

func TestPayloadErrors(t *testing.T) {
	t.Run("short payload is refused", func(t *testing.T) {
		var p Payload
		if err := p.Unmarshal([]byte{1, 2, 3}); !errors.Is(err, ErrShortPayload) {
			t.Fatalf("err = %v, want ErrShortPayload", err)
		}
	})
	t.Run("short buffer is refused", func(t *testing.T) {
		if _, err := (Payload{}).MarshalTo(make([]byte, 3)); !errors.Is(err, ErrShortBuffer) {
			t.Fatalf("err = %v, want ErrShortBuffer", err)
		}
	})
	t.Run("volume above 63 is refused", func(t *testing.T) {
		if _, err := (Payload{Volume: 64}).MarshalTo(make([]byte, 4)); !errors.Is(err, ErrVolume) {
			t.Fatalf("err = %v, want ErrVolume", err)
		}
	})
}

func TestBlocks(t *testing.T) {
	tests := []struct {
		name string
		size int
		want int
		err  error
	}{
		{"empty", 0, 0, ErrShortPayload},
		{"three bytes", 3, 0, ErrShortPayload},
		{"one block", 4, 1, nil},
		{"one block and a byte", 5, 0, ErrPayloadLength},
		{"three packed events", 12, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Blocks(make([]byte, tt.size))
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("Blocks(%d bytes) = %d, %v; want %d, %v", tt.size, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	for ev := uint8(0); ev < 16; ev++ {
		key, ok := KeyOf(ev)
		if !ok {
			t.Fatalf("KeyOf(%d) not a key", ev)
		}
		back, ok := EventOf(key)
		if !ok || back != ev {
			t.Fatalf("EventOf(KeyOf(%d)=%q) = %d, %t", ev, key, back, ok)
		}
	}
	if _, ok := KeyOf(EventFlash); ok {
		t.Fatal("flash has a key")
	}
	if ev, ok := EventOf('c'); !ok || ev != 14 {
		t.Fatalf("EventOf('c') = %d, %t; want 14", ev, ok)
	}
	for _, k := range []byte{'E', 'x', ' ', 0} {
		if _, ok := EventOf(k); ok {
			t.Fatalf("EventOf(%q) accepted", k)
		}
	}
}

func TestPayloadDoesNotAllocate(t *testing.T) {
	wire := []byte{0x05, 0x8a, 0x03, 0x20}
	buf := make([]byte, 4)
	var p Payload
	allocs := testing.AllocsPerRun(100, func() {
		_ = p.Unmarshal(wire)
		_, _ = p.MarshalTo(buf)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per decode+encode, want 0", allocs)
	}
}

func BenchmarkPayloadUnmarshal(b *testing.B) {
	wire := []byte{0x05, 0x8a, 0x03, 0x20}
	var p Payload
	var sum int
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Unmarshal(wire); err != nil {
			b.Fatal(err)
		}
		sum += int(p.Duration) + int(p.Event)
		wire[3]++ // a different payload each time, so the decode cannot be hoisted out of the loop
	}
	if sum == 0 {
		b.Fatal("nothing decoded")
	}
}

func BenchmarkPayloadMarshalTo(b *testing.B) {
	p := Payload{Event: 5, End: true, Volume: 10, Duration: 800}
	buf := make([]byte, 4)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.MarshalTo(buf); err != nil {
			b.Fatal(err)
		}
	}
}
