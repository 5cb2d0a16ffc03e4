package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hushpay/hushpay"
)

// heartbeat keeps the desktop's event stream open through proxies.
const heartbeat = 15 * time.Second

// apiEvents streams the payment's masked view as Server-Sent Events ("event: payment"), merging
// the service's events with the payment page's hints, until the payment is final or the agent
// leaves.
func (h *Handler) apiEvents(w http.ResponseWriter, r *http.Request, who *signedIn) {
	id := r.PathValue("id")
	events, err := h.cfg.Payments.Subscribe(r.Context(), who.user.Principal(), id)
	if err != nil {
		h.writeError(w, err)
		return
	}
	woken, cancel := h.hints.subscribe(id)
	defer cancel()
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	var last *hushpay.Payment
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-events:
			if !ok {
				return
			}
			last = e.Payment
		case <-woken:
			if last == nil {
				continue
			}
		case <-tick.C:
			fmt.Fprint(w, ": heartbeat\n\n")
			flush(flusher)
			continue
		}
		if err := writeEvent(w, viewOf(last, h.hints.get(id))); err != nil {
			return
		}
		flush(flusher)
		if last.State.Final() {
			h.hints.forget(id)
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, v paymentView) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: payment\ndata: %s\n\n", b)
	return err
}

func flush(f http.Flusher) {
	if f != nil {
		f.Flush()
	}
}
