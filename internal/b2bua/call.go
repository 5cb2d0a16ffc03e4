package b2bua

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"log/slog"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/media"
)

// call is one call anchored on hushpay: the caller's dialog (hushpay is its UAS), the agent's
// dialog (hushpay is its UAC), the media relay between them and the stored hushpay.Call.
type call struct {
	b      *B2BUA
	id     string // the hushpay call ID (X-Hushpay-Call-Id)
	tenant string
	log    *slog.Logger

	callerCallID, agentCallID string
	caller                    *sipgo.DialogServerSession
	relay                     *media.Relay

	mu           sync.Mutex
	agent        *sipgo.DialogClientSession // nil until the onward INVITE is sent
	callerSDP    *sdp.Session               // the caller's current SDP (nil before a late offer's ACK)
	lateOffer    bool                       // the caller's INVITE had no SDP: hushpay offers in its 200
	ackSeen      bool                       // late offer: the caller's first ACK has been read
	ackAnswer    *sdp.Session               // late offer: the answer in that ACK, when usable
	ackAnswerErr error                      // late offer: why that ACK's answer is not usable
	agentSDP     *sdp.Session               // the agent's current SDP (nil before its answer)
	callerOrigin legOrigin                  // hushpay's o= line towards the caller
	agentOrigin  legOrigin                  // hushpay's o= line towards the agent
	relayStarted bool
	ringing      bool            // the agent leg has sent a provisional response
	hangingUp    bool            // hangup has started
	byeFrom      hushpay.LegRole // the leg that sent BYE, which gets none back
	paymentID    string          // the call's payment, as last read from the store
	ended        bool
	stop         []func()      // what end runs: timers, watchers
	kick         chan struct{} // wakes watchSecure to re-read the record now (nil before it runs)
	acks         []*pendingAck // hushpay's 2xx to re-INVITEs awaiting their ACK (UDP)

	negotiating sync.Mutex // one re-INVITE or UPDATE with SDP at a time (else 491)
	done        chan struct{}
}

// legOrigin is hushpay's SDP origin on one leg and the last body it sent there.
type legOrigin struct {
	sdp.Origin
	last []byte
}

// newOrigin returns an origin with a random session ID, version 1.
func newOrigin() legOrigin {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := binary.BigEndian.Uint64(b[:]) >> 2 // keep it well inside what every parser takes
	return legOrigin{Origin: sdp.Origin{SessionID: id, Version: 1}}
}

// storeTimeout bounds each store operation of the SIP path.
const storeTimeout = 5 * time.Second

// legOf tells which leg a request's Call-ID belongs to.
func (c *call) legOf(req *sip.Request) hushpay.LegRole {
	if id := req.CallID(); id != nil && id.Value() == c.agentCallID {
		return hushpay.LegAgent
	}
	return hushpay.LegCaller
}

// agentDialog returns the agent leg's dialog, or nil.
func (c *call) agentDialog() *sipgo.DialogClientSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.agent
}

// onStop registers f to run when the call ends.
func (c *call) onStop(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stop = append(c.stop, f)
}

// hangup sends BYE on every leg still up and ends the call. Only the first hangup of a call
// does anything (a BYE and a failed answer can both ask for it).
func (c *call) hangup(ctx context.Context, reason string) {
	c.mu.Lock()
	first := !c.hangingUp
	c.hangingUp = true
	c.mu.Unlock()
	if !first {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c.mu.Lock()
	gone := c.byeFrom
	c.mu.Unlock()
	if a := c.agentDialog(); a != nil && gone != hushpay.LegAgent && a.LoadState() == sip.DialogStateConfirmed {
		if err := a.Bye(ctx); err != nil {
			c.log.Debug("BYE to agent failed", "err", err)
		}
	}
	if gone != hushpay.LegCaller && c.caller.LoadState() == sip.DialogStateConfirmed {
		if err := c.caller.Bye(ctx); err != nil {
			c.log.Debug("BYE to caller failed", "err", err)
		}
	}
	c.end(reason)
}

// end releases the call once: stops its media and watchers, forgets its dialogs, marks it ended
// in the store and ends its payment if one is still open. A payment never keeps a call up and
// a failure here never breaks the SIP side: it is logged.
func (c *call) end(reason string) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended = true
	stop := c.stop
	c.mu.Unlock()
	for _, f := range stop {
		f()
	}
	if c.relay != nil {
		_ = c.relay.Close()
	}
	close(c.done)
	defer c.b.calls.remove(c) // after the record says ended, so Calls() == 0 means it is stored
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := c.b.cfg.Clock.Now().UTC()
	stored := c.update(ctx, func(sc *hushpay.Call) {
		sc.State = hushpay.CallEnded
		sc.Secure = false
		sc.EndedAt = &now
	})
	c.log.Info("call ended", "reason", reason)
	if stored != nil && stored.PaymentID != "" && c.b.cfg.Payments != nil {
		if err := c.b.cfg.Payments.CallEnded(ctx, c.tenant, stored.PaymentID); err != nil {
			c.log.Warn("payment not ended with its call", "payment", stored.PaymentID, "err", err)
		}
	}
}

// updateAttempts is how often update tries: a version conflict (the payment service writes the
// same record when a payment starts and ends) and a passing database error are retried.
const updateAttempts = 5

// update applies change to the stored call, re-reading it before each attempt, and returns the
// stored call (nil when it could not be read or written; that is logged).
func (c *call) update(ctx context.Context, change func(*hushpay.Call)) *hushpay.Call {
	var err error
	for attempt := range updateAttempts {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
		}
		var sc *hushpay.Call
		if sc, err = c.b.cfg.Calls.GetCall(ctx, c.tenant, c.id); err != nil {
			if hushpay.IsNotFound(err) || ctx.Err() != nil {
				break
			}
			continue
		}
		change(sc)
		if err = c.b.cfg.Calls.UpdateCall(ctx, sc); err == nil {
			return sc
		}
		if ctx.Err() != nil {
			break
		}
	}
	c.log.Warn("call record not updated", "err", err)
	return nil
}

// registry finds calls by the SIP Call-ID of either leg.
type registry struct {
	mu    sync.Mutex
	byID  map[string]*call // SIP Call-ID -> call
	calls map[*call]struct{}
}

func newRegistry() *registry {
	return &registry{byID: map[string]*call{}, calls: map[*call]struct{}{}}
}

func (r *registry) add(sipCallID string, c *call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[sipCallID] = c
	r.calls[c] = struct{}{}
}

func (r *registry) find(req *sip.Request) *call {
	id := req.CallID()
	if id == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id.Value()]
}

func (r *registry) remove(c *call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byID, c.callerCallID)
	if c.agentCallID != "" {
		delete(r.byID, c.agentCallID)
	}
	delete(r.calls, c)
}

func (r *registry) all() []*call {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*call, 0, len(r.calls))
	for c := range r.calls {
		out = append(out, c)
	}
	return out
}

// Calls returns how many calls are up.
func (b *B2BUA) Calls() int {
	b.calls.mu.Lock()
	defer b.calls.mu.Unlock()
	return len(b.calls.calls)
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// newID returns prefix + 26 characters of 128-bit randomness, like the payment service's IDs.
func newID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + idEncoding.EncodeToString(b[:])
}
