package media

import "sync/atomic"

// LegStats counts what arrived on one leg's sockets and what became of it. Each counter has one
// writer (the leg's read loop), so counting costs no contention.
type LegStats struct {
	Received    uint64 // RTP packets read from the leg's socket, whatever became of them
	Forwarded   uint64 // packets sent on to the other leg (audio and events)
	Inserted    uint64 // audio packets the relay made up (mask audio for RFC 4733 events)
	Masked      uint64 // RFC 4733 packets kept from the other leg by masking
	Malformed   uint64 // not RTP version 2, truncated, bad padding or extension, empty or oversize audio, bad event payload
	UnknownPT   uint64 // a payload type the leg did not negotiate
	WrongSource uint64 // from an address other than the latched (or expected) source
	Late        uint64 // audio already covered by what the relay sent (late, duplicate)
	SSRCChanges uint64 // times the leg's SSRC changed mid-call
	RTCP        uint64 // RTCP datagrams read from the leg's RTCP socket, whatever became of them
	LateMasks   uint64 // in-band presses recognised after their onset had left the look-ahead
	LostKeys    uint64 // keys not delivered because OnKey fell 64 keys behind

	RTCPForwarded   uint64 // RTCP datagrams translated and sent to the other leg
	RTCPMalformed   uint64 // RTCP datagrams that are not well-formed compound RTCP (dropped)
	RTCPWrongSource uint64 // RTCP datagrams from an address other than the latched (or expected) one
	RTCPDropped     uint64 // RTCP with nothing to forward (only APP, XR, feedback) or no address for the other leg yet
}

// counters are the live LegStats of a leg.
type counters struct {
	received, forwarded, inserted, masked, malformed, unknownPT atomic.Uint64
	wrongSource, late, ssrcChanges, rtcp, lateMasks, lostKeys   atomic.Uint64
	rtcpForwarded, rtcpMalformed, rtcpWrongSource, rtcpDropped  atomic.Uint64
}

func (c *counters) snapshot() LegStats {
	return LegStats{
		Received: c.received.Load(), Forwarded: c.forwarded.Load(), Inserted: c.inserted.Load(),
		Masked: c.masked.Load(), Malformed: c.malformed.Load(), UnknownPT: c.unknownPT.Load(),
		WrongSource: c.wrongSource.Load(), Late: c.late.Load(), SSRCChanges: c.ssrcChanges.Load(),
		RTCP: c.rtcp.Load(), LateMasks: c.lateMasks.Load(), LostKeys: c.lostKeys.Load(),
		RTCPForwarded: c.rtcpForwarded.Load(), RTCPMalformed: c.rtcpMalformed.Load(),
		RTCPWrongSource: c.rtcpWrongSource.Load(), RTCPDropped: c.rtcpDropped.Load(),
	}
}

// Stats is a snapshot of both legs' counters.
type Stats struct {
	Caller, Agent LegStats
}
