package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
)

// eventStream is an open text/event-stream response, read event by event.
type eventStream struct {
	t      testing.TB
	res    *http.Response
	reader *bufio.Reader
	seen   bytes.Buffer
	cancel context.CancelFunc
}

func (h *harness) openStream(path, key string) *eventStream {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.server.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := h.server.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	s := &eventStream{t: h.t, res: res, reader: bufio.NewReader(res.Body), cancel: cancel}
	h.t.Cleanup(func() {
		cancel()
		res.Body.Close()
		h.keep(res.Header, s.seen.Bytes())
	})
	return s
}

// next reads up to the next blank line: one event or one comment. It reports false at the end.
func (s *eventStream) next() (block string, ok bool) {
	s.t.Helper()
	var b strings.Builder
	for {
		line, err := s.reader.ReadString('\n')
		s.seen.WriteString(line)
		b.WriteString(line)
		if line == "\n" {
			return b.String(), true
		}
		if err == io.EOF {
			return b.String(), false
		}
		if err != nil {
			s.t.Fatalf("reading the stream: %v", err)
		}
	}
}

// nextEvent skips comments and returns the next event, or false when the stream ends.
func (s *eventStream) nextEvent() (sseEvent, map[string]any, bool) {
	s.t.Helper()
	for {
		block, ok := s.next()
		if !ok {
			return sseEvent{}, nil, false
		}
		if strings.HasPrefix(block, ":") {
			continue
		}
		events := parseSSE(s.t, []byte(block))
		if len(events) != 1 {
			s.t.Fatalf("not one event: %q", block)
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(events[0].data), &data); err != nil {
			s.t.Fatalf("event data is not JSON: %v", err)
		}
		return events[0], data, true
	}
}

func TestEventsStreamMaskedProgressUntilThePaymentEnds(t *testing.T) {
	h := newHarness(t)
	p := h.newPayment(tenant, true)
	s := h.openStream("/v1/payments/"+p.ID+"/events", h.keys[hushpay.RoleAuditor])
	if s.res.StatusCode != http.StatusOK || s.res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", s.res.StatusCode, s.res.Header.Get("Content-Type"))
	}
	if s.res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", s.res.Header.Get("Cache-Control"))
	}

	first, data, ok := s.nextEvent()
	if !ok || first.name != string(hushpay.EventPaymentUpdated) || first.id == "" {
		t.Fatalf("first event = %+v", first)
	}
	if state := data["payment"].(map[string]any)["state"]; state != "capturing" {
		t.Errorf("the first event's payment is %v, want the current state capturing", state)
	}

	h.press(p, "4242424242424242#")
	var last map[string]any
	for {
		e, data, ok := s.nextEvent()
		if !ok {
			t.Fatal("the stream ended before the card number was complete")
		}
		if e.name != string(hushpay.EventPaymentUpdated) {
			continue
		}
		field := data["payment"].(map[string]any)["fields"].(map[string]any)["card_number"].(map[string]any)
		if field["state"] == "complete" {
			last = field
			break
		}
	}
	if last["last4"] != "4242" || last["length"] != float64(16) {
		t.Errorf("complete card field = %v, want length 16 and last4 4242", last)
	}

	if res := h.post("/v1/payments/"+p.ID+"/cancel", h.keys[hushpay.RoleAgent], ""); res.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", res.status, res.body)
	}
	var final sseEvent
	for {
		e, _, ok := s.nextEvent()
		if !ok {
			break
		}
		final = e
	}
	if final.name != string(hushpay.EventPaymentCancelled) {
		t.Errorf("the last event is %q, want %s before the stream ends", final.name, hushpay.EventPaymentCancelled)
	}
	if card := findCard(s.seen.Bytes()); card != "" {
		t.Errorf("the stream holds the card number")
	}
}

func TestEventsStreamSendsHeartbeatsWhileIdle(t *testing.T) {
	h := newHarness(t, func(cfg *api.Config) { cfg.Heartbeat = 10 * time.Millisecond })
	p := h.newPayment(tenant, false)
	s := h.openStream("/v1/payments/"+p.ID+"/events", h.keys[hushpay.RoleAgent])
	if _, _, ok := s.nextEvent(); !ok {
		t.Fatal("no first event")
	}
	block, ok := s.next()
	if !ok || block != ": heartbeat\n\n" {
		t.Fatalf("after the snapshot of an idle payment: %q, want a heartbeat comment", block)
	}
}

func TestEventsOfAFinishedPaymentEndAfterTheSnapshot(t *testing.T) {
	h := newHarness(t)
	p := h.paidPayment(tenant, "4000000000000127")
	res := h.get("/v1/payments/"+p.ID+"/events", h.keys[hushpay.RoleAgent])
	events := parseSSE(t, res.body)
	if len(events) != 1 {
		t.Fatalf("%d events, want the snapshot alone", len(events))
	}
	var data struct {
		Payment struct {
			State   string
			Outcome struct{ Code string }
		}
	}
	if err := json.Unmarshal([]byte(events[0].data), &data); err != nil {
		t.Fatal(err)
	}
	if data.Payment.State != "declined" || data.Payment.Outcome.Code != "incorrect_cvc" {
		t.Errorf("snapshot = %+v, want declined incorrect_cvc", data.Payment)
	}
}

func TestEventsStreamEndsWhenTheClientGoes(t *testing.T) {
	h := newHarness(t)
	p := h.newPayment(tenant, true)
	s := h.openStream("/v1/payments/"+p.ID+"/events", h.keys[hushpay.RoleAgent])
	if _, _, ok := s.nextEvent(); !ok {
		t.Fatal("no first event")
	}
	s.cancel()
	// The handler's request log line is written when it returns; wait for it (bounded by the test's
	// own timeout, so a handler that never returns fails the run).
	for !strings.Contains(string(h.logs.Bytes()), `"route":"GET /v1/payments/{id}/events"`) {
		time.Sleep(5 * time.Millisecond)
	}
	if open := h.get("/metrics", ""); !strings.Contains(string(open.body), "hushpay_http_event_streams 0") {
		t.Errorf("an event stream is still counted as open")
	}
}
