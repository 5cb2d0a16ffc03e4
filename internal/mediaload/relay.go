package mediaload

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hushpay/hushpay/internal/media"
)

// Impl names a relay implementation under test.
type Impl string

// The implementations.
const (
	// Hushpay is internal/media with a Relay per call, each reading its sockets on goroutines of
	// its own (Config.Loop nil).
	Hushpay Impl = "hushpay"
	// HushpayLoop is internal/media with a Relay per call, all served by one media.Loop (one
	// thread, like the baseline).
	HushpayLoop Impl = "hushpay-loop"
	// HushpayLoops is internal/media with its calls spread over one media.Loop per core.
	HushpayLoops Impl = "hushpay-loops"
	// Baseline is the minimal epoll + recvmmsg/sendmmsg relay of this package.
	Baseline Impl = "baseline"
)

// ParseImpl parses "hushpay", "hushpay-loop" or "baseline".
func ParseImpl(s string) (Impl, error) {
	switch Impl(s) {
	case Hushpay, HushpayLoop, HushpayLoops, Baseline:
		return Impl(s), nil
	}
	return "", fmt.Errorf("mediaload: impl: want hushpay, hushpay-loop, hushpay-loops or baseline")
}

// RelayArgs configures the relay under test.
type RelayArgs struct {
	Impl  Impl
	Calls int
	// CallerPeer and AgentPeer are the generator's caller-side and agent-side sockets, which every
	// call's legs name as their remote address.
	CallerPeer, AgentPeer netip.AddrPort
	// PortLow and PortHigh bound hushpay's RTP port range (two pairs per call).
	PortLow, PortHigh int
}

// relayStats are the relay's counters, summed over its calls.
type relayStats struct {
	Received  uint64 `json:"received"`  // packets read from the legs' RTP sockets
	Forwarded uint64 `json:"forwarded"` // packets sent on, made-up mask audio included
	Keys      uint64 `json:"keys"`      // key presses reported (OnKey or the baseline's count)
	LateMasks uint64 `json:"late_masks"`
}

// relayUnderTest is what the control protocol drives.
type relayUnderTest interface {
	ports() (caller, agent []int)
	setSecure(call int, on bool)
	stats() relayStats
	close() error
}

// portsLine is the relay's first output line: each call's caller and agent RTP ports.
type portsLine struct {
	Caller []int `json:"caller"`
	Agent  []int `json:"agent"`
}

// ServeRelay runs the relay under test and its control protocol: it writes one JSON line with
// the calls' ports to out, then reads commands from in, one a line — "secure CALL 1|0", "stats"
// (answered with a JSON line of counters) and "quit" — until quit or the end of in.
func ServeRelay(args RelayArgs, in io.Reader, out io.Writer) error {
	r, err := startRelay(args)
	if err != nil {
		return err
	}
	defer func() { _ = r.close() }()
	enc := json.NewEncoder(out)
	caller, agent := r.ports()
	if err := enc.Encode(portsLine{Caller: caller, Agent: agent}); err != nil {
		return fmt.Errorf("mediaload: relay: write ports: %w", err)
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "secure":
			i, err := strconv.Atoi(f[1])
			if err != nil || i < 0 || i >= args.Calls {
				return fmt.Errorf("mediaload: relay: bad secure command")
			}
			r.setSecure(i, f[2] == "1")
		case len(f) == 1 && f[0] == "stats":
			if err := enc.Encode(r.stats()); err != nil {
				return fmt.Errorf("mediaload: relay: write stats: %w", err)
			}
		case len(f) == 1 && f[0] == "quit":
			return nil
		default:
			return fmt.Errorf("mediaload: relay: unknown command")
		}
	}
	return sc.Err()
}

func startRelay(args RelayArgs) (relayUnderTest, error) {
	if args.Impl == Baseline {
		return newBaselineRelay(args.Calls, args.CallerPeer, args.AgentPeer)
	}
	return newHushpayRelays(args)
}

// hushpayRelays is one media.Relay per call, as the B2BUA runs them.
type hushpayRelays struct {
	relays []*media.Relay
	loops  []*media.Loop // none: each relay on its own goroutines
	keys   atomic.Uint64
}

func newHushpayRelays(args RelayArgs) (*hushpayRelays, error) {
	ports, err := media.NewPortAllocator(args.PortLow, args.PortHigh)
	if err != nil {
		return nil, err
	}
	h := &hushpayRelays{}
	loops := map[Impl]int{HushpayLoop: 1, HushpayLoops: runtime.GOMAXPROCS(0)}[args.Impl]
	for range loops {
		loop, err := media.NewLoop()
		if err != nil {
			_ = h.close()
			return nil, err
		}
		h.loops = append(h.loops, loop)
	}
	onKey := func(byte) { h.keys.Add(1) }
	caller := media.Leg{Remote: args.CallerPeer, Codec: media.PCMU, AudioPT: audioPT, EventPT: eventPT}
	agent := media.Leg{Remote: args.AgentPeer, Codec: media.PCMU, AudioPT: audioPT, EventPT: eventPT}
	for i := range args.Calls {
		cfg := media.Config{Ports: ports, OnKey: onKey}
		if len(h.loops) > 0 {
			cfg.Loop = h.loops[i%len(h.loops)]
		}
		r, err := media.NewRelay(cfg)
		if err != nil {
			_ = h.close()
			return nil, fmt.Errorf("mediaload: hushpay relay: %w", err)
		}
		h.relays = append(h.relays, r)
		if err := r.Start(caller, agent); err != nil {
			_ = h.close()
			return nil, fmt.Errorf("mediaload: hushpay relay: %w", err)
		}
	}
	return h, nil
}

func (h *hushpayRelays) ports() (caller, agent []int) {
	for _, r := range h.relays {
		caller = append(caller, int(r.LocalAddr(media.Caller).Port()))
		agent = append(agent, int(r.LocalAddr(media.Agent).Port()))
	}
	return caller, agent
}

func (h *hushpayRelays) setSecure(i int, on bool) { h.relays[i].SetSecure(on) }

func (h *hushpayRelays) stats() relayStats {
	s := relayStats{Keys: h.keys.Load()}
	for _, r := range h.relays {
		st := r.Stats()
		s.Received += st.Caller.Received + st.Agent.Received
		s.Forwarded += st.Caller.Forwarded + st.Agent.Forwarded // made-up mask frames are in Forwarded too
		s.LateMasks += st.Caller.LateMasks
	}
	return s
}

func (h *hushpayRelays) close() error {
	for _, r := range h.relays {
		_ = r.Close()
	}
	for _, l := range h.loops {
		_ = l.Close()
	}
	return nil
}
