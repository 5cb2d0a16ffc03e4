package card

import "testing"

// stripeCards are public test card numbers (Stripe's documentation) with their brands.
var stripeCards = []struct {
	number string
	brand  Brand
}{
	{"4242424242424242", Visa},
	{"4000056655665556", Visa},
	{"4000000000000002", Visa},
	{"5555555555554444", Mastercard},
	{"2223003122003222", Mastercard},
	{"5200828282828210", Mastercard},
	{"5105105105105100", Mastercard},
	{"378282246310005", Amex},
	{"371449635398431", Amex},
	{"6011111111111117", Discover},
	{"6011000990139424", Discover},
	{"6011981111111113", Discover},
	{"3056930009020004", Diners},
	{"36227206271667", Diners},
	{"3566002020360505", JCB},
	{"6200000000000005", UnionPay},
	{"6205500000000000004", UnionPay},
}

func TestLuhn(t *testing.T) {
	for _, c := range stripeCards {
		t.Run(c.number[:6]+"_passes", func(t *testing.T) {
			if !Luhn(c.number) {
				t.Errorf("Luhn(test card) = false, want true")
			}
			if !Luhn([]byte(c.number)) {
				t.Errorf("Luhn([]byte(test card)) = false, want true")
			}
		})
		t.Run(c.number[:6]+"_with_a_changed_last_digit_fails", func(t *testing.T) {
			if Luhn(withBadCheckDigit(c.number)) {
				t.Errorf("Luhn = true, want false")
			}
		})
	}
	for _, tc := range []struct {
		name   string
		digits string
		want   bool
	}{
		{"empty", "", false},
		{"one digit", "0", false},
		{"two zeros", "00", true},
		{"known valid 79927398713", "79927398713", true},
		{"known invalid 79927398710", "79927398710", false},
		{"space inside", "4242 4242 4242 4242", false},
		{"letter inside", "42424242424242a2", false},
		{"dash", "4242-4242", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Luhn(tc.digits); got != tc.want {
				t.Errorf("Luhn = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWithCheckDigitMatchesPublishedNumbers(t *testing.T) {
	for _, c := range stripeCards {
		if got := withCheckDigit(c.number[:len(c.number)-1]); got != c.number {
			t.Errorf("withCheckDigit(%s…) = …%s, want the published check digit", c.number[:6], got[len(got)-1:])
		}
	}
}
