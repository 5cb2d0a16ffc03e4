package demo

import (
	"math"

	"github.com/hushpay/hushpay/internal/dtmf"
)

// frameSamples is one 20 ms frame of 8 kHz audio, the packet time both phones use.
const frameSamples = 160

// voice is a phase-continuous stand-in for speech: a tone that alternates between two pitches
// every 200 ms. Neither pitch, nor any pair of them, is a DTMF tone, so a decoder must find no
// digit in it.
type voice struct {
	pitches [2]float64 // Hz
	amp     float64
	phase   float64 // radians
	n       int     // samples produced
}

// newVoice returns a voice alternating between the pitches at -16 dBm0.
func newVoice(low, high float64) *voice {
	return &voice{pitches: [2]float64{low, high}, amp: dtmf.Amplitude(-16)}
}

// fill writes the next len(dst) samples.
func (v *voice) fill(dst []int16) {
	const switchEvery = dtmf.SampleRate / 5 // 200 ms
	for i := range dst {
		f := v.pitches[(v.n/switchEvery)%2]
		v.phase += 2 * math.Pi * f / dtmf.SampleRate
		if v.phase > 2*math.Pi {
			v.phase -= 2 * math.Pi
		}
		dst[i] = int16(v.amp * math.Sin(v.phase))
		v.n++
	}
}

// maskTonePresses counts the bursts of hushpay's 500 Hz mask tone in audio: runs of 10 ms blocks
// whose power is mostly at 500 Hz and above a floor. It is how the demo tells how many key presses
// the agent heard as the neutral tone.
func maskTonePresses(audio []int16) int {
	const block = 80 // 10 ms: a 100 Hz wide bin, so the voice's 440 Hz leaks under the threshold
	presses, inTone := 0, false
	for off := 0; off+block <= len(audio); off += block {
		tone := isMaskTone(audio[off : off+block])
		if tone && !inTone {
			presses++
		}
		inTone = tone
	}
	return presses
}

// isMaskTone reports whether most of a block's power is at 500 Hz (Goertzel) and the block is not
// near-silent.
func isMaskTone(b []int16) bool {
	const (
		freq     = 500.0
		minRatio = 0.7
	)
	var total float64
	for _, s := range b {
		total += float64(s) * float64(s)
	}
	floor := dtmf.Amplitude(-40)
	if total < floor*floor/2*float64(len(b)) {
		return false
	}
	coeff := 2 * math.Cos(2*math.Pi*freq/dtmf.SampleRate)
	var s1, s2 float64
	for _, s := range b {
		s0 := float64(s) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2 // |X(500 Hz)|²
	// A pure sine of amplitude A over N samples gives |X|² = (A·N/2)² and Σs² = A²·N/2.
	return power/(total*float64(len(b))/2) >= minRatio
}

// detectDigits runs hushpay's own DTMF detector over audio and returns how many presses it found.
func detectDigits(audio []int16) int {
	d := dtmf.NewDetector()
	n := 0
	count := func(e dtmf.Event) {
		if e.Kind == dtmf.KeyDown {
			n++
		}
	}
	for off := 0; off < len(audio); off += frameSamples {
		d.Process(audio[off:min(off+frameSamples, len(audio))], count)
	}
	d.Flush(count)
	return n
}
