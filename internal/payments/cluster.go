package payments

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
)

// Bus carries short text notifications to every node that shares the store, the sender included.
// *postgres.Store implements it with NOTIFY and LISTEN; a single-node store has no bus.
type Bus interface {
	// Notify sends payload on channel; it returns once the notification is on its way.
	Notify(ctx context.Context, channel, payload string) error
	// Listen calls fn with the notifications of channels, one at a time and in order, until ctx
	// ends, reconnecting when its connection is lost. status hears nil each time it is listening
	// and the error each time it stops. fn and status run on Listen's goroutine.
	Listen(ctx context.Context, channels []string, fn func(channel, payload string), status func(error))
}

// The channels between nodes.
const (
	// EventsChannel carries the payment events published on each node.
	EventsChannel = "hushpay_events"
	// CallsChannel carries changes of a call's secure flag made on each node.
	CallsChannel = "hushpay_calls"
)

// ClusterConfig links a service to the other nodes of a cluster.
type ClusterConfig struct {
	Bus Bus
	// Node names this node in its notifications, so that it ignores its own; random when empty.
	Node string
	// Listening, when set, runs each time the listener is listening (first, and again after a
	// lost connection). Tests wait for it: notifications sent before it runs miss this node.
	Listening func()
}

// maxSnapshotPayload is the size up to which an event's notification carries the payment's masked
// snapshot (NOTIFY takes at most 8000 bytes); a bigger one carries only IDs and the receivers read
// the payment from the store.
const maxSnapshotPayload = 7000

// clusterQueue is how many notifications may wait to be sent; when it is full the newest is
// dropped (logged): notifications are at most once anyway, and the next event repeats the state.
const clusterQueue = 1024

// eventNote is an event's notification. It never holds card data: the snapshot is the masked
// payment that SSE streams and API responses show.
type eventNote struct {
	Node     string            `json:"node"`
	Tenant   string            `json:"tenant"`
	Payment  string            `json:"payment"`
	ID       string            `json:"id"`
	Type     hushpay.EventType `json:"type"`
	Time     time.Time         `json:"time"`
	Version  int64             `json:"version"`            // the payment's version in the event
	Snapshot json.RawMessage   `json:"snapshot,omitempty"` // a *hushpay.Payment, decoded only where subscribed
}

// callNote is a call change's notification: IDs only; receivers read the call's record.
type callNote struct {
	Node   string `json:"node"`
	Tenant string `json:"tenant"`
	Call   string `json:"call"`
}

// outgoing is a notification waiting to be sent: an event or a call change.
type outgoing struct {
	event *hushpay.Event
	call  callNote
}

// clusterKey marks the cluster's own call watcher, which CallChangedElsewhere skips so that a
// change heard from another node is not sent back.
type clusterKey struct{}

type cluster struct {
	svc     *Service
	cfg     ClusterConfig
	ctx     context.Context
	log     *slog.Logger
	queue   chan outgoing
	replies replies // forwarded commands waiting for their reply

	// Owned by the listener's goroutine (receive, status):
	listened bool             // the listener has listened before
	floor    map[string]int64 // by payment ID: the version a repair after reconnecting published
}

// RunCluster links the service to the other nodes sharing its store until ctx ends: every event
// published here and every change of a call's secure flag made here go out on the bus; those of
// other nodes come in and reach this node's subscribers (Subscribe) and call watchers
// (WatchCalls). An event that ends a payment also wipes the capture session this node may hold
// for it. It returns when ctx ends.
func (s *Service) RunCluster(ctx context.Context, cfg ClusterConfig) {
	if cfg.Node == "" {
		cfg.Node = newID("node_")
	}
	c := &cluster{svc: s, cfg: cfg, ctx: ctx, log: s.log.With("node", cfg.Node), queue: make(chan outgoing, clusterQueue),
		replies: replies{waiting: map[string]chan replyNote{}}}
	s.clusterLink.Store(c)
	defer s.clusterLink.CompareAndSwap(c, nil)
	s.events.tap(ctx, c.eventOut)
	s.WatchCalls(context.WithValue(ctx, clusterKey{}, true), c.callOut)
	var wg sync.WaitGroup
	wg.Go(c.send)
	cfg.Bus.Listen(ctx, []string{EventsChannel, CallsChannel, CommandsChannel, RepliesChannel}, c.receive, c.status)
	wg.Wait()
}

// CallChangedElsewhere tells this node's call watchers that another node changed the call's secure
// flag, as if it had happened here (the cluster's own watcher excepted).
func (s *Service) CallChangedElsewhere(tenant, callID string) {
	s.calls.mu.Lock()
	var run []func(tenant, callID string)
	for _, w := range s.calls.subs {
		if w.ctx.Err() == nil && w.ctx.Value(clusterKey{}) == nil {
			run = append(run, w.fn)
		}
	}
	s.calls.mu.Unlock()
	for _, fn := range run {
		fn(tenant, callID)
	}
}

func (c *cluster) eventOut(e hushpay.Event) { c.enqueue(outgoing{event: &e}) }

func (c *cluster) callOut(tenant, callID string) {
	c.enqueue(outgoing{call: callNote{Node: c.cfg.Node, Tenant: tenant, Call: callID}})
}

func (c *cluster) enqueue(o outgoing) {
	select {
	case c.queue <- o:
	default:
		c.log.Warn("cluster: too many notifications waiting; one dropped")
	}
}

// send sends the queued notifications in order until ctx ends.
func (c *cluster) send() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case o := <-c.queue:
			channel, payload := c.encode(o)
			ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
			if err := c.cfg.Bus.Notify(ctx, channel, payload); err != nil && c.ctx.Err() == nil {
				c.log.Warn("cluster: notification not sent", "channel", channel, "err", err)
			}
			cancel()
		}
	}
}

func (c *cluster) encode(o outgoing) (channel, payload string) {
	if o.event == nil {
		b, _ := json.Marshal(o.call)
		return CallsChannel, string(b)
	}
	e := o.event
	n := eventNote{Node: c.cfg.Node, Tenant: e.Tenant, Payment: e.Payment.ID, ID: e.ID, Type: e.Type, Time: e.Time,
		Version: e.Payment.Version}
	n.Snapshot, _ = json.Marshal(e.Payment)
	b, _ := json.Marshal(n)
	if len(b) > maxSnapshotPayload {
		n.Snapshot = nil
		b, _ = json.Marshal(n)
	}
	return EventsChannel, string(b)
}

// receive handles a notification from the bus; those this node sent are ignored.
func (c *cluster) receive(channel, payload string) {
	switch channel {
	case EventsChannel:
		var n eventNote
		if json.Unmarshal([]byte(payload), &n) != nil || n.Tenant == "" || !validID(n.Payment, "pay_") {
			c.log.Warn("cluster: unreadable notification", "channel", channel)
			return
		}
		if n.Node != c.cfg.Node {
			c.eventIn(n)
		}
	case CallsChannel:
		var n callNote
		if json.Unmarshal([]byte(payload), &n) != nil || n.Tenant == "" || n.Call == "" {
			c.log.Warn("cluster: unreadable notification", "channel", channel)
			return
		}
		if n.Node != c.cfg.Node {
			c.svc.CallChangedElsewhere(n.Tenant, n.Call)
		}
	case CommandsChannel:
		var n commandNote
		if json.Unmarshal([]byte(payload), &n) != nil || n.Tenant == "" || !validID(n.Payment, "pay_") || n.ID == "" {
			c.log.Warn("cluster: unreadable notification", "channel", channel)
			return
		}
		if n.To == c.cfg.Node {
			c.commandIn(n)
		}
	case RepliesChannel:
		var n replyNote
		if json.Unmarshal([]byte(payload), &n) != nil || n.ID == "" {
			c.log.Warn("cluster: unreadable notification", "channel", channel)
			return
		}
		if n.To == c.cfg.Node {
			c.replyIn(n)
		}
	}
}

// eventIn publishes another node's event to this node's subscribers, reading the payment from the
// store when the notification carries no snapshot, and wipes a capture session this node holds for
// a payment that another node ended. An event whose payment has changed since is not published from
// the store: its snapshot would show a later state under this event's type (a final state under
// payment.created ends a stream before the final event), and the later change comes in a
// notification of its own.
func (c *cluster) eventIn(n eventNote) {
	if endsPayment(n.Type) {
		c.svc.dropEndedSession(n.Tenant, n.Payment)
	}
	if !c.svc.events.watched(n.Payment) {
		return
	}
	if f, ok := c.floor[n.Payment]; ok {
		if n.Version < f {
			return // older than what the repair after reconnecting showed
		}
		delete(c.floor, n.Payment)
	}
	var p *hushpay.Payment
	if json.Unmarshal(n.Snapshot, &p) != nil || p == nil || p.ID != n.Payment || p.Tenant != n.Tenant {
		ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		defer cancel()
		var err error
		if p, err = c.svc.load(ctx, n.Tenant, n.Payment); err != nil {
			c.log.Warn("cluster: payment of a notification not read", "payment", n.Payment, "err", err)
			return
		}
		if p.Version > n.Version {
			return
		}
	}
	c.svc.events.deliver(hushpay.Event{ID: n.ID, Type: n.Type, Time: n.Time, Tenant: n.Tenant, Payment: p})
}

func endsPayment(t hushpay.EventType) bool {
	switch t {
	case hushpay.EventPaymentSucceeded, hushpay.EventPaymentDeclined, hushpay.EventPaymentCancelled,
		hushpay.EventPaymentExpired, hushpay.EventPaymentFailed:
		return true
	}
	return false
}

// dropEndedSession wipes the capture session this node holds for a payment that another node
// ended, in the background: the payment's lock may be held for a while.
func (s *Service) dropEndedSession(tenant, id string) {
	s.mu.Lock()
	held := s.payments[id] != nil
	s.mu.Unlock()
	if !held {
		return
	}
	s.spawn(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l := s.acquire(id)
		defer s.release(id, l)
		if l.session == nil {
			return
		}
		if p, err := s.load(ctx, tenant, id); err == nil && p.State.Final() {
			l.dropSession()
		}
	})
}

// status logs the listener's state (never a payload) and runs the Listening hook.
func (c *cluster) status(err error) {
	if err != nil {
		c.log.Warn("cluster: listener stopped; reconnecting (notifications sent meanwhile are lost)", "err", err)
		return
	}
	c.log.Info("cluster: listening for the other nodes' events and call changes")
	if c.listened {
		c.repair()
	}
	c.listened = true
	if c.cfg.Listening != nil {
		c.cfg.Listening()
	}
}

// repair publishes, after the listener has come back, the current state of every payment with a
// subscriber on this node, so that a stream that missed events while it was away (even the final
// one) catches up: as payment.updated, or as the final event when the payment has ended.
// Notifications of older versions that arrive afterwards are skipped.
func (c *cluster) repair() {
	c.floor = map[string]int64{}
	for id, tenants := range c.svc.events.subscribed() {
		for _, tenant := range tenants {
			ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
			p, err := c.svc.load(ctx, tenant, id)
			cancel()
			if err != nil {
				continue // not this tenant's, or gone
			}
			t := hushpay.EventPaymentUpdated
			if p.State.Final() {
				t = finalEvent(p.State)
			}
			c.floor[id] = p.Version
			c.svc.events.deliver(hushpay.Event{ID: newID("evt_"), Type: t, Time: c.svc.now(), Tenant: tenant, Payment: p})
		}
	}
}
