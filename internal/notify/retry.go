package notify

import (
	"context"
	"errors"
	"time"
)

// Retry is how often and how patiently a sender retries a temporary failure.
type Retry struct {
	Attempts int           // total attempts (default 3)
	Wait     time.Duration // before the second attempt, doubling after (default 1 s)
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 3
	}
	if r.Wait <= 0 {
		r.Wait = time.Second
	}
	return r
}

// temporary marks an error worth retrying (a 4xx SMTP reply, an HTTP 429 or 5xx, a network error).
type temporary struct{ err error }

func (t temporary) Error() string { return t.err.Error() }
func (t temporary) Unwrap() error { return t.err }

// IsTemporary reports whether err is a temporary delivery failure.
func IsTemporary(err error) bool {
	var t temporary
	return errors.As(err, &t)
}

// do runs send until it succeeds, fails permanently, runs out of attempts or ctx ends.
func (r Retry) do(ctx context.Context, send func(context.Context) error) error {
	r = r.withDefaults()
	wait := r.Wait
	var err error
	for attempt := 1; ; attempt++ {
		if err = send(ctx); err == nil || !IsTemporary(err) || attempt == r.Attempts {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}
