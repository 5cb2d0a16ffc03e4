package rfc4733

// Kind says whether an Event reports the start or the end of a key press.
type Kind uint8

// The event kinds. Every press gives exactly one KeyDown and, later, exactly one KeyUp.
const (
	KeyDown Kind = iota + 1 // the first packet of a press arrived
	KeyUp                   // the press ended; Press.Duration is final
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KeyDown:
		return "key-down"
	case KeyUp:
		return "key-up"
	}
	return "unknown"
}

// EndReason says how the receiver learnt that a press had ended.
type EndReason uint8

// The end reasons. A KeyDown event carries EndNone.
const (
	EndNone    EndReason = iota // the press is still going on
	EndPacket                   // a packet with the E bit arrived
	EndTimeout                  // no packet of the press arrived within the timeout (all end packets lost)
	EndNext                     // a packet of a later event arrived before any end packet
	EndFlush                    // the caller flushed the receiver (stream stopped or changed source)
)

// String names the reason.
func (r EndReason) String() string {
	switch r {
	case EndNone:
		return "none"
	case EndPacket:
		return "end-packet"
	case EndTimeout:
		return "timeout"
	case EndNext:
		return "next-event"
	case EndFlush:
		return "flush"
	}
	return "unknown"
}

// Press is one key press (or other telephone event) as the receiver knows it.
type Press struct {
	Key       byte      // '0'-'9', '*', '#', 'A'-'D'; 0 for events that are not keypad keys (flash, ...)
	Event     uint8     // the RFC 4733 event code
	Timestamp uint32    // RTP timestamp of the start of the press
	Duration  uint32    // length in RTP timestamp units, summed over the segments of a long press
	Volume    uint8     // the last volume reported: the level is −Volume dBm0
	End       EndReason // how the press ended; EndNone while it goes on
}

// Event is what the receiver reports: the start or the end of a press.
type Event struct {
	Kind  Kind
	Press Press
}
