package demo

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
)

// maskBursts returns n bursts of hushpay's mask tone, each 80 ms long and followed by 80 ms of
// silence.
func maskBursts(n int) []int16 {
	tone := dtmf.NewMaskTone()
	var audio []int16
	for range n {
		burst := make([]int16, 640)
		tone.Fill(burst)
		audio = append(append(audio, burst...), make([]int16, 640)...)
	}
	return audio
}

// speech returns seconds of the caller's stand-in voice.
func speech(seconds float64) []int16 {
	audio := make([]int16, int(seconds*dtmf.SampleRate))
	newVoice(440, 660).fill(audio)
	return audio
}

func keyTones(t *testing.T, digits string) []int16 {
	t.Helper()
	tones, err := dtmf.Generate(digits, dtmf.DefaultGenOptions())
	if err != nil {
		t.Fatal(err)
	}
	return tones
}

func TestListeningToTheAgentsAudio(t *testing.T) {
	tests := []struct {
		name                string
		audio               []int16
		wantMasked, wantKey int
	}{
		{"silence has neither", make([]int16, 8000), 0, 0},
		{"the caller's voice has neither", speech(2), 0, 0},
		{"each mask tone burst counts once", maskBursts(5), 5, 0},
		{"mask bursts between speech count", append(append(speech(0.5), maskBursts(3)...), speech(0.5)...), 3, 0},
		{"keypad tones are digits, not masked presses", keyTones(t, "4242"), 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := maskTonePresses(tt.audio); got != tt.wantMasked {
				t.Errorf("maskTonePresses = %d, want %d", got, tt.wantMasked)
			}
			if got := detectDigits(tt.audio); got != tt.wantKey {
				t.Errorf("detectDigits = %d, want %d", got, tt.wantKey)
			}
		})
	}
}

// TestMultimonHearsWhatTheDemoWouldFlag checks the independent decoder the demo runs on the
// agent's audio: it finds keypad tones (so "none" means something) and nothing in the voice.
func TestMultimonHearsWhatTheDemoWouldFlag(t *testing.T) {
	if _, err := exec.LookPath("multimon-ng"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("multimon-ng not installed (Debian package multimon-ng); CI must have it")
		}
		t.Skip("multimon-ng not installed (apt-get install -y multimon-ng)")
	}
	tests := []struct {
		name  string
		audio []int16
		want  int
	}{
		{"a keyed card number", append(keyTones(t, "4242424242424242"), make([]int16, 4000)...), 16},
		{"the caller's voice and mask tones", append(speech(1), maskBursts(4)...), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := multimonDigits(context.Background(), tt.audio)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("multimon-ng found %d presses, want %d", got, tt.want)
			}
		})
	}
}

func TestParseTransport(t *testing.T) {
	tests := []struct {
		in      string
		want    Transport
		wantErr bool
	}{
		{"inband", InBand, false}, {"rfc4733", RFC4733, false}, {"both", Both, false},
		{"sip-info", "", true}, {"", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTransport(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("ParseTransport(%q) = %q, %v", tt.in, got, err)
			}
		})
	}
}

// TestKeyEntriesTravelAsAsked checks which transport each field's keys take and that every key
// is one press of pressFrames frames plus as many of silence.
func TestKeyEntriesTravelAsAsked(t *testing.T) {
	card := testCard(testNow)
	tests := []struct {
		transport Transport
		inBand    map[int]bool // entry index → keyed in-band
	}{
		{InBand, map[int]bool{0: true, 1: true, 2: true}},
		{RFC4733, map[int]bool{}},
		{Both, map[int]bool{0: true}},
	}
	for _, tt := range tests {
		t.Run(string(tt.transport), func(t *testing.T) {
			for i, e := range card {
				steps := e.steps(tt.transport)
				if len(steps) != 2*pressFrames*len(e.keys) {
					t.Fatalf("%s: %d steps for %d keys", e.field, len(steps), len(e.keys))
				}
				downs := 0
				for _, s := range steps {
					if s.keyDown != 0 {
						downs++
					}
				}
				if gotInBand := downs == 0; gotInBand != tt.inBand[i] {
					t.Errorf("%s: in-band = %v, want %v", e.field, gotInBand, tt.inBand[i])
				}
			}
		})
	}
}

func TestTestCardExpiryIsInTheFuture(t *testing.T) {
	if got := testCard(testNow)[1].keys; got != "1227" {
		t.Errorf("expiry keyed on %s = %q, want December of next year", testNow.Format("2006-01-02"), got)
	}
}

// testNow is the day the card-keying tests pretend it is.
var testNow = time.Date(2026, time.November, 25, 12, 0, 0, 0, time.UTC)
