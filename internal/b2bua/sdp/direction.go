package sdp

import "strings"

// Direction is a media section's direction attribute (RFC 3264 section 5.1): what a party says
// about its own sending and receiving. Hold is a re-offer with sendonly (or inactive).
type Direction string

// The directions.
const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

var directions = []Direction{SendRecv, SendOnly, RecvOnly, Inactive}

// Direction returns the section's direction: its own attribute, else the session's, else
// sendrecv. A connection address of 0.0.0.0 with no attribute (hold the RFC 2543 way) reads as
// sendonly.
func (s *Session) Direction(m *Media) Direction {
	for _, lines := range [][]string{m.Lines, s.Lines} {
		for _, l := range lines {
			for _, d := range directions {
				if l == "a="+string(d) {
					return d
				}
			}
		}
	}
	if a, err := s.Connection(m); err == nil && a.IsUnspecified() {
		return SendOnly
	}
	return SendRecv
}

// SetDirection writes d as the section's only direction attribute and removes the session-level
// one, so the section says exactly d.
func (s *Session) SetDirection(m *Media, d Direction) {
	s.Lines = withoutDirection(s.Lines)
	m.Lines = append(withoutDirection(m.Lines), "a="+string(d))
}

func withoutDirection(lines []string) []string {
	out := lines[:0]
	for _, l := range lines {
		if !isDirection(l) {
			out = append(out, l)
		}
	}
	return out
}

func isDirection(l string) bool {
	for _, d := range directions {
		if strings.TrimSpace(l) == "a="+string(d) {
			return true
		}
	}
	return false
}

// Answer returns the direction an answerer that is willing to do anything replies to an offer
// of d with (RFC 3264 section 6.1).
func (d Direction) Answer() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	}
	return SendRecv
}
