package redact

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/wav"
)

// recording is a test call: noise standing in for speech, with keyed digits at known places.
type recording struct {
	samples []int16
	presses []Range // where each key sounds, in 8 kHz samples
}

// makeRecording puts digits (70 ms tones with 70 ms gaps, -12 dBm0) after 1.1 s of noise at
// -30 dBm0 and follows them with another second of noise.
func makeRecording(t *testing.T, digits string, seed uint64) recording {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	noise := func(n int) []int16 {
		out := make([]int16, n)
		a := dtmf.Amplitude(-30)
		for i := range out {
			out[i] = int16(a * rng.NormFloat64())
		}
		return out
	}
	o := dtmf.DefaultGenOptions()
	o.On, o.Off, o.Level = 70*time.Millisecond, 70*time.Millisecond, -12
	var rec recording
	rec.samples = noise(8800)
	bg := noise(len(digits) * 1120)
	for i := 0; i < len(digits); i++ {
		start := int64(len(rec.samples))
		tone := dtmf.AppendKey(nil, digits[i], 560, o)
		for k := range tone {
			tone[k] += bg[i*1120+k]
		}
		rec.samples = append(append(rec.samples, tone...), bg[i*1120+560:(i+1)*1120]...)
		rec.presses = append(rec.presses, Range{start, start + 560})
	}
	rec.samples = append(rec.samples, noise(8000)...)
	return rec
}

func readBack(t *testing.T, enc wav.Encoding, samples []int16) *wav.Audio {
	t.Helper()
	var buf bytes.Buffer
	if err := wav.Write(&buf, enc, samples); err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRedactRecording(t *testing.T) {
	const digits = "4242424242424242"
	for _, enc := range []wav.Encoding{wav.PCM16, wav.PCMU, wav.PCMA} {
		for _, mask := range []Mask{MaskTone, MaskSilence} {
			t.Run(enc.String()+" with "+mask.String(), func(t *testing.T) {
				rec := makeRecording(t, digits, uint64(enc))
				a := readBack(t, enc, rec.samples)
				if got := len(FindPresses(a.Samples)); got != len(digits) {
					t.Fatalf("the input holds %d presses, want %d (the test would prove nothing)", got, len(digits))
				}
				res, err := RecordingRedactor{Mask: mask}.Redact(a)
				if err != nil {
					t.Fatal(err)
				}
				if res.Presses != len(digits) {
					t.Errorf("removed %d presses, want %d", res.Presses, len(digits))
				}
				out := wav.DecodeSamples(enc, a.Rate, res.Data)
				if left := FindPresses(out); len(left) != 0 {
					t.Errorf("%d presses still detected in the output", len(left))
				}
				checkOutsideUnchanged(t, a.Data, res.Data, res.Ranges, enc.BytesPerSample())
				checkPressesCovered(t, rec.presses, res.Ranges)
				checkNoDTMFEnergy(t, out, res.Ranges)
				if mask == MaskSilence {
					silent := wav.DecodeSamples(enc, 8000, wav.Encode(enc, []int16{0}))[0] // A-law has no exact 0
					for _, r := range res.Ranges {
						for _, s := range out[r.Start:r.End] {
							if s != silent {
								t.Fatalf("silence mask holds sample %d", s)
							}
						}
					}
				}
			})
		}
	}
}

func checkOutsideUnchanged(t *testing.T, in, out []byte, rs []Range, bps int) {
	t.Helper()
	if len(in) != len(out) {
		t.Fatalf("output has %d bytes of samples, input %d", len(out), len(in))
	}
	prev := 0
	changed := 0
	for _, r := range append(rs, Range{Start: int64(len(in) / bps)}) {
		end := int(r.Start) * bps
		if !bytes.Equal(in[prev:end], out[prev:end]) {
			t.Fatalf("bytes %d to %d outside the masked ranges changed", prev, end)
		}
		changed += int(r.End-r.Start) * bps
		prev = int(r.End) * bps
	}
	if total := len(in); changed > total/2 {
		t.Fatalf("masked %d of %d bytes: far more than the presses", changed, total)
	}
}

func checkPressesCovered(t *testing.T, presses, rs []Range) {
	t.Helper()
	for _, p := range presses {
		covered := false
		for _, r := range rs {
			if r.Start <= p.Start && p.End <= r.End {
				covered = true
			}
		}
		if !covered {
			t.Errorf("press at samples %d-%d is not inside a masked range %v", p.Start, p.End, rs)
		}
	}
}

// checkNoDTMFEnergy measures each DTMF frequency in every 10 ms window (Hann-windowed, hop 5 ms)
// inside the masked ranges and fails if a low and a high tone are both above -45 dBm0.
func checkNoDTMFEnergy(t *testing.T, x []int16, rs []Range) {
	t.Helper()
	low := []float64{697, 770, 852, 941}
	high := []float64{1209, 1336, 1477, 1633}
	const win = 80
	for _, r := range rs {
		for s := r.Start; s+win <= r.End; s += win / 2 {
			frame := x[s : s+win]
			if maxLevel(frame, low) > -45 && maxLevel(frame, high) > -45 {
				t.Fatalf("DTMF pair energy above -45 dBm0 at sample %d", s)
			}
		}
	}
}

// maxLevel returns the strongest of freqs in frame, in dBm0 for a sine.
func maxLevel(frame []int16, freqs []float64) float64 {
	best := math.Inf(-1)
	n := float64(len(frame))
	for _, f := range freqs {
		var re, im, wsum float64
		for i, v := range frame {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/n)
			ph := 2 * math.Pi * f * float64(i) / dtmf.SampleRate
			re += w * float64(v) * math.Cos(ph)
			im += w * float64(v) * math.Sin(ph)
			wsum += w
		}
		amp := 2 * math.Hypot(re, im) / wsum
		best = max(best, 20*math.Log10(amp/dtmf.Amplitude(0)+1e-12))
	}
	return best
}

func TestRedactWithoutPressesChangesNothing(t *testing.T) {
	rec := makeRecording(t, "", 7)
	a := readBack(t, wav.PCMU, rec.samples)
	res, err := RecordingRedactor{}.Redact(a)
	if err != nil {
		t.Fatal(err)
	}
	if res.Presses != 0 || len(res.Ranges) != 0 || !bytes.Equal(res.Data, a.Data) {
		t.Fatalf("removed %d presses in %d ranges from a recording without any", res.Presses, len(res.Ranges))
	}
}

func TestRedactResampledRecording(t *testing.T) {
	rec := makeRecording(t, "5555555555554444", 3)
	pcm16k := wav.Resample(rec.samples, 8000, 16000)
	var buf bytes.Buffer
	data := wav.Encode(wav.PCM16, pcm16k)
	if err := wav.WriteData(&buf, wav.PCM16, 16000, data); err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res, err := RecordingRedactor{}.Redact(a)
	if err != nil {
		t.Fatal(err)
	}
	if res.Presses != 16 {
		t.Errorf("removed %d presses, want 16", res.Presses)
	}
	if left := FindPresses(wav.DecodeSamples(wav.PCM16, 16000, res.Data)); len(left) != 0 {
		t.Errorf("%d presses still detected", len(left))
	}
	checkOutsideUnchanged(t, a.Data, res.Data, res.Ranges, 2)
}

func TestMerge(t *testing.T) {
	got := merge([]Range{{50, 60}, {0, 10}, {10, 20}, {55, 70}, {30, 30}})
	want := []Range{{0, 20}, {50, 70}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("merge = %v, want %v", got, want)
	}
}

func TestParseMask(t *testing.T) {
	for in, want := range map[string]Mask{"tone": MaskTone, "silence": MaskSilence} {
		if got, err := ParseMask(in); err != nil || got != want {
			t.Errorf("ParseMask(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseMask("beep"); err == nil {
		t.Error("beep accepted")
	}
}
