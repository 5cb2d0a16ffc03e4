package b2bua

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/emiago/sipgo/sip"
)

// UseLibraryLogger sends sipgo's own log lines, through LibraryLogger, to l. sipgo keeps one
// logger for the whole process, read by its transports' goroutines at any time, so this package
// sets it once, before any of them runs (init), to a logger that forwards to the l of the latest
// call; setting it each time hushpay started (a test starts several servers in one process) raced
// with an earlier server's goroutines. Until the first call, the lines go to slog's default logger
// through LibraryLogger.
func UseLibraryLogger(l *slog.Logger) {
	h := LibraryLogger(l).Handler()
	libraryHandler.Store(&h)
}

// libraryHandler is where sipgo's lines go now.
var libraryHandler atomic.Pointer[slog.Handler]

func init() {
	h := LibraryLogger(slog.Default()).Handler()
	libraryHandler.Store(&h)
	sip.SetDefaultLogger(slog.New(forwarding{}))
}

// forwarding is the handler of the logger sipgo holds: it passes each line to libraryHandler.
type forwarding struct{}

// Enabled asks the current handler.
func (forwarding) Enabled(ctx context.Context, level slog.Level) bool {
	return (*libraryHandler.Load()).Enabled(ctx, level)
}

// Handle passes the record to the current handler.
func (forwarding) Handle(ctx context.Context, r slog.Record) error {
	return (*libraryHandler.Load()).Handle(ctx, r)
}

// WithAttrs drops the library's attributes, as messageOnly does.
func (f forwarding) WithAttrs([]slog.Attr) slog.Handler { return f }

// WithGroup ignores groups: no library attribute is kept to group.
func (f forwarding) WithGroup(string) slog.Handler { return f }

// LibraryLogger returns the logger to hand to sipgo: it passes only warnings and errors, and
// only their message. sipgo logs whole SIP messages (a malformed one at error level, every one
// at debug level), and a message can carry what a caller keyed (an INFO body), so none of the
// library's attributes reach hushpay's log.
func LibraryLogger(l *slog.Logger) *slog.Logger {
	return slog.New(messageOnly{inner: l.Handler()}).With("component", "sipgo")
}

// messageOnly is a slog.Handler that forwards warnings and errors without their attributes.
type messageOnly struct {
	inner slog.Handler
	attrs []slog.Attr // attributes added by With, which hushpay controls
}

// Enabled passes warnings and errors that the inner handler takes.
func (h messageOnly) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn && h.inner.Enabled(ctx, level)
}

// Handle forwards the record's time, level and message, with hushpay's own attributes only.
func (h messageOnly) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(h.attrs...)
	return h.inner.Handle(ctx, out)
}

// WithAttrs keeps only the first attributes set (hushpay's own "component"); the library's
// later ones ("caller" and the like) are dropped with the rest.
func (h messageOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(h.attrs) > 0 {
		return h
	}
	return messageOnly{inner: h.inner, attrs: append([]slog.Attr(nil), attrs...)}
}

// WithGroup ignores groups: no library attribute is kept to group.
func (h messageOnly) WithGroup(string) slog.Handler { return h }
