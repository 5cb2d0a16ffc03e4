package card

import (
	"strings"

	"github.com/hushpay/hushpay"
)

// Account number lengths accepted for ACH (NACHA allows up to 17 characters).
const (
	MinAccountNumberLen = 4
	MaxAccountNumberLen = 17
)

// RoutingNumberLen is the length of an ABA routing transit number.
const RoutingNumberLen = 9

// ValidateRoutingNumber checks an ABA routing transit number: ErrFormat unless it is all digits,
// ErrLength unless there are 9 of them, ErrFormat unless the first two name a Federal Reserve routing symbol (00-12, 21-32, 61-72 or 80), ErrLuhn (the check-digit
// code) unless 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10.
func ValidateRoutingNumber[D Digits](digits D) hushpay.FieldErrorCode {
	switch {
	case !allDigits(digits):
		return hushpay.ErrFormat
	case len(digits) != RoutingNumberLen:
		return hushpay.ErrLength
	}
	switch p := prefixValue(digits, 2); {
	case p <= 12, p >= 21 && p <= 32, p >= 61 && p <= 72, p == 80:
	default:
		return hushpay.ErrFormat
	}
	weights := [3]int{3, 7, 1}
	sum := 0
	for i := 0; i < RoutingNumberLen; i++ {
		sum += weights[i%3] * int(digits[i]-'0')
	}
	if sum%10 != 0 {
		return hushpay.ErrLuhn
	}
	return ""
}

// ValidRoutingNumber reports whether s is a valid ABA routing transit number (see ValidateRoutingNumber).
func ValidRoutingNumber(s string) bool { return ValidateRoutingNumber(s) == "" }

// ValidateAccountNumber checks a bank account number: ErrFormat unless it is all digits, ErrLength
// unless it has 4 to 17 of them.
func ValidateAccountNumber[D Digits](digits D) hushpay.FieldErrorCode {
	if !allDigits(digits) {
		return hushpay.ErrFormat
	}
	if len(digits) < MinAccountNumberLen || len(digits) > MaxAccountNumberLen {
		return hushpay.ErrLength
	}
	return ""
}

// AccountType is the kind of bank account an ACH debit draws on.
type AccountType string

// The account types.
const (
	Checking AccountType = "checking"
	Savings  AccountType = "savings"
)

// ParseAccountType reads an account type from its name (any case) or from the keypad digit the caller
// is told to press: 1 for checking, 2 for savings. Anything else is ErrFormat.
func ParseAccountType(s string) (AccountType, hushpay.FieldErrorCode) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "checking":
		return Checking, ""
	case "2", "savings":
		return Savings, ""
	}
	return "", hushpay.ErrFormat
}
