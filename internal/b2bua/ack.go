package b2bua

import (
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
)

// RFC 3261 §13.3.1.4 (and RFC 6026): the UAS, not the transaction, retransmits a 2xx to an
// INVITE over an unreliable transport until the ACK arrives: first after T1, then doubling up
// to T2, for at most 64·T1. sipgo does this for the first 2xx of a dialog
// (DialogServerSession.WriteResponse); hushpay answers re-INVITEs on the server transaction
// itself, so it retransmits those here. Over TCP and TLS the 2xx is sent once.

// pendingAck is a 2xx to a re-INVITE waiting for its ACK.
type pendingAck struct {
	leg   hushpay.LegRole
	cseq  uint32
	acked chan struct{}
}

// respondInvite2xx sends a 2xx to an in-dialog INVITE from leg and, over UDP, retransmits it
// until the leg's ACK with the same CSeq arrives (ackReceived), 64·T1 passes or the call ends.
// The 2xx carries hushpay's Contact for that leg, as every 2xx to an INVITE must (RFC 3261
// §12.1.1, §14.2).
func (c *call) respondInvite2xx(from hushpay.LegRole, req *sip.Request, tx sip.ServerTransaction, res *sip.Response) {
	if res.Contact() == nil {
		if ct := c.ownContact(from); ct != nil {
			res.AppendHeader(ct.Clone())
		}
	}
	c.b.respond(tx, res)
	if !strings.EqualFold(req.Transport(), "udp") || req.CSeq() == nil {
		return
	}
	p := &pendingAck{leg: from, cseq: req.CSeq().SeqNo, acked: make(chan struct{})}
	c.mu.Lock()
	c.acks = append(c.acks, p)
	c.mu.Unlock()
	c.b.spawn(func() {
		defer c.forgetAck(p)
		interval := sip.T1
		resend := time.NewTimer(interval)
		defer resend.Stop()
		giveUp := time.NewTimer(64 * sip.T1)
		defer giveUp.Stop()
		for {
			select {
			case <-p.acked:
				return
			case <-c.done:
				return
			case <-giveUp.C:
				c.log.Warn("no ACK for hushpay's 2xx to a re-INVITE; the call goes on", "leg", string(from), "cseq", p.cseq)
				return
			case <-resend.C:
				if err := tx.Respond(res); err != nil {
					c.log.Debug("2xx to a re-INVITE not retransmitted", "leg", string(from), "err", err)
					return
				}
				interval = min(2*interval, sip.T2)
				resend.Reset(interval)
			}
		}
	})
}

// ackReceived stops the retransmission of the 2xx that an ACK from leg acknowledges, and
// reports whether there was one.
func (c *call) ackReceived(from hushpay.LegRole, ack *sip.Request) bool {
	if ack.CSeq() == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.acks {
		if p.leg == from && p.cseq == ack.CSeq().SeqNo {
			select {
			case <-p.acked:
			default:
				close(p.acked)
			}
			return true
		}
	}
	return false
}

func (c *call) forgetAck(p *pendingAck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, q := range c.acks {
		if q == p {
			c.acks = append(c.acks[:i], c.acks[i+1:]...)
			return
		}
	}
}

// ownContact returns the Contact hushpay gave a leg when its dialog was set up.
func (c *call) ownContact(leg hushpay.LegRole) *sip.ContactHeader {
	if leg == hushpay.LegCaller {
		if c.caller.InviteResponse != nil {
			return c.caller.InviteResponse.Contact()
		}
		return nil
	}
	if dc := c.agentDialog(); dc != nil && dc.InviteRequest != nil {
		return dc.InviteRequest.Contact()
	}
	return nil
}
