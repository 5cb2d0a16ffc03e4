package mediaload

import (
	"crypto/rand"
	"encoding/binary"
)

// The RTP fixed header as the generator writes it and the baseline relay reads it (RFC 3550):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|V=2|P|X|  CC   |M|     PT      |       sequence number         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           timestamp                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                             SSRC                              |
//	+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//
// Only headers without padding, extension or CSRC are produced and accepted here.
const headerLen = 12

// header is a parsed fixed RTP header.
type header struct {
	marker bool
	pt     uint8
	seq    uint16
	ts     uint32
	ssrc   uint32
}

// parseHeader reads the fixed header of pkt; ok is false for anything but a plain version-2
// header followed by a payload.
func parseHeader(pkt []byte) (h header, ok bool) {
	if len(pkt) <= headerLen || pkt[0] != 0x80 {
		return h, false
	}
	return header{
		marker: pkt[1]&0x80 != 0,
		pt:     pkt[1] & 0x7f,
		seq:    binary.BigEndian.Uint16(pkt[2:4]),
		ts:     binary.BigEndian.Uint32(pkt[4:8]),
		ssrc:   binary.BigEndian.Uint32(pkt[8:12]),
	}, true
}

// putHeader writes h into buf[:headerLen].
func putHeader(buf []byte, h header) {
	buf[0] = 0x80
	buf[1] = h.pt
	if h.marker {
		buf[1] |= 0x80
	}
	binary.BigEndian.PutUint16(buf[2:4], h.seq)
	binary.BigEndian.PutUint32(buf[4:8], h.ts)
	binary.BigEndian.PutUint32(buf[8:12], h.ssrc)
}

// rewriter gives one outgoing direction of the baseline relay its own SSRC, sequence numbers and
// timestamp base, as internal/media does: outgoing sequence numbers count the packets sent plus
// the gaps the incoming stream showed, so loss stays visible and dropped events leave no gap.
type rewriter struct {
	ssrc, tsOff uint32
	seq, last   uint16
	started     bool
}

func newRewriter() rewriter {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return rewriter{ssrc: binary.BigEndian.Uint32(b[0:4]), seq: binary.BigEndian.Uint16(b[4:6]),
		tsOff: binary.BigEndian.Uint32(b[6:10])}
}

// observe takes note of an incoming header.
func (w *rewriter) observe(h header) {
	if w.started {
		if d := int16(h.seq - w.last); d > 1 && d < 100 {
			w.seq += uint16(d - 1)
		}
		if int16(h.seq-w.last) <= 0 {
			return
		}
	}
	w.started, w.last = true, h.seq
}

// stamp returns the outgoing header for an incoming one, with payload type pt.
func (w *rewriter) stamp(h header, pt uint8) header {
	out := header{marker: h.marker, pt: pt, seq: w.seq, ts: h.ts + w.tsOff, ssrc: w.ssrc}
	w.seq++
	return out
}
