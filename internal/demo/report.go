package demo

import (
	"fmt"
	"io"
	"net/netip"
	"sync"

	"github.com/hushpay/hushpay"
)

// report prints the demo's story: numbered steps and indented lines under them. It is safe for
// the screen's goroutine and the scenario to share.
type report struct {
	mu    sync.Mutex
	w     io.Writer
	steps int
}

func (r *report) printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.w, format, args...)
}

func (r *report) intro(hushpayAddr netip.AddrPort, agent string, t Transport) {
	r.printf("hushpay demo: one card payment over a real SIP/RTP call on this machine (loopback only)\n")
	r.printf("  hushpay      %s  B2BUA and media relay, temporary SQLite, sandbox processor\n", sipURI(hushpayAddr))
	r.printf("  agent phone  %s  answers, talks, records what it receives\n", agent)
	r.printf("  caller       calls hushpay, talks, keys the card (--dtmf %s)\n", t)
}

// step starts the next numbered step.
func (r *report) step(format string, args ...any) {
	r.mu.Lock()
	r.steps++
	n := r.steps
	r.mu.Unlock()
	r.printf("\n%d. %s\n", n, fmt.Sprintf(format, args...))
}

// line prints a line under the current step.
func (r *report) line(format string, args ...any) {
	r.printf("   %s\n", fmt.Sprintf(format, args...))
}

// screen prints a line of what the agent's desktop shows.
func (r *report) screen(format string, args ...any) {
	r.printf("   agent's screen │ %s\n", fmt.Sprintf(format, args...))
}

// result prints the authorization result.
func (r *report) result(p *hushpay.Payment) {
	if p.Outcome == nil {
		r.line("authorization result: none (payment %s)", p.State)
		return
	}
	ref := p.Outcome.ProcessorReference
	if ref == "" {
		ref = "none"
	}
	r.line("authorization result: %s (%s), processor %s, reference %s; payment %s",
		p.Outcome.Code, p.Outcome.Message, p.Processor, ref, p.State)
}
