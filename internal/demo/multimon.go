package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/hushpay/hushpay/internal/dtmf"
)

// multimonRate is the sample rate multimon-ng reads raw audio at.
const multimonRate = 22050

// errNotInstalled says an optional tool is not on PATH.
var errNotInstalled = errors.New("not installed")

// multimonDigits decodes audio with multimon-ng, an independent DTMF decoder, and returns how
// many key presses it reported; errNotInstalled when it is not on PATH.
func multimonDigits(ctx context.Context, audio []int16) (int, error) {
	bin, err := exec.LookPath("multimon-ng")
	if err != nil {
		return 0, errNotInstalled
	}
	cmd := exec.CommandContext(ctx, bin, "-q", "-c", "-a", "DTMF", "-t", "raw", "-")
	cmd.Stdin = bytes.NewReader(rawLE(resample(audio, dtmf.SampleRate, multimonRate)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("multimon-ng: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(strings.TrimSpace(line), "DTMF: ") {
			n++
		}
	}
	return n, nil
}

// resample converts audio from one sample rate to another by linear interpolation: enough for a
// tone decoder, which looks at frequencies far below either Nyquist limit.
func resample(in []int16, from, to int) []int16 {
	if len(in) == 0 {
		return nil
	}
	out := make([]int16, int(int64(len(in))*int64(to)/int64(from)))
	for i := range out {
		pos := float64(i) * float64(from) / float64(to)
		j := int(pos)
		if j+1 >= len(in) {
			out[i] = in[len(in)-1]
			continue
		}
		frac := pos - float64(j)
		out[i] = int16(float64(in[j])*(1-frac) + float64(in[j+1])*frac)
	}
	return out
}

// rawLE returns samples as signed 16-bit little-endian bytes.
func rawLE(samples []int16) []byte {
	raw := make([]byte, 2*len(samples))
	for i, s := range samples {
		raw[2*i], raw[2*i+1] = byte(s), byte(uint16(s)>>8)
	}
	return raw
}
