package rfc4733

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// PayloadSize is the size in bytes of one telephone-event block.
const PayloadSize = 4

// MaxVolume is the quietest volume a payload can carry: −63 dBm0.
const MaxVolume = 63

// Errors returned by the payload codec.
var (
	ErrShortPayload  = errors.New("rfc4733: telephone-event payload shorter than 4 bytes")
	ErrPayloadLength = errors.New("rfc4733: telephone-event payload length not a multiple of 4")
	ErrShortBuffer   = errors.New("rfc4733: buffer too short")
	ErrVolume        = errors.New("rfc4733: volume above 63")
)

// Payload is one telephone-event block (RFC 4733 section 2.3):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// event: the event code (0-9, 10 = *, 11 = #, 12-15 = A-D, 16 = flash, ...).
// E: set in the final packets of an event. R: reserved; senders send 0, receivers ignore it.
// volume: the power level of the tone, 0 to 63, meaning 0 to −63 dBm0.
// duration: how long the event has lasted so far, in RTP timestamp units, counted from the
// packet's RTP timestamp (the start of the event or of the current segment of a long event).
type Payload struct {
	Event    uint8
	End      bool
	Reserved bool
	Volume   uint8 // 0 to 63: the level is −Volume dBm0
	Duration uint16
}

const (
	endBit      = 0x80
	reservedBit = 0x40
	volumeMask  = 0x3f
)

// Unmarshal decodes the first block of buf. It returns ErrShortPayload if buf holds less than one
// block; further blocks (RFC 4733 section 2.5.1.5) are left to the caller, see Blocks.
func (p *Payload) Unmarshal(buf []byte) error {
	if len(buf) < PayloadSize {
		return ErrShortPayload
	}
	p.Event = buf[0]
	p.End = buf[1]&endBit != 0
	p.Reserved = buf[1]&reservedBit != 0
	p.Volume = buf[1] & volumeMask
	p.Duration = binary.BigEndian.Uint16(buf[2:4])
	return nil
}

// MarshalSize returns the encoded size of p.
func (p Payload) MarshalSize() int { return PayloadSize }

// MarshalTo encodes p into buf and returns the number of bytes written.
func (p Payload) MarshalTo(buf []byte) (int, error) {
	if len(buf) < PayloadSize {
		return 0, ErrShortBuffer
	}
	if p.Volume > MaxVolume {
		return 0, ErrVolume
	}
	b1 := p.Volume
	if p.End {
		b1 |= endBit
	}
	if p.Reserved {
		b1 |= reservedBit
	}
	buf[0] = p.Event
	buf[1] = b1
	binary.BigEndian.PutUint16(buf[2:4], p.Duration)
	return PayloadSize, nil
}

// Marshal encodes p into a new slice.
func (p Payload) Marshal() ([]byte, error) {
	buf := make([]byte, PayloadSize)
	_, err := p.MarshalTo(buf)
	return buf, err
}

// String describes the block for debugging; event codes are not secret on their own but callers
// on a secure path should not log payloads at all.
func (p Payload) String() string {
	return fmt.Sprintf("event=%d end=%t volume=-%d duration=%d", p.Event, p.End, p.Volume, p.Duration)
}

// Blocks checks that buf is a whole number of telephone-event blocks (at least one) and returns
// how many there are. A sender may pack several consecutive events into one packet (RFC 4733
// section 2.5.1.5); block i starts at offset i*PayloadSize.
func Blocks(buf []byte) (int, error) {
	if len(buf) < PayloadSize {
		return 0, ErrShortPayload
	}
	if len(buf)%PayloadSize != 0 {
		return 0, ErrPayloadLength
	}
	return len(buf) / PayloadSize, nil
}
