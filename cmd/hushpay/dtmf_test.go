package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hushpay/hushpay/internal/wav"
)

// hushpay runs the command line in-process and returns its exit status, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs the command line and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("hushpay %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
	}
	return out
}

func TestDTMFGenerateThenDetect(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		digits string
		opts   []string
	}{
		{"a card number in PCM16", "4242424242424242", nil},
		{"every key in µ-law", "0123456789*#ABCD", []string{"--codec", "pcmu"}},
		{"an Amex in A-law", "378282246310005", []string{"--codec", "pcma"}},
		{"short quiet tones with twist and offset", "5555555555554444",
			[]string{"--on", "50ms", "--off", "50ms", "--level", "-30", "--twist", "4", "--offset", "1.2%"}},
		{"lower-case fourth-column keys", "abcd", []string{"--codec", "pcm16"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".wav")
			mustRun(t, append([]string{"dtmf", "generate", tt.digits, "-o", file}, tt.opts...)...)
			got := mustRun(t, "dtmf", "detect", file)
			if want := strings.ToUpper(tt.digits) + "\n"; got != want {
				t.Fatalf("detect printed %q, want %q", got, want)
			}
		})
	}
}

func TestDTMFDetectJSON(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys.wav")
	mustRun(t, "dtmf", "generate", "19#", "-o", file, "--on", "100ms", "--off", "100ms", "--level", "-15")
	// Flags may follow the file.
	out := mustRun(t, "dtmf", "detect", file, "--json")
	var doc detectJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if doc.Digits != "19#" || len(doc.Presses) != 3 || doc.SampleRate != 8000 || doc.Encoding != "pcm16" {
		t.Fatalf("document %+v", doc)
	}
	for i, p := range doc.Presses {
		wantStart := 0.2 * float64(i)
		if p.Key != string("19#"[i]) {
			t.Errorf("press %d: key %q", i, p.Key)
		}
		if math.Abs(p.Start-wantStart) > 0.005 || math.Abs(p.End-(wantStart+0.1)) > 0.005 {
			t.Errorf("press %d: %.4f-%.4f s, want %.3f-%.3f within 5 ms", i, p.Start, p.End, wantStart, wantStart+0.1)
		}
		if math.Abs(float64(p.StartSample)-p.Start*8000) > 1 {
			t.Errorf("press %d: start sample %d does not match %.4f s", i, p.StartSample, p.Start)
		}
		if math.Abs(p.Level+15) > 1 {
			t.Errorf("press %d: level %.1f dBm0, want about -15", i, p.Level)
		}
	}
}

func TestDTMFDetectNothing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "silence.wav")
	var buf bytes.Buffer
	if err := wav.Write(&buf, wav.PCMU, make([]int16, 8000)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, "dtmf", "detect", file); got != "\n" {
		t.Fatalf("detect printed %q for silence, want an empty line", got)
	}
	var doc detectJSON
	if err := json.Unmarshal([]byte(mustRun(t, "dtmf", "detect", "--json", file)), &doc); err != nil || doc.Presses == nil || len(doc.Presses) != 0 {
		t.Fatalf("JSON for silence: %+v, %v; want an empty presses list", doc, err)
	}
}

func TestDTMFDetectBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.wav")
	mustRun(t, "dtmf", "generate", "123", "-o", good)
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	stereo := append([]byte(nil), goodBytes...)
	binary.LittleEndian.PutUint16(stereo[22:24], 2)
	binary.LittleEndian.PutUint16(stereo[32:34], 4)
	tests := []struct {
		name    string
		content []byte
		wantErr string
	}{
		{"a text file", []byte("hello, world\n"), "not a valid WAV file"},
		{"an empty file", nil, "not a valid WAV file"},
		{"a truncated file", goodBytes[:len(goodBytes)/2], "truncated"},
		{"a stereo file", stereo, "mono"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, "bad.wav")
			if err := os.WriteFile(file, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "dtmf", "detect", file)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and an error about %q", code, out, errOut, tt.wantErr)
			}
		})
	}
	t.Run("a file that does not exist", func(t *testing.T) {
		code, _, errOut := runCLI(t, "dtmf", "detect", filepath.Join(dir, "missing.wav"))
		if code != 1 || !strings.Contains(errOut, "no such file") {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
	})
}

func TestDTMFUsageErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.wav")
	tests := []struct {
		name string
		args []string
	}{
		{"no subcommand", []string{"dtmf"}},
		{"an unknown subcommand", []string{"dtmf", "decode", "x.wav"}},
		{"detect without a file", []string{"dtmf", "detect"}},
		{"detect with two files", []string{"dtmf", "detect", "a.wav", "b.wav"}},
		{"detect with an unknown flag", []string{"dtmf", "detect", "--verbose", "a.wav"}},
		{"generate without -o", []string{"dtmf", "generate", "123"}},
		{"generate without digits", []string{"dtmf", "generate", "-o", out}},
		{"generate with a symbol that is not a key", []string{"dtmf", "generate", "4242x", "-o", out}},
		{"generate with an unknown codec", []string{"dtmf", "generate", "1", "-o", out, "--codec", "gsm"}},
		{"generate with a bad offset", []string{"dtmf", "generate", "1", "-o", out, "--offset", "abc"}},
		{"generate with a zero tone length", []string{"dtmf", "generate", "1", "-o", out, "--on", "0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, _ := runCLI(t, tt.args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want exit 2 and nothing on stdout", code, stdout)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("a failed generate left %s behind", out)
	}
}

func TestDTMFGenerateErrorDoesNotEchoDigits(t *testing.T) {
	_, _, errOut := runCLI(t, "dtmf", "generate", "42424242x4242424", "-o", filepath.Join(t.TempDir(), "x.wav"))
	if strings.Contains(errOut, "4242") {
		t.Fatalf("the error repeats the digits: %q", errOut)
	}
}

func TestParseOffset(t *testing.T) {
	for in, want := range map[string]float64{"0": 0, "0.015": 0.015, "1.5%": 0.015, "-3.5%": -0.035} {
		if got, err := parseOffset(in); err != nil || math.Abs(got-want) > 1e-12 {
			t.Errorf("parseOffset(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "60%", "0.5"} {
		if _, err := parseOffset(in); err == nil {
			t.Errorf("parseOffset(%q) accepted", in)
		}
	}
}

func TestDTMFDetectResampledFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "8k.wav")
	mustRun(t, "dtmf", "generate", "0800", "-o", src, "--on", "100ms", "--off", "100ms")
	a, err := readWAV(src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := wav.WriteData(&buf, wav.PCM16, 16000, wav.Encode(wav.PCM16, wav.Resample(a.Samples, 8000, 16000))); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "16k.wav")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var doc detectJSON
	if err := json.Unmarshal([]byte(mustRun(t, "dtmf", "detect", "--json", file)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Digits != "0800" || doc.SampleRate != 16000 {
		t.Fatalf("digits %q at %d Hz, want 0800 at 16000", doc.Digits, doc.SampleRate)
	}
	for i, p := range doc.Presses {
		if math.Abs(float64(p.StartSample)-p.Start*16000) > 2 || math.Abs(float64(p.EndSample)-p.End*16000) > 2 {
			t.Errorf("press %d: samples %d-%d do not match %.4f-%.4f s at 16 kHz", i, p.StartSample, p.EndSample, p.Start, p.End)
		}
	}
}
