package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/hushpay/hushpay/internal/dtmf"
)

// heard is the analysis of the agent phone's recording of the whole call.
type heard struct {
	seconds  float64
	masked   int   // bursts of the 500 Hz mask tone
	events   int   // RFC 4733 packets that reached the agent
	decoded  int   // presses hushpay's detector finds
	multimon int   // presses multimon-ng finds
	mmErr    error // errNotInstalled, or why multimon-ng failed
}

// listen decodes what the agent phone received and prints what the agent heard.
func (d *demo) listen(ctx context.Context) heard {
	audio, _, events := d.agent.heard.snapshot()
	h := heard{seconds: float64(len(audio)) / dtmf.SampleRate, masked: maskTonePresses(audio), events: events,
		decoded: detectDigits(audio)}
	h.multimon, h.mmErr = multimonDigits(ctx, audio)

	d.out.step("what the agent heard (the agent phone's recording of the call: %.1f s of audio)", h.seconds)
	d.out.line("key presses heard: %d, each as hushpay's neutral 500 Hz tone, the same for every key", h.masked)
	d.out.line("RFC 4733 events that reached the agent phone: %s", countOrNone(h.events))
	d.out.line("digits decoded from the agent's audio: %s (hushpay's DTMF detector)", countOrNone(h.decoded))
	switch {
	case errors.Is(h.mmErr, errNotInstalled):
		d.out.line("multimon-ng (an independent decoder): not installed, skipped")
	case h.mmErr != nil:
		d.out.line("multimon-ng (an independent decoder): failed: %v", h.mmErr)
	default:
		d.out.line("digits decoded from the agent's audio: %s (multimon-ng)", countOrNone(h.multimon))
	}
	return h
}

func countOrNone(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprint(n)
}
