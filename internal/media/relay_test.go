package media

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// testPorts returns an allocator over a range the tests use.
func testPorts(t testing.TB) *PortAllocator {
	t.Helper()
	ports, err := NewPortAllocator(31800, 32399)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// keyLog collects what OnKey receives.
type keyLog struct {
	mu   sync.Mutex
	keys []byte
}

func (k *keyLog) add(key byte) {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
}

func (k *keyLog) String() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return string(k.keys)
}

// call is a relay between a fake caller and a fake agent on loopback.
type call struct {
	relay               *Relay
	caller, agent       *peer
	callerLeg, agentLeg Leg
	keys                keyLog
}

func newCall(t *testing.T, caller, agent Leg, mode MaskMode, scope MaskScope) *call {
	t.Helper()
	return newCallOn(t, nil, caller, agent, mode, scope)
}

// newCallOn is newCall with the relay's sockets served by loop (nil: its own goroutines).
func newCallOn(t *testing.T, loop *Loop, caller, agent Leg, mode MaskMode, scope MaskScope) *call {
	t.Helper()
	return startCall(t, loop, newPeer(t, "127.0.0.1"), newPeer(t, "127.0.0.1"), caller, agent, mode, scope)
}

// startCall is newCallOn with the fake caller's and agent's sockets given.
func startCall(t *testing.T, loop *Loop, callerPeer, agentPeer *peer, caller, agent Leg, mode MaskMode, scope MaskScope) *call {
	t.Helper()
	c := &call{caller: callerPeer, agent: agentPeer}
	r, err := NewRelay(Config{Ports: testPorts(t), Mode: mode, Scope: scope, OnKey: c.keys.add, Loop: loop})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	caller.Remote, agent.Remote = c.caller.addr(), c.agent.addr()
	if err := r.Start(caller, agent); err != nil {
		t.Fatal(err)
	}
	c.relay, c.callerLeg, c.agentLeg = r, caller, agent
	return c
}

// play runs the caller's script against the relay, one packet per half millisecond or so, and
// waits until everything the relay forwarded has reached the agent.
func (c *call) play(t *testing.T, s *script) {
	t.Helper()
	start := c.relay.Stats().Caller
	sent := start.Received
	forwardedBefore := start.Forwarded - uint64(len(c.agent.received())) // sent to an agent address no longer in use
	for _, st := range s.steps {
		if st.setSecure != nil {
			c.relay.SetSecure(*st.setSecure)
			continue
		}
		c.caller.sendTo(t, c.relay.LocalAddr(Caller), st.pkt)
		sent++
		time.Sleep(500 * time.Microsecond)
	}
	c.settle(t, func(st Stats) bool {
		return st.Caller.Received == sent && uint64(len(c.agent.received())) == st.Caller.Forwarded-forwardedBefore
	})
}

// settle waits until done holds for the relay's counters (the relay runs on its own goroutines).
func (c *call) settle(t *testing.T, done func(Stats) bool) {
	t.Helper()
	for range 1000 {
		if done(c.relay.Stats()) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("relay did not settle: %+v", c.relay.Stats())
}

// cardCall is the call every masking test plays: speech, a payment keyed on all three ways of
// sending keys, speech, the end of the payment, and keys outside the payment.
func cardCall(t *testing.T, leg Leg) *script {
	s := newScript(t, leg)
	s.speech(4000)
	s.setSecure(true)
	s.speech(1600)
	s.inBand("4242424242424242")
	s.eventsOnly("5555555555554444")
	s.both("0123456789*#")
	s.speech(2400)
	s.setSecure(false)
	s.speech(12000) // past the one-second hang-over
	s.inBand("99")
	s.both("7")
	s.speech(1600)
	return s
}

// outsideKeys are the keys cardCall sends outside the payment: they must reach the agent.
const outsideKeys = "997"

func TestRelayCapturesKeysAndMasksThemFromTheAgent(t *testing.T) {
	cases := []struct {
		name          string
		caller, agent Leg
		mode          MaskMode
		contiguous    bool // the agent's audio timestamps have no gap
	}{
		{"PCMU to PCMU, events 96 to 101, tone", Leg{Codec: PCMU, AudioPT: 0, EventPT: 96}, Leg{Codec: PCMU, AudioPT: 0, EventPT: 101}, MaskTone, true},
		{"PCMA to PCMU, events 101 to 96, tone", Leg{Codec: PCMA, AudioPT: 8, EventPT: 101}, Leg{Codec: PCMU, AudioPT: 0, EventPT: 96}, MaskTone, true},
		{"PCMA to PCMA, events 97 to 101, silence", Leg{Codec: PCMA, AudioPT: 8, EventPT: 97}, Leg{Codec: PCMA, AudioPT: 8, EventPT: 101}, MaskSilence, true},
		{"PCMU to PCMA, events 96 to 120, drop", Leg{Codec: PCMU, AudioPT: 0, EventPT: 96}, Leg{Codec: PCMA, AudioPT: 8, EventPT: 120}, MaskDrop, false},
	}
	loop := newTestLoop(t)
	for _, tc := range cases {
		for _, served := range []struct {
			how  string
			loop *Loop
		}{{"", nil}, {", on a shared loop", loop}} {
			t.Run(tc.name+served.how, func(t *testing.T) {
				testCardCall(t, newCallOn(t, served.loop, tc.caller, tc.agent, tc.mode, ScopeSecure), tc.caller, tc.agent, tc.contiguous)
			})
		}
	}
}

// newTestLoop starts a Loop that the test closes at its end, after the relays on it.
func newTestLoop(t *testing.T) *Loop {
	t.Helper()
	loop, err := NewLoop()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := loop.Close(); err != nil {
			t.Error(err)
		}
	})
	return loop
}

// testCardCall plays cardCall through c and checks everything the agent got.
func testCardCall(t *testing.T, c *call, caller, agent Leg, contiguous bool) {
	t.Helper()
	s := cardCall(t, c.callerLeg)
	c.play(t, s)
	got := c.agent.received()
	audio, _ := audioOf(got, agent.AudioPT, agent.Codec)

	t.Run("OnKey gets every key once", func(t *testing.T) {
		if k := c.keys.String(); k != string(s.keys) {
			t.Errorf("OnKey got %d keys %q, want %d %q", len(k), k, len(s.keys), s.keys)
		}
	})
	t.Run("hushpay's detector hears only the keys outside the payment", func(t *testing.T) {
		if d := hushpayDigits(audio); d != outsideKeys {
			t.Errorf("agent audio holds %q, want %q", d, outsideKeys)
		}
	})
	t.Run("multimon-ng hears only the keys outside the payment", func(t *testing.T) {
		requirePeer(t, "multimon-ng", "sox")
		if d := multimonDigits(t, audio); d != outsideKeys {
			t.Errorf("agent audio holds %q, want %q", d, outsideKeys)
		}
	})
	t.Run("events reach the agent only outside the payment, on its payload type", func(t *testing.T) {
		if k := eventKeys(got, agent.EventPT); k != "7" {
			t.Errorf("agent got events %q, want %q", k, "7")
		}
		if k := eventKeys(got, caller.EventPT); caller.EventPT != agent.EventPT && k != "" {
			t.Errorf("agent got events %q on the caller's payload type", k)
		}
	})
	t.Run("no DTMF pair above -45 dBm0 in any 10 ms during a press", func(t *testing.T) {
		checkNoPairEnergy(t, audio, s)
	})
	t.Run("sequence and timestamps run on", func(t *testing.T) {
		checkContinuity(t, got, agent.AudioPT, contiguous)
	})
}

// checkNoPairEnergy looks at every 10 ms window (in steps of 2.5 ms) that overlaps a press sent
// while secure, whether the relay delayed it by the look-ahead or not. The agent's audio starts
// at the caller's first timestamp: outgoing timestamps keep the incoming ones' spacing.
func checkNoPairEnergy(t *testing.T, audio []int16, s *script) {
	t.Helper()
	const win = 80
	if len(s.presses) == 0 {
		t.Fatal("no press sent while secure")
	}
	for _, p := range s.presses {
		from := int(int32(p.from-scriptStartTS)) - win
		to := int(int32(p.to-scriptStartTS)) + lookAhead + win
		if to > len(audio) {
			t.Fatalf("agent audio ends at %d, before the press at %d-%d", len(audio), from+win, to-lookAhead-win)
		}
		for at := max(0, from); at+win <= to; at += win / 4 {
			if lvl := dtmfPairLevel(audio[at : at+win]); lvl > -45 {
				t.Fatalf("DTMF pair at %.1f dBm0 in the window at sample %d (press at %d-%d)", lvl, at, from+win, to-lookAhead-win)
			}
		}
	}
}

// checkContinuity checks the agent's stream: one SSRC, sequence numbers one apart, audio
// timestamps following on from each packet's length (or at least not going back).
func checkContinuity(t *testing.T, got []rtp.Packet, audioPT uint8, contiguous bool) {
	t.Helper()
	if len(got) == 0 {
		t.Fatal("agent got nothing")
	}
	var last *rtp.Packet
	for i := range got {
		p := &got[i]
		if p.SSRC != got[0].SSRC {
			t.Fatalf("packet %d: SSRC changed", i)
		}
		if i > 0 && p.SequenceNumber != got[i-1].SequenceNumber+1 {
			t.Fatalf("packet %d: sequence %d after %d", i, p.SequenceNumber, got[i-1].SequenceNumber)
		}
		if p.PayloadType != audioPT {
			continue
		}
		if last != nil {
			step := int32(p.Timestamp - last.Timestamp)
			want := int32(len(last.Payload))
			if step < want || (contiguous && step != want) {
				t.Fatalf("packet %d: timestamp step %d after a %d-sample frame", i, step, want)
			}
		}
		last = p
	}
}

func TestRelayMasksEveryCallWithScopeAlways(t *testing.T) {
	leg := Leg{Codec: PCMU, AudioPT: 0, EventPT: 100}
	c := newCall(t, leg, Leg{Codec: PCMU, AudioPT: 0, EventPT: 101}, MaskTone, ScopeAlways)
	s := newScript(t, c.callerLeg)
	s.speech(1600)
	s.inBand("4242")
	s.both("55")
	s.speech(1600)
	c.play(t, s)
	got := c.agent.received()
	audio, _ := audioOf(got, 0, PCMU)
	if k := c.keys.String(); k != "424255" {
		t.Errorf("OnKey got %q, want %q", k, "424255")
	}
	if d := hushpayDigits(audio); d != "" {
		t.Errorf("agent audio holds %q, want nothing", d)
	}
	if k := eventKeys(got, 101); k != "" {
		t.Errorf("agent got events %q, want none", k)
	}
}

func TestRelayPassesAgentAudioToTheCaller(t *testing.T) {
	c := newCall(t, Leg{Codec: PCMA, AudioPT: 8, EventPT: 96}, Leg{Codec: PCMU, AudioPT: 0, EventPT: 101}, MaskTone, ScopeSecure)
	s := newScript(t, c.agentLeg)
	s.speech(1600)
	s.both("1")
	for _, st := range s.steps {
		c.agent.sendTo(t, c.relay.LocalAddr(Agent), st.pkt)
		time.Sleep(500 * time.Microsecond)
	}
	c.settle(t, func(st Stats) bool {
		return st.Agent.Received == uint64(len(s.steps)) && uint64(len(c.caller.received())) == st.Agent.Forwarded
	})
	got := c.caller.received()
	if k := eventKeys(got, 96); k != "1" {
		t.Errorf("caller got events %q on PT 96, want %q", k, "1")
	}
	audio, _ := audioOf(got, 8, PCMA)
	if d := hushpayDigits(audio); d != "1" {
		t.Errorf("caller audio holds %q, want the agent's %q", d, "1")
	}
	if k := c.keys.String(); k != "" {
		t.Errorf("keys from the agent were captured: %d", len(k))
	}
	checkContinuity(t, got, 8, true)
	if slices.ContainsFunc(got, func(p rtp.Packet) bool { return p.PayloadType != 8 && p.PayloadType != 96 }) {
		t.Error("caller got a payload type it did not negotiate")
	}
}
