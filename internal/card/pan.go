package card

import (
	"slices"

	"github.com/hushpay/hushpay"
)

// CheckPAN validates a whole card number (digits only) against the accepted brands and returns its
// brand with the empty code, or the reason it is invalid. The checks run in the order a caller can act
// on: ErrFormat (empty or not all digits), ErrBrandNotAccepted, ErrLength (not a length the brand
// issues; 12-19 when the brand is not recognized), ErrLuhn.
//
// An empty accepted list accepts every brand, including numbers in no known range (any Luhn-valid
// number of 12 to 19 digits); a non-empty one rejects numbers whose brand is not recognized.
func CheckPAN[D Digits](digits D, accepted []Brand) (Brand, hushpay.FieldErrorCode) {
	if !allDigits(digits) {
		return "", hushpay.ErrFormat
	}
	b, _ := BrandOf(digits)
	if !Accepts(accepted, b) {
		return b, hushpay.ErrBrandNotAccepted
	}
	if !b.ValidLength(len(digits)) {
		return b, hushpay.ErrLength
	}
	if !Luhn(digits) {
		return b, hushpay.ErrLuhn
	}
	return b, ""
}

// Accepts reports whether a card of brand b may be taken when accepted lists the accepted brands
// (empty: all brands, recognized or not).
func Accepts(accepted []Brand, b Brand) bool {
	return len(accepted) == 0 || (b != "" && slices.Contains(accepted, b))
}

// ValidatePAN validates a whole card number (digits only) as CheckPAN does and describes its brand.
// The code is empty when the number is valid.
func ValidatePAN(digits string, accepted []Brand) (BrandInfo, hushpay.FieldErrorCode) {
	b, code := CheckPAN(digits, accepted)
	return b.Info(), code
}
