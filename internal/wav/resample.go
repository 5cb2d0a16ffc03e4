package wav

import "math"

// The resampler is a band-limited interpolator (J. O. Smith's "bandlimited interpolation"): each
// output sample is the sum of the input samples around its instant weighted by a Kaiser-windowed
// sinc low-pass, read from a finely sampled table. The pass band ends at 45% of the lower of the
// two rates (3.6 kHz when going to 8 kHz, far above the highest DTMF tone at 1633 Hz), and the
// window's β = 8 puts the stop band about 80 dB down, so speech energy above 4 kHz in a 16 or
// 44.1 kHz file does not fold back onto the keypad frequencies.
const (
	resampleZeros    = 16  // zero crossings of the sinc kept on each side
	resampleTableRes = 512 // table points per zero crossing
	resampleBeta     = 8.0 // Kaiser window shape
	resamplePassband = 0.45
)

// Resample converts x sampled at from Hz to to Hz. It returns a copy when the rates are equal.
func Resample(x []int16, from, to int) []int16 {
	if from == to {
		return append([]int16(nil), x...)
	}
	if from <= 0 || to <= 0 || len(x) == 0 {
		return nil
	}
	table := sincTable()
	cutoff := resamplePassband * float64(min(from, to)) // Hz
	step := 2 * cutoff / float64(from)                  // table units per input sample
	gain := step                                        // keeps the DC gain at 1
	half := float64(resampleZeros) / step               // filter half-width in input samples
	n := int(int64(len(x)) * int64(to) / int64(from))
	out := make([]int16, n)
	for i := range out {
		center := float64(int64(i)*int64(from)) / float64(to)
		lo := max(0, int(math.Ceil(center-half)))
		hi := min(len(x)-1, int(math.Floor(center+half)))
		var acc float64
		for k := lo; k <= hi; k++ {
			acc += float64(x[k]) * lookup(table, math.Abs(center-float64(k))*step)
		}
		out[i] = int16(max(-32768, min(32767, math.Round(acc*gain))))
	}
	return out
}

// sincTable returns sinc(u)·kaiser(u/zeros) for u from 0 to zeros in 1/resampleTableRes steps,
// with one extra point so that interpolation at the far end stays in range.
func sincTable() []float64 {
	t := make([]float64, resampleZeros*resampleTableRes+2)
	norm := bessel0(resampleBeta)
	for i := range t {
		u := float64(i) / resampleTableRes
		r := u / resampleZeros
		if r > 1 {
			continue
		}
		s := 1.0
		if u != 0 {
			s = math.Sin(math.Pi*u) / (math.Pi * u)
		}
		t[i] = s * bessel0(resampleBeta*math.Sqrt(1-r*r)) / norm
	}
	return t
}

// lookup interpolates the table linearly at u (in zero-crossing units); beyond the table it is 0.
func lookup(t []float64, u float64) float64 {
	p := u * resampleTableRes
	i := int(p)
	if i >= len(t)-1 {
		return 0
	}
	f := p - float64(i)
	return t[i] + f*(t[i+1]-t[i])
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
