package b2bua_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/wav"
)

// baresipLead is how long the caller's file plays 440 Hz before anything else: the time the test
// has to start the payment before the keys begin.
const baresipLead = 4 * time.Second

// callerWAV is the audio baresip's aufile source plays: a 440 Hz lead, a second of a vowel-like
// sound, the keys as in-band tones, a second of 440 Hz and 8 s of silence (baresip hangs up at the
// end of its file; the test hangs up from the agent side first).
func callerWAV(t *testing.T, keys string) []byte {
	t.Helper()
	tones, err := dtmf.Generate(keys, dtmf.DefaultGenOptions())
	if err != nil {
		t.Fatal(err)
	}
	samples := slicesConcat(tone440(baresipLead), vowel(time.Second), make([]int16, 1600), tones,
		make([]int16, 1600), tone440(time.Second), make([]int16, 8*8000))
	var b bytes.Buffer
	if err := wav.Write(&b, wav.PCM16, samples); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func slicesConcat(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// vowel is d of a speech-like sound: a 140 Hz voice with its first 20 harmonics, shaped by two
// formants (700 and 1200 Hz) and a 4 Hz syllable rhythm.
func vowel(d time.Duration) []int16 {
	n := int(d.Seconds() * 8000)
	out := make([]int16, n)
	for i := range out {
		x := float64(i) / 8000
		var v float64
		for h := 1; h <= 20; h++ {
			f := 140 * float64(h)
			gain := math.Exp(-math.Pow((f-700)/200, 2)) + 0.6*math.Exp(-math.Pow((f-1200)/250, 2)) + 0.05
			v += gain * math.Sin(2*math.Pi*f*x)
		}
		syllable := 0.5 + 0.5*math.Sin(2*math.Pi*4*x)
		out[i] = int16(2500 * v * syllable)
	}
	return out
}

// baresip is one running baresip process.
type baresip struct {
	cmd  *exec.Cmd
	out  paymentstest.LogBuffer
	ctrl string // its ctrl_tcp address
}

// sendKeys has baresip send keys as RFC 4733 events in its call, through its ctrl_tcp interface
// (the menu module's sndcode command, as a JSON netstring).
func (b *baresip) sendKeys(t *testing.T, keys string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", b.ctrl, 5*time.Second)
	if err != nil {
		t.Fatalf("baresip ctrl_tcp: %v", err)
	}
	defer conn.Close()
	msg, err := json.Marshal(map[string]string{"command": "sndcode", "params": keys, "token": "keys"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprintf(conn, "%d:%s,", len(msg), msg); err != nil {
		t.Fatalf("baresip ctrl_tcp: %v", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply := make([]byte, 512)
	n, err := conn.Read(reply)
	if err != nil || !strings.Contains(string(reply[:n]), `"ok":true`) {
		t.Fatalf("baresip ctrl_tcp sndcode: %v %q", err, reply[:n])
	}
}

// baresipConf is how one baresip's configuration directory differs from the others': both the
// caller and the agent are headless, on 127.0.0.1, with a WAV file as microphone and PCM 8 kHz
// mono audio.
type baresipConf struct {
	sipPort  int      // sip_listen port on 127.0.0.1
	rtpPort  int      // first of the 4 RTP ports
	mic      string   // file name, in the directory, of the microphone WAV
	micWAV   []byte   // its content
	account  string   // the accounts file
	settings string   // config lines before the modules
	modules  []string // modules after g711, aufile and aubridge (before account.so)
	tail     string   // config lines after the modules
}

// runBaresip writes baresip's config, accounts, contacts and microphone WAV into dir and runs
// `baresip -4 -f dir` with args there, its output going to out. At the test's cleanup it kills the
// process, and logs out under name when the test failed.
func runBaresip(t *testing.T, dir string, c baresipConf, name string, out *paymentstest.LogBuffer, args ...string) *exec.Cmd {
	t.Helper()
	config := fmt.Sprintf(`poll_method		poll
sip_listen		127.0.0.1:%d
net_interface		127.0.0.1
audio_player		aubridge,nowhere
audio_source		aufile,%s
audio_alert		aubridge,nowhere
ausrc_srate		8000
auplay_srate		8000
ausrc_channels		1
auplay_channels		1
rtp_ports		%d-%d
%smodule_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
`, c.sipPort, filepath.Join(dir, c.mic), c.rtpPort, c.rtpPort+3, c.settings)
	for _, m := range c.modules {
		config += "module\t\t\t" + m + "\n"
	}
	config += "module_app\t\taccount.so\n" + c.tail
	files := map[string][]byte{
		"config":   []byte(config),
		"accounts": []byte(c.account),
		"contacts": nil,
		c.mic:      c.micWAV,
	}
	for file, body := range files {
		if err := os.WriteFile(filepath.Join(dir, file), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("baresip", append([]string{"-4", "-f", dir}, args...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	return cmd
}

// startBaresip runs baresip headless with its own configuration directory, playing the WAV as its
// microphone, and has it dial target.
func startBaresip(t *testing.T, input []byte, target string) *baresip {
	t.Helper()
	return startBaresipWith(t, input, target, nil)
}

// startBaresipWith is startBaresip with SIP over TLS when tt is set: baresip's account has
// transport=tls (which baresip adds to the URI it dials), it trusts the test certificate (sip_cafile) and serves TLS with it
// (sip_certificate), and it traces its SIP messages (-s) so the test can see the transport.
func startBaresipWith(t *testing.T, input []byte, target string, tt *testTLS) *baresip {
	t.Helper()
	dir := t.TempDir()
	rtp, ctrl := freeMediaPort(t), freePort(t)
	conf := baresipConf{sipPort: freePort(t), rtpPort: rtp, mic: "caller.wav", micWAV: input,
		account: "<sip:caller@127.0.0.1>;regint=0;audio_codecs=PCMU\n", modules: []string{"menu.so", "ctrl_tcp.so"},
		tail: fmt.Sprintf("ctrl_tcp_listen\t\t127.0.0.1:%d\n", ctrl)}
	args := []string{"-t", "25", "-e", "/dial " + target}
	if tt != nil {
		conf.tail += fmt.Sprintf("sip_cafile\t\t%s\nsip_certificate\t\t%s\n", tt.certFile, tt.bothFile)
		conf.account = "<sip:caller@127.0.0.1;transport=tls>;regint=0;audio_codecs=PCMU\n"
		args = append(args, "-s")
	}
	b := &baresip{ctrl: fmt.Sprintf("127.0.0.1:%d", ctrl)}
	b.cmd = runBaresip(t, dir, conf, "baresip", &b.out, args...)
	return b
}

// TestBaresipCaller has baresip, an independent SIP user agent, call hushpay with a WAV file as its
// microphone: a lead tone, speech-like sound, a test card keyed as in-band tones (or silence while
// baresip sends the keys as RFC 4733 events), and a closing tone. With a payment created during the
// lead (scope secure), the card lands in it and submits, and multimon-ng finds no digit in the agent
// leg's audio; without one, multimon-ng finds every key. Either way the tones before and after the
// keys reach the agent.
func TestBaresipCaller(t *testing.T) {
	needTools(t, "baresip multimon-ng sox", "baresip", "multimon-ng", "sox")
	tests := []struct {
		name             string
		payment, rfc4733 bool
	}{
		{"in-band keys during a payment are captured and masked", true, false},
		{"in-band keys without a payment pass through", false, false},
		{"RFC 4733 keys during a payment are captured and not forwarded", true, true},
		{"RFC 4733 keys without a payment reach the agent", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			agent := startSignallingAgent(t, h)
			input := callerWAV(t, pcapKeys)
			if tt.rfc4733 {
				input = callerWAVWithoutKeys(t)
			}
			ua := startBaresip(t, input, fmt.Sprintf("sip:agents@%s", h.b.Addr()))
			c := &pcapCall{h: h, agent: agent}
			waitFor(t, "baresip's call to be active", func() bool {
				for _, call := range h.calls(t) {
					if call.State == hushpay.CallActive {
						c.call = call
						return true
					}
				}
				return false
			})
			if tt.payment {
				checkBaresipKeysCaptured(t, c, ua, tt.rfc4733)
			} else {
				checkBaresipKeysPassed(t, c, ua, tt.rfc4733)
			}
			agentHangsUp(t, h, agent)
		})
	}
}

// checkBaresipKeysPassed checks, with no payment on the call, that the agent gets every key: as
// tones multimon-ng decodes, or as telephone-events when baresip sends them (rfc4733).
func checkBaresipKeysPassed(t *testing.T, c *pcapCall, ua *baresip, rfc4733 bool) {
	t.Helper()
	if rfc4733 {
		waitForLeadTone(t, c.agent)
		ua.sendKeys(t, pcapKeys)
	}
	frames := waitClosingTone(t, c.agent)
	checkTonesPassed(t, frames)
	if rfc4733 {
		_, events := c.agent.frames()
		if want := distinctEventCodes(t, pcapKeys); len(events) != len(want) {
			t.Errorf("telephone-events reached the agent for %d distinct keys, want %d", len(events), len(want))
		}
		return
	}
	if got := multimonDigits(t, joined(frames)); got != pcapKeys {
		t.Errorf("multimon-ng decoded %d keys (%s) from the agent's audio, want the %d keyed",
			len(got), matchSummary(got, pcapKeys), len(pcapKeys))
	}
}

// checkBaresipKeysCaptured starts a payment during the caller's lead tone and checks that the keys
// (in the WAV, or sent by baresip as RFC 4733 events) land in it and submit, while the agent hears
// no digit and gets no telephone-event.
func checkBaresipKeysCaptured(t *testing.T, c *pcapCall, ua *baresip, rfc4733 bool) {
	t.Helper()
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p := c.startPayment(t, pr)
	if frames, _ := c.agent.frames(); len(frames) >= int(baresipLead/(20*time.Millisecond))-25 {
		t.Fatalf("secure mode came on after %d frames of the caller's %v lead: too late to test masking",
			len(frames), baresipLead)
	}
	if rfc4733 {
		waitForLeadTone(t, c.agent)
		ua.sendKeys(t, pcapKeys)
	}
	frames := waitClosingTone(t, c.agent)
	if got := multimonDigits(t, joined(frames)); got != "" {
		t.Errorf("multimon-ng decoded %d digits from the agent's audio, want none", len(got))
	}
	checkTonesPassed(t, frames)
	checkCardCapturedAndSubmits(t, c.h, pr, p.ID)
	if _, events := c.agent.frames(); len(events) != 0 {
		t.Errorf("telephone-events reached the agent for %d keys, want none", len(events))
	}
}

// waitForLeadTone waits until the agent has heard the caller's lead tone.
func waitForLeadTone(t *testing.T, agent *signallingAgent) {
	t.Helper()
	waitFor(t, "the end of the caller's lead tone", func() bool {
		frames, _ := agent.frames()
		return len(frames) >= int(baresipLead/(20*time.Millisecond))
	})
}

// callerWAVWithoutKeys is callerWAV with silence where the keys were, long enough for baresip to
// send them as RFC 4733 events.
func callerWAVWithoutKeys(t *testing.T) []byte {
	t.Helper()
	samples := slicesConcat(tone440(baresipLead), vowel(time.Second), make([]int16, 8*8000),
		tone440(time.Second), make([]int16, 8*8000))
	var b bytes.Buffer
	if err := wav.Write(&b, wav.PCM16, samples); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// waitClosingTone waits until the agent has heard the caller's closing 440 Hz tone.
func waitClosingTone(t *testing.T, agent *signallingAgent) [][]int16 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		frames, _ := agent.frames()
		if runs := toneRuns(frames); len(runs) >= 2 && runs[len(runs)-1] >= 40 {
			return frames
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for the closing tone at the agent: %d frames, 440 Hz runs %v", len(frames), toneRuns(frames))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// agentHangsUp sends BYE from the agent side, requires its 200, and waits for the call to end.
func agentHangsUp(t *testing.T, h *harness, agent *signallingAgent) {
	t.Helper()
	if agent.session == nil {
		agent.session = <-agent.sessions
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := agent.session.Bye(ctx); err != nil {
		t.Fatalf("BYE from the agent side: %v", err)
	}
	waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
	if !strings.Contains(h.logs.String(), `reason="bye from agent"`) {
		t.Error(`hushpay did not log the call ending with reason="bye from agent"`)
	}
	calls := h.calls(t)
	if len(calls) != 1 || calls[0].State != hushpay.CallEnded {
		t.Errorf("stored calls = %+v, want one ended call", calls)
	}
}
