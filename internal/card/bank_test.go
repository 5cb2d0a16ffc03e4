package card

import (
	"testing"

	"github.com/hushpay/hushpay"
)

func TestValidateRoutingNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want hushpay.FieldErrorCode
	}{
		{"sandbox test routing number", "110000000", ""},
		{"federal reserve bank of boston", "011000015", ""},
		{"thrift range 21", "211274450", ""},
		{"electronic range 61", "610000005", ""},
		{"traveler's checks 80", "800000006", ""},
		{"check digit off by one", "110000001", hushpay.ErrLuhn},
		{"valid checksum, prefix 13 not assigned", "130000006", hushpay.ErrFormat},
		{"valid checksum, prefix 50 not assigned", "500000005", hushpay.ErrFormat},
		{"eight digits", "11000000", hushpay.ErrLength},
		{"ten digits", "1100000000", hushpay.ErrLength},
		{"letters", "11000000a", hushpay.ErrFormat},
		{"dashes", "110-000-00", hushpay.ErrFormat},
		{"empty", "", hushpay.ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ValidateRoutingNumber(tc.in)
			if got != tc.want {
				t.Errorf("ValidateRoutingNumber = %q, want %q", got, tc.want)
			}
			if ValidRoutingNumber(tc.in) != (tc.want == "") {
				t.Errorf("ValidRoutingNumber disagrees with ValidateRoutingNumber")
			}
		})
	}
}

func TestValidateAccountNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want hushpay.FieldErrorCode
	}{
		{"sandbox account", "000123456789", ""},
		{"four digits", "1234", ""},
		{"seventeen digits", "12345678901234567", ""},
		{"three digits", "123", hushpay.ErrLength},
		{"eighteen digits", "123456789012345678", hushpay.ErrLength},
		{"letters", "12ab5678", hushpay.ErrFormat},
		{"empty", "", hushpay.ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidateAccountNumber(tc.in); got != tc.want {
				t.Errorf("ValidateAccountNumber = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseAccountType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want AccountType
		code hushpay.FieldErrorCode
	}{
		{"checking", Checking, ""},
		{"Savings", Savings, ""},
		{"1", Checking, ""},
		{"2", Savings, ""},
		{"3", "", hushpay.ErrFormat},
		{"", "", hushpay.ErrFormat},
		{"current", "", hushpay.ErrFormat},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, code := ParseAccountType(tc.in)
			if got != tc.want || code != tc.code {
				t.Errorf("ParseAccountType = %q, %q; want %q, %q", got, code, tc.want, tc.code)
			}
		})
	}
}

func TestValidateSecurityCode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		brand Brand
		want  hushpay.FieldErrorCode
	}{
		{"visa 3", "123", Visa, ""},
		{"visa 4", "1234", Visa, hushpay.ErrLength},
		{"amex 4", "1234", Amex, ""},
		{"amex 3", "123", Amex, hushpay.ErrLength},
		{"unknown brand 3", "123", "", ""},
		{"unknown brand 4", "1234", "", ""},
		{"unknown brand 2", "12", "", hushpay.ErrLength},
		{"unknown brand 5", "12345", "", hushpay.ErrLength},
		{"letters", "12a", Visa, hushpay.ErrFormat},
		{"empty", "", Visa, hushpay.ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValidateSecurityCode(tc.in, tc.brand.Info()); got != tc.want {
				t.Errorf("ValidateSecurityCode = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPostalCodes(t *testing.T) {
	for _, tc := range []struct {
		in         string
		keypad     hushpay.FieldErrorCode
		hostedForm hushpay.FieldErrorCode
	}{
		{"94107", "", ""},
		{"941071234", "", ""},
		{"94107-1234", hushpay.ErrFormat, ""},
		{"SW1A 1AA", hushpay.ErrFormat, ""},
		{"H3Z 2Y7", hushpay.ErrFormat, ""},
		{"2000", hushpay.ErrLength, ""},
		{"12", hushpay.ErrLength, hushpay.ErrLength},
		{"12345678901", hushpay.ErrLength, hushpay.ErrLength},
		{"-1234", hushpay.ErrFormat, hushpay.ErrFormat},
		{"1234-", hushpay.ErrFormat, hushpay.ErrFormat},
		{"12<34", hushpay.ErrFormat, hushpay.ErrFormat},
		{"", hushpay.ErrFormat, hushpay.ErrLength},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := ValidateZIP(tc.in); got != tc.keypad {
				t.Errorf("ValidateZIP = %q, want %q", got, tc.keypad)
			}
			if got := ValidatePostalCode(tc.in); got != tc.hostedForm {
				t.Errorf("ValidatePostalCode = %q, want %q", got, tc.hostedForm)
			}
		})
	}
}
