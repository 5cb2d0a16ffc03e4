package dtmf

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// GenOptions shapes the tones Generate and AppendKey produce.
type GenOptions struct {
	// On is how long each key sounds; Off is the silence after it.
	On, Off time.Duration
	// Level is the level of the pair in dBm0 per tone: the mean of the two tones' levels.
	Level float64
	// Twist is the high-group tone's level minus the low-group tone's, in dB: the high tone is at
	// Level+Twist/2 and the low tone at Level-Twist/2.
	Twist float64
	// FreqOffset shifts both tones by this fraction of their nominal frequency (0.015 is +1.5%).
	FreqOffset float64
}

// DefaultGenOptions returns 80 ms tones with 80 ms pauses at -10 dBm0 per tone and no twist.
func DefaultGenOptions() GenOptions {
	return GenOptions{On: 80 * time.Millisecond, Off: 80 * time.Millisecond, Level: -10}
}

// ErrNotKey is returned for a symbol that is not a DTMF key.
var ErrNotKey = errors.New("dtmf: not a keypad symbol")

// Generate returns the tones of digits: each key for o.On followed by o.Off of silence. It returns
// an error wrapping ErrNotKey, naming the position but not the symbol, if digits holds anything but
// '0'-'9', '*', '#', 'A'-'D' (lower-case 'a'-'d' are accepted as the same keys).
func Generate(digits string, o GenOptions) ([]int16, error) {
	on, off := samplesOf(o.On), samplesOf(o.Off)
	for i := range len(digits) {
		if !IsKey(upper(digits[i])) {
			return nil, fmt.Errorf("generate: symbol %d: %w", i+1, ErrNotKey)
		}
	}
	out := make([]int16, 0, len(digits)*(on+off))
	for i := range len(digits) {
		out = AppendKey(out, upper(digits[i]), on, o)
		out = append(out, make([]int16, off)...)
	}
	return out, nil
}

// AppendKey appends n samples of key's dual tone, shaped by o's Level, Twist and FreqOffset, to dst
// and returns the extended slice. A symbol that is not a key appends n samples of silence; n <= 0
// appends nothing.
func AppendKey(dst []int16, key byte, n int, o GenOptions) []int16 {
	n = max(n, 0)
	low, high, ok := Frequencies(upper(key))
	if !ok {
		return append(dst, make([]int16, n)...)
	}
	aLow := Amplitude(o.Level - o.Twist/2)
	aHigh := Amplitude(o.Level + o.Twist/2)
	wLow := 2 * math.Pi * low * (1 + o.FreqOffset) / SampleRate
	wHigh := 2 * math.Pi * high * (1 + o.FreqOffset) / SampleRate
	for i := range n {
		v := aLow*math.Sin(wLow*float64(i)) + aHigh*math.Sin(wHigh*float64(i))
		dst = append(dst, clamp16(v))
	}
	return dst
}

// samplesOf returns the number of samples in d at SampleRate.
func samplesOf(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(d * SampleRate / time.Second)
}

// clamp16 rounds v to the nearest PCM16 value, saturating at the limits.
func clamp16(v float64) int16 {
	return int16(max(-32768, min(32767, math.Round(v))))
}

func upper(b byte) byte {
	if b >= 'a' && b <= 'd' {
		return b - 'a' + 'A'
	}
	return b
}

// maskPeriod is the period of the 500 Hz mask tone at 8000 Hz, in samples.
const maskPeriod = SampleRate / 500

// ToneGen produces the neutral mask tone: a single 500 Hz sine at -20 dBm0, never a DTMF pair. It
// is phase-continuous across calls to Fill, so the tone has no clicks at frame boundaries.
type ToneGen struct {
	period [maskPeriod]int16
	phase  int
}

// NewMaskTone returns a generator of the 500 Hz, -20 dBm0 mask tone starting at phase zero.
func NewMaskTone() *ToneGen {
	g := &ToneGen{}
	a := Amplitude(-20)
	for i := range g.period {
		g.period[i] = clamp16(a * math.Sin(2*math.Pi*float64(i)/maskPeriod))
	}
	return g
}

// Fill writes the next len(dst) samples of the tone into dst.
func (g *ToneGen) Fill(dst []int16) {
	for i := range dst {
		dst[i] = g.period[g.phase]
		g.phase = (g.phase + 1) % maskPeriod
	}
}
