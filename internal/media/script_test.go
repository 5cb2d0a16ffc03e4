package media

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/pion/rtp"
)

// step is one thing the fake caller does: send a packet, or set the relay's secure flag first.
type step struct {
	pkt       []byte
	setSecure *bool
	info      byte // a key the owner got as SIP INFO, handed in before the next packet
}

// span is a stretch of the caller's timeline, in incoming timestamps.
type span struct{ from, to uint32 }

// script builds the packets of a fake caller: a continuous timeline of 20 ms frames, some
// carried as audio and some covered by RFC 4733 events.
type script struct {
	t       testing.TB
	leg     Leg
	ssrc    uint32
	seq     uint16
	ts      uint32
	steps   []step
	keys    []byte // what OnKey must receive, in order
	secure  bool
	presses []span // presses sent while secure
	events  *rfc4733.Sender
	rng     *rand.Rand
	phase   float64 // of the speech generator
	clock   int     // samples of speech generated
}

// scriptStartTS is a script's first timestamp: close to the wrap, so every test crosses it.
const scriptStartTS = 4294960000

func newScript(t testing.TB, leg Leg) *script {
	s := &script{t: t, leg: leg, ssrc: 0x1234abcd, seq: 65500, ts: scriptStartTS, rng: rand.New(rand.NewPCG(1, 2))}
	s.events = rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: leg.EventPT, SSRC: s.ssrc, Interval: 160}, 0)
	return s
}

// restart makes the caller a new source: another SSRC, sequence and timestamp base.
func (s *script) restart(ssrc uint32, seq uint16, ts uint32) {
	s.ssrc, s.seq, s.ts = ssrc, seq, ts
	s.events = rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: s.leg.EventPT, SSRC: ssrc, Interval: 160}, seq)
}

// renegotiate makes the caller send with a new codec and payload types from here on.
func (s *script) renegotiate(leg Leg) {
	s.leg = leg
	s.events = rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: leg.EventPT, SSRC: s.ssrc, Interval: 160}, s.seq)
}

func (s *script) setSecure(on bool) {
	s.secure = on
	s.steps = append(s.steps, step{setSecure: &on})
}

// audio sends pcm as 20 ms frames (the last one padded with silence).
func (s *script) audio(pcm []int16) {
	for len(pcm) > 0 {
		var f [160]int16
		n := copy(f[:], pcm)
		pcm = pcm[n:]
		s.audioFrame(f[:])
	}
}

func (s *script) audioFrame(f []int16) {
	payload := make([]byte, len(f))
	encode(s.leg.Codec, payload, f)
	s.send(s.leg.AudioPT, false, s.ts, payload)
	s.ts += uint32(len(f))
}

func (s *script) send(pt uint8, marker bool, ts uint32, payload []byte) {
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: s.seq, Timestamp: ts, SSRC: s.ssrc}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		s.t.Fatal(err)
	}
	s.seq++
	s.steps = append(s.steps, step{pkt: b})
}

// speech sends d samples of speech-like audio: a gliding voiced sound with formants, syllable
// rhythm and a little noise, around -20 dBm0.
func (s *script) speech(n int) { s.audio(s.speechSamples(n)) }

func (s *script) speechSamples(n int) []int16 {
	out := make([]int16, n)
	a := dtmf.Amplitude(-22)
	for i := range out {
		t := float64(s.clock) / 8000
		s.clock++
		pitch := 120 + 40*math.Sin(2*math.Pi*0.7*t)
		s.phase += 2 * math.Pi * pitch / 8000
		v := 0.0
		for h := 1; h <= 20; h++ {
			f := pitch * float64(h)
			formant := math.Exp(-math.Pow((f-500)/200, 2)) + 0.5*math.Exp(-math.Pow((f-1500)/300, 2)) + 0.1
			v += formant / float64(h) * math.Sin(float64(h)*s.phase)
		}
		env := 0.5 + 0.5*math.Sin(2*math.Pi*4*t)
		out[i] = int16(a*env*v/2 + s.rng.NormFloat64()*30)
	}
	return out
}

// infoOnly sends digits as SIP INFO alone, 160 ms apart, while the audio runs on.
func (s *script) infoOnly(digits string) {
	for i := range len(digits) {
		s.steps = append(s.steps, step{info: digits[i]})
		s.keys = append(s.keys, digits[i])
		s.audio(s.noise(pressLen + gapLen))
	}
}

// noise returns n samples of faint noise (about -60 dBm0): a line that is not digitally silent.
func (s *script) noise(n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(s.rng.NormFloat64() * 10)
	}
	return out
}

const (
	pressLen = 640 // 80 ms
	gapLen   = 640
)

// inBand sends digits as tones in the audio, 80 ms on and 80 ms off.
func (s *script) inBand(digits string) { s.inBandWithInfo(digits, false) }

// inBandWithInfo sends digits in-band and, if withInfo, as SIP INFO at the start of each tone.
func (s *script) inBandWithInfo(digits string, withInfo bool) {
	for i := range len(digits) {
		if withInfo {
			s.steps = append(s.steps, step{info: digits[i]})
		}
		tone := dtmf.AppendKey(nil, digits[i], pressLen, dtmf.DefaultGenOptions())
		s.notePress(digits[i], pressLen)
		s.audio(mix(tone, s.noise(pressLen)))
		s.audio(s.noise(gapLen))
	}
}

// eventsOnly sends digits as RFC 4733 events with the audio paused, as many phones do.
func (s *script) eventsOnly(digits string) {
	for i := range len(digits) {
		s.notePress(digits[i], pressLen)
		start := s.ts
		s.pressEvents(digits[i], start, nil)
		s.ts = start + pressLen
		s.audio(s.noise(gapLen))
	}
}

// both sends digits in-band and as RFC 4733 events at once, with the same timestamps.
func (s *script) both(digits string) {
	for i := range len(digits) {
		s.notePress(digits[i], pressLen)
		tone := mix(dtmf.AppendKey(nil, digits[i], pressLen, dtmf.DefaultGenOptions()), s.noise(pressLen))
		s.pressEvents(digits[i], s.ts, tone)
		s.audio(s.noise(gapLen))
	}
}

// pressEvents sends the telephone-event packets of a press starting at ts, one every 20 ms,
// each after the audio frame it covers when audio is not nil.
func (s *script) pressEvents(key byte, ts uint32, audio []int16) {
	if err := s.events.KeyDown(key, ts); err != nil {
		s.t.Fatal(err)
	}
	s.nextEvent(ts)
	for off := uint32(160); off <= pressLen; off += 160 {
		if audio != nil {
			s.audioFrame(audio[off-160 : off])
		}
		if off < pressLen {
			s.nextEvent(ts + off)
		}
	}
	if err := s.events.KeyUp(ts + pressLen); err != nil {
		s.t.Fatal(err)
	}
	for s.events.Busy() {
		s.nextEvent(ts + pressLen)
	}
}

func (s *script) nextEvent(now uint32) {
	s.events.SetSequence(s.seq)
	buf := make([]byte, 64)
	n, err := s.events.Next(now, buf)
	if err != nil {
		s.t.Fatal(err)
	}
	if n > 0 {
		s.steps = append(s.steps, step{pkt: buf[:n]})
		s.seq = s.events.Sequence()
	}
}

func (s *script) notePress(key byte, n uint32) {
	s.keys = append(s.keys, key)
	if s.secure {
		s.presses = append(s.presses, span{s.ts, s.ts + n})
	}
}

func mix(a, b []int16) []int16 {
	out := make([]int16, len(a))
	for i := range a {
		out[i] = int16(max(-32768, min(32767, int32(a[i])+int32(b[i]))))
	}
	return out
}
