package sdp

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

const offer = "v=0\r\n" +
	"o=caller 53655765 2353687637 IN IP4 192.0.2.10\r\n" +
	"s=-\r\n" +
	"c=IN IP4 192.0.2.10\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 96 0 8 97 18\r\n" +
	"a=rtpmap:96 opus/48000/2\r\n" +
	"a=fmtp:96 useinbandfec=1\r\n" +
	"a=rtpmap:97 telephone-event/8000\r\n" +
	"a=fmtp:97 0-16\r\n" +
	"a=rtcp:49999\r\n" +
	"a=rtcp-mux\r\n" +
	"a=x-unknown:kept as is\r\n" +
	"a=sendrecv\r\n"

func mustParse(t *testing.T, body string) *Session {
	t.Helper()
	s, err := Parse([]byte(body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

func TestParseReadsCodecsAddressAndDirection(t *testing.T) {
	s := mustParse(t, offer)
	m := s.Audio()
	if m == nil || m.Port != 49170 {
		t.Fatalf("audio section: %+v", m)
	}
	addr, err := s.Connection(m)
	if err != nil || addr != netip.MustParseAddr("192.0.2.10") {
		t.Fatalf("connection = %v, %v", addr, err)
	}
	var names []string
	for _, c := range m.Codecs() {
		names = append(names, c.Name)
	}
	if want := []string{"opus", "PCMU", "PCMA", "telephone-event", "G729"}; !slices.Equal(names, want) {
		t.Errorf("codecs = %v, want %v", names, want)
	}
	if te, ok := m.TelephoneEvent(); !ok || te.PT != 97 || te.Fmtp != "0-16" {
		t.Errorf("telephone-event = %+v, %v", te, ok)
	}
	if g, ok := m.G711(); !ok || g.PT != 0 {
		t.Errorf("first G.711 = %+v, %v", g, ok)
	}
	if d := s.Direction(m); d != SendRecv {
		t.Errorf("direction = %s", d)
	}
}

func TestRoundTripKeepsUnknownLines(t *testing.T) {
	if got := string(mustParse(t, offer).Bytes()); got != offer {
		t.Errorf("round trip changed the body:\n%s", got)
	}
	lf := strings.ReplaceAll(offer, "\r\n", "\n")
	if got := string(mustParse(t, lf).Bytes()); got != offer {
		t.Errorf("LF body not rendered with CRLF:\n%s", got)
	}
}

func TestNarrowToG711(t *testing.T) {
	s := mustParse(t, offer)
	m := s.Audio()
	if !m.NarrowToG711() {
		t.Fatal("NarrowToG711 refused an offer with PCMU")
	}
	if want := []string{"0", "8", "97"}; !slices.Equal(m.Formats, want) {
		t.Errorf("formats = %v, want %v", m.Formats, want)
	}
	body := string(s.Bytes())
	for _, gone := range []string{"opus", "useinbandfec"} {
		if strings.Contains(body, gone) {
			t.Errorf("narrowed body still has %q", gone)
		}
	}
	for _, kept := range []string{"a=rtpmap:97 telephone-event/8000", "a=fmtp:97 0-16", "a=x-unknown:kept as is"} {
		if !strings.Contains(body, kept) {
			t.Errorf("narrowed body lost %q", kept)
		}
	}
}

func TestNarrowRefusesWithoutG711(t *testing.T) {
	s := mustParse(t, "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n")
	if s.Audio().NarrowToG711() {
		t.Error("NarrowToG711 accepted an offer with only opus")
	}
	if got := s.Audio().Formats; !slices.Equal(got, []string{"96"}) {
		t.Errorf("refused narrowing changed the formats: %v", got)
	}
}

func TestSelectAnswersWithTheOffersPayloadTypes(t *testing.T) {
	s := mustParse(t, offer)
	m := s.Audio()
	m.Select(8, 97)
	if want := []string{"8", "97"}; !slices.Equal(m.Formats, want) {
		t.Errorf("formats = %v, want %v", m.Formats, want)
	}
}

func TestRenumberKeepsALegsPayloadType(t *testing.T) {
	s := mustParse(t, offer)
	m := s.Audio()
	if !m.Renumber(97, 101) {
		t.Fatal("Renumber refused a free payload type")
	}
	if te, ok := m.TelephoneEvent(); !ok || te.PT != 101 || te.Fmtp != "0-16" {
		t.Errorf("telephone-event after renumbering = %+v, %v", te, ok)
	}
	if m.Renumber(101, 0) {
		t.Error("Renumber took a payload type already in use")
	}
	if m.Renumber(55, 56) {
		t.Error("Renumber changed a payload type that is not listed")
	}
}

func TestAnchorPointsMediaAtHushpay(t *testing.T) {
	s := mustParse(t, offer)
	s.Anchor(netip.MustParseAddr("127.0.0.1"), Origin{SessionID: 7, Version: 3}, func(int) int { return 20000 })
	body := string(s.Bytes())
	for _, want := range []string{"o=hushpay 7 3 IN IP4 127.0.0.1\r\n", "c=IN IP4 127.0.0.1\r\n", "m=audio 20000 RTP/AVP"} {
		if !strings.Contains(body, want) {
			t.Errorf("anchored body lacks %q:\n%s", want, body)
		}
	}
	for _, gone := range []string{"192.0.2.10", "a=rtcp:", "a=rtcp-mux"} {
		if strings.Contains(body, gone) {
			t.Errorf("anchored body still has %q", gone)
		}
	}
}

func TestDirection(t *testing.T) {
	base := "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n%sm=audio 4000 RTP/AVP 0\r\n%s"
	tests := []struct {
		name, conn, session, media string
		want                       Direction
	}{
		{"no attribute means sendrecv", "192.0.2.1", "", "", SendRecv},
		{"media attribute wins", "192.0.2.1", "a=sendrecv\r\n", "a=sendonly\r\n", SendOnly},
		{"session attribute applies", "192.0.2.1", "a=inactive\r\n", "", Inactive},
		{"0.0.0.0 is hold", "0.0.0.0", "", "", SendOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(strings.Replace(strings.Replace(base, "%s", tt.conn, 1), "%s", tt.session, 1), "%s", tt.media, 1)
			s := mustParse(t, body)
			if got := s.Direction(s.Audio()); got != tt.want {
				t.Errorf("Direction = %s, want %s", got, tt.want)
			}
			s.SetDirection(s.Audio(), RecvOnly)
			if got := s.Direction(s.Audio()); got != RecvOnly {
				t.Errorf("after SetDirection(recvonly): %s", got)
			}
		})
	}
	if SendOnly.Answer() != RecvOnly || Inactive.Answer() != Inactive || SendRecv.Answer() != SendRecv {
		t.Error("Answer does not mirror the offer")
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ""},
		{"no version", "o=- 1 1 IN IP4 192.0.2.1\r\n"},
		{"line without equals", "v=0\r\ngarbage\r\n"},
		{"bad port", "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 99999 RTP/AVP 0\r\n"},
		{"short m line", "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000\r\n"},
		{"no connection", "v=0\r\nm=audio 4000 RTP/AVP 0\r\n"},
		{"host name connection", "v=0\r\nc=IN IP4 example.com\r\nm=audio 4000 RTP/AVP 0\r\n"},
		{"control character", "v=0\r\ns=\x00\r\n"},
		{"too large", "v=0\r\n" + strings.Repeat("a=x\r\n", MaxSize/5+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, want ErrMalformed", err)
			}
		})
	}
}

// FuzzSDP checks that Parse never panics and that what it accepts renders to a body it accepts
// again, unchanged, and survives the rewrites the B2BUA does.
func FuzzSDP(f *testing.F) {
	f.Add([]byte(offer))
	f.Add([]byte("v=0\nc=IN IP6 ::1\nm=audio 0 RTP/AVP 0\nm=video 5000 RTP/AVP 31\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := Parse(body)
		if err != nil {
			return
		}
		again, err := Parse(s.Bytes())
		if err != nil {
			t.Fatalf("rendered body does not parse: %v", err)
		}
		if string(again.Bytes()) != string(s.Bytes()) {
			t.Fatal("render is not stable")
		}
		if m := s.Audio(); m != nil {
			m.NarrowToG711()
			s.SetDirection(m, s.Direction(m).Answer())
			s.Anchor(netip.MustParseAddr("127.0.0.1"), Origin{1, 2}, func(int) int { return 20000 })
			if _, err := Parse(s.Bytes()); err != nil {
				t.Fatalf("rewritten body does not parse: %v", err)
			}
		}
	})
}
