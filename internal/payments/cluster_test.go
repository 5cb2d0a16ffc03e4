package payments

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/audit"
	"github.com/hushpay/hushpay/internal/payments/paymentstest"
	"github.com/hushpay/hushpay/internal/processor"
	"github.com/hushpay/hushpay/internal/processor/sandbox"
	"github.com/hushpay/hushpay/internal/store/postgres"
	"github.com/hushpay/hushpay/internal/store/storetest"
	"github.com/hushpay/hushpay/internal/vault"
	"github.com/jackc/pgx/v5"
)

var _ Bus = (*postgres.Store)(nil)

// node is one hushpay node of a test cluster: its own pool on the shared database, its own payment
// service and cluster link.
type node struct {
	name      string
	svc       *Service
	store     *postgres.Store
	listening chan struct{} // a value each time its listener is listening
}

type testCluster struct {
	url   string
	clock *fakeClock
	logs  *paymentstest.LogBuffer
	a, b  *node
}

// newCluster starts two nodes, a and b, on one fresh PostgreSQL schema and waits until both
// listen.
func newCluster(t testing.TB) *testCluster {
	t.Helper()
	tc := &testCluster{url: storetest.PostgresURL(t), logs: &paymentstest.LogBuffer{},
		clock: &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}}
	ring, _, err := vault.LoadOrCreateDevKeyRing(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tc.a, tc.b = tc.start(t, "node-a", ring), tc.start(t, "node-b", ring)
	wait(t, tc.a.listening)
	wait(t, tc.b.listening)
	return tc
}

func (tc *testCluster) start(t testing.TB, name string, ring *vault.KeyRing) *node {
	t.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, tc.url)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(ctx, st, ring, tc.clock)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := processor.NewRegistry("sandbox", sandbox.New(sandbox.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(tc.logs, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test_node", name)
	svc, err := New(Config{Store: st, Vault: v, Processors: reg, Audit: audit.New(st, tc.clock), Clock: tc.clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{name: name, svc: svc, store: st, listening: make(chan struct{}, 10)}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunCluster(runCtx, ClusterConfig{Bus: st, Node: name, Listening: func() { n.listening <- struct{}{} }})
	}()
	t.Cleanup(func() {
		stop()
		<-done
		svc.Close()
		st.Close()
	})
	return n
}

func (tc *testCluster) call(t testing.TB) *hushpay.Call {
	t.Helper()
	c := &hushpay.Call{ID: newID("call_"), Tenant: "acme", State: hushpay.CallActive, StartedAt: tc.clock.Now(),
		Legs: []hushpay.CallLeg{{Role: hushpay.LegCaller, SIPCallID: "a-" + newID(""), From: "sip:+14155550100@carrier", To: "sip:support@acme"}}}
	if err := tc.b.store.CreateCall(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// onCall creates a payment on a new call through n.
func (tc *testCluster) onCall(t testing.TB, n *node) *hushpay.Payment {
	t.Helper()
	req := usd(100)
	req.CallID = tc.call(t).ID
	p, err := n.svc.Create(context.Background(), agent, req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wire is a listener of its own on the cluster's channels, as a third node would hear them.
type wire struct {
	mu    sync.Mutex
	notes []string // "channel payload"
	more  chan struct{}
}

func listenWire(t *testing.T, st *postgres.Store) *wire {
	t.Helper()
	w := &wire{more: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Listen(ctx, []string{EventsChannel, CallsChannel, CommandsChannel, RepliesChannel}, func(ch, p string) {
			w.mu.Lock()
			w.notes = append(w.notes, ch+" "+p)
			w.mu.Unlock()
			select {
			case w.more <- struct{}{}:
			default:
			}
		}, func(err error) {
			if err == nil {
				ready <- struct{}{}
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	wait(t, ready)
	return w
}

// waitFor waits until a notification on the wire contains every one of parts and returns it.
func (w *wire) waitFor(t *testing.T, parts ...string) string {
	t.Helper()
	guard := time.After(20 * time.Second)
	for {
		w.mu.Lock()
		for _, n := range w.notes {
			if containsAll(n, parts) {
				w.mu.Unlock()
				return n
			}
		}
		w.mu.Unlock()
		select {
		case <-w.more:
		case <-guard:
			t.Fatalf("no notification holds %q", parts)
		}
	}
}

func (w *wire) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.notes)
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// wait receives from ch, failing the test if nothing comes within a generous bound (a guard
// against hanging, not a timing assertion).
func wait[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatal("nothing arrived")
		panic("unreachable")
	}
}

// stream collects a subscription's events until it closes.
func stream(t *testing.T, ctx context.Context, n *node, id string) <-chan []hushpay.Event {
	t.Helper()
	events, err := n.svc.Subscribe(ctx, auditor, id)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan []hushpay.Event, 1)
	go func() {
		var all []hushpay.Event
		for e := range events {
			all = append(all, e)
		}
		out <- all
	}()
	return out
}

func eventIDs(es []hushpay.Event) []string {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = string(e.Type) + " " + e.ID
	}
	return ids
}

func TestClusterSubscriberSeesKeysCapturedOnAnotherNode(t *testing.T) {
	tc := newCluster(t)
	w := listenWire(t, tc.a.store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	p := tc.onCall(t, tc.b) // the call is anchored on b: its keys reach b's service
	w.waitFor(t, `"payment":"`+p.ID, string(hushpay.EventPaymentCreated))
	onA, onB := stream(t, ctx, tc.a, p.ID), stream(t, ctx, tc.b, p.ID)

	for _, k := range []byte("4242424242424242#1230123") {
		if ok, err := tc.b.svc.Key(ctx, "acme", p.ID, k); !ok || err != nil {
			t.Fatalf("key on b: %v %v", ok, err)
		}
	}
	if _, err := tc.b.svc.Submit(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	a, b := wait(t, onA), wait(t, onB)

	// Both streams open with a snapshot of their own; what follows is b's events, once each and
	// in order, on both nodes (a may also hear the creation, if its listener got to it after a
	// subscribed).
	if len(a) > 1 && a[1].Type == hushpay.EventPaymentCreated {
		a = slices.Delete(a, 1, 2)
	}
	if len(b) < 20 || b[len(b)-1].Type != hushpay.EventPaymentSucceeded {
		t.Fatalf("b's own stream: %v", eventIDs(b))
	}
	if got, want := eventIDs(a[1:]), eventIDs(b[1:]); !slices.Equal(got, want) {
		t.Fatalf("a's stream after its snapshot:\n%v\nwant b's events:\n%v", got, want)
	}
	for i, e := range a[1:] {
		got, _ := json.Marshal(e)
		want, _ := json.Marshal(b[i+1])
		if string(got) != string(want) {
			t.Fatalf("event %d on a:\n%s\non b:\n%s", i, got, want)
		}
		if i > 0 && e.Payment.Version <= a[i].Payment.Version {
			t.Fatalf("event %d on a goes back from version %d to %d", i, a[i].Payment.Version, e.Payment.Version)
		}
	}
	if fd := a[len(a)-1].Payment.Fields[hushpay.FieldCardNumber]; fd.Last4 != "4242" || fd.State != hushpay.FieldComplete {
		t.Fatalf("a's last event shows the card number as %+v", fd)
	}
	all, _ := json.Marshal(a)
	assertNoCard(t, "a's events", string(all), "4242424242424242")
	assertNoCard(t, "the notifications", strings.Join(w.all(), "\n"), "4242424242424242")
	assertNoCard(t, "the logs", tc.logs.String(), "4242424242424242")
}

func TestClusterNodeIgnoresItsOwnEventsAndHearsAnotherEndIt(t *testing.T) {
	tc := newCluster(t)
	w := listenWire(t, tc.b.store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	p := tc.onCall(t, tc.b)
	onB := stream(t, ctx, tc.b, p.ID)
	for _, k := range []byte("4242") {
		if ok, err := tc.b.svc.Key(ctx, "acme", p.ID, k); !ok || err != nil {
			t.Fatalf("key on b: %v %v", ok, err)
		}
	}
	got, _ := tc.b.svc.Get(ctx, agent, p.ID)
	// Once b's notification of its last key is out, b's listener hears it before a's cancel
	// (the server delivers in commit order): a duplicate would show before the end.
	w.waitFor(t, `"node":"node-b"`, `"payment":"`+p.ID, `"version":`+jsonInt(got.Version))
	if _, err := tc.a.svc.Cancel(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	b := wait(t, onB)
	var types []hushpay.EventType
	for _, e := range b {
		types = append(types, e.Type)
	}
	want := []hushpay.EventType{hushpay.EventPaymentUpdated, hushpay.EventPaymentUpdated, hushpay.EventPaymentUpdated,
		hushpay.EventPaymentUpdated, hushpay.EventPaymentUpdated, hushpay.EventPaymentCancelled}
	if !slices.Equal(types, want) {
		t.Fatalf("b's stream %v, want %v (its own four keys once each, then a's cancel)", eventIDs(b), want)
	}
	if b[len(b)-1].Payment.Outcome == nil || b[len(b)-1].Payment.Outcome.Code != hushpay.OutcomeAgentCancelled {
		t.Fatalf("the cancel heard on b: %+v", b[len(b)-1].Payment)
	}

	// b held the capture session (four digits); a's cancel wipes it.
	guard := time.Now().Add(20 * time.Second)
	for tc.b.svc.holds(p.ID) {
		if time.Now().After(guard) {
			t.Fatal("b still holds the capture session of a payment that a cancelled")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *Service) holds(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.payments[id] != nil
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

func TestClusterCallChangeReachesWatchersOnAnotherNode(t *testing.T) {
	tc := newCluster(t)
	w := listenWire(t, tc.a.store)
	ctx := context.Background()
	type heard struct {
		call   string
		secure bool
	}
	watch := func(n *node) <-chan heard {
		ch := make(chan heard, 10)
		n.svc.WatchCalls(ctx, func(tenant, callID string) {
			rec, err := n.store.GetCall(ctx, tenant, callID)
			if err != nil {
				t.Errorf("%s reads a notified call: %v", n.name, err)
				return
			}
			ch <- heard{callID, rec.Secure}
		})
		return ch
	}
	onA, onB := watch(tc.a), watch(tc.b)

	p := tc.onCall(t, tc.a) // created through a's API: b anchors the call and must hear at once
	if got := wait(t, onB); got != (heard{p.CallID, true}) {
		t.Fatalf("b heard %+v, want the call secure", got)
	}
	if _, err := tc.a.svc.Cancel(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, onB); got != (heard{p.CallID, false}) {
		t.Fatalf("b heard %+v, want the call released", got)
	}

	// b sends back nothing it heard: its next own change is the next call notification from b, and
	// a hears its own changes once (locally) and then b's.
	q := tc.onCall(t, tc.b)
	w.waitFor(t, `"call":"`+q.CallID)
	var fromB []string
	for _, n := range w.all() {
		if strings.HasPrefix(n, CallsChannel+" ") && strings.Contains(n, `"node":"node-b"`) {
			fromB = append(fromB, n)
		}
	}
	if len(fromB) != 1 || !strings.Contains(fromB[0], q.CallID) {
		t.Fatalf("b's call notifications: %q, want only its own change of %s", fromB, q.CallID)
	}
	for i, want := range []heard{{p.CallID, true}, {p.CallID, false}, {q.CallID, true}} {
		if got := wait(t, onA); got != want {
			t.Fatalf("a's notification %d: %+v, want %+v", i, got, want)
		}
	}
}

func TestClusterListenerComesBackAfterItsConnectionIsKilled(t *testing.T) {
	tc := newCluster(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := tc.onCall(t, tc.b)
	onA := stream(t, ctx, tc.a, p.ID)

	admin, err := pgx.Connect(ctx, tc.url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var killed int
	err = admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'hushpay listener' AND query LIKE 'LISTEN %' AND query LIKE '%' || current_schema() || '%'`).Scan(&killed)
	if err != nil || killed != 2 {
		t.Fatalf("terminated %d listener connections (%v), want both nodes'", killed, err)
	}
	wait(t, tc.a.listening)
	wait(t, tc.b.listening)

	if _, err := tc.b.svc.Key(ctx, "acme", p.ID, '4'); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.b.svc.Cancel(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	a := wait(t, onA)
	if len(a) < 3 || a[len(a)-2].Payment.Fields[hushpay.FieldCardNumber].Length != 1 || a[len(a)-1].Type != hushpay.EventPaymentCancelled {
		t.Fatalf("a's stream after its listener came back: %v", eventIDs(a))
	}
	if !strings.Contains(tc.logs.String(), "listener stopped") {
		t.Error("the lost connection was not logged")
	}
}

func TestClusterEventOfABigPaymentCarriesIDsAndIsReadFromTheStore(t *testing.T) {
	tc := newCluster(t)
	w := listenWire(t, tc.a.store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := usd(100)
	req.CallID = tc.call(t).ID
	req.Metadata = map[string]string{}
	for _, k := range "abcdefghijklmnopqrst" {
		req.Metadata[string(k)] = strings.Repeat(string(k), 400)
	}
	p, err := tc.b.svc.Create(ctx, agent, req)
	if err != nil {
		t.Fatal(err)
	}
	onA := stream(t, ctx, tc.a, p.ID)
	if _, err := tc.b.svc.Cancel(ctx, agent, p.ID); err != nil {
		t.Fatal(err)
	}
	a := wait(t, onA)
	last := a[len(a)-1]
	if last.Type != hushpay.EventPaymentCancelled || last.Payment.State != hushpay.PaymentCancelled || len(last.Payment.Metadata) != 20 {
		t.Fatalf("a's stream %v ends with a payment %s with %d metadata keys", eventIDs(a), last.Payment.State, len(last.Payment.Metadata))
	}
	note := w.waitFor(t, `"payment":"`+p.ID, string(hushpay.EventPaymentCancelled))
	if strings.Contains(note, "snapshot") || len(note) > 1000 {
		t.Fatalf("the notification of a big payment carries its snapshot (%d bytes)", len(note))
	}
}

// lossyBus is a Bus whose listener the test can cut off and bring back, as a lost database
// connection does; nothing sent reaches it (this node is alone).
type lossyBus struct{ cut chan struct{} }

func (b *lossyBus) Notify(context.Context, string, string) error { return nil }

func (b *lossyBus) Listen(ctx context.Context, _ []string, _ func(string, string), status func(error)) {
	status(nil)
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.cut:
			status(errors.New("connection lost"))
			status(nil)
		}
	}
}

func TestClusterRepairsStreamsWhenItsListenerComesBack(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	bus := &lossyBus{cut: make(chan struct{})}
	listening := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.svc.RunCluster(ctx, ClusterConfig{Bus: bus, Listening: func() { listening <- struct{}{} }})
	}()
	defer func() { cancel(); <-done }()
	wait(t, listening)

	p, err := f.svc.Create(ctx, agent, usd(100))
	if err != nil {
		t.Fatal(err)
	}
	events, err := f.svc.Subscribe(ctx, auditor, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	<-events // the snapshot
	// Another node cancels the payment while this node's listener is away: only the record says so.
	gone, _ := f.store.GetPayment(ctx, "acme", p.ID)
	gone.State, gone.Outcome = hushpay.PaymentCancelled, &hushpay.Outcome{Code: hushpay.OutcomeAgentCancelled, Message: "cancelled by the agent"}
	if err := f.store.UpdatePayment(ctx, gone); err != nil {
		t.Fatal(err)
	}
	bus.cut <- struct{}{}
	e := wait(t, events)
	if e.Type != hushpay.EventPaymentCancelled || e.Payment.State != hushpay.PaymentCancelled {
		t.Fatalf("after the listener came back the stream got %s %s, want the cancel", e.Type, e.Payment.State)
	}
	if _, open := <-events; open {
		t.Fatal("the stream goes on after the final state")
	}
}

// BenchmarkClusterEvent measures a capture command on node b until a subscriber sees its event, on
// b itself and on node a (through PostgreSQL NOTIFY/LISTEN); µs-after-return is the part after the
// command returned, which is what crossing nodes adds.
func BenchmarkClusterEvent(b *testing.B) {
	for _, where := range []string{"same node", "other node"} {
		b.Run("subscriber on the "+where, func(b *testing.B) {
			tc := newCluster(b)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := tc.onCall(b, tc.b)
			sub := tc.b
			if where == "other node" {
				sub = tc.a
			}
			events, err := sub.svc.Subscribe(ctx, auditor, p.ID)
			if err != nil {
				b.Fatal(err)
			}
			fields := []hushpay.FieldName{hushpay.FieldExpiry, hushpay.FieldCardNumber}
			var after time.Duration // from the command's return to the subscriber's event
			n := 0
			for ; b.Loop(); n++ {
				moved, err := tc.b.svc.MoveCapture(ctx, agent, p.ID, fields[n%2])
				if err != nil {
					b.Fatal(err)
				}
				returned := time.Now()
				for e := wait(b, events); e.Payment.Version < moved.Version; e = wait(b, events) {
				}
				after += time.Since(returned)
			}
			b.ReportMetric(float64(after.Microseconds())/float64(n), "µs-after-return/op")
		})
	}
}
