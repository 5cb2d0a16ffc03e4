package mediaload

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/hushpay/hushpay/internal/g711"
	"golang.org/x/sys/unix"
)

// The load's timing: 20 ms frames of 160 samples, 50 packets/s per direction.
const (
	frameSamples = 160
	framePeriod  = 20 * time.Millisecond
)

// Each call repeats a payment cycle of cycleLen packets (8 s), its phase staggered by call:
//
//	packet 0          secure on
//	packets 50-53     a key in-band (80 ms of tone)      ┐
//	packets 100-103   a key as RFC 4733 events            │ keys only in a cycle that began
//	packets 150-153   a key in-band                       │ with secure on
//	packets 200-203   a key as RFC 4733 events            ┘
//	packet 250        secure off (the relay stays secure a 1 s hang-over longer)
//	packets 325-399   audio stamped with its send time, for latency outside secure
const (
	cycleLen   = 400
	secureOff  = 250
	stampFrom  = 325
	pressLen   = 4 // packets a press lasts
	noiseLen   = 8000
	stampMagic = 0x48504c54 // "HPLT"
	stampLen   = 12         // magic and the wall-clock send time in nanoseconds
	genBatch   = 64
	genBuffer  = 8 << 20
	maxSamples = 1 << 21 // latency samples kept per direction
)

// pressAt reports whether a press starts at cycle phase p, and whether it is sent in-band.
func pressAt(p int) (isPress, inBand bool) {
	switch p {
	case 50, 150:
		return true, true
	case 100, 200:
		return true, false
	}
	return false, false
}

const keypad = "0123456789*#"

// genConfig configures a generator.
type genConfig struct {
	calls       int
	relayCaller []netip.AddrPort // each call's relay caller-leg address
	relayAgent  []netip.AddrPort // each call's relay agent-leg address
	duration    time.Duration    // how long the generator sends
	setSecure   func(call int, on bool)
	flush       func() // called after each burst of setSecure calls
}

// generator plays every call's caller and agent from two sockets (one per side; the relay latches
// each leg onto them), sends with sendmmsg and receives with recvmmsg.
type generator struct {
	fd     [2]int // 0: caller side, 1: agent side
	addr   [2]netip.AddrPort
	cfg    genConfig
	base   time.Time
	stopRx atomic.Bool
	rec    atomic.Bool // latency samples are kept
	sendWG sync.WaitGroup
	rxWG   sync.WaitGroup
	calls  []genCall
	owner  [2][]int32 // relay port → call index + 1, per side
	rx     [2]*sideRx
	noise  []byte
	tones  map[byte][]byte

	keysSent atomic.Uint64
	sent     [2]atomic.Uint64
	arrived  atomic.Uint64 // datagrams read on both sides, for wait
}

// genCall is the sender's state of one call.
type genCall struct {
	seq   [2]uint16
	ts    [2]uint32
	ssrc  [2]uint32
	armed bool // this cycle began with secure on
	press press
	noise int
}

// press is a key press the caller is sending.
type press struct {
	active, inBand bool
	key            byte
	start          int    // cycle phase of its first frame
	ts             uint32 // RTP timestamp of its first sample
}

// sideRx is one receiving side's counters, owned by its receive goroutine until it ends.
type sideRx struct {
	streams  []streamRx
	latency  []time.Duration
	events   uint64
	received uint64
	foreign  uint64
}

// streamRx counts one stream's packets by sequence number.
type streamRx struct {
	started        bool
	first, highest int64 // extended sequence numbers
	received       uint64
}

func (s *streamRx) add(seq uint16) {
	s.received++
	if !s.started {
		s.started, s.first, s.highest = true, int64(seq), int64(seq)
		return
	}
	if ext := s.highest + int64(int16(seq-uint16(s.highest))); ext > s.highest {
		s.highest = ext
	}
}

// lost is the number of sequence numbers between the first and the highest never received.
func (s *streamRx) lost() uint64 {
	if !s.started {
		return 0
	}
	return uint64(max(0, s.highest-s.first+1-int64(s.received)))
}

// newGenerator opens the generator's two sockets; the relay under test is told their addresses.
func newGenerator() (*generator, error) {
	g := &generator{fd: [2]int{-1, -1}}
	for side := range 2 {
		fd, local, err := udpSocket(0, true, genBuffer)
		if err != nil {
			g.close()
			return nil, fmt.Errorf("mediaload: generator: %w", err)
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1); err != nil {
			g.close()
			return nil, fmt.Errorf("mediaload: generator: receive timestamps: %w", err)
		}
		g.fd[side], g.addr[side] = fd, local
	}
	g.noise, g.tones = makeAudio()
	return g, nil
}

// makeAudio returns a loop of low-level noise and each key's 80 ms tone at -10 dBm0, in PCMU.
func makeAudio() ([]byte, map[byte][]byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	pcm := make([]int16, noiseLen)
	for i := range pcm {
		pcm[i] = int16(rng.NormFloat64() * 150)
	}
	noise := make([]byte, noiseLen)
	g711.EncodeULawTo(noise, pcm)
	tones := make(map[byte][]byte)
	o := dtmf.DefaultGenOptions()
	for i := range len(keypad) {
		t := dtmf.AppendKey(nil, keypad[i], pressLen*frameSamples, o)
		enc := make([]byte, len(t))
		g711.EncodeULawTo(enc, t)
		tones[keypad[i]] = enc
	}
	return noise, tones
}

// start sends for cfg.duration and receives until wait.
func (g *generator) start(cfg genConfig) {
	g.cfg = cfg
	g.calls = make([]genCall, cfg.calls)
	for side := range 2 {
		g.owner[side] = make([]int32, 1<<16)
		g.rx[side] = &sideRx{streams: make([]streamRx, cfg.calls), latency: make([]time.Duration, 0, 1<<16)}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range g.calls {
		c := &g.calls[i]
		c.seq = [2]uint16{uint16(rng.Uint32()), uint16(rng.Uint32())}
		c.ts = [2]uint32{rng.Uint32(), rng.Uint32()}
		c.ssrc = [2]uint32{rng.Uint32(), rng.Uint32()}
		c.noise = rng.IntN(noiseLen/frameSamples) * frameSamples
		g.owner[0][cfg.relayCaller[i].Port()] = int32(i + 1)
		g.owner[1][cfg.relayAgent[i].Port()] = int32(i + 1)
	}
	g.base = time.Now()
	g.rxWG.Add(2)
	go g.receive(0)
	go g.receive(1)
	g.sendWG.Add(1)
	go g.send()
}

// wait waits for the sender to finish and for the last packets to arrive (until nothing arrived
// for quiet, at most 10 s: a relay that fell behind drains its backlog), and stops the receivers.
func (g *generator) wait(quiet time.Duration) {
	g.sendWG.Wait()
	for range int(10 * time.Second / quiet) {
		before := g.arrived.Load()
		time.Sleep(quiet)
		if g.arrived.Load() == before {
			break
		}
	}
	g.rec.Store(false)
	g.stopRx.Store(true)
	g.rxWG.Wait()
}

func (g *generator) close() {
	for _, fd := range g.fd {
		if fd >= 0 {
			_ = unix.Close(fd)
		}
	}
}

// sender batches the generator's outgoing datagrams per side.
type sender struct {
	g    *generator
	out  [2]*mmsgBatch
	fill [2]int
}

// slot returns the buffer of the next datagram of side, to go to to once commit is called.
func (s *sender) slot(side int) []byte {
	if s.fill[side] == genBatch {
		s.flush(side)
	}
	return s.out[side].bufs[s.fill[side]]
}

func (s *sender) commit(side, n int, to netip.AddrPort) {
	s.out[side].setPacket(s.fill[side], n, to)
	s.fill[side]++
}

func (s *sender) flush(side int) {
	if s.fill[side] > 0 {
		_, _ = s.out[side].send(s.g.fd[side], s.fill[side])
		s.g.sent[side].Add(uint64(s.fill[side]))
		s.fill[side] = 0
	}
}

// send plays every call's packets on schedule: frame k of call i is due at k*20 ms plus i/N of
// a frame, so the load is spread over each 20 ms.
func (g *generator) send() {
	defer g.sendWG.Done()
	n := g.cfg.calls
	s := &sender{g: g, out: [2]*mmsgBatch{newBatch(genBatch), newBatch(genBatch)}}
	next := 0
	for {
		now := time.Since(g.base)
		if now >= g.cfg.duration {
			return
		}
		for ; due(next, n) <= now; next++ {
			g.frame(s, next%n, next/n, now)
		}
		s.flush(0)
		s.flush(1)
		g.cfg.flush()
		time.Sleep(min(time.Millisecond, max(0, due(next, n)-time.Since(g.base))))
	}
}

// due is when the generator's packet number next (call next%n, frame next/n) is due.
func due(next, n int) time.Duration {
	return time.Duration(next/n)*framePeriod + time.Duration(next%n)*framePeriod/time.Duration(n)
}

// frame sends call i's packets of frame k: its caller's audio (and RFC 4733 events during such
// a press) and its agent's audio, and drives the call's secure flag.
func (g *generator) frame(s *sender, i, k int, now time.Duration) {
	c := &g.calls[i]
	p := (k + i*cycleLen/g.cfg.calls) % cycleLen
	switch p {
	case 0:
		c.armed = true
		g.cfg.setSecure(i, true)
	case secureOff:
		if c.armed {
			g.cfg.setSecure(i, false)
		}
		c.armed = false
	}
	if ok, inBand := pressAt(p); ok && c.armed && now < g.cfg.duration-time.Second { // each press ends well before the run
		key := keypad[(i+k/cycleLen*5+p/50)%len(keypad)]
		c.press = press{active: true, inBand: inBand, key: key, start: p, ts: c.ts[0]}
		g.keysSent.Add(1)
	}
	to := g.cfg.relayCaller[i]
	buf := s.slot(0)
	s.commit(0, g.callerAudio(c, p, buf, now), to)
	if c.press.active && !c.press.inBand {
		j := p - c.press.start
		ends := 1
		if j == pressLen {
			ends = rfc4733.EndPackets
		}
		for range ends {
			buf := s.slot(0)
			s.commit(0, g.callerEvent(c, j, buf), to)
		}
		c.press.active = j < pressLen
	}
	buf = s.slot(1)
	s.commit(1, g.agentAudio(c, buf, now), g.cfg.relayAgent[i])
}

// callerAudio writes the caller's audio packet of phase p into buf.
func (g *generator) callerAudio(c *genCall, p int, buf []byte, now time.Duration) int {
	putHeader(buf, header{pt: audioPT, seq: c.seq[0], ts: c.ts[0], ssrc: c.ssrc[0]})
	c.seq[0]++
	c.ts[0] += frameSamples
	payload := buf[headerLen : headerLen+frameSamples]
	if pr := &c.press; pr.active && pr.inBand {
		j := p - pr.start
		copy(payload, g.tones[pr.key][j*frameSamples:])
		pr.active = j+1 < pressLen
	} else {
		copy(payload, g.noise[c.noise:c.noise+frameSamples])
		c.noise = (c.noise + frameSamples) % noiseLen
	}
	if !c.armed && p >= stampFrom {
		putStamp(payload, time.Now())
	}
	return headerLen + frameSamples
}

// callerEvent writes the j-th packet of the caller's RFC 4733 press into buf (j = pressLen: an
// end packet).
func (g *generator) callerEvent(c *genCall, j int, buf []byte) int {
	putHeader(buf, header{marker: j == 0, pt: eventPT, seq: c.seq[0], ts: c.press.ts, ssrc: c.ssrc[0]})
	c.seq[0]++
	ev, _ := rfc4733.EventOf(c.press.key)
	pl := rfc4733.Payload{Event: ev, End: j == pressLen, Volume: 10, Duration: uint16(min(j+1, pressLen) * frameSamples)}
	n, _ := pl.MarshalTo(buf[headerLen:])
	return headerLen + n
}

// agentAudio writes the agent's audio packet into buf, stamped with its send time.
func (g *generator) agentAudio(c *genCall, buf []byte, now time.Duration) int {
	putHeader(buf, header{pt: audioPT, seq: c.seq[1], ts: c.ts[1], ssrc: c.ssrc[1]})
	c.seq[1]++
	c.ts[1] += frameSamples
	payload := buf[headerLen : headerLen+frameSamples]
	copy(payload, g.noise[(c.noise+noiseLen/2)%noiseLen:][:frameSamples])
	putStamp(payload, time.Now())
	return headerLen + frameSamples
}

// putStamp writes the magic and the wall-clock send time (the kernel's receive timestamps are
// wall-clock too).
func putStamp(payload []byte, at time.Time) {
	binary.BigEndian.PutUint32(payload[0:4], stampMagic)
	binary.BigEndian.PutUint64(payload[4:12], uint64(at.UnixNano()))
}

func readStamp(payload []byte) (time.Time, bool) {
	if len(payload) < stampLen || binary.BigEndian.Uint32(payload[0:4]) != stampMagic {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(payload[4:12]))), true
}

// receive counts what arrives on one side's socket: the caller side gets the agent's audio, the
// agent side the caller's. It polls every millisecond rather than sleep in the socket, so that a
// relay's send never pays for waking the generator (on loopback the sender's system call does the
// receiver's wake-up), and it takes each datagram's arrival time from the kernel
// (SO_TIMESTAMPNS), so that polling adds nothing to the latency measured. It runs until stopRx.
func (g *generator) receive(side int) {
	defer g.rxWG.Done()
	rx := g.rx[side]
	b := newBatch(genBatch)
	for !g.stopRx.Load() {
		k, err := b.recv(g.fd[side], unix.MSG_DONTWAIT)
		if err != nil {
			return
		}
		if k == 0 {
			time.Sleep(time.Millisecond)
			continue
		}
		g.arrived.Add(uint64(k))
		for j := range k {
			g.count(rx, side, b, j)
		}
	}
}

// count takes the j-th datagram of b.
func (g *generator) count(rx *sideRx, side int, b *mmsgBatch, j int) {
	pkt, from := b.packet(j)
	call := g.owner[side][from.Port()] - 1
	h, ok := parseHeader(pkt)
	if call < 0 || !ok {
		rx.foreign++
		return
	}
	rx.received++
	rx.streams[call].add(h.seq)
	if h.pt == eventPT {
		rx.events++
		return
	}
	sent, stamped := readStamp(pkt[headerLen:])
	arrived, timed := b.arrival(j)
	if stamped && timed && g.rec.Load() && len(rx.latency) < maxSamples {
		rx.latency = append(rx.latency, arrived.Sub(sent))
	}
}
