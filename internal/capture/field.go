package capture

import (
	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// field is one field being captured. Its digits live in buf (a window on the session's one backing
// array, so Wipe clears them all); n counts the digits of the current entry, and stays as the
// displayed length when an invalid entry's digits are wiped.
type field struct {
	name     hushpay.FieldName
	buf      []byte // len(buf) is the field's capacity
	n        int
	state    hushpay.FieldState
	code     hushpay.FieldErrorCode
	attempts int

	// ignoring is set when the entry turned invalid before the caller ended it: its remaining digits
	// are ignored up to '#' or '*'.
	ignoring bool
	// text is set when the value came from the hosted form (a postal code may hold letters then).
	text bool

	brand    card.Brand // card number: the brand of the digits so far, "" while unknown
	expiry   card.Expiry
	acctType card.AccountType
	last4    [4]byte // card or account number: kept at completion for the masked view
}

// capacity is how many characters a field holds: its longest valid value (a hosted-form postal code may
// have 10 characters, a keypad ZIP+4 code 9 digits).
func capacity(f hushpay.FieldName) int {
	switch f {
	case hushpay.FieldCardNumber:
		return 19
	case hushpay.FieldExpiry, hushpay.FieldSecurityCode:
		return 4
	case hushpay.FieldPostalCode:
		return 10
	case hushpay.FieldRoutingNumber:
		return card.RoutingNumberLen
	case hushpay.FieldAccountNumber:
		return card.MaxAccountNumberLen
	case hushpay.FieldAccountType:
		return 1
	}
	return 0
}

// digits returns the current entry.
func (f *field) digits() []byte { return f.buf[:f.n] }

// wipeDigits zeroes the field's memory.
func (f *field) wipeDigits() { clear(f.buf) }

// startEntry empties the field for a fresh entry; attempts are kept.
func (f *field) startEntry() {
	f.wipeDigits()
	f.n = 0
	f.state = hushpay.FieldEmpty
	f.code = ""
	f.ignoring = false
	f.text = false
	f.brand = ""
	f.expiry = card.Expiry{}
	f.acctType = ""
}

// set stores a whole value (already checked to fit) as the field's entry.
func (f *field) set(value []byte, text bool) {
	f.startEntry()
	f.n = copy(f.buf, value)
	f.text = text
	f.state = hushpay.FieldPartial
}

// complete marks the entry valid and keeps the last four digits a card or account number may show.
func (f *field) complete() {
	f.state = hushpay.FieldComplete
	f.code = ""
	if (f.name == hushpay.FieldCardNumber || f.name == hushpay.FieldAccountNumber) && f.n >= 4 {
		copy(f.last4[:], f.buf[f.n-4:f.n])
	}
}

// view returns the masked state.
func (f *field) view() hushpay.Field {
	v := hushpay.Field{State: f.state, Length: f.n, Brand: string(f.brand), Error: f.code, Attempts: f.attempts}
	if f.state == hushpay.FieldComplete && f.last4[0] != 0 {
		v.Last4 = string(f.last4[:])
	}
	return v
}
