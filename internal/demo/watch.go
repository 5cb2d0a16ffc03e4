package demo

import (
	"context"
	"log/slog"
	"sync"
)

// secureWatch is a slog.Handler wrapped around hushpay's log that notices the B2BUA's "secure
// mode" line (on=true): the moment the relay masks the caller's keys. The B2BUA offers no other
// way to learn it, and the caller must not key before it (its digits would reach the agent).
// Records go on to the wrapped handler when it is enabled for them.
type secureWatch struct {
	next  slog.Handler
	state *watchState
}

type watchState struct {
	once sync.Once
	on   chan struct{}
}

func newSecureWatch(next slog.Handler) *secureWatch {
	return &secureWatch{next: next, state: &watchState{on: make(chan struct{})}}
}

// secured is closed when secure mode has been turned on.
func (w *secureWatch) secured() <-chan struct{} { return w.state.on }

func (w *secureWatch) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || w.next.Enabled(ctx, l)
}

func (w *secureWatch) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "secure mode" && secureOn(r) {
		w.state.once.Do(func() { close(w.state.on) })
	}
	if !w.next.Enabled(ctx, r.Level) {
		return nil
	}
	return w.next.Handle(ctx, r)
}

func secureOn(r slog.Record) bool {
	on := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "on" {
			on = a.Value.Kind() == slog.KindBool && a.Value.Bool()
			return false
		}
		return true
	})
	return on
}

func (w *secureWatch) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &secureWatch{next: w.next.WithAttrs(attrs), state: w.state}
}

func (w *secureWatch) WithGroup(name string) slog.Handler {
	return &secureWatch{next: w.next.WithGroup(name), state: w.state}
}
