package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/wav"
)

func TestRedactRecording(t *testing.T) {
	dir := t.TempDir()
	for _, codec := range []string{"pcm16", "pcmu", "pcma"} {
		for _, mask := range []string{"tone", "silence"} {
			t.Run(codec+" with "+mask, func(t *testing.T) {
				in := filepath.Join(dir, codec+"-"+mask+"-in.wav")
				out := filepath.Join(dir, codec+"-"+mask+"-out.wav")
				mustRun(t, "dtmf", "generate", "4242424242424242", "-o", in, "--codec", codec)
				if got := mustRun(t, "dtmf", "detect", in); got != "4242424242424242\n" {
					t.Fatalf("the input holds %q (the test would prove nothing)", got)
				}
				got := mustRun(t, "redact", "recording", in, "-o", out, "--mask", mask)
				if got != "removed 16 key presses\n" {
					t.Fatalf("redact printed %q", got)
				}
				if left := mustRun(t, "dtmf", "detect", out); left != "\n" {
					t.Fatalf("the output still holds %q", left)
				}
				a, err := readWAV(out)
				if err != nil {
					t.Fatal(err)
				}
				if a.Encoding.String() != codec {
					t.Fatalf("output encoding %s, want %s", a.Encoding, codec)
				}
			})
		}
	}
}

func TestRedactRecordingInPlace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "call.wav")
	mustRun(t, "dtmf", "generate", "1234", "-o", file, "--codec", "pcmu")
	if got := mustRun(t, "redact", "recording", file, "-o", file); got != "removed 4 key presses\n" {
		t.Fatalf("redact printed %q", got)
	}
	if left := mustRun(t, "dtmf", "detect", file); left != "\n" {
		t.Fatalf("the file still holds %q", left)
	}
}

func TestRedactRecordingErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.wav")
	mustRun(t, "dtmf", "generate", "1", "-o", good)
	bad := filepath.Join(dir, "bad.wav")
	if err := os.WriteFile(bad, []byte("RIFF\x00\x00\x00\x00WAVEfmt "), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.wav")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"a malformed input", []string{"redact", "recording", bad, "-o", out}, 1},
		{"a missing input", []string{"redact", "recording", filepath.Join(dir, "none.wav"), "-o", out}, 1},
		{"no output", []string{"redact", "recording", good}, 2},
		{"an unknown mask", []string{"redact", "recording", good, "-o", out, "--mask", "beep"}, 2},
		{"a negative guard", []string{"redact", "recording", good, "-o", out, "--guard", "-1ms"}, 2},
		{"no subcommand", []string{"redact"}, 2},
		{"an unknown subcommand", []string{"redact", "video"}, 2},
		{"text with a file argument", []string{"redact", "text", "in.txt"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, _ := runCLI(t, tt.args...)
			if code != tt.code || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want exit %d and nothing on stdout", code, stdout, tt.code)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed redaction wrote its output file")
	}
}

func TestRedactText(t *testing.T) {
	in := "card 4242 4242 4242 4242 exp 12/34\nrouting 110000000 account 000123456789\n"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"card numbers only", nil, "card **** **** **** 4242 exp 12/34\nrouting 110000000 account 000123456789\n"},
		{"with --all", []string{"--all"}, "card **** **** **** 4242 exp 12/34\nrouting *****0000 account ********6789\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := redactText(tt.args, strings.NewReader(in), &out, &errOut); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Fatalf("got %q, want %q", out.String(), tt.want)
			}
		})
	}
	t.Run("through the command line with standard input", func(t *testing.T) {
		f, err := os.CreateTemp(t.TempDir(), "in")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString("pay with 5555555555554444 please\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
		saved := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = saved; f.Close() }()
		if got := mustRun(t, "redact", "text"); got != "pay with ************4444 please\n" {
			t.Fatalf("got %q", got)
		}
	})
}

// requirePeers skips the test when a peer program is missing, and fails it under CI=true.
func requirePeers(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI=true (Debian package %s)", n, n)
			}
			t.Skipf("%s not installed (Debian package %s); skipping the independent decoder check", n, n)
		}
	}
}

// speech synthesizes text with espeak-ng in voice and returns it as 8 kHz samples, resampled by
// sox so that hushpay's own resampler is not part of the check.
func speech(t *testing.T, dir, voice, text string) []int16 {
	t.Helper()
	src := filepath.Join(dir, "espeak.wav")
	raw := filepath.Join(dir, "speech.raw")
	if out, err := exec.Command("espeak-ng", "-v", voice, "-s", "150", "-w", src, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v\n%s", err, out)
	}
	if out, err := exec.Command("sox", src, "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", raw).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return s
}

// multimonDigits decodes a WAV file with multimon-ng (fed 22050 Hz raw PCM by sox) and returns
// the digits it reports.
func multimonDigits(t *testing.T, file string) string {
	t.Helper()
	sox := exec.Command("sox", file, "-t", "raw", "-r", "22050", "-e", "signed", "-b", "16", "-c", "1", "-")
	mm := exec.Command("multimon-ng", "-q", "-t", "raw", "-a", "DTMF", "-")
	pipe, err := sox.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	mm.Stdin = pipe
	var out bytes.Buffer
	mm.Stdout = &out
	if err := mm.Start(); err != nil {
		t.Fatal(err)
	}
	if err := sox.Run(); err != nil {
		t.Fatalf("sox: %v", err)
	}
	if err := mm.Wait(); err != nil {
		t.Fatalf("multimon-ng: %v", err)
	}
	var digits strings.Builder
	for _, line := range strings.Split(out.String(), "\n") {
		if d, ok := strings.CutPrefix(line, "DTMF: "); ok {
			digits.WriteString(strings.TrimSpace(d))
		}
	}
	return digits.String()
}

// span is a stretch of 8 kHz samples [start, end).
type span struct{ start, end int }

// TestRedactedRecordingPassesMultimon builds calls that mix speech in several voices (including
// spoken card numbers) with keyed card numbers, in PCM16, PCMU and PCMA, redacts them with the
// command, and checks with an independent decoder, multimon-ng, that the input holds the keyed
// digits and the output none, and that every speech sample is bit-identical.
func TestRedactedRecordingPassesMultimon(t *testing.T) {
	requirePeers(t, "multimon-ng", "sox", "espeak-ng")
	dir := t.TempDir()
	lines := []struct{ voice, text string }{
		{"en-us", "Thank you for calling. I can take that payment now. Please key in your card number, then press the pound key."},
		{"en-gb", "My card number is four two four two, four two four two, four two four two, four two four two."},
		{"fr-fr", "Mon numéro de carte est cinq cinq cinq cinq, cinq cinq cinq cinq, quatre quatre quatre quatre."},
		{"de", "Die Kartennummer lautet drei sieben acht zwei, acht zwei zwei vier, sechs drei eins null null null fünf."},
		{"en-us", "And the expiry is twelve thirty four, security code one two three. Thanks, that went through."},
	}
	keyed := []string{"4242424242424242#", "5555555555554444#", "378282246310005#", "1234#"}
	o := dtmf.DefaultGenOptions()
	o.On, o.Off, o.Level = 70*time.Millisecond, 60*time.Millisecond, -8
	var call []int16
	var speechSpans []span
	for i, l := range lines {
		s := speech(t, dir, l.voice, l.text)
		speechSpans = append(speechSpans, span{len(call), len(call) + len(s)})
		call = append(call, s...)
		if i < len(keyed) {
			tones, err := dtmf.Generate(keyed[i], o)
			if err != nil {
				t.Fatal(err)
			}
			call = append(call, make([]int16, 2400)...) // a 0.3 s pause before keying
			call = append(call, tones...)
			call = append(call, make([]int16, 2400)...)
		}
	}
	want := strings.Join(keyed, "")
	for _, codec := range []wav.Encoding{wav.PCM16, wav.PCMU, wav.PCMA} {
		t.Run(codec.String(), func(t *testing.T) {
			in := filepath.Join(dir, codec.String()+"-in.wav")
			out := filepath.Join(dir, codec.String()+"-out.wav")
			var buf bytes.Buffer
			if err := wav.Write(&buf, codec, call); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := multimonDigits(t, in); !strings.Contains(got, want) {
				t.Fatalf("multimon-ng finds %d digits in the input, not the %d keyed ones in order (the check would prove nothing)", len(got), len(want))
			}
			report := mustRun(t, "redact", "recording", in, "-o", out)
			if report != fmt.Sprintf("removed %d key presses\n", len(want)) {
				t.Errorf("redact printed %q, want %d presses", report, len(want))
			}
			if got := multimonDigits(t, out); got != "" {
				t.Fatalf("multimon-ng still finds %d digits in the redacted recording", len(got))
			}
			checkSpeechUntouched(t, in, out, speechSpans, codec.BytesPerSample())
		})
	}
}

// checkSpeechUntouched compares the two files byte for byte: the header and every speech sample
// must be identical.
func checkSpeechUntouched(t *testing.T, in, out string, spans []span, bps int) {
	t.Helper()
	a, err := readWAV(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := readWAV(out)
	if err != nil {
		t.Fatal(err)
	}
	inBytes, _ := os.ReadFile(in)
	outBytes, _ := os.ReadFile(out)
	header := len(inBytes) - len(a.Data)
	if len(inBytes) != len(outBytes) || !bytes.Equal(inBytes[:header], outBytes[:header]) {
		t.Fatal("the redacted file's header or length differs from the input's")
	}
	for _, s := range spans {
		if !bytes.Equal(a.Data[s.start*bps:s.end*bps], b.Data[s.start*bps:s.end*bps]) {
			t.Fatalf("speech samples %d-%d changed", s.start, s.end)
		}
	}
}
