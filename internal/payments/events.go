package payments

import (
	"context"
	"slices"
	"sync"

	"github.com/hushpay/hushpay"
)

// broker fans payment events out to in-process subscribers (SSE streams). Each event carries the
// whole masked snapshot, so a slow subscriber that misses an event loses nothing that the next one
// does not repeat: when its buffer is full the oldest event is dropped.
//
// Taps see every event published on this node (not those delivered from other nodes): the cluster
// uses one to forward them.
type broker struct {
	mu   sync.Mutex
	subs map[string]map[chan hushpay.Event]string // by payment ID: each subscriber's tenant
	taps []eventTap
}

// eventTap is a function that hears each event published on this node until its context ends. It
// runs with the broker locked, in publication order, and must not block.
type eventTap struct {
	ctx context.Context
	fn  func(hushpay.Event)
}

func newBroker() *broker { return &broker{subs: map[string]map[chan hushpay.Event]string{}} }

const subscriberBuffer = 32

func (b *broker) subscribe(tenant, paymentID string) chan hushpay.Event {
	ch := make(chan hushpay.Event, subscriberBuffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[paymentID] == nil {
		b.subs[paymentID] = map[chan hushpay.Event]string{}
	}
	b.subs[paymentID][ch] = tenant
	return ch
}

func (b *broker) unsubscribe(paymentID string, ch chan hushpay.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if set, ok := b.subs[paymentID]; ok {
		if _, ok := set[ch]; ok {
			delete(set, ch)
			close(ch)
		}
		if len(set) == 0 {
			delete(b.subs, paymentID)
		}
	}
}

// publish delivers an event of this node to its subscribers and its taps.
func (b *broker) publish(e hushpay.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deliverLocked(e)
	live := b.taps[:0]
	for _, t := range b.taps {
		if t.ctx.Err() == nil {
			live = append(live, t)
			t.fn(e)
		}
	}
	clear(b.taps[len(live):])
	b.taps = live
}

// deliver hands an event published on another node to this node's subscribers, not to the taps.
func (b *broker) deliver(e hushpay.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deliverLocked(e)
}

// tap adds fn to the functions that hear every event published on this node, until ctx ends.
func (b *broker) tap(ctx context.Context, fn func(hushpay.Event)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.taps = append(b.taps, eventTap{ctx: ctx, fn: fn})
}

// subscribed returns the payments that have subscribers on this node, by payment ID, with the
// tenants their subscribers gave.
func (b *broker) subscribed() map[string][]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	all := make(map[string][]string, len(b.subs))
	for id, set := range b.subs {
		for _, tenant := range set {
			if !slices.Contains(all[id], tenant) {
				all[id] = append(all[id], tenant)
			}
		}
	}
	return all
}

// watched reports whether the payment has a subscriber on this node.
func (b *broker) watched(paymentID string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[paymentID]) > 0
}

func (b *broker) deliverLocked(e hushpay.Event) {
	for ch := range b.subs[e.Payment.ID] {
		for {
			select {
			case ch <- e:
			default:
				select { // full: drop the oldest and retry
				case <-ch:
				default:
				}
				continue
			}
			break
		}
	}
}

func (b *broker) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for id, set := range b.subs {
		for ch := range set {
			close(ch)
		}
		delete(b.subs, id)
	}
}

// Subscribe streams the payment's masked events until ctx ends or the payment reaches a final
// state; the first event is the current state (type payment.updated).
func (s *Service) Subscribe(ctx context.Context, p hushpay.Principal, id string) (<-chan hushpay.Event, error) {
	if err := require(p, hushpay.PermReadPayments); err != nil {
		return nil, err
	}
	in := s.events.subscribe(p.Tenant, id)
	pay, err := s.load(ctx, p.Tenant, id)
	if err != nil {
		s.events.unsubscribe(id, in)
		return nil, err
	}
	out := make(chan hushpay.Event, subscriberBuffer)
	go func() {
		defer close(out)
		defer s.events.unsubscribe(id, in)
		first := hushpay.Event{ID: newID("evt_"), Type: hushpay.EventPaymentUpdated, Time: s.now(), Tenant: pay.Tenant, Payment: pay}
		if !send(ctx, out, first) || pay.State.Final() {
			return
		}
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-in:
				if !ok || !send(ctx, out, e) || e.Payment.State.Final() {
					return
				}
			}
		}
	}()
	return out, nil
}

func send(ctx context.Context, out chan<- hushpay.Event, e hushpay.Event) bool {
	select {
	case out <- e:
		return true
	case <-ctx.Done():
		return false
	}
}
