package mediaload

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// golang.org/x/sys v0.50 has the unix.Mmsghdr layout and the SYS_RECVMMSG/SYS_SENDMMSG numbers
// but no Recvmmsg/Sendmmsg wrappers, so the two calls go through syscall.Syscall6 here.

// maxDatagram is the largest datagram read; RTP here is 12+160 bytes.
const maxDatagram = 2048

// mmsgBatch is a vector of datagrams for one recvmmsg or sendmmsg call, with its own buffers and
// IPv4 addresses, allocated once.
type mmsgBatch struct {
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet4
	bufs  [][]byte
	ctrl  [][ctrlLen]byte // ancillary data: the kernel's receive timestamp (SO_TIMESTAMPNS)
}

// ctrlLen holds one cmsghdr with a timespec.
const ctrlLen = 64

func newBatch(n int) *mmsgBatch {
	b := &mmsgBatch{
		hdrs:  make([]unix.Mmsghdr, n),
		iovs:  make([]unix.Iovec, n),
		names: make([]unix.RawSockaddrInet4, n),
		bufs:  make([][]byte, n),
		ctrl:  make([][ctrlLen]byte, n),
	}
	for i := range n {
		b.bufs[i] = make([]byte, maxDatagram)
		b.iovs[i].Base = &b.bufs[i][0]
		b.hdrs[i].Hdr.Iov = &b.iovs[i]
		b.hdrs[i].Hdr.Iovlen = 1
		b.hdrs[i].Hdr.Name = (*byte)(unsafe.Pointer(&b.names[i]))
	}
	return b
}

// recv reads up to len(b.hdrs) datagrams from fd; flags may hold MSG_DONTWAIT. It returns how
// many it read (0 on EAGAIN).
func (b *mmsgBatch) recv(fd int, flags int) (int, error) {
	for i := range b.hdrs {
		b.iovs[i].SetLen(maxDatagram)
		b.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		b.hdrs[i].Hdr.Control = &b.ctrl[i][0]
		b.hdrs[i].Hdr.SetControllen(ctrlLen)
		b.hdrs[i].Len = 0
	}
	for {
		n, _, errno := syscall.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[0])),
			uintptr(len(b.hdrs)), uintptr(flags), 0, 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, nil
		}
		return 0, fmt.Errorf("recvmmsg: %w", errno)
	}
}

// packet returns the i-th datagram read and its source.
func (b *mmsgBatch) packet(i int) ([]byte, netip.AddrPort) {
	return b.bufs[i][:b.hdrs[i].Len], sockaddrPort(&b.names[i])
}

// arrival returns the kernel's receive time of the i-th datagram read, on a socket with
// SO_TIMESTAMPNS.
func (b *mmsgBatch) arrival(i int) (time.Time, bool) {
	if b.hdrs[i].Hdr.Controllen < unix.SizeofCmsghdr+16 {
		return time.Time{}, false
	}
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b.ctrl[i][0]))
	if h.Level != unix.SOL_SOCKET || h.Type != unix.SCM_TIMESTAMPNS {
		return time.Time{}, false
	}
	ts := (*unix.Timespec)(unsafe.Pointer(&b.ctrl[i][unix.SizeofCmsghdr]))
	return time.Unix(ts.Sec, ts.Nsec), true
}

// setPacket makes the i-th message carry b.bufs[i][:n] to to.
func (b *mmsgBatch) setPacket(i, n int, to netip.AddrPort) {
	b.iovs[i].SetLen(n)
	b.hdrs[i].Hdr.Control = nil
	b.hdrs[i].Hdr.SetControllen(0)
	putSockaddr(&b.names[i], to)
	b.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet4
}

// send writes the first n messages to fd, retrying the rest after a partial send. Datagrams the
// kernel refuses (a full buffer on a non-blocking socket) are dropped and counted in dropped.
func (b *mmsgBatch) send(fd, n int) (dropped int, err error) {
	for off := 0; off < n; {
		m, _, errno := syscall.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.hdrs[off])),
			uintptr(n-off), 0, 0, 0)
		switch errno {
		case 0:
			off += int(m)
		case unix.EINTR:
		case unix.EAGAIN, unix.ENOBUFS, unix.ECONNREFUSED:
			off++ // the head message is lost; the rest may still go
			dropped++
		default:
			return dropped, fmt.Errorf("sendmmsg: %w", errno)
		}
	}
	return dropped, nil
}

func sockaddrPort(sa *unix.RawSockaddrInet4) netip.AddrPort {
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), port)
}

func putSockaddr(sa *unix.RawSockaddrInet4, ap netip.AddrPort) {
	sa.Family = unix.AF_INET
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], ap.Port())
	sa.Addr = ap.Addr().Unmap().As4()
}

// udpSocket opens an IPv4 UDP socket bound to 127.0.0.1:port (0 for any), non-blocking when
// asked, with buffers of bufBytes when bufBytes > 0 (forced past rmem_max when run as root).
func udpSocket(port int, nonBlocking bool, bufBytes int) (fd int, local netip.AddrPort, err error) {
	typ := unix.SOCK_DGRAM | unix.SOCK_CLOEXEC
	if nonBlocking {
		typ |= unix.SOCK_NONBLOCK
	}
	fd, err = unix.Socket(unix.AF_INET, typ, 0)
	if err != nil {
		return -1, local, fmt.Errorf("socket: %w", err)
	}
	if bufBytes > 0 {
		setBuffer(fd, unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, bufBytes)
		setBuffer(fd, unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, bufBytes)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = unix.Close(fd)
		return -1, local, fmt.Errorf("bind: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		_ = unix.Close(fd)
		return -1, local, fmt.Errorf("getsockname: %w", err)
	}
	in4 := sa.(*unix.SockaddrInet4)
	return fd, netip.AddrPortFrom(netip.AddrFrom4(in4.Addr), uint16(in4.Port)), nil
}

func setBuffer(fd, force, plain, n int) {
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, force, n) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, plain, n)
	}
}
