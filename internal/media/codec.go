package media

import (
	"github.com/hushpay/hushpay/internal/g711"
	"github.com/pion/rtp"
)

// rtpHeaderLen is the size of the headers the relay writes: no CSRC, no extension.
const rtpHeaderLen = 12

// plausibleRTP rejects, before parsing, what cannot be an RTP packet: shorter than a header or
// not version 2. (pion/rtp reads any version, and its errors allocate.)
func plausibleRTP(pkt []byte) bool {
	return len(pkt) >= rtpHeaderLen && pkt[0]>>6 == 2
}

// decode converts a G.711 payload into linear samples.
func decode(c Codec, dst []int16, src []byte) {
	if c == PCMA {
		g711.DecodeALawTo(dst, src)
		return
	}
	g711.DecodeULawTo(dst, src)
}

// encode converts linear samples into a G.711 payload.
func encode(c Codec, dst []byte, src []int16) {
	if c == PCMA {
		g711.EncodeALawTo(dst, src)
		return
	}
	g711.EncodeULawTo(dst, src)
}

// writePacket marshals h and payload into buf (at least rtpHeaderLen+len(payload) long) and
// returns the packet. The payload may already sit at buf[rtpHeaderLen:].
func writePacket(buf []byte, h *rtp.Header, payload []byte) []byte {
	h.CSRC = h.CSRC[:0]
	h.Extension = false
	h.Padding = false
	n, _ := h.MarshalTo(buf[:rtpHeaderLen]) // cannot fail: the header fits
	m := copy(buf[n:], payload)
	return buf[:n+m]
}
