package dtmf

import (
	"encoding/binary"
	"testing"
)

// FuzzDetector feeds arbitrary samples, in frames of a size taken from the input, and checks that
// the detector never panics and reports only well-formed presses.
func FuzzDetector(f *testing.F) {
	tone := keySequence("5", flat(-12), 10, 60*ms, 10*ms)
	b := make([]byte, 1, 1+2*len(tone))
	b[0] = 160
	for _, v := range tone {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	f.Add(b)
	f.Add([]byte{1, 0xff, 0x7f, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		frame := 1 + int(data[0])
		samples := make([]int16, (len(data)-1)/2)
		for i := range samples {
			samples[i] = int16(binary.LittleEndian.Uint16(data[1+2*i:]))
		}
		d := NewDetector()
		var open bool
		var lastEnd int64
		check := func(e Event) {
			p := e.Press
			if !IsKey(p.Key) || p.Start < lastEnd || p.Start < 0 {
				t.Fatalf("bad press %+v after end %d", p, lastEnd)
			}
			switch e.Kind {
			case KeyDown:
				if open || p.End != -1 {
					t.Fatalf("bad KeyDown %+v (open %v)", p, open)
				}
				open = true
			case KeyUp:
				if !open || p.End <= p.Start || p.End > int64(len(samples)) {
					t.Fatalf("bad KeyUp %+v (open %v, %d samples)", p, open, len(samples))
				}
				open, lastEnd = false, p.End
			default:
				t.Fatalf("unknown event kind %d", e.Kind)
			}
		}
		for s := samples; len(s) > 0; {
			n := min(frame, len(s))
			d.Process(s[:n], check)
			s = s[n:]
		}
		d.Flush(check)
		if open {
			t.Fatal("Flush left a press open")
		}
	})
}
