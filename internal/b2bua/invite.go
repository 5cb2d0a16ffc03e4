package b2bua

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/media"
)

// onInvite handles an INVITE: a new call, or a re-INVITE within a call's dialog.
func (b *B2BUA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		b.onReinvite(req, tx)
		return
	}
	if b.ctx.Err() != nil {
		b.reply(req, tx, sip.StatusServiceUnavailable, "Shutting Down")
		return
	}
	b.respond(tx, sip.NewResponseFromRequest(req, sip.StatusTrying, "Trying", nil))
	route, ok := b.cfg.Routes.Lookup(req, sourceAddr(req))
	if !ok {
		b.log.Info("inbound call rejected: no route", "sip_call_id", req.CallID().Value())
		b.reply(req, tx, sip.StatusNotFound, "No Route")
		return
	}
	offer, err := parseOffer(req)
	if err != nil {
		b.log.Info("inbound call rejected: SDP", "sip_call_id", req.CallID().Value(), "err", err)
		b.reply(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	c, err := b.newCall(req, tx, route, offer)
	if err != nil {
		return
	}
	c.place(req, route)
}

// parseOffer reads the SDP offer of an INVITE. An INVITE without a body has no offer (late
// offer): it returns nil and no error.
func parseOffer(req *sip.Request) (*sdp.Session, error) {
	if len(req.Body()) == 0 {
		return nil, nil
	}
	if ct := req.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(ct.Value()), "application/sdp") {
		return nil, errors.New("b2bua: body is not application/sdp")
	}
	s, err := sdp.Parse(req.Body())
	if err != nil {
		return nil, err
	}
	if s.Audio() == nil {
		return nil, errNoAudio
	}
	return s, nil
}

// newCall answers the caller's dialog, binds the media relay and stores the call (ringing).
// A nil offer is a late-offer call (see lateoffer.go). On failure it has answered the caller
// itself.
func (b *B2BUA) newCall(req *sip.Request, tx sip.ServerTransaction, route Route, offer *sdp.Session) (*call, error) {
	ds, err := b.dialogUA(req.Transport()).ReadInvite(req, tx)
	if err != nil {
		b.reply(req, tx, sip.StatusBadRequest, "Bad Request")
		return nil, err
	}
	id := newID("call_")
	c := &call{b: b, id: id, tenant: route.tenant(), caller: ds, callerSDP: offer, lateOffer: offer == nil,
		callerCallID: req.CallID().Value(), agentCallID: newID("hp-"),
		log: b.log.With("call", id), done: make(chan struct{}),
		callerOrigin: newOrigin(), agentOrigin: newOrigin()}
	c.relay, err = media.NewRelay(media.Config{Ports: b.cfg.Ports, BindIP: b.mediaIP, Mode: b.cfg.Mode,
		Scope: b.cfg.Scope, OnKey: c.key, Logger: c.log, Loop: b.nextLoop()})
	if err != nil {
		c.log.Error("no media ports for the call", "err", err)
		_ = ds.Respond(sip.StatusServiceUnavailable, "No Media Ports", nil)
		return nil, err
	}
	c.store(req)
	b.calls.add(c.callerCallID, c)
	b.calls.add(c.agentCallID, c)
	return c, nil
}

// store creates the call's record, ringing. A store failure is logged; the call goes on.
func (c *call) store(req *sip.Request) {
	rec := &hushpay.Call{ID: c.id, Tenant: c.tenant, State: hushpay.CallRinging, Node: c.b.cfg.Node,
		StartedAt: c.b.cfg.Clock.Now().UTC(), Legs: []hushpay.CallLeg{
			{Role: hushpay.LegCaller, SIPCallID: c.callerCallID, From: req.From().Address.String(), To: req.To().Address.String()},
		}}
	ctx, cancel := context.WithTimeout(c.b.ctx, storeTimeout)
	defer cancel()
	if err := c.b.cfg.Calls.CreateCall(ctx, rec); err != nil {
		c.log.Warn("call record not created", "err", err)
	}
}

// place sends the onward INVITE, relays the agent leg's responses to the caller and, once the
// agent answers, answers the caller.
func (c *call) place(req *sip.Request, route Route) {
	onward, err := c.onwardInvite(req, route)
	if err != nil {
		c.rejectCaller(sip.StatusNotAcceptableHere, "Not Acceptable Here", err)
		return
	}
	ctx, cancel := context.WithCancelCause(c.b.ctx)
	defer cancel(nil)
	giveUp := time.AfterFunc(c.b.cfg.AnswerTimeout, func() { cancel(c.cancelCause()) })
	defer giveUp.Stop()
	go func() { // a CANCEL from the caller ends its dialog's context: cancel the agent leg
		select {
		case <-c.caller.Context().Done():
			cancel(c.cancelCause())
		case <-ctx.Done():
		}
	}()
	dc, err := c.b.dialogUA(onward.Transport()).WriteInvite(c.b.ctx, onward)
	if err != nil {
		c.rejectCaller(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", err)
		return
	}
	c.mu.Lock()
	c.agent = dc
	c.mu.Unlock()
	c.recordAgentLeg(onward)
	err = dc.WaitAnswer(ctx, sipgo.AnswerOptions{OnResponse: c.onAgentResponse})
	if err != nil {
		c.failed(err)
		return
	}
	c.answered(dc)
}

// cancelCause is why the agent leg's INVITE is abandoned: a CANCEL is sent once the agent side
// has sent a provisional response (RFC 3261 section 9.1); before that the transaction is dropped.
func (c *call) cancelCause() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ringing {
		return errGaveUp
	}
	return sipgo.WaitAnswerForceCancelErr
}

// errGaveUp is the cause of cancelling an INVITE that has had a provisional response.
var errGaveUp = errors.New("b2bua: onward INVITE cancelled")

// onwardInvite builds the INVITE towards the route's target: hushpay's own Call-ID, tags and
// Contact, X-Hushpay-Call-Id, the caller's offer rewritten for the agent leg (hushpay's own
// offer when the caller made none), and the session timer headers the caller offered.
func (c *call) onwardInvite(req *sip.Request, route Route) (*sip.Request, error) {
	var offer *sdp.Session
	var err error
	if c.lateOffer {
		offer, err = c.agentOffer()
	} else {
		offer, err = c.sdpFor(hushpay.LegAgent, func(o sdp.Origin) (*sdp.Session, error) {
			return relayOffer(c.callerSDP, c.sdpAddr(media.Agent), o, 0)
		})
	}
	if err != nil {
		return nil, err
	}
	target := route.Target
	out := sip.NewRequest(sip.INVITE, target)
	from := sip.FromHeader{DisplayName: req.From().DisplayName, Params: sip.NewParams(),
		Address: sip.Uri{Scheme: "sip", User: req.From().Address.User, Host: c.b.addr.Addr().String(), Port: int(c.b.addr.Port())}}
	from.Params.Add("tag", sip.GenerateTagN(16))
	toUser := target.User
	if toUser == "" {
		toUser = req.Recipient.User
	}
	to := sip.ToHeader{Address: sip.Uri{Scheme: target.Scheme, User: toUser, Host: target.Host, Port: target.Port}}
	callID := sip.CallIDHeader(c.agentCallID)
	out.AppendHeader(&from)
	out.AppendHeader(&to)
	out.AppendHeader(&callID)
	out.AppendHeader(sip.NewHeader("X-Hushpay-Call-Id", c.id))
	for _, name := range []string{"Session-Expires", "Min-SE"} {
		sip.CopyHeaders(name, req, out)
	}
	out.AppendHeader(sip.NewHeader("Supported", "timer"))
	out.AppendHeader(sip.NewHeader("Allow", allowed))
	out.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	out.SetBody(offer.Bytes())
	out.SetTransport(targetTransport(target))
	return out, nil
}

// sdpAddr is the address hushpay writes in the SDP it sends on side s: the relay's port on that
// side at the advertised address (Config.AdvertiseIP) or, without one, where the relay binds.
func (c *call) sdpAddr(s media.Side) netip.AddrPort {
	return netip.AddrPortFrom(c.b.sdpIP, c.relay.LocalAddr(s).Port())
}

// targetTransport is the transport an onward INVITE to target uses: its transport parameter, TLS
// for a sips: URI (RFC 3261 section 26.2: TCP under TLS), else UDP.
func targetTransport(target sip.Uri) string {
	tp := "UDP"
	if v, ok := target.UriParams.Get("transport"); ok && v != "" {
		tp = strings.ToUpper(v)
	}
	if target.IsEncrypted() && (tp == "UDP" || tp == "TCP") {
		tp = "TLS"
	}
	return tp
}

// recordAgentLeg adds the agent leg to the stored call.
func (c *call) recordAgentLeg(onward *sip.Request) {
	ctx, cancel := context.WithTimeout(c.b.ctx, storeTimeout)
	defer cancel()
	c.update(ctx, func(sc *hushpay.Call) {
		sc.Legs = append(sc.Legs, hushpay.CallLeg{Role: hushpay.LegAgent, SIPCallID: c.agentCallID,
			From: onward.From().Address.String(), To: onward.To().Address.String()})
	})
}

// onAgentResponse relays the agent leg's provisional responses to the caller, with early media
// when they carry SDP (not on a late-offer call: without 100rel hushpay's offer to the caller
// goes in the 2xx). Final responses are handled when WaitAnswer returns.
func (c *call) onAgentResponse(res *sip.Response) error {
	if !res.IsProvisional() {
		return nil
	}
	c.mu.Lock()
	c.ringing = true
	c.mu.Unlock()
	if res.StatusCode == sip.StatusTrying {
		return nil
	}
	var body []byte
	if len(res.Body()) > 0 && c.lateOffer {
		// The caller made no offer and hushpay's offer can only go in the 2xx (no 100rel):
		// the early SDP is not used and the caller gets the response without it.
		c.log.Debug("early media SDP from the agent leg not used on a late-offer call", "status", res.StatusCode)
	} else if len(res.Body()) > 0 {
		answer, err := c.agentAnswered(res.Body())
		if err != nil {
			c.log.Info("early media SDP from the agent leg ignored", "status", res.StatusCode, "err", err)
		} else {
			body = answer
		}
	}
	var headers []sip.Header
	if body != nil {
		headers = append(headers, sip.NewHeader("Content-Type", "application/sdp"))
	}
	if err := c.caller.Respond(res.StatusCode, res.Reason, body, headers...); err != nil {
		c.log.Debug("provisional response not relayed", "status", res.StatusCode, "err", err)
	}
	return nil
}

// agentAnswered takes the agent leg's SDP answer (early or final), starts the relay if it has
// not started, and returns hushpay's answer to the caller.
func (c *call) agentAnswered(body []byte) ([]byte, error) {
	agentSDP, err := sdp.Parse(body)
	if err != nil {
		return nil, err
	}
	answer, err := c.sdpFor(hushpay.LegCaller, func(o sdp.Origin) (*sdp.Session, error) {
		return relayAnswer(c.callerSDP, agentSDP, c.sdpAddr(media.Caller), o)
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.agentSDP = agentSDP
	c.mu.Unlock()
	if err := c.startMedia(answer, agentSDP); err != nil {
		return nil, err
	}
	return answer.Bytes(), nil
}

// startMedia hands the relay both legs' negotiated media: it starts the relay the first time
// (early media or the answer) and updates it after that (an answer that differs from the early
// one, a re-INVITE, an UPDATE).
func (c *call) startMedia(callerNegotiated, agentSDP *sdp.Session) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.applyMediaLocked(c.callerSDP, callerNegotiated, agentSDP, agentSDP)
}

// applyMediaLocked starts or updates the relay from each leg's own SDP and the SDP that holds
// the leg's negotiated formats. Caller holds c.mu.
func (c *call) applyMediaLocked(callerPeer, callerNegotiated, agentPeer, agentNegotiated *sdp.Session) error {
	callerLeg, err := mediaLeg(callerPeer, callerNegotiated)
	if err != nil {
		return err
	}
	agentLeg, err := mediaLeg(agentPeer, agentNegotiated)
	if err != nil {
		return err
	}
	if !c.relayStarted {
		if err := c.relay.Start(callerLeg, agentLeg); err != nil {
			return err
		}
		c.relayStarted = true
		return nil
	}
	if err := c.relay.Update(media.Caller, callerLeg); err != nil {
		return err
	}
	return c.relay.Update(media.Agent, agentLeg)
}

// failed answers the caller after the agent leg did not answer: its final response passed back
// faithfully, nothing when the caller cancelled (sipgo has answered 487), 480 otherwise.
func (c *call) failed(err error) {
	var dr *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &dr):
		c.log.Info("agent leg declined", "status", dr.Res.StatusCode)
		_ = c.caller.Respond(dr.Res.StatusCode, dr.Res.Reason, nil, passedBack(dr.Res)...)
		c.end("declined")
	case c.caller.Context().Err() != nil:
		c.end("cancelled")
	default:
		c.rejectCaller(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", err)
	}
}

// passedBack are the headers of a final failure response worth giving the caller: where to go
// instead (3xx Contact), when to retry, what session interval to use (422 Min-SE), why.
func passedBack(res *sip.Response) []sip.Header {
	var out []sip.Header
	for _, name := range []string{"Contact", "Retry-After", "Min-SE", "Warning", "Reason", "Unsupported", "Allow", "Accept"} {
		for _, h := range res.GetHeaders(name) {
			out = append(out, sip.HeaderClone(h))
		}
	}
	return out
}

// rejectCaller answers the caller's INVITE with a failure and ends the call.
func (c *call) rejectCaller(code int, reason string, err error) {
	c.log.Info("call not placed", "status", code, "err", err)
	_ = c.caller.Respond(code, reason, nil)
	c.end("not placed")
}

// answered acknowledges the agent's 200, answers the caller with hushpay's SDP and waits for the
// caller's ACK; then the call is active. On a late-offer call hushpay's SDP to the caller is an
// offer and the relay starts with the answer in the caller's ACK.
func (c *call) answered(dc *sipgo.DialogClientSession) {
	if err := dc.Ack(c.b.ctx); err != nil {
		c.log.Warn("ACK to agent leg failed", "err", err)
	}
	var answer []byte
	var err error
	if c.lateOffer {
		answer, err = c.lateAnswered(dc.InviteResponse.Body())
	} else {
		answer, err = c.agentAnswered(dc.InviteResponse.Body())
	}
	if err != nil {
		c.log.Warn("agent leg answered with unusable SDP", "err", err)
		c.rejectCaller(sip.StatusBadGateway, "Bad Gateway", err)
		c.hangup(context.Background(), "bad answer")
		return
	}
	res := sip.NewSDPResponseFromRequest(c.caller.InviteRequest, answer)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	timer := c.sessionTimer(dc.InviteResponse)
	if timer != nil {
		res.AppendHeader(timer)
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
	if err := c.caller.WriteResponse(res); err != nil {
		if c.caller.LoadState() != sip.DialogStateEnded { // not a BYE overtaking its ACK
			// No ACK within 64·T1 (or the caller's transport failed): RFC 3261 §13.3.1.4 ends
			// the session with a BYE, which the server transaction's end now allows (§15).
			c.log.Warn("no ACK from the caller for hushpay's 200; ending the call", "err", err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := c.caller.Bye(ctx); err != nil {
				c.log.Debug("BYE to caller failed", "err", err)
			}
			cancel()
		}
		c.hangup(context.Background(), "no ACK")
		return
	}
	if c.lateOffer {
		if err := c.startLateMedia(); err != nil {
			// RFC 3261 section 13.2.2.4: the ACK must carry the answer to an offer in a 2xx;
			// without a usable one the session cannot be set up.
			c.log.Warn("late-offer call failed: no usable SDP answer in the caller's ACK; hanging up both legs", "err", err)
			c.hangup(context.Background(), "no answer in ACK")
			return
		}
	}
	c.active()
}

// active marks the call active and starts following its payment and session timer.
func (c *call) active() {
	ctx, cancel := context.WithTimeout(c.b.ctx, storeTimeout)
	defer cancel()
	c.update(ctx, func(sc *hushpay.Call) { sc.State = hushpay.CallActive })
	c.log.Info("call active")
	c.watchSecure()
	c.refreshAgentTimer()
}

// sdpFor builds the SDP hushpay sends on a leg with the leg's origin, raising the origin's
// version only when the body differs from the last one sent on that leg (RFC 3264 section 8).
func (c *call) sdpFor(leg hushpay.LegRole, build func(sdp.Origin) (*sdp.Session, error)) (*sdp.Session, error) {
	c.mu.Lock()
	origin := &c.callerOrigin
	if leg == hushpay.LegAgent {
		origin = &c.agentOrigin
	}
	o := origin.Origin
	c.mu.Unlock()
	s, err := build(o)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if origin.last != nil && !bytes.Equal(origin.last, s.Bytes()) {
		origin.Version++
		if s, err = build(origin.Origin); err != nil {
			return nil, err
		}
	}
	origin.last = s.Bytes()
	return s, nil
}
