package sqlstore

import (
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestDecodeJSONDoesNotQuoteValues(t *testing.T) {
	tests := map[string]string{
		"a number where a string belongs": `{"id": 4242424242424242}`,
		"a string where a number belongs": `{"amount": "4242424242424242"}`,
		"malformed":                       `{"id": "4242424242424242"`,
		"not an object":                   `"4242424242424242"`,
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			var p hushpay.Payment
			err := DecodeJSON("payment", []byte(data), &p)
			if err == nil {
				t.Fatal("DecodeJSON accepted it")
			}
			if strings.Contains(err.Error(), "4242") {
				t.Errorf("the error %q quotes the row", err)
			}
		})
	}
}
