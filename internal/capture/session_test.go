package capture

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

func TestNewStartsOnTheFirstField(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want hushpay.FieldName
	}{
		{"card default", Config{}, hushpay.FieldCardNumber},
		{"ach default", Config{Method: hushpay.MethodACH}, hushpay.FieldRoutingNumber},
		{"explicit order", cardConfig(hushpay.FieldExpiry, hushpay.FieldCardNumber), hushpay.FieldExpiry},
		{"fields the method cannot capture are left out", Config{Method: hushpay.MethodACH,
			Fields: []hushpay.FieldName{hushpay.FieldCardNumber, hushpay.FieldAccountType}}, hushpay.FieldAccountType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := New(tc.cfg, start).Current(); got != tc.want {
				t.Errorf("Current = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		wantErr bool
		field   string // the request field the error names
	}{
		{"zero value is valid", Config{}, false, ""},
		{"ach fields", Config{Method: hushpay.MethodACH, Fields: hushpay.ACHFields}, false, ""},
		{"unknown method", Config{Method: "cash"}, true, "method"},
		{"card field on ach", Config{Method: hushpay.MethodACH, Fields: []hushpay.FieldName{hushpay.FieldCardNumber}}, true, "capture"},
		{"unknown field", cardConfig("pin"), true, "capture"},
		{"field twice", cardConfig(hushpay.FieldExpiry, hushpay.FieldExpiry), true, "capture"},
		{"negative attempts", Config{MaxAttempts: -1}, true, ""},
		{"negative idle delay", Config{IdleAdvance: -time.Second}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if !tc.wantErr {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			var he *hushpay.Error
			if !errors.As(err, &he) || he.Kind != hushpay.KindInvalid || he.Field != tc.field {
				t.Errorf("Validate = %#v, want an invalid error naming %q", err, tc.field)
			}
		})
	}
}

func TestKeyRefusals(t *testing.T) {
	exhausted := New(cardThree, start)
	play(exhausted, strings.Repeat(visa16Bad+"#", 3), start)
	done := New(cardThree, start)
	play(done, mc16+"1230737", start)
	wiped := New(cardThree, start)
	wiped.Wipe()
	for _, tc := range []struct {
		name string
		s    *Session
		sym  byte
		want error
	}{
		{"DTMF letter A", New(cardThree, start), 'A', ErrSymbol},
		{"NUL", New(cardThree, start), 0, ErrSymbol},
		{"dot", New(cardThree, start), '.', ErrSymbol},
		{"digit when every field is complete", done, '1', ErrNoField},
		{"# when every field is complete is absorbed", done, '#', nil},
		{"digit on an exhausted session", exhausted, '4', ErrExhausted},
		{"* on an exhausted session", exhausted, '*', ErrExhausted},
		{"digit on a wiped session", wiped, '4', ErrWiped},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := summary(tc.s, cardThree)
			u := tc.s.Key(tc.sym, start.Add(time.Minute))
			if !errors.Is(u.Err, tc.want) || u.Changed || u.Advanced {
				t.Errorf("Key = %+v, want only Err %v", u, tc.want)
			}
			if after := summary(tc.s, cardThree); after != before {
				t.Errorf("state changed:\n%s\n%s", before, after)
			}
		})
	}
}

func TestUpdates(t *testing.T) {
	s := New(cardThree, start)
	updates, _ := play(s, "3"+"78282246310005"[:13]+"5"+"#", start)
	first, last15, hash := updates[0], updates[14], updates[15]
	if first.Field != hushpay.FieldCardNumber || !first.Changed || first.Advanced {
		t.Errorf("first digit: %+v", first)
	}
	if last15.Field != hushpay.FieldCardNumber || !last15.Changed || !last15.Advanced {
		t.Errorf("15th amex digit: %+v, want Changed and Advanced", last15)
	}
	if hash.Field != hushpay.FieldExpiry || hash.Changed || hash.Advanced || hash.Err != nil {
		t.Errorf("absorbed #: %+v, want nothing changed", hash)
	}
}

func TestIdleDeadline(t *testing.T) {
	s := New(Config{IdleAdvance: 5 * time.Second}, start)
	if _, ok := s.NextDeadline(); ok {
		t.Fatal("a new session has a deadline")
	}
	_, last := play(s, visa16, start)
	d, ok := s.NextDeadline()
	if !ok || !d.Equal(last.Add(5*time.Second)) {
		t.Fatalf("NextDeadline = %v, %v; want the last key + 5 s", d, ok)
	}
	if u := s.Tick(d.Add(-time.Nanosecond)); u.Changed || s.Current() != hushpay.FieldCardNumber {
		t.Errorf("Tick before the deadline changed the session: %+v", u)
	}
	s.Key('#', d.Add(-time.Millisecond)) // '#' first: no deadline left
	if _, ok := s.NextDeadline(); ok {
		t.Error("deadline survives #")
	}
	if s.Current() != hushpay.FieldExpiry {
		t.Errorf("Current = %q after #", s.Current())
	}

	s = New(Config{}, start)
	play(s, visa16, start)
	s.Key('4', start.Add(time.Minute)) // a 17th digit: Visa 17 is not a valid length
	if _, ok := s.NextDeadline(); ok {
		t.Error("deadline armed for an invalid length")
	}
	s = New(Config{}, start)
	play(s, visa16, start)
	if err := s.MoveTo(hushpay.FieldExpiry); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.NextDeadline(); ok {
		t.Error("deadline survives MoveTo")
	}
	if got := summary(s, Config{}); got != "card_number partial 16 visa | expiry empty 0 | security_code empty 0 → expiry" {
		t.Errorf("after MoveTo: %s", got)
	}
}

func TestMoveToAndReset(t *testing.T) {
	s := New(cardThree, start)
	play(s, mc16+"1230737", start)
	if !s.Complete() {
		t.Fatal("not complete")
	}
	if err := s.MoveTo(hushpay.FieldExpiry); err != nil {
		t.Fatal(err)
	}
	if s.Current() != hushpay.FieldExpiry || !s.Complete() {
		t.Errorf("MoveTo a complete field: current %q, complete %v; want expiry, still complete", s.Current(), s.Complete())
	}
	play(s, "#", start)
	if s.Current() != "" {
		t.Errorf("# on a complete field moved back to: current %q, want done", s.Current())
	}
	if err := s.MoveTo(hushpay.FieldExpiry); err != nil {
		t.Fatal(err)
	}
	play(s, "0131", start) // a typed digit starts the field afresh
	if got := summary(s, cardThree); got != "card_number complete 16 mastercard …4444 | expiry complete 4 | security_code complete 3 →  COMPLETE" {
		t.Errorf("re-entered expiry: %s", got)
	}

	if err := s.Reset(hushpay.FieldCardNumber); err != nil {
		t.Fatal(err)
	}
	if got := summary(s, cardThree); got != "card_number empty 0 | expiry complete 4 | security_code complete 3 → card_number" {
		t.Errorf("after Reset: %s", got)
	}
	play(s, visa16Bad+"#", start)
	if err := s.Reset(hushpay.FieldCardNumber); err != nil {
		t.Fatal(err)
	}
	if got := s.Fields()[hushpay.FieldCardNumber]; got.Attempts != 1 || got.State != hushpay.FieldEmpty {
		t.Errorf("Reset after an invalid entry: %+v, want empty with the attempt kept", got)
	}

	for _, name := range []hushpay.FieldName{hushpay.FieldRoutingNumber, "4242424242424242"} {
		for op, call := range map[string]func(hushpay.FieldName) error{"MoveTo": s.MoveTo, "Reset": s.Reset} {
			err := call(name)
			if !errors.Is(err, ErrNotCaptured) || hushpay.KindOf(err) != hushpay.KindInvalid {
				t.Errorf("%s(not captured) = %v", op, err)
			}
			mustNotLeak(t, op+" error", err.Error())
		}
	}
	play(s, strings.Repeat(visa16Bad+"#", 3), start)
	if err := s.MoveTo(hushpay.FieldExpiry); !errors.Is(err, ErrExhausted) || hushpay.KindOf(err) != hushpay.KindConflict {
		t.Errorf("MoveTo on an exhausted session = %v", err)
	}
}

func TestSetFieldFromTheForm(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		values  [][2]string // field, value, in the order the form handler sets them
		want    string
		wantErr error
	}{
		{"card with spaces, MM/YY, code", cardThree,
			[][2]string{{"card_number", "4242 4242 4242 4242"}, {"expiry", "12/30"}, {"security_code", "737"}},
			"card_number complete 16 visa …4242 | expiry complete 4 | security_code complete 3 →  COMPLETE", nil},
		{"card with dashes, MM/YYYY, postal code with letters", cardFour,
			[][2]string{{"card_number", "3782-822463-10005"}, {"expiry", "01/2031"}, {"security_code", "7373"}, {"postal_code", "SW1A 1AA"}},
			"card_number complete 15 amex …0005 | expiry complete 4 | security_code complete 4 | postal_code complete 8 →  COMPLETE", nil},
		{"bad check digit counts an attempt", cardThree,
			[][2]string{{"card_number", "4242 4242 4242 4241"}, {"expiry", "12/30"}, {"security_code", "737"}},
			"card_number invalid/luhn 16 visa x1 | expiry complete 4 | security_code complete 3 → card_number", nil},
		{"letters in a card number", cardThree,
			[][2]string{{"card_number", "4242 4242 4242 424O"}},
			"card_number invalid/format 0 x1 | expiry empty 0 | security_code empty 0 → card_number", nil},
		{"past expiry", cardThree,
			[][2]string{{"card_number", mc16}, {"expiry", "10/26"}},
			"card_number complete 16 mastercard …4444 | expiry invalid/expired 0 x1 | security_code empty 0 → expiry", nil},
		{"expiry a century ahead", cardThree,
			[][2]string{{"card_number", mc16}, {"expiry", "12/2130"}},
			"card_number complete 16 mastercard …4444 | expiry invalid/format 0 x1 | security_code empty 0 → expiry", nil},
		{"amex with a 3-digit code", cardThree,
			[][2]string{{"card_number", amex15}, {"expiry", "12/30"}, {"security_code", "737"}},
			"card_number complete 15 amex …0005 | expiry complete 4 | security_code invalid/length 3 x1 → security_code", nil},
		{"overlong number", cardThree,
			[][2]string{{"card_number", strings.Repeat("4242 ", 10)}},
			"card_number invalid/length 0 x1 | expiry empty 0 | security_code empty 0 → card_number", nil},
		{"brand not accepted", visaOnly,
			[][2]string{{"card_number", mc16}},
			"card_number invalid/brand_not_accepted 16 mastercard x1 | expiry empty 0 | security_code empty 0 → card_number", nil},
		{"empty value counts nothing", cardThree,
			[][2]string{{"card_number", "  "}},
			"card_number empty 0 | expiry empty 0 | security_code empty 0 → card_number", ErrMissing},
		{"ach by name", ach,
			[][2]string{{"routing_number", "110000000"}, {"account_number", "0001-2345-6789"}, {"account_type", "Savings"}},
			"routing_number complete 9 | account_number complete 12 …6789 | account_type complete 1 →  COMPLETE", nil},
		{"ach account type unknown", ach,
			[][2]string{{"account_type", "current"}},
			"routing_number empty 0 | account_number empty 0 | account_type invalid/format 0 x1 → routing_number", nil},
		{"field not captured", cardThree,
			[][2]string{{"postal_code", "94107"}},
			"card_number empty 0 | expiry empty 0 | security_code empty 0 → card_number", ErrNotCaptured},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.cfg, start)
			var last Update
			for _, fv := range tc.values {
				last = s.SetField(hushpay.FieldName(fv[0]), fv[1], start)
				mustNotLeak(t, "update", fmt.Sprintf("%+v %v", last, last.Err))
			}
			if !errors.Is(last.Err, tc.wantErr) {
				t.Errorf("last Update.Err = %v, want %v", last.Err, tc.wantErr)
			}
			if got := summary(s, tc.cfg); got != tc.want {
				t.Errorf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestSetFieldAttemptsExhaust(t *testing.T) {
	s := New(Config{MaxAttempts: 2}, start)
	s.SetField(hushpay.FieldExpiry, "01/20", start)
	if s.Exhausted() {
		t.Fatal("exhausted after one attempt")
	}
	s.SetField(hushpay.FieldExpiry, "13/30", start)
	if !s.Exhausted() || s.Fields()[hushpay.FieldExpiry].Error != hushpay.ErrTooManyAttempts {
		t.Errorf("after two invalid expiries: %s", summary(s, Config{}))
	}
	if u := s.SetField(hushpay.FieldExpiry, "12/30", start); !errors.Is(u.Err, ErrExhausted) {
		t.Errorf("SetField on an exhausted session = %+v", u)
	}
}

func TestValues(t *testing.T) {
	s := New(cardFour, start)
	play(s, amex15+"1230"+"7373"+"94107#", start)
	v := s.Values()
	if v.PAN.Reveal() != amex15 || v.Brand != card.Amex || v.Expiry != (card.Expiry{Month: 12, Year: 2030}) ||
		v.SecurityCode.Reveal() != "7373" || v.PostalCode != "94107" {
		t.Errorf("Values = PAN %s, brand %s, expiry %v, code len %d, postal %d chars",
			v.PAN, v.Brand, v.Expiry, v.SecurityCode.Len(), len(v.PostalCode))
	}
	mustNotLeak(t, "values printed", fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v))

	s = New(ach, start)
	play(s, routing+account+"#2", start)
	v = s.Values()
	if v.RoutingNumber != routing || v.Account.Reveal() != account || v.AccountType != card.Savings {
		t.Errorf("ACH Values: routing %d chars, account %s, type %s", len(v.RoutingNumber), v.Account, v.AccountType)
	}
	mustNotLeak(t, "ach values printed", fmt.Sprintf("%v %+v %#v", v, v, v))

	s = New(cardThree, start)
	play(s, visa16, start)
	if v := s.Values(); v.PAN.Len() != 0 {
		t.Errorf("a partial card number is in Values")
	}
}

func TestWipeZeroesEveryDigit(t *testing.T) {
	s := New(cardThree, start)
	play(s, visa16+"#1230737", start)
	v := s.Values()
	pan, code := v.PAN, v.SecurityCode
	s.Wipe()
	if got := pan.Reveal(); got != string(make([]byte, len(visa16))) {
		t.Errorf("PAN backing bytes after Wipe: %q, want zeros", got)
	}
	if got := code.Reveal(); got != "\x00\x00\x00" {
		t.Errorf("security code bytes after Wipe: %q, want zeros", got)
	}
	for i := range s.fields {
		if f := s.fields[i]; string(f.buf) != string(make([]byte, len(f.buf))) {
			t.Errorf("%s buffer not zero after Wipe", f.name)
		}
	}
	if v := s.Values(); v.PAN.Len() != 0 || v.SecurityCode.Len() != 0 {
		t.Error("Values after Wipe is not empty")
	}
	if s.Complete() {
		t.Error("a wiped session is Complete")
	}
	if f := s.Fields()[hushpay.FieldCardNumber]; f.State != hushpay.FieldComplete || f.Last4 != "4242" {
		t.Errorf("masked view after Wipe: %+v, want complete …4242 kept", f)
	}
	if err := s.Reset(hushpay.FieldCardNumber); !errors.Is(err, ErrWiped) {
		t.Errorf("Reset after Wipe = %v", err)
	}
}

func TestInvalidEntriesWipeTheirDigits(t *testing.T) {
	s := New(cardThree, start)
	play(s, visa16Bad+"#", start)
	if f := s.fields[0]; strings.Trim(string(f.buf), "\x00") != "" {
		t.Error("an invalid entry's digits are still held")
	}
}
