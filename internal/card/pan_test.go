package card

import (
	"slices"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
)

func TestCheckPAN(t *testing.T) {
	visa13 := "4222222222222"
	visa19 := padTo("4", 19)
	for _, tc := range []struct {
		name      string
		digits    string
		accepted  []Brand
		wantBrand Brand
		wantCode  hushpay.FieldErrorCode
	}{
		{"visa 13 digits", visa13, nil, Visa, ""},
		{"visa 16 digits", "4242424242424242", nil, Visa, ""},
		{"visa 19 digits", visa19, nil, Visa, ""},
		{"visa 15 digits is the wrong length", padTo("4", 15), nil, Visa, hushpay.ErrLength},
		{"visa 17 digits is the wrong length", padTo("4", 17), nil, Visa, hushpay.ErrLength},
		{"mastercard 2-series", "2223003122003222", nil, Mastercard, ""},
		{"mastercard 2720 edge", padTo("2720", 16), nil, Mastercard, ""},
		{"mastercard 15 digits", padTo("51", 15), nil, Mastercard, hushpay.ErrLength},
		{"amex 15", "378282246310005", nil, Amex, ""},
		{"amex 16 is the wrong length", padTo("37", 16), nil, Amex, hushpay.ErrLength},
		{"discover 622126 edge", padTo("622126", 16), nil, Discover, ""},
		{"unionpay 622926 edge", padTo("622926", 16), nil, UnionPay, ""},
		{"diners 14", "36227206271667", nil, Diners, ""},
		{"jcb 19", padTo("3530", 19), nil, JCB, ""},
		{"maestro 12", padTo("6759", 12), nil, Maestro, ""},
		{"unknown range, any brand accepted", padTo("9", 16), nil, "", ""},
		{"unknown range, brands restricted", padTo("9", 16), []Brand{Visa}, "", hushpay.ErrBrandNotAccepted},
		{"unknown range, 11 digits", padTo("9", 11), nil, "", hushpay.ErrLength},
		{"unknown range, 20 digits", padTo("9", 20), nil, "", hushpay.ErrLength},
		{"bad check digit", "4242424242424241", nil, Visa, hushpay.ErrLuhn},
		{"brand not accepted comes before length", "3782", []Brand{Visa, Mastercard}, Amex, hushpay.ErrBrandNotAccepted},
		{"accepted brand", "5555555555554444", []Brand{Visa, Mastercard}, Mastercard, ""},
		{"empty", "", nil, "", hushpay.ErrFormat},
		{"spaces are the caller's to strip", "4242 4242 4242 4242", nil, "", hushpay.ErrFormat},
		{"letters", "4242abcd42424242", nil, "", hushpay.ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, code := CheckPAN(tc.digits, tc.accepted)
			if b != tc.wantBrand || code != tc.wantCode {
				t.Errorf("CheckPAN = %q, %q; want %q, %q", b, code, tc.wantBrand, tc.wantCode)
			}
			bb, bcode := CheckPAN([]byte(tc.digits), tc.accepted)
			if bb != b || bcode != code {
				t.Errorf("CheckPAN([]byte) = %q, %q; string gave %q, %q", bb, bcode, b, code)
			}
			info, vcode := ValidatePAN(tc.digits, tc.accepted)
			if info.Brand != b || vcode != code || !slices.Equal(info.Lengths, b.Lengths()) {
				t.Errorf("ValidatePAN = %+v, %q; CheckPAN gave %q, %q", info, vcode, b, code)
			}
		})
	}
}

func TestEveryTestCardIsValid(t *testing.T) {
	for _, c := range stripeCards {
		if b, code := CheckPAN(c.number, nil); code != "" || b != c.brand {
			t.Errorf("%s…: CheckPAN = %q, %q", c.number[:6], b, code)
		}
		if _, code := CheckPAN(c.number, []Brand{c.brand}); code != "" {
			t.Errorf("%s…: not accepted when its own brand is", c.number[:6])
		}
		others := slices.DeleteFunc(Brands(), func(b Brand) bool { return b == c.brand })
		if _, code := CheckPAN(c.number, others); code != hushpay.ErrBrandNotAccepted {
			t.Errorf("%s…: code %q when every other brand is accepted", c.number[:6], code)
		}
	}
}

func TestPadToMakesValidNumbers(t *testing.T) {
	for _, n := range []int{12, 16, 19} {
		if got := padTo("4", n); len(got) != n || !Luhn(got) || strings.Count(got, "0") < n-3 {
			t.Errorf("padTo(4, %d) = %s", n, got)
		}
	}
}
