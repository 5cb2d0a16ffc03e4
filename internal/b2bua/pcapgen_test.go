package b2bua_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/g711"
)

// The caller's pcaps are written here rather than with a packet library: sipp's play_pcap_audio
// needs only classic libpcap records of Ethernet/IPv4/UDP frames, which is a few dozen lines, and
// the RTP inside is marshalled by pion/rtp.

// frameSamples is one 20 ms G.711 frame at 8 kHz.
const frameSamples = 160

// rtpStream builds one caller's RTP stream, packet by packet, with pcap timestamps 20 ms apart.
type rtpStream struct {
	codecPT, eventPT uint8
	seq              uint16
	ts               uint32
	at               time.Duration // pcap time of the next packet
	packets          []timedPacket
}

// timedPacket is one RTP packet and when, from the start of the capture, it is sent.
type timedPacket struct {
	at  time.Duration
	rtp []byte
}

func newRTPStream(codecPT, eventPT uint8) *rtpStream {
	return &rtpStream{codecPT: codecPT, eventPT: eventPT, seq: 1000, ts: 8000}
}

// add marshals one packet at the current pcap time, with the next sequence number.
func (s *rtpStream) add(t testing.TB, pt uint8, marker bool, ts uint32, payload []byte) {
	t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: s.seq,
		Timestamp: ts, SSRC: 0x5A1BB}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	s.packets = append(s.packets, timedPacket{at: s.at, rtp: b})
	s.seq++
}

// audio appends samples as 20 ms frames in the stream's G.711 codec (PT 0 PCMU or 8 PCMA).
func (s *rtpStream) audio(t testing.TB, samples []int16) {
	t.Helper()
	for off := 0; off+frameSamples <= len(samples); off += frameSamples {
		payload := make([]byte, frameSamples)
		if s.codecPT == 8 {
			g711.EncodeALawTo(payload, samples[off:off+frameSamples])
		} else {
			g711.EncodeULawTo(payload, samples[off:off+frameSamples])
		}
		s.add(t, s.codecPT, false, s.ts, payload)
		s.ts += frameSamples
		s.at += 20 * time.Millisecond
	}
}

// keyAudio appends each key as in-band tones (internal/dtmf's generator, 80 ms on, 80 ms off).
func (s *rtpStream) keyAudio(t testing.TB, keys string) {
	t.Helper()
	tones, err := dtmf.Generate(keys, dtmf.DefaultGenOptions())
	if err != nil {
		t.Fatal(err)
	}
	s.audio(t, tones)
}

// keyEvents appends each key as an RFC 4733 event of 100 ms (a packet every 20 ms, the end packet
// sent three times) followed by 100 ms of silence. With inBand, every event packet is paired with
// an audio packet carrying the same key's tones, as a phone that sends both at once.
func (s *rtpStream) keyEvents(t testing.TB, keys string, inBand bool) {
	t.Helper()
	const eventFrames, gapFrames = 5, 5
	for i := range len(keys) {
		code := eventCode(t, keys[i])
		var tones []int16
		if inBand {
			var err error
			tones, err = dtmf.Generate(keys[i:i+1], dtmf.GenOptions{On: eventFrames * 20 * time.Millisecond, Level: -10})
			if err != nil {
				t.Fatal(err)
			}
		}
		start := s.ts
		for f := 1; f <= eventFrames+2; f++ {
			end := f >= eventFrames
			duration := uint16(min(f, eventFrames) * frameSamples)
			payload := []byte{code, 10, byte(duration >> 8), byte(duration)}
			if end {
				payload[1] |= 0x80
			}
			s.add(t, s.eventPT, f == 1, start, payload)
			if inBand && f <= eventFrames {
				s.audioFrameAt(t, tones[(f-1)*frameSamples:f*frameSamples], start+uint32(f-1)*frameSamples)
			}
			if f <= eventFrames {
				s.at += 20 * time.Millisecond
			}
		}
		s.ts = start + eventFrames*frameSamples
		s.audio(t, make([]int16, gapFrames*frameSamples))
	}
}

// audioFrameAt appends one audio frame at the given RTP timestamp and the current pcap time.
func (s *rtpStream) audioFrameAt(t testing.TB, frame []int16, ts uint32) {
	t.Helper()
	payload := make([]byte, frameSamples)
	if s.codecPT == 8 {
		g711.EncodeALawTo(payload, frame)
	} else {
		g711.EncodeULawTo(payload, frame)
	}
	s.add(t, s.codecPT, false, ts, payload)
}

// eventCode is the RFC 4733 event code of a keypad symbol.
func eventCode(t testing.TB, key byte) byte {
	t.Helper()
	switch {
	case key >= '0' && key <= '9':
		return key - '0'
	case key == '*':
		return 10
	case key == '#':
		return 11
	}
	t.Fatalf("no event code for key at hand")
	return 0
}

// tone440 is d of a 440 Hz sine at about -10 dBm0: ordinary audio that is not a DTMF key.
func tone440(d time.Duration) []int16 {
	n := int(d.Seconds() * 8000)
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/8000))
	}
	return out
}

// pcap returns the stream as a libpcap file of Ethernet/IPv4/UDP frames from 127.0.0.1:40000 to
// 127.0.0.1:40002 (sipp replaces both with the call's media addresses).
func (s *rtpStream) pcap() []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // LINKTYPE_ETHERNET
	b.Write(hdr)
	base := time.Unix(1700000000, 0)
	for _, p := range s.packets {
		frame := udpFrame(p.rtp)
		rec := make([]byte, 16)
		at := base.Add(p.at)
		le.PutUint32(rec[0:], uint32(at.Unix()))
		le.PutUint32(rec[4:], uint32(at.Nanosecond()/1000))
		le.PutUint32(rec[8:], uint32(len(frame)))
		le.PutUint32(rec[12:], uint32(len(frame)))
		b.Write(rec)
		b.Write(frame)
	}
	return b.Bytes()
}

// udpFrame wraps payload in Ethernet, IPv4 and UDP headers.
func udpFrame(payload []byte) []byte {
	be := binary.BigEndian
	eth := []byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00}
	ip := make([]byte, 20)
	ip[0] = 0x45
	be.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[8], ip[9] = 64, 17
	copy(ip[12:], []byte{127, 0, 0, 1})
	copy(ip[16:], []byte{127, 0, 0, 1})
	be.PutUint16(ip[10:], ipChecksum(ip))
	udp := make([]byte, 8)
	be.PutUint16(udp[0:], 40000)
	be.PutUint16(udp[2:], 40002)
	be.PutUint16(udp[4:], uint16(8+len(payload)))
	return append(append(append(eth, ip...), udp...), payload...)
}

// ipChecksum is the IPv4 header checksum (RFC 791).
func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}
