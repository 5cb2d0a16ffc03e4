package b2bua_test

import (
	"context"
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
	"github.com/hushpay/hushpay/internal/wav"
)

// baresipAgent is baresip playing the agent's phone: it answers every call at once
// (answermode=auto) and its sndfile module writes what it receives to a WAV file in dir.
type baresipAgent struct {
	cmd *exec.Cmd
	out lockedBuffer
	dir string
}

// startBaresipAgent runs baresip on 127.0.0.1:port as user "agents" (the harness's route target),
// answering with PCMA, its microphone a 660 Hz tone.
func startBaresipAgent(t *testing.T, port int) *baresipAgent {
	t.Helper()
	a := &baresipAgent{dir: t.TempDir()}
	var mic strings.Builder
	if err := wav.Write(&mic, wav.PCM16, sine(660, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	rtp := freeMediaPort(t)
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
snd_path		%s
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module			menu.so
module_app		account.so
`, port, filepath.Join(a.dir, "mic.wav"), rtp, rtp+3, a.dir)
	files := map[string]string{
		"config":   config,
		"accounts": "<sip:agents@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMA\n",
		"contacts": "",
		"mic.wav":  mic.String(),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(a.dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	a.cmd = exec.Command("baresip", "-4", "-f", a.dir, "-t", "60")
	a.cmd.Dir = a.dir
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = a.cmd.Process.Kill()
		_ = a.cmd.Wait()
		if t.Failed() {
			t.Logf("baresip (agent) output:\n%s", a.out.String())
		}
	})
	waitBound(t, port)
	return a
}

// received returns what baresip received in the call, as its sndfile module wrote it (the
// decoder's side, dump-…-dec.wav), once the call has ended and the file is closed.
func (a *baresipAgent) received(t *testing.T) []int16 {
	t.Helper()
	waitFor(t, "baresip to end the call", func() bool { return strings.Contains(a.out.String(), "terminated") })
	files, _ := filepath.Glob(filepath.Join(a.dir, "dump-*-dec.wav"))
	if len(files) != 1 {
		t.Fatalf("baresip's sndfile wrote %d decoder files, want 1", len(files))
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	audio, err := wav.Read(f)
	if err != nil {
		t.Fatalf("baresip's recording: %v", err)
	}
	return audio.Samples
}

// sine is d of a tone at f Hz, about -10 dBm0.
func sine(f float64, d time.Duration) []int16 {
	out := make([]int16, int(d.Seconds()*8000))
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*f*float64(i)/8000))
	}
	return out
}

// TestBaresipAgent has baresip answer hushpay's onward INVITE as the agent's phone and record what
// it hears, while an in-process caller sends a 440 Hz tone, a test card with expiry and security
// code as in-band tones, and a closing 440 Hz tone. With a payment the card lands in it and
// submits, and multimon-ng finds no digit in baresip's recording; without one it finds every key
// (so the recording can show a leak). Both tones reach the recording either way.
func TestBaresipAgent(t *testing.T) {
	needTools(t, "baresip multimon-ng sox", "baresip", "multimon-ng", "sox")
	for _, payment := range []bool{true, false} {
		name := "keys during a payment are captured and baresip hears none"
		if !payment {
			name = "keys without a payment reach baresip"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			agent := startBaresipAgent(t, h.agentPort)
			rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer rtpConn.Close()
			sess, err := newCaller(t, h).call(t, callerSDP(rtpConn.LocalAddr().(*net.UDPAddr).Port))
			if err != nil {
				t.Fatalf("baresip did not answer: %v", err)
			}
			call := activeCall(t, h)
			pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
			var p *hushpay.Payment
			if payment {
				p = (&pcapCall{h: h, call: call}).startPayment(t, pr)
			}
			tones, err := dtmf.Generate(pcapKeys, dtmf.DefaultGenOptions())
			if err != nil {
				t.Fatal(err)
			}
			sendAudio(t, rtpConn, sess.InviteResponse.Body(),
				slicesConcat(tone440(time.Second), make([]int16, 1600), tones, make([]int16, 1600), tone440(time.Second), make([]int16, 4000)))
			if payment {
				checkCardCapturedAndSubmits(t, h, pr, p.ID)
			}
			if err := sess.Bye(context.Background()); err != nil {
				t.Fatalf("BYE: %v", err)
			}
			waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
			heard := agent.received(t)
			if runs := toneRuns(frames160(heard)); len(runs) < 2 {
				t.Errorf("baresip's recording holds 440 Hz runs %v, want the lead and closing tones", runs)
			}
			got := multimonDigits(t, heard)
			switch {
			case payment && got != "":
				t.Errorf("multimon-ng decoded %d digits from baresip's recording, want none", len(got))
			case !payment && got != pcapKeys:
				t.Errorf("multimon-ng decoded %d keys (%s) from baresip's recording, want the %d keyed",
					len(got), matchSummary(got, pcapKeys), len(pcapKeys))
			}
			calls := h.calls(t)
			if len(calls) != 1 || calls[0].State != hushpay.CallEnded {
				t.Errorf("stored calls = %+v, want one ended call", calls)
			}
		})
	}
}

// frames160 cuts samples into 20 ms frames.
func frames160(samples []int16) [][]int16 {
	var out [][]int16
	for off := 0; off+160 <= len(samples); off += 160 {
		out = append(out, samples[off:off+160])
	}
	return out
}
