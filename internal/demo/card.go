package demo

import (
	"fmt"
	"time"

	"github.com/hushpay/hushpay"
)

// keyEntry is one field as the caller keys it.
type keyEntry struct {
	field hushpay.FieldName
	keys  string
}

// testCard is what the caller keys: Stripe's public Visa test card ending its entry with '#'
// (a Visa number could run to 19 digits), an expiry (MMYY) in December of next year, which ends
// by itself at four digits, and a security code, which ends at the Visa's three.
func testCard(now time.Time) []keyEntry {
	return []keyEntry{
		{hushpay.FieldCardNumber, "4242424242424242#"},
		{hushpay.FieldExpiry, fmt.Sprintf("12%02d", (now.Year()+1)%100)},
		{hushpay.FieldSecurityCode, "123"},
	}
}

// keyCount is how many key presses entries make.
func keyCount(entries []keyEntry) int {
	n := 0
	for _, e := range entries {
		n += len(e.keys)
	}
	return n
}

// steps returns the frames of the entry's key presses on transport t.
func (e keyEntry) steps(t Transport) []step {
	press := eventPress
	if t == InBand || t == Both && e.field == hushpay.FieldCardNumber {
		press = inBandPress
	}
	var steps []step
	for i := range len(e.keys) {
		steps = append(steps, press(e.keys[i])...)
	}
	return steps
}

// describe says, for the report, how the keys travel.
func (t Transport) describe() string {
	switch t {
	case InBand:
		return "every key as an in-band DTMF tone pair in the caller's audio"
	case RFC4733:
		return "every key as RFC 4733 telephone-events, the audio paused while a key is held"
	}
	return "the card number as in-band DTMF tones in the audio, expiry and security code as RFC 4733 telephone-events"
}
