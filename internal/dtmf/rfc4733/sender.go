package rfc4733

import (
	"errors"

	"github.com/pion/rtp"
)

// EndPackets is how many times a sender sends the final packet of an event (RFC 4733 section
// 2.5.1.4), so that a press ends cleanly even if one or two of them are lost.
const EndPackets = 3

// Errors returned by the Sender.
var (
	ErrUnknownKey = errors.New("rfc4733: not a keypad key")
	ErrPressed    = errors.New("rfc4733: a key is already pressed")
	ErrNotPressed = errors.New("rfc4733: no key is pressed")
)

// SenderConfig configures a Sender.
type SenderConfig struct {
	PayloadType uint8  // the telephone-event payload type negotiated for the stream
	SSRC        uint32 // the stream's synchronization source
	ClockRate   uint32 // RTP clock rate; 0 means 8000
	// Interval is the spacing of update packets in timestamp units; 0 means 50 ms.
	Interval uint32
	// Volume is the level reported for every press: −Volume dBm0; 0 means 10 (−10 dBm0).
	Volume uint8
}

type senderState uint8

const (
	senderIdle senderState = iota
	senderStarting
	senderPressed
	senderEnding
)

// Sender produces the telephone-event packets of one RTP stream: for each press a start packet
// with the marker bit, updates with a growing duration, and the final packet three times. A press
// longer than the 16-bit duration field is carried in segments (RFC 4733 section 2.5.1.3): the
// segment's last packet reports 0xFFFF and the next segment starts at that timestamp, unmarked.
//
// The caller owns the clock: KeyDown and KeyUp take the media timestamp of the press's edges, and
// Next, called at least once per Interval (typically once per audio packet time), writes the
// packet due at that timestamp, if any. Sequence numbers increase by one per packet; when the
// events share a stream with audio, SetSequence keeps the two in step. It is not safe for
// concurrent use.
type Sender struct {
	cfg      SenderConfig
	seq      uint16
	state    senderState
	event    uint8
	segTS    uint32 // timestamp of the current segment
	lastSent uint32 // timestamp at which the last update was sent
	endDur   uint16
	endsLeft int
	marker   bool // the next packet is the event's first
}

// NewSender returns a sender whose first packet has sequence number firstSeq.
func NewSender(cfg SenderConfig, firstSeq uint16) *Sender {
	if cfg.ClockRate == 0 {
		cfg.ClockRate = 8000
	}
	if cfg.Interval == 0 {
		cfg.Interval = cfg.ClockRate / 20
	}
	if cfg.Volume == 0 {
		cfg.Volume = 10
	}
	if cfg.Volume > MaxVolume {
		cfg.Volume = MaxVolume
	}
	return &Sender{cfg: cfg, seq: firstSeq}
}

// Sequence returns the sequence number of the next packet.
func (s *Sender) Sequence() uint16 { return s.seq }

// SetSequence sets the sequence number of the next packet.
func (s *Sender) SetSequence(seq uint16) { s.seq = seq }

// Busy reports whether a press is going on or its end packets are still to be sent.
func (s *Sender) Busy() bool { return s.state != senderIdle }

// KeyDown starts a press of key at media timestamp ts. The next call to Next sends its start
// packet. A press still going on, or whose end packets are still due, is an error.
func (s *Sender) KeyDown(key byte, ts uint32) error {
	if s.state != senderIdle {
		return ErrPressed
	}
	ev, ok := EventOf(key)
	if !ok {
		return ErrUnknownKey
	}
	s.event = ev
	s.segTS = ts
	s.lastSent = ts
	s.marker = true
	s.state = senderStarting
	return nil
}

// KeyUp ends the press at media timestamp ts; the next EndPackets calls to Next send its final
// packet.
func (s *Sender) KeyUp(ts uint32) error {
	if s.state != senderStarting && s.state != senderPressed {
		return ErrNotPressed
	}
	elapsed := ts - s.segTS
	for elapsed > maxDuration { // Next was not called often enough to roll over: do it here
		s.segTS += maxDuration
		elapsed -= maxDuration
	}
	s.endDur = uint16(elapsed)
	s.endsLeft = EndPackets
	s.state = senderEnding
	return nil
}

// Next writes into buf the packet due at media timestamp now and returns its length, or 0 when no
// packet is due (no press, or the last update is more recent than Interval).
func (s *Sender) Next(now uint32, buf []byte) (int, error) {
	switch s.state {
	case senderStarting:
		s.state = senderPressed
		return s.update(now, buf)
	case senderPressed:
		if now-s.segTS >= maxDuration || now-s.lastSent >= s.cfg.Interval {
			return s.update(now, buf)
		}
	case senderEnding:
		n, err := s.write(buf, Payload{Event: s.event, End: true, Volume: s.cfg.Volume, Duration: s.endDur})
		if err != nil {
			return 0, err
		}
		if s.endsLeft--; s.endsLeft == 0 {
			s.state = senderIdle
		}
		return n, nil
	}
	return 0, nil
}

// update sends the running duration, closing the segment at 0xFFFF and moving to the next one.
func (s *Sender) update(now uint32, buf []byte) (int, error) {
	elapsed := now - s.segTS
	if elapsed >= maxDuration {
		n, err := s.write(buf, Payload{Event: s.event, Volume: s.cfg.Volume, Duration: maxDuration})
		if err == nil {
			s.segTS += maxDuration
			s.lastSent = now
		}
		return n, err
	}
	n, err := s.write(buf, Payload{Event: s.event, Volume: s.cfg.Volume, Duration: uint16(elapsed)})
	if err == nil {
		s.lastSent = now
	}
	return n, err
}

func (s *Sender) write(buf []byte, p Payload) (int, error) {
	h := rtp.Header{
		Version:        2,
		Marker:         s.marker,
		PayloadType:    s.cfg.PayloadType,
		SequenceNumber: s.seq,
		Timestamp:      s.segTS,
		SSRC:           s.cfg.SSRC,
	}
	if len(buf) < h.MarshalSize()+PayloadSize {
		return 0, ErrShortBuffer
	}
	n, err := h.MarshalTo(buf)
	if err != nil {
		return 0, err
	}
	m, err := p.MarshalTo(buf[n:])
	if err != nil {
		return 0, err
	}
	s.marker = false
	s.seq++
	return n + m, nil
}

// AppendPress appends to dst the whole packet sequence of a press of key that starts at media
// timestamp ts and lasts duration timestamp units: the start packet, an update every Interval and
// the final packet EndPackets times. It is for tests and demonstrations; a live stream drives
// KeyDown, Next and KeyUp from its own clock.
func (s *Sender) AppendPress(dst [][]byte, key byte, ts, duration uint32) ([][]byte, error) {
	if err := s.KeyDown(key, ts); err != nil {
		return dst, err
	}
	emit := func(now uint32) error {
		buf := make([]byte, 12+PayloadSize)
		n, err := s.Next(now, buf)
		if n > 0 {
			dst = append(dst, buf[:n])
		}
		return err
	}
	for off := uint32(0); off < duration; off += s.cfg.Interval {
		if err := emit(ts + off); err != nil {
			return dst, err
		}
	}
	if err := s.KeyUp(ts + duration); err != nil {
		return dst, err
	}
	for s.Busy() {
		if err := emit(ts + duration); err != nil {
			return dst, err
		}
	}
	return dst, nil
}
