package dtmf

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
)

// TestCompareWithMultimon prints the accuracy table of this detector and of multimon-ng on the
// same corpus, through each codec, and their whole-file speed on the same long speech recording.
// It is slow and only informative (it asserts nothing about multimon-ng), so it runs only with
// HUSHPAY_DTMF_COMPARE=1:
//
//	HUSHPAY_DTMF_COMPARE=1 go test -run CompareWithMultimon -v ./internal/dtmf/
func TestCompareWithMultimon(t *testing.T) {
	if os.Getenv("HUSHPAY_DTMF_COMPARE") != "1" {
		t.Skip("set HUSHPAY_DTMF_COMPARE=1 to compare with multimon-ng")
	}
	requirePeer(t, "multimon-ng", "sox", "espeak-ng", "flite", "text2wave")
	cats := append(syntheticCategories(), speechCategory(t), moreSpeechCategory(t), thirdSpeechCategory(t), fourthSpeechCategory(t),
		fifthSpeechCategory(t), fliteSpeechCategory(t), festivalSpeechCategory(t), musicCategory(t),
		instrumentChordsCategory(t, "music, real instruments, first set", 1, 40, 2, 3),
		instrumentChordsCategory(t, "music, real instruments, second set", 2, 40, 2, 4),
		talkDownCategory(t), talkDownAllKeysCategory(t), fliteTalkDownCategory(t), festivalTalkDownCategory(t))
	var table strings.Builder
	table.WriteString("| category | hushpay PCM | hushpay PCMU | hushpay PCMA | multimon-ng PCM | multimon-ng PCMU | multimon-ng PCMA |\n")
	table.WriteString("|---|---|---|---|---|---|---|\n")
	for _, c := range cats {
		row := fmt.Sprintf("| %s |", c.name)
		for _, tl := range judge(c, hushpayKeys) {
			row += fmt.Sprintf(" %s |", tl)
		}
		for _, tl := range judge(c, func(s []int16) string { return multimonKeys(t, s) }) {
			row += fmt.Sprintf(" %s |", tl)
		}
		table.WriteString(row + "\n")
	}
	t.Logf("accuracy (found/wanted keys, false keys):\n%s", table.String())
	compareSpeed(t)
}

// multimonKeys runs multimon-ng's DTMF decoder on 8 kHz samples, resampled by sox to the
// 22050 Hz multimon-ng reads, and returns the keys it printed.
func multimonKeys(t testing.TB, samples []int16) string {
	t.Helper()
	raw := pcmBytes(samples)
	resampled, err := runWithInput(raw, "sox", "-V1", "-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1", "-L", "-",
		"-t", "raw", "-r", "22050", "-e", "signed-integer", "-b", "16", "-c", "1", "-L", "-")
	if err != nil {
		t.Fatal(err)
	}
	out, err := runWithInput(resampled, "multimon-ng", "-q", "-c", "-a", "DTMF", "-t", "raw", "-")
	if err != nil {
		t.Fatal(err)
	}
	var keys strings.Builder
	for _, line := range strings.Split(string(out), "\n") {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "DTMF: "); ok && len(k) == 1 {
			keys.WriteString(k)
		}
	}
	return keys.String()
}

func pcmBytes(samples []int16) []byte {
	b := make([]byte, 0, 2*len(samples))
	for _, v := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func runWithInput(in []byte, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", name, err, stderr.String())
	}
	return out, nil
}

// compareSpeed times both detectors over the same minute of speech: this detector in process on
// the 8 kHz samples, multimon-ng on the same audio already resampled to 22050 Hz (the resampling
// is not counted against it).
func compareSpeed(t *testing.T) {
	speech := longSpeech(t, 60*SampleRate)
	dir := t.TempDir()
	resampled, err := runWithInput(pcmBytes(speech), "sox", "-V1", "-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1", "-L", "-",
		"-t", "raw", "-r", "22050", "-e", "signed-integer", "-b", "16", "-c", "1", "-L", "-")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "speech-22050.raw")
	if err := os.WriteFile(path, resampled, 0o600); err != nil {
		t.Fatal(err)
	}
	best := func(run func()) time.Duration {
		var b time.Duration
		for i := range 5 {
			start := time.Now()
			run()
			if d := time.Since(start); i == 0 || d < b {
				b = d
			}
		}
		return b
	}
	ours := best(func() { detectAll(speech) })
	theirs := best(func() {
		if _, err := runTool("multimon-ng", "-q", "-c", "-a", "DTMF", "-t", "raw", path); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("60 s of speech, best of 5: hushpay %v, multimon-ng %v (%.0fx faster)", ours, theirs, float64(theirs)/float64(ours))
}

// longSpeech returns at least n samples of espeak-ng speech, the corpus's voices one after another.
func longSpeech(t testing.TB, n int) []int16 {
	t.Helper()
	var out []int16
	for len(out) < n {
		for lang, text := range sortedMap(speechTexts) {
			for _, v := range speechVoices {
				out = append(out, scaleTo(speak(t, lang+v.variant, v.pitch, v.speed, text), -15)...)
			}
		}
	}
	return out[:n]
}
