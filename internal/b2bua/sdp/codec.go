package sdp

import (
	"slices"
	"strconv"
	"strings"
)

// Codec is one format of a media section: its payload type and what its a=rtpmap (or the static
// payload type table of RFC 3551) says it is.
type Codec struct {
	PT       uint8
	Name     string // encoding name as written, e.g. "PCMU", "telephone-event", "opus"
	ClockHz  int
	Channels string // the optional encoding parameters ("2" for stereo), as written
	Fmtp     string // the a=fmtp value after the payload type, if any
}

// staticCodecs are the audio payload types that need no a=rtpmap (RFC 3551 table 4, the ones a
// telephone network uses).
var staticCodecs = map[uint8]Codec{
	0:  {PT: 0, Name: "PCMU", ClockHz: 8000},
	3:  {PT: 3, Name: "GSM", ClockHz: 8000},
	4:  {PT: 4, Name: "G723", ClockHz: 8000},
	8:  {PT: 8, Name: "PCMA", ClockHz: 8000},
	9:  {PT: 9, Name: "G722", ClockHz: 8000},
	18: {PT: 18, Name: "G729", ClockHz: 8000},
}

// Codecs returns the section's formats that are RTP payload types, in the order the section
// lists them, with their rtpmap and fmtp. A dynamic payload type without a=rtpmap has an empty
// Name.
func (m *Media) Codecs() []Codec {
	out := make([]Codec, 0, len(m.Formats))
	for _, f := range m.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		c, ok := staticCodecs[uint8(pt)]
		if !ok {
			c = Codec{PT: uint8(pt)}
		}
		if v, ok := formatAttr(m.Lines, "rtpmap", f); ok {
			c = parseRtpmap(uint8(pt), v, c)
		}
		if v, ok := formatAttr(m.Lines, "fmtp", f); ok {
			c.Fmtp = v
		}
		out = append(out, c)
	}
	return out
}

// formatAttr returns the value of the first "a=name:format value" line.
func formatAttr(lines []string, name, format string) (string, bool) {
	prefix := "a=" + name + ":" + format + " "
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, prefix); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// parseRtpmap reads "NAME/RATE[/PARAMS]"; a malformed value
// leaves c as it was.
func parseRtpmap(pt uint8, v string, c Codec) Codec {
	name, rest, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok || name == "" {
		return c
	}
	rate, params, _ := strings.Cut(rest, "/")
	hz, err := strconv.Atoi(rate)
	if err != nil || hz <= 0 {
		return c
	}
	return Codec{PT: pt, Name: name, ClockHz: hz, Channels: params}
}

// IsG711 reports whether c is PCMU or PCMA at 8 kHz.
func (c Codec) IsG711() bool {
	return c.ClockHz == 8000 && (strings.EqualFold(c.Name, "PCMU") || strings.EqualFold(c.Name, "PCMA"))
}

// IsTelephoneEvent reports whether c is RFC 4733 telephone-event at 8 kHz.
func (c Codec) IsTelephoneEvent() bool {
	return c.ClockHz == 8000 && strings.EqualFold(c.Name, "telephone-event")
}

// G711 returns the first G.711 codec the section lists, and whether there is one.
func (m *Media) G711() (Codec, bool) {
	for _, c := range m.Codecs() {
		if c.IsG711() {
			return c, true
		}
	}
	return Codec{}, false
}

// TelephoneEvent returns the section's 8 kHz telephone-event codec, and whether there is one.
func (m *Media) TelephoneEvent() (Codec, bool) {
	for _, c := range m.Codecs() {
		if c.IsTelephoneEvent() {
			return c, true
		}
	}
	return Codec{}, false
}

// Keep removes every payload type for which keep returns false, with its rtpmap and fmtp
// lines. Format tokens that are not payload types are kept.
func (m *Media) Keep(keep func(Codec) bool) {
	drop := map[string]bool{}
	for _, c := range m.Codecs() {
		if !keep(c) {
			drop[strconv.Itoa(int(c.PT))] = true
		}
	}
	formats := m.Formats[:0]
	for _, f := range m.Formats {
		if !drop[f] {
			formats = append(formats, f)
		}
	}
	m.Formats = formats
	lines := m.Lines[:0]
	for _, l := range m.Lines {
		if !drop[formatOfAttr(l)] {
			lines = append(lines, l)
		}
	}
	m.Lines = lines
}

// formatOfAttr returns the payload type an a=rtpmap or a=fmtp line is about, or "".
func formatOfAttr(line string) string {
	for _, p := range []string{"a=rtpmap:", "a=fmtp:"} {
		if rest, ok := strings.CutPrefix(line, p); ok {
			pt, _, _ := strings.Cut(rest, " ")
			return pt
		}
	}
	return ""
}

// NarrowToG711 keeps only G.711 and telephone-event in the section: what the relay needs when it
// must read the audio to capture and mask key presses. It reports false, leaving the section
// as it was, when the section offers no G.711 at all.
func (m *Media) NarrowToG711() bool {
	if _, ok := m.G711(); !ok {
		return false
	}
	m.Keep(func(c Codec) bool { return c.IsG711() || c.IsTelephoneEvent() })
	return true
}

// Select keeps only the given audio payload type and, when event is not zero, that
// telephone-event payload type, in that order: the answer to an offer that listed them.
func (m *Media) Select(audio, event uint8) {
	m.Keep(func(c Codec) bool { return c.PT == audio || (event != 0 && c.PT == event) })
	if len(m.Formats) > 1 && m.Formats[0] != strconv.Itoa(int(audio)) {
		m.Formats[0], m.Formats[1] = m.Formats[1], m.Formats[0]
	}
}

// Renumber gives payload type from the number to instead, in the format list and in its rtpmap
// and fmtp lines: a re-offer keeps the numbers a leg already uses (RFC 3264 section 8.3.2). It
// reports false, changing nothing, when from is not listed or to is already taken.
func (m *Media) Renumber(from, to uint8) bool {
	f, t := strconv.Itoa(int(from)), strconv.Itoa(int(to))
	if from == to || !slices.Contains(m.Formats, f) || slices.Contains(m.Formats, t) {
		return false
	}
	for i, x := range m.Formats {
		if x == f {
			m.Formats[i] = t
		}
	}
	for i, l := range m.Lines {
		if formatOfAttr(l) != f {
			continue
		}
		name, rest, _ := strings.Cut(l, ":")
		_, value, _ := strings.Cut(rest, " ")
		m.Lines[i] = name + ":" + t + " " + value
	}
	return true
}
