package b2bua

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/media"
)

// peerTimeout bounds a request relayed within a dialog to the other leg.
const peerTimeout = 32 * time.Second

// dialog is what the B2BUA does with either leg's dialog once it is up.
type dialog interface {
	Do(ctx context.Context, req *sip.Request) (*sip.Response, error)
	WriteRequest(req *sip.Request) error
}

// other returns the other leg's role.
func other(leg hushpay.LegRole) hushpay.LegRole {
	if leg == hushpay.LegCaller {
		return hushpay.LegAgent
	}
	return hushpay.LegCaller
}

// side returns the relay side of a leg.
func side(leg hushpay.LegRole) media.Side {
	if leg == hushpay.LegAgent {
		return media.Agent
	}
	return media.Caller
}

// peer returns a leg's dialog and remote target (its Contact), or nil before the leg is up.
func (c *call) peer(leg hushpay.LegRole) (dialog, sip.Uri) {
	if leg == hushpay.LegCaller {
		return c.caller, c.caller.InviteRequest.Contact().Address
	}
	dc := c.agentDialog()
	if dc == nil || dc.InviteResponse == nil || !dc.InviteResponse.IsSuccess() {
		return nil, sip.Uri{}
	}
	if ct := dc.InviteResponse.Contact(); ct != nil {
		return dc, ct.Address
	}
	return dc, dc.InviteRequest.Recipient
}

// onAck takes an ACK: to hushpay's 2xx to a re-INVITE from either leg, or to the caller's
// first 2xx (whose SDP, on a late-offer call, is the answer to hushpay's offer).
func (b *B2BUA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	c := b.calls.find(req)
	if c == nil {
		return
	}
	from := c.legOf(req)
	if c.ackReceived(from, req) || from != hushpay.LegCaller || c.endingUp() {
		return // an ACK that arrives after the call's BYE must not bring the dialog back
	}
	c.readAckAnswer(req) // a late-offer call's answer, kept before ReadAck lets answered go on
	if err := c.caller.ReadAck(req, tx); err != nil {
		c.log.Debug("ACK not matched", "err", err)
	}
}

// endingUp reports whether the call is being hung up.
func (c *call) endingUp() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hangingUp || c.ended
}

// onCancel answers a CANCEL that matched no pending INVITE (sipgo answers the others itself:
// 200 to the CANCEL, 487 to the INVITE).
func (b *B2BUA) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	b.reply(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

// onBye ends the call: 200 to the side that hung up, BYE to the other.
func (b *B2BUA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := b.calls.find(req)
	if c == nil {
		b.reply(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	from := c.legOf(req)
	c.mu.Lock()
	c.byeFrom = from // before the dialog ends, so that a hangup racing this BYE sends none back
	c.mu.Unlock()
	var err error
	if from == hushpay.LegCaller {
		err = c.caller.ReadBye(req, tx)
	} else if dc := c.agentDialog(); dc != nil {
		err = dc.ReadBye(req, tx)
	}
	if err != nil {
		c.log.Info("BYE not matched", "from", string(from), "err", err)
		b.reply(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	c.log.Info("BYE", "from", string(from))
	c.hangup(context.Background(), "bye from "+string(from))
}

// onReinvite re-negotiates a call's media: the re-INVITE's offer is rewritten for the other leg,
// sent there, and the other leg's answer (or failure) comes back.
func (b *B2BUA) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	b.renegotiate(req, tx)
}

// onUpdate handles UPDATE (RFC 3311) like a re-INVITE; without SDP it is a session refresh,
// answered here.
func (b *B2BUA) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	b.renegotiate(req, tx)
}

func (b *B2BUA) renegotiate(req *sip.Request, tx sip.ServerTransaction) {
	c := b.calls.find(req)
	if c == nil {
		b.reply(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	from := c.legOf(req)
	if err := c.readRequest(from, req, tx); err != nil {
		b.reply(req, tx, sip.StatusInternalServerError, "CSeq Out of Order")
		return
	}
	if len(req.Body()) == 0 {
		c.refreshLocally(from, req, tx)
		return
	}
	if !c.negotiating.TryLock() {
		b.reply(req, tx, sip.StatusRequestPending, "Request Pending")
		return
	}
	defer c.negotiating.Unlock()
	c.forwardOffer(from, req, tx)
}

// readRequest checks a request's CSeq against its dialog.
func (c *call) readRequest(from hushpay.LegRole, req *sip.Request, tx sip.ServerTransaction) error {
	if from == hushpay.LegCaller {
		return c.caller.ReadRequest(req, tx)
	}
	if dc := c.agentDialog(); dc != nil {
		return dc.ReadRequest(req, tx)
	}
	return nil
}

// refreshLocally answers a re-INVITE or UPDATE without an offer: a session timer refresh. An
// UPDATE gets 200 with no body; a re-INVITE gets hushpay's current SDP for that leg as the
// offer (the ACK's answer is not needed: the media does not change).
func (c *call) refreshLocally(from hushpay.LegRole, req *sip.Request, tx sip.ServerTransaction) {
	var body []byte
	if req.IsInvite() {
		c.mu.Lock()
		body = c.callerOrigin.last
		if from == hushpay.LegAgent {
			body = c.agentOrigin.last
		}
		c.mu.Unlock()
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", body)
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	echoSessionExpires(req, res)
	if req.IsInvite() {
		c.respondInvite2xx(from, req, tx, res)
		return
	}
	c.b.respond(tx, res)
}

// forwardOffer relays an in-dialog offer to the other leg and its answer back.
func (c *call) forwardOffer(from hushpay.LegRole, req *sip.Request, tx sip.ServerTransaction) {
	to := other(from)
	offer, err := sdp.Parse(req.Body())
	if err == nil && offer.Audio() == nil {
		err = errNoAudio
	}
	var out *sdp.Session
	if err == nil {
		c.mu.Lock()
		current := c.callerSDP // the SDP the receiving leg sent last
		if to == hushpay.LegAgent {
			current = c.agentSDP
		}
		c.mu.Unlock()
		out, err = c.sdpFor(to, func(o sdp.Origin) (*sdp.Session, error) {
			return relayOffer(offer, c.sdpAddr(side(to)), o, eventPT(current))
		})
	}
	if err != nil {
		c.log.Info("re-offer refused", "from", string(from), "err", err)
		c.b.reply(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	d, target := c.peer(to)
	if d == nil {
		c.b.reply(req, tx, sip.StatusRequestPending, "Request Pending")
		return
	}
	fwd := sip.NewRequest(req.Method, target)
	fwd.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	sip.CopyHeaders("Session-Expires", req, fwd)
	sip.CopyHeaders("Min-SE", req, fwd)
	fwd.SetBody(out.Bytes())
	ctx, cancel := context.WithTimeout(c.b.ctx, peerTimeout)
	defer cancel()
	res, err := d.Do(ctx, fwd)
	if err != nil {
		c.log.Info("re-offer to the other leg failed", "to", string(to), "err", err)
		c.b.reply(req, tx, sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	if req.IsInvite() && res.IsSuccess() {
		if err := d.WriteRequest(sip.NewRequest(sip.ACK, target)); err != nil {
			c.log.Info("ACK of re-INVITE not sent", "to", string(to), "err", err)
		}
	}
	c.answerOffer(from, req, tx, offer, res)
}

// answerOffer answers the leg that made an offer with the other leg's response to it.
func (c *call) answerOffer(from hushpay.LegRole, req *sip.Request, tx sip.ServerTransaction, offer *sdp.Session, res *sip.Response) {
	if !res.IsSuccess() {
		out := sip.NewResponseFromRequest(req, res.StatusCode, res.Reason, nil)
		for _, h := range passedBack(res) {
			out.AppendHeader(h)
		}
		c.b.respond(tx, out)
		return
	}
	answerSDP, err := sdp.Parse(res.Body())
	var answer *sdp.Session
	if err == nil {
		answer, err = c.sdpFor(from, func(o sdp.Origin) (*sdp.Session, error) {
			return relayAnswer(offer, answerSDP, c.sdpAddr(side(from)), o)
		})
	}
	if err != nil {
		c.log.Warn("other leg answered a re-offer with unusable SDP", "err", err)
		c.b.reply(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	c.renegotiated(from, offer, answerSDP, answer)
	out := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", answer.Bytes())
	out.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	echoSessionExpires(req, out)
	if req.IsInvite() {
		c.respondInvite2xx(from, req, tx, out)
		return
	}
	c.b.respond(tx, out)
}

// renegotiated records both legs' new SDP and hands the relay the new media: the offering
// leg's address from its offer with the formats hushpay answered, the other leg's from its
// answer. A failure is logged; the call goes on with the media it had.
func (c *call) renegotiated(from hushpay.LegRole, offer, theirAnswer, ourAnswer *sdp.Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if from == hushpay.LegCaller {
		c.callerSDP, c.agentSDP = offer, theirAnswer
		err = c.applyMediaLocked(offer, ourAnswer, theirAnswer, theirAnswer)
	} else {
		c.agentSDP, c.callerSDP = offer, theirAnswer
		err = c.applyMediaLocked(theirAnswer, theirAnswer, offer, ourAnswer)
	}
	if err != nil {
		c.log.Warn("re-negotiated media not applied to the relay", "err", err)
		return
	}
	c.log.Info("media re-negotiated", "from", string(from),
		"caller_direction", string(c.callerSDP.Direction(c.callerSDP.Audio())))
}

// relayRequest sends a copy of an in-dialog request (INFO, …) to the other leg and passes the
// response back.
func (c *call) relayRequest(from hushpay.LegRole, req *sip.Request, tx sip.ServerTransaction) {
	d, target := c.peer(other(from))
	if d == nil {
		c.b.reply(req, tx, sip.StatusRequestPending, "Request Pending")
		return
	}
	fwd := sip.NewRequest(req.Method, target)
	sip.CopyHeaders("Content-Type", req, fwd)
	sip.CopyHeaders("Info-Package", req, fwd)
	fwd.SetBody(req.Body())
	ctx, cancel := context.WithTimeout(c.b.ctx, peerTimeout)
	defer cancel()
	res, err := d.Do(ctx, fwd)
	if err != nil {
		c.b.reply(req, tx, sip.StatusRequestTimeout, "Request Timeout")
		return
	}
	out := sip.NewResponseFromRequest(req, res.StatusCode, res.Reason, res.Body())
	sip.CopyHeaders("Content-Type", res, out)
	c.b.respond(tx, out)
}
