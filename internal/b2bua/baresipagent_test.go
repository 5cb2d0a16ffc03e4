package b2bua_test

import (
	"context"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/pion/rtp"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/wav"
)

// baresipAgent is baresip playing the agent's phone: it answers every call at once
// (answermode=auto) and its sndfile module writes what it receives to a WAV file in dir.
type baresipAgent struct {
	cmd *exec.Cmd
	out paymentstest.LogBuffer // its log, which reports every DTMF key it receives
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
	a.cmd = runBaresip(t, a.dir, baresipConf{sipPort: port, rtpPort: rtp, mic: "mic.wav", micWAV: []byte(mic.String()),
		account:  "<sip:agents@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMA\n",
		settings: "snd_path\t\t" + a.dir + "\n", modules: []string{"sndfile.so", "menu.so"}},
		"baresip (agent)", &a.out, "-t", "60")
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
			bc := callBaresipAgent(t, payment)
			h, agent, rtpConn, sess, pr, p := bc.h, bc.agent, bc.rtp, bc.sess, bc.pr, bc.payment
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

// TestBaresipAgentKeyEvents has the in-process caller key two digits as SIP INFO and four as
// RFC 4733 events towards baresip as the agent's phone, which logs every DTMF key it receives
// ("received event: 'K' (end=0)" for RFC 4733, "received DTMF" for INFO). During a payment all six land in the card number
// field and baresip reports none; without one it reports every key.
func TestBaresipAgentKeyEvents(t *testing.T) {
	needTools(t, "baresip", "baresip")
	for _, payment := range []bool{true, false} {
		name := "keys during a payment never reach baresip"
		if !payment {
			name = "keys without a payment reach baresip"
		}
		t.Run(name, func(t *testing.T) {
			bc := callBaresipAgent(t, payment)
			h, agent, rtpConn, sess, pr, p := bc.h, bc.agent, bc.rtp, bc.sess, bc.pr, bc.payment
			stopAudio := sendSilence(t, rtpConn, sess)
			time.Sleep(500 * time.Millisecond) // the caller's RTP flows: INFO keys go through the relay
			sendInfo(t, sess, "1")
			sendInfo(t, sess, "2")
			time.Sleep(500 * time.Millisecond)
			stopAudio()
			sendEvents(t, rtpConn, sess, "4242")
			if payment {
				waitFor(t, "six keys in the card number field", func() bool {
					got, err := h.payments.Get(context.Background(), pr, p.ID)
					return err == nil && got.Fields[hushpay.FieldCardNumber].Length == 6
				})
			} else {
				waitFor(t, "baresip to report the keys", func() bool {
					return agent.keys() >= 4 && strings.Count(agent.out.String(), "received DTMF") >= 2
				})
			}
			time.Sleep(time.Second) // time for anything forwarded by mistake to arrive
			if err := sess.Bye(context.Background()); err != nil {
				t.Fatalf("BYE: %v", err)
			}
			waitFor(t, "the call to end", func() bool { return h.b.Calls() == 0 })
			starts, infos := agent.keys(), strings.Count(agent.out.String(), "received DTMF")
			if payment && (starts != 0 || infos != 0) {
				t.Errorf("baresip reported %d RFC 4733 keys and %d INFO keys during the payment, want none", starts, infos)
			}
			if !payment && (starts != 4 || infos != 2) {
				t.Errorf("baresip reported %d RFC 4733 keys and %d INFO keys, want 4 and 2", starts, infos)
			}
		})
	}
}

// sendEvents sends keys as RFC 4733 events on the caller's telephone-event payload type (96) to
// hushpay's caller-side media port, 100 ms per press and 100 ms apart, paced in real time, in one
// stream (SSRC) with G.711 silence in hushpay's codec before the first press and between and after
// the presses, as a phone sends them: a receiver's jitter buffer needs packets after the last
// press to release it.
func sendEvents(t *testing.T, conn net.PacketConn, sess *sipgo.DialogClientSession, keys string) {
	t.Helper()
	answer, err := sdp.Parse(sess.InviteResponse.Body())
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := answer.Connection(answer.Audio())
	to := &net.UDPAddr{IP: ip.AsSlice(), Port: answer.Audio().Port}
	codec, _ := answer.Audio().G711()
	const ssrc, firstSeq = 0x52, 1000
	lead := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: codec.PT, SSRC: ssrc}, Payload: make([]byte, 160)}
	seq, ts := uint16(firstSeq), uint32(0)
	silence := func(n int) {
		for range n {
			lead.SequenceNumber, lead.Timestamp = seq, ts
			buf, _ := lead.Marshal()
			if _, err := conn.WriteTo(buf, to); err != nil {
				t.Fatal(err)
			}
			seq, ts = seq+1, ts+160
			time.Sleep(20 * time.Millisecond)
		}
	}
	silence(10)
	for _, key := range []byte(keys) {
		sender := rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: 96, SSRC: ssrc}, seq)
		packets, err := sender.AppendPress(nil, key, ts, 800)
		if err != nil {
			t.Fatal(err)
		}
		for _, pkt := range packets {
			if _, err := conn.WriteTo(pkt, to); err != nil {
				t.Fatal(err)
			}
			seq++
			time.Sleep(20 * time.Millisecond)
		}
		ts += 800
		silence(5) // the gap between presses, and after the last (a jitter buffer releases it)
	}
}

// keys counts the RFC 4733 key presses baresip has logged.
func (a *baresipAgent) keys() int {
	return strings.Count(a.out.String(), "(end=0)")
}

// baresipCall is a call from the in-process caller to baresip as the agent's phone.
type baresipCall struct {
	h       *harness
	agent   *baresipAgent
	rtp     net.PacketConn // the caller's media socket
	sess    *sipgo.DialogClientSession
	pr      hushpay.Principal
	payment *hushpay.Payment // nil unless asked for
}

// callBaresipAgent places a call to baresip as the agent's phone, waits for it to be active and,
// when payment is set, starts a payment on it.
func callBaresipAgent(t *testing.T, payment bool) baresipCall {
	t.Helper()
	bc := baresipCall{h: newHarness(t), pr: hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}}
	bc.agent = startBaresipAgent(t, bc.h.agentPort)
	var err error
	if bc.rtp, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bc.rtp.Close() })
	if bc.sess, err = newCaller(t, bc.h).call(t, callerSDP(bc.rtp.LocalAddr().(*net.UDPAddr).Port)); err != nil {
		t.Fatalf("baresip did not answer: %v", err)
	}
	call := activeCall(t, bc.h)
	if payment {
		bc.payment = (&pcapCall{h: bc.h, call: call}).startPayment(t, bc.pr)
	}
	return bc
}
