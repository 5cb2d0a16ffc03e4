package capture

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// fuzzConfigs are the sessions FuzzKeys drives, chosen by the input's first byte.
func fuzzConfigs() []Config {
	return []Config{
		cardThree,
		cardFour,
		ach,
		visaOnly,
		cardConfig(hushpay.FieldSecurityCode, hushpay.FieldPostalCode, hushpay.FieldCardNumber),
		{MaxAttempts: 1},
	}
}

// FuzzKeys drives a session with any sequence of symbols (keys, bytes that are not keys, '.' for a
// pause that fires the idle deadline, '~' for an agent's reset of the current field) and checks the
// invariants after every step.
func FuzzKeys(f *testing.F) {
	for _, tc := range keypadCases() {
		f.Add(byte(0), []byte(tc.keys))
	}
	f.Add(byte(2), []byte(routing+account+"#1"))
	f.Add(byte(4), []byte("737.~"+amex15))
	f.Fuzz(func(t *testing.T, which byte, keys []byte) {
		configs := fuzzConfigs()
		cfg := configs[int(which)%len(configs)]
		s := New(cfg, start)
		at := start
		attempts := map[hushpay.FieldName]int{}
		for _, k := range keys {
			at = at.Add(keyGap)
			before := summary(s, cfg)
			var u Update
			switch k {
			case '.':
				if d, ok := s.NextDeadline(); ok {
					at = d
				}
				u = s.Tick(at)
			case '~':
				_ = s.Reset(s.Current())
			default:
				u = s.Key(k, at)
			}
			if u.Err != nil && summary(s, cfg) != before {
				t.Fatalf("refused input %q changed the session:\n%s\n%s", k, before, summary(s, cfg))
			}
			checkInvariants(t, s, cfg, attempts, u)
		}
	})
}

func checkInvariants(t *testing.T, s *Session, cfg Config, attempts map[hushpay.FieldName]int, u Update) {
	t.Helper()
	cfg = cfg.withDefaults()
	fields := s.Fields()
	allComplete, limitHit := true, false
	for i := range s.fields {
		ff := &s.fields[i]
		v := fields[ff.name]
		allComplete = allComplete && v.State == hushpay.FieldComplete
		limitHit = limitHit || v.Error == hushpay.ErrTooManyAttempts
		switch {
		case (v.State == hushpay.FieldInvalid) != (v.Error != ""):
			t.Fatalf("%s: state %s with error %q", ff.name, v.State, v.Error)
		case v.Length > len(ff.buf) || v.Length < 0:
			t.Fatalf("%s: length %d", ff.name, v.Length)
		case v.Last4 != "" && (v.State != hushpay.FieldComplete || (ff.name != hushpay.FieldCardNumber && ff.name != hushpay.FieldAccountNumber)):
			t.Fatalf("%s: last4 shown in state %s", ff.name, v.State)
		case v.Attempts < attempts[ff.name] || v.Attempts > cfg.MaxAttempts:
			t.Fatalf("%s: attempts went from %d to %d", ff.name, attempts[ff.name], v.Attempts)
		case v.State == hushpay.FieldInvalid && strings.Trim(string(ff.buf), "\x00") != "":
			t.Fatalf("%s: an invalid entry's digits are still held", ff.name)
		}
		attempts[ff.name] = v.Attempts
	}
	if s.Exhausted() != limitHit {
		t.Fatalf("Exhausted %v, a field at the limit %v", s.Exhausted(), limitHit)
	}
	if s.Current() == "" && !allComplete {
		t.Fatalf("no current field while some field is not complete: %s", summary(s, cfg))
	}
	if s.Complete() {
		checkCompleteValues(t, s, cfg)
	}
	if pan := s.Values().PAN; pan.Len() > 0 {
		if out := fmt.Sprintf("%+v %v %v", fields, u, s); strings.Contains(out, pan.Reveal()) {
			t.Fatalf("the card number shows in the masked output: %s", out)
		}
	}
}

func checkCompleteValues(t *testing.T, s *Session, cfg Config) {
	t.Helper()
	v := s.Values()
	if s.Current() != "" {
		t.Fatalf("complete with current field %q", s.Current())
	}
	if s.field(hushpay.FieldCardNumber) != nil {
		if b, code := card.CheckPAN(v.PAN.Reveal(), cfg.AcceptedBrands); code != "" || b != v.Brand {
			t.Fatalf("complete with a card number that fails validation: %q", code)
		}
	}
	if s.field(hushpay.FieldSecurityCode) != nil {
		if code := card.ValidateSecurityCode(v.SecurityCode.Reveal(), v.Brand.Info()); code != "" {
			t.Fatalf("complete with a security code that fails its brand: %q", code)
		}
	}
	if s.field(hushpay.FieldExpiry) != nil && v.Expiry.Check(start) != "" {
		t.Fatalf("complete with an unusable expiry")
	}
	if s.field(hushpay.FieldRoutingNumber) != nil && !card.ValidRoutingNumber(v.RoutingNumber) {
		t.Fatalf("complete with an invalid routing number")
	}
}

// BenchmarkKey measures one key press on the card number field (a digit, or the '*' that restarts
// the entry every 16 keys).
func BenchmarkKey(b *testing.B) {
	s := New(cardThree, start)
	keys := []byte(visa16[:15] + "*")
	at := start
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		at = at.Add(keyGap)
		s.Key(keys[i%len(keys)], at)
		i++
	}
}

// BenchmarkCardPayment measures a whole keypad card capture: New, 26 keys, Values and Wipe.
func BenchmarkCardPayment(b *testing.B) {
	keys := []byte(visa16 + "#1230#737#")
	b.ReportAllocs()
	for b.Loop() {
		s := New(cardThree, start)
		at := start
		for _, k := range keys {
			at = at.Add(keyGap)
			s.Key(k, at)
		}
		if !s.Complete() {
			b.Fatal("not complete")
		}
		_ = s.Values()
		s.Wipe()
	}
}

func TestFuzzConfigsAreValid(t *testing.T) {
	for i, c := range fuzzConfigs() {
		if err := c.Validate(); err != nil {
			t.Errorf("config %d: %v", i, err)
		}
	}
}
