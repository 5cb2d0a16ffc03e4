package payments

import (
	"context"
	"sync"
	"testing"
)

// TestWatchCallsSeesSecureOnAndOff checks that a watcher hears of a call when its payment starts
// (the record says secure) and when the payment ends (the record says not secure), that the
// record is already written when it hears, and that a watcher whose context ended hears nothing.
func TestWatchCallsSeesSecureOnAndOff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.call(t, "acme")

	type seen struct {
		tenant, call string
		secure       bool
	}
	var mu sync.Mutex
	var got []seen
	f.svc.WatchCalls(ctx, func(tenant, callID string) {
		rec, err := f.store.GetCall(ctx, tenant, callID)
		if err != nil {
			t.Errorf("the record of a notified call: %v", err)
			return
		}
		mu.Lock()
		got = append(got, seen{tenant, callID, rec.Secure})
		mu.Unlock()
	})
	gone, stop := context.WithCancel(ctx)
	stopped := 0
	f.svc.WatchCalls(gone, func(string, string) { stopped++ })
	stop()

	req := usd(100)
	req.CallID = c.ID
	p, err := f.svc.Create(ctx, agent, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, agent, usd(100)); err != nil { // no call: nothing to hear
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	want := []seen{{"acme", c.ID, true}, {"acme", c.ID, false}}
	if len(got) != len(want) {
		t.Fatalf("notifications = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("notification %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if stopped != 0 {
		t.Errorf("a watcher whose context ended heard %d notifications", stopped)
	}
}
