package media

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// agentPath handles the agent-to-caller direction: payload types mapped, G.711 transcoded when
// the legs differ, the relay's own SSRC and sequence space. Nothing is captured or masked.
type agentPath struct {
	in, out    Leg
	negotiated *atomic.Pointer[[2]Leg]
	applied    *[2]Leg
	stats      *counters
	send       func([]byte)

	pkt    rtp.Packet
	hdr    rtp.Header
	buf    [readBufLen]byte // a packet out is never longer than the packet in
	pcm    [maxFrame]int16
	stream outStream
}

func newAgentPath(negotiated *atomic.Pointer[[2]Leg], stats *counters, send func([]byte)) *agentPath {
	return &agentPath{negotiated: negotiated, stats: stats, send: send, stream: newOutStream()}
}

// handle processes one packet from the agent.
func (p *agentPath) handle(pkt []byte, _ time.Time) {
	if legs := p.negotiated.Load(); legs != p.applied {
		p.applied, p.in, p.out = legs, legs[Agent], legs[Caller]
	}
	p.stats.received.Add(1)
	if !plausibleRTP(pkt) || p.pkt.Unmarshal(pkt) != nil {
		p.stats.malformed.Add(1)
		return
	}
	var payload []byte
	samples := 0
	switch {
	case p.pkt.PayloadType == p.in.AudioPT:
		if len(p.pkt.Payload) == 0 || len(p.pkt.Payload) > maxFrame {
			p.stats.malformed.Add(1)
			return
		}
		payload, samples = p.audioPayload(), len(p.pkt.Payload)
		p.hdr.PayloadType = p.out.AudioPT
	case p.in.EventPT != 0 && p.pkt.PayloadType == p.in.EventPT:
		if p.out.EventPT == 0 {
			p.stats.masked.Add(1)
			return
		}
		payload = p.pkt.Payload
		p.hdr.PayloadType = p.out.EventPT
	default:
		pt, ok := p.in.passthrough(p.pkt.PayloadType)
		if !ok {
			p.stats.unknownPT.Add(1)
			return
		}
		payload = p.pkt.Payload
		p.hdr.PayloadType = pt
	}
	if p.stream.observe(&p.pkt.Header) {
		p.stats.ssrcChanges.Add(1)
	}
	p.hdr.Marker = p.pkt.Marker
	p.stream.stamp(&p.hdr, p.pkt.Timestamp, samples, len(payload))
	p.send(writePacket(p.buf[:], &p.hdr, payload))
	p.stats.forwarded.Add(1)
}

// audioPayload returns the payload for the caller, transcoded if the codecs differ.
func (p *agentPath) audioPayload() []byte {
	src := p.pkt.Payload
	if p.in.Codec == p.out.Codec {
		return src
	}
	pcm := p.pcm[:len(src)]
	decode(p.in.Codec, pcm, src)
	dst := p.buf[rtpHeaderLen : rtpHeaderLen+len(src)]
	encode(p.out.Codec, dst, pcm)
	return dst
}
