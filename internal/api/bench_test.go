package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

// BenchmarkCreatePayment measures POST /v1/payments through the whole handler (authentication,
// idempotency, the service and SQLite), without the network.
func BenchmarkCreatePayment(b *testing.B) {
	h := newHarness(b)
	handler := h.server.Config.Handler
	key := "Bearer " + h.keys[hushpay.RoleAgent]
	body := `{"amount": 1250, "currency": "usd", "reference": "bench"}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/v1/payments", strings.NewReader(body))
		r.Header.Set("Authorization", key)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkGetPayment measures GET /v1/payments/{id} through the whole handler.
func BenchmarkGetPayment(b *testing.B) {
	h := newHarness(b)
	handler := h.server.Config.Handler
	key := "Bearer " + h.keys[hushpay.RoleAgent]
	path := "/v1/payments/" + h.newPayment(tenant, true).ID
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", key)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
