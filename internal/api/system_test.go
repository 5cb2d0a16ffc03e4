package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/api"
)

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t)
	if res := h.get("/healthz", ""); res.status != http.StatusOK {
		t.Errorf("healthz: %d", res.status)
	}
	if res := h.get("/readyz", ""); res.status != http.StatusOK {
		t.Errorf("readyz while the database answers: %d", res.status)
	}
	h.ready = errors.New("sqlite: database is closed at /var/lib/hushpay/hushpay.db")
	res := h.get("/readyz", "")
	if res.status != http.StatusServiceUnavailable {
		t.Errorf("readyz while the database fails: %d, want 503", res.status)
	}
	if strings.Contains(string(res.body), "/var/lib") {
		t.Errorf("readyz tells the detail: %s", res.body)
	}
	if res := h.get("/healthz", ""); res.status != http.StatusOK {
		t.Errorf("healthz while the database fails: %d, want 200", res.status)
	}
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	h := newHarness(t)
	p := h.newPayment(tenant, false)
	h.get("/v1/payments/"+p.ID, h.keys[hushpay.RoleAgent])
	h.get("/v1/payments/"+p.ID+"?x=4242424242424242", h.keys[hushpay.RoleAgent])
	h.get("/v1/payments/pay_missing", h.keys[hushpay.RoleAgent])
	h.get("/v1/no/such/route/"+p.ID, "")

	res := h.get("/metrics", "")
	if res.status != http.StatusOK {
		t.Fatalf("metrics: %d", res.status)
	}
	body := string(res.body)
	for _, want := range []string{
		`hushpay_http_requests_total{code="200",method="GET",route="GET /v1/payments/{id}"} 2`,
		`hushpay_http_requests_total{code="404",method="GET",route="GET /v1/payments/{id}"} 1`,
		`hushpay_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`hushpay_http_request_duration_seconds_bucket{method="GET",route="GET /v1/payments/{id}",le="+Inf"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The whole card number, not a piece of it: the Go and process collectors print dozens of
	// numbers, any of which may hold "4242" by chance.
	for _, leak := range []string{p.ID, "pay_missing", "4242424242424242", "x=", "/no/such"} {
		if strings.Contains(body, leak) {
			t.Errorf("metrics hold %q", leak)
		}
	}
}

func TestOneLogLinePerRequestWithoutValues(t *testing.T) {
	h := newHarness(t)
	p := h.newPayment(tenant, false)
	h.get("/v1/payments/"+p.ID+"?reference=secret-ref", h.keys[hushpay.RoleAuditor])
	h.post("/v1/payments", h.keys[hushpay.RoleAgent], `{"amount": 100, "currency": "usd", "reference": "ref-in-body"}`)
	h.get("/healthz", "")

	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(h.logs.Bytes()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		if line["msg"] == "http request" {
			lines = append(lines, line)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("%d request lines for 3 requests", len(lines))
	}
	want := []struct{ route, actor string }{
		{"GET /v1/payments/{id}", "apikey:"},
		{"POST /v1/payments", "apikey:"},
		{"GET /healthz", ""},
	}
	for i, w := range want {
		l := lines[i]
		if l["route"] != w.route || !strings.HasPrefix(l["actor"].(string), w.actor) || (w.actor == "" && l["actor"] != "") {
			t.Errorf("line %d = %v, want route %q actor %q…", i, l, w.route, w.actor)
		}
		for _, key := range []string{"method", "status", "duration"} {
			if _, ok := l[key]; !ok {
				t.Errorf("line %d lacks %s", i, key)
			}
		}
	}
	logs := string(h.logs.Bytes())
	for _, leak := range []string{p.ID, "secret-ref", "ref-in-body", h.keys[hushpay.RoleAgent]} {
		if strings.Contains(logs, leak) {
			t.Errorf("the log holds %q", leak)
		}
	}
}

func TestThePaymentObjectHasExactlyTheSpecFields(t *testing.T) {
	h := newHarness(t)
	p := h.paidPayment(tenant, "4242424242424242")
	h.post("/v1/payments/"+p.ID+"/refund", h.keys[hushpay.RoleAdmin], `{"amount": 50}`)
	got := h.get("/v1/payments/"+p.ID, h.keys[hushpay.RoleAgent]).json(t)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"amount", "amount_refunded", "auto_submit", "call_id", "capture", "created_at", "currency",
		"current_field", "description", "expires_at", "fields", "id", "metadata", "method", "outcome", "reference",
		"refunds", "state", "token_type", "updated_at"}
	if !slices.Equal(keys, want) {
		t.Errorf("payment keys = %v\nwant %v", keys, want)
	}
	if got["call_id"] != nil || got["state"] != "succeeded" || got["amount_refunded"] != float64(50) {
		t.Errorf("payment = %v", got)
	}
	card := got["fields"].(map[string]any)["card_number"].(map[string]any)
	if card["last4"] != "4242" || card["brand"] == "" {
		t.Errorf("card field = %v", card)
	}
	refund := got["refunds"].([]any)[0].(map[string]any)
	if len(refund) != 3 || refund["amount"] != float64(50) {
		t.Errorf("refund = %v, want {id, amount, created_at}", refund)
	}
	if outcome := got["outcome"].(map[string]any); outcome["code"] != "approved" {
		t.Errorf("outcome = %v", outcome)
	}
}

func TestCurrencyComesBackUpperCase(t *testing.T) {
	h := newHarness(t)
	res := h.post("/v1/payments", h.keys[hushpay.RoleAgent], `{"amount": 500, "currency": "gbp", "reference": "r"}`)
	if res.status != http.StatusCreated || res.json(t)["currency"] != "GBP" {
		t.Errorf("create: %d %s", res.status, res.body)
	}
}

func TestServiceValidationReachesTheClient(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ name, body, field string }{
		{"a zero amount", `{"amount": 0, "currency": "usd", "reference": "r"}`, "amount"},
		{"a negative amount", `{"amount": -5, "currency": "usd", "reference": "r"}`, "amount"},
		{"an unknown currency", `{"amount": 5, "currency": "usx", "reference": "r"}`, "currency"},
		{"an unknown method", `{"amount": 5, "currency": "usd", "reference": "r", "method": "cash"}`, "method"},
	}
	fieldCode := regexp.MustCompile(`^[a-z_]+$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := countPayments(t, h, "r")
			res := h.post("/v1/payments", h.keys[hushpay.RoleAgent], tt.body)
			code, field := res.errorCode(t)
			if res.status != http.StatusBadRequest || field != tt.field || !fieldCode.MatchString(code) {
				t.Errorf("got %d %s on %q, want 400 on %q", res.status, code, field, tt.field)
			}
			if countPayments(t, h, "r") != before {
				t.Errorf("a payment was created")
			}
		})
	}
}

func TestAPanickingHandlerAnswers500AndTheServerGoesOn(t *testing.T) {
	h := newHarness(t, decorate(func(next api.Payments) api.Payments {
		return getHook{Payments: next, get: func(context.Context, hushpay.Principal, string) (*hushpay.Payment, error) {
			panic("4242424242424242 exploded")
		}}
	}))
	res := h.get("/v1/payments/pay_x", h.keys[hushpay.RoleAgent])
	if code, _ := res.errorCode(t); res.status != http.StatusInternalServerError || code != "internal_error" {
		t.Fatalf("got %d %s, want 500 internal_error", res.status, code)
	}
	if strings.Contains(string(res.body), "exploded") || strings.Contains(string(res.body), "goroutine") {
		t.Errorf("the response tells the panic: %s", res.body)
	}
	if res := h.get("/v1/payments", h.keys[hushpay.RoleAgent]); res.status != http.StatusOK {
		t.Errorf("after the panic: %d", res.status)
	}
	// The harness scans the log for the card number in the panic value when the test ends.
}
