package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua"
	"github.com/hushpay/hushpay/internal/media"
	"github.com/hushpay/hushpay/internal/payments"
)

// Transport is how the caller's phone sends its keys.
type Transport string

// The key transports: in-band tones in the audio, RFC 4733 telephone-events, or both (the card
// number in-band, the rest as events).
const (
	InBand  Transport = "inband"
	RFC4733 Transport = "rfc4733"
	Both    Transport = "both"
)

// ParseTransport returns the transport named s.
func ParseTransport(s string) (Transport, error) {
	switch t := Transport(s); t {
	case InBand, RFC4733, Both:
		return t, nil
	}
	return "", fmt.Errorf("unknown DTMF transport (want inband, rfc4733 or both)")
}

// Config is what the demo needs from its owner: hushpay's payment service and call store (as
// `hushpay serve` opens them), where to print, and how the caller keys.
type Config struct {
	Payments *payments.Service
	Calls    hushpay.CallStore
	// Ports is the media port range; nil means 20000-29999.
	Ports *media.PortAllocator
	// Logger is hushpay's log; nil discards it.
	Logger *slog.Logger
	// DTMF is how the caller sends keys; "" means Both.
	DTMF Transport
	// Out receives the report.
	Out io.Writer
	// Clock dates the test card's expiry; nil means the system clock.
	Clock hushpay.Clock
}

// timeout bounds the whole demo; it normally takes under ten seconds.
const timeout = time.Minute

// demoPrincipal is the agent at the desktop the demo plays.
var demoPrincipal = hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "demo:agent-desktop"}

// Run places one call through a B2BUA built on cfg, takes a card payment on it, prints what the
// agent heard and saw and the authorization result, and returns an error naming every check
// that failed: the payment not approved, a digit decoded from the agent's audio, a key not
// captured, the call not ending cleanly.
func Run(ctx context.Context, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d, err := start(cfg)
	if err != nil {
		return err
	}
	defer d.close()
	return d.run(ctx)
}

// demo is one run: hushpay's voice path, the two phones and the report.
type demo struct {
	cfg    Config
	out    *report
	watch  *secureWatch
	b      *b2bua.B2BUA
	agent  *agentPhone
	caller *callerPhone
}

// start starts the agent phone, then the B2BUA routing every call to it, then the caller's phone.
func start(cfg Config) (*demo, error) {
	if cfg.Payments == nil || cfg.Calls == nil || cfg.Out == nil {
		return nil, errors.New("demo: Payments, Calls and Out are required")
	}
	if cfg.DTMF == "" {
		cfg.DTMF = Both
	}
	if cfg.Clock == nil {
		cfg.Clock = hushpay.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Ports == nil {
		ports, err := media.NewPortAllocator(20000, 29999)
		if err != nil {
			return nil, err
		}
		cfg.Ports = ports
	}
	d := &demo{cfg: cfg, out: &report{w: cfg.Out}, watch: newSecureWatch(cfg.Logger.Handler())}
	log := slog.New(d.watch)
	var err error
	if d.agent, err = startAgentPhone(log); err != nil {
		return nil, fmt.Errorf("agent phone: %w", err)
	}
	if err := d.startB2BUA(log); err != nil {
		d.agent.Close()
		return nil, err
	}
	if d.caller, err = startCallerPhone(); err != nil {
		d.b.Close()
		d.agent.Close()
		return nil, fmt.Errorf("caller's phone: %w", err)
	}
	return d, nil
}

// startB2BUA starts hushpay's voice path on a free loopback port, routing to the agent phone.
func (d *demo) startB2BUA(log *slog.Logger) error {
	routes, err := b2bua.NewRouter(d.agentURI())
	if err != nil {
		return err
	}
	d.b, err = b2bua.New(b2bua.Config{Addr: "127.0.0.1:0", Routes: routes, Ports: d.cfg.Ports,
		Calls: d.cfg.Calls, Payments: d.cfg.Payments, Node: "demo", Logger: log,
		SecurePoll: 20 * time.Millisecond, AnswerTimeout: 10 * time.Second})
	if err != nil {
		return err
	}
	if err := d.b.Start(); err != nil {
		d.b.Close()
		return err
	}
	return nil
}

func (d *demo) agentURI() string { return fmt.Sprintf("sip:agent@127.0.0.1:%d", d.agent.sipPort()) }

func (d *demo) close() {
	d.caller.Close()
	d.b.Close()
	d.agent.Close()
}

// run is the scenario, step by step.
func (d *demo) run(ctx context.Context) error {
	d.out.intro(d.b.Addr(), d.agentURI(), d.cfg.DTMF)
	callID, err := d.placeCall(ctx)
	if err != nil {
		return err
	}
	p, err := d.startPayment(ctx, callID)
	if err != nil {
		return err
	}
	ready, err := d.keyCard(ctx, p.ID)
	if err != nil {
		return err
	}
	final, err := d.submit(ctx, p.ID)
	if err != nil {
		return err
	}
	ended := d.hangUp(ctx, callID)
	heard := d.listen(ctx)
	return d.verdict(ready, final, heard, ended)
}

// placeCall has the caller call hushpay and waits until the agent phone has answered and audio
// flows both ways; it returns the call's id from X-Hushpay-Call-Id.
func (d *demo) placeCall(ctx context.Context) (string, error) {
	d.out.step("the caller calls hushpay; hushpay places the onward call to the agent phone")
	if err := d.caller.call(ctx, d.b.Addr()); err != nil {
		return "", fmt.Errorf("the call through hushpay failed: %w", err)
	}
	var callID string
	select {
	case callID = <-d.agent.callIDs:
	case <-ctx.Done():
		return "", fmt.Errorf("the agent phone never rang: %w", ctx.Err())
	}
	if callID == "" {
		return "", errors.New("the onward INVITE had no X-Hushpay-Call-Id")
	}
	d.out.line("agent phone answered; X-Hushpay-Call-Id: %s", callID)
	err := waitUntil(ctx, func() bool {
		_, toAgent, _ := d.agent.heard.snapshot()
		_, toCaller, _ := d.caller.heard.snapshot()
		return toAgent >= 10 && toCaller >= 10
	})
	if err != nil {
		return "", fmt.Errorf("audio did not flow both ways through hushpay: %w", err)
	}
	d.out.line("audio flows both ways through hushpay's relay (20 ms PCMU); the caller talks")
	return callID, nil
}

// startPayment creates the payment on the call, as the agent's desktop does, and waits until
// hushpay masks the call.
func (d *demo) startPayment(ctx context.Context, callID string) (*hushpay.Payment, error) {
	p, err := d.cfg.Payments.Create(ctx, demoPrincipal, payments.CreateRequest{CallID: callID, Amount: 2500,
		Currency: "USD", Reference: "demo-order-1001", Description: "hushpay demo"})
	if err != nil {
		return nil, fmt.Errorf("creating the payment: %w", err)
	}
	d.out.step("the agent starts a payment on the call: %s, reference %s", payments.FormatAmount(p.Amount, p.Currency), p.Reference)
	select {
	case <-d.watch.secured():
	case <-ctx.Done():
		return nil, fmt.Errorf("hushpay did not turn secure mode on: %w", ctx.Err())
	}
	d.out.line("payment %s; the call is in secure mode", p.ID)
	return p, nil
}

// keyCard has the caller key the test card while the agent's screen follows the masked progress.
func (d *demo) keyCard(ctx context.Context, paymentID string) (*hushpay.Payment, error) {
	screen, err := d.watchScreen(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	d.out.step("the caller keys the public test card 4242 •••• •••• 4242, an expiry and a security code")
	d.out.line("(%s)", d.cfg.DTMF.describe())
	for _, f := range testCard(d.cfg.Clock.Now()) {
		if err := d.caller.press(ctx, f.steps(d.cfg.DTMF)); err != nil {
			screen.stop()
			return nil, err
		}
	}
	var ready *hushpay.Payment
	wait, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	err = waitUntil(wait, func() bool {
		p, err := d.cfg.Payments.Get(ctx, demoPrincipal, paymentID)
		if err == nil {
			ready = p
		}
		return err == nil && (p.State == hushpay.PaymentReady || p.State.Final())
	})
	screen.stop()
	if err != nil {
		return nil, fmt.Errorf("the payment is not ready to submit after the caller's last key: %s", fieldSummary(ready))
	}
	return ready, nil
}

// readyTimeout bounds the wait for the last keys to reach the payment.
const readyTimeout = 5 * time.Second

// fieldSummary lists the masked state of a payment's fields, for an error.
func fieldSummary(p *hushpay.Payment) string {
	if p == nil {
		return "payment unreadable"
	}
	parts := make([]string, 0, len(p.Capture))
	for _, name := range p.Capture {
		f := p.Fields[name]
		parts = append(parts, fmt.Sprintf("%s %s with %d digits", label(name), f.State, f.Length))
	}
	return strings.Join(parts, ", ")
}

// submit authorizes the payment, as the agent does, and prints the result.
func (d *demo) submit(ctx context.Context, paymentID string) (*hushpay.Payment, error) {
	p, err := d.cfg.Payments.Submit(ctx, demoPrincipal, paymentID)
	if err != nil {
		return nil, fmt.Errorf("submitting the payment: %w", err)
	}
	d.out.step("the agent submits")
	d.out.result(p)
	return p, nil
}

// hangUp has the caller talk a little longer and hang up, and reports whether the call ended
// cleanly: BYE reached the agent phone, hushpay has no call up and the stored call is ended.
func (d *demo) hangUp(ctx context.Context, callID string) error {
	talkOn := time.NewTimer(time.Second)
	select {
	case <-talkOn.C:
	case <-ctx.Done():
	}
	d.out.step("the caller thanks the agent and hangs up")
	if err := d.caller.hangUp(ctx); err != nil {
		return err
	}
	select {
	case <-d.agent.hungUp:
	case <-ctx.Done():
		return errors.New("the agent phone never got the BYE")
	}
	err := waitUntil(ctx, func() bool {
		c, err := d.cfg.Calls.GetCall(ctx, demoPrincipal.Tenant, callID)
		return d.b.Calls() == 0 && err == nil && c.State == hushpay.CallEnded
	})
	if err != nil {
		return errors.New("hushpay did not end the call")
	}
	d.out.line("BYE reached the agent phone; hushpay ended the call")
	return nil
}

// waitUntil polls cond every 10 ms until it holds or ctx ends.
func waitUntil(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// hushpayAddr formats hushpay's SIP address for the report.
func sipURI(addr netip.AddrPort) string { return "sip:" + addr.String() }
