package card_test

import (
	"fmt"

	"github.com/hushpay/hushpay/internal/card"
)

// The brand shows as soon as the digits typed so far decide it.
func ExampleBrandOf() {
	for _, prefix := range []string{"3", "37", "5", "55", "62", "620"} {
		b, ok := card.BrandOf(prefix)
		fmt.Printf("%s: %q %v\n", prefix, b, ok)
	}
	// Output:
	// 3: "" false
	// 37: "amex" true
	// 5: "" false
	// 55: "mastercard" true
	// 62: "" false
	// 620: "unionpay" true
}

func ExampleValidatePAN() {
	info, code := card.ValidatePAN("378282246310005", []card.Brand{card.Visa, card.Amex})
	fmt.Println(info.Brand, info.Lengths, info.SecurityCodeLen, code == "")
	_, code = card.ValidatePAN("4242424242424241", nil)
	fmt.Println(code)
	// Output:
	// amex [15] 4 true
	// luhn
}
