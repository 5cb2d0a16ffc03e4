package rfc4733

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// FuzzDecode checks that any payload either fails to decode or survives a round trip unchanged.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x05, 0x8a, 0x03, 0x20})
	f.Add([]byte{0x10, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Payload
		if err := p.Unmarshal(data); err != nil {
			if len(data) >= PayloadSize {
				t.Fatalf("Unmarshal(% x) failed: %v", data, err)
			}
			return
		}
		buf := make([]byte, PayloadSize)
		n, err := p.MarshalTo(buf)
		if err != nil || n != PayloadSize {
			t.Fatalf("MarshalTo(%+v) = %d, %v", p, n, err)
		}
		if string(buf) != string(data[:PayloadSize]) {
			t.Fatalf("round trip of % x gave % x", data[:PayloadSize], buf)
		}
		if _, err := Blocks(data); (err == nil) != (len(data)%PayloadSize == 0) {
			t.Fatalf("Blocks(%d bytes) = %v", len(data), err)
		}
	})
}

// FuzzReceiver feeds the receiver arbitrary packet sequences. Each 9-byte record is: flags
// (bit 0 marker, bit 1 clock tick only, bit 2 other SSRC, bit 3 other payload type), a signed
// timestamp step, one payload block and a clock step in milliseconds. Whatever arrives, key-downs
// and key-ups alternate, each key-up closes the press the key-down opened, and Flush leaves
// nothing pressed.
func FuzzReceiver(f *testing.F) {
	f.Add([]byte{
		1, 0, 0, 5, 0x0a, 0, 0, 0, 20,
		0, 0, 0, 5, 0x0a, 1, 0x90, 0, 50,
		0, 0, 0, 5, 0x8a, 3, 0x20, 0, 20,
		0, 0, 0, 5, 0x8a, 3, 0x20, 0, 20,
	})
	f.Add([]byte{
		0, 0x10, 0, 1, 0x0a, 0xff, 0xff, 0, 50,
		0, 0xff, 0xff, 1, 0x0a, 0x01, 0x90, 0, 50,
		2, 0, 0, 0, 0, 0, 0, 0x10, 0,
		4, 0x08, 0, 2, 0x8a, 0, 0x10, 0, 0,
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReceiver(ReceiverConfig{PayloadType: 101, Timeout: 100 * time.Millisecond})
		var open *Press
		check := func(e Event) {
			switch e.Kind {
			case KeyDown:
				if open != nil {
					t.Fatalf("key-down %+v while %+v is still pressed", e.Press, *open)
				}
				p := e.Press
				open = &p
			case KeyUp:
				if open == nil {
					t.Fatalf("key-up %+v without a key-down", e.Press)
				}
				if e.Press.Timestamp != open.Timestamp || e.Press.Event != open.Event || e.Press.Duration < open.Duration {
					t.Fatalf("key-up %+v does not close key-down %+v", e.Press, *open)
				}
				if e.Press.End == EndNone {
					t.Fatalf("key-up %+v without an end reason", e.Press)
				}
				open = nil
			default:
				t.Fatalf("unknown event kind %d", e.Kind)
			}
		}
		now := time.Unix(1000, 0)
		var ts uint32 = 1000
		for len(data) >= 9 {
			rec := data[:9]
			data = data[9:]
			now = now.Add(time.Duration(binary.BigEndian.Uint16(rec[7:9])) * time.Millisecond)
			if rec[0]&2 != 0 {
				r.Tick(now, check)
				continue
			}
			ts += uint32(int32(int16(binary.BigEndian.Uint16(rec[1:3]))))
			h := rtp.Header{Version: 2, Marker: rec[0]&1 != 0, PayloadType: 101, SSRC: 1, Timestamp: ts}
			if rec[0]&4 != 0 {
				h.SSRC = 2
			}
			if rec[0]&8 != 0 {
				h.PayloadType = 0
			}
			if err := r.Receive(now, &h, rec[3:7], check); err != nil {
				t.Fatalf("a 4-byte payload was refused: %v", err)
			}
		}
		r.Flush(check)
		if open != nil {
			t.Fatalf("press %+v still open after Flush", *open)
		}
	})
}
