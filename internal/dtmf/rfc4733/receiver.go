package rfc4733

import (
	"errors"
	"time"

	"github.com/pion/rtp"
)

// DefaultTimeout is how long a press may go without any packet before the receiver ends it. A
// sender refreshes a press at least every 50 ms (RFC 4733 section 2.5.1.2 recommends the audio
// packet interval, commonly 20 to 50 ms), so 300 ms is five lost or late updates in a row: long
// enough not to cut a press in two on a lossy network, short enough that a press whose three end
// packets were all lost still ends about when the caller let go.
const DefaultTimeout = 300 * time.Millisecond

// maxDuration is the largest duration a payload can carry; a longer press continues as a new
// segment (RFC 4733 section 2.5.1.3).
const maxDuration = 0xFFFF

// ReceiverConfig configures a Receiver.
type ReceiverConfig struct {
	// PayloadType is the telephone-event payload type negotiated in SDP for this stream. Packets
	// with another payload type are ignored.
	PayloadType uint8
	// ClockRate is the RTP clock rate of the telephone-event stream (SDP "telephone-event/8000");
	// 0 means 8000.
	ClockRate uint32
	// Timeout ends a press that has had no packet for this long; 0 means DefaultTimeout.
	Timeout time.Duration
}

// ErrNotTelephoneEvent is returned by ReceiveRTP for a packet whose payload type is not the
// configured telephone-event payload type.
var ErrNotTelephoneEvent = errors.New("rfc4733: not a telephone-event packet")

// Receiver follows the telephone events of one RTP stream and reports each press exactly once:
// a KeyDown when its first packet arrives (whether or not that packet is the marked start packet)
// and a KeyUp when it ends, by an end packet, by a later event, by timeout or by Flush.
//
// Packets are matched to presses by their RTP timestamp, which RFC 4733 fixes for the whole
// event: updates, duplicates, the three end packets and packets reordered behind a newer event
// change nothing once their press is reported. A press longer than the 16-bit duration field
// continues in segments with a later timestamp and no marker bit (section 2.5.1.3); the
// receiver joins them into one press with the total duration.
//
// A Receiver has no goroutines or timers: call Tick with the current time (for example on every
// audio packet or on a 20 ms ticker owned by the caller) to end presses whose end packets were
// lost. It is not safe for concurrent use; use one per stream.
type Receiver struct {
	cfg  ReceiverConfig
	pkt  rtp.Packet // scratch for ReceiveRTP
	ssrc uint32

	seen   bool   // a telephone event has been seen on this stream
	active bool   // press is going on
	segTS  uint32 // RTP timestamp of the newest segment seen
	segDur uint32 // the largest duration seen in that segment
	before uint32 // the duration of the press's earlier segments
	last   time.Time
	press  Press

	hasPress bool // press holds a press of this stream, current or ended
	// The press before that one, by its last segment's timestamp and its event code.
	prevValid bool
	prevTS    uint32
	prevEvent uint8
}

// NewReceiver returns a receiver for one stream.
func NewReceiver(cfg ReceiverConfig) *Receiver {
	if cfg.ClockRate == 0 {
		cfg.ClockRate = 8000
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Receiver{cfg: cfg}
}

// PayloadType returns the telephone-event payload type the receiver accepts.
func (r *Receiver) PayloadType() uint8 { return r.cfg.PayloadType }

// Active reports whether a press is going on, and which.
func (r *Receiver) Active() (Press, bool) { return r.press, r.active }

// ReceiveRTP parses a whole RTP packet and passes it to Receive. It returns ErrNotTelephoneEvent
// for another payload type, so that a caller can hand every packet of a stream here first.
func (r *Receiver) ReceiveRTP(now time.Time, packet []byte, fn func(Event)) error {
	if err := r.pkt.Unmarshal(packet); err != nil {
		return err
	}
	if r.pkt.PayloadType != r.cfg.PayloadType {
		return ErrNotTelephoneEvent
	}
	return r.Receive(now, &r.pkt.Header, r.pkt.Payload, fn)
}

// Receive handles one telephone-event packet that arrived at now, with its parsed RTP header and
// payload, calling fn for each press that starts or ends. A packet of another payload type is
// ignored. A malformed payload is an error and changes nothing.
func (r *Receiver) Receive(now time.Time, h *rtp.Header, payload []byte, fn func(Event)) error {
	if h.PayloadType != r.cfg.PayloadType {
		return nil
	}
	n, err := Blocks(payload)
	if err != nil {
		return err
	}
	r.Tick(now, fn)
	if r.seen && h.SSRC != r.ssrc {
		r.Flush(fn)
	}
	r.ssrc = h.SSRC
	ts := h.Timestamp
	for i := 0; i < n; i++ {
		var p Payload
		_ = p.Unmarshal(payload[i*PayloadSize:])
		r.block(now, ts, h.Marker && i == 0, p, fn)
		// Packed events follow one another: the next one starts where this one ends.
		ts += uint32(p.Duration)
	}
	return nil
}

// Tick ends the current press if no packet of it has arrived for the timeout.
func (r *Receiver) Tick(now time.Time, fn func(Event)) {
	if r.active && now.Sub(r.last) >= r.cfg.Timeout {
		r.end(EndTimeout, fn)
	}
}

// Flush ends the current press, if any, and forgets the stream's history, as when the stream
// stops or its source changes.
func (r *Receiver) Flush(fn func(Event)) {
	if r.active {
		r.end(EndFlush, fn)
	}
	r.seen = false
	r.hasPress = false
	r.prevValid = false
}

// Reset forgets everything without reporting anything.
func (r *Receiver) Reset() {
	cfg := r.cfg
	*r = Receiver{cfg: cfg}
}

func (r *Receiver) block(now time.Time, ts uint32, marker bool, p Payload, fn func(Event)) {
	if !r.seen {
		r.seen = true
		r.begin(ts, p, fn)
	} else if !r.route(ts, marker, p, fn) {
		return
	}
	r.last = now
	if p.End && r.active {
		r.end(EndPacket, fn)
	}
}

// route applies a packet of a stream that has seen events before; it reports false for a packet
// that belongs to an already reported past (a duplicate, a late update, a stale end packet).
func (r *Receiver) route(ts uint32, marker bool, p Payload, fn func(Event)) bool {
	d := int32(ts - r.segTS)
	switch {
	case d == 0 && p.Event == r.press.Event:
		if !r.active {
			return false // a duplicate or late packet of a press already ended
		}
		r.update(p)
	case d == 0:
		// Another event on the same timestamp breaks RFC 4733, but some gateways do it for
		// consecutive keys: taking it as a new press beats losing a digit. A late packet of the
		// press before, on that same timestamp, must not come back as a phantom press.
		if r.prevValid && r.prevTS == ts && r.prevEvent == p.Event {
			return false
		}
		if r.active {
			r.end(EndNext, fn)
		}
		r.begin(ts, p, fn)
	case d < 0 && -int64(d) <= r.reorderWindow():
		return false // an earlier event or segment, delivered late
	case r.active && r.continues(uint32(d), marker, p):
		r.before += uint32(d)
		r.segTS = ts
		r.segDur = 0
		r.update(p)
	default:
		if r.active {
			r.end(EndNext, fn)
		}
		r.begin(ts, p, fn)
	}
	return true
}

// reorderWindow is how far back, in timestamp units, a packet is taken as late rather than as a
// sign that the sender's clock jumped: ten seconds.
func (r *Receiver) reorderWindow() int64 { return 10 * int64(r.cfg.ClockRate) }

// continues reports whether a packet d units after the current segment is the next segment of a
// long press: same event, no marker, and starting where the current segment reached (or could
// have reached, if its last updates were lost) the largest duration.
func (r *Receiver) continues(d uint32, marker bool, p Payload) bool {
	if marker || p.Event != r.press.Event || d > maxDuration || d < r.segDur {
		return false
	}
	return d == r.segDur || r.segDur+r.cfg.ClockRate >= maxDuration
}

func (r *Receiver) begin(ts uint32, p Payload, fn func(Event)) {
	if r.hasPress {
		r.prevValid, r.prevTS, r.prevEvent = true, r.segTS, r.press.Event
	}
	r.hasPress = true
	key, _ := KeyOf(p.Event)
	r.active = true
	r.segTS = ts
	r.segDur = 0
	r.before = 0
	r.press = Press{Key: key, Event: p.Event, Timestamp: ts}
	r.update(p)
	fn(Event{Kind: KeyDown, Press: r.press})
}

func (r *Receiver) update(p Payload) {
	if d := uint32(p.Duration); d > r.segDur {
		r.segDur = d
	}
	r.press.Duration = r.before + r.segDur
	r.press.Volume = p.Volume
}

func (r *Receiver) end(reason EndReason, fn func(Event)) {
	r.active = false
	r.press.End = reason
	fn(Event{Kind: KeyUp, Press: r.press})
}
