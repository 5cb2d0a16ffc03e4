package wav

import "math"

// The resampler is a polyphase windowed-sinc interpolator: each output sample is the sum of the
// input samples around its instant weighted by a Kaiser-windowed sinc low-pass. The pass band ends
// at 45% of the lower of the two rates (3.6 kHz when going to 8 kHz, far above the highest DTMF
// tone at 1633 Hz), and the window's β = 8 puts the stop band about 80 dB down, so speech energy
// above 4 kHz in a 16 or 44.1 kHz file does not fold back onto the keypad frequencies.
//
// The weights depend only on where an output instant falls between two input samples. For rates
// whose ratio is a small fraction (16000, 22050, 44100, 48000 Hz to 8000 Hz) there are few such
// positions (1 to 160) and every one is computed exactly; otherwise the positions are rounded to
// maxPhases steps per input sample, a timing error below 1/512 of an input sample.
const (
	resampleZeros    = 16  // zero crossings of the sinc kept on each side
	resampleBeta     = 8.0 // Kaiser window shape
	resamplePassband = 0.45
	maxPhases        = 256
)

// Resample converts x sampled at from Hz to to Hz. It returns a copy when the rates are equal.
func Resample(x []int16, from, to int) []int16 {
	if from == to {
		return append([]int16(nil), x...)
	}
	if from <= 0 || to <= 0 || len(x) == 0 {
		return nil
	}
	b := newPolyphase(from, to)
	n := int(int64(len(x)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		pos := int64(i) * int64(b.m)
		k0 := int(pos / int64(b.l))
		p := int(pos % int64(b.l))
		// Round the position to one of the phases computed.
		q := int((int64(p)*int64(b.phases) + int64(b.l)/2) / int64(b.l))
		if q == b.phases {
			k0, q = k0+1, 0
		}
		out[i] = b.dot(x, k0-b.k, q)
	}
	return out
}

// polyphase holds the filter weights of one rate conversion.
type polyphase struct {
	l, m   int       // output instant i falls at input position i*m/l
	phases int       // positions between two input samples with their own weights
	k      int       // taps on each side of the output instant
	taps   int       // 2k+2 taps per phase
	w      []float64 // phases × taps weights
}

func newPolyphase(from, to int) *polyphase {
	g := gcd(from, to)
	b := &polyphase{l: to / g, m: from / g}
	b.phases = min(b.l, maxPhases)
	cutoff := resamplePassband * float64(min(from, to)) // Hz
	step := 2 * cutoff / float64(from)                  // sinc argument per input sample
	b.k = int(math.Ceil(resampleZeros / step))
	b.taps = 2*b.k + 2
	b.w = make([]float64, b.phases*b.taps)
	for q := 0; q < b.phases; q++ {
		frac := float64(q) / float64(b.phases)
		for j := 0; j < b.taps; j++ {
			// Tap j is input sample k0-k+j; the output instant is at k0+frac.
			b.w[q*b.taps+j] = step * kaiserSinc((frac+float64(b.k-j))*step)
		}
	}
	return b
}

// dot weighs the taps starting at input sample first with phase q's weights, treating samples
// outside x as silence, and rounds the sum to a saturated PCM16 value.
func (b *polyphase) dot(x []int16, first, q int) int16 {
	w := b.w[q*b.taps : (q+1)*b.taps]
	var acc float64
	if first >= 0 && first+b.taps <= len(x) {
		acc = dotInterior(x[first:first+b.taps], w)
	} else {
		for j := range w {
			if k := first + j; k >= 0 && k < len(x) {
				acc += float64(x[k]) * w[j]
			}
		}
	}
	return int16(max(-32768, min(32767, math.Round(acc))))
}

// dotInterior is the weighted sum of len(w) samples (taps is even), with two accumulators so
// that consecutive multiply-adds do not wait on each other.
func dotInterior(x []int16, w []float64) float64 {
	x = x[:len(w)]
	var a0, a1 float64
	for j := 0; j+1 < len(w); j += 2 {
		a0 += float64(x[j]) * w[j]
		a1 += float64(x[j+1]) * w[j+1]
	}
	return a0 + a1
}

// kaiserSinc is sinc(u)·kaiser(u/zeros), zero beyond zeros crossings.
func kaiserSinc(u float64) float64 {
	u = math.Abs(u)
	r := u / resampleZeros
	if r >= 1 {
		return 0
	}
	s := 1.0
	if u != 0 {
		s = math.Sin(math.Pi*u) / (math.Pi * u)
	}
	return s * bessel0(resampleBeta*math.Sqrt(1-r*r)) / bessel0(resampleBeta)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// bessel0 is the zeroth-order modified Bessel function of the first kind, by its power series.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}
