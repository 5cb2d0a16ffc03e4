package dtmf

import (
	"math"
)

// Before a press is recognized, the run of blocks that found it gets two more checks that need
// more than one block: its tones must hold their frequency, and the signal must hold nothing
// but the two tones where a voice or an instrument that happens to sound them would have more.

const (
	// maxRunOffset bounds each tone's frequency offset averaged over the onset run. One block
	// measures it from a phase advance over halfLen samples; the run's mean measures it over
	// onsetBlocks times as long, so noise moves it far less. A keypad may be 1.5% off; music
	// tuned to A440 puts G5 (784.0 Hz) 1.8% above 770, so a dyad of G5 with E6, F#6 or G#6 (a
	// major sixth G5+E6 is a '5') was reported as a key at 2.1%; at 1.65% none is. A sweep of
	// exact ±1.5% offsets (levels, twists, 12-15 dB noise, codecs; 27,648 keys) lost 1 key more
	// than at 2.1%. G#6 (1661.2 Hz, 1.7% above 1633) sits too close to the bound to count on.
	maxRunOffset = 0.0165
	// maxRunOffsetSum bounds the two offsets' magnitudes added: each tone may be 1.5% off, so
	// both together 3%; two sounds sliding past a key's pair, one above and one below its
	// frequencies, are further off in sum.
	maxRunOffsetSum = 0.034
	// maxRunSpread bounds how far apart the run's blocks measure a tone's frequency. A keypad's
	// tone holds its frequency; the harmonics of a voice glide with its pitch.
	maxRunSpread = 0.012
	// A run may exceed maxRunSpread on one tone, up to maxNoisySpread, when the other tone holds
	// its frequency within maxSteadySpread. Two harmonics of one voice glide together, by the
	// same fraction of their frequency, so a voice cannot hold one still and move the other;
	// a keypad's tone under loud speech can look unsteady when speech fills its filter.
	maxSteadySpread = 0.004
	maxNoisySpread  = 0.03
	// Under speech as loud as the pair the low tone's filter (speech is loudest in the low group)
	// can hold so much speech that its measured frequency spreads by up to 5% while the high
	// tone's stays within 1%. A run may show that when the low tone also spreads at least
	// unevenSpreadRatio times as far as the high one: two harmonics of one voice spread by the
	// same fraction. The corpora's voices that get this far stay below a ratio of 2 (at 2
	// pitch-shifted speech with reverb gave a false key, at 2.5 none); their steadier tone holds
	// no better than 0.73% (a 2% bound still gave no false key). Only the low tone may be the
	// noisy one: a voice whose high harmonic jumped by 3.7% (two harmonics beating in one
	// filter) while its low one held within 0.7% was reported as a C (fifth corpus).
	maxSteadierSpread = 0.01
	maxNoisierSpread  = 0.05
	unevenSpreadRatio = 5
	// maxSteadyOffset: the high tone of an uneven run must also be within a keypad's ±1.5%
	// (its measurement is good: it holds still). A low voice (f0 ~85 Hz) has several harmonics in
	// one filter, whose measured frequency then jumps like a tone under speech: en+Mario at pitch
	// 17 glided its low harmonic 3% while the high one held at -1.9%, and was reported as a 7.
	maxSteadyOffset = 0.015
	// maxProductShare bounds the power at the pair's third-order products, 2·low-high and
	// 2·high-low, against the weaker tone. Two keypad oscillators put nothing there; two
	// harmonics of one voice (n·f0 and m·f0) put other harmonics of that voice there.
	maxProductShare = 0.1
	// maxBetweenShare bounds the power at the harmonics a voice would have between the pair
	// (see pure), against the weaker tone. The voices of the corpora that sound a pair this way
	// have 0.65 or more there (0.6 still refuses them all); a keyed pair under speech seldom has
	// a peak centred there: 0.2 found the same keys under talk-down as 0.6 but one.
	maxBetweenShare = 0.2
	// minDominantBlocks of the run's onsetBlocks blocks must have the low group's peak dominate
	// by the full limits.dominance; the others need only limits.lowDominance. Speech as loud as
	// the pair now and then fills a neighbouring low filter for one block; a voice's harmonic or
	// a chord's note next to a keyed tone does it in every block.
	minDominantBlocks = 2
	// minProductHz: a product closer to 0 Hz than this cannot be told from low-frequency noise.
	minProductHz = 150
	// maxProductOffsetHz: a probe's power counts against the pair only if it peaks within this
	// of the probe's frequency. The voices of the speech corpora put their product harmonic
	// within 6-7 Hz of it (at 6 Hz one gave a false key, at 7 none); 10 Hz is kept.
	maxProductOffsetHz = 10
	// productProbeHz is how far either side of a product its peak is probed, half the run's
	// frequency resolution.
	productProbeHz = 20
	// maxHarmonicShare bounds the power of the pair's own harmonics (2·low, 3·low, 2·high), each
	// counted when it is a centred peak above minHarmonicShare of the weaker tone, summed against
	// the weaker tone. A keypad's sines have none; an instrument's notes do. On two sets of 440
	// chords of real instruments (instruments_test.go) the detector without it gave 16 and 7
	// false keys, with it 3 and 1 (multimon-ng: 3-4 and 3); the speech and talk-down corpora lose
	// no key at 0.05 and start losing them at 0.03, so 0.07 is kept.
	maxHarmonicShare = 0.07
	minHarmonicShare = 0.02
	// runLen is the onset run's length in samples: the four half-blocks of three blocks.
	runLen = onsetBlocks*halfLen + halfLen
)

// dominant reports whether at least minDominantBlocks of the run's last blocks had a low peak
// that dominated by the full dominance.
func (d *Detector) dominant() bool {
	n := 0
	for _, ok := range d.runDom {
		if ok {
			n++
		}
	}
	return n >= minDominantBlocks
}

// steady reports whether the frequency offsets of the run's last blocks average within
// maxRunOffset and hold still: both tones within maxRunSpread, or one within maxSteadySpread and
// the other within maxNoisySpread, or an uneven spread: the low tone within maxNoisierSpread and
// unevenSpreadRatio times the high tone's, which is within maxSteadierSpread and whose mean offset
// is within maxSteadyOffset.
func (d *Detector) steady() bool {
	lo, hi := d.drift()
	if math.Abs(lo) > maxRunOffset || math.Abs(hi) > maxRunOffset || math.Abs(lo)+math.Abs(hi) > maxRunOffsetSum {
		return false
	}
	low, high := d.spread(0), d.spread(1)
	steadier, other := min(low, high), max(low, high)
	if other <= maxRunSpread || (steadier <= maxSteadySpread && other <= maxNoisySpread) {
		return true
	}
	// The uneven spread: the low tone noisy, the high one steady and within a keypad's tolerance.
	return high <= maxSteadierSpread && low <= maxNoisierSpread && low >= unevenSpreadRatio*high &&
		math.Abs(hi) <= maxSteadyOffset
}

// spread returns how far apart the run's last blocks measure tone 0 (low) or 1 (high), as a
// fraction of its nominal frequency.
func (d *Detector) spread(tone int) float64 {
	least, most := d.runDrift[0][tone], d.runDrift[0][tone]
	for _, o := range d.runDrift[1:] {
		least, most = min(least, o[tone]), max(most, o[tone])
	}
	return most - least
}

// drift returns the mean frequency offsets of the run's last blocks.
func (d *Detector) drift() (low, high float64) {
	for _, o := range d.runDrift {
		low += o[0]
		high += o[1]
	}
	return low / onsetBlocks, high / onsetBlocks
}

// pure reports whether the onset run holds nothing where a voice that sounds the pair as two
// of its harmonics, n·f0 and m·f0, has others:
//
//   - the third-order products 2·low-high and 2·high-low, harmonics 2n-m and 2m-n, more than
//     maxProductShare of the weaker tone;
//   - the harmonics between the pair when m-n is 2 or 3 (f0 = (high-low)/2 or /3): low+f0 and
//     high-f0, more than maxBetweenShare of the weaker tone. They lie in the voice's formant
//     region next to the pair, where a high voice (f0 170-200 Hz) that sounds a pair as its 5th
//     and 7th, 5th and 8th or 4th and 7th harmonics has them as strong as the pair;
//   - the tones' own harmonics 2·low, 3·low and 2·high, together more than maxHarmonicShare of
//     the weaker tone: two notes of an instrument that happen to sound a key's pair.
//
// It measures over the run's four half-blocks with a Hann window, whose sidelobes keep the
// tones' own power out of the probes, and counts only a peak centred within maxProductOffsetHz of
// the probe: a voice's harmonic is exactly there, while speech under a keyed pair has its nearest
// harmonic anywhere within half its pitch of it.
func (d *Detector) pure(bl block) bool {
	lo, hi := d.drift()
	low := groupFreq(bl.row) * (1 + lo)
	high := groupFreq(4+bl.col) * (1 + hi)
	third := (high - low) / 3
	var x [runLen]float64
	d.windowed(&x)
	hz := [probes]float64{low, high, math.Abs(2*low - high), 2*high - low, (low + high) / 2, low + third, high - third,
		2 * low, 3 * low, 2 * high}
	p := windowedPowers(&x, &hz)
	weaker := min(p[0], p[1])
	centred := func(i int) bool { return math.Abs(peakOffset(&x, hz[i], p[i])) < maxProductOffsetHz }
	for i := 2; i < 7; i++ {
		share := maxBetweenShare
		if i < 4 {
			share = maxProductShare
		}
		if hz[i] >= minProductHz && p[i] > share*weaker && centred(i) {
			return false
		}
	}
	var harmonics float64
	for i := 7; i < probes; i++ {
		if hz[i] < SampleRate/2-productProbeHz && p[i] > minHarmonicShare*weaker && centred(i) {
			harmonics += p[i]
		}
	}
	return harmonics <= maxHarmonicShare*weaker
}

// peakOffset returns how far, in Hz, the peak of the windowed spectrum of x lies from hz, whose
// power is p: a parabola through the log power at hz and productProbeHz either side. It returns
// +Inf when hz is not at a peak (the parabola opens upwards).
func peakOffset(x *[runLen]float64, hz, p float64) float64 {
	below := math.Log(windowedPower(x, hz-productProbeHz))
	above := math.Log(windowedPower(x, hz+productProbeHz))
	curve := below - 2*math.Log(p) + above
	if !(curve < 0) {
		return math.Inf(1)
	}
	return productProbeHz / 2 * (below - above) / curve
}

// probes is the number of frequencies pure measures: the two tones, the two products, the three
// harmonics between the pair and the pair's own harmonics 2·low, 3·low and 2·high.
const probes = 10

// hannRun is a Hann window over the onset run's samples.
var hannRun = func() (w [runLen]float64) {
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/runLen) // symmetric: half a sample in
	}
	return w
}()

// windowed writes the onset run's samples (the last runLen) through a Hann window into x.
func (d *Detector) windowed(x *[runLen]float64) {
	for h := range bufCount {
		i := (d.cur + 1 + h) % bufCount
		mean := float64(d.means[i])
		for j, v := range &d.bufs[i] {
			x[h*halfLen+j] = (float64(v) - mean) * hannRun[h*halfLen+j]
		}
	}
}

// windowedPower returns the power at hz of the windowed run x.
func windowedPower(x *[runLen]float64, hz float64) float64 {
	c := 2 * math.Cos(2*math.Pi*hz/SampleRate)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = v+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

// windowedPowers returns the power at each of hz of the windowed run x, in one pass whose
// filters run side by side.
func windowedPowers(x *[runLen]float64, hz *[probes]float64) (p [probes]float64) {
	var c, s1, s2 [probes]float64
	for k := range hz {
		c[k] = 2 * math.Cos(2*math.Pi*hz[k]/SampleRate)
	}
	for _, v := range x {
		for k := range probes {
			s1[k], s2[k] = v+c[k]*s1[k]-s2[k], s1[k]
		}
	}
	for k := range p {
		p[k] = s1[k]*s1[k] + s2[k]*s2[k] - c[k]*s1[k]*s2[k]
	}
	return p
}
