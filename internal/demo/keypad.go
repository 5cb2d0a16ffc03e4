package demo

import (
	"context"
	"fmt"
	"sync"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/dtmf/rfc4733"
)

// Key press timing: each key is held for pressFrames 20 ms frames and followed by as many frames
// of silence, the 80 ms on / 80 ms off of a brisk typist (and of dtmf.DefaultGenOptions).
const pressFrames = 4

// step is what the caller's phone sends in one 20 ms frame while it keys: an audio frame (nil
// for none, as phones that send RFC 4733 events pause their audio) and the edges of an RFC 4733
// press at the frame's timestamp.
type step struct {
	audio   []int16
	keyDown byte // a key whose RFC 4733 press starts now
	keyUp   bool // the RFC 4733 press ends now
}

// inBandPress returns the steps of one key sent as its tone pair in the audio.
func inBandPress(key byte) []step {
	tone := dtmf.AppendKey(nil, key, pressFrames*frameSamples, dtmf.DefaultGenOptions())
	steps := make([]step, 0, 2*pressFrames)
	for f := range pressFrames {
		steps = append(steps, step{audio: tone[f*frameSamples : (f+1)*frameSamples]})
	}
	return append(steps, silence(pressFrames)...)
}

// eventPress returns the steps of one key sent as RFC 4733 telephone-events: the audio pauses
// while the key is held and resumes (silent) when it is let go.
func eventPress(key byte) []step {
	steps := make([]step, pressFrames, 2*pressFrames)
	steps[0].keyDown = key
	rest := silence(pressFrames)
	rest[0].keyUp = true
	return append(steps, rest...)
}

func silence(frames int) []step {
	steps := make([]step, frames)
	for i := range steps {
		steps[i].audio = make([]int16, frameSamples)
	}
	return steps
}

// keypad queues key presses into the caller's RTP stream. Keys submitted with press are sent
// in the next frames of the stream, in place of the caller's voice; the sequence numbers of
// events and audio run on together.
type keypad struct {
	events *rfc4733.Sender
	jobs   chan keyJob
	cur    keyJob
	packet []byte
	mu     sync.Mutex
	err    error // the first send error
}

type keyJob struct {
	steps []step
	done  chan struct{}
}

func newKeypad(eventPT uint8, ssrc uint32) *keypad {
	return &keypad{
		events: rfc4733.NewSender(rfc4733.SenderConfig{PayloadType: eventPT, SSRC: ssrc, Interval: frameSamples}, 0),
		jobs:   make(chan keyJob, 1),
		packet: make([]byte, 64),
	}
}

// press sends steps and returns once the last of them has been sent.
func (k *keypad) press(ctx context.Context, steps []step) error {
	job := keyJob{steps: steps, done: make(chan struct{})}
	select {
	case k.jobs <- job:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-job.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// next sends the frame due at ts, if keys are being sent, and reports whether it did; the
// stream's owner sends its voice otherwise.
func (k *keypad) next(out *rtpOut, ts uint32) bool {
	if len(k.cur.steps) == 0 {
		select {
		case k.cur = <-k.jobs:
		default:
		}
	}
	busy := k.events.Busy()
	if len(k.cur.steps) == 0 {
		if busy {
			k.sendEvent(out, ts)
		}
		return busy
	}
	s := k.cur.steps[0]
	k.cur.steps = k.cur.steps[1:]
	if s.keyDown != 0 {
		k.fail(k.events.KeyDown(s.keyDown, ts))
	}
	if s.keyUp {
		k.fail(k.events.KeyUp(ts))
	}
	k.sendEvent(out, ts)
	if s.audio != nil {
		k.fail(out.sendAudio(s.audio, ts))
	}
	if len(k.cur.steps) == 0 {
		close(k.cur.done)
	}
	return true
}

// sendEvent sends the telephone-event packet due at ts, if any, in the stream's sequence.
func (k *keypad) sendEvent(out *rtpOut, ts uint32) {
	k.events.SetSequence(out.pkt.SequenceNumber)
	n, err := k.events.Next(ts, k.packet)
	if err != nil || n == 0 {
		k.fail(err)
		return
	}
	out.pkt.SequenceNumber = k.events.Sequence()
	k.fail(out.sendRaw(k.packet[:n]))
}

func (k *keypad) fail(err error) {
	if err == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err == nil {
		k.err = fmt.Errorf("caller's keypad: %w", err)
	}
}
