// Package rfc4733 encodes and decodes RFC 4733 telephone-event payloads (keypad digits carried as
// RTP packets rather than as tones), tracks the events of one RTP stream with a receive state
// machine that reports each key press exactly once, and produces the packet sequence of a key
// press for sending.
//
// The RTP header is github.com/pion/rtp's; this package owns only the telephone-event payload and
// the event semantics on top of it. The telephone-event payload type is configuration (whatever
// SDP negotiated), never a constant.
//
// Everything here is a pure function of the packets and the times it is handed: no goroutines, no
// timers, no sockets. The per-packet paths (Payload.Unmarshal, Payload.MarshalTo, Receiver.Receive)
// do not allocate. This package must not import net, net/http, SIP or any hushpay service package.
package rfc4733
