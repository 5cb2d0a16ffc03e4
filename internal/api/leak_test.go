package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hushpay/hushpay"
)

// TestNoCardNumberReachesAResponseOrTheLog drives every test card through the API, by keypad and
// by secure link, then scans every response (headers and bodies, event streams included) and every
// log line, the API's and the service's, for the card numbers in any grouping.
func TestNoCardNumberReachesAResponseOrTheLog(t *testing.T) {
	h := newHarness(t)
	agent, supervisor := h.keys[hushpay.RoleAgent], h.keys[hushpay.RoleSupervisor]
	ctx := context.Background()

	for _, card := range testCards {
		// Keypad: create on a call through the API, key the card, submit through the API.
		call := h.newCall(tenant)
		created := h.post("/v1/payments", agent, `{"amount": 900, "currency": "usd", "reference": "leak", "call_id": "`+call.ID+`"}`)
		if created.status != http.StatusCreated {
			t.Fatalf("create: %d %s", created.status, created.body)
		}
		id := created.json(t)["id"].(string)
		p, err := h.svc.Get(ctx, principal(tenant), id)
		if err != nil {
			t.Fatal(err)
		}
		h.press(p, card+"#1230"+securityCode(card))
		h.post("/v1/payments/"+id+"/submit", agent, "")
		h.get("/v1/payments/"+id, agent)
		h.get("/v1/payments/"+id+"/events", agent)

		// Secure link: the form path of the service, then everything an agent can read.
		paid := h.paidPayment(tenant, card)
		h.get("/v1/payments/"+paid.ID, agent)
		h.get("/v1/payments/"+paid.ID+"/events", agent)
		h.post("/v1/payments/"+paid.ID+"/refund", supervisor, `{}`)
	}
	h.get("/v1/payments?limit=100", agent)
	h.get("/v1/calls?limit=100", agent)

	// Card numbers where they do not belong: refused without being repeated.
	for _, body := range []string{
		`{"amount": 900, "currency": "usd", "reference": "4242424242424242"}`,
		`{"amount": 900, "currency": "usd", "reference": "r", "description": "card 4242 4242 4242 4242"}`,
		`{"amount": 900, "currency": "usd", "reference": "r", "metadata": {"note": "5555-5555-5555-4444"}}`,
	} {
		if res := h.post("/v1/payments", agent, body); res.status != http.StatusBadRequest {
			t.Errorf("a request with a card number in free text: %d, want 400", res.status)
		}
	}

	h.mu.Lock()
	n := len(h.responses)
	h.mu.Unlock()
	if n < 7*len(testCards) {
		t.Fatalf("only %d responses were kept to scan", n)
	}
	// checkSinks runs at cleanup; run it now too, so this test fails by name.
	h.checkSinks()
}

func TestTheCardScannerFindsEveryGrouping(t *testing.T) {
	for _, sample := range []string{`{"x":"4242424242424242"}`, "card 4242 4242 4242 4242.", "3782-822463-10005"} {
		if findCard([]byte(sample)) == "" {
			t.Errorf("findCard misses %q", sample)
		}
	}
	if card := findCard([]byte(`{"last4":"4242","length":16}`)); card != "" {
		t.Errorf("findCard reports %q in a masked payment", card)
	}
}
