package media

import "math"

// open is the end of a mask whose press has not ended yet.
const open = math.MaxInt64

// transport is how a key press reached the relay.
type transport uint8

const (
	inBand      transport = iota // tones in the audio
	event                        // RFC 4733 telephone-event packets
	nMasked                      // the transports above carry the press in the media, to be masked
	info        = nMasked        // SIP INFO, handed in by the owner with Relay.InjectKey
	nTransports = info + 1
)

// region is a stretch of the delay line to mask, [from, to) in stream samples.
type region struct{ from, to int64 }

// masks holds the presses to mask on the delay line: at most one per transport is open, and
// ended ones are kept until the send index has passed them.
type masks struct {
	r       [8]region
	n       int
	current [nMasked]int // index in r of the transport's open region, or -1
}

func newMasks() masks { return masks{current: [nMasked]int{-1, -1}} }

// begin opens a region for transport t from sample from.
func (m *masks) begin(t transport, from int64) {
	if m.current[t] >= 0 {
		m.r[m.current[t]].to = max(m.r[m.current[t]].from, from)
	}
	if m.n == len(m.r) { // full of ended regions: forget the oldest
		copy(m.r[:], m.r[1:])
		m.n--
		m.shift(-1)
	}
	m.r[m.n] = region{from: from, to: open}
	m.current[t] = m.n
	m.n++
}

// end closes transport t's open region at sample to.
func (m *masks) end(t transport, to int64) {
	if i := m.current[t]; i >= 0 {
		m.r[i].to = max(m.r[i].from, to)
		m.current[t] = -1
	}
}

// anyOpen reports whether a press is going on.
func (m *masks) anyOpen() bool { return m.current[inBand] >= 0 || m.current[event] >= 0 }

// prune forgets regions that end before sample before.
func (m *masks) prune(before int64) {
	k := 0
	for i := range m.n {
		if m.r[i].to <= before && m.current[inBand] != i && m.current[event] != i {
			continue
		}
		for t := range m.current {
			if m.current[t] == i {
				m.current[t] = k
			}
		}
		m.r[k] = m.r[i]
		k++
	}
	m.n = k
}

func (m *masks) shift(by int) {
	for t := range m.current {
		if m.current[t] >= 0 {
			m.current[t] += by
		}
	}
}

// apply replaces the samples of dst, which hold stream samples [start, start+len(dst)), that
// fall in a region with the mask: fill's output (into scratch, once for the whole frame, so that
// overlapping regions keep one phase-continuous tone), faded in and out over fadeLen at the
// edges of the masked stretch, since a tone that starts or stops on a step splashes energy over
// the DTMF band. A masked sample never keeps any of its own audio.
func (m *masks) apply(dst, scratch []int16, start int64, fill func([]int16)) {
	end := start + int64(len(dst))
	hit := false
	for i := range m.n {
		hit = hit || (m.r[i].from < end && m.r[i].to > start)
	}
	if !hit {
		return
	}
	tone := scratch[:len(dst)]
	fill(tone)
	for j := range dst {
		if g := m.gain(start + int64(j)); g > 0 {
			dst[j] = int16(int64(tone[j]) * g / (fadeLen + 1))
		}
	}
}

// gain returns how far inside a region sample at lies, up to fadeLen+1: 0 outside every region.
func (m *masks) gain(at int64) int64 {
	var g int64
	for i := range m.n {
		if rg := m.r[i]; at >= rg.from && at < rg.to {
			g = max(g, min(at-rg.from, rg.to-1-at, fadeLen)+1)
		}
	}
	return g
}

// dedupe reports each press once when a phone sends it on several transports at the same time
// (in-band and RFC 4733, or either with SIP INFO). A press on one transport is the same press as
// the last one reported when it is the same key, the last press has not been seen on this
// transport yet but has on another, and it starts while that press is going on or within the
// slack of its start or end (dedupeSlack; infoSlack when SIP INFO is involved, since signalling
// and media take different paths). docs/media.md explains the rule.
type dedupe struct {
	key      byte
	from, to int64 // the press reported last, in stream samples; to is open while it goes on
	via      [nTransports]bool
	on       [nTransports]bool
}

// dedupeSlack is how far apart, in samples, the two transports of one press may place its
// edges: the detector's estimate against the RFC 4733 timestamp, which a sender aligns to its
// packets (20 ms).
const dedupeSlack = 160

// infoSlack is the slack for a press that came, or comes, as SIP INFO (250 ms).
const infoSlack = 2000

// start reports whether a press of key on transport t starting at sample at is new.
func (d *dedupe) start(t transport, key byte, at int64) bool {
	seen, going := false, false
	for o := range nTransports {
		if o != t {
			seen, going = seen || d.via[o], going || d.on[o]
		}
	}
	slack := int64(dedupeSlack)
	if t == info || d.via[info] {
		slack = infoSlack
	}
	if d.key == key && !d.via[t] && seen && (going || at <= d.to+slack) && at >= d.from-slack {
		d.via[t], d.on[t] = true, true
		return false
	}
	*d = dedupe{key: key, from: at, to: open}
	d.via[t], d.on[t] = true, true
	return true
}

// stop notes that transport t's part of the press ended at sample at.
func (d *dedupe) stop(t transport, at int64) {
	if !d.on[t] {
		return
	}
	d.on[t] = false
	if d.to == open || at > d.to {
		d.to = at
	}
}
