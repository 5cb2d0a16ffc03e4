package media

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
)

// Side names a leg of the call.
type Side uint8

// The two legs.
const (
	Caller Side = iota // the carrier side: its digits are captured and masked
	Agent              // the contact-center side: it gets the masked audio
)

// String returns "caller" or "agent".
func (s Side) String() string {
	if s == Caller {
		return "caller"
	}
	return "agent"
}

// bindAttempts is how many port pairs NewRelay tries per leg before giving up (a pair may be
// taken by another process).
const bindAttempts = 8

// readBufLen is the read buffer of a socket: larger than any packet the relay takes, so that a
// datagram that fills it is known to be oversize.
const readBufLen = 2048

// keyQueue is how many keys may wait for OnKey.
const keyQueue = 64

// Lifecycle errors.
var (
	ErrStarted = errors.New("media: relay already started") // Start called twice
	ErrClosed  = errors.New("media: relay closed")          // Start or Update after Close
)

// Relay relays one call's RTP between the caller's and the agent's leg. Create it with NewRelay
// (which binds both legs' sockets, so their ports can go into SDP), hand it the negotiated legs
// with Start, flip SetSecure as payments start and end, and Close it when the call ends.
type Relay struct {
	cfg        Config
	legs       [2]*leg
	secure     atomic.Bool
	negotiated atomic.Pointer[[2]Leg] // caller, agent; swapped whole by Update
	keys       chan byte
	info       chan infoKey

	mu      sync.Mutex // guards started and closed (lifecycle only, never the packet path)
	started bool
	closed  bool
	readers sync.WaitGroup
	keysWG  sync.WaitGroup
}

// leg is one side's sockets and where its packets go.
type leg struct {
	side    Side
	rtp     *net.UDPConn // read by the relay's own goroutines (Config.Loop nil)
	rtcp    *net.UDPConn
	raw     *rawLeg // or served by Config.Loop
	port    int
	stats   counters
	remote  atomic.Pointer[netip.AddrPort] // from SDP; its IP is the only source accepted (unspecified: any)
	latched atomic.Pointer[netip.AddrPort] // the source the leg's packets come from
	handle  func(pkt []byte, now time.Time)

	rtcpLatched atomic.Pointer[netip.AddrPort] // the source the leg's RTCP comes from
	rtcpx       *rtcpTranslator                // owned by the goroutine that reads the leg's RTCP
	peer        *leg                           // the other leg, where the translated RTCP goes
	log         *slog.Logger
}

// NewRelay binds a port pair for each leg on cfg.BindIP from cfg.Ports.
func NewRelay(cfg Config) (*Relay, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	r := &Relay{cfg: cfg, keys: make(chan byte, keyQueue), info: make(chan infoKey, keyQueue)}
	for _, s := range []Side{Caller, Agent} {
		l, err := bindLeg(cfg.Ports, cfg.BindIP, s, cfg.Loop)
		if err != nil {
			r.closeSockets()
			return nil, err
		}
		r.legs[s] = l
	}
	return r, nil
}

func bindLeg(ports *PortAllocator, ip netip.Addr, s Side, loop *Loop) (*leg, error) {
	var lastErr error
	for range bindAttempts {
		port, err := ports.Allocate()
		if err != nil {
			return nil, err
		}
		if loop != nil {
			raw, err := loop.bind(ip, port)
			if errors.Is(err, ErrLoopClosed) {
				ports.Release(port)
				return nil, err
			}
			if err != nil {
				ports.Release(port)
				lastErr = err
				continue
			}
			return &leg{side: s, raw: raw, port: port}, nil
		}
		rtpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err != nil {
			ports.Release(port)
			lastErr = err
			continue
		}
		rtcpConn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1))))
		if err != nil {
			_ = rtpConn.Close()
			ports.Release(port)
			lastErr = err
			continue
		}
		return &leg{side: s, rtp: rtpConn, rtcp: rtcpConn, port: port}, nil
	}
	return nil, fmt.Errorf("media: bind %s leg: %w", s, lastErr)
}

// LocalAddr returns the RTP address of side's socket, for its SDP; RTCP is on the next port.
func (r *Relay) LocalAddr(s Side) netip.AddrPort {
	return netip.AddrPortFrom(r.cfg.BindIP, uint16(r.legs[s].port))
}

// Start begins relaying between the negotiated legs.
func (r *Relay) Start(caller, agent Leg) error {
	if err := caller.validate("caller"); err != nil {
		return err
	}
	if err := agent.validate("agent"); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if r.started {
		return ErrStarted
	}
	r.started = true
	c, a := r.legs[Caller], r.legs[Agent]
	c.setRemote(caller.Remote)
	a.setRemote(agent.Remote)
	r.negotiated.Store(&[2]Leg{caller, agent})
	cp := newCallerPath(&r.negotiated, &r.cfg, &r.secure, &c.stats, r.keys, r.info, a.write)
	ap := newAgentPath(&r.negotiated, &a.stats, c.write)
	c.handle, a.handle = cp.handle, ap.handle
	c.rtcpx = newRTCPTranslator(cp.stream.report, ap.stream.report)
	a.rtcpx = newRTCPTranslator(ap.stream.report, cp.stream.report)
	c.peer, a.peer = a, c
	c.log, a.log = r.cfg.Logger, r.cfg.Logger
	if r.cfg.Loop != nil {
		if err := r.cfg.Loop.attach(c, a); err != nil {
			return err
		}
	}
	r.keysWG.Add(1)
	go r.deliverKeys()
	for _, l := range r.legs {
		if l.raw != nil {
			continue // served by the loop
		}
		r.readers.Add(2)
		go r.readRTP(l)
		go r.readRTCP(l)
	}
	r.cfg.Logger.Info("media relay started", "caller_port", c.port, "agent_port", a.port,
		"caller_codec", caller.Codec.String(), "agent_codec", agent.Codec.String())
	return nil
}

// ErrNotStarted is returned by Update on a relay that was not started.
var ErrNotStarted = errors.New("media: relay not started")

// Update applies what a re-INVITE or UPDATE renegotiated for side: its address, codec or payload
// types. Each direction picks the change up at its next packet; sequence numbers and timestamps
// towards both legs run on. A new remote IP makes the leg latch again.
func (r *Relay) Update(s Side, l Leg) error {
	if err := l.validate(s.String()); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	if !r.started {
		return ErrNotStarted
	}
	legs := *r.negotiated.Load()
	legs[s] = l
	r.legs[s].setRemote(l.Remote)
	r.negotiated.Store(&legs)
	return nil
}

// Errors returned by InjectKey.
var (
	ErrNotKey       = errors.New("media: not a keypad key")
	ErrKeyQueueFull = errors.New("media: too many keys waiting")
)

// InjectKey hands the relay a key the caller sent as SIP INFO (application/dtmf-relay or
// application/dtmf), lasting duration (0 if the body gave none). The caller-to-agent path takes
// it at its next packet and reports it through OnKey like any other key — once, even if the
// phone sent the same press in-band or as RFC 4733 too. It never blocks.
func (r *Relay) InjectKey(key byte, duration time.Duration) error {
	if !dtmf.IsKey(key) {
		return ErrNotKey
	}
	select {
	case r.info <- infoKey{key: key, duration: int64(duration / (time.Second / dtmf.SampleRate))}:
		return nil
	default:
		r.legs[Caller].stats.lostKeys.Add(1)
		return ErrKeyQueueFull
	}
}

// SetSecure turns the secure flag on or off (scope secure). Turning it off ends secure mode only
// once a press in progress has ended and a second has passed.
func (r *Relay) SetSecure(on bool) { r.secure.Store(on) }

// Secure reports the flag SetSecure last set.
func (r *Relay) Secure() bool { return r.secure.Load() }

// Stats returns a snapshot of both legs' counters.
func (r *Relay) Stats() Stats {
	return Stats{Caller: r.legs[Caller].stats.snapshot(), Agent: r.legs[Agent].stats.snapshot()}
}

// Close stops the relay: it closes the sockets, waits for the read loops and the key delivery
// to end, and returns the ports. It is safe to call more than once.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	started := r.started
	r.mu.Unlock()
	r.closeSockets()
	r.readers.Wait()
	close(r.keys)
	r.keysWG.Wait()
	if started {
		st := r.Stats()
		r.cfg.Logger.Info("media relay closed",
			"caller_received", st.Caller.Received, "caller_forwarded", st.Caller.Forwarded,
			"agent_received", st.Agent.Received, "agent_forwarded", st.Agent.Forwarded,
			"malformed", st.Caller.Malformed+st.Agent.Malformed,
			"wrong_source", st.Caller.WrongSource+st.Agent.WrongSource,
			"rtcp_received", st.Caller.RTCP+st.Agent.RTCP,
			"rtcp_forwarded", st.Caller.RTCPForwarded+st.Agent.RTCPForwarded,
			"rtcp_malformed", st.Caller.RTCPMalformed+st.Agent.RTCPMalformed,
			"rtcp_wrong_source", st.Caller.RTCPWrongSource+st.Agent.RTCPWrongSource)
	}
	return nil
}

func (r *Relay) closeSockets() {
	var onLoop []*leg
	for _, l := range r.legs {
		switch {
		case l == nil:
		case l.raw != nil:
			onLoop = append(onLoop, l)
		default:
			_ = l.rtp.Close()
			_ = l.rtcp.Close()
		}
	}
	if len(onLoop) > 0 {
		// Both legs at once: the loop must not run one leg's handler (which writes to the other
		// leg's sockets) after the other's descriptors are closed and perhaps reused.
		r.cfg.Loop.detach(onLoop...)
	}
	for _, l := range r.legs {
		if l != nil {
			r.cfg.Ports.Release(l.port)
		}
	}
}

func (r *Relay) deliverKeys() {
	defer r.keysWG.Done()
	for k := range r.keys {
		r.cfg.OnKey(k)
	}
}

// readRTP is the leg's packet loop: the only goroutine that runs its path.
func (r *Relay) readRTP(l *leg) {
	defer r.readers.Done()
	buf := make([]byte, readBufLen)
	for {
		n, from, err := l.rtp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if !l.accept(from) {
			l.stats.wrongSource.Add(1)
			continue
		}
		if n == len(buf) {
			l.stats.received.Add(1)
			l.stats.malformed.Add(1)
			continue
		}
		l.handle(buf[:n], time.Now())
	}
}

// readRTCP is the leg's RTCP loop: the only goroutine that runs its RTCP translation.
func (r *Relay) readRTCP(l *leg) {
	defer r.readers.Done()
	buf := make([]byte, readBufLen)
	for {
		n, from, err := l.rtcp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		l.handleRTCP(buf[:n], from)
	}
}

// handleRTCP takes one RTCP datagram the leg sent: latched like RTP, translated, and sent to the
// other leg's RTCP address (see rtcp.go and docs/media.md).
func (l *leg) handleRTCP(pkt []byte, from netip.AddrPort) {
	l.stats.rtcp.Add(1)
	if !l.acceptRTCP(from) {
		l.stats.rtcpWrongSource.Add(1)
		return
	}
	var out []byte
	err := errRTCPOversize
	if len(pkt) < readBufLen {
		out, err = l.rtcpx.translate(pkt)
	}
	switch {
	case err != nil:
		// The first per leg only; the error is pion's or ours and never quotes the datagram.
		if l.stats.rtcpMalformed.Add(1) == 1 {
			l.log.Debug("media relay dropped malformed RTCP", "side", l.side.String(), "bytes", len(pkt), "err", err)
		}
	case out == nil || !l.peer.writeRTCP(out):
		l.stats.rtcpDropped.Add(1)
	default:
		l.stats.rtcpForwarded.Add(1)
	}
}

// errRTCPOversize is the error for an RTCP datagram that filled the read buffer.
var errRTCPOversize = errors.New("media: RTCP datagram too long")

// setRemote takes the leg's SDP address. A new IP forgets the latched source, so the leg latches
// again on the first packet from it.
func (l *leg) setRemote(remote netip.AddrPort) {
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	old := l.remote.Swap(&remote)
	if old == nil || old.Addr() != remote.Addr() {
		l.latched.Store(nil)
		l.rtcpLatched.Store(nil)
	}
}

// accept applies symmetric RTP: the first packet from the expected IP (any IP if SDP gave an
// unspecified one) latches its address and port; from then on only that address is accepted.
func (l *leg) accept(from netip.AddrPort) bool {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if p := l.latched.Load(); p != nil {
		return *p == from
	}
	if expect := l.remote.Load().Addr(); !expect.IsUnspecified() && from.Addr() != expect {
		return false
	}
	latched := from // a copy, so that only the latching packet allocates
	l.latched.Store(&latched)
	return true
}

// write sends a packet to the leg: to the latched source, or to the SDP address before the leg
// has sent anything.
func (l *leg) write(pkt []byte) {
	to := *l.remote.Load()
	if p := l.latched.Load(); p != nil {
		to = *p
	}
	if to.Port() == 0 {
		return
	}
	if l.raw != nil {
		l.raw.write(pkt, to)
		return
	}
	_, _ = l.rtp.WriteToUDPAddrPort(pkt, to)
}

// acceptRTCP latches the leg's RTCP source like accept does for RTP: the first RTCP datagram
// from the IP the leg's RTP comes from (or, before any RTP, the IP its SDP named; any IP if that
// is unspecified) latches its address and port, on whatever port it comes from.
func (l *leg) acceptRTCP(from netip.AddrPort) bool {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if p := l.rtcpLatched.Load(); p != nil {
		return *p == from
	}
	expect := l.remote.Load().Addr()
	if p := l.latched.Load(); p != nil {
		expect = p.Addr()
	}
	if !expect.IsUnspecified() && from.Addr() != expect {
		return false
	}
	latched := from
	l.rtcpLatched.Store(&latched)
	return true
}

// writeRTCP sends a compound RTCP packet to the leg: to its latched RTCP source, or before the
// leg has sent RTCP, to the port above the RTP port its SDP named (RFC 3550's default; Leg has no
// a=rtcp port). It reports false when there is no address to send to yet.
func (l *leg) writeRTCP(pkt []byte) bool {
	to, ok := l.rtcpTarget()
	if !ok {
		return false
	}
	if l.raw != nil {
		l.raw.writeRTCP(pkt, to)
		return true
	}
	_, _ = l.rtcp.WriteToUDPAddrPort(pkt, to)
	return true
}

func (l *leg) rtcpTarget() (netip.AddrPort, bool) {
	if p := l.rtcpLatched.Load(); p != nil {
		return *p, true
	}
	remote := *l.remote.Load()
	ip := remote.Addr()
	if ip.IsUnspecified() {
		p := l.latched.Load()
		if p == nil {
			return netip.AddrPort{}, false
		}
		ip = p.Addr()
	}
	if remote.Port() == 0 || remote.Port() == 65535 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ip, remote.Port()+1), true
}
