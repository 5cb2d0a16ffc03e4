package dtmf

import (
	"math"
	"math/cmplx"
)

// The detector analyses the signal in half-blocks of halfLen samples. Each half-block gets a
// Goertzel filter per DTMF frequency; two consecutive half-blocks form one blockLen-sample analysis
// block (so blocks overlap by half), whose spectrum is the sum of the two halves' (the second one
// rotated by its time shift), and whose tone frequencies are measured from the phase advance
// between the two halves. docs/dtmf.md explains the choice of every figure below.
const (
	halfLen  = 51
	blockLen = 2 * halfLen
	ringSize = 8 // half-blocks remembered, enough to place a press's onset and end
	bufCount = 4 // half-blocks whose samples are kept: the onset run's four
)

// EventKind tells whether an Event starts or ends a press.
type EventKind uint8

const (
	// KeyDown reports a press as soon as it is recognized; its Press.End is -1.
	KeyDown EventKind = iota + 1
	// KeyUp reports a press that has ended, with its full Press.
	KeyUp
)

// String returns "KeyDown" or "KeyUp".
func (k EventKind) String() string {
	switch k {
	case KeyDown:
		return "KeyDown"
	case KeyUp:
		return "KeyUp"
	}
	return "EventKind(?)"
}

// Press is one key press found in a stream.
type Press struct {
	// Key is '0'-'9', '*', '#' or 'A'-'D'.
	Key byte
	// Start and End are sample indexes from the start of the stream; End is exclusive, and -1
	// while the press is still going on.
	Start, End int64
	// Level is the press's level in dBm0 per tone: the mean of the two tones' levels.
	Level float64
}

// Event is a change in a stream's key press: a press recognized (KeyDown) or ended (KeyUp).
type Event struct {
	Kind  EventKind
	Press Press
}

// halfKind tells how much of a half-block's spectrum was computed.
type halfKind uint8

const (
	halfQuiet halfKind = iota // too quiet to hold a tone: nothing computed
	halfLow                   // low group computed; no low tone strong enough to go on
	halfFull                  // both groups computed
	halfKey                   // during a press: only the pressed key's two filters computed
)

// half is the analysis of one half-block.
type half struct {
	kind   halfKind
	energy float32      // sum of squares of the samples
	y      [8]complex64 // Goertzel outputs: low group then high group
}

// filterBank holds the fixed coefficients of the eight Goertzel filters.
type filterBank struct {
	coef  [8]float32    // 2cos(ω)
	cos   [8]float32    // cos(ω)
	sin   [8]float32    // sin(ω)
	shift [8]complex128 // e^{-jω·halfLen}: moves the second half's output to the block's time base
	omega [8]float64    // ω in radians per sample
	dc    [8]complex64  // each filter's output for a half-block of constant 1 (see undc)
	// leak[r][c] is what a tone on filter 4+c puts on filter r's output, and what a tone on
	// filter r puts on filter 4+c's, per unit of that tone's own output, over one half-block.
	leak [4][4][2]complex128
}

func newFilterBank() filterBank {
	var fb filterBank
	for i := range 8 {
		w := 2 * math.Pi * groupFreq(i) / SampleRate
		fb.omega[i] = w
		fb.cos[i] = float32(math.Cos(w))
		fb.sin[i] = float32(math.Sin(w))
		fb.coef[i] = 2 * fb.cos[i]
		fb.shift[i] = cmplx.Exp(complex(0, -w*halfLen))
		var s1, s2 float64
		for range halfLen {
			s1, s2 = (1-s2)+2*math.Cos(w)*s1, s1
		}
		fb.dc[i] = complex64(complex(s1-math.Cos(w)*s2, math.Sin(w)*s2))
	}
	for r := range 4 {
		for c := range 4 {
			fb.leak[r][c] = [2]complex128{leakage(fb.omega[4+c], fb.omega[r]), leakage(fb.omega[r], fb.omega[4+c])}
		}
	}
	return fb
}

// leakage returns the output of a half-block Goertzel filter at ωk for a tone at ωt, per unit of
// the output of the filter at ωt for the same tone. A Goertzel filter's output is
// e^{jω(L-1)}·X(ω), X the half-block's DFT at ω; a tone's DFT at ωk is its DFT at ωt times
// D(ωt-ωk)/L, with D(Δ) = Σ e^{jΔn} over the L samples.
func leakage(wt, wk float64) complex128 {
	delta := wt - wk
	d := cmplx.Exp(complex(0, delta*(halfLen-1)/2)) * complex(math.Sin(delta*halfLen/2)/math.Sin(delta/2), 0)
	return cmplx.Exp(complex(0, (wk-wt)*(halfLen-1))) * d / halfLen
}

// Detector finds DTMF key presses in one stream of 8 kHz linear PCM. It is small, allocates
// nothing while processing, starts no goroutine and is not safe for concurrent use: give each
// stream its own.
type Detector struct {
	fb     filterBank
	limits [2]limits // for the onset of a press and for holding it

	bufs   [bufCount][halfLen]float32 // the half-block being filled and the ones before it
	means  [bufCount]float32          // the mean of each of bufs once filled (see energyAndMean)
	cur    int                        // index in bufs of the one being filled
	fill   int
	halves [ringSize]half
	nHalf  int64 // half-blocks analysed so far; half h starts at sample h*halfLen

	run      int                     // consecutive blocks that held runKey
	runKey   byte                    // the key of the run
	runFirst int64                   // first half of the first block of the run
	runDrift [onsetBlocks][2]float64 // the last blocks' measured frequency offsets, low and high tone
	runDom   [onsetBlocks]bool       // whether the last blocks' low peak dominated by limits.dominance
	runEdge  [2]half                 // the half-blocks runFirst-1 and runFirst, kept to place the onset
	runEven  [onsetBlocks]bool       // whether the last blocks were even (see tightBalance)
	pending  bool                    // the run passed every check but needs one more half-block (see confirmFraction)
	pendBl   block                   // the block that passed them

	active         bool
	press          Press
	miss           int        // consecutive blocks without the pressed key
	lastGood       int64      // second half of the last block that held the pressed key
	refRow, refCol float64    // the key's filter amplitudes in a half-block full of its tones
	power          [2]float64 // sums of the blocks' squared amplitudes, low and high tone
	blocks         float64    // blocks summed in power
}

// NewDetector returns a detector at the start of a stream.
func NewDetector() *Detector {
	return &Detector{fb: newFilterBank(), limits: [2]limits{onsetLimits(), holdLimits()}}
}

// Reset returns the detector to the start of a new stream, forgetting any press in progress.
func (d *Detector) Reset() {
	*d = Detector{fb: d.fb, limits: d.limits}
}

// Process analyses the next samples of the stream, in a frame of any length, and calls fn, before
// returning, for each press that starts or ends.
func (d *Detector) Process(frame []int16, fn func(Event)) {
	for len(frame) > 0 {
		n := min(halfLen-d.fill, len(frame))
		dst := d.bufs[d.cur][d.fill : d.fill+n]
		for i, s := range frame[:n] {
			dst[i] = float32(s)
		}
		d.fill += n
		frame = frame[n:]
		if d.fill == halfLen {
			d.analyse()
			d.step(fn)
			d.cur, d.fill = (d.cur+1)%bufCount, 0
		}
	}
}

// Flush ends the stream: a press still going on is reported as ended at the last sample given.
func (d *Detector) Flush(fn func(Event)) {
	if !d.active {
		return
	}
	if d.miss == 0 {
		d.press.End = d.nHalf*halfLen + int64(d.fill)
	} else {
		d.press.End = d.endOf(d.lastGood)
	}
	d.release(fn)
}

// analyse computes the spectrum of the half-block just filled, as far as it can matter.
func (d *Detector) analyse() {
	h := &d.halves[d.nHalf%ringSize]
	d.nHalf++
	e, mean := energyAndMean(&d.bufs[d.cur])
	d.means[d.cur] = mean
	*h = half{energy: e}
	if e < quietEnergy {
		return
	}
	if d.active {
		// A press is going on: only its own two tones can keep it going.
		row, col, _ := keyPosition(d.press.Key)
		h.kind = halfKey
		d.goertzel2(h, row, 4+col)
		d.undc(h, row, mean)
		d.undc(h, 4+col, mean)
		return
	}
	h.kind = halfLow
	d.goertzel4(h, 0)
	for k := range 4 {
		d.undc(h, k, mean)
	}
	var peak float32
	for i := range 4 {
		peak = max(peak, sqMag(h.y[i]))
	}
	// A tone of amplitude a gives |y| = a·halfLen/2; the half's mean power is e/halfLen.
	if 2*peak/(halfLen*halfLen) < minLowShare*e/halfLen {
		return
	}
	h.kind = halfFull
	d.goertzel4(h, 4)
	for k := 4; k < 8; k++ {
		d.undc(h, k, mean)
	}
}

// energyAndMean returns the sum of squares of x once its mean is taken out, and that mean, so
// that a DC offset in a recording neither counts as power the tones would have to outweigh nor,
// once the filters' outputs are corrected by undc, leaks into them. It keeps four independent sums
// so the additions overlap.
func energyAndMean(x *[halfLen]float32) (energy, mean float32) {
	var e0, e1, e2, e3, sum float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		e0 += x[i] * x[i]
		e1 += x[i+1] * x[i+1]
		e2 += x[i+2] * x[i+2]
		e3 += x[i+3] * x[i+3]
		sum += (x[i] + x[i+1]) + (x[i+2] + x[i+3])
	}
	for ; i < len(x); i++ {
		e0 += x[i] * x[i]
		sum += x[i]
	}
	mean = sum / halfLen
	return max(0, e0+e1+e2+e3-sum*mean), mean
}

// undc takes out of filter k's output what the half-block's mean put there: the filter is linear,
// so filtering x and subtracting mean times its output for a constant 1 is filtering x - mean,
// without a pass over the samples to subtract it.
func (d *Detector) undc(h *half, k int, mean float32) {
	h.y[k] -= complex(mean, 0) * d.fb.dc[k]
}

// goertzel4 runs the four filters from first on the current half-block and stores their outputs.
func (d *Detector) goertzel4(h *half, first int) {
	c0, c1, c2, c3 := d.fb.coef[first], d.fb.coef[first+1], d.fb.coef[first+2], d.fb.coef[first+3]
	var a1, a2, b1, b2, e1, e2, g1, g2 float32
	// (x-a2) does not wait for the previous sample's a1, so each filter's chain from one sample
	// to the next is one multiply and one add instead of a multiply and two adds.
	for _, x := range &d.bufs[d.cur] {
		a1, a2 = (x-a2)+c0*a1, a1
		b1, b2 = (x-b2)+c1*b1, b1
		e1, e2 = (x-e2)+c2*e1, e1
		g1, g2 = (x-g2)+c3*g1, g1
	}
	s1 := [4]float32{a1, b1, e1, g1}
	s2 := [4]float32{a2, b2, e2, g2}
	for i := range 4 {
		k := first + i
		h.y[k] = complex(s1[i]-d.fb.cos[k]*s2[i], d.fb.sin[k]*s2[i])
	}
}

// goertzel2 runs filters j and k on the current half-block and stores their outputs.
func (d *Detector) goertzel2(h *half, j, k int) {
	cj, ck := d.fb.coef[j], d.fb.coef[k]
	var a1, a2, b1, b2 float32
	for _, x := range &d.bufs[d.cur] {
		a1, a2 = (x-a2)+cj*a1, a1
		b1, b2 = (x-b2)+ck*b1, b1
	}
	h.y[j] = complex(a1-d.fb.cos[j]*a2, d.fb.sin[j]*a2)
	h.y[k] = complex(b1-d.fb.cos[k]*b2, d.fb.sin[k]*b2)
}

func sqMag(c complex64) float32 { return real(c)*real(c) + imag(c)*imag(c) }

// step runs the press state machine on the block that ends with the half-block just analysed.
func (d *Detector) step(fn func(Event)) {
	if d.nHalf < 2 {
		return
	}
	a, b := d.halfAt(d.nHalf-2), d.halfAt(d.nHalf-1)
	if d.active {
		d.hold(a, b, fn)
		return
	}
	if d.pending {
		d.pending = false
		d.refRow, d.refCol = d.reference(d.pendBl.row, d.pendBl.col)
		if d.fraction(b) >= confirmFraction {
			d.start(d.pendBl, fn)
			return
		}
	}
	bl, ok := d.evaluate(a, b, &d.limits[0])
	if !ok {
		d.run = 0
		return
	}
	key := keyAt(bl.row, bl.col)
	if d.run == 0 || key != d.runKey {
		d.run, d.runKey, d.runFirst = 0, key, d.nHalf-2
		d.runEdge = [2]half{d.pastHalf(d.runFirst - 1), d.pastHalf(d.runFirst)}
		d.power, d.blocks = [2]float64{}, 0
	}
	d.run++
	d.addLevel(bl)
	d.runDrift[d.run%onsetBlocks] = [2]float64{bl.lowOffset, bl.highOffset}
	d.runDom[d.run%onsetBlocks] = bl.lowDominant
	d.runEven[d.run%onsetBlocks] = bl.even
	if d.run >= onsetBlocks && d.dominant() && d.steady() && d.pure(bl) {
		if d.runEven[(d.run+1)%onsetBlocks] || bl.even {
			d.start(bl, fn)
			return
		}
		d.pending, d.pendBl = true, bl
	}
}

// start reports a press recognized on the block just evaluated.
func (d *Detector) start(bl block, fn func(Event)) {
	d.active = true
	d.miss = 0
	d.lastGood = d.nHalf - 1
	d.refRow, d.refCol = d.reference(bl.row, bl.col)
	d.press = Press{Key: d.runKey, Start: d.startOf(d.runFirst), End: -1, Level: d.level()}
	fn(Event{Kind: KeyDown, Press: d.press})
}

// hold follows a press in progress and reports its end.
func (d *Detector) hold(a, b *half, fn func(Event)) {
	if bl, ok := d.holds(a, b, d.press.Key, &d.limits[1]); ok {
		d.miss = 0
		d.lastGood = d.nHalf - 1
		d.addLevel(bl)
		return
	}
	d.miss++
	if d.miss >= releaseBlocks {
		d.press.End = d.endOf(d.lastGood)
		d.release(fn)
	}
}

// release reports the end of the current press and returns to waiting for the next.
func (d *Detector) release(fn func(Event)) {
	d.press.Level = d.level()
	d.active = false
	d.run = 0
	fn(Event{Kind: KeyUp, Press: d.press})
}

func (d *Detector) addLevel(bl block) {
	d.power[0] += bl.lowAmp * bl.lowAmp
	d.power[1] += bl.highAmp * bl.highAmp
	d.blocks++
}

// level returns the mean of the two tones' levels, in dBm0, over the blocks summed.
func (d *Detector) level() float64 {
	lo := 10 * math.Log10(d.power[0]/d.blocks/(zeroDBm0*zeroDBm0))
	hi := 10 * math.Log10(d.power[1]/d.blocks/(zeroDBm0*zeroDBm0))
	return (lo + hi) / 2
}

func (d *Detector) halfAt(n int64) *half { return &d.halves[n%ringSize] }

// pastHalf returns half-block n, or a quiet one before the stream began.
func (d *Detector) pastHalf(n int64) half {
	if n < 0 {
		return half{}
	}
	return *d.halfAt(n)
}

// reference returns the amplitude of the pressed key's two tones in the middle of the onset run,
// where every half-block is full of tone.
func (d *Detector) reference(row, col int) (float64, float64) {
	var r, c float64
	first := max(d.runFirst+1, d.nHalf-ringSize)
	for n := first; n < d.nHalf-1; n++ {
		h := d.halfAt(n)
		r += cmplx.Abs(complex128(h.y[row]))
		c += cmplx.Abs(complex128(h.y[4+col]))
	}
	k := float64(d.nHalf - 1 - first)
	return r / k, c / k
}

// covered estimates the fraction of half-block n that holds the pressed key's tones, from the
// amplitude of its filter outputs against the reference.
func (d *Detector) covered(n int64) float64 {
	if n < 0 || n >= d.nHalf || d.nHalf-n > ringSize {
		return 0
	}
	return d.fraction(d.halfAt(n))
}

// fraction estimates the fraction of half-block h that holds the run's key's tones.
func (d *Detector) fraction(h *half) float64 {
	r, c, _ := keyPosition(d.runKey)
	var f float64
	switch h.kind {
	case halfQuiet:
		return 0
	case halfLow:
		f = cmplx.Abs(complex128(h.y[r])) / d.refRow
	case halfFull, halfKey:
		f = (cmplx.Abs(complex128(h.y[r])) + cmplx.Abs(complex128(h.y[4+c]))) / (d.refRow + d.refCol)
	}
	return max(0, min(1, f))
}

// startOf places the onset of a press whose first full block starts with half-block first: back
// from the end of that half by the share of it, and of the half before, that holds the tones.
func (d *Detector) startOf(first int64) int64 {
	end := (first + 1) * halfLen
	back := d.fraction(&d.runEdge[1]) + d.fraction(&d.runEdge[0])
	return max(0, end-int64(math.Round(back*halfLen)))
}

// endOf places the end of a press whose last full block ends with half-block last.
func (d *Detector) endOf(last int64) int64 {
	start := last * halfLen
	on := d.covered(last) + d.covered(last+1)
	return start + int64(math.Round(on*halfLen))
}
