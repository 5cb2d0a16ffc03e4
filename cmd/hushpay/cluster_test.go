package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay/internal/store/storetest"
)

// TestServeNodesShareEventsOnPostgreSQL runs two serve processes on one PostgreSQL database: a
// payment's event stream opened on one shows the cancel made through the other's API.
func TestServeNodesShareEventsOnPostgreSQL(t *testing.T) {
	env := map[string]string{"HUSHPAY_DATABASE": storetest.PostgresURL(t), "HUSHPAY_DATA_DIR": t.TempDir()} // one dev key for both
	a := startServer(t, env)
	defer a.stop()
	b := startServer(t, env)
	defer b.stop()
	for _, s := range []*server{a, b} {
		guard := time.Now().Add(20 * time.Second)
		for !strings.Contains(s.logs.String(), "cluster: listening") {
			if time.Now().After(guard) {
				t.Fatalf("a node does not listen to the others; logs:\n%s", s.logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	agent := a.apiKey("agent")
	var p paymentView
	if st := b.json("POST", "/v1/payments", agent, map[string]any{"amount": 1250, "currency": "usd", "reference": "INV-1001"}, &p); st != 201 {
		t.Fatalf("create on b: status %d", st)
	}
	events := a.streamEvents(agent, p.ID)
	if st := b.json("POST", "/v1/payments/"+p.ID+"/cancel", agent, nil, nil); st != 200 {
		t.Fatalf("cancel on b: status %d", st)
	}
	if stream := events(); !strings.Contains(stream, "payment.cancelled") || !strings.Contains(stream, `"state":"cancelled"`) {
		t.Fatalf("a's event stream does not show b's cancel:\n%s", stream)
	}
}
