package b2bua

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/media"
)

// maxInfoBody is the largest INFO body read for a digit.
const maxInfoBody = 1024

// ParseDTMFInfo reads the key of a SIP INFO body: application/dtmf-relay ("Signal=5" and
// "Duration=160" lines; "Signal=10" and "11" are * and #) or application/dtmf (the key alone).
// It reports false for any other content type, for A-D, and for a body it cannot read.
func ParseDTMFInfo(contentType string, body []byte) (byte, bool) {
	if len(body) > maxInfoBody {
		return 0, false
	}
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(ct)) {
	case "application/dtmf-relay":
		for line := range strings.Lines(string(body)) {
			name, value, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "signal") {
				return keypadSymbol(strings.TrimSpace(value))
			}
		}
	case "application/dtmf":
		return keypadSymbol(strings.TrimSpace(string(body)))
	}
	return 0, false
}

// keypadSymbol maps a signal value to '0'-'9', '*' or '#'.
func keypadSymbol(v string) (byte, bool) {
	switch {
	case len(v) == 1 && (v[0] >= '0' && v[0] <= '9' || v[0] == '*' || v[0] == '#'):
		return v[0], true
	case v == "10":
		return '*', true
	case v == "11":
		return '#', true
	}
	return 0, false
}

// onInfo captures a keypad digit the caller sends as SIP INFO and answers 200. While the call
// is masked the INFO stops here; otherwise (and for every other INFO) it is relayed to the
// other leg.
func (b *B2BUA) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	c := b.calls.find(req)
	if c == nil {
		b.reply(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	from := c.legOf(req)
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = h.Value()
	}
	sym, isKey := ParseDTMFInfo(ct, req.Body())
	if from != hushpay.LegCaller || !isKey {
		c.relayRequest(from, req, tx)
		return
	}
	if c.currentPayment() == "" {
		c.refreshSecure() // a payment may have started since the last poll: decide on fresh state
	}
	c.infoKey(sym, infoDuration(req.Body()))
	if c.masking() {
		b.reply(req, tx, sip.StatusOK, "OK")
		return
	}
	c.relayRequest(from, req, tx)
}

// infoKey hands a SIP INFO key to the relay, which reports it through OnKey once even when the
// phone also sent it in-band or as RFC 4733. The relay takes injected keys with the caller's
// next RTP packet, so while no RTP has come from the caller the key goes to the payment
// directly.
func (c *call) infoKey(sym byte, d time.Duration) {
	c.mu.Lock()
	started := c.relayStarted
	c.mu.Unlock()
	if started && c.relay.Stats().Caller.Received > 0 {
		if err := c.relay.InjectKey(sym, d); err == nil {
			return
		}
	}
	c.key(sym)
}

// infoDuration reads the Duration line of an application/dtmf-relay body (milliseconds), or 0.
func infoDuration(body []byte) time.Duration {
	if len(body) > maxInfoBody {
		return 0
	}
	for line := range strings.Lines(string(body)) {
		name, value, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "duration") {
			ms, err := strconv.Atoi(strings.TrimSpace(value))
			if err == nil && ms > 0 && ms < 10_000 {
				return time.Duration(ms) * time.Millisecond
			}
		}
	}
	return 0
}

// masking reports whether the caller's keys are hidden from the agent right now.
func (c *call) masking() bool {
	return c.b.cfg.Scope == media.ScopeAlways || c.relay.Secure()
}
