package media

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"sync/atomic"

	"github.com/pion/rtp"
)

// outStream is the RTP identity of one outgoing direction: the relay's own SSRC, sequence space
// and timestamp base. Incoming timestamps map to outgoing ones by a constant offset, re-based on
// an SSRC change so that the outgoing timeline runs on where it stopped. Outgoing sequence
// numbers count the packets the relay sends, plus the gaps the incoming stream showed (so the far
// end's loss concealment still sees loss); packets the relay drops or inserts leave no gap.
type outStream struct {
	ssrc     uint32
	seq      uint16
	tsBase   uint32 // the first outgoing timestamp
	tsOff    uint32 // outgoing = incoming + tsOff
	inSSRC   uint32
	lastSeq  uint16
	inCycles uint32 // the incoming sequence number's wrap count, times 65536 (RFC 3550 A.1)
	started  bool
	nextTS   uint32 // outgoing timestamp just after the last audio sent
	packets  uint32 // packets sent (mod 2^32, as in an SR)
	octets   uint32 // payload octets sent (mod 2^32)
	report   *streamReport
}

// streamReport is what the RTCP translation of a relay reads of one outgoing RTP stream. The
// direction's packet path is its only writer; the RTCP reader (another goroutine when the relay
// has its own) only loads. The SSRC and CNAME never change.
type streamReport struct {
	ssrc  uint32 // the relay's SSRC on the stream
	cname string // the relay's CNAME for it (RFC 7022: random, 96 bits)

	hasSource atomic.Bool   // set once source holds the first incoming SSRC
	source    atomic.Uint64 // incoming SSRC << 32 | timestamp offset (outgoing - incoming)
	seq       atomic.Uint64 // 1<<48 | incoming extended seq << 16 | outgoing seq, of the last packet sent; 0 before
	counts    atomic.Uint64 // packets << 32 | payload octets, sent so far (each mod 2^32)
}

// seqSent marks streamReport.seq as holding a packet.
const seqSent = 1 << 48

func newOutStream() outStream {
	var b [22]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	s := outStream{
		ssrc:   binary.BigEndian.Uint32(b[0:4]),
		seq:    binary.BigEndian.Uint16(b[4:6]),
		tsBase: binary.BigEndian.Uint32(b[6:10]),
	}
	s.report = &streamReport{ssrc: s.ssrc, cname: base64.RawURLEncoding.EncodeToString(b[10:22])}
	return s
}

// observe takes note of an incoming packet's header. It reports whether the packet starts a new
// source (an SSRC change after the first packet).
func (s *outStream) observe(h *rtp.Header) (changed bool) {
	switch {
	case !s.started:
		s.started = true
		s.tsOff = s.tsBase - h.Timestamp
		s.nextTS = s.tsBase
		s.inCycles = 0
	case h.SSRC != s.inSSRC:
		changed = true
		s.tsOff = s.nextTS - h.Timestamp
		s.inCycles = 0
	default:
		d := int16(h.SequenceNumber - s.lastSeq)
		if d > 1 && d < 100 {
			s.seq += uint16(d - 1)
		}
		if d <= 0 {
			return false
		}
		if h.SequenceNumber < s.lastSeq {
			s.inCycles += 1 << 16
		}
		s.lastSeq = h.SequenceNumber
		return false
	}
	s.inSSRC = h.SSRC
	s.lastSeq = h.SequenceNumber
	s.report.source.Store(uint64(s.inSSRC)<<32 | uint64(s.tsOff)) // rare: first packet, new SSRC
	s.report.hasSource.Store(true)
	return changed
}

// stamp fills h for the next outgoing packet whose first sample has incoming timestamp ts, which
// carries samples samples of audio (0 for an event) in octets payload octets.
func (s *outStream) stamp(h *rtp.Header, ts uint32, samples, octets int) {
	h.Version = 2
	h.SSRC = s.ssrc
	h.SequenceNumber = s.seq
	h.Timestamp = ts + s.tsOff
	s.seq++
	if samples > 0 {
		s.nextTS = h.Timestamp + uint32(samples)
	}
	s.packets++
	s.octets += uint32(octets)
	s.report.counts.Store(uint64(s.packets)<<32 | uint64(s.octets))
	s.report.seq.Store(seqSent | uint64(s.inCycles|uint32(s.lastSeq))<<16 | uint64(h.SequenceNumber))
}
