package card

import (
	"strings"

	"github.com/hushpay/hushpay"
)

// ValidateZIP checks a postal code keyed on a phone keypad, where only digits can be entered: a US ZIP
// code of 5 digits or ZIP+4 of 9. ErrFormat for anything but digits, ErrLength for another length.
func ValidateZIP[D Digits](digits D) hushpay.FieldErrorCode {
	if !allDigits(digits) {
		return hushpay.ErrFormat
	}
	if len(digits) != 5 && len(digits) != 9 {
		return hushpay.ErrLength
	}
	return ""
}

// ValidatePostalCode checks a postal code typed in the hosted form, where callers from any country
// pay: 3 to 10 characters of letters, digits, spaces and dashes, starting and ending with a letter or
// digit ("94107", "94107-1234", "SW1A 1AA", "H3Z 2Y7"). Spaces at either end are ignored. ErrLength for
// too short or too long, ErrFormat for any other character. Address verification by the processor
// decides whether the code matches the card.
func ValidatePostalCode(s string) hushpay.FieldErrorCode {
	s = strings.TrimSpace(s)
	if len(s) < 3 || len(s) > 10 {
		return hushpay.ErrLength
	}
	for i := 0; i < len(s); i++ {
		if !postalChar(s[i], i == 0 || i == len(s)-1) {
			return hushpay.ErrFormat
		}
	}
	return ""
}

func postalChar(c byte, atEnd bool) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c == ' ' || c == '-':
		return !atEnd
	}
	return false
}
