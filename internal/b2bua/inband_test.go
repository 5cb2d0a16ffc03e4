package b2bua_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/b2bua/sdp"
	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/g711"
	"github.com/hushpay/hushpay/internal/multimon"
	"github.com/hushpay/hushpay/internal/payments"
)

// TestInBandCardIsCapturedAndMaskedAtTheAgent places a call through hushpay, starts a payment,
// and has the caller key a test card as in-band tones in its G.711 audio. The card lands in the
// payment, and multimon-ng, an independent DTMF decoder, finds no digit in the audio hushpay
// sent to the agent.
func TestInBandCardIsCapturedAndMaskedAtTheAgent(t *testing.T) {
	for _, name := range []string{"multimon-ng", "sox"} {
		if _, err := exec.LookPath(name); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI (Debian packages multimon-ng, sox)", name)
			}
			t.Skipf("%s not installed (apt-get install -y multimon-ng sox)", name)
		}
	}
	t.Run("each relay reading its own sockets", func(t *testing.T) { inBandCardIsMasked(t, newHarness(t)) })
	t.Run("relays on shared media loops", func(t *testing.T) { inBandCardIsMasked(t, newHarnessWithLoops(t, 2)) })
}

func inBandCardIsMasked(t *testing.T, h *harness) {
	agent := startAgentWithInfo(t, h)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	sess, err := newCaller(t, h).call(t, callerSDP(rtpConn.LocalAddr().(*net.UDPAddr).Port))
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	call := activeCall(t, h)
	pr := hushpay.Principal{Tenant: "default", Role: hushpay.RoleAgent, Actor: "test"}
	p, err := h.payments.Create(context.Background(), pr, payments.CreateRequest{CallID: call.ID, Amount: 2500,
		Currency: "USD", Reference: "in-band"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "hushpay to turn secure mode on", func() bool { return strings.Contains(h.logs.String(), "secure mode") })

	const card = "4242424242424242"
	tones, err := dtmf.Generate(card, dtmf.DefaultGenOptions())
	if err != nil {
		t.Fatal(err)
	}
	audio := append(append(make([]int16, 4000), tones...), make([]int16, 12000)...)
	sent := sendAudio(t, rtpConn, sess.InviteResponse.Body(), audio)
	waitFor(t, "the agent to receive the audio", func() bool { return len(agent.audio.all()) >= sent })

	heard := agentAudio(t, agent.audio.all())
	if got := multimonDigits(t, heard); got != "" {
		t.Errorf("multimon-ng decoded %d digits from the agent's audio, want none", len(got))
	}
	waitFor(t, "the card number in the payment", func() bool {
		got, err := h.payments.Get(context.Background(), pr, p.ID)
		return err == nil && got.Fields[hushpay.FieldCardNumber].Length == len(card)
	})
	if err := sess.Bye(context.Background()); err != nil {
		t.Fatalf("BYE: %v", err)
	}
}

// sendAudio sends samples as 20 ms RTP packets, paced in real time, in the G.711 codec of
// hushpay's answer, to hushpay's caller-side media port; it returns how many it sent.
func sendAudio(t *testing.T, conn net.PacketConn, answerBody []byte, samples []int16) int {
	t.Helper()
	answer, err := sdp.Parse(answerBody)
	if err != nil {
		t.Fatal(err)
	}
	ip, _ := answer.Connection(answer.Audio())
	to := &net.UDPAddr{IP: ip.AsSlice(), Port: answer.Audio().Port}
	codec, _ := answer.Audio().G711()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: codec.PT, SSRC: 0xCA11}, Payload: make([]byte, 160)}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for off := 0; off+160 <= len(samples); off += 160 {
		frame := samples[off : off+160]
		if codec.Name == "PCMA" {
			g711.EncodeALawTo(pkt.Payload, frame)
		} else {
			g711.EncodeULawTo(pkt.Payload, frame)
		}
		pkt.SequenceNumber++
		pkt.Timestamp += 160
		buf, _ := pkt.Marshal()
		if _, err := conn.WriteTo(buf, to); err != nil {
			t.Fatal(err)
		}
		n++
		<-tick.C
	}
	return n
}

// agentAudio decodes the agent's RTP packets (PCMA, as the in-process agent answers), in
// sequence order as they arrived on loopback.
func agentAudio(t *testing.T, packets [][]byte) []int16 {
	t.Helper()
	var out []int16
	var p rtp.Packet
	for _, b := range packets {
		if err := p.Unmarshal(b); err != nil || p.PayloadType != 8 {
			continue
		}
		pcm := make([]int16, len(p.Payload))
		g711.DecodeALawTo(pcm, p.Payload)
		out = append(out, pcm...)
	}
	return out
}

// multimonDigits decodes samples with multimon-ng, an independent DTMF decoder.
func multimonDigits(t *testing.T, samples []int16) string {
	t.Helper()
	keys, err := multimon.Keys(context.Background(), samples)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
