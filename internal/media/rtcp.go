package media

import (
	"encoding/binary"

	"github.com/pion/rtcp"
)

// RTCP between the legs (RFC 3550 §6, docs/media.md "RTCP").
//
// The relay is not a transparent translator: towards each leg it sends an RTP stream of its own
// (its SSRC, sequence numbers and timestamps; packets dropped and made up while masking). So the
// RTCP one leg sends cannot be forwarded as it is. rtcpTranslator rebuilds it, per compound
// packet, as what the relay would say about the stream the other leg receives:
//
//	from leg X                            to leg Y
//	SR  sender = X's RTP SSRC             SR  sender = relay's SSRC towards Y
//	    NTP, RTP ts (X's timeline)            NTP as is, RTP ts + the stream's timestamp offset
//	    X's packet and octet counts           packets and payload octets the relay sent to Y
//	    block about relay's SSRC to X         block about Y's own SSRC, highest seq in Y's space
//	RR  sender = any                      RR  sender = relay's SSRC towards Y, same block rule
//	SDES (CNAME, NAME, PHONE, ...)        SDES one chunk: relay's SSRC towards Y, relay's CNAME
//	BYE naming X's source                 BYE relay's SSRC towards Y, no reason text
//	APP, XR, RTPFB/PSFB, unknown          not forwarded
//
// An SR whose sender is not the RTP source the relay currently takes from X (none yet, or an
// old one after an SSRC change) has no timestamp mapping, so it goes on as an RR. Report blocks
// about any SSRC other than the relay's towards X are dropped: X receives nothing else from the
// relay. LSR/DLSR, loss and jitter pass unchanged, so the NTP time of Y's SR, which reaches X as
// is, comes back to Y in X's LSR and Y measures the round trip through the relay.
//
// The output is always a compound packet in RFC 3550 order (SR or RR first, then SDES, then BYE);
// it never carries bytes of the input other than the numeric fields above.

// rtcpOutMax bounds a translated compound packet: SR with one block (52), SDES with the relay's
// 16-character CNAME (28), BYE (8).
const rtcpOutMax = 128

// Sizes of the RTCP parts the translator writes (RFC 3550 §6.4-6.6).
const (
	rtcpHeaderLen = 4
	srLen         = rtcpHeaderLen + 24 // header, sender SSRC, NTP, RTP ts, packets, octets
	rrLen         = rtcpHeaderLen + 4  // header, sender SSRC
	blockLen      = 24
	byeLen        = rtcpHeaderLen + 4
)

// rtcpTranslator rebuilds the RTCP that one leg sends for the other leg. It is owned by the
// goroutine that reads the leg's RTCP socket; its buffers are reused, so translating allocates
// nothing once they have grown to the largest compound seen.
type rtcpTranslator struct {
	fwd  *streamReport // the stream the relay makes of this leg's RTP, towards the other leg
	back *streamReport // the stream the relay sends to this leg, made of the other leg's RTP

	raws  []rtcp.RawPacket
	ssrcs []uint32
	sr    rtcp.SenderReport
	rr    rtcp.ReceiverReport
	out   [rtcpOutMax]byte
}

func newRTCPTranslator(fwd, back *streamReport) *rtcpTranslator {
	return &rtcpTranslator{fwd: fwd, back: back}
}

// rtcpSummary is what translate keeps of an incoming compound packet.
type rtcpSummary struct {
	report   bool // an SR or RR was seen; the first one's sender is the reporter
	reporter uint32
	sender   bool // the first report was an SR
	ntp      uint64
	rtpTime  uint32
	block    bool // a report block about the relay's stream to this leg was seen
	rb       rtcp.ReceptionReport
	sdes     bool
	bye      bool
	byeSSRC  [31]uint32
	byeCount int
}

// translate returns the compound packet to send to the other leg for pkt, which this leg sent,
// or nil when nothing in it is forwarded (only APP, XR, feedback or unknown packets). A datagram
// that is not a well-formed compound RTCP packet gives an error (pion's, which never quotes the
// datagram) and nothing is sent. The result is t's buffer, valid until the next call.
func (t *rtcpTranslator) translate(pkt []byte) ([]byte, error) {
	var sum rtcpSummary
	if err := t.parse(pkt, &sum); err != nil {
		return nil, err
	}
	if !sum.report && !sum.sdes && !sum.bye {
		return nil, nil
	}
	n := t.writeReport(&sum)
	if sum.sdes {
		n += writeSDES(t.out[n:], t.fwd.ssrc, t.fwd.cname)
	}
	if sum.bye && t.byeNamesSource(&sum) {
		n += writeBYE(t.out[n:], t.fwd.ssrc)
	}
	return t.out[:n], nil
}

// parse checks every packet of the compound and notes what translate needs.
func (t *rtcpTranslator) parse(pkt []byte, sum *rtcpSummary) error {
	raws, err := rtcp.AppendRawPackets(t.raws[:0], pkt)
	t.raws = raws
	if err != nil {
		return err
	}
	for _, raw := range raws {
		// Checks the structure of every packet type pion knows, without allocating.
		if t.ssrcs, err = raw.ParseDestinationSSRC(t.ssrcs[:0]); err != nil {
			return err
		}
		switch raw.Header().Type {
		case rtcp.TypeSenderReport:
			t.sr.Reports, t.sr.ProfileExtensions = t.sr.Reports[:0], nil
			if err := t.sr.Unmarshal(raw); err != nil {
				return err
			}
			if !sum.report {
				sum.report, sum.reporter, sum.sender = true, t.sr.SSRC, true
				sum.ntp, sum.rtpTime = t.sr.NTPTime, t.sr.RTPTime
			}
			t.noteBlocks(sum, t.sr.Reports)
		case rtcp.TypeReceiverReport:
			t.rr.Reports, t.rr.ProfileExtensions = t.rr.Reports[:0], nil
			if err := t.rr.Unmarshal(raw); err != nil {
				return err
			}
			if !sum.report {
				sum.report, sum.reporter = true, t.rr.SSRC
			}
			t.noteBlocks(sum, t.rr.Reports)
		case rtcp.TypeSourceDescription:
			sum.sdes = true
		case rtcp.TypeGoodbye:
			sum.bye = true
			for _, s := range t.ssrcs {
				if sum.byeCount < len(sum.byeSSRC) {
					sum.byeSSRC[sum.byeCount] = s
					sum.byeCount++
				}
			}
		}
	}
	return nil
}

// noteBlocks keeps the first report block about the relay's stream to this leg.
func (t *rtcpTranslator) noteBlocks(sum *rtcpSummary, blocks []rtcp.ReceptionReport) {
	for _, b := range blocks {
		if !sum.block && b.SSRC == t.back.ssrc {
			sum.block, sum.rb = true, b
		}
	}
}

// byeNamesSource reports whether the BYE names this leg: its reporting SSRC or the RTP source
// the relay takes from it.
func (t *rtcpTranslator) byeNamesSource(sum *rtcpSummary) bool {
	src, ok := currentSource(t.fwd)
	for _, s := range sum.byeSSRC[:sum.byeCount] {
		if (sum.report && s == sum.reporter) || (ok && s == uint32(src>>32)) {
			return true
		}
	}
	return false
}

// currentSource returns the stream's incoming SSRC << 32 | timestamp offset, once it has one.
func currentSource(s *streamReport) (uint64, bool) {
	if !s.hasSource.Load() {
		return 0, false
	}
	return s.source.Load(), true
}

// writeReport writes the leading SR or RR into t.out and returns its length.
//
//	SR: |V=2|P|RC| PT=200 | length | relay's SSRC | NTP (2 words) | RTP ts | packets | octets | block
//	RR: |V=2|P|RC| PT=201 | length | relay's SSRC | block
func (t *rtcpTranslator) writeReport(sum *rtcpSummary) int {
	b := t.out[:]
	var rb rtcp.ReceptionReport
	blocks := 0
	if sum.block {
		if tr, ok := t.translateBlock(sum.rb); ok {
			rb, blocks = tr, 1
		}
	}
	src, ok := currentSource(t.fwd)
	n := rrLen
	if sum.sender && ok && uint32(src>>32) == sum.reporter {
		counts := t.fwd.counts.Load()
		n = srLen
		putRTCPHeader(b, blocks, rtcp.TypeSenderReport, n+blocks*blockLen)
		binary.BigEndian.PutUint64(b[8:], sum.ntp)
		binary.BigEndian.PutUint32(b[16:], sum.rtpTime+uint32(src))
		binary.BigEndian.PutUint32(b[20:], uint32(counts>>32))
		binary.BigEndian.PutUint32(b[24:], uint32(counts))
	} else {
		putRTCPHeader(b, blocks, rtcp.TypeReceiverReport, n+blocks*blockLen)
	}
	binary.BigEndian.PutUint32(b[4:], t.fwd.ssrc)
	if blocks == 1 {
		putBlock(b[n:], &rb)
		n += blockLen
	}
	return n
}

// translateBlock turns a block about the relay's stream to this leg into one about the other
// leg's own stream: its SSRC, and the highest sequence number mapped into its sequence space
// through the last packet the relay forwarded. It fails before the relay has forwarded any.
func (t *rtcpTranslator) translateBlock(rb rtcp.ReceptionReport) (rtcp.ReceptionReport, bool) {
	src, ok := currentSource(t.back)
	seq := t.back.seq.Load()
	if !ok || seq&seqSent == 0 {
		return rb, false
	}
	inExt, outSeq := uint32(seq>>16), uint16(seq)
	behind := int16(outSeq - uint16(rb.LastSequenceNumber))
	rb.SSRC = uint32(src >> 32)
	rb.LastSequenceNumber = inExt - uint32(int32(behind))
	return rb, true
}

// putRTCPHeader writes an RTCP header for a packet of size bytes (a multiple of 4).
//
//	|V=2|P|  count  |      PT       |   length (32-bit words - 1)   |
func putRTCPHeader(b []byte, count int, typ rtcp.PacketType, size int) {
	b[0] = 2<<6 | byte(count)
	b[1] = byte(typ)
	binary.BigEndian.PutUint16(b[2:], uint16(size/4-1))
}

// putBlock writes a reception report block (RFC 3550 §6.4.1).
//
//	| SSRC | fraction lost (8) cumulative lost (24) | ext. highest seq | jitter | LSR | DLSR |
func putBlock(b []byte, rb *rtcp.ReceptionReport) {
	binary.BigEndian.PutUint32(b[0:], rb.SSRC)
	binary.BigEndian.PutUint32(b[4:], uint32(rb.FractionLost)<<24|rb.TotalLost&0xffffff)
	binary.BigEndian.PutUint32(b[8:], rb.LastSequenceNumber)
	binary.BigEndian.PutUint32(b[12:], rb.Jitter)
	binary.BigEndian.PutUint32(b[16:], rb.LastSenderReport)
	binary.BigEndian.PutUint32(b[20:], rb.Delay)
}

// writeSDES writes an SDES packet with one chunk, ssrc's CNAME, and returns its length.
//
//	|V=2|P| SC=1 | PT=202 | length | SSRC | CNAME=1 | len | text ... | 0 (end) | padding to 32 bits
func writeSDES(b []byte, ssrc uint32, cname string) int {
	n := rtcpHeaderLen + 4 + 2 + len(cname) + 1
	n += (4 - n%4) % 4
	clear(b[:n])
	putRTCPHeader(b, 1, rtcp.TypeSourceDescription, n)
	binary.BigEndian.PutUint32(b[4:], ssrc)
	b[8], b[9] = byte(rtcp.SDESCNAME), byte(len(cname))
	copy(b[10:], cname)
	return n
}

// writeBYE writes a BYE for ssrc, without a reason, and returns its length.
//
//	|V=2|P| SC=1 | PT=203 | length | SSRC |
func writeBYE(b []byte, ssrc uint32) int {
	putRTCPHeader(b, 1, rtcp.TypeGoodbye, byeLen)
	binary.BigEndian.PutUint32(b[4:], ssrc)
	return byeLen
}
