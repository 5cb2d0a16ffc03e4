package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestRequestBodiesAreParsedStrictly(t *testing.T) {
	h := newHarness(t)
	key := h.keys[hushpay.RoleAgent]
	tests := []struct {
		name        string
		path        string
		contentType string
		body        string
		status      int
		code        string
		field       string
	}{
		{"malformed JSON", "/v1/payments", "application/json", `{"amount": 100,`, 400, "invalid_json", ""},
		{"not an object", "/v1/payments", "application/json", `[1, 2]`, 400, "invalid_json", ""},
		{"null", "/v1/payments", "application/json", `null`, 400, "invalid_json", ""},
		{"an unknown field", "/v1/payments", "application/json", `{"amount": 100, "colour": "red"}`, 400, "unknown_field", "colour"},
		{"an unknown field named like a card", "/v1/payments", "application/json", `{"4242424242424242": 1}`, 400, "unknown_field", ""},
		{"a string amount", "/v1/payments", "application/json", `{"amount": "100"}`, 400, "invalid_type", "amount"},
		{"a fractional amount", "/v1/payments", "application/json", `{"amount": 10.5}`, 400, "invalid_type", "amount"},
		{"a numeric currency", "/v1/payments", "application/json", `{"currency": 840}`, 400, "invalid_type", "currency"},
		{"a capture that is not a list", "/v1/payments", "application/json", `{"capture": "card_number"}`, 400, "invalid_type", "capture"},
		{"a metadata value that is not a string", "/v1/payments", "application/json", `{"metadata": {"order": 5}}`, 400, "invalid_type", "metadata"},
		{"a metadata key like a card number", "/v1/payments", "application/json", `{"metadata": {"5555555555554444": 5}}`, 400, "invalid_type", "metadata"},
		{"trailing data", "/v1/payments", "application/json", `{"amount": 100} {"amount": 200}`, 400, "invalid_json", ""},
		{"trailing garbage", "/v1/payments", "application/json", `{"amount": 100} x`, 400, "invalid_json", ""},
		{"an empty body where one is required", "/v1/payments", "application/json", ``, 400, "invalid_json", ""},
		{"a form body", "/v1/payments", "application/x-www-form-urlencoded", `amount=100`, 415, "unsupported_media_type", ""},
		{"no content type", "/v1/payments", "", `{"amount": 100}`, 415, "unsupported_media_type", ""},
		{"a body on submit", "/v1/payments/pay_x/submit", "application/json", `{"force": true}`, 400, "unknown_field", "force"},
		{"a string refund amount", "/v1/payments/pay_x/refund", "application/json", `{"amount": "5"}`, 400, "invalid_type", "amount"},
		{"a capture without a field", "/v1/payments/pay_x/capture", "application/json", `{}`, 400, "missing_field", "field"},
		{"a link with chat as a string", "/v1/payments/pay_x/link", "application/json", `{"chat": "yes"}`, 400, "invalid_type", "chat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request{method: http.MethodPost, path: tt.path, key: h.keys[hushpay.RoleSupervisor], body: tt.body,
				header: map[string]string{"Content-Type": tt.contentType}}
			if tt.path == "/v1/payments" {
				req.key = key
			}
			res := h.do(req)
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", res.status, tt.status, res.body)
			}
			code, field := res.errorCode(t)
			if code != tt.code || field != tt.field {
				t.Errorf("error = %s on %q, want %s on %q", code, field, tt.code, tt.field)
			}
		})
	}
}

func TestErrorsNeverEchoTheInput(t *testing.T) {
	h := newHarness(t)
	bodies := []string{
		`{"amount": "4242424242424242"}`,
		`{"metadata": {"pan": 4242424242424242}}`,
		`{"reference": 4242424242424242}`,
		`{"4242 4242 4242 4242": true}`,
		`{"amount": 4242424242424242424242424242}`,
		`{"currency": "4242424242424242`,
	}
	for _, body := range bodies {
		res := h.post("/v1/payments", h.keys[hushpay.RoleAgent], body)
		if res.status != http.StatusBadRequest {
			t.Errorf("status = %d, want 400", res.status)
		}
		if strings.Contains(string(res.body), "4242") {
			t.Errorf("the error repeats the input: %s", res.body)
		}
	}
	// The harness scans these responses for the card number again when the test ends.
}

func TestBodiesOverOneMebibyteAreRefused(t *testing.T) {
	h := newHarness(t)
	big := `{"description": "` + strings.Repeat("x", 1<<20) + `"}`
	t.Run("with a Content-Length", func(t *testing.T) {
		res := h.post("/v1/payments", h.keys[hushpay.RoleAgent], big)
		if res.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d, want 413", res.status)
		}
		if code, _ := res.errorCode(t); code != "body_too_large" {
			t.Errorf("code = %q", code)
		}
	})
	t.Run("streamed without a length", func(t *testing.T) {
		res := h.doStreamed(http.MethodPost, "/v1/payments", h.keys[hushpay.RoleAgent], big)
		if res.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d, want 413", res.status)
		}
	})
	t.Run("with an Idempotency-Key", func(t *testing.T) {
		res := h.do(request{method: http.MethodPost, path: "/v1/payments", key: h.keys[hushpay.RoleAgent], body: big,
			header: map[string]string{"Idempotency-Key": "big-1"}})
		if res.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status = %d, want 413", res.status)
		}
	})
}

func TestListQueries(t *testing.T) {
	h := newHarness(t)
	key := h.keys[hushpay.RoleAuditor]
	tests := []struct {
		name, path  string
		code, field string
	}{
		{"a limit above 100", "/v1/payments?limit=101", "invalid_limit", "limit"},
		{"a zero limit", "/v1/payments?limit=0", "invalid_limit", "limit"},
		{"a limit that is not a number", "/v1/calls?limit=ten", "invalid_limit", "limit"},
		{"an unknown payment state", "/v1/payments?state=paid", "invalid_state", "state"},
		{"an unknown call state", "/v1/calls?state=paid", "invalid_state", "state"},
		{"an unknown parameter", "/v1/payments?colour=red", "unknown_parameter", "colour"},
		{"a calls filter on payments", "/v1/payments?sip_call_id=abc", "unknown_parameter", "sip_call_id"},
		{"a repeated parameter", "/v1/payments?state=ready&state=created", "invalid_parameter", "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.get(tt.path, key)
			if res.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400: %s", res.status, res.body)
			}
			if code, field := res.errorCode(t); code != tt.code || field != tt.field {
				t.Errorf("error = %s on %q, want %s on %q", code, field, tt.code, tt.field)
			}
		})
	}
}

func TestUnknownRoutesAndMethodsAnswerJSON(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"an unknown path", "GET", "/v1/nothing", 404, "route_not_found"},
		{"the root", "GET", "/", 404, "route_not_found"},
		{"DELETE on payments", "DELETE", "/v1/payments", 405, "method_not_allowed"},
		{"GET on submit", "GET", "/v1/payments/pay_x/submit", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(request{method: tt.method, path: tt.path, key: h.keys[hushpay.RoleAdmin]})
			if res.status != tt.status {
				t.Fatalf("status = %d, want %d", res.status, tt.status)
			}
			if code, _ := res.errorCode(t); code != tt.code {
				t.Errorf("code = %q, want %q", code, tt.code)
			}
			if tt.status == 405 && res.header.Get("Allow") == "" {
				t.Errorf("405 without an Allow header")
			}
		})
	}
}
