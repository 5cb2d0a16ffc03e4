package demo

import (
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/pion/rtp"

	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/g711"
)

// pcmuPT is the static RTP payload type of G.711 µ-law.
const pcmuPT = 0

// rtpOut is one phone's outgoing RTP stream: its socket, the peer named in SDP, and the
// stream's SSRC, sequence number and timestamp.
type rtpOut struct {
	conn    net.PacketConn
	to      *net.UDPAddr
	pkt     rtp.Packet
	buf     []byte
	payload []byte
}

func newRTPOut(conn net.PacketConn, to netip.AddrPort, ssrc uint32) *rtpOut {
	return &rtpOut{conn: conn, to: net.UDPAddrFromAddrPort(to),
		pkt:     rtp.Packet{Header: rtp.Header{Version: 2, SSRC: ssrc}},
		buf:     make([]byte, 1500),
		payload: make([]byte, frameSamples)}
}

// sendAudio sends one frame as PCMU with the next sequence number at timestamp ts.
func (o *rtpOut) sendAudio(frame []int16, ts uint32) error {
	g711.EncodeULawTo(o.payload, frame)
	o.pkt.PayloadType, o.pkt.Timestamp, o.pkt.Marker, o.pkt.Payload = pcmuPT, ts, false, o.payload
	n, err := o.pkt.MarshalTo(o.buf)
	if err != nil {
		return err
	}
	o.pkt.SequenceNumber++
	_, err = o.conn.WriteTo(o.buf[:n], o.to)
	return err
}

// sendRaw sends an already built packet (an RFC 4733 event from rfc4733.Sender).
func (o *rtpOut) sendRaw(packet []byte) error {
	_, err := o.conn.WriteTo(packet, o.to)
	return err
}

// recording keeps what a phone's RTP socket received, in arrival order.
type recording struct {
	mu      sync.Mutex
	audio   []int16 // PCMU payloads, decoded
	packets int     // every RTP packet
	events  int     // packets that were not PCMU: telephone-events
}

// add files one received datagram.
func (r *recording) add(b []byte) {
	var p rtp.Packet
	if p.Unmarshal(b) != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.packets++
	if p.PayloadType != pcmuPT {
		r.events++
		return
	}
	start := len(r.audio)
	r.audio = append(r.audio, make([]int16, len(p.Payload))...)
	g711.DecodeULawTo(r.audio[start:], p.Payload)
}

// snapshot returns a copy of what was received so far.
func (r *recording) snapshot() (audio []int16, packets, events int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.audio...), r.packets, r.events
}

// receive reads datagrams from conn into r until conn is closed.
func (r *recording) receive(conn net.PacketConn) {
	buf := make([]byte, 2048)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		r.add(buf[:n])
	}
}

// mediaTarget returns the RTP address, G.711 codec and telephone-event payload type an SDP body
// names; the phones only speak PCMU.
func mediaTarget(body []byte) (addr netip.AddrPort, eventPT uint8, err error) {
	s, err := sdp.Parse(body)
	if err != nil {
		return addr, 0, err
	}
	audio := s.Audio()
	if audio == nil || audio.Port == 0 {
		return addr, 0, fmt.Errorf("SDP has no audio stream")
	}
	if c, ok := audio.G711(); !ok || c.PT != pcmuPT {
		return addr, 0, fmt.Errorf("SDP does not choose PCMU")
	}
	ip, err := s.Connection(audio)
	if err != nil {
		return addr, 0, err
	}
	if ev, ok := audio.TelephoneEvent(); ok {
		eventPT = ev.PT
	}
	return netip.AddrPortFrom(ip, uint16(audio.Port)), eventPT, nil
}

// offerSDP is a phone's SDP: PCMU and telephone-event on PT 101, 20 ms packets.
func offerSDP(user string, port int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=%s 1 1 IN IP4 127.0.0.1\r\ns=hushpay demo\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n",
		user, port)
}
