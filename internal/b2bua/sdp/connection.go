package sdp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Connection returns the address of the media section m: its own c= line, else the session's.
// A "c=IN IP4 0.0.0.0" (the old way of putting a call on hold) is returned as it is.
func (s *Session) Connection(m *Media) (netip.Addr, error) {
	for _, lines := range [][]string{m.Lines, s.Lines} {
		for _, l := range lines {
			if v, ok := strings.CutPrefix(l, "c="); ok {
				return parseConnection(v)
			}
		}
	}
	return netip.Addr{}, errors.New("no c= line")
}

// parseConnection parses "IN IP4 192.0.2.1" (a TTL or count suffix is ignored). Host names are
// not resolved: they are refused.
func parseConnection(v string) (netip.Addr, error) {
	f := strings.Fields(v)
	if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return netip.Addr{}, errors.New("c= line: want IN IP4|IP6 address")
	}
	host, _, _ := strings.Cut(f[2], "/")
	a, err := netip.ParseAddr(host)
	if err != nil || a.Is4() != (f[1] == "IP4") {
		return netip.Addr{}, errors.New("c= line: address")
	}
	return a, nil
}

// connectionLine renders a c= line for addr.
func connectionLine(addr netip.Addr) string {
	if addr.Is4() || addr.Is4In6() {
		return "c=IN IP4 " + addr.Unmap().String()
	}
	return "c=IN IP6 " + addr.String()
}

// Origin is what hushpay writes in the o= line of the SDP it sends on one leg: the session ID
// stays the same for the leg's whole dialog and the version goes up with every new offer or
// answer (RFC 3264 section 8).
type Origin struct {
	SessionID uint64
	Version   uint64
}

// Anchor points every media section of s at addr: the session's c= line, each section's c=
// line, and the o= line (with origin's IDs). Each active section's port is set by port(index);
// a=rtcp lines, which would name the peer's RTCP port, are removed so the default (RTP port + 1)
// applies, and so are a=rtcp-mux and a=rtcp-mux-only: the relay takes RTCP on its own port per leg,
// so neither leg may agree to multiplex RTCP on the RTP port through hushpay. Call it on a copy of
// the peer's SDP before sending it to the other leg.
func (s *Session) Anchor(addr netip.Addr, origin Origin, port func(i int) int) {
	conn := connectionLine(addr)
	netType := strings.TrimPrefix(conn, "c=")
	hasSessionConn := false
	for i, l := range s.Lines {
		switch {
		case strings.HasPrefix(l, "o="):
			s.Lines[i] = fmt.Sprintf("o=hushpay %d %d %s", origin.SessionID, origin.Version, netType)
		case strings.HasPrefix(l, "c="):
			s.Lines[i] = conn
			hasSessionConn = true
		}
	}
	for i, m := range s.Media {
		if m.Port != 0 {
			m.Port = port(i)
		}
		kept := m.Lines[:0]
		hasConn := false
		for _, l := range m.Lines {
			switch {
			case strings.HasPrefix(l, "c="):
				l, hasConn = conn, true
			case strings.HasPrefix(l, "a=rtcp:"), l == "a=rtcp-mux", l == "a=rtcp-mux-only":
				continue
			}
			kept = append(kept, l)
		}
		m.Lines = kept
		if !hasSessionConn && !hasConn {
			m.Lines = append([]string{conn}, m.Lines...)
		}
	}
}
