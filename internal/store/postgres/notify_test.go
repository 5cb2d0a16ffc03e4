package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/store/storetest"
)

// note is one notification as a listener got it.
type note struct{ channel, payload string }

// listening starts s.Listen on channels until the test ends and returns what it receives and its
// status reports, after waiting for it to listen.
func listening(t *testing.T, s *Store, channels ...string) (<-chan note, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	notes, states := make(chan note, 1000), make(chan error, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Listen(ctx, channels, func(ch, p string) { notes <- note{ch, p} }, func(err error) { states <- err })
	}()
	t.Cleanup(func() { cancel(); <-done })
	if err := next(t, states); err != nil {
		t.Fatalf("the listener did not listen: %v", err)
	}
	return notes, states
}

// next returns the next value on ch, failing the test if none comes within a generous bound (a
// guard against hanging, not a timing assertion).
func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("nothing arrived")
		panic("unreachable")
	}
}

func TestNotifyReachesListenersInOrder(t *testing.T) {
	url := storeURL(t)
	sender, receiver := openURL(t, url), openURL(t, url)
	notes, _ := listening(t, receiver, "hushpay_events", "hushpay_calls")
	ctx := t.Context()
	var want []note
	for i := range 50 {
		n := note{"hushpay_events", fmt.Sprintf(`{"i":%d}`, i)}
		if i%7 == 0 {
			n.channel = "hushpay_calls"
		}
		if err := sender.Notify(ctx, n.channel, n.payload); err != nil {
			t.Fatal(err)
		}
		want = append(want, n)
	}
	if err := sender.Notify(ctx, "hushpay_unheard", "x"); err != nil {
		t.Fatal(err)
	}
	if err := sender.Notify(ctx, "hushpay_events", "end"); err != nil {
		t.Fatal(err)
	}
	for i, w := range append(want, note{"hushpay_events", "end"}) {
		if got := next(t, notes); got != w {
			t.Fatalf("notification %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestNotifyStaysInItsSchema(t *testing.T) {
	here, there := openSchema(t), openSchema(t)
	notes, _ := listening(t, there, "hushpay_events")
	ctx := t.Context()
	if err := here.Notify(ctx, "hushpay_events", "from another schema"); err != nil {
		t.Fatal(err)
	}
	// The server delivers in commit order: had the first one crossed, it would come first.
	if err := there.Notify(ctx, "hushpay_events", "own"); err != nil {
		t.Fatal(err)
	}
	if got := next(t, notes); got.payload != "own" {
		t.Fatalf("a listener heard %+v from another schema", got)
	}
}

func TestNotifyRefusesAnOversizedPayload(t *testing.T) {
	s := openSchema(t)
	err := s.Notify(t.Context(), "hushpay_events", strings.Repeat("x", MaxNotifyPayload+1))
	if err == nil {
		t.Fatal("a payload over the server's limit was accepted")
	}
	if err := s.Notify(t.Context(), "hushpay_events", strings.Repeat("x", MaxNotifyPayload)); err != nil {
		t.Fatalf("a payload at the limit: %v", err)
	}
}

func TestListenReconnectsAfterItsConnectionIsKilled(t *testing.T) {
	url := storeURL(t)
	sender, receiver := openURL(t, url), openURL(t, url)
	notes, states := listening(t, receiver, "hushpay_events")
	ctx := t.Context()

	killed := terminateListeners(t, sender)
	if killed != 1 {
		t.Fatalf("terminated %d listener connections, want 1", killed)
	}
	if err := next(t, states); err == nil {
		t.Fatal("the listener did not report the lost connection")
	}
	if err := next(t, states); err != nil {
		t.Fatalf("the listener did not listen again: %v", err)
	}
	if err := sender.Notify(ctx, "hushpay_events", "after"); err != nil {
		t.Fatal(err)
	}
	if got := next(t, notes); got.payload != "after" {
		t.Fatalf("after reconnecting the listener got %+v", got)
	}
}

// terminateListeners ends the server connections of this schema's listeners, as a failover or
// an administrator would, and returns how many it ended.
func terminateListeners(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	err := s.pool.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'hushpay listener' AND query LIKE 'LISTEN %' AND query LIKE '%' || current_schema() || '%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// storeURL returns a fresh schema's URL with its tables, for stores that share it.
func storeURL(t *testing.T) string {
	t.Helper()
	url := storetest.PostgresURL(t)
	openURL(t, url) // migrates
	return url
}

func openURL(t *testing.T, url string) *Store {
	t.Helper()
	return storetest.Open(t, Open, url)
}
