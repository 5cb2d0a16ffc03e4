package media

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRelayLatchesOnTheExpectedSourceAndIgnoresOthers(t *testing.T) {
	c := newCall(t, pcmu96, pcmu101, MaskTone, ScopeSecure)
	stranger := newPeer(t, "127.0.0.2")  // another IP than the caller's SDP named
	neighbour := newPeer(t, "127.0.0.1") // the right IP, another port: sent after the latch
	s := newScript(t, pcmu96)
	s.speech(480)
	to := c.relay.LocalAddr(Caller)
	stranger.sendTo(t, to, s.steps[0].pkt)
	c.settle(t, func(st Stats) bool { return st.Caller.WrongSource == 1 })
	c.caller.sendTo(t, to, s.steps[1].pkt)
	c.settle(t, func(st Stats) bool { return st.Caller.Forwarded == 1 })
	neighbour.sendTo(t, to, s.steps[2].pkt)
	c.settle(t, func(st Stats) bool { return st.Caller.WrongSource == 2 })
	if st := c.relay.Stats(); st.Caller.Received != 1 || st.Caller.Forwarded != 1 {
		t.Errorf("caller leg: %+v; want one packet received and forwarded", st.Caller)
	}
}

func TestGarbageOnOneCallLeavesAnotherUnaffected(t *testing.T) {
	for _, served := range []struct {
		name string
		loop *Loop
	}{{"own goroutines", nil}, {"shared loop", newTestLoop(t)}} {
		t.Run(served.name, func(t *testing.T) {
			loop := served.loop
			victim := newCallOn(t, loop, pcmu96, pcmu101, MaskTone, ScopeSecure)
			other := newCallOn(t, loop, pcmu96, pcmu101, MaskTone, ScopeSecure)
			rng := rand.New(rand.NewPCG(3, 4))
			sent := uint64(0)
			for i := range 300 {
				pkt := make([]byte, rng.IntN(3000))
				for j := range pkt {
					pkt[j] = byte(rng.Uint32())
				}
				if i%2 == 0 && len(pkt) > 0 {
					pkt[0] = 0x80 // looks like RTP version 2
				}
				victim.caller.sendTo(t, victim.relay.LocalAddr(Caller), pkt)
				victim.agent.sendTo(t, victim.relay.LocalAddr(Agent), pkt)
				sent++
				time.Sleep(200 * time.Microsecond) // loopback drops what overflows the socket buffer
			}
			s := newScript(t, pcmu96)
			s.speech(800)
			s.setSecure(true)
			s.inBand("4242")
			other.play(t, s)
			if k := other.keys.String(); k != "4242" {
				t.Errorf("the other call's keys: %q, want %q", k, "4242")
			}
			victim.settle(t, func(st Stats) bool { return st.Caller.Received+st.Caller.WrongSource == sent })
			st := victim.relay.Stats()
			if st.Caller.Malformed+st.Caller.UnknownPT+st.Caller.Late == 0 {
				t.Errorf("garbage not counted: %+v", st.Caller)
			}
		})
	}
}

func TestCloseStopsEveryGoroutineAndReturnsThePorts(t *testing.T) {
	if n := settledGoroutines(relayGoroutines, 0); n != 0 {
		t.Fatalf("%d relay goroutines before the test", n)
	}
	ports, err := NewPortAllocator(32400, 32499)
	if err != nil {
		t.Fatal(err)
	}
	free := ports.Available()
	var relays []*Relay
	for range 3 {
		r, err := NewRelay(Config{Ports: ports, OnKey: func(byte) { time.Sleep(time.Millisecond) }})
		if err != nil {
			t.Fatal(err)
		}
		remote := netip.MustParseAddrPort("127.0.0.1:9")
		if err := r.Start(Leg{Remote: remote, Codec: PCMU, EventPT: 96}, Leg{Remote: remote, Codec: PCMA, AudioPT: 8}); err != nil {
			t.Fatal(err)
		}
		relays = append(relays, r)
	}
	unstarted, err := NewRelay(Config{Ports: ports})
	if err != nil {
		t.Fatal(err)
	}
	relays = append(relays, unstarted)
	if ports.Available() != free-8 {
		t.Fatalf("available = %d, want %d", ports.Available(), free-8)
	}
	if n := relayGoroutines(); n != 3*5 {
		t.Fatalf("%d relay goroutines running, want 5 for each of 3 started relays", n)
	}
	for _, r := range relays {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		_ = r.Close() // twice is fine
	}
	if ports.Available() != free {
		t.Errorf("available = %d after Close, want %d", ports.Available(), free)
	}
	if n := settledGoroutines(relayGoroutines, 0); n != 0 {
		t.Errorf("%d relay goroutines left after Close", n)
	}
	remote := netip.MustParseAddrPort("127.0.0.1:9")
	leg := Leg{Remote: remote, Codec: PCMU, EventPT: 96}
	if err := relays[3].Start(leg, leg); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	if err := relays[0].Update(Agent, leg); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
}

func TestStartRejectsLegsSDPCouldNotHaveNegotiated(t *testing.T) {
	remote := netip.MustParseAddrPort("127.0.0.1:4000")
	cases := []struct {
		name string
		leg  Leg
	}{
		{"no codec", Leg{Remote: remote}},
		{"a codec the relay does not decode", Leg{Remote: remote, Codec: Codec(9)}},
		{"event payload type in the static range", Leg{Remote: remote, Codec: PCMU, EventPT: 8}},
		{"event payload type equal to the audio one", Leg{Remote: remote, Codec: PCMU, AudioPT: 96, EventPT: 96}},
		{"no remote address", Leg{Codec: PCMU}},
		{"passthrough over the audio payload type", Leg{Remote: remote, Codec: PCMU, Passthrough: []PTMap{{From: 0, To: 9}}}},
		{"passthrough to a payload type above 127", Leg{Remote: remote, Codec: PCMU, Passthrough: []PTMap{{From: 9, To: 200}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewRelay(Config{Ports: testPorts(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			good := Leg{Remote: remote, Codec: PCMU, EventPT: 101}
			if err := r.Start(tc.leg, good); err == nil {
				t.Error("Start accepted the leg")
			}
		})
	}
}

// relayGoroutines counts the goroutines running a relay's loops. (Counting all goroutines would
// also count those of earlier tests' sockets and subprocesses still winding down.)
// settledGoroutines returns count() once it is want, or after 5 s whatever it is then: a goroutine
// that Close waited for (its WaitGroup done, deferred) is still on its stack for a moment after.
func settledGoroutines(count func() int, want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := count()
		if n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(time.Millisecond)
	}
}

func relayGoroutines() int {
	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	n := 0
	// A goroutine that has not run yet shows the wrapper the go statement made (Start.gowrapN).
	for _, loop := range []string{"media.(*Relay).readRTP(", "media.(*Relay).readRTCP(", "media.(*Relay).deliverKeys(", "media.(*Relay).Start.gowrap"} {
		n += strings.Count(stacks, loop)
	}
	return n
}

func TestUpdateTakesARenegotiatedLegMidCall(t *testing.T) {
	c := newCall(t, pcmu96, pcmu101, MaskTone, ScopeSecure)
	s := newScript(t, pcmu96)
	s.speech(1600)
	c.play(t, s)
	before := c.agent.received()

	moved := newPeer(t, "127.0.0.1") // the agent's new address after its re-INVITE
	agent := Leg{Remote: moved.addr(), Codec: PCMA, AudioPT: 8, EventPT: 110}
	caller := Leg{Remote: c.caller.addr(), Codec: PCMA, AudioPT: 8, EventPT: 97}
	if err := c.relay.Update(Agent, agent); err != nil {
		t.Fatal(err)
	}
	if err := c.relay.Update(Caller, caller); err != nil {
		t.Fatal(err)
	}
	s.steps = nil
	s.renegotiate(caller)
	s.speech(800)
	s.both("12")
	s.speech(800)
	c.agent = moved
	c.play(t, s)
	after := moved.received()

	if k := c.keys.String(); k != "12" {
		t.Errorf("keys %q, want %q (on the new event payload type 97)", k, "12")
	}
	if k := eventKeys(after, 110); k != "12" {
		t.Errorf("events at the new agent address on PT 110: %q, want %q", k, "12")
	}
	audio, _ := audioOf(after, 8, PCMA)
	if d := hushpayDigits(audio); d != "12" {
		t.Errorf("PCMA audio at the new address holds %q, want %q", d, "12")
	}
	checkContinuity(t, append(before, after...), 0xff, false)
}

func TestInjectKeyRefusesWhatIsNotAKeyAndNeverBlocks(t *testing.T) {
	r, err := NewRelay(Config{Ports: testPorts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.InjectKey('x', 0); !errors.Is(err, ErrNotKey) {
		t.Errorf("InjectKey('x') = %v, want ErrNotKey", err)
	}
	for i := range keyQueue {
		if err := r.InjectKey('1', 100*time.Millisecond); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	if err := r.InjectKey('1', 0); !errors.Is(err, ErrKeyQueueFull) {
		t.Errorf("InjectKey on a full queue = %v, want ErrKeyQueueFull", err)
	}
	if n := r.Stats().Caller.LostKeys; n != 1 {
		t.Errorf("LostKeys = %d, want 1", n)
	}
}

func TestLifecycleOrder(t *testing.T) {
	r, err := NewRelay(Config{Ports: testPorts(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	leg := Leg{Remote: netip.MustParseAddrPort("127.0.0.1:9"), Codec: PCMU, EventPT: 96}
	if err := r.Update(Caller, leg); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Update before Start = %v, want ErrNotStarted", err)
	}
	if err := r.Start(leg, leg); err != nil {
		t.Fatal(err)
	}
	if err := r.Start(leg, leg); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
	if err := r.Update(Caller, Leg{Codec: PCMU}); err == nil {
		t.Error("Update accepted a leg without an address")
	}
}
