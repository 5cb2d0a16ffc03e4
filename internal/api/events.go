package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hushpay/hushpay"
)

// events streams a payment's masked progress as Server-Sent Events:
//
//	id: <event id>
//	event: <event type>
//	data: {"id":…,"type":…,"created_at":…,"payment":{…}}
//
// The first event is the payment as it is now. A comment line (": heartbeat") keeps an idle stream
// open. The stream ends when the client goes, the service closes it, or the payment is final.
func (s *server) events(w http.ResponseWriter, r *http.Request, p hushpay.Principal) error {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	events, err := s.payments.Subscribe(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return nil
	}
	s.metrics.streams.Inc()
	defer s.metrics.streams.Dec()
	s.stream(ctx, w, rc, events)
	return nil
}

// stream copies events to the client until one of the ends described at events.
func (s *server) stream(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, events <-chan hushpay.Event) {
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case e, ok := <-events:
			if !ok {
				return
			}
			if err := writeEvent(w, e); err != nil || rc.Flush() != nil {
				return
			}
			if e.Payment != nil && e.Payment.State.Final() {
				return
			}
		}
	}
}

func writeEvent(w http.ResponseWriter, e hushpay.Event) error {
	data, err := json.Marshal(viewEvent(e))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", oneLine(e.ID), oneLine(string(e.Type)), data)
	return err
}

// oneLine keeps a value from breaking the event framing.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return s[:i]
		}
	}
	return s
}
