package multimon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/hushpay/hushpay/internal/wav"
)

// ErrNotInstalled says multimon-ng is not on PATH (Debian package multimon-ng).
var ErrNotInstalled = errors.New("multimon-ng not installed")

// inputRate is the sample rate multimon-ng reads raw audio at.
const inputRate = 22050

// Keys decodes 8 kHz linear PCM with multimon-ng and returns the keys it reported, in order.
func Keys(ctx context.Context, samples []int16) (string, error) {
	bin, err := exec.LookPath("multimon-ng")
	if err != nil {
		return "", ErrNotInstalled
	}
	resampled := wav.Resample(samples, 8000, inputRate)
	raw := make([]byte, 2*len(resampled))
	for i, s := range resampled {
		raw[2*i], raw[2*i+1] = byte(s), byte(uint16(s)>>8)
	}
	cmd := exec.CommandContext(ctx, bin, "-q", "-c", "-a", "DTMF", "-t", "raw", "-")
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("multimon-ng: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var keys strings.Builder
	for line := range strings.Lines(string(out)) {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "DTMF: "); ok && len(k) == 1 {
			keys.WriteString(k)
		}
	}
	return keys.String(), nil
}
