package multimon

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/hushpay/hushpay/internal/dtmf"
)

func TestKeysFindsKeyedDigitsAndNothingInSilence(t *testing.T) {
	tones, err := dtmf.Generate("4242*#09", dtmf.DefaultGenOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Keys(context.Background(), append(tones, make([]int16, 4000)...))
	if errors.Is(err, ErrNotInstalled) {
		if os.Getenv("CI") == "true" {
			t.Fatal("multimon-ng is required under CI (Debian package multimon-ng)")
		}
		t.Skip("multimon-ng not installed: apt-get install -y multimon-ng")
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != "4242*#09" {
		t.Errorf("keyed tones: multimon-ng reported %q", got)
	}
	if got, err := Keys(context.Background(), make([]int16, 16000)); err != nil || got != "" {
		t.Errorf("silence: %q, %v", got, err)
	}
}
