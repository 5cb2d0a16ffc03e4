package media

import (
	"sync/atomic"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/pion/rtp"
)

const (
	// hangover keeps the call secure this long (1 s of stream samples) after the owner turns
	// Secure off or the last press ends, whichever is later.
	hangover = 8000
	// defaultFrame is the frame length assumed for made-up audio before any audio arrived (20 ms).
	defaultFrame = 160
	// maxInserted bounds the audio frames one RFC 4733 packet may make up (400 ms).
	maxInserted = 20
)

// flow is how a caller frame goes to the agent.
type flow uint8

const (
	direct  flow = iota // outside secure mode: as it came, no delay
	delayed             // secure: through the look-ahead, masked
	leaving             // the frame on which secure mode ends
)

// callerPath handles the caller-to-agent direction of one call: it captures keys, masks them
// while secure and sends the rest on. It runs on the caller leg's read loop only; nothing in it
// is shared but the secure flag (atomic) and the counters (atomic, one writer).
type callerPath struct {
	in, out    Leg
	negotiated *atomic.Pointer[[2]Leg]
	applied    *[2]Leg // the negotiation in and out come from
	mode       MaskMode
	always     bool
	flag       *atomic.Bool
	stats      *counters
	send       func([]byte)
	keys       chan<- byte
	info       <-chan infoKey // SIP INFO keys from Relay.InjectKey

	pkt     rtp.Packet
	hdr     rtp.Header
	buf     [readBufLen]byte // a packet out is never longer than the packet in
	pcm     [maxFrame]int16
	outPCM  [maxFrame]int16
	scratch [maxFrame]int16
	stream  outStream
	det     *dtmf.Detector
	rx      *rfc4733.Receiver
	tone    *dtmf.ToneGen
	line    delayLine
	masks   masks
	dd      dedupe
	onTone  func(dtmf.Event)
	onEvent func(rfc4733.Event)
	fill    func([]int16)

	detCount    int64  // samples given to the detector
	detShift    int64  // stream index minus detector index, for the samples being pushed
	writeTS     uint32 // incoming timestamp of the next sample to push
	haveTS      bool
	frameLen    int
	secure      bool
	secureUntil int64
}

func newCallerPath(negotiated *atomic.Pointer[[2]Leg], cfg *Config, flag *atomic.Bool, stats *counters, keys chan<- byte, info <-chan infoKey, send func([]byte)) *callerPath {
	p := &callerPath{
		negotiated: negotiated, mode: cfg.Mode, always: cfg.Scope == ScopeAlways, flag: flag,
		stats: stats, send: send, keys: keys, info: info,
		stream: newOutStream(), det: dtmf.NewDetector(), tone: dtmf.NewMaskTone(),
		masks: newMasks(), frameLen: defaultFrame,
	}
	p.onTone, p.onEvent = p.toneEvent, p.telephoneEvent
	p.fill = p.tone.Fill
	if p.mode != MaskTone {
		p.fill = func(s []int16) { clear(s) }
	}
	p.renegotiate()
	return p
}

// renegotiate takes up the legs' latest negotiation, if it changed since the last packet.
func (p *callerPath) renegotiate() {
	legs := p.negotiated.Load()
	if legs == p.applied {
		return
	}
	p.applied = legs
	p.in, p.out = legs[Caller], legs[Agent]
	if p.rx == nil || p.rx.PayloadType() != p.in.EventPT {
		if p.rx != nil {
			p.rx.Flush(p.onEvent)
		}
		p.rx = rfc4733.NewReceiver(rfc4733.ReceiverConfig{PayloadType: p.in.EventPT})
	}
}

// handle processes one packet from the caller that arrived at now.
func (p *callerPath) handle(pkt []byte, now time.Time) {
	p.renegotiate()
	p.takeInfoKeys()
	p.stats.received.Add(1)
	if !plausibleRTP(pkt) || p.pkt.Unmarshal(pkt) != nil {
		p.stats.malformed.Add(1)
		return
	}
	pt := p.pkt.PayloadType
	isAudio, isEvent := pt == p.in.AudioPT, p.in.EventPT != 0 && pt == p.in.EventPT
	otherPT, isOther := p.in.passthrough(pt)
	if !isAudio && !isEvent && !isOther {
		p.stats.unknownPT.Add(1)
		return
	}
	if p.stream.observe(&p.pkt.Header) {
		p.sourceChanged()
	}
	switch {
	case isAudio:
		p.audio(now)
	case isEvent:
		p.event(now)
	default:
		p.other(otherPT)
	}
}

// other relays a packet of a codec the relay does not decode, untouched, outside secure mode.
func (p *callerPath) other(pt uint8) {
	if p.secure || p.always || p.flag.Load() {
		p.stats.masked.Add(1)
		return
	}
	p.hdr.PayloadType = pt
	p.hdr.Marker = p.pkt.Marker
	p.stream.stamp(&p.hdr, p.pkt.Timestamp, 0, len(p.pkt.Payload))
	p.send(writePacket(p.buf[:], &p.hdr, p.pkt.Payload))
	p.stats.forwarded.Add(1)
}

// sourceChanged starts a new incoming timeline after an SSRC change; the outgoing one runs on.
func (p *callerPath) sourceChanged() {
	p.stats.ssrcChanges.Add(1)
	p.rx.Flush(p.onEvent)
	p.haveTS = false
}

func (p *callerPath) audio(now time.Time) {
	p.rx.Tick(now, p.onEvent)
	payload := p.pkt.Payload
	if len(payload) == 0 || len(payload) > maxFrame {
		p.stats.malformed.Add(1)
		return
	}
	p.frameLen = len(payload)
	ts := p.pkt.Timestamp
	if p.haveTS {
		if behind := int64(int32(p.writeTS - ts)); behind > 0 {
			if behind >= int64(len(payload)) {
				p.stats.late.Add(1)
				return
			}
			payload, ts = payload[behind:], p.writeTS
		}
	}
	pcm := p.pcm[:len(payload)]
	decode(p.in.Codec, pcm, payload)
	p.frame(pcm, payload, ts, p.pkt.Marker)
}

// frame takes the next len(pcm) samples of the caller's timeline, starting at incoming timestamp
// ts (raw is their G.711 payload, nil for made-up audio), and sends a frame of as many samples to
// the agent.
func (p *callerPath) frame(pcm []int16, raw []byte, ts uint32, marker bool) {
	f := p.transition()
	p.detShift = p.line.w - p.detCount
	p.line.push(pcm)
	p.det.Process(pcm, p.onTone)
	p.detCount += int64(len(pcm))
	p.writeTS, p.haveTS = ts+uint32(len(pcm)), true

	out := p.outPCM[:len(pcm)]
	switch f {
	case direct:
		p.line.pop(out)
	case delayed:
		start := p.line.r
		p.line.pop(out)
		p.masks.apply(out, p.scratch[:], start, p.fill)
		raw = nil
	case leaving:
		p.line.leave(out)
		raw = nil
	}
	p.masks.prune(p.line.r)
	p.sendAudio(out, raw, ts, marker)
}

// transition decides whether this frame is secure and moves the look-ahead in or out.
func (p *callerPath) transition() flow {
	want := p.always || p.flag.Load()
	if want || (p.secure && p.masks.anyOpen()) {
		p.secureUntil = max(p.secureUntil, p.line.w+hangover)
	}
	switch {
	case !p.secure && want:
		p.secure = true
		p.line.enter()
		return delayed
	case p.secure && !want && p.line.w >= p.secureUntil:
		p.secure = false
		return leaving
	case p.secure:
		return delayed
	}
	return direct
}

func (p *callerPath) sendAudio(out []int16, raw []byte, ts uint32, marker bool) {
	payload := p.buf[rtpHeaderLen : rtpHeaderLen+len(out)]
	if raw != nil && p.in.Codec == p.out.Codec {
		copy(payload, raw)
	} else {
		encode(p.out.Codec, payload, out)
	}
	p.hdr.PayloadType = p.out.AudioPT
	p.hdr.Marker = marker
	p.stream.stamp(&p.hdr, ts, len(out), len(payload))
	p.send(writePacket(p.buf[:], &p.hdr, payload))
	p.stats.forwarded.Add(1)
}

// event handles a telephone-event packet: the key is captured, and the packet goes on to the
// agent only outside secure mode.
func (p *callerPath) event(now time.Time) {
	if p.rx.Receive(now, &p.pkt.Header, p.pkt.Payload, p.onEvent) != nil {
		p.stats.malformed.Add(1)
		return
	}
	switch {
	case !p.secure && !p.always && !p.flag.Load():
		p.forwardEvent()
	case p.mode == MaskDrop:
		p.stats.masked.Add(1)
	default:
		p.stats.masked.Add(1)
		p.insertMaskAudio()
	}
}

func (p *callerPath) forwardEvent() {
	if p.out.EventPT == 0 {
		p.stats.masked.Add(1) // the agent negotiated no telephone-event: nothing to send it as
		return
	}
	p.hdr.PayloadType = p.out.EventPT
	p.hdr.Marker = p.pkt.Marker
	p.stream.stamp(&p.hdr, p.pkt.Timestamp, 0, len(p.pkt.Payload))
	p.send(writePacket(p.buf[:], &p.hdr, p.pkt.Payload))
	p.stats.forwarded.Add(1)
}

// insertMaskAudio makes up audio frames for the time an RFC 4733 press covers that no audio
// packet has covered, so that the agent hears the mask (or silence) for as long as the key is
// pressed. It stays one frame behind the press's reported duration until the press ends, so a
// phone that sends audio alongside its events keeps its own audio (masked in the look-ahead).
func (p *callerPath) insertMaskAudio() {
	var ev rfc4733.Payload
	_ = ev.Unmarshal(p.pkt.Payload) // Receive checked it
	evTS := p.pkt.Timestamp
	target := evTS + uint32(ev.Duration)
	if !ev.End {
		target -= uint32(p.frameLen)
	}
	start := p.writeTS
	if !p.haveTS || int32(evTS-start) > 0 {
		start = evTS
	}
	for range maxInserted {
		left := int32(target - start)
		if left <= 0 || (left < int32(p.frameLen) && !ev.End) {
			return
		}
		n := min(p.frameLen, int(left))
		pcm := p.pcm[:n]
		clear(pcm)
		p.frame(pcm, nil, start, false)
		p.stats.inserted.Add(1)
		start = p.writeTS
	}
}

// toneEvent takes the in-band detector's events.
func (p *callerPath) toneEvent(e dtmf.Event) {
	switch e.Kind {
	case dtmf.KeyDown:
		at := e.Press.Start + p.detShift
		if p.secure && at-maskMargin < p.line.r {
			p.stats.lateMasks.Add(1)
		}
		p.masks.begin(inBand, at-maskMargin)
		p.pressed(inBand, e.Press.Key, at)
	case dtmf.KeyUp:
		p.released(inBand, e.Press.End+p.detShift)
	}
}

// telephoneEvent takes the RFC 4733 receiver's events.
func (p *callerPath) telephoneEvent(e rfc4733.Event) {
	if e.Press.Key == 0 {
		return // a flash or line event, not a key
	}
	at := p.streamIndex(e.Press.Timestamp)
	switch e.Kind {
	case rfc4733.KeyDown:
		p.masks.begin(event, at-maskMargin)
		p.pressed(event, e.Press.Key, at)
	case rfc4733.KeyUp:
		p.released(event, at+int64(e.Press.Duration))
	}
}

// streamIndex places an incoming timestamp on the delay line, no later than the next sample.
func (p *callerPath) streamIndex(ts uint32) int64 {
	if !p.haveTS {
		return p.line.w
	}
	return p.line.w + min(0, int64(int32(ts-p.writeTS)))
}

func (p *callerPath) pressed(t transport, key byte, at int64) {
	if !p.dd.start(t, key, at) {
		return
	}
	select {
	case p.keys <- key:
	default:
		p.stats.lostKeys.Add(1)
	}
}

func (p *callerPath) released(t transport, at int64) {
	p.masks.end(t, at+maskMargin)
	p.dd.stop(t, at)
	if p.secure {
		p.secureUntil = max(p.secureUntil, at+maskMargin+hangover)
	}
}

// infoKey is a key the owner received as SIP INFO, with its duration in samples.
type infoKey struct {
	key      byte
	duration int64
}

// takeInfoKeys captures the SIP INFO keys handed in since the last packet, placing each at the
// current end of the caller's timeline.
func (p *callerPath) takeInfoKeys() {
	for {
		select {
		case k := <-p.info:
			at := p.line.w
			p.pressed(info, k.key, at)
			p.dd.stop(info, at+k.duration)
			if p.secure {
				p.secureUntil = max(p.secureUntil, at+k.duration+hangover)
			}
		default:
			return
		}
	}
}
