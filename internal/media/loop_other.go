//go:build !linux

package media

import (
	"errors"
	"net/netip"
)

// ErrLoopClosed is returned by NewRelay for a Config whose Loop was closed.
var ErrLoopClosed = errors.New("media: loop closed")

// Loop serves the sockets of many relays from one goroutine; it needs Linux (epoll, recvmmsg).
type Loop struct{}

// NewLoop reports that loops need Linux.
func NewLoop() (*Loop, error) { return nil, errors.New("media: loop: needs Linux") }

// Close does nothing.
func (l *Loop) Close() error { return nil }

func (l *Loop) attach(...*leg) error                  { return ErrLoopClosed }
func (l *Loop) detach(...*leg)                        {}
func (l *Loop) bind(netip.Addr, int) (*rawLeg, error) { return nil, ErrLoopClosed }

type rawLeg struct{ fd, rtcpFD int }

func (r *rawLeg) write([]byte, netip.AddrPort)     {}
func (r *rawLeg) writeRTCP([]byte, netip.AddrPort) {}
