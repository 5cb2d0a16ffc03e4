//go:build linux

package media

import (
	"errors"
	"net/netip"
	"runtime"
	"strings"
	"testing"
)

func TestRelayOnALoopLatchesAndCountsRTCP(t *testing.T) {
	c := newCallOn(t, newTestLoop(t), pcmu96, pcmu101, MaskTone, ScopeSecure)
	stranger := newPeer(t, "127.0.0.2")
	s := newScript(t, pcmu96)
	s.speech(320)
	to := c.relay.LocalAddr(Caller)
	stranger.sendTo(t, to, s.steps[0].pkt)
	c.settle(t, func(st Stats) bool { return st.Caller.WrongSource == 1 })
	c.caller.sendTo(t, to, s.steps[1].pkt)
	c.settle(t, func(st Stats) bool { return st.Caller.Forwarded == 1 })
	c.caller.sendTo(t, netip.AddrPortFrom(to.Addr(), to.Port()+1), []byte{0x80, 200, 0, 6})
	c.settle(t, func(st Stats) bool { return st.Caller.RTCP == 1 && st.Caller.RTCPMalformed == 1 })
	c.settle(t, func(Stats) bool { return len(c.agent.received()) == 1 })
}

func TestLoopRelaysCloseCleanlyAndAClosedLoopTakesNoRelay(t *testing.T) {
	if n := settledGoroutines(func() int { return relayGoroutines() + loopGoroutines() }, 0); n != 0 {
		t.Fatalf("%d relay or loop goroutines before the test", n)
	}
	loop, err := NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	ports, err := NewPortAllocator(32500, 32599)
	if err != nil {
		t.Fatal(err)
	}
	free := ports.Available()
	remote := netip.MustParseAddrPort("127.0.0.1:9")
	leg := Leg{Remote: remote, Codec: PCMU, EventPT: 96}
	var relays []*Relay
	for range 3 {
		r, err := NewRelay(Config{Ports: ports, Loop: loop})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(leg, leg); err != nil {
			t.Fatal(err)
		}
		relays = append(relays, r)
	}
	if n, l := relayGoroutines(), loopGoroutines(); n != 3 || l != 1 {
		t.Fatalf("%d relay goroutines and %d loops, want 3 (key delivery only) and 1", n, l)
	}
	for _, r := range relays {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if ports.Available() != free {
		t.Errorf("available = %d after Close, want %d", ports.Available(), free)
	}
	if err := loop.Close(); err != nil {
		t.Fatal(err)
	}
	_ = loop.Close() // twice is fine
	if n := settledGoroutines(func() int { return relayGoroutines() + loopGoroutines() }, 0); n != 0 {
		t.Errorf("%d relay or loop goroutines left after Close", n)
	}
	if _, err := NewRelay(Config{Ports: ports, Loop: loop}); !errors.Is(err, ErrLoopClosed) {
		t.Errorf("NewRelay on a closed loop = %v, want ErrLoopClosed", err)
	}
	if ports.Available() != free {
		t.Errorf("available = %d after a refused NewRelay, want %d", ports.Available(), free)
	}
}

func loopGoroutines() int {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	return strings.Count(stacks, "media.(*Loop).run(") + strings.Count(stacks, "media.NewLoop.gowrap")
}
