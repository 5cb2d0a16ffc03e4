package media

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/pion/rtp"
)

// outStream is the RTP identity of one outgoing direction: the relay's own SSRC, sequence space
// and timestamp base. Incoming timestamps map to outgoing ones by a constant offset, re-based on
// an SSRC change so that the outgoing timeline runs on where it stopped. Outgoing sequence
// numbers count the packets the relay sends, plus the gaps the incoming stream showed (so the far
// end's loss concealment still sees loss); packets the relay drops or inserts leave no gap.
type outStream struct {
	ssrc    uint32
	seq     uint16
	tsBase  uint32 // the first outgoing timestamp
	tsOff   uint32 // outgoing = incoming + tsOff
	inSSRC  uint32
	lastSeq uint16
	started bool
	nextTS  uint32 // outgoing timestamp just after the last audio sent
}

func newOutStream() outStream {
	var b [10]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return outStream{
		ssrc:   binary.BigEndian.Uint32(b[0:4]),
		seq:    binary.BigEndian.Uint16(b[4:6]),
		tsBase: binary.BigEndian.Uint32(b[6:10]),
	}
}

// observe takes note of an incoming packet's header. It reports whether the packet starts a new
// source (an SSRC change after the first packet).
func (s *outStream) observe(h *rtp.Header) (changed bool) {
	switch {
	case !s.started:
		s.started = true
		s.tsOff = s.tsBase - h.Timestamp
		s.nextTS = s.tsBase
	case h.SSRC != s.inSSRC:
		changed = true
		s.tsOff = s.nextTS - h.Timestamp
	default:
		if d := int16(h.SequenceNumber - s.lastSeq); d > 1 && d < 100 {
			s.seq += uint16(d - 1)
		}
		if int16(h.SequenceNumber-s.lastSeq) <= 0 {
			return false
		}
	}
	s.inSSRC = h.SSRC
	s.lastSeq = h.SequenceNumber
	return changed
}

// stamp fills h for the next outgoing packet whose first sample has incoming timestamp ts and
// which carries samples samples of audio (0 for an event).
func (s *outStream) stamp(h *rtp.Header, ts uint32, samples int) {
	h.Version = 2
	h.SSRC = s.ssrc
	h.SequenceNumber = s.seq
	h.Timestamp = ts + s.tsOff
	s.seq++
	if samples > 0 {
		s.nextTS = h.Timestamp + uint32(samples)
	}
}
