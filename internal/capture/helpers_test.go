package capture

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// start is the fixed time of every test session: cards expiring before November 2026 have expired.
var start = time.Date(2026, time.November, 25, 19, 0, 0, 0, time.UTC)

const keyGap = 200 * time.Millisecond

// play types keys into the session one keyGap apart. A '.' stands for the caller pausing: the clock
// moves past the session's deadline, if it has one, and Tick runs then, as the service would call it.
// It returns every Update and the clock after the last key.
func play(s *Session, keys string, at time.Time) ([]Update, time.Time) {
	var updates []Update
	for i := 0; i < len(keys); i++ {
		if keys[i] == '.' {
			if d, ok := s.NextDeadline(); ok {
				at = d
			} else {
				at = at.Add(DefaultIdleAdvance)
			}
			updates = append(updates, s.Tick(at))
			continue
		}
		at = at.Add(keyGap)
		updates = append(updates, s.Key(keys[i], at))
	}
	return updates, at
}

// summary renders the session's masked view in capture order, one field per line part:
// "name state[/error] length[ brand][ …last4][ xAttempts]", then "→ current" and flags.
func summary(s *Session, cfg Config) string {
	fields := s.Fields()
	var parts []string
	for _, name := range cfg.withDefaults().capturable() {
		f := fields[name]
		p := fmt.Sprintf("%s %s", name, f.State)
		if f.Error != "" {
			p += "/" + string(f.Error)
		}
		p += fmt.Sprintf(" %d", f.Length)
		if f.Brand != "" {
			p += " " + f.Brand
		}
		if f.Last4 != "" {
			p += " …" + f.Last4
		}
		if f.Attempts > 0 {
			p += fmt.Sprintf(" x%d", f.Attempts)
		}
		parts = append(parts, p)
	}
	out := strings.Join(parts, " | ") + " → " + string(s.Current())
	if s.Complete() {
		out += " COMPLETE"
	}
	if s.Exhausted() {
		out += " EXHAUSTED"
	}
	return out
}

// checked appends the check digit that makes prefix Luhn-valid (card.Luhn is tested in its package).
func checked(prefix string) string {
	for d := '0'; d <= '9'; d++ {
		if n := prefix + string(d); card.Luhn(n) {
			return n
		}
	}
	panic("no check digit")
}

// Test numbers: public Stripe test cards and generated Luhn-valid numbers with test prefixes.
const (
	visa16     = "4242424242424242"
	visa16Bad  = "4242424242424241"
	mc16       = "5555555555554444"
	mc2Series  = "2223003122003222"
	amex15     = "378282246310005"
	discover16 = "6011111111111117"
	diners14   = "36227206271667"
	visa13     = "4222222222222"
	routing    = "110000000"
	account    = "000123456789"
)

var visa19 = checked("400000000000000000")

// secretsIn lists the test values that must never show in a masked view, an update or an error.
func secretsIn() []string {
	return []string{visa16, visa16Bad, mc16, mc2Series, amex15, discover16, diners14, visa13, visa19, account, routing,
		"737", "7373"}
}

func cardConfig(fields ...hushpay.FieldName) Config {
	return Config{Method: hushpay.MethodCard, Fields: fields}
}

func mustNotLeak(t *testing.T, what string, out string) {
	t.Helper()
	for _, secret := range secretsIn() {
		if strings.Contains(out, secret) {
			t.Errorf("%s holds a test number or code: %s", what, out)
		}
	}
}
