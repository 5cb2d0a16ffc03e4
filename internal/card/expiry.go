package card

import (
	"strings"
	"time"

	"github.com/hushpay/hushpay"
)

// MaxExpiryAhead is how far ahead an expiry date may lie before it is taken for a typing error.
const MaxExpiryAhead = 20 * 12 // months

// Expiry is a card's expiry month. A card is valid through the last day of that month.
type Expiry struct {
	Month int // 1-12
	Year  int // four digits
}

// ParseExpiry reads an expiry date written "MMYY", "MM/YY", "MM/YYYY", "MM-YY" or "MM-YYYY". With a
// separator the month may have one digit and spaces may surround the separator ("1 / 30"). Two-digit
// years are in 2000-2099. Anything else, or a month outside 1-12, is ErrFormat. It does not compare the
// date with today: see Check.
func ParseExpiry(s string) (Expiry, hushpay.FieldErrorCode) {
	s = strings.TrimSpace(s)
	month, year, ok := splitExpiry(s)
	if !ok || !allDigits(month) || !allDigits(year) || len(month) > 2 || (len(year) != 2 && len(year) != 4) {
		return Expiry{}, hushpay.ErrFormat
	}
	e := Expiry{Month: prefixValue(month, len(month)), Year: prefixValue(year, len(year))}
	if len(year) == 2 {
		e.Year += 2000
	}
	if e.Month < 1 || e.Month > 12 {
		return Expiry{}, hushpay.ErrFormat
	}
	return e, ""
}

// splitExpiry splits "MMYY" or "M[M] sep YY[YY]" into its month and year parts.
func splitExpiry(s string) (month, year string, ok bool) {
	if i := strings.IndexAny(s, "/-"); i >= 0 {
		return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
	}
	if len(s) != 4 {
		return "", "", false
	}
	return s[:2], s[2:], true
}

// ExpiryFromDigits reads the four keypad digits MMYY (as bytes, so a capture buffer need not become
// a string). It does not validate the month: Check does.
func ExpiryFromDigits[D Digits](mmyy D) (Expiry, hushpay.FieldErrorCode) {
	if len(mmyy) != 4 || !allDigits(mmyy) {
		return Expiry{}, hushpay.ErrFormat
	}
	return Expiry{Month: prefixValue(mmyy, 2), Year: 2000 + prefixValue(mmyy[2:], 2)}, ""
}

// Check compares the expiry with now (in now's location): ErrFormat for a month outside 1-12 or a date
// more than MaxExpiryAhead months ahead, ErrExpired for a month before the current one, and the empty
// code when the card is usable. A card expiring this month is still valid.
func (e Expiry) Check(now time.Time) hushpay.FieldErrorCode {
	if e.Month < 1 || e.Month > 12 || e.Year < 1000 || e.Year > 9999 {
		return hushpay.ErrFormat
	}
	ahead := e.months() - (now.Year()*12 + int(now.Month()) - 1)
	switch {
	case ahead < 0:
		return hushpay.ErrExpired
	case ahead > MaxExpiryAhead:
		return hushpay.ErrFormat
	}
	return ""
}

func (e Expiry) months() int { return e.Year*12 + e.Month - 1 }

// String writes the expiry as MM/YY, the form printed on cards. The expiry is not secret on its own.
func (e Expiry) String() string {
	return string([]byte{byte('0' + e.Month/10), byte('0' + e.Month%10), '/',
		byte('0' + e.Year/10%10), byte('0' + e.Year%10)})
}

// IsZero reports whether no expiry is held.
func (e Expiry) IsZero() bool { return e == Expiry{} }
