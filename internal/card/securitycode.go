package card

import "github.com/hushpay/hushpay"

// ValidateSecurityCode checks a security code's digits against the card's brand: 4 digits for the Amex
// CID, 3 for the other recognized brands, 3 or 4 when the brand is not known (yet). ErrFormat when it is
// empty or holds anything but digits, ErrLength when the length is wrong.
func ValidateSecurityCode[D Digits](digits D, b BrandInfo) hushpay.FieldErrorCode {
	if !allDigits(digits) {
		return hushpay.ErrFormat
	}
	if !SecurityCodeLenValid(len(digits), b.SecurityCodeLen) {
		return hushpay.ErrLength
	}
	return ""
}

// SecurityCodeLenValid reports whether n digits fit a brand whose security code has want digits
// (0: brand not known, so 3 or 4).
func SecurityCodeLenValid(n, want int) bool {
	if want == 0 {
		return n == 3 || n == 4
	}
	return n == want
}
