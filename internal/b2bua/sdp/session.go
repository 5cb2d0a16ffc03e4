package sdp

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Limits on what Parse accepts, so that a hostile body costs little.
const (
	// MaxSize is the largest SDP body accepted, in bytes.
	MaxSize = 16 << 10
	// MaxLines is the most lines a body may have.
	MaxLines = 512
	// MaxMedia is the most m= sections a body may have.
	MaxMedia = 16
	// maxFormats is the most formats one m= line may list.
	maxFormats = 64
)

// ErrMalformed is wrapped by every error Parse returns. The error names the line kind at fault,
// never the line's text.
var ErrMalformed = errors.New("sdp: malformed")

// Session is a parsed SDP body: the session-level lines and the media sections, in order.
//
//	v=0                                   <- session-level lines (Lines)
//	o=- 1 1 IN IP4 192.0.2.1
//	s=-
//	c=IN IP4 192.0.2.1
//	t=0 0
//	m=audio 49170 RTP/AVP 0 8 101         <- one Media per m= line
//	a=rtpmap:101 telephone-event/8000     <- its lines (Media.Lines)
//	a=fmtp:101 0-15
type Session struct {
	// Lines are the session-level lines ("v=0", "o=…", …) without line ends.
	Lines []string
	// Media are the m= sections.
	Media []*Media
}

// Media is one m= section.
type Media struct {
	Kind    string   // "audio", "video", …
	Port    int      // 0 means the stream is rejected or disabled
	Proto   string   // "RTP/AVP", …
	Formats []string // payload types (or other format tokens) in order of preference
	Lines   []string // the lines after the m= line (c=, b=, a=, …)
}

// Parse parses an SDP body. Line ends may be CRLF or LF.
func Parse(body []byte) (*Session, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("%w: body larger than %d bytes", ErrMalformed, MaxSize)
	}
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > MaxLines {
		return nil, fmt.Errorf("%w: more than %d lines", ErrMalformed, MaxLines)
	}
	if len(lines) == 0 || lines[0] != "v=0" {
		return nil, fmt.Errorf("%w: first line is not v=0", ErrMalformed)
	}
	s := &Session{}
	for i, line := range lines {
		if err := checkLine(line); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrMalformed, i+1, err)
		}
		if line[0] == 'm' {
			m, err := parseMediaLine(line[2:])
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrMalformed, i+1, err)
			}
			if len(s.Media) == MaxMedia {
				return nil, fmt.Errorf("%w: more than %d media sections", ErrMalformed, MaxMedia)
			}
			s.Media = append(s.Media, m)
			continue
		}
		if n := len(s.Media); n > 0 {
			s.Media[n-1].Lines = append(s.Media[n-1].Lines, line)
		} else {
			s.Lines = append(s.Lines, line)
		}
	}
	if err := s.checkConnections(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkLine accepts "x=value" with x a lower-case letter and no control characters.
func checkLine(line string) error {
	if len(line) < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z' {
		return errors.New("not of the form x=value")
	}
	for i := 2; i < len(line); i++ {
		if c := line[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return fmt.Errorf("%c= line: control character", line[0])
		}
	}
	return nil
}

// parseMediaLine parses the value of an m= line: "audio 49170 RTP/AVP 0 8 101".
func parseMediaLine(v string) (*Media, error) {
	f := strings.Fields(v)
	if len(f) < 3 {
		return nil, errors.New("m= line: want media, port, proto and formats")
	}
	portText, _, _ := strings.Cut(f[1], "/") // "port/count": the count is not used
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, errors.New("m= line: port")
	}
	if len(f)-3 > maxFormats {
		return nil, errors.New("m= line: too many formats")
	}
	return &Media{Kind: f[0], Port: port, Proto: f[2], Formats: f[3:]}, nil
}

// checkConnections makes sure every active media section has a valid connection address.
func (s *Session) checkConnections() error {
	for i, m := range s.Media {
		if m.Port == 0 {
			continue
		}
		if _, err := s.Connection(m); err != nil {
			return fmt.Errorf("%w: media %d: %v", ErrMalformed, i+1, err)
		}
	}
	return nil
}

// Bytes renders the session with CRLF line ends.
func (s *Session) Bytes() []byte {
	var b bytes.Buffer
	for _, l := range s.Lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	for _, m := range s.Media {
		fmt.Fprintf(&b, "m=%s %d %s", m.Kind, m.Port, m.Proto)
		for _, f := range m.Formats {
			b.WriteString(" ")
			b.WriteString(f)
		}
		b.WriteString("\r\n")
		for _, l := range m.Lines {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}

// Clone returns a deep copy.
func (s *Session) Clone() *Session {
	c := &Session{Lines: append([]string(nil), s.Lines...)}
	for _, m := range s.Media {
		mc := *m
		mc.Formats = append([]string(nil), m.Formats...)
		mc.Lines = append([]string(nil), m.Lines...)
		c.Media = append(c.Media, &mc)
	}
	return c
}

// Audio returns the first audio section that is not disabled (port 0), or nil.
func (s *Session) Audio() *Media {
	for _, m := range s.Media {
		if m.Kind == "audio" && m.Port != 0 {
			return m
		}
	}
	return nil
}
