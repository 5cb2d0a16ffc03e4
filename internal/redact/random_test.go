package redact

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/wav"
)

// TestRedactRandomPresses redacts recordings of presses drawn at random within the limits the
// detector accepts (key, both tones' phases, 40-100 ms, level −6..−36 dBm0, twist −8..+4 dB, each
// tone within ±1.5%, random gaps), through PCM16, PCMU and PCMA: every press is removed and
// covered, no DTMF pair energy is left in the masked ranges and the detector finds nothing after.
// The other tests' presses come from the generator, whose tones all start at phase 0.
func TestRedactRandomPresses(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for trial := range 30 {
		var samples []int16
		var presses []Range
		keys := "0123456789*#ABCD"
		samples = make([]int16, 4000)
		for range 16 {
			k := keys[r.IntN(16)]
			lo, hi, _ := dtmf.Frequencies(k)
			lv, tw := -6-30*r.Float64(), -8+12*r.Float64()
			fl, fh := lo*(1+0.03*(r.Float64()-0.5)), hi*(1+0.03*(r.Float64()-0.5))
			pl, ph := 2*math.Pi*r.Float64(), 2*math.Pi*r.Float64()
			n := 320 + r.IntN(480)
			start := int64(len(samples))
			for i := range n {
				tt := float64(i) / 8000
				samples = append(samples, int16(dtmf.Amplitude(lv-tw/2)*math.Sin(2*math.Pi*fl*tt+pl)+dtmf.Amplitude(lv+tw/2)*math.Sin(2*math.Pi*fh*tt+ph)))
			}
			presses = append(presses, Range{start, start + int64(n)})
			samples = append(samples, make([]int16, 400+r.IntN(800))...)
		}
		for _, enc := range []wav.Encoding{wav.PCM16, wav.PCMU, wav.PCMA} {
			a := readBack(t, enc, samples)
			res, err := RecordingRedactor{Mask: MaskTone}.Redact(a)
			if err != nil {
				t.Fatal(err)
			}
			out := wav.DecodeSamples(enc, a.Rate, res.Data)
			if left := FindPresses(out); len(left) != 0 {
				t.Errorf("trial %d %s: %d presses left", trial, enc, len(left))
			}
			if res.Presses != 16 {
				t.Errorf("trial %d %s: removed %d presses, want 16", trial, enc, res.Presses)
			}
			checkPressesCovered(t, presses, res.Ranges)
			checkNoDTMFEnergy(t, out, res.Ranges)
		}
	}
}
