package payments

import (
	"context"
	"sync"
)

// callWatchers tells in-process listeners (the voice path) that a call's record changed its
// secure flag or payment, so a relay on this node follows a payment at once instead of at its
// next poll of the record. Listeners get only the call's tenant and ID, never payment data, and
// read the record themselves: the record stays the one source of truth, which also serves calls
// whose payment was started through another node's API (those are found by the poll).
type callWatchers struct {
	mu   sync.Mutex
	subs []callWatcher
}

type callWatcher struct {
	ctx context.Context
	fn  func(tenant, callID string)
}

// WatchCalls calls fn after a payment on this node has marked a call secure (payment started on
// the call) or released it (payment final), until ctx ends. fn runs on the goroutine that changed
// the call, after the record is written; it must not block.
func (s *Service) WatchCalls(ctx context.Context, fn func(tenant, callID string)) {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	s.calls.subs = append(s.calls.subs, callWatcher{ctx: ctx, fn: fn})
}

// notify runs every live watcher and forgets those whose context has ended.
func (w *callWatchers) notify(tenant, callID string) {
	w.mu.Lock()
	live := w.subs[:0]
	var run []func(tenant, callID string)
	for _, s := range w.subs {
		if s.ctx.Err() == nil {
			live = append(live, s)
			run = append(run, s.fn)
		}
	}
	clear(w.subs[len(live):])
	w.subs = live
	w.mu.Unlock()
	for _, fn := range run {
		fn(tenant, callID)
	}
}
