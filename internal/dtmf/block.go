package dtmf

import (
	"math"
	"math/cmplx"
)

// Figures of the detector; docs/dtmf.md explains each.
const (
	onsetBlocks   = 3 // consecutive blocks holding one key before a press is recognized
	releaseBlocks = 3 // consecutive blocks without it before the press ends

	// quietEnergy: a half-block whose mean power is below a sine at -50 dBm0 cannot hold a
	// pair the detector must find; its spectrum is not computed.
	quietEnergy = halfLen * zeroDBm0 * zeroDBm0 / 2 * 1e-5
	// minLowShare: below this share of a half-block's power in its strongest low-group filter,
	// the high group is not computed. Under speech as loud as the tones a half-block full of
	// them can hold as little as a tenth of its power in the low tone's half-block filter.
	minLowShare = 0.1
)

// A press shorter than a block and a half must not be recognized, and a 20 ms tone covers at most
// 3.14 half-blocks: a partial one, two full ones and another partial one, together less than two
// halves' worth of samples (58 of 102 in the two edges). The balance check alone refuses the block
// at either edge only as long as the partial half's share looks like its sample count; with the
// tones' phases falling badly, the two tones' leakage into each other's partial-half filters lifts
// both edges under balance together about once in a thousand 20 ms tones. So the onset run's first
// or last block must be even (both halves full: within tightBalance), which no 20 ms tone can give
// (one edge of 38 samples or more leaves the other 20 or fewer); a run whose edge blocks are both
// uneven (the 20 ms shape, or speech over a real press) is recognized only if the next half-block
// still holds the key at confirmFraction of the run's amplitude, which a 20 ms tone, ended by then,
// never does. That costs one half-block (6.4 ms) of latency on those runs only.
const (
	tightBalance    = 1.5
	confirmFraction = 0.2
)

// limits are the checks one block must pass.
type limits struct {
	minLevel  float64 // dBm0, each tone
	maxLevel  float64 // dBm0, each tone
	minShare  float64 // the pair's power over the block's total power
	dominance float64 // power ratio of a group's peak over every other filter of its group
	// lowDominance is the least dominance of the low group's peak in a block. Speech is loudest
	// in the low group, so under talk-down a neighbouring low filter often holds more than a
	// quarter of the tone's power for a block; a run needs minDominantBlocks of its blocks at
	// dominance, the others at lowDominance or more.
	lowDominance float64
	maxOffset    float64 // |measured frequency / nominal - 1|
	balance      float64 // power ratio between the two halves' outputs, both tones together
	minTwist     float64 // dB, high tone minus low tone
	maxTwist     float64

	// The same bounds as amplitudes and amplitude ratios, so blocks are checked without logarithms.
	minAmp, maxAmp           float64
	minTwistAmp, maxTwistAmp float64
}

// withAmplitudes returns l with its amplitude bounds set from its levels.
func (l limits) withAmplitudes() limits {
	l.minAmp, l.maxAmp = Amplitude(l.minLevel), Amplitude(l.maxLevel)
	l.minTwistAmp, l.maxTwistAmp = math.Pow(10, l.minTwist/20), math.Pow(10, l.maxTwist/20)
	return l
}

func onsetLimits() limits {
	return limits{
		minLevel: -46, maxLevel: 3,
		minShare:     0.25,
		dominance:    4,
		lowDominance: 3,
		maxOffset:    0.03,
		balance:      2.5,
		minTwist:     -9.5, maxTwist: 5.5,
	}.withAmplitudes()
}

// holdLimits are the looser checks that keep a press going (see holds); dominance and frequency
// are not checked once a press is recognized.
func holdLimits() limits {
	return limits{
		minLevel: -49, maxLevel: 3,
		minShare: 0.2,
		balance:  10,
		minTwist: -12, maxTwist: 8,
	}.withAmplitudes()
}

// block is what evaluate found in one analysis block.
type block struct {
	row, col              int
	lowAmp, highAmp       float64 // peak amplitude, PCM16 units
	lowOffset, highOffset float64 // measured frequency / nominal - 1
	lowDominant           bool    // the low group's peak dominates by limits.dominance, not just lowDominance
	even                  bool    // both halves hold the pair within tightBalance of each other
}

// evaluate checks whether the block made of half-blocks a and b holds one DTMF pair.
func (d *Detector) evaluate(a, b *half, lim *limits) (block, bool) {
	if a.kind != halfFull || b.kind != halfFull {
		return block{}, false
	}
	var x [8]complex128
	var p [8]float64
	for i := range 8 {
		x[i] = complex128(a.y[i]) + d.fb.shift[i]*complex128(b.y[i])
		p[i] = real(x[i])*real(x[i]) + imag(x[i])*imag(x[i])
	}
	row, rowRatio := peak(p[:4])
	col, colRatio := peak(p[4:])
	if rowRatio < lim.lowDominance || colRatio < lim.dominance {
		return block{}, false
	}
	pair := d.separate(a, b, row, col)
	if !pair.balanced(lim.balance) {
		return block{}, false
	}
	even := pair.balanced(tightBalance)
	lo, okLo := d.tone(pair.a[0], pair.b[0], row, lim)
	hi, okHi := d.tone(pair.a[1], pair.b[1], 4+col, lim)
	if !okLo || !okHi {
		return block{}, false
	}
	total := float64(a.energy+b.energy) / blockLen
	if lo.power+hi.power < lim.minShare*total {
		return block{}, false
	}
	if twist := hi.amp / lo.amp; twist < lim.minTwistAmp || twist > lim.maxTwistAmp {
		return block{}, false
	}
	bl := block{row: row, col: col, lowAmp: lo.amp, highAmp: hi.amp, lowOffset: lo.offset, highOffset: hi.offset,
		lowDominant: rowRatio >= lim.dominance, even: even}
	return bl, true
}

// holds checks whether the block made of half-blocks a and b still holds the pressed key. Only
// the key's two filters are computed during a press, so this needs no other filter and no
// trigonometry: the pair must be balanced between the halves, loud enough, within the twist
// limits and a large enough share of the block's power.
func (d *Detector) holds(a, b *half, key byte, lim *limits) (block, bool) {
	if (a.kind != halfFull && a.kind != halfKey) || (b.kind != halfFull && b.kind != halfKey) {
		return block{}, false
	}
	row, col, _ := keyPosition(key)
	pair := d.separate(a, b, row, col)
	if !pair.balanced(lim.balance) {
		return block{}, false
	}
	lo := 2 * cmplx.Abs(pair.a[0]+pair.b[0]) / blockLen
	hi := 2 * cmplx.Abs(pair.a[1]+pair.b[1]) / blockLen
	if min(lo, hi) < lim.minAmp || max(lo, hi) > lim.maxAmp {
		return block{}, false
	}
	if twist := hi / lo; twist < lim.minTwistAmp || twist > lim.maxTwistAmp {
		return block{}, false
	}
	total := float64(a.energy+b.energy) / blockLen
	if (lo*lo+hi*hi)/2 < lim.minShare*total {
		return block{}, false
	}
	return block{row: row, col: col, lowAmp: lo, highAmp: hi}, true
}

// peak returns the index of the largest of p and its ratio to the largest of the others.
func peak(p []float64) (int, float64) {
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	var next float64
	for i := range p {
		if i != best {
			next = max(next, p[i])
		}
	}
	if next == 0 {
		return best, math.Inf(1)
	}
	return best, p[best] / next
}

// toneMeasure is one tone measured over a block.
type toneMeasure struct {
	offset float64 // measured frequency / nominal - 1
	amp    float64 // peak amplitude, PCM16 units
	power  float64 // mean power, PCM16 units squared
}

// pairOutputs are the low and high filters' outputs of both half-blocks of a block, each without
// the other tone's leakage, the second half's moved to the block's time base.
type pairOutputs struct {
	a, b [2]complex128
}

// separate returns the outputs of filters row and 4+col in half-blocks a and b, each less the
// leakage of the other filter's tone. Uncorrected, a strong low tone moves the weak high tone's
// output of one half-block by up to a third, and its measured frequency by about 1%.
func (d *Detector) separate(a, b *half, row, col int) pairOutputs {
	leak := d.fb.leak[row][col]
	clean := func(h *half) [2]complex128 {
		lo, hi := complex128(h.y[row]), complex128(h.y[4+col])
		return [2]complex128{lo - leak[0]*hi, hi - leak[1]*lo}
	}
	p := pairOutputs{a: clean(a), b: clean(b)}
	p.b[0] *= d.fb.shift[row]
	p.b[1] *= d.fb.shift[4+col]
	return p
}

// balanced reports whether the pair's power in the two half-blocks is within a ratio of balance:
// a block that holds the tones in one half only is the edge of a press, or a press too short to
// count.
func (p pairOutputs) balanced(balance float64) bool {
	pa := sqAbs(p.a[0]) + sqAbs(p.a[1])
	pb := sqAbs(p.b[0]) + sqAbs(p.b[1])
	return pa*balance >= pb && pb*balance >= pa
}

func sqAbs(c complex128) float64 { return real(c)*real(c) + imag(c)*imag(c) }

// tone measures filter k's tone over the block from its outputs in the two half-blocks: its
// frequency from the phase advance between them, which must be near nominal; its level,
// corrected for the filter's loss at the measured frequency.
func (d *Detector) tone(ya, yb complex128, k int, lim *limits) (toneMeasure, bool) {
	x := ya + yb
	delta := cmplx.Phase(yb*cmplx.Conj(ya)) / halfLen // radians per sample off nominal
	offset := delta / d.fb.omega[k]
	if math.Abs(offset) > lim.maxOffset {
		return toneMeasure{}, false
	}
	amp := 2 * cmplx.Abs(x) / blockLen / windowGain(delta)
	if amp < lim.minAmp || amp > lim.maxAmp {
		return toneMeasure{}, false
	}
	return toneMeasure{offset: offset, amp: amp, power: amp * amp / 2}, true
}

// windowGain is the gain of a blockLen-sample rectangular window for a tone delta radians per
// sample off the filter's frequency.
func windowGain(delta float64) float64 {
	if math.Abs(delta) < 1e-9 {
		return 1
	}
	return math.Abs(math.Sin(delta*blockLen/2) / (blockLen * math.Sin(delta/2)))
}
