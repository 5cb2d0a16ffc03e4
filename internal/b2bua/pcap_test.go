package b2bua_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
)

// pcapKeys is what the caller keys: a Visa test card ended with '#', expiry 12/30, security code
// 123 and the habitual closing '#'.
const pcapKeys = "4242424242424242#1230123#"

// Ways the caller's pcap carries the keys.
const (
	keysInBandPCMU = "in-band tones in PCMU"
	keysInBandPCMA = "in-band tones in PCMA"
	keysRFC4733    = "RFC 4733 events on payload type 96"
	keysBoth       = "in-band tones and RFC 4733 events for every press"
)

// callerPcap returns the caller's RTP for keys sent the given way, between a second of 440 Hz tone
// before and after, with its G.711 payload type.
func callerPcap(t *testing.T, way, keys string) (pcap []byte, codecPT uint8) {
	t.Helper()
	codecPT = 0
	if way == keysInBandPCMA {
		codecPT = 8
	}
	s := newRTPStream(codecPT, 96)
	s.audio(t, tone440(time.Second))
	s.audio(t, make([]int16, 1600))
	switch way {
	case keysInBandPCMU, keysInBandPCMA:
		s.keyAudio(t, keys)
	case keysRFC4733:
		s.keyEvents(t, keys, false)
	case keysBoth:
		s.keyEvents(t, keys, true)
	}
	s.audio(t, make([]int16, 1600))
	s.audio(t, tone440(time.Second))
	s.audio(t, make([]int16, 3200))
	return s.pcap(), codecPT
}

// needRawSocket skips (fails under CI) unless the test runs as root: sipp's play_pcap_audio sends
// through a raw socket.
func needRawSocket(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("sipp's play_pcap_audio needs a raw socket: run the sipp pcap tests as root under CI")
	}
	t.Skip("sipp's play_pcap_audio needs a raw socket: run as root to play the pcaps")
}

// pcapCall is one call from a sipp caller playing a pcap, through hushpay, to the in-process
// agent side.
type pcapCall struct {
	h      *harness
	agent  *signallingAgent
	caller *sipp
	call   *hushpay.Call
}

// placePcapCall starts the agent side and the sipp caller and waits for the call to be active.
func placePcapCall(t *testing.T, pcap []byte, codecPT uint8) *pcapCall {
	t.Helper()
	bin := needSipp(t)
	needTools(t, "multimon-ng sox", "multimon-ng", "sox")
	needRawSocket(t)
	c := &pcapCall{h: newHarness(t)}
	c.agent = startSignallingAgent(t, c.h)
	c.caller = startPcapCaller(t, bin, c.h, pcap, codecPT)
	waitFor(t, "the call to be active", func() bool {
		for _, call := range c.h.calls(t) {
			if call.State == hushpay.CallActive {
				c.call = call
				return true
			}
		}
		return false
	})
	return c
}

// play has the caller play its pcap and waits until the agent side has heard its closing tone.
func (c *pcapCall) play(t *testing.T) (frames [][]int16, events map[byte]int) {
	t.Helper()
	c.agent.signal(t, "start")
	deadline := time.Now().Add(20 * time.Second)
	for {
		frames, events = c.agent.frames()
		if runs := toneRuns(frames); len(runs) >= 2 && runs[len(runs)-1] >= 40 {
			return frames, events
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for the closing tone at the agent: %d frames, 440 Hz runs %v\n%s",
				len(frames), toneRuns(frames), c.caller.traces())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hangUp has the caller hang up and checks that the call ended cleanly (the caller's BYE got 200).
func (c *pcapCall) hangUp(t *testing.T) {
	t.Helper()
	c.agent.signal(t, "stop")
	c.caller.wait(t)
	waitFor(t, "the call to end", func() bool { return c.h.b.Calls() == 0 })
	calls := c.h.calls(t)
	if len(calls) != 1 || calls[0].State != hushpay.CallEnded {
		t.Errorf("stored calls = %+v, want one ended call", calls)
	}
}

// startPayment creates a payment on the call and waits for hushpay to turn secure mode on.
func (c *pcapCall) startPayment(t *testing.T, pr hushpay.Principal) *hushpay.Payment {
	t.Helper()
	p, err := c.h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: c.call.ID, Amount: 4200,
		Currency: "USD", Reference: "sipp-pcap"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "hushpay to turn secure mode on", func() bool {
		for line := range strings.Lines(c.h.logs.String()) {
			if strings.Contains(line, `msg="secure mode"`) && strings.Contains(line, " on=true") {
				return true
			}
		}
		return false
	})
	return p
}

// checkTonesPassed checks that the agent side heard the 440 Hz tone before and after the keys.
func checkTonesPassed(t *testing.T, frames [][]int16) {
	t.Helper()
	runs := toneRuns(frames)
	if len(runs) < 2 || runs[0] < 40 || runs[len(runs)-1] < 40 {
		t.Errorf("440 Hz runs at the agent = %v (frames), want a run of at least 40 before and after the keys", runs)
	}
}

func joined(frames [][]int16) []int16 { return slices.Concat(frames...) }

// TestSippPcapKeysAreCapturedAndMasked has a sipp caller play a pcap with a test card keyed
// in-band (PCMU, PCMA) or as RFC 4733 events on payload type 96, after the agent created a
// payment on the call (scope secure). The card lands in the payment and submits with the sandbox;
// multimon-ng finds no digit in what hushpay sent the agent, and no telephone-event reaches it;
// the tone before and after the keys does.
func TestSippPcapKeysAreCapturedAndMasked(t *testing.T) {
	for _, way := range []string{keysInBandPCMU, keysInBandPCMA, keysRFC4733} {
		t.Run(way, func(t *testing.T) {
			pcap, codecPT := callerPcap(t, way, pcapKeys)
			c := placePcapCall(t, pcap, codecPT)
			pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
			p := c.startPayment(t, pr)
			frames, events := c.play(t)

			if got := multimonDigits(t, joined(frames)); got != "" {
				t.Errorf("multimon-ng decoded %d digits from the agent's audio, want none", len(got))
			}
			if len(events) != 0 {
				t.Errorf("telephone-events reached the agent for %d keys, want none", len(events))
			}
			checkTonesPassed(t, frames)
			checkCardCapturedAndSubmits(t, c.h, pr, p.ID)
			c.hangUp(t)
		})
	}
}

// checkCardCapturedAndSubmits waits for the payment to be ready, checks that it holds the keyed
// card (16 digits, last4 4242), expiry and security code, and submits it to the sandbox.
func checkCardCapturedAndSubmits(t *testing.T, h *harness, pr hushpay.Principal, id string) {
	t.Helper()
	got := waitReady(t, h, pr, id)
	checkFields(t, got.Fields, map[hushpay.FieldName]int{hushpay.FieldCardNumber: 16, hushpay.FieldExpiry: 4,
		hushpay.FieldSecurityCode: 3})
	if last4 := got.Fields[hushpay.FieldCardNumber].Last4; last4 != "4242" {
		t.Errorf("card last4 = %q, want 4242", last4)
	}
	done, err := h.payments.Submit(context.Background(), pr, id)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if done.State != hushpay.PaymentSucceeded {
		t.Errorf("payment after submit: %s %+v, want succeeded", done.State, done.Outcome)
	}
}

// waitReady waits for the payment to have every field captured; when it does not, it fails with the
// fields' masked state.
func waitReady(t *testing.T, h *harness, pr hushpay.Principal, id string) *hushpay.Payment {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := h.payments.Get(context.Background(), pr, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == hushpay.PaymentReady {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("payment is %s, want ready; fields %+v", got.State, got.Fields)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkFields checks that each field is complete with the given length.
func checkFields(t *testing.T, fields map[hushpay.FieldName]hushpay.Field, want map[hushpay.FieldName]int) {
	t.Helper()
	for name, length := range want {
		if f := fields[name]; f.State != hushpay.FieldComplete || f.Length != length {
			t.Errorf("%s = %s, %d digits; want complete, %d digits", name, f.State, f.Length, length)
		}
	}
}

// TestSippPcapKeysWithoutPaymentPassThrough plays the same pcaps with no payment on the call
// (scope secure): the keys reach the agent side untouched, which shows the masking test above
// can fail.
func TestSippPcapKeysWithoutPaymentPassThrough(t *testing.T) {
	for _, way := range []string{keysInBandPCMU, keysInBandPCMA, keysRFC4733} {
		t.Run(way, func(t *testing.T) {
			pcap, codecPT := callerPcap(t, way, pcapKeys)
			c := placePcapCall(t, pcap, codecPT)
			frames, events := c.play(t)
			if way == keysRFC4733 {
				if want := distinctEventCodes(t, pcapKeys); len(events) != len(want) {
					t.Errorf("telephone-events reached the agent for %d distinct keys, want %d", len(events), len(want))
				}
			} else if got := multimonDigits(t, joined(frames)); got != pcapKeys {
				t.Errorf("multimon-ng decoded %d keys (%s) from the agent's audio, want the %d keyed",
					len(got), matchSummary(got, pcapKeys), len(pcapKeys))
			}
			checkTonesPassed(t, frames)
			c.hangUp(t)
		})
	}
}

// distinctEventCodes returns the RFC 4733 event codes of keys, once each.
func distinctEventCodes(t *testing.T, keys string) map[byte]bool {
	t.Helper()
	codes := map[byte]bool{}
	for i := range len(keys) {
		codes[eventCode(t, keys[i])] = true
	}
	return codes
}

// matchSummary says whether got equals want without printing either.
func matchSummary(got, want string) string {
	if got == want {
		return "same keys"
	}
	return fmt.Sprintf("different keys, %d in common as prefix", commonPrefix(got, want))
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// TestSippPcapPressSentBothWaysIsCapturedOnce plays a pcap in which every press is both in-band
// tones and an RFC 4733 event: each key is captured once.
func TestSippPcapPressSentBothWaysIsCapturedOnce(t *testing.T) {
	pcap, codecPT := callerPcap(t, keysBoth, pcapKeys)
	c := placePcapCall(t, pcap, codecPT)
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p := c.startPayment(t, pr)
	frames, _ := c.play(t)
	if got := multimonDigits(t, joined(frames)); got != "" {
		t.Errorf("multimon-ng decoded %d digits from the agent's audio, want none", len(got))
	}
	got := waitReady(t, c.h, pr, p.ID)
	checkFields(t, got.Fields, map[hushpay.FieldName]int{hushpay.FieldCardNumber: 16, hushpay.FieldExpiry: 4,
		hushpay.FieldSecurityCode: 3})
	c.hangUp(t)
}
