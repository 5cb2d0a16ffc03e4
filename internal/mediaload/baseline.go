package mediaload

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/hushpay/hushpay/internal/g711"
	"github.com/pion/rtp"
	"golang.org/x/sys/unix"
)

// Payload types of the load's legs: PCMU audio and telephone-event on 101 on both sides.
const (
	audioPT = 0
	eventPT = 101
)

// baselineBatch is how many datagrams one recvmmsg takes from a socket.
const baselineBatch = 16

// baselineRelay is the minimal relay the measurement compares internal/media with: every call's
// sockets in one epoll set, served by one goroutine locked to its thread, each ready socket read
// with recvmmsg and its output written with sendmmsg. Per packet it does the DSP internal/media
// does: on caller audio a G.711 decode, the in-band detector, and while secure a masked
// re-encode; RFC 4733 events go through the rfc4733 receiver and are dropped while secure; both
// directions get their own SSRC, sequence numbers and timestamps. It has no look-ahead (a tone's
// onset leaks; internal/media's delay line is part of what the comparison charges it for), no
// symmetric-RTP checks beyond latching, no renegotiation.
type baselineRelay struct {
	calls []*baseCall
	byFD  []fdRef // indexed by file descriptor
	epfd  int
	stop  atomic.Bool
	done  sync.WaitGroup
	keys  atomic.Uint64

	received, forwarded atomic.Uint64
}

// fdRef says which call and side a socket serves.
type fdRef struct {
	call *baseCall
	side int // 0 caller, 1 agent
}

// baseCall is one call of the baseline relay.
type baseCall struct {
	fd      [2]int
	port    [2]int
	remote  [2]netip.AddrPort // where each leg's packets go: SDP address, then the latched source
	latched [2]bool
	out     [2]rewriter // 0: towards the agent, 1: towards the caller
	secure  atomic.Bool
	det     *dtmf.Detector
	rx      *rfc4733.Receiver
	inBand  bool // an in-band press is going on
	onTone  func(dtmf.Event)
	onEvent func(rfc4733.Event)
	pcm     [maxFrame]int16
	rtpHdr  rtp.Header
}

// maxFrame is the longest audio frame taken (60 ms).
const maxFrame = 480

func newBaselineRelay(calls int, callerPeer, agentPeer netip.AddrPort) (*baselineRelay, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("baseline: epoll: %w", err)
	}
	r := &baselineRelay{epfd: epfd}
	for range calls {
		c := &baseCall{remote: [2]netip.AddrPort{callerPeer, agentPeer},
			out: [2]rewriter{newRewriter(), newRewriter()}, det: dtmf.NewDetector(),
			rx: rfc4733.NewReceiver(rfc4733.ReceiverConfig{PayloadType: eventPT})}
		c.onTone, c.onEvent = r.toneEvent(c), r.telephoneEvent
		r.calls = append(r.calls, c)
		for side := range 2 {
			fd, local, err := udpSocket(0, true, 0)
			if err != nil {
				_ = r.close()
				return nil, fmt.Errorf("baseline: %w", err)
			}
			c.fd[side], c.port[side] = fd, int(local.Port())
			for fd >= len(r.byFD) {
				r.byFD = append(r.byFD, fdRef{})
			}
			r.byFD[fd] = fdRef{call: c, side: side}
			ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
			if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
				_ = r.close()
				return nil, fmt.Errorf("baseline: epoll add: %w", err)
			}
		}
	}
	r.done.Add(1)
	go r.loop()
	return r, nil
}

func (r *baselineRelay) toneEvent(c *baseCall) func(dtmf.Event) {
	return func(e dtmf.Event) {
		c.inBand = e.Kind == dtmf.KeyDown
		if e.Kind == dtmf.KeyDown {
			r.keys.Add(1)
		}
	}
}

func (r *baselineRelay) telephoneEvent(e rfc4733.Event) {
	if e.Kind == rfc4733.KeyDown {
		r.keys.Add(1)
	}
}

// loop is the relay's only packet goroutine.
func (r *baselineRelay) loop() {
	defer r.done.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	events := make([]unix.EpollEvent, 256)
	in, out := newBatch(baselineBatch), newBatch(baselineBatch)
	for !r.stop.Load() {
		n, err := unix.EpollWait(r.epfd, events, 100)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
		now := time.Now()
		for _, ev := range events[:n] {
			ref := r.byFD[ev.Fd]
			r.serve(ref.call, ref.side, in, out, now)
		}
	}
}

// serve reads what is waiting on one side's socket and sends the result out of the other side's.
func (r *baselineRelay) serve(c *baseCall, side int, in, out *mmsgBatch, now time.Time) {
	k, err := in.recv(c.fd[side], unix.MSG_DONTWAIT)
	if err != nil || k == 0 {
		return
	}
	r.received.Add(uint64(k))
	m := 0
	for j := range k {
		pkt, from := in.packet(j)
		if !c.latched[side] {
			c.remote[side], c.latched[side] = from, true
		} else if from != c.remote[side] {
			continue
		}
		var n int
		if side == 0 {
			n = c.fromCaller(pkt, out.bufs[m], now)
		} else {
			n = c.fromAgent(pkt, out.bufs[m])
		}
		if n > 0 {
			out.setPacket(m, n, c.remote[1-side])
			m++
		}
	}
	if m > 0 {
		_, _ = out.send(c.fd[1-side], m)
		r.forwarded.Add(uint64(m))
	}
}

// fromCaller handles a caller packet into dst and returns its length, 0 to drop it.
func (c *baseCall) fromCaller(pkt, dst []byte, now time.Time) int {
	h, ok := parseHeader(pkt)
	if !ok {
		return 0
	}
	payload := pkt[headerLen:]
	secure := c.secure.Load()
	c.out[0].observe(h) // every packet, so that a dropped event leaves no gap
	switch h.pt {
	case audioPT:
		if len(payload) > maxFrame {
			return 0
		}
		c.rx.Tick(now, c.onEvent)
		pcm := c.pcm[:len(payload)]
		g711.DecodeULawTo(pcm, payload)
		c.det.Process(pcm, c.onTone)
		putHeader(dst, c.out[0].stamp(h, audioPT))
		if !secure {
			return headerLen + copy(dst[headerLen:], payload)
		}
		if _, pressed := c.rx.Active(); pressed || c.inBand {
			clear(pcm)
		}
		g711.EncodeULawTo(dst[headerLen:headerLen+len(pcm)], pcm)
		return headerLen + len(pcm)
	case eventPT:
		c.rtpHdr = rtp.Header{Version: 2, Marker: h.marker, PayloadType: h.pt, SequenceNumber: h.seq,
			Timestamp: h.ts, SSRC: h.ssrc}
		if c.rx.Receive(now, &c.rtpHdr, payload, c.onEvent) != nil || secure {
			return 0
		}
		putHeader(dst, c.out[0].stamp(h, eventPT))
		return headerLen + copy(dst[headerLen:], payload)
	}
	return 0
}

// fromAgent handles an agent packet into dst and returns its length, 0 to drop it.
func (c *baseCall) fromAgent(pkt, dst []byte) int {
	h, ok := parseHeader(pkt)
	if !ok || (h.pt != audioPT && h.pt != eventPT) {
		return 0
	}
	c.out[1].observe(h)
	putHeader(dst, c.out[1].stamp(h, h.pt))
	return headerLen + copy(dst[headerLen:], pkt[headerLen:])
}

func (r *baselineRelay) ports() (caller, agent []int) {
	for _, c := range r.calls {
		caller, agent = append(caller, c.port[0]), append(agent, c.port[1])
	}
	return caller, agent
}

func (r *baselineRelay) setSecure(i int, on bool) { r.calls[i].secure.Store(on) }

func (r *baselineRelay) stats() relayStats {
	return relayStats{Received: r.received.Load(), Forwarded: r.forwarded.Load(), Keys: r.keys.Load()}
}

func (r *baselineRelay) close() error {
	r.stop.Store(true)
	r.done.Wait()
	for _, c := range r.calls {
		for _, fd := range c.fd {
			if fd > 0 {
				_ = unix.Close(fd)
			}
		}
	}
	return unix.Close(r.epfd)
}
