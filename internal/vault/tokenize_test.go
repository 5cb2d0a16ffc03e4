package vault_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
	"github.com/hushpay/hushpay/internal/vault"
)

func TestTokenizeRejectsMalformedInstruments(t *testing.T) {
	v := newVault(t, newMemStore(), ring(t, "1:"+newKey(t)))
	withCard := func(modify func(in *vault.Instrument)) vault.Instrument {
		in := visa()
		modify(&in)
		return in
	}
	cases := []struct {
		name   string
		tenant string
		in     vault.Instrument
		field  string
	}{
		{"no tenant", "", visa(), "tenant"},
		{"a tenant with the separator", "a|b", visa(), "tenant"},
		{"nothing to tokenize", "t", vault.Instrument{}, "instrument"},
		{"a card and an account", "t", withCard(func(in *vault.Instrument) { in.Account = bank().Account }), "instrument"},
		{"an 11-digit card number", "t", withCard(func(in *vault.Instrument) { in.PAN = card.NewPAN("42424242424") }), "card_number"},
		{"a card number with a space", "t", withCard(func(in *vault.Instrument) { in.PAN = card.NewPAN("4242 4242424242424") }), "card_number"},
		{"month 0", "t", withCard(func(in *vault.Instrument) { in.ExpMonth = 0 }), "expiry"},
		{"a two-digit year", "t", withCard(func(in *vault.Instrument) { in.ExpYear = 30 }), "expiry"},
		{"a short routing number", "t", vault.Instrument{RoutingNumber: "11000000", Account: card.NewAccountNumber("000123456789")}, "routing_number"},
		{"an 18-digit account", "t", vault.Instrument{RoutingNumber: "110000000", Account: card.NewAccountNumber("000123456789000000")}, "account_number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Tokenize(tc.tenant, tc.in, false)
			var herr *hushpay.Error
			if !errors.As(err, &herr) || herr.Kind != hushpay.KindInvalid || herr.Field != tc.field {
				t.Fatalf("Tokenize error %v, want KindInvalid on field %q", err, tc.field)
			}
			if strings.Contains(err.Error(), "4242") || strings.Contains(err.Error(), "0001234") {
				t.Errorf("error %q shows the input", err)
			}
		})
	}
}
