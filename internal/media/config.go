package media

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
)

// Codec is a leg's audio codec. The relay decodes and re-encodes only G.711.
type Codec uint8

// The codecs the relay understands.
const (
	PCMU Codec = iota + 1 // G.711 μ-law, static payload type 0
	PCMA                  // G.711 A-law, static payload type 8
)

// String returns the codec's SDP encoding name.
func (c Codec) String() string {
	switch c {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	}
	return "Codec(?)"
}

// MaskMode is what the agent gets in place of a key press while the call is secure.
type MaskMode uint8

// The mask modes (HUSHPAY_MASK_MODE).
const (
	// MaskTone replaces every key press, in-band or RFC 4733, with the neutral 500 Hz tone for as
	// long as the key is pressed.
	MaskTone MaskMode = iota + 1
	// MaskSilence replaces every key press with silence.
	MaskSilence
	// MaskDrop drops RFC 4733 events (the agent's stream has a timestamp gap); in-band presses are
	// replaced by silence.
	MaskDrop
)

// ParseMaskMode parses "tone", "silence" or "drop".
func ParseMaskMode(s string) (MaskMode, error) {
	switch s {
	case "tone":
		return MaskTone, nil
	case "silence":
		return MaskSilence, nil
	case "drop":
		return MaskDrop, nil
	}
	return 0, errors.New("media: mask mode: want tone, silence or drop")
}

// MaskScope says when the relay masks.
type MaskScope uint8

// The mask scopes (HUSHPAY_MASK_SCOPE).
const (
	// ScopeSecure masks while the owner has Secure on, until a press in progress has ended, and
	// for a one-second hang-over after that.
	ScopeSecure MaskScope = iota + 1
	// ScopeAlways masks every call from its first packet.
	ScopeAlways
)

// ParseMaskScope parses "secure" or "always".
func ParseMaskScope(s string) (MaskScope, error) {
	switch s {
	case "secure":
		return ScopeSecure, nil
	case "always":
		return ScopeAlways, nil
	}
	return 0, errors.New("media: mask scope: want secure or always")
}

// Leg is what SDP negotiated for one leg.
type Leg struct {
	// Remote is the address the leg's SDP named for RTP. Its IP is the only source accepted for
	// the leg (see docs/media.md, "Symmetric RTP"); an unspecified IP (0.0.0.0, ::) accepts the
	// first source that sends.
	Remote netip.AddrPort
	// Codec and AudioPT are the leg's audio codec and the payload type it carries.
	Codec   Codec
	AudioPT uint8
	// EventPT is the telephone-event payload type the leg negotiated (96-127), or 0 when it
	// negotiated none. Never assume 101.
	EventPT uint8
	// Passthrough lists the payload types of other codecs this leg may send (G.722, comfort
	// noise, ...) and the other leg's payload type for each. They are relayed untouched outside
	// secure mode; in secure mode, which needs audio it can decode, they are dropped (counted in
	// Masked), so the B2BUA narrows the offer to G.711 when a payment may need the audio.
	Passthrough []PTMap
}

// PTMap maps a payload type of this leg to the other leg's payload type for the same codec.
type PTMap struct{ From, To uint8 }

// passthrough returns the other leg's payload type for pt, if pt is a passthrough codec.
func (l *Leg) passthrough(pt uint8) (uint8, bool) {
	for _, m := range l.Passthrough {
		if m.From == pt {
			return m.To, true
		}
	}
	return 0, false
}

func (l Leg) validate(name string) error {
	if l.Codec != PCMU && l.Codec != PCMA {
		return fmt.Errorf("media: %s leg: codec: want PCMU or PCMA", name)
	}
	if l.AudioPT > 127 {
		return fmt.Errorf("media: %s leg: audio payload type: want 0-127", name)
	}
	if l.EventPT != 0 && (l.EventPT < 96 || l.EventPT > 127 || l.EventPT == l.AudioPT) {
		return fmt.Errorf("media: %s leg: telephone-event payload type: want 96-127, not the audio one", name)
	}
	for _, m := range l.Passthrough {
		if m.From > 127 || m.To > 127 || m.From == l.AudioPT || (l.EventPT != 0 && m.From == l.EventPT) {
			return fmt.Errorf("media: %s leg: passthrough payload type: want 0-127, not the audio or event one", name)
		}
	}
	if !l.Remote.Addr().IsValid() {
		return fmt.Errorf("media: %s leg: remote address missing", name)
	}
	return nil
}

// Config configures a Relay.
type Config struct {
	// Ports hands out the two legs' port pairs; required.
	Ports *PortAllocator
	// BindIP is the local address both legs' sockets bind to; the zero value means 127.0.0.1.
	BindIP netip.Addr
	// Mode and Scope default to MaskTone and ScopeSecure.
	Mode  MaskMode
	Scope MaskScope
	// OnKey receives each key the caller presses, once, on a goroutine of the relay that is not
	// the packet path, in order. It must not log the key. Nil discards keys.
	OnKey func(key byte)
	// Logger gets the relay's lifecycle lines (never a digit); nil discards them.
	Logger *slog.Logger
	// Loop, when set, serves the relay's sockets from the loop's one goroutine (epoll and
	// recvmmsg, shared with every other relay on it) instead of four goroutines of the relay's
	// own. The per-packet handling is the same; with many calls it costs less CPU per packet.
	Loop *Loop
}

func (c *Config) setDefaults() error {
	if c.Ports == nil {
		return errors.New("media: config: Ports required")
	}
	if !c.BindIP.IsValid() {
		c.BindIP = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	if c.Mode == 0 {
		c.Mode = MaskTone
	}
	if c.Scope == 0 {
		c.Scope = ScopeSecure
	}
	if c.OnKey == nil {
		c.OnKey = func(byte) {}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}
