package media

// Figures of the look-ahead, in samples at 8 kHz. docs/media.md shows how they were measured.
const (
	// lookAhead is how far the caller's audio towards the agent lags while secure: the detector's
	// worst KeyDown latency behind a press's estimated start (208 samples measured over levels,
	// twists, frame phases and G.711) plus maskMargin and a little slack.
	lookAhead = 256
	// maskMargin widens every mask on both sides, for the detector's +-11 sample error on the
	// start and end of a press and the offset between an RFC 4733 timestamp and the tone.
	maskMargin = 24
	// fadeLen is the length of the fades that join live and delayed audio when secure mode
	// starts and ends (5 ms).
	fadeLen = 40
	// maxFrame is the longest audio frame the relay takes (60 ms).
	maxFrame = 480
	// ringLen holds the look-ahead, a frame and the samples already sent that the entry fade
	// reads back; a power of two.
	ringLen = 2048
)

// delayLine is the caller-to-agent audio as the relay sees it, indexed by a stream sample count
// that never wraps: samples are pushed at w and sent from r. Outside secure mode every frame is
// pushed and popped at once (r == w between packets: no delay); in secure mode r trails w by
// lookAhead, so a press the detector recognises late is still ahead of r and can be masked from
// its first sample.
type delayLine struct {
	ring   [ringLen]int16
	w, r   int64
	fadeIn int // samples still to fade in at w, after the entry filler
}

func (d *delayLine) at(i int64) *int16 { return &d.ring[i&(ringLen-1)] }

// push appends src, applying what is left of the fade-in.
func (d *delayLine) push(src []int16) {
	for _, s := range src {
		if d.fadeIn > 0 {
			s = int16(int32(s) * int32(fadeLen-d.fadeIn) / fadeLen)
			d.fadeIn--
		}
		*d.at(d.w) = s
		d.w++
	}
}

// enter starts the look-ahead: it pushes lookAhead samples of filler that continue the audio
// already sent (the last samples mirrored, so there is no step) fading to zero within fadeLen,
// and arranges for the next pushed audio to fade in. The agent hears 32 ms of fade where the
// caller's audio pauses; nothing is lost.
func (d *delayLine) enter() {
	last := d.r - 1
	for i := range int64(lookAhead) {
		var s int16
		if i < fadeLen && last-i >= 0 {
			s = int16(int32(*d.at(last - i)) * int32(fadeLen-i) / fadeLen)
		}
		*d.at(d.w) = s
		d.w++
	}
	d.fadeIn = fadeLen
}

// pop copies the next len(dst) samples to send into dst.
func (d *delayLine) pop(dst []int16) {
	for i := range dst {
		dst[i] = *d.at(d.r)
		d.r++
	}
}

// leave ends the look-ahead on a frame of n samples just pushed: dst gets that frame, live,
// cross-faded over fadeLen from the delayed audio that would have been sent next, and the
// lookAhead samples still waiting are dropped. Secure mode only ends a second after the last
// press, so what is dropped is never a mask.
func (d *delayLine) leave(dst []int16) {
	live := d.w - int64(len(dst))
	for i := range dst {
		s := int32(*d.at(live + int64(i)))
		if i < fadeLen {
			old := int32(*d.at(d.r + int64(i)))
			s = (s*int32(i) + old*int32(fadeLen-i)) / fadeLen
		}
		dst[i] = int16(s)
	}
	d.r = d.w
	d.fadeIn = 0
}

// delay returns how many samples wait in the line.
func (d *delayLine) delay() int64 { return d.w - d.r }
