package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// progressPerMinute bounds the payment page's progress hints per link token: a hint goes out at
// most every few hundred milliseconds while the caller types.
const progressPerMinute = 300

// maxHintBytes bounds a progress post: {field, state, length, brand} and nothing else.
const maxHintBytes = 256

// hint is what the payment page tells about a field while the caller types: its state as the
// page sees it, never its value. The agent's view shows it until the server knows better.
type hint struct {
	Field  hushpay.FieldName  `json:"field"`
	State  hushpay.FieldState `json:"state"`
	Length int                `json:"length"`
	Brand  string             `json:"brand"`
	at     time.Time
}

// valid reports whether the hint names one of the payment's fields and holds only known values.
func (h hint) valid(p *hushpay.Payment) bool {
	fieldOK := false
	for _, f := range p.Capture {
		fieldOK = fieldOK || f == h.Field
	}
	switch h.State {
	case hushpay.FieldEmpty, hushpay.FieldPartial, hushpay.FieldComplete, hushpay.FieldInvalid:
	default:
		return false
	}
	brandOK := h.Brand == "" || (h.Field == hushpay.FieldCardNumber && card.Brand(h.Brand).Known())
	return fieldOK && brandOK && h.Length >= 0 && h.Length <= 34
}

// receiveProgress takes a field state from the payment page's script: POST /pay/{token}/progress
// with {"field", "state", "length", "brand"}. Values are never sent here; unknown keys are refused.
func (h *Handler) receiveProgress(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !h.progress.allow(token) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHintBytes))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	hn, err := parseHint(body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	page, err := h.cfg.Payments.OpenLink(r.Context(), token)
	if err != nil {
		w.WriteHeader(statusOf(err))
		return
	}
	if !hn.valid(page.Payment) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	hn.at = time.Now()
	h.hints.set(page.Payment.ID, hn)
	w.WriteHeader(http.StatusNoContent)
}

// parseHint reads one progress post: exactly one JSON object with no other keys than field,
// state, length and brand.
func parseHint(body []byte) (hint, error) {
	var hn hint
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hn); err != nil {
		return hint{}, err
	}
	if dec.More() {
		return hint{}, errors.New("web: more than one object")
	}
	return hn, nil
}

// maxHintPayments bounds the payments with hints held in memory; the oldest go first.
const maxHintPayments = 10000

// hintHub keeps the latest hint per payment and field and wakes the agent views watching them.
type hintHub struct {
	mu    sync.Mutex
	hints map[string]map[hushpay.FieldName]hint
	seen  map[string]time.Time
	subs  map[string]map[chan struct{}]struct{}
}

func newHintHub() *hintHub {
	return &hintHub{hints: map[string]map[hushpay.FieldName]hint{}, seen: map[string]time.Time{},
		subs: map[string]map[chan struct{}]struct{}{}}
}

func (hub *hintHub) set(paymentID string, hn hint) {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if hub.hints[paymentID] == nil {
		hub.evictOldest()
		hub.hints[paymentID] = map[hushpay.FieldName]hint{}
	}
	hub.hints[paymentID][hn.Field] = hn
	hub.seen[paymentID] = hn.at
	for ch := range hub.subs[paymentID] {
		select {
		case ch <- struct{}{}:
		default: // already woken
		}
	}
}

// evictOldest drops the payment hinted longest ago when the hub is full. Caller holds mu.
func (hub *hintHub) evictOldest() {
	if len(hub.hints) < maxHintPayments {
		return
	}
	var oldest string
	for id, t := range hub.seen {
		if oldest == "" || t.Before(hub.seen[oldest]) {
			oldest = id
		}
	}
	delete(hub.hints, oldest)
	delete(hub.seen, oldest)
}

// get returns a copy of the payment's hints.
func (hub *hintHub) get(paymentID string) map[hushpay.FieldName]hint {
	hub.mu.Lock()
	defer hub.mu.Unlock()
	out := make(map[hushpay.FieldName]hint, len(hub.hints[paymentID]))
	for k, v := range hub.hints[paymentID] {
		out[k] = v
	}
	return out
}

// subscribe returns a channel woken on every new hint for the payment, and its cancel function.
func (hub *hintHub) subscribe(paymentID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	hub.mu.Lock()
	if hub.subs[paymentID] == nil {
		hub.subs[paymentID] = map[chan struct{}]struct{}{}
	}
	hub.subs[paymentID][ch] = struct{}{}
	hub.mu.Unlock()
	return ch, func() {
		hub.mu.Lock()
		delete(hub.subs[paymentID], ch)
		if len(hub.subs[paymentID]) == 0 {
			delete(hub.subs, paymentID)
		}
		hub.mu.Unlock()
	}
}

// forget drops a payment's hints (it is final).
func (hub *hintHub) forget(paymentID string) {
	hub.mu.Lock()
	delete(hub.hints, paymentID)
	delete(hub.seen, paymentID)
	hub.mu.Unlock()
}
