package api_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/payments"
)

// principal acts for the test fixtures, straight on the service.
func principal(tenant string) hushpay.Principal {
	return hushpay.Principal{Tenant: tenant, Role: hushpay.RoleAdmin, Actor: "test:fixture"}
}

// newCall stores an active call of the tenant, as the voice path would.
func (h *harness) newCall(tenant string) *hushpay.Call {
	h.t.Helper()
	id := "call_" + randomHex()
	c := &hushpay.Call{ID: id, Tenant: tenant, State: hushpay.CallActive, StartedAt: time.Now().UTC(),
		Legs: []hushpay.CallLeg{
			{Role: hushpay.LegCaller, SIPCallID: "in-" + id, From: "sip:+14155550100@carrier.example", To: "sip:support@acme.example"},
			{Role: hushpay.LegAgent, SIPCallID: "out-" + id, From: "sip:+14155550100@hushpay", To: "sip:agents@pbx.example"},
		}}
	if err := h.store.CreateCall(context.Background(), c); err != nil {
		h.t.Fatal(err)
	}
	return c
}

// newPayment creates a card payment of the tenant, on a new call when onCall is set.
func (h *harness) newPayment(tenant string, onCall bool) *hushpay.Payment {
	h.t.Helper()
	req := payments.CreateRequest{Amount: 1250, Currency: "usd", Reference: "inv-" + randomHex()}
	if onCall {
		req.CallID = h.newCall(tenant).ID
	}
	p, err := h.svc.Create(context.Background(), principal(tenant), req)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// press presses keypad keys on a payment's call.
func (h *harness) press(p *hushpay.Payment, keys string) {
	h.t.Helper()
	for i := 0; i < len(keys); i++ {
		if _, err := h.svc.Key(context.Background(), p.Tenant, p.ID, keys[i]); err != nil {
			h.t.Fatal(err)
		}
	}
}

// readyPayment is a payment on a call whose card fields were keyed and are valid.
func (h *harness) readyPayment(tenant, cardNumber string) *hushpay.Payment {
	h.t.Helper()
	p := h.newPayment(tenant, true)
	h.press(p, cardNumber+"#"+"1230"+securityCode(cardNumber))
	got, err := h.svc.Get(context.Background(), principal(tenant), p.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	if got.State != hushpay.PaymentReady {
		h.t.Fatalf("keyed payment is %s, want ready", got.State)
	}
	return got
}

// paidPayment is a payment that succeeded through the secure link form.
func (h *harness) paidPayment(tenant, cardNumber string) *hushpay.Payment {
	h.t.Helper()
	ctx := context.Background()
	p := h.newPayment(tenant, false)
	link, err := h.svc.CreateLink(ctx, principal(tenant), p.ID, payments.LinkRequest{})
	if err != nil {
		h.t.Fatal(err)
	}
	got, err := h.svc.SubmitLink(ctx, linkToken(h.t, link.URL), map[hushpay.FieldName]string{
		hushpay.FieldCardNumber: cardNumber, hushpay.FieldExpiry: "12/30", hushpay.FieldSecurityCode: securityCode(cardNumber)})
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// linkToken is the last path segment of a secure link.
func linkToken(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path[strings.LastIndex(u.Path, "/")+1:]
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// securityCode is a well-formed security code for the card's brand (four digits for Amex).
func securityCode(cardNumber string) string {
	if len(cardNumber) == 15 {
		return "1234"
	}
	return "123"
}
