package capture

import (
	"fmt"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

type keypadCase struct {
	name string
	cfg  Config
	keys string
	want string // summary(s) after the keys
}

var (
	cardThree = cardConfig() // the default: card number, expiry, security code
	cardFour  = cardConfig(hushpay.FieldCardNumber, hushpay.FieldExpiry, hushpay.FieldSecurityCode, hushpay.FieldPostalCode)
	ach       = Config{Method: hushpay.MethodACH}
	visaOnly  = Config{AcceptedBrands: []card.Brand{card.Visa}}
)

func keypadCases() []keypadCase {
	return []keypadCase{
		{"visa with # after every field completes", cardThree, visa16 + "#1230#737#",
			"card_number complete 16 visa …4242 | expiry complete 4 | security_code complete 3 →  COMPLETE"},
		{"visa 16 waits for # or a pause", cardThree, visa16,
			"card_number partial 16 visa | expiry empty 0 | security_code empty 0 → card_number"},
		{"visa 16 moves on after a pause", cardThree, visa16 + ".",
			"card_number complete 16 visa …4242 | expiry empty 0 | security_code empty 0 → expiry"},
		{"visa 13 ends with #", cardThree, visa13 + "#",
			"card_number complete 13 visa …2222 | expiry empty 0 | security_code empty 0 → expiry"},
		{"visa 19 moves on by itself", cardThree, visa19,
			"card_number complete 19 visa …" + visa19[15:] + " | expiry empty 0 | security_code empty 0 → expiry"},
		{"visa with a bad check digit does not move on after a pause", cardThree, visa16Bad + ".",
			"card_number partial 16 visa | expiry empty 0 | security_code empty 0 → card_number"},
		{"visa with a bad check digit ended by # is invalid and stays", cardThree, visa16Bad + "#",
			"card_number invalid/luhn 16 visa x1 | expiry empty 0 | security_code empty 0 → card_number"},
		{"re-entry after a bad check digit", cardThree, visa16Bad + "#" + visa16 + "#",
			"card_number complete 16 visa …4242 x1 | expiry empty 0 | security_code empty 0 → expiry"},
		{"a short visa ended by # has the wrong length", cardThree, "424242424242#",
			"card_number invalid/length 12 visa x1 | expiry empty 0 | security_code empty 0 → card_number"},
		{"amex moves on at 15 and takes a 4-digit CID", cardThree, amex15 + "1230" + "7373",
			"card_number complete 15 amex …0005 | expiry complete 4 | security_code complete 4 →  COMPLETE"},
		{"amex with a 3-digit code ended by #", cardThree, amex15 + "1230" + "737#",
			"card_number complete 15 amex …0005 | expiry complete 4 | security_code invalid/length 3 x1 → security_code"},
		{"amex with a bad check digit at 15", cardThree, "378282246310006",
			"card_number invalid/luhn 15 amex x1 | expiry empty 0 | security_code empty 0 → card_number"},
		{"mastercard moves on at 16", cardThree, mc16,
			"card_number complete 16 mastercard …4444 | expiry empty 0 | security_code empty 0 → expiry"},
		{"mastercard 2-series moves on at 16", cardThree, mc2Series,
			"card_number complete 16 mastercard …3222 | expiry empty 0 | security_code empty 0 → expiry"},
		{"discover 16 waits for #", cardThree, discover16 + "#",
			"card_number complete 16 discover …1117 | expiry empty 0 | security_code empty 0 → expiry"},
		{"diners 14 ends with #", cardThree, diners14 + "#",
			"card_number complete 14 diners …1667 | expiry empty 0 | security_code empty 0 → expiry"},
		{"# on a field just moved into is absorbed", cardThree, amex15 + "#",
			"card_number complete 15 amex …0005 | expiry empty 0 | security_code empty 0 → expiry"},
		{"# before anything is absorbed", cardThree, "##",
			"card_number empty 0 | expiry empty 0 | security_code empty 0 → card_number"},
		{"# after the last field is absorbed", cardThree, mc16 + "#1230#737##",
			"card_number complete 16 mastercard …4444 | expiry complete 4 | security_code complete 3 →  COMPLETE"},
		{"* clears the field", cardThree, "4242*",
			"card_number empty 0 | expiry empty 0 | security_code empty 0 → card_number"},
		{"* then the whole number", cardThree, "5555*" + mc16,
			"card_number complete 16 mastercard …4444 | expiry empty 0 | security_code empty 0 → expiry"},
		{"* on an invalid field keeps the attempt", cardThree, visa16Bad + "#*",
			"card_number empty 0 x1 | expiry empty 0 | security_code empty 0 → card_number"},
		{"three invalid entries exhaust the session", cardThree, visa16Bad + "#" + visa16Bad + "#" + visa16Bad + "#",
			"card_number invalid/too_many_attempts 16 visa x3 | expiry empty 0 | security_code empty 0 → card_number EXHAUSTED"},
		{"keys after exhaustion change nothing", cardThree, visa16Bad + "#" + visa16Bad + "#" + visa16Bad + "#" + visa16 + "#",
			"card_number invalid/too_many_attempts 16 visa x3 | expiry empty 0 | security_code empty 0 → card_number EXHAUSTED"},
		{"a past expiry is invalid at 4 digits and stays", cardThree, mc16 + "1025",
			"card_number complete 16 mastercard …4444 | expiry invalid/expired 4 x1 | security_code empty 0 → expiry"},
		{"the caller's # after an expired date is absorbed, then re-entry", cardThree, mc16 + "1025#1230",
			"card_number complete 16 mastercard …4444 | expiry complete 4 x1 | security_code empty 0 → security_code"},
		{"this month is still valid", cardThree, mc16 + "1126",
			"card_number complete 16 mastercard …4444 | expiry complete 4 | security_code empty 0 → security_code"},
		{"month 13 is a format error", cardThree, mc16 + "1330",
			"card_number complete 16 mastercard …4444 | expiry invalid/format 4 x1 | security_code empty 0 → expiry"},
		{"an expiry ended early by # has the wrong length", cardThree, mc16 + "12#",
			"card_number complete 16 mastercard …4444 | expiry invalid/length 2 x1 | security_code empty 0 → expiry"},
		{"brand not accepted as soon as it is known", visaOnly, "37",
			"card_number invalid/brand_not_accepted 2 amex x1 | expiry empty 0 | security_code empty 0 → card_number"},
		{"the rest of a refused card is ignored up to #", visaOnly, amex15 + "#" + visa16 + "#",
			"card_number complete 16 visa …4242 x1 | expiry empty 0 | security_code empty 0 → expiry"},
		{"a number in no known range is refused when brands are restricted", visaOnly, checked("900000000000000") + "#",
			"card_number invalid/brand_not_accepted 16 x1 | expiry empty 0 | security_code empty 0 → card_number"},
		{"a number in no known range is taken when every brand is", cardThree, checked("900000000000000") + "#",
			"card_number complete 16 …" + checked("900000000000000")[12:] + " | expiry empty 0 | security_code empty 0 → expiry"},
		{"postal code 5 digits ends with #", cardFour, visa16 + "#1230737" + "94107#",
			"card_number complete 16 visa …4242 | expiry complete 4 | security_code complete 3 | postal_code complete 5 →  COMPLETE"},
		{"postal code ZIP+4 moves on by itself", cardFour, visa16 + "#1230737" + "941071234",
			"card_number complete 16 visa …4242 | expiry complete 4 | security_code complete 3 | postal_code complete 9 →  COMPLETE"},
		{"postal code of 6 digits", cardFour, visa16 + "#1230737" + "941070#",
			"card_number complete 16 visa …4242 | expiry complete 4 | security_code complete 3 | postal_code invalid/length 6 x1 → postal_code"},
		{"security code before the card: 3 digits wait for a pause", cardConfig(hushpay.FieldSecurityCode, hushpay.FieldCardNumber), "737.",
			"security_code complete 3 | card_number empty 0 → card_number"},
		{"security code before the card: 4 digits move on", cardConfig(hushpay.FieldSecurityCode, hushpay.FieldCardNumber), "7373",
			"security_code complete 4 | card_number empty 0 → card_number"},
		{"a 3-digit code turns invalid when an amex completes", cardConfig(hushpay.FieldSecurityCode, hushpay.FieldCardNumber), "737#" + amex15,
			"security_code invalid/length 3 | card_number complete 15 amex …0005 → security_code"},
		{"ACH routing, account and type", ach, routing + account + "#1",
			"routing_number complete 9 | account_number complete 12 …6789 | account_type complete 1 →  COMPLETE"},
		{"ACH savings", ach, routing + account + "#2",
			"routing_number complete 9 | account_number complete 12 …6789 | account_type complete 1 →  COMPLETE"},
		{"ACH routing with a bad checksum stays", ach, "110000001",
			"routing_number invalid/luhn 9 x1 | account_number empty 0 | account_type empty 0 → routing_number"},
		{"ACH routing ended early", ach, "1100#",
			"routing_number invalid/length 4 x1 | account_number empty 0 | account_type empty 0 → routing_number"},
		{"ACH account number too short", ach, routing + "123#",
			"routing_number complete 9 | account_number invalid/length 3 x1 | account_type empty 0 → account_number"},
		{"ACH account number beyond 17 digits is refused and ignored up to #", ach, routing + "123456789012345678999#" + account + "#",
			"routing_number complete 9 | account_number complete 12 …6789 x1 | account_type empty 0 → account_type"},
		{"ACH account type 3", ach, routing + account + "#3",
			"routing_number complete 9 | account_number complete 12 …6789 | account_type invalid/format 1 x1 → account_type"},
	}
}

func TestKeypad(t *testing.T) {
	for _, tc := range keypadCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.cfg, start)
			updates, _ := play(s, tc.keys, start)
			if got := summary(s, tc.cfg); got != tc.want {
				t.Errorf("after %d keys:\n got %s\nwant %s", len(tc.keys), got, tc.want)
			}
			mustNotLeak(t, "updates", fmt.Sprintf("%+v %#v", updates, updates))
			mustNotLeak(t, "fields", fmt.Sprintf("%+v %#v", s.Fields(), s.Fields()))
			mustNotLeak(t, "session", fmt.Sprintf("%v %+v %#v %s", s, s, s, s))
			mustNotLeak(t, "values", fmt.Sprintf("%v %+v %#v %s", s.Values(), s.Values(), s.Values(), s.Values()))
		})
	}
}
