// Package media relays the RTP audio of one call between its two legs (the caller's and the
// agent's), captures the caller's keypad digits on the way (RFC 4733 telephone-events and in-band
// tones) and masks them towards the agent while the call is secure.
//
// It owns the media port range (PortAllocator), the per-call relay (Relay: one UDP socket pair
// per leg, symmetric RTP and RTCP latching, payload type mapping, sequence and timestamp
// continuity towards each leg, RTCP rebuilt for the stream each leg receives), digit capture with cross-transport de-duplication, and masking with a short
// look-ahead on the caller-to-agent direction, and the optional shared Loop that serves many
// relays' sockets from one goroutine (epoll and recvmmsg, Linux). docs/media.md explains the
// design; docs/benchmarks-media.md holds the load figures.
//
// It knows nothing of SIP, SDP text, HTTP, payments or the store: its owner (the B2BUA) hands it
// the negotiated addresses and payload types, flips Secure, and receives digits through
// Config.OnKey. It must not import net/http, any SIP library or any hushpay service package; it
// builds on internal/dtmf, internal/dtmf/rfc4733, internal/g711, github.com/pion/rtp,
// github.com/pion/rtcp and golang.org/x/sys/unix.
package media
