//go:build linux

package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// loopBatch is how many datagrams the loop reads from a socket with one recvmmsg.
const loopBatch = 16

// ErrLoopClosed is returned by NewRelay for a Config whose Loop was closed.
var ErrLoopClosed = errors.New("media: loop closed")

// Loop serves the sockets of many relays from one goroutine: every socket sits in one epoll set,
// each socket that is ready is read with recvmmsg (up to 16 datagrams a call), and every packet
// goes through the same per-packet handlers as on a relay with its own goroutines; the packets
// that one socket's datagrams produce are written with one sendmmsg. With hundreds of calls this saves, per packet, the wake-up of
// a goroutine parked in Go's poller and the read that finds the socket empty
// (docs/benchmarks-media.md has the figures). A relay uses it when Config.Loop is set; one Loop
// serves any number of relays, and a process may run several (one per core) to spread calls.
type Loop struct {
	epfd int
	wake int // an eventfd that Close writes to, to end EpollWait

	mu     sync.Mutex // held by the loop goroutine while it serves a wake-up, and by attach/detach
	socks  []*loopSocket
	closed bool
	done   chan struct{}
	out    *sendQueue // the loop goroutine's; handlers' writes go here
}

// loopSocket is what the loop knows of a registered socket.
type loopSocket struct {
	leg  *leg
	rtcp bool
}

// NewLoop starts a loop. Close it after the relays that use it.
func NewLoop() (*Loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("media: loop: epoll: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("media: loop: eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wake)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		_ = unix.Close(epfd)
		_ = unix.Close(wake)
		return nil, fmt.Errorf("media: loop: epoll add: %w", err)
	}
	l := &Loop{epfd: epfd, wake: wake, done: make(chan struct{}), out: newSendQueue(loopBatch)}
	go l.run()
	return l, nil
}

// Close stops the loop goroutine. Relays still attached stop relaying; their Close still frees
// their sockets and ports. It is safe to call more than once.
func (l *Loop) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(l.wake, one[:])
	<-l.done
	_ = unix.Close(l.wake)
	return unix.Close(l.epfd)
}

// run is the loop goroutine: the only one that runs the handlers of its relays.
func (l *Loop) run() {
	defer close(l.done)
	events := make([]unix.EpollEvent, 256)
	in := newRecvBatch(loopBatch)
	for {
		n, err := unix.EpollWait(l.epfd, events, -1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		now := time.Now()
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return
		}
		for _, ev := range events[:max(n, 0)] {
			if fd := int(ev.Fd); fd < len(l.socks) && l.socks[fd] != nil {
				l.serve(fd, l.socks[fd], in, now)
				l.out.flush()
			}
		}
		l.mu.Unlock()
	}
}

// serve reads what waits on one socket and hands each packet to its leg.
func (l *Loop) serve(fd int, s *loopSocket, in *recvBatch, now time.Time) {
	k := in.recv(fd)
	lg := s.leg
	for j := range k {
		pkt, from := in.packet(j)
		if s.rtcp {
			lg.handleRTCP(pkt, from)
			continue
		}
		if !lg.accept(from) {
			lg.stats.wrongSource.Add(1)
			continue
		}
		if len(pkt) == readBufLen {
			lg.stats.received.Add(1)
			lg.stats.malformed.Add(1)
			continue
		}
		lg.handle(pkt, now)
	}
}

// attach registers the started relay's sockets.
func (l *Loop) attach(legs ...*leg) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrLoopClosed
	}
	for _, lg := range legs {
		lg.raw.out = l.out
		for _, s := range []struct {
			fd   int
			rtcp bool
		}{{lg.raw.fd, false}, {lg.raw.rtcpFD, true}} {
			ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(s.fd)}
			if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, s.fd, &ev); err != nil {
				return fmt.Errorf("media: loop: epoll add: %w", err)
			}
			for s.fd >= len(l.socks) {
				l.socks = append(l.socks, nil)
			}
			l.socks[s.fd] = &loopSocket{leg: lg, rtcp: s.rtcp}
		}
	}
	return nil
}

// detach unregisters and closes legs' sockets; once it returns the loop no longer runs their
// handlers.
func (l *Loop) detach(legs ...*leg) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, lg := range legs {
		for _, fd := range []int{lg.raw.fd, lg.raw.rtcpFD} {
			if !l.closed {
				_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, fd, nil)
			}
			if fd < len(l.socks) {
				l.socks[fd] = nil
			}
			_ = unix.Close(fd)
		}
	}
}

// bind opens a leg's RTP and RTCP sockets on ip:port and ip:port+1, non-blocking, outside Go's
// poller.
func (l *Loop) bind(ip netip.Addr, port int) (*rawLeg, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, ErrLoopClosed
	}
	rtp, err := rawSocket(ip, port)
	if err != nil {
		return nil, err
	}
	rtcp, err := rawSocket(ip, port+1)
	if err != nil {
		_ = unix.Close(rtp)
		return nil, err
	}
	return &rawLeg{fd: rtp, rtcpFD: rtcp, v6: ip.Is6()}, nil
}

func rawSocket(ip netip.Addr, port int) (int, error) {
	family := unix.AF_INET
	var sa unix.Sockaddr = &unix.SockaddrInet4{Port: port, Addr: ip.As4()}
	if ip.Is6() {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
	}
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		_ = unix.Close(fd)
		return -1, fmt.Errorf("bind %s: %w", netip.AddrPortFrom(ip, uint16(port)), err)
	}
	return fd, nil
}

// rawLeg is a leg's sockets on a Loop.
type rawLeg struct {
	fd, rtcpFD int
	v6         bool
	out        *sendQueue // the loop's, once attached
}

// write queues pkt for to; the loop sends the queue after the datagrams of the socket it is
// serving. Only the loop goroutine writes (the handlers run on it).
func (r *rawLeg) write(pkt []byte, to netip.AddrPort) {
	r.out.add(r.fd, pkt, to, r.v6)
}

// writeRTCP queues pkt for to on the leg's RTCP socket, like write.
func (r *rawLeg) writeRTCP(pkt []byte, to netip.AddrPort) {
	r.out.add(r.rtcpFD, pkt, to, r.v6)
}

// sendQueue is the datagrams waiting for one sendmmsg on one socket, with buffers allocated once.
type sendQueue struct {
	fd    int
	n     int
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
	bufs  [][readBufLen]byte
}

func newSendQueue(n int) *sendQueue {
	q := &sendQueue{hdrs: make([]unix.Mmsghdr, n), iovs: make([]unix.Iovec, n),
		names: make([]unix.RawSockaddrInet6, n), bufs: make([][readBufLen]byte, n)}
	for i := range n {
		q.iovs[i].Base = &q.bufs[i][0]
		q.hdrs[i].Hdr.Iov = &q.iovs[i]
		q.hdrs[i].Hdr.Iovlen = 1
		q.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&q.names[i]))
	}
	return q
}

// add queues a copy of pkt for to on socket fd, first sending what waits for another socket.
func (q *sendQueue) add(fd int, pkt []byte, to netip.AddrPort, v6 bool) {
	if q.n > 0 && (fd != q.fd || q.n == len(q.hdrs)) {
		q.flush()
	}
	q.fd = fd
	i := q.n
	q.iovs[i].SetLen(copy(q.bufs[i][:], pkt))
	sa := &q.names[i]
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], to.Port())
	if v6 {
		sa.Family, sa.Addr = unix.AF_INET6, to.Addr().As16()
		q.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
	} else {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		sa4.Family, sa4.Addr = unix.AF_INET, to.Addr().As4()
		q.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
	}
	q.n++
}

// flush sends the queue. Like a UDP write on loopback, a datagram the kernel refuses is lost.
func (q *sendQueue) flush() {
	for off := 0; off < q.n; {
		m, _, errno := syscall.Syscall6(unix.SYS_SENDMMSG, uintptr(q.fd), uintptr(unsafe.Pointer(&q.hdrs[off])),
			uintptr(q.n-off), 0, 0, 0)
		switch errno {
		case 0:
			off += int(m)
		case unix.EINTR:
		default:
			off++ // the head datagram is lost; the rest may still go
		}
	}
	q.n = 0
}

// recvBatch is the vector of datagrams of one recvmmsg call, allocated once. golang.org/x/sys
// v0.50 has the unix.Mmsghdr layout but no Recvmmsg wrapper, hence the raw system call.
type recvBatch struct {
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // large enough for either family
	bufs  [][readBufLen]byte
}

func newRecvBatch(n int) *recvBatch {
	b := &recvBatch{hdrs: make([]unix.Mmsghdr, n), iovs: make([]unix.Iovec, n),
		names: make([]unix.RawSockaddrInet6, n), bufs: make([][readBufLen]byte, n)}
	for i := range n {
		b.iovs[i].Base = &b.bufs[i][0]
		b.hdrs[i].Hdr.Iov = &b.iovs[i]
		b.hdrs[i].Hdr.Iovlen = 1
		b.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	}
	return b
}

// recv reads the datagrams waiting on fd, up to the batch's size, without blocking.
func (b *recvBatch) recv(fd int) int {
	for i := range b.hdrs {
		b.iovs[i].SetLen(readBufLen)
		b.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
	}
	for {
		n, _, errno := syscall.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[0])),
			uintptr(len(b.hdrs)), unix.MSG_DONTWAIT, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0
		}
		return int(n)
	}
}

// packet returns the i-th datagram read and its source.
func (b *recvBatch) packet(i int) ([]byte, netip.AddrPort) {
	sa := &b.names[i]
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	var addr netip.Addr
	if sa.Family == unix.AF_INET {
		addr = netip.AddrFrom4((*unix.RawSockaddrInet4)(unsafe.Pointer(sa)).Addr)
	} else {
		addr = netip.AddrFrom16(sa.Addr)
	}
	return b.bufs[i][:b.hdrs[i].Len], netip.AddrPortFrom(addr, port)
}
