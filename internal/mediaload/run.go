package mediaload

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RelayProcess is a running relay under test, driven over its standard input and output.
type RelayProcess struct {
	PID    int            // whose /proc/PID/stat CPU times are the relay's
	Stdin  io.WriteCloser // commands
	Stdout io.Reader      // the ports line, then stats lines
	Wait   func() error   // after Stdin is closed
}

// StartRelay starts a relay under test.
type StartRelay func(RelayArgs) (*RelayProcess, error)

// ChildRelay starts the relay as `exe relay --impl … --calls … --caller-peer … --agent-peer …
// --ports LOW-HIGH`, a process of its own, so that its CPU is measured apart from the
// generator's.
func ChildRelay(exe string) StartRelay {
	return func(a RelayArgs) (*RelayProcess, error) {
		cmd := exec.Command(exe, "relay", "--impl", string(a.Impl), "--calls", strconv.Itoa(a.Calls),
			"--caller-peer", a.CallerPeer.String(), "--agent-peer", a.AgentPeer.String(),
			"--ports", fmt.Sprintf("%d-%d", a.PortLow, a.PortHigh))
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			return nil, fmt.Errorf("mediaload: relay stdin: %w", err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, fmt.Errorf("mediaload: relay stdout: %w", err)
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("mediaload: start relay: %w", err)
		}
		return &RelayProcess{PID: cmd.Process.Pid, Stdin: in, Stdout: out, Wait: cmd.Wait}, nil
	}
}

// InProcessRelay runs the relay on goroutines of this process (for tests: its CPU is then mixed
// with the generator's).
func InProcessRelay() StartRelay {
	return func(a RelayArgs) (*RelayProcess, error) {
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := ServeRelay(a, inR, outW)
			_ = outW.CloseWithError(err)
			_ = inR.Close()
			done <- err
		}()
		return &RelayProcess{PID: os.Getpid(), Stdin: inW, Stdout: outR, Wait: func() error { return <-done }}, nil
	}
}

// RunConfig is one measurement point.
type RunConfig struct {
	Impl     Impl
	Calls    int
	Warmup   time.Duration // load before the measurement window
	Duration time.Duration // the measurement window
	// PortLow and PortHigh are hushpay's RTP port range (two pairs per call).
	PortLow, PortHigh int
	Start             StartRelay
}

// Result is what one measurement point found.
type Result struct {
	Impl  Impl `json:"impl"`
	Calls int  `json:"calls"`
	// Window is the measurement window; the CPU figures and RelayPackets are over it.
	Window       time.Duration `json:"window"`
	RelayCPU     time.Duration `json:"relay_cpu"`     // utime+stime of the relay process
	GenCPU       time.Duration `json:"generator_cpu"` // utime+stime of the generator (this process)
	RelayPackets uint64        `json:"relay_packets"` // packets the relay read in the window
	// CPUPerPacket is RelayCPU / RelayPackets.
	CPUPerPacket time.Duration `json:"cpu_per_packet"`
	// Sent and Received count datagrams over the whole run; Lost counts sequence numbers never
	// received (both directions, every call).
	Sent     uint64  `json:"sent"`
	Received uint64  `json:"received"`
	Lost     uint64  `json:"lost"`
	LossRate float64 `json:"loss_rate"`
	// Latency percentiles of the stamped audio during the window, send to receive: caller to
	// agent outside secure, and agent to caller.
	CallerP50 time.Duration `json:"caller_to_agent_p50"`
	CallerP99 time.Duration `json:"caller_to_agent_p99"`
	AgentP50  time.Duration `json:"agent_to_caller_p50"`
	AgentP99  time.Duration `json:"agent_to_caller_p99"`
	// KeysSent presses were sent while secure; KeysDetected were reported by the relay.
	KeysSent     uint64 `json:"keys_sent"`
	KeysDetected uint64 `json:"keys_detected"`
	// EventsLeaked counts RFC 4733 packets that reached the agent side (the keys are only
	// pressed while secure, so any is a leak).
	EventsLeaked uint64 `json:"events_leaked"`
	LateMasks    uint64 `json:"late_masks"`
	LoadAvg      string `json:"loadavg"` // /proc/loadavg at the end of the window
}

// Run measures one point: it opens the generator, starts the relay, loads it with cfg.Calls calls
// for Warmup+Duration, and reads CPU times and counters around the window.
func Run(cfg RunConfig) (Result, error) {
	g, err := newGenerator()
	if err != nil {
		return Result{}, err
	}
	defer g.close()
	proc, err := cfg.Start(RelayArgs{Impl: cfg.Impl, Calls: cfg.Calls, CallerPeer: g.addr[0], AgentPeer: g.addr[1],
		PortLow: cfg.PortLow, PortHigh: cfg.PortHigh})
	if err != nil {
		return Result{}, err
	}
	ctl := newControl(proc)
	defer ctl.quit()
	caller, agent, err := ctl.ports(cfg.Calls)
	if err != nil {
		return Result{}, err
	}
	g.start(genConfig{calls: cfg.Calls, relayCaller: caller, relayAgent: agent,
		duration: cfg.Warmup + cfg.Duration + time.Second, setSecure: ctl.secure, flush: ctl.flush})
	time.Sleep(cfg.Warmup)
	before, err := ctl.snapshot(proc.PID)
	if err != nil {
		return Result{}, err
	}
	g.rec.Store(true)
	time.Sleep(cfg.Duration)
	g.rec.Store(false)
	after, err := ctl.snapshot(proc.PID)
	if err != nil {
		return Result{}, err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	g.wait(300 * time.Millisecond)
	final, err := ctl.stats()
	if err != nil {
		return Result{}, err
	}
	res := g.result(cfg, before, after, final)
	res.LoadAvg = strings.TrimSpace(string(load))
	return res, ctl.quit()
}

// snapshot is the relay's and the generator's state at one edge of the window.
type snapshot struct {
	at       time.Time
	relayCPU time.Duration
	genCPU   time.Duration
	relay    relayStats
}

func (g *generator) result(cfg RunConfig, before, after snapshot, final relayStats) Result {
	r := Result{Impl: cfg.Impl, Calls: cfg.Calls, Window: after.at.Sub(before.at),
		RelayCPU: after.relayCPU - before.relayCPU, GenCPU: after.genCPU - before.genCPU,
		RelayPackets: after.relay.Received - before.relay.Received,
		KeysSent:     g.keysSent.Load(), KeysDetected: final.Keys, LateMasks: final.LateMasks,
		Sent: g.sent[0].Load() + g.sent[1].Load()}
	if r.RelayPackets > 0 {
		r.CPUPerPacket = r.RelayCPU / time.Duration(r.RelayPackets)
	}
	var expected uint64
	for side := range 2 {
		rx := g.rx[side]
		r.Received += rx.received
		for i := range rx.streams {
			r.Lost += rx.streams[i].lost()
			expected += rx.streams[i].received + rx.streams[i].lost()
		}
	}
	r.EventsLeaked = g.rx[1].events
	if expected > 0 {
		r.LossRate = float64(r.Lost) / float64(expected)
	}
	r.AgentP50, r.AgentP99 = percentiles(g.rx[0].latency)
	r.CallerP50, r.CallerP99 = percentiles(g.rx[1].latency)
	return r
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	slices.Sort(d)
	return d[len(d)/2], d[len(d)*99/100]
}

// control speaks the relay's control protocol.
type control struct {
	proc *RelayProcess
	mu   sync.Mutex
	w    *bufio.Writer
	r    *bufio.Reader
	err  error
	done bool
}

func newControl(p *RelayProcess) *control {
	return &control{proc: p, w: bufio.NewWriter(p.Stdin), r: bufio.NewReader(p.Stdout)}
}

func (c *control) ports(calls int) (caller, agent []netip.AddrPort, err error) {
	var pl portsLine
	if err := c.readJSON(&pl); err != nil {
		return nil, nil, fmt.Errorf("mediaload: relay ports: %w", err)
	}
	if len(pl.Caller) != calls || len(pl.Agent) != calls {
		return nil, nil, errors.New("mediaload: relay ports: wrong count")
	}
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	for i := range calls {
		caller = append(caller, netip.AddrPortFrom(lo, uint16(pl.Caller[i])))
		agent = append(agent, netip.AddrPortFrom(lo, uint16(pl.Agent[i])))
	}
	return caller, agent, nil
}

func (c *control) readJSON(v any) error {
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

// secure queues a secure command; flush sends the queue.
func (c *control) secure(call int, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := 0
	if on {
		v = 1
	}
	_, _ = fmt.Fprintf(c.w, "secure %d %d\n", call, v)
}

func (c *control) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.w.Flush(); err != nil && c.err == nil {
		c.err = err
	}
}

func (c *control) stats() (relayStats, error) {
	c.mu.Lock()
	_, _ = c.w.WriteString("stats\n")
	err := c.w.Flush()
	c.mu.Unlock()
	if err != nil {
		return relayStats{}, fmt.Errorf("mediaload: relay stats: %w", err)
	}
	var s relayStats
	if err := c.readJSON(&s); err != nil {
		return relayStats{}, fmt.Errorf("mediaload: relay stats: %w", err)
	}
	return s, nil
}

func (c *control) snapshot(pid int) (snapshot, error) {
	s := snapshot{at: time.Now()}
	var err error
	if s.relay, err = c.stats(); err != nil {
		return s, err
	}
	if s.relayCPU, err = processCPU(pid); err != nil {
		return s, err
	}
	s.genCPU, err = processCPU(os.Getpid())
	return s, err
}

// quit ends the relay and waits for it; it is safe to call twice.
func (c *control) quit() error {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return nil
	}
	c.done = true
	_, _ = c.w.WriteString("quit\n")
	_ = c.w.Flush()
	c.mu.Unlock()
	_ = c.proc.Stdin.Close()
	_, _ = io.Copy(io.Discard, c.r)
	return c.proc.Wait()
}

// clockTick is the unit of /proc/PID/stat CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// processCPU returns a process's user+system CPU time from /proc/PID/stat (all its threads).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("mediaload: cpu: %w", err)
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis
	// start with field 3 (state): utime and stime are fields 14 and 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, errors.New("mediaload: cpu: short /proc stat line")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("mediaload: cpu: bad /proc stat line")
	}
	return time.Duration(ut+st) * clockTick, nil
}
