package b2bua

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/media"
)

// Payments is what the B2BUA needs of the payment service (internal/payments.Service has it).
type Payments interface {
	// Key feeds one keypad symbol of the caller into the payment's capture.
	Key(ctx context.Context, tenant, paymentID string, sym byte) (bool, error)
	// CallEnded ends a payment whose call has ended.
	CallEnded(ctx context.Context, tenant, paymentID string) error
}

// Config configures a B2BUA.
type Config struct {
	// Addr is the SIP listen address for UDP and TCP (HUSHPAY_SIP_ADDR); port 0 picks a free
	// port (tests). Default 127.0.0.1:5060.
	Addr string
	// TLSCert and TLSKey, when both set, add a SIP over TLS listener on TLSAddr.
	TLSCert, TLSKey string
	// TLSAddr is the TLS listen address; default: Addr's host, port 5061 (port 0: a free port).
	TLSAddr string
	// TLSCA is a PEM file of the CA certificates that onward TLS connections (sips: targets,
	// transport=tls) trust (HUSHPAY_SIP_TLS_CA); empty: the system's roots.
	TLSCA string
	// MediaIP is the address written in SDP and bound by the relay; default: Addr's host (or
	// 127.0.0.1 when that is unspecified).
	MediaIP netip.Addr
	// AdvertiseIP, when set, is written in SDP (c= and o=) on both legs instead of MediaIP, which
	// the relay still binds: the public address of a NAT that forwards the RTP port range to
	// MediaIP (HUSHPAY_MEDIA_ADDR).
	AdvertiseIP netip.Addr
	// ContactHost, when set, is the host of hushpay's Contact on both legs instead of Addr's
	// host, with the listeners' ports: the public name or address of a NAT that forwards the SIP
	// ports (HUSHPAY_SIP_CONTACT_HOST), so in-dialog requests (ACK, BYE, re-INVITE) come back
	// through it.
	ContactHost string
	// Routes chooses the onward target of each inbound call; required.
	Routes *Router
	// Ports hands out the media port pairs (HUSHPAY_RTP_PORTS); required.
	Ports *media.PortAllocator
	// Loops, when set, serve the calls' media sockets (epoll + batched I/O), handed to calls in
	// turn; the caller owns and closes them after Close. Empty: each call's relay reads its
	// sockets on goroutines of its own (slower under load; see docs/benchmarks-media.md).
	Loops []*media.Loop
	// Mode and Scope are the masking settings (HUSHPAY_MASK_MODE, HUSHPAY_MASK_SCOPE).
	Mode  media.MaskMode
	Scope media.MaskScope
	// Calls keeps the calls; required.
	Calls hushpay.CallStore
	// Payments receives the caller's digits and the end of calls; nil discards them.
	Payments Payments
	// Node names this hushpay node in the stored calls.
	Node string
	// SecurePoll is how often a call's record is read to follow its payment (default 200 ms).
	SecurePoll time.Duration
	// AnswerTimeout bounds how long the onward leg may ring (default 3 minutes).
	AnswerTimeout time.Duration
	Logger        *slog.Logger
	Clock         hushpay.Clock
}

func (c *Config) setDefaults() error {
	if c.Routes == nil || c.Ports == nil || c.Calls == nil {
		return errors.New("b2bua: config: Routes, Ports and Calls are required")
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:5060"
	}
	if c.Mode == 0 {
		c.Mode = media.MaskTone
	}
	if c.Scope == 0 {
		c.Scope = media.ScopeSecure
	}
	if c.SecurePoll == 0 {
		c.SecurePoll = 200 * time.Millisecond
	}
	if c.AnswerTimeout == 0 {
		c.AnswerTimeout = 3 * time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = hushpay.SystemClock{}
	}
	return nil
}
