package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestEveryKindMapsToItsStatus(t *testing.T) {
	tests := []struct {
		kind   hushpay.Kind
		status int
	}{
		{hushpay.KindInvalid, 400},
		{hushpay.KindUnauthenticated, 401},
		{hushpay.KindForbidden, 403},
		{hushpay.KindNotFound, 404},
		{hushpay.KindConflict, 409},
		{hushpay.KindGone, 410},
		{hushpay.KindTooLarge, 413},
		{hushpay.KindRateLimited, 429},
		{hushpay.KindOther, 500},
		{hushpay.KindUnavailable, 503},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			err := fmt.Errorf("payments.get: %w", &hushpay.Error{Kind: tt.kind, Message: "said to the client"})
			status, d := describe(err)
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if d.Code == "" || d.Message == "" {
				t.Errorf("error body without a code or message: %+v", d)
			}
		})
	}
}

func TestClientErrorsKeepCodeMessageAndField(t *testing.T) {
	err := hushpay.FieldError("currency", "invalid_currency", "currency must be an ISO 4217 code")
	status, d := describe(fmt.Errorf("wrapped: %w", err))
	want := errorDetail{Code: "invalid_currency", Message: "currency must be an ISO 4217 code", Field: "currency"}
	if status != 400 || d != want {
		t.Errorf("describe = %d %+v, want 400 %+v", status, d, want)
	}
}

func TestServerErrorsHideTheirDetail(t *testing.T) {
	secret := "dial tcp 10.0.0.7:5432: connection refused"
	tests := []struct {
		name string
		err  error
	}{
		{"a plain error", errors.New(secret)},
		{"an internal kind", &hushpay.Error{Kind: hushpay.KindOther, Code: "db", Message: secret, Field: "x"}},
		{"an unavailable dependency", &hushpay.Error{Kind: hushpay.KindUnavailable, Message: secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, d := describe(tt.err)
			if status < 500 {
				t.Fatalf("status = %d, want 5xx", status)
			}
			if strings.Contains(d.Message, "10.0.0.7") || d.Field != "" {
				t.Errorf("the client sees the detail: %+v", d)
			}
		})
	}
}

func TestHTTPErrorsKeepTheirStatus(t *testing.T) {
	status, d := describe(&httpError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: "m"})
	if status != 415 || d.Code != "unsupported_media_type" {
		t.Errorf("describe = %d %+v", status, d)
	}
}

func TestSafeFieldCutsWhatCouldBeData(t *testing.T) {
	tests := []struct{ in, want string }{
		{"amount", "amount"},
		{"metadata.order_id", "metadata.order_id"},
		{"metadata.4242424242424242", "metadata"},
		{"metadata.ref 1", "metadata"},
		{"4111", ""},
		{"", ""},
		{strings.Repeat("a", 65), ""},
	}
	for _, tt := range tests {
		if got := safeField(tt.in); got != tt.want {
			t.Errorf("safeField(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
