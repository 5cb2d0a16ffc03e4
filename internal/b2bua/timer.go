package b2bua

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
)

// Session timers (RFC 4028), per leg:
//   - The caller's Session-Expires and Min-SE go on the onward INVITE, with Supported: timer,
//     so the agent side sees the interval the caller asked for; its 422 comes back unchanged.
//   - When the caller asked for a session timer and supports it, hushpay's 200 names the
//     interval the agent side accepted (else the caller's) with refresher=uac: the caller
//     refreshes, and hushpay answers its refreshes (re-INVITE or UPDATE without SDP) itself.
//   - When the agent side's 200 makes hushpay the refresher (refresher=uac), hushpay sends an
//     UPDATE without SDP to the agent leg every half interval.
// hushpay does not tear a call down itself when a refresh is missed.

// sessionTimer returns the Session-Expires header of hushpay's 200 to the caller, or nil.
func (c *call) sessionTimer(agentRes *sip.Response) sip.Header {
	req := c.caller.InviteRequest
	asked := headerInt(req, "Session-Expires")
	if asked == 0 || !supportsTimer(req) {
		return nil
	}
	if got := headerInt(agentRes, "Session-Expires"); got > 0 {
		asked = got
	}
	return sip.NewHeader("Session-Expires", strconv.Itoa(asked)+";refresher=uac")
}

// supportsTimer reports whether a message's Supported or Require lists "timer".
func supportsTimer(m sip.Message) bool {
	for _, name := range []string{"Supported", "Require"} {
		for _, h := range m.GetHeaders(name) {
			for opt := range strings.SplitSeq(h.Value(), ",") {
				if strings.EqualFold(strings.TrimSpace(opt), "timer") {
					return true
				}
			}
		}
	}
	return false
}

// echoSessionExpires puts a refresh request's Session-Expires into its 200.
func echoSessionExpires(req *sip.Request, res *sip.Response) {
	if h := req.GetHeader("Session-Expires"); h != nil {
		res.AppendHeader(sip.NewHeader("Session-Expires", h.Value()))
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
}

// refreshAgentTimer refreshes the agent leg when its 200 made hushpay the refresher.
func (c *call) refreshAgentTimer() {
	dc := c.agentDialog()
	if dc == nil || dc.InviteResponse == nil {
		return
	}
	h := dc.InviteResponse.GetHeader("Session-Expires")
	if h == nil || !strings.Contains(strings.ToLower(strings.ReplaceAll(h.Value(), " ", "")), "refresher=uac") {
		return
	}
	interval := time.Duration(headerInt(dc.InviteResponse, "Session-Expires")) * time.Second
	if interval < 90*time.Second {
		return
	}
	c.b.spawn(func() {
		t := time.NewTicker(interval / 2)
		defer t.Stop()
		for {
			select {
			case <-c.done:
				return
			case <-t.C:
				c.sendRefresh(h.Value())
			}
		}
	})
}

// sendRefresh sends one UPDATE without SDP to the agent leg; a 481 or no answer ends the call.
func (c *call) sendRefresh(sessionExpires string) {
	d, target := c.peer(hushpay.LegAgent)
	if d == nil {
		return
	}
	up := sip.NewRequest(sip.UPDATE, target)
	up.AppendHeader(sip.NewHeader("Session-Expires", sessionExpires))
	up.AppendHeader(sip.NewHeader("Supported", "timer"))
	ctx, cancel := context.WithTimeout(c.b.ctx, peerTimeout)
	defer cancel()
	res, err := d.Do(ctx, up)
	if err != nil || res.StatusCode == sip.StatusCallTransactionDoesNotExists || res.StatusCode == sip.StatusRequestTimeout {
		c.log.Info("session refresh of the agent leg failed: hanging up")
		go c.hangup(context.Background(), "session refresh failed")
	}
}
