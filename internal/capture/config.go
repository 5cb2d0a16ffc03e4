package capture

import (
	"fmt"
	"slices"
	"time"

	"github.com/hushpay/hushpay"
	"github.com/hushpay/hushpay/internal/card"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxAttempts = 3
	DefaultIdleAdvance = 3 * time.Second
)

// Config says what a session captures and how.
type Config struct {
	Method         hushpay.Method      // "" means card
	Fields         []hushpay.FieldName // in capture order; empty means hushpay.DefaultCapture(Method)
	AcceptedBrands []card.Brand        // empty accepts every brand
	// MaxAttempts is how many entries of one field may end invalid before the session is exhausted
	// (too_many_attempts); 0 means DefaultMaxAttempts.
	MaxAttempts int
	// IdleAdvance is how long after the last key a card number of a brand with several lengths (Visa
	// 13/16/19) that is valid as typed moves on without '#'; 0 means DefaultIdleAdvance.
	IdleAdvance time.Duration
}

// Validate reports a configuration New would have to correct: an unknown method, a field the method
// cannot capture or named twice, a negative limit. The error is a KindInvalid *hushpay.Error.
func (c Config) Validate() error {
	if c.Method != "" && c.Method != hushpay.MethodCard && c.Method != hushpay.MethodACH {
		return hushpay.FieldError("method", "invalid_method", `method must be "card" or "ach"`)
	}
	if c.MaxAttempts < 0 || c.IdleAdvance < 0 {
		return hushpay.FieldError("", "invalid_config", "attempt limit and idle delay must not be negative")
	}
	c = c.withDefaults()
	for i, f := range c.Fields {
		if !c.Method.Allows(f) {
			return hushpay.FieldError("capture", "invalid_capture",
				fmt.Sprintf("capture[%d] is not a field a %s payment can capture", i, c.Method))
		}
		if slices.Index(c.Fields, f) != i {
			return hushpay.FieldError("capture", "invalid_capture", fmt.Sprintf("capture names %s twice", f))
		}
	}
	return nil
}

// withDefaults fills in the zero values.
func (c Config) withDefaults() Config {
	if c.Method == "" {
		c.Method = hushpay.MethodCard
	}
	if len(c.Fields) == 0 {
		c.Fields = hushpay.DefaultCapture(c.Method)
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.IdleAdvance <= 0 {
		c.IdleAdvance = DefaultIdleAdvance
	}
	return c
}

// capturable returns the configured fields the method allows, each once, in order.
func (c Config) capturable() []hushpay.FieldName {
	var out []hushpay.FieldName
	for _, f := range c.Fields {
		if c.Method.Allows(f) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
