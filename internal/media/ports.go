package media

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
)

// ErrNoPorts is returned when every port pair of the range is in use.
var ErrNoPorts = errors.New("media: no free RTP port pair")

// PortAllocator hands out RTP port pairs from a configured range: an even port for RTP and the
// odd port above it for RTCP. It is safe for concurrent use. Released pairs go to the back of the
// queue, so a pair just freed is the last to be reused and late packets of the old call do not
// reach a new one.
type PortAllocator struct {
	mu    sync.Mutex
	free  []int        // even ports, in the order they will be handed out
	inUse map[int]bool // even ports handed out and not yet released
	low   int
	high  int
}

// NewPortAllocator returns an allocator over the ports low..high inclusive (HUSHPAY_RTP_PORTS).
// Only whole pairs inside the range are used: an odd low or an even high loses its end.
func NewPortAllocator(low, high int) (*PortAllocator, error) {
	if low < 1 || high > 65535 || low > high {
		return nil, fmt.Errorf("media: port range: want 1 <= low <= high <= 65535")
	}
	first := low + low%2
	a := &PortAllocator{inUse: make(map[int]bool), low: low, high: high}
	for p := first; p+1 <= high; p += 2 {
		a.free = append(a.free, p)
	}
	if len(a.free) == 0 {
		return nil, fmt.Errorf("media: port range: holds no even/odd pair")
	}
	// Start at a random pair, so that processes sharing a range (a restart while the old
	// process's sockets linger, tests running side by side) do not all try the same ports first.
	start := rand.IntN(len(a.free))
	a.free = append(a.free[start:], a.free[:start]...)
	return a, nil
}

// Allocate returns the RTP (even) port of a free pair; the RTCP port is one above it.
func (a *PortAllocator) Allocate() (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.free) == 0 {
		return 0, ErrNoPorts
	}
	p := a.free[0]
	a.free = a.free[1:]
	a.inUse[p] = true
	return p, nil
}

// Release returns the pair whose RTP port is rtpPort. Releasing a port that is not in use does
// nothing.
func (a *PortAllocator) Release(rtpPort int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.inUse[rtpPort] {
		return
	}
	delete(a.inUse, rtpPort)
	a.free = append(a.free, rtpPort)
}

// Available returns the number of free pairs.
func (a *PortAllocator) Available() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.free)
}
