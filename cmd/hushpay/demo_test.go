package main

import (
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/redact"
)

// TestDemo runs `hushpay demo` in-process: a real SIP/RTP call through hushpay on loopback in
// which the caller keys the public test card. The demo checks itself (approved, every key
// captured, no digit decoded from the agent's audio, the call ended), so exit 0 is the main
// assertion; the output must also say so, and must hold no card number, grouped or not.
func TestDemo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"keys in-band and as RFC 4733 events by default", []string{"demo"},
			[]string{"--dtmf both", "card number as in-band DTMF tones"}},
		{"keys as RFC 4733 events only", []string{"demo", "--dtmf", "rfc4733"},
			[]string{"--dtmf rfc4733", "every key as RFC 4733 telephone-events"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			want := append([]string{
				"X-Hushpay-Call-Id: call_",
				"agent's screen │ card number: visa, 8 of 16 digits",
				"agent's screen │ card number: complete visa ••••4242",
				"authorization result: approved",
				"key presses heard: 24,",
				"digits decoded from the agent's audio: none (hushpay's DTMF detector)",
				"hushpay ended the call",
				"result: OK",
			}, tt.want...)
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for stream, text := range map[string]string{"stdout": out, "stderr": errOut} {
				stats, err := redact.Text{}.Copy(new(strings.Builder), strings.NewReader(text))
				if err != nil {
					t.Fatal(err)
				}
				if stats.Cards != 0 || strings.Contains(text, "4242424242424242") {
					t.Errorf("%s holds %d card numbers", stream, stats.Cards)
				}
			}
		})
	}
}

// TestDemoRefusesAnUnknownTransport checks the usage error for a --dtmf it does not know.
func TestDemoRefusesAnUnknownTransport(t *testing.T) {
	code, _, errOut := runCLI(t, "demo", "--dtmf", "sip-info")
	if code != 2 || !strings.Contains(errOut, "--dtmf") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming --dtmf", code, errOut)
	}
}
