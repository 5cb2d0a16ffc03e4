package redact

import (
	"cmp"
	"errors"
	"slices"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/wav"
)

// Mask is what replaces a key press in a redacted recording.
type Mask uint8

// The masks.
const (
	// MaskTone replaces each press with the neutral mask tone the live call uses: a single 500 Hz
	// sine at −20 dBm0, the same for every key, so a listener hears that a key was pressed and
	// nothing about which.
	MaskTone Mask = iota + 1
	// MaskSilence replaces each press with digital silence.
	MaskSilence
)

// String returns "tone" or "silence".
func (m Mask) String() string {
	switch m {
	case MaskTone:
		return "tone"
	case MaskSilence:
		return "silence"
	}
	return "unknown"
}

// ParseMask parses "tone" or "silence".
func ParseMask(s string) (Mask, error) {
	switch s {
	case "tone":
		return MaskTone, nil
	case "silence":
		return MaskSilence, nil
	}
	return 0, errors.New("unknown mask (want tone or silence)")
}

// DefaultGuard is the margin masked on each side of a detected press. The detector places a
// press's edges to within a few milliseconds (its analysis steps are 51 samples, 6.4 ms, and it
// interpolates inside them); 20 ms covers that estimate at both edges three times over, plus the
// few samples that a resampled file's low-pass filter smears a tone's edge across, so that no
// fragment of a tone survives next to the mask. Twenty milliseconds of speech either side of a
// key press is a syllable fragment at most, and callers rarely talk while keying.
const DefaultGuard = 20 * time.Millisecond

// maxPasses bounds the detect-and-mask passes: after masking, the redactor runs the detector on
// its own output and masks anything it still finds (a press whose edges the first pass placed
// too tightly, or one hidden behind a louder press), until nothing is left.
const maxPasses = 4

// RecordingRedactor removes key presses from recordings.
type RecordingRedactor struct {
	Mask  Mask          // what replaces each press; 0 means MaskTone
	Guard time.Duration // margin masked on each side of a press; 0 means DefaultGuard, negative means none
}

// Range is a span of stored samples [Start, End), at the recording's own sample rate.
type Range struct {
	Start, End int64
}

// RecordingResult is a redacted recording.
type RecordingResult struct {
	// Data is the new sample data, in the input's encoding and rate and as long as the input's:
	// write it with Audio.Rewrite to keep every other byte of the file.
	Data []byte
	// Presses is how many key presses were removed.
	Presses int
	// Ranges are the spans of samples that were replaced, in order and not overlapping. Every
	// sample outside them is unchanged.
	Ranges []Range
}

// Redact finds every key press in a and returns the recording with each one (and the guard margin
// around it) replaced by the mask.
func (r RecordingRedactor) Redact(a *wav.Audio) (RecordingResult, error) {
	data := slices.Clone(a.Data)
	res := RecordingResult{Data: data}
	samples := a.Samples
	for pass := 0; pass < maxPasses; pass++ {
		found := FindPresses(samples)
		if len(found) == 0 {
			return res, nil
		}
		added := r.ranges(a, found)
		res.Presses += countNew(res.Ranges, added)
		res.Ranges = merge(append(res.Ranges, added...))
		r.apply(a, data, res.Ranges)
		samples = wav.DecodeSamples(a.Encoding, a.Rate, data)
	}
	return res, errors.New("redact: key presses still detected after masking")
}

// FindPresses runs the DTMF detector over a whole recording of 8 kHz samples, in 20 ms frames as
// a live call would feed it, and returns every press found, in order.
func FindPresses(samples []int16) []dtmf.Press {
	var presses []dtmf.Press
	d := dtmf.NewDetector()
	fn := func(e dtmf.Event) {
		if e.Kind == dtmf.KeyUp {
			presses = append(presses, e.Press)
		}
	}
	const frame = dtmf.SampleRate / 50
	for len(samples) > 0 {
		n := min(frame, len(samples))
		d.Process(samples[:n], fn)
		samples = samples[n:]
	}
	d.Flush(fn)
	return presses
}

// ranges converts presses (8 kHz sample indexes) to guarded ranges of stored samples.
func (r RecordingRedactor) ranges(a *wav.Audio, presses []dtmf.Press) []Range {
	guard := r.Guard
	if guard == 0 {
		guard = DefaultGuard
	}
	g := int64(max(0, guard) * dtmf.SampleRate / time.Second)
	n := int64(a.Len())
	out := make([]Range, 0, len(presses))
	for _, p := range presses {
		start := a.StoredIndex(max(0, p.Start-g))
		end := ceilStored(a, p.End+g)
		out = append(out, Range{Start: max(0, start), End: min(n, end)})
	}
	return out
}

// ceilStored converts an 8 kHz index to a stored index, rounding up.
func ceilStored(a *wav.Audio, i int64) int64 {
	return (i*int64(a.Rate) + wav.SampleRate - 1) / wav.SampleRate
}

// countNew counts the ranges of added that overlap none of masked: a later pass that finds the
// remains of a press already masked does not count it twice.
func countNew(masked, added []Range) int {
	n := 0
	for _, a := range added {
		if !slices.ContainsFunc(masked, func(m Range) bool { return a.Start < m.End && m.Start < a.End }) {
			n++
		}
	}
	return n
}

// merge sorts ranges and joins those that overlap or touch.
func merge(rs []Range) []Range {
	slices.SortFunc(rs, func(a, b Range) int { return cmp.Compare(a.Start, b.Start) })
	out := rs[:0]
	for _, r := range rs {
		if r.End <= r.Start {
			continue
		}
		if k := len(out) - 1; k >= 0 && r.Start <= out[k].End {
			out[k].End = max(out[k].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}

// apply writes the mask over every range of data.
func (r RecordingRedactor) apply(a *wav.Audio, data []byte, rs []Range) {
	bps := int64(a.Encoding.BytesPerSample())
	for _, rg := range rs {
		mask := r.maskSamples(a.Rate, int(rg.End-rg.Start))
		wav.EncodeTo(data[rg.Start*bps:rg.End*bps], a.Encoding, mask)
	}
}

// maskSamples returns n samples of the mask at rate Hz. The tone is dtmf's mask tone, made at
// 8 kHz and resampled for a file at another rate.
func (r RecordingRedactor) maskSamples(rate, n int) []int16 {
	if r.Mask == MaskSilence {
		return make([]int16, n)
	}
	n8 := int((int64(n)*dtmf.SampleRate + int64(rate) - 1) / int64(rate))
	tone := make([]int16, n8+1)
	dtmf.NewMaskTone().Fill(tone)
	if rate != dtmf.SampleRate {
		tone = wav.Resample(tone, dtmf.SampleRate, rate)
	}
	out := make([]int16, n)
	copy(out, tone)
	return out
}
