package dtmf

import (
	"errors"
	"math"
	"math/cmplx"
	"testing"
	"time"
)

// powerAt returns the amplitude of the sine at hz in s (a DFT over all of s).
func amplitudeAt(s []int16, hz float64) float64 {
	var sum complex128
	for i, v := range s {
		sum += complex(float64(v), 0) * cmplx.Exp(complex(0, -2*math.Pi*hz*float64(i)/SampleRate))
	}
	return 2 * cmplx.Abs(sum) / float64(len(s))
}

func dBm0(amplitude float64) float64 { return 20 * math.Log10(amplitude/Amplitude(0)) }

func TestGenerateLaysOutOnAndOff(t *testing.T) {
	o := GenOptions{On: 50 * time.Millisecond, Off: 30 * time.Millisecond, Level: -10}
	s, err := Generate("1a#", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 3*80*ms {
		t.Fatalf("len = %d, want %d", len(s), 3*80*ms)
	}
	for i := range 3 {
		gap := s[i*80*ms+50*ms : (i+1)*80*ms]
		for _, v := range gap {
			if v != 0 {
				t.Fatalf("key %d: pause not silent", i)
			}
		}
	}
	if got := keysOf(detectAll(s)); got != "1A#" {
		t.Errorf("detected %q, want 1A#", got)
	}
}

func TestGenerateRejectsNonKeys(t *testing.T) {
	for _, digits := range []string{"12x4", "5 5", "E", "\x00"} {
		if _, err := Generate(digits, DefaultGenOptions()); !errors.Is(err, ErrNotKey) {
			t.Errorf("Generate(%q) error %v, want ErrNotKey", digits, err)
		}
	}
}

func TestAppendKeyLevelTwistAndOffset(t *testing.T) {
	tests := []struct {
		name string
		key  byte
		o    GenOptions
	}{
		{"5 at -10 dBm0", '5', GenOptions{Level: -10}},
		{"D at -3 dBm0, twist +4", 'D', GenOptions{Level: -3, Twist: 4}},
		{"1 at -36 dBm0, twist -8", '1', GenOptions{Level: -36, Twist: -8}},
		{"# at -20 dBm0, 1.5% high", '#', GenOptions{Level: -20, FreqOffset: 0.015}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := AppendKey(nil, tt.key, SampleRate, tt.o)
			low, high, _ := Frequencies(tt.key)
			low *= 1 + tt.o.FreqOffset
			high *= 1 + tt.o.FreqOffset
			if got, want := dBm0(amplitudeAt(s, low)), tt.o.Level-tt.o.Twist/2; math.Abs(got-want) > 0.1 {
				t.Errorf("low tone at %.2f dBm0, want %.2f", got, want)
			}
			if got, want := dBm0(amplitudeAt(s, high)), tt.o.Level+tt.o.Twist/2; math.Abs(got-want) > 0.1 {
				t.Errorf("high tone at %.2f dBm0, want %.2f", got, want)
			}
		})
	}
}

func TestDefaultGenOptions(t *testing.T) {
	o := DefaultGenOptions()
	if o.On != 80*time.Millisecond || o.Off != 80*time.Millisecond || o.Level != -10 || o.Twist != 0 || o.FreqOffset != 0 {
		t.Errorf("DefaultGenOptions() = %+v", o)
	}
}

func TestZeroDBm0Is3Point14dBBelowFullScale(t *testing.T) {
	if got := 20 * math.Log10(Amplitude(0)/32767); math.Abs(got+3.14) > 1e-9 {
		t.Errorf("0 dBm0 is %.3f dB from full scale", got)
	}
}

func TestMaskToneIsA500HzSineAtMinus20dBm0(t *testing.T) {
	g := NewMaskTone()
	s := make([]int16, SampleRate)
	// Odd frame sizes: the tone must run on across calls without a jump in phase.
	for i := 0; i < len(s); {
		n := min(len(s)-i, 1+i%37)
		g.Fill(s[i : i+n])
		i += n
	}
	if got := dBm0(amplitudeAt(s, 500)); math.Abs(got+20) > 0.05 {
		t.Errorf("500 Hz at %.2f dBm0, want -20", got)
	}
	var total float64
	for _, v := range s {
		total += float64(v) * float64(v)
	}
	rms500 := amplitudeAt(s, 500) / math.Sqrt2
	if residue := total/float64(len(s)) - rms500*rms500; residue > 1 {
		t.Errorf("power beside the 500 Hz sine: %.1f", residue)
	}
	for _, key := range []byte(allKeys) {
		low, high, _ := Frequencies(key)
		if amplitudeAt(s, low) > 1 || amplitudeAt(s, high) > 1 {
			t.Errorf("mask tone has energy at key %c's frequencies", key)
		}
	}
	if got := keysOf(detectAll(s)); got != "" {
		t.Errorf("mask tone detected as %q", got)
	}
}
