package demo

import (
	"context"

	"github.com/hushpay/hushpay/internal/multimon"
)

// errNotInstalled says multimon-ng is not on PATH; the demo then says so and goes on.
var errNotInstalled = multimon.ErrNotInstalled

// multimonDigits decodes audio with multimon-ng, an independent DTMF decoder, and returns how
// many key presses it reported; errNotInstalled when it is not on PATH.
func multimonDigits(ctx context.Context, audio []int16) (int, error) {
	keys, err := multimon.Keys(ctx, audio)
	return len(keys), err
}
