package b2bua

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/media"
)

// Late (delayed) offer on the caller leg, RFC 3261 section 13.2.1 and RFC 3264: the caller's
// INVITE carries no SDP, so the offer must come in hushpay's first reliable non-failure
// response, the 2xx (hushpay does not do 100rel), and the answer in the caller's ACK.
//
// hushpay turns it into an early offer on the agent leg: the onward INVITE carries hushpay's own
// offer (localEventPT below, PCMU and PCMA: the relay decodes only G.711, which it must to capture
// and mask key presses). When the agent side answers 200, hushpay ACKs it and answers the caller
// with 200 carrying hushpay's offer for the caller leg: the G.711 codecs the agent side agreed to,
// plus telephone-event. The caller's ACK carries the answer; only then is the relay started with
// both legs. An ACK without a usable answer (or no ACK at all) fails the session: BYE on both legs.
//
// Early media: an unreliable 18x cannot carry the offer to the caller (RFC 3261 section 13.2.1,
// RFC 6337 section 3.1: without 100rel the offer is in the 2xx), so on a late-offer call hushpay
// relays 18x to the caller without a body and does not use the agent side's early SDP; the
// media starts with the final answer.

// localEventPT is the telephone-event payload type in the offers hushpay makes itself.
const localEventPT = 101

// errNoAnswer is why a late-offer call fails when the caller's ACK brings no usable answer.
var errNoAnswer = errors.New("b2bua: the caller's ACK carries no SDP answer to hushpay's offer")

// localOffer builds an offer of hushpay's own, anchored on local: one audio stream with codecs
// (G.711 encoding names, sent on their static payload types, in that order) and telephone-event
// on localEventPT, direction dir.
func localOffer(codecs []string, local netip.AddrPort, origin sdp.Origin, dir sdp.Direction) (*sdp.Session, error) {
	var formats []string
	var lines []string
	for _, name := range codecs {
		switch {
		case strings.EqualFold(name, "PCMU"):
			formats = append(formats, "0")
			lines = append(lines, "a=rtpmap:0 PCMU/8000")
		case strings.EqualFold(name, "PCMA"):
			formats = append(formats, "8")
			lines = append(lines, "a=rtpmap:8 PCMA/8000")
		}
	}
	if len(formats) == 0 {
		return nil, errNoG711
	}
	ev := fmt.Sprint(localEventPT)
	body := "v=0\r\no=hushpay 0 0 IN IP4 0.0.0.0\r\ns=hushpay\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" +
		"m=audio 9 RTP/AVP " + strings.Join(formats, " ") + " " + ev + "\r\n" +
		strings.Join(lines, "\r\n") + "\r\n" +
		"a=rtpmap:" + ev + " telephone-event/8000\r\na=fmtp:" + ev + " 0-16\r\na=ptime:20\r\n"
	s, err := sdp.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	s.SetDirection(s.Audio(), dir)
	s.Anchor(local.Addr(), origin, func(int) int { return int(local.Port()) })
	return s, nil
}

// agreedCodecs returns the G.711 encoding names of an answer's audio, in its order, once each.
func agreedCodecs(answer *sdp.Session) []string {
	var out []string
	if answer == nil || answer.Audio() == nil {
		return nil
	}
	for _, c := range answer.Audio().Codecs() {
		if !c.IsG711() {
			continue
		}
		if name := strings.ToUpper(c.Name); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// agentOffer is the offer hushpay sends the agent leg for a late-offer call.
func (c *call) agentOffer() (*sdp.Session, error) {
	return c.sdpFor(hushpay.LegAgent, func(o sdp.Origin) (*sdp.Session, error) {
		return localOffer([]string{"PCMU", "PCMA"}, c.sdpAddr(media.Agent), o, sdp.SendRecv)
	})
}

// lateAnswered takes the agent leg's 200 to hushpay's offer on a late-offer call and returns
// hushpay's offer for the caller leg: the codecs the agent side agreed to, telephone-event, the
// agent side's direction, anchored on the relay's caller side.
func (c *call) lateAnswered(body []byte) ([]byte, error) {
	agentSDP, err := sdp.Parse(body)
	if err != nil {
		return nil, err
	}
	audio := agentSDP.Audio()
	if audio == nil {
		return nil, errNoAudio
	}
	codecs := agreedCodecs(agentSDP)
	if len(codecs) == 0 {
		return nil, errNoG711
	}
	if _, err := mediaLeg(agentSDP, agentSDP); err != nil {
		return nil, err
	}
	dir := agentSDP.Direction(audio)
	offer, err := c.sdpFor(hushpay.LegCaller, func(o sdp.Origin) (*sdp.Session, error) {
		return localOffer(codecs, c.sdpAddr(media.Caller), o, dir)
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.agentSDP = agentSDP
	c.mu.Unlock()
	return offer.Bytes(), nil
}

// readAckAnswer keeps the SDP of the caller's first ACK to hushpay's 2xx on a late-offer call:
// the answer to hushpay's offer. Retransmitted ACKs and ACKs of other transactions are ignored.
func (c *call) readAckAnswer(ack *sip.Request) {
	if !c.lateOffer || ack.CSeq() == nil || c.caller.InviteRequest.CSeq() == nil ||
		ack.CSeq().SeqNo != c.caller.InviteRequest.CSeq().SeqNo {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ackSeen {
		return
	}
	c.ackSeen = true
	if len(ack.Body()) == 0 {
		c.ackAnswerErr = errNoAnswer
		return
	}
	if ct := ack.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(ct.Value()), "application/sdp") {
		c.ackAnswerErr = errors.New("b2bua: the caller's ACK body is not application/sdp")
		return
	}
	answer, err := sdp.Parse(ack.Body())
	if err == nil && answer.Audio() == nil {
		err = errNoAudio
	}
	if err == nil {
		_, err = mediaLeg(answer, answer)
	}
	if err != nil {
		c.ackAnswerErr = err
		return
	}
	c.ackAnswer = answer
}

// startLateMedia starts the relay of a late-offer call once the caller's ACK has come: the
// caller leg from the caller's answer (its address, codec and telephone-event payload type), the
// agent leg from the agent side's answer. It returns why the session failed when the ACK had
// no usable answer or never came.
func (c *call) startLateMedia() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ackSeen {
		return errors.New("b2bua: no ACK from the caller to hushpay's offer")
	}
	if c.ackAnswer == nil {
		return c.ackAnswerErr
	}
	c.callerSDP = c.ackAnswer
	return c.applyMediaLocked(c.callerSDP, c.callerSDP, c.agentSDP, c.agentSDP)
}
