package web

import (
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func FuzzParseHint(f *testing.F) {
	f.Add(`{"field":"card_number","state":"partial","length":6,"brand":"visa"}`)
	f.Add(`{"field":"card_number","state":"partial","length":16,"value":"4242424242424242"}`)
	f.Add(`{"field":"expiry"}{"field":"expiry"}`)
	p := &hushpay.Payment{Capture: hushpay.DefaultCapture(hushpay.MethodCard)}
	f.Fuzz(func(t *testing.T, body string) {
		hn, err := parseHint([]byte(body))
		if err != nil || !hn.valid(p) {
			return
		}
		v := viewOf(p, map[hushpay.FieldName]hint{hn.Field: hn})
		for _, fv := range v.Fields {
			if len(fv.Words) > 120 || strings.ContainsAny(fv.Brand+fv.State, "0123456789") {
				t.Fatalf("a hint put free text in the agent's view: %+v", fv)
			}
		}
	})
}

func FuzzMinorUnits(f *testing.F) {
	f.Add("12.50", "USD")
	f.Add("99999999999.99", "JPY")
	f.Add("0.001", "BHD")
	f.Fuzz(func(t *testing.T, amount, currency string) {
		n, err := minorUnits(amount, currency)
		if err == nil && n <= 0 {
			t.Fatalf("accepted %d", n)
		}
		if err != nil && strings.Contains(err.Error(), amount) && len(amount) > 3 {
			t.Fatalf("error echoes the input: %v", err)
		}
	})
}

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             int64
		ok               bool
	}{
		{"12.50", "usd", 1250, true},
		{"12.5", "USD", 1250, true},
		{"12", "USD", 1200, true},
		{"1000", "JPY", 1000, true},
		{"1.5", "JPY", 0, false},
		{"12.505", "USD", 0, false},
		{"-1", "USD", 0, false},
		{"0", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{"12.50", "XXX1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.currency, func(t *testing.T) {
			got, err := minorUnits(tt.amount, tt.currency)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("got %d, %v", got, err)
			}
		})
	}
}
